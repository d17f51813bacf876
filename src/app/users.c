/* Use cases: staff users (argon2id passwords), login sessions. */
#include "app/app_int.h"

#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/rand.h"

#define ARGON_T         2
#define ARGON_M         19456 /* KiB = 19 MiB, the OWASP minimum for argon2id */
#define ARGON_P         1
#define SESSION_SECONDS (12 * 3600)

static int check_password(const char *password, loy_err *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < 10 || n > 256)
        return loy_err_set(err, LOY_EINVALID, "password",
                           "password: expected 10 to 256 characters, got %zu", n);
    return 0;
}

static int hash_password(const char *password, char *out, size_t outsz, loy_err *err)
{
    unsigned char salt[16];
    if (loy_random_bytes(salt, sizeof(salt)))
        return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    int rc = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, password, strlen(password), salt,
                                   sizeof(salt), 32, out, outsz);
    if (rc != ARGON2_OK)
        return loy_err_set(err, LOY_ENOMEM, "password", "argon2: %s", argon2_error_message(rc));
    return 0;
}

int loy_app_user_add(loy_app *app, const char *username, const char *name, const char *role,
                     const char *password, json_t **resp, loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    size_t n = username ? strlen(username) : 0;
    bool ok = n >= 3 && n <= 63;
    for (size_t i = 0; ok && i < n; i++)
        ok = (username[i] >= 'a' && username[i] <= 'z') ||
             (username[i] >= '0' && username[i] <= '9') || strchr("._@-", username[i]);
    if (!ok)
        return loy_err_set(err, LOY_EINVALID, "username",
                           "username: expected 3 to 63 of a-z 0-9 . _ @ -, got \"%s\"",
                           username ? username : "");
    if (!role || (strcmp(role, "owner") && strcmp(role, "manager") && strcmp(role, "cashier")))
        return loy_err_set(err, LOY_EINVALID, "role",
                           "role: expected owner, manager or cashier, got \"%s\"",
                           role ? role : "");
    int rc = check_password(password, err);
    if (rc) return rc;
    loy_user_row u = {.merchant_id = app->merchant, .created_at = loy_app_now(app)};
    snprintf(u.username, sizeof(u.username), "%s", username);
    snprintf(u.name, sizeof(u.name), "%s", name && *name ? name : username);
    snprintf(u.role, sizeof(u.role), "%s", role);
    if ((rc = hash_password(password, u.password_hash, sizeof(u.password_hash), err))) return rc;
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    rc = loy_store_user_insert(&app->conn, &u, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "user.add", "user", u.id, NULL,
                             role, u.created_at, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    *resp = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)u.id, "username", u.username,
                      "name", u.name, "role", u.role);
    return 0;
}

int loy_app_user_passwd(loy_app *app, const char *username, const char *password, loy_err *err)
{
    char hash[160];
    int rc = check_password(password, err);
    if (!rc) rc = hash_password(password, hash, sizeof(hash), err);
    if (rc) return rc;
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    rc = loy_store_user_set_password(&app->conn, app->merchant, username, hash, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "user.passwd", "user", 0, NULL,
                             username, loy_app_now(app), NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    return rc;
}

static void add_user(void *ctx, const loy_user_row *u)
{
    json_array_append_new((json_t *)ctx,
                          json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)u->id,
                                    "username", u->username, "name", u->name, "role", u->role,
                                    "created_at", loy_json_time(u->created_at)));
}

int loy_app_user_list(loy_app *app, json_t **resp, loy_err *err)
{
    json_t *arr = json_array();
    int rc = loy_store_user_list(&app->conn, app->merchant, add_user, arr, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:o}", "users", arr);
    return 0;
}

static char dummy[160];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char pw[40];
    loy_err ignored;
    if (loy_random_token(pw, sizeof(pw), 160) || hash_password(pw, dummy, sizeof(dummy), &ignored))
        snprintf(dummy, sizeof(dummy), "-");
}

int loy_app_login(loy_app *app, const char *username, const char *password, char token[48],
                  char csrf[48], loy_user_row *user, loy_err *err)
{
    /* a real hash to verify against when the user does not exist: the same work either way */
    pthread_once(&dummy_once, make_dummy);
    int rc = loy_store_user_by_name(&app->conn, username ? username : "", user, err);
    if (rc && rc != LOY_ENOTFOUND) return rc;
    bool exists = rc == 0 && !user->disabled_at;
    const char *pw = password ? password : "";
    bool match = argon2id_verify(exists ? user->password_hash : dummy, pw, strlen(pw)) == ARGON2_OK;
    if (!exists || !match)
        return loy_err_set(err, LOY_EREFUSED, "password", "invalid username or password");
    char hash[65];
    if (loy_random_token(token, 48, 160) || loy_random_token(csrf, 48, 160))
        return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    loy_sha256_hex(token, strlen(token), hash);
    int64_t now = loy_app_now(app);
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    rc = loy_store_session_insert(&app->conn, hash, user->id, user->merchant_id, csrf, now,
                                  now + SESSION_SECONDS, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, user->merchant_id, user->username, "login", "user",
                             user->id, NULL, NULL, now, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    return loy_app_select_merchant(app, user->merchant_id, err);
}

int loy_app_session(loy_app *app, const char *token, loy_user_row *user, char csrf[48],
                    loy_err *err)
{
    char hash[65];
    int64_t uid = 0;
    if (!token || strlen(token) > 64) return LOY_ENOTFOUND;
    loy_sha256_hex(token, strlen(token), hash);
    int rc = loy_store_session_get(&app->conn, hash, loy_app_now(app), &uid, csrf, err);
    if (!rc) rc = loy_store_user_by_id(&app->conn, uid, user, err);
    if (!rc && user->disabled_at) rc = LOY_ENOTFOUND;
    return rc;
}

int loy_app_logout(loy_app *app, const char *token, loy_err *err)
{
    char hash[65];
    if (!token || strlen(token) > 64) return 0;
    loy_sha256_hex(token, strlen(token), hash);
    return loy_store_session_delete(&app->conn, hash, err);
}
