/* Feedback end to end against the real server (docs/feedback.md, docs/http-api.md): a purchase
 * over the API invites a survey; its public page /f/{token} and GET /api/v1/surveys/{token}
 * change nothing; bad answers get a field-named 400 and change nothing; the answer is taken once
 * (a second one is 409, unknown tokens 404); the staff inbox, cases (status, notes with the staff
 * member) and the nps report for managers, not cashiers; unknown survey tokens are rate limited
 * per client address. The database is compared table by table around every refused request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/api_harness.h"

typedef struct {
    long long member, survey, case_id;
    char token[64];
} fixture;
static fixture fx;

static int setup(void **state)
{
    return ah_group_setup(state, "feedback");
}

static long send_public(const ah_server *s, const char *method, const char *path, const char *body,
                        ah_resp *r)
{
    ah_req q = {.method = method, .path = path, .body = body};
    return ah_send(NULL, s->port, &q, r);
}

/* Sends a request and checks the refusal and that the database did not change. */
static void expect_refused(const ah_server *s, const char *method, const char *path,
                           const char *key, const char *body, long status, const char *code,
                           const char *field)
{
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_req q = {.method = method, .path = path, .key = key, .body = body};
    ah_send(NULL, s->port, &q, &r);
    if (r.status != status) print_error("%s %s [%s]\n", method, path, body ? body : "");
    ah_expect_error(&r, status, code, field);
    ah_resp_free(&r);
    char what[256];
    snprintf(what, sizeof(what), "%s %s [%.100s]", method, path, body ? body : "");
    ah_expect_same_db(before, s->db, what);
    free(before);
}

/* A member with email consent buys: the purchase invites a survey. */
static void test_purchase_invites(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    ah_call(s, "POST", "/api/v1/members", s->owner, "fb-member-1",
            "{\"name\":\"Sumon Das\",\"email\":\"sumon@example.org\",\"locale\":\"bn\","
            "\"consent\":{\"email\":true}}",
            &r);
    ah_expect_status(&r, 201);
    json_t *j = ah_json(&r);
    fx.member = ah_int(j, "member.id");
    json_decref(j);
    ah_resp_free(&r);
    char body[600];
    ah_purchase_body(body, sizeof(body), fx.member);
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "fb-purchase-1", body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM surveys WHERE member_id = %lld", fx.member);
    assert_int_equal(ah_scalar(s->db, sql), 1);
    snprintf(sql, sizeof(sql), "SELECT token FROM surveys WHERE member_id = %lld", fx.member);
    char *t = ah_text_scalar(s->db, sql);
    snprintf(fx.token, sizeof(fx.token), "%s", t);
    free(t);
    snprintf(sql, sizeof(sql), "SELECT id FROM surveys WHERE member_id = %lld", fx.member);
    fx.survey = ah_scalar(s->db, sql);
    /* the replay of the purchase invites no second survey */
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "fb-purchase-1", body, &r);
    ah_expect_status(&r, 201); /* the original answer, again */
    assert_true(r.replayed);
    ah_resp_free(&r);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM surveys WHERE member_id = %lld", fx.member);
    assert_int_equal(ah_scalar(s->db, sql), 1);
}

/* The page and its API are public and change nothing. */
static void test_view(void **state)
{
    ah_server *s = *state;
    char path[128];
    char *before = ah_dump(s->db);
    ah_resp r;
    snprintf(path, sizeof(path), "/f/%s", fx.token);
    send_public(s, "GET", path, NULL, &r);
    ah_expect_status(&r, 200);
    assert_true(strncmp(r.ctype, "text/html", 9) == 0);
    assert_non_null(strstr(r.body, "/customer/survey.js"));
    ah_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/surveys/%s", fx.token);
    send_public(s, "GET", path, NULL, &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    assert_string_equal(ah_str(j, "shop"), "Kopi Kita");
    assert_string_equal(ah_str(j, "member.first_name"), "Sumon");
    assert_string_equal(ah_str(j, "language"), "bn");
    assert_true(json_is_false(ah_get(j, "survey.answered")));
    assert_true(json_is_null(ah_get(j, "survey.score")));
    assert_int_equal(ah_int(j, "thank_you_points"), 10);
    assert_null(ah_get(j, "member.email")); /* nothing else about them */
    json_decref(j);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "GET of the survey page and its API");
    free(before);
}

