/* Store contract suite at the use-case level (app.h) on a real database file: exactly-once writes
 * (replay, mismatch, bad input leaves no key), batches (one transaction, a failing item undone
 * alone, a failed commit undoes all), and two connections spending the same last points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>

#include "app/app.h"
#include "store/db.h"
#include "store/store.h"
#include "store_fixture.h"

static const char programme[] =
    "{\"merchant\": {\"name\": \"App Shop\", \"currency\": \"MYR\", \"timezone\": \"UTC\", "
    "\"locale\": \"en\"},"
    " \"points\": {\"earn\": [{\"id\": \"base\", \"points_per_unit\": 1}]},"
    " \"rewards\": [{\"id\": \"r100\", \"name\": \"RM1 off\", \"kind\": \"amount_off\", "
    "\"amount\": \"1.00\", \"cost\": {\"points\": 100}}]}";

typedef struct {
    char path[512];
    loy_app *app;
    int64_t member;
} afx;

static loy_app *open_app(const char *path)
{
    loy_app *app = NULL;
    loy_err err;
    int rc = loy_app_open(&app, path, NULL, &err);
    if (rc) fail_msg("open %s: %s", path, err.message);
    app->now = SFX_NOW;
    return app;
}

static json_t *write_ok(loy_app *app, loy_op op, const char *key, json_t *req, bool *replayed)
{
    json_t *resp = NULL;
    bool rep = false;
    loy_err err;
    int rc = loy_app_write(app, op, key, req, &resp, &rep, &err);
    if (rc) fail_msg("write %s: %s (%s)", key, err.message, err.field);
    assert_non_null(resp);
    if (replayed) *replayed = rep;
    return resp;
}

static int64_t json_id(const json_t *resp, const char *obj)
{
    json_t *id = json_object_get(json_object_get(resp, obj), "id");
    assert_true(json_is_integer(id));
    return (int64_t)json_integer_value(id);
}

static int setup(void **state)
{
    afx *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    sfx_new_target(a->path, sizeof(a->path), "app");
    a->app = open_app(a->path);
    loy_err err;
    int rc = loy_app_init(a->app, programme, strlen(programme), &err);
    if (rc) fail_msg("init: %s (%s)", err.message, err.field);
    json_t *req = json_pack("{s:s}", "name", "Nur Aisyah");
    json_t *resp = write_ok(a->app, LOY_OP_MEMBER_CREATE, "join-1", req, NULL);
    a->member = json_id(resp, "member");
    json_decref(req);
    json_decref(resp);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    afx *a = *state;
    loy_app_close(a->app);
    sfx_remove_target(a->path);
    free(a);
    return 0;
}

static char *canon(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(s);
    return s;
}

static void assert_same_json(const json_t *x, const json_t *y)
{
    char *a = canon(x), *b = canon(y);
    assert_string_equal(a, b);
    assert_true(json_equal((json_t *)x, (json_t *)y));
    free(a);
    free(b);
}

static int64_t purchases(loy_app *app)
{
    return sfx_q(&app->conn, "SELECT count(*) FROM purchases");
}

static void test_same_key_replays(void **state)
{
    afx *a = *state;
    loy_app *app = a->app;
    bool rep = true;

    /* member create: the join in setup, again */
    json_t *req = json_pack("{s:s}", "name", "Nur Aisyah");
    json_t *again = write_ok(app, LOY_OP_MEMBER_CREATE, "join-1", req, &rep);
    assert_true(rep);
    assert_int_equal(json_id(again, "member"), a->member);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM members"), 1);
    json_decref(again);
    json_decref(req);

    req = json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)1050);
    json_t *first = write_ok(app, LOY_OP_PURCHASE, "buy-1", req, &rep);
    assert_false(rep);
    int64_t ledger = sfx_ledger_count(&app->conn);
    assert_int_equal(sfx_balances(&app->conn, a->member).points, 10);

    /* later, the same request under the same key: the stored response, nothing new */
    app->now = SFX_NOW + 3600;
    json_t *second = write_ok(app, LOY_OP_PURCHASE, "buy-1", req, &rep);
    assert_true(rep);
    assert_same_json(first, second);
    /* a body with the same content in another key order is the same request */
    json_t *req2 =
        json_pack("{s:I, s:I}", "amount", (json_int_t)1050, "member", (json_int_t)a->member);
    json_t *third = write_ok(app, LOY_OP_PURCHASE, "buy-1", req2, &rep);
    assert_true(rep);
    assert_same_json(first, third);
    /* and through another connection */
    loy_app *other = open_app(a->path);
    json_t *fourth = write_ok(other, LOY_OP_PURCHASE, "buy-1", req, &rep);
    assert_true(rep);
    assert_same_json(first, fourth);
    loy_app_close(other);

    assert_int_equal(purchases(app), 1);
    assert_int_equal(sfx_ledger_count(&app->conn), ledger);
    assert_int_equal(sfx_balances(&app->conn, a->member).points, 10);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM idempotency"), 2);
    assert_int_equal(sfx_verify(&app->conn, NULL, 0), 0);
    json_decref(first);
    json_decref(second);
    json_decref(third);
    json_decref(fourth);
    json_decref(req);
    json_decref(req2);
}

