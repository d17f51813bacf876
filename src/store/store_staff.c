/* Staff fraud controls: counts, staff users' member cards, flags (see store_staff.h). */
#include "store/store_staff.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int loy_store_staff_actor(loy_conn *c, int64_t merchant, const char *actor, bool *staff,
                          char role[16], int64_t *user_id, loy_err *err)
{
    *staff = false;
    role[0] = '\0';
    *user_id = 0;
    const char *sql;
    if (!strncmp(actor, "user:", 5))
        sql = "SELECT role, id FROM users WHERE merchant_id = ? AND username = ?";
    else if (!strncmp(actor, "key:", 4))
        sql = "SELECT role, 0 FROM api_keys WHERE merchant_id = ? AND prefix = ? ORDER BY id DESC";
    else
        return 0;
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, sql, "it", merchant, strchr(actor, ':') + 1);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        *staff = true;
        copy(role, 16, loy_db_text(c, st, 0));
        *user_id = loy_db_int(c, st, 1);
        loy_db_done(c, st);
        return 0;
    }
    return rc;
}

int loy_store_staff_member_get(loy_conn *c, int64_t merchant, int64_t user_id, int64_t *member,
                               loy_err *err)
{
    *member = 0;
    int rc = loy_db_scalar(c, member, err,
                           "SELECT member_id FROM staff_members WHERE merchant_id = ? AND "
                           "user_id = ?",
                           "ii", merchant, user_id);
    if (rc == LOY_ENOTFOUND) {
        loy_err_clear(err);
        *member = 0;
        return 0;
    }
    return rc;
}

int loy_store_staff_member_set(loy_conn *c, int64_t merchant, int64_t user_id, int64_t member,
                               loy_err *err)
{
    int rc = loy_db_run(c, err, "DELETE FROM staff_members WHERE merchant_id = ? AND user_id = ?",
                        "ii", merchant, user_id);
    if (rc || !member) return rc;
    return loy_db_run(c, err,
                      "INSERT INTO staff_members(user_id, merchant_id, member_id) VALUES (?,?,?)",
                      "iii", user_id, merchant, member);
}

int loy_store_staff_adjust_count(loy_conn *c, int64_t merchant, const char *actor, int64_t from,
                                 int64_t to, int64_t *count, int64_t *sum, loy_err *err)
{
    *count = *sum = 0;
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT count(*), coalesce(sum(amount), 0) FROM ledger WHERE "
                          "merchant_id = ? AND actor = ? AND created_at >= ? AND created_at < ? "
                          "AND kind = 'adjust' AND amount > 0",
                          "itii", merchant, actor, from, to);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        *count = loy_db_int(c, st, 0);
        *sum = loy_db_int(c, st, 1);
        loy_db_done(c, st);
        return 0;
    }
    return rc;
}

int loy_store_staff_purchase_count(loy_conn *c, int64_t merchant, int64_t member, const char *actor,
                                   int64_t since, int64_t *count, loy_err *err)
{
    return loy_db_scalar(c, count, err,
                         "SELECT count(*) FROM purchases WHERE merchant_id = ? AND member_id = ? "
                         "AND actor = ? AND recorded_at >= ?",
                         "iiti", merchant, member, actor, since);
}

int loy_store_staff_flag_insert(loy_conn *c, loy_staff_flag_row *r, loy_err *err)
{
    return loy_db_scalar(c, &r->id, err,
                         "INSERT INTO staff_flags(merchant_id, actor, rule, action, member_id, op, "
                         "ref_id, detail, status, created_at) VALUES (?,?,?,?,?,?,?,?,'open',?) "
                         "RETURNING id",
                         "itttititi", r->merchant_id, r->actor, r->rule, r->action, r->member_id,
                         r->op, r->ref_id, r->detail, r->created_at);
}

int loy_store_staff_flag_list(loy_conn *c, int64_t merchant, const char *status, int64_t before,
                              int limit, void (*fn)(void *ctx, const loy_staff_flag_row *r),
                              void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, merchant_id, actor, rule, action, member_id, op, ref_id, "
                          "detail, status, created_at FROM staff_flags WHERE merchant_id = ?1 AND "
                          "(?2 = '' OR status = ?2) AND (?3 = 0 OR id < ?3) ORDER BY id DESC "
                          "LIMIT ?4",
                          "itii", merchant, status, before, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_staff_flag_row r;
        memset(&r, 0, sizeof(r));
        r.id = loy_db_int(c, st, 0);
        r.merchant_id = loy_db_int(c, st, 1);
        copy(r.actor, sizeof(r.actor), loy_db_text(c, st, 2));
        copy(r.rule, sizeof(r.rule), loy_db_text(c, st, 3));
        copy(r.action, sizeof(r.action), loy_db_text(c, st, 4));
        r.member_id = loy_db_int(c, st, 5);
        copy(r.op, sizeof(r.op), loy_db_text(c, st, 6));
        r.ref_id = loy_db_int(c, st, 7);
        copy(r.detail, sizeof(r.detail), loy_db_text(c, st, 8));
        copy(r.status, sizeof(r.status), loy_db_text(c, st, 9));
        r.created_at = loy_db_int(c, st, 10);
        fn(ctx, &r);
    }
    return rc;
}

int loy_store_staff_flag_dismiss(loy_conn *c, int64_t merchant, int64_t id, loy_err *err)
{
    int64_t open = 0;
    int rc = loy_db_scalar(
        c, &open, err, "SELECT status = 'open' FROM staff_flags WHERE merchant_id = ? AND id = ?",
        "ii", merchant, id);
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "id", "no staff flag %lld", (long long)id);
    if (rc) return rc;
    if (!open)
        return loy_err_set(err, LOY_ECONFLICT, "id", "staff flag %lld was dismissed already",
                           (long long)id);
    return loy_db_run(
        c, err, "UPDATE staff_flags SET status = 'dismissed' WHERE merchant_id = ? AND id = ?",
        "ii", merchant, id);
}
