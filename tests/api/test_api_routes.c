/* Every route of loy_routes[] end to end against the real server with an owner key: status,
 * JSON shape and values computed from the kopi-kita programme (examples/kopi-kita.json):
 * base 1 point per RM1 (floor, min spend RM5), 1 stamp per coffee (card of 10), welcome 50
 * points, giving 1%, rm5-off costs 500 points. The last test checks /metrics for every route
 * called by the tests before it (cmocka runs a group in order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/http.h"
#include "support/api_harness.h"

static json_t *call_json(const ah_server *s, const char *method, const char *path, const char *idem,
                         const char *body, long status, ah_resp *keep)
{
    ah_resp r;
    ah_call(s, method, path, s->owner, idem, body, &r);
    ah_expect_status(&r, status);
    json_t *j = ah_json(&r);
    if (keep)
        *keep = r;
    else
        ah_resp_free(&r);
    return j;
}

static void test_healthz(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    ah_call(s, "GET", "/healthz", NULL, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    assert_true(strncmp(r.ctype, "application/json", 16) == 0);
    json_t *j = ah_json(&r);
    assert_string_equal(ah_str(j, "status"), "ok");
    assert_string_equal(ah_str(j, "database"), "reachable");
    json_decref(j);
    ah_resp_free(&r);
}

/* The OpenAPI description lists every route of the table with its method. */
static void test_openapi_lists_every_route(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    ah_call(s, "GET", "/api/openapi.json", NULL, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    json_t *j = ah_json(&r);
    assert_true(strncmp(ah_str(j, "openapi"), "3.1", 3) == 0);
    json_t *paths = json_object_get(j, "paths");
    assert_true(json_is_object(paths));
    for (size_t i = 0; i < loy_nroutes; i++) {
        json_t *p = json_object_get(paths, loy_routes[i].pattern);
        if (!p) ah_fail("OpenAPI misses path %s", loy_routes[i].pattern);
        char m[16];
        size_t k = 0;
        for (; loy_routes[i].method[k] && k < sizeof(m) - 1; k++)
            m[k] = (char)(loy_routes[i].method[k] | 0x20);
        m[k] = '\0';
        if (!json_object_get(p, m))
            ah_fail("OpenAPI misses the method of %s", loy_routes[i].pattern);
    }
    json_decref(j);
    ah_resp_free(&r);
}

static void test_member_create_get_patch(void **state)
{
    ah_server *s = *state;
    const char *body = "{\"name\":\"Zoltán Kovács\",\"phone\":\"+60 12-345 6789\","
                       "\"email\":\"zoltan@example.com\",\"birthday\":\"1990-05-17\","
                       "\"locale\":\"hu\",\"tags\":[\"regular\"]}";
    ah_resp first;
    json_t *j = call_json(s, "POST", "/api/v1/members", "routes-member-1", body, 201, &first);
    long long id = ah_int(j, "member.id");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/members/%lld", id);
    assert_string_equal(first.location, loc);
    assert_false(first.replayed);
    assert_string_equal(ah_str(j, "member.name"), "Zoltán Kovács");
    assert_string_equal(ah_str(j, "member.phone"), "+60123456789");
    assert_string_equal(ah_str(j, "member.birthday"), "1990-05-17");
    assert_string_equal(ah_str(j, "member.tier"), "silver");
    assert_int_equal(ah_str(j, "member.card_token")[0] != '\0', 1);
    assert_int_equal(ah_int(j, "outcome.bonus_points"), 50);
    assert_int_equal(ah_int(j, "balances.points"), 50);
    assert_int_equal(ah_int(j, "balances.stamps"), 0);
    json_t *ev = ah_get(j, "outcome.events");
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(json_string_value(json_array_get(ev, 0)), "welcome");
    char token[64];
    snprintf(token, sizeof(token), "%s", ah_str(j, "member.card_token"));
    json_decref(j);

    /* replay: same status, same body, same Location, Idempotent-Replayed */
    ah_resp again;
    ah_call(s, "POST", "/api/v1/members", s->owner, "routes-member-1", body, &again);
    ah_expect_status(&again, 201);
    assert_true(again.replayed);
    assert_string_equal(again.location, loc);
    assert_int_equal(again.len, first.len);
    assert_memory_equal(again.body, first.body, first.len);
    ah_resp_free(&again);
    ah_resp_free(&first);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM members WHERE name LIKE 'Zolt%'"), 1);

    /* the counter view by id, card token, phone and email */
    const char *refs[4];
    char p_card[96];
    snprintf(p_card, sizeof(p_card), "/api/v1/members/%s", token);
    refs[0] = loc;
    refs[1] = p_card;
    refs[2] = "/api/v1/members/+60123456789";
    refs[3] = "/api/v1/members/zoltan@example.com";
    for (int i = 0; i < 4; i++) {
        json_t *v = call_json(s, "GET", refs[i], NULL, NULL, 200, NULL);
        assert_int_equal(ah_int(v, "member.id"), id);
        assert_int_equal(ah_int(v, "balances.points"), 50);
        assert_int_equal(ah_int(v, "stamp_card.card_size"), 10);
        assert_int_equal(ah_int(v, "stamp_card.stamps"), 0);
        assert_string_equal(ah_str(v, "tier.id"), "silver");
        assert_string_equal(ah_str(v, "tier.next.id"), "gold");
        assert_int_equal(ah_int(v, "tier.next.threshold"), 50000);
        assert_int_equal(json_array_size(ah_get(v, "rewards")), 3);
        assert_string_equal(ah_str(v, "currency"), "MYR");
        json_decref(v);
    }

    /* PATCH: 200 with the changed member */
    j = call_json(s, "PATCH", loc, NULL, "{\"notes\":\"kopi o kosong\",\"locale\":\"en\"}", 200,
                  NULL);
    assert_string_equal(ah_str(j, "member.notes"), "kopi o kosong");
    assert_string_equal(ah_str(j, "member.locale"), "en");
    assert_string_equal(ah_str(j, "member.name"), "Zoltán Kovács");
    json_decref(j);
    j = call_json(s, "GET", loc, NULL, NULL, 200, NULL);
    assert_string_equal(ah_str(j, "member.notes"), "kopi o kosong");
    json_decref(j);
}

static void test_member_search_folds(void **state)
{
    ah_server *s = *state;
    ah_member(s, "Zoltán Szabó");
    ah_member(s, "Siti Nurhaliza");
    const char *queries[] = {"zoltan", "ZOLTÁN", "szabo"};
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/members?q=%s", i == 1 ? "ZOLT%C3%81N" : queries[i]);
        json_t *j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
        json_t *ms = json_object_get(j, "members");
        assert_true(json_array_size(ms) >= 1);
        bool found = false;
        for (size_t k = 0; k < json_array_size(ms); k++) {
            const char *n = json_string_value(json_object_get(json_array_get(ms, k), "name"));
            assert_non_null(strstr(n, "Zoltán"));
            found |= strcmp(n, "Zoltán Szabó") == 0;
        }
        assert_true(found);
        json_decref(j);
    }
    json_t *j = call_json(s, "GET", "/api/v1/members?q=nurhal&limit=1", NULL, NULL, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "members")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "members"), 0), "name")),
                        "Siti Nurhaliza");
    json_decref(j);
    j = call_json(s, "GET", "/api/v1/members?q=nobody-by-that-name", NULL, NULL, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "members")), 0);
    json_decref(j);
}

