/* Handlers of feedback (app/feedback.h): the public survey API behind /f/{token} (no key, no
 * cookie: the token in the address is the only credential) and the staff inbox and cases
 * (managers and owners). Rate limits of the public API (the shared throttle): unknown tokens per
 * client address (guessing: past the limit the address gets 429, even for a real token) and
 * answers per client address (a form flood); a real token is answered once anyway. */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "app/feedback.h"

#define MISS_LIMIT    20   /* unknown survey links per client address ... */
#define MISS_WINDOW   900  /* ... per 15 minutes */
#define ANSWER_LIMIT  30   /* answers per client address ... */
#define ANSWER_WINDOW 3600 /* ... per hour */

typedef struct {
    char miss[80], answer[80];
    int64_t now;
} limits;

/* Refuses the request (429) while the client's address is over a limit. */
static int guard(loy_req *r, limits *l, bool answers, loy_err *err)
{
    char ip[64];
    loy_client_ip(r, ip, sizeof(ip));
    l->now = (int64_t)time(NULL);
    snprintf(l->miss, sizeof(l->miss), "survey-miss:%s", ip);
    snprintf(l->answer, sizeof(l->answer), "survey-answer:%s", ip);
    int64_t wait = loy_throttle_wait(l->miss, l->now, MISS_LIMIT, MISS_WINDOW);
    if (wait) return loy_too_many(r, wait, "unknown survey links from this address", err);
    if (answers && (wait = loy_throttle_wait(l->answer, l->now, ANSWER_LIMIT, ANSWER_WINDOW)))
        return loy_too_many(r, wait, "survey answers from this address", err);
    return 0;
}

int loy_h_survey_get(loy_req *r, loy_err *err)
{
    limits l;
    int rc = guard(r, &l, false, err);
    if (!rc) rc = loy_app_survey_view(r->app, r->params[0], &r->resp, err);
    if (rc == LOY_ENOTFOUND) loy_throttle_record(l.miss, l.now, MISS_WINDOW, true);
    return rc;
}

int loy_h_survey_answer(loy_req *r, loy_err *err)
{
    limits l;
    int rc = guard(r, &l, true, err);
    if (!rc) rc = loy_app_survey_answer(r->app, r->params[0], r->json, &r->resp, err);
    if (rc == LOY_ENOTFOUND) loy_throttle_record(l.miss, l.now, MISS_WINDOW, true);
    if (!rc) loy_throttle_record(l.answer, l.now, ANSWER_WINDOW, true);
    return rc;
}

/* ---- staff ---- */

static int with_query(loy_req *r, int (*fn)(loy_app *, const json_t *, json_t **, loy_err *),
                      loy_err *err)
{
    json_t *params = NULL;
    int rc = loy_req_query_all(r, &params, err);
    if (!rc) rc = fn(r->app, params, &r->resp, err);
    json_decref(params);
    return rc;
}

int loy_h_feedback_list(loy_req *r, loy_err *err)
{
    return with_query(r, loy_app_feedback_list, err);
}

int loy_h_cases_list(loy_req *r, loy_err *err)
{
    return with_query(r, loy_app_case_list, err);
}

static int case_id(const loy_req *r, int64_t *out, loy_err *err)
{
    char *end;
    long long v = strtoll(r->params[0], &end, 10);
    if (!*r->params[0] || *end || v <= 0)
        return loy_err_set(err, LOY_ENOTFOUND, "id", "no such case \"%s\"", r->params[0]);
    *out = v;
    return 0;
}

int loy_h_case_get(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = case_id(r, &id, err);
    return rc ? rc : loy_app_case_get(r->app, id, &r->resp, err);
}

int loy_h_case_update(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = case_id(r, &id, err);
    return rc ? rc : loy_app_case_update(r->app, id, r->json, &r->resp, err);
}

int loy_h_case_note(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = case_id(r, &id, err);
    if (!rc) rc = loy_app_case_note(r->app, id, r->json, &r->resp, err);
    if (!rc) r->status = 201;
    return rc;
}
