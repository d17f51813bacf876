/* Webhook delivery over HTTP(S) with libcurl: the signed POST of one event, the signature, the
 * retry schedule and the event kinds a subscription may name. No database here. */
#ifndef LOY_ENGAGE_WEBHOOK_H
#define LOY_ENGAGE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define LOY_WEBHOOK_MAX_ATTEMPTS 12   /* then the delivery is marked failed */
#define LOY_WEBHOOK_BACKOFF_BASE 30   /* seconds before the first retry */
#define LOY_WEBHOOK_BACKOFF_CAP  3600 /* the longest wait between attempts */
#define LOY_WEBHOOK_TIMEOUT_MS   5000 /* per attempt, connection included */
#define LOY_WEBHOOK_SIG_MAX      68   /* "v1=" + 64 hex + NUL */

/* The event kinds a subscription may name (NULL-terminated), and whether `kind` is one. */
extern const char *const loy_webhook_kinds[];
bool loy_webhook_kind_known(const char *kind);

/* Seconds to wait after the attempts-th failed attempt (attempts >= 1): 30 s x 2^(attempts-1),
 * at most one hour. */
int64_t loy_webhook_backoff(int attempts);

/* "v1=" + lower-case hex HMAC-SHA256(secret, "<timestamp>.<body>"). */
void loy_webhook_sign(char out[LOY_WEBHOOK_SIG_MAX], const char *secret, int64_t timestamp,
                      const char *body, size_t len);

/* Checks a subscription URL: absolute http or https with a host, at most 2048 bytes, no
 * credentials, no fragment. LOY_EINVALID naming field "url" otherwise. */
int loy_webhook_url_check(const char *url, loy_err *err);

/* One POST. */
typedef struct {
    const char *url;
    const char *secret;
    const char *delivery_id; /* Loyalty-Webhook-Id */
    const char *kind;        /* Loyalty-Event */
    const char *body;        /* JSON */
    size_t len;
    int64_t timestamp; /* Loyalty-Timestamp, unix seconds */
    long timeout_ms;   /* 0 = LOY_WEBHOOK_TIMEOUT_MS */
} loy_webhook_msg;

typedef struct {
    int status;      /* HTTP status, 0 when none came back */
    char error[256]; /* why it was not delivered ("" when delivered) */
    double seconds;  /* time taken */
} loy_webhook_result;

/* A sender keeps one libcurl handle so consecutive deliveries reuse connections. Not shared
 * between threads. */
typedef struct loy_webhook_client loy_webhook_client;
int loy_webhook_client_new(loy_webhook_client **out, loy_err *err);
void loy_webhook_client_free(loy_webhook_client *cl);

/* Sends the message (no redirects followed). Returns true when a 2xx came back (delivered);
 * false otherwise, with the status and a reason in *res. */
bool loy_webhook_post(loy_webhook_client *cl, const loy_webhook_msg *m, loy_webhook_result *res);

#endif
