/* Repository of surveys, cases and case notes (migration 0017, docs/feedback.md). Like store.h,
 * every function runs inside the caller's transaction and never commits on its own. */
#ifndef LOY_STORE_STORE_FEEDBACK_H
#define LOY_STORE_STORE_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_report.h"

typedef struct {
    int64_t id, merchant_id, member_id;
    int64_t purchase_id; /* 0 = none */
    char token[40];
    char location[LOY_ID_MAX]; /* "" = none */
    char language[8];
    int64_t created_at, invite_at, answered_at; /* answered_at 0 = not answered */
    int score;                                  /* -1 = not answered */
    char *comment;                              /* malloc'ed; NULL = none */
    char *triage;                               /* JSON text, malloc'ed; NULL = none */
    int urgency;
    int64_t thanks_points;
} loy_survey_row;

/* Frees the strings, not the struct; NULL-safe. */
void loy_survey_row_free(loy_survey_row *s);

typedef struct {
    int64_t id, merchant_id, survey_id, member_id;
    char status[16];   /* "open", "contacted", "resolved" */
    char assignee[64]; /* staff username, "" = nobody */
    int64_t created_at, updated_at, contacted_at, resolved_at;
} loy_case_row;

typedef struct {
    int64_t id, case_id;
    char staff[64]; /* the actor who wrote it */
    const char *text;
    int64_t created_at;
} loy_note_row;

/* created_at of the member's latest survey (any merchant's: member ids are unique), 0 = none. */
int loy_store_survey_last(loy_conn *c, int64_t member, int64_t *out, loy_err *err);
/* Inserts s (answer fields ignored) and sets s->id. LOY_ECONFLICT when the token is taken. */
int loy_store_survey_insert(loy_conn *c, loy_survey_row *s, loy_err *err);
/* The survey holding `token` (unique across merchants). LOY_ENOTFOUND (field "token"). */
int loy_store_survey_find(loy_conn *c, const char *token, loy_survey_row *out, loy_err *err);
/* Survey `id` of `merchant`. LOY_ENOTFOUND (field "id"). */
int loy_store_survey_get(loy_conn *c, int64_t merchant, int64_t id, loy_survey_row *out,
                         loy_err *err);
/* Records the answer of an unanswered survey (comment NULL = none; triage JSON text).
 * LOY_ECONFLICT (field "token") when it was answered already. */
int loy_store_survey_answer(loy_conn *c, int64_t merchant, int64_t id, int score,
                            const char *comment, const char *triage, int urgency,
                            int64_t thanks_points, int64_t now, loy_err *err);

/* The inbox: answered surveys of `merchant`, with the member's name and their case (NULL when
 * none), filtered and ordered as `q` says, at most q->limit. */
typedef struct {
    const char *status; /* case status: "open", "contacted", "resolved"; NULL = any (or none) */
    const char *group;  /* "promoter", "passive", "detractor"; NULL = any */
    int min_urgency;    /* 0 = any */
    bool urgent;        /* order by urgency, then newest; else newest first (by id) */
    int64_t before;     /* newest: ids below it; urgent: the cursor (loy_feedback_cursor) */
    int64_t member;     /* 0 = every member */
    int limit;
} loy_feedback_query;
typedef void (*loy_feedback_fn)(void *ctx, const loy_survey_row *s, const char *member_name,
                                const loy_case_row *cs);
int loy_store_feedback_list(loy_conn *c, int64_t merchant, const loy_feedback_query *q,
                            loy_feedback_fn fn, void *ctx, loy_err *err);
/* The cursor after a survey in the urgent order: urgency x 2^40 + id (ids stay below 2^40). */
int64_t loy_feedback_cursor(int urgency, int64_t id);

/* Cases. */
int loy_store_case_insert(loy_conn *c, loy_case_row *cs, loy_err *err); /* sets cs->id */
/* LOY_ENOTFOUND (field "id") for a case of no or another merchant. */
int loy_store_case_get(loy_conn *c, int64_t merchant, int64_t id, loy_case_row *out, loy_err *err);
/* The case of a survey; LOY_ENOTFOUND when it has none. */
int loy_store_case_of_survey(loy_conn *c, int64_t survey, loy_case_row *out, loy_err *err);
/* Writes status, assignee and the times of cs (by id and merchant). */
int loy_store_case_update(loy_conn *c, const loy_case_row *cs, loy_err *err);
/* Cases of `merchant` (of one status unless NULL), newest first, ids below `before` (0 = from the
 * newest), at most `limit`, each with its survey and the member's name. */
typedef void (*loy_case_fn)(void *ctx, const loy_case_row *cs, const loy_survey_row *s,
                            const char *member_name);
int loy_store_case_list(loy_conn *c, int64_t merchant, const char *status, int64_t before,
                        int limit, loy_case_fn fn, void *ctx, loy_err *err);
/* How many cases of `merchant` have `status` (about purchases at `location` unless NULL). */
int loy_store_case_count(loy_conn *c, int64_t merchant, const char *status, const char *location,
                         int64_t *out, loy_err *err);
int loy_store_note_insert(loy_conn *c, int64_t merchant, int64_t case_id, const char *staff,
                          const char *text, int64_t now, int64_t *id, loy_err *err);
/* The notes of a case, oldest first. */
int loy_store_note_list(loy_conn *c, int64_t case_id, void (*fn)(void *ctx, const loy_note_row *n),
                        void *ctx, loy_err *err);

/* The NPS report: every survey answered in [from, to) of the scope (a location: surveys about
 * purchases made there), in answer order: the time, the score and the location (NULL = none;
 * valid during the call). */
typedef void (*loy_nps_row_fn)(void *ctx, int64_t answered_at, int score, const char *location);
int loy_store_nps_rows(loy_conn *c, const loy_report_scope *s, loy_nps_row_fn fn, void *ctx,
                       loy_err *err);

/* The erase of member `member`: their comments (and the deciding words of their triage, which
 * quote the comment) removed, the text of every note on their cases replaced by `erased_text`,
 * the comment in their feedback.received events likewise; scores and case statuses stay.
 * *comments and *notes = how many were changed. */
int loy_store_feedback_erase(loy_conn *c, int64_t merchant, int64_t member, const char *erased_text,
                             int64_t *comments, int64_t *notes, loy_err *err);

/* Unanswered surveys of `merchant` with ids >= `from`, ascending, at most `limit` (the demo). */
int loy_store_survey_unanswered(loy_conn *c, int64_t merchant, int64_t from, int limit,
                                void (*fn)(void *ctx, const loy_survey_row *s), void *ctx,
                                loy_err *err);

#endif