static void test_same_key_other_body_mismatch(void **state)
{
    afx *a = *state;
    loy_app *app = a->app;
    loy_err err;
    json_t *req =
        json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)1050);
    json_t *first = write_ok(app, LOY_OP_PURCHASE, "buy-1", req, NULL);
    int64_t ledger = sfx_ledger_count(&app->conn);
    int64_t outbox = sfx_q(&app->conn, "SELECT count(*) FROM outbox");

    json_t *other =
        json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)2000);
    json_t *resp = (json_t *)&ledger;
    bool rep = true;
    assert_int_equal(loy_app_write(app, LOY_OP_PURCHASE, "buy-1", other, &resp, &rep, &err),
                     LOY_EMISMATCH);
    assert_null(resp);
    assert_string_equal(err.field, "idempotency_key");
    /* the same body under the same key, but another operation */
    assert_int_equal(loy_app_write(app, LOY_OP_REFUND, "buy-1", req, &resp, &rep, &err),
                     LOY_EMISMATCH);
    assert_null(resp);
    json_t *ref = json_pack("{s:I}", "purchase_id", (json_int_t)json_id(first, "purchase"));
    assert_int_equal(loy_app_write(app, LOY_OP_REFUND, "buy-1", ref, &resp, &rep, &err),
                     LOY_EMISMATCH);
    assert_null(resp);

    assert_int_equal(purchases(app), 1);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM refunds"), 0);
    assert_int_equal(sfx_ledger_count(&app->conn), ledger);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM outbox"), outbox);
    assert_int_equal(sfx_balances(&app->conn, a->member).points, 10);
    /* the original request still replays */
    json_t *again = write_ok(app, LOY_OP_PURCHASE, "buy-1", req, &rep);
    assert_true(rep);
    assert_same_json(first, again);
    json_decref(again);
    json_decref(ref);
    json_decref(other);
    json_decref(first);
    json_decref(req);
}

static void test_bad_input_leaves_no_key(void **state)
{
    afx *a = *state;
    loy_app *app = a->app;
    loy_err err;
    json_t *resp = NULL;
    bool rep = false;
    json_t *bad = json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)0);
    assert_int_equal(loy_app_write(app, LOY_OP_PURCHASE, "fix-me", bad, &resp, &rep, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "amount");
    assert_null(resp);
    loy_idem_row r;
    assert_int_equal(loy_store_idem_get(&app->conn, app->merchant, "fix-me", &r, &err),
                     LOY_ENOTFOUND);
    /* redeeming more than the balance: refused, no key either */
    json_t *red = json_pack("{s:I, s:s}", "member", (json_int_t)a->member, "reward", "r100");
    assert_int_equal(loy_app_write(app, LOY_OP_REDEEM, "too-soon", red, &resp, &rep, &err),
                     LOY_EREFUSED);
    assert_int_equal(loy_store_idem_get(&app->conn, app->merchant, "too-soon", &r, &err),
                     LOY_ENOTFOUND);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM vouchers"), 0);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM reward_stock WHERE issued > 0"), 0);
    /* the corrected request under the same key is a first attempt, not a mismatch */
    json_t *good =
        json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)500);
    json_t *ok = write_ok(app, LOY_OP_PURCHASE, "fix-me", good, &rep);
    assert_false(rep);
    assert_int_equal(purchases(app), 1);
    assert_int_equal(sfx_balances(&app->conn, a->member).points, 5);
    json_decref(ok);
    json_decref(good);
    json_decref(red);
    json_decref(bad);
}

