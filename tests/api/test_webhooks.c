/* Webhooks end to end against real HTTP receivers (libmicrohttpd on 127.0.0.1, random ports)
 * started by the test: signed deliveries of the subscribed kinds only, payloads, ids stable
 * across retries, the backoff schedule at controlled clock values, giving up after 12 attempts,
 * no second delivery, fan-out to several subscriptions, deletion, concurrent drains, a receiver
 * that does not answer in time, validation, and the HTTP handlers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/webhooks.h"
#include "http/http.h"
#include "store_fixture.h"

/* ---------------------------------------------------------------- the receiver */

#define RV_MAX 64

typedef struct {
    char method[8], path[64];
    char id[128], ts[32], sig[128], event[64], ctype[64];
    char *body;
    size_t len;
    int answered; /* the status this request got */
} rv_req;

typedef struct {
    struct MHD_Daemon *d;
    int port;
    char url[96];
    pthread_mutex_t mu;
    rv_req reqs[RV_MAX];
    int n;
    /* behaviour */
    int fail_first; /* the first N requests get 500 */
    bool never_ok;  /* every request gets 503 */
    int ok_status;  /* default 200 */
    int hang_ms;    /* wait this long before answering */
    volatile int stopping;
} receiver;

typedef struct {
    char *buf;
    size_t len;
} upload;

static void copy_header(struct MHD_Connection *c, const char *name, char *out, size_t n)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, n, "%s", v ? v : "");
}

