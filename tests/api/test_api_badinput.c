/* Bad input over the real server (RELIABILITY.md D2): sizes (413/414/431), media type (415),
 * invalid JSON (tests/data/json/n_*.json, each a member enrolment with one defect), nesting,
 * forbidden and unknown fields, numbers out of range, wrong types, unknown ids. Every case gets its
 * precise status and error, and the database (every table, every row) is byte-identical before and
 * after: no ledger row, no idempotency record. Each request would take effect if it were accepted
 * (valid key, Idempotency-Key, a body that is otherwise valid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>

#include "support/api_harness.h"

static int seq;

static char voucher[128]; /* an unused voucher of member 1 */

/* Sends q (with an owner key and a fresh Idempotency-Key unless set) and checks the refusal. When
 * code is "" the body is not checked (an answer of libmicrohttpd itself). Returns false (after
 * printing why) when the answer or the database is wrong. */
static bool check_rejected(const ah_server *s, ah_req q, long status, const char *code,
                           const char *field, const char *what)
{
    char idem[48];
    snprintf(idem, sizeof(idem), "bad-%d", ++seq);
    if (!q.key) q.key = s->owner;
    if (!q.idem) q.idem = idem;
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_send(NULL, s->port, &q, &r);
    bool ok = true;
    if (r.status != status) {
        print_error("%s (%s %.80s): expected %ld, got %ld (curl %d): %.300s\n", what, q.method,
                    q.path, status, r.status, r.curl_rc, r.body);
        ok = false;
    } else if (!code || *code) {
        json_error_t je;
        json_t *j = json_loadb(r.body, r.len, 0, &je);
        json_t *e = json_object_get(j, "error");
        const char *c = json_string_value(json_object_get(e, "code"));
        const char *f = json_string_value(json_object_get(e, "field"));
        const char *m = json_string_value(json_object_get(e, "message"));
        if (json_object_size(j) != 1 || json_object_size(e) != 3 || !c || !f || !m || !*m ||
            (code && strcmp(c, code) != 0) || (field && strcmp(f, field) != 0)) {
            print_error("%s: expected error code %s field %s, got %.300s\n", what,
                        code ? code : "*", field ? field : "*", r.body);
            ok = false;
        }
        json_decref(j);
    }
    char *after = ah_dump(s->db);
    if (strcmp(before, after) != 0) {
        print_error("%s: the database changed\n", what);
        ok = false;
    }
    free(after);
    free(before);
    ah_resp_free(&r);
    return ok;
}

static void expect_rejected(const ah_server *s, ah_req q, long status, const char *code,
                            const char *field, const char *what)
{
    if (!check_rejected(s, q, status, code, field, what)) fail();
}

static void reject_json(const ah_server *s, const char *method, const char *path, const char *body,
                        long status, const char *code, const char *field)
{
    ah_req q = {.method = method, .path = path, .body = body};
    expect_rejected(s, q, status, code, field, body);
}

static char *filled(size_t n, char c)
{
    char *p = malloc(n + 1);
    assert_non_null(p);
    memset(p, c, n);
    p[n] = '\0';
    return p;
}

static void test_body_over_64k_413(void **state)
{
    ah_server *s = *state;
    char *pad = filled(65536, 'a');
    size_t n = strlen(pad) + 64;
    char *body = malloc(n);
    snprintf(body, n, "{\"name\":\"Big\",\"notes\":\"%s\"}", pad);
    reject_json(s, "POST", "/api/v1/members", body, 413, "payload_too_large", NULL);
    reject_json(s, "POST", "/api/v1/purchases:batch", body, 413, "payload_too_large", NULL);
    free(body);
    free(pad);
}

