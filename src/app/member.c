/* Use cases around members: join (create), edit, the counter view, search, ledger history. */
#include "app/app_int.h"
#include "app/privacy.h"
#include "app/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/models.h"
#include "app/referrals.h"
#include "app/triggers.h"
#include "app/unsub.h"
#include "util/fold.h"
#include "util/jdump.h"
#include "util/rand.h"

static const char *const member_fields[] = {
    "name",     "phone",   "email",          "birthday",    "locale",        "tags",     "notes",
    "location", "consent", "consent_source", "referred_by", "referral_code", "timezone", NULL};
static const char *const locales[] = {"en", "ms", "hu", "bn", NULL};

static int replace(char **dst, const char *src, loy_err *err)
{
    char *d = src ? strdup(src) : NULL;
    if (src && !d) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(*dst);
    *dst = d;
    return 0;
}

static int parse_birthday(const char *s, loy_member_row *row, loy_err *err)
{
    int y = 0, mo = 0, d = 0;
    char tail;
    if (sscanf(s, "--%2d-%2d%c", &mo, &d, &tail) == 2 && strlen(s) == 7) {
    } else if (sscanf(s, "%2d-%2d%c", &mo, &d, &tail) == 2 && strlen(s) == 5) {
    } else if (sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3 && strlen(s) == 10) {
        if (y < 1900 || y > 2100) mo = 0;
    } else
        mo = 0;
    int max = mo >= 1 && mo <= 12 ? loy_days_in_month(y ? y : 2000, mo) : 0;
    if (mo < 1 || mo > 12 || d < 1 || d > max)
        return loy_err_set(err, LOY_EINVALID, "birthday",
                           "birthday: expected \"MM-DD\" or \"YYYY-MM-DD\", got \"%s\"", s);
    row->bday_year = y;
    row->bday_month = mo;
    row->bday_day = d;
    return 0;
}

