/* Unit tests for the engagement triggers (core/triggers.h) and the programme's "triggers"
 * section (core/programme_triggers.h): dates at time-zone and year boundaries, 29 February, the
 * 30-day birthday rule, reorder gaps, win-back, expiry windows, each trigger off, event keys,
 * and bad input with the field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/programme.h"
#include "core/triggers.h"
#include "util/time.h"

static int64_t day(int y, int m, int d)
{
    return loy_days_from_civil(y, m, d);
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return day(y, mo, d) * LOY_DAY + h * 3600 + mi * 60;
}

/* A member with nothing: no birthday, no purchase, never messaged. */
static loy_trigger_member blank(int64_t today)
{
    loy_trigger_member m;
    memset(&m, 0, sizeof(m));
    m.today = today;
    m.bday_set_day = LOY_DAY_NONE;
    m.first_purchase_day = LOY_DAY_NONE;
    m.p_alive_milli = -1;
    m.expiring_day = LOY_DAY_NONE;
    for (int i = 0; i < LOY_TRIG_COUNT; i++) m.last_fired[i] = LOY_DAY_NONE;
    return m;
}

/* Settings with every trigger on and its defaults. */
static loy_trigger_settings all_on(void)
{
    loy_trigger_settings s;
    loy_trigger_settings_init(&s);
    s.present = true;
    for (int i = 0; i < LOY_TRIG_COUNT; i++) s.t[i].on = true;
    return s;
}

/* The due trigger `t` (its index in out), or -1. */
static int find(const loy_trigger_due *out, size_t n, loy_trigger t)
{
    for (size_t i = 0; i < n; i++)
        if (out[i].trigger == t) return (int)i;
    return -1;
}

static bool due(const loy_trigger_settings *s, const loy_trigger_member *m, loy_trigger t)
{
    loy_trigger_due out[LOY_TRIG_COUNT];
    size_t n = loy_triggers_daily(s, m, out);
    assert_true(n <= LOY_TRIG_COUNT);
    int i = find(out, n, t);
    if (i >= 0) {
        char key[16];
        loy_date_format(key, sizeof(key), m->today);
        assert_string_equal(out[i].key, key); /* daily keys are the member's local date */
        assert_true(out[i].why[0] != '\0');
    }
    return i >= 0;
}

static loy_tz *zone(const char *name)
{
    loy_tz *tz = NULL;
    loy_err err;
    if (loy_tz_load(&tz, name, &err)) fail_msg("zone %s: %s", name, err.message);
    return tz;
}

static void test_birthday_29_february(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    loy_trigger_member m = blank(day(2028, 2, 29));
    m.bday_day = 29;
    m.bday_month = 2;
    /* leap year: on the 29th, not on the 28th */
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.today = day(2028, 2, 28);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.today = day(2028, 3, 1);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    /* common years: on the 28th, never on 1 March */
    m.today = day(2027, 2, 28);
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
    loy_trigger_due out[LOY_TRIG_COUNT];
    size_t n = loy_triggers_daily(&s, &m, out);
    assert_non_null(strstr(out[find(out, n, LOY_TRIG_BIRTHDAY)].why, "29 February"));
    m.today = day(2027, 3, 1);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.today = day(2027, 2, 27);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    /* 1900 and 2100 are common years, 2000 is a leap year */
    m.today = day(2100, 2, 28);
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.today = day(2000, 2, 28);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.today = day(2000, 2, 29);
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
}

/* One UTC instant is a different local date in Honolulu (UTC-10) and Kiritimati (UTC+14): at each
 * instant exactly the member whose local date is 15 March gets the birthday message. */