/* The editor's preview: a dry run with a draft programme (3 points per unit instead of 1) earns
 * by the draft, saves nothing, and a bad draft is refused with the field inside "programme". */
static void test_simulate_with_draft_programme(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Draft Preview");
    char body[512];
    ah_purchase_body(body, sizeof(body), m);
    json_t *prog = call_json(s, "GET", "/api/v1/programme", NULL, NULL, 200, NULL);
    long long version = ah_int(prog, "version");
    json_t *draft = json_deep_copy(json_object_get(prog, "programme"));
    json_t *earn0 = json_array_get(ah_get(draft, "points.earn"), 0);
    assert_int_equal(json_integer_value(json_object_get(earn0, "points_per_unit")), 1);
    json_object_set_new(earn0, "points_per_unit", json_integer(3));
    json_t *req = json_loads(body, 0, NULL);
    json_object_set(req, "programme", draft);
    char *text = json_dumps(req, JSON_COMPACT);
    char *db_before = ah_dump(s->db);

    json_t *sim = call_json(s, "POST", "/api/v1/purchases:simulate", NULL, text, 200, NULL);
    assert_int_equal(ah_int(sim, "outcome.points_earned"), 55); /* floor(18.50 x 3) */
    assert_int_equal(ah_int(sim, "outcome.stamps_earned"), 2);
    json_decref(sim);
    free(text);
    /* the live programme still earns 18 */
    sim = call_json(s, "POST", "/api/v1/purchases:simulate", NULL, body, 200, NULL);
    assert_int_equal(ah_int(sim, "outcome.points_earned"), 18);
    json_decref(sim);

    /* a bad draft: the validator's message, the field named inside "programme" */
    json_object_set_new(json_object_get(draft, "stamps"), "card_size", json_integer(0));
    text = json_dumps(req, JSON_COMPACT);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/purchases:simulate", s->owner, NULL, text, &r);
    ah_expect_error(&r, 400, "invalid", "programme.stamps.card_size");
    ah_resp_free(&r);
    free(text);
    json_object_set_new(json_object_get(draft, "stamps"), "card_size", json_integer(10));
    json_object_set_new(json_object_get(draft, "merchant"), "currency", json_string("SGD"));
    text = json_dumps(req, JSON_COMPACT);
    ah_call(s, "POST", "/api/v1/purchases:simulate", s->owner, NULL, text, &r);
    ah_expect_error(&r, 400, "invalid", "programme.merchant.currency");
    ah_resp_free(&r);
    free(text);
    ah_call(s, "POST", "/api/v1/purchases:simulate", s->owner, NULL,
            "{\"member\":1,\"amount\":100,\"programme\":[]}", &r);
    ah_expect_error(&r, 400, "invalid", "programme");
    ah_resp_free(&r);

    /* nothing was written or saved */
    ah_expect_same_db(db_before, s->db, "dry runs with drafts");
    free(db_before);
    json_t *after = call_json(s, "GET", "/api/v1/programme", NULL, NULL, 200, NULL);
    assert_int_equal(ah_int(after, "version"), version);
    json_decref(after);
    json_decref(req);
    json_decref(draft);
    json_decref(prog);
}

