/* Referrals: members' referral codes and the referrals table (see store_referral.h). */
#include "store/store_referral.h"

#include <stdio.h>
#include <string.h>

#define REFERRAL_COLS                                                                              \
    "id, merchant_id, referrer_id, referee_id, status, reason, coalesce(purchase_id, 0), "         \
    "qualifies_at, referrer_points, referee_points, decision, decided_by, decided_at, "            \
    "created_at, updated_at, awarded_at"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void read_row(loy_conn *c, loy_stmt *st, loy_referral_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = loy_db_int(c, st, 0);
    r->merchant_id = loy_db_int(c, st, 1);
    r->referrer_id = loy_db_int(c, st, 2);
    r->referee_id = loy_db_int(c, st, 3);
    copy(r->status, sizeof(r->status), loy_db_text(c, st, 4));
    copy(r->reason, sizeof(r->reason), loy_db_text(c, st, 5));
    r->purchase_id = loy_db_int(c, st, 6);
    r->qualifies_at = loy_db_int(c, st, 7);
    r->referrer_points = loy_db_int(c, st, 8);
    r->referee_points = loy_db_int(c, st, 9);
    copy(r->decision, sizeof(r->decision), loy_db_text(c, st, 10));
    copy(r->decided_by, sizeof(r->decided_by), loy_db_text(c, st, 11));
    r->decided_at = loy_db_int(c, st, 12);
    r->created_at = loy_db_int(c, st, 13);
    r->updated_at = loy_db_int(c, st, 14);
    r->awarded_at = loy_db_int(c, st, 15);
}

/* The first row of a prepared query into *out; LOY_ENOTFOUND naming `field` when none. */
static int one_row(loy_conn *c, loy_stmt *st, loy_referral_row *out, const char *field,
                   loy_err *err)
{
    int rc = loy_db_next(c, st, err);
    if (rc == 1) {
        read_row(c, st, out);
        loy_db_done(c, st);
        return 0;
    }
    return rc == 0 ? loy_err_set(err, LOY_ENOTFOUND, field, "no such referral") : rc;
}

int loy_store_referral_code_find(loy_conn *c, const char *code, int64_t *merchant, int64_t *member,
                                 loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT merchant_id, id FROM members WHERE referral_code = ?", "t", code);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        *merchant = loy_db_int(c, st, 0);
        *member = loy_db_int(c, st, 1);
        loy_db_done(c, st);
        return 0;
    }
    return rc == 0 ? loy_err_set(err, LOY_ENOTFOUND, "referral_code", "no such referral code") : rc;
}

int loy_store_referral_code_get(loy_conn *c, int64_t merchant, int64_t member, char *out, size_t n,
                                loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT coalesce(referral_code, '') FROM members WHERE merchant_id = ? "
                          "AND id = ?",
                          "ii", merchant, member);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        copy(out, n, loy_db_text(c, st, 0));
        loy_db_done(c, st);
        return 0;
    }
    return rc == 0 ? loy_err_set(err, LOY_ENOTFOUND, "member", "no member %lld", (long long)member)
                   : rc;
}

int loy_store_referral_code_issue(loy_conn *c, int64_t merchant, int64_t member, const char *code,
                                  loy_err *err)
{
    return loy_db_run(c, err,
                      "UPDATE members SET referral_code = ? WHERE merchant_id = ? AND id = ? AND "
                      "referral_code IS NULL",
                      "tii", code, merchant, member);
}

int loy_store_referral_insert(loy_conn *c, loy_referral_row *r, loy_err *err)
{
    /* a new referral has no qualifying purchase yet */
    int rc = loy_db_run(
        c, err,
        "INSERT INTO referrals(merchant_id, referrer_id, referee_id, status, reason, purchase_id, "
        "qualifies_at, referrer_points, referee_points, decision, decided_by, decided_at, "
        "created_at, updated_at, awarded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "iiitt"
        "n"
        "iiittiiii",
        r->merchant_id, r->referrer_id, r->referee_id, r->status, r->reason, r->qualifies_at,
        r->referrer_points, r->referee_points, r->decision, r->decided_by, r->decided_at,
        r->created_at, r->updated_at, r->awarded_at);
    if (!rc)
        rc = loy_db_scalar(c, &r->id, err, "SELECT max(id) FROM referrals WHERE merchant_id = ?",
                           "i", r->merchant_id);
    return rc;
}

