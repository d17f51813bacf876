/* Special functions for the customer-base models: log-gamma, log-beta, log-sum-exp and a
 * log-scaled Gaussian hypergeometric 2F1 (method in special.h). */
#include "analytics/special.h"

#include <float.h>
#include <math.h>

#define SCALE_UP       1e200
#define SERIES_TERMS   200000L
#define FALLBACK_TERMS 20000000L
#define NEAR_INT       1e-4
#define RICH_H         2e-4
#define MAX_REL_ERR    1e-10 /* estimated error tolerated before falling back to the series */

enum { NOT_CONVERGED = 1 };

typedef struct {
    double l; /* log of the magnitude */
    int s;    /* sign: -1, 0, +1 */
} slog;

double loy_lgamma(double x)
{
    return lgamma(x);
}

double loy_digamma(double x)
{
    if (!(x > 0.0)) return NAN;
    double acc = 0.0;
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    double t =
        f *
        (-1.0 / 12.0 +
         f * (1.0 / 120.0 +
              f * (-1.0 / 252.0 + f * (1.0 / 240.0 + f * (-1.0 / 132.0 + f * (691.0 / 32760.0))))));
    return acc + log(x) - 0.5 / x + t;
}

double loy_norm_cdf(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

double loy_lbeta(double a, double b)
{
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}

double loy_logaddexp(double a, double b)
{
    if (isnan(a) || isnan(b)) return NAN;
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    if (a == INFINITY || b == INFINITY) return INFINITY;
    double m = a > b ? a : b;
    return m + log1p(exp(-fabs(a - b)));
}

double loy_logsumexp(const double *v, size_t n)
{
    double m = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) return NAN;
        if (v[i] > m) m = v[i];
    }
    if (m == -INFINITY || m == INFINITY) return m;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += exp(v[i] - m);
    return m + log(s);
}

static int is_nonpos_int(double x)
{
    return x <= 0.0 && x == floor(x);
}

/* log|Gamma(x)| and the sign of Gamma(x); sign 0 at the poles (non-positive integers). */
static double lgamma_sign(double x, int *sign)
{
    if (x > 0.0) {
        *sign = 1;
        return lgamma(x);
    }
    if (x == floor(x)) {
        *sign = 0;
        return INFINITY;
    }
    *sign = fmod(floor(x), 2.0) != 0.0 ? -1 : 1;
    return lgamma(x);
}

static slog slog_add(slog x, slog y)
{
    if (x.s == 0) return y;
    if (y.s == 0) return x;
    slog hi = x.l >= y.l ? x : y;
    slog lo = x.l >= y.l ? y : x;
    double d = exp(lo.l - hi.l);
    slog out = {hi.l, hi.s};
    if (hi.s == lo.s) {
        out.l += log1p(d);
    } else if (d == 1.0) {
        out.l = -INFINITY;
        out.s = 0;
    } else {
        out.l += log1p(-d);
    }
    return out;
}

/* Plain Gauss series with a running log scale; 0 <= |z| < 1. */
static int series(slog *out, double a, double b, double c, double z, long max_terms)
{
    double sum = 1.0, term = 1.0, lscale = 0.0;
    double tol = DBL_EPSILON * 0.25 * (1.0 - fabs(z));
    for (long n = 0; n < max_terms; n++) {
        double dn = (double)n;
        double den = (c + dn) * (dn + 1.0);
        if (den == 0.0) return LOY_EINVALID;
        double ratio = (a + dn) * (b + dn) / den * z;
        term *= ratio;
        sum += term;
        if (term == 0.0) break;
        if (fabs(sum) > SCALE_UP || fabs(term) > SCALE_UP) {
            sum /= SCALE_UP;
            term /= SCALE_UP;
            lscale += log(SCALE_UP);
        }
        if (fabs(ratio) < 1.0 && fabs(term) <= tol * fabs(sum)) break;
        if (n + 1 == max_terms) return NOT_CONVERGED;
    }
    if (!isfinite(sum)) return LOY_EINVALID;
    if (sum == 0.0) {
        *out = (slog){-INFINITY, 0};
    } else {
        *out = (slog){log(fabs(sum)) + lscale, sum > 0.0 ? 1 : -1};
    }
    return 0;
}

/* Series, after Euler's transformation when that avoids terms of both signs (cancellation) or,
 * when both forms have terms of one sign, when it makes |a*b| smaller. */
static int series_best(slog *out, double a, double b, double c, double z, long max_terms)
{
    int pos = a > 0.0 && b > 0.0 && c > 0.0;
    int epos = c - a > 0.0 && c - b > 0.0 && c > 0.0;
    int euler = pos == epos ? fabs((c - a) * (c - b)) < fabs(a * b) : epos;
    if (euler) {
        int rc = series(out, c - a, c - b, c, z, max_terms);
        if (rc == 0 && out->s != 0) out->l += (c - a - b) * log1p(-z);
        return rc;
    }
    return series(out, a, b, c, z, max_terms);
}

/* The 1-z transformation when c-a-b is not an integer; 0.5 < z < 1. Sets *cancel when the two
 * terms cancel badly. */
