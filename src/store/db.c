/* Connection helpers over the driver table: argument binding, single-value queries, migrations. */
#include "store/db.h"

#include <stdarg.h>
#include <string.h>

#include "util/time.h"

extern const struct {
    const char *name;
    const char *sql;
} loy_sqlite_migrations[];

static int bind_va(loy_conn *c, loy_stmt *st, const char *fmt, va_list ap)
{
    int rc = 0;
    for (int i = 0; fmt && fmt[i] && !rc; i++) {
        switch (fmt[i]) {
        case 'i':
            rc = c->drv->bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 't':
            rc = c->drv->bind_text(st, i + 1, va_arg(ap, const char *));
            break;
        case 'n':
            rc = c->drv->bind_null(st, i + 1);
            break;
        default:
            rc = LOY_EINVALID;
        }
    }
    return rc;
}

static int prep_va(loy_conn *c, loy_stmt **out, loy_err *err, const char *sql, const char *fmt,
                   va_list ap)
{
    int rc = c->drv->prepare(c->db, sql, out, err);
    if (rc) return rc;
    if (c->drv->param_count(*out) != (int)strlen(fmt ? fmt : ""))
        return loy_err_set(err, LOY_ESTORAGE, "",
                           "database: %d arguments for %d parameters in %.60s",
                           (int)strlen(fmt ? fmt : ""), c->drv->param_count(*out), sql);
    rc = bind_va(c, *out, fmt, ap);
    if (rc) {
        c->drv->reset(*out);
        return loy_err_set(err, LOY_ESTORAGE, "", "database: cannot bind arguments");
    }
    return 0;
}

int loy_db_run(loy_conn *c, loy_err *err, const char *sql, const char *fmt, ...)
{
    loy_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = prep_va(c, &st, err, sql, fmt, ap);
    va_end(ap);
    if (rc) return rc;
    do rc = c->drv->step(st, err);
    while (rc == 1);
    c->drv->reset(st);
    return rc;
}

int loy_db_query(loy_conn *c, loy_stmt **out, loy_err *err, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = prep_va(c, out, err, sql, fmt, ap);
    va_end(ap);
    return rc;
}

int loy_db_next(loy_conn *c, loy_stmt *st, loy_err *err)
{
    int rc = c->drv->step(st, err);
    if (rc != 1) c->drv->reset(st);
    return rc;
}

void loy_db_done(loy_conn *c, loy_stmt *st)
{
    c->drv->reset(st);
}

int64_t loy_db_int(loy_conn *c, loy_stmt *st, int col)
{
    return c->drv->col_int64(st, col);
}

const char *loy_db_text(loy_conn *c, loy_stmt *st, int col)
{
    return c->drv->col_text(st, col);
}

bool loy_db_null(loy_conn *c, loy_stmt *st, int col)
{
    return c->drv->col_is_null(st, col);
}

int loy_db_ncols(loy_conn *c, loy_stmt *st)
{
    return c->drv->col_count(st);
}

const char *loy_db_colname(loy_conn *c, loy_stmt *st, int col)
{
    return c->drv->col_name(st, col);
}

char loy_db_coltype(loy_conn *c, loy_stmt *st, int col)
{
    return c->drv->col_type(st, col);
}

int loy_db_scalar(loy_conn *c, int64_t *out, loy_err *err, const char *sql, const char *fmt, ...)
{
    loy_stmt *st;
    va_list ap;
    va_start(ap, fmt);
    int rc = prep_va(c, &st, err, sql, fmt, ap);
    va_end(ap);
    if (rc) return rc;
    rc = c->drv->step(st, err);
    if (rc == 1) {
        *out = c->drv->col_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = LOY_ENOTFOUND;
        loy_err_set(err, rc, "", "not found");
    }
    c->drv->reset(st);
    return rc;
}

int64_t loy_db_changes(loy_conn *c)
{
    return c->drv->changes(c->db);
}

int loy_db_begin(loy_conn *c, bool write, loy_err *err)
{
    int rc = c->drv->begin(c->db, write, err);
    if (!rc) c->depth++;
    return rc;
}

int loy_db_commit(loy_conn *c, loy_err *err)
{
    int rc = c->drv->commit(c->db, err);
    if (!rc) c->depth--;
    return rc;
}

int loy_db_savepoint(loy_conn *c, loy_err *err)
{
    return loy_db_run(c, err, "SAVEPOINT loy_step", "");
}

int loy_db_release(loy_conn *c, loy_err *err)
{
    return loy_db_run(c, err, "RELEASE loy_step", "");
}

void loy_db_rollback_to(loy_conn *c)
{
    loy_db_run(c, NULL, "ROLLBACK TO loy_step", "");
    loy_db_run(c, NULL, "RELEASE loy_step", "");
}

void loy_db_rollback(loy_conn *c)
{
    if (c->depth > 0) {
        c->drv->rollback(c->db);
        c->depth--;
    }
}

static int migrate(loy_conn *c, loy_err *err)
{
    int rc = c->drv->exec(c->db,
                          "CREATE TABLE IF NOT EXISTS schema_migrations("
                          "name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
                          err);
    if (rc) return rc;
    for (int i = 0; loy_sqlite_migrations[i].name; i++) {
        if ((rc = loy_db_begin(c, true, err))) return rc;
        int64_t n = 0;
        rc = loy_db_scalar(c, &n, err, "SELECT count(*) FROM schema_migrations WHERE name = ?", "t",
                           loy_sqlite_migrations[i].name);
        if (!rc && n == 0) {
            rc = c->drv->exec(c->db, loy_sqlite_migrations[i].sql, err);
            if (!rc)
                rc = loy_db_run(c, err,
                                "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                                "ti", loy_sqlite_migrations[i].name, loy_time_now());
        }
        if (rc) {
            loy_db_rollback(c);
            return rc;
        }
        if ((rc = loy_db_commit(c, err))) {
            loy_db_rollback(c);
            return rc;
        }
    }
    return 0;
}

int loy_conn_open(loy_conn *out, const char *target, const loy_db_opts *opts, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    out->drv = &loy_sqlite_driver;
    int rc = out->drv->open(&out->db, target, opts, err);
    if (rc) return rc;
    if (!(opts && opts->readonly) && (rc = migrate(out, err))) {
        loy_conn_close(out);
        return rc;
    }
    return 0;
}

void loy_conn_close(loy_conn *c)
{
    if (c && c->db) {
        c->drv->close(c->db);
        c->db = NULL;
    }
}
