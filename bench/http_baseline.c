/* The baseline of bench/http.sh: a minimal libmicrohttpd + SQLite server with the same threading
 * as `loyalty serve` (internal polling thread, epoll, a pool of 4 threads, one SQLite connection
 * per thread, WAL + synchronous=FULL), plus the raw SQLite insert+update loop that the purchase
 * target is measured against. It is not a test: it only reports figures.
 *
 *   bench_http_baseline setup LOYALTY_DB BASELINE_DB TOKENS_FILE
 *       creates BASELINE_DB with the members (id, card token, name) of LOYALTY_DB and a zero
 *       balance row each, and writes their card tokens to TOKENS_FILE, one a line
 *   bench_http_baseline serve BASELINE_DB API_KEY [threads]
 *       serves on a free port of 127.0.0.1 and prints "... on http://127.0.0.1:PORT" on stdout;
 *       SIGTERM or SIGINT stops it
 *         GET  /card/{token}  -> 200 {"member":{id, card_token, name, points, stamps}} or 404
 *         POST /purchase      -> 201 {"purchase":{id, member_id, amount}, "balances":{...}}:
 *                                one transaction per request (its own fsync): UPDATE the
 *                                balance row, INSERT the purchase row
 *       both need "Authorization: Bearer API_KEY" (compared as a string: no hashing, no lookup)
 *   bench_http_baseline count DB
 *       prints the number of rows in DB's purchases table (the driver's sanity check)
 *   bench_http_baseline raw BATCH DIR [seconds]
 *       the raw SQLite rate of bench/ledger's baseline: per purchase one INSERT into purchases and
 *       one UPDATE of a balances row, BATCH purchases per transaction, WAL + synchronous=FULL,
 *       1,000 members; prints "raw batch-BATCH: N purchases/s" (median of 3)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_http_baseline: %s: %s\n", what, msg);
    exit(1);
}

static void exec_sql(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) die(sql, msg ? msg : "failed");
}

static sqlite3_stmt *prepare(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(h));
    return st;
}

static sqlite3 *open_db(const char *path, int flags)
{
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(path, &h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die(path, h ? sqlite3_errmsg(h) : "cannot open");
    sqlite3_busy_timeout(h, 10000);
    exec_sql(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    return h;
}

/* The same purchases and balances tables as bench/ledger's baseline, plus members. */
static const char *SCHEMA =
    "CREATE TABLE members (id INTEGER PRIMARY KEY, card_token TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL);"
    "CREATE TABLE purchases (id INTEGER PRIMARY KEY, merchant_id INTEGER NOT NULL,"
    " member_id INTEGER NOT NULL, location_code TEXT, amount INTEGER NOT NULL,"
    " currency TEXT NOT NULL, lines TEXT NOT NULL, occurred_at INTEGER NOT NULL);"
    "CREATE INDEX purchases_member ON purchases(member_id, occurred_at);"
    "CREATE TABLE balances (member_id INTEGER PRIMARY KEY,"
    " points INTEGER NOT NULL DEFAULT 0, stamps INTEGER NOT NULL DEFAULT 0);";

/* ---- setup ----------------------------------------------------------------------------------- */

