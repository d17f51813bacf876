/* Campaigns over HTTP against the real server (docs/campaigns.md): roles (managers read, owners
 * create and send), 201 with the Location of a new draft, field-named 400s and a taken name's 409
 * that change nothing in the database, sending (every member gets an arm, the holdout no
 * message), sending twice (409, nothing changed), the members list, and results that count the
 * purchases recorded through the API after the send. The statistics are tested in
 * tests/unit/test_abtest.c, the use cases in tests/store/test_campaigns.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/api_harness.h"

#define MEMBERS 40

static long long members[MEMBERS];
static long long campaign;

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

/* A request that must fail with `status` naming `field` and leave the database as it was. */
static void refused(const ah_server *s, const char *method, const char *path, const char *key,
                    const char *body, long status, const char *field)
{
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_call(s, method, path, key, NULL, body, &r);
    ah_expect_error(&r, status, NULL, field);
    ah_resp_free(&r);
    char what[512];
    snprintf(what, sizeof(what), "%s %s %s", method, path, body ? body : "");
    ah_expect_same_db(before, s->db, what);
    free(before);
}

static void test_roles_and_create(void **state)
{
    ah_server *s = *state;
    for (int i = 0; i < MEMBERS; i++) {
        char name[32];
        snprintf(name, sizeof(name), "Campaign Member %d", i);
        members[i] = ah_member(s, name);
    }
    ah_resp r;
    ah_call(s, "GET", "/api/v1/campaigns", s->cashier, NULL, NULL, &r);
    ah_expect_error(&r, 403, NULL, NULL);
    ah_resp_free(&r);
    json_t *j = call_json(s, "GET", "/api/v1/campaigns", s->manager, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "campaigns")), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "templates"), 0)),
                        "campaign");
    json_decref(j);
    const char *body = "{\"name\":\"Kopi baru\",\"variants\":[{\"id\":\"A\"},{\"id\":\"B\","
                       "\"offer\":\"free-coffee\"}],\"holdout_percent\":20,\"audience\":\"all\","
                       "\"conversion_days\":7,\"seed\":99}";
    refused(s, "POST", "/api/v1/campaigns", s->manager, body, 403, NULL);
    ah_call(s, "POST", "/api/v1/campaigns", s->owner, NULL, body, &r);
    ah_expect_status(&r, 201);
    j = ah_json(&r);
    campaign = ah_int(j, "campaign.id");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/campaigns/%lld", campaign);
    assert_string_equal(r.location, loc);
    assert_string_equal(ah_str(j, "campaign.status"), "draft");
    assert_int_equal(ah_int(j, "campaign.seed"), 99);
    assert_int_equal(ah_int(j, "campaign.holdout_percent"), 20);
    json_decref(j);
    ah_resp_free(&r);
    j = call_json(s, "GET", loc, s->manager, NULL, 200);
    assert_string_equal(ah_str(j, "campaign.name"), "Kopi baru");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(j, "campaign"), "variants"), 1),
            "offer")),
        "free-coffee");
    json_decref(j);
}

