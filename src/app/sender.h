/* The message sender (docs/messages.md, "Delivery guarantees"): drains the due messages of the
 * outbox after commit. At send time it reads the member again and checks the channel's consent,
 * erasure, the frequency cap and quiet hours in the member's time zone, renders the message, and
 * hands it to the SMTP server or, for members reachable only by SMS, to the signed webhooks as a
 * "message.send" event. At most once: a message is marked `sending` and committed before the
 * SMTP conversation, and one found still `sending` later (its sender died) becomes `uncertain`,
 * never sent again. */
#ifndef LOY_APP_SENDER_H
#define LOY_APP_SENDER_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "engage/smtp.h"
#include "engage/template.h"

#define LOY_MSG_MAX_ATTEMPTS 10          /* SMTP attempts before a message is failed */
#define LOY_MSG_SEND_MAX     1000        /* largest `max` of one drain */
#define LOY_MSG_NO_SMTP_WAIT 900         /* seconds an email waits when no SMTP server is set */
#define LOY_MSG_MAX_LATE     (2 * 86400) /* a message due longer ago is skipped as "stale" */

typedef struct {
    loy_smtp_config smtp;   /* smtp.url NULL or "": no email is sent (email messages wait) */
    const char *mail_from;  /* envelope sender, and From when the programme names none */
    const char *public_url; /* "https://shop.example": links in messages (NULL: paths) */
    int64_t lease;          /* seconds a claim may stay `sending`; 0: 60 + 2 x the SMTP timeout */
} loy_sender_config;

typedef struct {
    int sent;      /* accepted by the SMTP server */
    int webhook;   /* handed to the webhooks as message.send */
    int retrying;  /* temporary failures, queued again with backoff */
    int failed;    /* permanent failures and attempts used up */
    int skipped;   /* no consent, cap, erased, no channel */
    int postponed; /* quiet hours, no SMTP server yet */
    int uncertain; /* outcome unknown: claims abandoned by a dead sender, broken connections */
} loy_sender_stats;

/* The channel member m can be written to now: "email" (an address and email consent), "sms" (a
 * phone and SMS consent: the webhook channel), or NULL (neither, or erased). */
const char *loy_app_message_channel(const loy_member_row *m);

/* Handles up to `max` (1..1000) messages of the current merchant due at `now`, oldest first, each
 * in its own transactions, after marking `uncertain` the messages claimed longer than the lease
 * ago. A temporary SMTP failure queues the message again after loy_webhook_backoff(attempts)
 * (30 s doubling, at most 1 h), failed after 10 attempts; a permanent one (5xx) fails it.
 * Returns 0 unless the database failed; a server's failure is not an error. stats may be NULL.
 * Test hook: LOYALTY_FAULT=after_smtp_send (or before_smtp_send) ends the process with _exit(75)
 * right after the SMTP server accepted the message (or right after the claim was committed). */
int loy_app_messages_send(loy_app *app, const loy_sender_config *cfg, int max, int64_t now,
                          loy_sender_stats *stats, loy_err *err);

/* Renders template `template_id` for member m in language `lang` (as loy_template_lang picks it)
 * with their data at `now` (balance, stamps, tier, rewards, expiring points, favourite), the
 * request's `vars` (they add, never replace), the offer (voucher `offer` with the reward's name;
 * NULL = none), the card and unsubscribe links (`unsub_path` "/u/TOKEN" after `public_url`).
 * Runs inside the caller's transaction. */
int loy_app_message_render(loy_app *app, const loy_member_row *m, const char *template_id,
                           const char *lang, const json_t *vars, const loy_voucher_row *offer,
                           const char *public_url, const char *unsub_path, int64_t now,
                           loy_rendered *out, loy_err *err);

#endif
