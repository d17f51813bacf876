/* Unit tests for analytics/report_math: every expected value is worked out by hand in the
 * comment beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "analytics/report_math.h"
#include "util/time.h"

#define EPS 1e-9

static void test_quantiles(void **state)
{
    (void)state;
    const int64_t a[] = {10, 20, 30, 40};
    /* type 7: h = 3q; q = .5 -> h = 1.5 -> 20 + .5 x 10 = 25 */
    assert_float_equal(loy_rpt_median(a, 4), 25, EPS);
    /* q = .25 -> h = .75 -> 10 + .75 x 10 = 17.5 */
    assert_float_equal(loy_rpt_quantile(a, 4, 0.25), 17.5, EPS);
    assert_float_equal(loy_rpt_quantile(a, 4, 0), 10, EPS);
    assert_float_equal(loy_rpt_quantile(a, 4, 1), 40, EPS);
    const int64_t odd[] = {1, 5, 100};
    assert_float_equal(loy_rpt_median(odd, 3), 5, EPS);
    const int64_t one[] = {7};
    assert_float_equal(loy_rpt_median(one, 1), 7, EPS);
    assert_float_equal(loy_rpt_median(NULL, 0), 0, EPS);
}

static void test_quintiles(void **state)
{
    (void)state;
    /* 5 distinct values: below = 0..4 -> 1 + floor(5 below / 5) = 1..5 */
    const int64_t v[] = {50, 10, 40, 20, 30};
    const int64_t s[] = {10, 20, 30, 40, 50};
    int out[5];
    loy_rpt_quintiles(out, v, s, 5);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 4);
    assert_int_equal(out[3], 2);
    assert_int_equal(out[4], 3);
    /* ties: {1,1,1,2,3,3,4,9,9,9}, n = 10. 1: below 0 -> 1; 2: below 3 -> 1 + 15/10 = 2;
     * 3: below 4 -> 1 + 2 = 3; 4: below 6 -> 1 + 3 = 4; 9: below 7 -> 1 + 35/10 = 4 */
    const int64_t t[] = {1, 1, 1, 2, 3, 3, 4, 9, 9, 9};
    int o2[10];
    loy_rpt_quintiles(o2, t, t, 10);
    const int want[] = {1, 1, 1, 2, 3, 3, 4, 4, 4, 4};
    for (int i = 0; i < 10; i++) assert_int_equal(o2[i], want[i]);
    /* one member: below 0 -> 1 */
    const int64_t x[] = {42};
    loy_rpt_quintiles(out, x, x, 1);
    assert_int_equal(out[0], 1);
}

static void test_segments(void **state)
{
    (void)state;
    /* FM = (F + M + 1) / 2 */
    assert_int_equal(loy_rpt_rfm_segment(5, 5, 5), LOY_SEG_CHAMPIONS);
    assert_int_equal(loy_rpt_rfm_segment(5, 4, 3), LOY_SEG_CHAMPIONS); /* FM 4 */
    assert_int_equal(loy_rpt_rfm_segment(5, 1, 1), LOY_SEG_NEW);
    assert_int_equal(loy_rpt_rfm_segment(5, 1, 2), LOY_SEG_POTENTIAL_LOYALISTS); /* FM 2 */
    assert_int_equal(loy_rpt_rfm_segment(4, 1, 1), LOY_SEG_PROMISING);
    assert_int_equal(loy_rpt_rfm_segment(4, 4, 4), LOY_SEG_LOYAL);
    assert_int_equal(loy_rpt_rfm_segment(4, 5, 5), LOY_SEG_CHAMPIONS);
    assert_int_equal(loy_rpt_rfm_segment(3, 3, 3), LOY_SEG_NEED_ATTENTION);
    assert_int_equal(loy_rpt_rfm_segment(3, 2, 1), LOY_SEG_ABOUT_TO_SLEEP); /* FM 2 */
    assert_int_equal(loy_rpt_rfm_segment(3, 5, 4), LOY_SEG_LOYAL);          /* FM 5 */
    assert_int_equal(loy_rpt_rfm_segment(2, 1, 2), LOY_SEG_HIBERNATING);
    assert_int_equal(loy_rpt_rfm_segment(2, 3, 4), LOY_SEG_AT_RISK); /* FM 4 */
    assert_int_equal(loy_rpt_rfm_segment(2, 5, 5), LOY_SEG_CANNOT_LOSE);
    assert_int_equal(loy_rpt_rfm_segment(1, 1, 1), LOY_SEG_LOST);
    assert_int_equal(loy_rpt_rfm_segment(1, 3, 3), LOY_SEG_AT_RISK);
    assert_int_equal(loy_rpt_rfm_segment(1, 4, 3), LOY_SEG_CANNOT_LOSE); /* FM 4 */
    /* every cell has a name; every name is reachable */
    int seen[LOY_SEG_COUNT] = {0};
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++)
            for (int m = 1; m <= 5; m++) seen[loy_rpt_rfm_segment(r, f, m)]++;
    for (int s = 0; s < LOY_SEG_COUNT; s++) assert_true(seen[s] > 0);
    assert_string_equal(loy_rpt_segment_name(LOY_SEG_CANNOT_LOSE), "cannot_lose_them");
    loy_rfm_segment seg;
    assert_true(loy_rpt_segment_parse("about_to_sleep", &seg));
    assert_int_equal(seg, LOY_SEG_ABOUT_TO_SLEEP);
    assert_false(loy_rpt_segment_parse("sleepy", &seg));
}

