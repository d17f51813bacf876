/* Public handlers of unsubscribing; no key, no cookie, no CSRF token: the token in the address is
 * the only credential (RFC 8058 forbids any other context). POST /u/{token} is the one-click
 * unsubscribe that mail providers send with the form body List-Unsubscribe=One-Click; GET and PUT
 * /api/v1/subscriptions/{token} serve the page /u/{token}. Rate limits (the shared throttle):
 * unknown tokens per client address (guessing: past the limit the page's API answers 429 to the
 * address, and so does a one-click POST of an unknown token; a one-click POST of a real token is
 * still honoured, since an unsubscribe must never wait and the worst a lucky guess can do there
 * is unsubscribe someone), and consents given per token (flooding the audit log by switching
 * back and forth; a withdrawal is never limited per token). A mail provider posting thousands of
 * real unsubscribes is never slowed. */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/unsub.h"

#define MISS_LIMIT  20   /* unknown tokens per client address ... */
#define MISS_WINDOW 900  /* ... per 15 minutes */
#define GIVE_LIMIT  30   /* consents given through one token ... */
#define GIVE_WINDOW 3600 /* ... per hour */

typedef struct {
    char miss[80], give[80]; /* throttle keys */
    bool gives;              /* the request may give consent */
    int64_t now;
} limits;

/* The throttle keys of the request; `gives`: it may give consent. */
static void keys(const loy_req *r, limits *l, bool gives)
{
    char ip[64];
    loy_client_ip(r, ip, sizeof(ip));
    l->now = (int64_t)time(NULL);
    l->gives = gives;
    snprintf(l->miss, sizeof(l->miss), "unsub-miss:%s", ip);
    int n = snprintf(l->give, sizeof(l->give), "unsub-give:%.40s", r->params[0]);
    for (int i = 11; i < n && i < (int)sizeof(l->give); i++) /* tokens in either case */
        if (l->give[i] >= 'a' && l->give[i] <= 'z') l->give[i] = (char)(l->give[i] - 32);
}

/* 429 while the client's address has tried too many unknown tokens. */
static int guessing(loy_req *r, const limits *l, loy_err *err)
{
    int64_t wait = loy_throttle_wait(l->miss, l->now, MISS_LIMIT, MISS_WINDOW);
    return wait ? loy_too_many(r, wait, "unknown unsubscribe links from this address", err) : 0;
}

/* Refuses the request (429) while a limit is reached. */
static int guard(loy_req *r, limits *l, bool gives, loy_err *err)
{
    keys(r, l, gives);
    int rc = guessing(r, l, err);
    int64_t wait;
    if (!rc && gives && (wait = loy_throttle_wait(l->give, l->now, GIVE_LIMIT, GIVE_WINDOW)))
        rc = loy_too_many(r, wait, "subscriptions through this link", err);
    return rc;
}

/* Counts what the request did against the limits; returns rc. */
static int count(const loy_req *r, const limits *l, int rc)
{
    if (rc == LOY_ENOTFOUND)
        loy_throttle_record(l->miss, l->now, MISS_WINDOW, true);
    else if (!rc && l->gives && json_is_true(json_object_get(r->resp, "changed")))
        loy_throttle_record(l->give, l->now, GIVE_WINDOW, true);
    return rc;
}

int loy_h_unsub_oneclick(loy_req *r, loy_err *err)
{
    limits l;
    keys(r, &l, false);
    /* other fields are ignored: RFC 8058 defines none, and an unsubscribe must not fail on them */
    const char *v = json_string_value(json_object_get(r->form, "List-Unsubscribe"));
    if (!v || strcasecmp(v, "One-Click") != 0)
        return loy_err_set(err, LOY_EINVALID, "List-Unsubscribe",
                           "List-Unsubscribe: expected the form field List-Unsubscribe=One-Click "
                           "(RFC 8058)");
    int rc = loy_app_unsub_all(r->app, r->params[0], &r->resp, err);
    if (rc == LOY_ENOTFOUND && guessing(r, &l, err)) return LOY_EREFUSED; /* not counted */
    return count(r, &l, rc);
}

int loy_h_subscriptions_get(loy_req *r, loy_err *err)
{
    limits l;
    int rc = guard(r, &l, false, err);
    return rc ? rc : count(r, &l, loy_app_unsub_view(r->app, r->params[0], &r->resp, err));
}

int loy_h_subscriptions_put(loy_req *r, loy_err *err)
{
    limits l;
    bool gives = json_is_true(json_object_get(r->json, "email")) ||
                 json_is_true(json_object_get(r->json, "sms"));
    int rc = guard(r, &l, gives, err);
    return rc ? rc : count(r, &l, loy_app_unsub_set(r->app, r->params[0], r->json, &r->resp, err));
}
