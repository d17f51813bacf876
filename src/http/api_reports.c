/* Handler of GET /api/v1/reports/{name} (owner and manager): the report use cases of
 * src/app/reports.c with their parameters from the query string; `format=csv` answers text/csv
 * instead of JSON. */
#include "http/http_int.h"

#include <string.h>

#include "app/reports.h"

int loy_h_report(loy_req *r, loy_err *err)
{
    json_t *params = NULL;
    int rc = loy_req_query_all(r, &params, err);
    if (rc) return rc;
    const char *format = json_string_value(json_object_get(params, "format"));
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0) {
        json_decref(params);
        return loy_err_set(err, LOY_EINVALID, "format", "format: expected \"json\" or \"csv\"");
    }
    json_object_del(params, "format");
    rc = loy_app_report(r->app, r->params[0], params, &r->resp, err);
    json_decref(params);
    if (rc || !csv) return rc;
    rc = loy_app_report_csv(r->resp, &r->text, err);
    json_decref(r->resp);
    r->resp = NULL;
    if (!rc) r->content_type = "text/csv; charset=utf-8";
    return rc;
}
