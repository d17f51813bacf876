/* Customer lifetime value: discounted model-based CLV over a horizon (BG/NBD or Pareto/NBD for
 * the transactions, an expected spend per transaction, e.g. from Gamma-Gamma) and the simple
 * average-value x frequency x lifespan formula. */
#ifndef LOY_ANALYTICS_CLV_H
#define LOY_ANALYTICS_CLV_H

#include "analytics/bgnbd.h"
#include "analytics/paretonbd.h"
#include "util/err.h"

typedef enum loy_clv_kind { LOY_CLV_BGNBD = 1, LOY_CLV_PARETONBD = 2 } loy_clv_kind;

/* The transaction model: kind selects which params are used. */
typedef struct loy_clv_model {
    loy_clv_kind kind;
    loy_bgnbd_params bgnbd;
    loy_paretonbd_params paretonbd;
} loy_clv_model;

/* Discounted expected value of a customer (x, t_x, T) over `periods` future periods of
 * `period_len` time units each (1 with weekly data and weekly periods):
 *
 *   CLV = sum_{k=1}^{periods} (E[X(k L)] - E[X((k-1) L)]) * spend / (1 + discount)^k
 *
 * where E[X(t)] is the model's conditional expected number of transactions in (T, T+t]
 * (loy_bgnbd_expected or loy_paretonbd_expected), L = period_len, spend the expected value per
 * transaction (loy_gammagamma_expected_spend) and discount the rate per period (0.01 a week ~
 * 68% a year). With discount = 0 the sum telescopes to E[X(periods L)] * spend.
 * Returns 0 or LOY_EINVALID (bad model, customer, spend < 0, discount <= -1, period_len <= 0). */
int loy_clv_discounted(double *out, const loy_clv_model *m, double x, double t_x, double T,
                       double spend, double discount, unsigned periods, double period_len,
                       loy_err *err);

/* Simple CLV = average purchase value x purchase frequency (purchases per time unit) x average
 * lifespan (time units). Returns 0 or LOY_EINVALID when an input is negative or not finite. */
int loy_clv_simple(double *out, double avg_value, double frequency, double lifespan, loy_err *err);

#endif
