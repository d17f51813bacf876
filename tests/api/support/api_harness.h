/* Shared harness of the API suite (tests/api): starts the real `loyalty serve` on a fresh
 * database, talks to it with libcurl over 127.0.0.1, and dumps the database with the sqlite3 API
 * so a test can prove that a rejected request changed nothing. Header-only (static inline) so each
 * test executable includes it without a build change. Include after <cmocka.h>. */
#ifndef LOY_TEST_API_HARNESS_H
#define LOY_TEST_API_HARNESS_H

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"

#define AH_PROGRAMME "examples/kopi-kita.json"

typedef struct {
    char db[512];
    char out[560]; /* the server's stdout */
    char errlog[560];
    pid_t pid;
    int port;
    char owner[80], manager[80], cashier[80];
} ah_server;

typedef struct {
    long status;
    char *body;
    size_t len;
    char location[256];
    char ctype[128];
    bool replayed;
    bool www_auth;
    int curl_rc;
} ah_resp;

/* One request. ctype: NULL = "application/json" when there is a body; AH_NO_CTYPE = none. */
#define AH_NO_CTYPE ((const char *)1)
typedef struct {
    const char *method;
    const char *path;
    const char *key;  /* API key for "Authorization: Bearer", NULL = none */
    const char *idem; /* Idempotency-Key, NULL = none */
    const char *ctype;
    const char *body;           /* NULL = no body */
    size_t body_len;            /* 0 = strlen(body) */
    const char *const *headers; /* extra raw header lines, NULL-terminated */
} ah_req;

static inline void ah_fail(const char *fmt, const char *a)
{
    print_error(fmt, a);
    fail();
}

static inline const char *ah_tmpdir(void)
{
    const char *d = getenv("LOY_TEST_TMP");
    if (!d || !*d) d = "/tmp";
    mkdir(d, 0777);
    return d;
}

static inline const char *ah_bin(void)
{
    const char *b = getenv("LOY_BIN");
    if (!b || !*b) b = "build/loyalty";
    return b;
}

static inline char *ah_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static inline void ah_remove_db(const char *db)
{
    char p[600];
    unlink(db);
    snprintf(p, sizeof(p), "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", db);
    unlink(p);
}

/* Creates an API key with the product library (the same code as `loyalty apikey create`). */
static inline void ah_key_create(const char *db, const char *role, char *out, size_t outsz,
                                 int64_t *id)
{
    loy_app *app = NULL;
    loy_err err;
    loy_err_clear(&err);
    assert_int_equal(loy_app_open(&app, db, NULL, &err), 0);
    json_t *resp = NULL;
    int rc = loy_app_apikey_create(app, role, "api-test", &resp, &err);
    if (rc) ah_fail("apikey create: %s", err.message);
    snprintf(out, outsz, "%s", json_string_value(json_object_get(resp, "key")));
    if (id) *id = (int64_t)json_integer_value(json_object_get(resp, "id"));
    json_decref(resp);
    loy_app_close(app);
    assert_true(strncmp(out, "loy_", 4) == 0);
}

static inline void ah_key_revoke(const char *db, int64_t id)
{
    loy_app *app = NULL;
    loy_err err;
    loy_err_clear(&err);
    assert_int_equal(loy_app_open(&app, db, NULL, &err), 0);
    int rc = loy_app_apikey_revoke(app, id, &err);
    if (rc) ah_fail("apikey revoke: %s", err.message);
    loy_app_close(app);
}

