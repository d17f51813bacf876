/* Report use cases: KPIs, churn, retention cohorts, Pareto (Lorenz, Gini), RFM segments,
 * advocacy (spenders vs senders), programme economics and lifetime value (simple and
 * predictive), as JSON documents shared by the CLI
 * (`loyalty report NAME`) and the HTTP API (GET /api/v1/reports/{name}). See docs/reports.md. */
#ifndef LOY_APP_REPORTS_H
#define LOY_APP_REPORTS_H

#include <jansson.h>

#include "app/app.h"

/* The report names, NULL-terminated: kpis, churn, cohorts, pareto, rfm, advocacy, economics,
 * clv, nps. */
extern const char *const loy_report_names[];

/* Runs report `name` for the current merchant in one read transaction (one snapshot).
 * `params` (borrowed; NULL = none) is an object of optional parameters, each a string or an
 * integer: from, to (dates "YYYY-MM-DD" in the merchant's time zone, both days included, or ISO
 * 8601 instants, `to` excluded; default the 365 days before now), location (a location code),
 * and per report days (churn, clv: inactivity that counts as lost, default 90), basis (churn:
 * "inactivity" or "p_alive"), top (pareto: top-k percent, default 20), points (pareto: Lorenz
 * points, default 11), limit and cursor (rfm, advocacy, clv: ids per list and where they
 * continue), segment (rfm: list one segment), weeks and discount (clv: horizon, 1..520, default
 * 52, and yearly discount rate 0..1, default 0.10).
 * *resp = {"report", "currency", "period": {from, to, time_zone, location}, "rules": [...], ...}
 * with money as integer minor units plus a "*_display" string. LOY_ENOTFOUND for an unknown
 * report; LOY_EINVALID naming the parameter for a bad or inapplicable one. */
int loy_app_report(loy_app *app, const char *name, const json_t *params, json_t **resp,
                   loy_err *err);

/* The report answer `report` (as loy_app_report returns it) as CSV text (RFC 4180, CRLF line
 * ends, a header row): churn periods, cohorts (purchasing_k, retention_k columns), the Lorenz
 * points, RFM segments, advocacy members and the predictive CLV's top members as rows; kpis,
 * economics and a clv without a model as (figure, value) rows, nested names joined with dots.
 * Money is in minor units, followed by its *_display text. *out is malloc'ed. */
int loy_app_report_csv(const json_t *report, char **out, loy_err *err);

#endif
