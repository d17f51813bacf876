/* The HTTP server: accepts requests with libmicrohttpd (epoll, thread pool), enforces the size
 * limits, authenticates, routes, runs the handler on this thread's database connection, and
 * answers JSON. The response is queued only after the whole body has arrived, which keeps
 * connections alive. */
#include "http/http.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/sender.h"
#include "app/webhooks.h"
#include "http/scheduler.h"
#include "util/jdump.h"

struct loy_server {
    struct MHD_Daemon *d;
    loy_server_config cfg;
    char db_path[1024];
    pthread_key_t app_key;
    pthread_mutex_t apps_lock;
    loy_app *apps[256]; /* every per-thread handle, closed at stop */
    int napps;
    int port;
    loy_metrics metrics;
    loy_group *group;
    pthread_t drainer;
    pthread_mutex_t drain_lock;
    pthread_cond_t drain_wake;
    bool stopping, drainer_running;
    loy_scheduler *scheduler; /* the daily jobs (http/scheduler.c); NULL when turned off */
    pthread_t sender;         /* the message sender: send_loop */
    bool sender_running;
    loy_sender_config sender_cfg;
};

/* One pass of a background worker for the selected merchant: 0 or an error; *more when it had
 * a full batch (the loop goes on at once instead of waiting a second). */
typedef int (*bg_pass)(loy_server *s, loy_app *app, bool *more, loy_err *err);

/* A background worker's loop on its own database connection: every second (at once after a full
 * batch), one pass for every merchant, until the server stops. `what` names it in errors. */
static void bg_loop(loy_server *s, const char *what, const char *actor, bg_pass pass)
{
    loy_app *app = NULL;
    loy_err err;
    if (loy_app_open(&app, s->db_path, NULL, &err)) {
        fprintf(stderr, "loyalty: %s cannot open the database: %s\n", what, err.message);
        return;
    }
    if (actor) snprintf(app->actor, sizeof(app->actor), "%s", actor);
    pthread_mutex_lock(&s->drain_lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->drain_lock);
        int64_t ids[64];
        int n = 0;
        bool more = false;
        if (loy_app_merchants(app, ids, 64, &n, &err) == 0)
            for (int i = 0; i < n; i++)
                if (loy_app_select_merchant(app, ids[i], &err) || pass(s, app, &more, &err))
                    fprintf(stderr, "loyalty: %s: %s\n", what, err.message);
        pthread_mutex_lock(&s->drain_lock);
        if (s->stopping) break;
        if (more) continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&s->drain_wake, &s->drain_lock, &until);
    }
    pthread_mutex_unlock(&s->drain_lock);
    loy_app_close(app);
}

/* Webhook events after commit (app/webhooks.c). */
static int drain_pass(loy_server *s, loy_app *app, bool *more, loy_err *err)
{
    (void)s;
    int delivered = 0;
    int rc = loy_app_webhooks_drain(app, 100, loy_app_now(app), &delivered, err);
    *more = *more || (!rc && delivered >= 100);
    return rc;
}

static void *drain_loop(void *arg)
{
    bg_loop(arg, "webhook delivery", NULL, drain_pass);
    return NULL;
}

/* Messages to members after commit (app/sender.h), on a connection of their own: an SMTP
 * server's slowness never delays webhooks. */
static int send_pass(loy_server *s, loy_app *app, bool *more, loy_err *err)
{
    loy_sender_stats st;
    int rc = loy_app_messages_send(app, &s->sender_cfg, 100, loy_app_now(app), &st, err);
    if (!rc &&
        st.sent + st.webhook + st.retrying + st.failed + st.skipped + st.postponed + st.uncertain >=
            100)
        *more = true;
    return rc;
}

static void *send_loop(void *arg)
{
    bg_loop(arg, "message sending", "system:messages", send_pass);
    return NULL;
}

typedef struct {
    loy_req r;
    const char *pattern; /* route pattern for logs and metrics: static strings only */
    char *buf;
    size_t len, cap;
    bool too_large;
    struct timespec start;
} conn_ctx;

static loy_app *thread_app(loy_server *s, loy_err *err)
{
    loy_app *app = pthread_getspecific(s->app_key);
    if (app) return app;
    if (loy_app_open(&app, s->db_path, NULL, err)) return NULL;
    pthread_mutex_lock(&s->apps_lock);
    if (s->napps < (int)(sizeof(s->apps) / sizeof(s->apps[0]))) s->apps[s->napps++] = app;
    pthread_mutex_unlock(&s->apps_lock);
    pthread_setspecific(s->app_key, app);
    return app;
}

