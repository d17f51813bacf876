/* The committed OpenAPI description (docs/openapi.json) and the route table must agree: every
 * route is described and every described operation is a route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static json_t *load_doc(void)
{
    json_error_t je;
    json_t *doc = json_load_file("docs/openapi.json", 0, &je);
    if (!doc) fail_msg("docs/openapi.json: %s (line %d)", je.text, je.line);
    return doc;
}

static void lower(const char *in, char *out, size_t n)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++) out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

static void test_every_route_is_described(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    json_t *paths = json_object_get(doc, "paths");
    for (size_t i = 0; i < loy_nroutes; i++) {
        char m[8];
        lower(loy_routes[i].method, m, sizeof(m));
        json_t *op = json_object_get(json_object_get(paths, loy_routes[i].pattern), m);
        if (!op)
            fail_msg("%s %s is not in docs/openapi.json", loy_routes[i].method,
                     loy_routes[i].pattern);
        assert_non_null(json_object_get(op, "responses"));
        assert_string_equal(json_string_value(json_object_get(op, "summary")),
                            loy_routes[i].summary);
    }
    json_decref(doc);
}

static void test_every_description_is_a_route(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    const char *path;
    json_t *item;
    size_t described = 0;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            bool found = false;
            for (size_t i = 0; i < loy_nroutes && !found; i++) {
                char m[8];
                lower(loy_routes[i].method, m, sizeof(m));
                found = !strcmp(loy_routes[i].pattern, path) && !strcmp(m, method);
            }
            if (!found)
                fail_msg("docs/openapi.json describes %s %s, which is no route", method, path);
            described++;
        }
    }
    assert_int_equal(described, loy_nroutes);
    json_decref(doc);
}

static void test_committed_equals_generated(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    loy_err err;
    json_t *gen = loy_openapi(&err);
    assert_non_null(gen);
    if (!json_equal(doc, gen))
        fail_msg("docs/openapi.json is stale: regenerate it with `loyalty openapi > "
                 "docs/openapi.json`");
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_decref(gen);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_is_described),
        cmocka_unit_test(test_every_description_is_a_route),
        cmocka_unit_test(test_committed_equals_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
