/* Referral use cases (see referrals.h, docs/referrals.md): codes and links, recording a
 * referral when a referee joins, qualifying by purchase, the daily award, the owner's review. */
#include "app/referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/params.h"
#include "app/request.h"
#include "store/store_referral.h"
#include "util/fold.h"
#include "util/jdump.h"
#include "util/rand.h"

#define DUE_PAGE 256

/* ---- codes ---- */

/* A random code: each character uniform over the alphabet (bytes of 248 and above, which would
 * favour the first symbols, are drawn again). -1 when the CSPRNG failed. */
static int new_code(char out[LOY_REFERRAL_CODE_MAX])
{
    const unsigned n = sizeof(LOY_REFERRAL_ALPHABET) - 1, limit = 256 - 256 % n;
    unsigned char buf[32];
    int len = 0;
    while (len < LOY_REFERRAL_CODE_LEN) {
        if (loy_random_bytes(buf, sizeof(buf))) return -1;
        for (size_t i = 0; i < sizeof(buf) && len < LOY_REFERRAL_CODE_LEN; i++)
            if (buf[i] < limit) out[len++] = LOY_REFERRAL_ALPHABET[buf[i] % n];
    }
    out[len] = '\0';
    return 0;
}

int loy_app_referral_code(loy_app *app, int64_t member, char out[LOY_REFERRAL_CODE_MAX],
                          loy_err *err)
{
    int rc = loy_store_referral_code_get(&app->conn, app->merchant, member, out,
                                         LOY_REFERRAL_CODE_MAX, err);
    if (rc || out[0]) return rc;
    bool own = app->conn.depth == 0;
    if (own && (rc = loy_db_begin(&app->conn, true, err))) return rc;
    /* a collision (about 1 in 10^12 per pair) takes another draw */
    for (int attempt = 0; attempt < 8; attempt++) {
        char code[LOY_REFERRAL_CODE_MAX];
        if (new_code(code)) {
            rc = loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
            break;
        }
        rc = loy_store_referral_code_issue(&app->conn, app->merchant, member, code, err);
        if (rc != LOY_ECONFLICT) break;
    }
    /* read back: a concurrent caller may have issued the member's code first */
    if (!rc)
        rc = loy_store_referral_code_get(&app->conn, app->merchant, member, out,
                                         LOY_REFERRAL_CODE_MAX, err);
    if (!rc && !out[0]) rc = loy_err_set(err, LOY_ESTORAGE, "", "referral code not stored");
    if (own) {
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    if (rc) out[0] = '\0';
    return rc;
}

/* The member of this merchant holding `code` (as typed), or 0. */
static int code_owner(loy_app *app, const char *code, int64_t *member, loy_err *err)
{
    char norm[LOY_REFERRAL_CODE_MAX];
    int64_t merchant = 0;
    *member = 0;
    if (!loy_referral_code_normalise(code, norm)) return 0;
    int rc = loy_store_referral_code_find(&app->conn, norm, &merchant, member, err);
    if (rc == LOY_ENOTFOUND || (!rc && merchant != app->merchant)) {
        loy_err_clear(err);
        *member = 0;
        return 0;
    }
    return rc;
}

/* ---- rendering and audit ---- */

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *referral_json(const loy_referral_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "referrer_id", json_integer(r->referrer_id));
    json_object_set_new(o, "referee_id", json_integer(r->referee_id));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "reason", str_or_null(r->reason));
    json_object_set_new(o, "purchase_id", id_or_null(r->purchase_id));
    json_object_set_new(o, "qualifies_at", loy_json_time(r->qualifies_at));
    json_object_set_new(o, "referrer_points", json_integer(r->referrer_points));
    json_object_set_new(o, "referee_points", json_integer(r->referee_points));
    json_object_set_new(o, "decision", str_or_null(r->decision));
    json_object_set_new(o, "decided_by", str_or_null(r->decided_by));
    json_object_set_new(o, "decided_at", loy_json_time(r->decided_at));
    json_object_set_new(o, "created_at", loy_json_time(r->created_at));
    json_object_set_new(o, "updated_at", loy_json_time(r->updated_at));
    json_object_set_new(o, "awarded_at", loy_json_time(r->awarded_at));
    return o;
}

