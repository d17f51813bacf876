/* Text folding for search: Unicode NFKD + case folding, Latin-style accents removed (combining
 * diacritical marks only, so Bengali vowel signs stay), recomposed; phone numbers to digits. */
#ifndef LOY_UTIL_FOLD_H
#define LOY_UTIL_FOLD_H

#include <stddef.h>

#include "util/err.h"

/* Folds UTF-8 `text` for matching: "Zoltán" -> "zoltan", "SUMON" -> "sumon", "সুমন" unchanged
 * apart from normalisation, "Straße" -> "strasse". Whitespace runs become one space, ends trimmed.
 * Returns a new string (caller frees) or NULL with err set (LOY_EINVALID: not valid UTF-8,
 * field "text"; LOY_ENOMEM). */
char *loy_fold(const char *text, loy_err *err);

/* True when `text` is valid UTF-8 without NUL or C0 control characters other than tab. */
int loy_utf8_valid(const char *text, size_t len);

/* Normalises a phone number to "+" and digits: "+60 12-345 6789" -> "+60123456789",
 * "012 345 6789" -> "0123456789". Writes at most outsz-1 bytes; returns the number of digits,
 * 0 when the text has fewer than 6 digits or characters other than digits, spaces, "+-()./". */
size_t loy_phone_normalise(const char *text, char *out, size_t outsz);

#endif
