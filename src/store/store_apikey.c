/* API keys and the counters behind /metrics. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void read_key(loy_conn *c, loy_stmt *st, loy_apikey_row *k)
{
    memset(k, 0, sizeof(*k));
    k->id = loy_db_int(c, st, 0);
    k->merchant_id = loy_db_int(c, st, 1);
    snprintf(k->name, sizeof(k->name), "%s", loy_db_text(c, st, 2));
    snprintf(k->role, sizeof(k->role), "%s", loy_db_text(c, st, 3));
    snprintf(k->prefix, sizeof(k->prefix), "%s", loy_db_text(c, st, 4));
    k->created_at = loy_db_int(c, st, 5);
    k->revoked_at = loy_db_int(c, st, 6);
    k->last_used_at = loy_db_int(c, st, 7);
}

int loy_store_apikey_insert(loy_conn *c, loy_apikey_row *k, const char *hash, const char *actor,
                            loy_err *err)
{
    return loy_db_scalar(c, &k->id, err,
                         "INSERT INTO api_keys(merchant_id, name, role, prefix, hash, created_at, "
                         "created_by) VALUES (?,?,?,?,?,?,?) RETURNING id",
                         "itttti"
                         "t",
                         k->merchant_id, k->name, k->role, k->prefix, hash, k->created_at, actor);
}

int loy_store_apikey_find(loy_conn *c, const char *hash, loy_apikey_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, merchant_id, name, role, prefix, created_at, "
                          "coalesce(revoked_at, 0), coalesce(last_used_at, 0) FROM api_keys "
                          "WHERE hash = ? AND revoked_at IS NULL",
                          "t", hash);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return LOY_ENOTFOUND;
    read_key(c, st, out);
    loy_db_done(c, st);
    return 0;
}

int loy_store_apikey_list(loy_conn *c, int64_t merchant,
                          void (*fn)(void *ctx, const loy_apikey_row *k), void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, merchant_id, name, role, prefix, created_at, "
                          "coalesce(revoked_at, 0), coalesce(last_used_at, 0) FROM api_keys "
                          "WHERE merchant_id = ? ORDER BY id",
                          "i", merchant);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_apikey_row k;
        read_key(c, st, &k);
        fn(ctx, &k);
    }
    return rc;
}

int loy_store_apikey_revoke(loy_conn *c, int64_t merchant, int64_t id, int64_t now, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND merchant_id = ? AND "
                        "revoked_at IS NULL",
                        "iii", now, id, merchant);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ENOTFOUND, "id", "no active API key %lld", (long long)id);
    return rc;
}

int loy_store_stats(loy_conn *c, int64_t merchant, loy_stats *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = loy_db_scalar(c, &out->members, err,
                           "SELECT count(*) FROM members WHERE merchant_id = ?", "i", merchant);
    if (!rc)
        rc = loy_db_scalar(c, &out->purchases, err,
                           "SELECT count(*) FROM purchases WHERE merchant_id = ?", "i", merchant);
    if (!rc)
        rc = loy_db_scalar(c, &out->redemptions, err,
                           "SELECT count(*) FROM vouchers WHERE merchant_id = ?", "i", merchant);
    if (!rc)
        rc = loy_db_scalar(c, &out->outbox_depth, err,
                           "SELECT count(*) FROM webhook_deliveries WHERE merchant_id = ? AND "
                           "state = 'pending'",
                           "i", merchant);
    return rc;
}
