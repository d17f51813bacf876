/* Report use cases: parameters checked once for the CLI and the API, the store's one-pass
 * queries, the pure arithmetic of analytics/report_math, and the JSON every report returns. */
#include "app/reports.h"
#include "app/models.h"
#include "app/params.h"
#include "app/referrals.h"
#include "app/report_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/report_math.h"
#include "store/store_report.h"

const char *const loy_report_names[] = {"kpis",     "churn",     "cohorts", "pareto", "rfm",
                                        "advocacy", "economics", "clv",     "nps",    NULL};

#define ALL    ((1u << LOY_R_COUNT) - 1)
#define BIT(r) (1u << (r))

/* Parameters and the reports that take them. */
static const struct {
    const char *name;
    unsigned reports;
} param_table[] = {{"from", ALL},
                   {"to", ALL},
                   {"location", ALL & ~BIT(LOY_R_ECONOMICS) & ~BIT(LOY_R_CLV)},
                   {"days", BIT(LOY_R_CHURN) | BIT(LOY_R_CLV)},
                   {"basis", BIT(LOY_R_CHURN)},
                   {"top", BIT(LOY_R_PARETO)},
                   {"points", BIT(LOY_R_PARETO)},
                   {"limit", BIT(LOY_R_RFM) | BIT(LOY_R_ADVOCACY) | BIT(LOY_R_CLV)},
                   {"cursor", BIT(LOY_R_RFM) | BIT(LOY_R_ADVOCACY) | BIT(LOY_R_CLV)},
                   {"segment", BIT(LOY_R_RFM)},
                   {"weeks", BIT(LOY_R_CLV)},
                   {"discount", BIT(LOY_R_CLV)}};

/* ---------------------------------------------------------------- parameters */

