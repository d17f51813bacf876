/* BG/BB model for discrete-time repeat transactions (Fader, Hardie & Shang 2010, "Customer-base
 * analysis in a discrete-time noncontractual setting"): likelihood, fit, P(alive). */
#ifndef LOY_ANALYTICS_BGBB_H
#define LOY_ANALYTICS_BGBB_H

#include <stddef.h>

#include "util/err.h"

/* Transaction probability per period p ~ Beta(alpha, beta); dropout probability per period
 * theta ~ Beta(gamma, delta). All > 0. */
typedef struct loy_bgbb_params {
    double alpha, beta, gamma, delta;
} loy_bgbb_params;

/* Borrowed columns, n rows: x transactions in the n_periods opportunities, t_x the period of
 * the last one (0 when x = 0), n_periods, weight (NULL: 1). Whole numbers with
 * 0 <= x <= t_x <= n_periods and t_x >= 1 when x >= 1. */
typedef struct loy_bgbb_data {
    const double *x;
    const double *t_x;
    const double *n_periods;
    const double *weight;
    size_t n;
} loy_bgbb_data;

typedef struct loy_bgbb_fit_result {
    loy_bgbb_params params;
    double loglik;
    int converged;
    size_t evals;
} loy_bgbb_fit_result;

/* Checks that all four params are finite and > 0. Returns 0 or LOY_EINVALID. */
int loy_bgbb_params_check(const loy_bgbb_params *p, loy_err *err);

/* Log-likelihood of one row (eq. 5 of the paper), in log space:
 *   log[ B(a+x, b+n-x)/B(a,b) B(g, d+n)/B(g,d)
 *        + sum_{i=0}^{n-t_x-1} B(a+x, b+t_x-x+i)/B(a,b) B(g+1, d+t_x+i)/B(g,d) ]
 * with (a, b, g, d) = (alpha, beta, gamma, delta). No checks: pass a valid row. */
double loy_bgbb_loglik_one(const loy_bgbb_params *p, double x, double t_x, double n);

/* Weighted total log-likelihood. Returns 0 or LOY_EINVALID (bad params or rows). */
int loy_bgbb_loglik(double *out, const loy_bgbb_params *p, const loy_bgbb_data *d, loy_err *err);

/* Maximum-likelihood fit (Nelder-Mead over log-parameters) from start (NULL: all 1). Returns 0
 * (check out->converged) or LOY_EINVALID. */
int loy_bgbb_fit(loy_bgbb_fit_result *out, const loy_bgbb_data *d, const loy_bgbb_params *start,
                 loy_err *err);

/* P(alive in period n+1 | x, t_x, n) = B(a+x, b+n-x)/B(a,b) B(g, d+n+1)/B(g,d) / L.
 * Returns 0 or LOY_EINVALID. */
int loy_bgbb_p_alive(double *out, const loy_bgbb_params *p, double x, double t_x, double n,
                     loy_err *err);

#endif
