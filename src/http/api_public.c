/* Public handlers for the customer pages (no key, no session): GET /api/v1/cards/{token}, the
 * card holder's own view of their card (the token is the secret), and POST
 * /api/v1/join/{location}, a customer joining from a location's poster (idempotent, rate
 * limited per client address). */
#include "http/http_int.h"
#include "app/referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int loy_h_card_view(loy_req *r, loy_err *err)
{
    return loy_app_card_view(r->app, r->params[0], loy_req_query(r, "lang"), &r->resp, err);
}

/* The {location} of a join address: a positive number, else 0 (which no location has). */
static int64_t location_id(const loy_req *r)
{
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    return *end || id <= 0 ? 0 : (int64_t)id;
}

int loy_h_join_info(loy_req *r, loy_err *err)
{
    int rc = loy_app_join_info(r->app, location_id(r), &r->resp, err);
    /* ?ref=CODE (from /r/{code}): who invited them, by first name */
    return rc ? rc : loy_app_referral_invite(r->app, loy_req_query(r, "ref"), r->resp, err);
}

#define JOIN_LIMIT  20   /* new members per client address ... */
#define JOIN_WINDOW 3600 /* ... per hour */

int loy_h_join(loy_req *r, loy_err *err)
{
    int64_t id = location_id(r);
    char ip[64], key[80];
    loy_client_ip(r, ip, sizeof(ip));
    snprintf(key, sizeof(key), "join:%s", ip);
    int64_t now = (int64_t)time(NULL), wait = loy_throttle_wait(key, now, JOIN_LIMIT, JOIN_WINDOW);
    if (wait) return loy_too_many(r, wait, "new cards from this address", err);
    json_t *req = NULL;
    int rc = loy_app_join_request(r->app, id, r->json, &req, err);
    if (rc) return rc;
    r->merchant = r->app->merchant;
    snprintf(r->actor, sizeof(r->actor), "join page");
    rc = loy_http_write(r, LOY_OP_MEMBER_CREATE, req, err);
    json_decref(req);
    if (rc) return rc;
    if (!r->replayed) loy_throttle_record(key, now, JOIN_WINDOW, true);
    json_t *pub = loy_app_join_public(r->resp);
    json_decref(r->resp);
    r->resp = pub;
    return 0;
}