static int parse_params(loy_app *app, int report, const json_t *params, loy_rparams *p,
                        loy_err *err)
{
    memset(p, 0, sizeof(*p));
    p->report = report;
    p->scope.merchant = app->merchant;
    if (params && !json_is_object(params))
        return loy_err_set(err, LOY_EINVALID, "", "report parameters: expected an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)params, key, v)
    {
        size_t i = 0, n = sizeof(param_table) / sizeof(param_table[0]);
        while (i < n && strcmp(param_table[i].name, key) != 0) i++;
        if (i == n) return loy_err_set(err, LOY_EINVALID, key, "%s: unknown report parameter", key);
        if (!(param_table[i].reports & BIT(report)))
            return loy_err_set(err, LOY_EINVALID, key, "%s: does not apply to the %s report", key,
                               loy_report_names[report]);
    }
    int64_t now = loy_app_now(app);
    int rc = loy_param_time(app, params, "to", true, now, &p->scope.to, NULL, err);
    if (!rc)
        rc = loy_param_time(app, params, "from", false, p->scope.to - 365 * LOY_DAY, &p->scope.from,
                            NULL, err);
    if (!rc && p->scope.from >= p->scope.to)
        rc = loy_err_set(err, LOY_EINVALID, "from", "from: must be before to");
    if (!rc &&
        (report == LOY_R_CHURN || report == LOY_R_COHORTS || report == LOY_R_CLV ||
         report == LOY_R_NPS) &&
        loy_rpt_months(app, &p->scope) > LOY_RPT_MAX_MONTHS)
        rc = loy_err_set(err, LOY_EINVALID, "from", "from: the period spans more than %d months",
                         LOY_RPT_MAX_MONTHS);
    if (!rc) rc = loy_param_text(params, "location", &p->scope.location, err);
    if (!rc && p->scope.location && !loy_programme_location(app->prog, p->scope.location))
        rc = loy_err_set(err, LOY_EINVALID, "location", "location: unknown location \"%s\"",
                         p->scope.location);
    if (!rc) rc = loy_param_int(params, "days", 1, 3650, 90, &p->days, err);
    if (!rc) rc = loy_param_int(params, "top", 1, 100, 20, &p->top, err);
    if (!rc) rc = loy_param_int(params, "points", 2, 101, 11, &p->points, err);
    if (!rc) rc = loy_param_int(params, "limit", 1, 1000, 20, &p->limit, err);
    if (!rc) rc = loy_param_int(params, "cursor", 0, INT64_MAX, 0, &p->cursor, err);
    if (!rc) rc = loy_param_text(params, "segment", &p->segment, err);
    if (!rc) rc = loy_param_int(params, "weeks", 1, 520, 52, &p->weeks, err);
    if (!rc) rc = loy_param_rate(params, "discount", 0.10, &p->discount, err);
    const char *basis = NULL;
    if (!rc) rc = loy_param_text(params, "basis", &basis, err);
    if (!rc && basis) {
        if (strcmp(basis, "p_alive") == 0)
            p->basis = LOY_BASIS_P_ALIVE;
        else if (strcmp(basis, "inactivity") != 0)
            rc = loy_err_set(err, LOY_EINVALID, "basis",
                             "basis: expected \"inactivity\" or \"p_alive\", got \"%s\"", basis);
    }
    if (!rc && p->basis == LOY_BASIS_P_ALIVE && p->scope.location)
        rc = loy_err_set(err, LOY_EINVALID, "location",
                         "location: models are fitted on every location, so basis p_alive takes "
                         "no location");
    if (!rc && p->basis == LOY_BASIS_P_ALIVE && json_object_get(params, "days"))
        rc = loy_err_set(err, LOY_EINVALID, "days", "days: applies to basis inactivity only");
    loy_rfm_segment seg;
    if (!rc && p->segment && !loy_rpt_segment_parse(p->segment, &seg))
        rc = loy_err_set(err, LOY_EINVALID, "segment", "segment: unknown segment \"%s\"",
                         p->segment);
    return rc;
}

/* ---------------------------------------------------------------- JSON helpers */

void loy_rpt_set_money(const loy_app *app, json_t *o, const char *key, int64_t minor)
{
    char dkey[64];
    snprintf(dkey, sizeof(dkey), "%s_display", key);
    json_object_set_new(o, key, json_integer(minor));
    json_object_set_new(o, dkey, loy_json_money(app, minor));
}

json_t *loy_rpt_num(double x, int decimals)
{
    if (isnan(x)) return json_null();
    double f = pow(10, decimals);
    return json_real(round(x * f) / f);
}

static json_t *header(const loy_rctx *c)
{
    const loy_report_scope *s = &c->p.scope;
    return json_pack("{s:s, s:s, s:{s:o, s:o, s:s, s:o}, s:[]}", "report",
                     loy_report_names[c->p.report], "currency", c->app->merchant_row.currency,
                     "period", "from", loy_json_time(s->from), "to", loy_json_time(s->to),
                     "time_zone", loy_tz_name(c->app->tz), "location",
                     s->location ? json_string(s->location) : json_null(), "rules");
}

void loy_rpt_rule(loy_rctx *c, const char *text)
{
    json_array_append_new(json_object_get(c->out, "rules"), json_string(text));
}

const char loy_rpt_counted_rule[] =
    "a purchase counts when it occurred in the period (from included, to excluded) and is not "
    "wholly refunded; with a location, only purchases made there; revenue is amount minus the "
    "amount refunded, in minor units";

int loy_rpt_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t loy_rpt_months(const loy_app *app, const loy_report_scope *s)
{
    return loy_rpt_month_of(loy_tz_local(app->tz, s->to - 1)) -
           loy_rpt_month_of(loy_tz_local(app->tz, s->from)) + 1;
}

size_t loy_rpt_month_bounds(const loy_app *app, const loy_report_scope *s, int64_t *b)
{
    size_t n = 0;
    b[n++] = s->from;
    int64_t m = loy_rpt_month_of(loy_tz_local(app->tz, s->from)) + 1;
    for (; n < LOY_RPT_MAX_MONTHS + 1; m++) { /* callers refuse longer periods */
        int64_t t = loy_tz_to_utc(app->tz, loy_rpt_month_start(m));
        if (t >= s->to) break;
        b[n++] = t;
    }
    b[n++] = s->to;
    return n;
}

/* ---------------------------------------------------------------- cohorts */

typedef struct {
    const loy_app *app;
    int64_t first_month, last_month; /* local month numbers of from and to */
    int64_t *size;                   /* per cohort */
    int64_t *active;                 /* [cohort][k], k = 0 .. LOY_RPT_MAX_MONTHS - 1 */
    bool seen[LOY_RPT_MAX_MONTHS];
    int64_t member, cohort;
} cohort_acc;

static void cohort_flush(cohort_acc *a)
{
    if (a->member < 0) return;
    for (int k = 0; k < LOY_RPT_MAX_MONTHS; k++)
        if (a->seen[k]) a->active[a->cohort * LOY_RPT_MAX_MONTHS + k]++;
    memset(a->seen, 0, sizeof(a->seen));
}

static void cohort_row(void *ctx, int64_t member, int64_t joined_at, bool has, int64_t at)
{
    cohort_acc *a = ctx;
    if (member != a->member) {
        cohort_flush(a);
        a->member = member;
        a->cohort = loy_rpt_month_of(loy_tz_local(a->app->tz, joined_at)) - a->first_month;
        a->size[a->cohort]++;
    }
    if (!has) return;
    int64_t k = loy_rpt_month_of(loy_tz_local(a->app->tz, at)) - a->first_month - a->cohort;
    if (k >= 0 && k < LOY_RPT_MAX_MONTHS) a->seen[k] = true;
}

static int report_cohorts(loy_rctx *c, loy_err *err)
{
    cohort_acc a = {.app = c->app, .member = -1};
    a.first_month = loy_rpt_month_of(loy_tz_local(c->app->tz, c->p.scope.from));
    a.last_month = loy_rpt_month_of(loy_tz_local(c->app->tz, c->p.scope.to - 1));
    a.size = calloc(LOY_RPT_MAX_MONTHS, sizeof(*a.size));
    a.active = calloc((size_t)LOY_RPT_MAX_MONTHS * LOY_RPT_MAX_MONTHS, sizeof(*a.active));
    int rc = a.size && a.active ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_store_report_cohort_rows(&c->app->conn, &c->p.scope, cohort_row, &a, err);
    if (!rc) {
        cohort_flush(&a);
        json_t *rows = json_array();
        int64_t ncohorts = a.last_month - a.first_month + 1;
        for (int64_t i = 0; i < ncohorts; i++) {
            int64_t m = a.first_month + i;
            char label[16];
            int64_t y = m / 12;
            snprintf(label, sizeof(label), "%04lld-%02lld", (long long)y,
                     (long long)(m - y * 12 + 1));
            json_t *counts = json_array(), *pct = json_array();
            for (int64_t k = 0; k < ncohorts - i; k++) {
                int64_t n = a.active[i * LOY_RPT_MAX_MONTHS + k];
                json_array_append_new(counts, json_integer(n));
                json_array_append_new(pct, loy_rpt_num(loy_rpt_pct(n, a.size[i]), 2));
            }
            json_array_append_new(rows, json_pack("{s:s, s:I, s:o, s:o}", "cohort", label, "size",
                                                  (json_int_t)a.size[i], "purchasing", counts,
                                                  "retention", pct));
        }
        json_object_set_new(c->out, "cohorts", rows);
        loy_rpt_rule(
            c, "a cohort is the members who joined in one calendar month (merchant's time zone) "
               "of the period; with a location, those whose home location it is");
        loy_rpt_rule(
            c, "purchasing[k] = cohort members with a purchase (not wholly refunded, at any "
               "location) in calendar month k after their joining month (k = 0 is that month), "
               "up to the end of the period; retention[k] = purchasing[k] / size x 100");
    }
    free(a.size);
    free(a.active);
    return rc;
}

/* ---------------------------------------------------------------- pareto */

static int report_pareto(loy_rctx *c, loy_err *err)
{
    loy_report_member *m = NULL;
    size_t n = 0;
    int rc = loy_store_report_members(&c->app->conn, &c->p.scope, &m, &n, err);
    if (rc) return rc;
    int64_t *rev = malloc((n ? n : 1) * sizeof(*rev));
    double *lor = malloc((size_t)c->p.points * sizeof(*lor));
    if (!rev || !lor) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    size_t k = 0;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].revenue > 0) total += rev[k++] = m[i].revenue;
    qsort(rev, k, sizeof(*rev), loy_rpt_cmp_i64);
    size_t top_count = 0;
    double share = loy_rpt_top_share(rev, k, (int)c->p.top, &top_count);
    loy_rpt_lorenz(lor, (size_t)c->p.points, rev, k);
    json_t *curve = json_array();
    for (size_t i = 0; i < (size_t)c->p.points; i++)
        json_array_append_new(curve,
                              json_pack("{s:o, s:o}", "population",
                                        loy_rpt_num((double)i / (double)(c->p.points - 1), 4),
                                        "revenue_share", loy_rpt_num(lor[i], 4)));
    json_object_set_new(c->out, "buyers", json_integer((json_int_t)k));
    loy_rpt_set_money(c->app, c->out, "revenue", total);
    json_object_set_new(c->out, "top_percent", json_integer(c->p.top));
    json_object_set_new(c->out, "top_members", json_integer((json_int_t)top_count));
    int64_t top_revenue = 0; /* exact: the sum of the top members' revenue */
    for (size_t i = k - top_count; i < k; i++) top_revenue += rev[i];
    loy_rpt_set_money(c->app, c->out, "top_revenue", top_revenue);
    json_object_set_new(c->out, "top_revenue_share", loy_rpt_num(k ? 100 * share : NAN, 2));
    json_object_set_new(c->out, "gini", loy_rpt_num(k ? loy_rpt_gini(rev, k) : NAN, 4));
    json_object_set_new(c->out, "lorenz", curve);
    loy_rpt_rule(c, loy_rpt_counted_rule);
    loy_rpt_rule(c, "the population is the members with positive revenue in the period (buyers)");
    loy_rpt_rule(c,
                 "top_members = ceil(buyers x top_percent / 100) buyers with the highest revenue; "
                 "top_revenue_share = their revenue / all revenue x 100");
    loy_rpt_rule(
        c, "lorenz: at population share p, the revenue share of the poorest p of buyers, linear "
           "between buyers; gini = 2 sum(i x_i) / (n S) - (n + 1) / n over revenues x_1 <= ... "
           "<= x_n (0 = equal, towards 1 = concentrated)");
