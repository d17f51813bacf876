/* Referrals over HTTP against the real server (docs/referrals.md): the member's code and link,
 * GET /r/{code} landing on the join page with the code (an unknown code lands without it), the
 * join page's "invited by", joining with the code, the owner's list and decisions with their
 * roles, and bad input: field-named errors that change nothing in the database. The rules
 * themselves are tested through the use cases in tests/store/test_referrals.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/api_harness.h"

static long long first_location, pj_location;
static long long aisyah;
static char code[16];

static json_t *call_json(const ah_server *s, const char *method, const char *path, const char *key,
                         const char *idem, const char *body, long status)
{
    ah_resp r;
    ah_call(s, method, path, key, idem, body, &r);
    ah_expect_status(&r, status);
    json_t *j = ah_json(&r);
    ah_resp_free(&r);
    return j;
}

static void locations(const ah_server *s)
{
    json_t *j = call_json(s, "GET", "/api/v1/locations", s->owner, NULL, NULL, 200);
    first_location = (long long)json_integer_value(
        json_object_get(json_array_get(json_object_get(j, "locations"), 0), "id"));
    pj_location = (long long)json_integer_value(
        json_object_get(json_array_get(json_object_get(j, "locations"), 1), "id"));
    json_decref(j);
    assert_true(first_location > 0 && pj_location > first_location);
}

/* Joins through the public page of `loc`; returns the HTTP status. */
static long join(const ah_server *s, long long loc, const char *name, const char *phone,
                 const char *with_code, const char *idem)
{
    json_t *b = json_pack("{s:s, s:s}", "name", name, "phone", phone);
    if (with_code) json_object_set_new(b, "referral_code", json_string(with_code));
    char *body = json_dumps(b, JSON_COMPACT), path[64];
    json_decref(b);
    snprintf(path, sizeof(path), "/api/v1/join/%lld", loc);
    ah_resp r;
    ah_call(s, "POST", path, NULL, idem, body, &r);
    free(body);
    long status = r.status;
    ah_resp_free(&r);
    return status;
}

static void test_link_and_join(void **state)
{
    ah_server *s = *state;
    locations(s);
    json_t *j = call_json(s, "POST", "/api/v1/members", s->owner, "ref-a",
                          "{\"name\":\"Aisyah Rahman\",\"phone\":\"+60 12-111 1111\","
                          "\"location\":\"PJ\"}",
                          201);
    aisyah = ah_int(j, "member.id");
    json_decref(j);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/members/%lld", aisyah);
    j = call_json(s, "GET", path, s->cashier, NULL, NULL, 200);
    snprintf(code, sizeof(code), "%s", ah_str(j, "member.referral_code"));
    assert_int_equal(strlen(code), 8);
    char link[32];
    snprintf(link, sizeof(link), "/r/%s", code);
    assert_string_equal(ah_str(j, "member.referral_url"), link);
    assert_int_equal(ah_int(j, "referrals.count"), 0);
    /* the card holder's own page shows the same link */
    char card[128];
    snprintf(card, sizeof(card), "/api/v1/cards/%s", ah_str(j, "member.card_token"));
    json_decref(j);
    j = call_json(s, "GET", card, NULL, NULL, NULL, 200);
    assert_string_equal(ah_str(j, "referral.url"), link);
    assert_string_equal(ah_str(j, "referral.code"), code);
    json_decref(j);

    /* the link: 302 to the join page of her home location, with the code */
    ah_resp r;
    ah_call(s, "GET", link, NULL, NULL, NULL, &r);
    ah_expect_status(&r, 302);
    char want[128];
    snprintf(want, sizeof(want), "/join/%lld?ref=%s", pj_location, code);
    assert_string_equal(r.location, want);
    ah_resp_free(&r);
    /* an unknown code lands on a join page all the same, without one */
    ah_call(s, "GET", "/r/ZZZZ2222", NULL, NULL, NULL, &r);
    ah_expect_status(&r, 302);
    snprintf(want, sizeof(want), "/join/%lld", first_location);
    assert_string_equal(r.location, want);
    ah_resp_free(&r);

    /* the join page: who invited them, by first name only */
    snprintf(path, sizeof(path), "/api/v1/join/%lld?ref=%s", pj_location, code);
    j = call_json(s, "GET", path, NULL, NULL, NULL, 200);
    assert_string_equal(ah_str(j, "referrer.first_name"), "Aisyah");
    json_decref(j);
    snprintf(path, sizeof(path), "/api/v1/join/%lld?ref=nonsense", pj_location);
    j = call_json(s, "GET", path, NULL, NULL, NULL, 200);
    assert_true(json_is_null(json_object_get(j, "referrer")));
    json_decref(j);

    /* joining with the code (as typed: lower case) makes a referred member, pending */
    char typed[16];
    snprintf(typed, sizeof(typed), "%s", code);
    for (char *p = typed; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    assert_int_equal(join(s, pj_location, "Budi Santoso", "+60 12-222 2222", typed, "ref-j1"), 201);
    long long budi = ah_scalar(s->db, "SELECT id FROM members WHERE phone = '+60122222222'");
    assert_int_equal(
        ah_scalar(s->db, "SELECT referred_by FROM members WHERE phone = '+60122222222'"), aisyah);
    j = call_json(s, "GET", "/api/v1/referrals", s->manager, NULL, NULL, 200);
    json_t *x = json_array_get(json_object_get(j, "referrals"), 0);
    assert_int_equal(json_integer_value(json_object_get(x, "referee_id")), budi);
    assert_int_equal(json_integer_value(json_object_get(x, "referrer_id")), aisyah);
    assert_string_equal(json_string_value(json_object_get(x, "status")), "pending");
    json_decref(j);
    /* and her view lists him */
    snprintf(path, sizeof(path), "/api/v1/members/%lld", aisyah);
    j = call_json(s, "GET", path, s->cashier, NULL, NULL, 200);
    assert_int_equal(ah_int(j, "referrals.count"), 1);
    x = json_array_get(ah_get(j, "referrals.referred"), 0);
    assert_int_equal(json_integer_value(json_object_get(x, "id")), budi);
    assert_string_equal(json_string_value(json_object_get(x, "status")), "pending");
    json_decref(j);
    ah_check_invariants(s->db);
}

static void test_bad_input(void **state)
{
    ah_server *s = *state;
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/members", s->owner, "ref-bad-1",
            "{\"name\":\"Eka\",\"phone\":\"+60 12-555 5555\",\"referral_code\":\"ZZZZ2222\"}", &r);
    ah_expect_error(&r, 400, "invalid", "referral_code");
    ah_resp_free(&r);
    ah_call(s, "POST", "/api/v1/members", s->owner, "ref-bad-2",
            "{\"name\":\"Eka\",\"referral_code\":7}", &r);
    ah_expect_error(&r, 400, "invalid", "referral_code");
    ah_resp_free(&r);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/join/%lld", first_location);
    ah_call(s, "POST", path, NULL, "ref-bad-3",
            "{\"name\":\"Eka\",\"phone\":\"+60 12-555 5555\",\"referral_code\":\"ZZ\"}", &r);
    ah_expect_error(&r, 400, "invalid", "referral_code");
    ah_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/members/%lld", aisyah);
    ah_call(s, "PATCH", path, s->owner, NULL, "{\"referral_code\":\"ABCDEFGH\"}", &r);
    ah_expect_error(&r, 400, "invalid", "referral_code");
    ah_resp_free(&r);
    const char *lists[][2] = {{"/api/v1/referrals?status=nope", "status"},
                              {"/api/v1/referrals?limit=0", "limit"},
                              {"/api/v1/referrals?before=x", "before"},
                              {"/api/v1/referrals?colour=red", "colour"}};
    for (size_t i = 0; i < 4; i++) {
        ah_call(s, "GET", lists[i][0], s->owner, NULL, NULL, &r);
        ah_expect_error(&r, 400, "invalid", lists[i][1]);
        ah_resp_free(&r);
    }
    ah_call(s, "POST", "/api/v1/referrals/abc:approve", s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 400, "invalid", "id");
    ah_resp_free(&r);
    ah_call(s, "POST", "/api/v1/referrals/0:reject", s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 400, "invalid", "id");
    ah_resp_free(&r);
    ah_call(s, "POST", "/api/v1/referrals/999999:approve", s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 404, "not_found", "id");
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "bad referral input");
    free(before);
}

