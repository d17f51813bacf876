/* Idempotency and concurrency over the real server (RELIABILITY.md B1, B2, B3, C1):
 * the same key + body replays byte-identically with exactly one effect (sequential and 50
 * concurrent clients); another body under the same key is 422 with no effect; a missing or
 * over-long key is 400; a server killed with SIGKILL after answering replays the stored answer
 * after a restart; 64 concurrent redemptions of the last 500 points succeed exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>

#include "support/api_harness.h"

static long long count(const ah_server *s, const char *fmt, long long arg)
{
    char sql[512];
    snprintf(sql, sizeof(sql), fmt, arg);
    return ah_scalar(s->db, sql);
}

static long long purchases_of(const ah_server *s, long long member)
{
    return count(s, "SELECT count(*) FROM purchases WHERE member_id = %lld", member);
}

static void test_b1_sequential_replays(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Sequential");
    char body[600];
    ah_purchase_body(body, sizeof(body), m);
    ah_resp first;
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-seq", body, &first);
    ah_expect_status(&first, 201);
    assert_false(first.replayed);
    for (int i = 0; i < 9; i++) {
        ah_resp r;
        ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-seq", body, &r);
        ah_expect_status(&r, 201);
        assert_true(r.replayed);
        assert_string_equal(r.location, first.location);
        assert_int_equal(r.len, first.len);
        assert_memory_equal(r.body, first.body, first.len);
        ah_resp_free(&r);
    }
    ah_resp_free(&first);
    assert_int_equal(purchases_of(s, m), 1);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM idempotency WHERE key = 'idem-seq'"),
                     1);
    assert_int_equal(count(s, "SELECT count(*) FROM ledger WHERE member_id = %lld", m), 1 + 3);
    ah_check_invariants(s->db);
}

typedef struct {
    const ah_server *s;
    const char *path, *key, *body;
    pthread_barrier_t *go;
    ah_resp r;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    CURL *c = curl_easy_init();
    ah_req q = {
        .method = "POST", .path = w->path, .key = w->s->cashier, .idem = w->key, .body = w->body};
    pthread_barrier_wait(w->go);
    ah_send(c, w->s->port, &q, &w->r);
    curl_easy_cleanup(c);
    return NULL;
}

/* n threads, each with its own curl handle, released together. keys[i] or keys[0]. */
static void run_concurrent(const ah_server *s, int n, const char *path, char keys[][48],
                           bool same_key, const char *body, worker *w)
{
    pthread_t *t = calloc((size_t)n, sizeof(*t));
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        w[i] =
            (worker){.s = s, .path = path, .key = keys[same_key ? 0 : i], .body = body, .go = &go};
        assert_int_equal(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
    }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&go);
    free(t);
}

static void test_b1_concurrent_same_key(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Concurrent");
    char body[600];
    ah_purchase_body(body, sizeof(body), m);
    enum { N = 50 };
    char key[1][48] = {"idem-concurrent"};
    worker w[N];
    run_concurrent(s, N, "/api/v1/purchases", key, true, body, w);
    int fresh = 0;
    for (int i = 0; i < N; i++) {
        if (w[i].r.status != 201) {
            print_error("client %d: expected 201, got %ld (curl %d): %s\n", i, w[i].r.status,
                        w[i].r.curl_rc, w[i].r.body);
            fail();
        }
        if (!w[i].r.replayed) fresh++;
        assert_int_equal(w[i].r.len, w[0].r.len);
        assert_memory_equal(w[i].r.body, w[0].r.body, w[0].r.len);
    }
    for (int i = 0; i < N; i++) ah_resp_free(&w[i].r);
    assert_int_equal(fresh, 1);
    assert_int_equal(purchases_of(s, m), 1);
    assert_int_equal(
        ah_scalar(s->db, "SELECT count(*) FROM idempotency WHERE key = 'idem-concurrent'"), 1);
    ah_check_invariants(s->db);
}

