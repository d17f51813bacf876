/* Engagement triggers and daily jobs: last firing per trigger, latest visits, job runs. */
#include "store/store_triggers.h"

#include <stdio.h>
#include <string.h>

int loy_store_trigger_last(loy_conn *c, int64_t merchant, int64_t member,
                           const char *const *triggers, size_t n, char (*keys)[LOY_JOB_DATE_MAX],
                           loy_err *err)
{
    for (size_t i = 0; i < n; i++) {
        keys[i][0] = '\0';
        loy_stmt *st;
        /* the unique index messages_key (merchant_id, member_id, trigger, key) answers this */
        int rc = loy_db_query(c, &st, err,
                              "SELECT max(key) FROM messages WHERE merchant_id = ? AND "
                              "member_id = ? AND trigger = ? AND key GLOB "
                              "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'",
                              "iit", merchant, member, triggers[i]);
        if (rc) return rc;
        rc = loy_db_next(c, st, err);
        if (rc < 0) return rc;
        if (rc == 1) {
            const char *k = loy_db_text(c, st, 0);
            snprintf(keys[i], LOY_JOB_DATE_MAX, "%s", k ? k : "");
            loy_db_done(c, st);
        }
    }
    return 0;
}

int loy_store_member_visits(loy_conn *c, int64_t merchant, int64_t member, int64_t *at, size_t max,
                            size_t *n, loy_err *err)
{
    *n = 0;
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT occurred_at FROM (SELECT occurred_at FROM purchases WHERE "
                          "member_id = ? AND merchant_id = ? ORDER BY occurred_at DESC LIMIT ?) "
                          "UNION ALL SELECT occurred_at FROM (SELECT occurred_at FROM "
                          "import_visits WHERE merchant_id = ? AND member_id = ? ORDER BY "
                          "occurred_at DESC LIMIT ?) ORDER BY occurred_at DESC LIMIT ?",
                          "iiiiiii", member, merchant, (int64_t)max, merchant, member, (int64_t)max,
                          (int64_t)max);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) at[(*n)++] = loy_db_int(c, st, 0);
    return rc;
}

int loy_store_job_last(loy_conn *c, int64_t merchant, const char *job, char date[LOY_JOB_DATE_MAX],
                       loy_err *err)
{
    date[0] = '\0';
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT local_date FROM job_runs WHERE merchant_id = ? AND job = ?", "it",
                          merchant, job);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        const char *d = loy_db_text(c, st, 0);
        snprintf(date, LOY_JOB_DATE_MAX, "%s", d ? d : "");
        loy_db_done(c, st);
        rc = 0;
    }
    return rc;
}

int loy_store_job_ran(loy_conn *c, int64_t merchant, const char *job, const char *date,
                      int64_t started, int64_t finished, loy_err *err)
{
    return loy_db_run(c, err,
                      "INSERT INTO job_runs(merchant_id, job, local_date, started_at, finished_at) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT(merchant_id, job) DO UPDATE SET "
                      "local_date = excluded.local_date, started_at = excluded.started_at, "
                      "finished_at = excluded.finished_at WHERE excluded.local_date >= "
                      "job_runs.local_date",
                      "ittii", merchant, job, date, started, finished);
}
