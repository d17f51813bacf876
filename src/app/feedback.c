/* Survey use cases (see feedback.h): the invitation inside a purchase, the public page's view and
 * the answer in one transaction, the erase of a member's comments and the demo's answers. */
#include "app/feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/gen_feedback.h"
#include "app/app_int.h"
#include "app/feedback_int.h"
#include "app/messages.h"
#include "app/referrals.h"
#include "app/request.h"
#include "app/triage.h"
#include "core/feedback.h"
#include "store/store_feedback.h"
#include "util/jdump.h"
#include "util/rand.h"

#define ERASED_TEXT "(erased)"

/* ---- the invitation ---- */

static bool reachable(const loy_member_row *m)
{
    return (m->consent_email && m->email && *m->email) || (m->consent_sms && m->phone && *m->phone);
}

int loy_app_survey_invite(loy_app *app, const loy_member_row *m, int64_t purchase,
                          const char *location, int64_t at, int64_t now, int64_t *survey,
                          loy_err *err)
{
    *survey = 0;
    const loy_feedback_settings *fs = &app->prog->feedback;
    loy_survey_facts f = {
        .reachable = reachable(m), .erased = m->erased_at != 0, .purchase_at = at, .now = now};
    int64_t send_at = 0;
    if (loy_survey_skip(fs, &f, &send_at)) return 0; /* decided without the database */
    int rc = loy_store_survey_last(&app->conn, m->id, &f.last_survey_at, err);
    if (rc || loy_survey_skip(fs, &f, &send_at)) return rc;
    loy_survey_row s = {.merchant_id = app->merchant,
                        .member_id = m->id,
                        .purchase_id = purchase,
                        .created_at = now,
                        .invite_at = send_at,
                        .score = -1};
    snprintf(s.location, sizeof(s.location), "%s", location ? location : "");
    snprintf(s.language, sizeof(s.language), "%s", m->locale);
    if (loy_random_token(s.token, sizeof(s.token), LOY_SURVEY_TOKEN_BITS))
        return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    if ((rc = loy_store_survey_insert(&app->conn, &s, err))) return rc;
    char key[48], url[LOY_SURVEY_TOKEN_MAX + 8];
    snprintf(key, sizeof(key), "survey:%lld", (long long)s.id);
    snprintf(url, sizeof(url), "/f/%s", s.token);
    json_t *vars = json_pack("{s:s}", "survey_url", url);
    if (!vars) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    loy_msg_req q = {.member_id = m->id,
                     .trigger = "survey",
                     .key = key,
                     .cls = LOY_MSG_SERVICE,
                     .vars = vars,
                     .not_before = send_at};
    bool queued = false;
    rc = loy_app_message_queue(app, &q, now, &queued, err);
    json_decref(vars);
    if (!rc) *survey = s.id;
    return rc;
}

/* ---- the public page ---- */

/* The survey holding `token` (letters in either case) and the selection of its merchant; an
 * erased member's survey is not found. */
static int find(loy_app *app, const char *token, loy_survey_row *s, loy_err *err)
{
    memset(s, 0, sizeof(*s));
    char up[LOY_SURVEY_TOKEN_MAX];
    int rc = LOY_ENOTFOUND;
    if (loy_token_upper(token, up, sizeof(up))) rc = loy_store_survey_find(&app->conn, up, s, err);
    if (!rc) rc = loy_app_select_merchant(app, s->merchant_id, err);
    if (rc == LOY_ENOTFOUND)
        return loy_err_set(err, rc, "token",
                           "no such survey link: check that the whole address was copied");
    return rc;
}

static json_t *view_json(const loy_app *app, const loy_survey_row *s, const loy_member_row *m)
{
    char first[256];
    loy_first_name(m->name, first, sizeof(first));
    const loy_feedback_settings *fs = &app->prog->feedback;
    int64_t thanks = s->answered_at ? s->thanks_points : fs->on ? fs->thank_you_points : 0;
    return json_pack("{s:{s:b, s:o}, s:s, s:{s:s}, s:s, s:I}", "survey", "answered",
                     s->answered_at != 0, "score",
                     s->answered_at ? json_integer(s->score) : json_null(), "shop",
                     app->merchant_row.name, "member", "first_name", first, "language", s->language,
                     "thank_you_points", (json_int_t)thanks);
}