static void test_b2_same_key_other_body_422(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Mismatch");
    char body[600], other[600];
    ah_purchase_body(body, sizeof(body), m);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-b2", body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
    char *before = ah_dump(s->db);
    /* another amount, the same key */
    snprintf(other, sizeof(other), "{\"member\":%lld,\"amount\":1851}", m);
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-b2", other, &r);
    ah_expect_error(&r, 422, "idempotency_mismatch", "idempotency_key");
    assert_false(r.replayed);
    ah_resp_free(&r);
    /* the same key on another operation (the key is not per route) */
    ah_call(s, "POST", "/api/v1/members", s->cashier, "idem-b2", "{\"name\":\"Other\"}", &r);
    ah_expect_error(&r, 422, "idempotency_mismatch", "idempotency_key");
    ah_resp_free(&r);
    ah_expect_same_db(before, s->db, "same key, another body");
    free(before);
    assert_int_equal(purchases_of(s, m), 1);
    /* the same body with its members reordered is the same request (canonical JSON): a replay */
    json_error_t je;
    json_t *doc = json_loads(body, 0, &je);
    assert_non_null(doc);
    char *sorted = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    assert_string_not_equal(sorted, body);
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-b2", sorted, &r);
    free(sorted);
    ah_expect_status(&r, 201);
    assert_true(r.replayed);
    ah_resp_free(&r);
}

static void test_key_missing_empty_or_too_long_400(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Keys");
    char body[600];
    ah_purchase_body(body, sizeof(body), m);
    char k255[256], k256[257], k1000[1001];
    memset(k255, 'k', 255);
    k255[255] = '\0';
    memset(k256, 'k', 256);
    k256[256] = '\0';
    memset(k1000, 'x', 1000);
    k1000[1000] = '\0';
    char *before = ah_dump(s->db);
    const char *bad[] = {NULL, k256, k1000};
    for (int i = 0; i < 3; i++) {
        ah_resp r;
        ah_call(s, "POST", "/api/v1/purchases", s->cashier, bad[i], body, &r);
        ah_expect_error(&r, 400, "invalid", "Idempotency-Key");
        ah_resp_free(&r);
    }
    /* an empty header value */
    const char *hdr[] = {"Idempotency-Key;", NULL};
    ah_req q = {.method = "POST",
                .path = "/api/v1/purchases",
                .key = s->cashier,
                .body = body,
                .headers = hdr};
    ah_resp r;
    ah_send(NULL, s->port, &q, &r);
    ah_expect_error(&r, 400, "invalid", "Idempotency-Key");
    ah_resp_free(&r);
    /* every idempotent route needs the key */
    const char *paths[] = {"/api/v1/members", "/api/v1/redemptions", "/api/v1/adjustments",
                           "/api/v1/purchases/1/refunds", "/api/v1/vouchers/NOPE/use"};
    for (int i = 0; i < 5; i++) {
        ah_call(s, "POST", paths[i], s->owner, NULL, "{}", &r);
        if (r.status != 400) {
            print_error("POST %s without Idempotency-Key: expected 400, got %ld: %s\n", paths[i],
                        r.status, r.body);
            fail();
        }
        ah_expect_error(&r, 400, "invalid", "Idempotency-Key");
        ah_resp_free(&r);
    }
    ah_expect_same_db(before, s->db, "missing or over-long Idempotency-Key");
    free(before);
    assert_int_equal(purchases_of(s, m), 0);
    /* 255 characters is the longest key accepted */
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, k255, body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
    assert_int_equal(purchases_of(s, m), 1);
}

/* B3: the answer is stored with the effect; a SIGKILLed server replays it after a restart. */
static void test_b3_kill9_then_retry(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Crash");
    char body[600];
    ah_purchase_body(body, sizeof(body), m);
    ah_resp first;
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-b3", body, &first);
    ah_expect_status(&first, 201);
    ah_kill9(s);
    ah_start(s);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/purchases", s->cashier, "idem-b3", body, &r);
    ah_expect_status(&r, 201);
    assert_true(r.replayed);
    assert_int_equal(r.len, first.len);
    assert_memory_equal(r.body, first.body, first.len);
    ah_resp_free(&r);
    ah_resp_free(&first);
    assert_int_equal(purchases_of(s, m), 1);
    ah_check_invariants(s->db);
}

typedef struct {
    const ah_server *s;
    long long member;
    int id;
    int sent;
    int acked; /* requests answered 201 */
    char *bodies[64];
    volatile int *stop;
} loader;