/* A driver table around the real one that counts transactions and can fail a commit. */
static const loy_db_driver *base_drv;
static loy_db_driver counting_drv;
static int n_begin, n_commit, n_rollback, fail_commit;

static int c_begin(loy_db *db, bool write, loy_err *err)
{
    n_begin++;
    return base_drv->begin(db, write, err);
}

static int c_commit(loy_db *db, loy_err *err)
{
    n_commit++;
    if (fail_commit) return loy_err_set(err, LOY_ESTORAGE, "", "database: injected commit failure");
    return base_drv->commit(db, err);
}

static int c_rollback(loy_db *db)
{
    n_rollback++;
    return base_drv->rollback(db);
}

static void count_transactions(loy_app *app, bool fail)
{
    base_drv = app->conn.drv;
    counting_drv = *base_drv;
    counting_drv.begin = c_begin;
    counting_drv.commit = c_commit;
    counting_drv.rollback = c_rollback;
    n_begin = n_commit = n_rollback = 0;
    fail_commit = fail;
    app->conn.drv = &counting_drv;
}

static void uncount(loy_app *app)
{
    app->conn.drv = base_drv;
}

#define BATCH   100
#define INVALID 49 /* the 50th item */

typedef struct {
    loy_write_item items[BATCH];
    json_t *reqs[BATCH];
    char keys[BATCH][16];
} batch;

static void batch_init(batch *b, int64_t member)
{
    memset(b, 0, sizeof(*b));
    for (int i = 0; i < BATCH; i++) {
        snprintf(b->keys[i], sizeof(b->keys[i]), "offline-%03d", i);
        b->reqs[i] =
            json_pack("{s:I, s:I, s:s}", "member", (json_int_t)member, "amount",
                      (json_int_t)(i == INVALID ? 0 : 100 * (i + 1)), "reference", b->keys[i]);
        b->items[i].op = LOY_OP_PURCHASE;
        b->items[i].key = b->keys[i];
        b->items[i].req = b->reqs[i];
    }
}

static void batch_free(batch *b)
{
    for (int i = 0; i < BATCH; i++) {
        json_decref(b->reqs[i]);
        json_decref(b->items[i].resp);
        b->items[i].resp = NULL;
    }
}

static int64_t batch_points(void)
{
    int64_t pts = 0; /* 1 point per ringgit: item i pays i + 1 ringgit */
    for (int i = 0; i < BATCH; i++)
        if (i != INVALID) pts += i + 1;
    return pts;
}

