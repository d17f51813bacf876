/* Ledger write throughput: purchases/s recorded through the real purchase use case (validation,
 * rules, ledger, balances, outbox, idempotency) against a raw SQLite baseline (INSERT a purchase
 * row + UPDATE a balance row) at the same durability (WAL + synchronous=FULL), one purchase per
 * transaction and 100 per transaction, measured in the same run. Prints a table with the ratio
 * and PASS/MISS against the target; exits 0 whatever the ratio (non-zero only if it cannot run).
 *
 *   bench_ledger [--quick] [--only 1|100] [dir]
 *     --quick  a small run (the test suite checks that it runs)
 *     --only   measure one batch size (for profiling)
 *     dir      where the temporary databases go (default $TMPDIR, else /tmp)
 */
#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"

#define TARGET    0.5
#define REPS_FULL 3
#define BATCH_BIG 100

typedef struct {
    int members;
    int reps;
    long min_n[2];   /* purchases per measurement, batch 1 and batch 100 */
    double min_secs; /* and at least this long */
    long warmup[2];  /* untimed purchases before the measurements */
} bench_cfg;

/* Deterministic PRNG so both sides see the same purchase mix. */
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

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, msg);
    exit(1);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0) die(path, "cannot size");
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die(path, "cannot read");
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* One purchase of the mix: a coffee or two, sometimes a pastry; amounts in sen. */
typedef struct {
    int64_t member;
    int64_t coffee_qty, coffee_amt, pastry_qty, pastry_amt, amount;
} purchase;

static purchase next_purchase(const int64_t *members, int nmembers)
{
    purchase p;
    p.member = members[rng() % (uint64_t)nmembers];
    p.coffee_qty = rng_range(1, 2);
    p.coffee_amt = p.coffee_qty * rng_range(600, 1400);
    p.pastry_qty = rng_range(0, 1);
    p.pastry_amt = p.pastry_qty * rng_range(450, 900);
    p.amount = p.coffee_amt + p.pastry_amt;
    return p;
}

static json_t *purchase_request(const purchase *p)
{
    json_t *items = json_array();
    json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:I}", "sku", "KOPI", "category",
                                           "coffee", "qty", (json_int_t)p->coffee_qty, "amount",
                                           (json_int_t)p->coffee_amt));
    if (p->pastry_qty)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:I, s:I}", "sku", "CROISSANT", "category",
                                        "pastry", "qty", (json_int_t)p->pastry_qty, "amount",
                                        (json_int_t)p->pastry_amt));
    return json_pack("{s:I, s:I, s:s, s:s, s:o}", "member", (json_int_t)p->member, "amount",
                     (json_int_t)p->amount, "currency", "MYR", "location", "BSR", "items", items);
}

/* ---- the product side ---------------------------------------------------------------------- */

typedef struct {
    loy_app *app;
    int64_t *members;
    int nmembers;
    long seq; /* idempotency key counter */
    char tag[16];
} loy_side;

static void loy_setup(loy_side *s, const char *path, const char *tag, int nmembers)
{
    loy_err err = {0};
    size_t len = 0;
    char *prog = read_file(LOY_SOURCE_DIR "/examples/kopi-kita.json", &len);
    if (loy_app_open(&s->app, path, NULL, &err)) die(path, err.message);
    if (loy_app_init(s->app, prog, len, &err)) die("init", err.message);
    free(prog);
    snprintf(s->tag, sizeof(s->tag), "%s", tag);
    s->members = calloc((size_t)nmembers, sizeof(*s->members));
    s->nmembers = nmembers;
    s->seq = 0;
    /* members through the use case, 100 per transaction to keep the setup short */
    loy_write_item items[BATCH_BIG];
    char keys[BATCH_BIG][48];
    json_t *reqs[BATCH_BIG];
    for (int done = 0; done < nmembers;) {
        int n = nmembers - done < BATCH_BIG ? nmembers - done : BATCH_BIG;
        for (int i = 0; i < n; i++) {
            snprintf(keys[i], sizeof(keys[i]), "member-%s-%d", tag, done + i);
            char name[64];
            snprintf(name, sizeof(name), "Bench Member %d", done + i);
            reqs[i] = json_pack("{s:s}", "name", name);
            memset(&items[i], 0, sizeof(items[i]));
            items[i].op = LOY_OP_MEMBER_CREATE;
            items[i].key = keys[i];
            items[i].req = reqs[i];
        }
        if (loy_app_write_batch(s->app, items, (size_t)n, &err)) die("member batch", err.message);
        for (int i = 0; i < n; i++) {
            if (items[i].rc) die("member create", items[i].err.message);
            json_t *id = json_object_get(json_object_get(items[i].resp, "member"), "id");
            if (!json_is_integer(id)) die("member create", "no member.id in the response");
            s->members[done + i] = (int64_t)json_integer_value(id);
            json_decref(items[i].resp);
            json_decref(reqs[i]);
        }
        done += n;
    }
}