int loy_store_referral_get(loy_conn *c, int64_t merchant, int64_t id, loy_referral_row *out,
                           loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(
        c, &st, err, "SELECT " REFERRAL_COLS " FROM referrals WHERE merchant_id = ? AND id = ?",
        "ii", merchant, id);
    return rc ? rc : one_row(c, st, out, "id", err);
}

int loy_store_referral_update(loy_conn *c, const loy_referral_row *r, const char *expect,
                              loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE referrals SET status = ?, reason = ?, purchase_id = nullif(?, 0), "
                        "qualifies_at = ?, referrer_points = ?, referee_points = ?, decision = ?, "
                        "decided_by = ?, decided_at = ?, updated_at = ?, awarded_at = ? "
                        "WHERE merchant_id = ? AND id = ? AND status = ?",
                        "ttiiiittiiiiit", r->status, r->reason, r->purchase_id, r->qualifies_at,
                        r->referrer_points, r->referee_points, r->decision, r->decided_by,
                        r->decided_at, r->updated_at, r->awarded_at, r->merchant_id, r->id, expect);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ECONFLICT, "status", "referral %lld is no longer %s",
                         (long long)r->id, expect);
    return rc;
}

int loy_store_referral_open_of(loy_conn *c, int64_t merchant, int64_t referee,
                               loy_referral_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " REFERRAL_COLS " FROM referrals WHERE merchant_id = ? AND "
                          "referee_id = ? AND status IN ('pending', 'flagged') AND purchase_id IS "
                          "NULL ORDER BY id DESC LIMIT 1",
                          "ii", merchant, referee);
    return rc ? rc : one_row(c, st, out, "member", err);
}

int loy_store_referral_live_count(loy_conn *c, int64_t merchant, int64_t referee, int64_t except,
                                  int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err,
                         "SELECT count(*) FROM referrals WHERE merchant_id = ? AND referee_id = ? "
                         "AND id <> ? AND status IN ('pending', 'qualified', 'awarded', 'flagged')",
                         "iii", merchant, referee, except);
}

int loy_store_referral_exists(loy_conn *c, int64_t merchant, int64_t referrer, int64_t referee,
                              const char *status, const char *reason, bool *out, loy_err *err)
{
    int64_t n = 0;
    int rc = loy_db_scalar(c, &n, err,
                           "SELECT count(*) FROM referrals WHERE merchant_id = ? AND referrer_id = "
                           "? AND referee_id = ? AND status = ? AND reason = ?",
                           "iiitt", merchant, referrer, referee, status, reason);
    *out = n > 0;
    return rc;
}

int loy_store_referral_count_between(loy_conn *c, int64_t merchant, int64_t referrer, int64_t from,
                                     int64_t to, int64_t before, int64_t *out, loy_err *err)
{
    return loy_db_scalar(
        c, out, err,
        "SELECT count(*) FROM referrals WHERE merchant_id = ? AND referrer_id = ? "
        "AND created_at >= ? AND created_at < ? AND (? = 0 OR id < ?) AND reason NOT IN "
        "('self_referral', 'already_member', 'ring')",
        "iiiiii", merchant, referrer, from, to, before, before);
}

int loy_store_referral_chain(loy_conn *c, int64_t merchant, int64_t member, int64_t *ids,
                             size_t max, size_t *n, loy_err *err)
{
    *n = 0;
    int64_t cur = member;
    while (*n < max) {
        int64_t up = 0;
        int rc = loy_db_scalar(c, &up, err,
                               "SELECT coalesce(referred_by, 0) FROM members WHERE merchant_id = ? "
                               "AND id = ?",
                               "ii", merchant, cur);
        if (rc == LOY_ENOTFOUND) return loy_err_set(err, LOY_ENOTFOUND, "member", "no member");
        if (rc) return rc;
        if (!up || up == member) return 0;
        for (size_t i = 0; i < *n; i++)
            if (ids[i] == up) return 0; /* a cycle already: stop there */
        ids[(*n)++] = up;
        cur = up;
    }
    return 0;
}