done:
    free(m);
    free(rev);
    free(lor);
    return rc;
}

/* ---------------------------------------------------------------- rfm */

static int report_rfm(loy_rctx *c, loy_err *err)
{
    loy_report_member *m = NULL;
    size_t n = 0;
    int rc = loy_store_report_members(&c->app->conn, &c->p.scope, &m, &n, err);
    if (rc) return rc;
    size_t cnt = n ? n : 1;
    int64_t *v = malloc(cnt * sizeof(*v)), *sorted = malloc(cnt * sizeof(*sorted));
    int *r = malloc(cnt * sizeof(*r)), *f = malloc(cnt * sizeof(*f)),
        *mo = malloc(cnt * sizeof(*mo));
    if (!v || !sorted || !r || !f || !mo) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    /* recency: fewer whole days since the last purchase is better, so score its negation */
    int *scores[3] = {r, f, mo};
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < n; i++)
            v[i] = s == 0   ? -((c->p.scope.to - m[i].last_at) / LOY_DAY)
                   : s == 1 ? m[i].purchases
                            : m[i].revenue;
        memcpy(sorted, v, n * sizeof(*v));
        qsort(sorted, n, sizeof(*sorted), loy_rpt_cmp_i64);
        loy_rpt_quintiles(scores[s], v, sorted, n);
    }
    int64_t members[LOY_SEG_COUNT] = {0}, revenue[LOY_SEG_COUNT] = {0};
    json_t *ids[LOY_SEG_COUNT];
    json_t *next[LOY_SEG_COUNT];
    for (int s = 0; s < LOY_SEG_COUNT; s++) {
        ids[s] = json_array();
        next[s] = json_null();
    }
    for (size_t i = 0; i < n; i++) {
        loy_rfm_segment s = loy_rpt_rfm_segment(r[i], f[i], mo[i]);
        members[s]++;
        revenue[s] += m[i].revenue;
        if (m[i].member <= c->p.cursor) continue;
        if (json_array_size(ids[s]) < (size_t)c->p.limit)
            json_array_append_new(ids[s], json_integer(m[i].member));
        else if (json_is_null(next[s])) {
            json_decref(next[s]);
            next[s] = json_incref(json_array_get(ids[s], json_array_size(ids[s]) - 1));
        }
    }
    json_t *segs = json_array();
    for (int s = 0; s < LOY_SEG_COUNT; s++) {
        const char *name = loy_rpt_segment_name((loy_rfm_segment)s);
        if (c->p.segment && strcmp(c->p.segment, name) != 0) {
            json_decref(ids[s]);
            json_decref(next[s]);
            continue;
        }
        json_t *o = json_pack("{s:s, s:I}", "segment", name, "members", (json_int_t)members[s]);
        loy_rpt_set_money(c->app, o, "revenue", revenue[s]);
        json_object_set_new(o, "member_ids", ids[s]);
        json_object_set_new(o, "next_cursor", next[s]);
        json_array_append_new(segs, o);
    }
    json_object_set_new(c->out, "scored_members", json_integer((json_int_t)n));
    json_object_set_new(c->out, "segments", segs);
    loy_rpt_rule(c, loy_rpt_counted_rule);
    loy_rpt_rule(c,
                 "scored: members with a counted purchase in the period; recency = whole days from "
                 "the last one to `to`, frequency = counted purchases, monetary = revenue");
    loy_rpt_rule(
        c, "quintile score 1..5 = 1 + floor(5 x (members with a worse value) / scored members): "
           "fewer days, more purchases and more revenue are better; equal values score alike");
    loy_rpt_rule(
        c, "segment from R and FM = the mean of F and M, halves rounded up: R5: FM1 new, FM2-3 "
           "potential_loyalists, FM4-5 champions; R4: FM1 promising, FM2-3 potential_loyalists, "
           "FM4 loyal, FM5 champions; R3: FM1-2 about_to_sleep, FM3 need_attention, FM4-5 loyal; "
           "R2: FM1-2 hibernating, FM3-4 at_risk, FM5 cannot_lose_them; R1: FM1-2 lost, FM3 "
           "at_risk, FM4-5 cannot_lose_them");
    loy_rpt_rule(c,
                 "member_ids: ascending, at most `limit` per segment after `cursor`; next_cursor "
                 "continues the list (null at its end)");
