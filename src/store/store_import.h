/* Repositories of CSV imports: external customer ids, rows already imported, and the
 * (x, t_x, T) calibration summary the lifetime models take, built from the purchases. */
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

/* One customer of a calibration summary: x repeat purchase days, t_x weeks from the first to the
 * last purchase day, T weeks from the first purchase day to the end of calibration (7-day weeks,
 * rounded to 2 decimals), zbar the mean spend (minor units) of the repeat purchase days, 0 when
 * x = 0. Purchases of one day count as one transaction whose spend is their sum. */
typedef struct {
    int64_t member_id;
    int64_t x;
    double t_x, T, zbar;
} loy_rfm_row;

/* The summary of every member of `merchant` whose first purchase falls in [cal_start, cal_end]
 * (civil days, inclusive, as from loy_date_parse; purchase days are local days in `tz`), from the
 * purchases up to cal_end; members ascending by id. Calls fn per member. */
int loy_store_rfm_summary(loy_conn *c, int64_t merchant, int64_t cal_start, int64_t cal_end,
                          const loy_tz *tz, void (*fn)(void *ctx, const loy_rfm_row *r), void *ctx,
                          loy_err *err);

#endif
