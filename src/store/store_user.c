/* Staff users and their sessions. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define USER_COLS                                                                                  \
    "id, merchant_id, username, name, role, password_hash, created_at, coalesce(disabled_at, 0)"

static void read_user(loy_conn *c, loy_stmt *st, loy_user_row *u)
{
    memset(u, 0, sizeof(*u));
    u->id = loy_db_int(c, st, 0);
    u->merchant_id = loy_db_int(c, st, 1);
    snprintf(u->username, sizeof(u->username), "%s", loy_db_text(c, st, 2));
    snprintf(u->name, sizeof(u->name), "%s", loy_db_text(c, st, 3));
    snprintf(u->role, sizeof(u->role), "%s", loy_db_text(c, st, 4));
    snprintf(u->password_hash, sizeof(u->password_hash), "%s", loy_db_text(c, st, 5));
    u->created_at = loy_db_int(c, st, 6);
    u->disabled_at = loy_db_int(c, st, 7);
}

int loy_store_user_insert(loy_conn *c, loy_user_row *u, loy_err *err)
{
    int rc = loy_db_scalar(c, &u->id, err,
                           "INSERT INTO users(merchant_id, username, name, role, password_hash, "
                           "created_at) VALUES (?,?,?,?,?,?) RETURNING id",
                           "itttti", u->merchant_id, u->username, u->name, u->role,
                           u->password_hash, u->created_at);
    if (rc == LOY_ECONFLICT) loy_err_set(err, rc, "username", "username %s is taken", u->username);
    return rc;
}

static int one_user(loy_conn *c, loy_stmt *st, loy_user_row *out, loy_err *err)
{
    int rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return LOY_ENOTFOUND;
    read_user(c, st, out);
    loy_db_done(c, st);
    return 0;
}

int loy_store_user_by_name(loy_conn *c, const char *username, loy_user_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT " USER_COLS " FROM users WHERE username = ?", "t",
                          username);
    return rc ? rc : one_user(c, st, out, err);
}

int loy_store_user_by_id(loy_conn *c, int64_t id, loy_user_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT " USER_COLS " FROM users WHERE id = ?", "i", id);
    return rc ? rc : one_user(c, st, out, err);
}

int loy_store_user_set_password(loy_conn *c, int64_t merchant, const char *username,
                                const char *hash, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE users SET password_hash = ? WHERE username = ? AND merchant_id = ?",
                        "tti", hash, username, merchant);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ENOTFOUND, "username", "no user %s", username);
    if (!rc) /* a new password ends every session of the user */
        rc = loy_db_run(c, err,
                        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE "
                        "username = ?)",
                        "t", username);
    return rc;
}

int loy_store_user_update(loy_conn *c, const loy_user_row *u, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE users SET name = ?, role = ?, disabled_at = nullif(?, 0) "
                        "WHERE id = ? AND merchant_id = ?",
                        "ttiii", u->name, u->role, u->disabled_at, u->id, u->merchant_id);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ENOTFOUND, "username", "no user %s", u->username);
    return rc;
}

int loy_store_user_owners(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err,
                         "SELECT count(*) FROM users WHERE merchant_id = ? AND role = 'owner' AND "
                         "disabled_at IS NULL",
                         "i", merchant);
}

int loy_store_session_end_user(loy_conn *c, int64_t user, loy_err *err)
{
    return loy_db_run(c, err, "DELETE FROM sessions WHERE user_id = ?", "i", user);
}

int loy_store_user_list(loy_conn *c, int64_t merchant, void (*fn)(void *ctx, const loy_user_row *u),
                        void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " USER_COLS " FROM users WHERE merchant_id = ? ORDER BY id", "i",
                          merchant);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_user_row u;
        read_user(c, st, &u);
        fn(ctx, &u);
    }
    return rc;
}

int loy_store_session_insert(loy_conn *c, const char *hash, int64_t user, int64_t merchant,
                             const char *csrf, int64_t now, int64_t expires, loy_err *err)
{
    int rc = loy_db_run(c, err, "DELETE FROM sessions WHERE expires_at <= ?", "i", now);
    if (!rc)
        rc = loy_db_run(c, err,
                        "INSERT INTO sessions(hash, user_id, merchant_id, csrf, created_at, "
                        "expires_at) VALUES (?,?,?,?,?,?)",
                        "tiitii", hash, user, merchant, csrf, now, expires);
    return rc;
}

int loy_store_session_get(loy_conn *c, const char *hash, int64_t now, int64_t *user, char csrf[48],
                          loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT user_id, csrf FROM sessions WHERE hash = ? AND expires_at > ?",
                          "ti", hash, now);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return LOY_ENOTFOUND;
    *user = loy_db_int(c, st, 0);
    snprintf(csrf, 48, "%s", loy_db_text(c, st, 1));
    loy_db_done(c, st);
    return 0;
}

int loy_store_session_delete(loy_conn *c, const char *hash, loy_err *err)
{
    return loy_db_run(c, err, "DELETE FROM sessions WHERE hash = ?", "t", hash);
}
