/* The kpis report: members, activity, buyers, repeat rate, frequency, order value, revenue, new
 * versus returning buyers and the figures per location, from one ordered pass over the counted
 * purchases (the covering index, no sort) aggregated here. */
#include "app/report_int.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "analytics/report_math.h"

typedef struct {
    const char *code; /* NULL: purchases without a location */
    int64_t purchases, buyers, revenue;
    bool seen; /* by the current member, in the period */
} loc_acc;

/* One calendar month of the period (the first and last cut to it). */
typedef struct {
    int64_t new_members, buyers, purchases, revenue;
} month_acc;

typedef struct {
    const loy_report_scope *s;
    int64_t t30, t90;
    loy_rpt_kpi *k;
    const int64_t *bounds; /* month boundaries: from, month starts, to */
    size_t nb;
    month_acc *months;                             /* nb - 1 */
    uint64_t seen[(LOY_RPT_MAX_MONTHS + 63) / 64]; /* months the current member bought in */
    int64_t member, n, first, last;
    loc_acc *locs;
    size_t nlocs, cap;
    char **owned; /* codes not in the programme, copied */
    size_t nowned;
    bool oom;
} kpi_acc;

static void flush(kpi_acc *a)
{
    if (a->member < 0) return;
    loy_rpt_kpi *k = a->k;
    if (a->last >= a->t30) k->active_30++;
    if (a->last >= a->t90) k->active_90++;
    if (a->n > 0) {
        k->buyers++;
        if (a->n >= 2) k->repeat_buyers++;
        if (a->first >= a->s->from) {
            k->new_buyers++;
            if (a->n >= 2) k->new_buyers_returned++;
        }
    }
    for (size_t i = 0; i < a->nlocs; i++)
        if (a->locs[i].seen) {
            a->locs[i].buyers++;
            a->locs[i].seen = false;
        }
    for (size_t m = 0; m + 1 < a->nb; m++)
        if (a->seen[m / 64] & (UINT64_C(1) << (m % 64))) a->months[m].buyers++;
    memset(a->seen, 0, sizeof(a->seen));
}

/* The month of the period an instant in [from, to) falls in. */
static size_t month_index(const int64_t *b, size_t nb, int64_t at)
{
    size_t lo = 0, hi = nb - 1; /* b[lo] <= at < b[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (b[mid] <= at)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static void on_join(void *ctx, int64_t joined_at)
{
    kpi_acc *a = ctx;
    a->k->members++;
    if (joined_at < a->s->from) return;
    a->k->new_members++;
    a->months[month_index(a->bounds, a->nb, joined_at)].new_members++;
}

static loc_acc *location(kpi_acc *a, const char *code)
{
    for (size_t i = 0; i < a->nlocs; i++) {
        const char *x = a->locs[i].code;
        if (x == code || (x && code && strcmp(x, code) == 0)) return &a->locs[i];
    }
    if (a->nlocs == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 8;
        loc_acc *l = realloc(a->locs, ncap * sizeof(*l));
        char **o = realloc(a->owned, ncap * sizeof(*o));
        if (l) a->locs = l;
        if (o) a->owned = o;
        if (!l || !o) return NULL;
        a->cap = ncap;
    }
    char *copy = NULL;
    if (code && !(copy = strdup(code))) return NULL;
    if (copy) a->owned[a->nowned++] = copy;
    a->locs[a->nlocs] = (loc_acc){.code = copy};
    return &a->locs[a->nlocs++];
}

static void row(void *ctx, const loy_report_purchase *p)
{
    kpi_acc *a = ctx;
    if (p->member != a->member) {
        flush(a);
        a->member = p->member;
        a->n = 0;
        a->first = p->at; /* rows come in time order */
    }
    a->last = p->at;
    if (p->at < a->s->from) return;
    a->n++;
    a->k->purchases++;
    a->k->revenue += p->net;
    size_t m = month_index(a->bounds, a->nb, p->at);
    a->months[m].purchases++;
    a->months[m].revenue += p->net;
    a->seen[m / 64] |= UINT64_C(1) << (m % 64);
    loc_acc *l = location(a, p->location);
    if (!l) {
        a->oom = true;
        return;
    }
    l->purchases++;
    l->revenue += p->net;
    l->seen = true;
}

static int cmp_loc(const void *x, const void *y)
{
    const loc_acc *a = x, *b = y;
    if (!a->code || !b->code) return (a->code != NULL) - (b->code != NULL); /* NULL first */
    return strcmp(a->code, b->code);
}

