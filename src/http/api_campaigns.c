/* Campaign handlers (docs/campaigns.md): managers read the list, a campaign, its members and its
 * results; owners create and send. Thin adapters to app/campaigns.h. */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "app/campaigns.h"

/* The {id} of the path; 404 for anything but a positive integer (it names no campaign). */
static int campaign_id(const loy_req *r, int64_t *id, loy_err *err)
{
    char *end = NULL;
    long long v = strtoll(r->params[0], &end, 10);
    if (!*r->params[0] || *end || v <= 0)
        return loy_err_set(err, LOY_ENOTFOUND, "id", "no campaign \"%s\"", r->params[0]);
    *id = v;
    return 0;
}

/* GET /api/v1/campaigns?before=&limit= */
int loy_h_campaigns_list(loy_req *r, loy_err *err)
{
    json_t *params = NULL;
    int rc = loy_req_query_all(r, &params, err);
    if (!rc) rc = loy_app_campaign_list(r->app, params, &r->resp, err);
    json_decref(params);
    return rc;
}

/* POST /api/v1/campaigns: 201 with the draft and its Location */
int loy_h_campaigns_create(loy_req *r, loy_err *err)
{
    int rc = loy_app_campaign_create(r->app, r->json, &r->resp, err);
    if (!rc) {
        r->status = 201;
        snprintf(r->location, sizeof(r->location), "/api/v1/campaigns/%lld",
                 (long long)json_integer_value(
                     json_object_get(json_object_get(r->resp, "campaign"), "id")));
    }
    return rc;
}

/* GET /api/v1/campaigns/{id} */
int loy_h_campaign_get(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = campaign_id(r, &id, err);
    return rc ? rc : loy_app_campaign_get(r->app, id, &r->resp, err);
}

/* POST /api/v1/campaigns/{id}:send (no body); 409 when it was sent already */
int loy_h_campaign_send(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = campaign_id(r, &id, err);
    if (rc) return rc;
    if (r->body_len) return loy_err_set(err, LOY_EINVALID, "", "this request takes no body");
    return loy_app_campaign_send(r->app, id, &r->resp, err);
}

/* GET /api/v1/campaigns/{id}/results */
int loy_h_campaign_results(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = campaign_id(r, &id, err);
    return rc ? rc : loy_app_campaign_results(r->app, id, &r->resp, err);
}

/* GET /api/v1/campaigns/{id}/members?arm=&after=&limit= */
int loy_h_campaign_members(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    json_t *params = NULL;
    int rc = campaign_id(r, &id, err);
    if (!rc) rc = loy_req_query_all(r, &params, err);
    if (!rc) rc = loy_app_campaign_members(r->app, id, params, &r->resp, err);
    json_decref(params);
    return rc;
}