const char *loy_req_query(const loy_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct {
    json_t *args;
    const char *bad; /* the first parameter refused, or "" when its name is not UTF-8 */
} query_ctx;

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    query_ctx *q = cls;
    if (key && !*key) return MHD_YES;             /* "?a=1&&b=2": an empty name is no parameter */
    json_t *name = key ? json_string(key) : NULL; /* NULL: not UTF-8 */
    json_decref(name);
    if (!name) {
        q->bad = "";
        return MHD_NO;
    }
    json_t *v = json_object_get(q->args, key) ? NULL : json_string(value ? value : "");
    if (!v) {
        q->bad = key;
        return MHD_NO;
    }
    json_object_set_new(q->args, key, v);
    return MHD_YES;
}

int loy_req_query_all(const loy_req *r, json_t **out, loy_err *err)
{
    query_ctx q = {json_object(), NULL};
    *out = NULL;
    if (!q.args) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg, &q);
    if (q.bad) {
        int rc = loy_err_set(err, LOY_EINVALID, q.bad,
                             "%s: a query parameter given twice, or not UTF-8 text", q.bad);
        json_decref(q.args);
        return rc;
    }
    *out = q.args;
    return 0;
}

const char *loy_req_header(const loy_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int loy_http_status(int code)
{
    switch (code) {
    case LOY_OK:
        return 200;
    case LOY_EINVALID:
        return 400;
    case LOY_ENOTFOUND:
        return 404;
    case LOY_ECONFLICT:
        return 409;
    case LOY_EMISMATCH:
        return 422;
    case LOY_EREFUSED:
        return 422;
    case LOY_EBUSY:
        return 503;
    case LOY_ENOMEM:
        return 503;
    default:
        return 500;
    }
}

static enum MHD_Result send_body(struct MHD_Connection *c, int status, char *body, size_t len,
                                 const char *type, const loy_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control",
                            r && r->cache_control ? r->cache_control : "no-store");
    if (r && r->etag) MHD_add_response_header(resp, "ETag", r->etag);
    if (r && r->csp) MHD_add_response_header(resp, "Content-Security-Policy", r->csp);
    if (r && r->sw_allowed) MHD_add_response_header(resp, "Service-Worker-Allowed", r->sw_allowed);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r && r->location[0]) MHD_add_response_header(resp, "Location", r->location);
    if (r && r->replayed) MHD_add_response_header(resp, "Idempotent-Replayed", "true");
    if (status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (r && r->set_cookie[0]) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r && r->retry_after[0]) MHD_add_response_header(resp, "Retry-After", r->retry_after);
    if (r && r->content_disposition[0] && status < 300)
        MHD_add_response_header(resp, "Content-Disposition", r->content_disposition);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* {"error":{"code","message","field"}} */
static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *code,
                                  const char *message, const char *field)
{
    json_t *e = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "message", message, "field",
                          field ? field : "");
    size_t len = 0;
    char *body = e ? loy_json_dump(e, false, &len) : NULL;
    json_decref(e);
    if (!body) return MHD_NO;
    return send_body(c, status, body, len, "application/json", NULL);
}

static enum MHD_Result send_err(struct MHD_Connection *c, int status, const loy_err *err,
                                const loy_req *r)
{
    const char *code = status == 401   ? "unauthorized"
                       : status == 403 ? "forbidden"
                       : status == 415 ? "unsupported_media_type"
                       : status == 429 ? "too_many_requests"
                                       : loy_err_name(err->code);
    json_t *e = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "message", err->message,
                          "field", err->field);
    size_t len = 0;
    char *body = e ? loy_json_dump(e, false, &len) : NULL;
    json_decref(e);
    return body ? send_body(c, status, body, len, "application/json", r) : MHD_NO;
}

static void log_line(loy_server *s, const conn_ctx *x, int status)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - x->start.tv_sec) * 1e3 +
                (double)(now.tv_nsec - x->start.tv_nsec) / 1e6;
    /* the pattern, never the raw URL: it may hold personal data, and it is freed with the
     * request while the metrics live on */
    const char *pattern = x->pattern ? x->pattern : "(unmatched)";
    const char *method = strlen(x->r.method) < 8 ? x->r.method : "OTHER";
    loy_metrics_observe(&s->metrics, method, pattern, status, ms);
    if (s->cfg.access_log) {
        char t[32];
        loy_time_format(t, sizeof(t), loy_time_now());
        /* no personal data: the route pattern, not the path with its parameters */
        fprintf(stderr, "%s %s %s %d %.1fms\n", t, x->r.method, pattern, status, ms);
    }
}

