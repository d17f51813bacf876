/* A small template language for messages (docs/messages.md): {{name}} is replaced by a value,
 * {{#name}}...{{/name}} is kept only when the value is not empty, {{^name}}...{{/name}} only when
 * it is. Names are 1 to 40 of a-z, 0-9 and "_"; spaces inside the braces are allowed. A section
 * tag alone on its line takes the whole line with it, so sections can be written on lines of
 * their own. Generic: it knows no variable; the caller gives the names allowed (check) and the
 * values (render). */
#ifndef LOY_UTIL_TMPL_H
#define LOY_UTIL_TMPL_H

#include <stdbool.h>

#include "util/err.h"

#define LOY_TMPL_NAME_MAX  40
#define LOY_TMPL_DEPTH_MAX 8

/* Checks the syntax of `text` and that every name is in `known` (NULL-terminated). LOY_EINVALID
 * with a message "line L, column C: ..." (field "") otherwise: an unknown variable, "{{" without
 * "}}", a section not closed or closed by another name, sections nested deeper than 8,
 * "{{{...}}}" (not supported: HTML escaping is decided by the part, not the tag). */
int loy_tmpl_check(const char *text, const char *const *known, loy_err *err);

/* The value of a variable, or NULL / "" when it has none. `section` is true when the value decides
 * a section ({{#name}} or {{^name}}): the caller may then answer "" for a value that shows but
 * means nothing ("0 points"). */
typedef const char *(*loy_tmpl_get)(void *ctx, const char *name, bool section);

/* Renders a checked template. html: values are HTML-escaped (util/html.h); the template's own
 * text never is. *out is malloc'ed (caller frees). LOY_EINVALID as loy_tmpl_check for a template
 * that does not parse (names are not checked here), LOY_ENOMEM. */
int loy_tmpl_render(const char *text, loy_tmpl_get get, void *ctx, bool html, char **out,
                    loy_err *err);

#endif
