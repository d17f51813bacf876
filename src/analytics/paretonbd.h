/* Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987; likelihood as in
 * Fader & Hardie, "A note on deriving the Pareto/NBD model and related expressions", 2005):
 * likelihood through a log-scaled 2F1, maximum-likelihood fit, P(alive), expected transactions. */
#ifndef LOY_ANALYTICS_PARETONBD_H
#define LOY_ANALYTICS_PARETONBD_H

#include <stddef.h>

#include "analytics/clvdata.h"
#include "util/err.h"

/* Transaction rate lambda ~ Gamma(r, rate alpha); dropout rate mu ~ Gamma(s, rate beta). */
typedef struct loy_paretonbd_params {
    double r, alpha, s, beta;
} loy_paretonbd_params;

typedef struct loy_paretonbd_fit_result {
    loy_paretonbd_params params;
    double loglik;
    int converged;
    size_t evals;
    size_t groups;
} loy_paretonbd_fit_result;

/* Checks that all four params are finite and > 0. Returns 0 or LOY_EINVALID. */
int loy_paretonbd_params_check(const loy_paretonbd_params *p, loy_err *err);

/* Log-likelihood of one customer:
 *   L = Gamma(r+x) alpha^r beta^s / Gamma(r)
 *       * [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s / (r+s+x) * A0 ],
 *   A0 = F(m, k; m+1; z(t_x)) / (M+t_x)^m - F(m, k; m+1; z(T)) / (M+T)^m,   m = r+s+x,
 * with, for alpha >= beta, M = alpha, k = s+1, z(u) = (alpha-beta)/(alpha+u), and for
 * alpha < beta, M = beta, k = r+x, z(u) = (beta-alpha)/(beta+u), so that 0 <= z < 1
 * (F = 2F1, loy_hyp2f1_log). A0 >= 0 is formed in log space as log(e^l1 - e^l2). t_x is taken
 * as 0 when x = 0. Writes the value to *out; returns 0 or LOY_EINVALID (2F1 failed). The
 * caller passes valid params and a valid row. */
int loy_paretonbd_loglik_one(double *out, const loy_paretonbd_params *p, double x, double t_x,
                             double T, loy_err *err);

/* Weighted total log-likelihood of the rows of d. Returns 0 or LOY_EINVALID. */
int loy_paretonbd_loglik(double *out, const loy_paretonbd_params *p, const loy_clvdata *d,
                         loy_err *err);

/* Maximum-likelihood fit from start (NULL: all 1): groups identical rows, then minimises the
 * negative mean log-likelihood over log(r, alpha, s, beta) with loy_optim_bfgs. Each evaluation
 * computes the 2F1 term once per distinct (x, t_x) and (x, T) pair rather than twice per row, and
 * the gradient analytically except for the 2F1 terms' partial derivatives, which are central
 * differences per pair. r and s are kept below LOY_OPTIM_MAX_SHAPE; an evaluation whose 2F1 falls
 * outside its bounds 1 <= F <= (1-z)^-k, or which gives a row with x = 0 a probability above 1,
 * counts as outside the domain (rounding at extreme parameters). Returns 0 (check
 * out->converged), LOY_EINVALID or LOY_ENOMEM. */
int loy_paretonbd_fit(loy_paretonbd_fit_result *out, const loy_clvdata *d,
                      const loy_paretonbd_params *start, loy_err *err);

/* P(alive at T | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0).
 * Returns 0 or LOY_EINVALID. */
int loy_paretonbd_p_alive(double *out, const loy_paretonbd_params *p, double x, double t_x,
                          double T, loy_err *err);

/* E[X(T, T+t] | x, t_x, T] = P(alive) (r+x)(beta+T) / ((alpha+T)(s-1))
 *                            * [1 - ((beta+T)/(beta+T+t))^(s-1)],
 * computed as P(alive) (r+x)/(alpha+T) (beta+T) (-expm1(-(s-1) ln(1+t/(beta+T)))/(s-1)), which
 * is continuous through s = 1. Returns 0 or LOY_EINVALID. */
int loy_paretonbd_expected(double *out, const loy_paretonbd_params *p, double t, double x,
                           double t_x, double T, loy_err *err);

#endif
