/* Giving per cause for the economics report: each giving ledger entry belongs to the cause of the
 * programme version in force when it was created. */
#include "app/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

typedef struct {
    int64_t version, at;
    char *cause; /* NULL: the version has no giving */
} version;

typedef struct {
    loy_conn *conn;
    int64_t merchant;
    version *v;
    size_t n, cap;
    bool oom;
} versions;

static void on_version(void *ctx, int64_t v, int64_t at, const char *actor)
{
    (void)actor;
    versions *vs = ctx;
    if (vs->n == vs->cap) {
        size_t ncap = vs->cap ? vs->cap * 2 : 8;
        version *p = realloc(vs->v, ncap * sizeof(*p));
        if (!p) {
            vs->oom = true;
            return;
        }
        vs->v = p;
        vs->cap = ncap;
    }
    vs->v[vs->n++] = (version){v, at, NULL};
}

typedef struct {
    const versions *vs;
    int64_t from;
    int64_t *period, *total; /* per version */
} giving_acc;

static void on_giving(void *ctx, int64_t at, int64_t amount)
{
    giving_acc *g = ctx;
    /* versions ascending by time: the last one created at or before `at` (else the first) */
    size_t lo = 0, hi = g->vs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->vs->v[mid].at <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t i = lo ? lo - 1 : 0;
    g->total[i] += amount;
    if (at >= g->from) g->period[i] += amount;
}

static int cmp_at(const void *a, const void *b)
{
    const version *x = a, *y = b;
    if (x->at != y->at) return (x->at > y->at) - (x->at < y->at);
    return (x->version > y->version) - (x->version < y->version);
}

int loy_rpt_giving_by_cause(loy_rctx *c, json_t *giving, loy_err *err)
{
    loy_conn *conn = &c->app->conn;
    versions vs = {conn, c->app->merchant, NULL, 0, 0, false};
    int rc = loy_store_programme_history(conn, c->app->merchant, on_version, &vs, err);
    if (!rc && vs.oom) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) qsort(vs.v, vs.n, sizeof(*vs.v), cmp_at);
    for (size_t i = 0; !rc && i < vs.n; i++) {
        char *body = NULL;
        int64_t ver, at;
        rc =
            loy_store_programme_get(conn, c->app->merchant, vs.v[i].version, &body, &ver, &at, err);
        json_t *doc = rc ? NULL : json_loads(body, 0, NULL);
        const char *cause =
            json_string_value(json_object_get(json_object_get(doc, "giving"), "cause"));
        if (cause && !(vs.v[i].cause = strdup(cause)))
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        json_decref(doc);
        free(body);
    }
    giving_acc g = {&vs, c->p.scope.from, calloc(vs.n + 1, sizeof(int64_t)),
                    calloc(vs.n + 1, sizeof(int64_t))};
    if (!rc && (!g.period || !g.total)) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc && vs.n) rc = loy_store_report_giving(conn, &c->p.scope, on_giving, &g, err);
    json_t *list = json_array();
    /* one row per cause, in the order causes first appeared */
    for (size_t i = 0; !rc && i < vs.n; i++) {
        if (!vs.v[i].cause) continue;
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = !vs.v[j].cause || strcmp(vs.v[j].cause, vs.v[i].cause) != 0;
        if (!first) continue;
        int64_t p = 0, t = 0;
        for (size_t j = i; j < vs.n; j++)
            if (vs.v[j].cause && strcmp(vs.v[j].cause, vs.v[i].cause) == 0) {
                p += g.period[j];
                t += g.total[j];
            }
        json_t *o = json_pack("{s:s}", "cause", vs.v[i].cause);
        loy_rpt_set_money(c->app, o, "accrued", p);
        loy_rpt_set_money(c->app, o, "accrued_to_date", t);
        json_array_append_new(list, o);
    }
    json_object_set_new(giving, "by_cause", list);
    for (size_t i = 0; i < vs.n; i++) free(vs.v[i].cause);
    free(vs.v);
    free(g.period);
    free(g.total);
    return rc;
}
