/* Pareto/NBD model: likelihood via the log-scaled 2F1, fit, P(alive), expected transactions. */
#include "analytics/paretonbd.h"

#include <math.h>

#include "analytics/optim.h"
#include "analytics/special.h"

int loy_paretonbd_params_check(const loy_paretonbd_params *p, loy_err *err)
{
    if (!p) return loy_err_set(err, LOY_EINVALID, "params", "Pareto/NBD parameters missing");
    const double v[4] = {p->r, p->alpha, p->s, p->beta};
    static const char *const names[4] = {"r", "alpha", "s", "beta"};
    for (int i = 0; i < 4; i++)
        if (!isfinite(v[i]) || !(v[i] > 0.0))
            return loy_err_set(err, LOY_EINVALID, names[i], "Pareto/NBD %s = %g must be > 0",
                               names[i], v[i]);
    return 0;
}

static int check_row(double x, double t_x, double T, loy_err *err)
{
    if (!isfinite(x) || x < 0.0 || x != floor(x))
        return loy_err_set(err, LOY_EINVALID, "x", "x = %g is not a whole number >= 0", x);
    if (!isfinite(T) || T < 0.0) return loy_err_set(err, LOY_EINVALID, "T", "T = %g is bad", T);
    if (!isfinite(t_x) || t_x < 0.0 || (x > 0.0 && t_x > T))
        return loy_err_set(err, LOY_EINVALID, "t_x", "need 0 <= t_x <= T, got t_x = %g, T = %g",
                           t_x, T);
    return 0;
}

/* log A0 (see the header); -INFINITY when A0 = 0. */
static int log_a0(double *out, const loy_paretonbd_params *p, double x, double t_x, double T,
                  loy_err *err)
{
    double m = p->r + p->s + x, M, k, diff;
    if (p->alpha >= p->beta) {
        M = p->alpha;
        k = p->s + 1.0;
        diff = p->alpha - p->beta;
    } else {
        M = p->beta;
        k = p->r + x;
        diff = p->beta - p->alpha;
    }
    double f1, f2;
    int s1, s2;
    int rc = loy_hyp2f1_log(&f1, &s1, m, k, m + 1.0, diff / (M + t_x), err);
    if (rc == 0) rc = loy_hyp2f1_log(&f2, &s2, m, k, m + 1.0, diff / (M + T), err);
    if (rc != 0) return rc;
    double l1 = f1 - m * log(M + t_x), l2 = f2 - m * log(M + T);
    *out = l2 < l1 ? l1 + log(-expm1(l2 - l1)) : -INFINITY;
    return 0;
}

int loy_paretonbd_loglik_one(double *out, const loy_paretonbd_params *p, double x, double t_x,
                             double T, loy_err *err)
{
    if (x <= 0.0) t_x = 0.0;
    double la0;
    int rc = log_a0(&la0, p, x, t_x, T, err);
    if (rc != 0) return rc;
    double head = lgamma(p->r + x) - lgamma(p->r) + p->r * log(p->alpha) + p->s * log(p->beta);
    double first = -(p->r + x) * log(p->alpha + T) - p->s * log(p->beta + T);
    double second = log(p->s) - log(p->r + p->s + x) + la0;
    *out = head + loy_logaddexp(first, second);
    return 0;
}

int loy_paretonbd_loglik(double *out, const loy_paretonbd_params *p, const loy_clvdata *d,
                         loy_err *err)
{
    int rc = loy_paretonbd_params_check(p, err);
    if (rc == 0) rc = loy_clvdata_check(d, err);
    if (rc != 0) return rc;
    double s = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->weight ? d->weight[i] : 1.0, v;
        if (!(w > 0.0)) continue;
        rc = loy_paretonbd_loglik_one(&v, p, d->x[i], d->t_x[i], d->T[i], err);
        if (rc != 0) return rc;
        s += w * v;
    }
    *out = s;
    return 0;
}

typedef struct {
    const loy_clvdata *d;
    double wsum;
} fit_ctx;

static double neg_mean_ll(const double *th, void *vctx)
{
    const fit_ctx *c = vctx;
    loy_paretonbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    if (loy_paretonbd_params_check(&p, NULL) != 0) return INFINITY;
    double s = 0.0, v;
    for (size_t i = 0; i < c->d->n; i++) {
        if (loy_paretonbd_loglik_one(&v, &p, c->d->x[i], c->d->t_x[i], c->d->T[i], NULL) != 0)
            return INFINITY;
        s += c->d->weight[i] * v;
    }
    return -s / c->wsum;
}

int loy_paretonbd_fit(loy_paretonbd_fit_result *out, const loy_clvdata *d,
                      const loy_paretonbd_params *start, loy_err *err)
{
    loy_paretonbd_params s0 = {1.0, 1.0, 1.0, 1.0};
    if (start) s0 = *start;
    int rc = loy_paretonbd_params_check(&s0, err);
    if (rc != 0) return rc;
    loy_clvdata_owned g = {0};
    rc = loy_clvdata_group(&g, d, err);
    if (rc != 0) return rc;
    fit_ctx c = {&g.view, 0.0};
    for (size_t i = 0; i < g.view.n; i++) c.wsum += g.view.weight[i];
    double th[4] = {log(s0.r), log(s0.alpha), log(s0.s), log(s0.beta)};
    loy_optim_opts o = {
        .max_evals = 20000, .ftol = 1e-13, .xtol = 1e-9, .step = 0.5, .restarts = 3};
    loy_optim_result res;
    rc = loy_optim_nelder_mead(&res, th, 4, neg_mean_ll, &c, &o, err);
    if (rc == 0) {
        out->params = (loy_paretonbd_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
        out->loglik = -res.fmin * c.wsum;
        out->converged = res.converged;
        out->evals = res.evals;
        out->groups = g.view.n;
    }
    loy_clvdata_free(&g);
    return rc;
}

int loy_paretonbd_p_alive(double *out, const loy_paretonbd_params *p, double x, double t_x,
                          double T, loy_err *err)
{
    int rc = loy_paretonbd_params_check(p, err);
    if (rc == 0) rc = check_row(x, t_x, T, err);
    if (rc != 0) return rc;
    if (x <= 0.0) t_x = 0.0;
    double la0;
    rc = log_a0(&la0, p, x, t_x, T, err);
    if (rc != 0) return rc;
    double lodds = log(p->s) - log(p->r + p->s + x) + (p->r + x) * log(p->alpha + T) +
                   p->s * log(p->beta + T) + la0;
    *out = 1.0 / (1.0 + exp(lodds));
    return 0;
}

int loy_paretonbd_expected(double *out, const loy_paretonbd_params *p, double t, double x,
                           double t_x, double T, loy_err *err)
{
    double pa;
    int rc = loy_paretonbd_p_alive(&pa, p, x, t_x, T, err);
    if (rc != 0) return rc;
    if (!isfinite(t) || t < 0.0)
        return loy_err_set(err, LOY_EINVALID, "t", "t = %g must be finite and >= 0", t);
    double s1 = p->s - 1.0, L = log1p(t / (p->beta + T));
    double g = s1 == 0.0 ? L : -expm1(-s1 * L) / s1;
    *out = pa * (p->r + x) / (p->alpha + T) * (p->beta + T) * g;
    return 0;
}