/* The member of a survey; an erased one is not found (their link stops working). */
static int survey_member(loy_app *app, const loy_survey_row *s, loy_member_row *m, loy_err *err)
{
    int rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, s->member_id, m, err);
    if (!rc && m->erased_at) {
        loy_member_row_free(m);
        rc = LOY_ENOTFOUND;
    }
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "token", "no such survey link");
    return rc;
}

int loy_app_survey_view(loy_app *app, const char *token, json_t **resp, loy_err *err)
{
    *resp = NULL;
    loy_survey_row s;
    loy_member_row m;
    int rc = find(app, token, &s, err);
    if (!rc && !(rc = survey_member(app, &s, &m, err))) {
        *resp = view_json(app, &s, &m);
        loy_member_row_free(&m);
        if (!*resp) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    loy_survey_row_free(&s);
    return rc;
}

int loy_feedback_text(const json_t *req, const char *key, size_t max, char **out, loy_err *err)
{
    *out = NULL;
    const json_t *v = json_object_get(req, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) {
        char got[64];
        loy_req_show(v, got, sizeof(got));
        return loy_err_set(err, LOY_EINVALID, key, "%s: expected text, got %s", key, got);
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), chars = 0;
    if (strlen(s) != len)
        return loy_err_set(err, LOY_EINVALID, key, "%s: must not contain NUL characters", key);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
            return loy_err_set(err, LOY_EINVALID, key,
                               "%s: control characters other than line breaks are not allowed",
                               key);
        chars += (c & 0xC0) != 0x80;
    }
    if (chars > max)
        return loy_err_set(err, LOY_EINVALID, key, "%s: at most %zu characters, got %zu", key, max,
                           chars);
    size_t a = 0, b = len;
    while (a < b && strchr(" \t\r\n", s[a])) a++;
    while (b > a && strchr(" \t\r\n", s[b - 1])) b--;
    if (a == b) return 0;
    if (!(*out = strndup(s + a, b - a))) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    return 0;
}

/* The thank-you: the bonus entries with the member as actor, audited. *points = what was paid. */
static int thank(loy_app *app, loy_loaded *m, const loy_survey_row *s, int64_t now, int64_t *points,
                 loy_err *err)
{
    *points = 0;
    const loy_feedback_settings *fs = &app->prog->feedback;
    if (!fs->on || fs->thank_you_points <= 0) return 0;
    loy_outcome o;
    loy_outcome_init(&o);
    loy_ctx ctx = loy_app_ctx(app, now);
    int rc = loy_engine_survey_thanks(&ctx, &m->st, fs->thank_you_points, &o, err);
    if (!rc) {
        char *detail = loy_audit_balances("survey thank-you", &m->st, &o);
        rc = detail ? loy_store_audit(&app->conn, app->merchant, app->actor, "survey.thanks",
                                      "member", m->row.id, NULL, detail, now, NULL, err)
                    : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(detail);
    }
    if (!rc) rc = loy_app_apply(app, m->row.id, &o, "survey", s->id, NULL, now, NULL, err);
    if (!rc) *points = o.bonus_points;
    loy_outcome_free(&o);
    return rc;
}

