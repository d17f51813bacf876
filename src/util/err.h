/* Error codes and the error struct every fallible function fills: code, offending field, message.
 */
#ifndef LOY_UTIL_ERR_H
#define LOY_UTIL_ERR_H

enum {
    LOY_OK = 0,
    LOY_EINVALID = -1,  /* bad input: a field is missing, malformed or out of range */
    LOY_ENOTFOUND = -2, /* a referenced member, reward, purchase ... does not exist */
    LOY_ECONFLICT = -3, /* state conflict: already refunded, voucher used, key in flight */
    LOY_EBUSY = -4,     /* the database is locked for longer than the busy timeout */
    LOY_ESTORAGE = -5,  /* the database failed */
    LOY_ENOMEM = -6,    /* an allocation failed */
    LOY_EREFUSED = -7,  /* a business rule refuses: insufficient balance, out of stock, tier */
    LOY_EMISMATCH = -8  /* idempotency key reused with a different request body */
};

typedef struct loy_err {
    int code;
    char field[128];   /* JSON path or flag name of the offending input, "" if none */
    char message[512]; /* one human sentence, no trailing newline */
} loy_err;

/* Fills `e` (if not NULL) and returns `code`, so callers can `return loy_err_set(...)`. */
int loy_err_set(loy_err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears `e` to LOY_OK with empty field and message. */
void loy_err_clear(loy_err *e);

/* Puts a path in front of the field and message of an error about a nested value:
 * field "qty" with prefix "items[0]" becomes "items[0].qty", message "qty: ..." becomes
 * "items[0].qty: ..."; an error without field becomes "items[0]: ...". Returns e->code. */
int loy_err_prefix(loy_err *e, const char *prefix);

/* Stable lower-case name of a code: "invalid", "not_found", "conflict", ... */
const char *loy_err_name(int code);

#endif
