/* A small deterministic derivative-free minimiser (Nelder-Mead with restarts) for fitting the
 * customer-lifetime models; the models optimise over log-parameters. */
#ifndef LOY_ANALYTICS_OPTIM_H
#define LOY_ANALYTICS_OPTIM_H

#include <stddef.h>

#include "util/err.h"

#define LOY_OPTIM_MAXDIM 8

/* Function to minimise at x[0..n-1]; ctx is passed through. NaN or +-Inf counts as +Inf (a
 * point outside the domain). */
typedef double (*loy_optim_fn)(const double *x, void *ctx);

typedef struct loy_optim_opts {
    size_t max_evals; /* budget of function evaluations over all restarts (0: 20000) */
    double ftol;      /* converged when the simplex's values differ by at most ftol (0: 1e-12) */
    double xtol;  /* ... and its vertices lie within xtol of the best, per coordinate (0: 1e-9) */
    double step;  /* initial simplex edge (0: 0.5) */
    int restarts; /* restarts from the best point after convergence (0: 3) */
} loy_optim_opts;

typedef struct loy_optim_result {
    double fmin;   /* value at the optimum */
    size_t evals;  /* evaluations used */
    int converged; /* 1 when the tolerances were met and the last restart found nothing better */
} loy_optim_result;

/* Minimises f over R^n, 1 <= n <= LOY_OPTIM_MAXDIM, from the start point in x, with the
 * Nelder-Mead simplex (reflection 1, expansion 2, contraction 1/2, shrink 1/2). After each
 * convergence it restarts from the best vertex with a fresh simplex of edge `step`; it stops
 * when a restart improves f by less than ftol (converged) or the budget is spent. The optimum is
 * written back into x. Deterministic: the same input gives the same output. opts may be NULL.
 * Returns 0 (also when not converged: see out->converged), or LOY_EINVALID for a bad n, or when
 * f is not finite at the start point. */
int loy_optim_nelder_mead(loy_optim_result *out, double *x, size_t n, loy_optim_fn f, void *ctx,
                          const loy_optim_opts *opts, loy_err *err);

#endif
