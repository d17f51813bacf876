/* Repositories of webhook subscriptions and their deliveries (fan-out from the outbox, claiming
 * due deliveries, recording results). Like store.h, every function runs inside the caller's
 * transaction and never commits on its own. */
#ifndef LOY_STORE_STORE_WEBHOOK_H
#define LOY_STORE_STORE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define LOY_WEBHOOK_URL_MAX    2048
#define LOY_WEBHOOK_KIND_MAX   48
#define LOY_WEBHOOK_EVENTS_MAX 16

typedef struct {
    int64_t id, merchant_id;
    char url[LOY_WEBHOOK_URL_MAX + 1];
    char tag[24];
    char events[LOY_WEBHOOK_EVENTS_MAX][LOY_WEBHOOK_KIND_MAX];
    size_t nevents;
    int64_t created_at;
    char created_by[64];
    /* deliveries by state (filled by loy_store_webhook_list) */
    int64_t pending, delivered, failed;
    int64_t last_attempt_at, last_status; /* of the most recent attempt, 0 if none */
    char last_error[256];
} loy_webhook_row;

/* Inserts an active subscription of w->merchant_id (url, tag, events, created_at, created_by)
 * whose cursor is the newest outbox id: events written before it are never delivered to it.
 * Sets w->id. */
int loy_store_webhook_insert(loy_conn *c, loy_webhook_row *w, const char *secret, loy_err *err);
/* Active subscriptions of the merchant, ids ascending, with delivery counts; fn borrows w. */
int loy_store_webhook_list(loy_conn *c, int64_t merchant,
                           void (*fn)(void *ctx, const loy_webhook_row *w), void *ctx,
                           loy_err *err);
int loy_store_webhook_count(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err);
/* Soft-deletes an active subscription and cancels its pending deliveries (*cancelled = how
 * many, optional). LOY_ENOTFOUND if the merchant has no such active subscription. */
int loy_store_webhook_delete(loy_conn *c, int64_t merchant, int64_t id, int64_t now,
                             int64_t *cancelled, loy_err *err);

/* Creates a pending delivery (due at `now`) for every outbox event of the merchant newer than a
 * subscription's cursor whose kind it subscribes to, then moves the cursors to the newest outbox
 * id. Idempotent. *n_out (optional) = deliveries created. */
int loy_store_webhook_fanout(loy_conn *c, int64_t merchant, int64_t now, int64_t *n_out,
                             loy_err *err);
/* Marks failed the pending deliveries that already used max_attempts and are due again (their
 * last sender died before recording a result). *n_out (optional) = how many. */
int loy_store_webhook_abandon(loy_conn *c, int64_t merchant, int max_attempts, int64_t now,
                              int64_t *n_out, loy_err *err);

/* One claimed delivery: everything the sender needs, copied out of the database. */
typedef struct {
    int64_t id;    /* row id, for loy_store_webhook_record */
    int64_t claim; /* claim number, ditto */
    int attempts;  /* including the one being made */
    int64_t webhook_id, outbox_id, member_id, created_at;
    char delivery_id[64];
    char kind[LOY_WEBHOOK_KIND_MAX];
    char *url, *secret, *payload; /* malloc'ed; loy_webhook_jobs_free */
} loy_webhook_job;

/* Claims up to `max` pending deliveries due at `now` (oldest first) with fewer than
 * max_attempts attempts: counts the attempt, bumps the claim and leases the row until
 * now + lease (no other drain takes it before then). *out (malloc'ed) and *n receive them. */
int loy_store_webhook_claim(loy_conn *c, int64_t merchant, int max, int max_attempts, int64_t now,
                            int64_t lease, loy_webhook_job **out, size_t *n, loy_err *err);
void loy_webhook_jobs_free(loy_webhook_job *jobs, size_t n);

typedef enum { LOY_WH_DELIVERED, LOY_WH_RETRY, LOY_WH_FAILED } loy_webhook_outcome;

/* Records the result of the attempt of a claim: delivered (final), retry at next_at, or failed
 * (final). status is the HTTP status (0 = no response), error a short text or NULL. A claim
 * that is no longer current (taken over after its lease ran out, or finished) changes nothing
 * and returns LOY_ECONFLICT. */
int loy_store_webhook_record(loy_conn *c, const loy_webhook_job *j, loy_webhook_outcome outcome,
                             int64_t now, int64_t next_at, int status, const char *error,
                             loy_err *err);

#endif
