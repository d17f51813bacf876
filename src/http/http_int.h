/* Internals of src/http shared by the server, the route table and the handlers. */
#ifndef LOY_HTTP_INT_H
#define LOY_HTTP_INT_H

#include <pthread.h>

#include "http/http.h"

/* Request metrics for /metrics (Prometheus text format). */
#define LOY_METRIC_SERIES  256
#define LOY_METRIC_BUCKETS 12
typedef struct {
    pthread_mutex_t lock;
    struct {
        char method[8];
        const char *pattern;
        int status;
        uint64_t count;
    } series[LOY_METRIC_SERIES];
    int nseries;
    uint64_t buckets[LOY_METRIC_BUCKETS]; /* latency histogram, cumulative at render time */
    uint64_t count;
    double sum_ms;
    void *server;
} loy_metrics;

void loy_metrics_init(loy_metrics *m);
void loy_metrics_free(loy_metrics *m);
void loy_metrics_bind(loy_metrics *m, loy_server *s);
void loy_metrics_observe(loy_metrics *m, const char *method, const char *pattern, int status,
                         double ms);
/* Renders the metrics (plus database gauges read through app) as Prometheus text. */
char *loy_metrics_render(loy_metrics *m, loy_app *app);
loy_metrics *loy_server_metrics(loy_server *s);

/* Authenticates the request (API key: "Authorization: Bearer loy_..."), sets role, merchant
 * and actor, and checks the route's role: 401 without valid credentials, 403 when the role is
 * too low (r->status set, LOY_EREFUSED returned). Public routes pass. */
int loy_http_auth(loy_req *r, const loy_route *route, loy_err *err);
/* Group commit (group.c): one writer thread applies concurrent writes in shared transactions. */
typedef struct loy_group loy_group;
int loy_group_start(loy_group **out, const char *db_path, loy_err *err);
/* Queues one write and waits until its transaction committed (or failed). */
int loy_group_write(loy_group *g, int64_t merchant, const char *actor, loy_op op, const char *key,
                    const json_t *req, json_t **resp, bool *replayed, loy_err *err);
/* Applies what is queued, then stops the writer. */
void loy_group_stop(loy_group *g);
loy_group *loy_server_group(loy_server *s);

/* Session cookie authentication (CSRF token required on writes). */
int loy_http_session_auth(loy_req *r, const char *token, loy_err *err);
int loy_h_login(loy_req *r, loy_err *err);
int loy_h_whoami(loy_req *r, loy_err *err);
int loy_h_logout(loy_req *r, loy_err *err);

/* Rate limits (throttle.c), process-wide: seconds `key` must wait because `limit` counted events
 * happened within `window` seconds (0: go ahead); counting one event (count false resets the
 * key's count, as a successful login after failures); the client's address as text (IPv6: its
 * /64), "" when unknown. */
int64_t loy_throttle_wait(const char *key, int64_t now, int limit, int64_t window);
void loy_throttle_record(const char *key, int64_t now, int64_t window, bool count);
void loy_client_ip(const loy_req *r, char *out, size_t n);
/* The answer to a client over a limit: 429 with Retry-After `wait` and the message "too many
 * WHAT: try again in WAIT s" (LOY_EREFUSED). */
int loy_too_many(loy_req *r, int64_t wait, const char *what, loy_err *err);

/* Public customer-page handlers (api_public.c): the card view and joining. */
int loy_h_card_view(loy_req *r, loy_err *err);
int loy_h_join(loy_req *r, loy_err *err);
int loy_h_join_info(loy_req *r, loy_err *err);
/* Checks Content-Type (415) and parses the body as JSON (400 with position; depth <= 32). */
int loy_http_parse_body(loy_req *r, loy_err *err);
/* Checks Content-Type (415 unless application/x-www-form-urlencoded or multipart/form-data)
 * and parses the body into r->form (form.c): 400 naming the field for a malformed body, a file
 * part, a field given twice or not UTF-8, more than 32 fields, a name over 64 or a value over
 * 4096 bytes. */
int loy_http_parse_form(loy_req *r, loy_err *err);
/* The Idempotency-Key header (400 when missing or longer than 255). */
int loy_http_idem_key(loy_req *r, const char **key, loy_err *err);
/* Runs a write use case with the request's key and body; 201 on first effect, 200 on replay. */
int loy_http_write(loy_req *r, loy_op op, const json_t *req, loy_err *err);

/* Static files of the console (static.c): GET /console, /console/{file}, /console/i18n/{file}.
 * Public; 404 for any name not embedded; 304 when If-None-Match names the current ETag. */
int loy_h_console_index(loy_req *r, loy_err *err);
int loy_h_console_file(loy_req *r, loy_err *err);
int loy_h_console_i18n(loy_req *r, loy_err *err);
/* The customer pages (static.c): GET /join/{location} and /c/{token} (the same page whatever the
 * parameter: the page asks the public API), /customer/{file} (their modules and style sheet). */
int loy_h_customer_join(loy_req *r, loy_err *err);
int loy_h_customer_card(loy_req *r, loy_err *err);
/* GET /u/{token}: the unsubscribe page (the same page whatever the token; it changes nothing). */
int loy_h_customer_unsub(loy_req *r, loy_err *err);
/* Unsubscribing (api_unsub.c): the RFC 8058 one-click POST /u/{token} and the page's API. */
int loy_h_unsub_oneclick(loy_req *r, loy_err *err);
int loy_h_subscriptions_get(loy_req *r, loy_err *err);
int loy_h_subscriptions_put(loy_req *r, loy_err *err);
int loy_h_customer_file(loy_req *r, loy_err *err);

#endif
