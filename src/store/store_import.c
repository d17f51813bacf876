/* Repositories of CSV imports: external ids, imported row keys, imported visits. */
#include "store/store_import.h"

#include <math.h>
#include <stddef.h>

int loy_store_import_member_get(loy_conn *c, int64_t merchant, const char *external_id,
                                int64_t *member_out, loy_err *err)
{
    return loy_db_scalar(c, member_out, err,
                         "SELECT member_id FROM import_members WHERE merchant_id = ? AND "
                         "external_id = ?",
                         "it", merchant, external_id);
}

int loy_store_import_member_put(loy_conn *c, int64_t merchant, const char *external_id,
                                int64_t member, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO import_members(merchant_id, external_id, member_id) VALUES "
                      "(?, ?, ?) ON CONFLICT DO NOTHING",
                      "iti", merchant, external_id, member);
}

int loy_store_import_row_seen(loy_conn *c, int64_t merchant, const char *row_key, bool *seen,
                              loy_err *err)
{
    int64_t n = 0;
    int rc = loy_db_scalar(c, &n, err,
                           "SELECT count(*) FROM import_rows WHERE merchant_id = ? AND row_key = ?",
                           "it", merchant, row_key);
    *seen = !rc && n > 0;
    return rc;
}

int loy_store_import_row_put(loy_conn *c, int64_t merchant, const char *row_key, const char *kind,
                             int64_t target, int64_t now, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO import_rows(merchant_id, row_key, kind, target_id, imported_at) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      "ittii", merchant, row_key, kind, target, now);
}

int loy_store_import_visit_add(loy_conn *c, int64_t merchant, int64_t member, int64_t occurred_at,
                               const char *reference, int64_t now, int64_t *id_out, loy_err *err)
{
    return loy_db_scalar(c, id_out, err,
                         "INSERT INTO import_visits(merchant_id, member_id, occurred_at, "
                         "reference, recorded_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                         "iiiti", merchant, member, occurred_at, reference, now);
}

int loy_store_import_member_joined(loy_conn *c, int64_t merchant, int64_t member, int64_t at,
                                   loy_err *err)
{
    return loy_db_run(c, err,
                      "UPDATE members SET joined_at = ?1 WHERE merchant_id = ?2 AND id = ?3 AND "
                      "joined_at > ?1",
                      "iii", at, merchant, member);
}
