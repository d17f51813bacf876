/* Internals shared by the feedback use cases (feedback.c, cases.c, report_nps.c). */
#ifndef LOY_APP_FEEDBACK_INT_H
#define LOY_APP_FEEDBACK_INT_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/* A free-text field (a comment, a note) of at most `max` characters: line breaks and tabs
 * allowed, other control characters not; trimmed. *out = a malloc'ed copy, NULL when absent,
 * null or blank. LOY_EINVALID naming `key`. */
int loy_feedback_text(const json_t *req, const char *key, size_t max, char **out, loy_err *err);

#endif
