/* Use cases: redeem a reward (voucher issued), use a voucher once, adjust a balance. */
#include "app/app_int.h"
#include "app/privacy.h"
#include "app/request.h"
#include "app/staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rand.h"

static const char *const redeem_fields[] = {"member", "reward", NULL};
static const char *const voucher_fields[] = {"code", NULL};
static const char *const adjust_fields[] = {"member", "account", "delta", "reason", NULL};

static json_t *voucher_json(const loy_app *app, const loy_voucher_row *v)
{
    char payload[96];
    snprintf(payload, sizeof(payload), "LOYV:%s", v->code);
    (void)app;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "id", (json_int_t)v->id,
                     "reward", v->reward, "code", v->code, "short_code", v->short_code,
                     "qr_payload", payload, "member_id", (json_int_t)v->member_id, "issued_at",
                     loy_json_time(v->issued_at), "expires_at", loy_json_time(v->expires_at),
                     "used_at", loy_json_time(v->used_at));
}

int loy_uc_redeem(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err)
{
    char ref[256];
    const char *reward_id = NULL;
    loy_loaded m = {0};
    loy_outcome o;
    loy_outcome_init(&o);
    int rc = loy_req_object(req, redeem_fields, err);
    if (!rc) rc = loy_req_member_ref(req, "member", ref, sizeof(ref), err);
    if (!rc) rc = loy_req_str(req, "reward", true, LOY_ID_MAX - 1, &reward_id, err);
    const loy_reward *rw = rc ? NULL : loy_programme_reward(app->prog, reward_id);
    if (!rc && !rw)
        rc = loy_err_set(err, LOY_ENOTFOUND, "reward", "reward: unknown reward \"%s\"", reward_id);
    if (!rc) rc = loy_app_load(app, ref, true, now, &m, err);
    if (!rc && m.row.erased_at) rc = loy_app_erased_refusal(&m.row, "redeem", err);
    int64_t issued = 0;
    if (!rc) rc = loy_store_stock_issued(&app->conn, app->merchant, rw->id, &issued, err);
    loy_ctx ctx = loy_app_ctx(app, now);
    if (!rc) rc = loy_engine_redeem(&ctx, &m.st, rw, issued, &o, err);
    if (!rc) rc = loy_store_stock_take(&app->conn, app->merchant, rw->id, rw->stock, err);
    loy_voucher_row v = {0};
    if (!rc) rc = loy_app_voucher_new(app, m.row.id, rw->id, now, o.voucher_expires_at, &v, err);
    if (!rc) rc = loy_app_apply(app, m.row.id, &o, "redemption", v.id, NULL, now, NULL, err);
    if (!rc) {
        char *detail = loy_audit_balances(rw->id, &m.st, &o);
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "redeem", "voucher", v.id, NULL,
                             detail, now, NULL, err);
        free(detail);
    }
    if (!rc) {
        char payload[200];
        snprintf(payload, sizeof(payload),
                 "{\"voucher_id\":%lld,\"member_id\":%lld,\"reward\":\"%s\"}", (long long)v.id,
                 (long long)m.row.id, rw->id);
        rc = loy_store_outbox_add(&app->conn, app->merchant, "reward.redeemed", m.row.id, payload,
                                  now, err);
    }
    if (!rc)
        *resp =
            json_pack("{s:o, s:o, s:o}", "voucher", voucher_json(app, &v), "outcome",
                      loy_json_outcome(app, &o), "balances", loy_json_balances_after(&m.st, &o));
    loy_loaded_free(&m);
    loy_outcome_free(&o);
    return rc;
}

int loy_app_voucher_new(loy_app *app, int64_t member, const char *reward, int64_t now,
                        int64_t expires_at, loy_voucher_row *v, loy_err *err)
{
    memset(v, 0, sizeof(*v));
    v->merchant_id = app->merchant;
    v->member_id = member;
    snprintf(v->reward, sizeof(v->reward), "%s", reward);
    v->issued_at = now;
    v->expires_at = expires_at;
    if (loy_random_token(v->code, sizeof(v->code), 130))
        return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    snprintf(v->short_code, sizeof(v->short_code), "%.4s-%.4s", v->code, v->code + 4);
    return loy_store_voucher_insert(&app->conn, v, err);
}

