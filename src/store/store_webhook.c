/* Webhook subscriptions and deliveries: fan-out from the outbox, claims with leases, results. */
#include "store/store_webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_text(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int loy_store_webhook_insert(loy_conn *c, loy_webhook_row *w, const char *secret, loy_err *err)
{
    int64_t cursor = 0;
    int rc = loy_db_scalar(c, &cursor, err, "SELECT coalesce(max(id), 0) FROM outbox", "");
    if (!rc)
        rc = loy_db_scalar(
            c, &w->id, err,
            "INSERT INTO webhooks(merchant_id, url, secret, tag, cursor, created_at, "
            "created_by) VALUES (?,?,?,?,?,?,?) RETURNING id",
            "ittti"
            "it",
            w->merchant_id, w->url, secret, w->tag, cursor, w->created_at, w->created_by);
    for (size_t i = 0; !rc && i < w->nevents; i++)
        rc = loy_db_run(c, err,
                        "INSERT INTO webhook_events(webhook_id, kind) VALUES (?, ?) "
                        "ON CONFLICT DO NOTHING",
                        "it", w->id, w->events[i]);
    return rc;
}

int loy_store_webhook_count(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err,
                         "SELECT count(*) FROM webhooks WHERE merchant_id = ? AND "
                         "deleted_at IS NULL",
                         "i", merchant);
}

static int load_events(loy_conn *c, loy_webhook_row *w, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT kind FROM webhook_events WHERE webhook_id = ? ORDER BY kind", "i",
                          w->id);
    if (rc) return rc;
    w->nevents = 0;
    while ((rc = loy_db_next(c, st, err)) == 1)
        if (w->nevents < LOY_WEBHOOK_EVENTS_MAX)
            copy_text(w->events[w->nevents++], LOY_WEBHOOK_KIND_MAX, loy_db_text(c, st, 0));
    return rc;
}

int loy_store_webhook_list(loy_conn *c, int64_t merchant,
                           void (*fn)(void *ctx, const loy_webhook_row *w), void *ctx, loy_err *err)
{
    /* rows are read completely before the events of each are queried: a statement is not
     * stepped while another is prepared */
    loy_stmt *st;
    loy_webhook_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc = loy_db_query(
        c, &st, err,
        "SELECT w.id, w.merchant_id, w.url, w.tag, w.created_at, w.created_by, "
        "(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND "
        "d.state = 'pending'), "
        "(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND "
        "d.state = 'delivered'), "
        "(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND "
        "d.state = 'failed'), "
        "l.last_attempt_at, l.last_status, l.last_error "
        "FROM webhooks w LEFT JOIN webhook_deliveries l ON l.id = (SELECT d.id FROM "
        "webhook_deliveries d WHERE d.webhook_id = w.id AND d.last_attempt_at IS NOT NULL "
        "ORDER BY d.last_attempt_at DESC, d.id DESC LIMIT 1) "
        "WHERE w.merchant_id = ? AND w.deleted_at IS NULL ORDER BY w.id",
        "i", merchant);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            loy_webhook_row *nr = realloc(rows, ncap * sizeof(*rows));
            if (!nr) {
                loy_db_done(c, st);
                rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
                break;
            }
            rows = nr;
            cap = ncap;
        }
        loy_webhook_row *w = &rows[n++];
        memset(w, 0, sizeof(*w));
        w->id = loy_db_int(c, st, 0);
        w->merchant_id = loy_db_int(c, st, 1);
        copy_text(w->url, sizeof(w->url), loy_db_text(c, st, 2));
        copy_text(w->tag, sizeof(w->tag), loy_db_text(c, st, 3));
        w->created_at = loy_db_int(c, st, 4);
        copy_text(w->created_by, sizeof(w->created_by), loy_db_text(c, st, 5));
        w->pending = loy_db_int(c, st, 6);
        w->delivered = loy_db_int(c, st, 7);
        w->failed = loy_db_int(c, st, 8);
        w->last_attempt_at = loy_db_int(c, st, 9);
        w->last_status = loy_db_int(c, st, 10);
        copy_text(w->last_error, sizeof(w->last_error), loy_db_text(c, st, 11));
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = load_events(c, &rows[i], err);
        if (!rc) fn(ctx, &rows[i]);
    }
    free(rows);
    return rc;
}

