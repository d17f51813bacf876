/* Unit tests for analytics/abtest: the A/B statistics against values worked out by hand (the
 * arithmetic is in the comments; checked with python3 -c 'from math import erfc, sqrt; ...'),
 * the data rule at its boundaries, the edge cases (no conversions, all converted, n = 0) and each
 * verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "analytics/abtest.h"
#include "analytics/special.h"

#define EPS 1e-6

/* cmocka's assert_float_equal compares floats (7 digits): these values need doubles */
#define near(got, want, tol) near_at((got), (want), (tol), __LINE__)
static void near_at(double got, double want, double tol, int line)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("line %d: got %.17g, want %.17g (+- %g)", line, got, want, tol);
}

static loy_ab_arm arm(int64_t x, int64_t n)
{
    return (loy_ab_arm){.n = n, .conversions = x};
}

/* Phi(0) = 0.5; Phi(1.959964) = 0.975; Phi(-2.942449) = 0.0016281 (half of example 1's p) */
static void test_normal_cdf(void **state)
{
    (void)state;
    near(loy_norm_cdf(0.0), 0.5, 1e-15);
    near(loy_norm_cdf(LOY_AB_Z95), 0.975, 1e-12);
    near(loy_norm_cdf(-LOY_AB_Z95), 0.025, 1e-12);
    near(2 * loy_norm_cdf(-2.9424494316825), 0.0032562696284120633, 1e-12);
    assert_true(loy_norm_cdf(-10.0) > 0.0 && loy_norm_cdf(-10.0) < 1e-22); /* 7.6e-24, not 0 */
    assert_true(isnan(loy_norm_cdf(NAN)));
}

/* 200/1000: p = 0.2, z^2/n = 1.959964^2 / 1000 = 0.00384146;
 * centre = (0.2 + 0.00192073) / 1.00384146 = 0.20114803;
 * half = 1.959964 / 1.00384146 * sqrt(0.2 * 0.8 / 1000 + 3.84146 / 4e6)
 *      = 1.95246368 * sqrt(0.00016096036) = 1.95246368 * 0.01268702 = 0.02477094
 * -> [0.17637709, 0.22591896] */
static void test_wilson(void **state)
{
    (void)state;
    loy_ab_rate r = loy_ab_wilson(200, 1000, LOY_AB_Z95);
    near(r.rate, 0.2, 1e-15);
    near(r.low, 0.1763770904431985, EPS);
    near(r.high, 0.22591896464813466, EPS);
    /* 150/1000 -> [0.12921007, 0.17346866]; 30/200 -> [0.10713594, 0.20605579] */
    r = loy_ab_wilson(150, 1000, LOY_AB_Z95);
    near(r.low, 0.1292100725130883, EPS);
    near(r.high, 0.17346865842680032, EPS);
    r = loy_ab_wilson(30, 200, LOY_AB_Z95);
    near(r.low, 0.10713593562241994, EPS);
    near(r.high, 0.2060557928416666, EPS);
    /* no conversions of 50: [0, z^2/n / (1 + z^2/n)] = 0.0768292 / 1.0768292 = 0.0713476 */
    r = loy_ab_wilson(0, 50, LOY_AB_Z95);
    near(r.rate, 0.0, 0);
    near(r.low, 0.0, 0);
    near(r.high, 0.07134759913335872, EPS);
    /* all 50 converted: the mirror image, [1 - 0.0713476, 1] */
    r = loy_ab_wilson(50, 50, LOY_AB_Z95);
    near(r.rate, 1.0, 0);
    near(r.low, 0.9286524008666414, EPS);
    near(r.high, 1.0, 0);
    /* nobody: no rate, nothing known */
    r = loy_ab_wilson(0, 0, LOY_AB_Z95);
    assert_true(isnan(r.rate));
    near(r.low, 0.0, 0);
    near(r.high, 1.0, 0);
}

/* Example 1 of abtest.c: 200/1000 against 150/1000: pooled p = 350/2000 = 0.175,
 * SE = sqrt(0.175 x 0.825 x 0.002) = sqrt(0.00028875) = 0.01699265, z = 0.05 / SE = 2.942449,
 * p = erfc(2.942449 / sqrt 2) = 0.0032563; uplift 5 points, 0.05 / 0.15 = 33.3% relative.
 * Example 2: 30/200 against 20/200: pooled 0.125, SE = sqrt(0.125 x 0.875 x 0.01) = 0.03307189,
 * z = 0.05 / SE = 1.511858, p = 0.13057; +50% relative. */
