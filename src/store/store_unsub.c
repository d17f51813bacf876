/* Members' unsubscribe tokens: lookup by token across merchants, read, issue once. */
#include "store/store_unsub.h"

#include <stdio.h>

int loy_store_unsub_find(loy_conn *c, const char *token, int64_t *merchant, int64_t *member,
                         loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT merchant_id, id FROM members WHERE unsub_token = ?",
                          "t", token);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        *merchant = loy_db_int(c, st, 0);
        *member = loy_db_int(c, st, 1);
        loy_db_done(c, st);
        return 0;
    }
    if (rc == 0) rc = loy_err_set(err, LOY_ENOTFOUND, "token", "no such unsubscribe link");
    return rc;
}

int loy_store_unsub_get(loy_conn *c, int64_t merchant, int64_t member, char *out, size_t n,
                        loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT coalesce(unsub_token, '') FROM members WHERE merchant_id = ? "
                          "AND id = ?",
                          "ii", merchant, member);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        const char *t = loy_db_text(c, st, 0);
        snprintf(out, n, "%s", t ? t : "");
        loy_db_done(c, st);
        return 0;
    }
    if (rc == 0)
        rc = loy_err_set(err, LOY_ENOTFOUND, "member", "no member %lld", (long long)member);
    return rc;
}

int loy_store_unsub_issue(loy_conn *c, int64_t merchant, int64_t member, const char *token,
                          loy_err *err)
{
    return loy_db_run(c, err,
                      "UPDATE members SET unsub_token = ? WHERE merchant_id = ? AND id = ? AND "
                      "unsub_token IS NULL",
                      "tii", token, merchant, member);
}
