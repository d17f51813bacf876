/* The nps report (docs/reports.md): Net Promoter Score of the survey answers of the period,
 * overall, per location and per calendar month, each with its adjusted-Wald 95 % confidence
 * interval (analytics/report_math.h) and the number of responses, and one sentence that says what
 * it means and what to do. */
#include "app/report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/report_math.h"
#include "core/feedback.h"
#include "store/store_feedback.h"

#define Z95 1.959964 /* the standard normal's 97.5 % quantile */

typedef struct {
    int64_t n[3]; /* detractors, passives, promoters */
} counts;

typedef struct {
    const loy_app *app;
    counts all;
    counts *loc; /* per programme location, then one for "no location" */
    size_t nloc;
    counts month[LOY_RPT_MAX_MONTHS + 1];
    const int64_t *bounds;
    size_t nb, at; /* month boundaries and the month being filled */
} nps_acc;

static void count(counts *c, int score)
{
    c->n[loy_nps_group_of(score) + 1]++;
}

static void nps_row(void *ctx, int64_t answered_at, int score, const char *location)
{
    nps_acc *a = ctx;
    count(&a->all, score);
    size_t l = a->nloc - 1; /* no location, or one the programme no longer has */
    for (size_t i = 0; location && i + 1 < a->nloc; i++)
        if (!strcmp(a->app->prog->locations[i].code, location)) l = i;
    count(&a->loc[l], score);
    while (a->at + 2 < a->nb && answered_at >= a->bounds[a->at + 1]) a->at++; /* rows in order */
    count(&a->month[a->at], score);
}

/* The NPS of the counts with its interval, widened when needed to hold the NPS itself: with very
 * few answers the adjustment can pull the interval past an extreme score (one detractor: NPS
 * -100, adjusted Wald interval -98.5 to 48.5), and a range that leaves out what was measured
 * would only confuse. */
static void nps_of(const counts *c, loy_nps *x)
{
    loy_rpt_nps(c->n[2], c->n[1], c->n[0], Z95, x);
    if (x->responses && x->nps < x->low) x->low = x->nps;
    if (x->responses && x->nps > x->high) x->high = x->nps;
}

static json_t *figures(const counts *c, const char *scope, json_t *key)
{
    loy_nps x;
    int64_t d = c->n[0], pa = c->n[1], pr = c->n[2];
    nps_of(c, &x);
    json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I}", "scope", scope, "key", key, "responses",
                          (json_int_t)x.responses, "promoters", (json_int_t)pr, "passives",
                          (json_int_t)pa, "detractors", (json_int_t)d);
    json_object_set_new(o, "nps", loy_rpt_num(x.nps, 1));
    json_object_set_new(o, "ci_low", loy_rpt_num(x.responses ? x.low : NAN, 1));
    json_object_set_new(o, "ci_high", loy_rpt_num(x.responses ? x.high : NAN, 1));
    json_object_set_new(o, "promoters_pct", loy_rpt_num(loy_rpt_pct(pr, x.responses), 1));
    json_object_set_new(o, "passives_pct", loy_rpt_num(loy_rpt_pct(pa, x.responses), 1));
    json_object_set_new(o, "detractors_pct", loy_rpt_num(loy_rpt_pct(d, x.responses), 1));
    return o;
}

/* Half away from zero, as the sentence shows the figures. */
static long long whole(double x)
{
    return (long long)llround(x);
}

/* "NPS 32 (95% CI 18 to 46, 84 responses): more promoters than detractors; call the 6 open
 * detractor cases" */
static void sentence(char *out, size_t n, const counts *c, int64_t open)
{
    loy_nps x;
    nps_of(c, &x);
    if (!x.responses) {
        snprintf(out, n,
                 "No survey answers in this period: NPS needs answers (a purchase invites the "
                 "survey when the programme's feedback section is on)%s",
                 open ? "" : ".");
        if (open)
            snprintf(out + strlen(out), n - strlen(out), "; call the %lld open detractor case%s",
                     (long long)open, open == 1 ? "" : "s");
        return;
    }
    long long nps = whole(x.nps);
    const char *what = nps > 0   ? "more promoters than detractors"
                       : nps < 0 ? "more detractors than promoters"
                                 : "as many promoters as detractors";
    int k =
        snprintf(out, n, "NPS %lld (95%% CI %lld to %lld, %lld response%s): %s", nps, whole(x.low),
                 whole(x.high), (long long)x.responses, x.responses == 1 ? "" : "s", what);
    if (k > 0 && (size_t)k < n && x.responses < 30)
        k += snprintf(out + k, n - (size_t)k, " (few answers yet: the range is wide)");
    if (k > 0 && (size_t)k < n) {
        if (open)
            snprintf(out + k, n - (size_t)k, "; call the %lld open detractor case%s",
                     (long long)open, open == 1 ? "" : "s");
        else
            snprintf(out + k, n - (size_t)k, "; no detractor case is open");
    }
}

