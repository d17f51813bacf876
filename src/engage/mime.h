/* Internet mail messages (RFC 5322, MIME RFC 2045-2047): a multipart/alternative message with a
 * text and an HTML part in UTF-8, encoded headers for subjects and display names in any script,
 * and the one-click unsubscribe headers of RFC 2369 and RFC 8058. Pure: builds bytes. */
#ifndef LOY_ENGAGE_MIME_H
#define LOY_ENGAGE_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    const char *from_name, *from_addr; /* display name may be NULL or "" */
    const char *to_name, *to_addr;
    const char *subject;         /* one line, UTF-8 */
    const char *text, *html;     /* UTF-8 bodies, LF or CRLF line ends */
    const char *lang;            /* Content-Language ("bn"), NULL = none */
    const char *message_id;      /* "local@domain", without the angle brackets */
    int64_t date;                /* UTC seconds, for the Date header */
    const char *unsubscribe_url; /* List-Unsubscribe (and -Post: one click); NULL = none */
} loy_mime_msg;

/* The whole message: headers Date, From, To, Subject, Message-ID, MIME-Version, Content-Type
 * (multipart/alternative, boundary "=_loyalty_..." that no encoded body line can contain),
 * Content-Language, List-Unsubscribe: <URL> and List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click; then the text part and the HTML part, each quoted-printable (mostly
 * ASCII) or base64 (mostly other scripts). CRLF line ends; no line longer than 998 bytes (header
 * values over 78 columns are encoded and folded). *out is malloc'ed (NUL-terminated; *len
 * without it). LOY_EINVALID naming the field ("from", "to", "message_id", "unsubscribe_url") for
 * an address, id or URL that cannot go in a header. */
int loy_mime_build(const loy_mime_msg *m, char **out, size_t *len, loy_err *err);

/* A header value in RFC 2047 encoded words ("=?UTF-8?B?...?="), split between whole UTF-8
 * characters, folded with CRLF SP so that no line exceeds 78 columns. Plain printable ASCII that
 * fits (with `used` columns already taken by the header name) is returned as it is.
 * Malloc'ed. */
char *loy_mime_header_text(const char *text, size_t used);
/* A display name: as it is when it is made of atext characters and spaces only, else encoded
 * words. Malloc'ed. */
char *loy_mime_display_name(const char *name, size_t used);

/* Body encodings (RFC 2045), CRLF line ends (LF in the input becomes CRLF), lines of at most 76
 * characters. Malloc'ed. Quoted-printable also encodes a "." or "From " at a line start. */
char *loy_mime_qp(const char *text);
char *loy_mime_base64(const char *data, size_t len);

/* "Mon, 23 Nov 2026 10:00:00 +0000" (needs 32 bytes). */
void loy_mime_date(char *out, size_t outsz, int64_t utc);

#endif
