/* Internals shared by the report use cases (reports.c, report_churn.c, report_clv.c,
 * report_csv.c): the report numbering, the checked parameters and the JSON helpers. */
#ifndef LOY_APP_REPORT_INT_H
#define LOY_APP_REPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app_int.h"
#include "store/store_report.h"

#define LOY_RPT_MAX_MONTHS 120 /* longest period of churn and cohorts, in months */

enum {
    LOY_R_KPIS,
    LOY_R_CHURN,
    LOY_R_COHORTS,
    LOY_R_PARETO,
    LOY_R_RFM,
    LOY_R_ADVOCACY,
    LOY_R_ECONOMICS,
    LOY_R_CLV,
    LOY_R_NPS,
    LOY_R_COUNT
};

/* What decides that a member is active at an instant (churn). */
typedef enum { LOY_BASIS_INACTIVITY, LOY_BASIS_P_ALIVE } loy_churn_basis;

/* A report's checked parameters (defaults filled in). */
typedef struct {
    int report;
    loy_report_scope scope;
    int64_t days, top, points, limit, cursor, weeks;
    double discount;
    loy_churn_basis basis;
    const char *segment;
} loy_rparams;

/* One report run: the app, its parameters and the JSON answer being built. */
typedef struct {
    loy_app *app;
    loy_rparams p;
    json_t *out;
} loy_rctx;

/* Sets o[key] = minor and o[key + "_display"] = the money text. */
void loy_rpt_set_money(const loy_app *app, json_t *o, const char *key, int64_t minor);
/* A number rounded to `decimals`, or null for NAN. */
json_t *loy_rpt_num(double x, int decimals);
/* Appends a rule (the words saying how a figure was computed) to the answer. */
void loy_rpt_rule(loy_rctx *c, const char *text);
/* qsort comparator of int64_t, ascending. */
int loy_rpt_cmp_i64(const void *a, const void *b);
/* The rule of what purchases count, shared by most reports. */
extern const char loy_rpt_counted_rule[];

/* How many calendar months (merchant's zone) the period touches. */
int64_t loy_rpt_months(const loy_app *app, const loy_report_scope *s);
/* Period boundaries into b (at most LOY_RPT_MAX_MONTHS + 2): from, each local month start inside
 * the period, to. Returns how many. */
size_t loy_rpt_month_bounds(const loy_app *app, const loy_report_scope *s, int64_t *b);

/* Churn counts on the boundaries b[0..nb): at_start[i] = members active at b[i], lost[i] = of
 * those, members not active at b[i + 1] (i < nb - 1); *ostart / *olost the same between b[0] and
 * b[nb - 1]. Active: a counted purchase in the `days` before (inactivity basis), or P(alive) at
 * least 0.5 under the latest fitted model with the history up to that instant (p_alive basis). */
int loy_rpt_churn_counts(loy_rctx *c, const int64_t *b, size_t nb, int64_t *at_start, int64_t *lost,
                         int64_t *ostart, int64_t *olost, loy_err *err);

/* The headline figures of the kpis report. */
typedef struct {
    int64_t members, new_members; /* joined before `to`; of those, in the period */
    int64_t buyers, repeat_buyers, purchases, revenue;
    int64_t active_30, active_90;            /* a counted purchase in the 30 / 90 days before to */
    int64_t new_buyers, new_buyers_returned; /* first purchase ever in the period; of those 2+ */
} loy_rpt_kpi;

/* The kpis figures of c's scope in one ordered pass over the counted purchases before `to` (all
 * history, for the first purchases) and one over members; with `details`, also appends the
 * per-location rows to c->out's "by_location" array and the per-month rows to "by_month". */
int loy_rpt_kpi_counts(loy_rctx *c, loy_rpt_kpi *k, bool details, loy_err *err);

/* Adds "by_cause": [{cause, accrued, accrued_to_date}] to the economics report's giving object:
 * each giving entry counts for the cause of the programme version in force when it was made. */
int loy_rpt_giving_by_cause(loy_rctx *c, json_t *giving, loy_err *err);

int loy_rpt_kpis(loy_rctx *c, loy_err *err);
int loy_rpt_churn(loy_rctx *c, loy_err *err);
int loy_rpt_clv(loy_rctx *c, loy_err *err);
int loy_rpt_nps_report(loy_rctx *c, loy_err *err); /* report_nps.c */

#endif
