/* Engagement triggers through the use cases (examples/kopi-kita.json: Asia/Kuala_Lumpur, UTC+8,
 * triggers at 10:00, thanks on the 5th purchase, gold at RM500.00, rm5-off at 500 points).
 *
 * 1. Daily jobs: the same UTC instant is 15 June in Kuala Lumpur, London and Kiritimati (UTC+14)
 *    but still 14 June in Honolulu (UTC-10): only the first three get their 15 June birthday
 *    message on the run of 2026-06-15T02:00Z; Honolulu's comes with the next day's run. A second
 *    run the same day queues nothing; keys are the member-local date; not_before is 10:00 on the
 *    member's own date (London: 09:00Z; the others' 10:00 has passed, so at once). A birthday
 *    entered 29 days before gets nothing. The reorder reminder comes on the day the usual gap is
 *    passed by the margin, not the day before; the run's date is recorded (job_runs).
 * 2. Event triggers inside the event's transaction: welcome on join (key member:ID), thanks on the
 *    5th purchase (purchase:ID), tier_up (tier:gold) and reward (purchase:ID) from the outcome;
 *    a refused purchase, a refused join, a dry run and a replay queue nothing.
 * 3. A programme with a bad "triggers" section is refused naming the field, and the active
 *    version stays. */
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
#include "app/messages.h"
#include "app/triggers.h"
#include "app_fixture.h"
#include "store_fixture.h"
#include "util/time.h"

static int64_t at(int y, int m, int d, int h, int mi)
{
    return loy_days_from_civil(y, m, d) * LOY_DAY + h * 3600 + mi * 60;
}

static int64_t join(loy_app *app, int64_t when, const char *name, const char *email,
                    const char *birthday, const char *tz)
{
    app->now = when;
    json_t *req =
        json_pack("{s:s, s:s, s:{s:b}}", "name", name, "email", email, "consent", "email", 1);
    if (birthday) json_object_set_new(req, "birthday", json_string(birthday));
    if (tz) json_object_set_new(req, "timezone", json_string(tz));
    json_t *resp = afx_write(app, LOY_OP_MEMBER_CREATE, req);
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
    json_decref(resp);
    assert_true(id > 0);
    return id;
}

static int64_t buy(loy_app *app, int64_t when, int64_t member, int64_t amount)
{
    app->now = when;
    json_t *resp = afx_write(
        app, LOY_OP_PURCHASE,
        json_pack("{s:I, s:I}", "member", (json_int_t)member, "amount", (json_int_t)amount));
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "purchase"), "id"));
    json_decref(resp);
    assert_true(id > 0);
    return id;
}

/* The member's messages (member 0: the merchant's), newest first (new reference). */
static json_t *messages(loy_app *app, int64_t member)
{
    char ref[24];
    snprintf(ref, sizeof(ref), "%lld", (long long)member);
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_messages_list(app, member ? ref : NULL, NULL, 0, 500, &resp, &err))
        fail_msg("messages: %s", err.message);
    json_t *list = json_incref(json_object_get(resp, "messages"));
    json_decref(resp);
    return list;
}

/* The member's message of `trigger` (borrowed from list), or NULL; fails if there are two. */
static const json_t *msg_of(const json_t *list, const char *trigger)
{
    const json_t *found = NULL, *m;
    size_t i;
    json_array_foreach(list, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "trigger")), trigger)) continue;
        if (found) fail_msg("two %s messages", trigger);
        found = m;
    }
    return found;
}

static const char *str(const json_t *m, const char *k)
{
    return json_string_value(json_object_get(m, k));
}

static void expect_msg(loy_app *app, int64_t member, const char *trigger, const char *key,
                       const char *next_at)
{
    json_t *list = messages(app, member);
    const json_t *m = msg_of(list, trigger);
    if (!m) fail_msg("member %lld has no %s message", (long long)member, trigger);
    assert_string_equal(str(m, "key"), key);
    assert_string_equal(str(m, "status"), "queued");
    assert_string_equal(str(m, "class"), "marketing");
    if (next_at) assert_string_equal(str(m, "next_at"), next_at);
    json_decref(list);
}