int loy_member_fields(loy_app *app, const json_t *req, bool create, loy_member_row *row,
                      int64_t now, loy_err *err)
{
    const char *s = NULL;
    int rc = loy_req_object(req, member_fields, err);
    if (!rc) rc = loy_req_str(req, "name", create, 200, &s, err);
    if (!rc && s) rc = replace(&row->name, s, err);
    if (!rc && json_object_get(req, "phone")) {
        rc = loy_req_str(req, "phone", false, 40, &s, err);
        char norm[48];
        if (!rc && s && !loy_phone_normalise(s, norm, sizeof(norm)))
            rc = loy_err_set(err, LOY_EINVALID, "phone",
                             "phone: expected a phone number like \"+60 12-345 6789\", got \"%s\"",
                             s);
        if (!rc) rc = replace(&row->phone, s ? norm : NULL, err);
    }
    if (!rc && json_object_get(req, "email")) {
        rc = loy_req_str(req, "email", false, 254, &s, err);
        if (!rc && s &&
            (!strchr(s, '@') || strchr(s, ' ') || s[0] == '@' || !strchr(strchr(s, '@'), '.')))
            rc = loy_err_set(err, LOY_EINVALID, "email",
                             "email: expected an address like \"name@example.com\", got \"%s\"", s);
        if (!rc) rc = replace(&row->email, s, err);
    }
    if (!rc && json_object_get(req, "birthday")) {
        rc = loy_req_str(req, "birthday", false, 16, &s, err);
        int oy = row->bday_year, om = row->bday_month, od = row->bday_day;
        if (!rc && s) rc = parse_birthday(s, row, err);
        if (!rc && !s) row->bday_year = row->bday_month = row->bday_day = 0;
        if (!rc && (om != row->bday_month || od != row->bday_day || oy != row->bday_year))
            row->birthday_set_at = now;
    }
    if (!rc) rc = loy_req_str(req, "locale", false, 7, &s, err);
    if (!rc && s) {
        bool ok = false;
        for (size_t i = 0; locales[i]; i++) ok |= strcmp(locales[i], s) == 0;
        if (!ok)
            rc = loy_err_set(err, LOY_EINVALID, "locale",
                             "locale: expected one of en, ms, hu, bn, got \"%s\"", s);
        else
            snprintf(row->locale, sizeof(row->locale), "%s", s);
    }
    if (!rc && create && !row->locale[0])
        snprintf(row->locale, sizeof(row->locale), "%s", app->prog->locale);
    const json_t *tags = json_object_get(req, "tags");
    if (!rc && tags) {
        if (!json_is_array(tags) || json_array_size(tags) > 50)
            rc = loy_err_set(err, LOY_EINVALID, "tags", "tags: expected an array of words");
        char buf[2048] = "";
        size_t i;
        const json_t *t;
        json_array_foreach(tags, i, t)
        {
            if (rc) break;
            if (!json_is_string(t) || !json_string_length(t) || json_string_length(t) > 40 ||
                strchr(json_string_value(t), ','))
                rc = loy_err_set(err, LOY_EINVALID, "tags",
                                 "tags[%zu]: expected a word of 1 to 40 characters without commas",
                                 i);
            else if (strlen(buf) + json_string_length(t) + 2 < sizeof(buf)) {
                if (buf[0]) strcat(buf, ",");
                strcat(buf, json_string_value(t));
            }
        }
        if (!rc) rc = replace(&row->tags, buf, err);
    }
    if (!rc && json_object_get(req, "notes")) {
        rc = loy_req_str(req, "notes", false, 2000, &s, err);
        if (!rc) rc = replace(&row->notes, s ? s : "", err);
    }
    if (!rc) rc = loy_req_str(req, "location", false, LOY_ID_MAX - 1, &s, err);
    if (!rc && s) {
        if (!loy_programme_location(app->prog, s))
            rc = loy_err_set(err, LOY_EINVALID, "location", "location: unknown location \"%s\"", s);
        else
            rc = replace(&row->location_code, s, err);
    }
    const char *source = NULL;
    if (!rc) rc = loy_req_str(req, "consent_source", false, 60, &source, err);
    const json_t *consent = json_object_get(req, "consent");
    if (!rc && consent) {
        static const char *const consent_fields[] = {"email", "sms", NULL};
        bool e = row->consent_email, sms = row->consent_sms;
        rc = loy_req_object(consent, consent_fields, err);
        if (!rc) rc = loy_req_bool(consent, "email", e, &e, err);
        if (!rc) rc = loy_req_bool(consent, "sms", sms, &sms, err);
        if (rc) loy_err_prefix(err, "consent");
        if (!rc && e != row->consent_email) {
            row->consent_email = e;
            row->consent_email_at = now;
            snprintf(row->consent_email_source, sizeof(row->consent_email_source), "%s",
                     source ? source : app->actor);
        }
        if (!rc && sms != row->consent_sms) {
            row->consent_sms = sms;
            row->consent_sms_at = now;
            snprintf(row->consent_sms_source, sizeof(row->consent_sms_source), "%s",
                     source ? source : app->actor);
        }
    }
    if (!rc && create && json_object_get(req, "referred_by")) {
        int64_t ref = 0;
        rc = loy_req_int(req, "referred_by", false, 1, INT64_MAX, 0, &ref, err);
        loy_member_row r;
        if (!rc) {
            rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, ref, &r, err);
            if (rc == LOY_ENOTFOUND)
                rc = loy_err_set(err, LOY_EINVALID, "referred_by", "referred_by: no member %lld",
                                 (long long)ref);
            else if (!rc)
                loy_member_row_free(&r);
        }
        row->referred_by = ref;
    } else if (!rc && !create && json_object_get(req, "referred_by"))
        rc = loy_err_set(err, LOY_EINVALID, "referred_by", "referred_by: is not writable");
    if (!rc) rc = loy_app_referral_field(app, req, create, row, err); /* app/referrals.c */
    if (!rc) rc = loy_app_member_tz_field(req, row, err);             /* app/member_tz.c */
    return rc;
}

