/* Store contract suite on a real database file: migrations, the append-only ledger, applying
 * outcomes (lots, floors, debt, activation, tiers), idempotency records, purchases and refunds,
 * vouchers and stock, members. Written against store.h / db.h only, so that the same suite can run
 * on every driver. Invariant checks (loy_store_verify) are in test_store_verify.c, use cases in
 * test_store_app.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "store/db.h"
#include "store/store.h"
#include "store_fixture.h"
#include "util/fold.h"

/* ---------------------------------------------------------------- migrations */

static int64_t migration_files(const char *driver)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "sql/%s", driver);
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot list %s (tests run from the repository root)", dir);
    int64_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0) n++;
    }
    closedir(d);
    return n;
}

static const char *const schema_tables[] = {
    "SELECT count(*) FROM merchants",    "SELECT count(*) FROM programmes",
    "SELECT count(*) FROM locations",    "SELECT count(*) FROM members",
    "SELECT count(*) FROM balances",     "SELECT count(*) FROM ledger",
    "SELECT count(*) FROM lots",         "SELECT count(*) FROM purchases",
    "SELECT count(*) FROM refunds",      "SELECT count(*) FROM vouchers",
    "SELECT count(*) FROM reward_stock", "SELECT count(*) FROM idempotency",
    "SELECT count(*) FROM tier_changes", "SELECT count(*) FROM outbox",
    "SELECT count(*) FROM audit",
};

static void test_migrations_create_schema(void **state)
{
    (void)state;
    char path[512];
    loy_conn c;
    loy_err err;
    sfx_new_target(path, sizeof(path), "mig");
    int rc = loy_conn_open(&c, path, NULL, &err);
    if (rc) fail_msg("open: %s", err.message);
    for (size_t i = 0; i < sizeof(schema_tables) / sizeof(schema_tables[0]); i++)
        assert_int_equal(sfx_q(&c, schema_tables[i]), 0);
    assert_int_equal(sfx_q(&c, "SELECT count(*) FROM schema_migrations WHERE name LIKE '0001%'"),
                     1);
    assert_int_equal(sfx_q(&c, "SELECT count(*) FROM schema_migrations"),
                     migration_files(c.drv->name));
    assert_int_equal(sfx_q(&c, "SELECT count(*) FROM schema_migrations WHERE applied_at <= 0"), 0);
    loy_conn_close(&c);
    sfx_remove_target(path);
}

static void test_migrations_reopen_is_noop(void **state)
{
    (void)state;
    char path[512];
    loy_conn c;
    loy_err err;
    sfx_new_target(path, sizeof(path), "reopen");
    assert_int_equal(loy_conn_open(&c, path, NULL, &err), 0);
    int64_t applied = sfx_q(&c, "SELECT applied_at FROM schema_migrations WHERE name LIKE '0001%'");
    int64_t n = sfx_q(&c, "SELECT count(*) FROM schema_migrations");
    assert_int_equal(loy_db_begin(&c, true, &err), 0);
    assert_int_equal(loy_db_run(&c, &err,
                                "INSERT INTO merchants(name, currency, timezone, locale, "
                                "created_at) VALUES ('Kept', 'MYR', 'UTC', 'en', 1)",
                                ""),
                     0);
    assert_int_equal(loy_db_commit(&c, &err), 0);
    loy_conn_close(&c);

    /* a later clock: a migration applied again would record another time */
    setenv("LOYALTY_NOW", "2031-01-01T00:00:00Z", 1);
    for (int round = 0; round < 2; round++) {
        int rc = loy_conn_open(&c, path, NULL, &err);
        if (rc) fail_msg("reopen %d: %s", round, err.message);
        assert_int_equal(sfx_q(&c, "SELECT count(*) FROM schema_migrations"), n);
        assert_int_equal(
            sfx_q(&c, "SELECT applied_at FROM schema_migrations WHERE name LIKE '0001%'"), applied);
        assert_int_equal(sfx_q(&c, "SELECT count(*) FROM merchants WHERE name = 'Kept'"), 1);
        loy_conn_close(&c);
    }
    unsetenv("LOYALTY_NOW");

    loy_db_opts ro = {.readonly = true};
    assert_int_equal(loy_conn_open(&c, path, &ro, &err), 0);
    assert_int_equal(sfx_q(&c, "SELECT count(*) FROM merchants"), 1);
    loy_conn_close(&c);
    sfx_remove_target(path);
}

/* ---------------------------------------------------------------- ledger */

static void test_ledger_is_append_only(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Ledger Lee", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    sfx_add(&so, LOY_ACC_GIVING, LOY_ENTRY_EARN, 7, LOY_LOT_NONE, "giving");
    int64_t *ids = NULL;
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 1, false, &ids, &err), 0);
    int64_t id = ids[0];
    free(ids);
    int64_t n = sfx_ledger_count(&f->c);
    assert_int_equal(n, 2);

    assert_true(loy_db_run(&f->c, &err, "UPDATE ledger SET amount = amount + 1", "") < 0);
    assert_true(loy_db_run(&f->c, &err, "UPDATE ledger SET amount = 5 WHERE id = ?", "i", id) < 0);
    assert_true(loy_db_run(&f->c, &err, "UPDATE ledger SET member_id = 0 WHERE id = ?", "i", id) <
                0);
    assert_true(loy_db_run(&f->c, &err, "DELETE FROM ledger WHERE id = ?", "i", id) < 0);
    assert_true(loy_db_run(&f->c, &err, "DELETE FROM ledger", "") < 0);
    /* inside a transaction too */
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_true(loy_db_run(&f->c, &err, "DELETE FROM ledger WHERE id = ?", "i", id) < 0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);

    assert_int_equal(sfx_ledger_count(&f->c), n);
    assert_int_equal(sfx_qi(&f->c, "SELECT amount FROM ledger WHERE id = ?", id), 100);
    assert_int_equal(sfx_qi(&f->c, "SELECT member_id FROM ledger WHERE id = ?", id), m);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

/* ---------------------------------------------------------------- loy_store_apply */