/* A fresh database from the kopi-kita programme with an owner, a manager and a cashier key. */
static inline void ah_db_new(ah_server *s, const char *tag)
{
    static int seq = 0;
    memset(s, 0, sizeof(*s));
    snprintf(s->db, sizeof(s->db), "%s/api-%s-%d-%d.db", ah_tmpdir(), tag, (int)getpid(), ++seq);
    snprintf(s->out, sizeof(s->out), "%s.out", s->db);
    snprintf(s->errlog, sizeof(s->errlog), "%s.err", s->db);
    ah_remove_db(s->db);
    size_t len = 0;
    char *prog = ah_read_file(AH_PROGRAMME, &len);
    assert_non_null(prog);
    loy_app *app = NULL;
    loy_err err;
    loy_err_clear(&err);
    assert_int_equal(loy_app_open(&app, s->db, NULL, &err), 0);
    int rc = loy_app_init(app, prog, len, &err);
    if (rc) ah_fail("init: %s", err.message);
    loy_app_close(app);
    free(prog);
    ah_key_create(s->db, "owner", s->owner, sizeof(s->owner), NULL);
    ah_key_create(s->db, "manager", s->manager, sizeof(s->manager), NULL);
    ah_key_create(s->db, "cashier", s->cashier, sizeof(s->cashier), NULL);
}

static inline void ah_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* fork/exec `$LOY_BIN serve --db DB --port 0 --quiet --no-scheduler`; the port is read from its stdout. */
static inline void ah_start(ah_server *s)
{
    unlink(s->out);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(s->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(s->errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) dup2(fd, 1);
        if (fe >= 0) dup2(fe, 2);
        /* no daily jobs at start: they would change the database under the tests' feet */
        execl(ah_bin(), ah_bin(), "serve", "--db", s->db, "--port", "0", "--quiet",
              "--no-scheduler", (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    s->port = 0;
    for (int i = 0; i < 3000 && !s->port; i++) { /* up to 30 s (sanitizer builds start slowly) */
        char *text = ah_read_file(s->out, NULL);
        const char *p = text ? strstr(text, "http://127.0.0.1:") : NULL;
        if (p && strchr(p, '\n')) s->port = atoi(p + strlen("http://127.0.0.1:"));
        free(text);
        if (s->port) break;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            s->pid = 0;
            ah_fail("the server exited before serving; see %s", s->errlog);
        }
        ah_sleep_ms(10);
    }
    if (!s->port) ah_fail("the server did not print its port; see %s", s->errlog);
}

/* SIGTERM and wait: the server must stop gracefully with status 0 within 20 s. */
static inline void ah_stop(ah_server *s)
{
    if (!s->pid) return;
    kill(s->pid, SIGTERM);
    int st = 0;
    pid_t r = 0;
    for (int i = 0; i < 2000 && (r = waitpid(s->pid, &st, WNOHANG)) == 0; i++) ah_sleep_ms(10);
    if (r == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &st, 0);
        s->pid = 0;
        ah_fail("the server did not stop within 20 s of SIGTERM (%s)", s->db);
    }
    s->pid = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        print_error("the server did not exit 0 after SIGTERM: %s %d; see %s\n",
                    WIFSIGNALED(st) ? "killed by signal" : "exit status",
                    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), s->errlog);
        fail();
    }
}

static inline void ah_kill9(ah_server *s)
{
    if (!s->pid) return;
    kill(s->pid, SIGKILL);
    int st;
    waitpid(s->pid, &st, 0);
    s->pid = 0;
}

/* ---- HTTP ---- */

