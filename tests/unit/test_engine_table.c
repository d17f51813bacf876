/* Table-driven engine tests: runs every case in the JSON files of tests/data/engine (format in
 * tests/data/engine/README.md) as its own cmocka test and compares every expected field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/money.h"
#include "core/programme.h"
#include "util/time.h"

#define CASE_DIR  "tests/data/engine"
#define MIN_CASES 70

/* ---- failure collection ---- */

typedef struct {
    char buf[8192];
    size_t len;
    int nfail;
} report;

static void failf(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(report *r, const char *fmt, ...)
{
    r->nfail++;
    if (r->len + 2 >= sizeof(r->buf)) return;
    r->buf[r->len++] = ' ';
    r->buf[r->len++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->len += (size_t)n < sizeof(r->buf) - r->len ? (size_t)n : sizeof(r->buf) - r->len - 1;
    if (r->len + 1 < sizeof(r->buf)) r->buf[r->len++] = '\n';
    r->buf[r->len] = '\0';
}

/* ---- reading case values ---- */

/* Instant: ISO 8601 text or an integer (0 = unset). */
static int64_t get_time(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return 0;
    if (json_is_integer(v)) return (int64_t)json_integer_value(v);
    int64_t t = 0;
    if (!json_is_string(v) || !loy_time_parse(json_string_value(v), &t))
        fail_msg("bad time in \"%s\"", key);
    return t;
}

/* Money: decimal text in the programme's currency ("18.50") or an integer in minor units. */
static int64_t get_money(const json_t *obj, const char *key, int exponent, int64_t dflt)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return dflt;
    if (json_is_integer(v)) return (int64_t)json_integer_value(v);
    int64_t m = 0;
    if (!json_is_string(v) || !loy_money_parse(json_string_value(v), exponent, &m))
        fail_msg("bad amount in \"%s\"", key);
    return m;
}

static int64_t get_int(const json_t *obj, const char *key, int64_t dflt)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static const char *get_str(const json_t *obj, const char *key, const char *dflt)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static loy_account get_account(const json_t *obj, const char *key, loy_account dflt)
{
    const char *s = get_str(obj, key, NULL);
    loy_account a = dflt;
    if (s && !loy_account_parse(s, &a)) fail_msg("unknown account \"%s\"", s);
    return a;
}

/* Lot reference: integer id, "new", "none" or "entry:N". */
static int64_t parse_lot(const json_t *v)
{
    if (!v || json_is_integer(v)) return v ? (int64_t)json_integer_value(v) : LOY_LOT_NONE;
    const char *s = json_string_value(v);
    if (!s) fail_msg("bad lot reference");
    if (strcmp(s, "new") == 0) return LOY_LOT_NEW;
    if (strcmp(s, "none") == 0) return LOY_LOT_NONE;
    if (strncmp(s, "entry:", 6) == 0) return LOY_LOT_OF_ENTRY(atoi(s + 6));
    fail_msg("bad lot reference \"%s\"", s);
    return 0;
}

static void lot_str(char *out, size_t outsz, int64_t lot)
{
    if (lot == LOY_LOT_NEW)
        snprintf(out, outsz, "new");
    else if (lot == LOY_LOT_NONE)
        snprintf(out, outsz, "none");
    else if (lot < LOY_LOT_NEW)
        snprintf(out, outsz, "entry:%zu", LOY_LOT_ENTRY_INDEX(lot));
    else
        snprintf(out, outsz, "%lld", (long long)lot);
}

static const char *const event_names[] = {"tier_up",           "tier_down",      "reward_available",
                                          "points_expired",    "birthday_bonus", "welcome",
                                          "anniversary_bonus", "stamp_card_full"};

/* ---- loading the programme ---- */

static json_t *load_programme_json(const json_t *c)
{
    const json_t *p = json_object_get(c, "programme");
    json_t *doc = NULL;
    json_error_t je;
    if (json_is_string(p)) {
        const char *name = json_string_value(p);
        char path[512];
        snprintf(path, sizeof(path), "examples/%s.json", name);
        doc = json_load_file(path, 0, &je);
        if (!doc) {
            snprintf(path, sizeof(path), "tests/data/programmes/%s.json", name);
            doc = json_load_file(path, 0, &je);
        }
        if (!doc)
            fail_msg("programme \"%s\" not found in examples/ or tests/data/programmes/", name);
    } else if (json_is_object(p)) {
        doc = json_deep_copy(p);
    } else {
        fail_msg("\"programme\" must be a name or an object");
    }
    const json_t *merge = json_object_get(c, "programme_merge");
    if (json_is_object(merge)) json_object_update_recursive(doc, (json_t *)merge);
    return doc;
}

/* ---- member state ---- */

typedef struct {
    loy_member_state m;
    loy_lot *lots;
} member_t;

static void load_member(member_t *mt, const json_t *j, int exponent)
{
    loy_member_state *m = &mt->m;
    memset(mt, 0, sizeof(*mt));
    if (!j) return;
    const json_t *lots = json_object_get(j, "lots");
    size_t n = json_array_size(lots);
    int64_t sums[4] = {0, 0, 0, 0};
    if (n) {
        mt->lots = calloc(n, sizeof(loy_lot));
        assert_non_null(mt->lots);
        for (size_t i = 0; i < n; i++) {
            const json_t *l = json_array_get(lots, i);
            loy_lot *x = &mt->lots[i];
            x->id = get_int(l, "id", (int64_t)i + 1);
            x->account = get_account(l, "account", LOY_ACC_POINTS);
            x->remaining = get_int(l, "remaining", 0);
            x->earned_at = get_time(l, "earned_at");
            x->expires_at = get_time(l, "expires_at");
            x->available_at = get_time(l, "available_at");
            sums[x->account] += x->remaining;
        }
    }
    m->lots = mt->lots;
    m->nlots = n;
    m->points = get_int(j, "points", sums[LOY_ACC_POINTS]);
    m->pending = get_int(j, "pending", sums[LOY_ACC_PENDING]);
    m->stamps = get_int(j, "stamps", sums[LOY_ACC_STAMPS]);
    m->giving = get_money(j, "giving", exponent, 0);
    snprintf(m->tier, sizeof(m->tier), "%s", get_str(j, "tier", ""));
    m->tier_since = get_time(j, "tier_since");
    m->below_since = get_time(j, "below_since");
    m->last_review_at = get_time(j, "last_review_at");
    m->qualifying = get_money(j, "qualifying", exponent, 0);
    m->joined_at = get_time(j, "joined_at");
    m->first_purchase_at = get_time(j, "first_purchase_at");
    m->purchases = get_int(j, "purchases", 0);
    m->last_activity_at = get_time(j, "last_activity_at");
    const char *bd = get_str(j, "birthday", NULL);
    if (bd) {
        int y = 0, mo = 0, d = 0;
        if (sscanf(bd, "%d-%d-%d", &y, &mo, &d) == 3) {
            m->bday_year = y;
        } else if (sscanf(bd, "%d-%d", &mo, &d) != 2) {
            fail_msg("bad birthday \"%s\"", bd);
        }
        m->bday_month = mo;
        m->bday_day = d;
    }
    m->birthday_set_at = get_time(j, "birthday_set_at");
    m->last_birthday_bonus_year = (int)get_int(j, "last_birthday_bonus_year", 0);
    m->last_anniversary_bonus_year = (int)get_int(j, "last_anniversary_bonus_year", 0);
}

/* ---- comparing ---- */

static void expect_int(report *r, const json_t *exp, const char *key, int64_t got, int exponent,
                       bool money)
{
    const json_t *v = json_object_get(exp, key);
    if (!v) return;
    int64_t want = money ? get_money(exp, key, exponent, 0) : get_int(exp, key, 0);
    if (!json_is_integer(v) && !money) failf(r, "%s: expected value is not an integer", key);
    if (want != got) failf(r, "%s: expected %lld, got %lld", key, (long long)want, (long long)got);
}

static void expect_time(report *r, const json_t *exp, const char *key, int64_t got)
{
    if (!json_object_get(exp, key)) return;
    int64_t want = get_time(exp, key);
    if (want != got) {
        char a[32], b[32];
        loy_time_format(a, sizeof(a), want);
        loy_time_format(b, sizeof(b), got);
        failf(r, "%s: expected %s, got %s", key, want ? a : "0", got ? b : "0");
    }
}

static void expect_bool(report *r, const json_t *exp, const char *key, bool got)
{
    const json_t *v = json_object_get(exp, key);
    if (!v) return;
    if (json_is_true(v) != got)
        failf(r, "%s: expected %s, got %s", key, json_is_true(v) ? "true" : "false",
              got ? "true" : "false");
}

static void dump_entries(report *r, const loy_outcome *o)
{
    for (size_t i = 0; i < o->nentries; i++) {
        const loy_entry *e = &o->entries[i];
        char lot[32];
        lot_str(lot, sizeof(lot), e->lot);
        failf(r, "  got[%zu] %s %s %lld lot=%s rule=%s", i, loy_account_name(e->account),
              loy_entry_kind_name(e->kind), (long long)e->amount, lot, e->rule);
        r->nfail--;
    }
}

static void expect_entries(report *r, const json_t *exp, const loy_outcome *o, int64_t now)
{
    const json_t *list = json_object_get(exp, "entries");
    if (!list) return;
    size_t n = json_array_size(list);
    bool bad = false;
    if (n != o->nentries) {
        failf(r, "entries: expected %zu, got %zu", n, o->nentries);
        bad = true;
    }
    for (size_t i = 0; i < n && i < o->nentries; i++) {
        const json_t *w = json_array_get(list, i);
        const loy_entry *e = &o->entries[i];
        loy_account acc = get_account(w, "account", LOY_ACC_POINTS);
        loy_entry_kind kind = LOY_ENTRY_EARN;
        const char *ks = get_str(w, "kind", "");
        if (!loy_entry_kind_parse(ks, &kind)) failf(r, "entries[%zu]: unknown kind \"%s\"", i, ks);
        int64_t amount = get_int(w, "amount", 0);
        int64_t lot = parse_lot(json_object_get(w, "lot"));
        const char *rule = get_str(w, "rule", NULL);
        char wl[32], gl[32];
        lot_str(wl, sizeof(wl), lot);
        lot_str(gl, sizeof(gl), e->lot);
        if (acc != e->account || kind != e->kind || amount != e->amount || lot != e->lot ||
            (rule && strcmp(rule, e->rule) != 0)) {
            failf(r,
                  "entries[%zu]: expected %s %s %lld lot=%s rule=%s, got %s %s %lld lot=%s rule=%s",
                  i, loy_account_name(acc), loy_entry_kind_name(kind), (long long)amount, wl,
                  rule ? rule : "*", loy_account_name(e->account), loy_entry_kind_name(e->kind),
                  (long long)e->amount, gl, e->rule);
            bad = true;
        }
        if (json_object_get(w, "expires_at") && get_time(w, "expires_at") != e->expires_at)
            failf(r, "entries[%zu].expires_at: expected %lld, got %lld", i,
                  (long long)get_time(w, "expires_at"), (long long)e->expires_at);
        if (json_object_get(w, "available_at") && get_time(w, "available_at") != e->available_at)
            failf(r, "entries[%zu].available_at: expected %lld, got %lld", i,
                  (long long)get_time(w, "available_at"), (long long)e->available_at);
    }
    if (bad) dump_entries(r, o);
    (void)now;
}

static void expect_events(report *r, const json_t *exp, uint32_t got)
{
    const json_t *list = json_object_get(exp, "events");
    if (!list) return;
    uint32_t want = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *s = json_string_value(json_array_get(list, i));
        bool known = false;
        for (size_t k = 0; s && k < sizeof(event_names) / sizeof(event_names[0]); k++)
            if (strcmp(s, event_names[k]) == 0) {
                want |= 1u << k;
                known = true;
            }
        if (!known) failf(r, "events: unknown event \"%s\"", s ? s : "?");
    }
    if (want != got) {
        char a[256] = "", b[256] = "";
        for (size_t k = 0; k < sizeof(event_names) / sizeof(event_names[0]); k++) {
            if (want & (1u << k))
                strncat(a, event_names[k], sizeof(a) - strlen(a) - 2), strcat(a, " ");
            if (got & (1u << k))
                strncat(b, event_names[k], sizeof(b) - strlen(b) - 2), strcat(b, " ");
        }
        failf(r, "events: expected [%s], got [%s]", a, b);
    }
}

