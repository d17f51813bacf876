/* Unit tests for util/fold: search folding across scripts, UTF-8 validation, phone numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/fold.h"

static void expect_fold(const char *in, const char *want)
{
    loy_err err;
    loy_err_clear(&err);
    char *got = loy_fold(in, &err);
    if (!got) fail_msg("fold of \"%s\" failed: %s", in, err.message);
    if (strcmp(got, want) != 0) fail_msg("fold of \"%s\" gave \"%s\", want \"%s\"", in, got, want);
    free(got);
}

static void test_latin_accents_and_case(void **state)
{
    (void)state;
    expect_fold("Zoltán", "zoltan");
    expect_fold("ZOLTÁN", "zoltan");
    expect_fold("Zolta\xcc\x81n", "zoltan"); /* already decomposed: a + U+0301 */
    expect_fold("Sumon", "sumon");
    expect_fold("SUMON", "sumon");
    expect_fold("Straße", "strasse");
    expect_fold("STRASSE", "strasse");
    expect_fold("Ångström", "angstrom");
    expect_fold("\xe2\x84\xab", "a"); /* U+212B ANGSTROM SIGN */
    expect_fold("Őrs", "ors");
    expect_fold("Győző Űrhajós", "gyozo urhajos");
    expect_fold("Erdős Pál", "erdos pal");
    expect_fold("François Çelik", "francois celik");
    expect_fold("ﬁ ＡＢＣ", "fi abc"); /* compatibility forms: ligature, full width */
}

static void test_malay_names(void **state)
{
    (void)state;
    expect_fold("Nurul Ain binti Abdullah", "nurul ain binti abdullah");
    expect_fold("SITI NURHALIZA BINTI TARUDIN", "siti nurhaliza binti tarudin");
    expect_fold("Mohd. Faiz bin Ma'arof", "mohd. faiz bin ma'arof");
    expect_fold("Wan Nor Azlin Bt. Wan Ismail", "wan nor azlin bt. wan ismail");
    /* Jawi is left as it is */
    expect_fold("محمد", "محمد");
}

static void test_bengali(void **state)
{
    (void)state;
    /* সুমন: the vowel sign U+09C1 is a mark but not a Latin diacritic, so it stays */
    const char *sumon = "\xe0\xa6\xb8\xe0\xa7\x81\xe0\xa6\xae\xe0\xa6\xa8";
    assert_string_equal(sumon, "সুমন");
    expect_fold(sumon, sumon);
    loy_err err;
    char *folded = loy_fold("সুমন", &err);
    assert_non_null(folded);
    assert_non_null(strstr(folded, "সুম"));
    assert_null(strstr(folded, "সম")); /* the vowel sign was not dropped */
    free(folded);
    /* মোহাম্মদ: o-sign U+09CB decomposes under NFKD and must be recomposed */
    expect_fold("মোহাম্মদ", "মোহাম্মদ");
    expect_fold("\xe0\xa6\xae\xe0\xa7\x87\xe0\xa6\xbe", "\xe0\xa6\xae\xe0\xa7\x8b");
    /* য় (U+09DF) is a composition exclusion: both spellings fold to য + nukta */
    expect_fold("\xe0\xa6\x9c\xe0\xa7\x9f", "\xe0\xa6\x9c\xe0\xa6\xaf\xe0\xa6\xbc");
    expect_fold("\xe0\xa6\x9c\xe0\xa6\xaf\xe0\xa6\xbc", "\xe0\xa6\x9c\xe0\xa6\xaf\xe0\xa6\xbc");
    /* mixed scripts and case in one string */
    expect_fold("Sumon সুমন ROY", "sumon সুমন roy");
}