static void test_url_over_2k_414(void **state)
{
    ah_server *s = *state;
    char path[4200];
    int o = snprintf(path, sizeof(path), "/api/v1/members/");
    memset(path + o, '1', 2100);
    path[o + 2100] = '\0';
    ah_req q = {.method = "GET", .path = path};
    expect_rejected(s, q, 414, "uri_too_long", NULL, "2100-character path");
    /* the limit is on the URL, query string included */
    o = snprintf(path, sizeof(path), "/api/v1/members?q=");
    memset(path + o, 'a', 2100);
    path[o + 2100] = '\0';
    expect_rejected(s, q, 414, "uri_too_long", NULL, "2100-character query string");
}

/* Headers over 16 KiB: 431, whoever answers (libmicrohttpd or the product). */
static void test_headers_over_16k_431(void **state)
{
    ah_server *s = *state;
    char body[600];
    ah_purchase_body(body, sizeof(body), 1);
    const size_t sizes[] = {17 * 1024, 19 * 1024, 20000, 20 * 1024, 32 * 1024};
    int bad = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *v = filled(sizes[i], 'h');
        size_t n = sizes[i] + 16;
        char *h = malloc(n);
        snprintf(h, n, "X-Padding: %s", v);
        const char *hdrs[] = {h, NULL};
        ah_req q = {.method = "POST", .path = "/api/v1/purchases", .body = body, .headers = hdrs};
        char what[64];
        snprintf(what, sizeof(what), "a %zu-byte header", sizes[i]);
        if (!check_rejected(s, q, 431, "", NULL, what)) bad++;
        ah_req g = {.method = "GET", .path = "/api/v1/locations", .headers = hdrs};
        snprintf(what, sizeof(what), "a %zu-byte header on a GET", sizes[i]);
        if (!check_rejected(s, g, 431, "", NULL, what)) bad++;
        free(h);
        free(v);
    }
    if (bad) fail();
}

static void test_media_type_415(void **state)
{
    ah_server *s = *state;
    const char *types[] = {"text/plain", "application/x-www-form-urlencoded", "application/jsonp",
                           "text/json",  "multipart/form-data; boundary=x",   AH_NO_CTYPE};
    const char *body = "{\"name\":\"Media Type\"}";
    for (int i = 0; i < 6; i++) {
        ah_req q = {.method = "POST", .path = "/api/v1/members", .ctype = types[i], .body = body};
        expect_rejected(s, q, 415, "unsupported_media_type", "content-type",
                        types[i] == AH_NO_CTYPE ? "no Content-Type" : types[i]);
        q.path = "/api/v1/programme:validate";
        expect_rejected(s, q, 415, "unsupported_media_type", "content-type", "validate");
    }
    /* parameters after the type are fine */
    ah_req q = {.method = "POST",
                .path = "/api/v1/members",
                .key = s->owner,
                .idem = "bad-charset",
                .ctype = "application/json; charset=utf-8",
                .body = body};
    ah_resp r;
    ah_send(NULL, s->port, &q, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
}

static void test_invalid_json_files_400(void **state)
{
    ah_server *s = *state;
    const char *dir = "tests/data/json";
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "n_", 2) != 0) continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t len = 0;
        char *body = ah_read_file(path, &len);
        assert_non_null(body);
        const char *targets[] = {"/api/v1/members", "/api/v1/purchases"};
        for (int t = 0; t < 2; t++) {
            ah_req q = {.method = "POST", .path = targets[t], .body = body, .body_len = len};
            if (len == 0) q.body = ""; /* empty body */
            expect_rejected(s, q, 400, "invalid", NULL, e->d_name);
        }
        /* PATCH is a write without an idempotency key */
        ah_req q = {.method = "PATCH", .path = "/api/v1/members/1", .body = body, .body_len = len};
        expect_rejected(s, q, 400, "invalid", NULL, e->d_name);
        free(body);
        n++;
    }
    closedir(d);
    assert_true(n >= 40);
}

static char *nested(int depth, const char *inner)
{
    size_t n = (size_t)depth * 2 + strlen(inner) + 64;
    char *b = malloc(n);
    size_t o = (size_t)snprintf(b, n, "{\"name\":\"Deep\",\"tags\":");
    for (int i = 1; i < depth; i++) b[o++] = '[';
    o += (size_t)snprintf(b + o, n - o, "%s", inner);
    for (int i = 1; i < depth; i++) b[o++] = ']';
    b[o++] = '}';
    b[o] = '\0';
    return b;
}

