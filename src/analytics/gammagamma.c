/* Gamma-Gamma spend model: likelihood, fit (BFGS on sums per distinct x), expected spend. */
#include "analytics/gammagamma.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analytics/optim.h"
#include "analytics/special.h"

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

/* The fit works on the sums of the log-likelihood (see the header):
 *   sum_x n_x [lgamma(px+q) - lgamma(px)] - W lgamma(q) + q W ln gamma + p A - B
 *   - p S1 - q S0,
 * n_x the weight of the rows with that x, W the total weight, A = sum w x (ln zbar + ln x),
 * B = sum w ln zbar (fixed), S0 = sum w ln(gamma + x zbar), S1 = sum w x ln(gamma + x zbar).
 * So lgamma runs once per distinct x and one log per row is left; the gradient comes with it
 * (digamma per distinct x, one division per row). */
typedef struct {
    size_t n;           /* rows with x > 0 and weight > 0 */
    double *x, *xz, *w; /* per row: x, x zbar, weight */
    size_t nx;          /* distinct x */
    double *ux, *un;    /* per distinct x: x, n_x */
    double wsum, A, B;
} fit_ctx;

/* Negative mean log-likelihood over th = log(p, q, gamma) and its gradient. */
static double neg_mean_ll(double *grad, const double *th, void *vctx)
{
    const fit_ctx *c = vctx;
    const double p = exp(th[0]), q = exp(th[1]), g = exp(th[2]);
    if (!isfinite(p) || !isfinite(q) || !isfinite(g) || !(p > 0.0) || !(q > 0.0) || !(g > 0.0) ||
        p > LOY_OPTIM_MAX_SHAPE || q > LOY_OPTIM_MAX_SHAPE)
        return INFINITY;
    loy_sum a0 = {0}, a1 = {0}; /* w L, w x L; v = g + xz, L = log v */
    double s2 = 0.0, s3 = 0.0;  /* w / v, w x / v */
    for (size_t i = 0; i < c->n; i++) {
        double v = g + c->xz[i], l = log(v), wi = c->w[i] / v;
        loy_sum_add(&a0, c->w[i] * l);
        loy_sum_add(&a1, c->w[i] * c->x[i] * l);
        s2 += wi;
        s3 += wi * c->x[i];
    }
    const double s0 = loy_sum_value(&a0), s1 = loy_sum_value(&a1);
    double lg = 0.0, dp = 0.0, dq = 0.0;
    for (size_t k = 0; k < c->nx; k++) {
        double px = p * c->ux[k], dpsi = loy_digamma(px + q);
        lg += c->un[k] * (lgamma(px + q) - lgamma(px));
        dp += c->un[k] * c->ux[k] * (dpsi - loy_digamma(px));
        dq += c->un[k] * dpsi;
    }
    const double W = c->wsum, lng = log(g);
    double ll = lg - W * lgamma(q) + q * W * lng + p * c->A - c->B - p * s1 - q * s0;
    if (!isfinite(ll)) return INFINITY;
    grad[0] = -p * (dp + c->A - s1) / W;
    grad[1] = -q * (dq - W * loy_digamma(q) + W * lng - s0) / W;
    grad[2] = -g * (q * W / g - p * s3 - q * s2) / W;
    return -ll / W;
}

static void ctx_free(fit_ctx *c)
{
    free(c->x);
    free(c->xz);
    free(c->w);
    free(c->ux);
    free(c->un);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : (a > b ? 1 : 0);
}

/* Fills c from the valid rows of d (used of them). */
static int ctx_build(fit_ctx *c, const loy_gammagamma_data *d, size_t used)
{
    c->x = malloc(used * sizeof(double));
    c->xz = malloc(used * sizeof(double));
    c->w = malloc(used * sizeof(double));
    c->ux = malloc(used * sizeof(double));
    c->un = malloc(used * sizeof(double));
    if (!c->x || !c->xz || !c->w || !c->ux || !c->un) return LOY_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], z = d->zbar[i], w = d->weight ? d->weight[i] : 1.0;
        if (x == 0.0 || w == 0.0) continue;
        c->x[m] = x;
        c->xz[m] = x * z;
        c->w[m] = w;
        c->wsum += w;
        c->A += w * x * (log(z) + log(x));
        c->B += w * log(z);
        c->ux[m] = x;
        m++;
    }
    c->n = m;
    /* distinct x and their weights: sort the x values, then sum the weights per x */
    qsort(c->ux, m, sizeof(double), cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || c->ux[i] != c->ux[k - 1]) c->ux[k++] = c->ux[i];
    c->nx = k;
    for (size_t j = 0; j < k; j++) c->un[j] = 0.0;
    for (size_t i = 0; i < m; i++) {
        size_t lo = 0, hi = k; /* ux[lo] <= x < ux[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->ux[mid] <= c->x[i]) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        c->un[lo] += c->w[i];
    }
    return 0;
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
        if (!isfinite(x) || x < 0.0 || x != floor(x) || !isfinite(w) || w < 0.0 ||
            (x > 0.0 && w > 0.0 && (!isfinite(z) || !(z > 0.0)))) {
            char field[64];
            snprintf(field, sizeof(field), "rows[%zu]", i);
            if (!isfinite(x) || x < 0.0 || x != floor(x))
                return loy_err_set(err, LOY_EINVALID, field, "x = %g is not a whole number >= 0",
                                   x);
            if (!isfinite(w) || w < 0.0)
                return loy_err_set(err, LOY_EINVALID, field, "weight %g is negative", w);
            return loy_err_set(err, LOY_EINVALID, field, "zbar = %g must be > 0 when x > 0", z);
        }
        if (x == 0.0 || w == 0.0) continue;
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
    fit_ctx c = {0};
    if (ctx_build(&c, d, used) != 0) {
        ctx_free(&c);
        return loy_err_set(err, LOY_ENOMEM, "data", "out of memory fitting Gamma-Gamma");
    }
    double th[3] = {log(s0.p), log(s0.q), log(s0.gamma)};
    loy_optim_bfgs_opts o = {.max_evals = 2000, .gtol = 1e-10};
    loy_optim_result res;
    rc = loy_optim_bfgs(&res, th, 3, neg_mean_ll, &c, &o, err);
    if (rc == 0) {
        out->params = (loy_gammagamma_params){exp(th[0]), exp(th[1]), exp(th[2])};
        out->loglik = -res.fmin * c.wsum;
        out->converged = res.converged;
        out->evals = res.evals;
        out->used = used;
    }
    ctx_free(&c);
    return rc;
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