static void test_purchase_earns_points_and_stamps(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Purchase Person");
    char body[512];
    ah_purchase_body(body, sizeof(body), m);

    /* dry run first: same outcome, nothing written */
    long long before = ah_scalar(s->db, "SELECT count(*) FROM purchases");
    json_t *sim = call_json(s, "POST", "/api/v1/purchases:simulate", NULL, body, 200, NULL);
    assert_true(json_is_true(json_object_get(sim, "dry_run")));
    assert_int_equal(ah_int(sim, "outcome.points_earned"), 18);
    assert_int_equal(ah_int(sim, "outcome.stamps_earned"), 2);
    assert_true(json_is_null(ah_get(sim, "purchase.id")));
    json_decref(sim);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM purchases"), before);

    ah_resp first;
    json_t *j = call_json(s, "POST", "/api/v1/purchases", "routes-purchase-1", body, 201, &first);
    long long pid = ah_int(j, "purchase.id");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/purchases/%lld", pid);
    assert_string_equal(first.location, loc);
    assert_false(first.replayed);
    assert_false(json_is_true(json_object_get(j, "dry_run")));
    assert_int_equal(ah_int(j, "purchase.member_id"), m);
    assert_int_equal(ah_int(j, "purchase.amount"), 1850);
    assert_int_equal(ah_int(j, "purchase.cash"), 1850);
    assert_string_equal(ah_str(j, "purchase.currency"), "MYR");
    assert_string_equal(ah_str(j, "purchase.location"), "BSR");
    assert_int_equal(json_array_size(ah_get(j, "purchase.items")), 2);
    assert_int_equal(ah_int(j, "outcome.points_earned"), 18);
    assert_int_equal(ah_int(j, "outcome.stamps_earned"), 2);
    assert_int_equal(ah_int(j, "outcome.giving"), 18);
    assert_int_equal(ah_int(j, "balances.points"), 68);
    assert_int_equal(ah_int(j, "balances.stamps"), 2);
    assert_int_equal(ah_int(j, "member.id"), m);
    json_decref(j);

    ah_resp again;
    ah_call(s, "POST", "/api/v1/purchases", s->owner, "routes-purchase-1", body, &again);
    ah_expect_status(&again, 201);
    assert_true(again.replayed);
    assert_string_equal(again.location, loc);
    assert_int_equal(again.len, first.len);
    assert_memory_equal(again.body, first.body, first.len);
    ah_resp_free(&again);
    ah_resp_free(&first);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM purchases"), before + 1);

    char path[64];
    snprintf(path, sizeof(path), "/api/v1/members/%lld", m);
    j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
    assert_int_equal(ah_int(j, "balances.points"), 68);
    assert_int_equal(ah_int(j, "stamp_card.on_card"), 2);
    assert_int_equal(ah_int(j, "giving.total"), 18);
    assert_int_equal(ah_int(j, "member.purchases"), 1);
    json_decref(j);
    ah_check_invariants(s->db);
}