static int cmd_setup(const char *loy_path, const char *base_path, const char *tokens_path)
{
    sqlite3 *src = NULL;
    if (sqlite3_open_v2(loy_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(loy_path, src ? sqlite3_errmsg(src) : "cannot open");
    unlink(base_path);
    sqlite3 *dst = open_db(base_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    exec_sql(dst, SCHEMA);
    FILE *tok = fopen(tokens_path, "w");
    if (!tok) die(tokens_path, strerror(errno));
    sqlite3_stmt *sel = prepare(src, "SELECT id, card_token, name FROM members ORDER BY id");
    sqlite3_stmt *mk = prepare(dst, "INSERT INTO members(id, card_token, name) VALUES (?, ?, ?)");
    sqlite3_stmt *bal = prepare(dst, "INSERT INTO balances(member_id) VALUES (?)");
    exec_sql(dst, "BEGIN");
    int n = 0;
    while (sqlite3_step(sel) == SQLITE_ROW) {
        sqlite3_bind_int64(mk, 1, sqlite3_column_int64(sel, 0));
        sqlite3_bind_text(mk, 2, (const char *)sqlite3_column_text(sel, 1), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(mk, 3, (const char *)sqlite3_column_text(sel, 2), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(mk) != SQLITE_DONE) die("insert member", sqlite3_errmsg(dst));
        sqlite3_reset(mk);
        sqlite3_bind_int64(bal, 1, sqlite3_column_int64(sel, 0));
        if (sqlite3_step(bal) != SQLITE_DONE) die("insert balance", sqlite3_errmsg(dst));
        sqlite3_reset(bal);
        fprintf(tok, "%s\n", (const char *)sqlite3_column_text(sel, 1));
        n++;
    }
    exec_sql(dst, "COMMIT");
    sqlite3_finalize(sel);
    sqlite3_finalize(mk);
    sqlite3_finalize(bal);
    sqlite3_close(src);
    sqlite3_close(dst);
    if (fclose(tok)) die(tokens_path, strerror(errno));
    if (n == 0) die(loy_path, "no members");
    printf("bench_http_baseline: %d members copied to %s, tokens in %s\n", n, base_path,
           tokens_path);
    return 0;
}

/* ---- the server ------------------------------------------------------------------------------ */

typedef struct {
    sqlite3 *h;
    sqlite3_stmt *lookup, *begin, *upd, *ins, *commit, *rollback;
} thread_db;

typedef struct {
    char *buf;
    size_t len, cap;
} conn_ctx;

static const char *db_path;
static char bearer[256];
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static thread_db *dbs[64];
static int ndbs;
/* One writer at a time (the threads share one file): waiting on a mutex instead of SQLite's
 * busy handler, which sleeps in steps of milliseconds and would make the baseline look slower. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread thread_db *my_db;

static thread_db *thread_conn(void)
{
    if (my_db) return my_db;
    thread_db *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->h = open_db(db_path, SQLITE_OPEN_READWRITE);
    t->lookup = prepare(t->h, "SELECT m.id, m.card_token, m.name, b.points, b.stamps"
                              " FROM members m JOIN balances b ON b.member_id = m.id"
                              " WHERE m.card_token = ?");
    t->begin = prepare(t->h, "BEGIN IMMEDIATE");
    t->upd = prepare(t->h, "UPDATE balances SET points = points + ?, stamps = stamps + ?"
                           " WHERE member_id = (SELECT id FROM members WHERE card_token = ?)"
                           " RETURNING member_id, points, stamps");
    t->ins = prepare(t->h, "INSERT INTO purchases(merchant_id, member_id, location_code, amount,"
                           " currency, lines, occurred_at) VALUES (1, ?, ?, ?, ?, ?, ?)");
    t->commit = prepare(t->h, "COMMIT");
    t->rollback = prepare(t->h, "ROLLBACK");
    pthread_mutex_lock(&dbs_lock);
    if (ndbs < 64) dbs[ndbs++] = t;
    pthread_mutex_unlock(&dbs_lock);
    my_db = t;
    return t;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    char *body = malloc(strlen(msg) + 32);
    if (!body) return MHD_NO;
    sprintf(body, "{\"error\":\"%s\"}", msg);
    return answer(c, status, body);
}

/* Appends a JSON string (quoted, escaped) to b at *n; b has room for 6 bytes per input byte. */
static void put_str(char *b, size_t *n, const char *s)
{
    b[(*n)++] = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            b[(*n)++] = '\\';
            b[(*n)++] = (char)ch;
        } else if (ch < 0x20)
            *n += (size_t)sprintf(b + *n, "\\u%04x", ch);
        else
            b[(*n)++] = (char)ch;
    }
    b[(*n)++] = '"';
}

static enum MHD_Result get_card(struct MHD_Connection *c, const char *token)
{
    thread_db *t = thread_conn();
    if (!t) return answer_error(c, 503, "no database");
    sqlite3_bind_text(t->lookup, 1, token, -1, SQLITE_STATIC);
    int rc = sqlite3_step(t->lookup);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(t->lookup);
        return rc == SQLITE_DONE ? answer_error(c, 404, "no such card")
                                 : answer_error(c, 500, "database error");
    }
    const char *tok = (const char *)sqlite3_column_text(t->lookup, 1);
    const char *name = (const char *)sqlite3_column_text(t->lookup, 2);
    char *b = malloc(128 + 6 * (strlen(tok) + strlen(name)));
    if (!b) {
        sqlite3_reset(t->lookup);
        return MHD_NO;
    }
    size_t n = (size_t)sprintf(b, "{\"member\":{\"id\":%lld,\"card_token\":",
                               (long long)sqlite3_column_int64(t->lookup, 0));
    put_str(b, &n, tok);
    n += (size_t)sprintf(b + n, ",\"name\":");
    put_str(b, &n, name);
    sprintf(b + n, ",\"points\":%lld,\"stamps\":%lld}}",
            (long long)sqlite3_column_int64(t->lookup, 3),
            (long long)sqlite3_column_int64(t->lookup, 4));
    sqlite3_reset(t->lookup);
    return answer(c, 200, b);
}

static bool step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

/* {"member":"<card token>","amount":N,"currency":"MYR","location":"BSR","items":[...]} */
static enum MHD_Result post_purchase(struct MHD_Connection *c, const char *body, size_t len)
{
    json_error_t je;
    json_t *req = json_loadb(body, len, 0, &je);
    const char *member = json_string_value(json_object_get(req, "member"));
    json_t *amount = json_object_get(req, "amount");
    const char *currency = json_string_value(json_object_get(req, "currency"));
    const char *location = json_string_value(json_object_get(req, "location"));
    json_t *items = json_object_get(req, "items");
    if (!member || !json_is_integer(amount) || !currency || !location || !json_is_array(items)) {
        json_decref(req);
        return answer_error(c, 400, "invalid purchase");
    }
    json_int_t stamps = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *cat = json_string_value(json_object_get(it, "category"));
        if (cat && strcmp(cat, "coffee") == 0)
            stamps += json_integer_value(json_object_get(it, "qty"));
    }
    char *lines = json_dumps(items, JSON_COMPACT);
    thread_db *t = thread_conn();
    if (!t || !lines) {
        free(lines);
        json_decref(req);
        return answer_error(c, 503, "no database");
    }
    long long id = 0, mid = 0, points = 0, stamps_now = 0;
    unsigned status = 201;
    pthread_mutex_lock(&write_lock);
    if (!step_done(t->begin)) {
        status = 503;
    } else {
        sqlite3_bind_int64(t->upd, 1, json_integer_value(amount) / 100);
        sqlite3_bind_int64(t->upd, 2, stamps);
        sqlite3_bind_text(t->upd, 3, member, -1, SQLITE_STATIC);
        if (sqlite3_step(t->upd) == SQLITE_ROW) {
            mid = sqlite3_column_int64(t->upd, 0);
            points = sqlite3_column_int64(t->upd, 1);
            stamps_now = sqlite3_column_int64(t->upd, 2);
        } else
            status = 404;
        sqlite3_reset(t->upd);
        if (status == 201) {
            sqlite3_bind_int64(t->ins, 1, mid);
            sqlite3_bind_text(t->ins, 2, location, -1, SQLITE_STATIC);
            sqlite3_bind_int64(t->ins, 3, json_integer_value(amount));
            sqlite3_bind_text(t->ins, 4, currency, -1, SQLITE_STATIC);
            sqlite3_bind_text(t->ins, 5, lines, -1, SQLITE_STATIC);
            sqlite3_bind_int64(t->ins, 6, (sqlite3_int64)time(NULL));
            if (step_done(t->ins))
                id = sqlite3_last_insert_rowid(t->h);
            else
                status = 500;
        }
        if (status == 201) {
            if (!step_done(t->commit)) status = 500;
        }
        if (status != 201) step_done(t->rollback);
    }
    pthread_mutex_unlock(&write_lock);
    json_int_t amt = json_integer_value(amount);
    free(lines);
    json_decref(req);
    if (status == 404) return answer_error(c, 404, "no such member");
    if (status != 201) return answer_error(c, status, "database error");
    char *b = malloc(256);
    if (!b) return MHD_NO;
    snprintf(b, 256,
             "{\"purchase\":{\"id\":%lld,\"member_id\":%lld,\"amount\":%lld},"
             "\"balances\":{\"points\":%lld,\"stamps\":%lld}}",
             id, mid, (long long)amt, points, stamps_now);
    return answer(c, 201, b);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)cls;
    (void)version;
    conn_ctx *x = *req_cls;
    if (!x) { /* headers only: answering now would lose keep-alive, so wait for the body */
        x = calloc(1, sizeof(*x));
        if (!x) return MHD_NO;
        *req_cls = x;
        return MHD_YES;
    }
    if (*upload_size) {
        if (x->len + *upload_size + 1 > x->cap) {
            size_t cap = x->cap ? x->cap * 2 : 1024;
            while (cap < x->len + *upload_size + 1) cap *= 2;
            if (cap > 1 << 20) return MHD_NO;
            char *nb = realloc(x->buf, cap);
            if (!nb) return MHD_NO;
            x->buf = nb;
            x->cap = cap;
        }
        memcpy(x->buf + x->len, upload, *upload_size);
        x->len += *upload_size;
        x->buf[x->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!auth || strcmp(auth, bearer) != 0) return answer_error(c, 401, "unauthorized");
    if (strcmp(method, "GET") == 0 && strncmp(url, "/card/", 6) == 0 && url[6])
        return get_card(c, url + 6);
    if (strcmp(method, "POST") == 0 && strcmp(url, "/purchase") == 0)
        return post_purchase(c, x->buf ? x->buf : "", x->len);
    return answer_error(c, 404, "no such route");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_ctx *x = *req_cls;
    if (!x) return;
    free(x->buf);
    free(x);
    *req_cls = NULL;
}

