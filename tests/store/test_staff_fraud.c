/* Staff fraud controls end to end through the use cases (docs/operations.md "Staff fraud
 * controls", RELIABILITY E5), each test on a fresh database from examples/kopi-kita.json (Kuala
 * Lumpur) with the "staff" section {"adjust_points_per_day": 300, "adjustments_per_day": 3,
 * "purchases_per_member_per_hour": 2} and three staff users: a cashier, a manager and an owner.
 *
 * Each rule is checked at its limit (N allowed, N+1 blocked or flagged): a blocked write changes
 * no balance, ledger, purchase or idempotency record, yet its staff_flags row and its
 * "fraud.blocked" audit entry (actor, reason) are committed; owners are flagged, not blocked;
 * the adjustment limits are per merchant-local day; self-stamping needs the user's member card
 * (PATCH users {"member"}); the CLI is not staff; the batch path logs a block too; bad settings
 * are refused naming the field. `db verify` holds after every test. */
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
#include "app/staff.h"
#include "app_fixture.h"
#include "core/programme.h"
#include "store_fixture.h"

/* 2026-03-02T02:00:00Z = 10:00 in Kuala Lumpur; local midnight is 14 hours later */
#define NOW  (SFX_NOW + 2 * 3600)
#define HOUR INT64_C(3600)

typedef struct {
    char path[512];
    loy_app *app;
    int64_t a, b; /* members */
} fx;

static int keyn;

static const char *next_key(void)
{
    static char key[32];
    snprintf(key, sizeof(key), "staff-%d", ++keyn);
    return key;
}

static void as(fx *f, const char *actor)
{
    snprintf(f->app->actor, sizeof(f->app->actor), "%s", actor);
}

static int adjust(fx *f, int64_t member, int64_t delta, loy_err *err)
{
    json_t *req = json_pack("{s:I, s:I, s:s}", "member", (json_int_t)member, "delta",
                            (json_int_t)delta, "reason", "goodwill");
    json_t *resp = NULL;
    int rc = loy_app_write(f->app, LOY_OP_ADJUST, next_key(), req, &resp, NULL, err);
    json_decref(resp);
    json_decref(req);
    return rc;
}

/* A purchase of RM12.00 (one coffee); *id the purchase (0 when refused). */
static int buy(fx *f, int64_t member, int64_t *id, loy_err *err)
{
    json_t *req = json_pack("{s:I, s:I, s:[{s:s, s:s, s:I}]}", "member", (json_int_t)member,
                            "amount", (json_int_t)1200, "items", "sku", "KOPI", "category",
                            "coffee", "amount", (json_int_t)1200);
    json_t *resp = NULL;
    int rc = loy_app_write(f->app, LOY_OP_PURCHASE, next_key(), req, &resp, NULL, err);
    if (id)
        *id = rc ? 0 : json_integer_value(json_object_get(json_object_get(resp, "purchase"), "id"));
    json_decref(resp);
    json_decref(req);
    return rc;
}

static void ok(int rc, const loy_err *err)
{
    if (rc) fail_msg("%s (%s)", err->message, err->field);
}

static int64_t flags(fx *f, const char *action, const char *rule, const char *actor)
{
    loy_stmt *st;
    loy_err err;
    int64_t n = 0;
    assert_int_equal(loy_db_query(&f->app->conn, &st, &err,
                                  "SELECT count(*) FROM staff_flags WHERE action = ? AND rule = ? "
                                  "AND actor = ? AND status = 'open'",
                                  "ttt", action, rule, actor),
                     0);
    if (loy_db_next(&f->app->conn, st, &err) == 1) {
        n = loy_db_int(&f->app->conn, st, 0);
        loy_db_done(&f->app->conn, st);
    }
    return n;
}

/* Audit entries "fraud.ACTION" by `actor` whose reason starts with `rule`. */
static int64_t audits(fx *f, const char *action, const char *rule, const char *actor)
{
    char act[32], like[40];
    snprintf(act, sizeof(act), "fraud.%s", action);
    snprintf(like, sizeof(like), "%s:%%", rule);
    loy_stmt *st;
    loy_err err;
    int64_t n = 0;
    assert_int_equal(loy_db_query(&f->app->conn, &st, &err,
                                  "SELECT count(*) FROM audit WHERE action = ? AND actor = ? AND "
                                  "reason LIKE ? AND target_type = 'member'",
                                  "ttt", act, actor, like),
                     0);
    if (loy_db_next(&f->app->conn, st, &err) == 1) {
        n = loy_db_int(&f->app->conn, st, 0);
        loy_db_done(&f->app->conn, st);
    }
    return n;
}

