/* Store contract suite: the invariant check (loy_store_verify, behind `loyalty db verify`). A
 * database with every kind of row is clean; then each test corrupts one invariant on purpose and
 * expects exactly that violation to be reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/db.h"
#include "store/store.h"
#include "store_fixture.h"

typedef struct {
    sfx *f;
    int64_t a, b;                     /* members: a has everything, b is in debt */
    int64_t lot, stamp_lot, pend_lot; /* lots of a */
    int64_t purchase, refund;
    int64_t voucher;
} rich;

static void apply_ok(sfx *f, int64_t member, const sfx_out *so, const char *ref_type,
                     int64_t ref_id, bool debt, int64_t **ids)
{
    loy_err err;
    int rc = sfx_apply(f, member, so, ref_type, ref_id, debt, ids, &err);
    if (rc) fail_msg("apply %s %lld: %s", ref_type, (long long)ref_id, err.message);
}

static void run_ok(sfx *f, int rc, const loy_err *err)
{
    if (rc) {
        loy_db_rollback(&f->c);
        fail_msg("setup: %s", err->message);
    }
}

static int setup(void **state)
{
    sfx_setup(state);
    rich *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    sfx *f = r->f = *state;
    loy_err err;
    int64_t *ids = NULL;
    sfx_out so;
    r->a = sfx_member(f, f->merchant, "Ada", "+60120000001", "ada@example.com");
    r->b = sfx_member(f, f->merchant, "Bea", NULL, NULL);

    /* a purchase that earned points, stamps, giving and pending points */
    loy_purchase_row p;
    memset(&p, 0, sizeof(p));
    p.merchant_id = f->merchant;
    p.member_id = r->a;
    p.amount = p.cash = 1000;
    snprintf(p.currency, sizeof(p.currency), "MYR");
    p.occurred_at = p.recorded_at = SFX_NOW;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    run_ok(f, loy_store_purchase_insert(&f->c, &p, NULL, "test", &err), &err);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    r->purchase = p.id;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_EARN, 3, LOY_LOT_NEW, "stamps-0");
    sfx_add(&so, LOY_ACC_GIVING, LOY_ENTRY_EARN, 10, LOY_LOT_NONE, "giving");
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_EARN, 20, LOY_LOT_NEW, "quiet");
    apply_ok(f, r->a, &so, "purchase", r->purchase, false, &ids);
    r->lot = ids[0];
    r->stamp_lot = ids[1];
    r->pend_lot = ids[3];
    free(ids);

    /* activation, a redemption with its voucher and stock, a partial refund */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_ACTIVATE, -20, r->pend_lot, "");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ACTIVATE, 20, r->pend_lot, "");
    apply_ok(f, r->a, &so, "job", 0, false, NULL);
    loy_voucher_row v;
    memset(&v, 0, sizeof(v));
    v.merchant_id = f->merchant;
    v.member_id = r->a;
    snprintf(v.reward, sizeof(v.reward), "cake");
    snprintf(v.code, sizeof(v.code), "VERIFYCODEABCDEFGHJKMNPQRS");
    snprintf(v.short_code, sizeof(v.short_code), "VERI-FYCO");
    v.issued_at = SFX_NOW;
    v.expires_at = SFX_NOW + 30 * SFX_DAY;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    run_ok(f, loy_store_stock_take(&f->c, f->merchant, "cake", 5, &err), &err);
    run_ok(f, loy_store_voucher_insert(&f->c, &v, &err), &err);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    r->voucher = v.id;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -30, r->lot, "cake");
    apply_ok(f, r->a, &so, "redemption", r->voucher, false, NULL);

    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    run_ok(f,
           loy_store_refund_insert(&f->c, f->merchant, r->purchase, 400, "damaged", "test", SFX_NOW,
                                   &r->refund, &err),
           &err);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -40, r->lot, "base");
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_REVERSE, -1, r->stamp_lot, "stamps-0");
    sfx_add(&so, LOY_ACC_GIVING, LOY_ENTRY_REVERSE, -4, LOY_LOT_NONE, "giving");
    apply_ok(f, r->a, &so, "refund", r->refund, false, NULL);

    /* an idempotency record of the purchase; b in debt */
    char resp[96];
    snprintf(resp, sizeof(resp), "{\"purchase\":{\"id\":%lld}}", (long long)r->purchase);
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    run_ok(f,
           loy_store_idem_put(&f->c, f->merchant, "key-1",
                              "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                              200, resp, SFX_NOW, &err),
           &err);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -5, LOY_LOT_NONE, "base");
    apply_ok(f, r->b, &so, "refund", 999, true, NULL);

    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rich *r = *state;
    void *fs = r->f;
    free(r);
    return sfx_teardown(&fs);
}

