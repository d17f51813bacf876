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

#endif