/* What a refused write must leave alone. */
typedef struct {
    int64_t ledger, purchases, idem, points, stamps;
} snap;

static snap snapshot(fx *f, int64_t member)
{
    loy_conn *c = &f->app->conn;
    sfx_bal bal = sfx_balances(c, member);
    snap s = {sfx_ledger_count(c), sfx_q(c, "SELECT count(*) FROM purchases"),
              sfx_q(c, "SELECT count(*) FROM idempotency"), bal.points, bal.stamps};
    return s;
}

static void unchanged(fx *f, int64_t member, snap before)
{
    snap after = snapshot(f, member);
    assert_int_equal(after.ledger, before.ledger);
    assert_int_equal(after.purchases, before.purchases);
    assert_int_equal(after.idem, before.idem);
    assert_int_equal(after.points, before.points);
    assert_int_equal(after.stamps, before.stamps);
}

static char *programme_text(const char *staff_json)
{
    json_error_t je;
    json_t *doc = json_load_file("examples/kopi-kita.json", 0, &je);
    assert_non_null(doc);
    if (staff_json) json_object_set_new(doc, "staff", json_loads(staff_json, JSON_DECODE_ANY, &je));
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    return text;
}

static void user(fx *f, const char *name, const char *role)
{
    json_t *resp = NULL;
    loy_err err;
    ok(loy_app_user_add(f->app, name, name, role, "correct horse battery", &resp, &err), &err);
    json_decref(resp);
}

static int link_card(fx *f, const char *username, json_t *member, loy_err *err)
{
    json_t *req = json_pack("{s:o}", "member", member), *resp = NULL;
    int rc = loy_app_user_update(f->app, username, req, NULL, &resp, err);
    if (!rc) assert_true(json_equal(json_object_get(resp, "member"), member));
    json_decref(resp);
    json_decref(req);
    return rc;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    f->app = afx_open_example(f->path, sizeof(f->path), "staff", NOW);
    char *text = programme_text("{\"adjust_points_per_day\": 300, \"adjustments_per_day\": 3, "
                                "\"purchases_per_member_per_hour\": 2}");
    int64_t version = 0;
    loy_err err;
    ok(loy_app_programme_set(f->app, text, strlen(text), &version, &err), &err);
    free(text);
    assert_int_equal(f->app->prog->staff.adjustments_per_day, 3);
    as(f, "cli:test");
    user(f, "cashier1", "cashier");
    user(f, "manager1", "manager");
    user(f, "owner1", "owner");
    json_t *r = afx_write(f->app, LOY_OP_MEMBER_CREATE, json_pack("{s:s}", "name", "Aisyah"));
    f->a = json_integer_value(json_object_get(json_object_get(r, "member"), "id"));
    json_decref(r);
    r = afx_write(f->app, LOY_OP_MEMBER_CREATE, json_pack("{s:s}", "name", "Bala"));
    f->b = json_integer_value(json_object_get(json_object_get(r, "member"), "id"));
    json_decref(r);
    assert_true(f->a > 0 && f->b > f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    afx_verify(f->app);
    loy_app_close(f->app);
    sfx_remove_target(f->path);
    free(f);
    return 0;
}

/* ---- adjustment velocity ---- */

static void test_adjust_count_per_day(void **state)
{
    fx *f = *state;
    loy_err err;
    as(f, "user:cashier1");
    for (int i = 0; i < 3; i++) ok(adjust(f, f->a, 10, &err), &err); /* N = 3 allowed */
    ok(adjust(f, f->a, -5, &err), &err); /* a debit is not counted nor blocked */
    snap before = snapshot(f, f->a);
    assert_int_equal(adjust(f, f->b, 10, &err), LOY_EREFUSED); /* N + 1, another member too */
    assert_string_equal(err.field, "delta");
    assert_non_null(strstr(err.message, "adjust_velocity"));
    unchanged(f, f->a, before);
    assert_int_equal(flags(f, "blocked", "adjust_velocity", "user:cashier1"), 1);
    assert_int_equal(audits(f, "blocked", "adjust_velocity", "user:cashier1"), 1);
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM staff_flags WHERE member_id = ? AND ref_id = 0",
                            f->b),
                     1);
    /* another staff member has their own count; a manager is blocked like a cashier */
    as(f, "user:manager1");
    for (int i = 0; i < 3; i++) ok(adjust(f, f->a, 10, &err), &err);
    assert_int_equal(adjust(f, f->a, 10, &err), LOY_EREFUSED);
    assert_int_equal(flags(f, "blocked", "adjust_velocity", "user:manager1"), 1);
    /* still the same local day at 23:59:59, a new one at midnight in Kuala Lumpur */
    as(f, "user:cashier1");
    f->app->now = NOW + 14 * HOUR - 1;
    assert_int_equal(adjust(f, f->a, 10, &err), LOY_EREFUSED);
    f->app->now = NOW + 14 * HOUR;
    for (int i = 0; i < 3; i++) ok(adjust(f, f->a, 10, &err), &err);
    assert_int_equal(adjust(f, f->a, 10, &err), LOY_EREFUSED);
    assert_int_equal(flags(f, "blocked", "adjust_velocity", "user:cashier1"), 3);
    /* the owner's list */
    json_t *resp = NULL;
    ok(loy_app_staff_flags(f->app, "open", 0, 0, &resp, &err), &err);
    assert_int_equal(json_array_size(json_object_get(resp, "flags")), 4);
    json_t *top = json_array_get(json_object_get(resp, "flags"), 0);
    assert_string_equal(json_string_value(json_object_get(top, "actor")), "user:cashier1");
    assert_string_equal(json_string_value(json_object_get(top, "op")), "adjust");
    json_decref(resp);
    assert_int_equal(loy_app_staff_flags(f->app, "closed", 0, 0, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "status");
}

