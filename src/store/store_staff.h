/* Staff fraud controls (docs/operations.md "Staff fraud controls"): the counts the rules need, a
 * staff user's own member card, and the staff_flags table. */
#ifndef LOY_STORE_STORE_STAFF_H
#define LOY_STORE_STORE_STAFF_H

#include "store/store.h"

typedef struct {
    int64_t id, merchant_id, member_id, ref_id, created_at;
    char actor[64], rule[24], action[12], op[16], status[12];
    char detail[256];
} loy_staff_flag_row;

/* Who `actor` is: "user:NAME" (a staff user of `merchant`) or "key:PREFIX" (an API key of it).
 * *staff = false for anything else (the CLI, an anonymous page, an unknown name); else role is
 * "owner", "manager" or "cashier" and *user_id the user's id (0 for a key). */
int loy_store_staff_actor(loy_conn *c, int64_t merchant, const char *actor, bool *staff,
                          char role[16], int64_t *user_id, loy_err *err);
/* The member card linked to staff user `user_id` (0 when none). */
int loy_store_staff_member_get(loy_conn *c, int64_t merchant, int64_t user_id, int64_t *member,
                               loy_err *err);
/* Links staff user `user_id` to `member` (0 removes the link). */
int loy_store_staff_member_set(loy_conn *c, int64_t merchant, int64_t user_id, int64_t member,
                               loy_err *err);
/* Positive manual adjustments (ledger kind "adjust") by `actor` created in [from, to): how many
 * and their total. */
int loy_store_staff_adjust_count(loy_conn *c, int64_t merchant, const char *actor, int64_t from,
                                 int64_t to, int64_t *count, int64_t *sum, loy_err *err);
/* Purchases for `member` recorded by `actor` at or after `since`. */
int loy_store_staff_purchase_count(loy_conn *c, int64_t merchant, int64_t member, const char *actor,
                                   int64_t since, int64_t *count, loy_err *err);
/* Marks flag `id` of `merchant` dismissed: LOY_ENOTFOUND when there is no such flag,
 * LOY_ECONFLICT when it is not open (dismissed already). */
int loy_store_staff_flag_dismiss(loy_conn *c, int64_t merchant, int64_t id, loy_err *err);
/* Inserts a flag (r->id set). */
int loy_store_staff_flag_insert(loy_conn *c, loy_staff_flag_row *r, loy_err *err);
/* Flags of `merchant` with `status` ("" for all), newest first, before id `before` (0: from the
 * newest), at most `limit`. */
int loy_store_staff_flag_list(loy_conn *c, int64_t merchant, const char *status, int64_t before,
                              int limit, void (*fn)(void *ctx, const loy_staff_flag_row *r),
                              void *ctx, loy_err *err);

#endif
