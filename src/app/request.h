/* Validation of JSON request fields with errors that name the field (shared by all use cases). */
#ifndef LOY_APP_REQUEST_H
#define LOY_APP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define LOY_STR_MAX 4096

/* `obj` must be an object whose keys are all in `allowed` (NULL-terminated). Keys in the
 * forbidden list (points, balance, tier, merchant, ...) get "is not writable". */
int loy_req_object(const json_t *obj, const char *const *allowed, loy_err *err);
/* Integer field in [min, max]; absent -> *out = def unless required. */
int loy_req_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                int64_t def, int64_t *out, loy_err *err);
/* String field of 1..maxlen bytes (valid UTF-8, no control characters); absent -> NULL. */
int loy_req_str(const json_t *obj, const char *key, bool required, size_t maxlen, const char **out,
                loy_err *err);
int loy_req_bool(const json_t *obj, const char *key, bool def, bool *out, loy_err *err);
/* A member reference: integer id or string (card token, phone, email). Written to buf. */
int loy_req_member_ref(const json_t *obj, const char *key, char *buf, size_t bufsz, loy_err *err);
/* Shows a value for "got ..." messages. */
void loy_req_show(const json_t *v, char *out, size_t outsz);

#endif