done:
    free(m);
    free(v);
    free(sorted);
    free(r);
    free(f);
    free(mo);
    return rc;
}

/* ---------------------------------------------------------------- advocacy */

static int cmp_adv(const void *a, const void *b)
{
    const loy_report_advocate *x = a, *y = b;
    if (x->referred_revenue != y->referred_revenue)
        return x->referred_revenue < y->referred_revenue ? 1 : -1;
    if (x->spend != y->spend) return x->spend < y->spend ? 1 : -1;
    return (x->member > y->member) - (x->member < y->member);
}

/* The score of `member` in scores ascending by member, or NULL. */
static const loy_model_score *score_of(const loy_model_score *s, size_t n, int64_t member)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].member < member)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && s[lo].member == member ? &s[lo] : NULL;
}

static const char *const quadrant_names[4] = {"others", "senders", "spenders", "advocates"};

static int report_advocacy(loy_rctx *c, loy_err *err)
{
    loy_report_advocate *a = NULL;
    size_t n = 0;
    int rc = loy_store_report_advocacy(&c->app->conn, &c->p.scope, &a, &n, err);
    if (rc) return rc;
    size_t cnt = n ? n : 1;
    int64_t *spend = malloc(cnt * sizeof(*spend)), *refrev = malloc(cnt * sizeof(*refrev));
    loy_report_advocate *order = malloc(cnt * sizeof(*order));
    if (!spend || !refrev || !order) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        spend[i] = a[i].spend;
        refrev[i] = a[i].referred_revenue;
    }
    if (n) memcpy(order, a, n * sizeof(*a));
    qsort(spend, n, sizeof(*spend), loy_rpt_cmp_i64);
    qsort(refrev, n, sizeof(*refrev), loy_rpt_cmp_i64);
    double med_spend = loy_rpt_median(spend, n), med_ref = loy_rpt_median(refrev, n);
    int64_t qn[4] = {0}, qspend[4] = {0}, qref[4] = {0}, referred = 0, ref_total = 0, awarded = 0;
    for (size_t i = 0; i < n; i++) {
        int q = ((double)a[i].spend > med_spend ? 2 : 0) +
                ((double)a[i].referred_revenue > med_ref ? 1 : 0);
        qn[q]++;
        qspend[q] += a[i].spend;
        qref[q] += a[i].referred_revenue;
        referred += a[i].referred;
        ref_total += a[i].referred_revenue;
        awarded += a[i].awarded;
    }
    qsort(order, n, sizeof(*order), cmp_adv);
    json_t *quads = json_array(), *list = json_array();
    for (int q = 3; q >= 0; q--) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "quadrant", quadrant_names[q], "spend",
                              q & 2 ? "high" : "low", "referred_revenue", q & 1 ? "high" : "low",
                              "members", (json_int_t)qn[q]);
        loy_rpt_set_money(c->app, o, "total_spend", qspend[q]);
        loy_rpt_set_money(c->app, o, "total_referred_revenue", qref[q]);
        json_array_append_new(quads, o);
    }
    /* predictive CLV next to each listed member (this page only), once a model is fitted */
    size_t skip = (size_t)c->p.cursor, page = 0;
    int64_t ids[1000];
    for (size_t j = skip; j < n && page < (size_t)c->p.limit; j++) ids[page++] = order[j].member;
    qsort(ids, page, sizeof(ids[0]), loy_rpt_cmp_i64);
    /* and the members they referred, for the referred CLV (app/referrals.c) */
    int64_t *pairs = NULL, *scored = NULL;
    size_t npairs = 0, nscored = 0;
    rc = loy_app_referral_referees(c->app, ids, page, c->p.scope.to, &pairs, &npairs, err);
    if (!rc && !(scored = malloc((page + npairs + 1) * sizeof(*scored))))
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (rc) {
        free(pairs);
        json_decref(quads);
        json_decref(list);
        goto done;
    }
    memcpy(scored, ids, page * sizeof(*ids));
    for (size_t k = 0; k < npairs; k++) scored[page + k] = pairs[2 * k + 1];
    qsort(scored, page + npairs, sizeof(*scored), loy_rpt_cmp_i64);
    for (size_t k = 0; k < page + npairs; k++)
        if (!nscored || scored[nscored - 1] != scored[k]) scored[nscored++] = scored[k];
    loy_model_score *sc = NULL;
    size_t nsc = 0;
    json_t *model = NULL;
    int mrc = loy_app_model_scores(c->app, NULL, c->p.scope.to, LOY_MODEL_WEEKS, LOY_MODEL_DISCOUNT,
                                   scored, nscored, &sc, &nsc, &model, err);
    free(scored);
    if (mrc == LOY_ENOTFOUND)
        loy_err_clear(err);
    else if (mrc) {
        rc = mrc;
        free(pairs);
        json_decref(quads);
        json_decref(list);
        goto done;
    }
    size_t shown = 0;
    for (size_t j = skip; j < n && shown < (size_t)c->p.limit; j++, shown++) {
        const loy_report_advocate *x = &order[j];
        int q = ((double)x->spend > med_spend ? 2 : 0) +
                ((double)x->referred_revenue > med_ref ? 1 : 0);
        json_t *o = json_pack("{s:I, s:s, s:I, s:I}", "member_id", (json_int_t)x->member,
                              "quadrant", quadrant_names[q], "referred_members",
                              (json_int_t)x->referred, "referrals_awarded", (json_int_t)x->awarded);
        loy_rpt_set_money(c->app, o, "spend", x->spend);
        loy_rpt_set_money(c->app, o, "referred_revenue", x->referred_revenue);
        if (model) {
            const loy_model_score *hit = score_of(sc, nsc, x->member);
            if (hit && isfinite(hit->clv))
                loy_rpt_set_money(c->app, o, "clv", llround(hit->clv));
            else {
                json_object_set_new(o, "clv", json_null());
                json_object_set_new(o, "clv_display", json_null());
            }
            double rclv = 0; /* the referred members' CLV: those the model could score */
            for (size_t k = 0; k < npairs; k++) {
                const loy_model_score *h =
                    pairs[2 * k] == x->member ? score_of(sc, nsc, pairs[2 * k + 1]) : NULL;
                if (h && isfinite(h->clv)) rclv += h->clv;
            }
            loy_rpt_set_money(c->app, o, "referred_clv", llround(rclv));
        }
        json_array_append_new(list, o);
    }
    json_object_set_new(c->out, "members_counted", json_integer((json_int_t)n));
    json_object_set_new(c->out, "referred_members", json_integer(referred));
    json_object_set_new(c->out, "referrals_awarded", json_integer(awarded));
    loy_rpt_set_money(c->app, c->out, "referred_revenue", ref_total);
    json_object_set_new(c->out, "median_spend", loy_rpt_num(med_spend, 2));
    json_object_set_new(c->out, "median_referred_revenue", loy_rpt_num(med_ref, 2));
    json_object_set_new(c->out, "quadrants", quads);
    json_object_set_new(c->out, "members", list);
    json_object_set_new(c->out, "next_cursor",
                        skip + shown < n ? json_integer((json_int_t)(skip + shown)) : json_null());
    json_object_set_new(c->out, "model", model ? model : json_null());
    free(sc);
    free(pairs);
    loy_rpt_rule(c, loy_rpt_counted_rule);
    loy_rpt_rule(
        c, "counted: members with revenue in the period or who referred anyone (members whose "
           "referred_by is them, joined before `to`); spend = own revenue; referred_revenue = "
           "the revenue of the members they referred, in the period");
    loy_rpt_rule(
        c, "high = strictly above the median of the counted members, low = at or below it; "
           "advocates: high spend and high referred revenue, spenders: high spend only, senders: "
           "high referred revenue only, others: neither");
    loy_rpt_rule(c, "clv (once a model is fitted, see `model`): each listed member's predictive "
                    "CLV over 52 weeks at 10% a year, as the clv report; null for a member "
                    "without a purchase since the model's data start");
    loy_rpt_rule(c, "referrals_awarded: referrals whose bonuses were paid before `to` (ever), "
                    "per member and in total; referred_clv (once a model is fitted): the sum of "
                    "the CLV of the members they referred (joined before `to`), those without a "
                    "purchase since the model's data start counting 0");
    loy_rpt_rule(
        c, "members: by referred revenue, then spend, descending; `limit` per page, `cursor` = "
           "how many to skip (next_cursor gives the next page, null on the last)");