static void test_apply_new_lots(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Lot Lim", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    so.e[0].expires_at = SFX_NOW + 365 * SFX_DAY;
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_EARN, 3, LOY_LOT_NEW, "stamps-0");
    sfx_add(&so, LOY_ACC_GIVING, LOY_ENTRY_EARN, 50, LOY_LOT_NONE, "giving");
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_EARN, 40, LOY_LOT_NEW, "quiet");
    so.e[3].available_at = SFX_NOW + 14 * SFX_DAY;
    int64_t *ids = NULL;
    int rc = sfx_apply(f, m, &so, "purchase", 7, false, &ids, &err);
    if (rc) fail_msg("apply: %s", err.message);
    assert_non_null(ids);
    for (size_t i = 1; i < 4; i++) assert_true(ids[i] > ids[i - 1]);

    /* each entry is in the ledger under its id, with its lot */
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(sfx_qii(&f->c,
                                 "SELECT count(*) FROM ledger WHERE id = ? AND member_id = ? AND "
                                 "ref_type = 'purchase' AND ref_id = 7 AND created_at > 0",
                                 ids[i], m),
                         1);
    assert_int_equal(sfx_qi(&f->c, "SELECT lot FROM ledger WHERE id = ?", ids[0]), ids[0]);
    assert_int_equal(sfx_qi(&f->c, "SELECT lot FROM ledger WHERE id = ?", ids[1]), ids[1]);
    assert_int_equal(
        sfx_qi(&f->c, "SELECT count(*) FROM ledger WHERE id = ? AND lot IS NULL", ids[2]), 1);
    assert_int_equal(sfx_qi(&f->c, "SELECT lot FROM ledger WHERE id = ?", ids[3]), ids[3]);
    assert_int_equal(sfx_qi(&f->c, "SELECT amount FROM ledger WHERE id = ?", ids[2]), 50);

    /* lots: one per crediting lotted entry, none for giving */
    assert_int_equal(sfx_lot_remaining(&f->c, ids[0]), 100);
    assert_int_equal(sfx_lot_remaining(&f->c, ids[1]), 3);
    assert_int_equal(sfx_lot_remaining(&f->c, ids[2]), -1);
    assert_int_equal(sfx_lot_remaining(&f->c, ids[3]), 40);
    assert_int_equal(sfx_qii(&f->c,
                             "SELECT count(*) FROM lots WHERE id = ? AND member_id = ? AND "
                             "account = 'points'",
                             ids[0], m),
                     1);
    assert_int_equal(
        sfx_qi(&f->c, "SELECT count(*) FROM lots WHERE id = ? AND account = 'stamps'", ids[1]), 1);
    assert_int_equal(
        sfx_qi(&f->c, "SELECT count(*) FROM lots WHERE id = ? AND account = 'pending'", ids[3]), 1);
    assert_int_equal(sfx_qi(&f->c, "SELECT expires_at FROM lots WHERE id = ?", ids[0]),
                     SFX_NOW + 365 * SFX_DAY);
    assert_int_equal(sfx_qi(&f->c, "SELECT available_at FROM lots WHERE id = ?", ids[3]),
                     SFX_NOW + 14 * SFX_DAY);
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM lots WHERE member_id = ?", m), 3);

    sfx_bal b = sfx_balances(&f->c, m);
    assert_int_equal(b.points, 100);
    assert_int_equal(b.stamps, 3);
    assert_int_equal(b.giving, 50);
    assert_int_equal(b.pending, 40);

    /* the engine's view agrees */
    loy_member_row row;
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, m, &row, &err), 0);
    loy_member_state st;
    loy_lot *lots = NULL;
    assert_int_equal(
        loy_store_member_state(&f->c, f->merchant, &row, f->prog, SFX_NOW, &st, &lots, &err), 0);
    assert_int_equal(st.points, 100);
    assert_int_equal(st.pending, 40);
    assert_int_equal(st.nlots, 3);
    assert_int_equal(lots[0].id, ids[0]);
    assert_int_equal(lots[0].remaining, 100);
    assert_int_equal(lots[2].account, LOY_ACC_PENDING);
    free(lots);
    loy_member_row_free(&row);
    free(ids);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_lot_of_entry(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Entry Ee", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -30, LOY_LOT_OF_ENTRY(0), "r");
    int64_t *ids = NULL;
    int rc = sfx_apply(f, m, &so, "redemption", 1, false, &ids, &err);
    if (rc) fail_msg("apply: %s", err.message);
    assert_int_equal(sfx_qi(&f->c, "SELECT lot FROM ledger WHERE id = ?", ids[1]), ids[0]);
    assert_int_equal(sfx_lot_remaining(&f->c, ids[0]), 70);
    assert_int_equal(sfx_lot_remaining(&f->c, ids[1]), -1);
    assert_int_equal(sfx_balances(&f->c, m).points, 70);
    free(ids);

    /* a reference to a later entry of the outcome is refused and nothing is written */
    int64_t n = sfx_ledger_count(&f->c);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -10, LOY_LOT_OF_ENTRY(1), "r");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 10, LOY_LOT_NEW, "base");
    ids = (int64_t *)&n; /* must be reset to NULL on failure */
    assert_true(sfx_apply(f, m, &so, "redemption", 2, false, &ids, &err) < 0);
    assert_null(ids);
    assert_int_equal(sfx_ledger_count(&f->c), n);
    assert_int_equal(sfx_balances(&f->c, m).points, 70);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_debits_existing_lot(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Debit Dee", NULL, NULL);
    int64_t other = sfx_member(f, f->merchant, "Other Oh", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    int64_t *ids = NULL;
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 1, false, &ids, &err), 0);
    int64_t lot = ids[0];
    free(ids);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 50, LOY_LOT_NEW, "base");
    assert_int_equal(sfx_apply(f, other, &so, "purchase", 2, false, NULL, &err), 0);

    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -40, lot, "r");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 3, false, &ids, &err), 0);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 60);
    assert_int_equal(sfx_qi(&f->c, "SELECT lot FROM ledger WHERE id = ?", ids[0]), lot);
    assert_int_equal(sfx_qi(&f->c, "SELECT amount FROM ledger WHERE id = ?", ids[0]), -40);
    assert_int_equal(sfx_balances(&f->c, m).points, 60);
    free(ids);

    /* another member's lot, or the lot in another account, is not open to this debit */
    int64_t n = sfx_ledger_count(&f->c);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -10, lot, "r");
    assert_true(sfx_apply(f, other, &so, "redemption", 4, false, NULL, &err) < 0);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_REDEEM, -1, lot, "r");
    assert_true(sfx_apply(f, m, &so, "redemption", 5, false, NULL, &err) < 0);
    assert_int_equal(sfx_ledger_count(&f->c), n);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 60);
    assert_int_equal(sfx_balances(&f->c, other).points, 50);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_below_floor_refused(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Floor Flo", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_EARN, 2, LOY_LOT_NEW, "stamps-0");
    int64_t *ids = NULL;
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 1, false, &ids, &err), 0);
    int64_t lot = ids[0], slot = ids[1];
    free(ids);
    int64_t n = sfx_ledger_count(&f->c);
    int64_t nlots = sfx_q(&f->c, "SELECT count(*) FROM lots");

    /* from the lot: more than it holds */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -101, lot, "r");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 2, false, NULL, &err), LOY_EREFUSED);
    /* unlotted: below the balance floor */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ADJUST, -101, LOY_LOT_NONE, "");
    assert_int_equal(sfx_apply(f, m, &so, "adjustment", 3, false, NULL, &err), LOY_EREFUSED);
    /* a credit followed by a refused debit: the credit is rolled back with it */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 10, LOY_LOT_NEW, "base");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ADJUST, -200, LOY_LOT_NONE, "");
    assert_int_equal(sfx_apply(f, m, &so, "adjustment", 4, false, NULL, &err), LOY_EREFUSED);
    /* stamps never go below zero */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_REDEEM, -3, slot, "free-coffee");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 5, false, NULL, &err), LOY_EREFUSED);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_REDEEM, -3, LOY_LOT_NONE, "free-coffee");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 6, false, NULL, &err), LOY_EREFUSED);

    assert_int_equal(sfx_ledger_count(&f->c), n);
    assert_int_equal(sfx_q(&f->c, "SELECT count(*) FROM lots"), nlots);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 100);
    assert_int_equal(sfx_lot_remaining(&f->c, slot), 2);
    sfx_bal b = sfx_balances(&f->c, m);
    assert_int_equal(b.points, 100);
    assert_int_equal(b.stamps, 2);

    /* exactly down to the floor is allowed */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -100, lot, "r");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 7, false, NULL, &err), 0);
    assert_int_equal(sfx_balances(&f->c, m).points, 0);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 0);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_stale_state_refused(void **state)
{
    /* Two connections: the second decides on a balance read before the first spent it. The
     * atomic floor check must refuse the second debit. */
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Race Ray", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 100, LOY_LOT_NEW, "base");
    int64_t *ids = NULL;
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 1, false, &ids, &err), 0);
    int64_t lot = ids[0];
    free(ids);

    loy_conn c2;
    assert_int_equal(loy_conn_open(&c2, f->path, NULL, &err), 0);
    loy_member_row row;
    assert_int_equal(loy_store_member_get(&c2, f->merchant, LOY_BY_ID, NULL, m, &row, &err), 0);
    loy_member_state st;
    loy_lot *lots = NULL;
    assert_int_equal(
        loy_store_member_state(&c2, f->merchant, &row, f->prog, SFX_NOW, &st, &lots, &err), 0);
    assert_int_equal(st.points, 100);

    /* the first connection spends everything */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -100, lot, "r");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 2, false, NULL, &err), 0);

    /* the second acts on what it read: from the lot, then unlotted */
    loy_apply a = {"c2", NULL, "redemption", 3, SFX_NOW, false};
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -100, lots[0].id, "r");
    assert_int_equal(loy_db_begin(&c2, true, &err), 0);
    assert_int_equal(loy_store_apply(&c2, f->merchant, m, &so.o, &a, NULL, &err), LOY_EREFUSED);
    loy_db_rollback(&c2);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -100, LOY_LOT_NONE, "r");
    assert_int_equal(loy_db_begin(&c2, true, &err), 0);
    assert_int_equal(loy_store_apply(&c2, f->merchant, m, &so.o, &a, NULL, &err), LOY_EREFUSED);
    loy_db_rollback(&c2);
    free(lots);
    loy_member_row_free(&row);
    loy_conn_close(&c2);

    assert_int_equal(sfx_balances(&f->c, m).points, 0);
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM ledger WHERE member_id = ?", m), 2);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_allow_debt(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Debt Dan", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 30, LOY_LOT_NEW, "base");
    int64_t *ids = NULL;
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 1, false, &ids, &err), 0);
    int64_t lot = ids[0];
    free(ids);

    /* refund reversal beyond the balance: refused without debt ... */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -30, lot, "base");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -20, LOY_LOT_NONE, "base");
    assert_int_equal(sfx_apply(f, m, &so, "refund", 1, false, NULL, &err), LOY_EREFUSED);
    assert_int_equal(sfx_balances(&f->c, m).points, 30);
    /* ... and goes negative with it */
    int rc = sfx_apply(f, m, &so, "refund", 1, true, NULL, &err);
    if (rc) fail_msg("apply with debt: %s", err.message);
    assert_int_equal(sfx_balances(&f->c, m).points, -20);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 0);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);

    /* more debt is allowed only when asked for */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ADJUST, -1, LOY_LOT_NONE, "");
    assert_int_equal(sfx_apply(f, m, &so, "adjustment", 2, false, NULL, &err), LOY_EREFUSED);
    assert_int_equal(sfx_balances(&f->c, m).points, -20);
    assert_int_equal(sfx_apply(f, m, &so, "adjustment", 3, true, NULL, &err), 0);
    assert_int_equal(sfx_balances(&f->c, m).points, -21);

    /* later earnings settle the debt */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_SETTLE, 21, LOY_LOT_NONE, "base");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 9, LOY_LOT_NEW, "base");
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 4, true, NULL, &err), 0);
    assert_int_equal(sfx_balances(&f->c, m).points, 9);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_activation_moves_lot(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Pending Pat", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_EARN, 80, LOY_LOT_NEW, "base");
    so.e[0].available_at = SFX_NOW;
    int64_t *ids = NULL;
    assert_int_equal(sfx_apply(f, m, &so, "purchase", 1, false, &ids, &err), 0);
    int64_t lot = ids[0];
    free(ids);
    assert_int_equal(sfx_balances(&f->c, m).pending, 80);

    /* what engine housekeeping emits: pending out of the lot, points into the same lot */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_ACTIVATE, -80, lot, "");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ACTIVATE, 80, lot, "");
    int rc = sfx_apply(f, m, &so, "job", 0, false, NULL, &err);
    if (rc) fail_msg("activation: %s", err.message);
    assert_int_equal(
        sfx_qi(&f->c, "SELECT count(*) FROM lots WHERE id = ? AND account = 'points'", lot), 1);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 80);
    sfx_bal b = sfx_balances(&f->c, m);
    assert_int_equal(b.pending, 0);
    assert_int_equal(b.points, 80);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);

    /* the activated lot is now spent as points */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REDEEM, -30, lot, "r");
    assert_int_equal(sfx_apply(f, m, &so, "redemption", 1, false, NULL, &err), 0);
    assert_int_equal(sfx_lot_remaining(&f->c, lot), 50);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_REVERSE, -1, lot, "base");
    assert_true(sfx_apply(f, m, &so, "refund", 1, false, NULL, &err) < 0);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static void test_apply_tier_change(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Tier Tia", NULL, NULL);
    sfx_out so;
    sfx_out_init(&so);
    so.o.tier_changed = true;
    snprintf(so.o.tier_before, sizeof(so.o.tier_before), "silver");
    snprintf(so.o.tier_after, sizeof(so.o.tier_after), "gold");
    int rc = sfx_apply(f, m, &so, "purchase", 9, false, NULL, &err);
    if (rc) fail_msg("apply: %s", err.message);
    loy_member_row row;
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, m, &row, &err), 0);
    assert_string_equal(row.tier, "gold");
    assert_int_equal(row.tier_since, SFX_NOW);
    assert_int_equal(row.below_since, 0);
    loy_member_row_free(&row);
    assert_int_equal(sfx_qi(&f->c,
                            "SELECT count(*) FROM tier_changes WHERE member_id = ? AND "
                            "from_tier = 'silver' AND to_tier = 'gold' AND reason = 'purchase'",
                            m),
                     1);
    assert_int_equal(sfx_qi(&f->c, "SELECT at FROM tier_changes WHERE member_id = ?", m), SFX_NOW);
    assert_int_equal(sfx_qi(&f->c, "SELECT merchant_id FROM tier_changes WHERE member_id = ?", m),
                     f->merchant);

    /* review bookkeeping without a tier change */
    sfx_out_init(&so);
    so.o.below_since_changed = true;
    so.o.below_since_after = SFX_NOW - SFX_DAY;
    so.o.reviewed = true;
    so.o.birthday_bonus_year = 2026;
    so.o.anniversary_bonus_year = 2025;
    assert_int_equal(sfx_apply(f, m, &so, "job", 0, false, NULL, &err), 0);
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, m, &row, &err), 0);
    assert_string_equal(row.tier, "gold");
    assert_int_equal(row.below_since, SFX_NOW - SFX_DAY);
    assert_int_equal(row.last_review_at, SFX_NOW);
    assert_int_equal(row.last_birthday_bonus_year, 2026);
    assert_int_equal(row.last_anniversary_bonus_year, 2025);
    loy_member_row_free(&row);
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM tier_changes WHERE member_id = ?", m), 1);

    /* a refused outcome leaves the tier alone */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ADJUST, -5, LOY_LOT_NONE, "");
    so.o.tier_changed = true;
    snprintf(so.o.tier_before, sizeof(so.o.tier_before), "gold");
    snprintf(so.o.tier_after, sizeof(so.o.tier_after), "silver");
    assert_int_equal(sfx_apply(f, m, &so, "adjustment", 1, false, NULL, &err), LOY_EREFUSED);
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, m, &row, &err), 0);
    assert_string_equal(row.tier, "gold");
    loy_member_row_free(&row);
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM tier_changes WHERE member_id = ?", m), 1);
}

