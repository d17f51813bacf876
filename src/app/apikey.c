/* Use cases: API keys (create, list, revoke, authenticate) and database counters. */
#include "app/app_int.h"

#include <stdio.h>
#include <string.h>

#include "app/request.h"
#include "util/rand.h"

int loy_app_apikey_create(loy_app *app, const char *role, const char *name, json_t **resp,
                          loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    if (!role || (strcmp(role, "owner") && strcmp(role, "manager") && strcmp(role, "cashier")))
        return loy_err_set(err, LOY_EINVALID, "role",
                           "role: expected owner, manager or cashier, got \"%s\"",
                           role ? role : "");
    if (!name || !*name || strlen(name) > 100)
        return loy_err_set(err, LOY_EINVALID, "name", "name: expected 1 to 100 characters");
    char token[40], key[48], hash[65];
    if (loy_random_token(token, sizeof(token), 160))
        return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    snprintf(key, sizeof(key), "loy_%s", token);
    loy_sha256_hex(key, strlen(key), hash);
    loy_apikey_row k = {.merchant_id = app->merchant, .created_at = loy_app_now(app)};
    snprintf(k.name, sizeof(k.name), "%s", name);
    snprintf(k.role, sizeof(k.role), "%s", role);
    snprintf(k.prefix, sizeof(k.prefix), "%.12s", key);
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_apikey_insert(&app->conn, &k, hash, app->actor, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "apikey.create", "api_key",
                             k.id, NULL, role, k.created_at, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    *resp = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)k.id, "key", key, "prefix",
                      k.prefix, "role", k.role, "name", k.name);
    return 0;
}

int loy_app_apikey_create_json(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    static const char *const fields[] = {"name", "role", NULL};
    const char *name = NULL, *role = NULL;
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = loy_req_str(req, "name", true, 100, &name, err);
    if (!rc) rc = loy_req_str(req, "role", true, 15, &role, err);
    return rc ? rc : loy_app_apikey_create(app, role, name, resp, err);
}

static void add_key(void *ctx, const loy_apikey_row *k)
{
    json_array_append_new((json_t *)ctx,
                          json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)k->id,
                                    "prefix", k->prefix, "role", k->role, "name", k->name,
                                    "created_at", loy_json_time(k->created_at), "revoked_at",
                                    loy_json_time(k->revoked_at), "last_used_at",
                                    loy_json_time(k->last_used_at)));
}

int loy_app_apikey_list(loy_app *app, json_t **resp, loy_err *err)
{
    json_t *arr = json_array();
    int rc = loy_store_apikey_list(&app->conn, app->merchant, add_key, arr, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:o}", "keys", arr);
    return 0;
}

int loy_app_apikey_revoke(loy_app *app, int64_t id, loy_err *err)
{
    int64_t now = loy_app_now(app);
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_apikey_revoke(&app->conn, app->merchant, id, now, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "apikey.revoke", "api_key", id,
                             NULL, NULL, now, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    return rc;
}

int loy_app_authenticate(loy_app *app, const char *key, loy_apikey_row *out, loy_err *err)
{
    char hash[65];
    if (!key || strncmp(key, "loy_", 4) != 0 || strlen(key) > 64)
        return loy_err_set(err, LOY_ENOTFOUND, "authorization", "unknown API key");
    loy_sha256_hex(key, strlen(key), hash);
    int rc = loy_store_apikey_find(&app->conn, hash, out, err);
    if (rc == LOY_ENOTFOUND) loy_err_set(err, rc, "authorization", "unknown or revoked API key");
    return rc;
}

int loy_app_stats(loy_app *app, loy_stats *out, loy_err *err)
{
    return loy_store_stats(&app->conn, app->merchant, out, err);
}
