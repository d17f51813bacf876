/* Validation and grouping of the customer summaries used by the lifetime models. */
#include "analytics/clvdata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double x, t_x, T, w;
} row;

int loy_clvdata_check(const loy_clvdata *d, loy_err *err)
{
    if (!d || !d->x || !d->t_x || !d->T || d->n == 0)
        return loy_err_set(err, LOY_EINVALID, "data", "no customer rows");
    double total = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], tx = d->t_x[i], T = d->T[i], w = d->weight ? d->weight[i] : 1.0;
        const char *why = NULL;
        if (!isfinite(x) || !isfinite(tx) || !isfinite(T) || !isfinite(w))
            why = "values must be finite";
        else if (x < 0.0 || x != floor(x))
            why = "x is not a whole number >= 0";
        else if (tx < 0.0 || tx > T)
            why = "t_x is not in [0, T]";
        else if (w < 0.0)
            why = "weight is negative";
        if (why) { /* the field name is formatted only for a bad row */
            char field[64];
            snprintf(field, sizeof(field), "rows[%zu]", i);
            return loy_err_set(err, LOY_EINVALID, field, "%s (x %g, t_x %g, T %g, weight %g)", why,
                               x, tx, T, w);
        }
        total += w;
    }
    if (!(total > 0.0)) return loy_err_set(err, LOY_EINVALID, "weight", "all weights are zero");
    return 0;
}

static int cmp_row(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->t_x != b->t_x) return a->t_x < b->t_x ? -1 : 1;
    if (a->T != b->T) return a->T < b->T ? -1 : 1;
    return 0;
}

void loy_clvdata_free(loy_clvdata_owned *o)
{
    if (!o) return;
    free(o->x);
    free(o->t_x);
    free(o->T);
    free(o->weight);
    memset(o, 0, sizeof(*o));
}

int loy_clvdata_group(loy_clvdata_owned *out, const loy_clvdata *d, loy_err *err)
{
    int rc = loy_clvdata_check(d, err);
    if (rc != 0) return rc;
    memset(out, 0, sizeof(*out));
    row *rows = malloc(d->n * sizeof(*rows));
    if (!rows) return loy_err_set(err, LOY_ENOMEM, "data", "out of memory grouping %zu rows", d->n);
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->weight ? d->weight[i] : 1.0;
        if (w > 0.0) rows[m++] = (row){d->x[i], d->x[i] > 0.0 ? d->t_x[i] : 0.0, d->T[i], w};
    }
    qsort(rows, m, sizeof(*rows), cmp_row);
    size_t g = 0;
    for (size_t i = 0; i < m; i++) {
        if (g > 0 && cmp_row(&rows[g - 1], &rows[i]) == 0) {
            rows[g - 1].w += rows[i].w;
        } else {
            rows[g++] = rows[i];
        }
    }
    out->x = malloc(g * sizeof(double));
    out->t_x = malloc(g * sizeof(double));
    out->T = malloc(g * sizeof(double));
    out->weight = malloc(g * sizeof(double));
    if (!out->x || !out->t_x || !out->T || !out->weight) {
        rc = loy_err_set(err, LOY_ENOMEM, "data", "out of memory grouping %zu rows", d->n);
        loy_clvdata_free(out);
        goto done;
    }
    for (size_t i = 0; i < g; i++) {
        out->x[i] = rows[i].x;
        out->t_x[i] = rows[i].t_x;
        out->T[i] = rows[i].T;
        out->weight[i] = rows[i].w;
    }
    out->view = (loy_clvdata){out->x, out->t_x, out->T, out->weight, g};
done:
    free(rows);
    return rc;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : (a > b ? 1 : 0);
}

size_t loy_clvdata_times(const loy_clvdata *d, double *u)
{
    for (size_t i = 0; i < d->n; i++) {
        u[2 * i] = d->t_x[i];
        u[2 * i + 1] = d->T[i];
    }
    qsort(u, 2 * d->n, sizeof(double), cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < 2 * d->n; i++)
        if (m == 0 || u[i] != u[m - 1]) u[m++] = u[i];
    return m;
}

size_t loy_clvdata_time_index(const double *u, size_t n, double v)
{
    size_t lo = 0, hi = n; /* u[lo] <= v < u[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (u[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}
