/* Feedback through the use cases on a real database file (docs/feedback.md): the survey a
 * purchase invites (at most once per member per every_days, never without consent, its "survey"
 * message), the answer (once; detractor -> a case, promoter -> a "referral_ask" message, the same
 * thank-you for 0 and 10, triage stored), the case workflow with notes and the staff member
 * recorded, the inbox's filters and orders, the nps report on fixed answers against values
 * worked out by hand, and the erase of a member's comments and notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "app/app.h"
#include "app/feedback.h"
#include "app/privacy.h"
#include "app/reports.h"
#include "app_fixture.h"
#include "store_fixture.h"

/* 2026-03-02T02:00:00Z = 10:00 in Kuala Lumpur */
#define NOW (SFX_NOW + 2 * 3600)
#define DAY INT64_C(86400)

typedef struct {
    char path[512];
    loy_app *app;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->app = afx_open_example(f->path, sizeof(f->path), "feedback", NOW);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    loy_app_close(f->app);
    sfx_remove_target(f->path);
    free(f);
    return 0;
}

static json_t *js(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *js(const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j) fail_msg("bad JSON in the test: %s: %s", je.text, text);
    return j;
}

/* ---- the database, read with the sqlite3 API ---- */

static sqlite3 *db_open(const fx *f)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    return h;
}