static void test_refund_reverses_proportionally(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Refund Person");
    char body[512], path[96];
    ah_purchase_body(body, sizeof(body), m);
    json_t *j = call_json(s, "POST", "/api/v1/purchases", "routes-refund-p", body, 201, NULL);
    long long pid = ah_int(j, "purchase.id");
    json_decref(j);
    snprintf(path, sizeof(path), "/api/v1/purchases/%lld/refunds", pid);

    /* half: -9 points, -1 stamp, -RM0.09 giving */
    j = call_json(s, "POST", path, "routes-refund-1", "{\"amount\":925,\"reason\":\"spilt\"}", 201,
                  NULL);
    assert_int_equal(ah_int(j, "refund.purchase_id"), pid);
    assert_int_equal(ah_int(j, "refund.amount"), 925);
    assert_int_equal(ah_int(j, "refund.refunded_total"), 925);
    assert_int_equal(ah_int(j, "refund.member_id"), m);
    assert_int_equal(ah_int(j, "outcome.points_earned"), -9);
    assert_int_equal(ah_int(j, "outcome.stamps_earned"), -1);
    assert_int_equal(ah_int(j, "outcome.giving"), -9);
    assert_int_equal(ah_int(j, "balances.points"), 59);
    assert_int_equal(ah_int(j, "balances.stamps"), 1);
    json_decref(j);

    /* the rest (no amount = what is left) */
    j = call_json(s, "POST", path, "routes-refund-2", "{}", 201, NULL);
    assert_int_equal(ah_int(j, "refund.amount"), 925);
    assert_int_equal(ah_int(j, "refund.refunded_total"), 1850);
    assert_int_equal(ah_int(j, "outcome.points_earned"), -9);
    assert_int_equal(ah_int(j, "outcome.stamps_earned"), -1);
    assert_int_equal(ah_int(j, "balances.points"), 50);
    assert_int_equal(ah_int(j, "balances.stamps"), 0);
    assert_int_equal(ah_int(j, "balances.giving"), 0);
    json_decref(j);

    /* nothing left: 409, no change */
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_call(s, "POST", path, s->owner, "routes-refund-3", "{\"amount\":1}", &r);
    ah_expect_error(&r, 409, "conflict", NULL);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "refund of a fully refunded purchase");
    free(before);
    ah_check_invariants(s->db);
}