/* ---------------------------------------------------------------- idempotency */

static void test_idem_round_trip_and_duplicate(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t other = sfx_merchant(f, "Other Shop");
    const char *fp1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *fp2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    loy_idem_row r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "k-1", &r, &err), LOY_ENOTFOUND);

    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_idem_put(&f->c, f->merchant, "k-1", fp1, 201,
                                        "{\"purchase\":{\"id\":1},\"text\":\"Zoltán\"}", SFX_NOW,
                                        &err),
                     0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);

    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "k-1", &r, &err), 0);
    assert_string_equal(r.fingerprint, fp1);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.response, "{\"purchase\":{\"id\":1},\"text\":\"Zoltán\"}");
    free(r.response);
    r.response = NULL;

    /* the same key again: a conflict, the first record stays */
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_idem_put(&f->c, f->merchant, "k-1", fp2, 200, "{}", SFX_NOW, &err),
                     LOY_ECONFLICT);
    loy_db_rollback(&f->c);
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "k-1", &r, &err), 0);
    assert_string_equal(r.fingerprint, fp1);
    assert_int_equal(r.status, 201);
    free(r.response);
    r.response = NULL;

    /* keys are scoped per merchant */
    assert_int_equal(loy_store_idem_get(&f->c, other, "k-1", &r, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_idem_put(&f->c, other, "k-1", fp2, 200, "{}", SFX_NOW, &err), 0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_int_equal(loy_store_idem_get(&f->c, other, "k-1", &r, &err), 0);
    assert_string_equal(r.fingerprint, fp2);
    free(r.response);
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "k-1", &r, &err), 0);
    assert_string_equal(r.fingerprint, fp1);
    free(r.response);
    /* keys are exact: case matters */
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "K-1", &r, &err), LOY_ENOTFOUND);
}