/* Audit entry of a referral decision: ids, status and reason only (no personal data). */
static int audit(loy_app *app, const char *action, const loy_referral_row *r, const char *matched,
                 int64_t now, loy_err *err)
{
    json_t *d =
        json_pack("{s:I, s:I, s:s, s:s}", "referrer_id", (json_int_t)r->referrer_id, "referee_id",
                  (json_int_t)r->referee_id, "status", r->status, "reason", r->reason);
    if (d && matched && *matched) json_object_set_new(d, "matched", json_string(matched));
    char *detail = d ? loy_json_dump(d, false, NULL) : NULL;
    json_decref(d);
    int rc = detail
                 ? loy_store_audit(&app->conn, app->merchant, app->actor, action, "referral", r->id,
                                   r->reason[0] ? r->reason : NULL, detail, now, NULL, err)
                 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(detail);
    return rc;
}

/* ---- the rules' facts ---- */

typedef struct {
    loy_ref_party p;
    char *email_folded;
} party;

static int party_of(const loy_member_row *m, party *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    out->p.id = m->id;
    out->p.phone = m->phone;
    out->p.card_token = m->card_token;
    out->p.erased = m->erased_at != 0;
    if (m->email && *m->email) {
        out->email_folded = loy_fold(m->email, err);
        if (!out->email_folded) return err->code ? err->code : LOY_EINVALID;
    }
    out->p.email_folded = out->email_folded;
    return 0;
}

/* The verdict on referrer -> referee for a referral made at `at`; `before` = the referral's own
 * id when it exists already (only earlier ones count toward velocity). */
static int judge(loy_app *app, const loy_member_row *referrer, const loy_member_row *referee,
                 bool existed, bool approved, int64_t at, int64_t before, loy_ref_verdict *v,
                 loy_err *err)
{
    party a, b;
    int64_t chain[LOY_REFERRAL_CHAIN_MAX];
    size_t nchain = 0;
    int64_t from = 0, to = 0, earlier = 0;
    loy_ctx ctx = loy_app_ctx(app, at);
    loy_referral_day(&ctx, at, &from, &to);
    int rc = party_of(referrer, &a, err);
    if (!rc) rc = party_of(referee, &b, err);
    if (!rc)
        rc = loy_store_referral_chain(&app->conn, app->merchant, referrer->id, chain,
                                      LOY_REFERRAL_CHAIN_MAX, &nchain, err);
    if (!rc)
        rc = loy_store_referral_count_between(&app->conn, app->merchant, referrer->id, from, to,
                                              before, &earlier, err);
    if (!rc) {
        loy_ref_facts f = {.referrer = a.p,
                           .referee = b.p,
                           .referee_existed = existed,
                           .chain = chain,
                           .nchain = nchain,
                           .earlier_today = earlier,
                           .max_per_day = app->prog->referral_max_per_day,
                           .approved = approved};
        loy_referral_check(&f, v);
    }
    free(a.email_folded);
    free(b.email_folded);
    return rc;
}

/* Stores a new referral with the verdict, audited unless it is pending. */
static int record(loy_app *app, int64_t referrer, int64_t referee, const loy_ref_verdict *v,
                  int64_t now, loy_err *err)
{
    loy_referral_row r = {.merchant_id = app->merchant,
                          .referrer_id = referrer,
                          .referee_id = referee,
                          .created_at = now,
                          .updated_at = now};
    snprintf(r.status, sizeof(r.status), "%s", loy_referral_status_name(v->status));
    snprintf(r.reason, sizeof(r.reason), "%s", v->reason);
    int rc = loy_store_referral_insert(&app->conn, &r, err);
    if (!rc && v->status != LOY_REF_PENDING)
        rc = audit(app, v->status == LOY_REF_REFUSED ? "referral.refuse" : "referral.flag", &r,
                   v->matched, now, err);
    return rc;
}

/* ---- joining ---- */

int loy_app_referral_field(loy_app *app, const json_t *req, bool create, loy_member_row *row,
                           loy_err *err)
{
    const json_t *v = json_object_get(req, "referral_code");
    if (!v) return 0;
    if (!create)
        return loy_err_set(err, LOY_EINVALID, "referral_code", "referral_code: is not writable");
    const char *s = NULL;
    int rc = loy_req_str(req, "referral_code", false, 32, &s, err);
    if (rc || !s) return rc;
    int64_t referrer = 0;
    if ((rc = code_owner(app, s, &referrer, err))) return rc;
    if (!referrer)
        return loy_err_set(err, LOY_EINVALID, "referral_code",
                           "referral_code: no member has the referral code \"%s\"", s);
    if (row->referred_by && row->referred_by != referrer)
        return loy_err_set(err, LOY_EINVALID, "referral_code",
                           "referral_code: belongs to member %lld, but referred_by is %lld",
                           (long long)referrer, (long long)row->referred_by);
    row->referred_by = referrer;
    return 0;
}

