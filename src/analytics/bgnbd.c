/* BG/NBD model (Fader, Hardie & Lee 2005): log-space likelihood, fit, P(alive), expectations. */
#include "analytics/bgnbd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "analytics/optim.h"
#include "analytics/special.h"

#define MAX_CACHED_X  1000000.0
#define SUBSAMPLE_MIN 50000
#define SUBSAMPLE_TO  20000
#define H_TERMS       10000000L

int loy_bgnbd_params_check(const loy_bgnbd_params *p, loy_err *err)
{
    if (!p) return loy_err_set(err, LOY_EINVALID, "params", "BG/NBD parameters missing");
    const double v[4] = {p->r, p->alpha, p->a, p->b};
    static const char *const names[4] = {"r", "alpha", "a", "b"};
    for (int i = 0; i < 4; i++)
        if (!isfinite(v[i]) || !(v[i] > 0.0))
            return loy_err_set(err, LOY_EINVALID, names[i], "BG/NBD %s = %g must be > 0", names[i],
                               v[i]);
    return 0;
}

static int check_row(double x, double t_x, double T, loy_err *err)
{
    if (!isfinite(x) || x < 0.0 || x != floor(x))
        return loy_err_set(err, LOY_EINVALID, "x", "x = %g is not a whole number >= 0", x);
    if (!isfinite(T) || !isfinite(t_x) || t_x < 0.0 || (x > 0.0 && t_x > T))
        return loy_err_set(err, LOY_EINVALID, "t_x", "need 0 <= t_x <= T, got t_x = %g, T = %g",
                           t_x, T);
    if (T < 0.0) return loy_err_set(err, LOY_EINVALID, "T", "T = %g is negative", T);
    return 0;
}

/* Parts of the likelihood that depend on x only. */
static double part_x(const loy_bgnbd_params *p, double x)
{
    return lgamma(p->r + x) - lgamma(p->r) + p->r * log(p->alpha) + lgamma(p->a + p->b) +
           lgamma(p->b + x) - lgamma(p->b) - lgamma(p->a + p->b + x);
}

static double part_rest(const loy_bgnbd_params *p, double x, double t_x, double T, double la_bx)
{
    double l3 = -(p->r + x) * log(p->alpha + T);
    if (x <= 0.0) return l3;
    return loy_logaddexp(l3, la_bx - (p->r + x) * log(p->alpha + t_x));
}

double loy_bgnbd_loglik_one(const loy_bgnbd_params *p, double x, double t_x, double T)
{
    double la_bx = x > 0.0 ? log(p->a) - log(p->b + x - 1.0) : 0.0;
    return part_x(p, x) + part_rest(p, x, t_x, T, la_bx);
}

int loy_bgnbd_loglik(double *out, const loy_bgnbd_params *p, const loy_clvdata *d, loy_err *err)
{
    int rc = loy_bgnbd_params_check(p, err);
    if (rc == 0) rc = loy_clvdata_check(d, err);
    if (rc != 0) return rc;
    double s = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->weight ? d->weight[i] : 1.0;
        if (w > 0.0) s += w * loy_bgnbd_loglik_one(p, d->x[i], d->t_x[i], d->T[i]);
    }
    *out = s;
    return 0;
}

typedef struct {
    const loy_clvdata *d;
    double wsum;
    size_t maxx; /* cache size - 1, 0 when not caching */
    double *cx;  /* part_x per x */
    double *cl;  /* log a - log(b+x-1) per x */
    unsigned char *present;
    size_t nu;        /* distinct times among t_x and T, 0 when not caching */
    double *u;        /* the distinct times, sorted */
    double *lu;       /* log(alpha + u) per eval */
    size_t *itx, *iT; /* per row: index of t_x and of T in u */
} fit_ctx;

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : (a > b ? 1 : 0);
}

