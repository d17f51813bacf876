/* The HTTP server: libmicrohttpd with a thread pool, one static route table, JSON in and out. */
#ifndef LOY_HTTP_HTTP_H
#define LOY_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "util/err.h"

typedef struct loy_server loy_server;

typedef struct {
    const char *db_path;
    const char *host;  /* default "127.0.0.1" */
    int port;          /* default 8080; 0 = any free port (see loy_server_port) */
    int threads;       /* worker threads, default 4 */
    size_t max_body;   /* default 64 KiB */
    size_t max_header; /* default 16 KiB */
    size_t max_url;    /* default 2 KiB */
    int timeout_s;     /* request timeout, default 10 */
    bool access_log;   /* one line per request on stderr */
} loy_server_config;

/* Validates the configuration, opens the database once (migrations) and starts listening.
 * Returns LOY_EINVALID naming the bad setting, or LOY_ESTORAGE if the port cannot be bound. */
int loy_server_start(loy_server **out, const loy_server_config *cfg, loy_err *err);
int loy_server_port(const loy_server *s);
/* Stops accepting, finishes requests in flight, closes every database connection. */
void loy_server_stop(loy_server *s);

/* Roles, ordered: a higher role may do everything a lower one may. */
typedef enum { LOY_ROLE_NONE = 0, LOY_ROLE_CASHIER, LOY_ROLE_MANAGER, LOY_ROLE_OWNER } loy_role;

/* One request as handlers see it. */
typedef struct loy_req {
    const char *method;
    const char *path;
    const char *params[4]; /* path parameters ({id}, {code}, ...) in order */
    int nparams;
    const char *body;
    size_t body_len;
    json_t *json; /* parsed body for routes that take JSON */
    loy_app *app; /* this thread's application handle */
    loy_role role;
    int64_t merchant; /* the caller's merchant */
    char actor[64];
    void *conn; /* struct MHD_Connection *, for query and header lookups */
    loy_server *server;
    /* response */
    int status;
    json_t *resp;    /* JSON body (NULL for text responses) */
    char *text;      /* non-JSON body (malloc'ed) */
    size_t text_len; /* its length when it may hold NUL bytes (0: strlen) */
    const char *content_type;
    char location[128];   /* Location header for 201 */
    bool replayed;        /* Idempotent-Replayed header */
    char set_cookie[160]; /* Set-Cookie header */
    char retry_after[16]; /* Retry-After header (429) */
    /* static files (static.c): when set, sent instead of the API defaults */
    const char *cache_control; /* Cache-Control (default "no-store") */
    const char *etag;          /* ETag */
    const char *csp;           /* Content-Security-Policy */
} loy_req;

typedef int (*loy_handler)(loy_req *r, loy_err *err);

/* Query string value, or NULL. */
const char *loy_req_query(const loy_req *r, const char *name);
/* Every query parameter as an object of strings (*out, new reference); LOY_EINVALID naming the
 * parameter when one is repeated or not UTF-8 text. */
int loy_req_query_all(const loy_req *r, json_t **out, loy_err *err);
/* Request header value, or NULL. */
const char *loy_req_header(const loy_req *r, const char *name);

/* The route table (routes.c). */
/* LOY_BODY_STATIC: a file of the web console, not a JSON route (OpenAPI describes it so). */
enum { LOY_BODY_NONE = 0, LOY_BODY_JSON = 1, LOY_BODY_IDEMPOTENT = 2, LOY_BODY_STATIC = 4 };
typedef struct {
    const char *method;
    const char *pattern; /* "/api/v1/members/{ref}" */
    loy_handler fn;
    loy_role role;       /* LOY_ROLE_NONE = public */
    int body;            /* LOY_BODY_* flags */
    const char *summary; /* one line, for the OpenAPI description */
    const char *query;   /* its query parameters, comma separated (OpenAPI), or NULL */
} loy_route;

extern const loy_route loy_routes[];
extern const size_t loy_nroutes;

/* Matches method + path against the table; fills params. NULL if no route; *path_known set
 * when the path exists for another method (405). */
const loy_route *loy_route_match(const char *method, const char *path, loy_req *r,
                                 bool *path_known);
/* HTTP status for an error code. */
int loy_http_status(int code);
/* The OpenAPI 3.1 description of every route in the table (openapi.c). */
json_t *loy_openapi(loy_err *err);

#endif
