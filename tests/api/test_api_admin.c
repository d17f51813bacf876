/* The owner's administration routes against the real server: staff users (add, list, change
 * name, role, password, disable), API keys (create with the secret shown once, list, revoke) and
 * locations (add, rename). Each happy path is checked against the database or a follow-up GET;
 * each bad field gets a 400 naming it and changes nothing (the whole database compared); managers
 * and cashiers get 403; the last active owner cannot be disabled or demoted, nor can an owner
 * disable or demote themselves; a disabled user's session stops at once and their login fails; a
 * revoked key stops working. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/api_harness.h"

/* ---- staff sessions (cookie + CSRF token) ---- */

typedef struct {
    char cookie[160]; /* "Cookie: loy_session=..." */
    char csrf[96];    /* "X-CSRF-Token: ..." */
} session;

static size_t on_login_header(char *data, size_t size, size_t n, void *ud)
{
    session *s = ud;
    size_t len = size * n;
    if (len > 24 && strncasecmp(data, "Set-Cookie: loy_session=", 24) == 0) {
        size_t v = strcspn(data + 24, ";\r\n");
        snprintf(s->cookie, sizeof(s->cookie), "Cookie: loy_session=%.*s", (int)v, data + 24);
    }
    return len;
}

static size_t on_login_body(char *data, size_t size, size_t n, void *ud)
{
    ah_resp *r = ud;
    return ah_on_body(data, size, n, r);
}

/* POST /api/v1/session; returns the status, fills *out on 200. */
static long login(const ah_server *srv, const char *user, const char *password, session *out)
{
    memset(out, 0, sizeof(*out));
    json_t *b = json_pack("{s:s, s:s}", "username", user, "password", password);
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/session", srv->port);
    ah_resp r = {0};
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_login_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_login_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    if (status == 200) {
        r.len = r.body ? strlen(r.body) : 0;
        json_t *j = ah_json(&r);
        snprintf(out->csrf, sizeof(out->csrf), "X-CSRF-Token: %s", ah_str(j, "csrf_token"));
        json_decref(j);
        assert_true(out->cookie[0] != '\0');
    }
    free(r.body);
    return status;
}

/* A request made with a staff session. */
static long as_session(const ah_server *srv, const session *se, const char *method,
                       const char *path, const char *body, ah_resp *r)
{
    const char *headers[] = {se->cookie, se->csrf, NULL};
    ah_req q = {.method = method, .path = path, .body = body, .headers = headers};
    return ah_send(NULL, srv->port, &q, r);
}

/* ---- helpers ---- */

static json_t *call_json(const ah_server *s, const char *method, const char *path, const char *key,
                         const char *body, long status)
{
    ah_resp r;
    ah_call(s, method, path, key, NULL, body, &r);
    ah_expect_status(&r, status);
    json_t *j = ah_json(&r);
    ah_resp_free(&r);
    return j;
}

static void add_user(const ah_server *s, const char *username, const char *role,
                     const char *password)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"username\":\"%s\",\"name\":\"Name of %s\",\"role\":\"%s\",\"password\":\"%s\"}",
             username, username, role, password);
    json_decref(call_json(s, "POST", "/api/v1/users", s->owner, body, 201));
}

/* The request is refused with `status` and the error names `field`; the database is unchanged. */
static void expect_refused(const ah_server *s, const char *method, const char *path,
                           const char *key, const char *body, long status, const char *code,
                           const char *field)
{
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_call(s, method, path, key, NULL, body, &r);
    if (r.status != status) print_error("%s %s %s\n", method, path, body ? body : "(no body)");
    ah_expect_error(&r, status, code, field);
    char what[600];
    snprintf(what, sizeof(what), "%s %s %s", method, path, body ? body : "");
    ah_expect_same_db(before, s->db, what);
    free(before);
    ah_resp_free(&r);
}

static long long count(const ah_server *s, const char *sql)
{
    return ah_scalar(s->db, sql);
}

