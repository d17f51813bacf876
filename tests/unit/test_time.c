/* Unit tests for util/time: civil dates, TZif zones and their footer rules, ISO 8601 text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/time.h"

#define H 3600

static int64_t at(int y, int mo, int d, int h, int mi, int s)
{
    return loy_days_from_civil(y, mo, d) * LOY_DAY + h * 3600 + mi * 60 + s;
}

static loy_tz *zone(const char *name)
{
    loy_tz *tz = NULL;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_tz_load(&tz, name, &err);
    if (rc != 0) fail_msg("loading %s: %s", name, err.message);
    assert_non_null(tz);
    assert_string_equal(loy_tz_name(tz), name);
    return tz;
}

static void test_civil_known_days(void **state)
{
    (void)state;
    assert_int_equal(loy_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(loy_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(loy_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(loy_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(loy_days_from_civil(2026, 11, 22), 20779);
    assert_int_equal(loy_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(loy_days_from_civil(1, 1, 1), -719162);
    /* 1900 is not leap: Feb 28 is followed by Mar 1; 2000 is */
    assert_int_equal(loy_days_from_civil(1900, 3, 1) - loy_days_from_civil(1900, 2, 28), 1);
    assert_int_equal(loy_days_from_civil(2000, 3, 1) - loy_days_from_civil(2000, 2, 28), 2);
    int y, m, d;
    loy_civil_from_days(19782, &y, &m, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    loy_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
}

static void test_civil_round_trip(void **state)
{
    (void)state;
    /* every day from 1600-01-01 to 2400-12-31: consecutive, valid and reversible */
    int64_t expect = loy_days_from_civil(1600, 1, 1);
    for (int y = 1600; y <= 2400; y++) {
        for (int m = 1; m <= 12; m++) {
            int dim = loy_days_in_month(y, m);
            for (int d = 1; d <= dim; d++) {
                int64_t days = loy_days_from_civil(y, m, d);
                if (days != expect) fail_msg("%04d-%02d-%02d -> %lld", y, m, d, (long long)days);
                int yy, mm, dd;
                loy_civil_from_days(days, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    fail_msg("round trip of %04d-%02d-%02d", y, m, d);
                expect++;
            }
        }
    }
    /* 400 Gregorian years are exactly 146097 days */
    assert_int_equal(loy_days_from_civil(2400, 1, 1) - loy_days_from_civil(2000, 1, 1), 146097);
}

static void test_leap_and_month_lengths(void **state)
{
    (void)state;
    assert_true(loy_is_leap(2024));
    assert_true(loy_is_leap(2000));
    assert_true(loy_is_leap(1600));
    assert_false(loy_is_leap(1900));
    assert_false(loy_is_leap(2100));
    assert_false(loy_is_leap(2026));
    assert_int_equal(loy_days_in_month(2024, 2), 29);
    assert_int_equal(loy_days_in_month(1900, 2), 28);
    assert_int_equal(loy_days_in_month(2000, 2), 29);
    assert_int_equal(loy_days_in_month(2026, 4), 30);
    assert_int_equal(loy_days_in_month(2026, 12), 31);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(loy_weekday(0), 3);                                 /* 1970-01-01 Thu */
    assert_int_equal(loy_weekday(loy_days_from_civil(2000, 1, 1)), 5);   /* Saturday */
    assert_int_equal(loy_weekday(loy_days_from_civil(2024, 2, 29)), 3);  /* Thursday */
    assert_int_equal(loy_weekday(loy_days_from_civil(2026, 11, 22)), 6); /* Sunday */
    assert_int_equal(loy_weekday(loy_days_from_civil(1969, 7, 20)), 6);  /* Sunday */
    assert_int_equal(loy_weekday(loy_days_from_civil(1900, 1, 1)), 0);   /* Monday */
    assert_int_equal(loy_weekday(loy_days_from_civil(1969, 12, 29)), 0); /* Monday */
}

static void test_day_of(void **state)
{
    (void)state;
    assert_int_equal(loy_day_of(0), 0);
    assert_int_equal(loy_day_of(86399), 0);
    assert_int_equal(loy_day_of(86400), 1);
    assert_int_equal(loy_day_of(-1), -1);
    assert_int_equal(loy_day_of(-86400), -1);
    assert_int_equal(loy_day_of(-86401), -2);
}

static void test_utc_zones(void **state)
{
    (void)state;
    const char *names[] = {"UTC", "Etc/UTC"};
    for (int i = 0; i < 2; i++) {
        loy_tz *tz = zone(names[i]);
        assert_int_equal(loy_tz_offset(tz, at(2026, 7, 1, 12, 0, 0)), 0);
        assert_int_equal(loy_tz_offset(tz, at(1950, 1, 1, 0, 0, 0)), 0);
        assert_int_equal(loy_tz_to_utc(tz, 1000), 1000);
        loy_tz_free(tz);
    }
}

static void test_kuala_lumpur(void **state)
{
    (void)state;
    loy_tz *tz = zone("Asia/Kuala_Lumpur");
    for (int y = 1983; y <= 2060; y += 7) {
        assert_int_equal(loy_tz_offset(tz, at(y, 1, 15, 3, 0, 0)), 8 * H);
        assert_int_equal(loy_tz_offset(tz, at(y, 7, 15, 20, 0, 0)), 8 * H);
    }
    int64_t t = at(2026, 11, 22, 2, 5, 0);
    assert_int_equal(loy_tz_local(tz, t), at(2026, 11, 22, 10, 5, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 11, 22, 10, 5, 0)), t);
    /* before 1982 Malaysia was +07:30 */
    assert_int_equal(loy_tz_offset(tz, at(1975, 6, 1, 0, 0, 0)), 7 * H + 1800);
    loy_tz_free(tz);
}

