/* Repository of the message outbox (messages table, migration 0014; docs/messages.md). Like
 * store.h, every function runs inside the caller's transaction and never commits on its own. */
#ifndef LOY_STORE_STORE_MESSAGE_H
#define LOY_STORE_STORE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define LOY_MSG_KEY_MAX 256 /* a key of 1..255 bytes and its NUL */

typedef struct {
    int64_t id, merchant_id, member_id;
    char trigger[48], template_id[48];
    char key[LOY_MSG_KEY_MAX];
    char cls[16];     /* "marketing" | "service" */
    char channel[16]; /* "" (not chosen yet) | "email" | "webhook" */
    char locale[8];
    int64_t campaign_id; /* 0 = none */
    char variant[64];
    char offer_reward[48]; /* "" = none */
    char *vars;            /* JSON object text (malloc'ed; loy_message_row_free) */
    char status[16];       /* queued | sending | sent | failed | skipped | uncertain */
    char reason[256];
    int64_t attempts, next_at, created_at, claimed_at, sent_at; /* 0 = never */
    char smtp_message_id[192];
    int64_t voucher_id, outbox_id; /* 0 = none */
} loy_message_row;

void loy_message_row_free(loy_message_row *m); /* frees vars, not the struct */

/* Inserts m (all fields but id; NULL vars = "{}") unless the merchant has a message for the same
 * member, trigger and key: then *inserted = false and nothing changes. Sets m->id when
 * inserted. */
int loy_store_message_insert(loy_conn *c, loy_message_row *m, bool *inserted, loy_err *err);
/* LOY_ENOTFOUND (field "id") when the merchant has no such message. */
int loy_store_message_get(loy_conn *c, int64_t merchant, int64_t id, loy_message_row *out,
                          loy_err *err);
/* The merchant's message for (member, trigger, key); LOY_ENOTFOUND when there is none. */
int loy_store_message_find(loy_conn *c, int64_t merchant, int64_t member, const char *trigger,
                           const char *key, loy_message_row *out, loy_err *err);
/* The oldest queued message of the merchant due at `now` (next_at <= now); LOY_ENOTFOUND when
 * none is due. email false: only messages to members who cannot be emailed (no address or no
 * email consent), for a sender without an SMTP server. */
int loy_store_message_due(loy_conn *c, int64_t merchant, int64_t now, bool email,
                          loy_message_row *out, loy_err *err);
/* Writes the state of m (status, reason, channel, locale, attempts, next_at, claimed_at,
 * sent_at, smtp_message_id, voucher_id, outbox_id) if its status is still `expect`:
 * LOY_ECONFLICT otherwise (another sender took it). */
int loy_store_message_update(loy_conn *c, const loy_message_row *m, const char *expect,
                             loy_err *err);
/* Marks uncertain, with `reason`, the merchant's messages claimed (status sending) before
 * `before`: their sender stopped without recording the outcome. *n = how many. */
int loy_store_message_abandon(loy_conn *c, int64_t merchant, int64_t before, const char *reason,
                              int64_t *n, loy_err *err);
/* How many marketing messages of the member went out (sent, sending or uncertain) at or after
 * `since`: what the frequency cap counts. */
int loy_store_message_marketing_since(loy_conn *c, int64_t member, int64_t since, int64_t *n,
                                      loy_err *err);
/* Messages of the merchant (of one member when member > 0, with one status when status is not
 * NULL), newest first, ids below `before` (0 = from the newest), at most limit. fn borrows. */
int loy_store_message_list(loy_conn *c, int64_t merchant, int64_t member, const char *status,
                           int64_t before, int limit,
                           void (*fn)(void *ctx, const loy_message_row *m), void *ctx,
                           loy_err *err);
/* The code of voucher `id` of the merchant (an offer issued at an earlier attempt), copied. */
int loy_store_message_voucher_code(loy_conn *c, int64_t merchant, int64_t id, char *code, size_t n,
                                   loy_err *err);
/* Whether the merchant has an active webhook subscription receiving `kind`. */
int loy_store_webhook_receives(loy_conn *c, int64_t merchant, const char *kind, bool *out,
                               loy_err *err);
/* The id of the newest outbox event of the merchant about `member` of this kind (the one just
 * written in this transaction). */
int loy_store_outbox_last(loy_conn *c, int64_t merchant, const char *kind, int64_t member,
                          int64_t *id, loy_err *err);

#endif
