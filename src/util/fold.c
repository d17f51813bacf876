/* Search folding with utf8proc (NFKD, case fold, accent marks dropped, NFC) and phone numbers. */
#include "util/fold.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Combining diacritical marks only: Indic vowel signs and viramas (Mn/Mc elsewhere) must stay. */
static bool is_diacritic(utf8proc_int32_t c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

/* Unicode White_Space (those NFKD leaves alone; NBSP and friends already became U+0020). */
static bool is_space(utf8proc_int32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

char *loy_fold(const char *text, loy_err *err)
{
    if (!text) {
        loy_err_set(err, LOY_EINVALID, "text", "text is missing");
        return NULL;
    }
    utf8proc_uint8_t *decomposed = NULL, *composed = NULL;
    char *result = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, 0, &decomposed,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                          UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD);
    if (n < 0) {
        if (n == UTF8PROC_ERROR_NOMEM)
            loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
        else
            loy_err_set(err, LOY_EINVALID, "text", "text is not valid UTF-8");
        goto done;
    }

    /* drop diacritics and control characters, collapse white space, in place (only shrinks) */
    utf8proc_ssize_t r = 0, w = 0;
    bool pending_space = false;
    while (r < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate(decomposed + r, n - r, &c);
        if (len <= 0) {
            loy_err_set(err, LOY_EINVALID, "text", "text is not valid UTF-8");
            goto done;
        }
        r += len;
        if (is_space(c)) {
            pending_space = w > 0;
            continue;
        }
        if (is_diacritic(c) || utf8proc_category(c) == UTF8PROC_CATEGORY_CC) continue;
        if (pending_space) decomposed[w++] = ' ';
        pending_space = false;
        memmove(decomposed + w, decomposed + r - len, (size_t)len);
        w += len;
    }
    decomposed[w] = '\0';

    n = utf8proc_map(decomposed, 0, &composed,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (n < 0) {
        loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
        goto done;
    }
    result = (char *)composed;
    composed = NULL;
done:
    free(decomposed);
    free(composed);
    return result;
}

int loy_utf8_valid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0) return 0;
            i++;
            continue;
        }
        size_t need;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return 0;
        }
        if (len - i <= need) return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

size_t loy_phone_normalise(const char *text, char *out, size_t outsz)
{
    if (!out || !outsz) return 0;
    out[0] = '\0';
    if (!text) return 0;
    size_t w = 0, ndigits = 0;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (w + 1 >= outsz) goto fail;
            out[w++] = c;
            ndigits++;
        } else if (c == '+') {
            /* one plus, before every digit */
            if (w > 0 || w + 1 >= outsz) goto fail;
            out[w++] = c;
        } else if (!strchr(" -()./", c)) {
            goto fail;
        }
    }
    if (ndigits < 6) goto fail;
    out[w] = '\0';
    return ndigits;
fail:
    out[0] = '\0';
    return 0;
}