static void check_switches(loy_tz *tz, int64_t on, int64_t off, int32_t std, int32_t dst)
{
    assert_int_equal(loy_tz_offset(tz, on - 1), std);
    assert_int_equal(loy_tz_offset(tz, on), dst);
    assert_int_equal(loy_tz_offset(tz, off - 1), dst);
    assert_int_equal(loy_tz_offset(tz, off), std);
}

static void test_budapest(void **state)
{
    (void)state;
    loy_tz *tz = zone("Europe/Budapest");
    /* 2026 (from the transition table) and 2040 (from the footer CET-1CEST,M3.5.0,M10.5.0/3) */
    check_switches(tz, at(2026, 3, 29, 1, 0, 0), at(2026, 10, 25, 1, 0, 0), H, 2 * H);
    check_switches(tz, at(2040, 3, 25, 1, 0, 0), at(2040, 10, 28, 1, 0, 0), H, 2 * H);
    check_switches(tz, at(2099, 3, 29, 1, 0, 0), at(2099, 10, 25, 1, 0, 0), H, 2 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 1, 1, 0, 0, 0)), H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 12, 31, 23, 0, 0)), H);
    assert_int_equal(loy_tz_local(tz, at(2040, 7, 1, 10, 0, 0)), at(2040, 7, 1, 12, 0, 0));

    /* gap: 02:30 does not exist on 2026-03-29; read with CET it is 01:30Z = 03:30 CEST */
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 3, 29, 2, 30, 0)), at(2026, 3, 29, 1, 30, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2040, 3, 25, 2, 30, 0)), at(2040, 3, 25, 1, 30, 0));
    /* overlap: 02:30 happens twice on 2026-10-25 (00:30Z CEST, 01:30Z CET); the earlier wins */
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 10, 25, 2, 30, 0)), at(2026, 10, 25, 0, 30, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2040, 10, 28, 2, 30, 0)), at(2040, 10, 28, 0, 30, 0));
    /* unambiguous times either side */
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 3, 29, 1, 59, 59)), at(2026, 3, 29, 0, 59, 59));
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 3, 29, 3, 0, 0)), at(2026, 3, 29, 1, 0, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 10, 25, 3, 0, 0)), at(2026, 10, 25, 2, 0, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2040, 7, 1, 12, 0, 0)), at(2040, 7, 1, 10, 0, 0));
    loy_tz_free(tz);
}

static void test_new_york(void **state)
{
    (void)state;
    loy_tz *tz = zone("America/New_York");
    check_switches(tz, at(2026, 3, 8, 7, 0, 0), at(2026, 11, 1, 6, 0, 0), -5 * H, -4 * H);
    check_switches(tz, at(2040, 3, 11, 7, 0, 0), at(2040, 11, 4, 6, 0, 0), -5 * H, -4 * H);
    /* RFC 5545's own examples: 2007-03-11 02:30 is 03:30 EDT, 2007-11-04 01:30 is EDT */
    assert_int_equal(loy_tz_to_utc(tz, at(2007, 3, 11, 2, 30, 0)), at(2007, 3, 11, 7, 30, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2007, 11, 4, 1, 30, 0)), at(2007, 11, 4, 5, 30, 0));
    assert_int_equal(loy_tz_to_utc(tz, at(2040, 11, 4, 1, 30, 0)), at(2040, 11, 4, 5, 30, 0));
    loy_tz_free(tz);
}

