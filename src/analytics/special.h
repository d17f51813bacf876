/* Special functions for the customer-base models: log-gamma, log-beta, log-sum-exp and the
 * Gaussian hypergeometric function 2F1, evaluated in log scale so that it does not overflow. */
#ifndef LOY_ANALYTICS_SPECIAL_H
#define LOY_ANALYTICS_SPECIAL_H

#include <math.h>
#include <stddef.h>

#include "util/err.h"

/* log|Gamma(x)| (libm lgamma). For x > 0 this is log Gamma(x). */
double loy_lgamma(double x);

/* Digamma psi(x) = d/dx log Gamma(x), for x > 0: the recurrence psi(x) = psi(x+1) - 1/x up to
 * x >= 10, then the asymptotic series (Abramowitz & Stegun 6.3.18) to x^-12; relative error
 * about 1e-15 (absolute error below 1e-15 near the root x = 1.4616). NaN for x <= 0 or NaN. */
double loy_digamma(double x);

/* log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), for a, b > 0. */
double loy_lbeta(double a, double b);

/* log(exp(a) + exp(b)) without overflow; -INFINITY is the neutral element. */
double loy_logaddexp(double a, double b);

/* log(sum exp(v[i])) without overflow; -INFINITY for n == 0. NaN in, NaN out. */
double loy_logsumexp(const double *v, size_t n);

/* The standard normal distribution function Phi(x) = P(Z <= x) = erfc(-x / sqrt 2) / 2 (libm
 * erfc, accurate in both tails: Phi(-10) = 7.6e-24, not 0). A two-sided p-value of a z statistic
 * is 2 Phi(-|z|) = erfc(|z| / sqrt 2). NaN in, NaN out. */
double loy_norm_cdf(double x);

/* Compensated (Neumaier) running sum, for likelihoods summed over many rows, whose rounding
 * would otherwise be noise that an optimiser sees: loy_sum a = {0}; loy_sum_add(&a, v); ...
 * loy_sum_value(&a). */
typedef struct loy_sum {
    double s, c; /* sum and the running compensation */
} loy_sum;

static inline void loy_sum_add(loy_sum *a, double v)
{
    double t = a->s + v;
    a->c += fabs(a->s) >= fabs(v) ? (a->s - t) + v : (v - t) + a->s;
    a->s = t;
}

static inline double loy_sum_value(const loy_sum *a)
{
    return a->s + a->c;
}

/* Gaussian hypergeometric function 2F1(a, b; c; z) for real a, b, c and real z <= 1, returned
 * as log|2F1| in *out_log and its sign (+1, -1, or 0 when the value is exactly 0, with
 * *out_log = -INFINITY) in *out_sign.
 *
 * Method:
 *  - 0 <= z <= 0.5: the Gauss series sum (a)_n (b)_n / ((c)_n n!) z^n, summed with a running
 *    scale factor (terms are renormalised by 1e-200 whenever they pass 1e200, the scale is kept
 *    as a logarithm), so terms far beyond DBL_MAX do not overflow. Before summing, Euler's
 *    transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z) is applied when it turns
 *    a series with terms of both signs into one with positive terms (no cancellation), or,
 *    when both have positive terms, when it makes |a*b| smaller (fewer, smaller terms).
 *  - 0.5 < z < 1: the 1-z transformation (Abramowitz & Stegun 15.3.6) into two series in 1-z.
 *    When c-a-b is within 1e-4 of an integer (where the Gamma factors have poles that cancel)
 *    the value is the Richardson extrapolation of the symmetric averages over b +- h and
 *    b +- 2h (h = 2e-4), which is accurate to O(h^4); in tests the relative error there is
 *    below 1e-9 even for 1-z = 1e-4 (elsewhere it is about 1e-13). When the two terms cancel so
 * that the estimated relative error passes 1e-10 (large parameters) the direct series is summed
 *    instead, with up to 20 million terms.
 *  - z = 1: Gauss's theorem, defined when c-a-b > 0.
 *  - z < 0: Pfaff's transformation 2F1(a,b;c;z) = (1-z)^(-a) 2F1(a,c-b;c;z/(z-1)) maps z into
 *    (0, 1), and the rules above apply (z < -1 lands in (0.5, 1)).
 * Returns 0, or LOY_EINVALID when an argument is not finite, z > 1, z = 1 with c-a-b <= 0,
 * c is a non-positive integer, or the series does not converge. */
int loy_hyp2f1_log(double *out_log, int *out_sign, double a, double b, double c, double z,
                   loy_err *err);

/* 2F1(a, b; c; z) as a plain double (may be +-HUGE_VAL when the value overflows); same
 * arguments and errors as loy_hyp2f1_log. */
int loy_hyp2f1(double *out, double a, double b, double c, double z, loy_err *err);

#endif