static void test_batch_one_invalid_item(void **state)
{
    afx *a = *state;
    loy_app *app = a->app;
    loy_err err;
    batch *b = malloc(sizeof(*b));
    assert_non_null(b);
    batch_init(b, a->member);

    count_transactions(app, false);
    int rc = loy_app_write_batch(app, b->items, BATCH, &err);
    uncount(app);
    if (rc) fail_msg("batch: %s", err.message);
    assert_int_equal(n_begin, 1);
    assert_int_equal(n_commit, 1);
    assert_int_equal(n_rollback, 0);

    for (int i = 0; i < BATCH; i++) {
        if (i == INVALID) {
            assert_int_equal(b->items[i].rc, LOY_EINVALID);
            assert_string_equal(b->items[i].err.field, "amount");
            assert_null(b->items[i].resp);
            continue;
        }
        if (b->items[i].rc) fail_msg("item %d: %s", i, b->items[i].err.message);
        assert_non_null(b->items[i].resp);
        assert_false(b->items[i].replayed);
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(b->items[i].resp, "purchase"), "amount")),
                         100 * (i + 1));
    }
    assert_int_equal(purchases(app), BATCH - 1);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM idempotency"), BATCH - 1 + 1);
    assert_int_equal(
        sfx_qt(&app->conn, "SELECT count(*) FROM purchases WHERE reference = ?", b->keys[INVALID]),
        0);
    loy_idem_row r;
    assert_int_equal(loy_store_idem_get(&app->conn, app->merchant, b->keys[INVALID], &r, &err),
                     LOY_ENOTFOUND);
    assert_int_equal(sfx_balances(&app->conn, a->member).points, batch_points());
    assert_int_equal(sfx_verify(&app->conn, NULL, 0), 0);

    /* committed for good: another connection sees all of it */
    loy_app *other = open_app(a->path);
    assert_int_equal(purchases(other), BATCH - 1);
    assert_int_equal(sfx_balances(&other->conn, a->member).points, batch_points());

    /* the same batch uploaded again (on the other connection): every valid item replays with
     * the same response, the invalid one fails again, nothing is added */
    batch *b2 = malloc(sizeof(*b2));
    assert_non_null(b2);
    batch_init(b2, a->member);
    assert_int_equal(loy_app_write_batch(other, b2->items, BATCH, &err), 0);
    for (int i = 0; i < BATCH; i++) {
        if (i == INVALID) {
            assert_int_equal(b2->items[i].rc, LOY_EINVALID);
            continue;
        }
        assert_int_equal(b2->items[i].rc, 0);
        assert_true(b2->items[i].replayed);
        assert_same_json(b->items[i].resp, b2->items[i].resp);
    }
    assert_int_equal(purchases(other), BATCH - 1);
    assert_int_equal(sfx_balances(&other->conn, a->member).points, batch_points());
    loy_app_close(other);
    batch_free(b2);
    free(b2);
    batch_free(b);
    free(b);
}

static void test_batch_failed_commit_undoes_all(void **state)
{
    afx *a = *state;
    loy_app *app = a->app;
    loy_err err;
    batch *b = malloc(sizeof(*b));
    assert_non_null(b);
    batch_init(b, a->member);
    int64_t ledger = sfx_ledger_count(&app->conn);

    count_transactions(app, true);
    int rc = loy_app_write_batch(app, b->items, BATCH, &err);
    uncount(app);
    assert_int_equal(rc, LOY_ESTORAGE);
    assert_int_equal(n_commit, 1);
    assert_int_equal(n_rollback, 1);
    for (int i = 0; i < BATCH; i++) assert_null(b->items[i].resp);
    assert_int_equal(app->conn.depth, 0);

    assert_int_equal(purchases(app), 0);
    assert_int_equal(sfx_ledger_count(&app->conn), ledger);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM idempotency"), 1); /* the join */
    assert_int_equal(sfx_balances(&app->conn, a->member).points, 0);
    /* the connection is usable again and the batch can be retried */
    assert_int_equal(loy_app_write_batch(app, b->items, BATCH, &err), 0);
    assert_int_equal(purchases(app), BATCH - 1);
    assert_false(b->items[0].replayed);
    batch_free(b);
    free(b);
}

static const char pending_programme[] =
    "{\"merchant\": {\"name\": \"App Shop\", \"currency\": \"MYR\", \"timezone\": \"UTC\", "
    "\"locale\": \"en\"},"
    " \"points\": {\"earn\": [{\"id\": \"base\", \"points_per_unit\": 1}], \"pending_days\": 1},"
    " \"rewards\": [{\"id\": \"r100\", \"name\": \"RM1 off\", \"kind\": \"amount_off\", "
    "\"amount\": \"1.00\", \"cost\": {\"points\": 100}}]}";