static long long scalar(const fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long scalar(const fx *f, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3 *h = db_open(f);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("bad query: %s", sql);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* One text value (malloc'ed; NULL for no row or NULL). */
static char *text(const fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *text(const fx *f, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3 *h = db_open(f);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("bad query: %s", sql);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* Every row of the tables an answer or a case change writes, as text: equal = nothing changed. */
static char *snapshot(const fx *f)
{
    char *t =
        text(f, "SELECT coalesce((SELECT group_concat(s, '|') FROM (SELECT quote(answered_at) "
                "|| quote(score) || quote(comment) || quote(triage) || quote(thanks_points) "
                "AS s FROM surveys ORDER BY id)), '') || '#' || (SELECT count(*) FROM ledger) "
                "|| '#' || coalesce((SELECT group_concat(s, '|') FROM (SELECT status || "
                "quote(assignee) || updated_at AS s FROM cases ORDER BY id)), '') || '#' || "
                "(SELECT count(*) FROM case_notes) || '#' || (SELECT count(*) FROM messages) "
                "|| '#' || (SELECT count(*) FROM outbox) || '#' || (SELECT count(*) FROM "
                "audit)");
    assert_non_null(t);
    return t;
}

/* ---- set-up through the use cases ---- */

/* A member; consent "email", "sms" or NULL (none). */
static int64_t member(fx *f, const char *name, const char *locale, const char *consent)
{
    static int n;
    n++;
    json_t *req =
        js("{\"name\": \"%s\", \"email\": \"fb%d@example.org\", \"phone\": \"+6012555%04d\", "
           "\"locale\": \"%s\"}",
           name, n, n, locale);
    if (consent) json_object_set_new(req, "consent", json_pack("{s:b}", consent, 1));
    json_t *r = afx_write(f->app, LOY_OP_MEMBER_CREATE, req);
    int64_t id = json_integer_value(json_object_get(json_object_get(r, "member"), "id"));
    json_decref(r);
    return id;
}

static void purchase_at(fx *f, int64_t member, const char *location, int64_t now)
{
    f->app->now = now;
    json_t *r = afx_write(f->app, LOY_OP_PURCHASE,
                          js("{\"member\": %lld, \"amount\": 1850, \"location\": \"%s\"}",
                             (long long)member, location));
    json_decref(r);
}

static long long surveys_of(const fx *f, int64_t member)
{
    return scalar(f, "SELECT count(*) FROM surveys WHERE member_id = %lld", (long long)member);
}

/* The token of the member's latest survey (malloc'ed). */
static char *token_of(const fx *f, int64_t member)
{
    char *t = text(f, "SELECT token FROM surveys WHERE member_id = %lld ORDER BY id DESC LIMIT 1",
                   (long long)member);
    if (!t) fail_msg("member %lld has no survey", (long long)member);
    return t;
}

static int answer(fx *f, const char *token, json_t *req, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_survey_answer(f->app, token, req, &resp, err);
    json_decref(resp);
    json_decref(req);
    return rc;
}

/* A member who bought at NOW and answered `score` with `comment` (NULL: none) at NOW + 3 h. */
static int64_t answered(fx *f, const char *name, const char *locale, int score, const char *comment)
{
    int64_t m = member(f, name, locale, "email");
    purchase_at(f, m, "BSR", NOW);
    char *token = token_of(f, m);
    json_t *req = json_pack("{s:i}", "score", score);
    if (comment) json_object_set_new(req, "comment", json_string(comment));
    f->app->now = NOW + 3 * 3600;
    loy_err err;
    if (answer(f, token, req, &err)) fail_msg("answer: %s (%s)", err.message, err.field);
    free(token);
    return m;
}

/* ---- the invitation ---- */

/* At most one survey per member per 90 days, never without consent or for a late entry; the
 * survey message is queued as the programme says. */
static void test_invitation(void **state)
{
    fx *f = *state;
    int64_t a = member(f, "Aisyah Rahman", "ms", "email");
    purchase_at(f, a, "BSR", NOW);
    assert_int_equal(surveys_of(f, a), 1);
    long long id = scalar(f, "SELECT id FROM surveys WHERE member_id = %lld", (long long)a);
    char *token = token_of(f, a);
    assert_int_equal(strlen(token), 32); /* 160 random bits in Crockford base32 */
    assert_int_equal(scalar(f, "SELECT invite_at - created_at FROM surveys WHERE id = %lld", id),
                     2 * 3600);
    char *loc = text(f, "SELECT location_code || ' ' || language FROM surveys WHERE id = %lld", id);
    assert_string_equal(loc, "BSR ms");
    free(loc);
    /* its message: trigger survey, key survey:ID, a service message, after the delay, the link */
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM messages WHERE member_id = %lld AND trigger = "
                            "'survey' AND key = 'survey:%lld' AND class = 'service' AND "
                            "next_at = %lld",
                            (long long)a, id, (long long)(NOW + 2 * 3600)),
                     1);
    char *vars = text(f, "SELECT vars FROM messages WHERE key = 'survey:%lld'", id);
    char want[80];
    snprintf(want, sizeof(want), "/f/%s", token);
    assert_non_null(strstr(vars, want));
    free(vars);
    free(token);

    /* a second purchase within 90 days invites none; after 90 days one more */
    purchase_at(f, a, "PJ", NOW + 10 * DAY);
    purchase_at(f, a, "PJ", NOW + 89 * DAY);
    assert_int_equal(surveys_of(f, a), 1);
    purchase_at(f, a, "PJ", NOW + 91 * DAY);
    assert_int_equal(surveys_of(f, a), 2);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM messages WHERE member_id = %lld AND trigger "
                            "= 'survey'",
                            (long long)a),
                     2);

    /* no consent: no survey, no message; consent by SMS is enough */
    int64_t b = member(f, "Bence Kovács", "hu", NULL);
    purchase_at(f, b, "BSR", NOW + 92 * DAY);
    assert_int_equal(surveys_of(f, b), 0);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM messages WHERE member_id = %lld AND trigger "
                            "= 'survey'",
                            (long long)b),
                     0);
    int64_t c = member(f, "Chen Wei", "en", "sms");
    purchase_at(f, c, "BSR", NOW + 92 * DAY);
    assert_int_equal(surveys_of(f, c), 1);

    /* a purchase typed in ten days after it happened invites none */
    int64_t d = member(f, "Dewi Lestari", "ms", "email");
    f->app->now = NOW + 100 * DAY;
    char when[32];
    loy_time_format(when, sizeof(when), NOW + 90 * DAY);
    json_decref(afx_write(
        f->app, LOY_OP_PURCHASE,
        js("{\"member\": %lld, \"amount\": 900, \"occurred_at\": \"%s\"}", (long long)d, when)));
    assert_int_equal(surveys_of(f, d), 0);
    /* a dry run invites none */
    json_t *resp = NULL;
    loy_err err;
    json_t *req = js("{\"member\": %lld, \"amount\": 900}", (long long)d);
    assert_int_equal(loy_app_simulate(f->app, req, &resp, &err), 0);
    json_decref(req);
    json_decref(resp);
    assert_int_equal(surveys_of(f, d), 0);
}

/* ---- the answer ---- */

