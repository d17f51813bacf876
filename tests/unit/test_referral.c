/* The referral rules of core/referral.h as a table: facts in, status and reason out, first match
 * wins (erased, self-referral by phone / email / card / member, ring, already a member,
 * velocity). Also code normalisation, status names and the local day of the velocity count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/referral.h"

#define A                                                                                          \
    {                                                                                              \
        1, "+60121111111", "aisyah@example.com", "CARDAAAAAAAAAAAAAAAAAAAAAA", false               \
    }
#define B                                                                                          \
    {                                                                                              \
        2, "+60122222222", "budi@example.com", "CARDBBBBBBBBBBBBBBBBBBBBBB", false                 \
    }

static const int64_t chain_a[] = {2}; /* the referrer (1) was referred by 2 */
static const int64_t chain_long[] = {7, 5, 2};

typedef struct {
    const char *what;
    loy_ref_facts f;
    loy_ref_status status;
    const char *reason, *matched;
} row;

static const row table[] = {
    {"ordinary", {.referrer = A, .referee = B, .max_per_day = 5}, LOY_REF_PENDING, "", ""},
    {"self: the same member",
     {.referrer = A, .referee = {1, NULL, NULL, NULL, false}, .max_per_day = 5},
     LOY_REF_REFUSED,
     "self_referral",
     "member"},
    {"self: the same phone",
     {.referrer = A,
      .referee = {2, "+60121111111", "x@example.com", "CARDX", false},
      .max_per_day = 5},
     LOY_REF_REFUSED,
     "self_referral",
     "phone"},
    {"self: the same folded email",
     {.referrer = A,
      .referee = {2, "+60129999999", "aisyah@example.com", "CARDX", false},
      .max_per_day = 5},
     LOY_REF_REFUSED,
     "self_referral",
     "email"},
    {"self: the same card token",
     {.referrer = A,
      .referee = {2, "+60129999999", "x@example.com", "CARDAAAAAAAAAAAAAAAAAAAAAA", false},
      .max_per_day = 5},
     LOY_REF_REFUSED,
     "self_referral",
     "card"},
    {"empty contact details never match",
     {.referrer = {1, "", "", "CARDA", false},
      .referee = {2, "", NULL, "CARDB", false},
      .max_per_day = 5},
     LOY_REF_PENDING,
     "",
     ""},
    {"ring: A refers B refers A",
     {.referrer = A,
      .referee = B,
      .referee_existed = true,
      .chain = chain_a,
      .nchain = 1,
      .max_per_day = 5},
     LOY_REF_FLAGGED,
     "ring",
     ""},
    {"ring: further up the chain",
     {.referrer = A,
      .referee = B,
      .referee_existed = true,
      .chain = chain_long,
      .nchain = 3,
      .max_per_day = 5},
     LOY_REF_FLAGGED,
     "ring",
     ""},
    {"already a member",
     {.referrer = A, .referee = B, .referee_existed = true, .max_per_day = 5},
     LOY_REF_REFUSED,
     "already_member",
     ""},
    {"velocity: the 5th of the day passes",
     {.referrer = A, .referee = B, .earlier_today = 4, .max_per_day = 5},
     LOY_REF_PENDING,
     "",
     ""},
    {"velocity: the 6th is flagged",
     {.referrer = A, .referee = B, .earlier_today = 5, .max_per_day = 5},
     LOY_REF_FLAGGED,
     "velocity",
     ""},
    {"self beats velocity and ring",
     {.referrer = A,
      .referee = {1, NULL, NULL, NULL, false},
      .chain = chain_a,
      .nchain = 1,
      .earlier_today = 9,
      .max_per_day = 5},
     LOY_REF_REFUSED,
     "self_referral",
     "member"},
    {"ring beats already a member",
     {.referrer = A,
      .referee = B,
      .referee_existed = true,
      .chain = chain_a,
      .nchain = 1,
      .earlier_today = 9,
      .max_per_day = 5},
     LOY_REF_FLAGGED,
     "ring",
     ""},
    {"approved: velocity no longer holds it",
     {.referrer = A, .referee = B, .earlier_today = 9, .max_per_day = 5, .approved = true},
     LOY_REF_PENDING,
     "",
     ""},
    {"approved: a ring neither",
     {.referrer = A,
      .referee = B,
      .referee_existed = true,
      .chain = chain_a,
      .nchain = 1,
      .max_per_day = 5,
      .approved = true},
     LOY_REF_PENDING,
     "",
     ""},
    {"approved: self-referral still refused",
     {.referrer = A,
      .referee = {2, "+60121111111", NULL, NULL, false},
      .max_per_day = 5,
      .approved = true},
     LOY_REF_REFUSED,
     "self_referral",
     "phone"},
    {"an erased referrer",
     {.referrer = {1, NULL, NULL, "CARDA", true}, .referee = B, .max_per_day = 5},
     LOY_REF_REFUSED,
     "erased",
     ""},
    {"an erased referee, even approved",
     {.referrer = A, .referee = {2, NULL, NULL, "CARDB", true}, .max_per_day = 5, .approved = true},
     LOY_REF_REFUSED,
     "erased",
     ""},
};

