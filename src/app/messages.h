/* Messages to members (engagement): the contract between what decides to write to a member
 * (triggers, campaigns, surveys, referrals) and what writes (templates, the message outbox, the
 * sender). A message is queued inside the caller's write transaction, so it exists exactly when
 * the event that caused it was committed; the sender delivers it after commit. Consent, the
 * frequency cap, quiet hours and an unsubscribe are checked again when it is sent. */
#ifndef LOY_APP_MESSAGES_H
#define LOY_APP_MESSAGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

/* Marketing messages need the member's consent for the channel and count toward the frequency
 * cap; service messages (a survey invitation after a purchase, a receipt-like note) need consent
 * too but are not capped. Nothing is sent to a member without consent for the channel. */
typedef enum { LOY_MSG_MARKETING = 0, LOY_MSG_SERVICE = 1 } loy_msg_class;

typedef struct {
    int64_t member_id;
    /* The trigger that decided it: "welcome", "thanks", "birthday", "anniversary", "reorder",
     * "winback", "tier_up", "expiring", "reward", "survey", "referral_ask", "campaign". It names
     * the template ("<trigger>" in the member's language) unless `template_id` is set. */
    const char *trigger;
    const char *template_id; /* NULL: the trigger's template */
    /* Idempotency: at most one message per (member, trigger, key). Daily jobs pass the member's
     * local date "2026-11-23"; one-off events pass their own id ("purchase:123"). */
    const char *key;
    loy_msg_class cls;
    /* Extra template variables (borrowed, may be NULL): {"survey_url": ..., "referral_url": ...}.
     * The member's own data (first name, balance, tier, stamps left, favourite product, expiry
     * date, ...) is added by the renderer; these override nothing of it. */
    const json_t *vars;
    const char *offer_reward; /* a reward id: a voucher is issued when it is sent; NULL = none */
    int64_t campaign_id;      /* A/B tests: the campaign and the variant; 0 / NULL otherwise */
    const char *variant;
    int64_t not_before; /* earliest send time, UTC seconds; 0 = as soon as allowed */
} loy_msg_req;

/* Queues one message inside the caller's open write transaction (app->conn). *queued is true
 * when a message was written, false when one for the same member, trigger and key exists already
 * (then nothing changes: calling twice is safe) or when the member has no consent for any channel
 * (the skip is recorded with its reason, so reports can count it). Errors: LOY_ENOTFOUND (member),
 * LOY_EINVALID (unknown trigger or template, field named). */
int loy_app_message_queue(loy_app *app, const loy_msg_req *req, int64_t now, bool *queued,
                          loy_err *err);

/* The same from a JSON request in its own transaction (`loyalty message queue`, owners and
 * tests): req = {member (id, card, phone or email), trigger, template?, key? (default a fresh
 * "manual:..." key), class? ("marketing", the default, or "service"), offer? (a reward id),
 * vars? (object of strings and integers), not_before? (ISO 8601)}. Audited ("message.queue").
 * *resp = {queued: bool, message: as in the list}; when nothing was queued, `message` is the
 * message that exists for the key (or the skipped one). LOY_EINVALID naming the field,
 * LOY_ENOTFOUND (field "member"). */
int loy_app_message_enqueue(loy_app *app, const json_t *req, json_t **resp, loy_err *err);

/* The merchant's messages, newest first: of one member (member_ref not NULL), with one status
 * (status not NULL: queued, sending, sent, failed, skipped or uncertain), ids below `before`
 * (0 = from the newest), at most `limit` (1..500). *resp = {"messages": [{id, member_id,
 * trigger, template, key, class, channel, locale, campaign_id, variant, offer, voucher_id,
 * status, reason, attempts, next_at, created_at, claimed_at, sent_at, message_id}],
 * "next_before": id or null}. LOY_EINVALID naming "status" or "limit", LOY_ENOTFOUND
 * ("member"). */
int loy_app_messages_list(loy_app *app, const char *member_ref, const char *status, int64_t before,
                          int limit, json_t **resp, loy_err *err);

/* What template `req.template` (default: the trigger's) says to a member with their data of now:
 * req = {member, trigger, template?, lang? (default: the member's language), offer? (a reward
 * id: shown with the code "PREVIEW"), vars?}; `public_url` makes the links absolute (NULL: they
 * are paths). Nothing is queued, sent or issued. *resp = {member_id, trigger, template, lang,
 * channel (what the sender would use now, or null), subject, text, html}. LOY_EINVALID naming
 * the field, LOY_ENOTFOUND ("member"). */
int loy_app_message_preview(loy_app *app, const json_t *req, const char *public_url, json_t **resp,
                            loy_err *err);

#endif
