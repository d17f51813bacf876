/* Campaigns through the use cases (docs/campaigns.md; examples/kopi-kita.json: RM, gold tier at
 * RM500.00 of spend, reward free-coffee).
 *
 * 1. Bad create requests are refused naming the field and write nothing; a taken name is a
 *    conflict; the defaults (template campaign, one variant A, holdout 10%, 14 days, all).
 * 2. Sending assigns every member of the audience (not erased, joined by then) the arm
 *    loy_ab_assign gives for the seed; holdout members get no message, the others exactly one
 *    (trigger campaign, key campaign:ID, their variant's template and offer; skipped without
 *    consent); a second send is a conflict that changes nothing; a half-done send resumes.
 * 3. Conversions: the first purchase in [assigned, assigned + days) that is not wholly refunded;
 *    before the send, after the window, wholly refunded do not count; the counts per arm, the
 *    uplift's z against the pooled formula computed here, the verdict; a refund later undoes a
 *    conversion.
 * 4. Audiences: tier:gold, inactive:30 and segment:NAME (the rfm report's members).
 * 5. The member export holds their campaign rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "analytics/abtest.h"
#include "app/app.h"
#include "app/campaigns.h"
#include "app/privacy.h"
#include "app/reports.h"
#include "app_fixture.h"
#include "store_fixture.h"
#include "util/time.h"

/* 2026-03-02T02:00:00Z = 10:00 in Kuala Lumpur */
#define T0 (SFX_NOW + 2 * 3600)

static json_t *js(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j) fail_msg("bad JSON in the test: %s: %s", je.text, text);
    return j;
}

static int64_t join(loy_app *app, int64_t when, int i, bool consent)
{
    app->now = when;
    char name[32], email[48];
    snprintf(name, sizeof(name), "Member %d", i);
    snprintf(email, sizeof(email), "member%d@example.com", i);
    json_t *resp = afx_write(app, LOY_OP_MEMBER_CREATE,
                             json_pack("{s:s, s:s, s:{s:b}}", "name", name, "email", email,
                                       "consent", "email", consent));
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

static void refund(loy_app *app, int64_t when, int64_t purchase, int64_t amount)
{
    app->now = when;
    json_t *req = json_pack("{s:I}", "purchase_id", (json_int_t)purchase);
    if (amount) json_object_set_new(req, "amount", json_integer(amount));
    json_decref(afx_write(app, LOY_OP_REFUND, req));
}

static int64_t create(loy_app *app, const char *req)
{
    json_t *r = js(req), *resp = NULL;
    loy_err err;
    if (loy_app_campaign_create(app, r, &resp, &err))
        fail_msg("create: %s (%s)", err.message, err.field);
    json_decref(r);
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "campaign"), "id"));
    json_decref(resp);
    assert_true(id > 0);
    return id;
}

static json_t *send_ok(loy_app *app, int64_t id)
{
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_campaign_send(app, id, &resp, &err))
        fail_msg("send: %s (%s)", err.message, err.field);
    return resp;
}

static json_t *results(loy_app *app, int64_t id)
{
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_campaign_results(app, id, &resp, &err))
        fail_msg("results: %s (%s)", err.message, err.field);
    return resp;
}

/* The arm row of `arm` in a results answer (borrowed). */
static const json_t *arm_of(const json_t *res, const char *arm)
{
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(res, "arms"), i,
                       a) if (!strcmp(json_string_value(json_object_get(a, "arm")), arm)) return a;
    fail_msg("no arm %s", arm);
    return NULL;
}