static size_t count(loy_app *app, int64_t member, const char *trigger)
{
    json_t *list = messages(app, member);
    size_t n = 0, i;
    const json_t *m;
    /* NULL: every trigger of ours; "survey" invitations are app/feedback's (docs/engagement.md) */
    json_array_foreach(list, i, m) n +=
        trigger ? !strcmp(str(m, "trigger"), trigger) : strcmp(str(m, "trigger"), "survey") != 0;
    json_decref(list);
    return n;
}

static json_t *jobs(loy_app *app, int64_t when)
{
    app->now = when;
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_jobs_housekeeping(app, &resp, &err)) fail_msg("jobs: %s", err.message);
    return resp;
}

static int64_t jobs_queued(loy_app *app, int64_t when)
{
    json_t *r = jobs(app, when);
    int64_t n = json_integer_value(json_object_get(r, "messages_queued"));
    json_decref(r);
    return n;
}

static void test_daily_time_zones(void **state)
{
    (void)state;
    char path[512];
    loy_app *app = afx_open_example(path, sizeof(path), "trig-daily", at(2026, 4, 1, 2, 0));
    int64_t kl = join(app, at(2026, 4, 1, 2, 0), "Aminah", "aminah@example.com", "06-15", NULL);
    int64_t lon =
        join(app, at(2026, 4, 1, 2, 0), "Lucy", "lucy@example.com", "1990-06-15", "Europe/London");
    int64_t kir = join(app, at(2026, 4, 1, 2, 0), "Teuea", "teuea@example.com", "06-15",
                       "Pacific/Kiritimati");
    int64_t hnl =
        join(app, at(2026, 4, 1, 2, 0), "Keoni", "keoni@example.com", "06-15", "Pacific/Honolulu");
    /* 2026-05-17 in Kuala Lumpur is 29 days before 15 June: too late for this year */
    int64_t late = join(app, at(2026, 5, 17, 2, 0), "Lewat", "lewat@example.com", "06-15", NULL);
    /* a regular: every 7 days, last on 1 June (local), so the reminder is due on the 12th */
    int64_t reg = join(app, at(2026, 5, 1, 2, 0), "Rajan", "rajan@example.com", NULL, NULL);
    static const int visits[][2] = {{5, 11}, {5, 18}, {5, 25}, {6, 1}};
    for (int i = 0; i < 4; i++) buy(app, at(2026, visits[i][0], visits[i][1], 3, 0), reg, 1200);

    /* 2026-06-11T02:00Z: 10 days after the last visit, 1.5 x 7 = 10.5: not yet */
    json_t *r = jobs(app, at(2026, 6, 11, 2, 0));
    assert_int_equal(json_integer_value(json_object_get(r, "messages_queued")), 0);
    json_decref(r);
    assert_int_equal(count(app, reg, "reorder"), 0);

    /* 2026-06-12: 11 days: the reminder */
    assert_int_equal(jobs_queued(app, at(2026, 6, 12, 2, 0)), 1);
    expect_msg(app, reg, "reorder", "2026-06-12", "2026-06-12T02:00:00Z");

    /* 2026-06-15T02:00Z: 10:00 in KL, 03:00 in London, 16:00 in Kiritimati (all 15 June),
     * 16:00 on 14 June in Honolulu */
    r = jobs(app, at(2026, 6, 15, 2, 0));
    assert_int_equal(json_integer_value(json_object_get(r, "messages_queued")), 3);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "messages_by_trigger"), "birthday")),
        3);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r, "messages_by_trigger"), "reorder")),
        0); /* once per gap */
    json_decref(r);
    expect_msg(app, kl, "birthday", "2026-06-15", "2026-06-15T02:00:00Z");
    expect_msg(app, lon, "birthday", "2026-06-15", "2026-06-15T09:00:00Z"); /* 10:00 BST */
    expect_msg(app, kir, "birthday", "2026-06-15", "2026-06-15T02:00:00Z");
    assert_int_equal(count(app, hnl, "birthday"), 0);
    assert_int_equal(count(app, late, "birthday"), 0);
    /* the birthday message carries the programme's offer */
    json_t *list = messages(app, kl);
    assert_string_equal(str(msg_of(list, "birthday"), "offer"), "free-coffee");
    json_decref(list);

    /* the same day again, later: nothing new */
    assert_int_equal(jobs_queued(app, at(2026, 6, 15, 9, 0)), 0);
    assert_int_equal(count(app, kl, "birthday"), 1);

    /* the next day: Honolulu's 15 June */
    assert_int_equal(jobs_queued(app, at(2026, 6, 16, 2, 0)), 1);
    expect_msg(app, hnl, "birthday", "2026-06-15", "2026-06-16T02:00:00Z");
    assert_int_equal(count(app, kl, "birthday"), 1);
    assert_int_equal(count(app, kir, "birthday"), 1);
    assert_int_equal(jobs_queued(app, at(2026, 6, 17, 2, 0)), 0);

    /* the run's local date is recorded, so the scheduler does not run again today */
    bool due = true;
    char date[16];
    loy_err err;
    app->now = at(2026, 6, 17, 3, 0);
    assert_int_equal(loy_app_jobs_due(app, app->now, &due, date, &err), 0);
    assert_false(due);
    assert_string_equal(date, "2026-06-17");
    /* 18 June: due from 10:00 in Kuala Lumpur (02:00Z), not at 09:59 */
    assert_int_equal(loy_app_jobs_due(app, at(2026, 6, 18, 1, 59), &due, date, &err), 0);
    assert_false(due);
    assert_int_equal(loy_app_jobs_due(app, at(2026, 6, 18, 2, 0), &due, date, &err), 0);
    assert_true(due);
    assert_string_equal(date, "2026-06-18");
    loy_app_close(app);
    sfx_remove_target(path);
}