/* Records n purchases, `batch` per transaction. */
static void loy_run(loy_side *s, long n, int batch)
{
    loy_err err = {0};
    loy_write_item items[BATCH_BIG];
    char keys[BATCH_BIG][48];
    json_t *reqs[BATCH_BIG];
    for (long done = 0; done < n;) {
        int k = (int)(n - done < batch ? n - done : batch);
        for (int i = 0; i < k; i++) {
            purchase p = next_purchase(s->members, s->nmembers);
            reqs[i] = purchase_request(&p);
            snprintf(keys[i], sizeof(keys[i]), "bench-%s-%ld", s->tag, s->seq++);
        }
        if (batch == 1) {
            json_t *resp = NULL;
            bool replayed = false;
            if (loy_app_write(s->app, LOY_OP_PURCHASE, keys[0], reqs[0], &resp, &replayed, &err))
                die("purchase", err.message);
            if (replayed) die("purchase", "unexpected replay");
            json_decref(resp);
        } else {
            for (int i = 0; i < k; i++) {
                memset(&items[i], 0, sizeof(items[i]));
                items[i].op = LOY_OP_PURCHASE;
                items[i].key = keys[i];
                items[i].req = reqs[i];
            }
            if (loy_app_write_batch(s->app, items, (size_t)k, &err))
                die("purchase batch", err.message);
            for (int i = 0; i < k; i++) {
                if (items[i].rc) die("purchase", items[i].err.message);
                json_decref(items[i].resp);
            }
        }
        for (int i = 0; i < k; i++) json_decref(reqs[i]);
        done += k;
    }
}

/* ---- the baseline: sqlite3 directly ---------------------------------------------------------- */

typedef struct {
    sqlite3 *h;
    sqlite3_stmt *ins, *upd, *begin, *commit;
    int64_t *members;
    int nmembers;
} raw_side;

static void raw_exec(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) die(sql, msg ? msg : "failed");
}

static sqlite3_stmt *raw_prepare(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(h));
    return st;
}

static void raw_step(sqlite3 *h, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) die("baseline step", sqlite3_errmsg(h));
    sqlite3_reset(st);
}

