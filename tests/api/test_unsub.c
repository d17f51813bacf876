/* Unsubscribing end to end against the real server (SPEC E, RELIABILITY F3): the RFC 8058
 * one-click POST /u/{token} in both form encodings withdraws every marketing consent with source
 * "unsubscribe-link" and the time, once (a second POST changes nothing, 200); a GET of the page or
 * of its API changes nothing; unknown tokens and bad bodies get precise errors and change nothing;
 * the page's PUT resubscribes per channel with source "unsubscribe-page"; audit rows; the token is
 * not the card token and neither works as the other; tokens for members from before migration
 * 0011 are issued on first use; both rate limits answer 429. The database is compared table by
 * table around every request that must change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/api_harness.h"

typedef struct {
    long long id;
    char token[64]; /* the unsubscribe token */
    char card[64];  /* the card token */
} member;

/* Enrols a member with an email, a phone and both consents given; reads back their tokens from
 * the staff view. */
static member enrol(const ah_server *s, const char *name, const char *email, const char *phone)
{
    static int n = 0;
    char body[512], key[64];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"email\":\"%s\",\"phone\":\"%s\",\"locale\":\"bn\","
             "\"consent\":{\"email\":true,\"sms\":true}}",
             name, email, phone);
    snprintf(key, sizeof(key), "unsub-enrol-%d-%d", ++n, (int)getpid());
    ah_resp r;
    ah_call(s, "POST", "/api/v1/members", s->owner, key, body, &r);
    ah_expect_status(&r, 201);
    json_t *j = ah_json(&r);
    member m = {.id = ah_int(j, "member.id")};
    json_decref(j);
    ah_resp_free(&r);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/members/%lld", m.id);
    ah_call(s, "GET", path, s->owner, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    const char *url = ah_str(j, "member.unsubscribe_url");
    assert_true(strncmp(url, "/u/", 3) == 0);
    snprintf(m.token, sizeof(m.token), "%s", url + 3);
    snprintf(m.card, sizeof(m.card), "%s", ah_str(j, "member.card_token"));
    json_decref(j);
    ah_resp_free(&r);
    return m;
}

/* A public request (no key: RFC 8058 forbids any context) with a body of type ctype. */
static long send_public(const ah_server *s, const char *method, const char *path, const char *ctype,
                        const char *body, ah_resp *r)
{
    ah_req q = {.method = method, .path = path, .ctype = ctype, .body = body};
    return ah_send(NULL, s->port, &q, r);
}

static long one_click(const ah_server *s, const char *token, ah_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/u/%s", token);
    return send_public(s, "POST", path, "application/x-www-form-urlencoded",
                       "List-Unsubscribe=One-Click", r);
}

static long long member_int(const ah_server *s, long long id, const char *column)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT %s FROM members WHERE id = %lld", column, id);
    return ah_scalar(s->db, sql);
}

static void expect_member_text(const ah_server *s, long long id, const char *column,
                               const char *want)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT %s FROM members WHERE id = %lld", column, id);
    char *v = ah_text_scalar(s->db, sql);
    assert_non_null(v);
    assert_string_equal(v, want);
    free(v);
}

static long long audit_count(const ah_server *s, long long id, const char *action)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE target_type = 'member' AND target_id = %lld AND "
             "action = '%s' AND actor = 'member:%lld'",
             id, action, id);
    return ah_scalar(s->db, sql);
}

/* Sends q (public) and checks the refusal and that the database did not change. */
static void expect_refused(const ah_server *s, const char *method, const char *path,
                           const char *ctype, const char *body, long status, const char *code,
                           const char *field)
{
    char *before = ah_dump(s->db);
    ah_resp r;
    send_public(s, method, path, ctype, body, &r);
    if (r.status != status) print_error("%s %s [%s]\n", method, path, body ? body : "");
    ah_expect_error(&r, status, code, field);
    ah_resp_free(&r);
    char what[256];
    snprintf(what, sizeof(what), "%s %s [%.100s]", method, path, body ? body : "");
    ah_expect_same_db(before, s->db, what);
    free(before);
}

/* ------------------------------------------------------------------------------------ tests */

