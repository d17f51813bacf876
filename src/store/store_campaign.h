/* Repository of campaigns and their members (migration 0018; docs/campaigns.md). Like store.h,
 * every function runs inside the caller's transaction and never commits on its own. */
#ifndef LOY_STORE_STORE_CAMPAIGN_H
#define LOY_STORE_STORE_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

typedef struct {
    int64_t id, merchant_id;
    char name[128];
    char template_id[48];
    char audience[64]; /* "all", "segment:NAME", "tier:ID", "inactive:DAYS" */
    char *variants;    /* JSON array text (malloc'ed; loy_campaign_row_free) */
    int64_t holdout_percent, conversion_days;
    char status[16]; /* draft | sending | sent */
    int64_t seed, created_at;
    char created_by[64];
    int64_t sent_at;
    char sent_by[64];
    int64_t finished_at;
    int64_t members; /* rows in campaign_members (read only) */
} loy_campaign_row;

void loy_campaign_row_free(loy_campaign_row *c); /* frees variants, not the struct */

/* Inserts a draft (name, template, audience, variants, holdout, days, seed, created_at and
 * created_by of r) and sets r->id. LOY_ECONFLICT (field "name") when the merchant has a campaign
 * of that name. */
int loy_store_campaign_insert(loy_conn *c, loy_campaign_row *r, loy_err *err);
/* LOY_ENOTFOUND (field "id") when the merchant has no campaign `id`. */
int loy_store_campaign_get(loy_conn *c, int64_t merchant, int64_t id, loy_campaign_row *out,
                           loy_err *err);
/* Campaigns newest first, ids below `before` (0 = from the newest), at most limit; fn borrows. */
int loy_store_campaign_list(loy_conn *c, int64_t merchant, int64_t before, int limit,
                            void (*fn)(void *ctx, const loy_campaign_row *r), void *ctx,
                            loy_err *err);
/* draft -> sending, with sent_at = now and sent_by = actor; LOY_ECONFLICT (field "status") when
 * it is no longer a draft. */
int loy_store_campaign_begin_send(loy_conn *c, int64_t merchant, int64_t id, int64_t now,
                                  const char *actor, loy_err *err);
/* sending -> sent with finished_at = now; *done = false when it was not sending (any more). */
int loy_store_campaign_finish_send(loy_conn *c, int64_t merchant, int64_t id, int64_t now,
                                   bool *done, loy_err *err);

/* Ids of the merchant's members who are not erased and joined at or before `at`, ascending, one
 * call of fn each: every one (kind "all"), those of tier `tier` ("tier"), or those without a
 * purchase that is not wholly refunded in [at - days * 86400, at) who joined at or before the
 * start of that span ("inactive"). LOY_EINVALID (field "audience") for another kind. */
int loy_store_campaign_audience(loy_conn *c, int64_t merchant, const char *kind, const char *tier,
                                int64_t days, int64_t at, void (*fn)(void *ctx, int64_t member),
                                void *ctx, loy_err *err);

/* Records member `member` in the campaign's arm `arm` at `at`, if the member is not erased and
 * joined at or before `joined_by`; *inserted = false when they have an arm already (a resumed
 * send) or do not qualify (then nothing changes). */
int loy_store_campaign_assign(loy_conn *c, int64_t merchant, int64_t campaign, int64_t member,
                              const char *arm, int64_t at, int64_t joined_by, bool *inserted,
                              loy_err *err);
/* Links the member's campaign row to their message of trigger "campaign" and key `key`. */
int loy_store_campaign_link_message(loy_conn *c, int64_t merchant, int64_t campaign, int64_t member,
                                    const char *key, loy_err *err);

/* Works the conversions out again from the purchases: for every member of the campaign,
 * converted_at and purchase_id = their first purchase (by time, then id) in [assigned_at,
 * assigned_at + days * 86400) that is not wholly refunded, else NULL. */
int loy_store_campaign_convert(loy_conn *c, int64_t merchant, int64_t campaign, int64_t days,
                               loy_err *err);

/* One arm's counts: members, conversions, and the status of their messages. */
typedef struct {
    const char *arm; /* borrowed: valid during the callback */
    int64_t members, conversions;
    int64_t messages, sent, skipped, failed; /* messages: rows linked, whatever their status */
    int64_t last_assigned_at;
} loy_campaign_arm_row;
/* Calls fn once per arm that has members, ordered by arm. */
int loy_store_campaign_arms(loy_conn *c, int64_t merchant, int64_t campaign,
                            void (*fn)(void *ctx, const loy_campaign_arm_row *a), void *ctx,
                            loy_err *err);

/* One member of a campaign. */
typedef struct {
    int64_t member_id;
    const char *arm; /* borrowed */
    int64_t assigned_at, message_id;
    const char *message_status;        /* borrowed; NULL when no message */
    int64_t converted_at, purchase_id; /* 0 = none */
} loy_campaign_member_row;
/* The campaign's members in arm `arm` (NULL: every arm), ids above `after`, ascending, at most
 * limit. */
int loy_store_campaign_members(loy_conn *c, int64_t merchant, int64_t campaign, const char *arm,
                               int64_t after, int limit,
                               void (*fn)(void *ctx, const loy_campaign_member_row *m), void *ctx,
                               loy_err *err);

#endif