static int64_t ival(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static double dval(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static const char *sval(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t audit_count(loy_app *app)
{
    return sfx_q(&app->conn, "SELECT count(*) FROM audit WHERE action LIKE 'campaign.%'");
}

/* ---- 1 ---- */

static void test_create_refusals_change_nothing(void **state)
{
    (void)state;
    char path[512];
    loy_app *app = afx_open_example(path, sizeof(path), "camp-create", T0);
    static const struct {
        const char *req, *field;
    } bad[] = {
        {"{}", "name"},
        {"{\"name\": \"\"}", "name"},
        {"{\"name\": 7}", "name"},
        {"{\"name\": \"x\", \"colour\": \"red\"}", "colour"},
        {"{\"name\": \"x\", \"template\": \"no-such\"}", "template"},
        {"{\"name\": \"x\", \"variants\": []}", "variants"},
        {"{\"name\": \"x\", \"variants\": {\"id\": \"A\"}}", "variants"},
        {"{\"name\": \"x\", \"variants\": [\"A\"]}", "variants[0]"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"holdout\"}]}", "variants[0].id"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"a b\"}]}", "variants[0].id"},
        {"{\"name\": \"x\", \"variants\": [{\"template\": \"campaign\"}]}", "variants[0].id"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"A\"}, {\"id\": \"A\"}]}", "variants[1].id"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"A\"}, {\"id\": \"B\", \"template\": "
         "\"nope\"}]}",
         "variants[1].template"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"A\", \"offer\": \"nope\"}]}",
         "variants[0].offer"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"A\", \"colour\": 1}]}", "variants[0].colour"},
        {"{\"name\": \"x\", \"variants\": [{\"id\": \"A\"}, {\"id\": \"B\"}, {\"id\": \"C\"}, "
         "{\"id\": \"D\"}, {\"id\": \"E\"}, {\"id\": \"F\"}, {\"id\": \"G\"}, {\"id\": \"H\"}, "
         "{\"id\": \"I\"}]}",
         "variants"},
        {"{\"name\": \"x\", \"holdout_percent\": 91}", "holdout_percent"},
        {"{\"name\": \"x\", \"holdout_percent\": -1}", "holdout_percent"},
        {"{\"name\": \"x\", \"holdout_percent\": \"10\"}", "holdout_percent"},
        {"{\"name\": \"x\", \"conversion_days\": 0}", "conversion_days"},
        {"{\"name\": \"x\", \"conversion_days\": 366}", "conversion_days"},
        {"{\"name\": \"x\", \"audience\": \"everyone\"}", "audience"},
        {"{\"name\": \"x\", \"audience\": \"segment:vip\"}", "audience"},
        {"{\"name\": \"x\", \"audience\": \"tier:diamond\"}", "audience"},
        {"{\"name\": \"x\", \"audience\": \"inactive:0\"}", "audience"},
        {"{\"name\": \"x\", \"audience\": \"inactive:30d\"}", "audience"},
        {"{\"name\": \"x\", \"audience\": \"all:x\"}", "audience"},
        {"{\"name\": \"x\", \"seed\": 0}", "seed"},
        {"{\"name\": \"x\", \"seed\": 9007199254740992}", "seed"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *req = js(bad[i].req), *resp = NULL;
        loy_err err;
        int rc = loy_app_campaign_create(app, req, &resp, &err);
        if (rc != LOY_EINVALID) fail_msg("%s: rc %d, not invalid", bad[i].req, rc);
        if (strcmp(err.field, bad[i].field))
            fail_msg("%s: field \"%s\", want \"%s\" (%s)", bad[i].req, err.field, bad[i].field,
                     err.message);
        assert_null(resp);
        json_decref(req);
    }
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM campaigns"), 0);
    assert_int_equal(audit_count(app), 0);

    /* the defaults */
    json_t *req = js("{\"name\": \"Hello\"}"), *resp = NULL;
    loy_err err;
    assert_int_equal(loy_app_campaign_create(app, req, &resp, &err), 0);
    json_decref(req);
    const json_t *c = json_object_get(resp, "campaign");
    assert_string_equal(sval(c, "status"), "draft");
    assert_string_equal(sval(c, "template"), "campaign");
    assert_string_equal(sval(c, "audience"), "all");
    assert_int_equal(ival(c, "holdout_percent"), 10);
    assert_int_equal(ival(c, "conversion_days"), 14);
    assert_true(ival(c, "seed") >= 1 && ival(c, "seed") < (INT64_C(1) << 53));
    const json_t *v = json_object_get(c, "variants");
    assert_int_equal(json_array_size(v), 1);
    assert_string_equal(sval(json_array_get(v, 0), "id"), "A");
    assert_string_equal(sval(json_array_get(v, 0), "template"), "campaign");
    assert_true(json_is_null(json_object_get(json_array_get(v, 0), "offer")));
    assert_true(json_is_null(json_object_get(c, "sent_at")));
    json_decref(resp);
    assert_int_equal(audit_count(app), 1);

    /* the same name again: a conflict, nothing written */
    req = js("{\"name\": \"Hello\", \"holdout_percent\": 50}");
    assert_int_equal(loy_app_campaign_create(app, req, &resp, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "name");
    json_decref(req);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM campaigns"), 1);
    assert_int_equal(audit_count(app), 1);

    /* the results of a draft, and campaigns that do not exist */
    assert_int_equal(loy_app_campaign_results(app, 1, &resp, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "status");
    assert_int_equal(loy_app_campaign_send(app, 99, &resp, &err), LOY_ENOTFOUND);
    assert_string_equal(err.field, "id");
    assert_int_equal(loy_app_campaign_get(app, 99, &resp, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_app_campaign_results(app, 99, &resp, &err), LOY_ENOTFOUND);

    /* the list: newest first, with the templates a campaign may use */
    create(app, "{\"name\": \"Second\"}");
    assert_int_equal(loy_app_campaign_list(app, NULL, &resp, &err), 0);
    assert_int_equal(json_array_size(json_object_get(resp, "campaigns")), 2);
    assert_string_equal(sval(json_array_get(json_object_get(resp, "campaigns"), 0), "name"),
                        "Second");
    assert_string_equal(json_string_value(json_array_get(json_object_get(resp, "templates"), 0)),
                        "campaign");
    assert_true(json_array_size(json_object_get(resp, "templates")) >= 12);
    json_decref(resp);
    json_t *p = js("{\"limit\": 0}");
    assert_int_equal(loy_app_campaign_list(app, p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "limit");
    json_decref(p);
    loy_app_close(app);
    sfx_remove_target(path);
}

/* ---- 2 ---- */

#define N2 120

static void test_send_assigns_every_member(void **state)
{
    (void)state;
    char path[512];
    loy_app *app = afx_open_example(path, sizeof(path), "camp-send", T0 - 100 * LOY_DAY);
    int64_t ids[N2 + 1];
    for (int i = 1; i <= N2; i++) ids[i] = join(app, T0 - 100 * LOY_DAY, i, i % 5 != 0);
    /* an erased member is nobody's audience */
    app->now = T0 - LOY_DAY;
    json_t *er = js("{\"reason\": \"asked to be forgotten\"}"), *resp = NULL;
    loy_err err;
    char ref[24];
    snprintf(ref, sizeof(ref), "%lld", (long long)ids[7]);
    if (loy_app_member_erase(app, ref, er, &resp, &err)) fail_msg("erase: %s", err.message);
    json_decref(er);
    json_decref(resp);

    app->now = T0;
    int64_t id = create(app, "{\"name\": \"Spring\", \"variants\": [{\"id\": \"A\"}, {\"id\": "
                             "\"B\", \"offer\": \"free-coffee\"}], \"holdout_percent\": 25, "
                             "\"seed\": 12345}");
    int64_t msgs_before = sfx_q(&app->conn, "SELECT count(*) FROM messages");
    json_t *sent = send_ok(app, id);
    const json_t *c = json_object_get(sent, "campaign");
    assert_string_equal(sval(c, "status"), "sent");
    assert_string_equal(sval(c, "sent_at"), "2026-03-02T02:00:00Z");
    int64_t holdout = 0, skipped = 0;
    for (int i = 1; i <= N2; i++) {
        int64_t m = ids[i];
        int64_t rows = sfx_qii(&app->conn,
                               "SELECT count(*) FROM campaign_members WHERE campaign_id = ? AND "
                               "member_id = ?",
                               id, m);
        int64_t msgs = sfx_qii(&app->conn,
                               "SELECT count(*) FROM messages WHERE campaign_id = ? AND "
                               "member_id = ? AND trigger = 'campaign' AND key = 'campaign:1'",
                               id, m);
        if (i == 7) { /* erased */
            assert_int_equal(rows, 0);
            assert_int_equal(msgs, 0);
            continue;
        }
        assert_int_equal(rows, 1);
        int a = loy_ab_assign(12345, m, 25, 2);
        int64_t in_arm = sfx_qii(&app->conn,
                                 "SELECT (arm = 'holdout') * 1 + (arm = 'A') * 2 + (arm = 'B') * 3 "
                                 "FROM campaign_members WHERE campaign_id = ? AND member_id = ?",
                                 id, m);
        assert_int_equal(in_arm, a < 0 ? 1 : a == 0 ? 2 : 3);
        if (a < 0) {
            holdout++;
            assert_int_equal(msgs, 0); /* the holdout gets nothing */
            assert_int_equal(sfx_qii(&app->conn,
                                     "SELECT count(*) FROM campaign_members WHERE campaign_id = ? "
                                     "AND member_id = ? AND message_id IS NULL",
                                     id, m),
                             1);
            continue;
        }
        assert_int_equal(msgs, 1);
        /* the linked message is theirs: variant, template, offer, class, status */
        int64_t linked = sfx_qii(
            &app->conn,
            "SELECT count(*) FROM campaign_members cm JOIN messages g ON g.id = cm.message_id "
            "WHERE cm.campaign_id = ?1 AND cm.member_id = ?2 AND g.member_id = ?2 AND "
            "g.variant = cm.arm AND g.template = 'campaign' AND g.class = 'marketing' AND "
            "coalesce(g.offer_reward, '') = CASE cm.arm WHEN 'B' THEN 'free-coffee' ELSE '' END",
            id, m);
        assert_int_equal(linked, 1);
        const char *want = i % 5 == 0 ? "skipped" : "queued";
        int64_t st = sfx_qii(&app->conn,
                             "SELECT (g.status = 'queued') * 1 + (g.status = 'skipped') * 2 FROM "
                             "messages g WHERE g.campaign_id = ? AND g.member_id = ?",
                             id, m);
        assert_int_equal(st, !strcmp(want, "queued") ? 1 : 2);
        skipped += i % 5 == 0;
    }
    assert_true(holdout > 15 && holdout < 45); /* 25% of 119 = 29.75, sd 4.7 */
    const json_t *s = json_object_get(sent, "sent");
    assert_int_equal(ival(s, "members"), N2 - 1);
    assert_int_equal(ival(s, "holdout"), holdout);
    assert_int_equal(ival(s, "messages"), N2 - 1 - holdout);
    assert_int_equal(ival(s, "skipped"), skipped);
    json_decref(sent);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM messages") - msgs_before,
                     N2 - 1 - holdout);
    assert_int_equal(audit_count(app), 2); /* create, send */

    /* sending again: a conflict that changes nothing */
    int64_t cm = sfx_q(&app->conn, "SELECT count(*) FROM campaign_members");
    int64_t ms = sfx_q(&app->conn, "SELECT count(*) FROM messages");
    app->now = T0 + 3600;
    assert_int_equal(loy_app_campaign_send(app, id, &resp, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "status");
    assert_null(resp);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM campaign_members"), cm);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM messages"), ms);
    assert_int_equal(audit_count(app), 2);

    /* a member who joins after the send is not in it: a second campaign takes them */
    int64_t late = join(app, T0 + 2 * 3600, N2 + 1, true);
    assert_int_equal(
        sfx_qi(&app->conn, "SELECT count(*) FROM campaign_members WHERE member_id = ?", late), 0);

    /* a send that stopped half-way resumes: members with an arm keep it, one message each */
    app->now = T0 + 3 * 3600;
    int64_t id2 = create(app, "{\"name\": \"Resumed\", \"variants\": [{\"id\": \"A\"}, {\"id\": "
                              "\"B\"}], \"holdout_percent\": 20, \"seed\": 777}");
    json_decref(send_ok(app, id2));
    int64_t all2 =
        sfx_qi(&app->conn, "SELECT count(*) FROM campaign_members WHERE campaign_id = ?", id2);
    assert_int_equal(all2, N2); /* 119 + the late member */
    assert_int_equal(loy_db_run(&app->conn, &err,
                                "UPDATE campaigns SET status = 'sending', finished_at = 0 WHERE "
                                "id = ?",
                                "i", id2),
                     0);
    assert_int_equal(loy_db_run(&app->conn, &err,
                                "DELETE FROM campaign_members WHERE campaign_id = ? AND "
                                "member_id > ?",
                                "ii", id2, ids[60]),
                     0);
    app->now = T0 + 4 * 3600;
    json_decref(send_ok(app, id2));
    assert_int_equal(
        sfx_qi(&app->conn, "SELECT count(*) FROM campaign_members WHERE campaign_id = ?", id2),
        all2);
    assert_int_equal(sfx_qi(&app->conn,
                            "SELECT count(*) FROM (SELECT member_id FROM messages WHERE "
                            "campaign_id = ? GROUP BY member_id HAVING count(*) > 1)",
                            id2),
                     0);
    assert_int_equal(sfx_qi(&app->conn,
                            "SELECT count(*) FROM campaign_members WHERE campaign_id = ? AND "
                            "arm != 'holdout' AND message_id IS NULL",
                            id2),
                     0);
    assert_int_equal(
        sfx_qi(&app->conn, "SELECT count(*) FROM campaigns WHERE id = ? AND status = 'sent'", id2),
        1);
    /* the member's campaign rows are in their export */
    snprintf(ref, sizeof(ref), "%lld", (long long)ids[1]);
    json_t *doc = NULL;
    if (loy_app_member_export(app, ref, &doc, &err)) fail_msg("export: %s", err.message);
    const json_t *tables = json_object_get(doc, "tables");
    assert_int_equal(json_array_size(json_object_get(tables, "campaign_members")), 2);
    assert_int_equal(json_array_size(json_object_get(tables, "campaigns")), 2);
    const json_t *row = json_array_get(json_object_get(tables, "campaigns"), 0);
    assert_true(json_is_array(json_object_get(row, "variants"))); /* embedded as JSON */
    json_decref(doc);
    loy_app_close(app);
    sfx_remove_target(path);
}

/* ---- 3 ---- */

#define N3 240

/* The pooled two-proportion z, computed here from the formula. */
static double pooled_z(int64_t xa, int64_t na, int64_t xb, int64_t nb)
{
    double p = (double)(xa + xb) / (double)(na + nb);
    double se = sqrt(p * (1 - p) * (1.0 / (double)na + 1.0 / (double)nb));
    return ((double)xa / (double)na - (double)xb / (double)nb) / se;
}

static void test_conversions_and_verdict(void **state)
{
    (void)state;
    char path[512];
    loy_app *app = afx_open_example(path, sizeof(path), "camp-results", T0 - 100 * LOY_DAY);
    int64_t ids[N3];
    for (int i = 0; i < N3; i++) ids[i] = join(app, T0 - 100 * LOY_DAY, i, true);
    app->now = T0 - 2 * LOY_DAY;
    int64_t id = create(app, "{\"name\": \"Test\", \"variants\": [{\"id\": \"A\"}, {\"id\": "
                             "\"B\"}], \"holdout_percent\": 25, \"seed\": 4242, "
                             "\"conversion_days\": 14}");
    /* members by arm, as the seed assigns them */
    int64_t arm[3][N3];
    int n[3] = {0};
    for (int i = 0; i < N3; i++) {
        int a = loy_ab_assign(4242, ids[i], 25, 2) + 1; /* 0 holdout, 1 A, 2 B */
        arm[a][n[a]++] = ids[i];
    }
    assert_true(n[0] >= 40 && n[1] >= 60 && n[2] >= 60);
    int64_t T = T0;
    /* the edge cases, all in arm A: a purchase before the send does not count */
    buy(app, T - 3600, arm[1][0], 1200);
    app->now = T;
    json_t *sent = send_ok(app, id);
    json_decref(sent);

    /* just sent: nobody converted, not enough data */
    app->now = T + 60;
    json_t *r = results(app, id);
    assert_string_equal(sval(json_object_get(r, "verdict"), "code"), "not_enough_data");
    assert_string_equal(sval(json_object_get(r, "verdict"), "text"), "not enough data yet");
    assert_int_equal(ival(arm_of(r, "A"), "conversions"), 0);
    assert_true(json_is_true(json_object_get(json_object_get(r, "window"), "open")));
    json_decref(r);

    int64_t conv[3] = {0};
    /* arm A */
    buy(app, T + 20 * LOY_DAY, arm[1][1], 1200);             /* after the window: no */
    int64_t p3 = buy(app, T + 2 * LOY_DAY, arm[1][2], 1200); /* two: the first counts */
    buy(app, T + 3 * LOY_DAY, arm[1][2], 1500);
    conv[1]++;
    int64_t p4 = buy(app, T + LOY_DAY, arm[1][3], 1200); /* wholly refunded: no */
    refund(app, T + LOY_DAY + 60, p4, 0);
    int64_t p5 = buy(app, T + LOY_DAY, arm[1][4], 1200); /* partly refunded: yes */
    refund(app, T + LOY_DAY + 60, p5, 200);
    conv[1]++;
    int64_t p6 = buy(app, T + LOY_DAY, arm[1][5], 1200); /* refunded, then another: that one */
    refund(app, T + LOY_DAY + 60, p6, 0);
    int64_t p6b = buy(app, T + 4 * LOY_DAY, arm[1][5], 900);
    conv[1]++;
    buy(app, T + 14 * LOY_DAY, arm[1][6], 1200);     /* the window is [T, T + 14 days): no */
    buy(app, T + 14 * LOY_DAY - 1, arm[1][7], 1200); /* its last second: yes */
    conv[1]++;
    for (int i = 8; i < 12; i++, conv[1]++) buy(app, T + 5 * LOY_DAY, arm[1][i], 1000);
    /* arm B: 60% of its members convert; the holdout: 4 */
    for (int i = 0; i < n[2] * 6 / 10; i++, conv[2]++) buy(app, T + 3 * LOY_DAY, arm[2][i], 800);
    for (int i = 0; i < 4; i++, conv[0]++) buy(app, T + 6 * LOY_DAY, arm[0][i], 800);

    app->now = T + 30 * LOY_DAY;
    r = results(app, id);
    const json_t *a = arm_of(r, "A"), *b = arm_of(r, "B"), *h = arm_of(r, "holdout");
    assert_int_equal(ival(h, "members"), n[0]);
    assert_int_equal(ival(a, "members"), n[1]);
    assert_int_equal(ival(b, "members"), n[2]);
    assert_int_equal(ival(h, "conversions"), conv[0]);
    assert_int_equal(ival(a, "conversions"), conv[1]);
    assert_int_equal(ival(b, "conversions"), conv[2]);
    assert_true(json_is_true(json_object_get(h, "holdout")));
    assert_true(json_is_null(json_object_get(h, "vs_holdout")));
    assert_int_equal(ival(json_object_get(b, "messages"), "linked"), n[2]);
    assert_int_equal(ival(json_object_get(h, "messages"), "linked"), 0);
    assert_true(fabs(dval(b, "rate") - (double)conv[2] / n[2]) < 1e-6);
    /* B's uplift against the holdout: points, relative and z from the formula */
    const json_t *u = json_object_get(b, "vs_holdout");
    double rb = (double)conv[2] / n[2], rh = (double)conv[0] / n[0];
    assert_true(fabs(dval(u, "points") - 100 * (rb - rh)) < 0.006);
    assert_true(fabs(dval(u, "relative") - 100 * (rb - rh) / rh) < 0.06);
    assert_true(fabs(dval(u, "z") - pooled_z(conv[2], n[2], conv[0], n[0])) < 0.0006);
    const json_t *top = json_object_get(r, "best_vs_runner_up");
    assert_string_equal(sval(top, "best"), "B");
    assert_string_equal(sval(top, "runner_up"), "A");
    assert_true(fabs(dval(top, "z") - pooled_z(conv[2], n[2], conv[1], n[1])) < 0.0006);
    const json_t *v = json_object_get(r, "verdict");
    assert_string_equal(sval(v, "code"), "winner");
    assert_string_equal(sval(v, "winner"), "B");
    assert_string_equal(sval(v, "against"), "A");
    assert_string_equal(sval(v, "text"), "B wins, 95% confidence");
    const json_t *w = json_object_get(r, "window");
    assert_string_equal(sval(w, "from"), "2026-03-02T02:00:00Z");
    assert_string_equal(sval(w, "until"), "2026-03-16T02:00:00Z");
    assert_true(json_is_false(json_object_get(w, "open")));
    json_decref(r);

    /* per member: the first purchase in the window, the one after a refund */
    json_t *p = json_pack("{s:s, s:i}", "arm", "A", "limit", 1000), *list = NULL;
    loy_err err;
    assert_int_equal(loy_app_campaign_members(app, id, p, &list, &err), 0);
    json_decref(p);
    size_t i;
    const json_t *m;
    int seen = 0;
    json_array_foreach(json_object_get(list, "members"), i, m)
    {
        int64_t who = ival(m, "member_id");
        assert_string_equal(sval(m, "arm"), "A");
        if (who == arm[1][2]) {
            assert_int_equal(ival(m, "purchase_id"), p3);
            assert_string_equal(sval(m, "converted_at"), "2026-03-04T02:00:00Z");
            seen++;
        } else if (who == arm[1][5]) {
            assert_int_equal(ival(m, "purchase_id"), p6b);
            seen++;
        } else if (who == arm[1][0] || who == arm[1][1] || who == arm[1][3]) {
            assert_true(json_is_null(json_object_get(m, "converted_at")));
            seen++;
        }
        assert_string_equal(sval(m, "message_status"), "queued");
    }
    assert_int_equal(seen, 5);
    assert_int_equal(json_array_size(json_object_get(list, "members")), n[1]);
    json_decref(list);
    p = json_pack("{s:s}", "arm", "x y");
    assert_int_equal(loy_app_campaign_members(app, id, p, &list, &err), LOY_EINVALID);
    assert_string_equal(err.field, "arm");
    json_decref(p);

    /* the rest of the partly refunded purchase: the conversion is gone */
    refund(app, T + 31 * LOY_DAY, p5, 1000);
    r = results(app, id);
    assert_int_equal(ival(arm_of(r, "A"), "conversions"), conv[1] - 1);
    json_decref(r);
    loy_app_close(app);
    sfx_remove_target(path);
}

/* ---- 4 ---- */

static bool in_campaign(loy_app *app, int64_t campaign, int64_t member)
{
    return sfx_qii(&app->conn,
                   "SELECT count(*) FROM campaign_members WHERE campaign_id = ? AND member_id = ?",
                   campaign, member) == 1;
}

static void test_audiences(void **state)
{
    (void)state;
    char path[512];
    loy_app *app = afx_open_example(path, sizeof(path), "camp-audience", T0 - 200 * LOY_DAY);
    int64_t ids[40];
    for (int i = 0; i < 40; i++) ids[i] = join(app, T0 - 200 * LOY_DAY, i, true);
    int64_t fresh = join(app, T0 - 10 * LOY_DAY, 40, true); /* joined 10 days ago */
    /* 0..9 bought 5 days ago, 10..19 60 days ago, 20 is gold (RM600.00), 21's only recent
     * purchase was wholly refunded */
    for (int i = 0; i < 10; i++) buy(app, T0 - 5 * LOY_DAY, ids[i], 1500);
    for (int i = 10; i < 20; i++) buy(app, T0 - 60 * LOY_DAY, ids[i], 1500);
    buy(app, T0 - 90 * LOY_DAY, ids[20], 60000);
    int64_t pr = buy(app, T0 - 3 * LOY_DAY, ids[21], 1500);
    refund(app, T0 - 3 * LOY_DAY + 60, pr, 0);
    app->now = T0;

    int64_t gold = create(app, "{\"name\": \"Gold\", \"audience\": \"tier:gold\", "
                               "\"holdout_percent\": 0}");
    json_decref(send_ok(app, gold));
    assert_int_equal(
        sfx_qi(&app->conn, "SELECT count(*) FROM campaign_members WHERE campaign_id = ?", gold),
        sfx_q(&app->conn, "SELECT count(*) FROM members WHERE tier = 'gold'"));
    assert_true(in_campaign(app, gold, ids[20]));
    assert_false(in_campaign(app, gold, ids[0]));

    int64_t lapsed = create(app, "{\"name\": \"Lapsed\", \"audience\": \"inactive:30\"}");
    json_decref(send_ok(app, lapsed));
    for (int i = 0; i < 40; i++) {
        bool want = i >= 10; /* 10..19 60 days ago, 20 90 days ago, 21 refunded, the rest never */
        if (in_campaign(app, lapsed, ids[i]) != want) fail_msg("inactive:30, member %d", i);
    }
    assert_false(in_campaign(app, lapsed, fresh)); /* has not been away 30 days yet */

    /* segment: exactly the members the rfm report puts there as of the send (the first segment
     * with members: scored are those with a purchase in the last 365 days) */
    json_t *params = json_pack("{s:i}", "limit", 1000), *rep = NULL;
    loy_err err;
    assert_int_equal(loy_app_report(app, "rfm", params, &rep, &err), 0);
    json_decref(params);
    assert_int_equal(ival(rep, "scored_members"), 21); /* 0..20 (21 wholly refunded) */
    const json_t *want = NULL, *sj;
    const char *name = NULL;
    size_t i;
    json_array_foreach(json_object_get(rep, "segments"), i, sj)
    {
        if (want || !ival(sj, "members")) continue;
        want = json_object_get(sj, "member_ids");
        name = sval(sj, "segment");
    }
    assert_non_null(want);
    char req[128];
    snprintf(req, sizeof(req), "{\"name\": \"Segment\", \"audience\": \"segment:%s\"}", name);
    int64_t seg = create(app, req);
    json_decref(send_ok(app, seg));
    assert_int_equal(
        sfx_qi(&app->conn, "SELECT count(*) FROM campaign_members WHERE campaign_id = ?", seg),
        (int64_t)json_array_size(want));
    const json_t *x;
    json_array_foreach(want, i, x) assert_true(in_campaign(app, seg, json_integer_value(x)));
    json_decref(rep);

    /* one variant without a holdout: nothing to compare */
    int64_t solo = create(app, "{\"name\": \"Solo\", \"holdout_percent\": 0}");
    json_decref(send_ok(app, solo));
    json_t *r = results(app, solo);
    assert_string_equal(sval(json_object_get(r, "verdict"), "code"), "no_comparison");
    assert_int_equal(json_array_size(json_object_get(r, "arms")), 1);
    assert_int_equal(ival(arm_of(r, "A"), "members"), 41);
    json_decref(r);
    loy_app_close(app);
    sfx_remove_target(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_refusals_change_nothing),
        cmocka_unit_test(test_send_assigns_every_member),
        cmocka_unit_test(test_conversions_and_verdict),
        cmocka_unit_test(test_audiences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