static void test_lorenz_gini(void **state)
{
    (void)state;
    /* {1, 2, 3, 4}, S = 10: cumulative 1, 3, 6, 10 -> at p = 0, .25, .5, .75, 1:
     * 0, .1, .3, .6, 1 */
    const int64_t a[] = {1, 2, 3, 4};
    double l[5];
    loy_rpt_lorenz(l, 5, a, 4);
    const double want[] = {0, 0.1, 0.3, 0.6, 1};
    for (int i = 0; i < 5; i++) assert_float_equal(l[i], want[i], EPS);
    /* 3 points on 4 values: p = .5 -> position 2 -> 3/10 */
    double l3[3];
    loy_rpt_lorenz(l3, 3, a, 4);
    assert_float_equal(l3[1], 0.3, EPS);
    /* between buyers: {2, 8}, p = .25 -> position .5 -> .5 x 2 / 10 = .1; p = .75 -> position
     * 1.5 -> (2 + .5 x 8) / 10 = .6 */
    const int64_t b[] = {2, 8};
    loy_rpt_lorenz(l, 5, b, 2);
    assert_float_equal(l[1], 0.1, EPS);
    assert_float_equal(l[2], 0.2, EPS);
    assert_float_equal(l[3], 0.6, EPS);
    /* Gini {1,2,3,4}: 2 (1 + 4 + 9 + 16) / (4 x 10) - 5/4 = 60/40 - 1.25 = .25 */
    assert_float_equal(loy_rpt_gini(a, 4), 0.25, EPS);
    /* equal values: 0; one holder among four: {0,0,0,8}: 2 x 32 / 32 - 5/4 = .75 */
    const int64_t eq[] = {5, 5, 5};
    assert_float_equal(loy_rpt_gini(eq, 3), 0, EPS);
    const int64_t one[] = {0, 0, 0, 8};
    assert_float_equal(loy_rpt_gini(one, 4), 0.75, EPS);
    assert_float_equal(loy_rpt_gini(NULL, 0), 0, EPS);
}

static void test_top_share(void **state)
{
    (void)state;
    size_t count = 0;
    /* 5 values, 20 % -> ceil(1) = 1: 50 / 150 */
    const int64_t v[] = {10, 20, 30, 40, 50};
    assert_float_equal(loy_rpt_top_share(v, 5, 20, &count), 50.0 / 150, EPS);
    assert_int_equal(count, 1);
    /* 7 values, 20 % -> ceil(1.4) = 2: (6 + 7) / 28 */
    const int64_t w[] = {1, 2, 3, 4, 5, 6, 7};
    assert_float_equal(loy_rpt_top_share(w, 7, 20, &count), 13.0 / 28, EPS);
    assert_int_equal(count, 2);
    assert_float_equal(loy_rpt_top_share(w, 7, 100, &count), 1, EPS);
    assert_int_equal(count, 7);
    assert_float_equal(loy_rpt_top_share(NULL, 0, 20, &count), 0, EPS);
    assert_int_equal(count, 0);
}

static void test_active_at(void **state)
{
    (void)state;
    /* window 10; purchases at 5 and 25; bounds 0, 10, 15, 20, 30, 36, 40:
     * 0: [-10, 0) none; 10: [0, 10) has 5; 15: [5, 15) has 5; 20: [10, 20) none;
     * 30: [20, 30) has 25; 36: [26, 36) none (25 < 26); 40: none */
    const int64_t times[] = {5, 25};
    const int64_t bounds[] = {0, 10, 15, 20, 30, 36, 40};
    bool act[7];
    loy_rpt_active_at(act, bounds, 7, times, 2, 10);
    const bool want[] = {false, true, true, false, true, false, false};
    for (int i = 0; i < 7; i++) assert_int_equal(act[i], want[i]);
    /* the end of the window is excluded: a purchase at 10 is not active at 10, active at 11 */
    const int64_t t2[] = {10};
    const int64_t b2[] = {10, 11, 20, 21};
    bool a2[4];
    loy_rpt_active_at(a2, b2, 4, t2, 1, 10);
    assert_false(a2[0]);
    assert_true(a2[1]);
    assert_true(a2[2]);
    assert_false(a2[3]);
}