static void test_answer_once_and_bad_input(void **state)
{
    fx *f = *state;
    int64_t m = member(f, "Sumon Das", "bn", "email");
    purchase_at(f, m, "BSR", NOW);
    char *token = token_of(f, m);
    f->app->now = NOW + 3 * 3600;
    loy_err err;
    char *before = snapshot(f);
    /* bad input: the field named, nothing changed */
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{}", "score"},
        {"{\"score\": 11}", "score"},
        {"{\"score\": -1}", "score"},
        {"{\"score\": \"7\"}", "score"},
        {"{\"score\": 7.5}", "score"},
        {"{\"score\": 7, \"comment\": 12}", "comment"},
        {"{\"score\": 7, \"comment\": \"bell\\u0007\"}", "comment"},
        {"{\"score\": 7, \"mood\": \"ok\"}", "mood"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_error_t je;
        json_t *req = json_loads(bad[i].body, 0, &je);
        assert_non_null(req);
        assert_int_equal(answer(f, token, req, &err), LOY_EINVALID);
        assert_string_equal(err.field, bad[i].field);
    }
    char *big = malloc(2002 * 3 + 1); /* 2001 Bengali letters: one character too many */
    for (int i = 0; i < 2001; i++) memcpy(big + 3 * i, "\xe0\xa6\x95", 3);
    big[2001 * 3] = '\0';
    assert_int_equal(answer(f, token, json_pack("{s:i, s:s}", "score", 7, "comment", big), &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "comment");
    big[2000 * 3] = '\0'; /* 2000: accepted below */
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(after);
    /* unknown tokens */
    assert_int_equal(
        answer(f, "NOSUCHTOKENNOSUCHTOKENNOSUCHTOK", json_pack("{s:i}", "score", 7), &err),
        LOY_ENOTFOUND);
    assert_string_equal(err.field, "token");
    assert_int_equal(answer(f, "short", json_pack("{s:i}", "score", 7), &err), LOY_ENOTFOUND);
    /* the view changes nothing */
    json_t *view = NULL;
    assert_int_equal(loy_app_survey_view(f->app, token, &view, &err), 0);
    assert_false(json_is_true(json_object_get(json_object_get(view, "survey"), "answered")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(view, "member"), "first_name")), "Sumon");
    assert_string_equal(json_string_value(json_object_get(view, "shop")), "Kopi Kita");
    assert_string_equal(json_string_value(json_object_get(view, "language")), "bn");
    assert_int_equal(json_integer_value(json_object_get(view, "thank_you_points")), 10);
    json_decref(view);
    after = snapshot(f);
    assert_string_equal(before, after);
    free(after);
    free(before);

    /* the answer, in lower case too (tokens are read in either case) */
    for (char *p = token; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    assert_int_equal(answer(f, token, json_pack("{s:i, s:s}", "score", 7, "comment", big), &err),
                     0);
    free(big);
    assert_int_equal(scalar(f, "SELECT score FROM surveys WHERE member_id = %lld", (long long)m),
                     7);
    assert_int_equal(
        scalar(f, "SELECT answered_at FROM surveys WHERE member_id = %lld", (long long)m),
        NOW + 3 * 3600);
    /* once: the second answer is a conflict and changes nothing */
    before = snapshot(f);
    assert_int_equal(answer(f, token, json_pack("{s:i}", "score", 10), &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "token");
    after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(scalar(f, "SELECT score FROM surveys WHERE member_id = %lld", (long long)m),
                     7);
    free(token);
}

/* A detractor opens a case, a promoter gets the referral ask, a passive neither; the thank-you
 * is the same for 0 and 10; the triage of the comment is stored with its deciding words. */
static void test_consequences(void **state)
{
    fx *f = *state;
    long long bonus_before = scalar(f, "SELECT count(*) FROM ledger WHERE rule = 'survey-thanks'");
    assert_int_equal(bonus_before, 0);
    int64_t low = answered(f, "Lina Tan", "en", 0, "The staff were rude and the coffee was cold");
    int64_t high = answered(f, "Hadi Musa", "ms", 10, "Kopi sedap, pekerja peramah!");
    int64_t mid = answered(f, "Mari Nagy", "hu", 8, NULL);

    /* the thank-you: one bonus of 10 points each, whatever the score, audited */
    for (int i = 0; i < 3; i++) {
        int64_t m = i == 0 ? low : i == 1 ? high : mid;
        assert_int_equal(scalar(f,
                                "SELECT sum(amount) FROM ledger WHERE member_id = %lld AND kind = "
                                "'bonus' AND rule = 'survey-thanks' AND ref_type = 'survey' AND "
                                "actor = 'member:%lld'",
                                (long long)m, (long long)m),
                         10);
        assert_int_equal(scalar(f,
                                "SELECT count(*) FROM audit WHERE action = 'survey.thanks' AND "
                                "target_id = %lld",
                                (long long)m),
                         1);
        assert_int_equal(
            scalar(f, "SELECT thanks_points FROM surveys WHERE member_id = %lld", (long long)m),
            10);
    }
    /* a detractor's case, open; none for the others */
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM cases WHERE member_id = %lld AND status = "
                            "'open'",
                            (long long)low),
                     1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM cases WHERE member_id IN (%lld, %lld)",
                            (long long)high, (long long)mid),
                     0);
    /* a promoter's referral ask: marketing, key referral_ask:SURVEY_ID, their link */
    long long sid = scalar(f, "SELECT id FROM surveys WHERE member_id = %lld", (long long)high);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM messages WHERE member_id = %lld AND trigger = "
                            "'referral_ask' AND key = 'referral_ask:%lld' AND class = 'marketing'",
                            (long long)high, sid),
                     1);
    char *vars = text(f, "SELECT vars FROM messages WHERE key = 'referral_ask:%lld'", sid);
    char *code = text(f, "SELECT referral_code FROM members WHERE id = %lld", (long long)high);
    char want[64];
    snprintf(want, sizeof(want), "\"/r/%s\"", code);
    assert_non_null(strstr(vars, want));
    free(vars);
    free(code);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM messages WHERE trigger = 'referral_ask' AND "
                            "member_id IN (%lld, %lld)",
                            (long long)low, (long long)mid),
                     0);
    /* the triage: in the member's language, negative, with the deciding words */
    char *tri = text(f, "SELECT triage FROM surveys WHERE member_id = %lld", (long long)low);
    json_t *t = json_loads(tri, 0, NULL);
    free(tri);
    assert_string_equal(json_string_value(json_object_get(t, "lang")), "en");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(t, "sentiment"), "label")), "negative");
    assert_true(json_array_size(json_object_get(t, "words")) >= 2);
    long long urgency = json_integer_value(json_object_get(t, "urgency"));
    assert_true(urgency > 0);
    assert_int_equal(
        scalar(f, "SELECT urgency FROM surveys WHERE member_id = %lld", (long long)low), urgency);
    json_decref(t);
    /* the webhook event of each answer */
    assert_int_equal(scalar(f, "SELECT count(*) FROM outbox WHERE kind = 'feedback.received'"), 3);
    char *ev = text(f,
                    "SELECT payload FROM outbox WHERE kind = 'feedback.received' AND "
                    "member_id = %lld",
                    (long long)low);
    json_t *e = json_loads(ev, 0, NULL);
    free(ev);
    assert_int_equal(json_integer_value(json_object_get(e, "score")), 0);
    assert_string_equal(json_string_value(json_object_get(e, "group")), "detractor");
    assert_true(json_is_integer(json_object_get(e, "case_id")));
    json_decref(e);
    afx_verify(f->app); /* the books still balance */
}