static char *text(const ah_server *s, const char *sql)
{
    char *v = ah_text_scalar(s->db, sql);
    assert_non_null(v);
    return v;
}

/* ---- users ---- */

static void test_users_happy_path(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    ah_call(s, "POST", "/api/v1/users", s->owner, NULL,
            "{\"username\":\"siti\",\"name\":\"Siti Aminah\",\"role\":\"cashier\","
            "\"password\":\"siti-first-pw\"}",
            &r);
    ah_expect_status(&r, 201);
    assert_string_equal(r.location, "/api/v1/users/siti");
    json_t *j = ah_json(&r);
    assert_string_equal(ah_str(j, "username"), "siti");
    assert_string_equal(ah_str(j, "role"), "cashier");
    assert_true(json_is_false(json_object_get(j, "disabled")));
    assert_null(strstr(r.body, "argon2"));
    json_decref(j);
    ah_resp_free(&r);
    char *v = text(s, "SELECT name || '|' || role FROM users WHERE username = 'siti'");
    assert_string_equal(v, "Siti Aminah|cashier");
    free(v);
    v = text(s, "SELECT substr(password_hash, 1, 10) FROM users WHERE username = 'siti'");
    assert_string_equal(v, "$argon2id$");
    free(v);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'user.add' AND actor "
                              "LIKE 'key:%' AND detail = 'cashier'"),
                     1);

    /* the list: every user, no password hash anywhere */
    ah_call(s, "GET", "/api/v1/users", s->owner, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    assert_null(strstr(r.body, "argon2"));
    assert_null(strstr(r.body, "password"));
    j = ah_json(&r);
    json_t *users = json_object_get(j, "users");
    assert_int_equal(json_array_size(users), count(s, "SELECT count(*) FROM users"));
    json_t *u = json_array_get(users, json_array_size(users) - 1);
    assert_string_equal(ah_str(u, "username"), "siti");
    assert_string_equal(ah_str(u, "name"), "Siti Aminah");
    assert_true(json_is_null(json_object_get(u, "disabled_at")));
    json_decref(j);
    ah_resp_free(&r);

    /* change name and role; the list follows */
    j = call_json(s, "PATCH", "/api/v1/users/siti", s->owner,
                  "{\"name\":\"Siti A.\",\"role\":\"manager\"}", 200);
    assert_string_equal(ah_str(j, "role"), "manager");
    json_decref(j);
    v = text(s, "SELECT name || '|' || role FROM users WHERE username = 'siti'");
    assert_string_equal(v, "Siti A.|manager");
    free(v);
    v = text(s, "SELECT detail FROM audit WHERE action = 'user.update' ORDER BY id DESC");
    assert_non_null(strstr(v, "\"role\":[\"cashier\",\"manager\"]"));
    assert_non_null(strstr(v, "\"name\":[\"Siti Aminah\",\"Siti A.\"]"));
    free(v);

    /* a new password: the old one stops working, the new one logs in; audited without it */
    session se;
    assert_int_equal(login(s, "siti", "siti-first-pw", &se), 200);
    j = call_json(s, "PATCH", "/api/v1/users/siti", s->owner, "{\"password\":\"siti-second-pw\"}",
                  200);
    json_decref(j);
    assert_int_equal(login(s, "siti", "siti-first-pw", &se), 401);
    assert_int_equal(login(s, "siti", "siti-second-pw", &se), 200);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE detail LIKE '%siti-second-pw%' OR "
                              "reason LIKE '%siti-second-pw%'"),
                     0);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'user.update' AND "
                              "detail = '{\"password\":\"changed\"}'"),
                     1);
}