static enum MHD_Result rv_handle(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *data,
                                 size_t *data_size, void **con_cls)
{
    (void)version;
    receiver *rv = cls;
    upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof(*u));
        if (!u) return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size) {
        char *nb = realloc(u->buf, u->len + *data_size + 1);
        if (!nb) return MHD_NO;
        memcpy(nb + u->len, data, *data_size);
        u->buf = nb;
        u->len += *data_size;
        u->buf[u->len] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    int status;
    pthread_mutex_lock(&rv->mu);
    int idx = rv->n;
    status = rv->never_ok ? 503 : idx < rv->fail_first ? 500 : rv->ok_status ? rv->ok_status : 200;
    if (idx < RV_MAX) {
        rv_req *q = &rv->reqs[idx];
        snprintf(q->method, sizeof(q->method), "%s", method);
        snprintf(q->path, sizeof(q->path), "%s", url);
        copy_header(c, "Loyalty-Webhook-Id", q->id, sizeof(q->id));
        copy_header(c, "Loyalty-Timestamp", q->ts, sizeof(q->ts));
        copy_header(c, "Loyalty-Signature", q->sig, sizeof(q->sig));
        copy_header(c, "Loyalty-Event", q->event, sizeof(q->event));
        copy_header(c, "Content-Type", q->ctype, sizeof(q->ctype));
        q->body = u->buf ? u->buf : strdup("");
        q->len = u->len;
        q->answered = status;
        u->buf = NULL;
        rv->n++;
    }
    int hang = rv->hang_ms;
    pthread_mutex_unlock(&rv->mu);
    for (int waited = 0; waited < hang && !rv->stopping; waited += 20) usleep(20 * 1000);
    static char ok[] = "ok";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(status == 204 ? 0 : 2, ok, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

static void rv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    upload *u = *con_cls;
    if (u) {
        free(u->buf);
        free(u);
    }
    *con_cls = NULL;
}

static receiver *rv_start(const char *path)
{
    receiver *rv = calloc(1, sizeof(*rv));
    assert_non_null(rv);
    pthread_mutex_init(&rv->mu, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rv->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                             NULL, NULL, rv_handle, rv, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_NOTIFY_COMPLETED, rv_completed, rv, MHD_OPTION_END);
    assert_non_null(rv->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(rv->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    rv->port = (int)info->port;
    assert_true(rv->port > 0);
    snprintf(rv->url, sizeof(rv->url), "http://127.0.0.1:%d%s", rv->port, path);
    return rv;
}

static void rv_stop(receiver *rv)
{
    if (!rv) return;
    rv->stopping = 1;
    MHD_stop_daemon(rv->d);
    for (int i = 0; i < rv->n && i < RV_MAX; i++) free(rv->reqs[i].body);
    pthread_mutex_destroy(&rv->mu);
    free(rv);
}

static int rv_count(receiver *rv)
{
    pthread_mutex_lock(&rv->mu);
    int n = rv->n;
    pthread_mutex_unlock(&rv->mu);
    return n;
}

/* ---------------------------------------------------------------- fixture */

#define T0 SFX_NOW

typedef struct {
    char path[512];
    loy_app *app;
    int64_t member;
    receiver *rv, *rv2;
} wfx;

static char *read_programme(size_t *len)
{
    FILE *f = fopen(LOY_SOURCE_DIR "/examples/kopi-kita.json", "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static loy_app *open_app(const char *path)
{
    loy_app *app = NULL;
    loy_err err;
    int rc = loy_app_open(&app, path, NULL, &err);
    if (rc) fail_msg("open %s: %s", path, err.message);
    app->now = T0;
    snprintf(app->actor, sizeof(app->actor), "test");
    return app;
}

static int setup(void **state)
{
    wfx *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    sfx_new_target(w->path, sizeof(w->path), "webhooks");
    w->app = open_app(w->path);
    size_t len = 0;
    char *prog = read_programme(&len);
    loy_err err;
    int rc = loy_app_init(w->app, prog, len, &err);
    free(prog);
    if (rc) fail_msg("init: %s (%s)", err.message, err.field);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    wfx *w = *state;
    rv_stop(w->rv);
    rv_stop(w->rv2);
    loy_app_close(w->app);
    sfx_remove_target(w->path);
    free(w);
    return 0;
}

static json_t *write_ok(loy_app *app, loy_op op, const char *key, json_t *req)
{
    json_t *resp = NULL;
    bool rep = false;
    loy_err err;
    int rc = loy_app_write(app, op, key, req, &resp, &rep, &err);
    if (rc) fail_msg("write %s: %s (%s)", key, err.message, err.field);
    json_decref(req);
    return resp;
}

static int64_t obj_id(const json_t *resp, const char *obj)
{
    json_t *id = json_object_get(json_object_get(resp, obj), "id");
    assert_true(json_is_integer(id));
    return (int64_t)json_integer_value(id);
}

static int64_t new_member(loy_app *app, const char *key, const char *name)
{
    json_t *resp = write_ok(app, LOY_OP_MEMBER_CREATE, key, json_pack("{s:s}", "name", name));
    int64_t id = obj_id(resp, "member");
    json_decref(resp);
    return id;
}

static int64_t purchase(loy_app *app, const char *key, int64_t member, int64_t amount)
{
    json_t *resp = write_ok(
        app, LOY_OP_PURCHASE, key,
        json_pack("{s:I, s:I}", "member", (json_int_t)member, "amount", (json_int_t)amount));
    int64_t id = obj_id(resp, "purchase");
    json_decref(resp);
    return id;
}

/* Subscribes; returns the id and copies the secret. */
static int64_t subscribe(loy_app *app, const char *url, const char *const *events, char *secret,
                         size_t secretsz)
{
    json_t *ev = json_array();
    for (size_t i = 0; events[i]; i++) json_array_append_new(ev, json_string(events[i]));
    json_t *req = json_pack("{s:s, s:o}", "url", url, "events", ev);
    json_t *resp = NULL;
    loy_err err;
    int rc = loy_app_webhooks_subscribe(app, req, &resp, &err);
    if (rc) fail_msg("subscribe: %s (%s)", err.message, err.field);
    json_decref(req);
    const char *s = json_string_value(json_object_get(resp, "secret"));
    assert_non_null(s);
    snprintf(secret, secretsz, "%s", s);
    int64_t id = (int64_t)json_integer_value(json_object_get(resp, "id"));
    assert_true(id > 0);
    json_decref(resp);
    return id;
}

static int drain(loy_app *app, int64_t now)
{
    int delivered = -1;
    loy_err err;
    int rc = loy_app_webhooks_drain(app, 100, now, &delivered, &err);
    if (rc) fail_msg("drain: %s", err.message);
    assert_true(delivered >= 0);
    return delivered;
}

/* Recomputes the signature with OpenSSL, independently of the product's code. */
static void assert_signed(const rv_req *q, const char *secret)
{
    assert_true(q->ts[0] != '\0');
    size_t tl = strlen(q->ts);
    unsigned char *data = malloc(tl + 1 + q->len);
    assert_non_null(data);
    memcpy(data, q->ts, tl);
    data[tl] = '.';
    memcpy(data + tl + 1, q->body, q->len);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    assert_non_null(
        HMAC(EVP_sha256(), secret, (int)strlen(secret), data, tl + 1 + q->len, mac, &maclen));
    free(data);
    assert_int_equal(maclen, 32);
    char expect[80] = "v1=";
    for (unsigned i = 0; i < maclen; i++) snprintf(expect + 3 + 2 * i, 3, "%02x", mac[i]);
    assert_string_equal(q->sig, expect);
}

static json_t *body_json(const rv_req *q)
{
    json_error_t je;
    json_t *b = json_loadb(q->body, q->len, 0, &je);
    if (!b) fail_msg("body is not JSON: %s (%.200s)", je.text, q->body);
    return b;
}

static int64_t count_sql(loy_app *app, const char *sql)
{
    return sfx_q(&app->conn, sql);
}

/* ---------------------------------------------------------------- tests */

static void test_each_event_once_signed(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    w->rv = rv_start("/hooks/loyalty");

    /* an event written before the subscription is never delivered to it */
    int64_t early = new_member(app, "join-early", "Before Subscription");
    assert_true(early > 0);

    char secret[64];
    const char *const kinds[] = {"member.created", "purchase.recorded", "purchase.refunded",
                                 "reward.redeemed", NULL};
    subscribe(app, w->rv->url, kinds, secret, sizeof(secret));
    assert_true(strncmp(secret, "whsec_", 6) == 0);
    assert_true(strlen(secret) >= 6 + 26); /* >= 128 bits in base32 */

    app->now = T0 + 60;
    int64_t m = new_member(app, "join-1", "Siti Rahman");
    int64_t pid = purchase(app, "buy-1", m, 60000); /* RM600: 600 points, and gold tier */
    json_t *red = write_ok(app, LOY_OP_REDEEM, "redeem-1",
                           json_pack("{s:I, s:s}", "member", (json_int_t)m, "reward", "rm5-off"));
    int64_t voucher = obj_id(red, "voucher");
    json_decref(red);
    json_t *ref = write_ok(
        app, LOY_OP_REFUND, "refund-1",
        json_pack("{s:I, s:I}", "purchase_id", (json_int_t)pid, "amount", (json_int_t)1000));
    json_decref(ref);
    /* the writes produced events of kinds not subscribed to as well (welcome bonus, tier) */
    assert_true(count_sql(app, "SELECT count(*) FROM outbox WHERE kind NOT IN ('member.created', "
                               "'purchase.recorded', 'purchase.refunded', 'reward.redeemed')") > 0);

    int64_t now = T0 + 120;
    assert_int_equal(drain(app, now), 4);
    assert_int_equal(rv_count(w->rv), 4);
    const char *const expect_kinds[] = {"member.created", "purchase.recorded", "reward.redeemed",
                                        "purchase.refunded"};
    char ts[32];
    snprintf(ts, sizeof(ts), "%lld", (long long)now);
    for (int i = 0; i < 4; i++) {
        const rv_req *q = &w->rv->reqs[i];
        assert_string_equal(q->method, "POST");
        assert_string_equal(q->path, "/hooks/loyalty");
        assert_string_equal(q->ctype, "application/json");
        assert_string_equal(q->event, expect_kinds[i]);
        assert_string_equal(q->ts, ts);
        assert_true(strncmp(q->id, "whd_", 4) == 0);
        for (int k = 0; k < i; k++) assert_string_not_equal(q->id, w->rv->reqs[k].id);
        assert_signed(q, secret);
        json_t *b = body_json(q);
        assert_string_equal(json_string_value(json_object_get(b, "id")), q->id);
        assert_string_equal(json_string_value(json_object_get(b, "event")), expect_kinds[i]);
        assert_true(json_integer_value(json_object_get(b, "event_id")) > 0);
        assert_string_equal(json_string_value(json_object_get(b, "created_at")),
                            "2026-03-02T00:01:00Z");
        assert_int_equal(json_integer_value(json_object_get(b, "member_id")), m);
        json_t *data = json_object_get(b, "data");
        assert_true(json_is_object(data));
        if (i == 0) assert_int_equal(json_integer_value(json_object_get(data, "member_id")), m);
        if (i == 1) {
            assert_int_equal(json_integer_value(json_object_get(data, "purchase_id")), pid);
            assert_int_equal(json_integer_value(json_object_get(data, "amount")), 60000);
        }
        if (i == 2) {
            assert_int_equal(json_integer_value(json_object_get(data, "voucher_id")), voucher);
            assert_string_equal(json_string_value(json_object_get(data, "reward")), "rm5-off");
        }
        if (i == 3) {
            assert_int_equal(json_integer_value(json_object_get(data, "purchase_id")), pid);
            assert_int_equal(json_integer_value(json_object_get(data, "amount")), 1000);
        }
        json_decref(b);
    }

    /* nothing is sent twice: later drains, now or much later, find nothing to do */
    assert_int_equal(drain(app, now), 0);
    assert_int_equal(drain(app, now + 30 * SFX_DAY), 0);
    assert_int_equal(rv_count(w->rv), 4);
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhook_deliveries WHERE "
                                    "state = 'delivered'"),
                     4);

    /* the list shows the subscription without its secret */
    json_t *list = NULL;
    loy_err err;
    assert_int_equal(loy_app_webhooks_list(app, &list, &err), 0);
    json_t *first = json_array_get(json_object_get(list, "webhooks"), 0);
    assert_non_null(first);
    assert_null(json_object_get(first, "secret"));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(first, "deliveries"), "delivered")), 4);
    assert_int_equal(json_array_size(json_object_get(first, "events")), 4);
    char *text = json_dumps(list, 0);
    assert_null(strstr(text, secret));
    free(text);
    json_decref(list);
}

