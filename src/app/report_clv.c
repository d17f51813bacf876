/* The clv report: the simple lifetime value (average purchase value x purchase frequency x
 * average lifespan, each input shown) and, once a model is fitted, the predictive one per
 * member (P(alive), expected purchases and spend, discounted CLV) with its distribution. */
#include "app/report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/clv.h"
#include "analytics/report_math.h"
#include "app/models.h"

#define DAYS_PER_YEAR  365.25
#define DAYS_PER_MONTH (DAYS_PER_YEAR / 12.0)

/* Simple CLV from the period's purchases and the inactivity churn of its months. */
static int simple(loy_rctx *c, loy_err *err)
{
    const loy_report_scope *s = &c->p.scope;
    loy_rpt_kpi k;
    int rc = loy_rpt_kpi_counts(c, &k, false, err);
    int64_t b[LOY_RPT_MAX_MONTHS + 2], at_start[LOY_RPT_MAX_MONTHS + 2],
        lost[LOY_RPT_MAX_MONTHS + 2], ostart, olost;
    double months[LOY_RPT_MAX_MONTHS + 2];
    size_t nb = loy_rpt_month_bounds(c->app, s, b);
    if (!rc) rc = loy_rpt_churn_counts(c, b, nb, at_start, lost, &ostart, &olost, err);
    if (rc) return rc;
    for (size_t i = 0; i + 1 < nb; i++)
        months[i] = (double)(b[i + 1] - b[i]) / (DAYS_PER_MONTH * LOY_DAY);
    double period_years = (double)(s->to - s->from) / (DAYS_PER_YEAR * LOY_DAY);
    double apv = loy_rpt_ratio(k.revenue, k.purchases);
    double freq = loy_rpt_ratio(k.purchases, k.buyers) / period_years;
    double churn = loy_rpt_monthly_churn(lost, at_start, months, nb - 1);
    double life = churn > 0 ? 1.0 / churn / 12.0 : NAN;
    double clv = NAN;
    if (isfinite(apv) && isfinite(freq) && isfinite(life))
        loy_clv_simple(&clv, apv, freq, life, NULL);
    json_t *o =
        json_pack("{s:I, s:I, s:o, s:o, s:o}", "buyers", (json_int_t)k.buyers, "purchases",
                  (json_int_t)k.purchases, "purchase_frequency_per_year", loy_rpt_num(freq, 3),
                  "monthly_churn_rate", loy_rpt_num(isnan(churn) ? NAN : 100 * churn, 2),
                  "average_lifespan_years", loy_rpt_num(life, 2));
    loy_rpt_set_money(c->app, o, "revenue", k.revenue);
    loy_rpt_set_money(c->app, o, "average_purchase_value",
                      loy_rpt_div_round(k.revenue, k.purchases));
    if (isfinite(clv))
        loy_rpt_set_money(c->app, o, "clv", llround(clv));
    else {
        json_object_set_new(o, "clv", json_null());
        json_object_set_new(o, "clv_display", json_null());
    }
    json_object_set_new(c->out, "simple", o);
    char text[640];
    snprintf(text, sizeof(text),
             "simple: clv = average_purchase_value x purchase_frequency_per_year x "
             "average_lifespan_years; average_purchase_value = revenue / purchases; "
             "purchase_frequency_per_year = purchases / buyers / the period in years (365.25 "
             "days); average_lifespan_years = 1 / monthly churn / 12, where monthly churn = lost "
             "/ (at_start x months) over the period's calendar months, lost meaning no purchase "
             "for %lld days (as the churn report); null when nobody was lost",
             (long long)c->p.days);
    loy_rpt_rule(c, text);
    return 0;
}

static int cmp_clv_desc(const void *a, const void *b)
{
    const loy_model_score *x = a, *y = b;
    if (x->clv != y->clv) return x->clv < y->clv ? 1 : -1;
    return (x->member > y->member) - (x->member < y->member);
}

static json_t *member_row(const loy_app *app, const loy_model_score *m)
{
    json_t *o = json_pack("{s:I, s:o, s:o}", "member_id", (json_int_t)m->member, "p_alive",
                          loy_rpt_num(m->p_alive, 4), "expected_purchases",
                          loy_rpt_num(m->expected_purchases, 3));
    loy_rpt_set_money(app, o, "expected_spend", llround(m->expected_spend));
    loy_rpt_set_money(app, o, "clv", llround(m->clv));
    return o;
}

