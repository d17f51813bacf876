/* Repositories of CSV imports and the calibration summary of purchase histories. */
#include "store/store_import.h"

#include <math.h>
#include <stddef.h>

int loy_store_import_member_get(loy_conn *c, int64_t merchant, const char *external_id,
                                int64_t *member_out, loy_err *err)
{
    return loy_db_scalar(c, member_out, err,
                         "SELECT member_id FROM import_members WHERE merchant_id = ? AND "
                         "external_id = ?",
                         "it", merchant, external_id);
}

int loy_store_import_member_put(loy_conn *c, int64_t merchant, const char *external_id,
                                int64_t member, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO import_members(merchant_id, external_id, member_id) VALUES "
                      "(?, ?, ?) ON CONFLICT DO NOTHING",
                      "iti", merchant, external_id, member);
}

int loy_store_import_row_seen(loy_conn *c, int64_t merchant, const char *row_key, bool *seen,
                              loy_err *err)
{
    int64_t n = 0;
    int rc = loy_db_scalar(c, &n, err,
                           "SELECT count(*) FROM import_rows WHERE merchant_id = ? AND row_key = ?",
                           "it", merchant, row_key);
    *seen = !rc && n > 0;
    return rc;
}

int loy_store_import_row_put(loy_conn *c, int64_t merchant, const char *row_key, const char *kind,
                             int64_t target, int64_t now, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO import_rows(merchant_id, row_key, kind, target_id, imported_at) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      "ittii", merchant, row_key, kind, target, now);
}

int loy_store_import_visit_add(loy_conn *c, int64_t merchant, int64_t member, int64_t occurred_at,
                               const char *reference, int64_t now, int64_t *id_out, loy_err *err)
{
    return loy_db_scalar(c, id_out, err,
                         "INSERT INTO import_visits(merchant_id, member_id, occurred_at, "
                         "reference, recorded_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                         "iiiti", merchant, member, occurred_at, reference, now);
}

typedef struct {
    int64_t member, first, last, day; /* days; day = the open (not yet counted) purchase day */
    int64_t days, repeat_spend, day_spend;
    bool excluded; /* first purchase before the calibration period */
} acc;

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

static void flush_day(acc *a)
{
    if (a->days > 1) a->repeat_spend += a->day_spend;
    a->day_spend = 0;
}

static void emit(acc *a, int64_t cal_end, void (*fn)(void *, const loy_rfm_row *), void *ctx)
{
    if (!a->member || a->excluded) return;
    flush_day(a);
    loy_rfm_row r = {.member_id = a->member, .x = a->days - 1};
    r.t_x = round2((double)(a->last - a->first) / 7.0);
    r.T = round2((double)(cal_end - a->first) / 7.0);
    r.zbar = r.x > 0 ? (double)a->repeat_spend / (double)r.x : 0.0;
    fn(ctx, &r);
}

int loy_store_rfm_summary(loy_conn *c, int64_t merchant, int64_t cal_start, int64_t cal_end,
                          const loy_tz *tz, void (*fn)(void *ctx, const loy_rfm_row *r), void *ctx,
                          loy_err *err)
{
    loy_stmt *st = NULL;
    /* one day of slack on either side for the zone; the exact local day is computed below */
    int rc = loy_db_query(c, &st, err,
                          "SELECT member_id, occurred_at, amount FROM purchases WHERE merchant_id "
                          "= ? AND occurred_at < ? UNION ALL SELECT member_id, occurred_at, 0 "
                          "FROM import_visits WHERE merchant_id = ? AND occurred_at < ? "
                          "ORDER BY 1, 2",
                          "iiii", merchant, (cal_end + 2) * 86400, merchant, (cal_end + 2) * 86400);
    if (rc) return rc;
    acc a = {0};
    while ((rc = loy_db_next(c, st, err)) == 1) {
        int64_t member = loy_db_int(c, st, 0), at = loy_db_int(c, st, 1);
        int64_t amount = loy_db_int(c, st, 2);
        int64_t day = loy_day_of(tz ? loy_tz_local(tz, at) : at);
        if (day > cal_end) continue;
        if (member != a.member) {
            emit(&a, cal_end, fn, ctx);
            a = (acc){.member = member, .first = day, .last = day, .day = day, .days = 1};
            a.excluded = day < cal_start;
        } else if (day != a.day) {
            flush_day(&a);
            a.days++;
            a.day = a.last = day;
        }
        a.day_spend += amount;
    }
    if (rc == 0) emit(&a, cal_end, fn, ctx);
    return rc < 0 ? rc : 0;
}
