/* Mail submission over SMTP with libcurl (docs/messages.md, "SMTP settings"): smtp:// with
 * STARTTLS required, tried or off, or smtps:// (TLS from the first byte), AUTH with a user and a
 * password, timeouts, and what an answer means for a retry. No database here. */
#ifndef LOY_ENGAGE_SMTP_H
#define LOY_ENGAGE_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define LOY_SMTP_TIMEOUT_MS 30000 /* one whole conversation, connection included */

typedef enum { LOY_STARTTLS_REQUIRED = 0, LOY_STARTTLS_TRY, LOY_STARTTLS_OFF } loy_starttls;

typedef struct {
    const char *url;             /* smtp://host[:port][/ehlo-name] or smtps://... */
    const char *user, *password; /* NULL user: no AUTH */
    loy_starttls starttls;       /* smtp:// only */
    const char *ca_file;         /* PEM bundle to verify the server with; NULL = the system's */
    long timeout_ms;             /* 0 = LOY_SMTP_TIMEOUT_MS */
} loy_smtp_config;

/* Checks a server URL: smtp:// or smtps:// with a host, no credentials (they come from the
 * password file or the environment, never from a command line that `ps` shows), no query or
 * fragment. LOY_EINVALID naming `field` otherwise. */
int loy_smtp_url_check(const char *url, const char *field, loy_err *err);
/* "required", "try" or "off". */
bool loy_smtp_starttls_parse(const char *text, loy_starttls *out);

typedef enum {
    LOY_SMTP_SENT,      /* the server accepted the message (250 after the data) */
    LOY_SMTP_TEMPORARY, /* not accepted, try again later: no connection, a 4xx answer, TLS or
                           authentication failures (a setting to fix), a time-out before the data
                           was handed over */
    LOY_SMTP_PERMANENT, /* refused with a 5xx answer (an unknown mailbox, a refused sender) */
    LOY_SMTP_UNKNOWN    /* the whole message was handed over but no answer came back: it may
                           have been delivered */
} loy_smtp_outcome;

typedef struct {
    loy_smtp_outcome outcome;
    long code;       /* the server's last reply code, 0 when none */
    char error[256]; /* why it was not sent, "" when sent */
} loy_smtp_result;

/* A sender keeps one libcurl handle so consecutive messages reuse the connection. Not shared
 * between threads. */
typedef struct loy_smtp_client loy_smtp_client;
int loy_smtp_client_new(loy_smtp_client **out, const loy_smtp_config *cfg, loy_err *err);
void loy_smtp_client_free(loy_smtp_client *cl);

/* Submits `data` (a whole RFC 5322 message with CRLF line ends; dot-stuffing is libcurl's) from
 * envelope sender `from` to the one recipient `rcpt`. Returns res->outcome. */
loy_smtp_outcome loy_smtp_send(loy_smtp_client *cl, const char *from, const char *rcpt,
                               const char *data, size_t len, loy_smtp_result *res);

#endif
