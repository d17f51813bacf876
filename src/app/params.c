/* Readers of optional use-case parameters (see params.h). */
#include "app/params.h"
#include "app/app_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int loy_param_text(const json_t *params, const char *name, const char **out, loy_err *err)
{
    const json_t *v = json_object_get(params, name);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v) || !json_string_length(v))
        return loy_err_set(err, LOY_EINVALID, name, "%s: expected a non-empty string", name);
    *out = json_string_value(v);
    return 0;
}

int loy_param_int(const json_t *params, const char *name, int64_t min, int64_t max, int64_t def,
                  int64_t *out, loy_err *err)
{
    const json_t *v = json_object_get(params, name);
    *out = def;
    if (!v || json_is_null(v)) return 0;
    long long x = 0;
    bool ok = false;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
        ok = true;
    } else if (json_is_string(v) && json_string_length(v)) {
        char *end;
        errno = 0;
        x = strtoll(json_string_value(v), &end, 10);
        ok = !*end && !errno;
    }
    if (!ok || x < min || x > max)
        return loy_err_set(err, LOY_EINVALID, name, "%s: expected an integer from %lld to %lld",
                           name, (long long)min, (long long)max);
    *out = x;
    return 0;
}

int loy_param_rate(const json_t *params, const char *name, double def, double *out, loy_err *err)
{
    const json_t *v = json_object_get(params, name);
    *out = def;
    if (!v || json_is_null(v)) return 0;
    double x = NAN;
    if (json_is_number(v))
        x = json_number_value(v);
    else if (json_is_string(v) && json_string_length(v)) {
        char *end;
        x = strtod(json_string_value(v), &end);
        if (*end) x = NAN;
    }
    if (!(x >= 0.0 && x <= 1.0))
        return loy_err_set(err, LOY_EINVALID, name,
                           "%s: expected a yearly rate from 0 to 1 (0.1 = 10%%)", name);
    *out = x;
    return 0;
}

int loy_param_time(const loy_app *app, const json_t *params, const char *name, bool end,
                   int64_t def, int64_t *out, bool *given, loy_err *err)
{
    const char *s;
    int rc = loy_param_text(params, name, &s, err);
    *out = def;
    if (given) *given = false;
    if (rc || !s) return rc;
    int64_t days;
    if (strlen(s) == 10 && loy_date_parse(s, &days))
        *out = loy_tz_to_utc(app->tz, (days + (end ? 1 : 0)) * LOY_DAY);
    else if (!loy_time_parse(s, out))
        return loy_err_set(err, LOY_EINVALID, name,
                           "%s: expected a date \"YYYY-MM-DD\" or an ISO 8601 time, got \"%s\"",
                           name, s);
    if (given) *given = true;
    return 0;
}