static void test_event_triggers(void **state)
{
    (void)state;
    char path[512];
    int64_t t0 = at(2026, 7, 1, 2, 0);
    loy_app *app = afx_open_example(path, sizeof(path), "trig-event", t0);
    int64_t a = join(app, t0, "Siti", "siti@example.com", NULL, NULL);
    json_t *list = messages(app, a);
    assert_int_equal(json_array_size(list), 1);
    char key[64];
    snprintf(key, sizeof(key), "member:%lld", (long long)a);
    assert_string_equal(str(msg_of(list, "welcome"), "key"), key);
    assert_string_equal(str(msg_of(list, "welcome"), "next_at"), "2026-07-01T02:00:00Z");
    json_decref(list);

    /* a refused join (the email belongs to Siti) writes no member and no message */
    app->now = t0;
    json_t *resp = NULL;
    loy_err err;
    json_t *dup = json_pack("{s:s, s:s}", "name", "Siti Two", "email", "siti@example.com");
    assert_int_equal(loy_app_write(app, LOY_OP_MEMBER_CREATE, "dup-join", dup, &resp, NULL, &err),
                     LOY_ECONFLICT);
    json_decref(dup);
    assert_int_equal(count(app, 0, NULL), 1); /* the merchant has Siti's welcome, nothing else */

    /* purchases 1..4 of RM10.00: no thanks; a refused one (more points than she has) nothing */
    for (int i = 0; i < 4; i++) buy(app, t0 + 3600 * (i + 1), a, 1000);
    assert_int_equal(count(app, a, "thanks"), 0);
    json_t *bad = json_pack("{s:I, s:I, s:I}", "member", (json_int_t)a, "amount", (json_int_t)1000,
                            "tender_points", (json_int_t)100000);
    assert_int_equal(loy_app_write(app, LOY_OP_PURCHASE, "refused", bad, &resp, NULL, &err),
                     LOY_EREFUSED);
    json_decref(bad);
    assert_int_equal(count(app, 0, NULL), 1);
    /* a dry run of the 5th purchase queues nothing either */
    bad = json_pack("{s:I, s:I}", "member", (json_int_t)a, "amount", (json_int_t)1000);
    assert_int_equal(loy_app_simulate(app, bad, &resp, &err), 0);
    json_decref(resp);
    assert_int_equal(count(app, 0, NULL), 1);
    /* the 5th: thanks, keyed by the purchase */
    app->now = t0 + 6 * 3600;
    json_t *five = NULL;
    assert_int_equal(loy_app_write(app, LOY_OP_PURCHASE, "fifth", bad, &five, NULL, &err), 0);
    int64_t p5 = json_integer_value(json_object_get(json_object_get(five, "purchase"), "id"));
    json_decref(five);
    snprintf(key, sizeof(key), "purchase:%lld", (long long)p5);
    expect_msg(app, a, "thanks", key, "2026-07-01T08:00:00Z");
    /* its replay returns the stored answer and queues nothing */
    bool replayed = false;
    assert_int_equal(loy_app_write(app, LOY_OP_PURCHASE, "fifth", bad, &five, &replayed, &err), 0);
    assert_true(replayed);
    json_decref(five);
    json_decref(bad);
    assert_int_equal(count(app, a, NULL), 2);
    /* the 6th is not the 5th */
    buy(app, t0 + 7 * 3600, a, 1000);
    assert_int_equal(count(app, a, "thanks"), 1);

    /* RM500.00 more: gold (tier_up, key tier:gold) and 500+ points (reward: rm5-off) */
    int64_t big = buy(app, t0 + 8 * 3600, a, 50000);
    expect_msg(app, a, "tier_up", "tier:gold", NULL);
    snprintf(key, sizeof(key), "purchase:%lld", (long long)big);
    expect_msg(app, a, "reward", key, NULL);
    assert_int_equal(count(app, a, NULL), 4); /* welcome, thanks, tier_up, reward */

    /* history recorded late (a purchase made 3 days ago) sends nothing */
    int64_t b = join(app, t0, "Tan", "tan@example.com", NULL, NULL);
    for (int i = 0; i < 4; i++) buy(app, t0 + 3600 * (i + 1), b, 1000);
    app->now = t0 + 3 * LOY_DAY;
    json_t *old = json_pack("{s:I, s:I, s:s}", "member", (json_int_t)b, "amount", (json_int_t)1000,
                            "occurred_at", "2026-07-01T09:00:00Z");
    assert_int_equal(loy_app_write(app, LOY_OP_PURCHASE, "late", old, &resp, NULL, &err), 0);
    json_decref(resp);
    json_decref(old);
    assert_int_equal(count(app, b, "thanks"), 0);
    loy_app_close(app);
    sfx_remove_target(path);
}