int loy_app_referral_joined(loy_app *app, const loy_member_row *m, const json_t *req, int64_t now,
                            loy_err *err)
{
    char own[LOY_REFERRAL_CODE_MAX];
    int rc = loy_app_referral_code(app, m->id, own, err);
    const json_t *code = json_object_get(req, "referral_code");
    if (rc || !code || json_is_null(code) || !m->referred_by) return rc;
    loy_member_row referrer;
    rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, m->referred_by, &referrer,
                              err);
    if (rc) return rc;
    loy_ref_verdict v;
    rc = judge(app, &referrer, m, false, false, now, 0, &v, err);
    if (!rc) rc = record(app, referrer.id, m->id, &v, now, err);
    loy_member_row_free(&referrer);
    return rc;
}

/* The existing member a refused member-create request collided with, by phone then email. */
static int collided(loy_app *app, const json_t *req, loy_member_row *out, loy_err *err)
{
    const char *phone = json_string_value(json_object_get(req, "phone"));
    const char *email = json_string_value(json_object_get(req, "email"));
    char norm[48];
    int rc = LOY_ENOTFOUND;
    if (phone && loy_phone_normalise(phone, norm, sizeof(norm)))
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_PHONE, norm, 0, out, err);
    if (rc == LOY_ENOTFOUND && email && *email)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_EMAIL, email, 0, out, err);
    return rc;
}

static int conflict_in_txn(loy_app *app, const json_t *req, int64_t referrer_id, int64_t now,
                           loy_err *err)
{
    loy_member_row existing, referrer;
    memset(&referrer, 0, sizeof(referrer));
    int rc = collided(app, req, &existing, err);
    if (rc) return rc == LOY_ENOTFOUND ? 0 : rc; /* the conflict was about something else */
    rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, referrer_id, &referrer,
                              err);
    /* the referee as the request gave them: what they typed is what matched */
    loy_member_row probe = existing;
    char norm[48];
    const char *phone = json_string_value(json_object_get(req, "phone"));
    probe.phone = phone && loy_phone_normalise(phone, norm, sizeof(norm)) ? norm : NULL;
    probe.email = (char *)json_string_value(json_object_get(req, "email"));
    loy_ref_verdict v;
    if (!rc) rc = judge(app, &referrer, &probe, true, false, now, 0, &v, err);
    bool seen = false;
    if (!rc)
        rc = loy_store_referral_exists(&app->conn, app->merchant, referrer.id, existing.id,
                                       loy_referral_status_name(v.status), v.reason, &seen, err);
    if (!rc && !seen) rc = record(app, referrer.id, existing.id, &v, now, err);
    loy_member_row_free(&existing);
    loy_member_row_free(&referrer);
    return rc;
}

int loy_app_referral_join_conflict(loy_app *app, const json_t *req, int64_t now)
{
    loy_err err;
    loy_err_clear(&err);
    const char *code = json_string_value(json_object_get(req, "referral_code"));
    if (!code || !app->merchant) return 0;
    bool own = app->conn.depth == 0;
    int rc = own ? loy_db_begin(&app->conn, true, &err) : loy_db_savepoint(&app->conn, &err);
    if (rc) return rc;
    int64_t referrer = 0;
    rc = code_owner(app, code, &referrer, &err);
    if (!rc && referrer) rc = conflict_in_txn(app, req, referrer, now, &err);
    if (own) {
        if (!rc) rc = loy_db_commit(&app->conn, &err);
        if (rc) loy_db_rollback(&app->conn);
    } else if (rc)
        loy_db_rollback_to(&app->conn);
    else
        rc = loy_db_release(&app->conn, &err);
    return rc;
}

/* ---- qualifying and awarding ---- */

