/* Repository of referrals (migration 0016): members' referral codes (members.referral_code) and
 * the referrals table. Like store.h, every function runs inside the caller's transaction and
 * never commits on its own. */
#ifndef LOY_STORE_STORE_REFERRAL_H
#define LOY_STORE_STORE_REFERRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* The member holding referral code `code` (codes are unique across merchants): its merchant and
 * id. LOY_ENOTFOUND (field "referral_code") when nobody holds it. */
int loy_store_referral_code_find(loy_conn *c, const char *code, int64_t *merchant, int64_t *member,
                                 loy_err *err);
/* The code of member `member` of `merchant`, copied into out (n bytes; "" when none was issued
 * yet). LOY_ENOTFOUND (field "member") when the merchant has no such member. */
int loy_store_referral_code_get(loy_conn *c, int64_t merchant, int64_t member, char *out, size_t n,
                                loy_err *err);
/* Gives the member `code` unless it holds one already (then nothing changes). LOY_ECONFLICT when
 * another member holds `code`. */
int loy_store_referral_code_issue(loy_conn *c, int64_t merchant, int64_t member, const char *code,
                                  loy_err *err);

typedef struct {
    int64_t id, merchant_id, referrer_id, referee_id;
    char status[16];     /* pending, qualified, awarded, refused, flagged */
    char reason[32];     /* "" or self_referral, already_member, ring, velocity, refunded, erased */
    int64_t purchase_id; /* the qualifying purchase, 0 = none yet */
    int64_t qualifies_at, referrer_points, referee_points;
    char decision[16]; /* "", "approved", "rejected" */
    char decided_by[64];
    int64_t decided_at, created_at, updated_at, awarded_at;
} loy_referral_row;

/* Inserts r (every field but id and purchase_id: a new referral has none) and sets r->id. */
int loy_store_referral_insert(loy_conn *c, loy_referral_row *r, loy_err *err);
/* LOY_ENOTFOUND (field "id") when the merchant has no referral `id`. */
int loy_store_referral_get(loy_conn *c, int64_t merchant, int64_t id, loy_referral_row *out,
                           loy_err *err);
/* Writes status, reason, purchase, qualifies_at, points, decision, decided_by, decided_at,
 * updated_at and awarded_at of r, only while the stored status is still `expect` (so two
 * writers cannot both move it): LOY_ECONFLICT (field "status") otherwise. */
int loy_store_referral_update(loy_conn *c, const loy_referral_row *r, const char *expect,
                              loy_err *err);
/* The newest referral of referee `referee` that is still open (pending or flagged) and has no
 * qualifying purchase yet; LOY_ENOTFOUND when there is none. */
int loy_store_referral_open_of(loy_conn *c, int64_t merchant, int64_t referee,
                               loy_referral_row *out, loy_err *err);
/* How many referrals of referee `referee` other than `except` are pending, qualified, awarded
 * or flagged (a member is the referee of one paying referral at most). */
int loy_store_referral_live_count(loy_conn *c, int64_t merchant, int64_t referee, int64_t except,
                                  int64_t *out, loy_err *err);
/* Whether a referral with this referrer, referee, status and reason exists (repeated attempts
 * are recorded once). */
int loy_store_referral_exists(loy_conn *c, int64_t merchant, int64_t referrer, int64_t referee,
                              const char *status, const char *reason, bool *out, loy_err *err);
/* Referrals of new members (not refused as self_referral or already_member, not a ring: those
 * name a member who existed) that `referrer` made in [from, to), ids below `before` (0 = any). */
int loy_store_referral_count_between(loy_conn *c, int64_t merchant, int64_t referrer, int64_t from,
                                     int64_t to, int64_t before, int64_t *out, loy_err *err);
/* Up to max ids up the referred_by chain of `member` (its referrer, that one's referrer, ...),
 * nearest first; stops at a member without referrer or at a repeat. */
int loy_store_referral_chain(loy_conn *c, int64_t merchant, int64_t member, int64_t *ids,
                             size_t max, size_t *n, loy_err *err);
/* Ids of qualified referrals with qualifies_at <= now, ascending after `after`, at most max. */
int loy_store_referral_due(loy_conn *c, int64_t merchant, int64_t now, int64_t after, int64_t *ids,
                           int max, int *n, loy_err *err);
/* Referrals (of `status` when not NULL), newest first, ids below `before` (0 = from the newest),
 * at most limit. */
int loy_store_referral_list(loy_conn *c, int64_t merchant, const char *status, int64_t before,
                            int limit, void (*fn)(void *ctx, const loy_referral_row *r), void *ctx,
                            loy_err *err);
/* Open referrals (pending, qualified, flagged) in which `member` is referrer or referee, ids
 * ascending. */
int loy_store_referral_open_of_member(loy_conn *c, int64_t merchant, int64_t member,
                                      void (*fn)(void *ctx, const loy_referral_row *r), void *ctx,
                                      loy_err *err);

/* One member referred by another (members.referred_by): who, when, how much they spent (net
 * of refunds, all time) and their newest referral record by that referrer, if any. */
typedef struct {
    int64_t id;
    const char *name; /* borrowed: valid during the callback */
    int64_t joined_at, erased_at, revenue;
    int64_t referral_id; /* 0 = referred_by set without a referral record (imports, history) */
    const char *status, *reason;
} loy_referred_row;
/* The members whose referred_by is `referrer`, ids ascending. */
int loy_store_referral_referred(loy_conn *c, int64_t merchant, int64_t referrer,
                                void (*fn)(void *ctx, const loy_referred_row *r), void *ctx,
                                loy_err *err);

/* Ids of the members whose referred_by is `referrer` and who joined before `before`, ascending. */
int loy_store_referral_referees(loy_conn *c, int64_t merchant, int64_t referrer, int64_t before,
                                void (*fn)(void *ctx, int64_t referee), void *ctx, loy_err *err);

#endif