static int one_minus_z(slog *out, int *cancel, double a, double b, double c, double z)
{
    double m = c - a - b, w = 1.0 - z, lw = log(w);
    int sc, sm, smm, sca, scb, sa, sb;
    double lc = lgamma_sign(c, &sc), lm = lgamma_sign(m, &sm), lmm = lgamma_sign(-m, &smm);
    double lca = lgamma_sign(c - a, &sca), lcb = lgamma_sign(c - b, &scb);
    double la = lgamma_sign(a, &sa), lb = lgamma_sign(b, &sb);
    slog t1 = {-INFINITY, 0}, t2 = {-INFINITY, 0};
    int rc;
    if (sca != 0 && scb != 0) {
        slog f;
        rc = series_best(&f, a, b, 1.0 - m, w, SERIES_TERMS);
        if (rc != 0) return rc;
        t1 = (slog){lc + lm - lca - lcb + f.l, sc * sm * sca * scb * f.s};
    }
    if (sa != 0 && sb != 0) {
        slog f;
        rc = series_best(&f, c - a, c - b, 1.0 + m, w, SERIES_TERMS);
        if (rc != 0) return rc;
        t2 = (slog){m * lw + lc + lmm - la - lb + f.l, sc * smm * sa * sb * f.s};
    }
    *out = slog_add(t1, t2);
    /* rounding error of each term relative to the sum: lgamma of large arguments carries an
     * absolute error of about eps * |lgamma|, which exp() turns into a relative one */
    double e1 = DBL_EPSILON * (4.0 + fabs(lc) + fabs(lm) + fabs(lca) + fabs(lcb));
    double e2 = DBL_EPSILON * (4.0 + fabs(lc) + fabs(lmm) + fabs(la) + fabs(lb) + fabs(m * lw));
    double est = 0.0;
    if (out->s == 0) {
        est = INFINITY;
    } else {
        if (t1.s != 0) est += exp(t1.l - out->l) * e1;
        if (t2.s != 0) est += exp(t2.l - out->l) * e2;
    }
    *cancel = t1.s != 0 && t2.s != 0 && est > MAX_REL_ERR;
    return 0;
}

/* 2F1 for 0 <= z < 1. */
static int hyp_unit(slog *out, double a, double b, double c, double z)
{
    if (z <= 0.5) {
        int rc = series_best(out, a, b, c, z, SERIES_TERMS);
        return rc == NOT_CONVERGED ? series_best(out, a, b, c, z, FALLBACK_TERMS) : rc;
    }
    double m = c - a - b, k = nearbyint(m);
    int cancel = 0, rc;
    if (fabs(m - k) >= NEAR_INT) {
        rc = one_minus_z(out, &cancel, a, b, c, z);
    } else {
        /* Richardson: A(h) = (F(b+h) + F(b-h)) / 2, F(b) ~ (4 A(h) - A(2h)) / 3 */
        slog v[4];
        const double hs[4] = {RICH_H, -RICH_H, 2.0 * RICH_H, -2.0 * RICH_H};
        for (int i = 0; i < 4 && !cancel; i++) {
            int ci = 0;
            rc = one_minus_z(&v[i], &ci, a, b + hs[i], c, z);
            if (rc != 0) return rc;
            cancel |= ci;
        }
        if (!cancel) {
            double ref = v[0].l;
            if (!isfinite(ref)) ref = v[2].l;
            if (!isfinite(ref)) ref = 0.0;
            double e[4];
            for (int i = 0; i < 4; i++) e[i] = v[i].s == 0 ? 0.0 : v[i].s * exp(v[i].l - ref);
            double val = (4.0 * (e[0] + e[1]) / 2.0 - (e[2] + e[3]) / 2.0) / 3.0;
            if (val == 0.0) {
                *out = (slog){-INFINITY, 0};
            } else {
                *out = (slog){ref + log(fabs(val)), val > 0.0 ? 1 : -1};
            }
        }
        rc = 0;
    }
    if (rc == 0 && cancel) rc = series_best(out, a, b, c, z, FALLBACK_TERMS);
    return rc;
}

int loy_hyp2f1_log(double *out_log, int *out_sign, double a, double b, double c, double z,
                   loy_err *err)
{
    if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(z))
        return loy_err_set(err, LOY_EINVALID, "hyp2f1", "2F1: arguments must be finite");
    if (z > 1.0) return loy_err_set(err, LOY_EINVALID, "z", "2F1: z = %g is above 1", z);
    if (is_nonpos_int(c))
        return loy_err_set(err, LOY_EINVALID, "c", "2F1: c = %g is a non-positive integer", c);
    slog r = {0.0, 1};
    int rc = 0;
    if (z == 0.0 || a == 0.0 || b == 0.0) {
        r = (slog){0.0, 1};
    } else if (z == 1.0) {
        if (c - a - b <= 0.0)
            return loy_err_set(err, LOY_EINVALID, "z", "2F1 diverges at z = 1 when c-a-b <= 0");
        int sc, sm, sca, scb;
        double l = lgamma_sign(c, &sc) + lgamma_sign(c - a - b, &sm);
        double lca = lgamma_sign(c - a, &sca), lcb = lgamma_sign(c - b, &scb);
        if (sca == 0 || scb == 0) {
            r = (slog){-INFINITY, 0};
        } else {
            r = (slog){l - lca - lcb, sc * sm * sca * scb};
        }
    } else if (z < 0.0) {
        rc = hyp_unit(&r, a, c - b, c, z / (z - 1.0));
        if (rc == 0 && r.s != 0) r.l -= a * log1p(-z);
    } else {
        rc = hyp_unit(&r, a, b, c, z);
    }
    if (rc != 0 || isnan(r.l))
        return loy_err_set(err, LOY_EINVALID, "hyp2f1", "2F1(%g, %g; %g; %g) did not converge", a,
                           b, c, z);
    *out_log = r.l;
    *out_sign = r.s;
    return 0;
}

int loy_hyp2f1(double *out, double a, double b, double c, double z, loy_err *err)
{
    double l;
    int s;
    int rc = loy_hyp2f1_log(&l, &s, a, b, c, z, err);
    if (rc != 0) return rc;
    *out = s == 0 ? 0.0 : s * exp(l);
    return 0;
}
