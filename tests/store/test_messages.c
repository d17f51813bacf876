/* The message outbox through the use cases (examples/kopi-kita.json, Asia/Kuala_Lumpur, UTC+8):
 * 1. loy_app_message_queue, the contract other use cases call inside their transaction: once per
 *    (member, trigger, key), a skip recorded for a member without consent, refusals naming the
 *    field and writing nothing, and no queueing outside a transaction.
 * 2. A member's time zone (loy_app_member_tz): the merchant's unless set, zones at UTC-10 and
 *    UTC+14, loaded once.
 * 3. The sender without an SMTP server touches nothing until an integrator takes message.send;
 *    then members reachable by SMS get their message through that webhook event, quiet hours in
 *    the member's zone postpone it to 09:00 of that zone (Honolulu and Kiritimati: the same UTC
 *    instant, a calendar day apart), emails wait untouched for a server, consent withdrawn
 *    after queueing is a skip at send time, and an erase cancels what waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/app_int.h"
#include "app/messages.h"
#include "app/privacy.h"
#include "app/sender.h"
#include "app/webhooks.h"
#include "app_fixture.h"
#include "store_fixture.h"
#include "util/time.h"

/* 2026-03-02T02:00:00Z = 10:00 in Kuala Lumpur */
#define NOW (SFX_NOW + 2 * 3600)

