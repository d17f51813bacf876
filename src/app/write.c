/* The write path shared by every use case: idempotency check, one write transaction, the stored
 * response, commit. Errors roll back everything (no ledger row, no idempotency record). */
#include "app/app_int.h"
#include "app/referrals.h"
#include "app/staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdump.h"
#include "util/rand.h"

static const char *op_names[] = {"member.create", "purchase", "refund",
                                 "redeem",        "adjust",   "voucher.use"};

static int run_op(loy_app *app, loy_op op, const json_t *req, int64_t now, json_t **resp,
                  loy_err *err)
{
    switch (op) {
    case LOY_OP_MEMBER_CREATE:
        return loy_uc_member_create(app, req, now, resp, err);
    case LOY_OP_PURCHASE:
        return loy_uc_purchase(app, req, now, false, resp, err);
    case LOY_OP_REFUND:
        return loy_uc_refund(app, req, now, resp, err);
    case LOY_OP_REDEEM:
        return loy_uc_redeem(app, req, now, resp, err);
    case LOY_OP_ADJUST:
        return loy_uc_adjust(app, req, now, resp, err);
    case LOY_OP_VOUCHER_USE:
        return loy_uc_voucher_use(app, req, now, resp, err);
    }
    return loy_err_set(err, LOY_EINVALID, "", "unknown operation");
}

static int fingerprint(loy_op op, const json_t *req, char fp[65], loy_err *err)
{
    char *canon = loy_json_dump(req, true, NULL);
    if (!canon) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    size_t clen = strlen(canon), olen = strlen(op_names[op]);
    char *in = malloc(olen + 1 + clen + 1);
    if (!in) {
        free(canon);
        return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    memcpy(in, op_names[op], olen);
    in[olen] = '\n';
    memcpy(in + olen + 1, canon, clen + 1);
    loy_sha256_hex(in, olen + 1 + clen, fp);
    free(in);
    free(canon);
    return 0;
}

/* Inside an open write transaction: replay or run one write and record its key. */
static int write_one(loy_app *app, loy_op op, const char *key, const json_t *req, int64_t now,
                     json_t **resp, bool *replayed, loy_err *err)
{
    *resp = NULL;
    *replayed = false;
    size_t klen = key ? strlen(key) : 0;
    if (klen == 0 || klen > 255)
        return loy_err_set(err, LOY_EINVALID, "idempotency_key",
                           "idempotency key: expected 1 to 255 characters, got %zu", klen);
    if (!json_is_object(req))
        return loy_err_set(err, LOY_EINVALID, "", "expected a JSON object as the request");
    char fp[65];
    int rc = fingerprint(op, req, fp, err);
    if (rc) return rc;
    loy_idem_row idem = {0};
    rc = loy_store_idem_get(&app->conn, app->merchant, key, &idem, err);
    if (rc == 0) {
        if (strcmp(idem.fingerprint, fp) != 0) {
            free(idem.response);
            return loy_err_set(err, LOY_EMISMATCH, "idempotency_key",
                               "idempotency key %s was used with a different request", key);
        }
        json_error_t je;
        *resp = json_loads(idem.response, 0, &je);
        free(idem.response);
        if (!*resp) return loy_err_set(err, LOY_ESTORAGE, "", "stored response is not JSON");
        *replayed = true;
        return 0;
    }
    if (rc != LOY_ENOTFOUND) return rc;
    loy_err_clear(err);
    rc = run_op(app, op, req, now, resp, err);
    char *text = rc ? NULL : loy_json_dump(*resp, false, NULL);
    if (!rc && !text) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_store_idem_put(&app->conn, app->merchant, key, fp, 200, text, now, err);
    free(text);
    if (rc) {
        json_decref(*resp);
        *resp = NULL;
    }
    return rc;
}

/* After a refused write is rolled back: what must be kept of the refusal itself, each in its
 * own short transaction (or savepoint): a join with a referral code that met an existing member
 * (app/referrals.c) and a staff write the fraud controls blocked (app/staff.c). */
static void after_refusal(loy_app *app, loy_op op, const json_t *req, int rc, int64_t now)
{
    if (op == LOY_OP_MEMBER_CREATE && rc == LOY_ECONFLICT)
        loy_app_referral_join_conflict(app, req, now);
    loy_app_staff_blocked_log(app, now);
}

int loy_app_write(loy_app *app, loy_op op, const char *key, const json_t *req, json_t **resp,
                  bool *replayed, loy_err *err)
{
    bool rep = false;
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = write_one(app, op, key, req, loy_app_now(app), resp, &rep, err);
    if (!rc && rep) { /* nothing was written */
        loy_db_rollback(&app->conn);
        if (replayed) *replayed = true;
        return 0;
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        json_decref(*resp);
        *resp = NULL;
        after_refusal(app, op, req, rc, loy_app_now(app));
    }
    if (replayed) *replayed = false;
    return rc;
}

int loy_app_write_batch(loy_app *app, loy_write_item *items, size_t n, loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int64_t now = loy_app_now(app);
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        loy_write_item *it = &items[i];
        loy_err_clear(&it->err);
        if ((rc = loy_db_savepoint(&app->conn, err))) break;
        char actor[sizeof(app->actor)];
        memcpy(actor, app->actor, sizeof(actor));
        if (it->actor) snprintf(app->actor, sizeof(app->actor), "%s", it->actor);
        it->rc = it->merchant ? loy_app_select_merchant(app, it->merchant, &it->err) : 0;
        if (!it->rc)
            it->rc =
                write_one(app, it->op, it->key, it->req, now, &it->resp, &it->replayed, &it->err);
        if (it->rc) {
            loy_db_rollback_to(&app->conn);
            after_refusal(app, it->op, it->req, it->rc, now);
        }
        memcpy(app->actor, actor, sizeof(actor));
        if (!it->rc) rc = loy_db_release(&app->conn, err);
        if (it->rc == LOY_ESTORAGE || it->rc == LOY_EBUSY || it->rc == LOY_ENOMEM) {
            rc = it->rc;
            *err = it->err;
        }
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        for (size_t i = 0; i < n; i++) {
            json_decref(items[i].resp);
            items[i].resp = NULL;
        }
    }
    return rc;
}

