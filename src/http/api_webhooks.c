/* Handlers of /api/v1/webhooks (owner only): list, subscribe, delete.
 *
 * To wire them in, src/http/api.c needs the declarations
 *
 *     int loy_h_webhooks_list(loy_req *r, loy_err *err);
 *     int loy_h_webhooks_create(loy_req *r, loy_err *err);
 *     int loy_h_webhooks_delete(loy_req *r, loy_err *err);
 *
 * and in loy_routes[]:
 *
 *     {"GET", "/api/v1/webhooks", loy_h_webhooks_list, LOY_ROLE_OWNER, LOY_BODY_NONE,
 *      "webhook subscriptions with their delivery counts"},
 *     {"POST", "/api/v1/webhooks", loy_h_webhooks_create, LOY_ROLE_OWNER, LOY_BODY_JSON,
 *      "subscribe a URL to events; the signing secret is returned only here"},
 *     {"DELETE", "/api/v1/webhooks/{id}", loy_h_webhooks_delete, LOY_ROLE_OWNER, LOY_BODY_NONE,
 *      "delete a webhook subscription and cancel its pending deliveries"},
 */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "app/webhooks.h"

int loy_h_webhooks_list(loy_req *r, loy_err *err)
{
    return loy_app_webhooks_list(r->app, &r->resp, err);
}

int loy_h_webhooks_create(loy_req *r, loy_err *err)
{
    int rc = loy_app_webhooks_subscribe(r->app, r->json, &r->resp, err);
    if (!rc) {
        r->status = 201;
        snprintf(r->location, sizeof(r->location), "/api/v1/webhooks/%lld",
                 (long long)json_integer_value(json_object_get(r->resp, "id")));
    }
    return rc;
}

int loy_h_webhooks_delete(loy_req *r, loy_err *err)
{
    char *end = NULL;
    long long id = strtoll(r->params[0], &end, 10);
    if (!*r->params[0] || *end || id <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "id: expected a webhook id, got \"%s\"",
                           r->params[0]);
    int rc = loy_app_webhooks_delete(r->app, id, err);
    if (!rc) r->resp = json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
    return rc;
}