static void test_whitespace(void **state)
{
    (void)state;
    expect_fold("  Zoltán \t  Kovács\n", "zoltan kovacs");
    expect_fold("Nurul\xc2\xa0"
                "Ain",
                "nurul ain");                         /* no-break space */
    expect_fold("Sumon\xe3\x80\x80Roy", "sumon roy"); /* ideographic space */
    expect_fold("a\xe2\x80\xa8\xe2\x80\x89"
                "b",
                "a b"); /* line separator, thin space */
    expect_fold("", "");
    expect_fold(" \t\r\n ", "");
    expect_fold("a\x01"
                "b",
                "ab"); /* other control characters are dropped */
}

static void test_fold_rejects_bad_utf8(void **state)
{
    (void)state;
    const char *bad[] = {"Zolt\xc3",       "\xc3\x28",         "\xff", "\xc0\xaf",
                         "ab\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        loy_err err;
        loy_err_clear(&err);
        char *got = loy_fold(bad[i], &err);
        if (got) fail_msg("bad input %zu folded to \"%s\"", i, got);
        assert_int_equal(err.code, LOY_EINVALID);
        assert_string_equal(err.field, "text");
    }
    loy_err err;
    assert_null(loy_fold(NULL, &err));
    assert_int_equal(err.code, LOY_EINVALID);
}

static void test_utf8_valid(void **state)
{
    (void)state;
    const char *good[] = {
        "", "Zoltán", "সুমন", "a\tb", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!loy_utf8_valid(good[i], strlen(good[i]))) fail_msg("rejected good %zu", i);
    const char *bad[] = {"a\nb",
                         "\x1b[0m",
                         "Zolt\xc3",
                         "\xc3\x28",
                         "\xc0\xaf",
                         "\xe0\x80\xaf",
                         "\xed\xa0\x80",
                         "\xf4\x90\x80\x80",
                         "\xf8\x88\x80\x80\x80",
                         "\xff",
                         "\x80",
                         "\xe0\xa6"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (loy_utf8_valid(bad[i], strlen(bad[i]))) fail_msg("accepted bad %zu", i);
    assert_false(loy_utf8_valid("ab\0cd", 5)); /* embedded NUL */
    assert_true(loy_utf8_valid("ab\0cd", 2));
    /* a multi-byte sequence cut by len is invalid */
    assert_false(loy_utf8_valid("á", 1));
}

static void expect_phone(const char *in, const char *want, size_t digits)
{
    char out[32];
    memset(out, 'x', sizeof(out));
    size_t n = loy_phone_normalise(in, out, sizeof(out));
    if (n != digits) fail_msg("\"%s\": %zu digits, want %zu", in, n, digits);
    assert_string_equal(out, want);
}

static void test_phone(void **state)
{
    (void)state;
    expect_phone("+60 12-345 6789", "+60123456789", 11);
    expect_phone("012 345 6789", "0123456789", 10);
    expect_phone("(+36) 1 234-5678", "+3612345678", 10);
    expect_phone("+1 (212) 555-0100", "+12125550100", 11);
    expect_phone("+880 1712.345678", "+8801712345678", 13);
    expect_phone("06/1 234 5678", "0612345678", 10);
    expect_phone("123456", "123456", 6);
    expect_phone("12345", "", 0);
    expect_phone("+60 12x345 6789", "", 0);
    expect_phone("60+123456789", "", 0);
    expect_phone("++60123456789", "", 0);
    expect_phone("+60\t123456789", "", 0);
    expect_phone("", "", 0);
    expect_phone("٠١٢٣٤٥٦٧", "", 0); /* only ASCII digits count */

    /* too small a buffer gives 0 rather than a truncated number */
    char small[8];
    assert_int_equal(loy_phone_normalise("+60 12-345 6789", small, sizeof(small)), 0);
    assert_string_equal(small, "");
    char exact[13];
    assert_int_equal(loy_phone_normalise("+60 12-345 6789", exact, sizeof(exact)), 11);
    assert_string_equal(exact, "+60123456789");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latin_accents_and_case),
        cmocka_unit_test(test_malay_names),
        cmocka_unit_test(test_bengali),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_fold_rejects_bad_utf8),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