static void test_compare(void **state)
{
    (void)state;
    loy_ab_cmp c = loy_ab_compare(arm(200, 1000), arm(150, 1000));
    near(c.diff, 0.05, 1e-12);
    near(c.rel, 1.0 / 3.0, 1e-12);
    near(c.z, 2.9424494316825, EPS);
    near(c.p, 0.0032562696284120633, 1e-9);
    /* the other way round: the same p, z negated */
    c = loy_ab_compare(arm(150, 1000), arm(200, 1000));
    near(c.z, -2.9424494316825, EPS);
    near(c.p, 0.0032562696284120633, 1e-9);
    near(c.rel, -0.25, 1e-12);
    c = loy_ab_compare(arm(30, 200), arm(20, 200));
    near(c.z, 1.5118578920369083, EPS);
    near(c.p, 0.13057001811573635, 1e-8);
    near(c.rel, 0.5, 1e-12);
    /* unequal sizes: 100/500 against 30/250: pooled 130/750 = 0.173333,
     * SE = sqrt(0.173333 x 0.826667 x (1/500 + 1/250)) = sqrt(0.00085973) = 0.0293211,
     * z = 0.08 / SE = 2.728400, p = 0.0063642 */
    c = loy_ab_compare(arm(100, 500), arm(30, 250));
    near(c.z, 2.7284003984920027, EPS);
    near(c.p, 0.006364230632880215, 1e-9);
}

static void test_compare_edges(void **state)
{
    (void)state;
    /* nobody converted in either arm: equal rates, z = 0, p = 1; no relative uplift (0 / 0) */
    loy_ab_cmp c = loy_ab_compare(arm(0, 100), arm(0, 80));
    near(c.diff, 0.0, 0);
    near(c.z, 0.0, 0);
    near(c.p, 1.0, 0);
    assert_true(isnan(c.rel));
    /* everybody converted in both */
    c = loy_ab_compare(arm(40, 40), arm(60, 60));
    near(c.z, 0.0, 0);
    near(c.p, 1.0, 0);
    near(c.rel, 0.0, 0);
    /* all of one arm, none of the other (10/10 against 0/10): pooled 0.5,
     * SE = sqrt(0.25 x 0.2) = 0.2236068, z = 1 / SE = 4.472136, p = 7.74e-6 */
    c = loy_ab_compare(arm(10, 10), arm(0, 10));
    near(c.z, 4.47213595499958, EPS);
    near(c.p, 7.744216e-06, 1e-10);
    assert_true(isnan(c.rel));
    /* an empty arm: nothing to compare */
    c = loy_ab_compare(arm(0, 0), arm(5, 50));
    assert_true(isnan(c.diff) && isnan(c.z) && isnan(c.p) && isnan(c.rel));
    c = loy_ab_compare(arm(5, 50), arm(0, 0));
    assert_true(isnan(c.z) && isnan(c.p));
}

/* The data rule: every arm >= 30 members, and n p >= 5, n (1 - p) >= 5 with the pooled p.
 * Two arms of 30: n p >= 5 needs p >= 1/6, i.e. at least 10 conversions of 60. */
static void test_enough(void **state)
{
    (void)state;
    loy_ab_arm a[2] = {arm(5, 30), arm(5, 30)};
    assert_true(loy_ab_enough(a, 2)); /* p = 10/60: n p = 5 exactly */
    a[1] = arm(4, 30);
    assert_false(loy_ab_enough(a, 2)); /* 9/60: n p = 4.5 */
    a[0] = arm(25, 30);
    a[1] = arm(25, 30);
    assert_true(loy_ab_enough(a, 2)); /* 50/60: n (1 - p) = 5 exactly */
    a[1] = arm(26, 30);
    assert_false(loy_ab_enough(a, 2)); /* 51/60: n (1 - p) = 4.5 */
    a[0] = arm(10, 29);
    a[1] = arm(10, 100);
    assert_false(loy_ab_enough(a, 2)); /* an arm of 29 */
    a[0] = arm(0, 500);
    a[1] = arm(0, 500);
    assert_false(loy_ab_enough(a, 2)); /* no conversions at all */
    a[0] = arm(500, 500);
    a[1] = arm(500, 500);
    assert_false(loy_ab_enough(a, 2)); /* everybody converted */
    a[0] = arm(0, 0);
    assert_false(loy_ab_enough(a, 2)); /* an empty arm */
    assert_false(loy_ab_enough(a, 0));
}