static void test_retries_keep_id_then_succeed(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    w->rv = rv_start("/retry");
    w->rv->fail_first = 3;
    w->rv->ok_status = 204;
    char secret[64];
    const char *const kinds[] = {"purchase.recorded", NULL};
    subscribe(app, w->rv->url, kinds, secret, sizeof(secret));
    int64_t m = new_member(app, "join-r", "Retry Member");
    purchase(app, "buy-r", m, 2500);

    /* attempt 1 at T0 fails; retries wait 30 s, 60 s, 120 s */
    const int64_t at[] = {T0, T0 + 30, T0 + 90, T0 + 210};
    for (int k = 0; k < 4; k++) {
        if (k > 0) {
            assert_int_equal(drain(app, at[k] - 1), 0); /* not due yet */
            assert_int_equal(rv_count(w->rv), k);
        }
        assert_int_equal(drain(app, at[k]), k == 3 ? 1 : 0);
        assert_int_equal(rv_count(w->rv), k + 1);
    }
    for (int k = 0; k < 4; k++) {
        const rv_req *q = &w->rv->reqs[k];
        assert_int_equal(q->answered, k < 3 ? 500 : 204);
        assert_string_equal(q->id, w->rv->reqs[0].id); /* stable across retries */
        assert_int_equal(q->len, w->rv->reqs[0].len);
        assert_memory_equal(q->body, w->rv->reqs[0].body, q->len); /* same bytes */
        assert_int_equal(atoll(q->ts), at[k]);
        assert_signed(q, secret);
    }
    assert_int_equal(drain(app, T0 + 10 * SFX_DAY), 0);
    assert_int_equal(rv_count(w->rv), 4);
    assert_int_equal(count_sql(app, "SELECT attempts FROM webhook_deliveries"), 4);
}