static void test_batch_failed_item_undoes_its_writes(void **state)
{
    /* An item that writes (due housekeeping: pending points activated on load) and then fails
     * (tender beyond the balance) must leave nothing behind; the next item still commits. */
    afx *a = *state;
    loy_app *app = a->app;
    loy_err err;
    int64_t version = 0;
    int rc =
        loy_app_programme_set(app, pending_programme, strlen(pending_programme), &version, &err);
    if (rc) fail_msg("programme_set: %s (%s)", err.message, err.field);
    assert_int_equal(version, 2);
    json_t *req = json_pack("{s:s}", "name", "Second Member");
    json_t *resp = write_ok(app, LOY_OP_MEMBER_CREATE, "join-2", req, NULL);
    int64_t b = json_id(resp, "member");
    json_decref(resp);
    json_decref(req);
    req = json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)1000);
    json_decref(write_ok(app, LOY_OP_PURCHASE, "pend-1", req, NULL));
    json_decref(req);
    assert_int_equal(sfx_balances(&app->conn, a->member).pending, 10);
    int64_t ledger_a =
        sfx_qi(&app->conn, "SELECT count(*) FROM ledger WHERE member_id = ?", a->member);

    app->now = SFX_NOW + 2 * SFX_DAY; /* the pending points are due */
    json_t *r0 = json_pack("{s:I, s:I, s:I}", "member", (json_int_t)a->member, "amount",
                           (json_int_t)500, "tender_points", (json_int_t)1000);
    json_t *r1 = json_pack("{s:I, s:I}", "member", (json_int_t)b, "amount", (json_int_t)300);
    loy_write_item items[2];
    memset(items, 0, sizeof(items));
    items[0] = (loy_write_item){.op = LOY_OP_PURCHASE, .key = "tender-big", .req = r0};
    items[1] = (loy_write_item){.op = LOY_OP_PURCHASE, .key = "other-ok", .req = r1};
    assert_int_equal(loy_app_write_batch(app, items, 2, &err), 0);
    assert_int_equal(items[0].rc, LOY_EREFUSED);
    assert_string_equal(items[0].err.field, "tender_points");
    assert_null(items[0].resp);
    assert_int_equal(items[1].rc, 0);
    json_decref(items[1].resp);

    assert_int_equal(
        sfx_qi(&app->conn, "SELECT count(*) FROM ledger WHERE member_id = ?", a->member), ledger_a);
    sfx_bal ba = sfx_balances(&app->conn, a->member);
    assert_int_equal(ba.pending, 10);
    assert_int_equal(ba.points, 0);
    assert_int_equal(sfx_balances(&app->conn, b).pending, 3);
    assert_int_equal(purchases(app), 2);
    assert_int_equal(sfx_verify(&app->conn, NULL, 0), 0);
    json_decref(r0);
    json_decref(r1);
}

static void test_two_handles_spend_last_points(void **state)
{
    afx *a = *state;
    loy_err err;
    loy_app *one = a->app;
    loy_app *two = open_app(a->path);
    assert_int_equal(two->merchant, one->merchant);

    json_t *buy =
        json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)10000);
    json_decref(write_ok(one, LOY_OP_PURCHASE, "buy-100", buy, NULL));
    assert_int_equal(sfx_balances(&two->conn, a->member).points, 100);

    json_t *red = json_pack("{s:I, s:s}", "member", (json_int_t)a->member, "reward", "r100");
    json_t *v = write_ok(one, LOY_OP_REDEEM, "redeem-one", red, NULL);
    assert_non_null(json_object_get(v, "voucher"));
    json_t *resp = NULL;
    bool rep = false;
    assert_int_equal(loy_app_write(two, LOY_OP_REDEEM, "redeem-two", red, &resp, &rep, &err),
                     LOY_EREFUSED);
    assert_null(resp);

    assert_int_equal(sfx_balances(&one->conn, a->member).points, 0);
    assert_int_equal(sfx_q(&two->conn, "SELECT count(*) FROM vouchers"), 1);
    assert_int_equal(sfx_q(&two->conn, "SELECT count(*) FROM ledger WHERE kind = 'redeem'"), 1);
    assert_int_equal(sfx_verify(&two->conn, NULL, 0), 0);
    loy_app_close(two);
    json_decref(v);
    json_decref(red);
    json_decref(buy);
}