static inline size_t ah_on_body(char *data, size_t size, size_t n, void *ud)
{
    ah_resp *r = ud;
    size_t add = size * n;
    char *nb = realloc(r->body, r->len + add + 1);
    if (!nb) return 0;
    memcpy(nb + r->len, data, add);
    r->body = nb;
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static inline void ah_header_value(const char *line, size_t n, char *out, size_t outsz)
{
    const char *colon = memchr(line, ':', n);
    if (!colon) return;
    const char *v = colon + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t len = (size_t)(end - v);
    if (len >= outsz) len = outsz - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}

static inline size_t ah_on_header(char *data, size_t size, size_t n, void *ud)
{
    ah_resp *r = ud;
    size_t len = size * n;
    char v[256] = "";
    if (len > 9 && strncasecmp(data, "Location:", 9) == 0)
        ah_header_value(data, len, r->location, sizeof(r->location));
    else if (len > 13 && strncasecmp(data, "Content-Type:", 13) == 0)
        ah_header_value(data, len, r->ctype, sizeof(r->ctype));
    else if (len > 20 && strncasecmp(data, "Idempotent-Replayed:", 20) == 0) {
        ah_header_value(data, len, v, sizeof(v));
        r->replayed = strcmp(v, "true") == 0;
    } else if (len > 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0) {
        ah_header_value(data, len, v, sizeof(v));
        r->www_auth = strncasecmp(v, "Bearer", 6) == 0;
    }
    return len;
}

static inline void ah_resp_free(ah_resp *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Sends one request on handle `c` (NULL: a new handle for this call). Returns the status (0 when
 * the server closed the connection without an answer). */
static inline long ah_send(CURL *c, int port, const ah_req *q, ah_resp *r)
{
    memset(r, 0, sizeof(*r));
    CURL *own = NULL;
    if (!c) c = own = curl_easy_init();
    assert_non_null(c);
    curl_easy_reset(c);
    char url[8192];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, q->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ah_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ah_on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    struct curl_slist *h = NULL;
    char line[2048];
    h = curl_slist_append(h, "Expect:");
    if (q->key) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", q->key);
        h = curl_slist_append(h, line);
    }
    if (q->idem) {
        char *big = malloc(strlen(q->idem) + 32);
        assert_non_null(big);
        sprintf(big, "Idempotency-Key: %s", q->idem);
        h = curl_slist_append(h, big);
        free(big);
    }
    if (q->ctype == AH_NO_CTYPE)
        h = curl_slist_append(h, "Content-Type:");
    else if (q->ctype) {
        snprintf(line, sizeof(line), "Content-Type: %s", q->ctype);
        h = curl_slist_append(h, line);
    } else if (q->body)
        h = curl_slist_append(h, "Content-Type: application/json");
    for (size_t i = 0; q->headers && q->headers[i]; i++) h = curl_slist_append(h, q->headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    const char *m = q->method ? q->method : "GET";
    if (strcmp(m, "GET") == 0)
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    else {
        const char *b = q->body ? q->body : "";
        size_t bl = q->body ? (q->body_len ? q->body_len : strlen(q->body)) : 0;
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bl);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, b);
        if (strcmp(m, "POST") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    }
    CURLcode cr = curl_easy_perform(c);
    r->curl_rc = (int)cr;
    if (cr == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    if (own) curl_easy_cleanup(own);
    if (!r->body) {
        r->body = calloc(1, 1);
        r->len = 0;
    }
    return r->status;
}

/* Convenience: a JSON request (body may be NULL). */
static inline long ah_call(const ah_server *s, const char *method, const char *path,
                           const char *key, const char *idem, const char *body, ah_resp *r)
{
    ah_req q = {.method = method, .path = path, .key = key, .idem = idem, .body = body};
    return ah_send(NULL, s->port, &q, r);
}

/* The response body as JSON (fails the test when it is not). Caller decrefs. */
static inline json_t *ah_json(const ah_resp *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->body, r->len, 0, &je);
    if (!j) ah_fail("response is not JSON: %s", r->body);
    return j;
}

/* Looks up "a.b.c" (object keys only). */
static inline json_t *ah_get(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    char *save = NULL;
    for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
        j = json_object_get(j, k);
    return j;
}

static inline long long ah_int(json_t *j, const char *path)
{
    json_t *v = ah_get(j, path);
    if (!json_is_integer(v)) ah_fail("not an integer: %s", path);
    return (long long)json_integer_value(v);
}

static inline const char *ah_str(json_t *j, const char *path)
{
    json_t *v = ah_get(j, path);
    if (!json_is_string(v)) ah_fail("not a string: %s", path);
    return json_string_value(v);
}

/* Asserts the status and, for errors, the body {"error":{"code","message","field"}} (exactly
 * these three string members, message non-empty); code / field checked unless NULL. */
static inline void ah_expect_error(const ah_resp *r, long status, const char *code,
                                   const char *field)
{
    if (r->status != status) {
        print_error("expected HTTP %ld, got %ld: %s\n", status, r->status, r->body);
        fail();
    }
    json_t *j = ah_json(r);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 1);
    json_t *e = json_object_get(j, "error");
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(e), 3);
    assert_true(json_is_string(json_object_get(e, "code")));
    assert_true(json_is_string(json_object_get(e, "message")));
    assert_true(json_is_string(json_object_get(e, "field")));
    assert_true(json_string_length(json_object_get(e, "message")) > 0);
    if (code) assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    if (field) assert_string_equal(json_string_value(json_object_get(e, "field")), field);
    assert_true(strncmp(r->ctype, "application/json", 16) == 0);
    json_decref(j);
}