/* ---- the case workflow ---- */

static json_t *case_update(fx *f, int64_t id, const char *body, int want)
{
    json_t *req = js("%s", body), *resp = NULL;
    loy_err err;
    int rc = loy_app_case_update(f->app, id, req, &resp, &err);
    json_decref(req);
    if (rc != want) fail_msg("case update %s: %d %s", body, rc, err.message);
    return resp;
}

static void test_case_workflow(void **state)
{
    fx *f = *state;
    loy_err err;
    json_t *r = NULL;
    assert_int_equal(
        loy_app_user_add(f->app, "alice", "Alice Lim", "manager", "a-long-password-1", &r, &err),
        0);
    json_decref(r);
    int64_t m = answered(f, "Rudi Hartono", "ms", 2, "Teruk, lambat sangat");
    long long id = scalar(f, "SELECT id FROM cases WHERE member_id = %lld", (long long)m);
    assert_true(id > 0);
    f->app->now = NOW + DAY;
    snprintf(f->app->actor, sizeof(f->app->actor), "user:alice");

    /* bad changes: the field named, nothing changed */
    char *before = snapshot(f);
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"status\": \"closed\"}", "status"},
        {"{\"status\": 3}", "status"},
        {"{}", "status"},
        {"{\"assignee\": \"nobody-here\"}", "assignee"},
        {"{\"assignee\": 5}", "assignee"},
        {"{\"colour\": \"red\"}", "colour"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *req = js("%s", bad[i].body), *resp = NULL;
        assert_int_equal(loy_app_case_update(f->app, id, req, &resp, &err), LOY_EINVALID);
        assert_string_equal(err.field, bad[i].field);
        json_decref(req);
    }
    json_t *req = js("{\"text\": \"   \"}");
    assert_int_equal(loy_app_case_note(f->app, id, req, &r, &err), LOY_EINVALID);
    assert_string_equal(err.field, "text");
    json_decref(req);
    req = js("{\"status\": \"contacted\"}");
    assert_int_equal(loy_app_case_update(f->app, 99999, req, &r, &err), LOY_ENOTFOUND);
    json_decref(req);
    char *after = snapshot(f);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* contacted, assigned, with a note that records the staff member */
    json_decref(case_update(f, id, "{\"status\": \"contacted\", \"assignee\": \"alice\"}", 0));
    req = js("{\"text\": \"Called her: the machine was broken, offered a free coffee\"}");
    assert_int_equal(loy_app_case_note(f->app, id, req, &r, &err), 0);
    json_decref(req);
    json_t *c = json_object_get(r, "case");
    assert_string_equal(json_string_value(json_object_get(c, "status")), "contacted");
    assert_string_equal(json_string_value(json_object_get(c, "assignee")), "alice");
    json_t *notes = json_object_get(c, "notes");
    assert_int_equal(json_array_size(notes), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "staff")),
                        "user:alice");
    json_decref(r);
    assert_int_equal(scalar(f, "SELECT contacted_at FROM cases WHERE id = %lld", id), NOW + DAY);
    assert_int_equal(scalar(f, "SELECT resolved_at FROM cases WHERE id = %lld", id), 0);
    char *staff = text(f, "SELECT staff FROM case_notes WHERE case_id = %lld", id);
    assert_string_equal(staff, "user:alice");
    free(staff);

    /* resolved, then reopened and unassigned: every change audited with before and after */
    f->app->now = NOW + 2 * DAY;
    json_decref(case_update(f, id, "{\"status\": \"resolved\"}", 0));
    assert_int_equal(scalar(f, "SELECT resolved_at FROM cases WHERE id = %lld", id), NOW + 2 * DAY);
    json_decref(case_update(f, id, "{\"status\": \"open\", \"assignee\": null}", 0));
    r = case_update(f, id, "{\"status\": \"open\"}", 0); /* no change: no audit row */
    assert_true(json_is_null(json_object_get(json_object_get(r, "case"), "assignee")));
    json_decref(r);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM audit WHERE action = 'case.update' AND "
                            "actor = 'user:alice' AND target_id = %lld",
                            (long long)m),
                     3);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM audit WHERE action = 'case.note' AND "
                            "target_id = %lld",
                            (long long)m),
                     1);
    /* the list: counts per status */
    assert_int_equal(loy_app_case_list(f->app, NULL, &r, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(r, "open")), 1);
    assert_int_equal(json_array_size(json_object_get(r, "cases")), 1);
    json_decref(r);
    req = js("{\"status\": \"resolved\"}");
    assert_int_equal(loy_app_case_list(f->app, req, &r, &err), 0);
    assert_int_equal(json_array_size(json_object_get(r, "cases")), 0);
    json_decref(r);
    json_decref(req);
    req = js("{\"status\": \"shut\"}");
    assert_int_equal(loy_app_case_list(f->app, req, &r, &err), LOY_EINVALID);
    assert_string_equal(err.field, "status");
    json_decref(req);
}

