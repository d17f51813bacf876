/* Nelder-Mead simplex with restarts and BFGS with a line search; deterministic, no allocation. */
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

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++) s += a[k] * b[k];
    return s;
}

/* max |a[k]|; +Inf when a component is not finite (fmax alone would skip a NaN). */
static double maxabs(const double *a, size_t n)
{
    double m = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(a[k])) return INFINITY;
        m = fmax(m, fabs(a[k]));
    }
    return m;
}

static void set_identity(double h[LOY_OPTIM_MAXDIM][LOY_OPTIM_MAXDIM], size_t n, double scale)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) h[i][j] = i == j ? scale : 0.0;
}

/* H <- (I - rho s y') H (I - rho y s') + rho s s', rho = 1 / s'y. */
static void bfgs_update(double h[LOY_OPTIM_MAXDIM][LOY_OPTIM_MAXDIM], const double *s,
                        const double *y, size_t n, double sy)
{
    double hy[LOY_OPTIM_MAXDIM], rho = 1.0 / sy;
    for (size_t i = 0; i < n; i++) hy[i] = dot(h[i], y, n);
    double yhy = dot(y, hy, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            h[i][j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
}

int loy_optim_bfgs(loy_optim_result *out, double *x, size_t n, loy_optim_fg fg, void *ctx,
                   const loy_optim_bfgs_opts *opts, loy_err *err)
{
    if (n < 1 || n > LOY_OPTIM_MAXDIM)
        return loy_err_set(err, LOY_EINVALID, "n", "optimiser: dimension %zu is not in 1..%d", n,
                           LOY_OPTIM_MAXDIM);
    loy_optim_bfgs_opts o = {0};
    if (opts) o = *opts;
    if (o.max_evals == 0) o.max_evals = 2000;
    if (!(o.gtol > 0.0)) o.gtol = 1e-9;
    if (!(o.stall_gtol > 0.0)) o.stall_gtol = 1e3 * o.gtol;
    if (!(o.step > 0.0)) o.step = 1.0;
    double h[LOY_OPTIM_MAXDIM][LOY_OPTIM_MAXDIM], g[LOY_OPTIM_MAXDIM], gn[LOY_OPTIM_MAXDIM];
    double d[LOY_OPTIM_MAXDIM], xn[LOY_OPTIM_MAXDIM], s[LOY_OPTIM_MAXDIM], y[LOY_OPTIM_MAXDIM];
    size_t evals = 1;
    double f = fg(g, x, ctx);
    if (!isfinite(f) || !isfinite(maxabs(g, n)))
        return loy_err_set(err, LOY_EINVALID, "start", "optimiser: not finite at the start point");
    set_identity(h, n, 1.0);
    int fresh = 1, ok = 0; /* fresh: h is a multiple of the identity (no curvature yet) */
    while (evals < o.max_evals) {
        double gmax = maxabs(g, n);
        if (gmax <= o.gtol) {
            ok = 1;
            break;
        }
        for (size_t i = 0; i < n; i++) d[i] = -dot(h[i], g, n);
        double gd = dot(g, d, n);
        if (!(gd < 0.0)) { /* not a descent direction: back to steepest descent */
            set_identity(h, n, 1.0);
            fresh = 1;
            for (size_t i = 0; i < n; i++) d[i] = -g[i];
            gd = -dot(g, g, n);
        }
        double t = 1.0, dmax = maxabs(d, n), fn = INFINITY;
        if (fresh && dmax > o.step) t = o.step / dmax;
        int accepted = 0;
        for (int k = 0; k < 60 && evals < o.max_evals; k++) {
            for (size_t i = 0; i < n; i++) xn[i] = x[i] + t * d[i];
            fn = fg(gn, xn, ctx);
            evals++;
            if (isnan(fn) || !isfinite(maxabs(gn, n))) fn = INFINITY; /* a point with no slope */
            if (fn <= f + 1e-4 * t * gd) {
                accepted = 1;
                break;
            }
            if (!isfinite(fn)) {
                t *= 0.1;
            } else { /* minimum of the quadratic through f, f'(0) = gd and fn, kept in range */
                double q = -gd * t * t / (2.0 * (fn - f - gd * t));
                t = fmin(fmax(q, 0.1 * t), 0.5 * t);
            }
            if (t * dmax < 1e-16 * (1.0 + maxabs(x, n))) break; /* no move left */
        }
        if (!accepted) {
            if (!fresh) { /* the quasi-Newton direction failed: retry steepest descent */
                set_identity(h, n, 1.0);
                fresh = 1;
                continue;
            }
            ok = gmax <= o.stall_gtol; /* f is flat to rounding around x */
            break;
        }
        for (size_t i = 0; i < n; i++) {
            s[i] = xn[i] - x[i];
            y[i] = gn[i] - g[i];
        }
        double sy = dot(s, y, n);
        if (sy > 1e-12 * sqrt(dot(s, s, n) * dot(y, y, n)) && sy > 0.0) {
            if (fresh) set_identity(h, n, sy / dot(y, y, n));
            bfgs_update(h, s, y, n, sy);
            fresh = 0;
        }
        memcpy(x, xn, n * sizeof(double));
        memcpy(g, gn, n * sizeof(double));
        f = fn;
    }
    out->fmin = f;
    out->evals = evals;
    out->converged = ok;
    return 0;
}

int loy_optim_gradient(double *grad, const double *x, size_t n, loy_optim_fn f, void *ctx, double h)
{
    double xp[LOY_OPTIM_MAXDIM];
    memcpy(xp, x, n * sizeof(double));
    for (size_t k = 0; k < n; k++) {
        double hi = x[k] + h, lo = x[k] - h; /* the step as represented */
        xp[k] = hi;
        double fp = f(xp, ctx);
        xp[k] = lo;
        double fm = f(xp, ctx);
        xp[k] = x[k];
        if (!isfinite(fp) || !isfinite(fm)) return -1;
        grad[k] = (fp - fm) / (hi - lo);
    }
    return 0;
}
