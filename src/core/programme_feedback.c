/* The "feedback" section of the programme file: parsing and validation with JSON-path errors
 * (see programme_feedback.h). */
#include "core/programme_feedback.h"

#include <string.h>

#include "core/programme_check.h"

#define EVERY_DAYS_MAX  3650
#define DELAY_HOURS_MAX 720
#define THANKS_MAX      100000

void loy_feedback_settings_init(loy_feedback_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->every_days = LOY_FEEDBACK_EVERY_DAYS;
    s->delay_hours = LOY_FEEDBACK_DELAY_HOURS;
}

int loy_feedback_settings_parse(loy_feedback_settings *s, const char *path, const loy_jv *v,
                                loy_err *err)
{
    static const char *const keys[] = {"on", "every_days", "delay_hours", "thank_you_points", NULL};
    loy_feedback_settings_init(s);
    if (!v || loy_jv_typeof(v) != LOY_JV_OBJECT)
        return loy_pc_fail(err, path, v, "%s",
                           "an object like {\"on\": true, \"every_days\": 90, \"delay_hours\": 2, "
                           "\"thank_you_points\": 10}");
    s->on = true;
    char sub[LOY_PC_PATH_MAX];
    for (size_t i = 0; i < loy_jv_len(v); i++) {
        const char *key = loy_jv_key_at(v, i);
        const loy_jv *x = loy_jv_value_at(v, i);
        loy_pc_child(sub, sizeof(sub), path, key);
        int rc;
        if (!strcmp(key, keys[0]))
            rc = loy_pc_bool(err, sub, x, &s->on);
        else if (!strcmp(key, keys[1]))
            rc = loy_pc_integer(err, sub, x, 1, EVERY_DAYS_MAX, &s->every_days);
        else if (!strcmp(key, keys[2]))
            rc = loy_pc_integer(err, sub, x, 0, DELAY_HOURS_MAX, &s->delay_hours);
        else if (!strcmp(key, keys[3]))
            rc = loy_pc_integer(err, sub, x, 0, THANKS_MAX, &s->thank_you_points);
        else
            rc = loy_pc_unknown(err, sub, key, keys);
        if (rc) return rc;
    }
    return 0;
}

int loy_feedback_settings_check(const loy_feedback_settings *s, bool has_points, loy_err *err)
{
    if (s->on && s->thank_you_points > 0 && !has_points)
        return loy_err_set(err, LOY_EINVALID, "feedback.thank_you_points",
                           "feedback.thank_you_points: the thank-you is paid in points, so the "
                           "programme needs a points section (or set it to 0)");
    return 0;
}
