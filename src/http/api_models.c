/* Handlers of the customer-base models: GET /api/v1/models (manager: latest fit of each kind),
 * POST /api/v1/models:fit (owner), GET /api/v1/members/{ref}/prediction (cashier).
 *
 * To wire them in, src/http/api.c needs the declarations
 *
 *     int loy_h_models_list(loy_req *r, loy_err *err);
 *     int loy_h_models_fit(loy_req *r, loy_err *err);
 *     int loy_h_member_prediction(loy_req *r, loy_err *err);
 *
 * and in loy_routes[]:
 *
 *     {"GET", "/api/v1/models", loy_h_models_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
 *      "latest fitted customer-base model of each kind (BG/NBD, Pareto/NBD)"},
 *     {"POST", "/api/v1/models:fit", loy_h_models_fit, LOY_ROLE_OWNER, LOY_BODY_JSON,
 *      "fit a model ({model, from, to, holdout_weeks}); every fit is kept"},
 *     {"GET", "/api/v1/members/{ref}/prediction", loy_h_member_prediction, LOY_ROLE_CASHIER,
 *      LOY_BODY_NONE, "P(alive), expected purchases and CLV of a member (?weeks=&discount=)"},
 */
#include "http/http_int.h"

#include <string.h>

#include "app/models.h"

int loy_h_models_list(loy_req *r, loy_err *err)
{
    return loy_app_model_list(r->app, &r->resp, err);
}

int loy_h_models_fit(loy_req *r, loy_err *err)
{
    int rc = loy_app_model_fit(r->app, r->json, &r->resp, err);
    if (!rc) r->status = 201;
    return rc;
}

int loy_h_member_prediction(loy_req *r, loy_err *err)
{
    json_t *params = NULL;
    int rc = loy_req_query_all(r, &params, err);
    if (rc) return rc;
    rc = loy_app_model_predict(r->app, r->params[0], params, &r->resp, err);
    json_decref(params);
    if (rc == LOY_ENOTFOUND && strcmp(err->field, "model") == 0) {
        /* the member exists, no model is fitted yet: not an error at the counter */
        r->resp = json_pack("{s:n, s:s}", "model", "note", err->message);
        loy_err_clear(err);
        rc = r->resp ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    return rc;
}