static void test_not_object_and_nesting_400(void **state)
{
    ah_server *s = *state;
    const char *bodies[] = {"[]", "[{\"name\":\"Ana\"}]", "\"Ana\"", "1", "null", "true"};
    for (int i = 0; i < 6; i++)
        reject_json(s, "POST", "/api/v1/members", bodies[i], 400, "invalid", NULL);
    /* 33 levels (the object plus 32 arrays): refused for its depth */
    char *b = nested(33, "\"x\"");
    ah_req q = {.method = "POST", .path = "/api/v1/members", .body = b};
    char idem[32] = "bad-deep";
    q.key = s->owner;
    q.idem = idem;
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_send(NULL, s->port, &q, &r);
    ah_expect_error(&r, 400, "invalid", NULL);
    assert_non_null(strstr(r.body, "32"));
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "33 levels");
    free(before);
    free(b);
    b = nested(200, "\"x\"");
    reject_json(s, "POST", "/api/v1/purchases", b, 400, "invalid", NULL);
    free(b);
    /* 32 levels parse; the value is then refused for what it is (tags are words) */
    b = nested(32, "\"x\"");
    reject_json(s, "POST", "/api/v1/members", b, 400, "invalid", "tags");
    free(b);
}

/* Brackets inside strings are not nesting. */
static void test_brackets_in_strings_accepted(void **state)
{
    ah_server *s = *state;
    char body[256];
    char *br = filled(40, '[');
    snprintf(body, sizeof(body), "{\"name\":\"Bracket \\\"%s\",\"notes\":\"{{{{{{{{{{\"}", br);
    free(br);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/members", s->owner, "bad-brackets", body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
}

typedef struct {
    const char *method, *path, *body;
    long status;
    const char *code, *field;
} bad_case;

#define P "\"member\":1,\"amount\":1850"

