/* Optional use-case parameters given as JSON values or as text (query strings, CLI flags): one
 * reader per kind, shared by reports and models, each refusing a bad value with an error that
 * names the parameter. Absent or null parameters take the default. */
#ifndef LOY_APP_PARAMS_H
#define LOY_APP_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

/* A non-empty string (*out borrowed from params; NULL when absent). */
int loy_param_text(const json_t *params, const char *name, const char **out, loy_err *err);
/* An integer, or a string holding one, in [min, max]. */
int loy_param_int(const json_t *params, const char *name, int64_t min, int64_t max, int64_t def,
                  int64_t *out, loy_err *err);
/* A yearly rate from 0 to 1, a number or a string holding one. */
int loy_param_rate(const json_t *params, const char *name, double def, double *out, loy_err *err);
/* A date "YYYY-MM-DD" (local midnight in the merchant's zone; with `end`, the midnight after it:
 * that day included) or an ISO 8601 instant. *given (may be NULL) says whether it was given. */
int loy_param_time(const loy_app *app, const json_t *params, const char *name, bool end,
                   int64_t def, int64_t *out, bool *given, loy_err *err);

#endif