static enum MHD_Result handle(loy_server *s, struct MHD_Connection *c, conn_ctx *x)
{
    loy_req *r = &x->r;
    loy_err err;
    loy_err_clear(&err);
    bool known = false;
    const loy_route *route = loy_route_match(r->method, r->path, r, &known);
    if (!route) {
        int st = known ? 405 : 404;
        log_line(s, x, st);
        return send_error(c, st, known ? "method_not_allowed" : "not_found",
                          known ? "this path does not take that method" : "no such route", "");
    }
    x->pattern = route->pattern; /* from here on, logs and metrics use the pattern */
    r->body = x->buf ? x->buf : "";
    r->body_len = x->len;
    loy_app *app = thread_app(s, &err);
    if (!app) {
        log_line(s, x, 503);
        return send_err(c, 503, &err, NULL);
    }
    r->app = app;
    int rc = loy_http_auth(r, route, &err);
    if (!rc && (route->body & LOY_BODY_JSON)) rc = loy_http_parse_body(r, &err);
    if (!rc && (route->body & LOY_BODY_FORM)) rc = loy_http_parse_form(r, &err);
    if (!rc) rc = route->fn(r, &err);
    int status;
    enum MHD_Result ok;
    if (rc) {
        status = err.code == LOY_EINVALID && r->status >= 400 ? r->status : loy_http_status(rc);
        if (rc == LOY_EINVALID && (err.field[0] || r->status == 0)) status = 400;
        if (r->status == 401 || r->status == 403 || r->status == 413 || r->status == 415 ||
            r->status == 429)
            status = r->status;
        ok = send_err(c, status, &err, r);
    } else {
        status = r->status ? r->status : 200;
        size_t len = 0;
        char *body;
        if (r->text) {
            body = r->text;
            r->text = NULL;
            len = r->text_len ? r->text_len : strlen(body);
        } else {
            body = loy_json_dump(r->resp ? r->resp : json_object(), false, &len);
        }
        ok = body ? send_body(c, status, body, len,
                              r->content_type ? r->content_type : "application/json", r)
                  : MHD_NO;
    }
    log_line(s, x, status);
    return ok;
}

/* Adds the bytes of one header or query argument (name, value and separators) to *cls. */
static enum MHD_Result add_len(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version;
    loy_server *s = cls;
    conn_ctx *x = *req_cls;
    if (!x) { /* first call: headers only */
        x = calloc(1, sizeof(*x));
        if (!x) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &x->start);
        x->r.method = method;
        x->r.path = url;
        x->r.conn = c;
        x->r.server = s;
        *req_cls = x;
        size_t head = 0, query = 0;
        MHD_get_connection_values(c, MHD_HEADER_KIND, add_len, &head);
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_len, &query);
        if (head > s->cfg.max_header) {
            log_line(s, x, 431);
            return send_error(c, 431, "header_too_large",
                              "the request headers are larger than the limit", "");
        }
        if (strlen(url) + query > s->cfg.max_url) {
            log_line(s, x, 414);
            return send_error(c, 414, "uri_too_long", "the URL is longer than the limit", "");
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!x->too_large && x->len + *upload_size <= s->cfg.max_body) {
            if (x->len + *upload_size + 1 > x->cap) {
                size_t cap = x->cap ? x->cap : 1024;
                while (cap < x->len + *upload_size + 1) cap *= 2;
                char *nb = realloc(x->buf, cap);
                if (!nb) return MHD_NO;
                x->buf = nb;
                x->cap = cap;
            }
            memcpy(x->buf + x->len, upload, *upload_size);
            x->len += *upload_size;
            x->buf[x->len] = '\0';
        } else
            x->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (x->too_large) {
        log_line(s, x, 413);
        return send_error(c, 413, "payload_too_large", "the request body is larger than the limit",
                          "");
    }
    return handle(s, c, x);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_ctx *x = *req_cls;
    if (!x) return;
    json_decref(x->r.json);
    json_decref(x->r.form);
    json_decref(x->r.resp);
    free(x->r.text);
    free(x->buf);
    free(x);
    *req_cls = NULL;
}

