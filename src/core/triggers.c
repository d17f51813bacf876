/* Engagement triggers: the rules of triggers.h, pure. */
#include "core/triggers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "util/time.h"

static loy_trigger_due *add(loy_trigger_due *out, size_t *n, loy_trigger t, const char *key)
{
    loy_trigger_due *d = &out[(*n)++];
    d->trigger = t;
    snprintf(d->key, sizeof(d->key), "%s", key);
    d->why[0] = '\0';
    return d;
}

/* Not fired since local day `since` (inclusive). */
static bool quiet_since(int64_t last_fired, int64_t since)
{
    return last_fired == LOY_DAY_NONE || last_fired < since;
}

/* The occurrence of (month, day) whose window [occurrence - before, occurrence] holds today, in
 * a year after `after_year`; LOY_DAY_NONE when today is in no window. */
static int64_t occurrence(int month, int day, int64_t before, int64_t today, int after_year)
{
    int y;
    loy_civil_from_days(today, &y, NULL, NULL);
    for (int yy = y; yy <= y + 1; yy++) { /* a window may start in the year before */
        int64_t d = loy_yearly_day(yy, month, day);
        if (yy > after_year && today >= d - before && today <= d) return d;
    }
    return LOY_DAY_NONE;
}

static void leap_note(char *out, size_t n, int month, int day, int64_t d)
{
    int y, m, dd;
    loy_civil_from_days(d, &y, &m, &dd);
    snprintf(out, n, "%s",
             month == 2 && day == 29 && dd == 28 ? " (29 February, common year)" : "");
}

static void birthday(const loy_trigger_cfg *c, const loy_trigger_member *m, const char *key,
                     loy_trigger_due *out, size_t *n)
{
    if (m->bday_day <= 0 || m->bday_month <= 0) return;
    int64_t d = occurrence(m->bday_month, m->bday_day, c->days_before, m->today, 0);
    if (d == LOY_DAY_NONE || !quiet_since(m->last_fired[LOY_TRIG_BIRTHDAY], d - c->days_before))
        return;
    if (m->bday_set_day != LOY_DAY_NONE && !loy_birthday_settled(m->bday_set_day, d)) return;
    char date[16], note[40];
    loy_date_format(date, sizeof(date), d);
    leap_note(note, sizeof(note), m->bday_month, m->bday_day, d);
    snprintf(add(out, n, LOY_TRIG_BIRTHDAY, key)->why, sizeof(out->why),
             "birthday on %s%s, %lld day(s) ahead", date, note, (long long)(d - m->today));
}

static void anniversary(const loy_trigger_cfg *c, const loy_trigger_member *m, const char *key,
                        loy_trigger_due *out, size_t *n)
{
    if (m->first_purchase_day == LOY_DAY_NONE) return;
    int fy, fm, fd;
    loy_civil_from_days(m->first_purchase_day, &fy, &fm, &fd);
    int64_t d = occurrence(fm, fd, c->days_before, m->today, fy);
    if (d == LOY_DAY_NONE || !quiet_since(m->last_fired[LOY_TRIG_ANNIVERSARY], d - c->days_before))
        return;
    int y;
    loy_civil_from_days(d, &y, NULL, NULL);
    char date[16], note[40];
    loy_date_format(date, sizeof(date), d);
    leap_note(note, sizeof(note), fm, fd, d);
    snprintf(add(out, n, LOY_TRIG_ANNIVERSARY, key)->why, sizeof(out->why),
             "%d year(s) since the first purchase on %s%s", y - fy, date, note);
}