done:
    free(a);
    free(spend);
    free(refrev);
    free(order);
    return rc;
}

/* ---------------------------------------------------------------- economics */

typedef struct {
    int64_t period[4][11], total[4][11]; /* [account][kind] */
} ledger_acc;

static const char *const acc_names[4] = {"points", "pending", "stamps", "giving"};
static const char *const kind_names[11] = {"earn",   "bonus",    "redeem", "tender",
                                           "expire", "reverse",  "adjust", "activate",
                                           "settle", "referral", "restore"};
enum { K_EARN, K_BONUS, K_REDEEM, K_TENDER, K_EXPIRE, K_REVERSE, K_ADJUST, K_ACTIVATE };
enum { K_SETTLE = 8, K_REFERRAL, K_RESTORE };

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

static void ledger_row(void *ctx, const char *account, const char *kind, int64_t in_period,
                       int64_t before_to)
{
    ledger_acc *l = ctx;
    int a = name_index(acc_names, 4, account), k = name_index(kind_names, 11, kind);
    if (a < 0 || k < 0) return;
    l->period[a][k] += in_period;
    l->total[a][k] += before_to;
}

static int64_t sum_kinds(const int64_t row[11], unsigned kinds)
{
    int64_t s = 0;
    for (int k = 0; k < 11; k++)
        if (kinds & (1u << k)) s += row[k];
    return s;
}

