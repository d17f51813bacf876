/* Use case: refund all or part of a purchase, reversing what it earned proportionally. */
#include "app/app_int.h"
#include "app/request.h"
#include "core/money.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const refund_fields[] = {"purchase_id", "amount", "reason", NULL};

int loy_uc_refund(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err)
{
    int64_t pid = 0, amount = 0, refund_id = 0;
    const char *reason = NULL;
    loy_purchase_row p;
    loy_earned *earned = NULL;
    size_t nearned = 0;
    loy_loaded m = {0};
    loy_outcome o;
    loy_outcome_init(&o);
    int rc = loy_req_object(req, refund_fields, err);
    if (!rc) rc = loy_req_int(req, "purchase_id", true, 1, INT64_MAX, 0, &pid, err);
    if (!rc) rc = loy_req_int(req, "amount", false, 1, 1000000000000LL, 0, &amount, err);
    if (!rc) rc = loy_req_str(req, "reason", false, 500, &reason, err);
    if (!rc) rc = loy_store_purchase_get(&app->conn, app->merchant, pid, &p, err);
    if (rc) goto done;
    int64_t left = p.amount - p.refunded;
    if (left <= 0) {
        rc = loy_err_set(err, LOY_ECONFLICT, "purchase_id", "purchase %lld is already refunded",
                         (long long)pid);
        goto done;
    }
    if (!amount) amount = left;
    if (amount > left) {
        char a[64], l[64];
        loy_money_display(a, sizeof(a), amount, p.currency);
        loy_money_display(l, sizeof(l), left, p.currency);
        rc = loy_err_set(err, LOY_EINVALID, "amount",
                         "amount: %s is more than the %s left to refund", a, l);
        goto done;
    }
    if ((rc = loy_app_load_id(app, p.member_id, true, now, &m, err))) goto done;
    if ((rc = loy_store_purchase_earned(&app->conn, pid, &earned, &nearned, err))) goto done;
    loy_refund_in r = {.purchase_amount = p.amount,
                       .refunded_before = p.refunded,
                       .refund_amount = amount,
                       .earned = earned,
                       .nearned = nearned};
    loy_ctx ctx = loy_app_ctx(app, now);
    if ((rc = loy_engine_refund(&ctx, &m.st, &r, &o, err))) goto done;
    rc = loy_store_refund_insert(&app->conn, app->merchant, pid, amount, reason, app->actor, now,
                                 &refund_id, err);
    if (!rc) rc = loy_app_apply(app, m.row.id, &o, "refund", refund_id, reason, now, NULL, err);
    if (!rc) {
        char what[64];
        snprintf(what, sizeof(what), "refund %lld of %lld", (long long)amount, (long long)p.amount);
        char *detail = loy_audit_balances(what, &m.st, &o);
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "refund", "purchase", pid,
                             reason, detail, now, NULL, err);
        free(detail);
    }
    if (!rc) {
        char payload[160];
        snprintf(payload, sizeof(payload),
                 "{\"purchase_id\":%lld,\"refund_id\":%lld,\"amount\":%lld}", (long long)pid,
                 (long long)refund_id, (long long)amount);
        rc = loy_store_outbox_add(&app->conn, app->merchant, "purchase.refunded", m.row.id, payload,
                                  now, err);
    }
    if (rc) goto done;
    *resp =
        json_pack("{s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o}", "refund", "id", (json_int_t)refund_id,
                  "purchase_id", (json_int_t)pid, "amount", (json_int_t)amount, "refunded_total",
                  (json_int_t)(p.refunded + amount), "member_id", (json_int_t)m.row.id, "outcome",
                  loy_json_outcome(app, &o), "balances", loy_json_balances_after(&m.st, &o));
done:
    free(earned);
    loy_loaded_free(&m);
    loy_outcome_free(&o);
    return rc;
}
