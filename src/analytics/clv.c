/* Customer lifetime value: discounted model-based CLV and the simple formula. */
#include "analytics/clv.h"

#include <math.h>

static int expected(double *out, const loy_clv_model *m, double t, double x, double t_x, double T,
                    loy_err *err)
{
    if (m->kind == LOY_CLV_BGNBD) return loy_bgnbd_expected(out, &m->bgnbd, t, x, t_x, T, err);
    return loy_paretonbd_expected(out, &m->paretonbd, t, x, t_x, T, err);
}

int loy_clv_discounted(double *out, const loy_clv_model *m, double x, double t_x, double T,
                       double spend, double discount, unsigned periods, double period_len,
                       loy_err *err)
{
    if (!m || (m->kind != LOY_CLV_BGNBD && m->kind != LOY_CLV_PARETONBD))
        return loy_err_set(err, LOY_EINVALID, "model", "unknown CLV model");
    if (!isfinite(spend) || spend < 0.0)
        return loy_err_set(err, LOY_EINVALID, "spend", "spend = %g must be >= 0", spend);
    if (!isfinite(discount) || discount <= -1.0)
        return loy_err_set(err, LOY_EINVALID, "discount", "discount = %g must be > -1", discount);
    if (!isfinite(period_len) || !(period_len > 0.0))
        return loy_err_set(err, LOY_EINVALID, "period_len", "period_len = %g must be > 0",
                           period_len);
    double prev = 0.0, sum = 0.0, factor = 1.0;
    int rc = expected(&prev, m, 0.0, x, t_x, T, err); /* validates model and customer */
    if (rc != 0) return rc;
    for (unsigned k = 1; k <= periods; k++) {
        double cur;
        rc = expected(&cur, m, (double)k * period_len, x, t_x, T, err);
        if (rc != 0) return rc;
        factor /= 1.0 + discount;
        sum += (cur - prev) * factor;
        prev = cur;
    }
    *out = sum * spend;
    return 0;
}

int loy_clv_simple(double *out, double avg_value, double frequency, double lifespan, loy_err *err)
{
    if (!isfinite(avg_value) || avg_value < 0.0)
        return loy_err_set(err, LOY_EINVALID, "avg_value", "avg_value = %g must be >= 0",
                           avg_value);
    if (!isfinite(frequency) || frequency < 0.0)
        return loy_err_set(err, LOY_EINVALID, "frequency", "frequency = %g must be >= 0",
                           frequency);
    if (!isfinite(lifespan) || lifespan < 0.0)
        return loy_err_set(err, LOY_EINVALID, "lifespan", "lifespan = %g must be >= 0", lifespan);
    *out = avg_value * frequency * lifespan;
    return 0;
}