int loy_app_referral_purchase(loy_app *app, int64_t member, int64_t purchase, int64_t amount,
                              int64_t at, int64_t now, loy_err *err)
{
    const loy_programme *p = app->prog;
    if (amount <= 0 || amount < p->referral_min_first_purchase) return 0;
    loy_referral_row r;
    int rc = loy_store_referral_open_of(&app->conn, app->merchant, member, &r, err);
    if (rc == LOY_ENOTFOUND) {
        loy_err_clear(err);
        return 0;
    }
    if (rc) return rc;
    char was[16];
    snprintf(was, sizeof(was), "%s", r.status);
    r.purchase_id = purchase;
    r.qualifies_at = at + p->pending_days * LOY_DAY;
    r.updated_at = now;
    if (!strcmp(r.status, "pending")) snprintf(r.status, sizeof(r.status), "qualified");
    return loy_store_referral_update(&app->conn, &r, was, err);
}

/* Pays `points` to member `id` for referral r (one side). */
static int pay(loy_app *app, int64_t id, int64_t points, const char *rule,
               const loy_referral_row *r, int64_t now, loy_err *err)
{
    loy_loaded m = {0};
    loy_outcome o;
    loy_outcome_init(&o);
    int rc = loy_app_load_id(app, id, true, now, &m, err);
    loy_ctx ctx = loy_app_ctx(app, now);
    if (!rc) rc = loy_engine_referral(&ctx, &m.st, points, rule, &o, err);
    if (!rc && o.nentries) rc = loy_app_apply(app, id, &o, "referral", r->id, NULL, now, NULL, err);
    loy_outcome_free(&o);
    loy_loaded_free(&m);
    return rc;
}

/* One due referral in its own transaction; *paid / *refused count what happened. */
static int award_one(loy_app *app, int64_t id, int64_t now, int64_t *paid, int64_t *refused,
                     loy_err *err)
{
    loy_referral_row r;
    loy_member_row a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_referral_get(&app->conn, app->merchant, id, &r, err);
    if (rc || strcmp(r.status, "qualified") != 0 || r.qualifies_at > now) goto done;
    char was[16];
    snprintf(was, sizeof(was), "%s", r.status);
    const loy_programme *p = app->prog;
    loy_purchase_row pu;
    rc = loy_store_purchase_get(&app->conn, app->merchant, r.purchase_id, &pu, err);
    if (!rc)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, r.referrer_id, &a,
                                  err);
    if (!rc)
        rc =
            loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, r.referee_id, &b, err);
    loy_ref_verdict v = {LOY_REF_PENDING, "", ""};
    if (!rc)
        rc =
            judge(app, &a, &b, false, !strcmp(r.decision, "approved"), r.created_at, r.id, &v, err);
    if (rc) goto done;
    int64_t need = p->referral_min_first_purchase > 0 ? p->referral_min_first_purchase : 1;
    if (v.status == LOY_REF_PENDING && pu.amount - pu.refunded < need) {
        v.status = LOY_REF_REFUSED;
        v.reason = "refunded";
    }
    r.updated_at = now;
    if (v.status != LOY_REF_PENDING) { /* refused or flagged now: nothing is paid */
        snprintf(r.status, sizeof(r.status), "%s", loy_referral_status_name(v.status));
        snprintf(r.reason, sizeof(r.reason), "%s", v.reason);
        rc = loy_store_referral_update(&app->conn, &r, was, err);
        if (!rc)
            rc = audit(app, v.status == LOY_REF_REFUSED ? "referral.refuse" : "referral.flag", &r,
                       v.matched, now, err);
        if (!rc) ++*refused;
        goto done;
    }
    r.referrer_points = p->referral_referrer;
    r.referee_points = p->referral_referee;
    r.awarded_at = now;
    snprintf(r.status, sizeof(r.status), "awarded");
    /* the status moves first: a second run (or a concurrent one) finds it awarded */
    rc = loy_store_referral_update(&app->conn, &r, was, err);
    if (!rc) rc = pay(app, r.referrer_id, r.referrer_points, "referral-referrer", &r, now, err);
    if (!rc) rc = pay(app, r.referee_id, r.referee_points, "referral-referee", &r, now, err);
    if (!rc) {
        json_t *d = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "referral_id", (json_int_t)r.id,
                              "referrer_id", (json_int_t)r.referrer_id, "referee_id",
                              (json_int_t)r.referee_id, "purchase_id", (json_int_t)r.purchase_id,
                              "referrer_points", (json_int_t)r.referrer_points, "referee_points",
                              (json_int_t)r.referee_points);
        char *payload = d ? loy_json_dump(d, false, NULL) : NULL;
        json_decref(d);
        rc = payload ? loy_store_outbox_add(&app->conn, app->merchant, "referral.awarded",
                                            r.referrer_id, payload, now, err)
                     : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(payload);
    }
    if (!rc) ++*paid;