static void test_adjust_redeem_and_voucher_use_once(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Voucher Person");
    char body[256], path[160];
    snprintf(body, sizeof(body), "{\"member\":%lld,\"delta\":450,\"reason\":\"goodwill\"}", m);
    json_t *j = call_json(s, "POST", "/api/v1/adjustments", "routes-adjust-1", body, 201, NULL);
    assert_int_equal(ah_int(j, "adjustment.member_id"), m);
    assert_int_equal(ah_int(j, "adjustment.delta"), 450);
    assert_string_equal(ah_str(j, "adjustment.account"), "points");
    assert_string_equal(ah_str(j, "adjustment.reason"), "goodwill");
    assert_int_equal(ah_int(j, "balances.points"), 500);
    json_decref(j);
    snprintf(body, sizeof(body),
             "{\"member\":%lld,\"account\":\"stamps\",\"delta\":3,\"reason\":\"lost card\"}", m);
    j = call_json(s, "POST", "/api/v1/adjustments", "routes-adjust-2", body, 201, NULL);
    assert_int_equal(ah_int(j, "balances.stamps"), 3);
    json_decref(j);

    snprintf(body, sizeof(body), "{\"member\":%lld,\"reward\":\"rm5-off\"}", m);
    j = call_json(s, "POST", "/api/v1/redemptions", "routes-redeem-1", body, 201, NULL);
    char code[128];
    snprintf(code, sizeof(code), "%s", ah_str(j, "voucher.code"));
    assert_true(strlen(code) >= 20);
    assert_string_equal(ah_str(j, "voucher.reward"), "rm5-off");
    assert_int_equal(ah_int(j, "voucher.member_id"), m);
    assert_true(json_is_null(ah_get(j, "voucher.used_at")));
    assert_true(json_is_string(ah_get(j, "voucher.expires_at")));
    assert_int_equal(strlen(ah_str(j, "voucher.short_code")), 9);
    assert_int_equal(ah_int(j, "balances.points"), 0);
    json_t *entries = ah_get(j, "outcome.entries"), *e;
    size_t ei;
    json_int_t spent = 0;
    json_array_foreach(entries, ei, e)
    {
        assert_string_equal(json_string_value(json_object_get(e, "account")), "points");
        spent += json_integer_value(json_object_get(e, "amount"));
    }
    assert_int_equal(spent, -500); /* FIFO over the welcome lot and the adjustment */
    json_decref(j);

    snprintf(path, sizeof(path), "/api/v1/vouchers/%s", code);
    j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
    assert_string_equal(ah_str(j, "status"), "valid");
    assert_string_equal(ah_str(j, "voucher.code"), code);
    assert_string_equal(ah_str(j, "reward_name"), "Diskaun RM5"); /* merchant locale ms */
    json_decref(j);

    /* use: 200 (not a creation), replay of the same key 200 + Idempotent-Replayed */
    snprintf(path, sizeof(path), "/api/v1/vouchers/%s/use", code);
    ah_resp first;
    ah_call(s, "POST", path, s->owner, "routes-use-1", NULL, &first);
    ah_expect_status(&first, 200);
    assert_false(first.replayed);
    j = ah_json(&first);
    assert_true(json_is_string(ah_get(j, "voucher.used_at")));
    json_decref(j);
    ah_resp again;
    ah_call(s, "POST", path, s->owner, "routes-use-1", NULL, &again);
    ah_expect_status(&again, 200);
    assert_true(again.replayed);
    assert_int_equal(again.len, first.len);
    assert_memory_equal(again.body, first.body, first.len);
    ah_resp_free(&again);
    ah_resp_free(&first);

    /* a second use with another key: 409, nothing changes */
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_call(s, "POST", path, s->owner, "routes-use-2", NULL, &r);
    ah_expect_error(&r, 409, "conflict", NULL);
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "second use of a voucher");
    free(before);

    snprintf(path, sizeof(path), "/api/v1/vouchers/%s", code);
    j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
    assert_string_equal(ah_str(j, "status"), "used");
    json_decref(j);
    ah_check_invariants(s->db);
}

static char *programme_doc(int welcome)
{
    size_t len = 0;
    char *text = ah_read_file(AH_PROGRAMME, &len);
    assert_non_null(text);
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    free(text);
    assert_non_null(doc);
    json_object_set_new(json_object_get(doc, "bonuses"), "welcome", json_integer(welcome));
    json_t *wrap = json_pack("{s:o}", "programme", doc);
    char *out = json_dumps(wrap, JSON_COMPACT);
    json_decref(wrap);
    return out;
}

