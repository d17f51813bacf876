/* Merchants, their locations and programme versions. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int loy_store_merchant_create(loy_conn *c, const loy_programme *p, int64_t now, int64_t *id_out,
                              loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO merchants(name, currency, timezone, locale, created_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "tttti", p->merchant_name, p->currency, p->timezone, p->locale, now);
    if (rc) return rc;
    if ((rc = loy_db_scalar(c, id_out, err, "SELECT max(id) FROM merchants", ""))) return rc;
    return loy_store_merchant_sync(c, *id_out, p, err);
}

int loy_store_merchant_sync(loy_conn *c, int64_t merchant, const loy_programme *p, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE merchants SET name = ?, currency = ?, timezone = ?, locale = ? "
                        "WHERE id = ?",
                        "tttti", p->merchant_name, p->currency, p->timezone, p->locale, merchant);
    for (size_t i = 0; !rc && i < p->nlocations; i++)
        rc = loy_db_run(c, err,
                        "INSERT INTO locations(merchant_id, code, name) VALUES (?, ?, ?) "
                        "ON CONFLICT(merchant_id, code) DO UPDATE SET name = excluded.name",
                        "itt", merchant, p->locations[i].code, p->locations[i].name);
    return rc;
}

int loy_store_merchant_get(loy_conn *c, int64_t id, loy_merchant_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, name, currency, timezone, locale FROM merchants WHERE id = ?",
                          "i", id);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 0)
        return loy_err_set(err, LOY_ENOTFOUND, "merchant", "merchant %lld not found",
                           (long long)id);
    if (rc < 0) return rc;
    memset(out, 0, sizeof(*out));
    out->id = loy_db_int(c, st, 0);
    snprintf(out->name, sizeof(out->name), "%s", loy_db_text(c, st, 1));
    snprintf(out->currency, sizeof(out->currency), "%s", loy_db_text(c, st, 2));
    snprintf(out->timezone, sizeof(out->timezone), "%s", loy_db_text(c, st, 3));
    snprintf(out->locale, sizeof(out->locale), "%s", loy_db_text(c, st, 4));
    loy_db_done(c, st);
    return 0;
}

int loy_store_merchant_ids(loy_conn *c, int64_t *ids, int max, int *n, loy_err *err)
{
    loy_stmt *st;
    *n = 0;
    int rc = loy_db_query(c, &st, err, "SELECT id FROM merchants ORDER BY id LIMIT ?", "i",
                          (int64_t)max);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) ids[(*n)++] = loy_db_int(c, st, 0);
    return rc;
}

int loy_store_merchant_default(loy_conn *c, int64_t *id_out, loy_err *err)
{
    int rc = loy_db_scalar(c, id_out, err, "SELECT id FROM merchants ORDER BY id LIMIT 1", "");
    if (rc == LOY_ENOTFOUND)
        loy_err_set(err, rc, "db", "the database has no merchant yet: run `loyalty init`");
    return rc;
}

int loy_store_programme_version(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err,
                         "SELECT coalesce(max(version), 0) FROM programmes WHERE merchant_id = ?",
                         "i", merchant);
}

int loy_store_card_merchant(loy_conn *c, const char *token, int64_t *merchant, loy_err *err)
{
    int rc = loy_db_scalar(c, merchant, err, "SELECT merchant_id FROM members WHERE card_token = ?",
                           "t", token);
    if (rc == LOY_ENOTFOUND) loy_err_set(err, rc, "token", "no such card");
    return rc;
}

int loy_store_programme_put(loy_conn *c, int64_t merchant, const char *body, int64_t now,
                            const char *actor, int64_t *version_out, loy_err *err)
{
    int64_t v = 0;
    int rc = loy_db_scalar(c, &v, err,
                           "SELECT coalesce(max(version), 0) + 1 FROM programmes "
                           "WHERE merchant_id = ?",
                           "i", merchant);
    if (rc) return rc;
    rc = loy_db_run(c, err,
                    "INSERT INTO programmes(merchant_id, version, body, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, ?)",
                    "iitit", merchant, v, body, now, actor);
    if (!rc && version_out) *version_out = v;
    return rc;
}

int loy_store_programme_get(loy_conn *c, int64_t merchant, int64_t version, char **body_out,
                            int64_t *version_out, int64_t *created_at_out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT version, body, created_at FROM programmes WHERE merchant_id = ? "
                          "AND (? = 0 OR version = ?) ORDER BY version DESC LIMIT 1",
                          "iii", merchant, version, version);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 0)
        return loy_err_set(err, LOY_ENOTFOUND, "version", "programme version %lld not found",
                           (long long)version);
    if (rc < 0) return rc;
    if (version_out) *version_out = loy_db_int(c, st, 0);
    if (created_at_out) *created_at_out = loy_db_int(c, st, 2);
    *body_out = strdup(loy_db_text(c, st, 1));
    loy_db_done(c, st);
    return *body_out ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}

int loy_store_programme_history(loy_conn *c, int64_t merchant,
                                void (*fn)(void *ctx, int64_t version, int64_t at,
                                           const char *actor),
                                void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT version, created_at, created_by FROM programmes "
                          "WHERE merchant_id = ? ORDER BY version DESC",
                          "i", merchant);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1)
        fn(ctx, loy_db_int(c, st, 0), loy_db_int(c, st, 1), loy_db_text(c, st, 2));
    return rc;
}

int loy_store_location_get(loy_conn *c, int64_t id, int64_t *merchant, char *code, size_t n,
                           char *name, size_t name_n, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT merchant_id, code, name FROM locations WHERE id = ?",
                          "i", id);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        *merchant = loy_db_int(c, st, 0);
        snprintf(code, n, "%s", loy_db_text(c, st, 1));
        snprintf(name, name_n, "%s", loy_db_text(c, st, 2));
        loy_db_done(c, st);
        return 0;
    }
    return rc ? rc : loy_err_set(err, LOY_ENOTFOUND, "location", "no such location");
}

int loy_store_location_id(loy_conn *c, int64_t merchant, const char *code, int64_t *id,
                          loy_err *err)
{
    return loy_db_scalar(c, id, err, "SELECT id FROM locations WHERE merchant_id = ? AND code = ?",
                         "it", merchant, code);
}
