/* SMTP submission with libcurl (see smtp.h), in the style of webhook.c: one handle per sender,
 * reset before each message, the outcome classified for the retry policy. */
#include "engage/smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcurl's global set-up, once per process (reference counted by libcurl, so the webhook
 * client's own call is no conflict). */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool loy_smtp_starttls_parse(const char *text, loy_starttls *out)
{
    static const char *const names[] = {"required", "try", "off"};
    for (int i = 0; text && i < 3; i++)
        if (!strcmp(text, names[i])) {
            *out = (loy_starttls)i;
            return true;
        }
    return false;
}

int loy_smtp_url_check(const char *url, const char *field, loy_err *err)
{
    if (!url || !*url) return loy_err_set(err, LOY_EINVALID, field, "%s: is required", field);
    if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0)
        return loy_err_set(err, LOY_EINVALID, field,
                           "%s: expected smtp://HOST[:PORT] or smtps://HOST[:PORT], got \"%.200s\"",
                           field, url);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return loy_err_set(err, LOY_EINVALID, field,
                               "%s: spaces and control characters are not allowed", field);
    pthread_once(&curl_once, curl_init);
    CURLU *u = curl_url();
    if (!u) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc = 0;
    char *host = NULL, *user = NULL, *query = NULL, *fragment = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        rc = loy_err_set(err, LOY_EINVALID, field, "%s: not a URL: \"%.200s\"", field, url);
    if (!rc) {
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0);
        if (!host || !*host)
            rc = loy_err_set(err, LOY_EINVALID, field, "%s: has no host", field);
        else if (user)
            rc = loy_err_set(err, LOY_EINVALID, field,
                             "%s: no credentials in the URL (use smtp_user and "
                             "smtp_password_file or LOYALTY_SMTP_PASSWORD)",
                             field);
        else if (query || fragment)
            rc = loy_err_set(err, LOY_EINVALID, field, "%s: a query or fragment is not allowed",
                             field);
    }
    curl_free(host);
    curl_free(user);
    curl_free(query);
    curl_free(fragment);
    curl_url_cleanup(u);
    return rc;
}

struct loy_smtp_client {
    CURL *h;
    loy_smtp_config cfg;
};

int loy_smtp_client_new(loy_smtp_client **out, const loy_smtp_config *cfg, loy_err *err)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return loy_err_set(err, LOY_ESTORAGE, "", "libcurl could not be initialised");
    loy_smtp_client *cl = calloc(1, sizeof(*cl));
    if (!cl) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    cl->h = curl_easy_init();
    if (!cl->h) {
        free(cl);
        return loy_err_set(err, LOY_ENOMEM, "", "libcurl: cannot create a handle");
    }
    cl->cfg = *cfg; /* the strings stay the caller's */
    *out = cl;
    return 0;
}

void loy_smtp_client_free(loy_smtp_client *cl)
{
    if (!cl) return;
    curl_easy_cleanup(cl->h);
    free(cl);
}

typedef struct {
    const char *data;
    size_t len, pos;
    bool done; /* libcurl asked for more after the last byte: the whole message went out */
} upload;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ctx)
{
    upload *u = ctx;
    size_t room = size * nitems, left = u->len - u->pos;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->pos, n);
    u->pos += n;
    if (n == 0) u->done = true;
    return n;
}

static loy_smtp_outcome classify(CURLcode cc, long code, bool done)
{
    if (cc == CURLE_OK) return LOY_SMTP_SENT;
    /* authentication answers (530, 534, 535, 538) mean a setting to fix, not a bad message */
    if (cc == CURLE_LOGIN_DENIED || code == 530 || code == 534 || code == 535 || code == 538)
        return LOY_SMTP_TEMPORARY;
    if (code >= 500 && code <= 599) return LOY_SMTP_PERMANENT;
    if (code >= 400 && code <= 499) return LOY_SMTP_TEMPORARY;
    return done ? LOY_SMTP_UNKNOWN : LOY_SMTP_TEMPORARY;
}

loy_smtp_outcome loy_smtp_send(loy_smtp_client *cl, const char *from, const char *rcpt,
                               const char *data, size_t len, loy_smtp_result *res)
{
    memset(res, 0, sizeof(*res));
    char f[300], r[300];
    snprintf(f, sizeof(f), "<%s>", from);
    snprintf(r, sizeof(r), "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, r);
    if (!rcpts) {
        snprintf(res->error, sizeof(res->error), "out of memory");
        return res->outcome = LOY_SMTP_TEMPORARY;
    }
    const loy_smtp_config *c = &cl->cfg;
    long timeout = c->timeout_ms > 0 ? c->timeout_ms : LOY_SMTP_TIMEOUT_MS;
    upload u = {data, len, 0, false};
    CURL *h = cl->h;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout < 10000 ? timeout : 10000L);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     c->starttls == LOY_STARTTLS_REQUIRED ? (long)CURLUSESSL_ALL
                     : c->starttls == LOY_STARTTLS_TRY    ? (long)CURLUSESSL_TRY
                                                          : (long)CURLUSESSL_NONE);
    if (c->ca_file && *c->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (c->user && *c->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, f);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode cc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(rcpts);
    res->code = code;
    res->outcome = classify(cc, code, u.done);
    if (cc != CURLE_OK) {
        const char *why = ebuf[0] ? ebuf : curl_easy_strerror(cc);
        if (code)
            snprintf(res->error, sizeof(res->error), "%s (SMTP %ld)", why, code);
        else
            snprintf(res->error, sizeof(res->error), "%s", why);
    }
    return res->outcome;
}