/* ---- the inbox ---- */

static void test_inbox(void **state)
{
    fx *f = *state;
    answered(f, "Ana Silva", "en", 9, "Great coffee and friendly staff");
    int64_t angry = answered(f, "Bob Stone", "en", 1, "Terrible! Dirty tables, rude staff, slow!");
    answered(f, "Cyd Moss", "en", 6, "The price is a bit high");
    loy_err err;
    json_t *r = NULL;
    assert_int_equal(loy_app_feedback_list(f->app, NULL, &r, &err), 0);
    json_t *list = json_object_get(r, "feedback");
    assert_int_equal(json_array_size(list), 3);
    /* newest first: the ids descend */
    assert_true(json_integer_value(json_object_get(json_array_get(list, 0), "id")) >
                json_integer_value(json_object_get(json_array_get(list, 1), "id")));
    json_decref(r);
    json_t *p = js("{\"order\": \"urgent\", \"limit\": 1}");
    assert_int_equal(loy_app_feedback_list(f->app, p, &r, &err), 0);
    json_decref(p);
    json_t *top = json_array_get(json_object_get(r, "feedback"), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(top, "member"), "id")),
                     angry);
    assert_string_equal(json_string_value(json_object_get(json_object_get(top, "case"), "status")),
                        "open");
    json_t *next = json_object_get(r, "next_before");
    assert_true(json_is_integer(next));
    /* the next page continues below the first in urgency */
    p = json_pack("{s:s, s:i, s:I}", "order", "urgent", "limit", 5, "before",
                  json_integer_value(next));
    json_decref(r);
    assert_int_equal(loy_app_feedback_list(f->app, p, &r, &err), 0);
    json_decref(p);
    assert_int_equal(json_array_size(json_object_get(r, "feedback")), 2);
    int64_t u0 = json_integer_value(
                json_object_get(json_array_get(json_object_get(r, "feedback"), 0), "urgency")),
            u1 = json_integer_value(
                json_object_get(json_array_get(json_object_get(r, "feedback"), 1), "urgency"));
    assert_true(u0 >= u1);
    json_decref(r);
    /* filters */
    p = js("{\"group\": \"detractor\"}");
    assert_int_equal(loy_app_feedback_list(f->app, p, &r, &err), 0);
    assert_int_equal(json_array_size(json_object_get(r, "feedback")), 2);
    json_decref(r);
    json_decref(p);
    p = js("{\"status\": \"open\", \"min_urgency\": \"90\"}");
    assert_int_equal(loy_app_feedback_list(f->app, p, &r, &err), 0);
    size_t n = json_array_size(json_object_get(r, "feedback"));
    json_decref(r);
    json_decref(p);
    assert_int_equal(n, scalar(f, "SELECT count(*) FROM surveys s JOIN cases k ON k.survey_id = "
                                  "s.id WHERE k.status = 'open' AND s.urgency >= 90"));
    static const struct {
        const char *body, *field;
    } bad[] = {{"{\"group\": \"fans\"}", "group"},
               {"{\"order\": \"oldest\"}", "order"},
               {"{\"min_urgency\": 101}", "min_urgency"},
               {"{\"limit\": 0}", "limit"},
               {"{\"sort\": \"x\"}", "sort"},
               {"{\"member\": \"nobody@x.org\"}", "member"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = js("%s", bad[i].body);
        int rc = loy_app_feedback_list(f->app, p, &r, &err);
        json_decref(p);
        if (!rc) fail_msg("%s accepted", bad[i].body);
        assert_string_equal(err.field, bad[i].field);
    }
}

