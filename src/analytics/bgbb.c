/* BG/BB model: log-space likelihood, fit, P(alive). */
#include "analytics/bgbb.h"

#include <math.h>
#include <stdio.h>

#include "analytics/optim.h"
#include "analytics/special.h"

int loy_bgbb_params_check(const loy_bgbb_params *p, loy_err *err)
{
    if (!p) return loy_err_set(err, LOY_EINVALID, "params", "BG/BB parameters missing");
    const double v[4] = {p->alpha, p->beta, p->gamma, p->delta};
    static const char *const names[4] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < 4; i++)
        if (!isfinite(v[i]) || !(v[i] > 0.0))
            return loy_err_set(err, LOY_EINVALID, names[i], "BG/BB %s = %g must be > 0", names[i],
                               v[i]);
    return 0;
}

static int check_data(const loy_bgbb_data *d, loy_err *err)
{
    if (!d || !d->x || !d->t_x || !d->n_periods || d->n == 0)
        return loy_err_set(err, LOY_EINVALID, "data", "no BG/BB rows");
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], tx = d->t_x[i], n = d->n_periods[i];
        double w = d->weight ? d->weight[i] : 1.0;
        char field[64];
        snprintf(field, sizeof(field), "rows[%zu]", i);
        if (!isfinite(x) || !isfinite(tx) || !isfinite(n) || !isfinite(w) || x != floor(x) ||
            tx != floor(tx) || n != floor(n))
            return loy_err_set(err, LOY_EINVALID, field, "values must be whole numbers");
        if (x < 0.0 || x > tx || tx > n || (x > 0.0 && tx < 1.0))
            return loy_err_set(err, LOY_EINVALID, field,
                               "need 0 <= x <= t_x <= n, got x = %g, t_x = %g, n = %g", x, tx, n);
        if (w < 0.0) return loy_err_set(err, LOY_EINVALID, field, "weight %g is negative", w);
    }
    return 0;
}

double loy_bgbb_loglik_one(const loy_bgbb_params *p, double x, double t_x, double n)
{
    double a = p->alpha, b = p->beta, g = p->gamma, d = p->delta;
    double lab = loy_lbeta(a, b), lgd = loy_lbeta(g, d);
    double l = loy_lbeta(a + x, b + n - x) - lab + loy_lbeta(g, d + n) - lgd;
    for (double i = 0.0; i <= n - t_x - 1.0; i += 1.0)
        l = loy_logaddexp(l, loy_lbeta(a + x, b + t_x - x + i) - lab +
                                 loy_lbeta(g + 1.0, d + t_x + i) - lgd);
    return l;
}

int loy_bgbb_loglik(double *out, const loy_bgbb_params *p, const loy_bgbb_data *d, loy_err *err)
{
    int rc = loy_bgbb_params_check(p, err);
    if (rc == 0) rc = check_data(d, err);
    if (rc != 0) return rc;
    double s = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->weight ? d->weight[i] : 1.0;
        if (w > 0.0) s += w * loy_bgbb_loglik_one(p, d->x[i], d->t_x[i], d->n_periods[i]);
    }
    *out = s;
    return 0;
}

typedef struct {
    const loy_bgbb_data *d;
    double wsum;
} fit_ctx;

static double neg_mean_ll(const double *th, void *vctx)
{
    const fit_ctx *c = vctx;
    loy_bgbb_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    if (loy_bgbb_params_check(&p, NULL) != 0) return INFINITY;
    double s = 0.0;
    for (size_t i = 0; i < c->d->n; i++) {
        double w = c->d->weight ? c->d->weight[i] : 1.0;
        if (w > 0.0) s += w * loy_bgbb_loglik_one(&p, c->d->x[i], c->d->t_x[i], c->d->n_periods[i]);
    }
    return -s / c->wsum;
}

int loy_bgbb_fit(loy_bgbb_fit_result *out, const loy_bgbb_data *d, const loy_bgbb_params *start,
                 loy_err *err)
{
    loy_bgbb_params s0 = {1.0, 1.0, 1.0, 1.0};
    if (start) s0 = *start;
    int rc = loy_bgbb_params_check(&s0, err);
    if (rc == 0) rc = check_data(d, err);
    if (rc != 0) return rc;
    fit_ctx c = {d, 0.0};
    for (size_t i = 0; i < d->n; i++) c.wsum += d->weight ? d->weight[i] : 1.0;
    if (!(c.wsum > 0.0)) return loy_err_set(err, LOY_EINVALID, "weight", "all weights are zero");
    double th[4] = {log(s0.alpha), log(s0.beta), log(s0.gamma), log(s0.delta)};
    loy_optim_opts o = {
        .max_evals = 20000, .ftol = 1e-14, .xtol = 1e-10, .step = 0.5, .restarts = 3};
    loy_optim_result res;
    rc = loy_optim_nelder_mead(&res, th, 4, neg_mean_ll, &c, &o, err);
    if (rc != 0) return rc;
    out->params = (loy_bgbb_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    out->loglik = -res.fmin * c.wsum;
    out->converged = res.converged;
    out->evals = res.evals;
    return 0;
}

int loy_bgbb_p_alive(double *out, const loy_bgbb_params *p, double x, double t_x, double n,
                     loy_err *err)
{
    double w = 1.0;
    loy_bgbb_data one = {&x, &t_x, &n, &w, 1};
    int rc = loy_bgbb_params_check(p, err);
    if (rc == 0) rc = check_data(&one, err);
    if (rc != 0) return rc;
    double l = loy_lbeta(p->alpha + x, p->beta + n - x) - loy_lbeta(p->alpha, p->beta) +
               loy_lbeta(p->gamma, p->delta + n + 1.0) - loy_lbeta(p->gamma, p->delta);
    *out = exp(l - loy_bgbb_loglik_one(p, x, t_x, n));
    return 0;
}