static int cmd_serve(const char *path, const char *key, int threads)
{
    db_path = path;
    snprintf(bearer, sizeof(bearer), "Bearer %s", key);
    sqlite3_close(open_db(path, SQLITE_OPEN_READWRITE)); /* fail early on a bad path */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the daemon's threads inherit the mask */
    struct sockaddr_in addr;                /* 127.0.0.1, a free port */
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        &on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_NOTIFY_COMPLETED,
        &on_completed, NULL, MHD_OPTION_END);
    if (!d) die("serve", "cannot start the daemon");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("bench_http_baseline: serving %s on http://127.0.0.1:%u (%d threads)\n", path,
           info ? (unsigned)info->port : 0, threads);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    for (int i = 0; i < ndbs; i++) {
        thread_db *t = dbs[i];
        sqlite3_finalize(t->lookup);
        sqlite3_finalize(t->begin);
        sqlite3_finalize(t->upd);
        sqlite3_finalize(t->ins);
        sqlite3_finalize(t->commit);
        sqlite3_finalize(t->rollback);
        sqlite3_close(t->h);
        free(t);
    }
    return 0;
}

/* ---- raw SQLite rate (bench/ledger's baseline) ------------------------------------------------
 */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}
static int64_t rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

static double now_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    sqlite3 *h;
    sqlite3_stmt *ins, *upd, *begin, *commit;
} raw_side;