static void test_bad_section_changes_nothing(void **state)
{
    (void)state;
    char path[512];
    loy_app *app = afx_open_example(path, sizeof(path), "trig-bad", at(2026, 7, 1, 2, 0));
    json_t *before = NULL;
    loy_err err;
    assert_int_equal(loy_app_programme_get(app, 0, &before, &err), 0);
    /* the example with a win-back offer that names no reward */
    json_t *doc = json_deep_copy(json_object_get(before, "programme"));
    json_object_set_new(json_object_get(json_object_get(doc, "triggers"), "winback"), "offer",
                        json_string("free-cake"));
    char *text = json_dumps(doc, 0);
    int64_t version = 0;
    assert_int_equal(loy_app_programme_set(app, text, strlen(text), &version, &err), LOY_EINVALID);
    assert_string_equal(err.field, "triggers.winback.offer");
    assert_string_equal(err.message, "triggers.winback.offer: expected the id of one of the "
                                     "programme's rewards, got \"free-cake\"");
    free(text);
    json_decref(doc);
    json_t *after = NULL;
    assert_int_equal(loy_app_programme_get(app, 0, &after, &err), 0);
    assert_true(json_equal(before, after));
    assert_int_equal(json_integer_value(json_object_get(after, "version")), 1);
    json_decref(before);
    json_decref(after);
    loy_app_close(app);
    sfx_remove_target(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily_time_zones),
        cmocka_unit_test(test_event_triggers),
        cmocka_unit_test(test_bad_section_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