/* Predictive CLV of every member scored by the latest fit, as of `to`. */
static int predictive(loy_rctx *c, loy_err *err)
{
    loy_model_score *m = NULL;
    size_t n = 0;
    json_t *model = NULL;
    int rc = loy_app_model_scores(c->app, NULL, c->p.scope.to, c->p.weeks, c->p.discount, NULL, 0,
                                  &m, &n, &model, err);
    if (rc == LOY_ENOTFOUND) {
        loy_err_clear(err);
        json_object_set_new(c->out, "predictive", json_null());
        loy_rpt_rule(c, "predictive: null until a model is fitted (`loyalty model fit` or POST "
                        "/api/v1/models:fit)");
        return 0;
    }
    if (rc) return rc;
    /* members the maths could not score (NaN) are counted apart, not averaged in */
    size_t k = 0, unscored = 0;
    for (size_t i = 0; i < n; i++) {
        bool ok = m[i].p_alive >= 0.0 && m[i].p_alive <= 1.0 && isfinite(m[i].clv) &&
                  isfinite(m[i].expected_purchases) && isfinite(m[i].expected_spend);
        if (ok)
            m[k++] = m[i];
        else
            unscored++;
    }
    n = k;
    qsort(m, n, sizeof(*m), cmp_clv_desc);
    double alive = 0, purchases = 0, total = 0;
    int64_t band_n[4] = {0};
    double band_clv[4] = {0};
    for (size_t i = 0; i < n; i++) {
        alive += m[i].p_alive;
        purchases += m[i].expected_purchases;
        total += m[i].clv;
        int band = m[i].p_alive >= 1.0 ? 3 : (int)(m[i].p_alive * 4);
        band_n[band]++;
        band_clv[band] += m[i].clv;
    }
    json_t *o =
        json_pack("{s:o, s:I, s:f, s:I, s:o, s:o}", "model", model, "weeks", (json_int_t)c->p.weeks,
                  "discount_rate", c->p.discount, "members", (json_int_t)n, "expected_alive",
                  loy_rpt_num(alive, 1), "expected_purchases", loy_rpt_num(purchases, 1));
    json_object_set_new(o, "members_unscored", json_integer((json_int_t)unscored));
    loy_rpt_set_money(c->app, o, "clv_total", llround(total));
    loy_rpt_set_money(c->app, o, "clv_mean", n ? llround(total / (double)n) : 0);
    double median = !n ? 0 : n % 2 ? m[n / 2].clv : (m[n / 2 - 1].clv + m[n / 2].clv) / 2;
    loy_rpt_set_money(c->app, o, "clv_median", llround(median));
    json_t *bands = json_array();
    for (int b = 0; b < 4; b++) {
        json_t *x = json_pack("{s:f, s:f, s:I}", "p_alive_from", b / 4.0, "p_alive_to",
                              (b + 1) / 4.0, "members", (json_int_t)band_n[b]);
        loy_rpt_set_money(c->app, x, "clv", llround(band_clv[b]));
        json_array_append_new(bands, x);
    }
    json_object_set_new(o, "p_alive_bands", bands);
    /* deciles from the top: decile d holds members [n d / 10, n (d + 1) / 10) by CLV */
    json_t *dec = json_array();
    for (size_t d = 0; n && d < 10; d++) {
        size_t lo = n * d / 10, hi = n * (d + 1) / 10;
        double sum = 0;
        for (size_t i = lo; i < hi; i++) sum += m[i].clv;
        json_t *x = json_pack("{s:I, s:I, s:o}", "decile", (json_int_t)(d + 1), "members",
                              (json_int_t)(hi - lo), "clv_share",
                              loy_rpt_num(total > 0 ? 100 * sum / total : NAN, 2));
        loy_rpt_set_money(c->app, x, "clv", llround(sum));
        json_array_append_new(dec, x);
    }
    json_object_set_new(o, "deciles", dec);
    json_t *list = json_array();
    size_t skip = (size_t)c->p.cursor, shown = 0;
    for (size_t i = skip; i < n && shown < (size_t)c->p.limit; i++, shown++)
        json_array_append_new(list, member_row(c->app, &m[i]));
    json_object_set_new(o, "top_members", list);
    json_object_set_new(o, "next_cursor",
                        skip + shown < n ? json_integer((json_int_t)(skip + shown)) : json_null());
    json_object_set_new(c->out, "predictive", o);
    free(m);
    loy_rpt_rule(c, "predictive: the latest fitted model (`model`: BG/NBD or Pareto/NBD for the "
                    "purchases, Gamma-Gamma for the spend) scores every member who bought "
                    "between the model's data start and `to`, with their history up to `to`; "
                    "`from` and `days` do not apply to it");
    loy_rpt_rule(c, "per member: p_alive, expected_purchases in the next `weeks`, expected_spend "
                    "per purchase and clv = the expected purchases week by week x the spend, "
                    "discounted at `discount_rate` a year (weekly equivalent), in minor units");
    loy_rpt_rule(c, "expected_alive = the sum of P(alive); p_alive_bands: members and clv by "
                    "P(alive) in [0, 0.25), [0.25, 0.5), [0.5, 0.75), [0.75, 1]; deciles: members "
                    "ranked by clv, top first, with their share of clv_total; top_members: by clv "
                    "descending, `limit` per page, `cursor` rows skipped");
    return 0;
}

int loy_rpt_clv(loy_rctx *c, loy_err *err)
{
    c->p.basis = LOY_BASIS_INACTIVITY;
    int rc = simple(c, err);
    if (!rc) rc = predictive(c, err);
    if (!rc) loy_rpt_rule(c, loy_rpt_counted_rule);
    return rc;
}