static void *run_loader(void *arg)
{
    loader *l = arg;
    CURL *c = curl_easy_init();
    char body[600], key[48];
    ah_purchase_body(body, sizeof(body), l->member);
    for (int i = 0; i < 64 && !*l->stop; i++) {
        snprintf(key, sizeof(key), "idem-load-%d-%d", l->id, i);
        ah_req q = {.method = "POST",
                    .path = "/api/v1/purchases",
                    .key = l->s->cashier,
                    .idem = key,
                    .body = body};
        ah_resp r;
        l->sent = i + 1;
        ah_send(c, l->s->port, &q, &r);
        if (r.status == 201) {
            l->bodies[i] = r.body;
            r.body = NULL;
            __atomic_add_fetch(&l->acked, 1, __ATOMIC_SEQ_CST);
        }
        int crc = r.curl_rc;
        ah_resp_free(&r);
        if (crc) break; /* the server is gone */
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* B3 / A1 in small: SIGKILL during a load of 4 clients; after a restart every key is retried:
 * every acknowledged answer comes back byte-identical and every key has exactly one purchase. */
static void test_b3_kill9_under_load(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Load");
    enum { T = 4 };
    loader l[T];
    pthread_t t[T];
    volatile int stop = 0;
    for (int i = 0; i < T; i++) {
        l[i] = (loader){.s = s, .member = m, .id = i, .stop = &stop};
        assert_int_equal(pthread_create(&t[i], NULL, run_loader, &l[i]), 0);
    }
    for (int i = 0; i < 400; i++) { /* wait until a few purchases are acknowledged */
        int acked = 0;
        for (int k = 0; k < T; k++) acked += __atomic_load_n(&l[k].acked, __ATOMIC_SEQ_CST);
        if (acked >= 12) break;
        ah_sleep_ms(5);
    }
    ah_kill9(s);
    stop = 1;
    for (int i = 0; i < T; i++) pthread_join(t[i], NULL);
    ah_start(s);
    int keys = 0, acked = 0;
    for (int k = 0; k < T; k++) {
        for (int i = 0; i < l[k].sent; i++) {
            char key[48], body[600];
            snprintf(key, sizeof(key), "idem-load-%d-%d", k, i);
            ah_purchase_body(body, sizeof(body), m);
            ah_resp r;
            ah_call(s, "POST", "/api/v1/purchases", s->cashier, key, body, &r);
            ah_expect_status(&r, 201);
            if (l[k].bodies[i]) {
                acked++;
                assert_true(r.replayed);
                assert_string_equal(r.body, l[k].bodies[i]);
                free(l[k].bodies[i]);
            }
            ah_resp_free(&r);
            keys++;
        }
    }
    assert_true(acked >= 1);
    assert_int_equal(purchases_of(s, m), keys);
    assert_int_equal(ah_scalar(s->db, "SELECT count(*) FROM idempotency WHERE key LIKE "
                                      "'idem-load-%'"),
                     keys);
    ah_check_invariants(s->db);
}

/* C1: balance exactly 500, 64 concurrent redemptions of rm5-off (500 points) with 64 keys. */
static void test_concurrent_redemptions_cannot_overspend(void **state)
{
    ah_server *s = *state;
    long long m = ah_member(s, "Last Points"); /* welcome 50 */
    ah_adjust(s, m, 450);
    char body[128];
    snprintf(body, sizeof(body), "{\"member\":%lld,\"reward\":\"rm5-off\"}", m);
    enum { N = 64 };
    char keys[N][48];
    for (int i = 0; i < N; i++) snprintf(keys[i], sizeof(keys[i]), "idem-redeem-%d", i);
    worker w[N];
    run_concurrent(s, N, "/api/v1/redemptions", keys, false, body, w);
    int ok = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        if (w[i].r.status == 201)
            ok++;
        else if (w[i].r.status == 422) {
            ah_expect_error(&w[i].r, 422, "refused", NULL);
            refused++;
        } else {
            print_error("redemption %d: got %ld: %s\n", i, w[i].r.status, w[i].r.body);
            fail();
        }
        ah_resp_free(&w[i].r);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(refused, N - 1);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/members/%lld", m);
    ah_resp r;
    ah_call(s, "GET", path, s->cashier, NULL, NULL, &r);
    json_t *j = ah_json(&r);
    assert_int_equal(ah_int(j, "balances.points"), 0);
    json_decref(j);
    ah_resp_free(&r);
    assert_int_equal(count(s, "SELECT count(*) FROM vouchers WHERE member_id = %lld", m), 1);
    assert_int_equal(
        ah_scalar(s->db, "SELECT count(*) FROM idempotency WHERE key LIKE 'idem-redeem-%'"), 1);
    ah_check_invariants(s->db);
}

static int setup(void **state)
{
    return ah_group_setup(state, "idem");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b1_sequential_replays),
        cmocka_unit_test(test_b1_concurrent_same_key),
        cmocka_unit_test(test_b2_same_key_other_body_422),
        cmocka_unit_test(test_key_missing_empty_or_too_long_400),
        cmocka_unit_test(test_b3_kill9_then_retry),
        cmocka_unit_test(test_b3_kill9_under_load),
        cmocka_unit_test(test_concurrent_redemptions_cannot_overspend),
    };
    return cmocka_run_group_tests(tests, setup, ah_group_teardown);
}