static void test_users_bad_input(void **state)
{
    ah_server *s = *state;
    add_user(s, "taken", "cashier", "taken-user-pw");
    long long n = count(s, "SELECT count(*) FROM users");
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"name\":\"X\",\"role\":\"cashier\",\"password\":\"long-enough-1\"}", "username"},
        {"{\"username\":\"A B\",\"role\":\"cashier\",\"password\":\"long-enough-1\"}", "username"},
        {"{\"username\":\"ab\",\"role\":\"cashier\",\"password\":\"long-enough-1\"}", "username"},
        {"{\"username\":7,\"role\":\"cashier\",\"password\":\"long-enough-1\"}", "username"},
        {"{\"username\":\"newone\",\"role\":\"boss\",\"password\":\"long-enough-1\"}", "role"},
        {"{\"username\":\"newone\",\"password\":\"long-enough-1\"}", "role"},
        {"{\"username\":\"newone\",\"role\":\"cashier\",\"password\":\"short\"}", "password"},
        {"{\"username\":\"newone\",\"role\":\"cashier\",\"password\":1234567890123}", "password"},
        {"{\"username\":\"newone\",\"role\":\"cashier\"}", "password"},
        {"{\"username\":\"newone\",\"role\":\"cashier\",\"name\":[],\"password\":\"long-enough-"
         "1\"}",
         "name"},
        {"{\"username\":\"newone\",\"role\":\"cashier\",\"password\":\"long-enough-1\",\"admin\":"
         "1}",
         "admin"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(s, "POST", "/api/v1/users", s->owner, bad[i].body, 400, "invalid",
                       bad[i].field);
    /* a name too long for the store */
    char big[400];
    snprintf(big, sizeof(big),
             "{\"username\":\"newone\",\"role\":\"cashier\",\"password\":\"long-enough-1\","
             "\"name\":\"%0200d\"}",
             0);
    expect_refused(s, "POST", "/api/v1/users", s->owner, big, 400, "invalid", "name");
    /* the username is taken */
    expect_refused(s, "POST", "/api/v1/users", s->owner,
                   "{\"username\":\"taken\",\"role\":\"cashier\",\"password\":\"long-enough-1\"}",
                   409, "conflict", "username");
    assert_int_equal(count(s, "SELECT count(*) FROM users"), n);

    /* PATCH: each field */
    static const struct {
        const char *body, *field;
    } badp[] = {
        {"{\"role\":\"king\"}", "role"},
        {"{\"role\":1}", "role"},
        {"{\"disabled\":\"yes\"}", "disabled"},
        {"{\"disabled\":1}", "disabled"},
        {"{\"password\":\"tiny\"}", "password"},
        {"{\"password\":false}", "password"},
        {"{\"name\":\"\"}", "name"},
        {"{\"username\":\"renamed\"}", "username"},
        {"{}", ""},
    };
    for (size_t i = 0; i < sizeof(badp) / sizeof(badp[0]); i++)
        expect_refused(s, "PATCH", "/api/v1/users/taken", s->owner, badp[i].body, 400, "invalid",
                       badp[i].field);
    expect_refused(s, "PATCH", "/api/v1/users/nobody", s->owner, "{\"name\":\"N\"}", 404,
                   "not_found", "username");
    char *v = text(s, "SELECT name || '|' || role || '|' || coalesce(disabled_at, 0) FROM users "
                      "WHERE username = 'taken'");
    assert_string_equal(v, "Name of taken|cashier|0");
    free(v);
}