int loy_store_referral_due(loy_conn *c, int64_t merchant, int64_t now, int64_t after, int64_t *ids,
                           int max, int *n, loy_err *err)
{
    *n = 0;
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id FROM referrals WHERE merchant_id = ? AND status = 'qualified' "
                          "AND qualifies_at <= ? AND id > ? ORDER BY id LIMIT ?",
                          "iiii", merchant, now, after, (int64_t)max);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) ids[(*n)++] = loy_db_int(c, st, 0);
    return rc < 0 ? rc : 0;
}

int loy_store_referral_list(loy_conn *c, int64_t merchant, const char *status, int64_t before,
                            int limit, void (*fn)(void *ctx, const loy_referral_row *r), void *ctx,
                            loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " REFERRAL_COLS " FROM referrals WHERE merchant_id = ? AND "
                          "(? IS NULL OR status = ?) AND (? = 0 OR id < ?) ORDER BY id DESC "
                          "LIMIT ?",
                          "ittiii", merchant, status, status, before, before, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_referral_row r;
        read_row(c, st, &r);
        fn(ctx, &r);
    }
    return rc < 0 ? rc : 0;
}

int loy_store_referral_open_of_member(loy_conn *c, int64_t merchant, int64_t member,
                                      void (*fn)(void *ctx, const loy_referral_row *r), void *ctx,
                                      loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " REFERRAL_COLS " FROM referrals WHERE merchant_id = ?1 AND "
                          "(referrer_id = ?2 OR referee_id = ?2) AND status IN ('pending', "
                          "'qualified', 'flagged') ORDER BY id",
                          "ii", merchant, member);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_referral_row r;
        read_row(c, st, &r);
        fn(ctx, &r);
    }
    return rc < 0 ? rc : 0;
}

int loy_store_referral_referred(loy_conn *c, int64_t merchant, int64_t referrer,
                                void (*fn)(void *ctx, const loy_referred_row *r), void *ctx,
                                loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(
        c, &st, err,
        "SELECT m.id, m.name, m.joined_at, m.erased_at, "
        "(SELECT coalesce(sum(p.amount - p.refunded), 0) FROM purchases p WHERE p.member_id = "
        "m.id),"
        " coalesce(r.id, 0), r.status, r.reason FROM members m "
        "LEFT JOIN referrals r ON r.id = (SELECT max(x.id) FROM referrals x WHERE x.referee_id = "
        "m.id AND x.referrer_id = ?2) WHERE m.merchant_id = ?1 AND m.referred_by = ?2 ORDER BY "
        "m.id",
        "ii", merchant, referrer);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_referred_row r = {.id = loy_db_int(c, st, 0),
                              .name = loy_db_text(c, st, 1),
                              .joined_at = loy_db_int(c, st, 2),
                              .erased_at = loy_db_int(c, st, 3),
                              .revenue = loy_db_int(c, st, 4),
                              .referral_id = loy_db_int(c, st, 5),
                              .status = loy_db_text(c, st, 6),
                              .reason = loy_db_text(c, st, 7)};
        fn(ctx, &r);
    }
    return rc < 0 ? rc : 0;
}

int loy_store_referral_referees(loy_conn *c, int64_t merchant, int64_t referrer, int64_t before,
                                void (*fn)(void *ctx, int64_t referee), void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id FROM members WHERE merchant_id = ? AND referred_by = ? AND "
                          "joined_at < ? ORDER BY id",
                          "iii", merchant, referrer, before);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) fn(ctx, loy_db_int(c, st, 0));
    return rc < 0 ? rc : 0;
}
