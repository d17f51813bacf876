/* Handlers of messages to members (docs/messages.md): GET /api/v1/messages (manager) lists them
 * with their status and the reason of a skip, a postponement or a failure. */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/messages.h"

/* An integer query parameter in [min, max], def when absent. */
static int int_param(const json_t *params, const char *name, int64_t min, int64_t max, int64_t def,
                     int64_t *out, loy_err *err)
{
    const char *v = json_string_value(json_object_get(params, name));
    *out = def;
    if (!v) return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || x < min || x > max)
        return loy_err_set(err, LOY_EINVALID, name,
                           "%s: expected an integer from %lld to %lld, got \"%.40s\"", name,
                           (long long)min, (long long)max, v);
    *out = x;
    return 0;
}

/* GET /api/v1/messages?member=&status=&limit=&before= */
int loy_h_messages_list(loy_req *r, loy_err *err)
{
    json_t *params = NULL;
    int rc = loy_req_query_all(r, &params, err);
    if (rc) return rc;
    const char *k;
    json_t *v;
    json_object_foreach(params, k, v)
    {
        if (strcmp(k, "member") && strcmp(k, "status") && strcmp(k, "limit") &&
            strcmp(k, "before")) {
            rc =
                loy_err_set(err, LOY_EINVALID, k,
                            "%.64s: unknown parameter (expected member, status, limit, before)", k);
            break;
        }
    }
    int64_t limit = 0, before = 0;
    if (!rc) rc = int_param(params, "limit", 1, 500, 50, &limit, err);
    if (!rc) rc = int_param(params, "before", 1, INT64_MAX, 0, &before, err);
    if (!rc)
        rc = loy_app_messages_list(r->app, json_string_value(json_object_get(params, "member")),
                                   json_string_value(json_object_get(params, "status")), before,
                                   (int)limit, &r->resp, err);
    json_decref(params);
    return rc;
}