int loy_uc_member_create(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err)
{
    loy_member_row row;
    memset(&row, 0, sizeof(row));
    loy_loaded m = {0};
    loy_outcome o;
    loy_outcome_init(&o);
    row.merchant_id = app->merchant;
    row.joined_at = row.updated_at = now;
    int rc = loy_member_fields(app, req, true, &row, now, err);
    if (!rc && loy_random_token(row.card_token, sizeof(row.card_token), 130))
        rc = loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    if (!rc) rc = loy_store_member_insert(&app->conn, &row, err);
    char unsub[LOY_UNSUB_TOKEN_MAX]; /* every new member gets an unsubscribe token at once */
    if (!rc) rc = loy_app_unsub_token(app, row.id, unsub, err);
    if (!rc) rc = loy_app_load_id(app, row.id, true, now, &m, err);
    loy_ctx ctx = loy_app_ctx(app, now);
    if (!rc) rc = loy_engine_join(&ctx, &m.st, &o, err);
    if (!rc) rc = loy_app_apply(app, row.id, &o, "join", row.id, NULL, now, NULL, err);
    if (!rc) {
        char payload[64];
        snprintf(payload, sizeof(payload), "{\"member_id\":%lld}", (long long)row.id);
        rc = loy_store_outbox_add(&app->conn, app->merchant, "member.created", row.id, payload, now,
                                  err);
    }
    if (!rc) rc = loy_app_referral_joined(app, &row, req, now, err); /* own code, the referral */
    if (!rc) rc = loy_app_triggers_joined(app, row.id, now, err);    /* welcome (app/triggers.c) */
    if (!rc) {
        snprintf(m.row.tier, sizeof(m.row.tier), "%s", o.tier_after);
        *resp =
            json_pack("{s:o, s:o, s:o}", "member", loy_json_member(app, &m.row), "outcome",
                      loy_json_outcome(app, &o), "balances", loy_json_balances_after(&m.st, &o));
    }
    loy_member_row_free(&row);
    loy_loaded_free(&m);
    loy_outcome_free(&o);
    return rc;
}

int loy_app_member_update(loy_app *app, const char *ref, const json_t *req, json_t **resp,
                          loy_err *err)
{
    int64_t now = loy_app_now(app);
    loy_member_row row;
    memset(&row, 0, sizeof(row));
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_app_resolve_member(app, ref, &row, err);
    if (!rc && row.erased_at) /* personal data is not written back into an erased member */
        rc = loy_app_erased_refusal(&row, "be changed (a returning customer joins again)", err);
    json_t *before = rc ? NULL : loy_json_member(app, &row);
    if (!rc) rc = loy_member_fields(app, req, false, &row, now, err);
    if (!rc) {
        row.updated_at = now;
        rc = loy_store_member_update(&app->conn, &row, err);
    }
    if (!rc) {
        /* before/after of the fields that changed (personal data stays in this table only) */
        json_t *after = loy_json_member(app, &row), *b = json_object(), *a = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(after, k, v) if (!json_equal(v, json_object_get(before, k)))
        {
            json_object_set(b, k, json_object_get(before, k));
            json_object_set(a, k, v);
        }
        json_t *d = json_pack("{s:o, s:o}", "before", b, "after", a);
        char *detail = loy_json_dump(d, false, NULL);
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "member.update", "member",
                             row.id, NULL, detail, now, NULL, err);
        free(detail);
        json_decref(d);
        json_decref(after);
    }
    json_decref(before);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc)
        loy_db_rollback(&app->conn);
    else
        *resp = json_pack("{s:o}", "member", loy_json_member(app, &row));
    loy_member_row_free(&row);
    return rc;
}

