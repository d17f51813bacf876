/* The "feedback" section of a programme file (docs/programme.md, docs/feedback.md): whether a
 * purchase invites the one-question NPS survey, how often a member may be asked, how long after
 * the purchase the invitation goes out, and the thank-you for answering. Pure: no I/O. */
#ifndef LOY_CORE_PROGRAMME_FEEDBACK_H
#define LOY_CORE_PROGRAMME_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/jv.h"

#define LOY_FEEDBACK_EVERY_DAYS  90 /* defaults of the section's fields */
#define LOY_FEEDBACK_DELAY_HOURS 2

typedef struct {
    bool on;                  /* surveys are offered; false when the section is absent */
    int64_t every_days;       /* at most one survey per member per this many days, 1..3650 */
    int64_t delay_hours;      /* the invitation waits this long after the purchase, 0..720 */
    int64_t thank_you_points; /* points for answering, the same for every score; 0 = none */
} loy_feedback_settings;

/* The defaults (no section in the file: off). */
void loy_feedback_settings_init(loy_feedback_settings *s);

/* Parses the section at JSON path `path` (a util/jv value) into s: {"on": true, "every_days": 90,
 * "delay_hours": 2, "thank_you_points": 10}, every field optional ("on" is true when the section
 * is there). LOY_EINVALID with the JSON path of the offending value as the field and "PATH:
 * expected ..., got ..." as the message, as the rest of the programme file. */
int loy_feedback_settings_parse(loy_feedback_settings *s, const char *path, const loy_jv *v,
                                loy_err *err);

/* The checks that need the rest of the programme, once it is parsed: a thank-you in points
 * needs a points section (LOY_EINVALID, field "feedback.thank_you_points"). */
int loy_feedback_settings_check(const loy_feedback_settings *s, bool has_points, loy_err *err);

#endif
