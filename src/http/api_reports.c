/* Handler of GET /api/v1/reports/{name} (owner and manager): the report use cases of
 * src/app/reports.c with their parameters from the query string.
 *
 * To wire it in, src/http/api.c needs the declaration
 *
 *     int loy_h_report(loy_req *r, loy_err *err);
 *
 * and in loy_routes[]:
 *
 *     {"GET", "/api/v1/reports/{name}", loy_h_report, LOY_ROLE_MANAGER, LOY_BODY_NONE,
 *      "a report: kpis, churn, cohorts, pareto, rfm, advocacy or economics
 * (?from=&to=&location=)"},
 */
#include "http/http_int.h"

#include "app/reports.h"

static const char *const query_params[] = {"from",   "to",    "location", "days",    "top",
                                           "points", "limit", "cursor",   "segment", NULL};

int loy_h_report(loy_req *r, loy_err *err)
{
    json_t *params = json_object();
    if (!params) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    for (const char *const *p = query_params; *p; p++) {
        const char *v = loy_req_query(r, *p);
        if (v && json_object_set_new(params, *p, json_string(v))) {
            json_decref(params);
            return loy_err_set(err, LOY_EINVALID, *p, "%s: expected UTF-8 text", *p);
        }
    }
    int rc = loy_app_report(r->app, r->params[0], params, &r->resp, err);
    json_decref(params);
    return rc;
}
