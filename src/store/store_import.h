/* Repositories of CSV imports: external customer ids, rows already imported, and imported
 * visits of amount 0 (the model summary of store_model.h counts them). */
#ifndef LOY_STORE_STORE_IMPORT_H
#define LOY_STORE_STORE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/time.h"

/* The member an external customer id was mapped to; LOY_ENOTFOUND if none. */
int loy_store_import_member_get(loy_conn *c, int64_t merchant, const char *external_id,
                                int64_t *member_out, loy_err *err);
/* Maps an external customer id to a member (an existing mapping is kept). */
int loy_store_import_member_put(loy_conn *c, int64_t merchant, const char *external_id,
                                int64_t member, loy_err *err);
/* Whether a row key was imported before (*seen). */
int loy_store_import_row_seen(loy_conn *c, int64_t merchant, const char *row_key, bool *seen,
                              loy_err *err);
/* Records an imported row ("member" or "purchase") and what it became. */
int loy_store_import_row_put(loy_conn *c, int64_t merchant, const char *row_key, const char *kind,
                             int64_t target, int64_t now, loy_err *err);

/* Records an imported transaction of amount 0 (*id_out = its id). */
int loy_store_import_visit_add(loy_conn *c, int64_t merchant, int64_t member, int64_t occurred_at,
                               const char *reference, int64_t now, int64_t *id_out, loy_err *err);

/* Moves a member's joined_at back to `at` when it is later (a member created by an import joined
 * with their first purchase in the history). */
int loy_store_import_member_joined(loy_conn *c, int64_t merchant, int64_t member, int64_t at,
                                   loy_err *err);

#endif