static void test_adjust_points_per_day(void **state)
{
    fx *f = *state;
    loy_err err;
    as(f, "user:cashier1");
    ok(adjust(f, f->a, 200, &err), &err);
    ok(adjust(f, f->a, 100, &err), &err); /* exactly 300 */
    snap before = snapshot(f, f->a);
    assert_int_equal(adjust(f, f->a, 1, &err), LOY_EREFUSED);
    assert_string_equal(err.field, "delta");
    unchanged(f, f->a, before);
    assert_int_equal(flags(f, "blocked", "adjust_velocity", "user:cashier1"), 1);
    assert_int_equal(audits(f, "blocked", "adjust_velocity", "user:cashier1"), 1);
    /* one large adjustment alone is over the limit too */
    as(f, "user:manager1");
    assert_int_equal(adjust(f, f->a, 301, &err), LOY_EREFUSED);
    ok(adjust(f, f->a, 300, &err), &err);
}

static void test_owner_flagged_not_blocked(void **state)
{
    fx *f = *state;
    loy_err err;
    as(f, "user:owner1");
    int64_t points = sfx_balances(&f->app->conn, f->a).points; /* the welcome bonus */
    for (int i = 0; i < 3; i++) ok(adjust(f, f->a, 10, &err), &err);
    assert_int_equal(flags(f, "flagged", "adjust_velocity", "user:owner1"), 0);
    int64_t ledger = sfx_ledger_count(&f->app->conn);
    ok(adjust(f, f->a, 10, &err), &err); /* N + 1: written, flagged */
    assert_int_equal(sfx_ledger_count(&f->app->conn), ledger + 1);
    assert_int_equal(sfx_balances(&f->app->conn, f->a).points, points + 40);
    assert_int_equal(flags(f, "flagged", "adjust_velocity", "user:owner1"), 1);
    assert_int_equal(audits(f, "flagged", "adjust_velocity", "user:owner1"), 1);
    /* the flag names the adjustment's own audit entry */
    assert_int_equal(sfx_q(&f->app->conn,
                           "SELECT count(*) FROM staff_flags s JOIN audit a ON a.id = s.ref_id "
                           "AND a.action = 'adjust'"),
                     1);
    /* the CLI is nobody's staff session: never counted */
    as(f, "cli:test");
    for (int i = 0; i < 5; i++) ok(adjust(f, f->a, 100, &err), &err);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM staff_flags"), 1);
}