/* A promoter's referral ask: their link and code in a marketing message. */
static int ask_referral(loy_app *app, const loy_survey_row *s, int64_t now, loy_err *err)
{
    char code[LOY_REFERRAL_CODE_MAX], url[LOY_REFERRAL_PATH_MAX], key[48];
    int rc = loy_app_referral_code(app, s->member_id, code, err);
    if (rc) return rc;
    snprintf(url, sizeof(url), "/r/%s", code);
    snprintf(key, sizeof(key), "referral_ask:%lld", (long long)s->id);
    json_t *vars = json_pack("{s:s, s:s}", "referral_url", url, "referral_code", code);
    if (!vars) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    loy_msg_req q = {.member_id = s->member_id,
                     .trigger = "referral_ask",
                     .key = key,
                     .cls = LOY_MSG_MARKETING,
                     .vars = vars};
    bool queued = false;
    rc = loy_app_message_queue(app, &q, now, &queued, err);
    json_decref(vars);
    return rc;
}

static int received_event(loy_app *app, const loy_survey_row *s, int score, const char *comment,
                          const json_t *triage, int64_t case_id, int64_t now, loy_err *err)
{
    const json_t *sent = json_object_get(triage, "sentiment");
    json_t *p =
        json_pack("{s:I, s:I, s:i, s:s, s:o, s:o, s:O, s:O, s:O, s:o}", "survey_id",
                  (json_int_t)s->id, "member_id", (json_int_t)s->member_id, "score", score, "group",
                  loy_nps_group_name(loy_nps_group_of(score)), "comment",
                  comment ? json_string(comment) : json_null(), "location",
                  s->location[0] ? json_string(s->location) : json_null(), "urgency",
                  json_object_get(triage, "urgency"), "sentiment", json_object_get(sent, "label"),
                  "main_topic", json_object_get(triage, "main_topic"), "case_id",
                  case_id ? json_integer(case_id) : json_null());
    char *text = p ? loy_json_dump(p, false, NULL) : NULL;
    int rc = text ? loy_store_outbox_add(&app->conn, app->merchant, "feedback.received",
                                         s->member_id, text, now, err)
                  : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(text);
    json_decref(p);
    return rc;
}

/* Everything the answer writes, inside the open transaction; *out_case = the case opened. */
static int answer_txn(loy_app *app, loy_survey_row *s, int score, const char *comment, int64_t now,
                      int64_t *out_case, loy_err *err)
{
    loy_loaded m = {0};
    json_t *triage = NULL;
    char *triage_text = NULL;
    int rc = loy_app_load_id(app, s->member_id, true, now, &m, err);
    if (rc == LOY_ENOTFOUND || (!rc && m.row.erased_at))
        rc = loy_err_set(err, LOY_ENOTFOUND, "token", "no such survey link");
    if (!rc) rc = loy_app_triage(comment ? comment : "", s->language, true, score, &triage, err);
    if (!rc && !(triage_text = loy_json_dump(triage, false, NULL)))
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int64_t thanks = 0;
    if (!rc) rc = thank(app, &m, s, now, &thanks, err);
    if (!rc) {
        int urgency = (int)json_integer_value(json_object_get(triage, "urgency"));
        rc = loy_store_survey_answer(&app->conn, app->merchant, s->id, score, comment, triage_text,
                                     urgency, thanks, now, err);
        s->answered_at = now;
        s->score = score;
        s->thanks_points = thanks;
    }
    loy_nps_group g = loy_nps_group_of(score);
    if (!rc && g == LOY_NPS_DETRACTOR) {
        loy_case_row k = {.merchant_id = app->merchant,
                          .survey_id = s->id,
                          .member_id = s->member_id,
                          .created_at = now,
                          .updated_at = now};
        snprintf(k.status, sizeof(k.status), "open");
        rc = loy_store_case_insert(&app->conn, &k, err);
        *out_case = k.id;
    }
    if (!rc && g == LOY_NPS_PROMOTER) rc = ask_referral(app, s, now, err);
    if (!rc) rc = received_event(app, s, score, comment, triage, *out_case, now, err);
    json_decref(triage);
    free(triage_text);
    loy_loaded_free(&m);
    return rc;
}

