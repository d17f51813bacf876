/* Use cases of webhooks: subscribe, list, delete, and the drain that delivers outbox events to
 * the subscribed URLs after commit (see docs/webhooks.md). */
#ifndef LOY_APP_WEBHOOKS_H
#define LOY_APP_WEBHOOKS_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"

#define LOY_WEBHOOKS_PER_MERCHANT 20
#define LOY_WEBHOOKS_DRAIN_MAX    1000 /* largest `max` of one drain */

/* Subscribes a URL: req = {"url": "https://...", "events": ["purchase.recorded", ...]}.
 * *resp = {id, url, events, created_at, secret}: the signing secret ("whsec_" + 32 base32
 * characters, 160 random bits) is returned only here. Events written before the subscription
 * are not delivered to it. LOY_EINVALID naming the field; LOY_EREFUSED past 20 subscriptions. */
int loy_app_webhooks_subscribe(loy_app *app, const json_t *req, json_t **resp, loy_err *err);
/* *resp = {"webhooks": [{id, url, events, created_at, deliveries: {pending, delivered, failed},
 * last_attempt: null | {at, status, error}}]} (never the secret). */
int loy_app_webhooks_list(loy_app *app, json_t **resp, loy_err *err);
/* Deletes a subscription and cancels its pending deliveries. LOY_ENOTFOUND if none. */
int loy_app_webhooks_delete(loy_app *app, int64_t id, loy_err *err);

typedef struct {
    int fanned_out; /* deliveries created from new outbox events */
    int claimed;    /* attempts made */
    int delivered;  /* 2xx answers */
    int retrying;   /* failed attempts that will be retried */
    int failed;     /* deliveries given up (max attempts reached) */
} loy_webhooks_drain_stats;

/* Fans new outbox events out to the subscriptions, claims up to `max` (1..1000) deliveries due
 * at `now`, sends them outside any transaction (5 s timeout each) and records each result in its
 * own transaction: 2xx = delivered (never sent again); otherwise a retry after
 * 30 s x 2^(attempts-1) (at most 1 h), or failed after 12 attempts. *delivered = 2xx answers.
 * Returns 0 unless the database failed; a receiver's failure is not an error. */
int loy_app_webhooks_drain(loy_app *app, int max, int64_t now, int *delivered, loy_err *err);
/* The same with every counter (stats may be NULL). */
int loy_app_webhooks_drain_stats(loy_app *app, int max, int64_t now,
                                 loy_webhooks_drain_stats *stats, loy_err *err);

/* The JSON body sent for a delivery: {id, event, event_id, created_at, member_id, data}, keys
 * in that order (the same bytes on every retry). Returns a malloc'ed string or NULL (no memory).
 * Exposed for tests and documentation. */
char *loy_app_webhooks_body(const char *delivery_id, const char *kind, int64_t event_id,
                            int64_t created_at, int64_t member_id, const char *payload,
                            size_t *len);

#endif
