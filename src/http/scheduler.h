/* The scheduler inside `loyalty serve` (docs/engagement.md): a thread that runs each merchant's
 * daily jobs (housekeeping, referral awards, engagement triggers: app/jobs.c, app/triggers.c)
 * once per merchant-local day at the programme's triggers.send_at. The date of the last run is
 * kept in the database (job_runs), so a restart never runs them twice and a server that was down
 * at that time runs them as soon as it is back the same day. */
#ifndef LOY_HTTP_SCHEDULER_H
#define LOY_HTTP_SCHEDULER_H

#include "util/err.h"

typedef struct loy_scheduler loy_scheduler;

/* Starts the thread on its own connection to `db_path`; it checks at once, then every
 * `interval_s` seconds (0: 30). LOY_ENOMEM or LOY_ESTORAGE when it cannot start. */
int loy_scheduler_start(loy_scheduler **out, const char *db_path, int interval_s, loy_err *err);
/* Stops the thread (a run in progress stops after its current member, unrecorded: the next
 * start completes it) and frees it. NULL-safe. */
void loy_scheduler_stop(loy_scheduler *s);

#endif