int loy_app_survey_answer(loy_app *app, const char *token, const json_t *req, json_t **resp,
                          loy_err *err)
{
    *resp = NULL;
    static const char *const fields[] = {"score", "comment", NULL};
    int64_t score = 0, case_id = 0, now = loy_app_now(app);
    char *comment = NULL;
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = loy_req_int(req, "score", true, 0, 10, 0, &score, err);
    if (!rc) rc = loy_feedback_text(req, "comment", LOY_SURVEY_COMMENT_MAX, &comment, err);
    if (rc) return rc;
    loy_survey_row s;
    rc = find(app, token, &s, err);
    char actor[sizeof(app->actor)];
    memcpy(actor, app->actor, sizeof(actor));
    if (!rc && !(rc = loy_db_begin(&app->conn, true, err))) {
        int64_t id = s.id;
        loy_survey_row_free(&s);
        rc = loy_store_survey_get(&app->conn, app->merchant, id, &s, err); /* as of now */
        if (!rc && s.answered_at)
            rc = loy_err_set(err, LOY_ECONFLICT, "token",
                             "this survey was answered already: thank you, once is enough");
        snprintf(app->actor, sizeof(app->actor), "member:%lld", (long long)s.member_id);
        if (!rc) rc = answer_txn(app, &s, (int)score, comment, now, &case_id, err);
        memcpy(app->actor, actor, sizeof(actor));
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    loy_member_row m;
    if (!rc && !(rc = survey_member(app, &s, &m, err))) {
        *resp = view_json(app, &s, &m);
        loy_member_row_free(&m);
    }
    loy_survey_row_free(&s);
    free(comment);
    return rc;
}

/* ---- erase ---- */

static void add_count(json_t *o, const char *key, int64_t n)
{
    if (n)
        json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

int loy_app_feedback_erased(loy_app *app, int64_t member, json_t *scrubbed, loy_err *err)
{
    int64_t comments = 0, notes = 0;
    int rc = loy_store_feedback_erase(&app->conn, app->merchant, member, ERASED_TEXT, &comments,
                                      &notes, err);
    if (!rc) {
        add_count(scrubbed, "surveys.comment", comments);
        add_count(scrubbed, "case_notes.text", notes);
    }
    return rc;
}

/* ---- the demo ---- */

typedef struct {
    loy_survey_row s[64];
    size_t n;
    bool oom;
} pending;

static void keep(void *ctx, const loy_survey_row *s)
{
    pending *p = ctx;
    loy_survey_row *d = &p->s[p->n++];
    *d = *s;
    d->comment = s->comment ? strdup(s->comment) : NULL;
    d->triage = s->triage ? strdup(s->triage) : NULL;
    p->oom |= (s->comment && !d->comment) || (s->triage && !d->triage);
}

int loy_app_feedback_demo(loy_app *app, loy_feedback_demo *d, int64_t now, loy_err *err)
{
    int64_t saved = app->now;
    int rc = 0;
    for (bool more = true; more && !rc;) {
        pending p = {.n = 0};
        rc = loy_store_survey_unanswered(&app->conn, app->merchant, d->next, 64, keep, &p, err);
        if (!rc && p.oom) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        more = !rc && p.n == 64;
        for (size_t i = 0; i < p.n && !rc; i++) {
            const loy_survey_row *s = &p.s[i];
            loy_gen_answer a = loy_gen_feedback(d->seed, s->id, s->language);
            if (a.answers && s->invite_at + a.delay > now) { /* not yet: later calls answer it */
                more = false;
                break;
            }
            d->next = s->id + 1;
            if (!a.answers) continue;
            json_t *req = json_pack("{s:i, s:s*}", "score", a.score, "comment", a.comment);
            json_t *resp = NULL;
            app->now = now;
            rc = req ? loy_app_survey_answer(app, s->token, req, &resp, err)
                     : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            if (rc == LOY_ENOTFOUND) { /* erased meanwhile */
                loy_err_clear(err);
                rc = 0;
            } else if (!rc)
                d->answered++;
            json_decref(req);
            json_decref(resp);
        }
        for (size_t i = 0; i < p.n; i++) loy_survey_row_free(&p.s[i]);
    }
    app->now = saved;
    return rc;
}
