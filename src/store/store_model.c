/* Customer-base model queries: the per-member summary for the model fits (one grouped pass over
 * purchases) and the append-only `models` table. */
#include "store/store_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per purchase (and imported visit of amount 0, which counts as a transaction with no spend):
 * local day d, calibration flag cal, net amount, and f = the member's first calibration day
 * (window function); then one group per member. ?1 offset, ?2 cal_end, ?3 merchant, ?4 from,
 * ?5 to, ?6 member (0 = all). */
static const char sql_summary[] =
    "SELECT member_id, count(DISTINCT CASE WHEN cal = 1 THEN d END) - 1,"
    " min(CASE WHEN cal = 1 THEN d END), max(CASE WHEN cal = 1 THEN d END),"
    " coalesce(sum(CASE WHEN cal = 1 AND d > f THEN net END), 0),"
    " count(DISTINCT CASE WHEN cal = 0 THEN d END)"
    " FROM (SELECT member_id, amount - refunded AS net, (occurred_at + ?1) / 86400 AS d,"
    "  CASE WHEN occurred_at < ?2 THEN 1 ELSE 0 END AS cal,"
    "  min(CASE WHEN occurred_at < ?2 THEN (occurred_at + ?1) / 86400 END)"
    "   OVER (PARTITION BY member_id) AS f"
    "  FROM (SELECT member_id, amount, refunded, occurred_at FROM purchases"
    "   WHERE merchant_id = ?3 AND occurred_at >= ?4 AND occurred_at < ?5 AND refunded < amount"
    "   AND (?6 = 0 OR member_id = ?6)"
    "   UNION ALL SELECT member_id, 0, 0, occurred_at FROM import_visits"
    "   WHERE merchant_id = ?3 AND occurred_at >= ?4 AND occurred_at < ?5"
    "   AND (?6 = 0 OR member_id = ?6))) AS p"
    " GROUP BY member_id HAVING count(DISTINCT CASE WHEN cal = 1 THEN d END) > 0"
    " ORDER BY member_id";

static const char sql_insert[] =
    "INSERT INTO models(merchant_id, kind, params, ll, n, data_from, data_to, fitted_at,"
    " fitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

#define MODEL_COLS                                                                                 \
    "SELECT id, merchant_id, kind, params, CAST(ll AS TEXT), n, data_from, data_to, fitted_at,"    \
    " fitted_by FROM models"

static const char sql_latest_any[] = MODEL_COLS " WHERE merchant_id = ? ORDER BY id DESC LIMIT 1";
static const char sql_latest_kind[] =
    MODEL_COLS " WHERE merchant_id = ? AND kind = ? ORDER BY id DESC LIMIT 1";
static const char sql_get[] = MODEL_COLS " WHERE merchant_id = ? AND id = ?";
static const char sql_count[] = "SELECT count(*) FROM models WHERE merchant_id = ?";

int loy_store_model_summary(loy_conn *c, const loy_model_scope *s, loy_model_summary **out,
                            size_t *n, loy_err *err)
{
    *out = NULL;
    *n = 0;
    int64_t off = s->offset;
    /* the last local day inside the calibration window */
    int64_t end_day = (s->cal_end - 1 + off) / 86400;
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, sql_summary, "iiiiii", off, s->cal_end, s->merchant, s->from,
                          s->to, s->member);
    loy_model_summary *arr = NULL;
    size_t cap = 0, cnt = 0;
    while (!rc && (rc = loy_db_next(c, st, err)) == 1) {
        rc = 0;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            loy_model_summary *na = realloc(arr, ncap * sizeof(*na));
            if (!na) {
                loy_db_done(c, st);
                rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
                break;
            }
            arr = na;
            cap = ncap;
        }
        loy_model_summary *m = &arr[cnt++];
        m->member = loy_db_int(c, st, 0);
        m->x = loy_db_int(c, st, 1);
        m->first_day = loy_db_int(c, st, 2);
        m->last_day = loy_db_int(c, st, 3);
        m->repeat_spend = loy_db_int(c, st, 4);
        m->holdout_x = loy_db_int(c, st, 5);
        m->t_x = (double)(m->last_day - m->first_day) / 7.0;
        m->T = (double)(end_day - m->first_day) / 7.0;
        if (m->T < m->t_x) m->T = m->t_x; /* a purchase in the last partial second of the day */
        m->mean_spend = m->x > 0 ? (double)m->repeat_spend / (double)m->x : 0.0;
    }
    if (rc) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return 0;
}

void loy_model_row_free(loy_model_row *row)
{
    if (!row) return;
    free(row->params);
    memset(row, 0, sizeof(*row));
}

int loy_store_model_insert(loy_conn *c, const loy_model_row *row, int64_t *id, loy_err *err)
{
    char ll[40];
    snprintf(ll, sizeof(ll), "%.17g", row->ll);
    return loy_db_scalar(c, id, err, sql_insert,
                         "ittti"
                         "iiit",
                         row->merchant, row->kind, row->params, ll, row->n, row->data_from,
                         row->data_to, row->fitted_at, row->fitted_by);
}

static int read_one(loy_conn *c, loy_stmt *st, loy_model_row *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0)
        return loy_err_set(err, LOY_ENOTFOUND, "model", "no fitted model: run `loyalty model fit`");
    out->id = loy_db_int(c, st, 0);
    out->merchant = loy_db_int(c, st, 1);
    const char *k = loy_db_text(c, st, 2);
    snprintf(out->kind, sizeof(out->kind), "%s", k ? k : "");
    const char *p = loy_db_text(c, st, 3);
    out->params = strdup(p ? p : "{}");
    const char *ll = loy_db_text(c, st, 4);
    out->ll = ll ? strtod(ll, NULL) : 0.0;
    out->n = loy_db_int(c, st, 5);
    out->data_from = loy_db_int(c, st, 6);
    out->data_to = loy_db_int(c, st, 7);
    out->fitted_at = loy_db_int(c, st, 8);
    const char *by = loy_db_text(c, st, 9);
    snprintf(out->fitted_by, sizeof(out->fitted_by), "%s", by ? by : "");
    loy_db_done(c, st);
    if (!out->params) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    return 0;
}

int loy_store_model_latest(loy_conn *c, int64_t merchant, const char *kind, loy_model_row *out,
                           loy_err *err)
{
    loy_stmt *st;
    int rc = kind ? loy_db_query(c, &st, err, sql_latest_kind, "it", merchant, kind)
                  : loy_db_query(c, &st, err, sql_latest_any, "i", merchant);
    return rc ? rc : read_one(c, st, out, err);
}

int loy_store_model_get(loy_conn *c, int64_t merchant, int64_t id, loy_model_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, sql_get, "ii", merchant, id);
    return rc ? rc : read_one(c, st, out, err);
}

int loy_store_model_count(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err, sql_count, "i", merchant);
}