static void raw_setup(raw_side *s, const char *path, int nmembers)
{
    if (sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        die(path, sqlite3_errmsg(s->h));
    raw_exec(s->h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    raw_exec(s->h, "CREATE TABLE purchases (id INTEGER PRIMARY KEY, merchant_id INTEGER NOT NULL,"
                   " member_id INTEGER NOT NULL, location_code TEXT, amount INTEGER NOT NULL,"
                   " currency TEXT NOT NULL, lines TEXT NOT NULL, occurred_at INTEGER NOT NULL);"
                   "CREATE INDEX purchases_member ON purchases(member_id, occurred_at);"
                   "CREATE TABLE balances (member_id INTEGER PRIMARY KEY,"
                   " points INTEGER NOT NULL DEFAULT 0, stamps INTEGER NOT NULL DEFAULT 0);");
    s->members = calloc((size_t)nmembers, sizeof(*s->members));
    s->nmembers = nmembers;
    raw_exec(s->h, "BEGIN");
    sqlite3_stmt *mk = raw_prepare(s->h, "INSERT INTO balances(member_id) VALUES (?)");
    for (int i = 0; i < nmembers; i++) {
        s->members[i] = i + 1;
        sqlite3_bind_int64(mk, 1, s->members[i]);
        raw_step(s->h, mk);
    }
    sqlite3_finalize(mk);
    raw_exec(s->h, "COMMIT");
    s->ins =
        raw_prepare(s->h, "INSERT INTO purchases(merchant_id, member_id, location_code, amount,"
                          " currency, lines, occurred_at) VALUES (1, ?, 'BSR', ?, 'MYR', ?, ?)");
    s->upd = raw_prepare(s->h, "UPDATE balances SET points = points + ?, stamps = stamps + ?"
                               " WHERE member_id = ?");
    s->begin = raw_prepare(s->h, "BEGIN IMMEDIATE");
    s->commit = raw_prepare(s->h, "COMMIT");
}

static void raw_run(raw_side *s, long n, int batch)
{
    char lines[256];
    for (long done = 0; done < n;) {
        int k = (int)(n - done < batch ? n - done : batch);
        raw_step(s->h, s->begin);
        for (int i = 0; i < k; i++) {
            purchase p = next_purchase(s->members, s->nmembers);
            snprintf(
                lines, sizeof(lines),
                "[{\"sku\":\"KOPI\",\"category\":\"coffee\",\"qty\":%lld,\"amount\":%lld},"
                "{\"sku\":\"CROISSANT\",\"category\":\"pastry\",\"qty\":%lld,\"amount\":%lld}]",
                (long long)p.coffee_qty, (long long)p.coffee_amt, (long long)p.pastry_qty,
                (long long)p.pastry_amt);
            sqlite3_bind_int64(s->ins, 1, p.member);
            sqlite3_bind_int64(s->ins, 2, p.amount);
            sqlite3_bind_text(s->ins, 3, lines, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s->ins, 4, (sqlite3_int64)time(NULL));
            raw_step(s->h, s->ins);
            sqlite3_bind_int64(s->upd, 1, p.amount / 100);
            sqlite3_bind_int64(s->upd, 2, p.coffee_qty);
            sqlite3_bind_int64(s->upd, 3, p.member);
            raw_step(s->h, s->upd);
        }
        raw_step(s->h, s->commit);
        done += k;
    }
}

static void raw_close(raw_side *s)
{
    sqlite3_finalize(s->ins);
    sqlite3_finalize(s->upd);
    sqlite3_finalize(s->begin);
    sqlite3_finalize(s->commit);
    sqlite3_close(s->h);
    free(s->members);
}

/* ---- measurement ----------------------------------------------------------------------------- */

/* Runs chunks until at least min_n purchases and min_secs have gone; returns purchases/s. */
static double measure(loy_side *ls, raw_side *rs, long min_n, double min_secs, int batch)
{
    long chunk = batch == 1 ? 200 : 2000;
    long n = 0;
    double t0 = now_secs(), el = 0;
    while (n < min_n || el < min_secs) {
        long k = min_n - n > 0 && min_n - n < chunk ? min_n - n : chunk;
        if (ls)
            loy_run(ls, k, batch);
        else
            raw_run(rs, k, batch);
        n += k;
        el = now_secs() - t0;
    }
    return (double)n / el;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void remove_db(const char *path)
{
    char p[4200];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
        unlink(p);
    }
}

int main(int argc, char **argv)
{
    bool quick = false;
    int only = 0; /* 0 = both batch sizes, else just this one (for profiling) */
    const char *base = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = true;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = atoi(argv[++i]);
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: bench_ledger [--quick] [--only 1|100] [dir]\n");
            return 0;
        } else
            base = argv[i];
    }
    if (!base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";

    bench_cfg cfg = {.members = 1000,
                     .reps = REPS_FULL,
                     .min_n = {2000, 20000},
                     .min_secs = 2.0,
                     .warmup = {100, 1000}};
    if (quick) {
        cfg = (bench_cfg){
            .members = 50, .reps = 1, .min_n = {20, 200}, .min_secs = 0, .warmup = {5, 100}};
    }

    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/bench-ledger-XXXXXX", base);
    if (!mkdtemp(dir)) die(dir, strerror(errno));

    const int batches[2] = {1, BATCH_BIG};
    double loy_rate[2], raw_rate[2];
    long counted[2] = {0, 0};
    printf("bench_ledger: %s run, databases in %s, %d members, %d repetition(s), sqlite %s\n",
           quick ? "quick" : "full", dir, cfg.members, cfg.reps, sqlite3_libversion());
    printf("durability: WAL + synchronous=FULL on both sides; each side gets fresh files per "
           "batch size\n\n");
    fflush(stdout);

    for (int b = 0; b < 2; b++) {
        int batch = batches[b];
        if (only && only != batch) {
            loy_rate[b] = raw_rate[b] = 0;
            continue;
        }
        char lpath[4200], rpath[4200];
        snprintf(lpath, sizeof(lpath), "%s/loyalty-b%d.db", dir, batch);
        snprintf(rpath, sizeof(rpath), "%s/baseline-b%d.db", dir, batch);
        loy_side ls;
        raw_side rs;
        memset(&rs, 0, sizeof(rs));
        double t0 = now_secs();
        loy_setup(&ls, lpath, batch == 1 ? "b1" : "b100", cfg.members);
        raw_setup(&rs, rpath, cfg.members);
        double setup = now_secs() - t0;
        loy_run(&ls, cfg.warmup[b], batch);
        raw_run(&rs, cfg.warmup[b], batch);
        double lr[REPS_FULL], rr[REPS_FULL];
        for (int r = 0; r < cfg.reps; r++) { /* alternate so drift hits both sides alike */
            long before = ls.seq;
            lr[r] = measure(&ls, NULL, cfg.min_n[b], cfg.min_secs, batch);
            counted[b] += ls.seq - before;
            rr[r] = measure(NULL, &rs, cfg.min_n[b], cfg.min_secs, batch);
            printf("  batch %3d rep %d: loyalty %9.0f/s  baseline %9.0f/s\n", batch, r + 1, lr[r],
                   rr[r]);
            fflush(stdout);
        }
        loy_rate[b] = median(lr, cfg.reps);
        raw_rate[b] = median(rr, cfg.reps);
        printf("  batch %3d: setup %.2f s, %ld loyalty purchases timed, history at the end %.1f "
               "purchases/member\n",
               batch, setup, counted[b], (double)ls.seq / cfg.members);
        loy_app_close(ls.app);
        free(ls.members);
        raw_close(&rs);
        remove_db(lpath);
        remove_db(rpath);
    }
    rmdir(dir);

    printf("\n| mode                    | loyalty purchases/s | baseline/s | ratio | target | pass "
           "|\n");
    printf("|-------------------------|--------------------:|-----------:|------:|-------:|------"
           "|\n");
    for (int b = 0; b < 2; b++) {
        if (only && only != batches[b]) continue;
        double ratio = raw_rate[b] > 0 ? loy_rate[b] / raw_rate[b] : 0;
        char mode[32];
        snprintf(mode, sizeof(mode), "batch %d (%s)", batches[b],
                 batches[b] == 1 ? "loy_app_write" : "write_batch");
        printf("| %-23s | %19.0f | %10.0f | %5.2f | %6.2f | %-4s |\n", mode, loy_rate[b],
               raw_rate[b], ratio, TARGET, ratio >= TARGET ? "PASS" : "MISS");
    }
    printf("\n(medians of %d; ratio = loyalty / baseline; target ratio >= %.2f)\n", cfg.reps,
           TARGET);
    return 0;
}