static void test_gives_up_after_max_attempts(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    w->rv = rv_start("/down");
    w->rv->never_ok = true;
    char secret[64];
    const char *const kinds[] = {"member.created", NULL};
    subscribe(app, w->rv->url, kinds, secret, sizeof(secret));
    new_member(app, "join-down", "Never Delivered");

    /* waits after attempts 1..11: 30 s doubling, capped at one hour */
    const int64_t wait[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600};
    int64_t t = T0;
    for (int k = 0; k < 12; k++) {
        if (k > 0) {
            t += wait[k - 1];
            assert_int_equal(drain(app, t - 1), 0);
            assert_int_equal(rv_count(w->rv), k);
        }
        assert_int_equal(drain(app, t), 0);
        assert_int_equal(rv_count(w->rv), k + 1);
        assert_string_equal(w->rv->reqs[k].id, w->rv->reqs[0].id);
    }
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhook_deliveries WHERE "
                                    "state = 'failed' AND attempts = 12"),
                     1);
    /* failed is final: no 13th attempt, whenever the drain runs */
    assert_int_equal(drain(app, t + 3600), 0);
    assert_int_equal(drain(app, t + 365 * SFX_DAY), 0);
    assert_int_equal(rv_count(w->rv), 12);
    json_t *list = NULL;
    loy_err err;
    assert_int_equal(loy_app_webhooks_list(app, &list, &err), 0);
    json_t *d = json_object_get(json_array_get(json_object_get(list, "webhooks"), 0), "deliveries");
    assert_int_equal(json_integer_value(json_object_get(d, "failed")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "pending")), 0);
    json_t *last =
        json_object_get(json_array_get(json_object_get(list, "webhooks"), 0), "last_attempt");
    assert_int_equal(json_integer_value(json_object_get(last, "status")), 503);
    json_decref(list);
    /* and the database refuses to reopen a finished delivery */
    loy_err e2;
    assert_int_not_equal(
        loy_db_run(&app->conn, &e2, "UPDATE webhook_deliveries SET state = 'pending'", ""), 0);
}