typedef struct {
    char path[512];
    loy_app *app;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    f->app = afx_open_example(f->path, sizeof(f->path), "messages", NOW);
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

static int64_t member(loy_app *app, const char *fields)
{
    json_error_t je;
    json_t *req = json_loads(fields, 0, &je);
    if (!req) fail_msg("bad JSON in the test: %s", je.text);
    json_t *resp = afx_write(app, LOY_OP_MEMBER_CREATE, req);
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
    json_decref(resp);
    return id;
}

static int64_t count(loy_app *app, const char *where_sql_literal_is_fixed, int64_t m)
{
    (void)where_sql_literal_is_fixed;
    return sfx_qi(&app->conn, "SELECT count(*) FROM messages WHERE member_id = ? AND key LIKE 't%'",
                  m);
}

static const char *status_of(loy_app *app, int64_t m, const char *key, char *buf, size_t n)
{
    loy_stmt *st;
    loy_err err;
    if (loy_db_query(&app->conn, &st, &err,
                     "SELECT status || ',' || coalesce(reason, '') || ',' || next_at FROM "
                     "messages WHERE member_id = ? AND key = ?",
                     "it", m, key))
        fail_msg("%s", err.message);
    int rc = loy_db_next(&app->conn, st, &err);
    if (rc != 1) fail_msg("no message %s of member %lld", key, (long long)m);
    snprintf(buf, n, "%s", loy_db_text(&app->conn, st, 0));
    loy_db_done(&app->conn, st);
    return buf;
}

static int queue(loy_app *app, loy_msg_req *r, bool *queued, loy_err *err)
{
    loy_err e;
    if (loy_db_begin(&app->conn, true, &e)) fail_msg("%s", e.message);
    int rc = loy_app_message_queue(app, r, app->now, queued, err);
    if (rc)
        loy_db_rollback(&app->conn);
    else if (loy_db_commit(&app->conn, &e))
        fail_msg("%s", e.message);
    return rc;
}

static void test_queue_contract(void **state)
{
    fx *f = *state;
    loy_app *app = f->app;
    int64_t a = member(app, "{\"name\": \"Ana Queue\", \"email\": \"ana@example.org\", "
                            "\"consent\": {\"email\": true}}");
    int64_t b = member(app, "{\"name\": \"Ben Noconsent\", \"email\": \"ben@example.org\"}");
    loy_msg_req r = {.member_id = a, .trigger = "birthday", .key = "t2026-03-02"};
    bool queued = false;
    loy_err err;
    assert_int_equal(queue(app, &r, &queued, &err), 0);
    assert_true(queued);
    assert_int_equal(queue(app, &r, &queued, &err), 0);
    assert_false(queued); /* the same key: nothing changes */
    assert_int_equal(count(app, "", a), 1);
    r.key = "t2";
    r.cls = LOY_MSG_SERVICE;
    r.not_before = NOW + 3600;
    json_t *vars = json_pack("{s:s, s:i}", "survey_url", "https://x.example/s/1", "n", 3);
    r.vars = vars;
    assert_int_equal(queue(app, &r, &queued, &err), 0);
    assert_true(queued);
    char buf[128];
    snprintf(buf, sizeof(buf), "queued,,%lld", (long long)(NOW + 3600));
    char got[128];
    assert_string_equal(status_of(app, a, "t2", got, sizeof(got)), buf);
    assert_int_equal(sfx_qi(&app->conn,
                            "SELECT count(*) FROM messages WHERE member_id = ? AND key = 't2' AND "
                            "class = 'service' AND vars = '{\"n\":3,\"survey_url\":"
                            "\"https://x.example/s/1\"}'",
                            a),
                     1);
    /* no consent: recorded as skipped, reported as not queued */
    r = (loy_msg_req){.member_id = b, .trigger = "welcome", .key = "t1"};
    assert_int_equal(queue(app, &r, &queued, &err), 0);
    assert_false(queued);
    assert_string_equal(status_of(app, b, "t1", got, sizeof(got)), "skipped,no_consent,1772416800");
    /* refusals name the field and write nothing */
    int64_t before = sfx_q(&app->conn, "SELECT count(*) FROM messages");
    struct {
        loy_msg_req r;
        int code;
        const char *field;
    } bad[] = {
        {{.member_id = a, .trigger = "hello", .key = "t9"}, LOY_EINVALID, "trigger"},
        {{.member_id = a, .trigger = "campaign", .template_id = "nope", .key = "t9"},
         LOY_EINVALID,
         "template"},
        {{.member_id = a, .trigger = "welcome", .key = ""}, LOY_EINVALID, "key"},
        {{.member_id = a, .trigger = "welcome", .key = "t9", .offer_reward = "gold-bar"},
         LOY_EINVALID,
         "offer"},
        {{.member_id = 99999, .trigger = "welcome", .key = "t9"}, LOY_ENOTFOUND, "member"},
        {{.member_id = a, .trigger = "welcome", .key = "t9", .cls = (loy_msg_class)7},
         LOY_EINVALID,
         "class"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        loy_err_clear(&err);
        assert_int_equal(queue(app, &bad[i].r, &queued, &err), bad[i].code);
        assert_string_equal(err.field, bad[i].field);
    }
    json_t *badvars = json_pack("{s:[]}", "list");
    r = (loy_msg_req){.member_id = a, .trigger = "welcome", .key = "t9", .vars = badvars};
    assert_int_equal(queue(app, &r, &queued, &err), LOY_EINVALID);
    assert_string_equal(err.field, "vars.list");
    json_decref(badvars);
    /* outside a transaction: refused */
    r = (loy_msg_req){.member_id = a, .trigger = "welcome", .key = "t9"};
    assert_int_equal(loy_app_message_queue(app, &r, NOW, &queued, &err), LOY_ESTORAGE);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM messages"), before);
    json_decref(vars);
}

static void test_member_time_zone(void **state)
{
    fx *f = *state;
    loy_app *app = f->app;
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    assert_ptr_equal(loy_app_member_tz(app, &m), app->tz);
    snprintf(m.timezone, sizeof(m.timezone), "Pacific/Honolulu");
    const loy_tz *hon = loy_app_member_tz(app, &m);
    assert_int_equal(loy_tz_offset(hon, NOW), -10 * 3600);
    assert_ptr_equal(loy_app_member_tz(app, &m), hon); /* loaded once */
    snprintf(m.timezone, sizeof(m.timezone), "Pacific/Kiritimati");
    assert_int_equal(loy_tz_offset(loy_app_member_tz(app, &m), NOW), 14 * 3600);
    snprintf(m.timezone, sizeof(m.timezone), "Asia/Kuala_Lumpur");
    assert_ptr_equal(loy_app_member_tz(app, &m), app->tz);
    snprintf(m.timezone, sizeof(m.timezone), "Gone/Zone"); /* no longer loads: the merchant's */
    assert_ptr_equal(loy_app_member_tz(app, &m), app->tz);
    /* the API and CLI field */
    json_t *req = json_pack("{s:s}", "timezone", "Pacific/Kiritimati");
    json_t *resp = NULL;
    loy_err err;
    int64_t id = member(app, "{\"name\": \"Kiri Timati\", \"email\": \"kiri@example.org\"}");
    char ref[24];
    snprintf(ref, sizeof(ref), "%lld", (long long)id);
    assert_int_equal(loy_app_member_update(app, ref, req, &resp, &err), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(resp, "member"), "timezone")),
        "Pacific/Kiritimati");
    json_decref(resp);
    json_decref(req);
    req = json_pack("{s:s}", "timezone", "Mars/Olympus");
    assert_int_equal(loy_app_member_update(app, ref, req, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "timezone");
    json_decref(req);
}

static json_t *outbox_payload(loy_app *app, int64_t m)
{
    loy_stmt *q;
    loy_err err;
    if (loy_db_query(&app->conn, &q, &err,
                     "SELECT payload FROM outbox WHERE kind = 'message.send' AND member_id = ? "
                     "ORDER BY id DESC",
                     "i", m))
        fail_msg("%s", err.message);
    if (loy_db_next(&app->conn, q, &err) != 1) fail_msg("no message.send for %lld", (long long)m);
    json_t *p = json_loads(loy_db_text(&app->conn, q, 0), 0, NULL);
    loy_db_done(&app->conn, q);
    return p;
}

static void test_sender_respects_the_member(void **state)
{
    fx *f = *state;
    loy_app *app = f->app;
    int64_t hon = member(app, "{\"name\": \"Hoku\", \"phone\": \"+1 808 555 0100\", \"consent\": "
                              "{\"sms\": true}, \"timezone\": \"Pacific/Honolulu\"}");
    int64_t kir = member(app, "{\"name\": \"Teiti\", \"phone\": \"+686 7300 1234\", \"consent\": "
                              "{\"sms\": true}, \"timezone\": \"Pacific/Kiritimati\", \"locale\": "
                              "\"en\"}");
    int64_t kl = member(app, "{\"name\": \"Aisyah\", \"email\": \"aisyah@example.org\", "
                             "\"consent\": {\"email\": true}}");
    int64_t sms = member(app, "{\"name\": \"Sani\", \"phone\": \"+60 12-111 2222\", \"consent\": "
                              "{\"sms\": true}}");
    int64_t gone = member(app, "{\"name\": \"Gina Gone\", \"phone\": \"+60 12-333 4444\", "
                               "\"consent\": {\"sms\": true}}");
    int64_t ids[] = {hon, kir, kl, sms, gone};
    bool queued;
    loy_err err;
    for (size_t i = 0; i < 5; i++) {
        loy_msg_req r = {.member_id = ids[i], .trigger = "campaign", .key = "t1"};
        assert_int_equal(queue(app, &r, &queued, &err), 0);
        assert_true(queued);
    }
    /* only this test's messages (the example programme's triggers queue welcomes of their own) */
    assert_int_equal(
        loy_db_run(&app->conn, &err, "DELETE FROM messages WHERE key NOT LIKE 't%'", ""), 0);
    json_t *resp = NULL;
    char ref[24], got[128], want[128];
    snprintf(ref, sizeof(ref), "%lld", (long long)gone);
    json_t *why = json_pack("{s:s}", "reason", "asked at the counter");
    assert_int_equal(loy_app_member_erase(app, ref, why, &resp, &err), 0);
    json_decref(resp);
    json_decref(why);
    assert_string_equal(status_of(app, gone, "t1", got, sizeof(got)), "skipped,erased,1772416800");
    /* 08:00 UTC: 22:00 in Honolulu (the day before), 22:00 in Kiritimati, 16:00 here */
    int64_t t = SFX_NOW + 8 * 3600, nine = SFX_NOW + 19 * 3600; /* 09:00 there = 19:00 UTC */
    app->now = t;
    loy_sender_config cfg = {0}; /* no SMTP server */
    loy_sender_stats st;
    /* no SMTP server and nobody taking message.send: nothing can go, nothing is touched */
    assert_int_equal(loy_app_messages_send(app, &cfg, 100, t, &st, &err), 0);
    assert_int_equal(st.postponed + st.skipped + st.webhook + st.sent, 0);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM messages WHERE status = 'queued' AND "
                                       "reason IS NULL"),
                     4);
    json_t *sub =
        json_pack("{s:s, s:[s]}", "url", "https://hooks.example/sms", "events", "message.send");
    assert_int_equal(loy_app_webhooks_subscribe(app, sub, &resp, &err), 0);
    json_decref(resp);
    json_decref(sub);
    assert_int_equal(loy_app_messages_send(app, &cfg, 100, t, &st, &err), 0);
    snprintf(want, sizeof(want), "queued,quiet_hours,%lld", (long long)nine);
    assert_string_equal(status_of(app, hon, "t1", got, sizeof(got)), want);
    assert_string_equal(status_of(app, kir, "t1", got, sizeof(got)), want);
    /* an email waits, untouched, for a sender with an SMTP server */
    assert_string_equal(status_of(app, kl, "t1", got, sizeof(got)), "queued,,1772416800");
    assert_string_equal(status_of(app, sms, "t1", got, sizeof(got)), "sent,,1772416800");
    assert_int_equal(st.postponed, 2);
    assert_int_equal(st.webhook, 1);
    json_t *p = outbox_payload(app, sms);
    assert_string_equal(json_string_value(json_object_get(p, "to")), "+60121112222");
    assert_string_equal(json_string_value(json_object_get(p, "channel")), "sms");
    assert_string_equal(json_string_value(json_object_get(p, "locale")), "ms");
    assert_non_null(strstr(json_string_value(json_object_get(p, "text")), "Hai Sani"));
    assert_non_null(strstr(json_string_value(json_object_get(p, "text")), "/u/"));
    json_decref(p);
    assert_string_equal(status_of(app, sms, "t1", got, sizeof(got)), "sent,,1772416800");
    /* consent withdrawn after queueing: skipped when its time comes; the other one goes */
    json_t *upd = json_pack("{s:{s:b}}", "consent", "sms", 0);
    snprintf(ref, sizeof(ref), "%lld", (long long)hon);
    assert_int_equal(loy_app_member_update(app, ref, upd, &resp, &err), 0);
    json_decref(resp);
    json_decref(upd);
    assert_int_equal(loy_app_messages_send(app, &cfg, 100, nine, &st, &err), 0);
    snprintf(want, sizeof(want), "skipped,no_consent,%lld", (long long)nine);
    assert_string_equal(status_of(app, hon, "t1", got, sizeof(got)), want);
    snprintf(want, sizeof(want), "sent,,%lld", (long long)nine);
    assert_string_equal(status_of(app, kir, "t1", got, sizeof(got)), want);
    p = outbox_payload(app, kir);
    assert_non_null(strstr(json_string_value(json_object_get(p, "text")), "Hi Teiti"));
    json_decref(p);
    assert_string_equal(status_of(app, kl, "t1", got, sizeof(got)), "queued,,1772416800");
    /* bad max */
    assert_int_equal(loy_app_messages_send(app, &cfg, 0, t, &st, &err), LOY_EINVALID);
    assert_string_equal(err.field, "max");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(test_member_time_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sender_respects_the_member, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