static void test_programme_validate_put_get(void **state)
{
    ah_server *s = *state;
    json_t *j = call_json(s, "GET", "/api/v1/programme", NULL, NULL, 200, NULL);
    long long v0 = ah_int(j, "version");
    assert_int_equal(v0, 1);
    assert_string_equal(ah_str(j, "programme.merchant.name"), "Kopi Kita");
    json_decref(j);

    char *doc = programme_doc(60);
    j = call_json(s, "POST", "/api/v1/programme:validate", NULL, doc, 200, NULL);
    assert_true(json_is_true(json_object_get(j, "valid")));
    assert_int_equal(json_object_size(j), 1);
    json_decref(j);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM programmes"), 1);

    /* an invalid document: 400 naming the field, nothing stored */
    char *before = ah_dump(s->db);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/programme:validate", s->owner, NULL,
            "{\"programme\":{\"merchant\":{}}}", &r);
    ah_expect_error(&r, 400, "invalid", "merchant.name");
    ah_resp_free(&r);
    ah_call(s, "PUT", "/api/v1/programme", s->owner, NULL, "{\"programme\":{\"merchant\":{}}}", &r);
    ah_expect_error(&r, 400, "invalid", "merchant.name");
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "invalid programme");
    free(before);

    j = call_json(s, "PUT", "/api/v1/programme", NULL, doc, 200, NULL);
    assert_int_equal(ah_int(j, "version"), v0 + 1);
    json_decref(j);
    free(doc);
    j = call_json(s, "GET", "/api/v1/programme", NULL, NULL, 200, NULL);
    assert_int_equal(ah_int(j, "version"), v0 + 1);
    assert_int_equal(ah_int(j, "programme.bonuses.welcome"), 60);
    json_decref(j);
    j = call_json(s, "GET", "/api/v1/programme?version=1", NULL, NULL, 200, NULL);
    assert_int_equal(ah_int(j, "version"), 1);
    assert_int_equal(ah_int(j, "programme.bonuses.welcome"), 50);
    json_decref(j);

    /* the new version is in force on every worker thread: each request on its own connection */
    int wrong = 0;
    for (int i = 0; i < 8; i++) {
        char key[32], body[64];
        snprintf(key, sizeof(key), "routes-prog-member-%d", i);
        snprintf(body, sizeof(body), "{\"name\":\"After Put %d\"}", i);
        j = call_json(s, "POST", "/api/v1/members", key, body, 201, NULL);
        if (ah_int(j, "outcome.bonus_points") != 60) wrong++;
        json_decref(j);
    }
    /* back to the original for the tests that follow, then judge */
    doc = programme_doc(50);
    j = call_json(s, "PUT", "/api/v1/programme", NULL, doc, 200, NULL);
    json_decref(j);
    free(doc);
    if (wrong) {
        print_error("%d of 8 members enrolled after PUT /api/v1/programme (welcome 60) got the "
                    "old programme's welcome bonus\n",
                    wrong);
        fail();
    }
}

/* A programme is stored as written: a multiplier of 1.1 (not exact in binary) is kept as "1.1",
 * not as jansson's 17-digit "1.1000000000000001". */
static void test_programme_reals_as_written(void **state)
{
    ah_server *s = *state;
    char *doc = programme_doc(50);
    json_t *wrap = json_loads(doc, 0, NULL);
    free(doc);
    json_t *gold = json_array_get(ah_get(wrap, "programme.tiers.levels"), 1);
    json_object_set_new(gold, "multiplier", json_real(1.1));
    doc = json_dumps(wrap, JSON_COMPACT); /* the client's own text has 17 digits */
    json_decref(wrap);
    assert_non_null(strstr(doc, "1.1000000000000001"));
    json_t *j = call_json(s, "PUT", "/api/v1/programme", NULL, doc, 200, NULL);
    json_decref(j);
    free(doc);
    char *body = ah_text_scalar(s->db, "SELECT body FROM programmes ORDER BY version DESC LIMIT 1");
    assert_non_null(strstr(body, "\"multiplier\":1.1,"));
    assert_null(strstr(body, "1.1000000000000001"));
    free(body);
    doc = programme_doc(50);
    j = call_json(s, "PUT", "/api/v1/programme", NULL, doc, 200, NULL);
    json_decref(j);
    free(doc);
}

static void test_locations(void **state)
{
    ah_server *s = *state;
    json_t *j = call_json(s, "GET", "/api/v1/locations", NULL, NULL, 200, NULL);
    json_t *l = json_object_get(j, "locations");
    assert_int_equal(json_array_size(l), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "code")), "BSR");
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")),
                        "Kopi Kita Bangsar");
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "code")), "PJ");
    json_decref(j);
}