int loy_store_webhook_delete(loy_conn *c, int64_t merchant, int64_t id, int64_t now,
                             int64_t *cancelled, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE webhooks SET deleted_at = ? WHERE id = ? AND merchant_id = ? AND "
                        "deleted_at IS NULL",
                        "iii", now, id, merchant);
    if (!rc && loy_db_changes(c) != 1)
        return loy_err_set(err, LOY_ENOTFOUND, "id", "no webhook subscription %lld", (long long)id);
    if (!rc)
        rc = loy_db_run(c, err,
                        "UPDATE webhook_deliveries SET state = 'cancelled', done_at = ? "
                        "WHERE webhook_id = ? AND state = 'pending'",
                        "ii", now, id);
    if (!rc && cancelled) *cancelled = loy_db_changes(c);
    return rc;
}

int loy_store_webhook_fanout(loy_conn *c, int64_t merchant, int64_t now, int64_t *n_out,
                             loy_err *err)
{
    int64_t hi = 0;
    int rc = loy_db_scalar(c, &hi, err, "SELECT coalesce(max(id), 0) FROM outbox", "");
    if (!rc)
        rc = loy_db_run(c, err,
                        "INSERT INTO webhook_deliveries(merchant_id, webhook_id, outbox_id, "
                        "delivery_id, next_at, created_at) "
                        "SELECT w.merchant_id, w.id, o.id, 'whd_' || w.tag || '-' || o.id, ?, ? "
                        "FROM webhooks w JOIN webhook_events e ON e.webhook_id = w.id "
                        "JOIN outbox o ON o.merchant_id = w.merchant_id AND o.kind = e.kind "
                        "AND o.id > w.cursor AND o.id <= ? "
                        "WHERE w.merchant_id = ? AND w.deleted_at IS NULL "
                        "ON CONFLICT DO NOTHING",
                        "iiii", now, now, hi, merchant);
    if (!rc && n_out) *n_out = loy_db_changes(c);
    if (!rc)
        rc = loy_db_run(c, err,
                        "UPDATE webhooks SET cursor = ? WHERE merchant_id = ? AND "
                        "deleted_at IS NULL AND cursor < ?",
                        "iii", hi, merchant, hi);
    return rc;
}

int loy_store_webhook_abandon(loy_conn *c, int64_t merchant, int max_attempts, int64_t now,
                              int64_t *n_out, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE webhook_deliveries SET state = 'failed', done_at = ?, "
                        "last_error = coalesce(last_error, 'the sender stopped before recording "
                        "the result') "
                        "WHERE merchant_id = ? AND state = 'pending' AND next_at <= ? AND "
                        "attempts >= ?",
                        "iiii", now, merchant, now, (int64_t)max_attempts);
    if (!rc && n_out) *n_out = loy_db_changes(c);
    return rc;
}

static char *dup_text(const char *s)
{
    return strdup(s ? s : "");
}

void loy_webhook_jobs_free(loy_webhook_job *jobs, size_t n)
{
    for (size_t i = 0; jobs && i < n; i++) {
        free(jobs[i].url);
        free(jobs[i].secret);
        free(jobs[i].payload);
    }
    free(jobs);
}