static void test_fanout_and_delete(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    w->rv = rv_start("/a");
    w->rv2 = rv_start("/b");
    char sa[64], sb[64];
    const char *const ka[] = {"purchase.recorded", NULL};
    const char *const kb[] = {"purchase.recorded", "member.created", NULL};
    subscribe(app, w->rv->url, ka, sa, sizeof(sa));
    int64_t b = subscribe(app, w->rv2->url, kb, sb, sizeof(sb));
    assert_string_not_equal(sa, sb);
    int64_t m = new_member(app, "join-f", "Fan Out");
    purchase(app, "buy-f1", m, 1200);
    assert_int_equal(drain(app, T0), 3);
    assert_int_equal(rv_count(w->rv), 1);
    assert_int_equal(rv_count(w->rv2), 2);
    assert_string_equal(w->rv->reqs[0].event, "purchase.recorded");
    assert_string_equal(w->rv2->reqs[0].event, "member.created");
    assert_string_equal(w->rv2->reqs[1].event, "purchase.recorded");
    /* one event, two subscriptions: two delivery ids, each signed with its own secret */
    assert_string_not_equal(w->rv->reqs[0].id, w->rv2->reqs[1].id);
    assert_signed(&w->rv->reqs[0], sa);
    assert_signed(&w->rv2->reqs[1], sb);
    json_t *ba = body_json(&w->rv->reqs[0]), *bb = body_json(&w->rv2->reqs[1]);
    assert_int_equal(json_integer_value(json_object_get(ba, "event_id")),
                     json_integer_value(json_object_get(bb, "event_id")));
    json_decref(ba);
    json_decref(bb);

    /* a deleted subscription gets nothing more; its pending deliveries are cancelled */
    w->rv->never_ok = true;
    purchase(app, "buy-f2", m, 1300);
    loy_err err;
    assert_int_equal(drain(app, T0 + 100), 1); /* b delivered, a failed once */
    assert_int_equal(rv_count(w->rv2), 3);
    int64_t a_id = (int64_t)count_sql(app, "SELECT min(id) FROM webhooks");
    assert_int_equal(loy_app_webhooks_delete(app, a_id, &err), 0);
    assert_int_equal(loy_app_webhooks_delete(app, a_id, &err), LOY_ENOTFOUND);
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhook_deliveries WHERE "
                                    "state = 'cancelled'"),
                     1);
    assert_int_equal(loy_app_webhooks_delete(app, b, &err), 0);
    purchase(app, "buy-f3", m, 1400);
    assert_int_equal(drain(app, T0 + SFX_DAY), 0);
    assert_int_equal(rv_count(w->rv), 2);
    assert_int_equal(rv_count(w->rv2), 3);
    json_t *list = NULL;
    assert_int_equal(loy_app_webhooks_list(app, &list, &err), 0);
    assert_int_equal(json_array_size(json_object_get(list, "webhooks")), 0);
    json_decref(list);
}