#define KS(k) (1u << (k))

static int report_economics(loy_rctx *c, loy_err *err)
{
    ledger_acc l = {0};
    loy_report_vouchers v;
    int rc = loy_store_report_ledger(&c->app->conn, &c->p.scope, ledger_row, &l, err);
    if (!rc) rc = loy_store_report_vouchers(&c->app->conn, &c->p.scope, &v, err);
    if (rc) return rc;
    const int64_t *pp = l.period[0], *pe = l.period[1];
    unsigned issue = KS(K_EARN) | KS(K_BONUS) | KS(K_REFERRAL);
    int64_t issued = sum_kinds(pp, issue) + sum_kinds(pe, issue);
    int64_t reversed = -(sum_kinds(pp, KS(K_REVERSE)) + sum_kinds(pe, KS(K_REVERSE)));
    int64_t redeemed = -sum_kinds(pp, KS(K_REDEEM) | KS(K_TENDER) | KS(K_RESTORE));
    int64_t expired = -(sum_kinds(pp, KS(K_EXPIRE)) + sum_kinds(pe, KS(K_EXPIRE)));
    int64_t adjusted = sum_kinds(pp, KS(K_ADJUST)) + sum_kinds(pe, KS(K_ADJUST));
    int64_t outstanding = sum_kinds(l.total[0], 0x7FF), pending = sum_kinds(l.total[1], 0x7FF);
    int64_t net_issued = issued - reversed;
    int64_t pv = c->app->prog->point_value_micro;
    json_t *pts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "issued",
                            (json_int_t)issued, "reversed", (json_int_t)reversed, "net_issued",
                            (json_int_t)net_issued, "redeemed", (json_int_t)redeemed, "expired",
                            (json_int_t)expired, "adjusted", (json_int_t)adjusted, "outstanding",
                            (json_int_t)outstanding, "pending", (json_int_t)pending);
    json_object_set_new(pts, "point_value_micro", json_integer(pv));
    loy_rpt_set_money(c->app, pts, "liability", loy_rpt_muldiv(outstanding, pv, 1000000));
    loy_rpt_set_money(c->app, pts, "pending_liability", loy_rpt_muldiv(pending, pv, 1000000));
    json_object_set_new(pts, "redemption_rate", loy_rpt_num(loy_rpt_pct(redeemed, net_issued), 2));
    json_object_set_new(pts, "breakage", loy_rpt_num(loy_rpt_pct(expired, net_issued), 2));
    const int64_t *sp = l.period[2];
    json_t *stamps = json_pack("{s:I, s:I, s:I, s:I}", "issued",
                               (json_int_t)(sum_kinds(sp, issue) + sum_kinds(sp, KS(K_REVERSE))),
                               "redeemed", (json_int_t)-sum_kinds(sp, KS(K_REDEEM)), "expired",
                               (json_int_t)-sum_kinds(sp, KS(K_EXPIRE)), "outstanding",
                               (json_int_t)sum_kinds(l.total[2], 0x7FF));
    json_t *giving = json_object();
    loy_rpt_set_money(c->app, giving, "accrued", sum_kinds(l.period[3], 0x7FF));
    loy_rpt_set_money(c->app, giving, "accrued_to_date", sum_kinds(l.total[3], 0x7FF));
    json_object_set_new(c->out, "points", pts);
    json_object_set_new(c->out, "stamps", stamps);
    json_object_set_new(c->out, "vouchers",
                        json_pack("{s:I, s:I, s:I, s:o}", "issued", (json_int_t)v.issued, "used",
                                  (json_int_t)v.used, "open", (json_int_t)v.open, "use_rate",
                                  loy_rpt_num(loy_rpt_pct(v.used, v.issued), 2)));
    json_object_set_new(c->out, "giving", giving);
    if ((rc = loy_rpt_giving_by_cause(c, giving, err))) return rc;
    loy_rpt_rule(
        c, "from the ledger, points and pending accounts together, entries created in the "
           "period: issued = earn + bonus + referral; reversed = refund reversals; net_issued = "
           "issued - reversed; redeemed = rewards + points tendered - tendered points given "
           "back on refunds; expired = expiry; adjusted = manual adjustments (net)");
    loy_rpt_rule(c,
                 "outstanding and pending: balances at `to` (every entry before it); liability = "
                 "points x point_value_micro / 1000000 minor units, rounded");
    loy_rpt_rule(c,
                 "redemption_rate = redeemed / net_issued x 100; breakage = expired / net_issued x "
                 "100 (both over the period)");
    loy_rpt_rule(c,
                 "vouchers: issued and used in the period; open = at `to` issued, unused and "
                 "unexpired; use_rate = used / issued x 100; giving: the giving account, in minor "
                 "units");
    loy_rpt_rule(c, "giving.by_cause: each giving entry counts for the cause of the programme "
                    "version in force when it was made (causes in the order they first appeared)");
    loy_rpt_rule(c, "the ledger is not kept per location, so this report takes no location");
    return 0;
}

