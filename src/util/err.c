/* Error struct helpers. */
#include "util/err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int loy_err_set(loy_err *e, int code, const char *field, const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return code;
}

void loy_err_clear(loy_err *e)
{
    if (!e) return;
    e->code = LOY_OK;
    e->field[0] = '\0';
    e->message[0] = '\0';
}

int loy_err_prefix(loy_err *e, const char *prefix)
{
    if (!e) return LOY_EINVALID;
    char field[sizeof(e->field)], message[sizeof(e->message)];
    bool had = e->field[0] != '\0';
    snprintf(field, sizeof(field), "%s%s%s", prefix, had ? "." : "", e->field);
    snprintf(message, sizeof(message), "%s%s%.*s", prefix, had ? "." : ": ",
             (int)(sizeof(message) - strlen(prefix) - 3), e->message);
    memcpy(e->field, field, sizeof(field));
    memcpy(e->message, message, sizeof(message));
    return e->code;
}

const char *loy_err_name(int code)
{
    switch (code) {
    case LOY_OK:
        return "ok";
    case LOY_EINVALID:
        return "invalid";
    case LOY_ENOTFOUND:
        return "not_found";
    case LOY_ECONFLICT:
        return "conflict";
    case LOY_EBUSY:
        return "busy";
    case LOY_ESTORAGE:
        return "storage";
    case LOY_ENOMEM:
        return "no_memory";
    case LOY_EREFUSED:
        return "refused";
    case LOY_EMISMATCH:
        return "idempotency_mismatch";
    default:
        return "error";
    }
}