typedef struct {
    const char *path;
    int64_t member;
    int idx;
    int rc;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    loy_app *app = NULL;
    loy_err err;
    r->rc = loy_app_open(&app, r->path, NULL, &err);
    if (r->rc) return NULL;
    app->now = SFX_NOW;
    char key[32];
    snprintf(key, sizeof(key), "race-%d", r->idx);
    json_t *red = json_pack("{s:I, s:s}", "member", (json_int_t)r->member, "reward", "r100");
    json_t *resp = NULL;
    bool rep = false;
    r->rc = loy_app_write(app, LOY_OP_REDEEM, key, red, &resp, &rep, &err);
    json_decref(resp);
    json_decref(red);
    loy_app_close(app);
    return NULL;
}

static void test_concurrent_handles_spend_once(void **state)
{
    afx *a = *state;
    enum { N = 8 };
    json_t *buy =
        json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)10000);
    json_decref(write_ok(a->app, LOY_OP_PURCHASE, "buy-100", buy, NULL));
    json_decref(buy);
    pthread_t th[N];
    racer rs[N];
    for (int i = 0; i < N; i++) {
        rs[i] = (racer){a->path, a->member, i, 99};
        assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
    }
    int ok = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        if (rs[i].rc == 0)
            ok++;
        else if (rs[i].rc == LOY_EREFUSED)
            refused++;
        else
            fail_msg("racer %d: rc %d", i, rs[i].rc);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(refused, N - 1);
    assert_int_equal(sfx_balances(&a->app->conn, a->member).points, 0);
    assert_int_equal(sfx_q(&a->app->conn, "SELECT count(*) FROM vouchers"), 1);
    assert_int_equal(sfx_verify(&a->app->conn, NULL, 0), 0);
}

static void test_voucher_used_once_via_app(void **state)
{
    afx *a = *state;
    loy_app *app = a->app;
    loy_err err;
    json_t *buy =
        json_pack("{s:I, s:I}", "member", (json_int_t)a->member, "amount", (json_int_t)10000);
    json_decref(write_ok(app, LOY_OP_PURCHASE, "buy-100", buy, NULL));
    json_t *red = json_pack("{s:I, s:s}", "member", (json_int_t)a->member, "reward", "r100");
    json_t *v = write_ok(app, LOY_OP_REDEEM, "redeem-1", red, NULL);
    const char *sc =
        json_string_value(json_object_get(json_object_get(v, "voucher"), "short_code"));
    assert_non_null(sc);
    char lower[16];
    size_t i = 0;
    for (; sc[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char)(sc[i] >= 'A' && sc[i] <= 'Z' ? sc[i] + 32 : sc[i]);
    lower[i] = '\0';

    json_t *use = json_pack("{s:s}", "code", lower);
    bool rep = true;
    json_t *used = write_ok(app, LOY_OP_VOUCHER_USE, "use-1", use, &rep);
    assert_false(rep);
    assert_true(json_is_string(json_object_get(json_object_get(used, "voucher"), "used_at")));
    json_t *resp = NULL;
    assert_int_equal(loy_app_write(app, LOY_OP_VOUCHER_USE, "use-2", use, &resp, &rep, &err),
                     LOY_ECONFLICT);
    assert_null(resp);
    json_t *replay = write_ok(app, LOY_OP_VOUCHER_USE, "use-1", use, &rep);
    assert_true(rep);
    assert_same_json(used, replay);
    assert_int_equal(sfx_q(&app->conn, "SELECT count(*) FROM vouchers WHERE used_at IS NOT NULL"),
                     1);
    json_decref(replay);
    json_decref(used);
    json_decref(use);
    json_decref(v);
    json_decref(red);
    json_decref(buy);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_same_key_replays),
        T(test_same_key_other_body_mismatch),
        T(test_bad_input_leaves_no_key),
        T(test_batch_one_invalid_item),
        T(test_batch_failed_commit_undoes_all),
        T(test_batch_failed_item_undoes_its_writes),
        T(test_two_handles_spend_last_points),
        T(test_concurrent_handles_spend_once),
        T(test_voucher_used_once_via_app),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
