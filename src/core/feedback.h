/* Feedback rules (pure; docs/feedback.md): the Net Promoter groups of a survey score, whether a
 * purchase invites a survey (the programme's "feedback" section, consent, the frequency limit),
 * and the thank-you outcome for an answer. No I/O: the caller (src/app/feedback.c) gathers the
 * facts and stores what is decided. */
#ifndef LOY_CORE_FEEDBACK_H
#define LOY_CORE_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"
#include "core/programme_feedback.h"
#include "util/err.h"

/* A purchase recorded more than this long after it occurred (a late entry, an import of
 * history) invites no survey: the visit is too long ago to ask about. */
#define LOY_SURVEY_MAX_AGE_DAYS 7
/* The rule id of the thank-you bonus entries (ledger kind "bonus"). */
#define LOY_SURVEY_THANKS_RULE "survey-thanks"

typedef enum { LOY_NPS_DETRACTOR = -1, LOY_NPS_PASSIVE = 0, LOY_NPS_PROMOTER = 1 } loy_nps_group;

/* The group of a score 0..10: 0-6 detractor, 7-8 passive, 9-10 promoter. */
loy_nps_group loy_nps_group_of(int score);
/* "detractor", "passive" or "promoter". */
const char *loy_nps_group_name(loy_nps_group g);

/* What decides whether a purchase invites a survey. */
typedef struct {
    bool reachable;         /* consent and an address for some channel (email or sms) */
    bool erased;            /* the member's personal data was erased */
    int64_t purchase_at;    /* when the purchase occurred (UTC seconds) */
    int64_t now;            /* when it is recorded */
    int64_t last_survey_at; /* created_at of the member's latest survey, 0 = none */
} loy_survey_facts;

/* NULL when the purchase invites a survey, with *send_at = the earliest time the invitation may
 * go out (purchase time + delay_hours, never before now); otherwise why not, as a stable code:
 * "off" (feedback is off), "erased", "no_consent", "late" (recorded more than
 * LOY_SURVEY_MAX_AGE_DAYS after it occurred) or "recent" (a survey within every_days before
 * now: at most one per member per period). */
const char *loy_survey_skip(const loy_feedback_settings *s, const loy_survey_facts *f,
                            int64_t *send_at);

/* The thank-you for an answer: `points` (> 0) available points in a new lot with the normal
 * expiry, ledger kind bonus, rule LOY_SURVEY_THANKS_RULE, whatever the score (it must never buy
 * a better one). Settles debt first, like every credit. LOY_ENOMEM. */
int loy_engine_survey_thanks(const loy_ctx *c, const loy_member_state *m, int64_t points,
                             loy_outcome *out, loy_err *err);

#endif