int loy_server_start(loy_server **out, const loy_server_config *cfg, loy_err *err)
{
    loy_server *s = calloc(1, sizeof(*s));
    if (!s) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    s->cfg = *cfg;
    if (!s->cfg.host) s->cfg.host = "127.0.0.1";
    if (!s->cfg.threads) s->cfg.threads = 4;
    if (!s->cfg.max_body) s->cfg.max_body = 64 * 1024;
    if (!s->cfg.max_header) s->cfg.max_header = 16 * 1024;
    if (!s->cfg.max_url) s->cfg.max_url = 2048;
    if (!s->cfg.timeout_s) s->cfg.timeout_s = 10;
    int rc = 0;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)s->cfg.port);
    if (s->cfg.port < 0 || s->cfg.port > 65535)
        rc = loy_err_set(err, LOY_EINVALID, "port", "port: expected 0 to 65535, got %d",
                         s->cfg.port);
    else if (inet_pton(AF_INET, s->cfg.host, &addr.sin_addr) != 1)
        rc = loy_err_set(err, LOY_EINVALID, "host",
                         "host: expected an IPv4 address like 127.0.0.1, got \"%s\"", s->cfg.host);
    else if (s->cfg.threads < 1 || s->cfg.threads > 64)
        rc = loy_err_set(err, LOY_EINVALID, "threads", "threads: expected 1 to 64, got %d",
                         s->cfg.threads);
    if (rc) {
        free(s);
        return rc;
    }
    snprintf(s->db_path, sizeof(s->db_path), "%s", cfg->db_path);
    if (access(s->db_path, F_OK) != 0) {
        free(s);
        return loy_err_set(err, LOY_ENOTFOUND, "db",
                           "no database %s: create it with `loyalty init --db %s --programme FILE`",
                           cfg->db_path, cfg->db_path);
    }
    /* open once here so migrations run before the port opens, and a bad path fails early */
    loy_app *probe = NULL;
    if ((rc = loy_app_open(&probe, s->db_path, NULL, err))) {
        free(s);
        return rc;
    }
    bool has_merchant = probe->merchant != 0;
    loy_app_close(probe);
    if (!has_merchant) {
        free(s);
        return loy_err_set(err, LOY_ENOTFOUND, "db",
                           "%s has no programme yet: run `loyalty init` first", cfg->db_path);
    }
    if ((rc = loy_group_start(&s->group, s->db_path, err))) {
        free(s);
        return rc;
    }
    pthread_key_create(&s->app_key, NULL);
    pthread_mutex_init(&s->apps_lock, NULL);
    loy_metrics_init(&s->metrics);
    /* header limit: libmicrohttpd answers 431 when the request head does not fit the pool */
    size_t pool = s->cfg.max_header + 4096;
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0,
                            NULL, NULL, &on_request, s, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)s->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)s->cfg.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
                            MHD_OPTION_NOTIFY_COMPLETED, &on_completed, s, MHD_OPTION_END);
    if (!s->d) {
        pthread_key_delete(s->app_key);
        pthread_mutex_destroy(&s->apps_lock);
        loy_metrics_free(&s->metrics);
        loy_group_stop(s->group);
        free(s);
        return loy_err_set(err, LOY_ESTORAGE, "port", "cannot listen on %s:%d",
                           cfg->host ? cfg->host : "127.0.0.1", cfg->port);
    }
    pthread_mutex_init(&s->drain_lock, NULL);
    pthread_cond_init(&s->drain_wake, NULL);
    s->drainer_running = pthread_create(&s->drainer, NULL, drain_loop, s) == 0;
    if (cfg->scheduler && loy_scheduler_start(&s->scheduler, s->db_path, 0, err))
        fprintf(stderr, "loyalty: %s; run `loyalty jobs run` from cron\n", err->message);
    if (cfg->sender) {
        s->sender_cfg = *cfg->sender;
        s->sender_running = pthread_create(&s->sender, NULL, send_loop, s) == 0;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? (int)info->port : s->cfg.port;
    loy_metrics_bind(&s->metrics, s);
    *out = s;
    return 0;
}

int loy_server_port(const loy_server *s)
{
    return s->port;
}

void loy_server_stop(loy_server *s)
{
    if (!s) return;
    MHD_stop_daemon(s->d); /* waits for the worker threads, so requests in flight finish */
    loy_scheduler_stop(s->scheduler);
    loy_group_stop(s->group);
    pthread_mutex_lock(&s->drain_lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->drain_wake); /* the drainer and the message sender */
    pthread_mutex_unlock(&s->drain_lock);
    if (s->drainer_running) pthread_join(s->drainer, NULL);
    if (s->sender_running) pthread_join(s->sender, NULL);
    pthread_cond_destroy(&s->drain_wake);
    pthread_mutex_destroy(&s->drain_lock);
    for (int i = 0; i < s->napps; i++) loy_app_close(s->apps[i]);
    pthread_key_delete(s->app_key);
    pthread_mutex_destroy(&s->apps_lock);
    loy_metrics_free(&s->metrics);
    free(s);
}

loy_group *loy_server_group(loy_server *s)
{
    return s->group;
}

loy_metrics *loy_server_metrics(loy_server *s)
{
    return &s->metrics;
}