static void test_idem_prune_by_age(void **state)
{
    sfx *f = *state;
    loy_err err;
    const char *fp = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    int64_t cutoff = SFX_NOW - 7 * SFX_DAY;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(
        loy_store_idem_put(&f->c, f->merchant, "old-1", fp, 200, "{}", cutoff - 3 * SFX_DAY, &err),
        0);
    assert_int_equal(
        loy_store_idem_put(&f->c, f->merchant, "old-2", fp, 200, "{}", cutoff - 1, &err), 0);
    assert_int_equal(loy_store_idem_put(&f->c, f->merchant, "edge", fp, 200, "{}", cutoff, &err),
                     0);
    assert_int_equal(loy_store_idem_put(&f->c, f->merchant, "new", fp, 200, "{}", SFX_NOW, &err),
                     0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);

    int64_t n = -1;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_idem_prune(&f->c, cutoff, &n, &err), 0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_int_equal(n, 2);
    loy_idem_row r;
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "old-1", &r, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "old-2", &r, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "edge", &r, &err), 0);
    free(r.response);
    assert_int_equal(loy_store_idem_get(&f->c, f->merchant, "new", &r, &err), 0);
    free(r.response);

    /* nothing left to prune: 0 */
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_idem_prune(&f->c, cutoff, &n, &err), 0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(sfx_q(&f->c, "SELECT count(*) FROM idempotency"), 2);
}

/* ---------------------------------------------------------------- purchases and refunds */

static int64_t insert_purchase(sfx *f, int64_t member, int64_t amount, int64_t at)
{
    loy_err err;
    loy_purchase_row p;
    memset(&p, 0, sizeof(p));
    p.merchant_id = f->merchant;
    p.member_id = member;
    p.amount = amount;
    p.cash = amount;
    snprintf(p.currency, sizeof(p.currency), "MYR");
    p.occurred_at = at;
    p.recorded_at = SFX_NOW;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    int rc = loy_store_purchase_insert(&f->c, &p, NULL, "test", &err);
    if (rc) fail_msg("purchase_insert: %s", err.message);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_true(p.id > 0);
    return p.id;
}

static int refund(sfx *f, int64_t purchase, int64_t amount, int64_t *id, loy_err *err)
{
    int rc = loy_db_begin(&f->c, true, err);
    if (rc) return rc;
    rc = loy_store_refund_insert(&f->c, f->merchant, purchase, amount, "test", "test", SFX_NOW, id,
                                 err);
    if (!rc) rc = loy_db_commit(&f->c, err);
    if (rc) loy_db_rollback(&f->c);
    return rc;
}

