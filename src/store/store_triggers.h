/* Repository of the engagement triggers and the daily jobs (docs/engagement.md): when each daily
 * trigger last wrote to a member (from the messages table, migration 0014), the member's latest
 * visit dates, and the last run of a merchant's daily jobs (job_runs, migration 0015). Like
 * store.h, every function runs inside the caller's transaction and never commits on its own. */
#ifndef LOY_STORE_STORE_TRIGGERS_H
#define LOY_STORE_STORE_TRIGGERS_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define LOY_JOB_DATE_MAX 16 /* "2026-11-23" and its NUL */

/* For each of the `n` trigger names, the latest key of the form "YYYY-MM-DD" (the member-local
 * date the daily jobs gave it) among the member's messages of that trigger, into keys[i] ("" when
 * there is none). Keys of another form (campaigns, manual messages) are not counted. */
int loy_store_trigger_last(loy_conn *c, int64_t merchant, int64_t member,
                           const char *const *triggers, size_t n, char (*keys)[LOY_JOB_DATE_MAX],
                           loy_err *err);

/* The UTC instants of the member's latest visits, newest first, at most `max`: purchases and
 * imported zero-amount visits (import_visits). *n = how many. */
int loy_store_member_visits(loy_conn *c, int64_t merchant, int64_t member, int64_t *at, size_t max,
                            size_t *n, loy_err *err);

/* The merchant-local date of the last completed run of `job` ("" when it never ran). */
int loy_store_job_last(loy_conn *c, int64_t merchant, const char *job, char date[LOY_JOB_DATE_MAX],
                       loy_err *err);
/* Records a completed run of `job` for local date `date` (started and finished at those UTC
 * instants); a later date replaces an earlier one, never the reverse. */
int loy_store_job_ran(loy_conn *c, int64_t merchant, const char *job, const char *date,
                      int64_t started, int64_t finished, loy_err *err);

#endif