static void raw_step(sqlite3 *h, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) die("raw step", sqlite3_errmsg(h));
    sqlite3_reset(st);
}

static void raw_run(raw_side *s, long n, int batch, int nmembers)
{
    char lines[256];
    for (long done = 0; done < n;) {
        int k = (int)(n - done < batch ? n - done : batch);
        raw_step(s->h, s->begin);
        for (int i = 0; i < k; i++) {
            int64_t member = 1 + (int64_t)(rng() % (uint64_t)nmembers);
            int64_t cq = rng_range(1, 2), ca = cq * rng_range(600, 1400);
            int64_t pq = rng_range(0, 1), pa = pq * rng_range(450, 900);
            snprintf(
                lines, sizeof(lines),
                "[{\"sku\":\"KOPI\",\"category\":\"coffee\",\"qty\":%lld,\"amount\":%lld},"
                "{\"sku\":\"CROISSANT\",\"category\":\"pastry\",\"qty\":%lld,\"amount\":%lld}]",
                (long long)cq, (long long)ca, (long long)pq, (long long)pa);
            sqlite3_bind_int64(s->ins, 1, member);
            sqlite3_bind_int64(s->ins, 2, ca + pa);
            sqlite3_bind_text(s->ins, 3, lines, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s->ins, 4, (sqlite3_int64)time(NULL));
            raw_step(s->h, s->ins);
            sqlite3_bind_int64(s->upd, 1, (ca + pa) / 100);
            sqlite3_bind_int64(s->upd, 2, cq);
            sqlite3_bind_int64(s->upd, 3, member);
            raw_step(s->h, s->upd);
        }
        raw_step(s->h, s->commit);
        done += k;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmd_raw(int batch, const char *dir, double secs)
{
    const int nmembers = 1000;
    char path[4200], p2[4300];
    snprintf(path, sizeof(path), "%s/raw-batch%d.db", dir, batch);
    unlink(path);
    raw_side s;
    s.h = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    exec_sql(s.h, SCHEMA);
    exec_sql(s.h, "BEGIN");
    sqlite3_stmt *mk = prepare(s.h, "INSERT INTO balances(member_id) VALUES (?)");
    for (int i = 1; i <= nmembers; i++) {
        sqlite3_bind_int64(mk, 1, i);
        raw_step(s.h, mk);
    }
    sqlite3_finalize(mk);
    exec_sql(s.h, "COMMIT");
    s.ins = prepare(s.h, "INSERT INTO purchases(merchant_id, member_id, location_code, amount,"
                         " currency, lines, occurred_at) VALUES (1, ?, 'BSR', ?, 'MYR', ?, ?)");
    s.upd = prepare(s.h, "UPDATE balances SET points = points + ?, stamps = stamps + ?"
                         " WHERE member_id = ?");
    s.begin = prepare(s.h, "BEGIN IMMEDIATE");
    s.commit = prepare(s.h, "COMMIT");
    long chunk = batch >= 100 ? 2000 : 200, min_n = batch >= 100 ? 20000 : 2000;
    raw_run(&s, batch >= 100 ? 1000 : 100, batch, nmembers); /* warm-up */
    double r[3];
    for (int rep = 0; rep < 3; rep++) {
        long n = 0;
        double t0 = now_secs(), el = 0;
        while (n < min_n || el < secs) {
            raw_run(&s, chunk, batch, nmembers);
            n += chunk;
            el = now_secs() - t0;
        }
        r[rep] = (double)n / el;
    }
    qsort(r, 3, sizeof(r[0]), cmp_double);
    sqlite3_finalize(s.ins);
    sqlite3_finalize(s.upd);
    sqlite3_finalize(s.begin);
    sqlite3_finalize(s.commit);
    sqlite3_close(s.h);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p2, sizeof(p2), "%s%s", path, suffix[i]);
        unlink(p2);
    }
    printf("raw batch-%d: %.0f purchases/s (median of 3: %.0f %.0f %.0f; sqlite %s)\n", batch, r[1],
           r[0], r[1], r[2], sqlite3_libversion());
    return 0;
}

static int cmd_count(const char *path)
{
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(path, h ? sqlite3_errmsg(h) : "cannot open");
    sqlite3_stmt *st = prepare(h, "SELECT count(*) FROM purchases");
    if (sqlite3_step(st) != SQLITE_ROW) die("count", sqlite3_errmsg(h));
    printf("%lld\n", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "count") == 0) return cmd_count(argv[2]);
    if (argc == 5 && strcmp(argv[1], "setup") == 0) return cmd_setup(argv[2], argv[3], argv[4]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "serve") == 0)
        return cmd_serve(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 4);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "raw") == 0 && atoi(argv[2]) > 0)
        return cmd_raw(atoi(argv[2]), argv[3], argc == 5 ? atof(argv[4]) : 2.0);
    fprintf(stderr, "usage: bench_http_baseline setup LOYALTY_DB BASELINE_DB TOKENS_FILE\n"
                    "       bench_http_baseline serve BASELINE_DB API_KEY [threads]\n"
                    "       bench_http_baseline count DB\n"
                    "       bench_http_baseline raw BATCH DIR [seconds]\n");
    return 2;
}