done:
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    loy_member_row_free(&a);
    loy_member_row_free(&b);
    return rc;
}

int loy_app_referrals_award(loy_app *app, int64_t now, json_t *summary, loy_err *err)
{
    int64_t ids[DUE_PAGE], after = 0, paid = 0, refused = 0;
    int n = 0, rc = 0;
    do {
        if ((rc = loy_db_begin(&app->conn, false, err))) break;
        rc = loy_store_referral_due(&app->conn, app->merchant, now, after, ids, DUE_PAGE, &n, err);
        loy_db_rollback(&app->conn);
        for (int i = 0; !rc && i < n; i++) {
            rc = award_one(app, ids[i], now, &paid, &refused, err);
            after = ids[i];
        }
    } while (!rc && n == DUE_PAGE);
    if (!rc) {
        json_object_set_new(summary, "referrals_awarded", json_integer(paid));
        json_object_set_new(summary, "referrals_refused", json_integer(refused));
    }
    return rc;
}

static void collect_row(void *ctx, const loy_referral_row *r)
{
    json_array_append_new((json_t *)ctx, json_integer(r->id));
}

int loy_app_referral_erased(loy_app *app, int64_t member, int64_t now, loy_err *err)
{
    json_t *ids = json_array();
    int rc = ids ? loy_store_referral_open_of_member(&app->conn, app->merchant, member, collect_row,
                                                     ids, err)
                 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (rc) break;
        loy_referral_row r;
        rc = loy_store_referral_get(&app->conn, app->merchant, json_integer_value(id), &r, err);
        if (rc) break;
        char was[16];
        snprintf(was, sizeof(was), "%s", r.status);
        snprintf(r.status, sizeof(r.status), "refused");
        snprintf(r.reason, sizeof(r.reason), "erased");
        r.updated_at = now;
        rc = loy_store_referral_update(&app->conn, &r, was, err);
        if (!rc) rc = audit(app, "referral.refuse", &r, NULL, now, err);
    }
    json_decref(ids);
    return rc;
}

/* ---- views ---- */

static void link_of(const char *code, char path[LOY_REFERRAL_PATH_MAX])
{
    snprintf(path, LOY_REFERRAL_PATH_MAX, "/r/%s", code);
}

struct referred_ctx {
    const loy_app *app;
    json_t *arr;
    int64_t awarded;
};

static void add_referred(void *ctx, const loy_referred_row *r)
{
    struct referred_ctx *x = ctx;
    const char *name = r->name ? r->name : ""; /* an erased member's is their pseudonym */
    if (r->status && !strcmp(r->status, "awarded")) x->awarded++;
    json_array_append_new(
        x->arr, json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:o}", "id", (json_int_t)r->id,
                          "name", name, "joined_at", loy_json_time(r->joined_at), "referral_id",
                          id_or_null(r->referral_id), "status", str_or_null(r->status), "reason",
                          str_or_null(r->reason), "revenue", (json_int_t)r->revenue,
                          "revenue_display", loy_json_money(x->app, r->revenue)));
}

int loy_app_referral_attach(loy_app *app, json_t *view, loy_err *err)
{
    json_t *m = json_object_get(view, "member");
    json_t *idj = json_object_get(m, "id");
    if (!json_is_integer(idj)) return loy_err_set(err, LOY_EINVALID, "member", "not a member view");
    int64_t id = (int64_t)json_integer_value(idj);
    char code[LOY_REFERRAL_CODE_MAX], path[LOY_REFERRAL_PATH_MAX];
    const json_t *gone = json_object_get(m, "erased_at");
    bool erased = gone && !json_is_null(gone);
    int rc = erased ? 0 : loy_app_referral_code(app, id, code, err); /* an erased member has none */
    if (rc) return rc;
    json_object_set_new(m, "referral_code", erased ? json_null() : json_string(code));
    if (!erased) link_of(code, path);
    json_object_set_new(m, "referral_url", erased ? json_null() : json_string(path));
    struct referred_ctx x = {app, json_array(), 0};
    if ((rc = loy_db_begin(&app->conn, false, err))) {
        json_decref(x.arr);
        return rc;
    }
    rc = loy_store_referral_referred(&app->conn, app->merchant, id, add_referred, &x, err);
    loy_db_rollback(&app->conn);
    if (rc) {
        json_decref(x.arr);
        return rc;
    }
    json_object_set_new(view, "referrals",
                        json_pack("{s:I, s:I, s:o}", "count", (json_int_t)json_array_size(x.arr),
                                  "awarded", (json_int_t)x.awarded, "referred", x.arr));
    return 0;
}

