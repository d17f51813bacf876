/* The privacy routes over the real server: GET /api/v1/members/{ref}/export (owner; a JSON
 * download with Content-Disposition) and POST /api/v1/members/{ref}:erase (owner; {"reason"}).
 * Refusals (wrong role, no key, unknown member, missing or bad reason, wrong media type, erasing
 * twice) leave the database byte-identical; the erase itself answers the pseudonym, after which
 * the member cannot earn, search no longer finds the old name and the old card is gone. Consent
 * changes through PATCH record their source and time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/api_harness.h"

static int seq;

/* A member with a distinctive name, email and phone, and a purchase. */
static long long rich_member(const ah_server *s, const char *name, const char *email,
                             const char *phone, char *card, size_t cardsz)
{
    char body[512], key[48];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"email\":\"%s\",\"phone\":\"%s\",\"birthday\":\"1991-08-09\","
             "\"notes\":\"window seat\",\"consent\":{\"email\":true}}",
             name, email, phone);
    snprintf(key, sizeof(key), "privacy-member-%d", ++seq);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/members", s->owner, key, body, &r);
    ah_expect_status(&r, 201);
    json_t *j = ah_json(&r);
    long long id = ah_int(j, "member.id");
    if (card) snprintf(card, cardsz, "%s", ah_str(j, "member.card_token"));
    json_decref(j);
    ah_resp_free(&r);
    ah_purchase_body(body, sizeof(body), id);
    snprintf(key, sizeof(key), "privacy-purchase-%d", ++seq);
    ah_call(s, "POST", "/api/v1/purchases", s->owner, key, body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
    return id;
}

struct dl {
    ah_resp *r;
    char *disposition;
};

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    struct dl *d = ud;
    size_t len = size * n;
    if (len > 20 && strncasecmp(data, "Content-Disposition:", 20) == 0)
        ah_header_value(data, len, d->disposition, 256);
    return ah_on_header(data, size, n, d->r);
}

/* GET with a key, capturing the body and the Content-Disposition header. */
static long get_download(const ah_server *s, const char *path, const char *key, ah_resp *r,
                         char disposition[256])
{
    memset(r, 0, sizeof(*r));
    disposition[0] = '\0';
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[512], auth[160];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ah_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    struct dl d = {r, disposition};
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &d);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (!r->body) r->body = calloc(1, 1);
    return r->status;
}

static void test_export_is_an_owner_download(void **state)
{
    ah_server *s = *state;
    long long id =
        rich_member(s, "Odalys Vantongeren", "odalys.v@example.org", "+60 17-555 0199", NULL, 0);
    char path[128], disp[256], want[128];
    snprintf(path, sizeof(path), "/api/v1/members/%lld/export", id);
    ah_resp r;
    get_download(s, path, s->owner, &r, disp);
    ah_expect_status(&r, 200);
    snprintf(want, sizeof(want), "attachment; filename=\"member-%lld-export.json\"", id);
    assert_string_equal(disp, want);
    json_t *j = ah_json(&r);
    assert_string_equal(ah_str(j, "format"), "loyalty.member-export");
    assert_string_equal(ah_str(j, "member.name"), "Odalys Vantongeren");
    assert_true(strncmp(ah_str(j, "exported_by"), "key:", 4) == 0);
    assert_true(json_array_size(ah_get(j, "tables.ledger")) >= 2); /* welcome + purchase */
    assert_int_equal(json_array_size(ah_get(j, "tables.purchases")), 1);
    assert_true(
        json_is_array(json_object_get(json_array_get(ah_get(j, "tables.purchases"), 0), "lines")));
    json_decref(j);
    ah_resp_free(&r);
    /* by email too; audited once per export */
    get_download(s, "/api/v1/members/odalys.v@example.org/export", s->owner, &r, disp);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'member.export' AND target_id = %lld", id);
    assert_int_equal(ah_scalar(s->db, sql), 2);

    /* not for managers or cashiers, not without a key, not for nobody; nothing written */
    char *before = ah_dump(s->db);
    get_download(s, path, s->manager, &r, disp);
    ah_expect_error(&r, 403, "forbidden", NULL);
    assert_string_equal(disp, "");
    ah_resp_free(&r);
    get_download(s, path, s->cashier, &r, disp);
    ah_expect_error(&r, 403, "forbidden", NULL);
    ah_resp_free(&r);
    ah_call(s, "GET", path, NULL, NULL, NULL, &r);
    ah_expect_error(&r, 401, "unauthorized", NULL);
    ah_resp_free(&r);
    get_download(s, "/api/v1/members/987654/export", s->owner, &r, disp);
    ah_expect_error(&r, 404, "not_found", "member");
    assert_string_equal(disp, "");
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "refused exports");
    free(before);
}

/* Sends an erase that must be refused and checks that nothing changed. */
static void refused(const ah_server *s, const char *path, const char *key, const char *ctype,
                    const char *body, long status, const char *code, const char *field,
                    const char *what)
{
    char *before = ah_dump(s->db);
    ah_req q = {.method = "POST", .path = path, .key = key, .ctype = ctype, .body = body};
    ah_resp r;
    ah_send(NULL, s->port, &q, &r);
    if (r.status != status) {
        print_error("%s: expected %ld, got %ld: %s\n", what, status, r.status, r.body);
        fail();
    }
    ah_expect_error(&r, status, code, field);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, what);
    free(before);
}