static void test_purchase_insert_and_get(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Buyer Bo", NULL, NULL);
    loy_purchase_row p;
    memset(&p, 0, sizeof(p));
    p.merchant_id = f->merchant;
    p.member_id = m;
    p.amount = 2550;
    p.tender_points = 300;
    p.cash = 2250;
    snprintf(p.currency, sizeof(p.currency), "MYR");
    snprintf(p.location, sizeof(p.location), "BSR");
    snprintf(p.reference, sizeof(p.reference), "POS-0001");
    p.occurred_at = SFX_NOW - 3600;
    p.recorded_at = SFX_NOW;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_purchase_insert(&f->c, &p, "[]", "test", &err), 0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    loy_purchase_row g;
    assert_int_equal(loy_store_purchase_get(&f->c, f->merchant, p.id, &g, &err), 0);
    assert_int_equal(g.id, p.id);
    assert_int_equal(g.member_id, m);
    assert_int_equal(g.amount, 2550);
    assert_int_equal(g.tender_points, 300);
    assert_int_equal(g.cash, 2250);
    assert_int_equal(g.refunded, 0);
    assert_string_equal(g.currency, "MYR");
    assert_string_equal(g.location, "BSR");
    assert_string_equal(g.reference, "POS-0001");
    assert_int_equal(g.occurred_at, SFX_NOW - 3600);
    assert_int_equal(g.recorded_at, SFX_NOW);
    /* the member's purchase statistics follow */
    loy_member_row row;
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, m, &row, &err), 0);
    assert_int_equal(row.purchases, 1);
    assert_int_equal(row.first_purchase_at, SFX_NOW - 3600);
    assert_int_equal(row.last_activity_at, SFX_NOW - 3600);
    loy_member_row_free(&row);
    /* another merchant cannot see it */
    int64_t other = sfx_merchant(f, "Other");
    assert_int_equal(loy_store_purchase_get(&f->c, other, p.id, &g, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_store_purchase_get(&f->c, f->merchant, p.id + 100, &g, &err),
                     LOY_ENOTFOUND);
}

static void test_refund_beyond_amount_conflict(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Refund Rita", NULL, NULL);
    int64_t p = insert_purchase(f, m, 1000, SFX_NOW);
    int64_t r1 = 0, r2 = 0, r3 = 0;
    assert_int_equal(refund(f, p, 600, &r1, &err), 0);
    assert_true(r1 > 0);
    loy_purchase_row g;
    assert_int_equal(loy_store_purchase_get(&f->c, f->merchant, p, &g, &err), 0);
    assert_int_equal(g.refunded, 600);

    assert_int_equal(refund(f, p, 401, &r2, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "amount");
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM refunds WHERE purchase_id = ?", p), 1);
    assert_int_equal(loy_store_purchase_get(&f->c, f->merchant, p, &g, &err), 0);
    assert_int_equal(g.refunded, 600);

    assert_int_equal(refund(f, p, 400, &r2, &err), 0);
    assert_true(r2 > r1);
    assert_int_equal(refund(f, p, 1, &r3, &err), LOY_ECONFLICT);
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM refunds WHERE purchase_id = ?", p), 2);
    assert_int_equal(sfx_qi(&f->c, "SELECT sum(amount) FROM refunds WHERE purchase_id = ?", p),
                     1000);
    assert_int_equal(loy_store_purchase_get(&f->c, f->merchant, p, &g, &err), 0);
    assert_int_equal(g.refunded, 1000);

    /* another merchant cannot refund it */
    int64_t other = sfx_merchant(f, "Other");
    int64_t p2 = insert_purchase(f, m, 500, SFX_NOW);
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_true(loy_store_refund_insert(&f->c, other, p2, 100, NULL, "x", SFX_NOW, &r3, &err) < 0);
    loy_db_rollback(&f->c);
    assert_int_equal(sfx_qi(&f->c, "SELECT count(*) FROM refunds WHERE purchase_id = ?", p2), 0);
    assert_int_equal(sfx_qi(&f->c, "SELECT refunded FROM purchases WHERE id = ?", p2), 0);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

static const loy_earned *find_earned(const loy_earned *e, size_t n, loy_account acc,
                                     loy_entry_kind kind, const char *rule)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].account == acc && e[i].kind == kind && strcmp(e[i].rule, rule) == 0) return &e[i];
    fail_msg("no earned row %d/%d/%s", (int)acc, (int)kind, rule);
    return NULL;
}