static char *batch_body(long long m)
{
    char at[32];
    ah_occurred_at(at, sizeof(at));
    json_t *list = json_array();
    for (int i = 0; i < 10; i++) {
        char key[32];
        snprintf(key, sizeof(key), "routes-batch-%d", i);
        json_t *item =
            json_pack("{s:s, s:I, s:i, s:s, s:[{s:s, s:s, s:i, s:i}]}", "idempotency_key", key,
                      "member", (json_int_t)m, "amount", 1000, "occurred_at", at, "items", "sku",
                      "KOPI", "category", "coffee", "qty", i == 4 ? 0 : 1, "amount", 500);
        json_array_append_new(list, item);
    }
    json_t *doc = json_pack("{s:o}", "purchases", list);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static void test_batch_reports_each_item(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Batch Person");
    long long before = ah_scalar(s->db, "SELECT count(*) FROM purchases");
    char *body = batch_body(m);
    for (int round = 0; round < 2; round++) {
        json_t *j = call_json(s, "POST", "/api/v1/purchases:batch", NULL, body, 200, NULL);
        json_t *res = json_object_get(j, "results");
        assert_int_equal(json_array_size(res), 10);
        for (size_t i = 0; i < 10; i++) {
            json_t *it = json_array_get(res, i);
            assert_int_equal(json_integer_value(json_object_get(it, "index")), (json_int_t)i);
            if (i == 4) {
                assert_int_equal(json_integer_value(json_object_get(it, "status")), 400);
                assert_string_equal(ah_str(it, "error.code"), "invalid");
                assert_string_equal(ah_str(it, "error.field"), "items[0].qty");
                assert_null(json_object_get(it, "result"));
            } else {
                assert_int_equal(json_integer_value(json_object_get(it, "status")), 201);
                assert_int_equal(json_is_true(json_object_get(it, "replayed")), round == 1);
                assert_int_equal(ah_int(it, "result.outcome.points_earned"), 10);
                assert_int_equal(ah_int(it, "result.outcome.stamps_earned"), 1);
            }
        }
        json_decref(j);
        /* 9 effects, also after the second upload */
        assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM purchases"), before + 9);
    }
    free(body);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/members/%lld", m);
    json_t *j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
    assert_int_equal(ah_int(j, "balances.points"), 50 + 9 * 10);
    assert_int_equal(ah_int(j, "balances.stamps"), 9);
    json_decref(j);
    ah_check_invariants(s->db);
}

static void test_ledger_pagination(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Ledger Person");
    for (int i = 0; i < 3; i++) {
        char body[512], key[48];
        ah_purchase_body(body, sizeof(body), m);
        snprintf(key, sizeof(key), "routes-ledger-%d", i);
        json_decref(call_json(s, "POST", "/api/v1/purchases", key, body, 201, NULL));
    }
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM ledger WHERE member_id = %lld", m);
    long long total = ah_scalar(s->db, sql);
    assert_int_equal(total, 1 + 3 * 3); /* welcome + (points, stamps, giving) x 3 */

    long long seen = 0, last = INT64_MAX, before = 0;
    int pages = 0;
    for (;;) {
        char path[128];
        if (before)
            snprintf(path, sizeof(path), "/api/v1/members/%lld/ledger?limit=4&before=%lld", m,
                     before);
        else
            snprintf(path, sizeof(path), "/api/v1/members/%lld/ledger?limit=4", m);
        json_t *j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
        json_t *e = json_object_get(j, "entries");
        pages++;
        for (size_t i = 0; i < json_array_size(e); i++) {
            long long id =
                (long long)json_integer_value(json_object_get(json_array_get(e, i), "id"));
            assert_true(id < last); /* newest first, no repeats */
            last = id;
            seen++;
        }
        json_t *nb = json_object_get(j, "next_before");
        assert_non_null(nb);
        if (json_array_size(e) == 4) {
            assert_int_equal(json_integer_value(nb), last);
            before = last;
            json_decref(j);
        } else {
            assert_true(json_is_null(nb));
            json_decref(j);
            break;
        }
        assert_true(pages < 10);
    }
    assert_int_equal(seen, total);
    assert_int_equal(pages, 3);
    /* the first page starts with the newest entry */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/members/%lld/ledger", m);
    json_t *j = call_json(s, "GET", path, NULL, NULL, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "entries")), total);
    assert_true(json_is_null(json_object_get(j, "next_before")));
    json_t *oldest = json_array_get(json_object_get(j, "entries"), (size_t)total - 1);
    assert_string_equal(json_string_value(json_object_get(oldest, "rule")), "welcome");
    assert_int_equal(json_integer_value(json_object_get(oldest, "amount")), 50);
    json_decref(j);
}

