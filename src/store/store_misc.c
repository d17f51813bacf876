/* Reward stock, vouchers, idempotency records, the outbox and the audit log. */
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int loy_store_stock_issued(loy_conn *c, int64_t merchant, const char *reward, int64_t *out,
                           loy_err *err)
{
    int rc = loy_db_scalar(c, out, err,
                           "SELECT issued FROM reward_stock WHERE merchant_id = ? AND "
                           "reward_id = ?",
                           "it", merchant, reward);
    if (rc == LOY_ENOTFOUND) {
        *out = 0;
        loy_err_clear(err);
        return 0;
    }
    return rc;
}

int loy_store_stock_take(loy_conn *c, int64_t merchant, const char *reward, int64_t stock,
                         loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO reward_stock(merchant_id, reward_id, issued) VALUES (?, ?, 0) "
                        "ON CONFLICT(merchant_id, reward_id) DO NOTHING",
                        "it", merchant, reward);
    if (!rc)
        rc = loy_db_run(c, err,
                        "UPDATE reward_stock SET issued = issued + 1 WHERE merchant_id = ? AND "
                        "reward_id = ? AND (? < 0 OR issued < ?)",
                        "itii", merchant, reward, stock, stock);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_EREFUSED, "reward", "reward %s is out of stock", reward);
    return rc;
}

int loy_store_voucher_insert(loy_conn *c, loy_voucher_row *v, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO vouchers(merchant_id, member_id, reward_id, code, short_code, "
                        "issued_at, expires_at) VALUES (?,?,?,?,?,?,?)",
                        "iitttii", v->merchant_id, v->member_id, v->reward, v->code, v->short_code,
                        v->issued_at, v->expires_at);
    if (rc) return rc;
    return loy_db_scalar(c, &v->id, err, "SELECT id FROM vouchers WHERE code = ?", "t", v->code);
}

int loy_store_voucher_get(loy_conn *c, int64_t merchant, const char *code, loy_voucher_row *out,
                          loy_err *err)
{
    char norm[48];
    size_t j = 0;
    for (size_t i = 0; code[i] && j + 1 < sizeof(norm); i++)
        norm[j++] = (char)toupper((unsigned char)code[i]);
    norm[j] = '\0';
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, merchant_id, member_id, reward_id, code, short_code, "
                          "issued_at, expires_at, coalesce(used_at, 0) FROM vouchers "
                          "WHERE merchant_id = ? AND (code = ? OR short_code = ?)",
                          "itt", merchant, norm, norm);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return loy_err_set(err, LOY_ENOTFOUND, "code", "voucher %s not found", code);
    memset(out, 0, sizeof(*out));
    out->id = loy_db_int(c, st, 0);
    out->merchant_id = loy_db_int(c, st, 1);
    out->member_id = loy_db_int(c, st, 2);
    snprintf(out->reward, sizeof(out->reward), "%s", loy_db_text(c, st, 3));
    snprintf(out->code, sizeof(out->code), "%s", loy_db_text(c, st, 4));
    snprintf(out->short_code, sizeof(out->short_code), "%s", loy_db_text(c, st, 5));
    out->issued_at = loy_db_int(c, st, 6);
    out->expires_at = loy_db_int(c, st, 7);
    out->used_at = loy_db_int(c, st, 8);
    loy_db_done(c, st);
    return 0;
}

int loy_store_voucher_use(loy_conn *c, int64_t merchant, int64_t id, const char *actor, int64_t now,
                          loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE vouchers SET used_at = ?, used_by = ? WHERE id = ? AND "
                        "merchant_id = ? AND used_at IS NULL AND expires_at > ?",
                        "itiii", now, actor, id, merchant, now);
    if (rc) return rc;
    if (loy_db_changes(c) == 1) return 0;
    int64_t used = 0;
    rc = loy_db_scalar(c, &used, err,
                       "SELECT coalesce(used_at, 0) FROM vouchers WHERE id = ? AND merchant_id = ?",
                       "ii", id, merchant);
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "code", "voucher not found");
    if (rc) return rc;
    if (used) return loy_err_set(err, LOY_ECONFLICT, "code", "voucher was already used");
    return loy_err_set(err, LOY_EREFUSED, "code", "voucher has expired");
}

int loy_store_idem_get(loy_conn *c, int64_t merchant, const char *key, loy_idem_row *out,
                       loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT fingerprint, status, response FROM idempotency WHERE "
                          "merchant_id = ? AND key = ?",
                          "it", merchant, key);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return LOY_ENOTFOUND;
    snprintf(out->fingerprint, sizeof(out->fingerprint), "%s", loy_db_text(c, st, 0));
    out->status = (int)loy_db_int(c, st, 1);
    out->response = strdup(loy_db_text(c, st, 2));
    loy_db_done(c, st);
    return out->response ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}

int loy_store_idem_put(loy_conn *c, int64_t merchant, const char *key, const char *fingerprint,
                       int status, const char *response, int64_t now, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO idempotency(merchant_id, key, fingerprint, status, response, "
                      "created_at) VALUES (?,?,?,?,?,?)",
                      "ittiti", merchant, key, fingerprint, (int64_t)status, response, now);
}

int loy_store_idem_prune(loy_conn *c, int64_t before, int64_t *n_out, loy_err *err)
{
    int rc = loy_db_run(c, err, "DELETE FROM idempotency WHERE created_at < ?", "i", before);
    if (!rc && n_out) *n_out = loy_db_changes(c);
    return rc;
}

int loy_store_outbox_add(loy_conn *c, int64_t merchant, const char *kind, int64_t member,
                         const char *payload, int64_t now, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO outbox(merchant_id, kind, member_id, payload, created_at, "
                      "next_at) VALUES (?,?,?,?,?,?)",
                      "ititii", merchant, kind, member, payload, now, now);
}

int loy_store_audit(loy_conn *c, int64_t merchant, const char *actor, const char *action,
                    const char *target_type, int64_t target_id, const char *reason,
                    const char *detail, int64_t now, int64_t *id_out, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO audit(merchant_id, actor, action, target_type, target_id, "
                        "reason, detail, at) VALUES (?,?,?,?,?,?,?,?)",
                        "itttitti", merchant, actor, action, target_type, target_id, reason, detail,
                        now);
    if (!rc && id_out) rc = loy_db_scalar(c, id_out, err, "SELECT max(id) FROM audit", "");
    return rc;
}