static void expect_one(rich *r, const char *what, int64_t id)
{
    char lines[4096], want[256];
    int64_t n = sfx_verify(&r->f->c, lines, sizeof(lines));
    snprintf(want, sizeof(want), "%s: #%lld ", what, (long long)id);
    if (n != 1 || !strstr(lines, want))
        fail_msg("expected one violation \"%s...\", got %lld:\n%s", want, (long long)n, lines);
}

static void test_clean_database_has_no_violations(void **state)
{
    rich *r = *state;
    char lines[4096];
    int64_t n = sfx_verify(&r->f->c, lines, sizeof(lines));
    if (n != 0) fail_msg("%lld violations in a clean database:\n%s", (long long)n, lines);
    /* and it is the database described above */
    sfx_bal a = sfx_balances(&r->f->c, r->a);
    assert_int_equal(a.points, 50);
    assert_int_equal(a.stamps, 2);
    assert_int_equal(a.giving, 6);
    assert_int_equal(a.pending, 0);
    assert_int_equal(sfx_balances(&r->f->c, r->b).points, -5);
    assert_int_equal(sfx_lot_remaining(&r->f->c, r->lot), 30);
    assert_int_equal(sfx_lot_remaining(&r->f->c, r->pend_lot), 20);
}

static void test_balance_differs_from_ledger(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE balances SET points = points + 1 WHERE member_id = ?", "i",
                                r->a),
                     0);
    expect_one(r, "balance differs from the sum of its ledger", r->a);
}

static void test_balance_differs_in_each_account(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE balances SET stamps = stamps + 1 WHERE member_id = ?", "i",
                                r->a),
                     0);
    expect_one(r, "balance differs from the sum of its ledger", r->a);
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE balances SET stamps = stamps - 1, giving = giving + 2 "
                                "WHERE member_id = ?",
                                "i", r->a),
                     0);
    expect_one(r, "balance differs from the sum of its ledger", r->a);
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE balances SET giving = giving - 2, pending = 3 "
                                "WHERE member_id = ?",
                                "i", r->a),
                     0);
    expect_one(r, "balance differs from the sum of its ledger", r->a);
    /* the member in debt too */
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE balances SET pending = 0 WHERE member_id = ?", "i", r->a),
                     0);
    assert_int_equal(
        loy_db_run(&r->f->c, &err, "UPDATE balances SET points = 0 WHERE member_id = ?", "i", r->b),
        0);
    expect_one(r, "balance differs from the sum of its ledger", r->b);
}

static void test_balance_below_floor(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE balances SET points_floor = points + 1 WHERE member_id = ?",
                                "i", r->a),
                     0);
    expect_one(r, "balance below its floor", r->a);
}

static void test_lot_remaining_differs(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE lots SET remaining = remaining - 1 WHERE id = ?", "i",
                                r->lot),
                     0);
    expect_one(r, "lot remaining differs from the sum of its ledger entries", r->lot);
}

static void test_activated_lot_remaining_differs(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE lots SET remaining = remaining + 5 WHERE id = ?", "i",
                                r->pend_lot),
                     0);
    expect_one(r, "lot remaining differs from the sum of its ledger entries", r->pend_lot);
}

