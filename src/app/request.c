/* Request field validation (see request.h). */
#include "app/request.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"
#include "util/jv.h"

static const char *const forbidden[] = {"points",         "balance",  "balances",
                                        "tier",           "merchant", "merchant_id",
                                        "stamps_balance", "pending",  NULL};

void loy_req_show(const json_t *v, char *out, size_t outsz)
{
    loy_jv_show((const loy_jv *)v, out, outsz); /* a loy_jv is a jansson value */
}

int loy_req_object(const json_t *obj, const char *const *allowed, loy_err *err)
{
    if (!json_is_object(obj)) {
        char got[64];
        loy_req_show(obj, got, sizeof(got));
        return loy_err_set(err, LOY_EINVALID, "", "expected a JSON object, got %s", got);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++) ok = strcmp(allowed[i], k) == 0;
        if (ok) continue;
        for (size_t i = 0; forbidden[i]; i++)
            if (strcmp(forbidden[i], k) == 0)
                return loy_err_set(err, LOY_EINVALID, k, "%s: is not writable", k);
        return loy_err_set(err, LOY_EINVALID, k, "%s: unknown field", k);
    }
    return 0;
}

int loy_req_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                int64_t def, int64_t *out, loy_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required) return loy_err_set(err, LOY_EINVALID, key, "%s: is required", key);
        *out = def;
        return 0;
    }
    char got[64];
    if (!json_is_integer(v)) {
        loy_req_show(v, got, sizeof(got));
        return loy_err_set(err, LOY_EINVALID, key, "%s: expected an integer, got %s", key, got);
    }
    int64_t x = (int64_t)json_integer_value(v);
    if (x < min || x > max)
        return loy_err_set(err, LOY_EINVALID, key,
                           "%s: expected an integer from %" PRId64 " to %" PRId64 ", got %" PRId64,
                           key, min, max, x);
    *out = x;
    return 0;
}

int loy_req_str(const json_t *obj, const char *key, bool required, size_t maxlen, const char **out,
                loy_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) return loy_err_set(err, LOY_EINVALID, key, "%s: is required", key);
        return 0;
    }
    char got[64];
    if (!json_is_string(v)) {
        loy_req_show(v, got, sizeof(got));
        return loy_err_set(err, LOY_EINVALID, key, "%s: expected a string, got %s", key, got);
    }
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len == 0)
        return loy_err_set(err, LOY_EINVALID, key, "%s: expected a non-empty string", key);
    if (len > maxlen)
        return loy_err_set(err, LOY_EINVALID, key, "%s: longer than %zu bytes", key, maxlen);
    if (strlen(s) != len || !loy_utf8_valid(s, len))
        return loy_err_set(err, LOY_EINVALID, key, "%s: contains control characters", key);
    *out = s;
    return 0;
}

int loy_req_bool(const json_t *obj, const char *key, bool def, bool *out, loy_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v)) {
        char got[64];
        loy_req_show(v, got, sizeof(got));
        return loy_err_set(err, LOY_EINVALID, key, "%s: expected true or false, got %s", key, got);
    }
    *out = json_is_true(v);
    return 0;
}

int loy_req_member_ref(const json_t *obj, const char *key, char *buf, size_t bufsz, loy_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return loy_err_set(err, LOY_EINVALID, key, "%s: is required", key);
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        snprintf(buf, bufsz, "%" PRId64, (int64_t)json_integer_value(v));
        return 0;
    }
    const char *s = NULL;
    if (json_is_string(v)) {
        int rc = loy_req_str(obj, key, true, 254, &s, err);
        if (rc) return rc;
        snprintf(buf, bufsz, "%s", s);
        return 0;
    }
    char got[64];
    loy_req_show(v, got, sizeof(got));
    return loy_err_set(err, LOY_EINVALID, key,
                       "%s: expected a member id, card token, phone or email, got %s", key, got);
}
