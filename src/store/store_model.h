/* Customer-base model queries: the per-member (x, t_x, T, mean spend) summary behind the
 * BG/NBD, Pareto/NBD and Gamma-Gamma fits, and the append-only `models` table of fitted
 * parameters. */
#ifndef LOY_STORE_STORE_MODEL_H
#define LOY_STORE_STORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* What the summary reads: one merchant's purchases that occurred in [from, to) and are not
 * wholly refunded. Purchases in [from, cal_end) are the calibration window, those in
 * [cal_end, to) the holdout (cal_end == to: none). Days are local days: floor((occurred_at +
 * offset) / 86400), offset = the merchant zone's UTC offset in seconds (one offset for the whole
 * window). member != 0 restricts the summary to that member. */
typedef struct {
    int64_t merchant;
    int64_t from, cal_end, to;
    int32_t offset;
    int64_t member;
} loy_model_scope;

/* One member with at least one counted purchase in the calibration window. */
typedef struct {
    int64_t member;
    int64_t x;            /* repeat purchase days: distinct purchase days - 1 */
    int64_t first_day;    /* local day number of the first purchase day */
    int64_t last_day;     /* ... of the last one */
    int64_t repeat_spend; /* amount - refunded of the purchases after the first day, minor */
    int64_t holdout_x;    /* distinct purchase days in the holdout */
    double t_x;           /* (last_day - first_day) / 7, weeks */
    double T;             /* (end_day - first_day) / 7, end_day = local day of cal_end */
    double mean_spend;    /* repeat_spend / x, 0 when x == 0 */
} loy_model_summary;

/* The summary of every member in scope, ascending by member id, computed in one grouped query.
 * *out is malloc'ed (free it), NULL when *n == 0. Call inside a read transaction. */
int loy_store_model_summary(loy_conn *c, const loy_model_scope *s, loy_model_summary **out,
                            size_t *n, loy_err *err);

typedef struct {
    int64_t id;
    int64_t merchant;
    char kind[16]; /* "bgnbd" or "paretonbd" */
    char *params;  /* JSON text, owned */
    double ll;     /* log-likelihood of the transaction model at params */
    int64_t n;     /* members fitted on */
    int64_t data_from, data_to, fitted_at;
    char fitted_by[64];
} loy_model_row;

/* Frees row->params (NULL-safe) and clears it. */
void loy_model_row_free(loy_model_row *row);

/* Appends a fit (row->id is ignored; the new id goes to *id). Call inside a write
 * transaction. */
int loy_store_model_insert(loy_conn *c, const loy_model_row *row, int64_t *id, loy_err *err);
/* The latest fit of `kind` (NULL: of any kind) of the merchant; LOY_ENOTFOUND when none. */
int loy_store_model_latest(loy_conn *c, int64_t merchant, const char *kind, loy_model_row *out,
                           loy_err *err);
/* A fit by id (of the merchant); LOY_ENOTFOUND when none. */
int loy_store_model_get(loy_conn *c, int64_t merchant, int64_t id, loy_model_row *out,
                        loy_err *err);
/* How many fits the merchant has. */
int loy_store_model_count(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err);

#endif
