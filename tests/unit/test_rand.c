/* Unit tests for util/rand: Crockford tokens, bounded random integers, SHA-256, HMAC-SHA256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/rand.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_token_128(void **state)
{
    (void)state;
    char a[27], b[27];
    memset(a, '#', sizeof(a));
    assert_int_equal(loy_random_token(a, sizeof(a), 128), 0);
    assert_int_equal(strlen(a), 26);
    for (size_t i = 0; i < 26; i++) {
        if (!strchr(alphabet, a[i])) fail_msg("'%c' is not Crockford base32", a[i]);
        assert_null(strchr("ILOUilou", a[i]));
    }
    assert_int_equal(loy_random_token(b, sizeof(b), 128), 0);
    assert_string_not_equal(a, b);
}

static void test_token_sizes(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(loy_random_token(buf, sizeof(buf), 5), 0);
    assert_int_equal(strlen(buf), 1);
    assert_int_equal(loy_random_token(buf, sizeof(buf), 6), 0);
    assert_int_equal(strlen(buf), 2);
    assert_int_equal(loy_random_token(buf, sizeof(buf), 80), 0);
    assert_int_equal(strlen(buf), 16);
    /* outsz = bits/5 + 2 is always enough; one byte less than the token needs is refused */
    assert_int_equal(loy_random_token(buf, 128 / 5 + 2, 128), 0);
    assert_int_equal(loy_random_token(buf, 26, 128), -1);
    assert_int_equal(loy_random_token(buf, sizeof(buf), 0), -1);
    assert_int_equal(loy_random_token(buf, sizeof(buf), -5), -1);
}

static void test_token_uses_whole_alphabet(void **state)
{
    (void)state;
    int seen[256] = {0};
    char buf[27];
    for (int i = 0; i < 200; i++) {
        assert_int_equal(loy_random_token(buf, sizeof(buf), 128), 0);
        for (const char *p = buf; *p; p++) seen[(unsigned char)*p]++;
    }
    /* 5200 draws over 32 symbols: each appears about 162 times */
    for (const char *p = alphabet; *p; p++)
        if (seen[(unsigned char)*p] < 60)
            fail_msg("'%c' seen %d times", *p, seen[(unsigned char)*p]);
}

static void test_random_bytes(void **state)
{
    (void)state;
    unsigned char a[32] = {0}, b[32] = {0};
    assert_int_equal(loy_random_bytes(a, sizeof(a)), 0);
    assert_int_equal(loy_random_bytes(b, sizeof(b)), 0);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(loy_random_bytes(a, 0), 0);
}

static void test_random_below(void **state)
{
    (void)state;
    int counts[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint64_t r = loy_random_below(7);
        assert_true(r < 7);
        counts[r]++;
    }
    for (int i = 0; i < 7; i++)
        if (counts[i] < 800) fail_msg("value %d drawn %d times of 7000", i, counts[i]);
    assert_int_equal(loy_random_below(1), 0);
    uint64_t big = (UINT64_C(1) << 63) + 12345;
    for (int i = 0; i < 1000; i++) assert_true(loy_random_below(big) < big);
}

static void test_sha256(void **state)
{
    (void)state;
    char out[65];
    loy_sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    loy_sha256_hex("", 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    char out[65];
    unsigned char key1[20];
    memset(key1, 0x0b, sizeof(key1));
    loy_hmac_sha256_hex(key1, sizeof(key1), "Hi There", 8, out);
    assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    const char *data2 = "what do ya want for nothing?";
    loy_hmac_sha256_hex("Jefe", 4, data2, strlen(data2), out);
    assert_string_equal(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    /* test case 6: a key longer than the block is hashed first */
    unsigned char key6[131];
    memset(key6, 0xaa, sizeof(key6));
    const char *data6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    loy_hmac_sha256_hex(key6, sizeof(key6), data6, strlen(data6), out);
    assert_string_equal(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_hmac_empty_key(void **state)
{
    (void)state;
    char out[65];
    loy_hmac_sha256_hex("", 0, "msg", 3, out);
    assert_string_equal(out, "5f576a8d68fe4fb7eb823227246353c0870c3b0e878997341db1226b4bd88d61");
}

/* Tokens as people and links give them: letters and digits, either case, 20+ characters. */
static void test_token_upper(void **state)
{
    (void)state;
    char out[40];
    assert_true(loy_token_upper("abcdefghij0123456789XYZ", out, sizeof(out)));
    assert_string_equal(out, "ABCDEFGHIJ0123456789XYZ");
    assert_false(loy_token_upper("ABCDEFGHIJ012345678", out, sizeof(out))); /* 19: too short */
    assert_string_equal(out, "");
    assert_false(loy_token_upper("ABCDEFGHIJ0123456789-", out, sizeof(out)));
    assert_false(loy_token_upper("ABCDEFGHIJ01234567\xc3\xa9", out, sizeof(out)));
    assert_false(loy_token_upper("ABCDEFGHIJ0123456789ABCDEFGHIJ0123456789", out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(loy_token_upper(NULL, out, sizeof(out)));
    assert_true(loy_token_upper("ABCDEFGHIJ0123456789ABCDEFGHIJ012345678", out, sizeof(out)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_128),      cmocka_unit_test(test_token_upper),
        cmocka_unit_test(test_token_sizes),    cmocka_unit_test(test_token_uses_whole_alphabet),
        cmocka_unit_test(test_random_bytes),   cmocka_unit_test(test_random_below),
        cmocka_unit_test(test_sha256),         cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hmac_empty_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