static void test_purchase_earned_groups_and_reversals(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Earner Ed", NULL, NULL);
    int64_t *ids = NULL;
    sfx_out so;
    /* points to tender with */
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_ADJUST, 100, LOY_LOT_NEW, "");
    assert_int_equal(sfx_apply(f, m, &so, "adjustment", 1, false, &ids, &err), 0);
    int64_t l0 = ids[0];
    free(ids);

    int64_t p1 = insert_purchase(f, m, 2000, SFX_NOW);
    int64_t p2 = insert_purchase(f, m, 4000, SFX_NOW);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_TENDER, -30, l0, "");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 20, LOY_LOT_NEW, "base");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 10, LOY_LOT_NEW, "pastry-double");
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_EARN, 2, LOY_LOT_NEW, "stamps-0");
    sfx_add(&so, LOY_ACC_GIVING, LOY_ENTRY_EARN, 19, LOY_LOT_NONE, "giving");
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_EARN, 6, LOY_LOT_NEW, "quiet");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_BONUS, 100, LOY_LOT_NEW, "birthday");
    assert_int_equal(sfx_apply(f, m, &so, "purchase", p1, false, &ids, &err), 0);
    int64_t base_lot = ids[1], stamp_lot = ids[3], quiet_lot = ids[5];
    free(ids);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_EARN, 40, LOY_LOT_NEW, "base");
    assert_int_equal(sfx_apply(f, m, &so, "purchase", p2, false, &ids, &err), 0);
    int64_t p2_lot = ids[0];
    free(ids);

    loy_earned *e = NULL;
    size_t n = 0;
    assert_int_equal(loy_store_purchase_earned(&f->c, p1, &e, &n, &err), 0);
    assert_int_equal(n, 6); /* the bonus is not part of what the purchase earned */
    const loy_earned *t = find_earned(e, n, LOY_ACC_POINTS, LOY_ENTRY_TENDER, "");
    assert_int_equal(t->amount, 30);
    assert_int_equal(t->reversed, 0);
    assert_int_equal(find_earned(e, n, LOY_ACC_POINTS, LOY_ENTRY_EARN, "base")->lot, base_lot);
    free(e);

    /* refund half of p1; refund all of p2 (its reversal must not count for p1) */
    int64_t r1 = 0, r2 = 0;
    assert_int_equal(refund(f, p1, 1000, &r1, &err), 0);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -10, base_lot, "base");
    sfx_add(&so, LOY_ACC_STAMPS, LOY_ENTRY_REVERSE, -1, stamp_lot, "stamps-0");
    sfx_add(&so, LOY_ACC_PENDING, LOY_ENTRY_REVERSE, -2, quiet_lot, "quiet");
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -1, LOY_LOT_NONE, "quiet"); /* activated */
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_RESTORE, 15, LOY_LOT_NEW, "");
    assert_int_equal(sfx_apply(f, m, &so, "refund", r1, false, NULL, &err), 0);
    assert_int_equal(refund(f, p2, 4000, &r2, &err), 0);
    sfx_out_init(&so);
    sfx_add(&so, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -40, p2_lot, "base");
    assert_int_equal(sfx_apply(f, m, &so, "refund", r2, false, NULL, &err), 0);

    assert_int_equal(loy_store_purchase_earned(&f->c, p1, &e, &n, &err), 0);
    assert_int_equal(n, 6);
    t = find_earned(e, n, LOY_ACC_POINTS, LOY_ENTRY_TENDER, "");
    assert_int_equal(t->amount, 30);
    assert_int_equal(t->reversed, 15);
    assert_int_equal(t->lot, l0);
    t = find_earned(e, n, LOY_ACC_POINTS, LOY_ENTRY_EARN, "base");
    assert_int_equal(t->amount, 20);
    assert_int_equal(t->reversed, 10);
    assert_int_equal(t->lot, base_lot);
    t = find_earned(e, n, LOY_ACC_POINTS, LOY_ENTRY_EARN, "pastry-double");
    assert_int_equal(t->amount, 10);
    assert_int_equal(t->reversed, 0);
    t = find_earned(e, n, LOY_ACC_STAMPS, LOY_ENTRY_EARN, "stamps-0");
    assert_int_equal(t->amount, 2);
    assert_int_equal(t->reversed, 1);
    assert_int_equal(t->lot, stamp_lot);
    t = find_earned(e, n, LOY_ACC_GIVING, LOY_ENTRY_EARN, "giving");
    assert_int_equal(t->amount, 19);
    assert_int_equal(t->reversed, 0);
    assert_int_equal(t->lot, 0);
    t = find_earned(e, n, LOY_ACC_PENDING, LOY_ENTRY_EARN, "quiet");
    assert_int_equal(t->amount, 6);
    assert_int_equal(t->reversed, 3); /* 2 from pending + 1 after activation */
    free(e);

    assert_int_equal(loy_store_purchase_earned(&f->c, p2, &e, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].amount, 40);
    assert_int_equal(e[0].reversed, 40);
    free(e);

    /* a purchase that earned nothing */
    int64_t p3 = insert_purchase(f, m, 100, SFX_NOW);
    e = (loy_earned *)&n;
    assert_int_equal(loy_store_purchase_earned(&f->c, p3, &e, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(e);
    assert_int_equal(sfx_verify(&f->c, NULL, 0), 0);
}

/* ---------------------------------------------------------------- vouchers and stock */

static int64_t insert_voucher(sfx *f, int64_t member, const char *code, const char *short_code,
                              int64_t expires_at)
{
    loy_err err;
    loy_voucher_row v;
    memset(&v, 0, sizeof(v));
    v.merchant_id = f->merchant;
    v.member_id = member;
    snprintf(v.reward, sizeof(v.reward), "rm5-off");
    snprintf(v.code, sizeof(v.code), "%s", code);
    snprintf(v.short_code, sizeof(v.short_code), "%s", short_code);
    v.issued_at = SFX_NOW - SFX_DAY;
    v.expires_at = expires_at;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    int rc = loy_store_voucher_insert(&f->c, &v, &err);
    if (rc) fail_msg("voucher_insert: %s", err.message);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_true(v.id > 0);
    return v.id;
}

static int use_voucher(sfx *f, int64_t merchant, int64_t id, int64_t now, loy_err *err)
{
    int rc = loy_db_begin(&f->c, true, err);
    if (rc) return rc;
    rc = loy_store_voucher_use(&f->c, merchant, id, "cashier", now, err);
    if (!rc) rc = loy_db_commit(&f->c, err);
    if (rc) loy_db_rollback(&f->c);
    return rc;
}

static void test_voucher_lookup_and_single_use(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Voucher Vi", NULL, NULL);
    int64_t id = insert_voucher(f, m, "K7QM2XHDABCDEFGHJKMNPQRSTV", "K7QM-2XHD", SFX_NOW + SFX_DAY);
    insert_voucher(f, m, "ZZZZ2XHDABCDEFGHJKMNPQRSTV", "ZZZZ-2XHD", SFX_NOW + SFX_DAY);

    loy_voucher_row v;
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "k7qm-2xhd", &v, &err), 0);
    assert_int_equal(v.id, id);
    assert_int_equal(v.member_id, m);
    assert_string_equal(v.reward, "rm5-off");
    assert_string_equal(v.code, "K7QM2XHDABCDEFGHJKMNPQRSTV");
    assert_string_equal(v.short_code, "K7QM-2XHD");
    assert_int_equal(v.expires_at, SFX_NOW + SFX_DAY);
    assert_int_equal(v.used_at, 0);
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "K7QM-2XHD", &v, &err), 0);
    assert_int_equal(v.id, id);
    assert_int_equal(
        loy_store_voucher_get(&f->c, f->merchant, "k7qm2xhdabcdefghjkmnpqrstv", &v, &err), 0);
    assert_int_equal(v.id, id);
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "K7QM-2XHE", &v, &err),
                     LOY_ENOTFOUND);
    int64_t other = sfx_merchant(f, "Other");
    assert_int_equal(loy_store_voucher_get(&f->c, other, "K7QM-2XHD", &v, &err), LOY_ENOTFOUND);

    assert_int_equal(use_voucher(f, f->merchant, id, SFX_NOW, &err), 0);
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "K7QM-2XHD", &v, &err), 0);
    assert_int_equal(v.used_at, SFX_NOW);
    assert_int_equal(use_voucher(f, f->merchant, id, SFX_NOW + 60, &err), LOY_ECONFLICT);
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "K7QM-2XHD", &v, &err), 0);
    assert_int_equal(v.used_at, SFX_NOW);
    assert_int_equal(sfx_q(&f->c, "SELECT count(*) FROM vouchers WHERE used_at IS NOT NULL"), 1);
}

static void test_voucher_expired_refused(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t m = sfx_member(f, f->merchant, "Late Lu", NULL, NULL);
    int64_t old = insert_voucher(f, m, "EXPD2XHDABCDEFGHJKMNPQRSTV", "EXPD-2XHD", SFX_NOW - 1);
    int64_t edge = insert_voucher(f, m, "EDGE2XHDABCDEFGHJKMNPQRSTV", "EDGE-2XHD", SFX_NOW);
    int64_t ok = insert_voucher(f, m, "OKAY2XHDABCDEFGHJKMNPQRSTV", "OKAY-2XHD", SFX_NOW + 1);
    assert_int_equal(use_voucher(f, f->merchant, old, SFX_NOW, &err), LOY_EREFUSED);
    assert_int_equal(use_voucher(f, f->merchant, edge, SFX_NOW, &err), LOY_EREFUSED);
    assert_int_equal(use_voucher(f, f->merchant, ok, SFX_NOW, &err), 0);
    loy_voucher_row v;
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "EXPD-2XHD", &v, &err), 0);
    assert_int_equal(v.used_at, 0);
    assert_int_equal(sfx_q(&f->c, "SELECT count(*) FROM vouchers WHERE used_at IS NOT NULL"), 1);
    /* a voucher of another merchant cannot be used through this one */
    int64_t other = sfx_merchant(f, "Other");
    assert_true(use_voucher(f, other, ok + 0, SFX_NOW, &err) < 0);
    int64_t fresh = insert_voucher(f, m, "FRSH2XHDABCDEFGHJKMNPQRSTV", "FRSH-2XHD", SFX_NOW + 9);
    assert_true(use_voucher(f, other, fresh, SFX_NOW, &err) < 0);
    assert_int_equal(loy_store_voucher_get(&f->c, f->merchant, "FRSH-2XHD", &v, &err), 0);
    assert_int_equal(v.used_at, 0);
}