static void test_wrong_role_403(void **state)
{
    ah_server *s = *state;
    add_user(s, "mgr", "manager", "manager-pw-123");
    add_user(s, "csh", "cashier", "cashier-pw-123");
    static const struct {
        const char *method, *path, *body;
    } routes[] = {
        {"GET", "/api/v1/users", NULL},
        {"POST", "/api/v1/users",
         "{\"username\":\"sneaky\",\"role\":\"owner\",\"password\":\"sneaky-pw-123\"}"},
        {"PATCH", "/api/v1/users/csh", "{\"role\":\"owner\"}"},
        {"GET", "/api/v1/apikeys", NULL},
        {"POST", "/api/v1/apikeys", "{\"name\":\"sneaky\",\"role\":\"owner\"}"},
        {"DELETE", "/api/v1/apikeys/1", NULL},
        {"POST", "/api/v1/locations", "{\"code\":\"SNK\",\"name\":\"Sneaky\"}"},
        {"PATCH", "/api/v1/locations/BSR", "{\"name\":\"Sneaky\"}"},
    };
    session mgr, csh;
    assert_int_equal(login(s, "mgr", "manager-pw-123", &mgr), 200);
    assert_int_equal(login(s, "csh", "cashier-pw-123", &csh), 200);
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        expect_refused(s, routes[i].method, routes[i].path, s->manager, routes[i].body, 403,
                       "forbidden", NULL);
        expect_refused(s, routes[i].method, routes[i].path, s->cashier, routes[i].body, 403,
                       "forbidden", NULL);
        const session *ses[] = {&mgr, &csh};
        for (int k = 0; k < 2; k++) {
            char *before = ah_dump(s->db);
            ah_resp r;
            as_session(s, ses[k], routes[i].method, routes[i].path, routes[i].body, &r);
            ah_expect_error(&r, 403, "forbidden", NULL);
            ah_expect_same_db(before, s->db, routes[i].path);
            free(before);
            ah_resp_free(&r);
        }
    }
}

static void test_last_owner_and_self(void **state)
{
    ah_server *s = *state;
    add_user(s, "boss1", "owner", "boss-one-pw-1");
    /* boss1 is the only owner: neither demoted nor disabled, whoever asks */
    expect_refused(s, "PATCH", "/api/v1/users/boss1", s->owner, "{\"role\":\"manager\"}", 409,
                   "conflict", "role");
    expect_refused(s, "PATCH", "/api/v1/users/boss1", s->owner, "{\"disabled\":true}", 409,
                   "conflict", "disabled");
    ah_resp r;
    ah_call(s, "PATCH", "/api/v1/users/boss1", s->owner, NULL, "{\"disabled\":true}", &r);
    json_t *j = ah_json(&r);
    assert_non_null(strstr(ah_str(j, "error.message"), "last active owner"));
    json_decref(j);
    ah_resp_free(&r);
    /* other changes of the last owner are fine */
    json_decref(
        call_json(s, "PATCH", "/api/v1/users/boss1", s->owner, "{\"name\":\"Big Boss\"}", 200));

    add_user(s, "boss2", "owner", "boss-two-pw-1");
    session b2;
    assert_int_equal(login(s, "boss2", "boss-two-pw-1", &b2), 200);
    /* nobody disables or demotes themselves */
    static const char *const self[][2] = {{"{\"disabled\":true}", "disabled"},
                                          {"{\"role\":\"cashier\"}", "role"}};
    for (int i = 0; i < 2; i++) {
        char *before = ah_dump(s->db);
        as_session(s, &b2, "PATCH", "/api/v1/users/boss2", self[i][0], &r);
        ah_expect_error(&r, 409, "conflict", self[i][1]);
        j = ah_json(&r);
        assert_non_null(strstr(ah_str(j, "error.message"), "yourself"));
        json_decref(j);
        ah_expect_same_db(before, s->db, "an owner disabling or demoting themselves");
        free(before);
        ah_resp_free(&r);
    }
    /* with two owners, one may disable the other; then boss2 is the last active owner */
    as_session(s, &b2, "PATCH", "/api/v1/users/boss1", "{\"disabled\":true}", &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    assert_int_equal(count(s, "SELECT count(*) FROM users WHERE username = 'boss1' AND "
                              "disabled_at > 0"),
                     1);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'user.update' AND actor = "
                              "'user:boss2' AND detail = '{\"disabled\":true}'"),
                     1);
    expect_refused(s, "PATCH", "/api/v1/users/boss2", s->owner, "{\"role\":\"manager\"}", 409,
                   "conflict", "role");
    /* a disabled owner is no active owner: demoting boss1 now is allowed, enabling it too */
    json_decref(call_json(s, "PATCH", "/api/v1/users/boss1", s->owner,
                          "{\"disabled\":false,\"role\":\"manager\"}", 200));
    assert_int_equal(count(s, "SELECT count(*) FROM users WHERE username = 'boss1' AND "
                              "disabled_at IS NULL AND role = 'manager'"),
                     1);
}