/* Example 1 as an A/B test without a holdout: B (index 1) 200/1000 beats A 150/1000,
 * p = 0.0033 < 0.05. */
static void test_verdict_winner(void **state)
{
    (void)state;
    loy_ab_arm v[2] = {arm(150, 1000), arm(200, 1000)};
    loy_ab_verdict d;
    loy_ab_decide(v, 2, NULL, &d);
    assert_int_equal(d.code, LOY_AB_WINNER);
    assert_int_equal(d.best, 1);
    assert_int_equal(d.against, 0);
    near(d.cmp.p, 0.0032562696284120633, 1e-9);
    assert_string_equal(loy_ab_code_name(d.code), "winner");

    /* with a holdout: A 90/600, B 130/600, holdout 60/600. B against A: pooled 220/1200,
     * SE = sqrt(0.183333 x 0.816667 x 2/600) = 0.0223400, z = 0.0666667 / SE = 2.984188,
     * p = 0.0028433 -> B wins (both beat the holdout: B z = 5.54, A z = 2.62, p = 0.0088) */
    loy_ab_arm w[2] = {arm(90, 600), arm(130, 600)}, h = arm(60, 600);
    loy_ab_decide(w, 2, &h, &d);
    assert_int_equal(d.code, LOY_AB_WINNER);
    assert_int_equal(d.best, 1);
    assert_int_equal(d.against, 0);
    near(d.cmp.z, 2.984188387811964, EPS);
    near(d.cmp.p, 0.0028433165159041426, 1e-9);

    /* one variant against the holdout: 100/500 against 30/250, p = 0.0064 -> A wins */
    loy_ab_arm one = arm(100, 500), h2 = arm(30, 250);
    loy_ab_decide(&one, 1, &h2, &d);
    assert_int_equal(d.code, LOY_AB_WINNER);
    assert_int_equal(d.best, 0);
    assert_int_equal(d.against, -1);
    near(d.cmp.p, 0.006364230632880215, 1e-9);
}

