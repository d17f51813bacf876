/* Fixed-window event counters per key (a client address, a user name), shared by the server's
 * threads under one mutex: login throttling and the public join page's rate limit. A key shares
 * its slot with others that hash alike; a colliding key resets the slot, which can only make a
 * limit looser, never lock out an innocent key. */
#include "http/http_int.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLOTS 1024

static struct {
    pthread_mutex_t lock;
    struct {
        char key[80];
        int count;
        int64_t since;
    } slot[SLOTS];
} table = {.lock = PTHREAD_MUTEX_INITIALIZER};

static unsigned slot_of(const char *key)
{
    unsigned h = 2166136261u;
    for (; *key; key++) h = (h ^ (unsigned char)*key) * 16777619u;
    return h % SLOTS;
}

int64_t loy_throttle_wait(const char *key, int64_t now, int limit, int64_t window)
{
    pthread_mutex_lock(&table.lock);
    unsigned i = slot_of(key);
    int64_t wait = 0;
    if (!strcmp(table.slot[i].key, key) && table.slot[i].count >= limit &&
        now - table.slot[i].since < window)
        wait = window - (now - table.slot[i].since);
    pthread_mutex_unlock(&table.lock);
    return wait;
}

void loy_throttle_record(const char *key, int64_t now, int64_t window, bool count)
{
    pthread_mutex_lock(&table.lock);
    unsigned i = slot_of(key);
    if (strcmp(table.slot[i].key, key) != 0 || now - table.slot[i].since >= window) {
        snprintf(table.slot[i].key, sizeof(table.slot[i].key), "%s", key);
        table.slot[i].count = 0;
        table.slot[i].since = now;
    }
    if (count)
        table.slot[i].count++;
    else
        table.slot[i].count = 0;
    pthread_mutex_unlock(&table.lock);
}

void loy_client_ip(const loy_req *r, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const unsigned char *a =
            (const unsigned char *)&((const struct sockaddr_in *)ci->client_addr)->sin_addr;
        snprintf(out, n, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
        const unsigned char *a =
            (const unsigned char *)&((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr;
        /* the /64 network: one host usually owns a whole /64 */
        snprintf(out, n, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", a[0], a[1], a[2], a[3], a[4],
                 a[5], a[6], a[7]);
    }
}

int loy_too_many(loy_req *r, int64_t wait, const char *what, loy_err *err)
{
    r->status = 429;
    snprintf(r->retry_after, sizeof(r->retry_after), "%lld", (long long)wait);
    return loy_err_set(err, LOY_EREFUSED, "", "too many %s: try again in %lld s", what,
                       (long long)wait);
}