static void test_southern_and_odd_rules(void **state)
{
    (void)state;
    /* AEST-10AEDT,M10.1.0,M4.1.0/3: summer time spans the new year */
    loy_tz *tz = zone("Australia/Sydney");
    assert_int_equal(loy_tz_offset(tz, at(2040, 1, 1, 0, 0, 0)), 11 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 7, 1, 0, 0, 0)), 10 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 3, 31, 15, 59, 59)), 11 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 3, 31, 16, 0, 0)), 10 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 10, 6, 16, 0, 0)), 11 * H);
    loy_tz_free(tz);
    /* <-02>2<-01>,M3.5.0/-1,M10.5.0/0: negative switch time */
    tz = zone("America/Nuuk");
    check_switches(tz, at(2040, 3, 25, 1, 0, 0), at(2040, 10, 28, 1, 0, 0), -2 * H, -H);
    loy_tz_free(tz);
    /* <-04>4<-03>,M9.1.6/24,M4.1.6/24: switch at 24:00 */
    tz = zone("America/Santiago");
    assert_int_equal(loy_tz_offset(tz, at(2040, 4, 8, 2, 59, 59)), -3 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 4, 8, 3, 0, 0)), -4 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 9, 2, 3, 59, 59)), -4 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 9, 2, 4, 0, 0)), -3 * H);
    loy_tz_free(tz);
}

static void test_kiritimati_honolulu(void **state)
{
    (void)state;
    loy_tz *tz = zone("Pacific/Kiritimati");
    assert_int_equal(loy_tz_offset(tz, at(2026, 6, 1, 0, 0, 0)), 14 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 12, 31, 23, 0, 0)), 14 * H);
    /* 10:00Z on Dec 31 is already the next day there */
    int64_t local = loy_tz_local(tz, at(2026, 12, 31, 10, 0, 0));
    assert_int_equal(loy_day_of(local), loy_days_from_civil(2027, 1, 1));
    assert_int_equal(loy_tz_to_utc(tz, at(2027, 1, 1, 0, 0, 0)), at(2026, 12, 31, 10, 0, 0));
    loy_tz_free(tz);

    tz = zone("Pacific/Honolulu");
    assert_int_equal(loy_tz_offset(tz, at(2026, 1, 1, 0, 0, 0)), -10 * H);
    assert_int_equal(loy_tz_offset(tz, at(2026, 7, 1, 0, 0, 0)), -10 * H);
    assert_int_equal(loy_tz_offset(tz, at(2040, 7, 1, 0, 0, 0)), -10 * H);
    assert_int_equal(loy_tz_to_utc(tz, at(2026, 11, 22, 0, 0, 0)), at(2026, 11, 22, 10, 0, 0));
    loy_tz_free(tz);
}

static void test_extreme_instants(void **state)
{
    (void)state;
    /* nothing may overflow, whatever the instant */
    const char *names[] = {"Europe/Budapest", "Australia/Sydney", "Pacific/Kiritimati", "UTC"};
    const int64_t instants[] = {INT64_MIN,        INT64_MIN + 1, -(INT64_C(1) << 40),
                                INT64_C(1) << 40, INT64_MAX - 1, INT64_MAX};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        loy_tz *tz = zone(names[i]);
        for (size_t k = 0; k < sizeof(instants) / sizeof(instants[0]); k++) {
            int32_t off = loy_tz_offset(tz, instants[k]);
            assert_true(off >= -12 * H && off <= 14 * H);
            (void)loy_tz_local(tz, instants[k]);
            (void)loy_tz_to_utc(tz, instants[k]);
        }
        loy_tz_free(tz);
    }
    char buf[40];
    loy_time_format(buf, sizeof(buf), INT64_MIN);
    loy_time_format(buf, sizeof(buf), INT64_MAX);
    loy_date_format(buf, sizeof(buf), INT64_MIN / LOY_DAY);
}

static void test_bad_zone_names(void **state)
{
    (void)state;
    const char *bad[] = {"Mars/Olympus_Mons",
                         "Europe/Budapestt",
                         "",
                         "../../etc/passwd",
                         "Europe/../../../etc/passwd",
                         "/etc/localtime",
                         "/usr/share/zoneinfo/UTC",
                         "Europe/Budapest\n",
                         "Europe/Budapest ",
                         "zone.tab",
                         "Europe",
                         "leapseconds",
                         "Asia/Kuala Lumpur"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        loy_tz *tz = (loy_tz *)&bad; /* must be reset to NULL */
        loy_err err;
        loy_err_clear(&err);
        int rc = loy_tz_load(&tz, bad[i], &err);
        if (rc != LOY_EINVALID) fail_msg("\"%s\" gave %d", bad[i], rc);
        assert_null(tz);
        assert_int_equal(err.code, LOY_EINVALID);
        assert_string_equal(err.field, "tz");
    }
    loy_tz *tz = NULL;
    assert_int_equal(loy_tz_load(&tz, NULL, NULL), LOY_EINVALID);
    assert_null(tz);
}