static void test_birthday_time_zones(void **state)
{
    (void)state;
    loy_tz *hnl = zone("Pacific/Honolulu"), *kir = zone("Pacific/Kiritimati");
    loy_trigger_settings s = all_on();
    struct {
        int64_t at;
        int64_t hnl_day, kir_day;
        bool hnl_due, kir_due;
    } cases[] = {
        /* 10:30 UTC on the 14th: Kiritimati is at 00:30 on the 15th, Honolulu at 00:30 the 14th */
        {utc(2026, 3, 14, 10, 30), day(2026, 3, 14), day(2026, 3, 15), false, true},
        /* 09:59 UTC on the 15th: Kiritimati 23:59 on the 15th, Honolulu 23:59 on the 14th */
        {utc(2026, 3, 15, 9, 59), day(2026, 3, 14), day(2026, 3, 15), false, true},
        /* 10:00 UTC on the 15th: midnight passes in both at once, 25 hours apart */
        {utc(2026, 3, 15, 10, 0), day(2026, 3, 15), day(2026, 3, 16), true, false},
        /* 09:59 UTC on the 16th: Honolulu's last minute of the 15th */
        {utc(2026, 3, 16, 9, 59), day(2026, 3, 15), day(2026, 3, 16), true, false},
        {utc(2026, 3, 16, 10, 0), day(2026, 3, 16), day(2026, 3, 17), false, false},
        /* 10:00 UTC on the 13th: Kiritimati is still on the 14th */
        {utc(2026, 3, 13, 10, 0), day(2026, 3, 13), day(2026, 3, 14), false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t hd = loy_day_of(loy_tz_local(hnl, cases[i].at));
        int64_t kd = loy_day_of(loy_tz_local(kir, cases[i].at));
        assert_int_equal(hd, cases[i].hnl_day);
        assert_int_equal(kd, cases[i].kir_day);
        loy_trigger_member h = blank(hd), k = blank(kd);
        h.bday_day = k.bday_day = 15;
        h.bday_month = k.bday_month = 3;
        if (due(&s, &h, LOY_TRIG_BIRTHDAY) != cases[i].hnl_due ||
            due(&s, &k, LOY_TRIG_BIRTHDAY) != cases[i].kir_due)
            fail_msg("case %zu: Honolulu %d Kiritimati %d", i, cases[i].hnl_due, cases[i].kir_due);
    }
    /* New Year: a birthday on 1 January with a message 2 days before starts in December */
    s.t[LOY_TRIG_BIRTHDAY].days_before = 2;
    int64_t at = utc(2026, 12, 30, 10, 0); /* Kiritimati: 31 Dec 00:00; Honolulu: 30 Dec 00:00 */
    loy_trigger_member h = blank(loy_day_of(loy_tz_local(hnl, at)));
    loy_trigger_member k = blank(loy_day_of(loy_tz_local(kir, at)));
    h.bday_day = k.bday_day = 1;
    h.bday_month = k.bday_month = 1;
    assert_true(due(&s, &h, LOY_TRIG_BIRTHDAY));
    assert_true(due(&s, &k, LOY_TRIG_BIRTHDAY));
    h.today = day(2026, 12, 29);
    assert_false(due(&s, &h, LOY_TRIG_BIRTHDAY));
    loy_tz_free(hnl);
    loy_tz_free(kir);
}

static void test_birthday_30_day_rule(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    loy_trigger_member m = blank(day(2026, 6, 10));
    m.bday_day = 10;
    m.bday_month = 6;
    m.bday_set_day = day(2026, 6, 10) - 29;
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.bday_set_day = day(2026, 6, 10) - 30;
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
    /* the rule is the bonus's own */
    assert_false(loy_birthday_settled(day(2026, 6, 10) - 29, day(2026, 6, 10)));
    assert_true(loy_birthday_settled(day(2026, 6, 10) - 30, day(2026, 6, 10)));
    /* with days_before the rule still counts to the birthday, not to the message */
    s.t[LOY_TRIG_BIRTHDAY].days_before = 5;
    m.today = day(2026, 6, 5);
    m.bday_set_day = day(2026, 5, 11); /* 30 days before 10 June */
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.bday_set_day = day(2026, 5, 12);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    /* next year the same birthday counts */
    m.today = day(2027, 6, 5);
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
}

static void test_birthday_once_per_occurrence(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    s.t[LOY_TRIG_BIRTHDAY].days_before = 3;
    loy_trigger_member m = blank(day(2026, 9, 7));
    m.bday_day = 10;
    m.bday_month = 9;
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY)); /* 3 days before */
    m.today = day(2026, 9, 6);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY)); /* before the window */
    /* sent on the 7th: not again on the 8th, 9th or 10th */
    m.last_fired[LOY_TRIG_BIRTHDAY] = day(2026, 9, 7);
    for (int d = 7; d <= 10; d++) {
        m.today = day(2026, 9, d);
        assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    }
    /* jobs that did not run on the 7th catch up on the 9th, not on the 11th */
    m.last_fired[LOY_TRIG_BIRTHDAY] = day(2025, 9, 7);
    m.today = day(2026, 9, 9);
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
    m.today = day(2026, 9, 11);
    assert_false(due(&s, &m, LOY_TRIG_BIRTHDAY));
    /* next year */
    m.last_fired[LOY_TRIG_BIRTHDAY] = day(2026, 9, 7);
    m.today = day(2027, 9, 7);
    assert_true(due(&s, &m, LOY_TRIG_BIRTHDAY));
}