static void test_lot_row_missing(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err, "DELETE FROM lots WHERE id = ?", "i", r->stamp_lot),
                     0);
    char lines[4096];
    int64_t n = sfx_verify(&r->f->c, lines, sizeof(lines));
    int64_t entries =
        sfx_qi(&r->f->c, "SELECT count(*) FROM ledger WHERE lot = ?", r->stamp_lot); /* 2 */
    assert_int_equal(entries, 2);
    if (n != entries)
        fail_msg("expected %lld violations, got %lld:\n%s", (long long)entries, (long long)n,
                 lines);
    for (char *l = lines; *l; l = strchr(l, '\n') + 1)
        if (strncmp(l, "lot entry without a lot row: ", 29) != 0) fail_msg("unexpected: %s", l);
}

static void test_purchase_refunded_differs(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE purchases SET refunded = refunded + 1 WHERE id = ?", "i",
                                r->purchase),
                     0);
    expect_one(r, "purchase refunded total differs from its refunds", r->purchase);
}

static void test_purchase_refunds_without_total(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "INSERT INTO refunds(merchant_id, purchase_id, amount, created_at, "
                                "actor) VALUES (?, ?, 100, 0, 'x')",
                                "ii", r->f->merchant, r->purchase),
                     0);
    expect_one(r, "purchase refunded total differs from its refunds", r->purchase);
}

static void test_earn_recorded_twice(void **state)
{
    rich *r = *state;
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    apply_ok(r->f, r->a, &so, "purchase", r->purchase, false, NULL);
    expect_one(r, "idempotency key with more than one effect", r->purchase);
}

static void test_idempotency_record_without_effect(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_begin(&r->f->c, true, &err), 0);
    assert_int_equal(
        loy_store_idem_put(&r->f->c, r->f->merchant, "key-2",
                           "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
                           "eeee",
                           200, "{\"purchase\":{\"id\":987654}}", SFX_NOW, &err),
        0);
    assert_int_equal(loy_db_commit(&r->f->c, &err), 0);
    char lines[4096];
    int64_t n = sfx_verify(&r->f->c, lines, sizeof(lines));
    if (n != 1 || !strstr(lines, "idempotency record without its effect: ") ||
        !strstr(lines, "key-2"))
        fail_msg("expected the record key-2, got %lld:\n%s", (long long)n, lines);
}

static void test_stock_differs_from_vouchers(void **state)
{
    rich *r = *state;
    loy_err err;
    assert_int_equal(loy_db_run(&r->f->c, &err,
                                "UPDATE reward_stock SET issued = issued + 1 WHERE reward_id = "
                                "'cake'",
                                ""),
                     0);
    char lines[4096];
    int64_t n = sfx_verify(&r->f->c, lines, sizeof(lines));
    if (n != 1 || !strstr(lines, "voucher used twice or stock over its limit: ") ||
        !strstr(lines, "reward cake issued 2 vouchers 1"))
        fail_msg("expected the stock of cake, got %lld:\n%s", (long long)n, lines);
}

static void test_integrity_check_reported(void **state)
{
    rich *r = *state;
    sfx *f = r->f;
    if (strcmp(f->c.drv->name, "sqlite") != 0) skip();
    /* SQLite only: make an index disagree with its table behind the library's back */
    loy_conn_close(&f->c);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h,
                          "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = "
                          "'CREATE INDEX ledger_member ON ledger(amount, id)' "
                          "WHERE name = 'ledger_member'; PRAGMA writable_schema = OFF;",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("corrupt: %s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_close(h);
    loy_err err;
    rc = loy_conn_open(&f->c, f->path, NULL, &err);
    if (rc) fail_msg("reopen: %s", err.message);
    char lines[4096];
    int64_t n = sfx_verify(&f->c, lines, sizeof(lines));
    if (n < 1 || !strstr(lines, "integrity_check: "))
        fail_msg("expected integrity_check violations, got %lld:\n%s", (long long)n, lines);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_clean_database_has_no_violations),
        T(test_balance_differs_from_ledger),
        T(test_balance_differs_in_each_account),
        T(test_balance_below_floor),
        T(test_lot_remaining_differs),
        T(test_activated_lot_remaining_differs),
        T(test_lot_row_missing),
        T(test_purchase_refunded_differs),
        T(test_purchase_refunds_without_total),
        T(test_earn_recorded_twice),
        T(test_idempotency_record_without_effect),
        T(test_stock_differs_from_vouchers),
        T(test_integrity_check_reported),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