static void test_unknown_route_and_method(void **state)
{
    ah_server *s = *state;
    ah_resp r;
    ah_call(s, "GET", "/api/v1/nothing-here", s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 404, "not_found", NULL);
    ah_resp_free(&r);
    ah_call(s, "DELETE", "/api/v1/members", s->owner, NULL, NULL, &r);
    ah_expect_error(&r, 405, "method_not_allowed", NULL);
    ah_resp_free(&r);
}

/* Every route of the table (including ones added after this test was written) is called once,
 * then each has a series in loyalty_http_requests_total labelled with its pattern. */
static void test_metrics_count_every_route(void **state)
{
    ah_server *s = *state;
    for (size_t i = 0; i < loy_nroutes; i++) {
        char path[256];
        size_t o = 0;
        for (const char *p = loy_routes[i].pattern; *p && o < sizeof(path) - 8;) {
            if (*p == '{') {
                o += (size_t)snprintf(path + o, sizeof(path) - o, "1");
                p = strchr(p, '}') + 1;
            } else
                path[o++] = *p++;
        }
        path[o] = '\0';
        if (strcmp(loy_routes[i].method, "DELETE") == 0) continue; /* nothing to delete here */
        ah_resp r;
        const char *body = strcmp(loy_routes[i].method, "GET") == 0 ? NULL : "{}";
        ah_call(s, loy_routes[i].method, path, s->owner, "routes-metrics-probe", body, &r);
        long st = r.status;
        ah_resp_free(&r);
        if (st < 200 || st >= 600) ah_fail("no answer to %s (did the server crash?)", path);
    }
    ah_resp r;
    ah_call(s, "GET", "/metrics", NULL, NULL, NULL, &r);
    ah_expect_status(&r, 200);
    assert_true(strncmp(r.ctype, "text/plain", 10) == 0);
    assert_non_null(strstr(r.body, "# TYPE loyalty_http_requests_total counter"));
    for (size_t i = 0; i < loy_nroutes; i++) {
        char series[256];
        snprintf(series, sizeof(series),
                 "loyalty_http_requests_total{method=\"%s\",route=\"%s\",status=\"",
                 loy_routes[i].method, loy_routes[i].pattern);
        if (strcmp(loy_routes[i].method, "DELETE") == 0) continue;
        if (!strstr(r.body, series)) ah_fail("no metrics series %s", series);
    }
    assert_non_null(strstr(r.body, "loyalty_http_requests_total{method=\"POST\",route=\"/api/v1/"
                                   "purchases\",status=\"201\"}"));
    assert_non_null(strstr(r.body, "loyalty_http_requests_total{method=\"GET\",route=\"/api/v1/"
                                   "members/{ref}\",status=\"200\"}"));
    /* labels carry the pattern, never a raw path with parameters (personal data) */
    assert_null(strstr(r.body, "route=\"/api/v1/members/1\""));
    assert_null(strstr(r.body, "route=\"/api/v1/members/+60123456789\""));
    ah_resp_free(&r);
}

static int setup(void **state)
{
    return ah_group_setup(state, "routes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz),
        cmocka_unit_test(test_openapi_lists_every_route),
        cmocka_unit_test(test_member_create_get_patch),
        cmocka_unit_test(test_member_search_folds),
        cmocka_unit_test(test_purchase_earns_points_and_stamps),
        cmocka_unit_test(test_simulate_with_draft_programme),
        cmocka_unit_test(test_refund_reverses_proportionally),
        cmocka_unit_test(test_adjust_redeem_and_voucher_use_once),
        cmocka_unit_test(test_programme_validate_put_get),
        cmocka_unit_test(test_programme_reals_as_written),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_batch_reports_each_item),
        cmocka_unit_test(test_ledger_pagination),
        cmocka_unit_test(test_unknown_route_and_method),
        cmocka_unit_test(test_metrics_count_every_route),
    };
    return cmocka_run_group_tests(tests, setup, ah_group_teardown);
}
