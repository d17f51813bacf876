/* Report queries (SQLite dialect; the same SQL runs on PostgreSQL with $N placeholders). Every
 * statement is scoped by merchant and reads its table once. */
#include "store/store_report.h"

#include <stdlib.h>

/* A purchase that counts: in the period, not wholly refunded, at the location if one is given.
 * ?1 merchant, ?2 from, ?3 to, ?4 location. */
#define COUNTED                                                                                    \
    "merchant_id = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 AND refunded < amount AND "       \
    "(?4 IS NULL OR location_code = ?4)"

static const char sql_member_joins[] =
    "SELECT joined_at FROM members WHERE merchant_id = ?1 AND joined_at < ?2 "
    "AND (?3 IS NULL OR location_code = ?3)";

/* Aggregated here rather than by GROUP BY: streaming the covering index is about a third
 * cheaper per row than SQLite's aggregate loop. */
static const char sql_members[] = "SELECT member_id, occurred_at, amount - refunded FROM purchases "
                                  "WHERE " COUNTED " ORDER BY member_id, occurred_at";

static const char sql_purchases[] =
    "SELECT member_id, occurred_at, amount - refunded, location_code FROM purchases WHERE " COUNTED
    " ORDER BY member_id, occurred_at";
static const char sql_purchase_times[] = "SELECT member_id, occurred_at, 0, NULL FROM purchases "
                                         "WHERE " COUNTED " ORDER BY member_id, occurred_at";

static const char sql_cohorts[] =
    "SELECT m.id, m.joined_at, p.occurred_at FROM members m "
    "LEFT JOIN purchases p ON p.member_id = m.id AND p.occurred_at < ?3 AND p.refunded < p.amount "
    "WHERE m.merchant_id = ?1 AND m.joined_at >= ?2 AND m.joined_at < ?3 "
    "AND (?4 IS NULL OR m.location_code = ?4) ORDER BY m.id, p.occurred_at";

/* Own revenue, referee revenue (through the referee's referred_by), referral counts and awarded
 * referrals (before `to`), added up per member in one grouped pass over the row sources. */
static const char sql_advocacy[] =
    "SELECT id, sum(own), sum(nref), sum(rref), sum(nawd) FROM ("
    " SELECT member_id AS id, amount - refunded AS own, 0 AS nref, 0 AS rref, 0 AS nawd"
    "  FROM purchases WHERE " COUNTED " UNION ALL"
    " SELECT m.referred_by, 0, 0, p.amount - p.refunded, 0 FROM purchases p"
    "  JOIN members m ON m.id = p.member_id WHERE p.merchant_id = ?1 AND p.occurred_at >= ?2"
    "  AND p.occurred_at < ?3 AND p.refunded < p.amount"
    "  AND (?4 IS NULL OR p.location_code = ?4) AND m.referred_by IS NOT NULL"
    " UNION ALL"
    " SELECT referred_by, 0, 1, 0, 0 FROM members WHERE merchant_id = ?1"
    "  AND referred_by IS NOT NULL AND joined_at < ?3"
    " UNION ALL"
    " SELECT referrer_id, 0, 0, 0, 1 FROM referrals WHERE merchant_id = ?1 AND status = 'awarded'"
    "  AND awarded_at < ?3"
    ") GROUP BY id HAVING sum(own) > 0 OR sum(nref) > 0 ORDER BY id";

static const char sql_ledger[] =
    "SELECT account, kind, coalesce(sum(CASE WHEN created_at >= ?2 THEN amount END), 0), "
    "sum(amount) FROM ledger WHERE merchant_id = ?1 AND created_at < ?3 GROUP BY account, kind "
    "ORDER BY account, kind";

static const char sql_giving[] = "SELECT created_at, amount FROM ledger WHERE merchant_id = ?1 "
                                 "AND account = 'giving' AND created_at < ?2";

static const char sql_vouchers[] =
    "SELECT count(CASE WHEN issued_at >= ?2 AND issued_at < ?3 THEN 1 END), "
    "count(CASE WHEN used_at >= ?2 AND used_at < ?3 THEN 1 END), "
    "count(CASE WHEN issued_at < ?3 AND (used_at IS NULL OR used_at >= ?3) "
    "AND (expires_at = 0 OR expires_at > ?3) THEN 1 END) FROM vouchers WHERE merchant_id = ?1";

/* Binds the four scope parameters. */
static int scoped(loy_conn *c, loy_stmt **st, loy_err *err, const char *sql,
                  const loy_report_scope *s)
{
    return s->location
               ? loy_db_query(c, st, err, sql, "iiit", s->merchant, s->from, s->to, s->location)
               : loy_db_query(c, st, err, sql, "iiin", s->merchant, s->from, s->to);
}

int loy_store_report_joins(loy_conn *c, const loy_report_scope *s, loy_report_join_fn fn, void *ctx,
                           loy_err *err)
{
    loy_stmt *st;
    int rc = s->location ? loy_db_query(c, &st, err, sql_member_joins, "iit", s->merchant, s->to,
                                        s->location)
                         : loy_db_query(c, &st, err, sql_member_joins, "iin", s->merchant, s->to);
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        fn(ctx, loy_db_int(c, st, 0));
        rc = 0;
    }
    return rc;
}

