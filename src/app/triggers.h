/* Engagement triggers in the use cases (docs/engagement.md): the event triggers queued inside
 * the join and purchase transactions, the daily triggers evaluated for every member by the daily
 * jobs, and the daily jobs' schedule (the scheduler inside `loyalty serve`, and `loyalty jobs
 * run` from cron). The rules are core/triggers.h; the messages go through app/messages.h. The
 * survey invitation is not here: app/feedback queues it from the purchase. */
#ifndef LOY_APP_TRIGGERS_H
#define LOY_APP_TRIGGERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

/* The job name of the daily jobs in job_runs. */
#define LOY_JOB_DAILY "daily"

/* Inside loy_uc_member_create's transaction, once member `member` is stored: the welcome
 * message (key "member:ID") when the programme turns it on. */
int loy_app_triggers_joined(loy_app *app, int64_t member, int64_t now, loy_err *err);

/* Inside loy_uc_purchase's transaction, after purchase `purchase` made at `at` (the member's
 * `nth` purchase) and its outcome `o` were stored: thanks (the Nth purchase exactly), tier_up
 * and reward available, as core/triggers.h decides. History recorded late (made more than a day
 * before `now`: imports, backdated entries) sends nothing. */
int loy_app_triggers_purchased(loy_app *app, int64_t member, int64_t purchase, int64_t nth,
                               int64_t at, const loy_outcome *o, int64_t now, loy_err *err);

/* The daily triggers for every member of the current merchant at `now`, one write transaction
 * per member: each member's local date comes from their time zone (loy_app_member_tz), P(alive)
 * from the latest fitted model (when win-back uses it). Messages are keyed by that date, so a
 * second run the same day queues nothing. Daily messages are not sent before send_at on the
 * member's own local date. Then records the run of the daily jobs for the merchant-local date of
 * `now` (job_runs). Adds "messages_queued" and "messages_by_trigger" ({"birthday": 1, ...}) to
 * `summary`. Called at the end of loy_app_jobs_housekeeping. */
int loy_app_triggers_daily(loy_app *app, int64_t now, json_t *summary, loy_err *err);

/* LOY_EBUSY ("stopped") when app->stop is set: the daily jobs end between two members without
 * recording the run, which the next start completes (every step is idempotent). 0 otherwise. */
int loy_app_jobs_stopping(const loy_app *app, loy_err *err);

/* The scheduler's question for the current merchant: are the daily jobs due at `now`? True when
 * the merchant-local time of day has reached triggers.send_at (10:00 by default) and the jobs
 * have not completed for the merchant's local date yet (job_runs: by the scheduler or by
 * `loyalty jobs run`). *date = that local date ("2026-11-23"). */
int loy_app_jobs_due(loy_app *app, int64_t now, bool *due, char date[16], loy_err *err);

#endif
