/* The churn report: members active at each month boundary of the period and how many of them
 * are lost by the next, by the inactivity rule (no counted purchase for `days`) or, once a model
 * is fitted, by P(alive) below one half. */
#include "app/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/report_math.h"
#include "app/models.h"

#define P_ALIVE_LOST 0.5 /* below this P(alive) a member counts as lost */

typedef struct {
    const int64_t *bounds;
    size_t nb;
    int64_t window;
    int64_t member;
    int64_t *times;
    size_t nt, cap;
    bool *active;
    int64_t *at_start, *lost;
    int64_t overall_start, overall_lost;
    bool oom;
} churn_acc;

/* Adds one member's activity at the boundaries to the counts. */
static void count_member(churn_acc *a)
{
    for (size_t i = 0; i + 1 < a->nb; i++)
        if (a->active[i]) {
            a->at_start[i]++;
            if (!a->active[i + 1]) a->lost[i]++;
        }
    if (a->active[0]) {
        a->overall_start++;
        if (!a->active[a->nb - 1]) a->overall_lost++;
    }
}

static void churn_flush(churn_acc *a)
{
    if (!a->nt) return;
    loy_rpt_active_at(a->active, a->bounds, a->nb, a->times, a->nt, a->window);
    count_member(a);
    a->nt = 0;
}

static void churn_row(void *ctx, const loy_report_purchase *p)
{
    churn_acc *a = ctx;
    int64_t member = p->member, at = p->at;
    if (member != a->member) {
        churn_flush(a);
        a->member = member;
    }
    if (a->nt == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        int64_t *t = realloc(a->times, ncap * sizeof(*t));
        if (!t) {
            a->oom = true;
            return;
        }
        a->times = t;
        a->cap = ncap;
    }
    a->times[a->nt++] = at;
}

/* P(alive) basis: the members scored at or above one half at each boundary, as sorted id lists,
 * then one membership walk per member over the boundaries. */
static int by_model(loy_rctx *c, churn_acc *a, loy_err *err)
{
    int64_t **alive = calloc(a->nb, sizeof(*alive));
    size_t *nalive = calloc(a->nb, sizeof(*nalive)), *pos = calloc(a->nb, sizeof(*pos));
    int rc = alive && nalive && pos ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    json_t *model = NULL;
    for (size_t i = 0; !rc && i < a->nb; i++) {
        loy_model_score *sc = NULL;
        size_t n = 0;
        rc = loy_app_model_scores(c->app, NULL, a->bounds[i], 0, 0.0, NULL, 0, &sc, &n,
                                  i == 0 ? &model : NULL, err);
        if (rc == LOY_ENOTFOUND)
            rc = loy_err_set(err, LOY_EINVALID, "basis",
                             "basis: p_alive needs a fitted model (`loyalty model fit` or POST "
                             "/api/v1/models:fit)");
        if (!rc && n && !(alive[i] = malloc(n * sizeof(**alive))))
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        for (size_t k = 0; !rc && k < n; k++)
            if (sc[k].p_alive >= P_ALIVE_LOST) alive[i][nalive[i]++] = sc[k].member;
        free(sc);
    }
    /* walk the union of the ascending lists, one member at a time */
    while (!rc) {
        int64_t next = INT64_MAX;
        for (size_t i = 0; i < a->nb; i++)
            if (pos[i] < nalive[i] && alive[i][pos[i]] < next) next = alive[i][pos[i]];
        if (next == INT64_MAX) break;
        for (size_t i = 0; i < a->nb; i++) {
            a->active[i] = pos[i] < nalive[i] && alive[i][pos[i]] == next;
            if (a->active[i]) pos[i]++;
        }
        count_member(a);
    }
    if (!rc)
        json_object_set_new(c->out, "model", model);
    else
        json_decref(model);
    for (size_t i = 0; alive && i < a->nb; i++) free(alive[i]);
    free(alive);
    free(nalive);
    free(pos);
    return rc;
}

