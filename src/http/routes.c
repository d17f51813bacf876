/* Route matching over the static table in api.c: literal segments and {param} segments. */
#include "http/http_int.h"

#include <string.h>

/* Matches one pattern against a path; on success fills r->params (pointing into `scratch`). */
static bool match(const char *pattern, const char *path, loy_req *r, char *scratch, size_t n)
{
    int np = 0;
    size_t used = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close) return false;
            const char *end = u;
            char stop = close[1]; /* the literal that follows the parameter, if any */
            while (*end && *end != '/' && *end != stop) end++;
            if (end == u || np == 4 || used + (size_t)(end - u) + 1 > n) return false;
            memcpy(scratch + used, u, (size_t)(end - u));
            scratch[used + (size_t)(end - u)] = '\0';
            if (r) r->params[np] = scratch + used;
            np++;
            used += (size_t)(end - u) + 1;
            p = close + 1;
            u = end;
        } else if (*p++ != *u++)
            return false;
    }
    if (*p || *u) return false;
    if (r) r->nparams = np;
    return true;
}

const loy_route *loy_route_match(const char *method, const char *path, loy_req *r, bool *path_known)
{
    static __thread char scratch[2048];
    *path_known = false;
    for (size_t i = 0; i < loy_nroutes; i++) {
        const loy_route *rt = &loy_routes[i];
        if (!match(rt->pattern, path, NULL, scratch, sizeof(scratch))) continue;
        if (strcmp(rt->method, method) != 0) {
            *path_known = true;
            continue;
        }
        match(rt->pattern, path, r, scratch, sizeof(scratch));
        return rt;
    }
    return NULL;
}
