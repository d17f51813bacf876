/* Webhook delivery with libcurl: signed JSON POSTs, the retry schedule, URL checks. */
#include "engage/webhook.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rand.h"

const char *const loy_webhook_kinds[] = {"member.created",
                                         "purchase.recorded",
                                         "purchase.refunded",
                                         "reward.redeemed",
                                         "tier.changed",
                                         "points.expiring",
                                         "points.expired",
                                         "reward.available",
                                         "bonus.welcome",
                                         "bonus.birthday",
                                         "bonus.anniversary",
                                         "stamps.card_full",
                                         "member.erased",
                                         "referral.awarded",
                                         "feedback.received",
                                         "message.send",
                                         NULL};

bool loy_webhook_kind_known(const char *kind)
{
    for (size_t i = 0; kind && loy_webhook_kinds[i]; i++)
        if (!strcmp(kind, loy_webhook_kinds[i])) return true;
    return false;
}

int64_t loy_webhook_backoff(int attempts)
{
    if (attempts < 1) attempts = 1;
    int64_t d = LOY_WEBHOOK_BACKOFF_BASE;
    for (int i = 1; i < attempts && d < LOY_WEBHOOK_BACKOFF_CAP; i++) d *= 2;
    return d < LOY_WEBHOOK_BACKOFF_CAP ? d : LOY_WEBHOOK_BACKOFF_CAP;
}

void loy_webhook_sign(char out[LOY_WEBHOOK_SIG_MAX], const char *secret, int64_t timestamp,
                      const char *body, size_t len)
{
    char ts[24], hex[65];
    int n = snprintf(ts, sizeof(ts), "%" PRId64 ".", timestamp);
    size_t tlen = n > 0 ? (size_t)n : 0;
    char *data = malloc(tlen + len + 1);
    if (!data) {
        out[0] = '\0';
        return;
    }
    memcpy(data, ts, tlen);
    if (len) memcpy(data + tlen, body, len);
    loy_hmac_sha256_hex(secret, strlen(secret), data, tlen + len, hex);
    free(data);
    snprintf(out, LOY_WEBHOOK_SIG_MAX, "v1=%s", hex);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int loy_webhook_url_check(const char *url, loy_err *err)
{
    if (!url || !*url) return loy_err_set(err, LOY_EINVALID, "url", "url: is required");
    if (strlen(url) > 2048)
        return loy_err_set(err, LOY_EINVALID, "url", "url: longer than 2048 bytes");
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return loy_err_set(err, LOY_EINVALID, "url",
                               "url: spaces and control characters are not allowed");
    pthread_once(&curl_once, curl_init);
    CURLU *u = curl_url();
    if (!u) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc = 0;
    char *scheme = NULL, *host = NULL, *user = NULL, *fragment = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        rc = loy_err_set(err, LOY_EINVALID, "url",
                         "url: expected an absolute http:// or https:// URL, got \"%.200s\"", url);
    if (!rc) {
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0);
        if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https")))
            rc = loy_err_set(err, LOY_EINVALID, "url",
                             "url: the scheme must be http or https, got \"%.200s\"", url);
        else if (!host || !*host)
            rc = loy_err_set(err, LOY_EINVALID, "url", "url: has no host");
        else if (user)
            rc = loy_err_set(err, LOY_EINVALID, "url",
                             "url: credentials in the URL are not allowed (the signature "
                             "authenticates the sender)");
        else if (fragment)
            rc = loy_err_set(err, LOY_EINVALID, "url", "url: a fragment (#...) is not allowed");
    }
    /* the scheme must be written out: curl would guess http for "example.com/hook" */
    if (!rc && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        rc = loy_err_set(err, LOY_EINVALID, "url",
                         "url: expected an absolute http:// or https:// URL, got \"%.200s\"", url);
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(fragment);
    curl_url_cleanup(u);
    return rc;
}

struct loy_webhook_client {
    CURL *h;
};

int loy_webhook_client_new(loy_webhook_client **out, loy_err *err)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return loy_err_set(err, LOY_ESTORAGE, "", "libcurl could not be initialised");
    loy_webhook_client *cl = calloc(1, sizeof(*cl));
    if (!cl) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    cl->h = curl_easy_init();
    if (!cl->h) {
        free(cl);
        return loy_err_set(err, LOY_ENOMEM, "", "libcurl: cannot create a handle");
    }
    *out = cl;
    return 0;
}

void loy_webhook_client_free(loy_webhook_client *cl)
{
    if (!cl) return;
    curl_easy_cleanup(cl->h);
    free(cl);
}

/* The receiver's answer is not used: read and dropped. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    (void)ptr;
    (void)ctx;
    return size * nmemb;
}

bool loy_webhook_post(loy_webhook_client *cl, const loy_webhook_msg *m, loy_webhook_result *res)
{
    memset(res, 0, sizeof(*res));
    char sig[LOY_WEBHOOK_SIG_MAX], h_id[128], h_ts[64], h_sig[96], h_kind[96];
    loy_webhook_sign(sig, m->secret, m->timestamp, m->body, m->len);
    snprintf(h_id, sizeof(h_id), "Loyalty-Webhook-Id: %s", m->delivery_id);
    snprintf(h_ts, sizeof(h_ts), "Loyalty-Timestamp: %" PRId64, m->timestamp);
    snprintf(h_sig, sizeof(h_sig), "Loyalty-Signature: %s", sig);
    snprintf(h_kind, sizeof(h_kind), "Loyalty-Event: %s", m->kind ? m->kind : "");
    struct curl_slist *hdrs = NULL, *t;
    const char *const lines[] = {"Content-Type: application/json",
                                 "User-Agent: loyalty-webhooks/0.1",
                                 "Expect:",
                                 h_id,
                                 h_ts,
                                 h_sig,
                                 h_kind};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        t = curl_slist_append(hdrs, lines[i]);
        if (!t) {
            curl_slist_free_all(hdrs);
            snprintf(res->error, sizeof(res->error), "out of memory");
            return false;
        }
        hdrs = t;
    }
    CURL *h = cl->h;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, m->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     m->timeout_ms > 0 ? m->timeout_ms : (long)LOY_WEBHOOK_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    double secs = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &secs);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    res->status = (int)status;
    res->seconds = secs;
    if (cc != CURLE_OK) {
        snprintf(res->error, sizeof(res->error), "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
        return false;
    }
    if (status < 200 || status > 299) {
        snprintf(res->error, sizeof(res->error), "the receiver answered HTTP %ld", status);
        return false;
    }
    return true;
}
