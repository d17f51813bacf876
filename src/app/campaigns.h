/* Campaign use cases (SPEC E "A/B tests", docs/campaigns.md): a campaign is a marketing message
 * to an audience, in one or more variants (an A/B test), with a holdout group that gets nothing.
 * Creating it writes a draft; sending it assigns every member of the audience an arm (a hash of
 * the campaign's seed and the member id) and queues one marketing message per member outside
 * the holdout (app/messages.h: consent, the frequency cap and quiet hours are the sender's);
 * results count conversions (a purchase within the campaign's days) per arm and test them
 * (analytics/abtest.h). The CLI (`loyalty campaign ...`) and the HTTP API share these. */
#ifndef LOY_APP_CAMPAIGNS_H
#define LOY_APP_CAMPAIGNS_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"

#define LOY_CAMPAIGN_MAX_VARIANTS 8
#define LOY_CAMPAIGN_BATCH        500 /* members assigned (and messaged) per transaction */

/* Writes a draft. req = {name (1..100 bytes, unique for the merchant), template? (a template
 * id: a trigger's or one of the programme's messages.templates; default "campaign"), variants?
 * ([{id (1..16 of A-Z a-z 0-9 _ -, not "holdout", unique), template? (default: the campaign's),
 * offer? (a reward id or null)}], 1 to 8; default one variant "A"), holdout_percent? (0..90,
 * default 10), audience? ("all" (the default), "segment:NAME" an RFM segment of `loyalty report
 * rfm`, "tier:ID", "inactive:DAYS" with DAYS 1..3650), conversion_days? (1..365, default 14),
 * seed? (1..2^53-1; default a random one)}. Audited ("campaign.create"). *resp = {campaign}.
 * LOY_EINVALID naming the field ("variants[1].template"), LOY_ECONFLICT (field "name") when the
 * name is taken; nothing is written then. */
int loy_app_campaign_create(loy_app *app, const json_t *req, json_t **resp, loy_err *err);

/* The merchant's campaigns, newest first: params (borrowed, may be NULL; JSON values or text)
 * "before" (an id) and "limit" (1..100, default 50). *resp = {campaigns: [campaign],
 * next_before: id or null, templates: [the template ids a campaign may use: "campaign", the
 * programme's own, then the other triggers']}. LOY_EINVALID naming the parameter. */
int loy_app_campaign_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err);

/* One campaign: *resp = {campaign}, a campaign being {id, name, template, audience, variants:
 * [{id, template, offer}], holdout_percent, conversion_days, status (draft, sending, sent), seed,
 * created_at, created_by, sent_at, sent_by, finished_at, members}. LOY_ENOTFOUND (field "id"). */
int loy_app_campaign_get(loy_app *app, int64_t id, json_t **resp, loy_err *err);

/* Sends a draft: first (one transaction) it becomes "sending" with sent_at = now (audited
 * "campaign.send"); then the audience as of sent_at (members not erased who had joined by then)
 * is assigned and messaged in transactions of LOY_CAMPAIGN_BATCH members (trigger "campaign",
 * key "campaign:ID", class marketing, the variant's template and offer); then it becomes "sent".
 * A send that stopped half-way (status "sending") is resumed by sending again: members with an
 * arm keep it, the others get theirs. *resp = {campaign, sent: {members, holdout, messages:
 * queued, skipped: of those, recorded as skipped (no consent)}}. LOY_ENOTFOUND (field "id"),
 * LOY_ECONFLICT (field "status") when it was sent already, LOY_EINVALID (field "variants[i]
 * .template" or ".offer") when the programme no longer has its template or reward: nothing
 * changes then. */
int loy_app_campaign_send(loy_app *app, int64_t id, json_t **resp, loy_err *err);

/* The results at app now: the conversions are worked out again from the purchases (one write
 * transaction: a member converts with their first purchase in [assigned_at, assigned_at +
 * conversion_days) that is not wholly refunded), then per arm (the variants in the campaign's
 * order, then "holdout") members, messages {linked, sent, skipped, failed}, conversions, rate
 * with its 95% Wilson interval, and for each variant the uplift against the holdout (points,
 * relative percent, z, p); the best variant against the runner-up; the verdict {code, winner,
 * text} ("B wins, 95% confidence", "no difference yet", "not enough data yet", "the holdout does
 * as well: the message adds nothing", "nothing to compare: one variant and no holdout"); the
 * window {from, until, open} and the rules. LOY_ENOTFOUND (field "id"), LOY_ECONFLICT (field
 * "status") for a draft. */
int loy_app_campaign_results(loy_app *app, int64_t id, json_t **resp, loy_err *err);

/* The campaign's members with their arm: params "arm" (a variant id or "holdout"), "after" (a
 * member id) and "limit" (1..1000, default 100). *resp = {members: [{member_id, arm,
 * assigned_at, message_id, message_status, converted_at, purchase_id}], next_after: id or null},
 * conversions as of the last results. LOY_ENOTFOUND (field "id"), LOY_EINVALID naming the
 * parameter. */
int loy_app_campaign_members(loy_app *app, int64_t id, const json_t *params, json_t **resp,
                             loy_err *err);

/* `loyalty demo`: once the demo's clock reaches `at` (set by the caller; 0 = never), creates and
 * sends a campaign (two variants and a 20% holdout for every member, seed from `seed`), so the
 * purchases the demo records after it become its conversions. */
typedef struct {
    int64_t at;
    uint64_t seed;
    int64_t campaign; /* set once created */
} loy_campaign_demo;
int loy_app_campaign_demo(loy_app *app, loy_campaign_demo *d, int64_t now, loy_err *err);

#endif
