/* The referral bonus outcome and the merchant's local day, for the referral rules
 * (core/referral.h). */
#include "core/engine_int.h"
#include "core/referral.h"

void loy_referral_day(const loy_ctx *c, int64_t at, int64_t *from, int64_t *to)
{
    int64_t day = loy_local_day(c, at);
    *from = loy_local_midnight_utc(c, day);
    *to = loy_local_midnight_utc(c, day + 1);
}

int loy_engine_referral(const loy_ctx *c, const loy_member_state *m, int64_t points,
                        const char *rule, loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    if (points <= 0) return 0;
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc) rc = loy_credit_points(c, out, &w, LOY_ENTRY_REFERRAL, points, c->now, rule);
    if (!rc)
        rc = loy_explainf(out, rule, LOY_ACC_POINTS, points, "%s: +%lld points", rule,
                          (long long)points);
    if (!rc) {
        out->bonus_points += points;
        loy_outcome_finish(c, m, &w, out);
    }
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}
