/* Handlers of the owner's administration routes: staff users (/api/v1/users), API keys
 * (/api/v1/apikeys) and adding or renaming locations (/api/v1/locations). Owner only (the route
 * table says so); the rules live in src/app (users.c, apikey.c, locations.c). */
#include "http/http_int.h"

#include "app/staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 201 with the Location of what was created. */
static void created(loy_req *r, const char *collection, const char *id)
{
    r->status = 201;
    snprintf(r->location, sizeof(r->location), "/api/v1/%s/%s", collection, id ? id : "");
}

int loy_h_users_list(loy_req *r, loy_err *err)
{
    return loy_app_user_list(r->app, &r->resp, err);
}

int loy_h_users_create(loy_req *r, loy_err *err)
{
    int rc = loy_app_user_create_json(r->app, r->json, &r->resp, err);
    if (!rc) created(r, "users", json_string_value(json_object_get(r->resp, "username")));
    return rc;
}

int loy_h_users_update(loy_req *r, loy_err *err)
{
    /* a staff session acts as "user:NAME" (session.c); an API key is nobody's self */
    const char *self = strncmp(r->actor, "user:", 5) == 0 ? r->actor + 5 : NULL;
    return loy_app_user_update(r->app, r->params[0], r->json, self, &r->resp, err);
}

/* GET /api/v1/staff-flags?status=open|dismissed&before=&limit= (docs/operations.md) */
int loy_h_staff_flags(loy_req *r, loy_err *err)
{
    const char *before = loy_req_query(r, "before"), *limit = loy_req_query(r, "limit");
    char *end = NULL;
    long long b = before ? strtoll(before, &end, 10) : 0;
    if (before && (!*before || *end || b < 0))
        return loy_err_set(err, LOY_EINVALID, "before", "before: expected a flag id");
    long long l = limit ? strtoll(limit, &end, 10) : 100;
    if (limit && (!*limit || *end || l < 1 || l > 500))
        return loy_err_set(err, LOY_EINVALID, "limit", "limit: expected an integer from 1 to 500");
    return loy_app_staff_flags(r->app, loy_req_query(r, "status"), b, (int)l, &r->resp, err);
}

int loy_h_staff_flag_dismiss(loy_req *r, loy_err *err)
{
    char *end = NULL;
    long long id = strtoll(r->params[0], &end, 10);
    if (!*r->params[0] || *end || id <= 0)
        return loy_err_set(err, LOY_ENOTFOUND, "id", "no staff flag %s", r->params[0]);
    return loy_app_staff_flag_dismiss(r->app, id, r->json, &r->resp, err);
}

int loy_h_apikeys_list(loy_req *r, loy_err *err)
{
    return loy_app_apikey_list(r->app, &r->resp, err);
}

int loy_h_apikeys_create(loy_req *r, loy_err *err)
{
    int rc = loy_app_apikey_create_json(r->app, r->json, &r->resp, err);
    if (!rc) {
        char id[24];
        snprintf(id, sizeof(id), "%lld",
                 (long long)json_integer_value(json_object_get(r->resp, "id")));
        created(r, "apikeys", id);
    }
    return rc;
}

int loy_h_apikeys_revoke(loy_req *r, loy_err *err)
{
    char *end = NULL;
    long long id = strtoll(r->params[0], &end, 10);
    if (!*r->params[0] || *end || id <= 0)
        return loy_err_set(err, LOY_ENOTFOUND, "id", "no API key \"%s\"", r->params[0]);
    int rc = loy_app_apikey_revoke(r->app, id, err);
    if (!rc) r->resp = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
    return rc;
}

int loy_h_locations_create(loy_req *r, loy_err *err)
{
    int rc = loy_app_location_add(r->app, r->json, &r->resp, err);
    if (!rc)
        created(r, "locations",
                json_string_value(json_object_get(json_object_get(r->resp, "location"), "code")));
    return rc;
}

int loy_h_locations_update(loy_req *r, loy_err *err)
{
    return loy_app_location_rename(r->app, r->params[0], r->json, &r->resp, err);
}
