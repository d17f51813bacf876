/* Net Promoter Score on fixed data against values worked out by hand (the adjusted Wald interval
 * of Rocks 2016, as analytics/report_math.h states it), the NPS groups of every score, whether a
 * purchase invites a survey (core/feedback.h), the programme's feedback section, and the
 * thank-you outcome (the same for every score). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analytics/report_math.h"
#include "core/feedback.h"
#include "core/programme.h"

#define Z95 1.959964

/* Counts of promoters, passives and detractors of a list of scores, through loy_nps_group_of. */
static void tally(const int *scores, size_t n, int64_t *p, int64_t *pa, int64_t *d)
{
    *p = *pa = *d = 0;
    for (size_t i = 0; i < n; i++) {
        loy_nps_group g = loy_nps_group_of(scores[i]);
        if (g == LOY_NPS_PROMOTER) ++*p;
        if (g == LOY_NPS_PASSIVE) ++*pa;
        if (g == LOY_NPS_DETRACTOR) ++*d;
    }
}

/* 0-6 detractors, 7-8 passives, 9-10 promoters: every score, and the names. */
static void test_groups(void **state)
{
    (void)state;
    for (int s = 0; s <= 6; s++) assert_int_equal(loy_nps_group_of(s), LOY_NPS_DETRACTOR);
    assert_int_equal(loy_nps_group_of(7), LOY_NPS_PASSIVE);
    assert_int_equal(loy_nps_group_of(8), LOY_NPS_PASSIVE);
    assert_int_equal(loy_nps_group_of(9), LOY_NPS_PROMOTER);
    assert_int_equal(loy_nps_group_of(10), LOY_NPS_PROMOTER);
    assert_string_equal(loy_nps_group_name(LOY_NPS_DETRACTOR), "detractor");
    assert_string_equal(loy_nps_group_name(LOY_NPS_PASSIVE), "passive");
    assert_string_equal(loy_nps_group_name(LOY_NPS_PROMOTER), "promoter");
}

/* Twenty answers:
 *   10 10 9 9 9 10 8 7 8 7 6 5 3 0 9 10 7 8 9 4
 * promoters (9, 10): 9; passives (7, 8): 6; detractors (0-6): 6 5 3 0 4 = 5; n = 20.
 * NPS = 100 x (9 - 5) / 20 = 20.
 * Adjusted Wald: n' = 20 + 3 = 23; p' = (9 + 0.75) / 23 = 9.75 / 23 = 0.4239130;
 * d' = (5 + 0.75) / 23 = 5.75 / 23 = 0.25; centre p' - d' = 4 / 23 = 0.1739130;
 * variance p' + d' - (p' - d')^2 = 0.6739130 - 0.0302457 = 0.6436673;
 * se = sqrt(0.6436673 / 23) = sqrt(0.0279855) = 0.1672891; z x se = 1.959964 x 0.1672891 =
 * 0.3278806; interval 0.1739130 -/+ 0.3278806 = [-0.1539676, 0.5017936] -> [-15.397, 50.179]. */
static void test_twenty_answers(void **state)
{
    (void)state;
    static const int scores[] = {10, 10, 9, 9, 9, 10, 8, 7, 8, 7, 6, 5, 3, 0, 9, 10, 7, 8, 9, 4};
    int64_t p, pa, d;
    tally(scores, sizeof(scores) / sizeof(scores[0]), &p, &pa, &d);
    assert_int_equal(p, 9);
    assert_int_equal(pa, 6);
    assert_int_equal(d, 5);
    loy_nps x;
    loy_rpt_nps(p, pa, d, Z95, &x);
    assert_int_equal(x.responses, 20);
    assert_float_equal(x.nps, 20.0, 1e-12);
    assert_float_equal(x.low, -15.3968, 1e-3);
    assert_float_equal(x.high, 50.1794, 1e-3);
}

