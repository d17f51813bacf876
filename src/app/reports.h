/* Report use cases: KPIs, churn, retention cohorts, Pareto (Lorenz, Gini), RFM segments,
 * advocacy (spenders vs senders) and programme economics, as JSON documents shared by the CLI
 * (`loyalty report NAME`) and the HTTP API (GET /api/v1/reports/{name}). See docs/reports.md. */
#ifndef LOY_APP_REPORTS_H
#define LOY_APP_REPORTS_H

#include <jansson.h>

#include "app/app.h"

/* The report names, NULL-terminated: kpis, churn, cohorts, pareto, rfm, advocacy, economics. */
extern const char *const loy_report_names[];

/* Runs report `name` for the current merchant in one read transaction (one snapshot).
 * `params` (borrowed; NULL = none) is an object of optional parameters, each a string or an
 * integer: from, to (dates "YYYY-MM-DD" in the merchant's time zone, both days included, or ISO
 * 8601 instants, `to` excluded; default the 365 days before now), location (a location code),
 * and per report days (churn: inactivity that counts as lost, default 90), top (pareto: top-k
 * percent, default 20), points (pareto: Lorenz points, default 11), limit and cursor (rfm,
 * advocacy: member ids per list and the id they start after), segment (rfm: list one segment).
 * *resp = {"report", "currency", "period": {from, to, time_zone, location}, "rules": [...], ...}
 * with money as integer minor units plus a "*_display" string. LOY_ENOTFOUND for an unknown
 * report; LOY_EINVALID naming the parameter for a bad or inapplicable one. */
int loy_app_report(loy_app *app, const char *name, const json_t *params, json_t **resp,
                   loy_err *err);

#endif