static void test_anniversary(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    loy_trigger_member m = blank(day(2025, 3, 4));
    m.first_purchase_day = day(2025, 3, 4);
    m.purchases = 1;
    int64_t pd[] = {day(2025, 3, 4)};
    m.purchase_days = pd;
    m.npurchase_days = 1;
    assert_false(due(&s, &m, LOY_TRIG_ANNIVERSARY)); /* the first visit itself */
    m.today = day(2026, 3, 4);
    assert_true(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    loy_trigger_due out[LOY_TRIG_COUNT];
    size_t n = loy_triggers_daily(&s, &m, out);
    assert_non_null(strstr(out[find(out, n, LOY_TRIG_ANNIVERSARY)].why, "1 year(s)"));
    m.today = day(2026, 3, 3);
    assert_false(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    m.last_fired[LOY_TRIG_ANNIVERSARY] = day(2026, 3, 4);
    m.today = day(2026, 3, 4);
    assert_false(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    m.today = day(2027, 3, 4);
    assert_true(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    /* first visit on 29 February 2024: 28 February 2025, 29 February 2028 */
    m = blank(day(2025, 2, 28));
    m.first_purchase_day = day(2024, 2, 29);
    assert_true(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    m.today = day(2025, 3, 1);
    assert_false(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    m.today = day(2028, 2, 28);
    assert_false(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    m.today = day(2028, 2, 29);
    assert_true(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    /* days_before across New Year */
    s.t[LOY_TRIG_ANNIVERSARY].days_before = 7;
    m = blank(day(2026, 12, 28));
    m.first_purchase_day = day(2025, 1, 3);
    assert_true(due(&s, &m, LOY_TRIG_ANNIVERSARY));
    m.today = day(2026, 12, 26);
    assert_false(due(&s, &m, LOY_TRIG_ANNIVERSARY));
}

static void test_reorder(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    s.t[LOY_TRIG_WINBACK].on = false;
    /* purchases every 7 days (one 9-day gap): median gap 7, margin 1.5 -> due after 10.5 days */
    int64_t last = day(2026, 5, 1);
    int64_t pd[] = {last, last, last - 7, last - 16, last - 23};
    loy_trigger_member m = blank(last + 10);
    m.purchases = 5;
    m.purchase_days = pd;
    m.npurchase_days = 5;
    m.first_purchase_day = pd[4];
    assert_false(due(&s, &m, LOY_TRIG_REORDER));
    m.today = last + 11;
    assert_true(due(&s, &m, LOY_TRIG_REORDER));
    loy_trigger_due out[LOY_TRIG_COUNT];
    size_t n = loy_triggers_daily(&s, &m, out);
    assert_non_null(strstr(out[find(out, n, LOY_TRIG_REORDER)].why, "usual gap of 7 days"));
    /* margin 2: due after more than 14 days */
    s.t[LOY_TRIG_REORDER].margin_milli = 2000;
    m.today = last + 14;
    assert_false(due(&s, &m, LOY_TRIG_REORDER));
    m.today = last + 15;
    assert_true(due(&s, &m, LOY_TRIG_REORDER));
    /* once per gap: sent on day 15, not again on day 16; again after the next purchase */
    m.last_fired[LOY_TRIG_REORDER] = last + 15;
    m.today = last + 16;
    assert_false(due(&s, &m, LOY_TRIG_REORDER));
    int64_t pd2[] = {last + 15, last, last - 7, last - 16, last - 23};
    m.purchase_days = pd2;
    m.purchases = 6;
    m.today = last + 15 + 20;
    assert_true(due(&s, &m, LOY_TRIG_REORDER));
    /* too few purchases */
    m.purchases = 2;
    assert_false(due(&s, &m, LOY_TRIG_REORDER));
    /* an even number of gaps: median of 4 and 6 is 5 -> margin 2 -> due after 10 days */
    int64_t pd3[] = {last, last - 4, last - 10};
    m = blank(last + 10);
    m.purchases = 3;
    m.purchase_days = pd3;
    m.npurchase_days = 3;
    assert_false(due(&s, &m, LOY_TRIG_REORDER));
    m.today = last + 11;
    assert_true(due(&s, &m, LOY_TRIG_REORDER));
    /* all on one day: no gap, no reminder */
    int64_t pd4[] = {last, last, last};
    m.purchase_days = pd4;
    m.today = last + 100;
    assert_false(due(&s, &m, LOY_TRIG_REORDER));
}

static void test_winback(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    s.t[LOY_TRIG_WINBACK].p_alive_below_milli = 300;
    s.t[LOY_TRIG_WINBACK].days_without_visit = 60;
    s.t[LOY_TRIG_WINBACK].every_days = 90;
    int64_t last = day(2026, 1, 10);
    int64_t pd[] = {last, last - 5, last - 10};
    loy_trigger_member m = blank(last + 30);
    m.purchases = 3;
    m.purchase_days = pd;
    m.npurchase_days = 3;
    /* by P(alive): 0.299 is below 0.3, 0.300 is not, unknown never is */
    m.p_alive_milli = 299;
    assert_true(due(&s, &m, LOY_TRIG_WINBACK));
    assert_false(due(&s, &m, LOY_TRIG_REORDER)); /* no reorder reminder on the same day */
    m.p_alive_milli = 300;
    assert_false(due(&s, &m, LOY_TRIG_WINBACK));
    assert_true(due(&s, &m, LOY_TRIG_REORDER));
    m.p_alive_milli = -1;
    assert_false(due(&s, &m, LOY_TRIG_WINBACK));
    /* by days: 59 no, 60 yes */
    m.today = last + 59;
    assert_false(due(&s, &m, LOY_TRIG_WINBACK));
    m.today = last + 60;
    assert_true(due(&s, &m, LOY_TRIG_WINBACK));
    /* at most once per 90 days */
    m.last_fired[LOY_TRIG_WINBACK] = last + 60;
    m.today = last + 149;
    assert_false(due(&s, &m, LOY_TRIG_WINBACK));
    m.today = last + 150;
    assert_true(due(&s, &m, LOY_TRIG_WINBACK));
    /* P(alive) only */
    s.t[LOY_TRIG_WINBACK].days_without_visit = 0;
    m.last_fired[LOY_TRIG_WINBACK] = LOY_DAY_NONE;
    m.p_alive_milli = 800;
    m.today = last + 400;
    assert_false(due(&s, &m, LOY_TRIG_WINBACK));
    /* no purchase: nobody to win back */
    m = blank(last + 400);
    m.p_alive_milli = 10;
    assert_false(due(&s, &m, LOY_TRIG_WINBACK));
}

static void test_expiring(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on(); /* days_before 14 */
    loy_trigger_member m = blank(day(2026, 11, 17));
    m.expiring_points = 120;
    m.expiring_day = day(2026, 12, 1);
    assert_true(due(&s, &m, LOY_TRIG_EXPIRING));
    loy_trigger_due out[LOY_TRIG_COUNT];
    size_t n = loy_triggers_daily(&s, &m, out);
    assert_non_null(strstr(out[find(out, n, LOY_TRIG_EXPIRING)].why, "120 points"));
    assert_non_null(strstr(out[find(out, n, LOY_TRIG_EXPIRING)].why, "2026-12-01"));
    /* once per expiry date */
    m.last_fired[LOY_TRIG_EXPIRING] = day(2026, 11, 17);
    m.today = day(2026, 11, 20);
    assert_false(due(&s, &m, LOY_TRIG_EXPIRING));
    /* the next lot, expiring 5 December: its window opened on 21 November */
    m.today = day(2026, 12, 1);
    m.expiring_day = day(2026, 12, 5);
    assert_true(due(&s, &m, LOY_TRIG_EXPIRING));
    /* a message sent inside that window already covers it */
    m.last_fired[LOY_TRIG_EXPIRING] = day(2026, 11, 21);
    assert_false(due(&s, &m, LOY_TRIG_EXPIRING));
    /* nothing expiring */
    m = blank(day(2026, 11, 17));
    assert_false(due(&s, &m, LOY_TRIG_EXPIRING));
}

static void test_each_trigger_off(void **state)
{
    (void)state;
    /* a member for whom every daily trigger is due */
    int64_t today = day(2027, 4, 2), last = today - 70;
    int64_t pd[] = {last, last - 7, last - 14, day(2026, 4, 2)};
    loy_trigger_member m = blank(today);
    m.bday_day = 2;
    m.bday_month = 4;
    m.first_purchase_day = day(2026, 4, 2);
    m.purchases = 4;
    m.purchase_days = pd;
    m.npurchase_days = 4;
    m.p_alive_milli = 100;
    m.expiring_points = 10;
    m.expiring_day = today + 3;
    loy_trigger_settings s = all_on();
    s.t[LOY_TRIG_WINBACK].on = false; /* winback hides reorder: off to see reorder */
    loy_trigger_due out[LOY_TRIG_COUNT];
    assert_int_equal(loy_triggers_daily(&s, &m, out), 4);
    assert_int_equal(out[0].trigger, LOY_TRIG_BIRTHDAY);
    assert_int_equal(out[1].trigger, LOY_TRIG_ANNIVERSARY);
    assert_int_equal(out[2].trigger, LOY_TRIG_REORDER);
    assert_int_equal(out[3].trigger, LOY_TRIG_EXPIRING);
    s.t[LOY_TRIG_WINBACK].on = true;
    assert_int_equal(loy_triggers_daily(&s, &m, out), 4);
    assert_int_equal(out[2].trigger, LOY_TRIG_WINBACK);
    for (int t = LOY_TRIG_FIRST_DAILY; t < LOY_TRIG_COUNT; t++) {
        loy_trigger_settings one = all_on();
        one.t[t].on = false;
        size_t n = loy_triggers_daily(&one, &m, out);
        assert_int_equal(find(out, n, (loy_trigger)t), -1);
        /* off, win-back lets the reorder reminder through; off, reorder changes nothing */
        assert_int_equal(n, t == LOY_TRIG_WINBACK || t == LOY_TRIG_REORDER ? 4 : 3);
    }
    /* the defaults (no section): nothing at all */
    loy_trigger_settings none;
    loy_trigger_settings_init(&none);
    assert_int_equal(loy_triggers_daily(&none, &m, out), 0);
    assert_int_equal(loy_triggers_joined(&none, 7, out), 0);
    assert_int_equal(
        loy_triggers_purchased(&none, 9, 1, LOY_EV_TIER_UP | LOY_EV_REWARD_AVAILABLE, "gold", out),
        0);
}

static void test_event_triggers(void **state)
{
    (void)state;
    loy_trigger_settings s = all_on();
    s.t[LOY_TRIG_THANKS].after_purchases = 5;
    loy_trigger_due out[LOY_TRIG_COUNT];
    assert_int_equal(loy_triggers_joined(&s, 42, out), 1);
    assert_int_equal(out[0].trigger, LOY_TRIG_WELCOME);
    assert_string_equal(out[0].key, "member:42");
    /* thanks on the 5th purchase exactly */
    assert_int_equal(loy_triggers_purchased(&s, 100, 4, 0, "silver", out), 0);
    assert_int_equal(loy_triggers_purchased(&s, 101, 6, 0, "silver", out), 0);
    assert_int_equal(loy_triggers_purchased(&s, 102, 5, 0, "silver", out), 1);
    assert_int_equal(out[0].trigger, LOY_TRIG_THANKS);
    assert_string_equal(out[0].key, "purchase:102");
    /* tier up and reward from the outcome's events */
    size_t n =
        loy_triggers_purchased(&s, 103, 2, LOY_EV_TIER_UP | LOY_EV_REWARD_AVAILABLE, "gold", out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].trigger, LOY_TRIG_TIER_UP);
    assert_string_equal(out[0].key, "tier:gold");
    assert_int_equal(out[1].trigger, LOY_TRIG_REWARD);
    assert_string_equal(out[1].key, "purchase:103");
    /* a tier down is no tier up */
    assert_int_equal(loy_triggers_purchased(&s, 104, 2, LOY_EV_TIER_DOWN, "silver", out), 0);
    s.t[LOY_TRIG_WELCOME].on = false;
    assert_int_equal(loy_triggers_joined(&s, 42, out), 0);
    s.t[LOY_TRIG_TIER_UP].on = false;
    n = loy_triggers_purchased(&s, 105, 2, LOY_EV_TIER_UP | LOY_EV_REWARD_AVAILABLE, "gold", out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].trigger, LOY_TRIG_REWARD);
}

/* ---- the programme section ---- */

#define PROG_HEAD                                                                                  \
    "{\"merchant\": {\"name\": \"T\", \"currency\": \"MYR\", \"timezone\": \"UTC\", "              \
    "\"locale\": \"en\"}, \"points\": {\"earn\": [{\"id\": \"base\", \"points_per_unit\": 1}]}, "  \
    "\"rewards\": [{\"id\": \"rm5-off\", \"name\": \"RM5 off\", \"kind\": \"amount_off\", "        \
    "\"amount\": \"5.00\", \"cost\": {\"points\": 500}}]"

static loy_programme *parse(const char *triggers, loy_err *err)
{
    char doc[4096];
    snprintf(doc, sizeof(doc), "%s%s%s}", PROG_HEAD, triggers ? ", \"triggers\": " : "",
             triggers ? triggers : "");
    loy_programme *p = NULL;
    int rc = loy_programme_parse(&p, doc, strlen(doc), err);
    assert_true(rc == 0 || p == NULL);
    return p;
}

static void test_section_parsed(void **state)
{
    (void)state;
    loy_err err;
    loy_programme *p = parse(NULL, &err);
    assert_non_null(p);
    assert_false(p->triggers.present);
    for (int t = 0; t < LOY_TRIG_COUNT; t++) assert_false(p->triggers.t[t].on);
    assert_int_equal(p->triggers.send_at, 600);
    loy_programme_free(p);

    p = parse("{\"send_at\": \"07:45\", \"welcome\": {\"offer\": \"rm5-off\"}, "
              "\"thanks\": {\"on\": true, \"after_purchases\": 5, \"delay_minutes\": 120}, "
              "\"birthday\": {\"days_before\": 3, \"template\": \"anniversary\"}, "
              "\"anniversary\": {\"on\": false}, "
              "\"reorder\": {\"margin\": 1.25, \"min_purchases\": 4}, "
              "\"winback\": {\"p_alive_below\": 0.3, \"days_without_visit\": 0, "
              "\"every_days\": 120}, \"tier_up\": {}, \"expiring\": {\"days_before\": 21}, "
              "\"reward\": {\"on\": true}}",
              &err);
    if (!p) fail_msg("%s", err.message);
    const loy_trigger_settings *s = &p->triggers;
    assert_true(s->present);
    assert_int_equal(s->send_at, 7 * 60 + 45);
    assert_true(s->t[LOY_TRIG_WELCOME].on);
    assert_string_equal(s->t[LOY_TRIG_WELCOME].offer, "rm5-off");
    assert_int_equal(s->t[LOY_TRIG_THANKS].after_purchases, 5);
    assert_int_equal(s->t[LOY_TRIG_THANKS].delay_minutes, 120);
    assert_int_equal(s->t[LOY_TRIG_BIRTHDAY].days_before, 3);
    assert_string_equal(s->t[LOY_TRIG_BIRTHDAY].template_id, "anniversary");
    assert_false(s->t[LOY_TRIG_ANNIVERSARY].on);
    assert_int_equal(s->t[LOY_TRIG_REORDER].margin_milli, 1250);
    assert_int_equal(s->t[LOY_TRIG_REORDER].min_purchases, 4);
    assert_int_equal(s->t[LOY_TRIG_WINBACK].p_alive_below_milli, 300);
    assert_int_equal(s->t[LOY_TRIG_WINBACK].days_without_visit, 0);
    assert_int_equal(s->t[LOY_TRIG_WINBACK].every_days, 120);
    assert_true(s->t[LOY_TRIG_TIER_UP].on);
    assert_int_equal(s->t[LOY_TRIG_EXPIRING].days_before, 21);
    assert_true(s->t[LOY_TRIG_REWARD].on);
    assert_string_equal(loy_trigger_name(LOY_TRIG_TIER_UP), "tier_up");
    assert_string_equal(loy_trigger_name(LOY_TRIG_WINBACK), "winback");
    loy_programme_free(p);
}

static void test_section_kopi_kita(void **state)
{
    (void)state;
    FILE *f = fopen("examples/kopi-kita.json", "rb");
    assert_non_null(f);
    char buf[16384];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    loy_programme *p = NULL;
    loy_err err;
    if (loy_programme_parse(&p, buf, len, &err)) fail_msg("%s", err.message);
    assert_true(p->triggers.present);
    assert_true(p->triggers.t[LOY_TRIG_WELCOME].on);
    assert_true(p->triggers.t[LOY_TRIG_BIRTHDAY].on);
    assert_string_equal(p->triggers.t[LOY_TRIG_BIRTHDAY].offer, "free-coffee");
    loy_programme_free(p);
}

static void test_section_bad(void **state)
{
    (void)state;
    static const struct {
        const char *triggers, *field, *message;
    } bad[] = {
        {"[]", "triggers",
         "triggers: expected an object like {\"send_at\": \"10:00\", \"welcome\": {\"on\": true}}, "
         "got []"},
        {"{\"welcom\": {}}", "triggers.welcom",
         "triggers.welcom: unknown field (did you mean \"welcome\"?)"},
        {"{\"goodbye\": {}}", "triggers.goodbye",
         "triggers.goodbye: unknown field (expected one of send_at, welcome, thanks, birthday, "
         "anniversary, reorder, winback, tier_up, expiring, reward)"},
        {"{\"survey\": {}}", "triggers.survey",
         "triggers.survey: unknown field (survey invitations are set up with feedback, not with "
         "triggers)"},
        {"{\"send_at\": \"24:00\"}", "triggers.send_at",
         "triggers.send_at: expected a local time like \"10:00\" (00:00 to 23:59), got \"24:00\""},
        {"{\"send_at\": \"9:00\"}", "triggers.send_at",
         "triggers.send_at: expected a local time like \"10:00\" (00:00 to 23:59), got \"9:00\""},
        {"{\"welcome\": true}", "triggers.welcome",
         "triggers.welcome: expected an object like {\"on\": true} with the fields of "
         "\"welcome\", got true"},
        {"{\"welcome\": {\"on\": 1}}", "triggers.welcome.on",
         "triggers.welcome.on: expected true or false, got 1"},
        {"{\"welcome\": {\"offer\": \"rm6-off\"}}", "triggers.welcome.offer",
         "triggers.welcome.offer: expected the id of one of the programme's rewards, got "
         "\"rm6-off\""},
        {"{\"welcome\": {\"days_before\": 1}}", "triggers.welcome.days_before",
         "triggers.welcome.days_before: unknown field (expected one of on, offer, template, "
         "delay_minutes)"},
        {"{\"thanks\": {\"after_purchases\": 0}}", "triggers.thanks.after_purchases",
         "triggers.thanks.after_purchases: expected an integer from 1 to 1000, got 0"},
        {"{\"birthday\": {\"days_before\": 31}}", "triggers.birthday.days_before",
         "triggers.birthday.days_before: expected an integer from 0 to 30, got 31"},
        {"{\"birthday\": {\"template\": \"nope\"}}", "triggers.birthday.template",
         "triggers.birthday.template: expected the id of a template in messages.templates or a "
         "trigger's name, got \"nope\""},
        {"{\"reorder\": {\"margin\": 0.5}}", "triggers.reorder.margin",
         "triggers.reorder.margin: expected a number from 1.000 to 10.000 with at most 3 "
         "decimals, got 0.5"},
        {"{\"reorder\": {\"margin\": \"1.5\"}}", "triggers.reorder.margin",
         "triggers.reorder.margin: expected a number from 1.000 to 10.000 with at most 3 "
         "decimals, got \"1.5\""},
        {"{\"reorder\": {\"min_purchases\": 1}}", "triggers.reorder.min_purchases",
         "triggers.reorder.min_purchases: expected an integer from 2 to 1000, got 1"},
        {"{\"winback\": {\"p_alive_below\": 1}}", "triggers.winback.p_alive_below",
         "triggers.winback.p_alive_below: expected a number from 0.000 to 0.999 with at most 3 "
         "decimals, got 1"},
        {"{\"winback\": {\"p_alive_below\": 0.0625}}", "triggers.winback.p_alive_below",
         "triggers.winback.p_alive_below: expected a number from 0.000 to 0.999 with at most 3 "
         "decimals, got 0.0625"},
        {"{\"winback\": {\"days_without_visit\": 0}}", "triggers.winback.days_without_visit",
         "triggers.winback.days_without_visit: win-back needs p_alive_below or "
         "days_without_visit above 0"},
        {"{\"winback\": {\"every_days\": 0}}", "triggers.winback.every_days",
         "triggers.winback.every_days: expected an integer from 1 to 3660, got 0"},
        {"{\"expiring\": {\"days_before\": 0}}", "triggers.expiring.days_before",
         "triggers.expiring.days_before: expected an integer from 1 to 365, got 0"},
        {"{\"expiring\": {\"offer\": \"rm5-off\"}}", "triggers.expiring.offer",
         "triggers.expiring.offer: unknown field (expected one of on, days_before, template)"},
        {"{\"reward\": {\"delay_minutes\": 10081}}", "triggers.reward.delay_minutes",
         "triggers.reward.delay_minutes: expected an integer from 0 to 10080, got 10081"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        loy_err err;
        loy_err_clear(&err);
        loy_programme *p = parse(bad[i].triggers, &err);
        if (p) fail_msg("case %zu (%s) was accepted", i, bad[i].triggers);
        assert_int_equal(err.code, LOY_EINVALID);
        if (strcmp(err.field, bad[i].field) || strcmp(err.message, bad[i].message))
            fail_msg("case %zu: got field \"%s\", message \"%s\"", i, err.field, err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_birthday_29_february),
        cmocka_unit_test(test_birthday_time_zones),
        cmocka_unit_test(test_birthday_30_day_rule),
        cmocka_unit_test(test_birthday_once_per_occurrence),
        cmocka_unit_test(test_anniversary),
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_winback),
        cmocka_unit_test(test_expiring),
        cmocka_unit_test(test_each_trigger_off),
        cmocka_unit_test(test_event_triggers),
        cmocka_unit_test(test_section_parsed),
        cmocka_unit_test(test_section_kopi_kita),
        cmocka_unit_test(test_section_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