int loy_uc_voucher_use(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err)
{
    const char *code = NULL;
    loy_voucher_row v;
    int rc = loy_req_object(req, voucher_fields, err);
    if (!rc) rc = loy_req_str(req, "code", true, 64, &code, err);
    if (!rc) rc = loy_store_voucher_get(&app->conn, app->merchant, code, &v, err);
    if (!rc) rc = loy_store_voucher_use(&app->conn, app->merchant, v.id, app->actor, now, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "voucher.use", "voucher", v.id,
                             NULL, NULL, now, NULL, err);
    if (!rc) {
        v.used_at = now;
        *resp = json_pack("{s:o}", "voucher", voucher_json(app, &v));
    }
    return rc;
}

int loy_app_voucher_check(loy_app *app, const char *code, json_t **resp, loy_err *err)
{
    loy_voucher_row v;
    int rc = loy_store_voucher_get(&app->conn, app->merchant, code, &v, err);
    if (rc) return rc;
    int64_t now = loy_app_now(app);
    const char *status = v.used_at ? "used" : v.expires_at <= now ? "expired" : "valid";
    const loy_reward *rw = loy_programme_reward(app->prog, v.reward);
    *resp = json_pack("{s:o, s:s, s:s}", "voucher", voucher_json(app, &v), "status", status,
                      "reward_name",
                      rw ? loy_names_get(&rw->name, app->merchant_row.locale) : v.reward);
    return 0;
}

int loy_uc_adjust(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err)
{
    char ref[256];
    const char *account = NULL, *reason = NULL;
    int64_t delta = 0;
    loy_account acc = LOY_ACC_POINTS;
    loy_loaded m = {0};
    loy_outcome o;
    loy_outcome_init(&o);
    int rc = loy_req_object(req, adjust_fields, err);
    if (!rc) rc = loy_req_member_ref(req, "member", ref, sizeof(ref), err);
    if (!rc) rc = loy_req_str(req, "account", false, 16, &account, err);
    if (!rc && account &&
        !(loy_account_parse(account, &acc) && (acc == LOY_ACC_POINTS || acc == LOY_ACC_STAMPS)))
        rc = loy_err_set(err, LOY_EINVALID, "account",
                         "account: expected \"points\" or \"stamps\", got \"%s\"", account);
    if (!rc) rc = loy_req_int(req, "delta", true, -1000000000LL, 1000000000LL, 0, &delta, err);
    if (!rc && delta == 0) rc = loy_err_set(err, LOY_EINVALID, "delta", "delta: must not be zero");
    if (!rc) rc = loy_req_str(req, "reason", true, 500, &reason, err);
    if (!rc) rc = loy_app_load(app, ref, true, now, &m, err);
    loy_staff_verdict sv; /* staff fraud controls (app/staff.c): blocked or flagged */
    if (!rc) rc = loy_app_staff_check(app, "adjust", m.row.id, delta, now, &sv, err);
    loy_ctx ctx = loy_app_ctx(app, now);
    if (!rc) rc = loy_engine_adjust(&ctx, &m.st, acc, delta, &o, err);
    int64_t audit_id = 0;
    if (!rc) {
        char what[64];
        snprintf(what, sizeof(what), "%s %+lld", loy_account_name(acc), (long long)delta);
        char *detail = loy_audit_balances(what, &m.st, &o);
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "adjust", "member", m.row.id,
                             reason, detail, now, &audit_id, err);
        free(detail);
    }
    if (!rc) rc = loy_app_apply(app, m.row.id, &o, "adjustment", audit_id, reason, now, NULL, err);
    if (!rc) rc = loy_app_staff_flagged(app, &sv, "adjust", m.row.id, audit_id, now, err);
    if (!rc)
        *resp = json_pack("{s:{s:I, s:s, s:I, s:s}, s:o, s:o}", "adjustment", "member_id",
                          (json_int_t)m.row.id, "account", loy_account_name(acc), "delta",
                          (json_int_t)delta, "reason", reason, "outcome", loy_json_outcome(app, &o),
                          "balances", loy_json_balances_after(&m.st, &o));
    loy_loaded_free(&m);
    loy_outcome_free(&o);
    return rc;
}
