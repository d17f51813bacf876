/* Database access through a driver function table (SQLite now, PostgreSQL later): repositories
 * are written once against these calls. SQL uses `?` placeholders; never SQL built from values. */
#ifndef LOY_STORE_DB_H
#define LOY_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct loy_db loy_db;
typedef struct loy_stmt loy_stmt;

typedef struct {
    bool synchronous_normal; /* SQLite: synchronous=NORMAL (survives process crashes only) */
    int busy_timeout_ms;     /* default 10000 */
    bool readonly;
} loy_db_opts;

typedef struct loy_db_driver {
    const char *name;
    int (*open)(loy_db **out, const char *target, const loy_db_opts *opts, loy_err *err);
    void (*close)(loy_db *db);
    int (*exec)(loy_db *db, const char *sql, loy_err *err); /* several statements, no params */
    int (*begin)(loy_db *db, bool write, loy_err *err);
    int (*commit)(loy_db *db, loy_err *err);
    int (*rollback)(loy_db *db);
    /* Prepared statements are cached per connection by SQL text; borrowed, reset after use. */
    int (*prepare)(loy_db *db, const char *sql, loy_stmt **out, loy_err *err);
    int (*bind_int64)(loy_stmt *st, int idx, int64_t v);
    int (*bind_text)(loy_stmt *st, int idx, const char *v); /* NULL binds NULL; copied */
    int (*bind_null)(loy_stmt *st, int idx);
    /* 1 = a row is ready, 0 = done, < 0 = error (LOY_ECONFLICT on constraint violation) */
    int (*step)(loy_stmt *st, loy_err *err);
    int64_t (*col_int64)(loy_stmt *st, int col);
    const char *(*col_text)(loy_stmt *st, int col); /* NULL for NULL; valid until next step */
    bool (*col_is_null)(loy_stmt *st, int col);
    void (*reset)(loy_stmt *st);
    int (*param_count)(loy_stmt *st);
    int64_t (*changes)(loy_db *db);
    int (*backup)(loy_db *db, const char *dest_path, loy_err *err);
    /* Columns of a result row, for code that reads whole rows generically (the member export):
     * how many, the name of one, and the type of its value in the current row: 'i' integer,
     * 'r' real, 't' text, 'b' blob, 'n' NULL. */
    int (*col_count)(loy_stmt *st);
    const char *(*col_name)(loy_stmt *st, int col);
    char (*col_type)(loy_stmt *st, int col);
} loy_db_driver;

extern const loy_db_driver loy_sqlite_driver;

/* A connection with its driver. */
typedef struct loy_conn {
    const loy_db_driver *drv;
    loy_db *db;
    int depth; /* transaction nesting guard */
} loy_conn;

/* Opens `target` (a file path for SQLite) and applies pending migrations. */
int loy_conn_open(loy_conn *out, const char *target, const loy_db_opts *opts, loy_err *err);
void loy_conn_close(loy_conn *c);

/* Runs one statement with arguments described by `fmt`: 'i' int64_t, 't' const char * (NULL ok),
 * 'n' NULL. For statements that return no rows. Returns 0 or a negative code. */
int loy_db_run(loy_conn *c, loy_err *err, const char *sql, const char *fmt, ...);
/* Prepares and binds like loy_db_run and leaves the statement ready for loy_db_next. */
int loy_db_query(loy_conn *c, loy_stmt **out, loy_err *err, const char *sql, const char *fmt, ...);
/* Steps a query: 1 row, 0 done (statement reset), < 0 error (statement reset). */
int loy_db_next(loy_conn *c, loy_stmt *st, loy_err *err);
/* Resets a query that is abandoned before done. */
void loy_db_done(loy_conn *c, loy_stmt *st);
int64_t loy_db_int(loy_conn *c, loy_stmt *st, int col);
const char *loy_db_text(loy_conn *c, loy_stmt *st, int col);
bool loy_db_null(loy_conn *c, loy_stmt *st, int col);
/* The columns of a query's rows (see loy_db_driver.col_count, col_name, col_type). */
int loy_db_ncols(loy_conn *c, loy_stmt *st);
const char *loy_db_colname(loy_conn *c, loy_stmt *st, int col);
char loy_db_coltype(loy_conn *c, loy_stmt *st, int col);
/* Single int64 result of a query (first column of first row); LOY_ENOTFOUND without rows. */
int loy_db_scalar(loy_conn *c, int64_t *out, loy_err *err, const char *sql, const char *fmt, ...);
int64_t loy_db_changes(loy_conn *c);

int loy_db_begin(loy_conn *c, bool write, loy_err *err);
/* Savepoints inside a transaction: a failed step of a batch undoes only itself. */
int loy_db_savepoint(loy_conn *c, loy_err *err);
int loy_db_release(loy_conn *c, loy_err *err);
void loy_db_rollback_to(loy_conn *c);
int loy_db_commit(loy_conn *c, loy_err *err);
void loy_db_rollback(loy_conn *c);

#endif
