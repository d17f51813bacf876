/* Customer summaries for the lifetime models: (x, t_x, T, weight) columns as plain arrays, their
 * validation, and grouping of identical rows into weights. */
#ifndef LOY_ANALYTICS_CLVDATA_H
#define LOY_ANALYTICS_CLVDATA_H

#include <stddef.h>

#include "util/err.h"

/* Borrowed columns, n rows. x: repeat transactions (a whole number >= 0); t_x: time of the last
 * one (recency, 0 when x = 0), T: time since the first purchase, both in the same unit (weeks in
 * the tests), 0 <= t_x <= T (t_x is taken as 0 when x = 0); weight: how many customers the row
 * stands for (NULL: 1 each). */
typedef struct loy_clvdata {
    const double *x;
    const double *t_x;
    const double *T;
    const double *weight;
    size_t n;
} loy_clvdata;

/* Owned copy of a loy_clvdata (from loy_clvdata_group); free with loy_clvdata_free. */
typedef struct loy_clvdata_owned {
    loy_clvdata view; /* points into the arrays below */
    double *x, *t_x, *T, *weight;
} loy_clvdata_owned;

/* Checks every row: finite values, x a whole number >= 0, 0 <= t_x <= T, weight >= 0, and at
 * least one row of positive weight. Returns 0 or LOY_EINVALID with the row in err->field. */
int loy_clvdata_check(const loy_clvdata *d, loy_err *err);

/* Collapses rows with identical (x, t_x, T) into one row whose weight is the sum of theirs
 * (rows of weight 0 are dropped); rows come out sorted by (x, t_x, T). The likelihood of the
 * grouped data equals that of the input. Returns 0, LOY_EINVALID (see loy_clvdata_check) or
 * LOY_ENOMEM; on success the caller owns *out and frees it with loy_clvdata_free. */
int loy_clvdata_group(loy_clvdata_owned *out, const loy_clvdata *d, loy_err *err);

/* Frees the arrays of a loy_clvdata_owned (NULL-safe) and zeroes it. */
void loy_clvdata_free(loy_clvdata_owned *o);

/* The distinct values among every row's t_x and T, ascending, into u (room for 2 n values);
 * returns how many. Fits compute time-dependent terms once per distinct time. */
size_t loy_clvdata_times(const loy_clvdata *d, double *u);
/* The index of v in u[0..n) as made by loy_clvdata_times (v must be one of them). */
size_t loy_clvdata_time_index(const double *u, size_t n, double v);

#endif