static void test_token_is_not_the_card(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Rahim Uddin", "rahim@example.com", "+60 12-111 0001");
    assert_int_equal(strlen(m.token), 32); /* 160 bits in Crockford base32 */
    for (const char *p = m.token; *p; p++)
        assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", *p));
    assert_string_not_equal(m.token, m.card);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT unsub_token FROM members WHERE id = %lld", m.id);
    char *stored = ah_text_scalar(s->db, sql);
    assert_string_equal(stored, m.token);
    free(stored);
    /* a second member gets another token */
    member other = enrol(s, "Karim Uddin", "karim@example.com", "+60 12-111 0002");
    assert_string_not_equal(other.token, m.token);

    /* the card token is no unsubscribe token: 404, nothing changed */
    char path[128];
    snprintf(path, sizeof(path), "/u/%s", m.card);
    expect_refused(s, "POST", path, "application/x-www-form-urlencoded",
                   "List-Unsubscribe=One-Click", 404, "not_found", "token");
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.card);
    expect_refused(s, "GET", path, NULL, NULL, 404, "not_found", "token");
    expect_refused(s, "PUT", path, "application/json", "{\"email\":false}", 404, "not_found",
                   "token");
    /* and the unsubscribe token grants no card */
    snprintf(path, sizeof(path), "/api/v1/cards/%s", m.token);
    expect_refused(s, "GET", path, NULL, NULL, 404, "not_found", "token");
    ah_resp r;
    snprintf(path, sizeof(path), "/card/%s.svg", m.token);
    send_public(s, "GET", path, NULL, NULL, &r);
    ah_expect_status(&r, 404);
    ah_resp_free(&r);
    assert_int_equal(member_int(s, m.id, "consent_email"), 1);
    assert_int_equal(member_int(s, m.id, "consent_sms"), 1);
}