typedef struct {
    const char *path;
    int delivered;
    int rc;
} drainer;

static void *drain_thread(void *arg)
{
    drainer *d = arg;
    loy_app *app = NULL;
    loy_err err;
    d->rc = loy_app_open(&app, d->path, NULL, &err);
    if (d->rc) return NULL;
    for (int i = 0; i < 5 && !d->rc; i++) {
        int n = 0;
        d->rc = loy_app_webhooks_drain(app, 3, T0 + 10, &n, &err);
        d->delivered += n;
    }
    loy_app_close(app);
    return NULL;
}

static void test_concurrent_drains_send_once(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    w->rv = rv_start("/many");
    char secret[64];
    const char *const kinds[] = {"purchase.recorded", NULL};
    subscribe(app, w->rv->url, kinds, secret, sizeof(secret));
    int64_t m = new_member(app, "join-c", "Concurrent");
    for (int i = 0; i < 20; i++) {
        char key[32];
        snprintf(key, sizeof(key), "buy-c%d", i);
        purchase(app, key, m, 1000 + i);
    }
    pthread_t th[3];
    drainer d[3];
    for (int i = 0; i < 3; i++) {
        d[i] = (drainer){.path = w->path};
        assert_int_equal(pthread_create(&th[i], NULL, drain_thread, &d[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(d[i].rc, 0);
        total += d[i].delivered;
    }
    assert_int_equal(total, 20);
    assert_int_equal(rv_count(w->rv), 20);
    for (int i = 0; i < 20; i++)
        for (int k = 0; k < i; k++) assert_string_not_equal(w->rv->reqs[i].id, w->rv->reqs[k].id);
}

static void test_slow_receiver_times_out(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    w->rv = rv_start("/slow");
    w->rv->hang_ms = 8000;
    char secret[64];
    const char *const kinds[] = {"member.created", NULL};
    subscribe(app, w->rv->url, kinds, secret, sizeof(secret));
    new_member(app, "join-s", "Slow Receiver");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(drain(app, T0), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(secs >= 4.5 && secs < 7.5); /* the 5 s timeout */
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhook_deliveries WHERE "
                                    "state = 'pending' AND attempts = 1 AND last_status = 0"),
                     1);
    assert_int_equal(count_sql(app, "SELECT next_at FROM webhook_deliveries"), T0 + 30);
    w->rv->hang_ms = 0;
    assert_int_equal(drain(app, T0 + 30), 1);
    assert_int_equal(rv_count(w->rv), 2);
    assert_string_equal(w->rv->reqs[0].id, w->rv->reqs[1].id);
}

static void test_unreachable_receiver_retries(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    /* a port that was just free: connection refused */
    receiver *gone = rv_start("/gone");
    char url[96];
    snprintf(url, sizeof(url), "%s", gone->url);
    rv_stop(gone);
    char secret[64];
    const char *const kinds[] = {"member.created", NULL};
    subscribe(app, url, kinds, secret, sizeof(secret));
    new_member(app, "join-u", "Unreachable");
    assert_int_equal(drain(app, T0), 0);
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhook_deliveries WHERE "
                                    "state = 'pending' AND attempts = 1 AND next_at = 1772409630 "
                                    "AND last_error IS NOT NULL"),
                     1);
}

static void expect_invalid(loy_app *app, json_t *req, const char *field)
{
    json_t *resp = NULL;
    loy_err err;
    int rc = loy_app_webhooks_subscribe(app, req, &resp, &err);
    json_decref(req);
    assert_int_equal(rc, LOY_EINVALID);
    assert_null(resp);
    assert_string_equal(err.field, field);
}