static void test_disabled_user_session_ends(void **state)
{
    ah_server *s = *state;
    add_user(s, "till1", "cashier", "till-one-pw-1");
    session se;
    assert_int_equal(login(s, "till1", "till-one-pw-1", &se), 200);
    ah_resp r;
    as_session(s, &se, "GET", "/api/v1/locations", NULL, &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    assert_int_equal(count(s, "SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM "
                              "users WHERE username = 'till1')"),
                     1);

    json_t *j = call_json(s, "PATCH", "/api/v1/users/till1", s->owner, "{\"disabled\":true}", 200);
    assert_true(json_is_true(json_object_get(j, "disabled")));
    assert_true(json_is_string(json_object_get(j, "disabled_at")));
    json_decref(j);
    /* the session ended at once, and the login is refused like a wrong password */
    assert_int_equal(count(s, "SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM "
                              "users WHERE username = 'till1')"),
                     0);
    as_session(s, &se, "GET", "/api/v1/locations", NULL, &r);
    ah_expect_error(&r, 401, "unauthorized", NULL);
    ah_resp_free(&r);
    session again;
    assert_int_equal(login(s, "till1", "till-one-pw-1", &again), 401);
    /* the list says so */
    j = call_json(s, "GET", "/api/v1/users", s->owner, NULL, 200);
    json_t *u = json_array_get(json_object_get(j, "users"), 0);
    assert_string_equal(ah_str(u, "username"), "till1");
    assert_true(json_is_true(json_object_get(u, "disabled")));
    json_decref(j);
    /* enabled again: the login works */
    json_decref(
        call_json(s, "PATCH", "/api/v1/users/till1", s->owner, "{\"disabled\":false}", 200));
    assert_int_equal(login(s, "till1", "till-one-pw-1", &again), 200);
}

/* ---- API keys ---- */

static void test_apikeys(void **state)
{
    ah_server *s = *state;
    long long keys = count(s, "SELECT count(*) FROM api_keys");
    ah_resp r;
    ah_call(s, "POST", "/api/v1/apikeys", s->owner, NULL,
            "{\"name\":\"Till 2\",\"role\":\"cashier\"}", &r);
    ah_expect_status(&r, 201);
    json_t *j = ah_json(&r);
    char key[80], loc[64];
    snprintf(key, sizeof(key), "%s", ah_str(j, "key"));
    long long id = ah_int(j, "id");
    snprintf(loc, sizeof(loc), "/api/v1/apikeys/%lld", id);
    assert_string_equal(r.location, loc);
    assert_int_equal(strncmp(key, "loy_", 4), 0);
    assert_int_equal(strncmp(key, ah_str(j, "prefix"), strlen(ah_str(j, "prefix"))), 0);
    assert_string_equal(ah_str(j, "role"), "cashier");
    json_decref(j);
    ah_resp_free(&r);
    assert_int_equal(count(s, "SELECT count(*) FROM api_keys"), keys + 1);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM api_keys WHERE id = %lld AND name = 'Till 2' AND role = "
             "'cashier' AND hash != '%s' AND created_by LIKE 'key:%%'",
             id, key);
    assert_int_equal(count(s, sql), 1);
    char *dump = ah_dump(s->db); /* only its hash is kept */
    assert_null(strstr(dump, key));
    free(dump);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'apikey.create' AND "
                              "detail = 'cashier'"),
                     1 + 1 /* ah_db_new's cashier key */);

    /* the key works; the list never shows the secret */
    ah_call(s, "GET", "/api/v1/members?q=a", key, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    ah_call(s, "GET", "/api/v1/apikeys", s->owner, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    assert_null(strstr(r.body, key));
    assert_null(strstr(r.body, key + 12));
    assert_null(strstr(r.body, "\"hash\""));
    j = ah_json(&r);
    json_t *list = json_object_get(j, "keys");
    assert_int_equal(json_array_size(list), keys + 1);
    json_t *k = json_array_get(list, json_array_size(list) - 1);
    assert_int_equal(ah_int(k, "id"), id);
    assert_string_equal(ah_str(k, "name"), "Till 2");
    assert_null(json_object_get(k, "key"));
    assert_true(json_is_null(json_object_get(k, "revoked_at")));
    json_decref(j);
    ah_resp_free(&r);

    /* bad input names the field and creates nothing */
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"role\":\"cashier\"}", "name"},
        {"{\"name\":\"\",\"role\":\"cashier\"}", "name"},
        {"{\"name\":5,\"role\":\"cashier\"}", "name"},
        {"{\"name\":\"x\",\"role\":\"root\"}", "role"},
        {"{\"name\":\"x\"}", "role"},
        {"{\"name\":\"x\",\"role\":\"cashier\",\"secret\":\"mine\"}", "secret"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(s, "POST", "/api/v1/apikeys", s->owner, bad[i].body, 400, "invalid",
                       bad[i].field);
    assert_int_equal(count(s, "SELECT count(*) FROM api_keys"), keys + 1);

    /* revoke: it stops working at once; a second revoke finds nothing */
    j = call_json(s, "DELETE", loc, s->owner, NULL, 200);
    assert_true(json_is_true(json_object_get(j, "revoked")));
    json_decref(j);
    ah_call(s, "GET", "/api/v1/members?q=a", key, NULL, NULL, &r);
    ah_expect_error(&r, 401, "unauthorized", NULL);
    ah_resp_free(&r);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM api_keys WHERE id = %lld AND revoked_at > 0",
             id);
    assert_int_equal(count(s, sql), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'apikey.revoke'"), 1);
    expect_refused(s, "DELETE", loc, s->owner, NULL, 404, "not_found", "id");
    expect_refused(s, "DELETE", "/api/v1/apikeys/abc", s->owner, NULL, 404, "not_found", "id");
    j = call_json(s, "GET", "/api/v1/apikeys", s->owner, NULL, 200);
    list = json_object_get(j, "keys");
    assert_true(json_is_string(
        json_object_get(json_array_get(list, json_array_size(list) - 1), "revoked_at")));
    json_decref(j);
}

/* ---- locations ---- */

static void test_locations(void **state)
{
    ah_server *s = *state;
    long long versions = count(s, "SELECT count(*) FROM programmes");
    ah_resp r;
    ah_call(s, "POST", "/api/v1/locations", s->owner, NULL,
            "{\"code\":\"KLCC\",\"name\":\"Kopi Kita KLCC\"}", &r);
    ah_expect_status(&r, 201);
    assert_string_equal(r.location, "/api/v1/locations/KLCC");
    json_t *j = ah_json(&r);
    long long id = ah_int(j, "location.id");
    char join[48];
    snprintf(join, sizeof(join), "/join/%lld", id);
    assert_string_equal(ah_str(j, "location.join"), join);
    assert_int_equal(ah_int(j, "programme_version"), versions + 1);
    json_decref(j);
    ah_resp_free(&r);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM locations WHERE id = %lld AND code = 'KLCC' AND name = 'Kopi "
             "Kita KLCC'",
             id);
    assert_int_equal(count(s, sql), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM programmes"), versions + 1);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'location.add'"), 1);

    /* the list, the programme and the join page know it; a purchase may name it */
    j = call_json(s, "GET", "/api/v1/locations", s->cashier, NULL, 200);
    json_t *locs = json_object_get(j, "locations"), *last = json_array_get(locs, 2);
    assert_int_equal(json_array_size(locs), 3);
    assert_string_equal(ah_str(last, "code"), "KLCC");
    assert_string_equal(ah_str(last, "join"), join);
    json_decref(j);
    j = call_json(s, "GET", "/api/v1/programme", s->owner, NULL, 200);
    assert_int_equal(ah_int(j, "version"), versions + 1);
    assert_int_equal(json_array_size(ah_get(j, "programme.locations")), 3);
    json_decref(j);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/join/%lld", id);
    j = call_json(s, "GET", path, NULL, NULL, 200);
    assert_string_equal(ah_str(j, "location.name"), "Kopi Kita KLCC");
    json_decref(j);
    ah_call(s, "GET", join, NULL, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    long long m = ah_member(s, "Location Tester");
    char body[600];
    ah_purchase_body(body, sizeof(body), m);
    char *bsr = strstr(body, "\"BSR\"");
    assert_non_null(bsr);
    memmove(bsr + 6, bsr + 5, strlen(bsr + 5) + 1);
    memcpy(bsr, "\"KLCC\"", 6);
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "admin-klcc-1", body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
    assert_int_equal(count(s, "SELECT count(*) FROM purchases WHERE location_code = 'KLCC'"), 1);

    /* rename */
    j = call_json(s, "PATCH", "/api/v1/locations/KLCC", s->owner, "{\"name\":\"KLCC Suria\"}", 200);
    assert_string_equal(ah_str(j, "location.name"), "KLCC Suria");
    assert_int_equal(ah_int(j, "location.id"), id);
    json_decref(j);
    snprintf(sql, sizeof(sql), "SELECT name FROM locations WHERE id = %lld", id);
    char *v = text(s, sql);
    assert_string_equal(v, "KLCC Suria");
    free(v);
    j = call_json(s, "GET", path, NULL, NULL, 200);
    assert_string_equal(ah_str(j, "location.name"), "KLCC Suria");
    json_decref(j);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'location.rename'"), 1);

    /* bad input: named, nothing changes (no new programme version, no location) */
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"name\":\"No code\"}", "code"},
        {"{\"code\":\"A B\",\"name\":\"Space\"}", "code"},
        {"{\"code\":\"KL/CC\",\"name\":\"Slash\"}", "code"},
        {"{\"code\":12,\"name\":\"Number\"}", "code"},
        {"{\"code\":\"ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ\",\"name\":\"Long\"}",
         "code"},
        {"{\"code\":\"MV\"}", "name"},
        {"{\"code\":\"MV\",\"name\":\"\"}", "name"},
        {"{\"code\":\"MV\",\"name\":[1]}", "name"},
        {"{\"code\":\"MV\",\"name\":\"Mid Valley\",\"city\":\"KL\"}", "city"},
    };
    long long nloc = count(s, "SELECT count(*) FROM locations");
    versions = count(s, "SELECT count(*) FROM programmes");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(s, "POST", "/api/v1/locations", s->owner, bad[i].body, 400, "invalid",
                       bad[i].field);
    expect_refused(s, "POST", "/api/v1/locations", s->owner,
                   "{\"code\":\"BSR\",\"name\":\"Second Bangsar\"}", 409, "conflict", "code");
    expect_refused(s, "PATCH", "/api/v1/locations/KLCC", s->owner, "{\"name\":\"\"}", 400,
                   "invalid", "name");
    expect_refused(s, "PATCH", "/api/v1/locations/KLCC", s->owner, "{\"code\":\"X\"}", 400,
                   "invalid", "code");
    expect_refused(s, "PATCH", "/api/v1/locations/NOPE", s->owner, "{\"name\":\"Nope\"}", 404,
                   "not_found", "code");
    assert_int_equal(count(s, "SELECT count(*) FROM locations"), nloc);
    assert_int_equal(count(s, "SELECT count(*) FROM programmes"), versions);
}

