/* Feedback rules: NPS groups and whether a purchase invites a survey (see feedback.h). */
#include "core/feedback.h"

#include <stddef.h>

#define DAY  86400
#define HOUR 3600

loy_nps_group loy_nps_group_of(int score)
{
    return score >= 9 ? LOY_NPS_PROMOTER : score >= 7 ? LOY_NPS_PASSIVE : LOY_NPS_DETRACTOR;
}

const char *loy_nps_group_name(loy_nps_group g)
{
    return g == LOY_NPS_PROMOTER ? "promoter" : g == LOY_NPS_PASSIVE ? "passive" : "detractor";
}

const char *loy_survey_skip(const loy_feedback_settings *s, const loy_survey_facts *f,
                            int64_t *send_at)
{
    *send_at = 0;
    if (!s->on) return "off";
    if (f->erased) return "erased";
    if (!f->reachable) return "no_consent";
    if (f->now - f->purchase_at > LOY_SURVEY_MAX_AGE_DAYS * DAY) return "late";
    if (f->last_survey_at && f->last_survey_at > f->now - s->every_days * DAY) return "recent";
    int64_t at = f->purchase_at + s->delay_hours * HOUR;
    *send_at = at > f->now ? at : f->now;
    return NULL;
}