static void test_verdict_others(void **state)
{
    (void)state;
    loy_ab_verdict d;
    /* both beat the holdout (B against it: z = 4.85), but B 120/600 against A 110/600:
     * pooled 230/1200, SE = sqrt(0.191667 x 0.808333 x 2/600) = 0.0227251, z = 0.0166667 / SE
     * = 0.733400, p = 0.46331 -> no difference yet */
    loy_ab_arm v[2] = {arm(110, 600), arm(120, 600)}, h = arm(60, 600);
    loy_ab_decide(v, 2, &h, &d);
    assert_int_equal(d.code, LOY_AB_NO_DIFFERENCE);
    assert_int_equal(d.best, 1);
    assert_int_equal(d.against, 0);
    near(d.cmp.p, 0.4633145689590524, 1e-8);
    assert_string_equal(loy_ab_code_name(d.code), "no_difference");

    /* example 2 with a second variant: A 52/400, B 50/400, holdout 48/400. A against the
     * holdout: pooled 100/800 = 0.125, SE = sqrt(0.125 x 0.875 x 2/400) = 0.0233854,
     * z = 0.01 / SE = 0.427618, p = 0.66893; B: z = 0.2157, p = 0.829 -> the holdout does as well
     */
    loy_ab_arm w[2] = {arm(52, 400), arm(50, 400)}, h2 = arm(48, 400);
    loy_ab_decide(w, 2, &h2, &d);
    assert_int_equal(d.code, LOY_AB_HOLDOUT_AS_GOOD);
    assert_int_equal(d.best, 0);
    assert_int_equal(d.against, -1);
    near(d.cmp.z, 0.42761798705987936, EPS);
    near(d.cmp.p, 0.6689292682527671, 1e-8);

    /* a variant worse than the holdout beats nothing, however significant */
    loy_ab_arm worse = arm(20, 1000), h3 = arm(200, 1000);
    loy_ab_decide(&worse, 1, &h3, &d);
    assert_int_equal(d.code, LOY_AB_HOLDOUT_AS_GOOD);

    /* example 2 itself (one variant, p = 0.13) */
    loy_ab_arm a = arm(30, 200), h4 = arm(20, 200);
    loy_ab_decide(&a, 1, &h4, &d);
    assert_int_equal(d.code, LOY_AB_HOLDOUT_AS_GOOD);
    near(d.cmp.p, 0.13057001811573635, 1e-8);

    /* a holdout of 29: not enough data, whatever the variants do */
    loy_ab_arm h5 = arm(5, 29);
    loy_ab_decide(v, 2, &h5, &d);
    assert_int_equal(d.code, LOY_AB_NOT_ENOUGH);
    assert_int_equal(d.best, -1);
    assert_true(isnan(d.cmp.p));
    assert_string_equal(loy_ab_code_name(d.code), "not_enough_data");

    /* no conversions yet anywhere (a campaign just sent) */
    loy_ab_arm z[2] = {arm(0, 400), arm(0, 400)}, h6 = arm(0, 200);
    loy_ab_decide(z, 2, &h6, &d);
    assert_int_equal(d.code, LOY_AB_NOT_ENOUGH);

    /* everybody converted */
    loy_ab_arm all[2] = {arm(400, 400), arm(400, 400)};
    loy_ab_decide(all, 2, NULL, &d);
    assert_int_equal(d.code, LOY_AB_NOT_ENOUGH);

    /* an arm nobody was assigned to */
    loy_ab_arm empty[2] = {arm(50, 300), arm(0, 0)};
    loy_ab_decide(empty, 2, NULL, &d);
    assert_int_equal(d.code, LOY_AB_NOT_ENOUGH);

    /* one variant, no holdout: nothing to compare, even with plenty of data */
    loy_ab_arm solo = arm(100, 1000);
    loy_ab_decide(&solo, 1, NULL, &d);
    assert_int_equal(d.code, LOY_AB_NO_COMPARISON);
    assert_int_equal(d.best, -1);
    assert_string_equal(loy_ab_code_name(d.code), "no_comparison");
    assert_string_equal(loy_ab_code_name(LOY_AB_HOLDOUT_AS_GOOD), "holdout_as_good");

    /* equal best rates: the first is the best and it does not beat its equal */
    loy_ab_arm tie[3] = {arm(60, 300), arm(60, 300), arm(30, 300)};
    loy_ab_decide(tie, 3, NULL, &d);
    assert_int_equal(d.code, LOY_AB_NO_DIFFERENCE);
    assert_int_equal(d.best, 0);
    assert_int_equal(d.against, 1);
    near(d.cmp.p, 1.0, 1e-12);
}

/* The assignment: the same seed and member give the same arm; over 100000 members a 20%
 * holdout takes 20% (a binomial's standard deviation is sqrt(100000 x 0.2 x 0.8) = 126.5, so
 * within +-1000 is about 8 sd) and the rest splits evenly between the variants; another seed
 * assigns differently; 0% holds nobody out, 100% everybody. */
static void test_assign(void **state)
{
    (void)state;
    int64_t count[4] = {0};
    int64_t moved = 0;
    for (int64_t m = 1; m <= 100000; m++) {
        int a = loy_ab_assign(42, m, 20, 3);
        assert_true(a >= -1 && a < 3);
        assert_int_equal(a, loy_ab_assign(42, m, 20, 3));
        count[a + 1]++;
        moved += a != loy_ab_assign(43, m, 20, 3);
        assert_true(loy_ab_assign(42, m, 0, 3) >= 0);
        assert_int_equal(loy_ab_assign(42, m, 100, 3), -1);
        assert_int_equal(loy_ab_assign(42, m, 0, 1), 0);
    }
    assert_true(count[0] > 19000 && count[0] < 21000);
    for (int v = 1; v <= 3; v++) /* 80000 / 3 = 26667, sd = sqrt(80000 / 3 x 2 / 3) = 133 */
        assert_true(count[v] > 25667 && count[v] < 27667);
    /* another seed: about 1 - (0.2^2 + 3 x 0.267^2) = 75% of members change arm */
    assert_true(moved > 70000 && moved < 80000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_cdf),     cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_compare),        cmocka_unit_test(test_compare_edges),
        cmocka_unit_test(test_enough),         cmocka_unit_test(test_verdict_winner),
        cmocka_unit_test(test_verdict_others), cmocka_unit_test(test_assign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