static bool explained(const loy_outcome *o, const char *s)
{
    for (size_t i = 0; i < o->nexplain; i++)
        if (strstr(o->explain[i].text, s)) return true;
    return false;
}

static void expect_explain(report *r, const json_t *exp, const loy_outcome *o)
{
    const json_t *yes = json_object_get(exp, "explain_contains");
    const json_t *no = json_object_get(exp, "explain_not_contains");
    bool bad = false;
    for (size_t i = 0; i < json_array_size(yes); i++) {
        const char *s = json_string_value(json_array_get(yes, i));
        if (s && !explained(o, s)) {
            failf(r, "explain: missing \"%s\"", s);
            bad = true;
        }
    }
    for (size_t i = 0; i < json_array_size(no); i++) {
        const char *s = json_string_value(json_array_get(no, i));
        if (s && explained(o, s)) {
            failf(r, "explain: unexpected \"%s\"", s);
            bad = true;
        }
    }
    if (bad)
        for (size_t i = 0; i < o->nexplain; i++) {
            failf(r, "  explain[%zu] %s", i, o->explain[i].text);
            r->nfail--;
        }
}

/* Entries must never be 0 and must only refer to lots that exist. */
static void check_invariants(report *r, const loy_outcome *o, const loy_member_state *m)
{
    for (size_t i = 0; i < o->nentries; i++) {
        const loy_entry *e = &o->entries[i];
        if (e->amount == 0) failf(r, "entries[%zu]: amount 0", i);
        if (e->lot > 0) {
            bool found = false;
            for (size_t k = 0; k < m->nlots; k++)
                if (m->lots[k].id == e->lot) found = true;
            if (!found) failf(r, "entries[%zu]: unknown lot %lld", i, (long long)e->lot);
        } else if (e->lot < LOY_LOT_NEW) {
            size_t k = LOY_LOT_ENTRY_INDEX(e->lot);
            if (k >= i || o->entries[k].lot != LOY_LOT_NEW)
                failf(r, "entries[%zu]: lot refers to entry %zu which opened no lot", i, k);
        }
    }
}

