/* The survey thank-you outcome (core/feedback.h): a bonus credit like the welcome bonus. */
#include "core/engine_int.h"
#include "core/feedback.h"

int loy_engine_survey_thanks(const loy_ctx *c, const loy_member_state *m, int64_t points,
                             loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    if (points <= 0) return 0;
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc)
        rc = loy_credit_points(c, out, &w, LOY_ENTRY_BONUS, points, c->now, LOY_SURVEY_THANKS_RULE);
    if (!rc)
        rc = loy_explainf(out, LOY_SURVEY_THANKS_RULE, LOY_ACC_POINTS, points,
                          "thank you for answering the survey: +%lld points", (long long)points);
    if (!rc) {
        out->bonus_points += points;
        loy_outcome_finish(c, m, &w, out);
    }
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}