/* A draft programme for a dry run: `doc` checked by the same validator as a save (errors name
 * "programme.FIELD"), parsed, with its time zone; the currency must be the live one. */
static int draft_programme(loy_app *app, const json_t *doc, loy_programme **p, loy_tz **tz,
                           loy_err *err)
{
    if (!json_is_object(doc))
        return loy_err_set(err, LOY_EINVALID, "programme",
                           "programme: expected the programme as a JSON object");
    char *text = json_dumps(doc, LOY_JSON_AS_WRITTEN);
    if (!text) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    size_t len = strlen(text);
    int rc = loy_app_programme_check(text, len, err);
    if (!rc) rc = loy_programme_parse(p, text, len, err);
    free(text);
    if (!rc && strcmp((*p)->currency, app->merchant_row.currency) != 0)
        rc = loy_err_set(err, LOY_EINVALID, "programme.merchant.currency",
                         "programme.merchant.currency: cannot change from %s to %s on a live "
                         "programme",
                         app->merchant_row.currency, (*p)->currency);
    else if (rc && strncmp(err->field, "programme", 9) != 0) {
        /* name the request's field: "tiers[0].threshold" -> "programme.tiers[0].threshold" */
        char field[sizeof(err->field)];
        snprintf(field, sizeof(field), "programme%s%s", err->field[0] ? "." : "", err->field);
        snprintf(err->field, sizeof(err->field), "%s", field);
    }
    if (!rc) rc = loy_tz_load(tz, (*p)->timezone, err);
    return rc;
}

int loy_app_simulate(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    const json_t *draft = json_is_object(req) ? json_object_get(req, "programme") : NULL;
    loy_programme *p = NULL, *live = app->prog;
    loy_tz *tz = NULL, *live_tz = app->tz;
    json_t *purchase = NULL;
    int rc = 0;
    if (draft) {
        /* the purchase as it would be with the draft programme in force: nothing is saved */
        rc = draft_programme(app, draft, &p, &tz, err);
        if (!rc && !(purchase = json_copy((json_t *)req)))
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        if (!rc) {
            json_object_del(purchase, "programme");
            app->prog = p;
            app->tz = tz;
        }
    }
    if (!rc) rc = loy_db_begin(&app->conn, false, err);
    if (!rc) {
        rc = loy_uc_purchase(app, purchase ? purchase : req, loy_app_now(app), true, resp, err);
        loy_db_rollback(&app->conn);
    }
    app->prog = live;
    app->tz = live_tz;
    json_decref(purchase);
    loy_programme_free(p);
    loy_tz_free(tz);
    return rc;
}