static int take(sfx *f, const char *reward, int64_t stock, loy_err *err)
{
    int rc = loy_db_begin(&f->c, true, err);
    if (rc) return rc;
    rc = loy_store_stock_take(&f->c, f->merchant, reward, stock, err);
    if (!rc) rc = loy_db_commit(&f->c, err);
    if (rc) loy_db_rollback(&f->c);
    return rc;
}

static void test_stock_take_stops_at_limit(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t issued = -1;
    assert_int_equal(loy_store_stock_issued(&f->c, f->merchant, "cake", &issued, &err), 0);
    assert_int_equal(issued, 0);
    for (int i = 0; i < 3; i++) assert_int_equal(take(f, "cake", 3, &err), 0);
    assert_int_equal(take(f, "cake", 3, &err), LOY_EREFUSED);
    assert_int_equal(take(f, "cake", 3, &err), LOY_EREFUSED);
    assert_int_equal(loy_store_stock_issued(&f->c, f->merchant, "cake", &issued, &err), 0);
    assert_int_equal(issued, 3);
    /* stock 0: sold out from the start; unlimited: never */
    assert_int_equal(take(f, "none", 0, &err), LOY_EREFUSED);
    assert_int_equal(loy_store_stock_issued(&f->c, f->merchant, "none", &issued, &err), 0);
    assert_int_equal(issued, 0);
    for (int i = 0; i < 25; i++) assert_int_equal(take(f, "free", -1, &err), 0);
    assert_int_equal(loy_store_stock_issued(&f->c, f->merchant, "free", &issued, &err), 0);
    assert_int_equal(issued, 25);
    /* stock is counted per merchant */
    int64_t other = sfx_merchant(f, "Other");
    assert_int_equal(loy_store_stock_issued(&f->c, other, "cake", &issued, &err), 0);
    assert_int_equal(issued, 0);
}

/* ---------------------------------------------------------------- members */

static void test_member_insert_get_by_every_key(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t id =
        sfx_member(f, f->merchant, "Aminah Binti Ali", "+60123456789", "Aminah.Ali@Example.COM");
    loy_member_row r;
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, id, &r, &err), 0);
    assert_int_equal(r.id, id);
    assert_int_equal(r.merchant_id, f->merchant);
    assert_string_equal(r.name, "Aminah Binti Ali");
    assert_string_equal(r.phone, "+60123456789");
    assert_string_equal(r.email, "Aminah.Ali@Example.COM");
    assert_string_equal(r.locale, "en");
    assert_int_equal(r.joined_at, SFX_NOW);
    char card[40];
    snprintf(card, sizeof(card), "%s", r.card_token);
    loy_member_row_free(&r);
    assert_int_equal(sfx_balances(&f->c, id).points, 0); /* a balance row comes with the member */

    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_CARD, card, 0, &r, &err), 0);
    assert_int_equal(r.id, id);
    loy_member_row_free(&r);
    assert_int_equal(
        loy_store_member_get(&f->c, f->merchant, LOY_BY_PHONE, "+60123456789", 0, &r, &err), 0);
    assert_int_equal(r.id, id);
    loy_member_row_free(&r);
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_EMAIL,
                                          "aminah.ali@example.com", 0, &r, &err),
                     0);
    assert_int_equal(r.id, id);
    loy_member_row_free(&r);
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_EMAIL,
                                          "AMINAH.ALI@EXAMPLE.COM", 0, &r, &err),
                     0);
    assert_int_equal(r.id, id);
    loy_member_row_free(&r);

    assert_int_equal(
        loy_store_member_get(&f->c, f->merchant, LOY_BY_PHONE, "+60123456780", 0, &r, &err),
        LOY_ENOTFOUND);
    assert_int_equal(
        loy_store_member_get(&f->c, f->merchant, LOY_BY_EMAIL, "aminah@example.com", 0, &r, &err),
        LOY_ENOTFOUND);
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, id + 1, &r, &err),
                     LOY_ENOTFOUND);
    int64_t other = sfx_merchant(f, "Other");
    assert_int_equal(loy_store_member_get(&f->c, other, LOY_BY_ID, NULL, id, &r, &err),
                     LOY_ENOTFOUND);
    assert_int_equal(loy_store_member_get(&f->c, other, LOY_BY_CARD, card, 0, &r, &err),
                     LOY_ENOTFOUND);
    int64_t n = -1;
    assert_int_equal(loy_store_member_count(&f->c, f->merchant, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(loy_store_member_count(&f->c, other, &n, &err), 0);
    assert_int_equal(n, 0);
}

static int insert_member(sfx *f, int64_t merchant, const char *name, const char *phone,
                         const char *email, int64_t *id, loy_err *err)
{
    static int tokens;
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    m.merchant_id = merchant;
    snprintf(m.card_token, sizeof(m.card_token), "DUPCARD%019d", ++tokens);
    m.name = (char *)name;
    m.phone = (char *)phone;
    m.email = (char *)email;
    snprintf(m.locale, sizeof(m.locale), "en");
    m.joined_at = m.updated_at = SFX_NOW;
    int rc = loy_db_begin(&f->c, true, err);
    if (rc) return rc;
    rc = loy_store_member_insert(&f->c, &m, err);
    if (!rc) rc = loy_db_commit(&f->c, err);
    if (rc) loy_db_rollback(&f->c);
    *id = m.id;
    return rc;
}

static void test_member_duplicates_name_the_field(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t id = 0;
    int64_t first = sfx_member(f, f->merchant, "First", "+60111111111", "first@example.com");
    int64_t n0 = sfx_q(&f->c, "SELECT count(*) FROM members");

    loy_err_clear(&err);
    assert_int_equal(insert_member(f, f->merchant, "Second", "+60111111111", NULL, &id, &err),
                     LOY_ECONFLICT);
    assert_string_equal(err.field, "phone");
    loy_err_clear(&err);
    assert_int_equal(insert_member(f, f->merchant, "Third", NULL, "FIRST@Example.com", &id, &err),
                     LOY_ECONFLICT);
    assert_string_equal(err.field, "email");
    assert_int_equal(sfx_q(&f->c, "SELECT count(*) FROM members"), n0);
    assert_int_equal(sfx_q(&f->c, "SELECT count(*) FROM balances"), n0);

    /* members without phone or email never collide; another merchant may reuse both */
    assert_int_equal(insert_member(f, f->merchant, "No Contact 1", NULL, NULL, &id, &err), 0);
    assert_int_equal(insert_member(f, f->merchant, "No Contact 2", NULL, NULL, &id, &err), 0);
    int64_t other = sfx_merchant(f, "Other");
    assert_int_equal(
        insert_member(f, other, "Elsewhere", "+60111111111", "first@example.com", &id, &err), 0);

    /* update onto a taken phone */
    int64_t second = sfx_member(f, f->merchant, "Second", "+60122222222", NULL);
    loy_member_row r;
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, second, &r, &err),
                     0);
    free(r.phone);
    r.phone = strdup("+60111111111");
    loy_err_clear(&err);
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_member_update(&f->c, &r, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "phone");
    loy_db_rollback(&f->c);
    loy_member_row_free(&r);
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, second, &r, &err),
                     0);
    assert_string_equal(r.phone, "+60122222222");
    loy_member_row_free(&r);
    (void)first;
}