/* ---- the nps report ---- */

/* Five answers at BSR (10, 9, 8, 3, 0): promoters 2, passives 1, detractors 2, n = 5, NPS 0.
 * n' = 8, p' = d' = 2.75 / 8 = 0.34375, centre 0, variance 0.6875, se = sqrt(0.6875 / 8) =
 * 0.2931510, z x se = 0.5745654 -> [-57.5, 57.5] (one decimal). Two detractors: two open cases. */
static void test_report(void **state)
{
    fx *f = *state;
    static const int scores[] = {10, 9, 8, 3, 0};
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "Member Nps%d", i);
        answered(f, name, "en", scores[i], NULL);
    }
    json_t *p = js("{\"from\": \"2026-02-01\", \"to\": \"2026-03-31\"}"), *r = NULL;
    loy_err err;
    assert_int_equal(loy_app_report(f->app, "nps", p, &r, &err), 0);
    json_decref(p);
    json_t *o = json_object_get(r, "overall");
    assert_int_equal(json_integer_value(json_object_get(o, "responses")), 5);
    assert_int_equal(json_integer_value(json_object_get(o, "promoters")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "passives")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "detractors")), 2);
    assert_float_equal(json_number_value(json_object_get(o, "nps")), 0.0, 1e-9);
    assert_float_equal(json_number_value(json_object_get(o, "ci_low")), -57.5, 1e-9);
    assert_float_equal(json_number_value(json_object_get(o, "ci_high")), 57.5, 1e-9);
    assert_int_equal(json_integer_value(json_object_get(r, "open_cases")), 2);
    assert_string_equal(json_string_value(json_object_get(r, "sentence")),
                        "NPS 0 (95% CI -57 to 57, 5 responses): as many promoters as detractors "
                        "(few answers yet: the range is wide); call the 2 open detractor cases");
    /* per location: all at BSR, none at PJ; per month: February empty, March has them */
    json_t *locs = json_object_get(r, "by_location");
    assert_int_equal(json_array_size(locs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(locs, 0), "key")), "BSR");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(locs, 0), "responses")), 5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(locs, 1), "responses")), 0);
    assert_true(json_is_null(json_object_get(json_array_get(locs, 1), "nps")));
    json_t *months = json_object_get(r, "by_month");
    assert_int_equal(json_array_size(months), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(months, 1), "key")),
                        "2026-03");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(months, 0), "responses")),
                     0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(months, 1), "responses")),
                     5);
    /* CSV: one row per group */
    char *csv = NULL;
    assert_int_equal(loy_app_report_csv(r, &csv, &err), 0);
    assert_non_null(strstr(csv, "scope,key,responses,promoters,passives,detractors,nps,ci_low,"
                                "ci_high\r\noverall,all,5,2,1,2,0,-57.5,57.5\r\nlocation,BSR,5,"));
    assert_non_null(strstr(csv, "month,2026-03,5,2,1,2,0,-57.5,57.5\r\n"));
    free(csv);
    json_decref(r);
    /* a location without answers says so; a bad parameter is named */
    p = js("{\"location\": \"PJ\"}");
    assert_int_equal(loy_app_report(f->app, "nps", p, &r, &err), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "overall"), "responses")), 0);
    assert_non_null(strstr(json_string_value(json_object_get(r, "sentence")), "No survey answers"));
    json_decref(r);
    json_decref(p);
    p = js("{\"days\": 30}");
    assert_int_equal(loy_app_report(f->app, "nps", p, &r, &err), LOY_EINVALID);
    assert_string_equal(err.field, "days");
    json_decref(p);
}