/* The example sentence of the issue: 45 promoters, 20 passives, 19 detractors, n = 84.
 * NPS = 100 x 26 / 84 = 30.952; n' = 87, p' = 45.75 / 87 = 0.5258621, d' = 19.75 / 87 =
 * 0.2270115, centre 26 / 87 = 0.2988506; variance 0.7528736 - 0.0893117 = 0.6635619;
 * se = sqrt(0.6635619 / 87) = sqrt(0.0076272) = 0.0873339; z x se = 0.1711713;
 * interval [0.1276793, 0.4700219] -> [12.768, 47.002]: "NPS 31 (95% CI 13 to 47, 84 responses)". */
static void test_eighty_four_answers(void **state)
{
    (void)state;
    loy_nps x;
    loy_rpt_nps(45, 20, 19, Z95, &x);
    assert_int_equal(x.responses, 84);
    assert_float_equal(x.nps, 100.0 * 26 / 84, 1e-12);
    assert_float_equal(x.low, 12.768, 1e-3);
    assert_float_equal(x.high, 47.002, 1e-3);
}

/* Balanced (3, 4, 3): NPS 0, a symmetric interval. n' = 13, p' = d' = 3.75 / 13 = 0.2884615,
 * centre 0, variance 0.5769231, se = sqrt(0.5769231 / 13) = 0.2106633, z x se = 0.4128927
 * -> [-41.289, 41.289]. Ten detractors: NPS -100; n' = 13, p' = 0.75 / 13 = 0.0576923,
 * d' = 10.75 / 13 = 0.8269231, centre -0.7692308, variance 0.8846154 - 0.5917160 = 0.2928994,
 * se = 0.1501023, z x se = 0.2941951 -> [-1.0634, -0.4750]: clipped at -100 below, -47.504. */
static void test_balanced_and_extreme(void **state)
{
    (void)state;
    loy_nps x;
    loy_rpt_nps(3, 4, 3, Z95, &x);
    assert_float_equal(x.nps, 0.0, 1e-12);
    assert_float_equal(x.low, -41.2891, 1e-3);
    assert_float_equal(x.high, 41.2891, 1e-3);
    loy_rpt_nps(0, 0, 10, Z95, &x);
    assert_float_equal(x.nps, -100.0, 1e-12);
    assert_float_equal(x.low, -100.0, 1e-12);
    assert_float_equal(x.high, -47.5036, 1e-3);
    /* one detractor: the adjustment pulls the interval past the answer (n' = 4, p' = 0.1875,
     * d' = 0.4375, centre -0.25, se = sqrt(0.5625 / 4) = 0.375, z x se = 0.7349865 ->
     * [-98.499, 48.499]); the nps report widens it to hold -100 (app/report_nps.c) */
    loy_rpt_nps(0, 0, 1, Z95, &x);
    assert_float_equal(x.low, -98.4986, 1e-3);
    assert_float_equal(x.high, 48.4986, 1e-3);
}

/* When a purchase invites a survey (every_days 90, delay 2 hours). */
static void test_survey_skip(void **state)
{
    (void)state;
    loy_feedback_settings s;
    loy_feedback_settings_init(&s);
    const int64_t now = 1790000000, day = 86400;
    loy_survey_facts f = {.reachable = true, .purchase_at = now - 600, .now = now};
    int64_t at = -1;
    assert_string_equal(loy_survey_skip(&s, &f, &at), "off"); /* no section: off */
    assert_int_equal(at, 0);
    s.on = true;
    assert_null(loy_survey_skip(&s, &f, &at));
    assert_int_equal(at, now - 600 + 2 * 3600); /* purchase time + delay */
    f.last_survey_at = now - 89 * day;
    assert_string_equal(loy_survey_skip(&s, &f, &at), "recent");
    f.last_survey_at = now - 90 * day; /* exactly the period ago: asked again */
    assert_null(loy_survey_skip(&s, &f, &at));
    f.reachable = false;
    assert_string_equal(loy_survey_skip(&s, &f, &at), "no_consent");
    f.reachable = true;
    f.erased = true;
    assert_string_equal(loy_survey_skip(&s, &f, &at), "erased");
    f.erased = false;
    f.purchase_at = now - (LOY_SURVEY_MAX_AGE_DAYS * day + 1); /* an old purchase typed in late */
    assert_string_equal(loy_survey_skip(&s, &f, &at), "late");
    f.purchase_at = now - 3 * day; /* the delay has passed already: as soon as possible */
    assert_null(loy_survey_skip(&s, &f, &at));
    assert_int_equal(at, now);
}

