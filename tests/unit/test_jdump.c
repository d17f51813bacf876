/* Tests of the fast JSON serialiser: every output must parse back to an equal value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdump.h"

static void roundtrip(const char *text, bool sort, const char *want)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    assert_non_null(v);
    size_t len = 0;
    char *out = loy_json_dump(v, sort, &len);
    assert_non_null(out);
    assert_int_equal(len, strlen(out));
    if (want) assert_string_equal(out, want);
    json_t *back = json_loads(out, JSON_DECODE_ANY, &je);
    assert_non_null(back);
    assert_true(json_equal(v, back));
    json_decref(back);
    json_decref(v);
    free(out);
}

static void test_scalars(void **state)
{
    (void)state;
    roundtrip("null", false, "null");
    roundtrip("true", false, "true");
    roundtrip("false", false, "false");
    roundtrip("0", false, "0");
    roundtrip("-1", false, "-1");
    roundtrip("9223372036854775807", false, "9223372036854775807");
    roundtrip("-9223372036854775808", false, "-9223372036854775808");
    roundtrip("1.5", false, "1.5");
    roundtrip("1e300", false, NULL);
    roundtrip("2.0", false, "2.0");
}

static void test_strings(void **state)
{
    (void)state;
    roundtrip("\"Zoltán সুমন\"", false, "\"Zoltán সুমন\"");
    roundtrip("\"a\\\"b\\\\c\\n\\t\\r\\b\\f\"", false, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\"");
    roundtrip("\"\\u0001\\u001f x\"", false, "\"\\u0001\\u001f x\"");
    roundtrip("\"\\u2028/\"", false, NULL);
    roundtrip("\"\"", false, "\"\"");
}

static void test_containers(void **state)
{
    (void)state;
    roundtrip("[]", false, "[]");
    roundtrip("{}", false, "{}");
    roundtrip("{\"b\": 1, \"a\": [1, 2, {\"z\": null, \"y\": \"x\"}]}", false,
              "{\"b\":1,\"a\":[1,2,{\"z\":null,\"y\":\"x\"}]}");
    roundtrip("{\"b\": 1, \"a\": [1, 2, {\"z\": null, \"y\": \"x\"}]}", true,
              "{\"a\":[1,2,{\"y\":\"x\",\"z\":null}],\"b\":1}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_containers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
