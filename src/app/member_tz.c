/* A member's time zone: the "timezone" field of member requests and the one function that says
 * which zone a member lives in (see app_int.h), with the zones loaded once per app. */
#include "app/app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/request.h"

struct loy_tz_cache {
    size_t n, cap;
    loy_tz **zones;
};

void loy_app_tz_cache_free(struct loy_tz_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) loy_tz_free(c->zones[i]);
    free(c->zones);
    free(c);
}

const loy_tz *loy_app_member_tz(loy_app *app, const loy_member_row *m)
{
    if (!m || !m->timezone[0] || (app->tz && !strcmp(loy_tz_name(app->tz), m->timezone)))
        return app->tz;
    struct loy_tz_cache *c = app->tzs;
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(loy_tz_name(c->zones[i]), m->timezone)) return c->zones[i];
    if (!c && !(c = app->tzs = calloc(1, sizeof(*c)))) return app->tz;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        loy_tz **z = realloc(c->zones, cap * sizeof(*z));
        if (!z) return app->tz;
        c->zones = z;
        c->cap = cap;
    }
    loy_tz *tz = NULL;
    loy_err err;
    if (loy_tz_load(&tz, m->timezone, &err)) return app->tz;
    c->zones[c->n++] = tz;
    return tz;
}

int loy_app_member_tz_field(const json_t *req, loy_member_row *row, loy_err *err)
{
    const json_t *v = json_object_get(req, "timezone");
    if (!v) return 0;
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        row->timezone[0] = '\0';
        return 0;
    }
    const char *name = NULL;
    int rc = loy_req_str(req, "timezone", false, sizeof(row->timezone) - 1, &name, err);
    if (rc) return rc;
    loy_tz *tz = NULL;
    loy_err e;
    if (loy_tz_load(&tz, name, &e))
        return loy_err_set(err, LOY_EINVALID, "timezone",
                           "timezone: expected an IANA time zone like \"Asia/Kuala_Lumpur\" or "
                           "\"Pacific/Honolulu\", got \"%s\"",
                           name);
    snprintf(row->timezone, sizeof(row->timezone), "%s", loy_tz_name(tz));
    loy_tz_free(tz);
    return 0;
}