static int setup(void **state)
{
    return ah_group_setup(state, "admin");
}

static int teardown(void **state)
{
    return ah_group_teardown(state);
}

/* ---- staff fraud flags over HTTP (RELIABILITY E5) ---- */

static void test_staff_flags(void **state)
{
    ah_server *s = *state;
    char cashier[128];
    ah_key_create(s->db, "cashier", cashier, sizeof(cashier), NULL);
    long long m = ah_member(s, "Flag Family");
    char body[128], key[64], path[96];
    /* six purchases for one member within the hour by one key: the sixth is flagged (limit 5) */
    for (int i = 0; i < 6; i++) {
        snprintf(body, sizeof(body), "{\"member\":%lld,\"amount\":900}", m);
        snprintf(key, sizeof(key), "staff-flag-%d", i);
        ah_resp r;
        ah_call(s, "POST", "/api/v1/purchases", cashier, key, body, &r);
        ah_expect_status(&r, 201);
        ah_resp_free(&r);
    }
    json_t *j = call_json(s, "GET", "/api/v1/staff-flags?status=open", s->owner, NULL, 200);
    json_t *flags = json_object_get(j, "flags");
    assert_int_equal(json_array_size(flags), 1);
    json_t *f = json_array_get(flags, 0);
    assert_string_equal(json_string_value(json_object_get(f, "rule")), "stamp_velocity");
    assert_string_equal(json_string_value(json_object_get(f, "action")), "flagged");
    assert_int_equal(json_integer_value(json_object_get(f, "member_id")), m);
    long long id = json_integer_value(json_object_get(f, "id"));
    json_decref(j);
    expect_refused(s, "GET", "/api/v1/staff-flags", cashier, NULL, 403, "forbidden",
                   "authorization");
    snprintf(path, sizeof(path), "/api/v1/staff-flags/%lld:dismiss", id);
    expect_refused(s, "POST", path, s->owner, "{}", 400, "invalid", "reason");
    expect_refused(s, "POST", path, s->manager, "{\"reason\":\"x\"}", 403, "forbidden",
                   "authorization");
    expect_refused(s, "POST", "/api/v1/staff-flags/999999:dismiss", s->owner, "{\"reason\":\"x\"}",
                   404, "not_found", "id");
    j = call_json(s, "POST", path, s->owner, "{\"reason\":\"a family of six\"}", 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "dismissed");
    json_decref(j);
    expect_refused(s, "POST", path, s->owner, "{\"reason\":\"again\"}", 409, "conflict", "id");
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE action = 'fraud.dismissed'"), 1);
    j = call_json(s, "GET", "/api/v1/staff-flags?status=open", s->owner, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "flags")), 0);
    json_decref(j);

    /* a staff user's own card: linked with PATCH, shown in the list of users */
    add_user(s, "flagtill", "cashier", "till-password-1");
    snprintf(body, sizeof(body), "{\"member\":%lld}", m);
    json_decref(call_json(s, "PATCH", "/api/v1/users/flagtill", s->owner, body, 200));
    j = call_json(s, "GET", "/api/v1/users", s->owner, NULL, 200);
    size_t i;
    json_t *u;
    int seen = 0;
    json_array_foreach(json_object_get(j, "users"), i, u)
    {
        const char *name = json_string_value(json_object_get(u, "username"));
        json_t *linked = json_object_get(u, "member");
        if (!strcmp(name, "flagtill")) {
            assert_int_equal(json_integer_value(linked), m);
            seen++;
        } else
            assert_true(json_is_null(linked));
    }
    assert_int_equal(seen, 1);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users_happy_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_role_403, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_owner_and_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_user_session_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apikeys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staff_flags, setup, teardown),
    };
    return cmocka_run_group_tests_name("api_admin", tests, NULL, NULL);
}
