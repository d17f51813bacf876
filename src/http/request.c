/* Per-request plumbing shared by handlers: authentication, body parsing, idempotent writes. */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

static loy_role role_of(const char *s)
{
    if (!strcmp(s, "owner")) return LOY_ROLE_OWNER;
    if (!strcmp(s, "manager")) return LOY_ROLE_MANAGER;
    if (!strcmp(s, "cashier")) return LOY_ROLE_CASHIER;
    return LOY_ROLE_NONE;
}

/* Contract (http.h): "cashier", "manager", "owner"; "" for LOY_ROLE_NONE. */
const char *loy_role_name(loy_role role)
{
    static const char *const names[] = {"", "cashier", "manager", "owner"};
    return role >= LOY_ROLE_NONE && role <= LOY_ROLE_OWNER ? names[role] : "";
}

/* 403: the route needs a higher role than the caller's (`who`: "your role", "this API key's role").
 */
static int forbidden(loy_req *r, const loy_route *route, const char *who, loy_err *err)
{
    r->status = 403;
    return loy_err_set(err, LOY_EREFUSED, "authorization", "this needs the %s role; %s is %s",
                       loy_role_name(route->role), who, loy_role_name(r->role));
}

int loy_http_auth(loy_req *r, const loy_route *route, loy_err *err)
{
    r->merchant = r->app->merchant;
    snprintf(r->actor, sizeof(r->actor), "anonymous");
    /* this thread's handle served someone else before: nobody is credited until authenticated */
    snprintf(r->app->actor, sizeof(r->app->actor), "%s", r->actor);
    if (route->role == LOY_ROLE_NONE) return 0;
    const char *h = loy_req_header(r, "Authorization");
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "loy_session");
    if (!h && cookie) {
        int rc = loy_http_session_auth(r, cookie, err);
        if (rc) return rc;
        return r->role < route->role ? forbidden(r, route, "your role", err) : 0;
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        r->status = 401;
        return loy_err_set(err, LOY_EREFUSED, "authorization",
                           "authentication required: send \"Authorization: Bearer <API key>\"");
    }
    loy_apikey_row k;
    int rc = loy_app_authenticate(r->app, h + 7, &k, err);
    if (rc == LOY_ENOTFOUND) {
        r->status = 401;
        return loy_err_set(err, LOY_EREFUSED, "authorization", "unknown or revoked API key");
    }
    /* from here on every query is scoped to the key's merchant */
    if (!rc) rc = loy_app_select_merchant(r->app, k.merchant_id, err);
    if (rc) return rc;
    r->role = role_of(k.role);
    r->merchant = k.merchant_id;
    snprintf(r->actor, sizeof(r->actor), "key:%s", k.prefix);
    snprintf(r->app->actor, sizeof(r->app->actor), "%s", r->actor);
    return r->role < route->role ? forbidden(r, route, "this API key's role", err) : 0;
}

int loy_http_parse_body(loy_req *r, loy_err *err)
{
    const char *ct = loy_req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        r->status = 415;
        return loy_err_set(err, LOY_EINVALID, "content-type",
                           "expected Content-Type: application/json, got %s", ct ? ct : "none");
    }
    json_error_t je;
    r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!r->json)
        return loy_err_set(err, LOY_EINVALID, "", "invalid JSON at line %d column %d: %s", je.line,
                           je.column, je.text);
    if (!json_is_object(r->json))
        return loy_err_set(err, LOY_EINVALID, "", "expected a JSON object");
    /* nesting limit */
    int depth = 0, max = 0;
    for (size_t i = 0; i < r->body_len; i++) {
        char ch = r->body[i];
        if (ch == '"') { /* skip strings */
            for (i++; i < r->body_len && r->body[i] != '"'; i++)
                if (r->body[i] == '\\') i++;
        } else if (ch == '{' || ch == '[') {
            if (++depth > max) max = depth;
        } else if (ch == '}' || ch == ']')
            depth--;
    }
    if (max > 32) return loy_err_set(err, LOY_EINVALID, "", "JSON nested deeper than 32 levels");
    return 0;
}

int loy_http_idem_key(loy_req *r, const char **key, loy_err *err)
{
    *key = loy_req_header(r, "Idempotency-Key");
    if (!*key || !**key)
        return loy_err_set(err, LOY_EINVALID, "Idempotency-Key",
                           "the Idempotency-Key header is required for this request");
    if (strlen(*key) > 255)
        return loy_err_set(err, LOY_EINVALID, "Idempotency-Key",
                           "Idempotency-Key: longer than 255 characters");
    return 0;
}

int loy_http_write(loy_req *r, loy_op op, const json_t *req, loy_err *err)
{
    const char *key;
    int rc = loy_http_idem_key(r, &key, err);
    if (rc) return rc;
    bool replayed = false;
    rc = loy_group_write(loy_server_group(r->server), r->merchant, r->actor, op, key, req, &r->resp,
                         &replayed, err);
    if (rc) return rc;
    r->replayed = replayed;
    r->status = op == LOY_OP_VOUCHER_USE ? 200 : 201; /* a replay answers the stored status */
    return 0;
}