static const bad_case field_cases[] = {
    /* forbidden fields: named, "is not writable" */
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"points\":1000}", 400, "invalid", "points"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"balance\":1000}", 400, "invalid", "balance"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"balances\":{}}", 400, "invalid", "balances"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"tier\":\"platinum\"}", 400, "invalid", "tier"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"merchant\":2}", 400, "invalid", "merchant"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"merchant_id\":2}", 400, "invalid",
     "merchant_id"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"pending\":5}", 400, "invalid", "pending"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"stamps_balance\":5}", 400, "invalid",
     "stamps_balance"},
    {"PATCH", "/api/v1/members/1", "{\"points\":1000}", 400, "invalid", "points"},
    {"PATCH", "/api/v1/members/1", "{\"tier\":\"gold\"}", 400, "invalid", "tier"},
    {"PATCH", "/api/v1/members/1", "{\"merchant\":2}", 400, "invalid", "merchant"},
    {"PATCH", "/api/v1/members/1", "{\"balance\":1}", 400, "invalid", "balance"},
    {"PATCH", "/api/v1/members/1", "{\"referred_by\":1}", 400, "invalid", "referred_by"},
    {"POST", "/api/v1/purchases", "{" P ",\"points\":100}", 400, "invalid", "points"},
    {"POST", "/api/v1/purchases", "{" P ",\"merchant\":2}", 400, "invalid", "merchant"},
    {"POST", "/api/v1/purchases", "{" P ",\"tier\":\"gold\"}", 400, "invalid", "tier"},
    {"POST", "/api/v1/purchases", "{" P ",\"balance\":1}", 400, "invalid", "balance"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":5,\"reason\":\"x\",\"merchant\":2}",
     400, "invalid", "merchant"},
    {"POST", "/api/v1/redemptions", "{\"member\":1,\"reward\":\"rm5-off\",\"points\":0}", 400,
     "invalid", "points"},
    /* unknown fields */
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"nickname\":\"A\"}", 400, "invalid",
     "nickname"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"consent\":{\"fax\":true}}", 400, "invalid",
     "consent.fax"},
    {"PATCH", "/api/v1/members/1", "{\"colour\":\"red\"}", 400, "invalid", "colour"},
    {"POST", "/api/v1/purchases", "{" P ",\"discount\":100}", 400, "invalid", "discount"},
    {"POST", "/api/v1/purchases",
     "{" P ",\"items\":[{\"sku\":\"KOPI\",\"amount\":900,\"colour\":\"red\"}]}", 400, "invalid",
     "items[0].colour"},
    {"POST", "/api/v1/purchases/1/refunds", "{\"amount\":100,\"why\":\"x\"}", 400, "invalid",
     "why"},
    {"POST", "/api/v1/purchases/1/refunds", "{\"purchase_id\":1}", 400, "invalid", "purchase_id"},
    {"POST", "/api/v1/redemptions", "{\"member\":1,\"reward\":\"rm5-off\",\"qty\":2}", 400,
     "invalid", "qty"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":5,\"reason\":\"x\",\"note\":\"y\"}",
     400, "invalid", "note"},
    {"POST", "/api/v1/purchases:batch", "{\"purchases\":[{" P "}],\"extra\":1}", 400, "invalid",
     "extra"},
    {"POST", "/api/v1/programme:validate", "{}", 400, "invalid", "programme"},
    {"PUT", "/api/v1/programme", "{\"programme\":{},\"extra\":1}", 400, "invalid", "programme"},
    /* numbers out of range */
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":0}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":-1850}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":1000000000001}", 400, "invalid",
     "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":9223372036854775807}", 400, "invalid",
     "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":9223372036854775808}", 400, "invalid",
     NULL},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":-9223372036854775809}", 400, "invalid",
     NULL},
    {"POST", "/api/v1/purchases", "{" P ",\"tender_points\":-1}", 400, "invalid", "tender_points"},
    {"POST", "/api/v1/purchases", "{" P ",\"items\":[{\"sku\":\"KOPI\",\"qty\":0,\"amount\":9}]}",
     400, "invalid", "items[0].qty"},
    {"POST", "/api/v1/purchases",
     "{" P ",\"items\":[{\"sku\":\"KOPI\",\"qty\":1000001,\"amount\":9}]}", 400, "invalid",
     "items[0].qty"},
    {"POST", "/api/v1/purchases", "{" P ",\"items\":[{\"sku\":\"KOPI\",\"amount\":-1}]}", 400,
     "invalid", "items[0].amount"},
    {"POST", "/api/v1/purchases", "{" P ",\"items\":[{\"sku\":\"KOPI\",\"amount\":1851}]}", 400,
     "invalid", "items[0].amount"},
    {"POST", "/api/v1/purchases",
     "{" P ",\"items\":[{\"sku\":\"A\",\"amount\":1000},{\"sku\":\"B\",\"amount\":851}]}", 400,
     "invalid", "items"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":0,\"reason\":\"x\"}", 400, "invalid",
     "delta"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":1000000001,\"reason\":\"x\"}", 400,
     "invalid", "delta"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":-1000000001,\"reason\":\"x\"}", 400,
     "invalid", "delta"},
    {"POST", "/api/v1/purchases/1/refunds", "{\"amount\":0}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases/1/refunds", "{\"amount\":-5}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases/1/refunds", "{\"amount\":1851}", 400, "invalid", "amount"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"referred_by\":0}", 400, "invalid",
     "referred_by"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"referred_by\":999999}", 400, "invalid",
     "referred_by"},
    /* wrong types */
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":\"1850\"}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":18.5}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":1850.0}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":1.85e3}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":null}", 400, "invalid", "amount"},
    {"POST", "/api/v1/purchases", "{\"member\":true,\"amount\":1850}", 400, "invalid", "member"},
    {"POST", "/api/v1/purchases", "{\"member\":[1],\"amount\":1850}", 400, "invalid", "member"},
    {"POST", "/api/v1/purchases", "{\"member\":0,\"amount\":1850}", 400, "invalid", "member"},
    {"POST", "/api/v1/purchases", "{\"amount\":1850}", 400, "invalid", "member"},
    {"POST", "/api/v1/purchases", "{" P ",\"items\":{}}", 400, "invalid", "items"},
    {"POST", "/api/v1/purchases", "{" P ",\"items\":[1]}", 400, "invalid", NULL},
    {"POST", "/api/v1/purchases", "{" P ",\"items\":[{\"amount\":5}]}", 400, "invalid", "items[0]"},
    {"POST", "/api/v1/purchases", "{" P ",\"currency\":1}", 400, "invalid", "currency"},
    {"POST", "/api/v1/purchases", "{" P ",\"currency\":\"USD\"}", 400, "invalid", "currency"},
    {"POST", "/api/v1/purchases", "{" P ",\"location\":\"XX\"}", 400, "invalid", "location"},
    {"POST", "/api/v1/purchases", "{" P ",\"occurred_at\":\"yesterday\"}", 400, "invalid",
     "occurred_at"},
    {"POST", "/api/v1/purchases", "{" P ",\"occurred_at\":\"2999-01-01T00:00:00Z\"}", 400,
     "invalid", "occurred_at"},
    {"POST", "/api/v1/members", "{\"name\":5}", 400, "invalid", "name"},
    {"POST", "/api/v1/members", "{\"name\":\"\"}", 400, "invalid", "name"},
    {"POST", "/api/v1/members", "{}", 400, "invalid", "name"},
    {"POST", "/api/v1/members", "{\"name\":\"A\\u0001na\"}", 400, "invalid", "name"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"consent\":\"yes\"}", 400, "invalid", NULL},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"consent\":{\"email\":\"yes\"}}", 400,
     "invalid", "consent.email"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"tags\":\"a\"}", 400, "invalid", "tags"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"tags\":[\"a,b\"]}", 400, "invalid", "tags"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"notes\":[]}", 400, "invalid", "notes"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"birthday\":\"1990-13-01\"}", 400, "invalid",
     "birthday"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"birthday\":\"02-30\"}", 400, "invalid",
     "birthday"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"email\":\"not-an-address\"}", 400, "invalid",
     "email"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"phone\":\"call me\"}", 400, "invalid",
     "phone"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"locale\":\"xx\"}", 400, "invalid", "locale"},
    {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"location\":\"XX\"}", 400, "invalid",
     "location"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":\"5\",\"reason\":\"x\"}", 400,
     "invalid", "delta"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":5}", 400, "invalid", "reason"},
    {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":5,\"reason\":5}", 400, "invalid",
     "reason"},
    {"POST", "/api/v1/adjustments",
     "{\"member\":1,\"delta\":5,\"reason\":\"x\",\"account\":\"giving\"}", 400, "invalid",
     "account"},
    {"POST", "/api/v1/redemptions", "{\"member\":1,\"reward\":5}", 400, "invalid", "reward"},
    {"POST", "/api/v1/redemptions", "{\"member\":1}", 400, "invalid", "reward"},
    {"POST", "/api/v1/purchases:batch", "{\"purchases\":[]}", 400, "invalid", "purchases"},
    {"POST", "/api/v1/purchases:batch", "{\"purchases\":{}}", 400, "invalid", "purchases"},
    {"POST", "/api/v1/purchases:batch", "{}", 400, "invalid", "purchases"},
    {"POST", "/api/v1/purchases:simulate", "{\"member\":1,\"amount\":0}", 400, "invalid", "amount"},
    /* query parameters */
    {"GET", "/api/v1/members?q=ana&limit=0", NULL, 400, "invalid", "limit"},
    {"GET", "/api/v1/members?q=ana&limit=101", NULL, 400, "invalid", "limit"},
    {"GET", "/api/v1/members?q=ana&limit=ten", NULL, 400, "invalid", "limit"},
    {"GET", "/api/v1/members", NULL, 400, "invalid", "q"},
    {"GET", "/api/v1/members/1/ledger?limit=1001", NULL, 400, "invalid", "limit"},
    {"GET", "/api/v1/members/1/ledger?before=-1", NULL, 400, "invalid", "before"},
    {"GET", "/api/v1/programme?version=x", NULL, 400, "invalid", "version"},
    /* unknown ids: 404 */
    {"GET", "/api/v1/members/999999", NULL, 404, "not_found", NULL},
    {"GET", "/api/v1/members/nobody@example.com", NULL, 404, "not_found", NULL},
    {"GET", "/api/v1/members/999999/ledger", NULL, 404, "not_found", NULL},
    {"PATCH", "/api/v1/members/999999", "{\"notes\":\"x\"}", 404, "not_found", NULL},
    {"POST", "/api/v1/purchases", "{\"member\":999999,\"amount\":1850}", 404, "not_found", NULL},
    {"POST", "/api/v1/purchases", "{\"member\":\"+60 99-999 9999\",\"amount\":1850}", 404,
     "not_found", NULL},
    {"POST", "/api/v1/purchases:simulate", "{\"member\":999999,\"amount\":1850}", 404, "not_found",
     NULL},
    {"POST", "/api/v1/purchases/999999/refunds", "{}", 404, "not_found", NULL},
    {"POST", "/api/v1/purchases/abc/refunds", "{}", 404, "not_found", NULL},
    {"POST", "/api/v1/redemptions", "{\"member\":999999,\"reward\":\"rm5-off\"}", 404, "not_found",
     NULL},
    {"POST", "/api/v1/redemptions", "{\"member\":1,\"reward\":\"caviar\"}", 404, "not_found",
     "reward"},
    {"POST", "/api/v1/adjustments", "{\"member\":999999,\"delta\":5,\"reason\":\"x\"}", 404,
     "not_found", NULL},
    {"GET", "/api/v1/vouchers/NOPE", NULL, 404, "not_found", NULL},
    {"POST", "/api/v1/vouchers/NOPE/use", NULL, 404, "not_found", NULL},
    {"GET", "/api/v1/programme?version=99", NULL, 404, "not_found", NULL},
    /* business rules */
    {"POST", "/api/v1/redemptions", "{\"member\":1,\"reward\":\"rm5-off\"}", 422, "refused", NULL},
    {"POST", "/api/v1/redemptions", "{\"member\":1,\"reward\":\"gold-cake\"}", 422, "refused",
     NULL},
    {"POST", "/api/v1/purchases", "{" P ",\"tender_points\":100000}", 422, "refused", NULL},
};