/* ---------------------------------------------------------------- entry point */

static int (*const runners[LOY_R_COUNT])(loy_rctx *, loy_err *) = {
    loy_rpt_kpis,    loy_rpt_churn,    report_cohorts, report_pareto,     report_rfm,
    report_advocacy, report_economics, loy_rpt_clv,    loy_rpt_nps_report};

int loy_app_report(loy_app *app, const char *name, const json_t *params, json_t **resp,
                   loy_err *err)
{
    *resp = NULL;
    int report = name ? name_index(loy_report_names, LOY_R_COUNT, name) : -1;
    if (report < 0)
        return loy_err_set(err, LOY_ENOTFOUND, "report",
                           "no report \"%s\" (kpis, churn, cohorts, pareto, rfm, advocacy, "
                           "economics, clv, nps)",
                           name ? name : "");
    if (!app->merchant || !app->prog)
        return loy_err_set(err, LOY_ENOTFOUND, "", "no merchant: run `loyalty init` first");
    loy_rctx c = {.app = app};
    int rc = parse_params(app, report, params, &c.p, err);
    if (rc) return rc;
    c.out = header(&c);
    if (!c.out) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if ((rc = loy_db_begin(&app->conn, false, err))) {
        json_decref(c.out);
        return rc;
    }
    rc = runners[report](&c, err);
    loy_db_rollback(&app->conn);
    if (rc) {
        json_decref(c.out);
        return rc;
    }
    *resp = c.out;
    return 0;
}
