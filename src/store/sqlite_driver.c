/* SQLite driver: WAL, synchronous=FULL by default, BEGIN IMMEDIATE for writes, a statement cache.
 */
#include "store/db.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_MAX 96

struct loy_stmt {
    sqlite3_stmt *st;
    const char *sql; /* key: the caller's SQL text (static strings) */
};

struct loy_db {
    sqlite3 *h;
    struct loy_stmt cache[CACHE_MAX];
    int ncache;
};

static int map_rc(sqlite3 *h, int rc, loy_err *err)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = LOY_EBUSY;
        break;
    case SQLITE_CONSTRAINT:
        code = LOY_ECONFLICT;
        break;
    case SQLITE_NOMEM:
        code = LOY_ENOMEM;
        break;
    default:
        code = LOY_ESTORAGE;
    }
    return loy_err_set(err, code, "", "database: %s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
}

static int s_open(loy_db **out, const char *target, const loy_db_opts *opts, loy_err *err)
{
    loy_db *db = calloc(1, sizeof(*db));
    if (!db) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int flags =
        SQLITE_OPEN_NOMUTEX | (opts && opts->readonly ? SQLITE_OPEN_READONLY
                                                      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(target, &db->h, flags, NULL);
    if (rc != SQLITE_OK) {
        loy_err_set(err, LOY_ESTORAGE, "db", "cannot open database %s: %s", target,
                    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        sqlite3_close(db->h);
        free(db);
        return LOY_ESTORAGE;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, opts && opts->busy_timeout_ms ? opts->busy_timeout_ms : 10000);
    /* secure_delete=FAST: bytes freed inside a page (an updated or deleted row) are zeroed at no
     * extra I/O, so old copies of personal data do not linger in the file's free space; the
     * member erase turns it fully on (freed pages zeroed too), see store_privacy.c */
    const char *pragmas = opts && opts->synchronous_normal
                              ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;"
                                "PRAGMA secure_delete=FAST;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;"
                                "PRAGMA secure_delete=FAST;";
    if (!(opts && opts->readonly)) {
        char *msg = NULL;
        rc = sqlite3_exec(db->h, pragmas, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            loy_err_set(err, rc == SQLITE_BUSY ? LOY_EBUSY : LOY_ESTORAGE, "db",
                        "cannot use database %s: %s", target, msg ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            sqlite3_close(db->h);
            free(db);
            return err ? err->code : LOY_ESTORAGE;
        }
    }
    *out = db;
    return 0;
}

static void s_close(loy_db *db)
{
    if (!db) return;
    for (int i = 0; i < db->ncache; i++) sqlite3_finalize(db->cache[i].st);
    sqlite3_close(db->h);
    free(db);
}

static int s_exec(loy_db *db, const char *sql, loy_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int code = map_rc(db->h, rc, err);
        if (msg) loy_err_set(err, code, "", "database: %s", msg);
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static int s_prepare(loy_db *db, const char *sql, loy_stmt **out, loy_err *err);
static int s_step(loy_stmt *st, loy_err *err);
static void s_reset(loy_stmt *st);

/* Transaction control through cached prepared statements (sqlite3_exec parses every time). */
static int run_cached(loy_db *db, const char *sql, loy_err *err)
{
    loy_stmt *st;
    int rc = s_prepare(db, sql, &st, err);
    if (rc) return rc;
    rc = s_step(st, err);
    s_reset(st);
    return rc;
}

static const char begin_immediate[] = "BEGIN IMMEDIATE", begin_deferred[] = "BEGIN",
                  commit_sql[] = "COMMIT";

static int s_begin(loy_db *db, bool write, loy_err *err)
{
    return run_cached(db, write ? begin_immediate : begin_deferred, err);
}

static int s_commit(loy_db *db, loy_err *err)
{
    return run_cached(db, commit_sql, err);
}

static int s_rollback(loy_db *db)
{
    static const char rollback_sql[] = "ROLLBACK";
    if (sqlite3_get_autocommit(db->h)) return 0;
    return run_cached(db, rollback_sql, NULL) == 0 ? 0 : LOY_ESTORAGE;
}

static int s_prepare(loy_db *db, const char *sql, loy_stmt **out, loy_err *err)
{
    for (int i = 0; i < db->ncache; i++)
        if (db->cache[i].sql == sql) {
            *out = &db->cache[i];
            return 0;
        }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) return map_rc(db->h, rc, err);
    if (db->ncache == CACHE_MAX) { /* evict the oldest */
        sqlite3_finalize(db->cache[0].st);
        memmove(&db->cache[0], &db->cache[1], sizeof(db->cache[0]) * (CACHE_MAX - 1));
        db->ncache--;
        /* pointers handed out earlier are only used until the next prepare */
    }
    db->cache[db->ncache].st = st;
    db->cache[db->ncache].sql = sql;
    *out = &db->cache[db->ncache++];
    return 0;
}

static int s_bind_int64(loy_stmt *st, int idx, int64_t v)
{
    return sqlite3_bind_int64(st->st, idx, v) == SQLITE_OK ? 0 : LOY_ESTORAGE;
}

static int s_bind_text(loy_stmt *st, int idx, const char *v)
{
    int rc = v ? sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT)
               : sqlite3_bind_null(st->st, idx);
    return rc == SQLITE_OK ? 0 : LOY_ESTORAGE;
}

static int s_bind_null(loy_stmt *st, int idx)
{
    return sqlite3_bind_null(st->st, idx) == SQLITE_OK ? 0 : LOY_ESTORAGE;
}

static int s_step(loy_stmt *st, loy_err *err)
{
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    return map_rc(sqlite3_db_handle(st->st), rc, err);
}

static int64_t s_col_int64(loy_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

static const char *s_col_text(loy_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->st, col);
}

static bool s_col_is_null(loy_stmt *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

static int s_col_count(loy_stmt *st)
{
    return sqlite3_column_count(st->st);
}

static const char *s_col_name(loy_stmt *st, int col)
{
    return sqlite3_column_name(st->st, col);
}

static char s_col_type(loy_stmt *st, int col)
{
    switch (sqlite3_column_type(st->st, col)) {
    case SQLITE_INTEGER:
        return 'i';
    case SQLITE_FLOAT:
        return 'r';
    case SQLITE_TEXT:
        return 't';
    case SQLITE_BLOB:
        return 'b';
    default:
        return 'n';
    }
}

static void s_reset(loy_stmt *st)
{
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

static int s_param_count(loy_stmt *st)
{
    return sqlite3_bind_parameter_count(st->st);
}

static int64_t s_changes(loy_db *db)
{
    return sqlite3_changes64(db->h);
}

static int s_backup(loy_db *db, const char *dest_path, loy_err *err)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open(dest_path, &dst);
    if (rc != SQLITE_OK) {
        loy_err_set(err, LOY_ESTORAGE, "to", "cannot open %s: %s", dest_path,
                    dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        sqlite3_close(dst);
        return LOY_ESTORAGE;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", db->h, "main");
    if (!b) {
        loy_err_set(err, LOY_ESTORAGE, "to", "backup failed: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return LOY_ESTORAGE;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    int ret = 0;
    if (rc != SQLITE_DONE)
        ret = loy_err_set(err, LOY_ESTORAGE, "to", "backup failed: %s", sqlite3_errstr(rc));
    sqlite3_close(dst);
    return ret;
}

const loy_db_driver loy_sqlite_driver = {
    .name = "sqlite",
    .open = s_open,
    .close = s_close,
    .exec = s_exec,
    .begin = s_begin,
    .commit = s_commit,
    .rollback = s_rollback,
    .prepare = s_prepare,
    .bind_int64 = s_bind_int64,
    .bind_text = s_bind_text,
    .bind_null = s_bind_null,
    .step = s_step,
    .col_int64 = s_col_int64,
    .col_text = s_col_text,
    .col_is_null = s_col_is_null,
    .reset = s_reset,
    .changes = s_changes,
    .param_count = s_param_count,
    .backup = s_backup,
    .col_count = s_col_count,
    .col_name = s_col_name,
    .col_type = s_col_type,
};