/* ---- running one case ---- */

static int run_action(const json_t *act, const loy_ctx *ctx, const loy_member_state *m,
                      int exponent, loy_outcome *o, loy_err *err, json_t *results)
{
    const char *kind = get_str(act, "kind", "");
    if (strcmp(kind, "purchase") == 0) {
        loy_purchase_in p;
        memset(&p, 0, sizeof(p));
        p.amount = get_money(act, "amount", exponent, 0);
        p.tender_points = get_int(act, "tender_points", 0);
        p.at = json_object_get(act, "at") ? get_time(act, "at") : ctx->now;
        snprintf(p.location, sizeof(p.location), "%s", get_str(act, "location", ""));
        const json_t *lines = json_object_get(act, "lines");
        size_t n = json_array_size(lines);
        loy_line *ls = n ? calloc(n, sizeof(loy_line)) : NULL;
        for (size_t i = 0; i < n; i++) {
            const json_t *l = json_array_get(lines, i);
            snprintf(ls[i].sku, sizeof(ls[i].sku), "%s", get_str(l, "sku", ""));
            snprintf(ls[i].category, sizeof(ls[i].category), "%s", get_str(l, "category", ""));
            ls[i].qty = get_int(l, "qty", 1);
            ls[i].amount = get_money(l, "amount", exponent, 0);
        }
        p.lines = ls;
        p.nlines = n;
        int rc = loy_engine_purchase(ctx, m, &p, o, err);
        free(ls);
        return rc;
    }
    if (strcmp(kind, "refund") == 0) {
        loy_refund_in r;
        memset(&r, 0, sizeof(r));
        r.purchase_amount = get_money(act, "purchase_amount", exponent, 0);
        r.refunded_before = get_money(act, "refunded_before", exponent, 0);
        r.refund_amount = get_money(act, "amount", exponent, 0);
        const json_t *earned = json_object_get(act, "earned");
        size_t n = json_array_size(earned);
        loy_earned *es = n ? calloc(n, sizeof(loy_earned)) : NULL;
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_array_get(earned, i);
            es[i].account = get_account(e, "account", LOY_ACC_POINTS);
            const char *k = get_str(e, "kind", "earn");
            if (!loy_entry_kind_parse(k, &es[i].kind)) fail_msg("unknown kind \"%s\"", k);
            es[i].amount = es[i].account == LOY_ACC_GIVING ? get_money(e, "amount", exponent, 0)
                                                           : get_int(e, "amount", 0);
            es[i].reversed = get_int(e, "reversed", 0);
            es[i].lot = get_int(e, "lot", 0);
            snprintf(es[i].rule, sizeof(es[i].rule), "%s", get_str(e, "rule", ""));
        }
        r.earned = es;
        r.nearned = n;
        int rc = loy_engine_refund(ctx, m, &r, o, err);
        free(es);
        return rc;
    }
    if (strcmp(kind, "redeem") == 0) {
        const char *id = get_str(act, "reward", "");
        const loy_reward *rw = loy_programme_reward(ctx->prog, id);
        if (!rw) fail_msg("reward \"%s\" is not in the programme", id);
        /* the code the member view shows for the same check (before the redemption) */
        loy_err why;
        const char *wc = loy_engine_reward_block(ctx, m, rw, get_int(act, "stock_issued", 0), &why);
        json_object_set_new(results, "why_not_code", json_string(wc ? wc : ""));
        return loy_engine_redeem(ctx, m, rw, get_int(act, "stock_issued", 0), o, err);
    }
    if (strcmp(kind, "adjust") == 0) {
        loy_account a = LOY_ACC_POINTS;
        const char *s = get_str(act, "account", "points");
        if (!loy_account_parse(s, &a)) fail_msg("unknown account \"%s\"", s);
        return loy_engine_adjust(ctx, m, a, get_int(act, "delta", 0), o, err);
    }
    if (strcmp(kind, "join") == 0) return loy_engine_join(ctx, m, o, err);
    if (strcmp(kind, "housekeeping") == 0) return loy_engine_housekeeping(ctx, m, o, err);
    if (strcmp(kind, "bonuses") == 0) return loy_engine_bonuses(ctx, m, o, err);
    if (strcmp(kind, "review") == 0) return loy_engine_tier_review(ctx, m, o, err);
    if (strcmp(kind, "expiring") == 0) {
        int64_t first = 0;
        int64_t sum = loy_engine_expiring(ctx, m, get_int(act, "days", 0), &first);
        json_object_set_new(results, "expiring", json_integer(sum));
        json_object_set_new(results, "first_at", json_integer(first));
        return 0;
    }
    if (strcmp(kind, "level_for") == 0) {
        int lv = loy_engine_level_for(ctx->prog, get_money(act, "qualifying", exponent, 0));
        json_object_set_new(results, "level", json_integer(lv));
        return 0;
    }
    fail_msg("unknown action kind \"%s\"", kind);
    return 0;
}