static void test_subscribe_validation(void **state)
{
    wfx *w = *state;
    loy_app *app = w->app;
    const char *ok = "https://example.com/hook";
    expect_invalid(
        app, json_pack("{s:s, s:[s]}", "url", "ftp://example.com/x", "events", "member.created"),
        "url");
    expect_invalid(
        app, json_pack("{s:s, s:[s]}", "url", "example.com/x", "events", "member.created"), "url");
    expect_invalid(
        app,
        json_pack("{s:s, s:[s]}", "url", "https://u:p@example.com/x", "events", "member.created"),
        "url");
    expect_invalid(
        app, json_pack("{s:s, s:[s]}", "url", "http://exa mple.com/", "events", "member.created"),
        "url");
    expect_invalid(app, json_pack("{s:[s]}", "events", "member.created"), "url");
    expect_invalid(app, json_pack("{s:s}", "url", ok), "events");
    expect_invalid(app, json_pack("{s:s, s:[]}", "url", ok, "events"), "events");
    expect_invalid(
        app, json_pack("{s:s, s:[s, s]}", "url", ok, "events", "member.created", "member.deleted"),
        "events[1]");
    expect_invalid(app, json_pack("{s:s, s:[i]}", "url", ok, "events", 3), "events[0]");
    expect_invalid(
        app, json_pack("{s:s, s:[s], s:b}", "url", ok, "events", "member.created", "active", 1),
        "active");
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhooks"), 0);

    /* two subscriptions get two different secrets; duplicates in events collapse */
    char s1[64], s2[64];
    const char *const dup[] = {"member.created", "member.created", NULL};
    subscribe(app, ok, dup, s1, sizeof(s1));
    subscribe(app, ok, dup, s2, sizeof(s2));
    assert_string_not_equal(s1, s2);
    assert_int_equal(count_sql(app, "SELECT count(*) FROM webhook_events"), 2);

    /* drain arguments */
    loy_err err;
    int n = 0;
    assert_int_equal(loy_app_webhooks_drain(app, 0, T0, &n, &err), LOY_EINVALID);
    assert_int_equal(loy_app_webhooks_drain(app, 1001, T0, &n, &err), LOY_EINVALID);
}

int loy_h_webhooks_list(loy_req *r, loy_err *err);
int loy_h_webhooks_create(loy_req *r, loy_err *err);
int loy_h_webhooks_delete(loy_req *r, loy_err *err);

static void test_http_handlers(void **state)
{
    wfx *w = *state;
    loy_req r;
    loy_err err;
    memset(&r, 0, sizeof(r));
    r.app = w->app;
    r.json =
        json_pack("{s:s, s:[s]}", "url", "https://example.com/in", "events", "reward.redeemed");
    assert_int_equal(loy_h_webhooks_create(&r, &err), 0);
    assert_int_equal(r.status, 201);
    int64_t id = (int64_t)json_integer_value(json_object_get(r.resp, "id"));
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/webhooks/%lld", (long long)id);
    assert_string_equal(r.location, loc);
    assert_non_null(json_string_value(json_object_get(r.resp, "secret")));
    json_decref(r.json);
    json_decref(r.resp);

    memset(&r, 0, sizeof(r));
    r.app = w->app;
    assert_int_equal(loy_h_webhooks_list(&r, &err), 0);
    assert_int_equal(json_array_size(json_object_get(r.resp, "webhooks")), 1);
    json_decref(r.resp);

    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    memset(&r, 0, sizeof(r));
    r.app = w->app;
    r.params[0] = "abc";
    r.nparams = 1;
    assert_int_equal(loy_h_webhooks_delete(&r, &err), LOY_EINVALID);
    r.params[0] = idtext;
    assert_int_equal(loy_h_webhooks_delete(&r, &err), 0);
    json_decref(r.resp);
    r.resp = NULL;
    assert_int_equal(loy_h_webhooks_delete(&r, &err), LOY_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_event_once_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_keep_id_then_succeed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gives_up_after_max_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fanout_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_drains_send_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_receiver_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_receiver_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscribe_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_handlers, setup, teardown),
    };
    return cmocka_run_group_tests_name("webhooks", tests, NULL, NULL);
}