static void test_review(void **state)
{
    ah_server *s = *state;
    /* Aisyah joins again with her own link: refused (409 as any taken phone), logged */
    assert_int_equal(join(s, first_location, "Aisyah", "+60 12-111 1111", code, "ref-self"), 409);
    json_t *j =
        call_json(s, "GET", "/api/v1/referrals?status=refused", s->manager, NULL, NULL, 200);
    json_t *x = json_array_get(json_object_get(j, "referrals"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "reason")), "self_referral");
    assert_int_equal(json_array_size(json_object_get(j, "referrals")), 1);
    json_decref(j);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM audit WHERE action = "
                                      "'referral.refuse' AND reason = 'self_referral'"),
                     1);
    /* five more friends today: the 6th referral of the day is flagged (max_per_day 5) */
    const char *phones[] = {"+60 13-000 0001", "+60 13-000 0002", "+60 13-000 0003",
                            "+60 13-000 0004", "+60 13-000 0005"};
    for (int i = 0; i < 5; i++) {
        char idem[32], name[32];
        snprintf(idem, sizeof(idem), "ref-v%d", i);
        snprintf(name, sizeof(name), "Friend %d", i);
        assert_int_equal(join(s, first_location, name, phones[i], code, idem), 201);
    }
    ah_resp r;
    ah_call(s, "GET", "/api/v1/referrals?status=flagged", s->cashier, NULL, NULL, &r);
    ah_expect_status(&r, 403);
    ah_resp_free(&r);
    j = call_json(s, "GET", "/api/v1/referrals?status=flagged", s->manager, NULL, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "referrals")), 1);
    x = json_array_get(json_object_get(j, "referrals"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "reason")), "velocity");
    long long id = (long long)json_integer_value(json_object_get(x, "id"));
    assert_int_equal(json_integer_value(json_object_get(x, "referee_id")),
                     ah_scalar(s->db, "SELECT id FROM members WHERE phone = '+60130000005'"));
    json_decref(j);
    /* only the owner decides */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/referrals/%lld:approve", id);
    ah_call(s, "POST", path, s->manager, NULL, NULL, &r);
    ah_expect_status(&r, 403);
    ah_resp_free(&r);
    j = call_json(s, "POST", path, s->owner, NULL, NULL, 200);
    assert_string_equal(ah_str(j, "referral.status"), "pending");
    assert_string_equal(ah_str(j, "referral.decision"), "approved");
    json_decref(j);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM audit WHERE action = "
                                      "'referral.approve'"),
                     1);
    /* once decided, no second decision */
    ah_call(s, "POST", path, s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 409, "conflict", "status");
    ah_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/referrals/%lld:reject", id);
    ah_call(s, "POST", path, s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 409, "conflict", "status");
    ah_resp_free(&r);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM ledger WHERE kind = 'referral'"), 0);
    ah_check_invariants(s->db);
}

static int group_setup(void **state)
{
    return ah_group_setup(state, "referrals");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_and_join),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_review),
    };
    return cmocka_run_group_tests(tests, group_setup, ah_group_teardown);
}
