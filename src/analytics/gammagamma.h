/* Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: using
 * iso-value curves for customer base analysis"; Fader & Hardie's note on the Gamma-Gamma
 * model): maximum-likelihood fit on (x, zbar) and the conditional expected average spend. */
#ifndef LOY_ANALYTICS_GAMMAGAMMA_H
#define LOY_ANALYTICS_GAMMAGAMMA_H

#include <stddef.h>

#include "util/err.h"

/* Spend per transaction ~ Gamma(p, rate nu), nu ~ Gamma(q, rate gamma). All > 0. */
typedef struct loy_gammagamma_params {
    double p, q, gamma;
} loy_gammagamma_params;

/* Borrowed columns, n rows: x repeat transactions, zbar their mean value, weight (NULL: 1).
 * Rows with x = 0 carry no spend information and are skipped. */
typedef struct loy_gammagamma_data {
    const double *x;
    const double *zbar;
    const double *weight;
    size_t n;
} loy_gammagamma_data;

typedef struct loy_gammagamma_fit_result {
    loy_gammagamma_params params;
    double loglik;
    int converged;
    size_t evals;
    size_t used; /* rows with x > 0 */
} loy_gammagamma_fit_result;

/* Checks that p, q and gamma are finite and > 0. Returns 0 or LOY_EINVALID. */
int loy_gammagamma_params_check(const loy_gammagamma_params *p, loy_err *err);

/* Log density of the mean spend zbar > 0 of x > 0 transactions:
 *   lgamma(px+q) - lgamma(px) - lgamma(q) + q ln gamma + (px-1) ln zbar + px ln x
 *   - (px+q) ln(gamma + x zbar).
 * No checks: the caller passes valid values. */
double loy_gammagamma_loglik_one(const loy_gammagamma_params *p, double x, double zbar);

/* Maximum-likelihood fit on the rows with x > 0 (BFGS over log-parameters with the analytic
 * gradient; lgamma and digamma once per distinct x, one log per row; p and q kept below
 * LOY_OPTIM_MAX_SHAPE) from start
 * (NULL: p = q = 1, gamma = mean zbar). Returns 0 (check out->converged) or LOY_EINVALID (no
 * usable row, x not a whole number >= 0, zbar <= 0 with x > 0, negative weight). */
int loy_gammagamma_fit(loy_gammagamma_fit_result *out, const loy_gammagamma_data *d,
                       const loy_gammagamma_params *start, loy_err *err);

/* E[Z | x, zbar] = p (gamma + x zbar) / (p x + q - 1), the expected spend per transaction: a
 * weighted mean of the population mean p gamma / (q - 1) and zbar. Needs q > 1 (the population
 * mean exists); for x = 0 it is the population mean. Returns 0 or LOY_EINVALID. */
int loy_gammagamma_expected_spend(double *out, const loy_gammagamma_params *p, double x,
                                  double zbar, loy_err *err);

#endif