static json_t *tier_json(const loy_app *app, const loy_member_state *st, const char *lang)
{
    const loy_programme *p = app->prog;
    if (!p->has_tiers) return json_null();
    int cur = loy_programme_level_index(p, st->tier);
    if (cur < 0) cur = 0;
    const loy_tier_level *l = &p->levels[cur];
    json_t *perks = json_array();
    for (size_t i = 0; i < l->nperks; i++) json_array_append_new(perks, json_string(l->perks[i]));
    json_t *t = json_pack(
        "{s:s, s:s, s:I, s:o, s:I, s:s, s:I}", "id", l->id, "name", loy_names_get(&l->name, lang),
        "multiplier_milli", (json_int_t)l->multiplier_milli, "perks", perks, "qualifying",
        (json_int_t)st->qualifying, "basis", p->tier_basis == LOY_TIER_SPEND ? "spend" : "points",
        "window_days", (json_int_t)p->tier_window_days);
    if ((size_t)cur + 1 < p->nlevels) {
        const loy_tier_level *n = &p->levels[cur + 1];
        int64_t left = n->threshold - st->qualifying;
        json_t *next = json_pack(
            "{s:s, s:s, s:I, s:I}", "id", n->id, "name", loy_names_get(&n->name, lang), "threshold",
            (json_int_t)n->threshold, "remaining", (json_int_t)(left > 0 ? left : 0));
        if (p->tier_basis == LOY_TIER_SPEND)
            json_object_set_new(next, "remaining_display",
                                loy_json_money(app, left > 0 ? left : 0));
        json_object_set_new(t, "next", next);
    } else
        json_object_set_new(t, "next", json_null());
    return t;
}

static json_t *rewards_json(loy_app *app, const loy_member_state *st, int64_t now, const char *lang,
                            loy_err *err)
{
    json_t *arr = json_array();
    loy_ctx ctx = loy_app_ctx(app, now);
    for (size_t i = 0; i < app->prog->nrewards; i++) {
        const loy_reward *rw = &app->prog->rewards[i];
        int64_t issued = 0;
        /* only a limited stock needs the count */
        if (rw->stock >= 0 &&
            loy_store_stock_issued(&app->conn, app->merchant, rw->id, &issued, err))
            break;
        loy_err why;
        const char *code = loy_engine_reward_block(&ctx, st, rw, issued, &why);
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:I, s:s, s:b, s:s, s:s?}", "id", rw->id, "name",
                           loy_names_get(&rw->name, lang), "cost",
                           (json_int_t)(rw->cost_points ? rw->cost_points : rw->cost_stamps),
                           "cost_in", rw->cost_points ? "points" : "stamps", "available", !code,
                           "why_not", code ? why.message : "", "why_not_code", code));
    }
    return arr;
}

int loy_app_member_view(loy_app *app, const char *ref, json_t **resp, loy_err *err)
{
    return loy_app_member_view_in(app, ref, NULL, resp, err);
}

int loy_app_member_view_in(loy_app *app, const char *ref, const char *names_lang, json_t **resp,
                           loy_err *err)
{
    int64_t now = loy_app_now(app);
    loy_loaded m = {0};
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    rc = loy_app_load(app, ref, false, now, &m, err);
    if (rc) goto done;
    const char *lang = names_lang ? names_lang : m.row.locale;
    const loy_programme *p = app->prog;
    loy_ctx ctx = loy_app_ctx(app, now);
    free(m.row.favourite);
    m.row.favourite = NULL; /* learned from purchases; an erased member's stays unknown */
    if (!m.row.erased_at &&
        (rc = loy_store_member_favourite(&app->conn, m.row.id, &m.row.favourite, err)))
        goto done;
    json_t *v = json_object();
    json_object_set_new(v, "member", loy_json_member(app, &m.row));
    json_object_set_new(v, "balances", loy_json_balances(&m.st));
    if (p->has_stamps) {
        int64_t size = p->card_size;
        json_object_set_new(v, "stamp_card",
                            json_pack("{s:I, s:I, s:I, s:I}", "stamps", (json_int_t)m.st.stamps,
                                      "card_size", (json_int_t)size, "on_card",
                                      (json_int_t)(m.st.stamps % size), "full_cards",
                                      (json_int_t)(m.st.stamps / size)));
    }
    json_object_set_new(v, "tier", tier_json(app, &m.st, lang));
    json_t *pending = json_array();
    for (size_t i = 0; i < m.st.nlots; i++)
        if (m.st.lots[i].account == LOY_ACC_PENDING)
            json_array_append_new(
                pending, json_pack("{s:I, s:o}", "points", (json_int_t)m.st.lots[i].remaining,
                                   "available_at", loy_json_time(m.st.lots[i].available_at)));
    json_object_set_new(v, "pending", pending);
    int64_t first = 0;
    int64_t exp = loy_engine_expiring(&ctx, &m.st, 30, &first);
    json_object_set_new(v, "expiring",
                        json_pack("{s:I, s:I, s:o}", "days", (json_int_t)30, "points",
                                  (json_int_t)exp, "first_at", loy_json_time(first)));
    json_object_set_new(v, "rewards", rewards_json(app, &m.st, now, lang, err));
    if (p->has_giving)
        json_object_set_new(v, "giving",
                            json_pack("{s:s, s:I, s:o}", "cause", p->giving_cause, "total",
                                      (json_int_t)m.st.giving, "display",
                                      loy_json_money(app, m.st.giving)));
    json_object_set_new(v, "currency", json_string(app->merchant_row.currency));
    if ((rc = loy_app_member_clv(app, m.row.id, v, err))) { /* P(alive), CLV once fitted */
        json_decref(v);
        goto done;
    }
    *resp = v;
done:
    loy_db_rollback(&app->conn);
    loy_loaded_free(&m);
    return rc;
}