static void test_bad_answers(void **state)
{
    ah_server *s = *state;
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/surveys/%s", fx.token);
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{}", "score"},
        {"{\"score\":11}", "score"},
        {"{\"score\":\"9\"}", "score"},
        {"{\"score\":null}", "score"},
        {"{\"score\":5,\"comment\":[\"x\"]}", "comment"},
        {"{\"score\":5,\"comment\":\"a\\u0007b\"}", "comment"},
        {"{\"score\":5,\"stars\":4}", "stars"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(s, "POST", path, NULL, bad[i].body, 400, "invalid", bad[i].field);
    expect_refused(s, "POST", path, NULL, "[1,2]", 400, "invalid", NULL);
    expect_refused(s, "POST", path, NULL, "{\"score\":", 400, "invalid", NULL);
    expect_refused(s, "POST", "/api/v1/surveys/NOSUCHSURVEYNOSUCHSURVEYNOSUCHSU", NULL,
                   "{\"score\":5}", 404, "not_found", "token");
    expect_refused(s, "GET", "/api/v1/surveys/nope", NULL, NULL, 404, "not_found", "token");
}

static void test_answer_once(void **state)
{
    ah_server *s = *state;
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/surveys/%s", fx.token);
    ah_resp r;
    send_public(s, "POST", path, "{\"score\":3,\"comment\":\"কফি ঠান্ডা ছিল, কর্মীরা অভদ্র।\"}", &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    assert_true(json_is_true(ah_get(j, "survey.answered")));
    assert_int_equal(ah_int(j, "survey.score"), 3);
    json_decref(j);
    ah_resp_free(&r);
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT id FROM cases WHERE survey_id = %lld AND status = 'open'",
             fx.survey);
    fx.case_id = ah_scalar(s->db, sql);
    assert_true(fx.case_id > 0);
    snprintf(sql, sizeof(sql),
             "SELECT sum(amount) FROM ledger WHERE member_id = %lld AND rule = 'survey-thanks'",
             fx.member);
    assert_int_equal(ah_scalar(s->db, sql), 10);
    ah_check_invariants(s->db);
    /* once */
    expect_refused(s, "POST", path, NULL, "{\"score\":10}", 409, "conflict", "token");
    send_public(s, "GET", path, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_true(json_is_true(ah_get(j, "survey.answered")));
    json_decref(j);
    ah_resp_free(&r);
}

static void test_staff(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    /* the inbox: managers and owners only */
    expect_refused(s, "GET", "/api/v1/feedback", s->cashier, NULL, 403, NULL, NULL);
    expect_refused(s, "GET", "/api/v1/feedback", NULL, NULL, 401, NULL, NULL);
    expect_refused(s, "GET", "/api/v1/feedback?order=sideways", s->manager, NULL, 400, "invalid",
                   "order");
    expect_refused(s, "GET", "/api/v1/feedback?colour=red", s->manager, NULL, 400, "invalid",
                   "colour");
    ah_call(s, "GET", "/api/v1/feedback?order=urgent&group=detractor", s->manager, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    json_t *first = json_array_get(ah_get(j, "feedback"), 0);
    assert_int_equal(ah_int(first, "id"), fx.survey);
    assert_int_equal(ah_int(first, "score"), 3);
    assert_string_equal(ah_str(first, "triage.sentiment.label"), "negative");
    assert_true(json_array_size(ah_get(first, "triage.words")) >= 2);
    assert_int_equal(ah_int(first, "case.id"), fx.case_id);
    json_decref(j);
    ah_resp_free(&r);

    /* the case: status and a note, by a manager; refused for a cashier and for bad input */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cases/%lld", fx.case_id);
    expect_refused(s, "PATCH", path, s->cashier, "{\"status\":\"contacted\"}", 403, NULL, NULL);
    expect_refused(s, "PATCH", path, s->manager, "{\"status\":\"done\"}", 400, "invalid", "status");
    expect_refused(s, "PATCH", path, s->manager, "{\"assignee\":\"ghost\"}", 400, "invalid",
                   "assignee");
    expect_refused(s, "PATCH", "/api/v1/cases/999999", s->manager, "{\"status\":\"contacted\"}",
                   404, "not_found", "id");
    expect_refused(s, "PATCH", "/api/v1/cases/abc", s->manager, "{\"status\":\"contacted\"}", 404,
                   "not_found", "id");
    ah_call(s, "PATCH", path, s->manager, NULL, "{\"status\":\"contacted\"}", &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_string_equal(ah_str(j, "case.status"), "contacted");
    assert_true(json_is_string(ah_get(j, "case.contacted_at")));
    json_decref(j);
    ah_resp_free(&r);
    char notes[110];
    snprintf(notes, sizeof(notes), "%s/notes", path);
    expect_refused(s, "POST", notes, s->manager, "{\"text\":\"\"}", 400, "invalid", "text");
    expect_refused(s, "POST", notes, s->cashier, "{\"text\":\"x\"}", 403, NULL, NULL);
    ah_call(s, "POST", notes, s->manager, NULL, "{\"text\":\"Called: offered a free coffee\"}", &r);
    ah_expect_status(&r, 201);
    j = ah_json(&r);
    json_t *note = json_array_get(ah_get(j, "case.notes"), 0);
    assert_string_equal(ah_str(note, "text"), "Called: offered a free coffee");
    char want[32];
    snprintf(want, sizeof(want), "key:%.12s", s->manager);
    assert_string_equal(ah_str(note, "staff"), want);
    json_decref(j);
    ah_resp_free(&r);
    ah_call(s, "GET", "/api/v1/cases?status=contacted", s->manager, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_int_equal(json_array_size(ah_get(j, "cases")), 1);
    assert_int_equal(ah_int(j, "contacted"), 1);
    assert_int_equal(ah_int(j, "open"), 0);
    json_decref(j);
    ah_resp_free(&r);

    /* the nps report: one detractor (to the end of today in Kuala Lumpur: an answer of this
     * very second is before it) */
    char today[16], report[80];
    time_t kl = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&kl, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    snprintf(report, sizeof(report), "/api/v1/reports/nps?to=%s", today);
    ah_call(s, "GET", report, s->manager, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    j = ah_json(&r);
    assert_int_equal(ah_int(j, "overall.responses"), 1);
    assert_int_equal(ah_int(j, "overall.detractors"), 1);
    assert_true(json_number_value(ah_get(j, "overall.nps")) == -100.0);
    assert_non_null(strstr(ah_str(j, "sentence"), "NPS -100"));
    json_decref(j);
    ah_resp_free(&r);
    snprintf(report, sizeof(report), "/api/v1/reports/nps?to=%s&format=csv", today);
    ah_call(s, "GET", report, s->manager, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    assert_true(strncmp(r.ctype, "text/csv", 8) == 0);
    assert_non_null(strstr(r.body, "overall,all,1,0,0,1,-100,"));
    ah_resp_free(&r);
    expect_refused(s, "GET", "/api/v1/reports/nps", s->cashier, NULL, 403, NULL, NULL);
}

/* Guessing survey links: past 20 unknown tokens from one address in 15 minutes, 429 (the
 * address already tried two in test_bad_answers). */
static void test_unknown_tokens_rate_limit(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    int limited = 0;
    for (int i = 0; i < 25 && !limited; i++) {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/surveys/GUESS%027d", i);
        send_public(s, "GET", path, NULL, &r);
        if (r.status == 429)
            limited = i + 1;
        else
            ah_expect_status(&r, 404);
        ah_resp_free(&r);
    }
    assert_int_equal(limited, 19); /* 2 unknown tokens in test_bad_answers + 18 here, then 429 */
    /* the real link is refused too meanwhile: guessing from this address has stopped */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/surveys/%s", fx.token);
    send_public(s, "GET", path, NULL, &r);
    ah_expect_status(&r, 429);
    ah_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purchase_invites),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_bad_answers),
        cmocka_unit_test(test_answer_once),
        cmocka_unit_test(test_staff),
        cmocka_unit_test(test_unknown_tokens_rate_limit), /* last: it uses up the limit */
    };
    return cmocka_run_group_tests(tests, setup, ah_group_teardown);
}
