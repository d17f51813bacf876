/* Read-only JSON view: parse a document and walk it without the caller including jansson.h.
 * Used by src/core (programme files) so the pure core stays free of library headers. */
#ifndef LOY_UTIL_JV_H
#define LOY_UTIL_JV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct loy_jv loy_jv; /* an opaque jansson value */

typedef enum {
    LOY_JV_NULL,
    LOY_JV_BOOL,
    LOY_JV_INT,
    LOY_JV_REAL,
    LOY_JV_STRING,
    LOY_JV_ARRAY,
    LOY_JV_OBJECT
} loy_jv_type;

/* Parses `len` bytes of JSON (duplicate keys rejected, nesting <= max_depth).
 * On error returns NULL and sets err (LOY_EINVALID, message with line and column). Caller frees. */
loy_jv *loy_jv_parse(const char *buf, size_t len, int max_depth, loy_err *err);
void loy_jv_free(loy_jv *v);

loy_jv_type loy_jv_typeof(const loy_jv *v);
/* "null", "true/false", "integer", "number", "string", "array", "object" */
const char *loy_jv_type_name(const loy_jv *v);
/* Member of an object, NULL if absent or `obj` is not an object. Borrowed. */
const loy_jv *loy_jv_get(const loy_jv *obj, const char *key);
/* Array length or object size; 0 otherwise. */
size_t loy_jv_len(const loy_jv *v);
/* Array element, NULL if out of range. Borrowed. */
const loy_jv *loy_jv_at(const loy_jv *arr, size_t i);
/* Object iteration in document order: i from 0 to loy_jv_len()-1. Borrowed. */
const char *loy_jv_key_at(const loy_jv *obj, size_t i);
const loy_jv *loy_jv_value_at(const loy_jv *obj, size_t i);

const char *loy_jv_str(const loy_jv *v); /* NULL unless a string */
size_t loy_jv_str_len(const loy_jv *v);
int64_t loy_jv_int(const loy_jv *v); /* 0 unless an integer */
double loy_jv_real(const loy_jv *v); /* integer or real as double */
bool loy_jv_bool(const loy_jv *v);   /* false unless true */
/* Short rendering of a value for "got ..." messages: strings quoted, long values cut with "...". */
void loy_jv_show(const loy_jv *v, char *out, size_t outsz);

#endif