int loy_rpt_kpi_counts(loy_rctx *c, loy_rpt_kpi *k, bool details, loy_err *err)
{
    const loy_report_scope *s = &c->p.scope;
    memset(k, 0, sizeof(*k));
    /* months of the period, or one bucket when it is longer than by_month covers */
    int64_t bounds[LOY_RPT_MAX_MONTHS + 2] = {s->from, s->to};
    bool monthly = loy_rpt_months(c->app, s) <= LOY_RPT_MAX_MONTHS;
    size_t nb = monthly ? loy_rpt_month_bounds(c->app, s, bounds) : 2;
    kpi_acc a = {.s = s,
                 .t30 = s->to - 30 * LOY_DAY,
                 .t90 = s->to - 90 * LOY_DAY,
                 .k = k,
                 .bounds = bounds,
                 .nb = nb,
                 .months = calloc(nb, sizeof(month_acc)),
                 .member = -1};
    int rc = a.months ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_store_report_joins(&c->app->conn, s, on_join, &a, err);
    loy_report_scope all = *s;
    all.from = INT64_MIN; /* the first purchase ever decides new versus returning */
    if (!rc) rc = loy_store_report_purchases(&c->app->conn, &all, false, row, &a, err);
    if (!rc) flush(&a);
    if (!rc && a.oom) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc && details) {
        if (a.nlocs) qsort(a.locs, a.nlocs, sizeof(*a.locs), cmp_loc); /* locs NULL when none */
        json_t *arr = json_object_get(c->out, "by_location");
        for (size_t i = 0; i < a.nlocs; i++) {
            json_t *o =
                json_pack("{s:o, s:I, s:I}", "location",
                          a.locs[i].code ? json_string(a.locs[i].code) : json_null(), "purchases",
                          (json_int_t)a.locs[i].purchases, "buyers", (json_int_t)a.locs[i].buyers);
            loy_rpt_set_money(c->app, o, "revenue", a.locs[i].revenue);
            json_array_append_new(arr, o);
        }
        json_t *series = json_object_get(c->out, "by_month");
        if (!monthly) json_object_set_new(c->out, "by_month", json_null());
        for (size_t m = 0; monthly && m + 1 < nb; m++) {
            const month_acc *x = &a.months[m];
            json_t *o =
                json_pack("{s:o, s:o, s:I, s:I, s:I}", "from", loy_json_time(bounds[m]), "to",
                          loy_json_time(bounds[m + 1]), "new_members", (json_int_t)x->new_members,
                          "buyers", (json_int_t)x->buyers, "purchases", (json_int_t)x->purchases);
            loy_rpt_set_money(c->app, o, "revenue", x->revenue);
            loy_rpt_set_money(c->app, o, "average_order_value",
                              loy_rpt_div_round(x->revenue, x->purchases));
            json_array_append_new(series, o);
        }
    }
    for (size_t i = 0; i < a.nowned; i++) free(a.owned[i]);
    free(a.owned);
    free(a.locs);
    free(a.months);
    return rc;
}

int loy_rpt_kpis(loy_rctx *c, loy_err *err)
{
    json_t *o = c->out;
    json_object_set_new(o, "by_location", json_array());
    json_object_set_new(o, "by_month", json_array());
    loy_rpt_kpi k;
    int rc = loy_rpt_kpi_counts(c, &k, true, err);
    if (rc) return rc;
    json_object_set_new(o, "members", json_integer(k.members));
    json_object_set_new(o, "active_30_days", json_integer(k.active_30));
    json_object_set_new(o, "active_90_days", json_integer(k.active_90));
    json_object_set_new(o, "new_members", json_integer(k.new_members));
    json_object_set_new(o, "buyers", json_integer(k.buyers));
    json_object_set_new(o, "repeat_buyers", json_integer(k.repeat_buyers));
    json_object_set_new(o, "repeat_purchase_rate",
                        loy_rpt_num(loy_rpt_pct(k.repeat_buyers, k.buyers), 2));
    json_object_set_new(o, "new_buyers", json_integer(k.new_buyers));
    json_object_set_new(o, "returning_buyers", json_integer(k.buyers - k.new_buyers));
    json_object_set_new(o, "new_buyers_returned", json_integer(k.new_buyers_returned));
    json_object_set_new(o, "new_to_returning_rate",
                        loy_rpt_num(loy_rpt_pct(k.new_buyers_returned, k.new_buyers), 2));
    json_object_set_new(o, "purchases", json_integer(k.purchases));
    json_object_set_new(o, "purchase_frequency",
                        loy_rpt_num(loy_rpt_ratio(k.purchases, k.buyers), 2));
    loy_rpt_set_money(c->app, o, "revenue", k.revenue);
    loy_rpt_set_money(c->app, o, "average_order_value", loy_rpt_div_round(k.revenue, k.purchases));
    loy_rpt_rule(c, loy_rpt_counted_rule);
    loy_rpt_rule(c, "members: joined before `to` (with a location: whose home location it is); "
                    "new_members: of those, joined in the period");
    loy_rpt_rule(
        c, "active_30_days / active_90_days: members with a counted purchase in the 30 / 90 days "
           "before `to` (at the location, when given)");
    loy_rpt_rule(
        c, "buyers: members with a counted purchase in the period; repeat_purchase_rate = buyers "
           "with 2 or more / buyers x 100; purchase_frequency = purchases / buyers; "
           "average_order_value = revenue / purchases, rounded to the minor unit");
    loy_rpt_rule(c, "new_buyers: buyers whose first counted purchase ever (at the location, when "
                    "given) is in the period; returning_buyers: the others; new_to_returning_rate "
                    "= new_buyers_returned (new buyers with 2 or more counted purchases in the "
                    "period) / new_buyers x 100");
    loy_rpt_rule(c, "by_month: per calendar month of the period (merchant's time zone, the first "
                    "and last cut to it): new_members who joined in it, buyers (members with a "
                    "counted purchase in it: the month's active members), purchases, revenue, "
                    "average_order_value; null for a period of more than 120 months");
    return 0;
}