static inline void ah_expect_status(const ah_resp *r, long status)
{
    if (r->status != status) {
        print_error("expected HTTP %ld, got %ld: %.600s\n", status, r->status, r->body);
        fail();
    }
}

/* ---- database ---- */

static inline int ah_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of every table, as text, rows sorted per table: equal dumps = equal databases. */
static inline char *ah_dump(const char *db)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    assert_int_equal(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *tabs = NULL;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT name FROM sqlite_master WHERE type='table' "
                                        "ORDER BY name",
                                        -1, &tabs, NULL),
                     SQLITE_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
#define AH_APPEND(str)                                                                             \
    do {                                                                                           \
        size_t l_ = strlen(str);                                                                   \
        while (len + l_ + 1 > cap) {                                                               \
            cap *= 2;                                                                              \
            out = realloc(out, cap);                                                               \
            assert_non_null(out);                                                                  \
        }                                                                                          \
        memcpy(out + len, str, l_ + 1);                                                            \
        len += l_;                                                                                 \
    } while (0)
    while (sqlite3_step(tabs) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(tabs, 0);
        char sql[300];
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", t);
        AH_APPEND("== ");
        AH_APPEND(t);
        AH_APPEND("\n");
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        char **rows = NULL;
        size_t nrows = 0, rcap = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            size_t rl = 1;
            int nc = sqlite3_column_count(st);
            for (int i = 0; i < nc; i++) rl += (size_t)sqlite3_column_bytes(st, i) + 8;
            char *row = malloc(rl);
            assert_non_null(row);
            size_t p = 0;
            for (int i = 0; i < nc; i++) {
                int ty = sqlite3_column_type(st, i);
                row[p++] = ty == SQLITE_NULL      ? 'N'
                           : ty == SQLITE_INTEGER ? 'I'
                           : ty == SQLITE_FLOAT   ? 'F'
                           : ty == SQLITE_BLOB    ? 'B'
                                                  : 'T';
                const void *v = ty == SQLITE_BLOB ? sqlite3_column_blob(st, i)
                                                  : (const void *)sqlite3_column_text(st, i);
                size_t n = (size_t)sqlite3_column_bytes(st, i);
                if (v && n) memcpy(row + p, v, n);
                p += n;
                row[p++] = '\x1f';
            }
            row[p] = '\0';
            for (size_t i = 0; i < p; i++)
                if (row[i] == '\0') row[i] = '\x01';
            if (nrows == rcap) {
                rcap = rcap ? rcap * 2 : 64;
                rows = realloc(rows, rcap * sizeof(*rows));
                assert_non_null(rows);
            }
            rows[nrows++] = row;
        }
        sqlite3_finalize(st);
        if (nrows) qsort(rows, nrows, sizeof(*rows), ah_cmp_str);
        for (size_t i = 0; i < nrows; i++) {
            AH_APPEND(rows[i]);
            AH_APPEND("\n");
            free(rows[i]);
        }
        free(rows);
    }
#undef AH_APPEND
    sqlite3_finalize(tabs);
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(h);
    return out;
}

/* Fails the test (showing the request) when the database changed. */
static inline void ah_expect_same_db(const char *before, const char *db, const char *what)
{
    char *after = ah_dump(db);
    if (strcmp(before, after) != 0) {
        free(after);
        ah_fail("the database changed after a rejected request: %s", what);
    }
    free(after);
}

