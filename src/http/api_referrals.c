/* Referral handlers: the public link GET /r/{code} (a redirect to the join page with the code),
 * the owner's list of referrals and the decision on a flagged one (see docs/referrals.md). */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/referrals.h"

/* GET /r/{code}: 302 to the join page of the referrer's home location with ?ref=CODE; an
 * unknown code lands on a join page all the same, without a referral. */
int loy_h_referral_landing(loy_req *r, loy_err *err)
{
    char path[sizeof(r->location)];
    int rc = loy_app_referral_landing(r->app, r->params[0], path, sizeof(path), err);
    if (rc) return rc;
    snprintf(r->location, sizeof(r->location), "%s", path);
    r->text = strdup(path);
    if (!r->text) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    r->content_type = "text/plain; charset=utf-8";
    r->status = 302;
    return 0;
}

/* GET /api/v1/referrals?status=&before=&limit= */
int loy_h_referrals_list(loy_req *r, loy_err *err)
{
    json_t *params = NULL;
    int rc = loy_req_query_all(r, &params, err);
    if (!rc) rc = loy_app_referral_list(r->app, params, &r->resp, err);
    json_decref(params);
    return rc;
}

static int decide(loy_req *r, bool approve, loy_err *err)
{
    char *end = NULL;
    long long id = strtoll(r->params[0], &end, 10);
    if (!*r->params[0] || *end || id <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "id: expected a referral id, got \"%s\"",
                           r->params[0]);
    if (r->body_len) return loy_err_set(err, LOY_EINVALID, "", "this request takes no body");
    return loy_app_referral_decide(r->app, id, approve, &r->resp, err);
}

/* POST /api/v1/referrals/{id}:approve */
int loy_h_referral_approve(loy_req *r, loy_err *err)
{
    return decide(r, true, err);
}

/* POST /api/v1/referrals/{id}:reject */
int loy_h_referral_reject(loy_req *r, loy_err *err)
{
    return decide(r, false, err);
}
