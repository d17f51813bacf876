/* Internals shared by the engine's source files (engine*.c): the working copy of a member's lots
 * and balances that an action mutates while it emits entries, and small arithmetic helpers.
 * Not part of the engine's contract; nothing outside src/core/engine*.c includes this. */
#ifndef LOY_CORE_ENGINE_INT_H
#define LOY_CORE_ENGINE_INT_H

#include <stdarg.h>

#include "core/engine.h"

/* Lots and balances as they stand while an action is computed. Lots opened by this outcome get
 * the id LOY_LOT_OF_ENTRY(i), so FIFO order (existing lots, then new ones) is array order. */
typedef struct {
    loy_lot *lots;
    size_t n, cap;
    int64_t points, pending, stamps, giving;
    int64_t unlotted; /* points balance not held in any lot: < 0 is debt */
} loy_work;

/* Copies the member's lots and balances. LOY_ENOMEM on allocation failure. */
int loy_work_init(loy_work *w, const loy_member_state *m);
void loy_work_free(loy_work *w);
/* Open lot by id (existing id > 0 or LOY_LOT_OF_ENTRY), NULL if none. Borrowed. */
loy_lot *loy_work_lot(loy_work *w, int64_t id);

/* Appends an entry, applies it to the work state (balances, lot remaining, new lots) and returns
 * 0 or LOY_ENOMEM. `lot` is an existing lot id, LOY_LOT_NEW or LOY_LOT_NONE. */
int loy_emit(loy_outcome *o, loy_work *w, loy_account acc, loy_entry_kind kind, int64_t amount,
             int64_t lot, int64_t expires_at, int64_t available_at, const char *rule);

/* Appends an explanation line; 0 or LOY_ENOMEM. */
int loy_explainf(loy_outcome *o, const char *rule, loy_account acc, int64_t amount, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

/* Takes up to `want` (> 0) from open lots of `acc` in FIFO order, skipping lot `skip` (0 = none),
 * one entry of `kind` (negative amount) per lot touched. *taken = what was taken. */
int loy_debit_fifo(loy_outcome *o, loy_work *w, loy_account acc, loy_entry_kind kind, int64_t want,
                   int64_t skip, const char *rule, int64_t *taken);

/* After entry `idx` credited available points to a lot: settles debt from that lot (SETTLE
 * -x on the lot, +x unlotted) and explains it. */
int loy_settle_debt(loy_outcome *o, loy_work *w, size_t idx, const char *rule);

/* Credits `amount` (> 0) available points in a new lot (normal expiry from `at`), then settles
 * debt from it. */
int loy_credit_points(const loy_ctx *c, loy_outcome *o, loy_work *w, loy_entry_kind kind,
                      int64_t amount, int64_t at, const char *rule);

/* Sets tier_before/tier_after to the member's tier and qualifying_after to its qualifying. */
void loy_outcome_begin(loy_outcome *o, const loy_member_state *m);
/* Raises LOY_EV_REWARD_AVAILABLE when a points reward became affordable; 0. */
void loy_outcome_finish(const loy_ctx *c, const loy_member_state *m, const loy_work *w,
                        loy_outcome *o);
/* Discards entries and explanations after a failed action; returns rc. */
int loy_outcome_fail(loy_outcome *o, int rc);

/* Local (merchant zone) wall-clock seconds and civil day of a UTC instant. */
int64_t loy_local(const loy_ctx *c, int64_t utc);
int64_t loy_local_day(const loy_ctx *c, int64_t utc);
/* UTC instant of local midnight starting civil day `day`. */
int64_t loy_local_midnight_utc(const loy_ctx *c, int64_t day);

/* floor(a * b / c) for a, b >= 0, c > 0 without overflow for realistic values. */
int64_t loy_muldiv(int64_t a, int64_t b, int64_t c);
/* num / den (num >= 0, den > 0) rounded by `mode`; nearest rounds halves up. */
int64_t loy_round_div(int64_t num, int64_t den, loy_rounding mode);
/* "1.5" for 1500, "2" for 2000. */
void loy_milli_str(char *out, size_t outsz, int64_t milli);
/* Expiry instant of a new lot of `acc` credited at `at` (0 = never). */
int64_t loy_lot_expiry(const loy_programme *p, loy_account acc, int64_t at);

/* Birthday / anniversary bonuses at instant `at` (purchase or now). */
int loy_bonuses_at(const loy_ctx *c, const loy_member_state *m, int64_t at, loy_work *w,
                   loy_outcome *o);

#endif