int loy_rpt_churn_counts(loy_rctx *c, const int64_t *b, size_t nb, int64_t *at_start, int64_t *lost,
                         int64_t *ostart, int64_t *olost, loy_err *err)
{
    churn_acc a = {.bounds = b,
                   .nb = nb,
                   .window = c->p.days * LOY_DAY,
                   .member = -1,
                   .at_start = at_start,
                   .lost = lost};
    memset(at_start, 0, nb * sizeof(*at_start));
    memset(lost, 0, nb * sizeof(*lost));
    a.active = calloc(nb, sizeof(*a.active));
    int rc = a.active ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc && c->p.basis == LOY_BASIS_P_ALIVE) {
        rc = by_model(c, &a, err);
    } else if (!rc) {
        loy_report_scope s = c->p.scope;
        s.from = b[0] - a.window; /* activity at the first boundary looks back one window */
        s.to = b[nb - 1];
        rc = loy_store_report_purchases(&c->app->conn, &s, true, churn_row, &a, err);
        if (!rc) churn_flush(&a);
        if (!rc && a.oom) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    *ostart = a.overall_start;
    *olost = a.overall_lost;
    free(a.times);
    free(a.active);
    return rc;
}

int loy_rpt_churn(loy_rctx *c, loy_err *err)
{
    int64_t bounds[LOY_RPT_MAX_MONTHS + 2], at_start[LOY_RPT_MAX_MONTHS + 2],
        lost[LOY_RPT_MAX_MONTHS + 2], ostart, olost;
    size_t nb = loy_rpt_month_bounds(c->app, &c->p.scope, bounds);
    int rc = loy_rpt_churn_counts(c, bounds, nb, at_start, lost, &ostart, &olost, err);
    if (rc) return rc;
    bool model = c->p.basis == LOY_BASIS_P_ALIVE;
    json_t *periods = json_array();
    for (size_t i = 0; i + 1 < nb; i++)
        json_array_append_new(
            periods, json_pack("{s:o, s:o, s:I, s:I, s:o}", "from", loy_json_time(bounds[i]), "to",
                               loy_json_time(bounds[i + 1]), "at_start", (json_int_t)at_start[i],
                               "lost", (json_int_t)lost[i], "churn_rate",
                               loy_rpt_num(loy_rpt_pct(lost[i], at_start[i]), 2)));
    json_object_set_new(c->out, "basis", json_string(model ? "p_alive" : "inactivity"));
    json_object_set_new(c->out, "lost_after_days", model ? json_null() : json_integer(c->p.days));
    json_object_set_new(c->out, "periods", periods);
    json_object_set_new(c->out, "overall",
                        json_pack("{s:I, s:I, s:o}", "at_start", (json_int_t)ostart, "lost",
                                  (json_int_t)olost, "churn_rate",
                                  loy_rpt_num(loy_rpt_pct(olost, ostart), 2)));
    char text[400];
    if (model)
        snprintf(text, sizeof(text),
                 "a member is active at an instant when the latest fitted model (see `model`) "
                 "gives them P(alive) >= %.1f from their purchase history up to that instant "
                 "(purchases since the model's data start), and lost when it gives less",
                 P_ALIVE_LOST);
    else
        snprintf(text, sizeof(text),
                 "a member is active at an instant when they made a counted purchase in the %lld "
                 "days before it, and lost when they made none (no purchase for %lld days)",
                 (long long)c->p.days, (long long)c->p.days);
    loy_rpt_rule(c, text);
    loy_rpt_rule(c, "periods are calendar months in the merchant's time zone, cut to [from, to); "
                    "at_start = members active at the period's start; lost = of those, members "
                    "not active at its end; churn_rate = lost / at_start x 100; overall: the same "
                    "over the whole period");
    loy_rpt_rule(c, loy_rpt_counted_rule);
    return 0;
}