int loy_app_referral_card(loy_app *app, int64_t member, json_t *view, loy_err *err)
{
    char code[LOY_REFERRAL_CODE_MAX], path[LOY_REFERRAL_PATH_MAX];
    int rc = loy_app_referral_code(app, member, code, err);
    if (rc) return rc;
    link_of(code, path);
    json_object_set_new(view, "referral", json_pack("{s:s, s:s}", "code", code, "url", path));
    return 0;
}

/* The join page address of location `code` of the current merchant. */
static int join_path(loy_app *app, const char *loc, char *path, size_t n, loy_err *err)
{
    int64_t lid = 0;
    int rc = loy_store_location_id(&app->conn, app->merchant, loc, &lid, err);
    if (!rc) snprintf(path, n, "/join/%lld", (long long)lid);
    return rc;
}

int loy_app_referral_landing(loy_app *app, const char *code, char *path, size_t n, loy_err *err)
{
    char norm[LOY_REFERRAL_CODE_MAX];
    int64_t merchant = 0, member = 0;
    int rc = LOY_ENOTFOUND;
    if (loy_referral_code_normalise(code, norm))
        rc = loy_store_referral_code_find(&app->conn, norm, &merchant, &member, err);
    if (rc == LOY_ENOTFOUND) { /* an unknown code still lands on a join page, without it */
        member = 0;
        rc = loy_store_merchant_default(&app->conn, &merchant, err);
    }
    if (!rc) rc = loy_app_select_merchant(app, merchant, err);
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    if (!rc && member)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, member, &m, err);
    if (!rc) {
        rc = LOY_ENOTFOUND;
        if (m.location_code) rc = join_path(app, m.location_code, path, n, err);
        if (rc == LOY_ENOTFOUND && app->prog->nlocations)
            rc = join_path(app, app->prog->locations[0].code, path, n, err);
    }
    if (!rc && member) {
        size_t len = strlen(path);
        snprintf(path + len, n - len, "?ref=%s", norm);
    }
    loy_member_row_free(&m);
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "code", "no join page to land on");
    return rc;
}

int loy_app_referral_invite(loy_app *app, const char *code, json_t *info, loy_err *err)
{
    int64_t member = 0;
    int rc = code ? code_owner(app, code, &member, err) : 0;
    loy_member_row m;
    if (!rc && member)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, member, &m, err);
    if (rc) return rc;
    if (!member) {
        json_object_set_new(info, "referrer", json_null());
        return 0;
    }
    /* the first word of the name only: the link's holder chose to share it */
    const char *name = m.name ? m.name : "";
    while (*name == ' ' || *name == '\t') name++;
    char first[256];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, " \t"), name);
    json_object_set_new(info, "referrer", json_pack("{s:s}", "first_name", first));
    loy_member_row_free(&m);
    return 0;
}

struct pairs_ctx {
    int64_t *v, referrer;
    size_t n, cap;
    bool nomem;
};

static void add_pair(void *ctx, int64_t referee)
{
    struct pairs_ctx *x = ctx;
    if (x->n + 2 > x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        int64_t *v = realloc(x->v, cap * sizeof(*v));
        if (!v) {
            x->nomem = true;
            return;
        }
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = x->referrer;
    x->v[x->n++] = referee;
}

int loy_app_referral_referees(loy_app *app, const int64_t *referrers, size_t n, int64_t before,
                              int64_t **pairs, size_t *npairs, loy_err *err)
{
    struct pairs_ctx x = {0};
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        x.referrer = referrers[i];
        rc = loy_store_referral_referees(&app->conn, app->merchant, referrers[i], before, add_pair,
                                         &x, err);
        if (!rc && x.nomem) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    if (rc) {
        free(x.v);
        x.v = NULL;
        x.n = 0;
    }
    *pairs = x.v;
    *npairs = x.n / 2;
    return rc;
}

/* ---- the owner's review ---- */

static void add_listed(void *ctx, const loy_referral_row *r)
{
    json_array_append_new((json_t *)ctx, referral_json(r));
}

/* {id, name} of a member for a listed referral. */
static json_t *who(loy_app *app, int64_t id, loy_err *err)
{
    loy_member_row m;
    if (loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, id, &m, err))
        return json_pack("{s:I, s:n}", "id", (json_int_t)id, "name");
    json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", m.name ? m.name : "");
    loy_member_row_free(&m);
    return o;
}