struct find_ctx {
    const loy_app *app;
    json_t *arr;
};

static void add_found(void *ctx, const loy_member_row *m)
{
    struct find_ctx *f = ctx;
    json_array_append_new(f->arr, loy_json_member(f->app, m));
}

int loy_app_member_find(loy_app *app, const char *query, int limit, json_t **resp, loy_err *err)
{
    return loy_app_member_search(app, query, 0, limit, resp, err);
}

int loy_app_member_search(loy_app *app, const char *query, int64_t after, int limit, json_t **resp,
                          loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    char *folded = loy_fold(query, err);
    if (!folded) return err->code ? err->code : LOY_EINVALID;
    if (!*folded) {
        free(folded);
        return loy_err_set(err, LOY_EINVALID, "q", "q: expected a name, phone, email or card");
    }
    /* a phone fragment: only phone characters and at least 4 digits, matched on its digits */
    char phone[48];
    size_t nd = 0;
    bool is_phone = true;
    for (const char *q = query; *q && is_phone; q++) {
        if (*q >= '0' && *q <= '9') {
            if (nd + 1 < sizeof(phone)) phone[nd++] = *q;
        } else if (!strchr(" +-()./", *q))
            is_phone = false;
    }
    phone[nd] = '\0';
    is_phone = is_phone && nd >= 4;
    struct find_ctx f = {app, json_array()};
    int rc = loy_store_member_search(&app->conn, app->merchant, folded, is_phone ? phone : NULL,
                                     after, limit, add_found, &f, err);
    free(folded);
    if (rc) {
        json_decref(f.arr);
        return rc;
    }
    *resp = json_pack("{s:o, s:o}", "members", f.arr, "next_cursor", loy_json_next(f.arr, limit));
    return 0;
}

struct ledger_ctx {
    json_t *arr;
};

static void add_entry(void *ctx, const loy_ledger_row *r)
{
    struct ledger_ctx *l = ctx;
    json_array_append_new(l->arr,
                          json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:o, s:o, s:s*}",
                                    "id", (json_int_t)r->id, "account", r->account, "kind", r->kind,
                                    "amount", (json_int_t)r->amount, "rule", r->rule, "ref_type",
                                    r->ref_type, "ref_id", (json_int_t)r->ref_id, "actor", r->actor,
                                    "at", loy_json_time(r->created_at), "expires_at",
                                    loy_json_time(r->expires_at), "reason", r->reason));
}

int loy_app_member_ledger(loy_app *app, const char *ref, int64_t before_id, int limit,
                          json_t **resp, loy_err *err)
{
    loy_member_row row;
    int rc = loy_app_resolve_member(app, ref, &row, err);
    if (rc) return rc;
    struct ledger_ctx l = {json_array()};
    rc = loy_store_ledger_list(&app->conn, row.id, before_id, limit, add_entry, &l, err);
    loy_member_row_free(&row);
    if (rc) {
        json_decref(l.arr);
        return rc;
    }
    *resp = json_pack("{s:o, s:o}", "entries", l.arr, "next_before", loy_json_next(l.arr, limit));
    return 0;
}