static void test_iso_parse(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_true(loy_time_parse("2026-11-22T10:05:00Z", &t));
    assert_int_equal(t, at(2026, 11, 22, 10, 5, 0));
    assert_true(loy_time_parse("2026-11-22T10:05:00+08:00", &t));
    assert_int_equal(t, at(2026, 11, 22, 2, 5, 0));
    assert_true(loy_time_parse("2026-11-22T10:05:00-10:00", &t));
    assert_int_equal(t, at(2026, 11, 22, 20, 5, 0));
    assert_true(loy_time_parse("2026-11-22T23:59:59.987654Z", &t));
    assert_int_equal(t, at(2026, 11, 22, 23, 59, 59));
    assert_true(loy_time_parse("2026-11-22", &t));
    assert_int_equal(t, at(2026, 11, 22, 0, 0, 0));
    assert_true(loy_time_parse("2024-02-29T00:00:00Z", &t));
    assert_int_equal(t, at(2024, 2, 29, 0, 0, 0));
    assert_true(loy_time_parse("1969-12-31T23:59:59Z", &t));
    assert_int_equal(t, -1);
    assert_true(loy_time_parse("2026-01-01T05:00:00+05:30", &t));
    assert_int_equal(t, at(2025, 12, 31, 23, 30, 0));

    const char *bad[] = {"2026-13-01",
                         "2026-02-30",
                         "2026-02-29",
                         "1900-02-29",
                         "2026-00-10",
                         "2026-01-00",
                         "abc",
                         "",
                         "2026-11-22x",
                         "2026-11-22T10:05:00Zjunk",
                         "2026-11-22T10:05:00",
                         "2026-11-22T24:00:00Z",
                         "2026-11-22T10:60:00Z",
                         "2026-11-22T10:05:61Z",
                         "2026-11-22T10:05:00+8:00",
                         "2026-11-22T10:05:00+08:00 ",
                         "2026-11-22T10:05:00.Z",
                         " 2026-11-22",
                         "26-11-22",
                         "2026/11/22",
                         "2026-1-22"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = 12345;
        if (loy_time_parse(bad[i], &t)) fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 12345);
    }
    assert_false(loy_time_parse(NULL, &t));
}

static void test_date_parse_and_format(void **state)
{
    (void)state;
    int64_t days = 0;
    assert_true(loy_date_parse("2024-02-29", &days));
    assert_int_equal(days, 19782);
    assert_false(loy_date_parse("2023-02-29", &days));
    assert_false(loy_date_parse("2024-02-29T00:00:00Z", &days));
    assert_false(loy_date_parse("2024-02-2", &days));

    char buf[32];
    loy_date_format(buf, sizeof(buf), 19782);
    assert_string_equal(buf, "2024-02-29");
    loy_date_format(buf, sizeof(buf), -1);
    assert_string_equal(buf, "1969-12-31");
    loy_time_format(buf, sizeof(buf), at(2026, 11, 22, 10, 5, 0));
    assert_string_equal(buf, "2026-11-22T10:05:00Z");
    loy_time_format(buf, sizeof(buf), -1);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    char exact[21];
    loy_time_format(exact, sizeof(exact), at(2040, 2, 29, 23, 59, 58));
    assert_string_equal(exact, "2040-02-29T23:59:58Z");

    /* format -> parse is the identity on a spread of instants */
    for (int64_t u = at(1901, 1, 1, 0, 0, 0); u < at(2100, 1, 1, 0, 0, 0); u += 7777777) {
        int64_t back = 0;
        loy_time_format(buf, sizeof(buf), u);
        assert_true(loy_time_parse(buf, &back));
        assert_int_equal(back, u);
    }
}

static void test_now_override(void **state)
{
    (void)state;
    assert_int_equal(setenv("LOYALTY_NOW", "2026-11-22T10:05:00+08:00", 1), 0);
    assert_int_equal(loy_time_now(), at(2026, 11, 22, 2, 5, 0));
    assert_int_equal(setenv("LOYALTY_NOW", "2030-01-01", 1), 0);
    assert_int_equal(loy_time_now(), at(2030, 1, 1, 0, 0, 0));
    assert_int_equal(unsetenv("LOYALTY_NOW"), 0);
    int64_t now = loy_time_now();
    assert_true(now > at(2024, 1, 1, 0, 0, 0));
    assert_true(now < at(2200, 1, 1, 0, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_known_days),
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_leap_and_month_lengths),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_day_of),
        cmocka_unit_test(test_utc_zones),
        cmocka_unit_test(test_kuala_lumpur),
        cmocka_unit_test(test_budapest),
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_southern_and_odd_rules),
        cmocka_unit_test(test_kiritimati_honolulu),
        cmocka_unit_test(test_extreme_instants),
        cmocka_unit_test(test_bad_zone_names),
        cmocka_unit_test(test_iso_parse),
        cmocka_unit_test(test_date_parse_and_format),
        cmocka_unit_test(test_now_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