static void test_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        loy_ref_verdict v;
        loy_referral_check(&table[i].f, &v);
        if (v.status != table[i].status || strcmp(v.reason, table[i].reason) != 0 ||
            strcmp(v.matched, table[i].matched) != 0)
            fail_msg("%s: got %s %s %s, expected %s %s %s", table[i].what,
                     loy_referral_status_name(v.status), v.reason, v.matched,
                     loy_referral_status_name(table[i].status), table[i].reason, table[i].matched);
    }
}

static void test_codes(void **state)
{
    (void)state;
    char out[LOY_REFERRAL_CODE_MAX];
    assert_true(loy_referral_code_normalise("K7QM2XHD", out));
    assert_string_equal(out, "K7QM2XHD");
    assert_true(loy_referral_code_normalise("k7qm-2xhd", out));
    assert_string_equal(out, "K7QM2XHD");
    assert_true(loy_referral_code_normalise(" K7QM 2XHD ", out));
    assert_string_equal(out, "K7QM2XHD");
    /* 0, 1, I, L, O are not in the alphabet; wrong lengths; empty */
    const char *bad[] = {"K7QM2XH0", "K7QM2XH1",  "K7QM2XHI", "K7QM2XHL", "K7QM2XHO",
                         "K7QM2XH",  "K7QM2XHDD", "",         "K7QM2XH!", "K7QM2XHÉ"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (loy_referral_code_normalise(bad[i], out)) fail_msg("accepted \"%s\"", bad[i]);
        assert_string_equal(out, "");
    }
    assert_false(loy_referral_code_normalise(NULL, out));
}

static void test_status_names(void **state)
{
    (void)state;
    const char *names[] = {"pending", "qualified", "awarded", "refused", "flagged"};
    for (int i = 0; i < 5; i++) {
        loy_ref_status s;
        assert_string_equal(loy_referral_status_name((loy_ref_status)i), names[i]);
        assert_true(loy_referral_status_parse(names[i], &s));
        assert_int_equal(s, i);
    }
    loy_ref_status s;
    assert_false(loy_referral_status_parse("Pending", &s));
    assert_false(loy_referral_status_parse(NULL, &s));
}

static void test_local_day(void **state)
{
    (void)state;
    loy_tz *tz = NULL;
    loy_err err;
    assert_int_equal(loy_tz_load(&tz, "Asia/Kuala_Lumpur", &err), 0);
    loy_ctx c = {.tz = tz};
    int64_t from = 0, to = 0;
    /* 2026-03-02T16:30Z is 00:30 on 3 March in Kuala Lumpur (UTC+8) */
    loy_referral_day(&c, INT64_C(1772469000), &from, &to);
    assert_int_equal(from, INT64_C(1772467200)); /* 2026-03-02T16:00Z */
    assert_int_equal(to, INT64_C(1772553600));
    loy_tz_free(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_local_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
