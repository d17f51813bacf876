/* Use cases: staff users (argon2id passwords), login sessions. */
#include "app/app_int.h"
#include "app/staff.h"

#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/request.h"
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

static int check_role(const char *role, loy_err *err)
{
    if (!role || (strcmp(role, "owner") && strcmp(role, "manager") && strcmp(role, "cashier")))
        return loy_err_set(err, LOY_EINVALID, "role",
                           "role: expected owner, manager or cashier, got \"%s\"",
                           role ? role : "");
    return 0;
}

/* The password of a JSON request: a string that passes check_password. */
static int req_password(const json_t *req, bool required, const char **out, loy_err *err)
{
    const json_t *v = json_object_get(req, "password");
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? loy_err_set(err, LOY_EINVALID, "password", "password: is required") : 0;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return loy_err_set(err, LOY_EINVALID, "password", "password: expected a string");
    *out = json_string_value(v);
    return check_password(*out, err);
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

/* A user as the API shows it: never the password hash. */
static json_t *user_json(const loy_user_row *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o}", "id", (json_int_t)u->id, "username",
                     u->username, "name", u->name, "role", u->role, "created_at",
                     loy_json_time(u->created_at), "disabled", u->disabled_at != 0, "disabled_at",
                     loy_json_time(u->disabled_at));
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
    if (name && strlen(name) >= sizeof(((loy_user_row *)0)->name))
        return loy_err_set(err, LOY_EINVALID, "name", "name: longer than %zu bytes",
                           sizeof(((loy_user_row *)0)->name) - 1);
    int rc = check_role(role, err);
    if (!rc) rc = check_password(password, err);
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
    *resp = user_json(&u);
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
    json_array_append_new((json_t *)ctx, user_json(u));
}

int loy_app_user_list(loy_app *app, json_t **resp, loy_err *err)
{
    json_t *arr = json_array();
    int rc = loy_store_user_list(&app->conn, app->merchant, add_user, arr, err);
    /* the member card each staff user is linked to (staff fraud controls), or null */
    size_t i;
    json_t *u;
    json_array_foreach(arr, i, u)
    {
        int64_t member = 0;
        if (!rc)
            rc = loy_app_staff_member_of(app, json_integer_value(json_object_get(u, "id")), &member,
                                         err);
        json_object_set_new(u, "member", member ? json_integer(member) : json_null());
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:o}", "users", arr);
    return 0;
}

int loy_app_user_create_json(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    static const char *const fields[] = {"username", "name", "role", "password", NULL};
    const char *username = NULL, *name = NULL, *role = NULL, *password = NULL;
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = loy_req_str(req, "username", true, 63, &username, err);
    if (!rc)
        rc = loy_req_str(req, "name", false, sizeof(((loy_user_row *)0)->name) - 1, &name, err);
    if (!rc) rc = loy_req_str(req, "role", true, 15, &role, err);
    if (!rc) rc = check_role(role, err);
    if (!rc) rc = req_password(req, true, &password, err);
    return rc ? rc : loy_app_user_add(app, username, name, role, password, resp, err);
}

/* Adds "what": [before, after] to an audit detail when the two differ. */
static void detail_change(json_t *d, const char *what, const char *before, const char *after)
{
    if (strcmp(before, after)) json_object_set_new(d, what, json_pack("[s, s]", before, after));
}

