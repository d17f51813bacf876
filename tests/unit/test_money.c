/* Unit tests for core/money: ISO 4217 exponents, decimal parsing, formatting, display. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/money.h"

static void test_exponents(void **state)
{
    (void)state;
    assert_int_equal(loy_currency_exponent("MYR"), 2);
    assert_int_equal(loy_currency_exponent("JPY"), 0);
    assert_int_equal(loy_currency_exponent("BHD"), 3);
    assert_int_equal(loy_currency_exponent("HUF"), 2);
    assert_int_equal(loy_currency_exponent("BDT"), 2);
    assert_int_equal(loy_currency_exponent("XYZ"), -1);
    assert_int_equal(loy_currency_exponent("myr"), -1);
    assert_int_equal(loy_currency_exponent(""), -1);
    assert_int_equal(loy_currency_exponent(NULL), -1);
    assert_int_equal(loy_currency_display_decimals("HUF"), 0);
    assert_int_equal(loy_currency_display_decimals("MYR"), 2);
    assert_int_equal(loy_currency_display_decimals("JPY"), 0);
    assert_int_equal(loy_pow10(0), 1);
    assert_int_equal(loy_pow10(3), 1000);
    assert_int_equal(loy_pow10(6), 1000000);
}

static void expect_parse(const char *text, int exponent, int64_t want)
{
    int64_t got = -42;
    if (!loy_money_parse(text, exponent, &got)) fail_msg("\"%s\" (exp %d) refused", text, exponent);
    if (got != want)
        fail_msg("\"%s\" (exp %d) gave %lld, want %lld", text, exponent, (long long)got,
                 (long long)want);
}

static void test_parse(void **state)
{
    (void)state;
    expect_parse("18.50", 2, 1850);
    expect_parse("18.5", 2, 1850);
    expect_parse("18", 2, 1800);
    expect_parse("0.01", 2, 1);
    expect_parse("0", 2, 0);
    expect_parse("007.10", 2, 710);
    expect_parse("1850", 0, 1850);
    expect_parse("1.234", 3, 1234);
    expect_parse("1.2", 3, 1200);
    /* the largest amounts that fit */
    expect_parse("92233720368547758.07", 2, INT64_MAX);
    expect_parse("9223372036854775807", 0, INT64_MAX);
    expect_parse("9223372036854775.807", 3, INT64_MAX);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    const struct {
        const char *text;
        int exponent;
    } bad[] = {
        {"-1", 2},
        {"1.234", 2},
        {"1.5", 0},
        {"1e3", 2},
        {"", 2},
        {" 1", 2},
        {"1 ", 2},
        {"+1", 2},
        {"1.", 2},
        {".5", 2},
        {"1,50", 2},
        {"abc", 2},
        {"1.2.3", 2},
        {"0x10", 2},
        /* overflow, including values whose whole part fits but whose minor units do not */
        {"92233720368547758.08", 2},
        {"92233720368547759", 2},
        {"92233720368547758.99", 2},
        {"9223372036854775808", 0},
        {"99999999999999999999", 0},
        {"9223372036854775.808", 3},
        {"100000000000000000000000", 2},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t out = 77;
        if (loy_money_parse(bad[i].text, bad[i].exponent, &out))
            fail_msg("accepted \"%s\" (exp %d) as %lld", bad[i].text, bad[i].exponent,
                     (long long)out);
        assert_int_equal(out, 77);
    }
    int64_t out;
    assert_false(loy_money_parse(NULL, 2, &out));
    assert_false(loy_money_parse("1", -1, &out));
}

static void expect_format(int64_t minor, int exponent, const char *want)
{
    char buf[48];
    loy_money_format(buf, sizeof(buf), minor, exponent);
    assert_string_equal(buf, want);
}

static void test_format(void **state)
{
    (void)state;
    expect_format(1850, 2, "18.50");
    expect_format(5, 2, "0.05");
    expect_format(0, 2, "0.00");
    expect_format(-300, 2, "-3.00");
    expect_format(-5, 2, "-0.05");
    expect_format(1850, 0, "1850");
    expect_format(-1850, 0, "-1850");
    expect_format(1234, 3, "1.234");
    expect_format(-5, 3, "-0.005");
    expect_format(INT64_MAX, 2, "92233720368547758.07");
    expect_format(INT64_MIN, 2, "-92233720368547758.08");
    /* format then parse is the identity */
    const int64_t values[] = {0, 1, 99, 100, 1850, 123456789, INT64_MAX};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        for (int e = 0; e <= 3; e++) {
            char buf[48];
            int64_t back = -1;
            loy_money_format(buf, sizeof(buf), values[i], e);
            assert_true(loy_money_parse(buf, e, &back));
            assert_int_equal(back, values[i]);
        }
}

static void expect_display(int64_t minor, const char *currency, const char *want)
{
    char buf[64];
    loy_money_display(buf, sizeof(buf), minor, currency);
    assert_string_equal(buf, want);
}

static void test_display(void **state)
{
    (void)state;
    expect_display(1850, "MYR", "RM18.50");
    expect_display(185000, "HUF", "1 850 Ft");
    expect_display(18500, "BDT", "৳185.00");
    expect_display(300, "USD", "$3.00");
    expect_display(-300, "USD", "-$3.00");
    expect_display(1850, "JPY", "¥1850");
    expect_display(1234, "BHD", "BHD 1.234");
    expect_display(1850, "XYZ", "XYZ 18.50");
    expect_display(100000000, "HUF", "1 000 000 Ft");
    expect_display(99900, "HUF", "999 Ft");
    expect_display(-185000, "HUF", "-1 850 Ft");
    /* hidden fillér are rounded half away from zero */
    expect_display(150, "HUF", "2 Ft");
    expect_display(149, "HUF", "1 Ft");
    expect_display(-150, "HUF", "-2 Ft");
    /* rounding must not overflow at the extremes */
    expect_display(INT64_MAX, "HUF", "92 233 720 368 547 758 Ft");
    expect_display(INT64_MIN, "HUF", "-92 233 720 368 547 758 Ft");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exponents),     cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_rejects), cmocka_unit_test(test_format),
        cmocka_unit_test(test_display),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