static void test_field_table(void **state)
{
    ah_server *s = *state;
    int bad = 0;
    size_t n = sizeof(field_cases) / sizeof(field_cases[0]);
    for (size_t i = 0; i < n; i++) {
        const bad_case *c = &field_cases[i];
        ah_req q = {.method = c->method, .path = c->path, .body = c->body};
        char what[400];
        snprintf(what, sizeof(what), "case %zu: %s %s %s", i, c->method, c->path,
                 c->body ? c->body : "");
        if (!check_rejected(s, q, c->status, c->code, c->field, what)) bad++;
    }
    if (bad) {
        print_error("%d of %zu cases failed\n", bad, n);
        fail();
    }
}

/* POST /vouchers/{code}/use takes no fields: a body with fields is refused, the voucher unused. */
static void test_voucher_use_with_fields_400(void **state)
{
    ah_server *s = *state;
    char path[200];
    snprintf(path, sizeof(path), "/api/v1/vouchers/%s/use", voucher);
    ah_req q = {.method = "POST", .path = path, .body = "{\"code\":\"SOMETHING-ELSE\"}"};
    expect_rejected(s, q, 400, "invalid", NULL, "voucher use with a body");
}

/* Long strings: limits of each field (name 200, notes 2000, reason 500, strings 4 KiB). */
static void test_string_limits(void **state)
{
    ah_server *s = *state;
    struct {
        const char *method, *path, *fmt, *field;
        size_t n;
    } cases[] = {
        {"POST", "/api/v1/members", "{\"name\":\"%s\"}", "name", 201},
        {"POST", "/api/v1/members", "{\"name\":\"Ana\",\"notes\":\"%s\"}", "notes", 2001},
        {"PATCH", "/api/v1/members/1", "{\"notes\":\"%s\"}", "notes", 2001},
        {"POST", "/api/v1/adjustments", "{\"member\":1,\"delta\":5,\"reason\":\"%s\"}", "reason",
         501},
        {"POST", "/api/v1/purchases", "{\"member\":1,\"amount\":1850,\"reference\":\"%s\"}",
         "reference", 128},
        {"POST", "/api/v1/purchases", "{\"member\":\"%s\",\"amount\":1850}", "member", 4097},
        {"POST", "/api/v1/purchases/1/refunds", "{\"reason\":\"%s\"}", "reason", 4097},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *v = filled(cases[i].n, 'z');
        size_t n = cases[i].n + 128;
        char *body = malloc(n);
        snprintf(body, n, cases[i].fmt, v);
        ah_req q = {.method = cases[i].method, .path = cases[i].path, .body = body};
        char what[128];
        snprintf(what, sizeof(what), "%s of %zu bytes", cases[i].field, cases[i].n);
        expect_rejected(s, q, 400, "invalid", cases[i].field, what);
        free(body);
        free(v);
    }
}