int loy_app_user_update(loy_app *app, const char *username, const json_t *req, const char *self,
                        json_t **resp, loy_err *err)
{
    static const char *const fields[] = {"name", "role", "disabled", "password", "member", NULL};
    const char *name = NULL, *role = NULL, *password = NULL;
    bool disabled = false, set_member = false;
    int64_t member = 0;
    int rc = loy_req_object(req, fields, err);
    if (!rc)
        rc = loy_req_str(req, "name", false, sizeof(((loy_user_row *)0)->name) - 1, &name, err);
    if (!rc) rc = loy_req_str(req, "role", false, 15, &role, err);
    if (!rc && role) rc = check_role(role, err);
    if (!rc) rc = loy_req_bool(req, "disabled", false, &disabled, err);
    if (!rc) rc = req_password(req, false, &password, err);
    if (!rc) rc = loy_app_staff_member_field(req, &set_member, &member, err); /* app/staff.c */
    if (rc) return rc;
    const json_t *dv = json_object_get(req, "disabled");
    bool set_disabled = dv && !json_is_null(dv);
    if (!name && !role && !set_disabled && !password && !set_member)
        return loy_err_set(err, LOY_EINVALID, "",
                           "give at least one of name, role, disabled, password and member");
    char hash[160] = "";
    if (password && (rc = hash_password(password, hash, sizeof(hash), err))) return rc;
    int64_t now = loy_app_now(app);
    loy_user_row u, before;
    json_t *detail = json_object();
    if (!detail) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    bool began = false;
    if ((rc = loy_db_begin(&app->conn, true, err))) goto done;
    began = true;
    rc = loy_store_user_by_name(&app->conn, username ? username : "", &u, err);
    if (rc == LOY_ENOTFOUND || (!rc && u.merchant_id != app->merchant))
        rc = loy_err_set(err, LOY_ENOTFOUND, "username", "no user %s", username ? username : "");
    if (rc) goto done;
    before = u;
    if (name) snprintf(u.name, sizeof(u.name), "%s", name);
    if (role) snprintf(u.role, sizeof(u.role), "%s", role);
    if (set_disabled)
        u.disabled_at = disabled ? (before.disabled_at ? before.disabled_at : now) : 0;
    bool was_owner = !strcmp(before.role, "owner") && !before.disabled_at;
    bool demoted = was_owner && strcmp(u.role, "owner");
    bool disabling = !before.disabled_at && u.disabled_at;
    const char *field = disabling ? "disabled" : "role";
    if ((demoted || disabling) && self && !strcmp(self, u.username)) {
        rc = loy_err_set(err, LOY_ECONFLICT, field, "%s: you cannot %s yourself; another owner can",
                         field, disabling ? "disable" : "demote");
        goto done;
    }
    if (demoted || (was_owner && disabling)) {
        int64_t owners = 0; /* the active owners, this one included */
        if ((rc = loy_store_user_owners(&app->conn, app->merchant, &owners, err))) goto done;
        if (owners <= 1) {
            rc = loy_err_set(err, LOY_ECONFLICT, field,
                             "%s: %s is the last active owner and cannot be %s; make another user "
                             "owner first",
                             field, u.username, disabling ? "disabled" : "demoted");
            goto done;
        }
    }
    rc = loy_store_user_update(&app->conn, &u, err);
    if (!rc && password)
        rc = loy_store_user_set_password(&app->conn, app->merchant, u.username, hash, err);
    if (!rc && disabling) rc = loy_store_session_end_user(&app->conn, u.id, err);
    if (!rc && set_member) rc = loy_app_staff_member_set(app, u.id, member, err);
    if (!rc && set_member)
        json_object_set_new(detail, "member", member ? json_integer(member) : json_null());
    int64_t linked = 0;
    if (!rc) rc = loy_app_staff_member_of(app, u.id, &linked, err);
    detail_change(detail, "name", before.name, u.name);
    detail_change(detail, "role", before.role, u.role);
    if (!before.disabled_at != !u.disabled_at)
        json_object_set_new(detail, "disabled", json_boolean(u.disabled_at != 0));
    if (password) json_object_set_new(detail, "password", json_string("changed"));
    char *text = rc ? NULL : json_dumps(detail, JSON_COMPACT);
    if (!rc && !text) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "user.update", "user", u.id,
                             NULL, text, now, NULL, err);
    free(text);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (!rc) *resp = user_json(&u);
    if (!rc) json_object_set_new(*resp, "member", linked ? json_integer(linked) : json_null());
done:
    if (rc && began) loy_db_rollback(&app->conn);
    json_decref(detail);
    memset(hash, 0, sizeof(hash));
    return rc;
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
