/* The OpenAPI 3.1 description, generated from the route table so the two cannot disagree.
 * docs/openapi.json is this document as printed by `loyalty openapi`. */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

static json_t *error_response(const char *description)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", description, "content",
                     "application/json", "schema", "$ref", "#/components/schemas/Error");
}

static json_t *operation(const loy_route *rt)
{
    json_t *op = json_pack("{s:s, s:s}", "summary", rt->summary, "operationId", "");
    char opid[128];
    size_t j = 0;
    for (const char *p = rt->method; *p && j + 1 < sizeof(opid); p++)
        opid[j++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    for (const char *p = rt->pattern; *p && j + 1 < sizeof(opid); p++)
        opid[j++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
    opid[j] = '\0';
    json_object_set_new(op, "operationId", json_string(opid));
    json_t *params = json_array();
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
                                                "path", "required", 1, "schema", "type", "string"));
    }
    for (const char *p = rt->query; p && *p;) {
        size_t n = strcspn(p, ",");
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "query",
                                        "required", 0, "schema", "type", "string"));
        p += n + (p[n] == ',');
    }
    if (rt->body & LOY_BODY_IDEMPOTENT)
        json_array_append_new(
            params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i}}", "name", "Idempotency-Key", "in",
                              "header", "required", 1, "description",
                              "one effect per key: a retry with the same key and body returns "
                              "the stored response; another body gets 422",
                              "schema", "type", "string", "maxLength", 255));
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (rt->body & LOY_BODY_JSON)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
                                      "application/json", "schema", "type", "object"));
    if (rt->body & LOY_BODY_FORM) /* an HTML form, in either encoding a browser may use */
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}, s:{s:{s:s}}}}", "required", 1,
                                      "content", "application/x-www-form-urlencoded", "schema",
                                      "type", "object", "multipart/form-data", "schema", "type",
                                      "object"));
    if (rt->body & LOY_BODY_STATIC) { /* a console file, not JSON: no error schema, no key */
        json_t *ok =
            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "the file", "content",
                      strchr(rt->pattern, '{') ? "*/*" : "text/html", "schema", "type", "string");
        json_t *resp = json_pack("{s:o, s:{s:s}}", "200", ok, "304", "description",
                                 "not modified (If-None-Match names the current ETag)");
        if (strchr(rt->pattern, '{'))
            json_object_set_new(resp, "404", json_pack("{s:s}", "description", "no such file"));
        json_object_set_new(op, "responses", resp);
        json_object_set_new(op, "security", json_array());
        json_object_set_new(op, "tags", json_pack("[s]", "console"));
        return op;
    }
    json_t *resp = json_object();
    bool creates = (rt->body & LOY_BODY_IDEMPOTENT) && strcmp(rt->method, "POST") == 0 &&
                   !strstr(rt->pattern, "/use");
    json_object_set_new(resp, creates ? "201" : "200",
                        json_pack("{s:s}", "description", creates ? "created" : "ok"));
    if (rt->role != LOY_ROLE_NONE) {
        json_object_set_new(resp, "401", error_response("missing or unknown API key"));
        json_object_set_new(resp, "403", error_response("the key's role may not do this"));
    }
    if (rt->body & (LOY_BODY_JSON | LOY_BODY_IDEMPOTENT) || strchr(rt->pattern, '{') || rt->query)
        json_object_set_new(resp, "400", error_response("invalid input; names the field"));
    if (strchr(rt->pattern, '{'))
        json_object_set_new(resp, "404", error_response("not found (or another merchant's)"));
    if (rt->body & LOY_BODY_IDEMPOTENT)
        json_object_set_new(resp, "422",
                            error_response("refused by a business rule, or the idempotency key "
                                           "was used with another body"));
    if (rt->body & LOY_BODY_JSON) {
        json_object_set_new(resp, "413", error_response("body larger than 64 KiB"));
        json_object_set_new(resp, "415", error_response("not application/json"));
    }
    if (rt->body & LOY_BODY_FORM) {
        json_object_set_new(resp, "413", error_response("body larger than 64 KiB"));
        json_object_set_new(resp, "415", error_response("not a form body"));
    }
    json_object_set_new(op, "responses", resp);
    if (rt->role == LOY_ROLE_NONE)
        json_object_set_new(op, "security", json_array());
    else {
        json_object_set_new(op, "x-minimum-role", json_string(loy_role_name(rt->role)));
    }
    return op;
}

json_t *loy_openapi(loy_err *err)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < loy_nroutes; i++) {
        const loy_route *rt = &loy_routes[i];
        json_t *item = json_object_get(paths, rt->pattern);
        if (!item) json_object_set_new(paths, rt->pattern, item = json_object());
        char method[8];
        size_t j = 0;
        for (; rt->method[j] && j + 1 < sizeof(method); j++) method[j] = (char)(rt->method[j] + 32);
        method[j] = '\0';
        json_object_set_new(item, method, operation(rt));
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:[s], "
        "s:{s:{s:s, s:[s,s,s], s:{s:{s:s}, s:{s:s}, s:{s:s}}}}}}}, s:[{s:[]}]}",
        "openapi", "3.1.0", "info", "title", "loyalty", "version", "1", "description",
        "Customer-loyalty engine: members, purchases, rewards. Money is integer minor units "
        "with the merchant's ISO 4217 currency; times are ISO 8601 UTC.",
        "servers", "url", "http://127.0.0.1:8080", "paths", paths, "components", "securitySchemes",
        "apiKey", "type", "http", "scheme", "bearer", "schemas", "Error", "type", "object",
        "required", "error", "properties", "error", "type", "object", "required", "code", "message",
        "field", "properties", "code", "type", "string", "message", "type", "string", "field",
        "type", "string", "security", "apiKey");
    if (!doc) loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    return doc;
}
