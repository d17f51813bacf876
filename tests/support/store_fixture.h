/* Shared set-up of the store contract suite (tests/store): a fresh database per test, merchants,
 * members, outcomes built by hand, and single-value queries that fail the test on error. Only
 * store.h / db.h are used, so the suite can run unchanged on another driver. */
#ifndef LOY_TEST_STORE_FIXTURE_H
#define LOY_TEST_STORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"
#include "core/programme.h"
#include "store/db.h"
#include "store/store.h"

/* 2026-03-02T00:00:00Z, a Monday: the clock of every test unless it says otherwise. */
#define SFX_NOW  INT64_C(1772409600)
#define SFX_DAY  INT64_C(86400)
#define SFX_ROOM 16

typedef struct {
    char path[512];
    loy_conn c;
    loy_programme *prog; /* the minimal programme every merchant is created from */
    int64_t merchant;    /* the first merchant, created by sfx_setup */
} sfx;

/* A new, unused database target (SQLite: a file under $LOY_TEST_TMP; leftovers removed). */
void sfx_new_target(char *out, size_t outsz, const char *tag);
/* Removes a target created by sfx_new_target (SQLite: the file, its -wal and -shm). */
void sfx_remove_target(const char *path);

/* cmocka setup / teardown: *state = an sfx with an open connection and one merchant. */
int sfx_setup(void **state);
int sfx_teardown(void **state);

/* Creates another merchant (own transaction) and returns its id. */
int64_t sfx_merchant(sfx *f, const char *name);
/* Inserts a member (own transaction); phone and email may be NULL. Returns its id. */
int64_t sfx_member(sfx *f, int64_t merchant, const char *name, const char *phone,
                   const char *email);

/* Single int64 results; any error fails the test. `sql` must be a string literal (the driver
 * caches statements by the address of their text). */
int64_t sfx_q(loy_conn *c, const char *sql);
int64_t sfx_qi(loy_conn *c, const char *sql, int64_t a);
int64_t sfx_qii(loy_conn *c, const char *sql, int64_t a, int64_t b);
int64_t sfx_qt(loy_conn *c, const char *sql, const char *a);

/* Balances of a member, read from the balances table. */
typedef struct {
    int64_t points, pending, stamps, giving;
} sfx_bal;
sfx_bal sfx_balances(loy_conn *c, int64_t member);
int64_t sfx_ledger_count(loy_conn *c);
int64_t sfx_lot_remaining(loy_conn *c, int64_t lot); /* -1 when there is no such lot */

/* An outcome over a caller-owned entry array (never pass it to loy_outcome_free). */
typedef struct {
    loy_outcome o;
    loy_entry e[SFX_ROOM];
} sfx_out;
void sfx_out_init(sfx_out *so);
/* Appends an entry; returns its index. */
size_t sfx_add(sfx_out *so, loy_account acc, loy_entry_kind kind, int64_t amount, int64_t lot,
               const char *rule);

/* loy_store_apply in its own write transaction: commits on success, rolls back on failure.
 * Returns the store's code; *ids (optional) as loy_store_apply. */
int sfx_apply(sfx *f, int64_t member, const sfx_out *so, const char *ref_type, int64_t ref_id,
              bool allow_debt, int64_t **ids, loy_err *err);

/* loy_store_verify; collects the violation lines (newline-separated) into `lines` if given. */
int64_t sfx_verify(loy_conn *c, char *lines, size_t linesz);

#endif