static void run_case(void **state)
{
    const char *path = *state;
    json_error_t je;
    json_t *c = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!c) fail_msg("%s: %s (line %d)", path, je.text, je.line);
    json_t *pdoc = load_programme_json(c);
    char *text = json_dumps(pdoc, JSON_COMPACT);
    loy_programme *prog = NULL;
    loy_err err;
    loy_err_clear(&err);
    if (loy_programme_parse(&prog, text, strlen(text), &err) != 0)
        fail_msg("%s: programme does not parse: %s", path, err.message);
    loy_tz *tz = NULL;
    if (loy_tz_load(&tz, prog->timezone, &err) != 0)
        fail_msg("%s: time zone: %s", path, err.message);

    const json_t *act = json_object_get(c, "action");
    const json_t *exp = json_object_get(c, "expect");
    if (!act || !exp) fail_msg("%s: needs \"action\" and \"expect\"", path);
    member_t mt;
    load_member(&mt, json_object_get(c, "member"), prog->exponent);
    loy_ctx ctx = {.prog = prog, .tz = tz, .now = get_time(act, "now")};
    if (!ctx.now) fail_msg("%s: action.now is required", path);

    loy_outcome o;
    loy_outcome_init(&o);
    loy_err_clear(&err);
    json_t *results = json_object();
    int rc = run_action(act, &ctx, &mt.m, prog->exponent, &o, &err, results);

    report r;
    memset(&r, 0, sizeof(r));
    const char *code = get_str(exp, "code", "ok");
    if (strcmp(code, loy_err_name(rc)) != 0)
        failf(&r, "code: expected %s, got %s (%s)", code, loy_err_name(rc), err.message);
    const char *field = get_str(exp, "field", NULL);
    if (field && strcmp(field, err.field) != 0)
        failf(&r, "field: expected \"%s\", got \"%s\"", field, err.field);
    const char *msg = get_str(exp, "message_contains", NULL);
    if (msg && !strstr(err.message, msg))
        failf(&r, "message: expected to contain \"%s\", got \"%s\"", msg, err.message);
    const char *wnc = get_str(exp, "why_not_code", NULL);
    if (wnc && strcmp(wnc, get_str(results, "why_not_code", "")) != 0)
        failf(&r, "why_not_code: expected \"%s\", got \"%s\"", wnc,
              get_str(results, "why_not_code", ""));
    int e = prog->exponent;
    expect_entries(&r, exp, &o, ctx.now);
    expect_int(&r, exp, "points_earned", o.points_earned, e, false);
    expect_int(&r, exp, "bonus_points", o.bonus_points, e, false);
    expect_int(&r, exp, "stamps_earned", o.stamps_earned, e, false);
    expect_int(&r, exp, "giving", o.giving, e, true);
    expect_int(&r, exp, "cash", o.cash, e, true);
    expect_int(&r, exp, "tender_value", o.tender_value, e, true);
    expect_int(&r, exp, "qualifying_after", o.qualifying_after, e, true);
    expect_int(&r, exp, "shortfall", o.shortfall, e, false);
    expect_int(&r, exp, "birthday_bonus_year", o.birthday_bonus_year, e, false);
    expect_int(&r, exp, "anniversary_bonus_year", o.anniversary_bonus_year, e, false);
    expect_int(&r, exp, "expiring", get_int(results, "expiring", 0), e, false);
    expect_time(&r, exp, "first_at", get_int(results, "first_at", 0));
    expect_int(&r, exp, "level", get_int(results, "level", 0), e, false);
    expect_time(&r, exp, "voucher_expires_at", o.voucher_expires_at);
    expect_time(&r, exp, "below_since_after", o.below_since_after);
    expect_bool(&r, exp, "tier_changed", o.tier_changed);
    expect_bool(&r, exp, "below_since_changed", o.below_since_changed);
    expect_bool(&r, exp, "reviewed", o.reviewed);
    const char *tier = get_str(exp, "tier_after", NULL);
    if (tier && strcmp(tier, o.tier_after) != 0)
        failf(&r, "tier_after: expected \"%s\", got \"%s\"", tier, o.tier_after);
    expect_events(&r, exp, o.events);
    expect_explain(&r, exp, &o);
    if (rc == 0) check_invariants(&r, &o, &mt.m);

    json_decref(results);
    loy_outcome_free(&o);
    free(mt.lots);
    loy_tz_free(tz);
    loy_programme_free(prog);
    free(text);
    json_decref(pdoc);
    json_decref(c);
    if (r.nfail) {
        print_error("case %s failed:\n%s", path, r.buf);
        fail_msg("case %s: %d mismatch(es)", path, r.nfail);
    }
}

