/* The customer's join page: the checked member-create request for a location's public join
 * address, and the part of the answer a customer may see (their card, nothing else). */
#include "app/app_int.h"

#include <stdio.h>
#include <string.h>

#include "app/request.h"

int loy_app_locations(loy_app *app, json_t **resp, loy_err *err)
{
    *resp = NULL;
    json_t *arr = json_array();
    int rc = 0;
    for (size_t i = 0; !rc && i < app->prog->nlocations; i++) {
        const char *code = app->prog->locations[i].code;
        int64_t id = 0;
        rc = loy_store_location_id(&app->conn, app->merchant, code, &id, err);
        char join[48];
        snprintf(join, sizeof(join), "/join/%lld", (long long)id);
        json_array_append_new(arr,
                              json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "code", code,
                                        "name", app->prog->locations[i].name, "join", join));
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:o}", "locations", arr);
    return 0;
}

/* The location of a join address and the selection of its merchant. */
static int join_location(loy_app *app, int64_t location_id, char *code, size_t n, char *name,
                         size_t name_n, loy_err *err)
{
    int64_t merchant = 0;
    int rc = location_id > 0 ? loy_store_location_get(&app->conn, location_id, &merchant, code, n,
                                                      name, name_n, err)
                             : loy_err_set(err, LOY_ENOTFOUND, "location", "no such location");
    return rc ? rc : loy_app_select_merchant(app, merchant, err);
}

int loy_app_join_info(loy_app *app, int64_t location_id, json_t **resp, loy_err *err)
{
    char code[64], name[256];
    int rc = join_location(app, location_id, code, sizeof(code), name, sizeof(name), err);
    if (rc) return rc;
    *resp = json_pack("{s:{s:I, s:s, s:s}, s:{s:s, s:s, s:s}}", "location", "id",
                      (json_int_t)location_id, "code", code, "name", name, "merchant", "name",
                      app->merchant_row.name, "currency", app->merchant_row.currency, "locale",
                      app->merchant_row.locale);
    return 0;
}

int loy_app_join_request(loy_app *app, int64_t location_id, const json_t *body, json_t **req,
                         loy_err *err)
{
    *req = NULL;
    char code[64], name[256];
    int rc = join_location(app, location_id, code, sizeof(code), name, sizeof(name), err);
    if (rc) return rc;
    static const char *const fields[] = {"name",   "phone",   "email",         "birthday",
                                         "locale", "consent", "referral_code", NULL};
    rc = loy_req_object(body, fields, err);
    const char *s = NULL;
    if (!rc) rc = loy_req_str(body, "name", true, 200, &s, err);
    const json_t *phone = json_object_get(body, "phone"), *email = json_object_get(body, "email");
    if (!rc && (!phone || json_is_null(phone)) && (!email || json_is_null(email)))
        rc = loy_err_set(err, LOY_EINVALID, "phone", "phone or email: give at least one");
    if (rc) return rc;
    /* the member use case checks every field; the join page adds where and how */
    json_t *r = json_deep_copy(body);
    char source[128];
    snprintf(source, sizeof(source), "join page, location %s", code);
    json_object_set_new(r, "location", json_string(code));
    json_object_set_new(r, "consent_source", json_string(source));
    if (!json_object_get(r, "consent"))
        json_object_set_new(r, "consent", json_pack("{s:b, s:b}", "email", 0, "sms", 0));
    *req = r;
    return 0;
}

json_t *loy_app_join_public(const json_t *created)
{
    const json_t *m = json_object_get(created, "member");
    const char *token = json_string_value(json_object_get(m, "card_token"));
    char card[96];
    snprintf(card, sizeof(card), "/c/%s", token ? token : "");
    return json_pack("{s:{s:O, s:O, s:O}, s:s}", "member", "name", json_object_get(m, "name"),
                     "locale", json_object_get(m, "locale"), "card_token",
                     json_object_get(m, "card_token"), "card", card);
}
