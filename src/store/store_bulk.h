/* Bulk loading of purchase history (`loyalty demo generate --history-only`): members, their
 * balance rows and purchases written straight into the tables, without ledger entries, points or
 * outbox events. Rows go in through prepared statements inside the caller's transactions. */
#ifndef LOY_STORE_STORE_BULK_H
#define LOY_STORE_STORE_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* Tunes the connection for a bulk load (on = true) and back (on = false): commits are not synced
 * (a crash of the machine, not of the process, may lose the last chunks; the file stays
 * consistent), a larger page cache, checkpoints at the end. Call outside a transaction. */
int loy_store_bulk_session(loy_conn *c, bool on, loy_err *err);

/* How many members `merchant` has (*n). */
int loy_store_bulk_member_count(loy_conn *c, int64_t merchant, int64_t *n, loy_err *err);

/* Inserts a member exactly as loy_store_member_insert stores one (name and email folded the same
 * way) together with its zero balance row, and also the columns a purchase maintains (tier,
 * tier_since, first_purchase_at, purchases, last_activity_at) from `m`; *id_out = the new id.
 * LOY_ECONFLICT (field phone, email or card_token) for a duplicate. */
int loy_store_bulk_member(loy_conn *c, const loy_member_row *m, int64_t *id_out, loy_err *err);

/* Inserts a purchase row (cash = amount - tender_points, refunded 0) without touching the
 * member: the caller gave the member its purchase columns already. */
int loy_store_bulk_purchase(loy_conn *c, const loy_purchase_row *p, const char *lines_json,
                            const char *actor, loy_err *err);

#endif
