/* The daily-jobs scheduler thread of `loyalty serve` (scheduler.h). */
#include "http/scheduler.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/triggers.h"

struct loy_scheduler {
    char db_path[1024];
    int interval_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    _Atomic bool stop; /* ends a run between members (app->stop) */
};

/* Runs the daily jobs of every merchant whose local send time has come today. */
static void tick(loy_app *app)
{
    int64_t ids[64];
    int n = 0;
    loy_err err;
    if (loy_app_merchants(app, ids, 64, &n, &err)) {
        fprintf(stderr, "loyalty: scheduler: %s\n", err.message);
        return;
    }
    for (int i = 0; i < n; i++) {
        bool due = false;
        char date[16];
        json_t *summary = NULL;
        int64_t now = loy_app_now(app);
        if (loy_app_select_merchant(app, ids[i], &err) ||
            loy_app_jobs_due(app, now, &due, date, &err) ||
            (due && loy_app_jobs_housekeeping(app, &summary, &err))) {
            if (!app->stop || !atomic_load(app->stop))
                fprintf(stderr, "loyalty: scheduler: merchant %lld: %s\n", (long long)ids[i],
                        err.message);
            continue;
        }
        if (!due) continue;
        fprintf(stderr,
                "loyalty: daily jobs of merchant %lld for %s: %lld members, %lld messages "
                "queued\n",
                (long long)ids[i], date,
                (long long)json_integer_value(json_object_get(summary, "members")),
                (long long)json_integer_value(json_object_get(summary, "messages_queued")));
        json_decref(summary);
    }
}

static void *loop(void *arg)
{
    loy_scheduler *s = arg;
    loy_app *app = NULL;
    loy_err err;
    if (loy_app_open(&app, s->db_path, NULL, &err)) {
        fprintf(stderr, "loyalty: scheduler cannot open the database: %s\n", err.message);
        return NULL;
    }
    snprintf(app->actor, sizeof(app->actor), "system:jobs");
    app->stop = &s->stop;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        tick(app);
        pthread_mutex_lock(&s->lock);
        if (s->stopping) break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->interval_s;
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    loy_app_close(app);
    return NULL;
}

int loy_scheduler_start(loy_scheduler **out, const char *db_path, int interval_s, loy_err *err)
{
    *out = NULL;
    loy_scheduler *s = calloc(1, sizeof(*s));
    if (!s) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    snprintf(s->db_path, sizeof(s->db_path), "%s", db_path);
    s->interval_s = interval_s > 0 ? interval_s : 30;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, loop, s) != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return loy_err_set(err, LOY_ESTORAGE, "scheduler", "cannot start the scheduler thread");
    }
    *out = s;
    return 0;
}

void loy_scheduler_stop(loy_scheduler *s)
{
    if (!s) return;
    atomic_store(&s->stop, true);
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
