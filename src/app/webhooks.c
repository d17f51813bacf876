/* Use cases: webhook subscriptions and the drain that delivers outbox events after commit. */
#include "app/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/request.h"
#include "engage/webhook.h"
#include "store/store_webhook.h"
#include "util/jdump.h"
#include "util/rand.h"

static const char *const subscribe_fields[] = {"url", "events", NULL};

static int parse_events(const json_t *req, loy_webhook_row *w, loy_err *err)
{
    json_t *events = json_object_get(req, "events");
    if (!events)
        return loy_err_set(err, LOY_EINVALID, "events",
                           "events: is required (a list of event kinds such as "
                           "\"purchase.recorded\")");
    if (!json_is_array(events) || json_array_size(events) == 0 ||
        json_array_size(events) > LOY_WEBHOOK_EVENTS_MAX)
        return loy_err_set(err, LOY_EINVALID, "events",
                           "events: expected a list of 1 to %d event kinds",
                           LOY_WEBHOOK_EVENTS_MAX);
    size_t i;
    json_t *e;
    w->nevents = 0;
    json_array_foreach(events, i, e)
    {
        const char *kind = json_string_value(e);
        char field[32];
        snprintf(field, sizeof(field), "events[%zu]", i);
        if (!loy_webhook_kind_known(kind)) {
            char got[96];
            loy_req_show(e, got, sizeof(got));
            return loy_err_set(err, LOY_EINVALID, field,
                               "%s: unknown event kind %s (expected one of member.created, "
                               "purchase.recorded, purchase.refunded, reward.redeemed, "
                               "tier.changed, points.expiring, points.expired, reward.available, "
                               "bonus.welcome, bonus.birthday, bonus.anniversary, "
                               "stamps.card_full, member.erased, referral.awarded, message.send)",
                               field, got);
        }
        bool seen = false;
        for (size_t k = 0; k < w->nevents; k++)
            if (!strcmp(w->events[k], kind)) seen = true;
        if (!seen) snprintf(w->events[w->nevents++], LOY_WEBHOOK_KIND_MAX, "%s", kind);
    }
    return 0;
}

static json_t *events_json(const loy_webhook_row *w)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < w->nevents; i++) json_array_append_new(arr, json_string(w->events[i]));
    return arr;
}

int loy_app_webhooks_subscribe(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int rc = loy_req_object(req, subscribe_fields, err);
    const char *url = NULL;
    if (!rc) rc = loy_req_str(req, "url", true, LOY_WEBHOOK_URL_MAX, &url, err);
    if (!rc) rc = loy_webhook_url_check(url, err);
    loy_webhook_row *w = calloc(1, sizeof(*w));
    if (!w) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = parse_events(req, w, err);
    if (rc) goto done;
    char token[40], secret[48];
    if (loy_random_token(token, sizeof(token), 160) ||
        loy_random_token(w->tag, sizeof(w->tag), 60)) {
        rc = loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
        goto done;
    }
    snprintf(secret, sizeof(secret), "whsec_%s", token);
    w->merchant_id = app->merchant;
    w->created_at = loy_app_now(app);
    snprintf(w->url, sizeof(w->url), "%s", url);
    snprintf(w->created_by, sizeof(w->created_by), "%s", app->actor);
    if ((rc = loy_db_begin(&app->conn, true, err))) goto done;
    int64_t count = 0;
    rc = loy_store_webhook_count(&app->conn, app->merchant, &count, err);
    if (!rc && count >= LOY_WEBHOOKS_PER_MERCHANT)
        rc = loy_err_set(err, LOY_EREFUSED, "url",
                         "a merchant may have at most %d webhook subscriptions",
                         LOY_WEBHOOKS_PER_MERCHANT);
    if (!rc) rc = loy_store_webhook_insert(&app->conn, w, secret, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "webhook.create", "webhook",
                             w->id, NULL, w->url, w->created_at, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        goto done;
    }
    *resp = json_pack("{s:I, s:s, s:o, s:o, s:s}", "id", (json_int_t)w->id, "url", w->url, "events",
                      events_json(w), "created_at", loy_json_time(w->created_at), "secret", secret);
done:
    free(w);
    return rc;
}

static void add_webhook(void *ctx, const loy_webhook_row *w)
{
    json_t *last =
        w->last_attempt_at
            ? json_pack("{s:o, s:o, s:o}", "at", loy_json_time(w->last_attempt_at), "status",
                        w->last_status ? json_integer(w->last_status) : json_null(), "error",
                        w->last_error[0] ? json_string(w->last_error) : json_null())
            : json_null();
    json_array_append_new(
        (json_t *)ctx,
        json_pack("{s:I, s:s, s:o, s:o, s:{s:I, s:I, s:I}, s:o}", "id", (json_int_t)w->id, "url",
                  w->url, "events", events_json(w), "created_at", loy_json_time(w->created_at),
                  "deliveries", "pending", (json_int_t)w->pending, "delivered",
                  (json_int_t)w->delivered, "failed", (json_int_t)w->failed, "last_attempt", last));
}

int loy_app_webhooks_list(loy_app *app, json_t **resp, loy_err *err)
{
    json_t *arr = json_array();
    int rc = loy_db_begin(&app->conn, false, err);
    if (!rc) {
        rc = loy_store_webhook_list(&app->conn, app->merchant, add_webhook, arr, err);
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:o}", "webhooks", arr);
    return 0;
}

