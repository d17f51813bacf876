/* Handlers of the privacy routes (owner only): GET /api/v1/members/{ref}/export (the member's
 * data as a JSON download) and POST /api/v1/members/{ref}:erase ({"reason": "..."}). The route
 * matcher ends a {param} at the literal that follows it, so "{ref}:erase" takes "12:erase". */
#include "http/http_int.h"

#include <stdio.h>

#include "app/privacy.h"

int loy_h_member_export(loy_req *r, loy_err *err)
{
    int rc = loy_app_member_export(r->app, r->params[0], &r->resp, err);
    if (!rc) {
        long long id = (long long)json_integer_value(
            json_object_get(json_object_get(r->resp, "member"), "id"));
        snprintf(r->content_disposition, sizeof(r->content_disposition),
                 "attachment; filename=\"member-%lld-export.json\"", id);
    }
    return rc;
}

int loy_h_member_erase(loy_req *r, loy_err *err)
{
    return loy_app_member_erase(r->app, r->params[0], r->json, &r->resp, err);
}