static const char PROG[] =
    "{\"merchant\": {\"name\": \"M\", \"currency\": \"MYR\", \"timezone\": \"Asia/Kuala_Lumpur\", "
    "\"locale\": \"en\"}, \"points\": {\"earn\": [{\"id\": \"base\", \"points_per_unit\": 1}]}%s}";

static loy_programme *programme(const char *feedback)
{
    char text[600];
    snprintf(text, sizeof(text), PROG, feedback);
    loy_programme *p = NULL;
    loy_err err;
    if (loy_programme_parse(&p, text, strlen(text), &err))
        fail_msg("programme: %s (%s)", err.message, err.field);
    return p;
}

/* The section's defaults and values (its errors are in tests/data/programmes/bad/feedback-*). */
static void test_section(void **state)
{
    (void)state;
    loy_programme *p = programme("");
    assert_false(p->feedback.on);
    loy_programme_free(p);
    p = programme(", \"feedback\": {}");
    assert_true(p->feedback.on);
    assert_int_equal(p->feedback.every_days, 90);
    assert_int_equal(p->feedback.delay_hours, 2);
    assert_int_equal(p->feedback.thank_you_points, 0);
    loy_programme_free(p);
    p = programme(", \"feedback\": {\"on\": false, \"every_days\": 30, \"delay_hours\": 0, "
                  "\"thank_you_points\": 25}");
    assert_false(p->feedback.on);
    assert_int_equal(p->feedback.every_days, 30);
    assert_int_equal(p->feedback.delay_hours, 0);
    assert_int_equal(p->feedback.thank_you_points, 25);
    loy_programme_free(p);
}

/* The thank-you: one bonus entry of the configured points, rule survey-thanks, in a new lot with
 * the programme's expiry; the member's score plays no part (the outcome does not take one). */
static void test_thanks_outcome(void **state)
{
    (void)state;
    loy_programme *p = programme(", \"feedback\": {\"thank_you_points\": 10}");
    loy_member_state m;
    memset(&m, 0, sizeof(m));
    m.points = 7;
    loy_ctx c = {.prog = p, .tz = NULL, .now = 1790000000};
    loy_outcome o;
    loy_outcome_init(&o);
    loy_err err;
    assert_int_equal(loy_engine_survey_thanks(&c, &m, 10, &o, &err), 0);
    assert_int_equal(o.nentries, 1);
    assert_int_equal(o.entries[0].kind, LOY_ENTRY_BONUS);
    assert_int_equal(o.entries[0].account, LOY_ACC_POINTS);
    assert_int_equal(o.entries[0].amount, 10);
    assert_int_equal(o.entries[0].lot, LOY_LOT_NEW);
    assert_string_equal(o.entries[0].rule, LOY_SURVEY_THANKS_RULE);
    assert_int_equal(o.bonus_points, 10);
    assert_int_equal(o.nexplain, 1);
    loy_outcome_free(&o);
    loy_outcome_init(&o);
    assert_int_equal(loy_engine_survey_thanks(&c, &m, 0, &o, &err), 0); /* none configured */
    assert_int_equal(o.nentries, 0);
    loy_outcome_free(&o);
    loy_programme_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_twenty_answers),
        cmocka_unit_test(test_eighty_four_answers),
        cmocka_unit_test(test_balanced_and_extreme),
        cmocka_unit_test(test_survey_skip),
        cmocka_unit_test(test_section),
        cmocka_unit_test(test_thanks_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
