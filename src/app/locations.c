/* Use cases: add and rename a merchant's locations. A location belongs to the programme document
 * (purchases name it, rules may be limited to it, the locations table follows the programme), so
 * each change saves the active programme with the location added or renamed as a new version, in
 * one transaction, through the same store code as `loyalty programme set`. */
#include "app/app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdump.h"

#include "app/request.h"

#define NAME_MAX_BYTES 200

/* An error of the programme check about locations[i].code or locations[i].name becomes an error
 * about the request's "code" or "name". */
static int request_error(loy_err *err)
{
    const char *close =
        strncmp(err->field, "locations[", 10) == 0 ? strstr(err->field, "].") : NULL;
    if (!close) return err->code;
    char field[128], message[512];
    snprintf(field, sizeof(field), "%s", close + 2);
    size_t skip = (size_t)(close + 2 - err->field);
    snprintf(message, sizeof(message), "%s",
             strncmp(err->message, err->field, skip) == 0 ? err->message + skip : err->message);
    return loy_err_set(err, err->code, field, "%s", message);
}

/* The index of location `code` in the programme's "locations", or -1. */
static int find(const json_t *locs, const char *code)
{
    size_t i;
    const json_t *l;
    json_array_foreach(locs, i, l)
    {
        const char *c = json_string_value(json_object_get(l, "code"));
        if (c && !strcmp(c, code)) return (int)i;
    }
    return -1;
}

/* Saves `doc` as the next programme version (checked like `loyalty programme set`) and syncs the
 * locations table; *id = the location's id. Inside the caller's write transaction. */
static int save(loy_app *app, json_t *doc, const char *code, int64_t now, int64_t *version,
                int64_t *id, loy_err *err)
{
    char *text = json_dumps(doc, LOY_JSON_AS_WRITTEN);
    if (!text) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    loy_programme *p = NULL;
    int rc = loy_app_programme_check(text, strlen(text), err);
    if (rc) rc = request_error(err);
    if (!rc) rc = loy_programme_parse(&p, text, strlen(text), err);
    if (!rc)
        rc =
            loy_store_programme_put(&app->conn, app->merchant, text, now, app->actor, version, err);
    if (!rc) rc = loy_store_merchant_sync(&app->conn, app->merchant, p, err);
    if (!rc) rc = loy_store_location_id(&app->conn, app->merchant, code, id, err);
    loy_programme_free(p);
    free(text);
    return rc;
}

/* Adds (add true) or renames location `code` in one transaction. */
static int change(loy_app *app, bool add, const char *code, const char *name, json_t **resp,
                  loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int64_t now = loy_app_now(app), version = 0, id = 0;
    char *body = NULL, before[NAME_MAX_BYTES + 1] = "";
    json_t *doc = NULL;
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_programme_get(&app->conn, app->merchant, 0, &body, &version, NULL, err);
    if (!rc) doc = json_loads(body, 0, NULL);
    if (!rc && !json_is_object(doc)) /* a macro: its argument is evaluated twice */
        rc = loy_err_set(err, LOY_ESTORAGE, "", "the active programme is not a JSON object");
    json_t *locs = rc ? NULL : json_object_get(doc, "locations");
    if (!rc && !locs) json_object_set_new(doc, "locations", locs = json_array());
    if (!rc && !json_is_array(locs))
        rc = loy_err_set(err, LOY_ESTORAGE, "", "the active programme's locations are no list");
    int at = rc ? -1 : find(locs, code);
    if (!rc && add && at >= 0)
        rc = loy_err_set(err, LOY_ECONFLICT, "code", "code: the location %s exists already", code);
    if (!rc && !add && at < 0) rc = loy_err_set(err, LOY_ENOTFOUND, "code", "no location %s", code);
    bool same = false;
    if (!rc && add)
        json_array_append_new(locs, json_pack("{s:s, s:s}", "code", code, "name", name));
    else if (!rc) {
        json_t *l = json_array_get(locs, (size_t)at);
        snprintf(before, sizeof(before), "%s", json_string_value(json_object_get(l, "name")));
        same = !strcmp(before, name);
        json_object_set_new(l, "name", json_string(name));
    }
    if (!rc && same)
        rc = loy_store_location_id(&app->conn, app->merchant, code, &id, err);
    else if (!rc) {
        rc = save(app, doc, code, now, &version, &id, err);
        json_t *d = add ? json_pack("{s:s, s:s, s:I}", "code", code, "name", name, "programme",
                                    (json_int_t)version)
                        : json_pack("{s:s, s:[s, s], s:I}", "code", code, "name", before, name,
                                    "programme", (json_int_t)version);
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
        if (!rc && !detail) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        if (!rc)
            rc = loy_store_audit(&app->conn, app->merchant, app->actor,
                                 add ? "location.add" : "location.rename", "location", id, NULL,
                                 detail, now, NULL, err);
        free(detail);
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    free(body);
    json_decref(doc);
    if (!rc) rc = loy_app_select_merchant(app, app->merchant, err); /* the new version */
    if (rc) return rc;
    char join[48];
    snprintf(join, sizeof(join), "/join/%lld", (long long)id);
    *resp = json_pack("{s:{s:I, s:s, s:s, s:s}, s:I}", "location", "id", (json_int_t)id, "code",
                      code, "name", name, "join", join, "programme_version", (json_int_t)version);
    return 0;
}

int loy_app_location_add(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    static const char *const fields[] = {"code", "name", NULL};
    const char *code = NULL, *name = NULL;
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = loy_req_str(req, "code", true, LOY_ID_MAX - 1, &code, err);
    if (!rc) rc = loy_req_str(req, "name", true, NAME_MAX_BYTES, &name, err);
    return rc ? rc : change(app, true, code, name, resp, err);
}

int loy_app_location_rename(loy_app *app, const char *code, const json_t *req, json_t **resp,
                            loy_err *err)
{
    static const char *const fields[] = {"name", NULL};
    const char *name = NULL;
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = loy_req_str(req, "name", true, NAME_MAX_BYTES, &name, err);
    return rc ? rc : change(app, false, code ? code : "", name, resp, err);
}
