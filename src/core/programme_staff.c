/* The "staff" section of the programme file and the staff fraud rules (see programme_staff.h). */
#include "core/programme_staff.h"

#include <stdio.h>
#include <string.h>

#include "core/programme_check.h"

#define LIMIT_MAX 1000000000LL

void loy_staff_settings_init(loy_staff_settings *s)
{
    s->adjust_points_per_day = LOY_STAFF_ADJUST_POINTS_PER_DAY;
    s->adjustments_per_day = LOY_STAFF_ADJUSTMENTS_PER_DAY;
    s->purchases_per_member_per_hour = LOY_STAFF_PURCHASES_PER_MEMBER_PER_HR;
}

int loy_staff_settings_parse(loy_staff_settings *s, const char *path, const loy_jv *v, loy_err *err)
{
    static const char *const keys[] = {"adjust_points_per_day", "adjustments_per_day",
                                       "purchases_per_member_per_hour", NULL};
    loy_staff_settings_init(s);
    int rc = loy_pc_object(err, path, v, keys,
                           "an object like {\"adjust_points_per_day\": 1000, "
                           "\"adjustments_per_day\": 20, \"purchases_per_member_per_hour\": 5}");
    if (rc) return rc;
    char sub[LOY_PC_PATH_MAX];
    int64_t *dst[] = {&s->adjust_points_per_day, &s->adjustments_per_day,
                      &s->purchases_per_member_per_hour};
    for (size_t i = 0; keys[i]; i++) {
        const loy_jv *x = loy_jv_get(v, keys[i]);
        if (!x) continue;
        loy_pc_child(sub, sizeof(sub), path, keys[i]);
        if ((rc = loy_pc_integer(err, sub, x, 1, LIMIT_MAX, dst[i]))) return rc;
    }
    return 0;
}

static void verdict(loy_staff_verdict *v, loy_staff_action a, const char *rule, const char *field)
{
    v->action = a;
    v->rule = rule;
    v->field = field;
}

void loy_staff_check(const loy_staff_settings *s, const loy_staff_facts *f, loy_staff_verdict *v)
{
    verdict(v, LOY_STAFF_OK, "", "");
    v->reason[0] = '\0';
    if (!f->staff) return;
    loy_staff_action hard = f->owner ? LOY_STAFF_FLAG : LOY_STAFF_BLOCK;
    if (f->own_card) {
        verdict(v, hard, "self_stamping", "member");
        snprintf(v->reason, sizeof(v->reason),
                 "self_stamping: the member is the staff user's "
                 "own card");
        return;
    }
    if (f->adjust) {
        if (f->delta <= 0) return;
        if (f->adjust_count + 1 > s->adjustments_per_day) {
            verdict(v, hard, "adjust_velocity", "delta");
            snprintf(v->reason, sizeof(v->reason),
                     "adjust_velocity: adjustment %lld today, more than adjustments_per_day %lld",
                     (long long)(f->adjust_count + 1), (long long)s->adjustments_per_day);
        } else if (f->adjust_sum + f->delta > s->adjust_points_per_day) {
            verdict(v, hard, "adjust_velocity", "delta");
            snprintf(v->reason, sizeof(v->reason),
                     "adjust_velocity: %lld adjusted today, more than adjust_points_per_day %lld",
                     (long long)(f->adjust_sum + f->delta), (long long)s->adjust_points_per_day);
        }
        return;
    }
    if (f->purchases_hour + 1 > s->purchases_per_member_per_hour) {
        verdict(v, LOY_STAFF_FLAG, "stamp_velocity", "member");
        snprintf(v->reason, sizeof(v->reason),
                 "stamp_velocity: purchase %lld for this member within an hour, more than "
                 "purchases_per_member_per_hour %lld",
                 (long long)(f->purchases_hour + 1), (long long)s->purchases_per_member_per_hour);
    }
}
