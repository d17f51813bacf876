/* Validation helpers shared by the parsers of the programme file (programme.c and the section
 * files programme_*.c): JSON paths, "PATH: expected WHAT, got SHOWN" errors, unknown fields with a
 * "did you mean" suggestion, and the value checks the sections have in common. Pure: no I/O. */
#ifndef LOY_CORE_PROGRAMME_CHECK_H
#define LOY_CORE_PROGRAMME_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/jv.h"

#define LOY_PC_PATH_MAX 192 /* a JSON path buffer, e.g. "points.earn[0].multiplier" */
#define LOY_PC_SHOW_MAX 80  /* the rendering of a value after "got " (longer ones are cut) */

/* Writes the path of member `key` of the object at `path` into out (n bytes, cut to fit):
 * "path.key", or "key" when path is "" (the document root). Control characters of the key are
 * shown as '?' so that messages stay on one line. */
void loy_pc_child(char *out, size_t n, const char *path, const char *key);

/* Sets err to LOY_EINVALID with field `path` and the message "PATH: expected WHAT, got SHOWN"
 * ("expected WHAT, got SHOWN" when path is ""), where WHAT is fmt formatted with the arguments
 * and SHOWN is `got` as loy_jv_show renders it ("nothing" when got is NULL). Returns
 * LOY_EINVALID, so callers can `return loy_pc_fail(...)`. */
int loy_pc_fail(loy_err *err, const char *path, const loy_jv *got, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* loy_pc_fail with SHOWN given as text, for what has no loy_jv (a key, a defaulted id). */
int loy_pc_fail_shown(loy_err *err, const char *path, const char *shown, const char *what);

/* Sets err to LOY_ENOMEM "out of memory" with field `path`; returns LOY_ENOMEM. */
int loy_pc_nomem(loy_err *err, const char *path);

/* Whether `s` is one of the NULL-terminated list `known`. */
bool loy_pc_known(const char *const *known, const char *s);

/* The error for member `key` (its path: `path`) that is not in the NULL-terminated list `known`:
 * LOY_EINVALID with field `path` and the message "PATH: unknown field (did you mean "x"?)" when
 * x is the first of the closest known names within two edits (optimal string alignment
 * distance), else "PATH: unknown field (expected one of a, b, c)" ("(expected a)" when there is
 * only one). Returns LOY_EINVALID. */
int loy_pc_unknown(loy_err *err, const char *path, const char *key, const char *const *known);

/* Checks that `o` is an object whose keys are all in `known`: anything else than an object fails
 * with loy_pc_fail(err, path, o, "%s", what); the first unknown key in document order fails with
 * loy_pc_unknown. Returns 0 or LOY_EINVALID. The values are not looked at. */
int loy_pc_object(loy_err *err, const char *path, const loy_jv *o, const char *const *known,
                  const char *what);

/* A JSON integer from min to max into *out; else "expected an integer from MIN to MAX". */
int loy_pc_integer(loy_err *err, const char *path, const loy_jv *v, int64_t min, int64_t max,
                   int64_t *out);

/* A JSON true or false into *out; else "expected true or false". */
int loy_pc_bool(loy_err *err, const char *path, const loy_jv *v, bool *out);

/* A JSON number with at most `decimals` decimals (1e-6 of slack for binary fractions), scaled by
 * 10^decimals, from min to max (scaled) into *out; else "expected WHAT". */
int loy_pc_scaled(loy_err *err, const char *path, const loy_jv *v, int decimals, int64_t min,
                  int64_t max, const char *what, int64_t *out);

/* Reads the first five characters of s as a time "HH:MM" (two digits, ':', two digits; hours
 * 00 to 23, or "24:00" when allow24) into minutes after midnight. Returns false, leaving *out
 * alone, when they are not one. s must be NUL-terminated (it is not read past its end). */
bool loy_pc_clock(const char *s, bool allow24, int *out);

/* A JSON string that is exactly a local time "HH:MM" from 00:00 to 23:59 into minutes after
 * midnight; else "expected a local time like "EXAMPLE" (00:00 to 23:59)". */
int loy_pc_hhmm(loy_err *err, const char *path, const loy_jv *v, const char *example, int *out);

/* Whether s is 1 to maxlen characters of a-z, 0-9, '_' and '-', plus A-Z when `upper` and '.'
 * when `dot` (ids, codes, categories). */
bool loy_pc_charset_ok(const char *s, size_t maxlen, bool upper, bool dot);

#endif