/* ---- plain unit tests beside the table ---- */

static void names_round_trip(void **state)
{
    (void)state;
    for (int a = LOY_ACC_POINTS; a <= LOY_ACC_GIVING; a++) {
        loy_account back;
        assert_true(loy_account_parse(loy_account_name((loy_account)a), &back));
        assert_int_equal(back, a);
    }
    for (int k = LOY_ENTRY_EARN; k <= LOY_ENTRY_RESTORE; k++) {
        loy_entry_kind back;
        assert_true(loy_entry_kind_parse(loy_entry_kind_name((loy_entry_kind)k), &back));
        assert_int_equal(back, k);
    }
    loy_account a;
    loy_entry_kind k;
    assert_false(loy_account_parse("cash", &a));
    assert_false(loy_entry_kind_parse("", &k));
    assert_string_equal(loy_entry_kind_name(LOY_ENTRY_SETTLE), "settle");
}

static void outcome_free_is_safe(void **state)
{
    (void)state;
    loy_outcome o;
    loy_outcome_init(&o);
    loy_outcome_free(&o);
    loy_outcome_free(&o);
    loy_outcome_free(NULL);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(CASE_DIR);
    if (!d) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", CASE_DIR);
        return 1;
    }
    char **paths = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            paths = realloc(paths, cap * sizeof(*paths));
            if (!paths) return 1;
        }
        size_t plen = strlen(CASE_DIR) + len + 2;
        paths[n] = malloc(plen);
        if (!paths[n]) return 1;
        snprintf(paths[n], plen, "%s/%s", CASE_DIR, de->d_name);
        n++;
    }
    closedir(d);
    qsort(paths, n, sizeof(*paths), by_name);
    if (n < MIN_CASES) {
        fprintf(stderr, "only %zu engine cases in %s, expected at least %d\n", n, CASE_DIR,
                MIN_CASES);
        return 1;
    }
    struct CMUnitTest *tests = calloc(n + 2, sizeof(*tests));
    if (!tests) return 1;
    for (size_t i = 0; i < n; i++) {
        tests[i].name = paths[i] + strlen(CASE_DIR) + 1;
        tests[i].test_func = run_case;
        tests[i].initial_state = paths[i];
    }
    tests[n].name = "names_round_trip";
    tests[n].test_func = names_round_trip;
    tests[n + 1].name = "outcome_free_is_safe";
    tests[n + 1].test_func = outcome_free_is_safe;
    int failed = _cmocka_run_group_tests("engine_table", tests, n + 2, NULL, NULL);
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    free(tests);
    return failed;
}
