/* Error struct helpers. */
#include "util/err.h"

#include <stdarg.h>
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

const char *loy_err_name(int code)
{
    switch (code) {
    case LOY_OK: return "ok";
    case LOY_EINVALID: return "invalid";
    case LOY_ENOTFOUND: return "not_found";
    case LOY_ECONFLICT: return "conflict";
    case LOY_EBUSY: return "busy";
    case LOY_ESTORAGE: return "storage";
    case LOY_ENOMEM: return "no_memory";
    case LOY_EREFUSED: return "refused";
    case LOY_EMISMATCH: return "idempotency_mismatch";
    default: return "error";
    }
}
