/* Group commit: request threads hand their writes to one writer thread, which applies every
 * write waiting at that moment in one durable transaction (savepoint per write) and wakes each
 * request only after the commit. Concurrent clients share one fsync instead of queueing for one
 * each; an acknowledged write is as durable as with a transaction of its own. */
#include "http/http_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_MAX 128

typedef struct job {
    loy_write_item item;
    bool done;
    int rc; /* the transaction's own failure, if any */
    loy_err err;
    struct job *next;
} job;

struct loy_group {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    job *head, *tail;
    bool stopping;
    loy_app *app;
};

static void *writer(void *arg)
{
    loy_group *g = arg;
    job *batch[GROUP_MAX];
    loy_write_item items[GROUP_MAX];
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (!g->head && !g->stopping) pthread_cond_wait(&g->wake, &g->lock);
        if (!g->head && g->stopping) break;
        size_t n = 0;
        while (g->head && n < GROUP_MAX) {
            batch[n++] = g->head;
            g->head = g->head->next;
        }
        if (!g->head) g->tail = NULL;
        pthread_mutex_unlock(&g->lock);
        for (size_t i = 0; i < n; i++) items[i] = batch[i]->item;
        loy_err err;
        loy_err_clear(&err);
        int rc = loy_app_write_batch(g->app, items, n, &err);
        pthread_mutex_lock(&g->lock);
        for (size_t i = 0; i < n; i++) {
            batch[i]->item = items[i];
            batch[i]->rc = rc;
            batch[i]->err = err;
            batch[i]->done = true;
        }
        pthread_cond_broadcast(&g->done);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

int loy_group_start(loy_group **out, const char *db_path, loy_err *err)
{
    loy_group *g = calloc(1, sizeof(*g));
    if (!g) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc = loy_app_open(&g->app, db_path, NULL, err);
    if (rc) {
        free(g);
        return rc;
    }
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    pthread_cond_init(&g->done, NULL);
    if (pthread_create(&g->thread, NULL, writer, g)) {
        loy_app_close(g->app);
        free(g);
        return loy_err_set(err, LOY_ENOMEM, "", "cannot start the writer thread");
    }
    *out = g;
    return 0;
}

int loy_group_write(loy_group *g, int64_t merchant, const char *actor, loy_op op, const char *key,
                    const json_t *req, json_t **resp, bool *replayed, loy_err *err)
{
    job j;
    memset(&j, 0, sizeof(j));
    j.item.op = op;
    j.item.key = key;
    j.item.req = req;
    j.item.merchant = merchant;
    j.item.actor = actor;
    pthread_mutex_lock(&g->lock);
    if (g->stopping) {
        pthread_mutex_unlock(&g->lock);
        return loy_err_set(err, LOY_EBUSY, "", "the server is shutting down");
    }
    if (g->tail)
        g->tail->next = &j;
    else
        g->head = &j;
    g->tail = &j;
    pthread_cond_signal(&g->wake);
    while (!j.done) pthread_cond_wait(&g->done, &g->lock);
    pthread_mutex_unlock(&g->lock);
    if (j.rc) {
        *err = j.err;
        return j.rc;
    }
    if (j.item.rc) {
        *err = j.item.err;
        return j.item.rc;
    }
    *resp = j.item.resp;
    *replayed = j.item.replayed;
    return 0;
}

void loy_group_stop(loy_group *g)
{
    if (!g) return;
    pthread_mutex_lock(&g->lock);
    g->stopping = true; /* writes already queued are still applied */
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    loy_app_close(g->app);
    pthread_cond_destroy(&g->wake);
    pthread_cond_destroy(&g->done);
    pthread_mutex_destroy(&g->lock);
    free(g);
}