int loy_app_webhooks_delete(loy_app *app, int64_t id, loy_err *err)
{
    int64_t now = loy_app_now(app), cancelled = 0;
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_webhook_delete(&app->conn, app->merchant, id, now, &cancelled, err);
    if (!rc) {
        char detail[64];
        snprintf(detail, sizeof(detail), "%lld pending deliveries cancelled", (long long)cancelled);
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "webhook.delete", "webhook", id,
                             NULL, detail, now, NULL, err);
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    return rc;
}

char *loy_app_webhooks_body(const char *delivery_id, const char *kind, int64_t event_id,
                            int64_t created_at, int64_t member_id, const char *payload, size_t *len)
{
    json_t *data = payload ? json_loads(payload, JSON_DECODE_ANY, NULL) : NULL;
    if (!data && payload) data = json_string(payload); /* not JSON: sent as text */
    json_t *body = json_object();
    if (!body) {
        json_decref(data);
        return NULL;
    }
    json_object_set_new(body, "id", json_string(delivery_id));
    json_object_set_new(body, "event", json_string(kind));
    json_object_set_new(body, "event_id", json_integer(event_id));
    json_object_set_new(body, "created_at", loy_json_time(created_at));
    json_object_set_new(body, "member_id", member_id ? json_integer(member_id) : json_null());
    json_object_set_new(body, "data", data ? data : json_null());
    char *text = loy_json_dump(body, false, len);
    json_decref(body);
    return text;
}

/* Records one attempt's result in its own transaction. A claim taken over meanwhile (its lease
 * ran out) is not an error: the newer claim records its own result. */
static int record(loy_app *app, const loy_webhook_job *j, bool ok, const loy_webhook_result *res,
                  int64_t now, loy_webhooks_drain_stats *st, loy_err *err)
{
    loy_webhook_outcome outcome = ok                                        ? LOY_WH_DELIVERED
                                  : j->attempts >= LOY_WEBHOOK_MAX_ATTEMPTS ? LOY_WH_FAILED
                                                                            : LOY_WH_RETRY;
    int64_t next_at = now + loy_webhook_backoff(j->attempts);
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_webhook_record(&app->conn, j, outcome, now, next_at, res->status,
                                  ok ? NULL : res->error, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        if (rc == LOY_ECONFLICT) {
            loy_err_clear(err);
            return 0;
        }
        return rc;
    }
    if (outcome == LOY_WH_DELIVERED) st->delivered++;
    if (outcome == LOY_WH_RETRY) st->retrying++;
    if (outcome == LOY_WH_FAILED) st->failed++;
    return 0;
}

int loy_app_webhooks_drain_stats(loy_app *app, int max, int64_t now,
                                 loy_webhooks_drain_stats *stats, loy_err *err)
{
    loy_webhooks_drain_stats st = {0};
    if (stats) *stats = st;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    if (max < 1 || max > LOY_WEBHOOKS_DRAIN_MAX)
        return loy_err_set(err, LOY_EINVALID, "max", "max: expected 1 to %d, got %d",
                           LOY_WEBHOOKS_DRAIN_MAX, max);
    /* 1. in one write transaction: fan out, give up on abandoned claims, claim what is due;
     * the lease outlasts the worst case of sending every claimed delivery */
    int64_t lease = 60 + (int64_t)max * (LOY_WEBHOOK_TIMEOUT_MS / 1000 + 1);
    int64_t fanned = 0, abandoned = 0;
    loy_webhook_job *jobs = NULL;
    size_t n = 0;
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_webhook_fanout(&app->conn, app->merchant, now, &fanned, err);
    if (!rc)
        rc = loy_store_webhook_abandon(&app->conn, app->merchant, LOY_WEBHOOK_MAX_ATTEMPTS, now,
                                       &abandoned, err);
    if (!rc)
        rc = loy_store_webhook_claim(&app->conn, app->merchant, max, LOY_WEBHOOK_MAX_ATTEMPTS, now,
                                     lease, &jobs, &n, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        loy_webhook_jobs_free(jobs, n);
        return rc;
    }
    st.fanned_out = (int)fanned;
    st.failed = (int)abandoned;
    st.claimed = (int)n;
    /* 2. send outside any transaction, recording each result as soon as it is known */
    loy_webhook_client *cl = NULL;
    if (n > 0) rc = loy_webhook_client_new(&cl, err);
    for (size_t i = 0; !rc && i < n; i++) {
        const loy_webhook_job *j = &jobs[i];
        size_t len = 0;
        char *body = loy_app_webhooks_body(j->delivery_id, j->kind, j->outbox_id, j->created_at,
                                           j->member_id, j->payload, &len);
        if (!body) {
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            break;
        }
        loy_webhook_msg m = {.url = j->url,
                             .secret = j->secret,
                             .delivery_id = j->delivery_id,
                             .kind = j->kind,
                             .body = body,
                             .len = len,
                             .timestamp = now};
        loy_webhook_result res;
        bool ok = loy_webhook_post(cl, &m, &res);
        free(body);
        rc = record(app, j, ok, &res, now, &st, err);
    }
    loy_webhook_client_free(cl);
    loy_webhook_jobs_free(jobs, n);
    if (stats) *stats = st;
    return rc;
}

int loy_app_webhooks_drain(loy_app *app, int max, int64_t now, int *delivered, loy_err *err)
{
    loy_webhooks_drain_stats st;
    int rc = loy_app_webhooks_drain_stats(app, max, now, &st, err);
    if (delivered) *delivered = st.delivered;
    return rc;
}