static void test_bad_input_changes_nothing(void **state)
{
    ah_server *s = *state;
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{}", "name"},
        {"{\"name\":\"\"}", "name"},
        {"{\"name\":\"x\",\"template\":\"nope\"}", "template"},
        {"{\"name\":\"x\",\"variants\":[{\"id\":\"A\"},{\"id\":\"a b\"}]}", "variants[1].id"},
        {"{\"name\":\"x\",\"variants\":[{\"id\":\"A\",\"offer\":\"nope\"}]}", "variants[0].offer"},
        {"{\"name\":\"x\",\"holdout_percent\":95}", "holdout_percent"},
        {"{\"name\":\"x\",\"conversion_days\":0}", "conversion_days"},
        {"{\"name\":\"x\",\"audience\":\"segment:nobody\"}", "audience"},
        {"{\"name\":\"x\",\"colour\":\"red\"}", "colour"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused(s, "POST", "/api/v1/campaigns", s->owner, bad[i].body, 400, bad[i].field);
    refused(s, "POST", "/api/v1/campaigns", s->owner, "{\"name\":", 400, NULL);
    refused(s, "POST", "/api/v1/campaigns", s->owner, "{\"name\":\"Kopi baru\"}", 409, "name");
    refused(s, "GET", "/api/v1/campaigns?limit=0", s->manager, NULL, 400, "limit");
    refused(s, "GET", "/api/v1/campaigns?colour=red", s->manager, NULL, 400, "colour");
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/campaigns/%lld/results", campaign);
    refused(s, "GET", path, s->manager, NULL, 409, "status"); /* a draft has no results */
    refused(s, "GET", "/api/v1/campaigns/999", s->manager, NULL, 404, "id");
    refused(s, "GET", "/api/v1/campaigns/abc", s->manager, NULL, 404, "id");
    refused(s, "POST", "/api/v1/campaigns/999:send", s->owner, NULL, 404, "id");
    snprintf(path, sizeof(path), "/api/v1/campaigns/%lld:send", campaign);
    refused(s, "POST", path, s->manager, NULL, 403, NULL);
    refused(s, "POST", path, s->owner, "{\"now\":1}", 400, NULL);
}

static void test_send_and_results(void **state)
{
    ah_server *s = *state;
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/campaigns/%lld:send", campaign);
    json_t *j = call_json(s, "POST", path, s->owner, NULL, 200);
    assert_string_equal(ah_str(j, "campaign.status"), "sent");
    assert_int_equal(ah_int(j, "sent.members"), MEMBERS);
    long long holdout = ah_int(j, "sent.holdout");
    assert_int_equal(ah_int(j, "sent.messages"), MEMBERS - holdout);
    /* members enrolled without consent: every message is recorded as skipped */
    assert_int_equal(ah_int(j, "sent.skipped"), MEMBERS - holdout);
    json_decref(j);
    /* twice: 409, nothing changed */
    refused(s, "POST", path, s->owner, NULL, 409, "status");

    /* every member has one arm; the holdout has no message */
    char mpath[128];
    snprintf(mpath, sizeof(mpath), "/api/v1/campaigns/%lld/members?limit=1000", campaign);
    j = call_json(s, "GET", mpath, s->manager, NULL, 200);
    json_t *list = json_object_get(j, "members");
    assert_int_equal(json_array_size(list), MEMBERS);
    long long seen_holdout = 0, b[MEMBERS];
    int nb = 0;
    for (int i = 0; i < MEMBERS; i++) {
        json_t *m = json_array_get(list, (size_t)i);
        assert_int_equal(json_integer_value(json_object_get(m, "member_id")), members[i]);
        const char *arm = json_string_value(json_object_get(m, "arm"));
        if (!strcmp(arm, "holdout")) {
            seen_holdout++;
            assert_true(json_is_null(json_object_get(m, "message_id")));
        } else {
            assert_true(!strcmp(arm, "A") || !strcmp(arm, "B"));
            assert_true(json_is_integer(json_object_get(m, "message_id")));
            assert_string_equal(json_string_value(json_object_get(m, "message_status")), "skipped");
            if (!strcmp(arm, "B")) b[nb++] = members[i];
        }
    }
    assert_int_equal(seen_holdout, holdout);
    assert_true(nb >= 3);
    json_decref(j);
    snprintf(mpath, sizeof(mpath), "/api/v1/campaigns/%lld/members?arm=", campaign);
    refused(s, "GET", mpath, s->manager, NULL, 400, "arm");

    /* the messages list agrees: one campaign message per member outside the holdout */
    j = call_json(s, "GET", "/api/v1/messages?limit=500", s->manager, NULL, 200);
    size_t i, found = 0;
    json_t *m;
    json_array_foreach(json_object_get(j, "messages"), i, m)
    {
        if (json_integer_value(json_object_get(m, "campaign_id")) != campaign) continue;
        found++;
        assert_string_equal(json_string_value(json_object_get(m, "trigger")), "campaign");
        char key[40];
        snprintf(key, sizeof(key), "campaign:%lld", campaign);
        assert_string_equal(json_string_value(json_object_get(m, "key")), key);
    }
    assert_int_equal(found, MEMBERS - holdout);
    json_decref(j);

    /* three members of B buy (one twice): three conversions in B, none elsewhere */
    for (int k = 0; k < 4; k++) {
        char body[128], idem[48];
        snprintf(body, sizeof(body), "{\"member\":%lld,\"amount\":1200}", b[k < 3 ? k : 0]);
        snprintf(idem, sizeof(idem), "campaign-buy-%d", k);
        ah_resp r;
        ah_call(s, "POST", "/api/v1/purchases", s->cashier, idem, body, &r);
        ah_expect_status(&r, 201);
        ah_resp_free(&r);
    }
    snprintf(path, sizeof(path), "/api/v1/campaigns/%lld/results", campaign);
    j = call_json(s, "GET", path, s->manager, NULL, 200);
    json_t *arms = json_object_get(j, "arms");
    assert_int_equal(json_array_size(arms), 3); /* A, B, holdout */
    long long total = 0;
    json_array_foreach(arms, i, m)
    {
        const char *arm = json_string_value(json_object_get(m, "arm"));
        total += json_integer_value(json_object_get(m, "members"));
        long long conv = json_integer_value(json_object_get(m, "conversions"));
        assert_int_equal(conv, !strcmp(arm, "B") ? 3 : 0);
        if (!strcmp(arm, "B")) {
            assert_int_equal(json_integer_value(json_object_get(m, "members")), nb);
            assert_true(fabs(json_number_value(json_object_get(m, "rate")) - 3.0 / nb) < 1e-6);
        }
    }
    assert_int_equal(total, MEMBERS);
    /* 40 members with a 20% holdout: fewer than 30 in an arm */
    assert_string_equal(ah_str(j, "verdict.code"), "not_enough_data");
    assert_string_equal(ah_str(j, "verdict.text"), "not enough data yet");
    assert_true(json_is_true(ah_get(j, "window.open")));
    json_decref(j);
}

static int setup(void **state)
{
    return ah_group_setup(state, "campaigns");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_create),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_send_and_results),
    };
    return cmocka_run_group_tests(tests, setup, ah_group_teardown);
}
