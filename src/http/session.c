/* Staff login for the console: POST/GET/DELETE /api/v1/session, a session cookie (HttpOnly,
 * SameSite=Strict, Secure behind TLS) with a CSRF token, and login throttling (429). */
#include "http/http_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/request.h"

#define THROTTLE_FAILS  5
#define THROTTLE_WINDOW 900 /* seconds */

static json_t *user_json(const loy_user_row *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)u->id, "username", u->username,
                     "name", u->name, "role", u->role, "merchant_id", (json_int_t)u->merchant_id);
}

int loy_h_login(loy_req *r, loy_err *err)
{
    static const char *const fields[] = {"username", "password", NULL};
    const char *username = NULL, *password = NULL;
    int rc = loy_req_object(r->json, fields, err);
    if (!rc) rc = loy_req_str(r->json, "username", true, 63, &username, err);
    if (!rc) rc = loy_req_str(r->json, "password", true, 256, &password, err);
    if (rc) return rc;
    int64_t now = (int64_t)time(NULL);
    char ip[64], kuser[80], kip[80];
    loy_client_ip(r, ip, sizeof(ip));
    snprintf(kuser, sizeof(kuser), "u:%s", username);
    snprintf(kip, sizeof(kip), "ip:%s", ip);
    int64_t wait = loy_throttle_wait(kuser, now, THROTTLE_FAILS, THROTTLE_WINDOW);
    if (!wait) wait = loy_throttle_wait(kip, now, THROTTLE_FAILS, THROTTLE_WINDOW);
    if (wait) return loy_too_many(r, wait, "failed logins", err);
    char token[48], csrf[48];
    loy_user_row u;
    rc = loy_app_login(r->app, username, password, token, csrf, &u, err);
    loy_throttle_record(kuser, now, THROTTLE_WINDOW, rc == LOY_EREFUSED);
    loy_throttle_record(kip, now, THROTTLE_WINDOW, rc == LOY_EREFUSED);
    if (rc == LOY_EREFUSED) r->status = 401;
    if (rc) return rc;
    const char *proto = loy_req_header(r, "X-Forwarded-Proto");
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             "loy_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200%s", token,
             proto && !strcasecmp(proto, "https") ? "; Secure" : "");
    r->resp = json_pack("{s:o, s:s}", "user", user_json(&u), "csrf_token", csrf);
    return 0;
}

int loy_h_whoami(loy_req *r, loy_err *err)
{
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "loy_session");
    loy_user_row u;
    char csrf[48];
    int rc = token ? loy_app_session(r->app, token, &u, csrf, err) : LOY_ENOTFOUND;
    if (rc == LOY_ENOTFOUND) {
        r->status = 401;
        return loy_err_set(err, LOY_EREFUSED, "session", "not logged in");
    }
    if (rc) return rc;
    r->resp = json_pack("{s:o, s:s}", "user", user_json(&u), "csrf_token", csrf);
    return 0;
}

int loy_h_logout(loy_req *r, loy_err *err)
{
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "loy_session");
    int rc = loy_app_logout(r->app, token, err);
    if (rc) return rc;
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             "loy_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    r->resp = json_pack("{s:b}", "logged_out", 1);
    return 0;
}

int loy_http_session_auth(loy_req *r, const char *token, loy_err *err)
{
    loy_user_row u;
    char csrf[48];
    int rc = loy_app_session(r->app, token, &u, csrf, err);
    if (rc == LOY_ENOTFOUND) {
        r->status = 401;
        return loy_err_set(err, LOY_EREFUSED, "session", "the session has ended: log in again");
    }
    if (rc) return rc;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
        const char *sent = loy_req_header(r, "X-CSRF-Token");
        if (!sent || strcmp(sent, csrf) != 0) {
            r->status = 403;
            return loy_err_set(err, LOY_EREFUSED, "X-CSRF-Token",
                               "missing or wrong X-CSRF-Token header");
        }
    }
    if ((rc = loy_app_select_merchant(r->app, u.merchant_id, err))) return rc;
    r->merchant = u.merchant_id;
    r->role = !strcmp(u.role, "owner")     ? LOY_ROLE_OWNER
              : !strcmp(u.role, "manager") ? LOY_ROLE_MANAGER
                                           : LOY_ROLE_CASHIER;
    snprintf(r->actor, sizeof(r->actor), "user:%s", u.username);
    snprintf(r->app->actor, sizeof(r->app->actor), "%s", r->actor);
    return 0;
}