/* ---- erase ---- */

static void test_erase(void **state)
{
    fx *f = *state;
    int64_t m = answered(f, "Quentin Zyxwar", "en", 2, "Zyxwar here: the coffee was cold, call me");
    long long id = scalar(f, "SELECT id FROM cases WHERE member_id = %lld", (long long)m);
    char *token = token_of(f, m);
    json_t *req = js("{\"text\": \"Quentin Zyxwar asked for a refund\"}"), *r = NULL;
    loy_err err;
    assert_int_equal(loy_app_case_note(f->app, id, req, &r, &err), 0);
    json_decref(req);
    json_decref(r);
    char ref[32];
    snprintf(ref, sizeof(ref), "%lld", (long long)m);
    req = js("{\"reason\": \"asked by the customer\"}");
    assert_int_equal(loy_app_member_erase(f->app, ref, req, &r, &err), 0);
    json_decref(req);
    json_t *sc = json_object_get(r, "scrubbed");
    assert_int_equal(json_integer_value(json_object_get(sc, "surveys.comment")), 1);
    assert_int_equal(json_integer_value(json_object_get(sc, "case_notes.text")), 1);
    json_decref(r);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM surveys WHERE member_id = %lld AND comment "
                            "IS NULL AND score = 2 AND json_extract(triage, '$.words') IS NULL",
                            (long long)m),
                     1);
    char *note = text(f, "SELECT text FROM case_notes WHERE case_id = %lld", id);
    assert_string_equal(note, "(erased)");
    free(note);
    assert_int_equal(scalar(f, "SELECT count(*) FROM surveys WHERE instr(coalesce(comment, '') || "
                               "coalesce(triage, ''), 'Zyxwar') > 0"),
                     0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM outbox WHERE instr(payload, 'Zyxwar') > 0"),
                     0);
    /* their link stops working; their score still counts */
    json_t *view = NULL;
    assert_int_equal(loy_app_survey_view(f->app, token, &view, &err), LOY_ENOTFOUND);
    free(token);
    f->app->now = NOW + DAY;
    req = js("{}");
    assert_int_equal(loy_app_report(f->app, "nps", req, &r, &err), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "overall"), "detractors")), 1);
    json_decref(r);
    json_decref(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invitation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_once_and_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consequences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