static void test_months_and_rates(void **state)
{
    (void)state;
    /* 2025-03-15T12:00 -> 2025 x 12 + 2 = 24302 */
    int64_t t = loy_days_from_civil(2025, 3, 15) * LOY_DAY + 12 * 3600;
    assert_int_equal(loy_rpt_month_of(t), 24302);
    assert_int_equal(loy_rpt_month_start(24302), loy_days_from_civil(2025, 3, 1) * LOY_DAY);
    /* December and January around a year end */
    assert_int_equal(loy_rpt_month_start(2024 * 12 + 11),
                     loy_days_from_civil(2024, 12, 1) * LOY_DAY);
    assert_int_equal(loy_rpt_month_of(loy_days_from_civil(2025, 1, 1) * LOY_DAY - 1),
                     2024 * 12 + 11);
    assert_float_equal(loy_rpt_pct(1, 4), 25, EPS);
    assert_true(isnan(loy_rpt_pct(1, 0)));
    assert_float_equal(loy_rpt_ratio(7, 2), 3.5, EPS);
    assert_true(isnan(loy_rpt_ratio(0, 0)));
    /* 1000 / 3 = 333.33 -> 333; 1001 / 2 = 500.5 -> 501; -5 / 2 -> -3 */
    assert_int_equal(loy_rpt_div_round(1000, 3), 333);
    assert_int_equal(loy_rpt_div_round(1001, 2), 501);
    assert_int_equal(loy_rpt_div_round(-5, 2), -3);
    assert_int_equal(loy_rpt_div_round(5, 0), 0);
    /* liability: 150 points at 1 minor unit each (1 000 000 micro) = 150; at 0.5 minor
     * (500 000) = 75; 3 points at 0.333333 minor (333 333) = 0.999999 -> 1 */
    assert_int_equal(loy_rpt_muldiv(150, 1000000, 1000000), 150);
    assert_int_equal(loy_rpt_muldiv(150, 500000, 1000000), 75);
    assert_int_equal(loy_rpt_muldiv(3, 333333, 1000000), 1);
    /* large: 10^12 points x 10^6 micro / 10^6 = 10^12, no overflow */
    assert_int_equal(loy_rpt_muldiv(INT64_C(1000000000000), 1000000, 1000000),
                     INT64_C(1000000000000));
}

/* Net Promoter Score: 100 (P - D) / n; adjusted Wald interval (Rocks 2016): n' = n + 3,
 * p' = (P + 3/4) / n', d' = (D + 3/4) / n', (p' - d') +/- z sqrt((p' + d' - (p' - d')^2) / n').
 * 50/30/20: n' 103, p' 0.492718, d' 0.201456, centre 29.126, se 7.6916 -> [14.051, 44.201]. */
static void test_nps(void **state)
{
    (void)state;
    loy_nps n;
    loy_rpt_nps(50, 30, 20, 1.959964, &n);
    assert_int_equal(n.responses, 100);
    assert_float_equal(n.nps, 30.0, 1e-12);
    assert_float_equal(n.low, 14.05113, 1e-4);
    assert_float_equal(n.high, 44.20130, 1e-4);
    /* all promoters: 100, the interval clipped at 100 and pulled below by the adjustment */
    loy_rpt_nps(10, 0, 0, 1.959964, &n);
    assert_float_equal(n.nps, 100.0, 1e-12);
    assert_float_equal(n.low, 47.50355, 1e-4);
    assert_float_equal(n.high, 100.0, 1e-12);
    /* no answers: no score, and an interval that says nothing is known */
    loy_rpt_nps(0, 0, 0, 1.959964, &n);
    assert_true(isnan(n.nps));
    assert_true(n.low < -79 && n.high > 79);
}

/* lost / (at_start x months): 3 / (2 x 1 + 4 x 0.5) = 0.75; no exposure: NAN */
static void test_monthly_churn(void **state)
{
    (void)state;
    const int64_t lost[] = {1, 2}, start[] = {2, 4};
    const double months[] = {1.0, 0.5};
    assert_float_equal(loy_rpt_monthly_churn(lost, start, months, 2), 0.75, 1e-12);
    const int64_t zero[] = {0, 0};
    assert_true(isnan(loy_rpt_monthly_churn(zero, zero, months, 2)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles),        cmocka_unit_test(test_quintiles),
        cmocka_unit_test(test_segments),         cmocka_unit_test(test_lorenz_gini),
        cmocka_unit_test(test_top_share),        cmocka_unit_test(test_active_at),
        cmocka_unit_test(test_months_and_rates), cmocka_unit_test(test_nps),
        cmocka_unit_test(test_monthly_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
