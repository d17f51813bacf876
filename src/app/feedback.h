/* Feedback use cases (SPEC D; docs/feedback.md): the one-question NPS survey a purchase invites,
 * its public page /f/{token} (the token is the only credential), the answer with its triage,
 * thank-you, follow-up case for a detractor and referral ask for a promoter, the staff inbox of
 * responses and the cases that close the loop. */
#ifndef LOY_APP_FEEDBACK_H
#define LOY_APP_FEEDBACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

#define LOY_SURVEY_TOKEN_BITS  160  /* 32 Crockford base32 characters */
#define LOY_SURVEY_TOKEN_MAX   40   /* buffer size for a token and its NUL */
#define LOY_SURVEY_COMMENT_MAX 2000 /* characters of a comment */
#define LOY_CASE_NOTE_MAX      2000 /* characters of a case note */

/* Inside loy_uc_purchase's transaction, once purchase `purchase` of member `m` (made at `at`, at
 * location `location`, "" = none) is stored: when the programme's feedback section is on, the
 * member has consent and an address for a channel, the purchase is recent (core/feedback.h) and
 * the member had no survey in the last every_days, creates the survey (a new token) and queues
 * its message: trigger "survey", class service (it is about the visit just made, and the
 * section's every_days already limits it; consent is still required), key "survey:ID", vars
 * {"survey_url": "/f/TOKEN"} (a path: the sender makes it absolute), not_before = `at` +
 * delay_hours. *survey = its id, or 0 when the purchase invites none. */
int loy_app_survey_invite(loy_app *app, const loy_member_row *m, int64_t purchase,
                          const char *location, int64_t at, int64_t now, int64_t *survey,
                          loy_err *err);

/* What the survey page shows, and selects the survey's merchant: {survey: {answered: bool,
 * score: N or null}, shop: the merchant's name, member: {first_name}, language: the member's,
 * thank_you_points: what answering earns now (0 = nothing)}. LOY_ENOTFOUND (field "token") for
 * an unknown token or a member whose data was erased. Changes nothing. */
int loy_app_survey_view(loy_app *app, const char *token, json_t **resp, loy_err *err);

/* The answer, req = {score: 0..10, comment?: text of at most LOY_SURVEY_COMMENT_MAX characters
 * (line breaks allowed, other control characters not; blank = none)}, in one transaction: the
 * score and comment stored with the comment's triage (in the survey's language, or the language
 * the text fits best when that one has no lexicon); the thank-you bonus when the programme gives
 * one (feedback.thank_you_points, the same for every score: ledger kind bonus, rule
 * "survey-thanks", ref_type "survey", audited "survey.thanks"); a detractor's (0-6) follow-up
 * case (open); a promoter's (9-10) "referral_ask" message (marketing, key
 * "referral_ask:SURVEY_ID", vars {referral_url: "/r/CODE", referral_code}); and the outbox
 * event "feedback.received" {survey_id, member_id, score, group, comment, location, urgency,
 * sentiment, main_topic, case_id}. The member acts ("member:ID" in the ledger and the audit).
 * *resp = the view after it. LOY_EINVALID naming "score" or "comment" (nothing changed),
 * LOY_ENOTFOUND (field "token"), LOY_ECONFLICT (field "token") when it was answered already. */
int loy_app_survey_answer(loy_app *app, const char *token, const json_t *req, json_t **resp,
                          loy_err *err);

/* The inbox: answered surveys, params (strings or integers, each optional) = {status (the case's:
 * open, contacted or resolved), group (promoter, passive or detractor), min_urgency (0..100),
 * order ("newest", the default, or "urgent": by urgency, then newest), member (a member
 * reference), limit (1..200, default 50), before (the cursor: next_before of the previous
 * page)}. *resp = {feedback: [{id, member: {id, name}, score, group, comment, language,
 * location, answered_at, urgency, triage (app/triage.h's JSON, null when none), thank_you_points,
 * case: {id, status, assignee} or null}], next_before: cursor or null}. LOY_EINVALID naming the
 * parameter (unknown ones too). */
int loy_app_feedback_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err);

/* Cases, newest first: params = {status?, limit? (1..200, default 50), before? (an id)}.
 * *resp = {cases: [case], next_before, open, contacted, resolved (counts)} with case = {id,
 * status, assignee, created_at, updated_at, contacted_at, resolved_at, member: {id, name},
 * survey: {id, score, comment, language, location, answered_at, urgency, sentiment,
 * main_topic}}. */
int loy_app_case_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err);
/* One case with its notes: *resp = {case: {... as above, notes: [{id, staff, text,
 * created_at}]}}. LOY_ENOTFOUND (field "id"). */
int loy_app_case_get(loy_app *app, int64_t id, json_t **resp, loy_err *err);
/* Changes a case: req = {status?: open|contacted|resolved, assignee?: a staff username of the
 * merchant or null} (at least one). contacted_at / resolved_at are set when it first reaches
 * that status. Audited "case.update" (before and after) when anything changed. *resp as
 * loy_app_case_get. LOY_EINVALID naming the field, LOY_ENOTFOUND (field "id"). */
int loy_app_case_update(loy_app *app, int64_t id, const json_t *req, json_t **resp, loy_err *err);
/* Adds a note: req = {text: 1..LOY_CASE_NOTE_MAX characters}, recorded with the acting staff
 * member (app->actor) and the time; audited "case.note" (its length, not its text). *resp as
 * loy_app_case_get. */
int loy_app_case_note(loy_app *app, int64_t id, const json_t *req, json_t **resp, loy_err *err);

/* Inside the erase transaction of member `member` (app/privacy.c): their comments, the deciding
 * words of their triage and the notes on their cases are removed ("(erased)" for notes and the
 * comment of their feedback.received events); scores stay, so NPS does not change. Adds the
 * counts to `scrubbed` as "surveys.comment" and "case_notes.text". */
int loy_app_feedback_erased(loy_app *app, int64_t member, json_t *scrubbed, loy_err *err);

/* The demo (`loyalty demo`): answers the surveys of the current merchant that are due by `now`
 * with seeded scores and comments in the member's language (analytics/gen_feedback.h), through
 * loy_app_survey_answer at app->now = `now`. Call it as the simulated clock advances; `d` keeps
 * where it got to (zero it first, with the seed). */
typedef struct {
    uint64_t seed;
    int64_t next;     /* the first survey id not yet decided */
    int64_t answered; /* answers given so far */
} loy_feedback_demo;
int loy_app_feedback_demo(loy_app *app, loy_feedback_demo *d, int64_t now, loy_err *err);

#endif
