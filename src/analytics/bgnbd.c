/* BG/NBD model (Fader, Hardie & Lee 2005): log-space likelihood, fit, P(alive), expectations. */
#include "analytics/bgnbd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "analytics/optim.h"
#include "analytics/special.h"

#define MAX_CACHED_X 1000000.0
#define H_TERMS      10000000L
#define BIG_A_Z      1e4 /* above this a z, the expectation sums the textbook series instead */

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
    size_t maxx; /* cache size - 1 when caching per x (cx != NULL) */
    double *cx;  /* part_x per x */
    double *dcx; /* its gradient over log(r, alpha, a, b), 4 per x */
    double *cl;  /* log a - log(b+x-1) per x */
    double *dcl; /* its derivative over log b per x (over log a it is 1) */
    unsigned char *present;
    size_t nu;        /* distinct times among t_x and T */
    double *u;        /* the distinct times, sorted */
    double *lu;       /* log(alpha + u) per eval */
    double *iu;       /* alpha / (alpha + u) per eval */
    size_t *itx, *iT; /* per row: index of t_x and of T in u */
} fit_ctx;

/* Distinct times of the rows, so that log(alpha + t) is computed once per time per eval. */
static int build_time_cache(fit_ctx *c, const loy_clvdata *g)
{
    c->u = malloc(2 * g->n * sizeof(double));
    c->itx = malloc(g->n * sizeof(size_t));
    c->iT = malloc(g->n * sizeof(size_t));
    if (!c->u || !c->itx || !c->iT) return LOY_ENOMEM;
    size_t m = loy_clvdata_times(g, c->u);
    c->lu = malloc(m * sizeof(double));
    c->iu = malloc(m * sizeof(double));
    if (!c->lu || !c->iu) return LOY_ENOMEM;
    for (size_t i = 0; i < g->n; i++) {
        c->itx[i] = loy_clvdata_time_index(c->u, m, g->t_x[i]);
        c->iT[i] = loy_clvdata_time_index(c->u, m, g->T[i]);
    }
    c->nu = m;
    return 0;
}

/* part_x and its gradient over log(r, alpha, a, b); ps = {psi(r), psi(a+b), psi(b), log alpha}. */
static double part_x_grad(double *g, const loy_bgnbd_params *p, double x, const double *ps)
{
    double pabx = loy_digamma(p->a + p->b + x);
    g[0] = p->r * (loy_digamma(p->r + x) - ps[0] + ps[3]);
    g[1] = p->r;
    g[2] = p->a * (ps[1] - pabx);
    g[3] = p->b * (ps[1] + loy_digamma(p->b + x) - ps[2] - pabx);
    return part_x(p, x);
}

/* Negative mean log-likelihood over th = log(r, alpha, a, b) and its analytic gradient. The
 * value is computed as loy_bgnbd_loglik_one does, with the parts that depend on x alone once
 * per distinct x and log(alpha + t) once per distinct time. */
static double neg_mean_ll(double *grad, const double *th, void *vctx)
{
    fit_ctx *c = vctx;
    loy_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    if (!(p.r > 0.0 && p.alpha > 0.0 && p.a > 0.0 && p.b > 0.0) || !isfinite(p.r) ||
        !isfinite(p.alpha) || !isfinite(p.a) || !isfinite(p.b) || p.r > LOY_OPTIM_MAX_SHAPE ||
        p.a > LOY_OPTIM_MAX_SHAPE || p.b > LOY_OPTIM_MAX_SHAPE)
        return INFINITY;
    const double ps[4] = {loy_digamma(p.r), loy_digamma(p.a + p.b), loy_digamma(p.b), log(p.alpha)};
    const double la = log(p.a);
    const loy_clvdata *d = c->d;
    if (c->cx) {
        for (size_t x = 0; x <= c->maxx; x++) {
            if (!c->present[x]) continue;
            c->cx[x] = part_x_grad(c->dcx + 4 * x, &p, (double)x, ps);
            c->cl[x] = x > 0 ? la - log(p.b + (double)x - 1.0) : 0.0;
            c->dcl[x] = x > 0 ? -p.b / (p.b + (double)x - 1.0) : 0.0;
        }
    }
    for (size_t k = 0; k < c->nu; k++) {
        c->lu[k] = log(p.alpha + c->u[k]);
        c->iu[k] = p.alpha / (p.alpha + c->u[k]);
    }
    loy_sum s = {0};
    double gs[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < d->n; i++) {
        double xd = d->x[i], rx = p.r + xd, w = d->weight[i], gx[4], px, cl, dcl;
        size_t x = (size_t)xd, jT = c->iT[i], jt = c->itx[i];
        const double *dpx = gx;
        if (c->cx) {
            px = c->cx[x];
            dpx = c->dcx + 4 * x;
            cl = c->cl[x];
            dcl = c->dcl[x];
        } else {
            px = part_x_grad(gx, &p, xd, ps);
            cl = xd > 0.0 ? la - log(p.b + xd - 1.0) : 0.0;
            dcl = xd > 0.0 ? -p.b / (p.b + xd - 1.0) : 0.0;
        }
        double l3 = -rx * c->lu[jT], l = l3, w4 = 0.0;
        if (xd > 0.0) { /* loy_logaddexp(l3, l4), keeping the weight of l4 */
            double l4 = cl - rx * c->lu[jt], t = exp(-fabs(l3 - l4));
            l = (l3 > l4 ? l3 : l4) + log1p(t);
            w4 = (l3 > l4 ? t : 1.0) / (1.0 + t);
        }
        loy_sum_add(&s, w * (px + l));
        double w3 = 1.0 - w4;
        gs[0] += w * (dpx[0] - p.r * (w3 * c->lu[jT] + w4 * c->lu[jt]));
        gs[1] += w * (dpx[1] - rx * (w3 * c->iu[jT] + w4 * c->iu[jt]));
        gs[2] += w * (dpx[2] + w4);
        gs[3] += w * (dpx[3] + w4 * dcl);
    }
    for (int j = 0; j < 4; j++) grad[j] = -gs[j] / c->wsum;
    return -loy_sum_value(&s) / c->wsum;
}

