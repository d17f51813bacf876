/* Fast compact JSON serialisation of jansson values (the write path stores every response):
 * integers without printf, strings escaped in one pass, keys in insertion or sorted order. */
#ifndef LOY_UTIL_JDUMP_H
#define LOY_UTIL_JDUMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Compact JSON text of v (UTF-8 kept as is; ", \ and control characters escaped); object keys
 * in insertion order, or sorted byte-wise when sort_keys. Returns a malloc'ed NUL-terminated
 * string (length in *len if not NULL), or NULL when out of memory. */
char *loy_json_dump(const json_t *v, bool sort_keys, size_t *len);

/* json_dumps flags for a document people wrote and read again (the programme): compact, reals
 * with 15 significant digits, so a 0.1 typed stays "0.1" (jansson's default 17 digits would store
 * "0.10000000000000001"); every decimal of 15 digits or fewer survives the round trip. */
#define LOY_JSON_AS_WRITTEN (JSON_COMPACT | JSON_REAL_PRECISION(15))

#endif