/* Opening the page or its API (as a link scanner would) changes nothing. */
static void test_get_changes_nothing(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Shirin Akter", "shirin@example.com", "+60 12-111 0003");
    char *before = ah_dump(s->db);
    char path[128];
    ah_resp r;
    snprintf(path, sizeof(path), "/u/%s", m.token);
    send_public(s, "GET", path, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    assert_true(strncmp(r.ctype, "text/html", 9) == 0);
    assert_non_null(strstr(r.body, "/customer/unsub.js"));
    ah_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    send_public(s, "GET", path, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    assert_string_equal(ah_str(j, "member.first_name"), "Shirin");
    assert_string_equal(ah_str(j, "member.locale"), "bn");
    assert_string_equal(ah_str(j, "merchant.name"), "Kopi Kita");
    assert_true(json_is_true(ah_get(j, "consent.email")));
    assert_true(json_is_true(ah_get(j, "consent.sms")));
    assert_int_equal(json_array_size(ah_get(j, "channels")), 2);
    /* a forwarded link shows no contact details and grants no card */
    assert_null(strstr(r.body, m.card));
    assert_null(strstr(r.body, "shirin@example.com"));
    assert_null(strstr(r.body, "Akter"));
    assert_null(strstr(r.body, "111"));
    json_decref(j);
    ah_resp_free(&r);
    /* tokens are accepted in either case, as card tokens */
    for (char *p = m.token; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    send_public(s, "GET", path, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "GET /u/{token} and GET /api/v1/subscriptions/{token}");
    free(before);
}

/* Checks that one-click withdrew both consents at [t0, t1] with the link as source, audited. */
static void expect_withdrawn(const ah_server *s, const member *m, long long t0, long long t1)
{
    assert_int_equal(member_int(s, m->id, "consent_email"), 0);
    assert_int_equal(member_int(s, m->id, "consent_sms"), 0);
    expect_member_text(s, m->id, "consent_email_source", "unsubscribe-link");
    expect_member_text(s, m->id, "consent_sms_source", "unsubscribe-link");
    for (int i = 0; i < 2; i++) {
        long long at = member_int(s, m->id, i ? "consent_sms_at" : "consent_email_at");
        assert_in_range(at, t0, t1);
    }
    assert_int_equal(audit_count(s, m->id, "consent.withdraw"), 1);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT detail FROM audit WHERE target_id = %lld AND action = 'consent.withdraw'",
             m->id);
    char *detail = ah_text_scalar(s->db, sql);
    assert_non_null(detail);
    json_t *d = json_loads(detail, 0, NULL);
    assert_non_null(d);
    assert_string_equal(ah_str(d, "source"), "unsubscribe-link");
    assert_true(json_is_true(ah_get(d, "before.email")) && json_is_true(ah_get(d, "before.sms")));
    assert_true(json_is_false(ah_get(d, "after.email")) && json_is_false(ah_get(d, "after.sms")));
    json_decref(d);
    free(detail);
}

static void check_one_click(const ah_server *s, const member *m, const char *ctype,
                            const char *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/u/%s", m->token);
    long long t0 = (long long)time(NULL);
    ah_resp r;
    send_public(s, "POST", path, ctype, body, &r);
    ah_expect_status(&r, 200);
    long long t1 = (long long)time(NULL);
    json_t *j = ah_json(&r);
    assert_true(json_is_true(ah_get(j, "changed")));
    assert_true(json_is_false(ah_get(j, "consent.email")));
    assert_true(json_is_false(ah_get(j, "consent.sms")));
    json_decref(j);
    ah_resp_free(&r);
    expect_withdrawn(s, m, t0, t1);

    /* the second POST (a mail provider's retry) changes nothing and still answers 200 */
    char *before = ah_dump(s->db);
    send_public(s, "POST", path, ctype, body, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_true(json_is_false(ah_get(j, "changed")));
    assert_true(json_is_false(ah_get(j, "consent.email")));
    json_decref(j);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "a second one-click POST");
    free(before);
    expect_withdrawn(s, m, t0, t1);
}

static void test_one_click_urlencoded(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Nusrat Jahan", "nusrat@example.com", "+60 12-111 0004");
    check_one_click(s, &m, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click");
}

static void test_one_click_multipart(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Tanvir Hasan", "tanvir@example.com", "+60 12-111 0005");
    check_one_click(s, &m, "multipart/form-data; boundary=----loyBoundary7MA4YWxk",
                    "------loyBoundary7MA4YWxk\r\n"
                    "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                    "\r\n"
                    "One-Click\r\n"
                    "------loyBoundary7MA4YWxk--\r\n");
}

static void test_one_click_bad_bodies(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Sadia Islam", "sadia@example.com", "+60 12-111 0006");
    char path[96];
    snprintf(path, sizeof(path), "/u/%s", m.token);
    const char *form = "application/x-www-form-urlencoded";
    expect_refused(s, "POST", path, "application/json", "{\"List-Unsubscribe\":\"One-Click\"}", 415,
                   "unsupported_media_type", "content-type");
    expect_refused(s, "POST", path, AH_NO_CTYPE, "List-Unsubscribe=One-Click", 415,
                   "unsupported_media_type", "content-type");
    expect_refused(s, "POST", path, form, NULL, 400, "invalid", "List-Unsubscribe");
    expect_refused(s, "POST", path, form, "List-Unsubscribe=Yes", 400, "invalid",
                   "List-Unsubscribe");
    expect_refused(s, "POST", path, form, "Unsubscribe=One-Click", 400, "invalid",
                   "List-Unsubscribe");
    expect_refused(s, "POST", path, form, "List-Unsubscribe=One-Click&List-Unsubscribe=One-Click",
                   400, "invalid", "List-Unsubscribe");
    expect_refused(s, "POST", path, form, "List-Unsubscribe=%ff%fe", 400, "invalid",
                   "List-Unsubscribe");
    expect_refused(s, "POST", path, "multipart/form-data", "List-Unsubscribe=One-Click", 400,
                   "invalid", "content-type");
    expect_refused(s, "POST", path, "multipart/form-data; boundary=XyZ",
                   "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"; "
                   "filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nOne-Click\r\n--XyZ--\r\n",
                   400, "invalid", "List-Unsubscribe");
    expect_refused(s, "POST", path, "multipart/form-data; boundary=XyZ",
                   "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                   "One-Click\r\n",
                   400, "invalid", ""); /* no closing boundary */
    char *big = malloc(6000);
    assert_non_null(big);
    snprintf(big, 6000, "List-Unsubscribe=%05000d", 0);
    expect_refused(s, "POST", path, form, big, 400, "invalid", "List-Unsubscribe");
    free(big);
    assert_int_equal(member_int(s, m.id, "consent_email"), 1);
    assert_int_equal(member_int(s, m.id, "consent_sms"), 1);
    assert_int_equal(audit_count(s, m.id, "consent.withdraw"), 0);
}

static void test_unknown_token(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Farhana Khan", "farhana@example.com", "+60 12-111 0007");
    const char *body = "List-Unsubscribe=One-Click";
    const char *form = "application/x-www-form-urlencoded";
    /* a well-formed token nobody holds, one cut short, one with a character changed */
    char changed[64];
    snprintf(changed, sizeof(changed), "%s", m.token);
    changed[31] = changed[31] == 'A' ? 'B' : 'A';
    const char *paths[] = {"/u/0123456789ABCDEFGHJKMNPQRSTVWX", "/u/0123", NULL};
    char p3[96];
    snprintf(p3, sizeof(p3), "/u/%s", changed);
    for (int i = 0; paths[i]; i++) {
        char *before = ah_dump(s->db);
        ah_resp r;
        send_public(s, "POST", paths[i], form, body, &r);
        ah_expect_error(&r, 404, "not_found", "token");
        assert_non_null(strstr(r.body, "no such unsubscribe link"));
        ah_resp_free(&r);
        ah_expect_same_db(before, s->db, paths[i]);
        free(before);
    }
    expect_refused(s, "POST", p3, form, body, 404, "not_found", "token");
    expect_refused(s, "GET", "/api/v1/subscriptions/0123456789ABCDEFGHJKMNPQRSTVWX", NULL, NULL,
                   404, "not_found", "token");
    assert_int_equal(member_int(s, m.id, "consent_email"), 1);
    assert_int_equal(member_int(s, m.id, "consent_sms"), 1);
}

static void test_put_bad_bodies(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Imran Chowdhury", "imran@example.com", "+60 12-111 0008");
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    const char *json = "application/json";
    expect_refused(s, "PUT", path, json, "{\"email\":\"no\"}", 400, "invalid", "email");
    expect_refused(s, "PUT", path, json, "{\"email\":false,\"sms\":0}", 400, "invalid", "sms");
    expect_refused(s, "PUT", path, json, "{\"email\":null}", 400, "invalid", "email");
    expect_refused(s, "PUT", path, json, "{\"email\":false,\"push\":false}", 400, "invalid",
                   "push");
    expect_refused(s, "PUT", path, json, "{\"consent\":{\"email\":false}}", 400, "invalid",
                   "consent");
    expect_refused(s, "PUT", path, json, "{}", 400, "invalid", "email");
    expect_refused(s, "PUT", path, json, "[false]", 400, "invalid", "");
    expect_refused(s, "PUT", path, json, "{\"email\":false", 400, "invalid", "");
    expect_refused(s, "PUT", path, "application/x-www-form-urlencoded", "email=false", 415,
                   "unsupported_media_type", "content-type");
    assert_int_equal(member_int(s, m.id, "consent_email"), 1);
    assert_int_equal(member_int(s, m.id, "consent_sms"), 1);
}

static void test_resubscribe_per_channel(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Jamal Ahmed", "jamal@example.com", "+60 12-111 0009");
    ah_resp r;
    one_click(s, m.token, &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    long long sms_at = member_int(s, m.id, "consent_sms_at");
    ah_sleep_ms(1100); /* the resubscription's time is later than the withdrawal's */

    char path[96];
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    long long t0 = (long long)time(NULL);
    send_public(s, "PUT", path, "application/json", "{\"email\":true}", &r);
    ah_expect_status(&r, 200);
    long long t1 = (long long)time(NULL);
    json_t *j = ah_json(&r);
    assert_true(json_is_true(ah_get(j, "changed")));
    assert_true(json_is_true(ah_get(j, "consent.email")));
    assert_true(json_is_false(ah_get(j, "consent.sms")));
    json_decref(j);
    ah_resp_free(&r);
    assert_int_equal(member_int(s, m.id, "consent_email"), 1);
    expect_member_text(s, m.id, "consent_email_source", "unsubscribe-page");
    assert_in_range(member_int(s, m.id, "consent_email_at"), t0, t1);
    /* the other channel keeps its withdrawal, time and source */
    assert_int_equal(member_int(s, m.id, "consent_sms"), 0);
    expect_member_text(s, m.id, "consent_sms_source", "unsubscribe-link");
    assert_int_equal(member_int(s, m.id, "consent_sms_at"), sms_at);
    assert_int_equal(audit_count(s, m.id, "consent.change"), 1);

    /* the staff view shows the same */
    char staff[64];
    snprintf(staff, sizeof(staff), "/api/v1/members/%lld", m.id);
    ah_call(s, "GET", staff, s->owner, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_true(json_is_true(ah_get(j, "member.consent.email.granted")));
    assert_string_equal(ah_str(j, "member.consent.email.source"), "unsubscribe-page");
    assert_string_equal(ah_str(j, "member.consent.sms.source"), "unsubscribe-link");
    json_decref(j);
    ah_resp_free(&r);

    /* the same choice again: nothing changes */
    char *before = ah_dump(s->db);
    send_public(s, "PUT", path, "application/json", "{\"email\":true,\"sms\":false}", &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_true(json_is_false(ah_get(j, "changed")));
    json_decref(j);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "PUT of the consents already recorded");
    free(before);

    /* withdrawing on the page records the page */
    send_public(s, "PUT", path, "application/json", "{\"email\":false}", &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    assert_int_equal(member_int(s, m.id, "consent_email"), 0);
    expect_member_text(s, m.id, "consent_email_source", "unsubscribe-page");
    assert_int_equal(audit_count(s, m.id, "consent.change"), 2);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE target_id = %lld AND action = 'consent.change' AND "
             "detail LIKE '%%\"source\":\"unsubscribe-page\"%%'",
             m.id);
    assert_int_equal(ah_scalar(s->db, sql), 2);
}

/* A member from before migration 0011 (no token yet) gets one on first use, once. */
static void test_token_issued_for_older_members(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Mitu Begum", "mitu@example.com", "+60 12-111 0010");
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(s->db, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    char sql[128];
    snprintf(sql, sizeof(sql), "UPDATE members SET unsub_token = NULL WHERE id = %lld", m.id);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    char path[96];
    snprintf(path, sizeof(path), "/u/%s", m.token);
    expect_refused(s, "POST", path, "application/x-www-form-urlencoded",
                   "List-Unsubscribe=One-Click", 404, "not_found", "token");

    ah_resp r;
    snprintf(path, sizeof(path), "/api/v1/members/%lld", m.id);
    ah_call(s, "GET", path, s->owner, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    char url[96];
    snprintf(url, sizeof(url), "%s", ah_str(j, "member.unsubscribe_url"));
    json_decref(j);
    ah_resp_free(&r);
    assert_int_equal(strlen(url), 3 + 32);
    assert_string_not_equal(url + 3, m.token);
    snprintf(sql, sizeof(sql), "SELECT '/u/' || unsub_token FROM members WHERE id = %lld", m.id);
    char *stored = ah_text_scalar(s->db, sql);
    assert_string_equal(stored, url);
    free(stored);
    /* issued once: the next view shows the same */
    ah_call(s, "GET", path, s->owner, NULL, NULL, &r);
    j = ah_json(&r);
    assert_string_equal(ah_str(j, "member.unsubscribe_url"), url);
    json_decref(j);
    ah_resp_free(&r);
    member again = {.id = m.id};
    snprintf(again.token, sizeof(again.token), "%s", url + 3);
    check_one_click(s, &again, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click");
}

/* Consents given through one token are limited (30 an hour); withdrawing never is. */
static void test_resubscribe_rate_limit(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Rupa Das", "rupa@example.com", "+60 12-111 0011");
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    ah_resp r;
    int gives = 0;
    for (int i = 0; i < 80 && gives < 30; i++) {
        send_public(s, "PUT", path, "application/json",
                    i % 2 ? "{\"sms\":true}" : "{\"sms\":false}", &r);
        ah_expect_status(&r, 200);
        ah_resp_free(&r);
        gives += i % 2;
    }
    assert_int_equal(member_int(s, m.id, "consent_sms"), 1);
    one_click(s, m.token, &r); /* never limited */
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    assert_int_equal(member_int(s, m.id, "consent_sms"), 0);
    expect_refused(s, "PUT", path, "application/json", "{\"sms\":true}", 429, "too_many_requests",
                   "");
    send_public(s, "PUT", path, "application/json", "{\"email\":false}", &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
}

/* Guessing: after 20 unknown tokens from one address, unknown tokens and the page's API get 429
 * there, while a one-click POST of a real token is still honoured (last: the limit holds for this
 * server's process from here on). */
static void test_unknown_tokens_rate_limit(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Sumon Roy", "sumon@example.com", "+60 12-111 0012");
    ah_resp r;
    int tries = 0;
    long st = 404;
    while (st == 404 && tries < 25) {
        char token[40];
        snprintf(token, sizeof(token), "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZ%04d", tries++);
        st = one_click(s, token, &r);
        ah_resp_free(&r);
    }
    assert_int_equal(st, 429);
    assert_true(tries <= 21);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    expect_refused(s, "GET", path, NULL, NULL, 429, "too_many_requests", "");
    expect_refused(s, "PUT", path, "application/json", "{\"email\":false}", 429,
                   "too_many_requests", "");
    assert_int_equal(member_int(s, m.id, "consent_email"), 1);
    /* an unsubscribe is never held back */
    long long t0 = (long long)time(NULL);
    one_click(s, m.token, &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    expect_withdrawn(s, &m, t0, (long long)time(NULL));
    expect_refused(s, "POST", "/u/ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
                   "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", 429,
                   "too_many_requests", "");
}

static int setup(void **state)
{
    return ah_group_setup(state, "unsub");
}

/* An erased member has no unsubscribe link: the old one is gone, staff views issue no new one,
 * and nothing can give consent in their name (review finding: a re-issued link could). A member
 * with no phone cannot be subscribed to SMS. */
static void test_erased_member_has_no_link(void **state)
{
    ah_server *s = *state;
    member m = enrol(s, "Erased Ernie", "ernie@example.com", "+60 12-111 0077");
    char path[96], erase[96], get[64];
    snprintf(erase, sizeof(erase), "/api/v1/members/%lld:erase", m.id);
    ah_resp r;
    ah_call(s, "POST", erase, s->owner, NULL, "{\"reason\":\"asked at the counter\"}", &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    snprintf(get, sizeof(get), "/api/v1/members/%lld", m.id);
    ah_call(s, "GET", get, s->owner, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    assert_true(json_is_null(ah_get(j, "member.unsubscribe_url")));
    json_decref(j);
    ah_resp_free(&r);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM members WHERE unsub_token IS NOT NULL "
                                      "AND erased_at > 0"),
                     0);
    char *before = ah_dump(s->db);
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", m.token);
    send_public(s, "PUT", path, "application/json", "{\"email\":true,\"sms\":true}", &r);
    ah_expect_error(&r, 404, "not_found", "token");
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "consent through an erased member's old link");
    free(before);

    member p = enrol(s, "No Phone Nora", "nora@example.com", "+60 12-111 0078");
    char patch[64];
    snprintf(patch, sizeof(patch), "/api/v1/members/%lld", p.id);
    ah_call(s, "PATCH", patch, s->owner, NULL, "{\"phone\":null}", &r);
    ah_expect_status(&r, 200);
    ah_resp_free(&r);
    one_click(s, p.token, &r);
    ah_resp_free(&r);
    before = ah_dump(s->db);
    snprintf(path, sizeof(path), "/api/v1/subscriptions/%s", p.token);
    send_public(s, "PUT", path, "application/json", "{\"sms\":true}", &r);
    ah_expect_error(&r, 400, "invalid", "sms");
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "SMS consent without a phone");
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_is_not_the_card),
        cmocka_unit_test(test_get_changes_nothing),
        cmocka_unit_test(test_one_click_urlencoded),
        cmocka_unit_test(test_one_click_multipart),
        cmocka_unit_test(test_one_click_bad_bodies),
        cmocka_unit_test(test_unknown_token),
        cmocka_unit_test(test_put_bad_bodies),
        cmocka_unit_test(test_resubscribe_per_channel),
        cmocka_unit_test(test_token_issued_for_older_members),
        cmocka_unit_test(test_erased_member_has_no_link), /* before the rate limits are used up */
        cmocka_unit_test(test_resubscribe_rate_limit),
        cmocka_unit_test(test_unknown_tokens_rate_limit),
    };
    return cmocka_run_group_tests(tests, setup, ah_group_teardown);
}