int loy_rpt_nps_report(loy_rctx *c, loy_err *err)
{
    const loy_app *app = c->app;
    const loy_report_scope *s = &c->p.scope;
    int64_t b[LOY_RPT_MAX_MONTHS + 2];
    nps_acc a = {.app = app, .bounds = b};
    a.nb = loy_rpt_month_bounds(app, s, b);
    a.nloc = app->prog->nlocations + 1;
    a.loc = calloc(a.nloc, sizeof(*a.loc));
    if (!a.loc) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int64_t open = 0;
    int rc = loy_store_nps_rows(&c->app->conn, s, nps_row, &a, err);
    if (!rc)
        rc = loy_store_case_count(&c->app->conn, app->merchant, "open", s->location, &open, err);
    if (rc) {
        free(a.loc);
        return rc;
    }
    json_t *locs = json_array(), *months = json_array();
    for (size_t i = 0; i < a.nloc; i++) {
        bool none = i + 1 == a.nloc;
        if (s->location && (none || strcmp(s->location, app->prog->locations[i].code))) continue;
        if (none && !a.loc[i].n[0] && !a.loc[i].n[1] && !a.loc[i].n[2]) continue;
        json_t *o = figures(&a.loc[i], "location",
                            none ? json_null() : json_string(app->prog->locations[i].code));
        json_object_set_new(o, "name",
                            none ? json_null() : json_string(app->prog->locations[i].name));
        json_array_append_new(locs, o);
    }
    for (size_t i = 0; i + 1 < a.nb; i++) {
        int64_t m = loy_rpt_month_of(loy_tz_local(app->tz, b[i]));
        char label[16];
        snprintf(label, sizeof(label), "%04lld-%02lld", (long long)(m / 12),
                 (long long)(m % 12 + 1));
        json_t *o = figures(&a.month[i], "month", json_string(label));
        json_object_set_new(o, "from", loy_json_time(b[i]));
        json_object_set_new(o, "to", loy_json_time(b[i + 1]));
        json_array_append_new(months, o);
    }
    char text[400];
    sentence(text, sizeof(text), &a.all, open);
    json_object_set_new(c->out, "confidence_level", json_integer(95));
    json_object_set_new(c->out, "overall", figures(&a.all, "overall", json_string("all")));
    json_object_set_new(c->out, "by_location", locs);
    json_object_set_new(c->out, "by_month", months);
    json_object_set_new(c->out, "open_cases", json_integer(open));
    json_object_set_new(c->out, "sentence", json_string(text));
    free(a.loc);
    loy_rpt_rule(c, "a response is a survey answered in the period (from included, to excluded, "
                    "by the time of the answer); with a location, surveys about purchases made "
                    "there");
    loy_rpt_rule(c, "promoters score 9 or 10, passives 7 or 8, detractors 0 to 6; NPS = promoters "
                    "/ responses x 100 - detractors / responses x 100, from -100 to 100");
    loy_rpt_rule(c,
                 "95% confidence interval by the adjusted Wald method (Rocks 2016): n' = n + 3, "
                 "p' = (promoters + 3/4) / n', d' = (detractors + 3/4) / n', (p' - d') +/- "
                 "1.959964 x sqrt((p' + d' - (p' - d')^2) / n') x 100, within -100 and 100, and "
                 "widened to hold the NPS itself when the adjustment pulls it past (a handful of "
                 "answers, all at one extreme)");
    loy_rpt_rule(c, "by_month: calendar months of the merchant's time zone; by_location: the "
                    "programme's locations (key null: surveys about purchases without one)");
    loy_rpt_rule(c, "open_cases: detractor follow-up cases open now (not yet contacted), of the "
                    "location when one is given");
    return 0;
}