/* Fits grouped data g from th (log-params, updated); res->fmin is the total log-likelihood. */
static int fit_grouped(loy_optim_result *res, double *th, const loy_clvdata *g,
                       const loy_optim_bfgs_opts *o, loy_err *err)
{
    fit_ctx c = {0};
    c.d = g;
    double maxx = 0.0;
    for (size_t i = 0; i < g->n; i++) {
        c.wsum += g->weight[i];
        if (g->x[i] > maxx) maxx = g->x[i];
    }
    int rc = 0;
    if (maxx <= MAX_CACHED_X) {
        c.maxx = (size_t)maxx;
        c.cx = malloc((c.maxx + 1) * sizeof(double));
        c.dcx = malloc(4 * (c.maxx + 1) * sizeof(double));
        c.cl = malloc((c.maxx + 1) * sizeof(double));
        c.dcl = malloc((c.maxx + 1) * sizeof(double));
        c.present = calloc(c.maxx + 1, 1);
        if (!c.cx || !c.dcx || !c.cl || !c.dcl || !c.present) {
            rc = loy_err_set(err, LOY_ENOMEM, "data", "out of memory fitting BG/NBD");
            goto done;
        }
        for (size_t i = 0; i < g->n; i++) c.present[(size_t)g->x[i]] = 1;
    }
    if (build_time_cache(&c, g) != 0) {
        rc = loy_err_set(err, LOY_ENOMEM, "data", "out of memory fitting BG/NBD");
        goto done;
    }
    rc = loy_optim_bfgs(res, th, 4, neg_mean_ll, &c, o, err);
    if (rc == 0) res->fmin *= -c.wsum;
done:
    free(c.cx);
    free(c.dcx);
    free(c.cl);
    free(c.dcl);
    free(c.present);
    free(c.u);
    free(c.lu);
    free(c.iu);
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
    loy_clvdata_owned g = {0};
    rc = loy_clvdata_group(&g, d, err);
    if (rc != 0) return rc;
    double th[4] = {log(s0.r), log(s0.alpha), log(s0.a), log(s0.b)};
    loy_optim_result res = {0};
    loy_optim_bfgs_opts o = {.max_evals = 2000, .gtol = 1e-10};
    rc = fit_grouped(&res, th, &g.view, &o, err);
    if (rc == 0) {
        out->params = (loy_bgnbd_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
        out->loglik = res.fmin;
        out->converged = res.converged;
        out->evals = res.evals;
        out->groups = g.view.n;
    }
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

/* S = (1 - z)^(r+x) 2F1(r + x, b + x; a + b + x - 1; z) by its Gauss series in log space (the
 * terms are positive and S <= 1, so they neither overflow nor cancel). For very large a and b,
 * where series_h needs about a z terms; the series here converges geometrically at rate about
 * z b / (a + b). */
static int direct_s(double *out, const loy_bgnbd_params *p, double x, double z, double L)
{
    double ra = p->r + x, rb = p->b + x, c = p->a + p->b + x - 1.0;
    double lt = ra * L, sum = exp(lt);
    for (long k = 0; k < H_TERMS; k++) {
        double dk = (double)k;
        double ratio = (ra + dk) * (rb + dk) / ((c + dk) * (dk + 1.0)) * z;
        lt += log(ratio);
        double term = exp(lt);
        sum += term;
        if (ratio < 1.0 && term <= DBL_EPSILON * sum * (1.0 - ratio)) {
            *out = sum;
            return isfinite(sum) ? 0 : LOY_EINVALID;
        }
    }
    return LOY_EINVALID;
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
    double bracket, S;
    /* series_h needs about a z terms: for a large a (a fit gone to near-constant drop-out) the
     * textbook form, whose Gauss series converges at rate about z b / (a + b), is quicker */
    int big = p->a * z > BIG_A_Z && a1 > 0.0;
    if (big && direct_s(&S, p, x, z, L) == 0)
        bracket = (1.0 - S) / a1;
    else if (series_h(&lh, &sh, A, p->a, C, z) == 0)
        bracket = e1 - (sh == 0 ? 0.0 : sh * exp(a1 * L + lh));
    else if (!big && a1 > 0.0 && direct_s(&S, p, x, z, L) == 0)
        bracket = (1.0 - S) / a1;
    else
        return loy_err_set(err, LOY_EINVALID, "t", "BG/NBD expectation for t = %g did not converge",
                           t);
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