static void test_batch_over_1000_items(void **state)
{
    ah_server *s = *state;
    size_t n = 1001 * 32 + 64, o = 0;
    char *body = malloc(n);
    o += (size_t)snprintf(body + o, n - o, "{\"purchases\":[");
    for (int i = 0; i < 1001; i++)
        o += (size_t)snprintf(body + o, n - o, "%s{\"member\":1,\"amount\":1}", i ? "," : "");
    snprintf(body + o, n - o, "]}");
    reject_json(s, "POST", "/api/v1/purchases:batch", body, 400, "invalid", "purchases");
    free(body);
}

static int setup(void **state)
{
    int rc = ah_group_setup(state, "badinput");
    if (rc) return rc;
    ah_server *s = *state;
    /* member 1 (50 points) with purchase 1 (RM18.50): the ids the table refers to */
    assert_int_equal(ah_member(s, "Bad Input"), 1);
    char body[600];
    ah_purchase_body(body, sizeof(body), 1);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/purchases", s->owner, "bad-setup", body, &r);
    ah_expect_status(&r, 201);
    json_t *j = ah_json(&r);
    assert_int_equal(ah_int(j, "purchase.id"), 1);
    json_decref(j);
    ah_resp_free(&r);
    /* a voucher, leaving 68 points (too few for another rm5-off) */
    ah_adjust(s, 1, 500);
    ah_call(s, "POST", "/api/v1/redemptions", s->owner, "bad-setup-r",
            "{\"member\":1,\"reward\":\"rm5-off\"}", &r);
    ah_expect_status(&r, 201);
    j = ah_json(&r);
    snprintf(voucher, sizeof(voucher), "%s", ah_str(j, "voucher.code"));
    assert_int_equal(ah_int(j, "balances.points"), 68);
    json_decref(j);
    ah_resp_free(&r);
    return 0;
}

static int teardown(void **state)
{
    ah_server *s = *state;
    if (s) ah_check_invariants(s->db);
    return ah_group_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_over_64k_413),
        cmocka_unit_test(test_url_over_2k_414),
        cmocka_unit_test(test_headers_over_16k_431),
        cmocka_unit_test(test_media_type_415),
        cmocka_unit_test(test_invalid_json_files_400),
        cmocka_unit_test(test_not_object_and_nesting_400),
        cmocka_unit_test(test_field_table),
        cmocka_unit_test(test_voucher_use_with_fields_400),
        cmocka_unit_test(test_string_limits),
        cmocka_unit_test(test_batch_over_1000_items),
        cmocka_unit_test(test_brackets_in_strings_accepted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
