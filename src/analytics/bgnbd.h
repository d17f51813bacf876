/* BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the easy
 * way"): likelihood, maximum-likelihood fit, P(alive) and expected transactions. */
#ifndef LOY_ANALYTICS_BGNBD_H
#define LOY_ANALYTICS_BGNBD_H

#include <stddef.h>

#include "analytics/clvdata.h"
#include "util/err.h"

/* Transaction rate lambda ~ Gamma(shape r, rate alpha); dropout probability after each
 * transaction p ~ Beta(a, b). All four are > 0. */
typedef struct loy_bgnbd_params {
    double r, alpha, a, b;
} loy_bgnbd_params;

typedef struct loy_bgnbd_fit_result {
    loy_bgnbd_params params;
    double loglik; /* total (weighted) log-likelihood at params */
    int converged; /* the optimiser met its tolerances */
    size_t evals;  /* likelihood evaluations */
    size_t groups; /* distinct (x, t_x, T) rows the fit worked on */
} loy_bgnbd_fit_result;

/* Log-likelihood of one customer (x repeat transactions, the last at t_x, observed for T),
 * computed in log space:
 *   log[ Gamma(r+x) alpha^r / Gamma(r) * B(a, b+x) / B(a, b)
 *        * ((alpha+T)^-(r+x) + [x > 0] a / (b+x-1) * (alpha+t_x)^-(r+x)) ]
 * Finite for any valid params and row (x = 0, large x, T = 0, a + b < 1). No checks: the caller
 * passes valid values (see loy_clvdata_check). */
double loy_bgnbd_loglik_one(const loy_bgnbd_params *p, double x, double t_x, double T);

/* Weighted total log-likelihood of the rows of d. Returns 0 or LOY_EINVALID (bad params or
 * rows). */
int loy_bgnbd_loglik(double *out, const loy_bgnbd_params *p, const loy_clvdata *d, loy_err *err);

/* Maximum-likelihood fit: groups identical rows (loy_clvdata_group), then minimises the
 * negative mean log-likelihood over log(r, alpha, a, b) with loy_optim_bfgs and the analytic
 * gradient (lgamma and digamma once per distinct x, log(alpha + t) once per distinct time, the
 * sum compensated) from start (NULL: r = alpha = a = b = 1); r, a and b are kept below
 * LOY_OPTIM_MAX_SHAPE. Returns 0 (check out->converged), LOY_EINVALID or LOY_ENOMEM. */
int loy_bgnbd_fit(loy_bgnbd_fit_result *out, const loy_clvdata *d, const loy_bgnbd_params *start,
                  loy_err *err);

/* P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a / (b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)).
 * Returns 0 or LOY_EINVALID. */
int loy_bgnbd_p_alive(double *out, const loy_bgnbd_params *p, double x, double t_x, double T,
                      loy_err *err);

/* E[X(T, T+t] | x, t_x, T]: expected transactions in the next t, eq. (10) of the paper:
 *   (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
 *   / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)),   z = t / (alpha+T+t).
 * Evaluated after Euler's transformation, (1-z)^(r+x) 2F1(r+x,b+x;c;z) =
 * (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z), with the factor 1/(a-1) taken into the series so that
 * a = 1 needs no special case and large x does not overflow. Returns 0 or LOY_EINVALID. */
int loy_bgnbd_expected(double *out, const loy_bgnbd_params *p, double t, double x, double t_x,
                       double T, loy_err *err);

/* E[X(t)] for a new customer: (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1;
 * t/(alpha+t))], the case x = t_x = T = 0 of loy_bgnbd_expected. Returns 0 or LOY_EINVALID. */
int loy_bgnbd_expected_new(double *out, const loy_bgnbd_params *p, double t, loy_err *err);

/* Checks that all four params are finite and > 0. Returns 0 or LOY_EINVALID. */
int loy_bgnbd_params_check(const loy_bgnbd_params *p, loy_err *err);

#endif