/* One integer from a query on the database (read-only connection). */
static inline long long ah_scalar(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) ah_fail("bad query: %s", sql);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static inline char *ah_text_scalar(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) ah_fail("bad query: %s", sql);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* Invariants of RELIABILITY.md: each balance equals the sum of its ledger; integrity ok. */
static inline void ah_check_invariants(const char *db)
{
    static const char *const accounts[] = {"points", "pending", "stamps", "giving"};
    for (int i = 0; i < 4; i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM balances b WHERE b.%s != (SELECT coalesce(sum(amount), 0) "
                 "FROM ledger l WHERE l.member_id = b.member_id AND l.account = '%s')",
                 accounts[i], accounts[i]);
        if (ah_scalar(db, sql) != 0) ah_fail("a %s balance differs from its ledger", accounts[i]);
    }
    assert_int_equal(ah_scalar(db, "SELECT count(*) FROM balances WHERE points < points_floor"), 0);
    char *ic = ah_text_scalar(db, "PRAGMA integrity_check");
    assert_non_null(ic);
    assert_string_equal(ic, "ok");
    free(ic);
}

/* ---- fixtures over the API ---- */

/* Yesterday 19:00 UTC = 03:00 in Kuala Lumpur: a past instant outside every time-limited rule. */
static inline void ah_occurred_at(char *out, size_t n)
{
    time_t t = (time(NULL) / 86400 - 1) * 86400 + 19 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Enrols a member over the API (owner key); returns the id. */
static inline long long ah_member(const ah_server *s, const char *name)
{
    static int n = 0;
    char body[512], key[64];
    json_t *b = json_pack("{s:s}", "name", name);
    char *text = json_dumps(b, JSON_COMPACT);
    snprintf(body, sizeof(body), "%s", text);
    free(text);
    json_decref(b);
    snprintf(key, sizeof(key), "ah-member-%d-%ld", ++n, (long)time(NULL));
    ah_resp r;
    ah_call(s, "POST", "/api/v1/members", s->owner, key, body, &r);
    ah_expect_status(&r, 201);
    json_t *j = ah_json(&r);
    long long id = ah_int(j, "member.id");
    json_decref(j);
    ah_resp_free(&r);
    return id;
}

/* Adds points (owner key, /api/v1/adjustments). */
static inline void ah_adjust(const ah_server *s, long long member, long long delta)
{
    static int n = 0;
    char body[256], key[64];
    snprintf(body, sizeof(body), "{\"member\":%lld,\"delta\":%lld,\"reason\":\"test set-up\"}",
             member, delta);
    snprintf(key, sizeof(key), "ah-adjust-%d-%lld", ++n, member);
    ah_resp r;
    ah_call(s, "POST", "/api/v1/adjustments", s->owner, key, body, &r);
    ah_expect_status(&r, 201);
    ah_resp_free(&r);
}

/* A purchase of RM18.50 with 2 coffees (RM9.00) for `member`: 18 points, 2 stamps. */
static inline void ah_purchase_body(char *out, size_t n, long long member)
{
    char at[32];
    ah_occurred_at(at, sizeof(at));
    snprintf(out, n,
             "{\"member\":%lld,\"amount\":1850,\"currency\":\"MYR\",\"location\":\"BSR\","
             "\"occurred_at\":\"%s\",\"items\":[{\"sku\":\"KOPI\",\"category\":\"coffee\","
             "\"qty\":2,\"amount\":900},{\"sku\":\"NASI\",\"category\":\"food\",\"amount\":950}]}",
             member, at);
}

/* cmocka group set-up / tear-down: *state = a started server on a fresh database. */
static inline int ah_group_setup(void **state, const char *tag)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ah_server *s = calloc(1, sizeof(*s));
    if (!s) return -1;
    ah_db_new(s, tag);
    ah_start(s);
    *state = s;
    return 0;
}

static inline int ah_group_teardown(void **state)
{
    ah_server *s = *state;
    *state = NULL;
    if (!s) return 0;
    ah_server copy = *s; /* freed first: a failing stop must not leak the fixture */
    free(s);
    curl_global_cleanup();
    ah_stop(&copy);
    ah_remove_db(copy.db);
    unlink(copy.out);
    unlink(copy.errlog);
    return 0;
}

#endif