static void test_api_key_and_batch(void **state)
{
    fx *f = *state;
    loy_err err;
    json_t *key = NULL;
    ok(loy_app_apikey_create(f->app, "cashier", "till", &key, &err), &err);
    char actor[64];
    snprintf(actor, sizeof(actor), "key:%s", json_string_value(json_object_get(key, "prefix")));
    json_decref(key);
    as(f, actor);
    int64_t points = sfx_balances(&f->app->conn, f->a).points;
    for (int i = 0; i < 3; i++) ok(adjust(f, f->a, 10, &err), &err);
    /* a batch (the HTTP group commit): the refused item is logged, the other one commits */
    json_t *r1 = json_pack("{s:I, s:I, s:s}", "member", (json_int_t)f->a, "delta", (json_int_t)10,
                           "reason", "again");
    json_t *r2 = json_pack("{s:I, s:I}", "member", (json_int_t)f->b, "amount", (json_int_t)500);
    loy_write_item items[2] = {{.op = LOY_OP_ADJUST, .key = "batch-1", .req = r1},
                               {.op = LOY_OP_PURCHASE, .key = "batch-2", .req = r2}};
    ok(loy_app_write_batch(f->app, items, 2, &err), &err);
    assert_int_equal(items[0].rc, LOY_EREFUSED);
    assert_string_equal(items[0].err.field, "delta");
    assert_int_equal(items[1].rc, 0);
    json_decref(items[1].resp);
    json_decref(r1);
    json_decref(r2);
    assert_int_equal(flags(f, "blocked", "adjust_velocity", actor), 1);
    assert_int_equal(audits(f, "blocked", "adjust_velocity", actor), 1);
    assert_int_equal(sfx_balances(&f->app->conn, f->a).points, points + 30);
}

/* ---- stamping velocity ---- */

static void test_stamp_velocity(void **state)
{
    fx *f = *state;
    loy_err err;
    as(f, "user:cashier1");
    int64_t id = 0;
    for (int i = 0; i < 2; i++) ok(buy(f, f->a, &id, &err), &err); /* N = 2 */
    ok(buy(f, f->b, &id, &err), &err);                             /* another member */
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM staff_flags"), 0);
    int64_t stamps = sfx_balances(&f->app->conn, f->a).stamps;
    ok(buy(f, f->a, &id, &err), &err); /* N + 1: recorded, flagged */
    assert_true(id > 0);
    assert_int_equal(sfx_balances(&f->app->conn, f->a).stamps, stamps + 1);
    assert_int_equal(flags(f, "flagged", "stamp_velocity", "user:cashier1"), 1);
    assert_int_equal(audits(f, "flagged", "stamp_velocity", "user:cashier1"), 1);
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM staff_flags WHERE ref_id = ? AND op = "
                            "'purchase' AND member_id = (SELECT member_id FROM purchases WHERE "
                            "id = ?1)",
                            id),
                     1);
    /* another cashier has their own count */
    as(f, "user:manager1");
    ok(buy(f, f->a, &id, &err), &err);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM staff_flags"), 1);
    /* an hour later the first purchases no longer count */
    as(f, "user:cashier1");
    f->app->now = NOW + HOUR;
    ok(buy(f, f->a, &id, &err), &err);
    ok(buy(f, f->a, &id, &err), &err);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM staff_flags"), 1);
    ok(buy(f, f->a, &id, &err), &err);
    assert_int_equal(flags(f, "flagged", "stamp_velocity", "user:cashier1"), 2);
}

/* ---- self-stamping ---- */

static void test_self_stamping(void **state)
{
    fx *f = *state;
    loy_err err;
    as(f, "user:owner1");
    ok(link_card(f, "cashier1", json_integer(f->a), &err), &err);
    ok(link_card(f, "owner1", json_integer(f->b), &err), &err);
    assert_int_equal(link_card(f, "manager1", json_integer(999999), &err), LOY_EINVALID);
    assert_string_equal(err.field, "member");
    assert_int_equal(link_card(f, "manager1", json_string("x"), &err), LOY_EINVALID);
    assert_string_equal(err.field, "member");
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM audit WHERE action = "
                                          "'user.update' AND detail LIKE '%\"member\"%'"),
                     2);

    as(f, "user:cashier1");
    snap before = snapshot(f, f->a);
    int64_t id = 0;
    assert_int_equal(buy(f, f->a, &id, &err), LOY_EREFUSED);
    assert_string_equal(err.field, "member");
    assert_non_null(strstr(err.message, "self_stamping"));
    assert_int_equal(adjust(f, f->a, 5, &err), LOY_EREFUSED);
    assert_string_equal(err.field, "member");
    unchanged(f, f->a, before);
    assert_int_equal(flags(f, "blocked", "self_stamping", "user:cashier1"), 2);
    assert_int_equal(audits(f, "blocked", "self_stamping", "user:cashier1"), 2);
    ok(buy(f, f->b, &id, &err), &err); /* someone else's card */

    /* the owner on their own card: written, flagged */
    as(f, "user:owner1");
    ok(buy(f, f->b, &id, &err), &err);
    assert_true(id > 0);
    assert_int_equal(flags(f, "flagged", "self_stamping", "user:owner1"), 1);
    assert_int_equal(audits(f, "flagged", "self_stamping", "user:owner1"), 1);

    /* unlinked (null): allowed again */
    ok(link_card(f, "cashier1", json_null(), &err), &err);
    as(f, "user:cashier1");
    ok(buy(f, f->a, &id, &err), &err);
}

