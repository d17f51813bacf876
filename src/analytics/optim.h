/* Small deterministic minimisers for fitting the customer-lifetime models (which optimise over
 * log-parameters): Nelder-Mead with restarts (derivative-free) and BFGS (with a gradient). */
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

/* Function and gradient for loy_optim_bfgs: returns f(x) and, when f(x) is finite, writes the
 * gradient into grad[0..n-1] (grad is never NULL). NaN or +-Inf counts as +Inf. */
typedef double (*loy_optim_fg)(double *grad, const double *x, void *ctx);

/* Largest shape parameter (r, a, b, s, p, q) the model fits accept: lgamma and 2F1 of larger
 * arguments have lost too many digits (lgamma(1e15) carries an absolute error of about 4), and
 * an optimiser following a gradient towards a degenerate optimum at infinity would take that
 * rounding for improvement. Fits treat larger values as outside the domain. */
#define LOY_OPTIM_MAX_SHAPE 1e10

typedef struct loy_optim_bfgs_opts {
    size_t max_evals;  /* budget of fg calls (0: 2000) */
    double gtol;       /* converged when every |gradient component| <= gtol (0: 1e-9) */
    double stall_gtol; /* ... or when no step lowers f any more (f is flat to rounding) and
                        * every |gradient component| <= stall_gtol (0: 1e3 gtol) */
    double step;       /* largest move of any coordinate on a steepest-descent step (0: 1) */
} loy_optim_bfgs_opts;

/* Minimises f over R^n, 1 <= n <= LOY_OPTIM_MAXDIM, from the start point in x, by BFGS on the
 * inverse Hessian (Nocedal & Wright, Numerical Optimization, alg. 6.1: initial scaling 6.20,
 * update skipped when the curvature s'y is not positive) with a backtracking Armijo line search
 * (sufficient decrease 1e-4, quadratic interpolation, a tenth of the step after a non-finite
 * value). When the line search finds no lower point it restarts once from steepest descent;
 * failing again it stops (converged if the gradient is within stall_gtol). The optimum is
 * written back into x; out->evals counts fg calls. Deterministic. opts may be NULL. Returns 0
 * (also when not converged: see out->converged), or LOY_EINVALID for a bad n, or when f is not
 * finite at the start point. */
int loy_optim_bfgs(loy_optim_result *out, double *x, size_t n, loy_optim_fg fg, void *ctx,
                   const loy_optim_bfgs_opts *opts, loy_err *err);

/* Central-difference gradient of f at x: grad[k] = (f(x + h e_k) - f(x - h e_k)) / (2h), 2n
 * calls of f. Returns 0, or -1 when f is not finite at one of the points. */
int loy_optim_gradient(double *grad, const double *x, size_t n, loy_optim_fn f, void *ctx,
                       double h);

#endif
