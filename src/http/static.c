/* The web console's static files, embedded from web/ at build time: exact names only (no
 * file system access, so nothing outside web/ can be served), with ETag revalidation and a
 * strict Content-Security-Policy. */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                    \
    "form-action 'self'; frame-ancestors 'none'"

const loy_web_asset *loy_web_file(const char *path)
{
    for (const loy_web_asset *a = loy_web_assets; a->path; a++)
        if (!strcmp(a->path, path)) return a;
    return NULL;
}

static const loy_web_asset *find(const char *dir, const char *name)
{
    char path[256];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof(path) ? loy_web_file(path) : NULL;
}

/* True when the If-None-Match header lists `etag` (or is "*"). */
static bool not_modified(const loy_req *r, const char *etag)
{
    const char *inm = loy_req_header(r, "If-None-Match");
    if (!inm) return false;
    size_t n = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (!strncmp(p, "W/", 2)) p += 2;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ') len--;
        if ((len == 1 && *p == '*') || (len == n && !strncmp(p, etag, n))) return true;
        p += strcspn(p, ",");
    }
    return false;
}

static int serve(loy_req *r, const char *dir, const char *name, loy_err *err)
{
    const loy_web_asset *a = find(dir, name);
    if (!a) return loy_err_set(err, LOY_ENOTFOUND, "file", "no such file");
    r->content_type = a->type;
    r->etag = a->etag;
    r->cache_control = "no-cache"; /* revalidate with the ETag: a new build serves new files */
    r->csp = CSP;
    /* the console is /console itself, outside /console/sw.js's default scope /console/ */
    if (!strcmp(dir, "console") && !strcmp(name, "sw.js")) r->sw_allowed = "/console";
    bool same = not_modified(r, a->etag);
    size_t len = same ? 0 : a->len;
    r->text = malloc(len + 1);
    if (!r->text) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (len) memcpy(r->text, a->data, len);
    r->text[len] = '\0';
    r->text_len = len;
    if (same) r->status = 304;
    return 0;
}

int loy_h_console_index(loy_req *r, loy_err *err)
{
    return serve(r, "console", "index.html", err);
}

int loy_h_console_file(loy_req *r, loy_err *err)
{
    return serve(r, "console", r->params[0], err);
}

int loy_h_console_i18n(loy_req *r, loy_err *err)
{
    return serve(r, "i18n", r->params[0], err);
}

/* The customer pages (public): the join page of a location and the card holder's own card page;
 * the page reads its {location} or {token} from the address and asks the public API. */
int loy_h_customer_join(loy_req *r, loy_err *err)
{
    return serve(r, "customer", "join.html", err);
}

int loy_h_customer_card(loy_req *r, loy_err *err)
{
    return serve(r, "customer", "card.html", err);
}

int loy_h_customer_unsub(loy_req *r, loy_err *err)
{
    return serve(r, "customer", "unsub.html", err);
}

/* GET /f/{token}: the survey page (the same page whatever the token; it changes nothing). */
int loy_h_customer_survey(loy_req *r, loy_err *err)
{
    return serve(r, "customer", "survey.html", err);
}

int loy_h_customer_file(loy_req *r, loy_err *err)
{
    return serve(r, "customer", r->params[0], err);
}