/* Appends to a growable array of `size`-byte elements; false when out of memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return true;
    size_t ncap = *cap ? *cap * 2 : 256;
    void *p = realloc(*arr, ncap * size);
    if (!p) return false;
    *arr = p;
    *cap = ncap;
    return true;
}

/* Steps a scoped query to its end, appending one element of `size` bytes per row, filled by
 * `fill`. *out is malloc'ed (NULL when no row). */
static int collect(loy_conn *c, loy_stmt *st, size_t size,
                   void (*fill)(loy_conn *c, loy_stmt *st, void *elem), void **out, size_t *n,
                   loy_err *err)
{
    char *arr = NULL;
    size_t cap = 0, cnt = 0;
    int rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        if (!grow((void **)&arr, &cap, cnt, size)) {
            loy_db_done(c, st);
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            break;
        }
        fill(c, st, arr + cnt++ * size);
    }
    if (rc) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return 0;
}

int loy_store_report_members(loy_conn *c, const loy_report_scope *s, loy_report_member **out,
                             size_t *n, loy_err *err)
{
    loy_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = scoped(c, &st, err, sql_members, s);
    loy_report_member *arr = NULL;
    size_t cap = 0, cnt = 0;
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        rc = 0;
        int64_t member = loy_db_int(c, st, 0), at = loy_db_int(c, st, 1);
        int64_t net = loy_db_int(c, st, 2);
        if (!cnt || arr[cnt - 1].member != member) {
            if (!grow((void **)&arr, &cap, cnt, sizeof(*arr))) {
                loy_db_done(c, st);
                rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
                break;
            }
            arr[cnt++] = (loy_report_member){member, 0, 0, at};
        }
        loy_report_member *m = &arr[cnt - 1];
        m->purchases++;
        m->revenue += net;
        m->last_at = at; /* rows in time order */
    }
    if (rc) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return 0;
}

int loy_store_report_purchases(loy_conn *c, const loy_report_scope *s, bool times_only,
                               loy_report_purchase_fn fn, void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = scoped(c, &st, err, times_only ? sql_purchase_times : sql_purchases, s);
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        loy_report_purchase p = {loy_db_int(c, st, 0), loy_db_int(c, st, 1), loy_db_int(c, st, 2),
                                 loy_db_null(c, st, 3) ? NULL : loy_db_text(c, st, 3)};
        fn(ctx, &p);
        rc = 0;
    }
    return rc;
}

int loy_store_report_cohort_rows(loy_conn *c, const loy_report_scope *s, loy_report_cohort_fn fn,
                                 void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = scoped(c, &st, err, sql_cohorts, s);
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        bool has = !loy_db_null(c, st, 2);
        fn(ctx, loy_db_int(c, st, 0), loy_db_int(c, st, 1), has, has ? loy_db_int(c, st, 2) : 0);
        rc = 0;
    }
    return rc;
}

static void fill_advocate(loy_conn *c, loy_stmt *st, void *elem)
{
    *(loy_report_advocate *)elem =
        (loy_report_advocate){loy_db_int(c, st, 0), loy_db_int(c, st, 1), loy_db_int(c, st, 2),
                              loy_db_int(c, st, 3), loy_db_int(c, st, 4)};
}

int loy_store_report_advocacy(loy_conn *c, const loy_report_scope *s, loy_report_advocate **out,
                              size_t *n, loy_err *err)
{
    loy_stmt *st;
    int rc = scoped(c, &st, err, sql_advocacy, s);
    return rc ? rc : collect(c, st, sizeof(**out), fill_advocate, (void **)out, n, err);
}

int loy_store_report_ledger(loy_conn *c, const loy_report_scope *s, loy_report_ledger_fn fn,
                            void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, sql_ledger, "iii", s->merchant, s->from, s->to);
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        fn(ctx, loy_db_text(c, st, 0), loy_db_text(c, st, 1), loy_db_int(c, st, 2),
           loy_db_int(c, st, 3));
        rc = 0;
    }
    return rc;
}

int loy_store_report_vouchers(loy_conn *c, const loy_report_scope *s, loy_report_vouchers *out,
                              loy_err *err)
{
    loy_stmt *st;
    *out = (loy_report_vouchers){0};
    int rc = loy_db_query(c, &st, err, sql_vouchers, "iii", s->merchant, s->from, s->to);
    if (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        out->issued = loy_db_int(c, st, 0);
        out->used = loy_db_int(c, st, 1);
        out->open = loy_db_int(c, st, 2);
        loy_db_done(c, st);
        rc = 0;
    }
    return rc;
}

int loy_store_report_giving(loy_conn *c, const loy_report_scope *s, loy_report_giving_fn fn,
                            void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, sql_giving, "ii", s->merchant, s->to);
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        fn(ctx, loy_db_int(c, st, 0), loy_db_int(c, st, 1));
        rc = 0;
    }
    return rc;
}