static int cmp_days(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Twice the median gap in days between the distinct purchase days (newest first); 0 when there
 * is no gap. */
static int64_t median_gap_x2(const loy_trigger_member *m, size_t *ngaps)
{
    int64_t gaps[LOY_TRIG_GAPS];
    size_t g = 0;
    int64_t prev = LOY_DAY_NONE;
    for (size_t i = 0; i < m->npurchase_days && g < LOY_TRIG_GAPS; i++) {
        int64_t d = m->purchase_days[i];
        if (prev != LOY_DAY_NONE && d < prev) gaps[g++] = prev - d;
        if (prev == LOY_DAY_NONE || d < prev) prev = d;
    }
    *ngaps = g;
    if (!g) return 0;
    qsort(gaps, g, sizeof(gaps[0]), cmp_days);
    return g % 2 ? 2 * gaps[g / 2] : gaps[g / 2 - 1] + gaps[g / 2];
}

static void reorder(const loy_trigger_cfg *c, const loy_trigger_member *m, const char *key,
                    loy_trigger_due *out, size_t *n)
{
    if (m->purchases < c->min_purchases || !m->npurchase_days) return;
    size_t ngaps = 0;
    int64_t med2 = median_gap_x2(m, &ngaps), last = m->purchase_days[0];
    int64_t since = m->today - last;
    if (!med2 || since * 2000 <= c->margin_milli * med2) return;
    if (!quiet_since(m->last_fired[LOY_TRIG_REORDER], last + 1)) return; /* once per gap */
    snprintf(add(out, n, LOY_TRIG_REORDER, key)->why, sizeof(out->why),
             "%lld days since the last purchase, more than %lld.%03lld x the usual gap of %lld%s "
             "days (median of %zu)",
             (long long)since, (long long)(c->margin_milli / 1000),
             (long long)(c->margin_milli % 1000), (long long)(med2 / 2), med2 % 2 ? ".5" : "",
             ngaps);
}

/* The member looks lapsed today: P(alive) below the threshold or no visit for N days (whether or
 * not the win-back message is due again). *by_p says which. */
static bool lapsed(const loy_trigger_cfg *c, const loy_trigger_member *m, bool *by_p)
{
    if (m->purchases < 1 || !m->npurchase_days) return false;
    int64_t since = m->today - m->purchase_days[0];
    *by_p = c->p_alive_below_milli > 0 && m->p_alive_milli >= 0 &&
            m->p_alive_milli < c->p_alive_below_milli;
    return *by_p || (c->days_without_visit > 0 && since >= c->days_without_visit);
}

static bool winback(const loy_trigger_cfg *c, const loy_trigger_member *m, const char *key,
                    loy_trigger_due *out, size_t *n)
{
    bool by_p = false;
    int64_t last = m->last_fired[LOY_TRIG_WINBACK];
    if (!lapsed(c, m, &by_p) || (last != LOY_DAY_NONE && m->today - last < c->every_days))
        return false;
    int64_t since = m->today - m->purchase_days[0];
    loy_trigger_due *d = add(out, n, LOY_TRIG_WINBACK, key);
    if (by_p)
        snprintf(d->why, sizeof(d->why),
                 "P(alive) 0.%03d is below 0.%03lld; %lld days since the "
                 "last purchase",
                 m->p_alive_milli, (long long)c->p_alive_below_milli, (long long)since);
    else
        snprintf(d->why, sizeof(d->why), "%lld days since the last purchase (win-back after %lld)",
                 (long long)since, (long long)c->days_without_visit);
    return true;
}

static void expiring(const loy_trigger_cfg *c, const loy_trigger_member *m, const char *key,
                     loy_trigger_due *out, size_t *n)
{
    if (m->expiring_points <= 0 || m->expiring_day == LOY_DAY_NONE) return;
    if (!quiet_since(m->last_fired[LOY_TRIG_EXPIRING], m->expiring_day - c->days_before)) return;
    char date[16];
    loy_date_format(date, sizeof(date), m->expiring_day);
    snprintf(add(out, n, LOY_TRIG_EXPIRING, key)->why, sizeof(out->why),
             "%lld points expire within %lld days, the first on %s", (long long)m->expiring_points,
             (long long)c->days_before, date);
}

size_t loy_triggers_daily(const loy_trigger_settings *s, const loy_trigger_member *m,
                          loy_trigger_due *out)
{
    size_t n = 0;
    char key[16];
    loy_date_format(key, sizeof(key), m->today);
    const loy_trigger_cfg *t = s->t;
    if (t[LOY_TRIG_BIRTHDAY].on) birthday(&t[LOY_TRIG_BIRTHDAY], m, key, out, &n);
    if (t[LOY_TRIG_ANNIVERSARY].on) anniversary(&t[LOY_TRIG_ANNIVERSARY], m, key, out, &n);
    /* a lapsed member (the win-back rule holds, whether or not its message is due again today)
     * gets no reorder reminder: the same every day, so a second run of the day adds nothing */
    bool by_p = false;
    bool gone = t[LOY_TRIG_WINBACK].on && lapsed(&t[LOY_TRIG_WINBACK], m, &by_p);
    if (t[LOY_TRIG_REORDER].on && !gone) reorder(&t[LOY_TRIG_REORDER], m, key, out, &n);
    if (gone) winback(&t[LOY_TRIG_WINBACK], m, key, out, &n);
    if (t[LOY_TRIG_EXPIRING].on) expiring(&t[LOY_TRIG_EXPIRING], m, key, out, &n);
    return n;
}

size_t loy_triggers_joined(const loy_trigger_settings *s, int64_t member, loy_trigger_due *out)
{
    size_t n = 0;
    char key[LOY_TRIG_KEY_MAX];
    snprintf(key, sizeof(key), "member:%lld", (long long)member);
    if (s->t[LOY_TRIG_WELCOME].on)
        snprintf(add(out, &n, LOY_TRIG_WELCOME, key)->why, sizeof(out->why), "joined");
    return n;
}

size_t loy_triggers_purchased(const loy_trigger_settings *s, int64_t purchase, int64_t nth,
                              uint32_t events, const char *tier_after, loy_trigger_due *out)
{
    size_t n = 0;
    char key[LOY_TRIG_KEY_MAX];
    snprintf(key, sizeof(key), "purchase:%lld", (long long)purchase);
    const loy_trigger_cfg *t = s->t;
    if (t[LOY_TRIG_THANKS].on && nth == t[LOY_TRIG_THANKS].after_purchases)
        snprintf(add(out, &n, LOY_TRIG_THANKS, key)->why, sizeof(out->why), "purchase number %lld",
                 (long long)nth);
    if (t[LOY_TRIG_TIER_UP].on && (events & LOY_EV_TIER_UP) && tier_after && *tier_after) {
        char tkey[LOY_TRIG_KEY_MAX];
        snprintf(tkey, sizeof(tkey), "tier:%s", tier_after);
        snprintf(add(out, &n, LOY_TRIG_TIER_UP, tkey)->why, sizeof(out->why), "up to tier %s",
                 tier_after);
    }
    if (t[LOY_TRIG_REWARD].on && (events & LOY_EV_REWARD_AVAILABLE))
        snprintf(add(out, &n, LOY_TRIG_REWARD, key)->why, sizeof(out->why),
                 "a reward became affordable");
    return n;
}
