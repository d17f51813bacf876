/* Read-only JSON view over jansson (see jv.h). Object order is kept by jansson's iteration. */
#include "util/jv.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define J(v) ((json_t *)(v))

static int depth_ok(const json_t *v, int depth, int max)
{
    if (depth > max) return 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (!depth_ok(e, depth + 1, max)) return 0;
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e) if (!depth_ok(e, depth + 1, max)) return 0;
    }
    return 1;
}

loy_jv *loy_jv_parse(const char *buf, size_t len, int max_depth, loy_err *err)
{
    json_error_t je;
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v) {
        loy_err_set(err, LOY_EINVALID, "", "invalid JSON at line %d column %d: %s", je.line,
                    je.column, je.text);
        return NULL;
    }
    if (!depth_ok(v, 1, max_depth)) {
        json_decref(v);
        loy_err_set(err, LOY_EINVALID, "", "JSON nested deeper than %d levels", max_depth);
        return NULL;
    }
    return (loy_jv *)v;
}

void loy_jv_free(loy_jv *v)
{
    if (v) json_decref(J(v));
}

loy_jv_type loy_jv_typeof(const loy_jv *v)
{
    switch (json_typeof(J(v))) {
    case JSON_OBJECT:
        return LOY_JV_OBJECT;
    case JSON_ARRAY:
        return LOY_JV_ARRAY;
    case JSON_STRING:
        return LOY_JV_STRING;
    case JSON_INTEGER:
        return LOY_JV_INT;
    case JSON_REAL:
        return LOY_JV_REAL;
    case JSON_TRUE:
    case JSON_FALSE:
        return LOY_JV_BOOL;
    default:
        return LOY_JV_NULL;
    }
}

const char *loy_jv_type_name(const loy_jv *v)
{
    if (!v) return "nothing";
    switch (loy_jv_typeof(v)) {
    case LOY_JV_OBJECT:
        return "an object";
    case LOY_JV_ARRAY:
        return "an array";
    case LOY_JV_STRING:
        return "a string";
    case LOY_JV_INT:
        return "an integer";
    case LOY_JV_REAL:
        return "a number";
    case LOY_JV_BOOL:
        return "a boolean";
    default:
        return "null";
    }
}

const loy_jv *loy_jv_get(const loy_jv *obj, const char *key)
{
    if (!obj || !json_is_object(J(obj))) return NULL;
    return (const loy_jv *)json_object_get(J(obj), key);
}

size_t loy_jv_len(const loy_jv *v)
{
    if (!v) return 0;
    if (json_is_array(J(v))) return json_array_size(J(v));
    if (json_is_object(J(v))) return json_object_size(J(v));
    return 0;
}

const loy_jv *loy_jv_at(const loy_jv *arr, size_t i)
{
    if (!arr || !json_is_array(J(arr))) return NULL;
    return (const loy_jv *)json_array_get(J(arr), i);
}

static void *iter_at(const loy_jv *obj, size_t i)
{
    if (!obj || !json_is_object(J(obj))) return NULL;
    void *it = json_object_iter(J(obj));
    while (it && i--) it = json_object_iter_next(J(obj), it);
    return it;
}

const char *loy_jv_key_at(const loy_jv *obj, size_t i)
{
    void *it = iter_at(obj, i);
    return it ? json_object_iter_key(it) : NULL;
}

const loy_jv *loy_jv_value_at(const loy_jv *obj, size_t i)
{
    void *it = iter_at(obj, i);
    return it ? (const loy_jv *)json_object_iter_value(it) : NULL;
}

const char *loy_jv_str(const loy_jv *v)
{
    return v && json_is_string(J(v)) ? json_string_value(J(v)) : NULL;
}

size_t loy_jv_str_len(const loy_jv *v)
{
    return v && json_is_string(J(v)) ? json_string_length(J(v)) : 0;
}

int64_t loy_jv_int(const loy_jv *v)
{
    return v && json_is_integer(J(v)) ? (int64_t)json_integer_value(J(v)) : 0;
}

double loy_jv_real(const loy_jv *v)
{
    return v && json_is_number(J(v)) ? json_number_value(J(v)) : 0.0;
}

bool loy_jv_bool(const loy_jv *v)
{
    return v && json_is_true(J(v));
}

void loy_jv_show(const loy_jv *v, char *out, size_t outsz)
{
    if (!outsz) return;
    if (!v) {
        snprintf(out, outsz, "nothing");
        return;
    }
    char *s = json_dumps(J(v), JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s) {
        snprintf(out, outsz, "%s", loy_jv_type_name(v));
        return;
    }
    if (strlen(s) + 1 > outsz && outsz > 4)
        snprintf(out, outsz, "%.*s...", (int)(outsz - 4), s);
    else
        snprintf(out, outsz, "%s", s);
    free(s);
}