static void test_erase_refusals_change_nothing(void **state)
{
    ah_server *s = *state;
    long long id =
        rich_member(s, "Barnaby Quillfeather", "barnaby.q@example.org", "+60 16-222 0123", NULL, 0);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/members/%lld:erase", id);
    const char *ok = "{\"reason\":\"customer request\"}";
    refused(s, path, s->manager, NULL, ok, 403, "forbidden", NULL, "a manager");
    refused(s, path, s->cashier, NULL, ok, 403, "forbidden", NULL, "a cashier");
    refused(s, path, NULL, NULL, ok, 401, "unauthorized", NULL, "no key");
    refused(s, "/api/v1/members/987654:erase", s->owner, NULL, ok, 404, "not_found", "member",
            "unknown member");
    refused(s, path, s->owner, NULL, "{}", 400, "invalid", "reason", "missing reason");
    refused(s, path, s->owner, NULL, "{\"reason\":\"  \"}", 400, "invalid", "reason",
            "blank reason");
    refused(s, path, s->owner, NULL, "{\"reason\":\"Barnaby Quillfeather asked\"}", 400, "invalid",
            "reason", "reason naming the member");
    refused(s, path, s->owner, NULL, "{\"reason\":\"asked\",\"hard\":true}", 400, "invalid", "hard",
            "unknown field");
    refused(s, path, s->owner, "text/plain", ok, 415, NULL, NULL, "not JSON");
    refused(s, path, s->owner, NULL, "{\"reason\":", 400, "invalid", NULL, "broken JSON");
}

static void test_erase_by_owner(void **state)
{
    ah_server *s = *state;
    char card[64];
    long long id = rich_member(s, "Ximena Oakenshaw-Lutz", "ximena.ol@example.org",
                               "+60 11-2345 6789", card, sizeof(card));
    /* the :verb suffix works with any member reference: here the card token */
    char path[160];
    snprintf(path, sizeof(path), "/api/v1/members/%s:erase", card);
    ah_resp r;
    ah_call(s, "POST", path, s->owner, NULL, "{\"reason\":\"asked at the counter\"}", &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    char pseudonym[64];
    snprintf(pseudonym, sizeof(pseudonym), "Erased member %lld", id);
    assert_string_equal(ah_str(j, "member.name"), pseudonym);
    assert_true(json_is_null(ah_get(j, "member.email")));
    assert_true(json_is_null(ah_get(j, "member.phone")));
    assert_true(json_is_string(ah_get(j, "member.erased_at")));
    assert_string_not_equal(ah_str(j, "member.card_token"), card);
    json_decref(j);
    ah_resp_free(&r);

    /* the API shows the pseudonym; the old name, email and card find nobody */
    char p2[160];
    snprintf(p2, sizeof(p2), "/api/v1/members/%lld", id);
    ah_call(s, "GET", p2, s->cashier, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_string_equal(ah_str(j, "member.name"), pseudonym);
    json_decref(j);
    ah_resp_free(&r);
    ah_call(s, "GET", "/api/v1/members?q=oakenshaw", s->cashier, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_int_equal(json_array_size(ah_get(j, "members")), 0);
    json_decref(j);
    ah_resp_free(&r);
    ah_call(s, "GET", "/api/v1/members/ximena.ol@example.org", s->cashier, NULL, NULL, &r);
    ah_expect_error(&r, 404, "not_found", "member");
    ah_resp_free(&r);
    snprintf(p2, sizeof(p2), "/api/v1/members/%s", card);
    ah_call(s, "GET", p2, s->cashier, NULL, NULL, &r);
    ah_expect_error(&r, 404, "not_found", "member");
    ah_resp_free(&r);

    /* a second erase is a clear conflict, and changes nothing */
    snprintf(path, sizeof(path), "/api/v1/members/%lld:erase", id);
    refused(s, path, s->owner, NULL, "{\"reason\":\"again\"}", 409, "conflict", "member",
            "erased twice");

    /* no earning: a purchase is refused naming the member; nothing recorded */
    char body[512], key[48], named[64];
    ah_purchase_body(body, sizeof(body), id);
    snprintf(key, sizeof(key), "privacy-after-%d", ++seq);
    char *before = ah_dump(s->db);
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, key, body, &r);
    ah_expect_error(&r, 422, NULL, "member");
    snprintf(named, sizeof(named), "member %lld was erased", id);
    assert_non_null(strstr(r.body, named));
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "a purchase of an erased member");
    free(before);

    /* the books still balance */
    ah_check_invariants(s->db);
}

/* Consents changed through PATCH record the source given and the time. */
static void test_consent_source_and_time(void **state)
{
    ah_server *s = *state;
    long long id = ah_member(s, "Consent Person");
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/members/%lld", id);
    ah_resp r;
    ah_call(s, "PATCH", path, s->manager, NULL,
            "{\"consent\":{\"sms\":true},\"consent_source\":\"console\"}", &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    assert_true(json_is_true(ah_get(j, "member.consent.sms.granted")));
    assert_string_equal(ah_str(j, "member.consent.sms.source"), "console");
    assert_true(json_is_string(ah_get(j, "member.consent.sms.at")));
    assert_false(json_is_true(ah_get(j, "member.consent.email.granted")));
    json_decref(j);
    ah_resp_free(&r);
}

static int setup(void **state)
{
    return ah_group_setup(state, "privacy");
}

static int teardown(void **state)
{
    return ah_group_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_is_an_owner_download),
        cmocka_unit_test(test_erase_refusals_change_nothing),
        cmocka_unit_test(test_erase_by_owner),
        cmocka_unit_test(test_consent_source_and_time),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
