/* Gamma-Gamma spend model: likelihood, fit, conditional expected average spend. */
#include "analytics/gammagamma.h"

#include <math.h>
#include <stdio.h>

#include "analytics/optim.h"

int loy_gammagamma_params_check(const loy_gammagamma_params *p, loy_err *err)
{
    if (!p) return loy_err_set(err, LOY_EINVALID, "params", "Gamma-Gamma parameters missing");
    const double v[3] = {p->p, p->q, p->gamma};
    static const char *const names[3] = {"p", "q", "gamma"};
    for (int i = 0; i < 3; i++)
        if (!isfinite(v[i]) || !(v[i] > 0.0))
            return loy_err_set(err, LOY_EINVALID, names[i], "Gamma-Gamma %s = %g must be > 0",
                               names[i], v[i]);
    return 0;
}

double loy_gammagamma_loglik_one(const loy_gammagamma_params *p, double x, double zbar)
{
    double px = p->p * x;
    return lgamma(px + p->q) - lgamma(px) - lgamma(p->q) + p->q * log(p->gamma) +
           (px - 1.0) * log(zbar) + px * log(x) - (px + p->q) * log(p->gamma + x * zbar);
}

typedef struct {
    const loy_gammagamma_data *d;
    double wsum;
} fit_ctx;

static double neg_mean_ll(const double *th, void *vctx)
{
    const fit_ctx *c = vctx;
    loy_gammagamma_params p = {exp(th[0]), exp(th[1]), exp(th[2])};
    if (loy_gammagamma_params_check(&p, NULL) != 0) return INFINITY;
    double s = 0.0;
    for (size_t i = 0; i < c->d->n; i++) {
        double w = c->d->weight ? c->d->weight[i] : 1.0;
        if (c->d->x[i] > 0.0 && w > 0.0)
            s += w * loy_gammagamma_loglik_one(&p, c->d->x[i], c->d->zbar[i]);
    }
    return -s / c->wsum;
}

int loy_gammagamma_fit(loy_gammagamma_fit_result *out, const loy_gammagamma_data *d,
                       const loy_gammagamma_params *start, loy_err *err)
{
    if (!d || !d->x || !d->zbar)
        return loy_err_set(err, LOY_EINVALID, "data", "no Gamma-Gamma rows");
    double wsum = 0.0, zsum = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], z = d->zbar[i], w = d->weight ? d->weight[i] : 1.0;
        char field[64];
        snprintf(field, sizeof(field), "rows[%zu]", i);
        if (!isfinite(x) || x < 0.0 || x != floor(x))
            return loy_err_set(err, LOY_EINVALID, field, "x = %g is not a whole number >= 0", x);
        if (!isfinite(w) || w < 0.0)
            return loy_err_set(err, LOY_EINVALID, field, "weight %g is negative", w);
        if (x == 0.0 || w == 0.0) continue;
        if (!isfinite(z) || !(z > 0.0))
            return loy_err_set(err, LOY_EINVALID, field, "zbar = %g must be > 0 when x > 0", z);
        wsum += w;
        zsum += w * z;
        used++;
    }
    if (used == 0)
        return loy_err_set(err, LOY_EINVALID, "data", "no customer with x > 0 to fit spend on");
    loy_gammagamma_params s0 = {1.0, 1.0, zsum / wsum};
    if (start) s0 = *start;
    int rc = loy_gammagamma_params_check(&s0, err);
    if (rc != 0) return rc;
    fit_ctx c = {d, wsum};
    double th[3] = {log(s0.p), log(s0.q), log(s0.gamma)};
    loy_optim_opts o = {
        .max_evals = 20000, .ftol = 1e-14, .xtol = 1e-10, .step = 0.5, .restarts = 3};
    loy_optim_result res;
    rc = loy_optim_nelder_mead(&res, th, 3, neg_mean_ll, &c, &o, err);
    if (rc != 0) return rc;
    out->params = (loy_gammagamma_params){exp(th[0]), exp(th[1]), exp(th[2])};
    out->loglik = -res.fmin * wsum;
    out->converged = res.converged;
    out->evals = res.evals;
    out->used = used;
    return 0;
}

int loy_gammagamma_expected_spend(double *out, const loy_gammagamma_params *p, double x,
                                  double zbar, loy_err *err)
{
    int rc = loy_gammagamma_params_check(p, err);
    if (rc != 0) return rc;
    if (!(p->q > 1.0))
        return loy_err_set(err, LOY_EINVALID, "q", "q = %g: the mean spend needs q > 1", p->q);
    if (!isfinite(x) || x < 0.0)
        return loy_err_set(err, LOY_EINVALID, "x", "x = %g must be >= 0", x);
    if (x > 0.0 && (!isfinite(zbar) || zbar < 0.0))
        return loy_err_set(err, LOY_EINVALID, "zbar", "zbar = %g must be >= 0", zbar);
    double xz = x > 0.0 ? x * zbar : 0.0;
    *out = p->p * (p->gamma + xz) / (p->p * x + p->q - 1.0);
    return 0;
}
