/* Join (entry tier, welcome bonus) and the yearly birthday and first-visit anniversary bonuses. */
#include "core/engine_int.h"

#include <stdio.h>
#include <string.h>

int64_t loy_yearly_day(int y, int month, int day)
{
    if (month == 2 && day == 29 && !loy_is_leap(y)) day = 28;
    return loy_days_from_civil(y, month, day);
}

bool loy_birthday_settled(int64_t set_day, int64_t date)
{
    return set_day <= date - LOY_BIRTHDAY_SETTLE_DAYS;
}

/* Is civil day `today` inside the window around `date`? */
static bool in_window(loy_bday_window win, int64_t date, int64_t today)
{
    switch (win) {
    case LOY_BDAY_DAY:
        return today == date;
    case LOY_BDAY_MONTH: {
        int y1, m1, y2, m2;
        loy_civil_from_days(date, &y1, &m1, NULL);
        loy_civil_from_days(today, &y2, &m2, NULL);
        return y1 == y2 && m1 == m2;
    }
    default: {
        int64_t monday = date - loy_weekday(date);
        return today >= monday && today < monday + 7;
    }
    }
}

/* Year (y-1, y or y+1 around today) whose occurrence of month/day has today in its window, or 0.
 * A week window can reach into the neighbouring year (31 December, 1 January). */
static int window_year(loy_bday_window win, int month, int day, int64_t today, int64_t *date)
{
    int y;
    loy_civil_from_days(today, &y, NULL, NULL);
    for (int yy = y - 1; yy <= y + 1; yy++) {
        int64_t d = loy_yearly_day(yy, month, day);
        if (in_window(win, d, today)) {
            *date = d;
            return yy;
        }
    }
    return 0;
}

static int birthday(const loy_ctx *c, const loy_member_state *m, int64_t at, loy_work *w,
                    loy_outcome *o)
{
    const loy_programme *p = c->prog;
    if (p->birthday_points <= 0 || m->bday_day <= 0 || m->bday_month <= 0) return 0;
    int64_t today = loy_local_day(c, at), date = 0;
    int year = window_year(p->birthday_window, m->bday_month, m->bday_day, today, &date);
    if (!year || m->last_birthday_bonus_year == year) return 0;
    if (m->birthday_set_at > 0 && !loy_birthday_settled(loy_local_day(c, m->birthday_set_at), date))
        return loy_explainf(o, "birthday", LOY_ACC_POINTS, 0,
                            "birthday: not rewarded this year, birthday entered less than 30 days "
                            "before");
    int rc = loy_credit_points(c, o, w, LOY_ENTRY_BONUS, p->birthday_points, at, "birthday");
    if (rc) return rc;
    o->bonus_points += p->birthday_points;
    o->birthday_bonus_year = year;
    o->events |= LOY_EV_BIRTHDAY_BONUS;
    return loy_explainf(o, "birthday", LOY_ACC_POINTS, p->birthday_points, "birthday: +%lld points",
                        (long long)p->birthday_points);
}

static int anniversary(const loy_ctx *c, const loy_member_state *m, int64_t at, loy_work *w,
                       loy_outcome *o)
{
    const loy_programme *p = c->prog;
    if (p->anniversary_points <= 0 || m->first_purchase_at <= 0) return 0;
    int fy, fm, fd;
    loy_civil_from_days(loy_local_day(c, m->first_purchase_at), &fy, &fm, &fd);
    int64_t today = loy_local_day(c, at), date = 0;
    int year = window_year(p->birthday_window, fm, fd, today, &date);
    if (!year || year <= fy || m->last_anniversary_bonus_year == year) return 0;
    int rc = loy_credit_points(c, o, w, LOY_ENTRY_BONUS, p->anniversary_points, at, "anniversary");
    if (rc) return rc;
    o->bonus_points += p->anniversary_points;
    o->anniversary_bonus_year = year;
    o->events |= LOY_EV_ANNIVERSARY_BONUS;
    return loy_explainf(o, "anniversary", LOY_ACC_POINTS, p->anniversary_points,
                        "anniversary: +%lld points (%d year%s since the first visit)",
                        (long long)p->anniversary_points, year - fy, year - fy == 1 ? "" : "s");
}

/* Birthday then anniversary at instant `at`. The bonus year is the year of the occurrence whose
 * window holds the local date of `at`; 29 February is 28 February in common years. The 30-day
 * rule compares local dates: entered on or before birthday - 30 days is rewarded. */
int loy_bonuses_at(const loy_ctx *c, const loy_member_state *m, int64_t at, loy_work *w,
                   loy_outcome *o)
{
    int rc = birthday(c, m, at, w, o);
    if (!rc) rc = anniversary(c, m, at, w, o);
    return rc;
}

int loy_engine_bonuses(const loy_ctx *c, const loy_member_state *m, loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc) rc = loy_bonuses_at(c, m, c->now, &w, out);
    if (!rc) loy_outcome_finish(c, m, &w, out);
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}

int loy_engine_join(const loy_ctx *c, const loy_member_state *m, loy_outcome *out, loy_err *err)
{
    const loy_programme *p = c->prog;
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc && p->has_tiers && p->nlevels > 0) {
        snprintf(out->tier_after, sizeof(out->tier_after), "%s", p->levels[0].id);
        out->tier_changed = strcmp(out->tier_after, m->tier) != 0;
    }
    out->events |= LOY_EV_WELCOME;
    if (!rc && p->welcome_points > 0) {
        rc = loy_credit_points(c, out, &w, LOY_ENTRY_BONUS, p->welcome_points, c->now, "welcome");
        if (!rc) {
            out->bonus_points = p->welcome_points;
            rc = loy_explainf(out, "welcome", LOY_ACC_POINTS, p->welcome_points,
                              "welcome: +%lld points", (long long)p->welcome_points);
        }
    }
    if (!rc) loy_outcome_finish(c, m, &w, out);
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}
