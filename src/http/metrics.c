/* Request counters and a latency histogram, rendered in the Prometheus text format. */
#include "http/http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bounds_ms[LOY_METRIC_BUCKETS] = {0.5, 1,   2,   5,    10,   25,
                                                     50,  100, 250, 1000, 2500, 10000};

void loy_metrics_init(loy_metrics *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
}

void loy_metrics_free(loy_metrics *m)
{
    pthread_mutex_destroy(&m->lock);
}

void loy_metrics_bind(loy_metrics *m, loy_server *s)
{
    m->server = s;
}

void loy_metrics_observe(loy_metrics *m, const char *method, const char *pattern, int status,
                         double ms)
{
    pthread_mutex_lock(&m->lock);
    int i;
    for (i = 0; i < m->nseries; i++)
        if (m->series[i].status == status && m->series[i].pattern == pattern &&
            strcmp(m->series[i].method, method) == 0)
            break;
    if (i == m->nseries && m->nseries < LOY_METRIC_SERIES) {
        snprintf(m->series[i].method, sizeof(m->series[i].method), "%s", method);
        m->series[i].pattern = pattern;
        m->series[i].status = status;
        m->nseries++;
    }
    if (i < m->nseries) m->series[i].count++;
    for (int b = 0; b < LOY_METRIC_BUCKETS; b++)
        if (ms <= bounds_ms[b]) {
            m->buckets[b]++;
            break;
        }
    m->count++;
    m->sum_ms += ms;
    pthread_mutex_unlock(&m->lock);
}

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static void add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + (size_t)k + 1) cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) return;
        b->p = np;
        b->cap = cap;
    }
}

char *loy_metrics_render(loy_metrics *m, loy_app *app)
{
    sbuf b = {0};
    pthread_mutex_lock(&m->lock);
    add(&b, "# HELP loyalty_http_requests_total HTTP requests by route and status.\n"
            "# TYPE loyalty_http_requests_total counter\n");
    for (int i = 0; i < m->nseries; i++)
        add(&b, "loyalty_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
            m->series[i].method, m->series[i].pattern, m->series[i].status,
            (unsigned long long)m->series[i].count);
    add(&b, "# HELP loyalty_http_request_duration_seconds Request latency.\n"
            "# TYPE loyalty_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < LOY_METRIC_BUCKETS; i++) {
        cum += m->buckets[i];
        add(&b, "loyalty_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
            bounds_ms[i] / 1000.0, (unsigned long long)cum);
    }
    add(&b, "loyalty_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
        (unsigned long long)m->count);
    add(&b, "loyalty_http_request_duration_seconds_sum %g\n", m->sum_ms / 1000.0);
    add(&b, "loyalty_http_request_duration_seconds_count %llu\n", (unsigned long long)m->count);
    pthread_mutex_unlock(&m->lock);
    loy_stats st;
    loy_err err;
    if (app && loy_app_stats(app, &st, &err) == 0) {
        add(&b,
            "# HELP loyalty_purchases_total Purchases recorded.\n"
            "# TYPE loyalty_purchases_total counter\nloyalty_purchases_total %lld\n",
            (long long)st.purchases);
        add(&b,
            "# HELP loyalty_redemptions_total Rewards redeemed.\n"
            "# TYPE loyalty_redemptions_total counter\nloyalty_redemptions_total %lld\n",
            (long long)st.redemptions);
        add(&b,
            "# HELP loyalty_members Members.\n# TYPE loyalty_members gauge\n"
            "loyalty_members %lld\n",
            (long long)st.members);
        add(&b,
            "# HELP loyalty_outbox_depth Webhook deliveries waiting to be sent.\n"
            "# TYPE loyalty_outbox_depth gauge\nloyalty_outbox_depth %lld\n",
            (long long)st.outbox_depth);
    }
    return b.p;
}