static void test_member_update(void **state)
{
    sfx *f = *state;
    loy_err err;
    int64_t id = sfx_member(f, f->merchant, "Old Name", "+60133333333", "old@example.com");
    loy_member_row r;
    assert_int_equal(loy_store_member_get(&f->c, f->merchant, LOY_BY_ID, NULL, id, &r, &err), 0);
    free(r.name);
    free(r.phone);
    free(r.email);
    free(r.notes);
    r.name = strdup("Zsófia Nagy");
    r.phone = strdup("+36301234567");
    r.email = strdup("Zsofia@Example.HU");
    r.notes = strdup("prefers oat milk");
    r.bday_day = 14;
    r.bday_month = 2;
    r.consent_email = true;
    r.consent_email_at = SFX_NOW;
    snprintf(r.consent_email_source, sizeof(r.consent_email_source), "counter");
    snprintf(r.locale, sizeof(r.locale), "hu");
    r.updated_at = SFX_NOW + 5;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    assert_int_equal(loy_store_member_update(&f->c, &r, &err), 0);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    loy_member_row_free(&r);

    assert_int_equal(
        loy_store_member_get(&f->c, f->merchant, LOY_BY_EMAIL, "zsofia@example.hu", 0, &r, &err),
        0);
    assert_int_equal(r.id, id);
    assert_string_equal(r.name, "Zsófia Nagy");
    assert_string_equal(r.phone, "+36301234567");
    assert_string_equal(r.notes, "prefers oat milk");
    assert_string_equal(r.locale, "hu");
    assert_int_equal(r.bday_day, 14);
    assert_int_equal(r.bday_month, 2);
    assert_true(r.consent_email);
    assert_string_equal(r.consent_email_source, "counter");
    assert_int_equal(r.updated_at, SFX_NOW + 5);
    loy_member_row_free(&r);
    /* the old keys are gone; the folded name follows the new name */
    assert_int_equal(
        loy_store_member_get(&f->c, f->merchant, LOY_BY_PHONE, "+60133333333", 0, &r, &err),
        LOY_ENOTFOUND);
    assert_int_equal(
        loy_store_member_get(&f->c, f->merchant, LOY_BY_EMAIL, "old@example.com", 0, &r, &err),
        LOY_ENOTFOUND);
    assert_int_equal(
        sfx_qt(&f->c, "SELECT count(*) FROM members WHERE instr(name_folded, ?) > 0", "zsofia"), 1);
}

typedef struct {
    int64_t ids[16];
    int n;
} found;

static void on_found(void *ctx, const loy_member_row *m)
{
    found *fd = ctx;
    if (fd->n < 16) fd->ids[fd->n] = m->id;
    fd->n++;
}

static found search(sfx *f, int64_t merchant, const char *text, const char *phone, int64_t after,
                    int limit)
{
    loy_err err;
    found fd;
    memset(&fd, 0, sizeof(fd));
    char *folded = text ? loy_fold(text, &err) : NULL;
    if (text && !folded) fail_msg("fold %s: %s", text, err.message);
    int rc =
        loy_store_member_search(&f->c, merchant, folded, phone, after, limit, on_found, &fd, &err);
    if (rc) fail_msg("search %s: %s", text ? text : phone, err.message);
    free(folded);
    return fd;
}

static void test_member_search_folded(void **state)
{
    sfx *f = *state;
    int64_t zoltan = sfx_member(f, f->merchant, "Zoltán Kovács", NULL, NULL);
    int64_t sumon = sfx_member(f, f->merchant, "SUMON Ahmed", NULL, NULL);
    int64_t bengali = sfx_member(f, f->merchant, "সুমন দাস", NULL, NULL);
    int64_t strasse = sfx_member(f, f->merchant, "Jürgen Straße", "+60177654321", NULL);
    int64_t other = sfx_merchant(f, "Other");
    sfx_member(f, other, "Zoltán Szabó", NULL, NULL);

    found r = search(f, f->merchant, "ZOLTÁN", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], zoltan);
    r = search(f, f->merchant, "kovacs", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], zoltan);
    r = search(f, f->merchant, "Sumon", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], sumon);
    r = search(f, f->merchant, "সুমন", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], bengali);
    r = search(f, f->merchant, "দাস", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], bengali);
    r = search(f, f->merchant, "STRASSE", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], strasse);
    r = search(f, f->merchant, "jurgen", NULL, 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], strasse);
    r = search(f, f->merchant, "nobody", NULL, 0, 10);
    assert_int_equal(r.n, 0);
    /* phone fragment */
    r = search(f, f->merchant, "7654321", "7654321", 0, 10);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], strasse);

    /* paging: ids ascending after `after_id`, at most `limit` */
    int64_t t1 = sfx_member(f, f->merchant, "Page Tan One", NULL, NULL);
    int64_t t2 = sfx_member(f, f->merchant, "Page Tan Two", NULL, NULL);
    int64_t t3 = sfx_member(f, f->merchant, "Page Tan Three", NULL, NULL);
    r = search(f, f->merchant, "page tan", NULL, 0, 2);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ids[0], t1);
    assert_int_equal(r.ids[1], t2);
    r = search(f, f->merchant, "page tan", NULL, t2, 2);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], t3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_create_schema),
        cmocka_unit_test(test_migrations_reopen_is_noop),
#define T(fn) cmocka_unit_test_setup_teardown(fn, sfx_setup, sfx_teardown)
        T(test_ledger_is_append_only),
        T(test_apply_new_lots),
        T(test_apply_lot_of_entry),
        T(test_apply_debits_existing_lot),
        T(test_apply_below_floor_refused),
        T(test_apply_stale_state_refused),
        T(test_apply_allow_debt),
        T(test_apply_activation_moves_lot),
        T(test_apply_tier_change),
        T(test_idem_round_trip_and_duplicate),
        T(test_idem_prune_by_age),
        T(test_purchase_insert_and_get),
        T(test_refund_beyond_amount_conflict),
        T(test_purchase_earned_groups_and_reversals),
        T(test_voucher_lookup_and_single_use),
        T(test_voucher_expired_refused),
        T(test_stock_take_stops_at_limit),
        T(test_member_insert_get_by_every_key),
        T(test_member_duplicates_name_the_field),
        T(test_member_update),
        T(test_member_search_folded),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