/* ---- settings ---- */

static void bad_setting(const char *staff_json, const char *field)
{
    char *text = programme_text(staff_json);
    loy_programme *p = NULL;
    loy_err err;
    assert_int_equal(loy_programme_parse(&p, text, strlen(text), &err), LOY_EINVALID);
    assert_string_equal(err.field, field);
    assert_null(p);
    free(text);
}

static void test_settings(void **state)
{
    (void)state;
    char *text = programme_text(NULL);
    loy_programme *p = NULL;
    loy_err err;
    ok(loy_programme_parse(&p, text, strlen(text), &err), &err);
    assert_int_equal(p->staff.adjust_points_per_day, 1000);
    assert_int_equal(p->staff.adjustments_per_day, 20);
    assert_int_equal(p->staff.purchases_per_member_per_hour, 5);
    loy_programme_free(p);
    free(text);
    text = programme_text("{\"adjustments_per_day\": 7}");
    ok(loy_programme_parse(&p, text, strlen(text), &err), &err);
    assert_int_equal(p->staff.adjustments_per_day, 7);
    assert_int_equal(p->staff.adjust_points_per_day, 1000);
    loy_programme_free(p);
    free(text);
    bad_setting("5", "staff");
    bad_setting("{\"adjustments_per_day\": 0}", "staff.adjustments_per_day");
    bad_setting("{\"adjust_points_per_day\": \"many\"}", "staff.adjust_points_per_day");
    bad_setting("{\"purchases_per_member_per_hour\": 1.5}", "staff.purchases_per_member_per_hour");
    bad_setting("{\"adjustment_per_day\": 3}", "staff.adjustment_per_day");
}

/* The owner dismisses a flag with a reason: dismissed once, audited; a second dismissal, an
 * unknown flag and a missing reason are refused and change nothing. */
static void test_dismiss(void **state)
{
    fx *f = *state;
    loy_err err;
    as(f, "user:cashier1");
    int64_t id = 0;
    for (int i = 0; i < 3; i++) ok(buy(f, f->a, &id, &err), &err); /* the third is flagged */
    int64_t flag = sfx_q(&f->app->conn, "SELECT max(id) FROM staff_flags");
    assert_true(flag > 0);
    as(f, "user:owner1");
    json_t *resp = NULL, *req = json_pack("{s:s}", "reason", "a family of three");
    ok(loy_app_staff_flag_dismiss(f->app, flag, req, &resp, &err), &err);
    assert_string_equal(json_string_value(json_object_get(resp, "status")), "dismissed");
    json_decref(resp);
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM staff_flags WHERE id = ? AND "
                            "status = 'dismissed'",
                            flag),
                     1);
    assert_int_equal(
        sfx_qi(&f->app->conn,
               "SELECT count(*) FROM audit WHERE action = 'fraud.dismissed' AND "
               "target_id = ? AND actor = 'user:owner1' AND reason = 'a family of three'",
               flag),
        1);
    int64_t audits_before = sfx_q(&f->app->conn, "SELECT count(*) FROM audit");
    assert_int_equal(loy_app_staff_flag_dismiss(f->app, flag, req, &resp, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "id");
    assert_int_equal(loy_app_staff_flag_dismiss(f->app, flag + 100, req, &resp, &err),
                     LOY_ENOTFOUND);
    json_decref(req);
    req = json_pack("{s:s}", "reason", "");
    assert_int_equal(loy_app_staff_flag_dismiss(f->app, flag, req, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "reason");
    json_decref(req);
    req = json_pack("{s:s, s:b}", "reason", "x", "force", 1);
    assert_int_equal(loy_app_staff_flag_dismiss(f->app, flag, req, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "force");
    json_decref(req);
    assert_null(resp);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM audit"), audits_before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_adjust_count_per_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adjust_points_per_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_flagged_not_blocked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_key_and_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stamp_velocity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_stamping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dismiss, setup, teardown),
        cmocka_unit_test(test_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