int loy_store_webhook_claim(loy_conn *c, int64_t merchant, int max, int max_attempts, int64_t now,
                            int64_t lease, loy_webhook_job **out, size_t *n, loy_err *err)
{
    *out = NULL;
    *n = 0;
    if (max <= 0) return 0;
    loy_webhook_job *jobs = calloc((size_t)max, sizeof(*jobs));
    if (!jobs) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    size_t k = 0;
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT d.id, d.claim, d.attempts, d.webhook_id, d.outbox_id, "
                          "coalesce(o.member_id, 0), o.created_at, d.delivery_id, o.kind, w.url, "
                          "w.secret, o.payload "
                          "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                          "JOIN outbox o ON o.id = d.outbox_id "
                          "WHERE d.merchant_id = ? AND d.state = 'pending' AND d.next_at <= ? "
                          "AND d.attempts < ? AND w.deleted_at IS NULL "
                          "ORDER BY d.next_at, d.id LIMIT ?",
                          "iiii", merchant, now, (int64_t)max_attempts, (int64_t)max);
    if (rc) goto done;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_webhook_job *j = &jobs[k++];
        j->id = loy_db_int(c, st, 0);
        j->claim = loy_db_int(c, st, 1);
        j->attempts = (int)loy_db_int(c, st, 2);
        j->webhook_id = loy_db_int(c, st, 3);
        j->outbox_id = loy_db_int(c, st, 4);
        j->member_id = loy_db_int(c, st, 5);
        j->created_at = loy_db_int(c, st, 6);
        copy_text(j->delivery_id, sizeof(j->delivery_id), loy_db_text(c, st, 7));
        copy_text(j->kind, sizeof(j->kind), loy_db_text(c, st, 8));
        j->url = dup_text(loy_db_text(c, st, 9));
        j->secret = dup_text(loy_db_text(c, st, 10));
        j->payload = dup_text(loy_db_text(c, st, 11));
        if (!j->url || !j->secret || !j->payload) {
            loy_db_done(c, st);
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            break;
        }
        if (k == (size_t)max) {
            loy_db_done(c, st);
            rc = 0;
            break;
        }
    }
    if (rc) goto done;
    /* the claim: count the attempt and lease the row; the read claim number must still hold */
    for (size_t i = 0; i < k && !rc; i++) {
        loy_webhook_job *j = &jobs[i];
        rc = loy_db_run(c, err,
                        "UPDATE webhook_deliveries SET claim = claim + 1, attempts = attempts + 1, "
                        "next_at = ? WHERE id = ? AND claim = ? AND state = 'pending'",
                        "iii", now + lease, j->id, j->claim);
        if (!rc && loy_db_changes(c) != 1)
            rc = loy_err_set(err, LOY_ECONFLICT, "", "webhook delivery %s was claimed meanwhile",
                             j->delivery_id);
        j->claim++;
        j->attempts++;
    }
done:
    if (rc) {
        loy_webhook_jobs_free(jobs, k);
        return rc;
    }
    *out = jobs;
    *n = k;
    return 0;
}

int loy_store_webhook_record(loy_conn *c, const loy_webhook_job *j, loy_webhook_outcome outcome,
                             int64_t now, int64_t next_at, int status, const char *error,
                             loy_err *err)
{
    int rc;
    switch (outcome) {
    case LOY_WH_DELIVERED:
        rc = loy_db_run(c, err,
                        "UPDATE webhook_deliveries SET state = 'delivered', done_at = ?, "
                        "last_attempt_at = ?, last_status = ?, last_error = NULL "
                        "WHERE id = ? AND claim = ? AND state = 'pending'",
                        "iiiii", now, now, (int64_t)status, j->id, j->claim);
        break;
    case LOY_WH_RETRY:
        rc = loy_db_run(c, err,
                        "UPDATE webhook_deliveries SET next_at = ?, last_attempt_at = ?, "
                        "last_status = ?, last_error = ? "
                        "WHERE id = ? AND claim = ? AND state = 'pending'",
                        "iiitii", next_at, now, (int64_t)status, error, j->id, j->claim);
        break;
    default:
        rc = loy_db_run(c, err,
                        "UPDATE webhook_deliveries SET state = 'failed', done_at = ?, "
                        "last_attempt_at = ?, last_status = ?, last_error = ? "
                        "WHERE id = ? AND claim = ? AND state = 'pending'",
                        "iiitii", now, now, (int64_t)status, error, j->id, j->claim);
    }
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ECONFLICT, "",
                         "webhook delivery %s: the claim is no longer current", j->delivery_id);
    return rc;
}
