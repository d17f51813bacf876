/* Nelder-Mead simplex minimiser with restarts; deterministic, no allocation. */
#include "analytics/optim.h"

#include <math.h>
#include <string.h>

typedef struct {
    loy_optim_fn f;
    void *ctx;
    size_t evals;
} counter;

static double eval(counter *c, const double *x)
{
    c->evals++;
    double v = c->f(x, c->ctx);
    return isnan(v) ? INFINITY : v;
}

/* One Nelder-Mead run from x0; returns 1 when the tolerances were met. */
static int run(counter *c, double *x0, double *f0, size_t n, const loy_optim_opts *o)
{
    double s[LOY_OPTIM_MAXDIM + 1][LOY_OPTIM_MAXDIM], fs[LOY_OPTIM_MAXDIM + 1];
    double cen[LOY_OPTIM_MAXDIM], xr[LOY_OPTIM_MAXDIM], xe[LOY_OPTIM_MAXDIM];
    memcpy(s[0], x0, n * sizeof(double));
    fs[0] = *f0;
    for (size_t i = 1; i <= n; i++) {
        memcpy(s[i], x0, n * sizeof(double));
        s[i][i - 1] += o->step;
        fs[i] = eval(c, s[i]);
        if (!isfinite(fs[i])) { /* step outside the domain: try the other side */
            s[i][i - 1] = x0[i - 1] - o->step;
            fs[i] = eval(c, s[i]);
        }
    }
    int ok = 0;
    while (c->evals < o->max_evals) {
        /* order: insertion sort by value, ties keep order (deterministic) */
        for (size_t i = 1; i <= n; i++) {
            for (size_t j = i; j > 0 && fs[j] < fs[j - 1]; j--) {
                double t = fs[j];
                fs[j] = fs[j - 1];
                fs[j - 1] = t;
                for (size_t k = 0; k < n; k++) {
                    t = s[j][k];
                    s[j][k] = s[j - 1][k];
                    s[j - 1][k] = t;
                }
            }
        }
        double spread = fs[n] - fs[0], dx = 0.0;
        for (size_t i = 1; i <= n; i++)
            for (size_t k = 0; k < n; k++) dx = fmax(dx, fabs(s[i][k] - s[0][k]));
        if (spread <= o->ftol && dx <= o->xtol) {
            ok = 1;
            break;
        }
        for (size_t k = 0; k < n; k++) {
            cen[k] = 0.0;
            for (size_t i = 0; i < n; i++) cen[k] += s[i][k];
            cen[k] /= (double)n;
        }
        for (size_t k = 0; k < n; k++) xr[k] = cen[k] + (cen[k] - s[n][k]);
        double fr = eval(c, xr);
        if (fr < fs[0]) {
            for (size_t k = 0; k < n; k++) xe[k] = cen[k] + 2.0 * (cen[k] - s[n][k]);
            double fe = eval(c, xe);
            if (fe < fr) {
                memcpy(s[n], xe, n * sizeof(double));
                fs[n] = fe;
            } else {
                memcpy(s[n], xr, n * sizeof(double));
                fs[n] = fr;
            }
            continue;
        }
        if (fr < fs[n - 1]) {
            memcpy(s[n], xr, n * sizeof(double));
            fs[n] = fr;
            continue;
        }
        /* contraction: outside if the reflected point beats the worst, else inside */
        int outside = fr < fs[n];
        for (size_t k = 0; k < n; k++)
            xe[k] = outside ? cen[k] + 0.5 * (xr[k] - cen[k]) : cen[k] + 0.5 * (s[n][k] - cen[k]);
        double fc = eval(c, xe);
        if (fc < (outside ? fr : fs[n])) {
            memcpy(s[n], xe, n * sizeof(double));
            fs[n] = fc;
            continue;
        }
        for (size_t i = 1; i <= n; i++) { /* shrink towards the best vertex */
            for (size_t k = 0; k < n; k++) s[i][k] = s[0][k] + 0.5 * (s[i][k] - s[0][k]);
            fs[i] = eval(c, s[i]);
        }
    }
    size_t best = 0;
    for (size_t i = 1; i <= n; i++)
        if (fs[i] < fs[best]) best = i;
    memcpy(x0, s[best], n * sizeof(double));
    *f0 = fs[best];
    return ok;
}

int loy_optim_nelder_mead(loy_optim_result *out, double *x, size_t n, loy_optim_fn f, void *ctx,
                          const loy_optim_opts *opts, loy_err *err)
{
    if (n < 1 || n > LOY_OPTIM_MAXDIM)
        return loy_err_set(err, LOY_EINVALID, "n", "optimiser: dimension %zu is not in 1..%d", n,
                           LOY_OPTIM_MAXDIM);
    loy_optim_opts o = {0};
    if (opts) o = *opts;
    if (o.max_evals == 0) o.max_evals = 20000;
    if (!(o.ftol > 0.0)) o.ftol = 1e-12;
    if (!(o.xtol > 0.0)) o.xtol = 1e-9;
    if (!(o.step > 0.0)) o.step = 0.5;
    if (o.restarts <= 0) o.restarts = 3;
    counter c = {f, ctx, 0};
    double fx = eval(&c, x);
    if (!isfinite(fx))
        return loy_err_set(err, LOY_EINVALID, "start", "optimiser: not finite at the start point");
    int ok = run(&c, x, &fx, n, &o);
    for (int r = 0; ok && r < o.restarts; r++) {
        double before = fx;
        ok = run(&c, x, &fx, n, &o);
        if (ok && before - fx <= o.ftol) break;
        if (r + 1 == o.restarts) ok = 0; /* still improving when the restarts ran out */
    }
    out->fmin = fx;
    out->evals = c.evals;
    out->converged = ok;
    return 0;
}