static size_t find_time(const double *u, size_t n, double v)
{
    size_t lo = 0, hi = n; /* u[lo] <= v < u[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (u[mid] <= v) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Distinct times of the rows, so that log(alpha + t) is computed once per time per eval. */
static int build_time_cache(fit_ctx *c, const loy_clvdata *g)
{
    c->u = malloc(2 * g->n * sizeof(double));
    c->itx = malloc(g->n * sizeof(size_t));
    c->iT = malloc(g->n * sizeof(size_t));
    if (!c->u || !c->itx || !c->iT) return LOY_ENOMEM;
    for (size_t i = 0; i < g->n; i++) {
        c->u[2 * i] = g->t_x[i];
        c->u[2 * i + 1] = g->T[i];
    }
    qsort(c->u, 2 * g->n, sizeof(double), cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < 2 * g->n; i++)
        if (m == 0 || c->u[i] != c->u[m - 1]) c->u[m++] = c->u[i];
    c->lu = malloc(m * sizeof(double));
    if (!c->lu) return LOY_ENOMEM;
    for (size_t i = 0; i < g->n; i++) {
        c->itx[i] = find_time(c->u, m, g->t_x[i]);
        c->iT[i] = find_time(c->u, m, g->T[i]);
    }
    c->nu = m;
    return 0;
}

static double neg_mean_ll(const double *th, void *vctx)
{
    fit_ctx *c = vctx;
    loy_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    if (!(p.r > 0.0 && p.alpha > 0.0 && p.a > 0.0 && p.b > 0.0) || !isfinite(p.r) ||
        !isfinite(p.alpha) || !isfinite(p.a) || !isfinite(p.b))
        return INFINITY;
    const loy_clvdata *d = c->d;
    double s = 0.0;
    if (c->cx) {
        for (size_t x = 0; x <= c->maxx; x++) {
            if (!c->present[x]) continue;
            c->cx[x] = part_x(&p, (double)x);
            c->cl[x] = x > 0 ? log(p.a) - log(p.b + (double)x - 1.0) : 0.0;
        }
        if (c->nu) {
            for (size_t k = 0; k < c->nu; k++) c->lu[k] = log(p.alpha + c->u[k]);
            for (size_t i = 0; i < d->n; i++) {
                size_t x = (size_t)d->x[i];
                double rx = p.r + d->x[i], l3 = -rx * c->lu[c->iT[i]];
                double l = x > 0 ? loy_logaddexp(l3, c->cl[x] - rx * c->lu[c->itx[i]]) : l3;
                s += d->weight[i] * (c->cx[x] + l);
            }
        } else {
            for (size_t i = 0; i < d->n; i++) {
                size_t x = (size_t)d->x[i];
                s += d->weight[i] *
                     (c->cx[x] + part_rest(&p, d->x[i], d->t_x[i], d->T[i], c->cl[x]));
            }
        }
    } else {
        for (size_t i = 0; i < d->n; i++)
            s += d->weight[i] * loy_bgnbd_loglik_one(&p, d->x[i], d->t_x[i], d->T[i]);
    }
    return -s / c->wsum;
}

/* Fits grouped data g from th (log-params, updated). */
static int fit_grouped(loy_optim_result *res, double *th, const loy_clvdata *g,
                       const loy_optim_opts *o, loy_err *err)
{
    fit_ctx c = {g, 0.0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL};
    double maxx = 0.0;
    for (size_t i = 0; i < g->n; i++) {
        c.wsum += g->weight[i];
        if (g->x[i] > maxx) maxx = g->x[i];
    }
    int rc = 0;
    if (maxx <= MAX_CACHED_X) {
        c.maxx = (size_t)maxx;
        c.cx = malloc((c.maxx + 1) * sizeof(double));
        c.cl = malloc((c.maxx + 1) * sizeof(double));
        c.present = calloc(c.maxx + 1, 1);
        if (!c.cx || !c.cl || !c.present) {
            rc = loy_err_set(err, LOY_ENOMEM, "data", "out of memory fitting BG/NBD");
            goto done;
        }
        for (size_t i = 0; i < g->n; i++) c.present[(size_t)g->x[i]] = 1;
        if (build_time_cache(&c, g) != 0) {
            rc = loy_err_set(err, LOY_ENOMEM, "data", "out of memory fitting BG/NBD");
            goto done;
        }
    }
    rc = loy_optim_nelder_mead(res, th, 4, neg_mean_ll, &c, o, err);
    if (rc == 0) res->fmin *= -c.wsum;
done:
    free(c.cx);
    free(c.cl);
    free(c.present);
    free(c.u);
    free(c.lu);
    free(c.itx);
    free(c.iT);
    return rc;
}

int loy_bgnbd_fit(loy_bgnbd_fit_result *out, const loy_clvdata *d, const loy_bgnbd_params *start,
                  loy_err *err)
{
    loy_bgnbd_params s0 = {1.0, 1.0, 1.0, 1.0};
    if (start) s0 = *start;
    int rc = loy_bgnbd_params_check(&s0, err);
    if (rc != 0) return rc;
    loy_clvdata_owned g = {0}, sub = {0};
    rc = loy_clvdata_group(&g, d, err);
    if (rc != 0) return rc;
    double th[4] = {log(s0.r), log(s0.alpha), log(s0.a), log(s0.b)};
    loy_optim_result res = {0};
    size_t evals = 0;
    loy_optim_opts o = {
        .max_evals = 20000, .ftol = 1e-13, .xtol = 1e-9, .step = 0.5, .restarts = 3};
    if (g.view.n > SUBSAMPLE_MIN) {
        size_t k = d->n / SUBSAMPLE_TO + 1, m = 0;
        for (size_t i = 0; i < d->n; i += k) m++;
        double *cols = malloc(4 * m * sizeof(double));
        if (!cols) {
            rc = loy_err_set(err, LOY_ENOMEM, "data", "out of memory fitting BG/NBD");
            goto done;
        }
        for (size_t i = 0, j = 0; i < d->n; i += k, j++) {
            cols[j] = d->x[i];
            cols[m + j] = d->t_x[i];
            cols[2 * m + j] = d->T[i];
            cols[3 * m + j] = d->weight ? d->weight[i] : 1.0;
        }
        loy_clvdata sd = {cols, cols + m, cols + 2 * m, cols + 3 * m, m};
        rc = loy_clvdata_group(&sub, &sd, err);
        free(cols);
        loy_optim_opts so = {
            .max_evals = 20000, .ftol = 1e-9, .xtol = 1e-5, .step = 0.5, .restarts = 1};
        if (rc == 0) rc = fit_grouped(&res, th, &sub.view, &so, err);
        if (rc != 0) goto done;
        evals += res.evals;
        o.step = 0.05; /* the full fit starts near the optimum */
        o.restarts = 1;
        o.ftol = 1e-12; /* relative to a mean log-likelihood of a few units */
        o.xtol = 1e-7;
    }
    rc = fit_grouped(&res, th, &g.view, &o, err);
    if (rc != 0) goto done;
    out->params = (loy_bgnbd_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    out->loglik = res.fmin;
    out->converged = res.converged;
    out->evals = evals + res.evals;
    out->groups = g.view.n;
done:
    loy_clvdata_free(&sub);
    loy_clvdata_free(&g);
    return rc;
}

/* log of a / (b+x-1) ((alpha+T)/(alpha+t_x))^(r+x), the odds of having dropped out. */
static double log_dead_odds(const loy_bgnbd_params *p, double x, double t_x, double T)
{
    return log(p->a) - log(p->b + x - 1.0) + (p->r + x) * (log(p->alpha + T) - log(p->alpha + t_x));
}

int loy_bgnbd_p_alive(double *out, const loy_bgnbd_params *p, double x, double t_x, double T,
                      loy_err *err)
{
    int rc = loy_bgnbd_params_check(p, err);
    if (rc == 0) rc = check_row(x, t_x, T, err);
    if (rc != 0) return rc;
    *out = x > 0.0 ? 1.0 / (1.0 + exp(log_dead_odds(p, x, t_x, T))) : 1.0;
    return 0;
}

/* H = sum_{n>=1} (A)_n (a)_{n-1} z^n / ((C)_n n!) as log|H| and sign. */
static int series_h(double *out_l, int *out_s, double A, double a, double C, double z)
{
    double term = A * z / C, sum = term, lscale = 0.0;
    for (long n = 1; n < H_TERMS && term != 0.0; n++) {
        double dn = (double)n;
        double ratio = (A + dn) * (a + dn - 1.0) * z / ((C + dn) * (dn + 1.0));
        term *= ratio;
        sum += term;
        if (fabs(sum) > 1e200 || fabs(term) > 1e200) {
            sum /= 1e200;
            term /= 1e200;
            lscale += log(1e200);
        }
        if (fabs(ratio) < 1.0 && fabs(term) <= 0.25 * DBL_EPSILON * (1.0 - z) * fabs(sum)) {
            term = 0.0;
        }
    }
    if (term != 0.0 || !isfinite(sum)) return LOY_EINVALID;
    *out_s = sum > 0.0 ? 1 : (sum < 0.0 ? -1 : 0);
    *out_l = sum != 0.0 ? log(fabs(sum)) + lscale : -INFINITY;
    return 0;
}

int loy_bgnbd_expected(double *out, const loy_bgnbd_params *p, double t, double x, double t_x,
                       double T, loy_err *err)
{
    int rc = loy_bgnbd_params_check(p, err);
    if (rc == 0) rc = check_row(x, t_x, T, err);
    if (rc != 0) return rc;
    if (!isfinite(t) || t < 0.0)
        return loy_err_set(err, LOY_EINVALID, "t", "t = %g must be finite and >= 0", t);
    if (t == 0.0) {
        *out = 0.0;
        return 0;
    }
    double a1 = p->a - 1.0, C = p->a + p->b + x - 1.0, A = p->a + p->b - 1.0 - p->r;
    double u = t / (p->alpha + T);
    double z = t / (p->alpha + T + t), L = -log1p(u); /* L = log(1 - z) */
    double e1 = a1 == 0.0 ? -L : -expm1(a1 * L) / a1;
    double lh;
    int sh;
    if (series_h(&lh, &sh, A, p->a, C, z) != 0)
        return loy_err_set(err, LOY_EINVALID, "t", "BG/NBD expectation for t = %g did not converge",
                           t);
    double bracket = e1 - (sh == 0 ? 0.0 : sh * exp(a1 * L + lh));
    double den = x > 0.0 ? 1.0 + exp(log_dead_odds(p, x, t_x, T)) : 1.0;
    double v = C * bracket / den;
    if (!isfinite(v))
        return loy_err_set(err, LOY_EINVALID, "t", "BG/NBD expectation for t = %g is not finite",
                           t);
    *out = v > 0.0 ? v : 0.0; /* rounding can leave -1e-17 for t near 0 */
    return 0;
}

int loy_bgnbd_expected_new(double *out, const loy_bgnbd_params *p, double t, loy_err *err)
{
    return loy_bgnbd_expected(out, p, t, 0.0, 0.0, 0.0, err);
}
