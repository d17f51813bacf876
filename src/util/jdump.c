/* Fast compact JSON serialisation (see jdump.h). */
#include "util/jdump.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} buf;

static void reserve(buf *b, size_t more)
{
    if (b->oom || b->n + more <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more) cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) {
        b->oom = true;
        return;
    }
    b->p = np;
    b->cap = cap;
}

static void put(buf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (b->oom) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void putc_(buf *b, char c)
{
    reserve(b, 1);
    if (!b->oom) b->p[b->n++] = c;
}

static void put_int(buf *b, json_int_t v)
{
    char tmp[24];
    int i = (int)sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[--i] = '-';
    put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

static void put_str(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    reserve(b, n + 2);
    putc_(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(b, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"':
            put(b, "\\\"", 2);
            break;
        case '\\':
            put(b, "\\\\", 2);
            break;
        case '\n':
            put(b, "\\n", 2);
            break;
        case '\r':
            put(b, "\\r", 2);
            break;
        case '\t':
            put(b, "\\t", 2);
            break;
        case '\b':
            put(b, "\\b", 2);
            break;
        case '\f':
            put(b, "\\f", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(b, u, 6);
        }
        }
    }
    put(b, s + start, n - start);
    putc_(b, '"');
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void dump(buf *b, const json_t *v, bool sort)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        put(b, "null", 4);
        break;
    case JSON_TRUE:
        put(b, "true", 4);
        break;
    case JSON_FALSE:
        put(b, "false", 5);
        break;
    case JSON_INTEGER:
        put_int(b, json_integer_value(v));
        break;
    case JSON_REAL: {
        char tmp[40];
        int n = snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
        if (n > 0 && !strpbrk(tmp, ".eEni")) {
            tmp[n++] = '.';
            tmp[n++] = '0';
        }
        put(b, tmp, (size_t)(n > 0 ? n : 0));
        break;
    }
    case JSON_STRING:
        put_str(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        putc_(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) putc_(b, ',');
            dump(b, json_array_get(v, i), sort);
        }
        putc_(b, ']');
        break;
    }
    case JSON_OBJECT: {
        putc_(b, '{');
        size_t n = json_object_size(v), i = 0;
        if (sort && n > 1) {
            const char **keys = malloc(n * sizeof(*keys));
            if (!keys) {
                b->oom = true;
                return;
            }
            const char *k;
            json_t *e;
            json_object_foreach((json_t *)v, k, e) keys[i++] = k;
            qsort(keys, n, sizeof(*keys), cmp_keys);
            for (i = 0; i < n; i++) {
                if (i) putc_(b, ',');
                put_str(b, keys[i], strlen(keys[i]));
                putc_(b, ':');
                dump(b, json_object_get(v, keys[i]), sort);
            }
            free(keys);
        } else {
            const char *k;
            json_t *e;
            json_object_foreach((json_t *)v, k, e)
            {
                if (i++) putc_(b, ',');
                put_str(b, k, strlen(k));
                putc_(b, ':');
                dump(b, e, sort);
            }
        }
        putc_(b, '}');
        break;
    }
    }
}

char *loy_json_dump(const json_t *v, bool sort_keys, size_t *len)
{
    buf b = {0};
    dump(&b, v, sort_keys);
    putc_(&b, '\0');
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (len) *len = b.n - 1;
    return b.p;
}