int loy_app_referral_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err)
{
    *resp = NULL;
    static const char *const names[] = {"status", "before", "limit", NULL};
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)params, key, val)
    {
        bool known = false;
        for (size_t i = 0; names[i]; i++) known |= !strcmp(names[i], key);
        if (!known)
            return loy_err_set(err, LOY_EINVALID, key,
                               "%s: unknown parameter (expected status, before or limit)", key);
    }
    const char *status = NULL;
    int64_t before = 0, limit = 0;
    int rc = loy_param_text(params, "status", &status, err);
    if (!rc) rc = loy_param_int(params, "before", 0, INT64_MAX, 0, &before, err);
    if (!rc) rc = loy_param_int(params, "limit", 1, 100, 50, &limit, err);
    if (rc) return rc;
    loy_ref_status s;
    if (status && !loy_referral_status_parse(status, &s))
        return loy_err_set(err, LOY_EINVALID, "status",
                           "status: expected pending, qualified, awarded, refused or flagged, got "
                           "\"%s\"",
                           status);
    json_t *arr = json_array();
    rc = loy_db_begin(&app->conn, false, err);
    if (!rc) {
        rc = loy_store_referral_list(&app->conn, app->merchant, status, before, (int)limit,
                                     add_listed, arr, err);
        size_t i;
        json_t *o;
        loy_err ignored; /* a member that cannot be read shows with a null name */
        json_array_foreach(arr, i, o)
        {
            int64_t a = (int64_t)json_integer_value(json_object_get(o, "referrer_id"));
            int64_t b = (int64_t)json_integer_value(json_object_get(o, "referee_id"));
            json_object_set_new(o, "referrer", who(app, a, &ignored));
            json_object_set_new(o, "referee", who(app, b, &ignored));
        }
        loy_db_rollback(&app->conn);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    json_t *next = json_array_size(arr) == (size_t)limit
                       ? json_object_get(json_array_get(arr, json_array_size(arr) - 1), "id")
                       : NULL;
    *resp = json_pack("{s:o, s:O}", "referrals", arr, "next_before", next ? next : json_null());
    return 0;
}

int loy_app_referral_decide(loy_app *app, int64_t id, bool approve, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int64_t now = loy_app_now(app);
    loy_referral_row r;
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_referral_get(&app->conn, app->merchant, id, &r, err);
    if (rc == LOY_ENOTFOUND) rc = loy_err_set(err, rc, "id", "no referral %lld", (long long)id);
    if (!rc && strcmp(r.status, "flagged") != 0)
        rc = loy_err_set(err, LOY_ECONFLICT, "status",
                         "referral %lld is %s: only a flagged referral can be approved or "
                         "rejected",
                         (long long)id, r.status);
    int64_t others = 0;
    if (!rc && approve)
        rc = loy_store_referral_live_count(&app->conn, app->merchant, r.referee_id, r.id, &others,
                                           err);
    if (!rc && others)
        rc = loy_err_set(err, LOY_ECONFLICT, "status",
                         "member %lld is already the referee of another referral",
                         (long long)r.referee_id);
    if (!rc) {
        snprintf(r.status, sizeof(r.status), "%s",
                 !approve        ? "refused"
                 : r.purchase_id ? "qualified"
                                 : "pending");
        snprintf(r.decision, sizeof(r.decision), "%s", approve ? "approved" : "rejected");
        snprintf(r.decided_by, sizeof(r.decided_by), "%s", app->actor);
        r.decided_at = r.updated_at = now;
        rc = loy_store_referral_update(&app->conn, &r, "flagged", err);
    }
    if (!rc) rc = audit(app, approve ? "referral.approve" : "referral.reject", &r, NULL, now, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    json_t *x = referral_json(&r);
    loy_err ignored; /* as in the list: a member that cannot be read shows with a null name */
    json_object_set_new(x, "referrer", who(app, r.referrer_id, &ignored));
    json_object_set_new(x, "referee", who(app, r.referee_id, &ignored));
    *resp = json_pack("{s:o}", "referral", x);
    return 0;
}
