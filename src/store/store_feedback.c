/* Surveys, cases and case notes (see store_feedback.h). */
#include "store/store_feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SURVEY_COLS                                                                                \
    "s.id, s.merchant_id, s.member_id, coalesce(s.purchase_id, 0), s.token, "                      \
    "coalesce(s.location_code, ''), s.language, s.created_at, s.invite_at, s.answered_at, "        \
    "coalesce(s.score, -1), s.comment, s.triage, s.urgency, s.thanks_points"
#define NSURVEY 15
#define CASE_COLS                                                                                  \
    "k.id, k.merchant_id, k.survey_id, k.member_id, k.status, coalesce(k.assignee, ''), "          \
    "k.created_at, k.updated_at, k.contacted_at, k.resolved_at"
#define NCASE 10

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void loy_survey_row_free(loy_survey_row *s)
{
    if (!s) return;
    free(s->comment);
    free(s->triage);
    s->comment = s->triage = NULL;
}

/* Columns col .. col + NSURVEY - 1 into *s (strings copied). false when out of memory. */
static bool read_survey(loy_conn *c, loy_stmt *st, int col, loy_survey_row *s)
{
    memset(s, 0, sizeof(*s));
    s->id = loy_db_int(c, st, col);
    s->merchant_id = loy_db_int(c, st, col + 1);
    s->member_id = loy_db_int(c, st, col + 2);
    s->purchase_id = loy_db_int(c, st, col + 3);
    copy(s->token, sizeof(s->token), loy_db_text(c, st, col + 4));
    copy(s->location, sizeof(s->location), loy_db_text(c, st, col + 5));
    copy(s->language, sizeof(s->language), loy_db_text(c, st, col + 6));
    s->created_at = loy_db_int(c, st, col + 7);
    s->invite_at = loy_db_int(c, st, col + 8);
    s->answered_at = loy_db_int(c, st, col + 9);
    s->score = (int)loy_db_int(c, st, col + 10);
    const char *comment = loy_db_text(c, st, col + 11), *triage = loy_db_text(c, st, col + 12);
    s->comment = dup_or_null(comment);
    s->triage = dup_or_null(triage);
    s->urgency = (int)loy_db_int(c, st, col + 13);
    s->thanks_points = loy_db_int(c, st, col + 14);
    return (!comment || s->comment) && (!triage || s->triage);
}

static void read_case(loy_conn *c, loy_stmt *st, int col, loy_case_row *k)
{
    memset(k, 0, sizeof(*k));
    k->id = loy_db_int(c, st, col);
    k->merchant_id = loy_db_int(c, st, col + 1);
    k->survey_id = loy_db_int(c, st, col + 2);
    k->member_id = loy_db_int(c, st, col + 3);
    copy(k->status, sizeof(k->status), loy_db_text(c, st, col + 4));
    copy(k->assignee, sizeof(k->assignee), loy_db_text(c, st, col + 5));
    k->created_at = loy_db_int(c, st, col + 6);
    k->updated_at = loy_db_int(c, st, col + 7);
    k->contacted_at = loy_db_int(c, st, col + 8);
    k->resolved_at = loy_db_int(c, st, col + 9);
}

static int nomem(loy_err *err)
{
    return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}

/* ---- surveys ---- */

int loy_store_survey_last(loy_conn *c, int64_t member, int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err,
                         "SELECT coalesce(max(created_at), 0) FROM surveys WHERE member_id = ?",
                         "i", member);
}

int loy_store_survey_insert(loy_conn *c, loy_survey_row *s, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO surveys(merchant_id, member_id, purchase_id, token, "
                        "location_code, language, created_at, invite_at) "
                        "VALUES (?, ?, nullif(?, 0), ?, nullif(?, ''), ?, ?, ?)",
                        "iiitttii", s->merchant_id, s->member_id, s->purchase_id, s->token,
                        s->location, s->language, s->created_at, s->invite_at);
    if (rc) return rc;
    return loy_db_scalar(c, &s->id, err, "SELECT last_insert_rowid()", "");
}

/* The first row of a prepared survey query into *out; LOY_ENOTFOUND naming `field`. */
static int one_survey(loy_conn *c, loy_stmt *st, loy_survey_row *out, const char *field,
                      loy_err *err)
{
    int rc = loy_db_next(c, st, err);
    if (rc == 1) {
        bool ok = read_survey(c, st, 0, out);
        loy_db_done(c, st);
        if (!ok) {
            loy_survey_row_free(out);
            return nomem(err);
        }
        return 0;
    }
    return rc == 0 ? loy_err_set(err, LOY_ENOTFOUND, field, "no such survey") : rc;
}

int loy_store_survey_find(loy_conn *c, const char *token, loy_survey_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT " SURVEY_COLS " FROM surveys s WHERE s.token = ?",
                          "t", token);
    return rc ? rc : one_survey(c, st, out, "token", err);
}

int loy_store_survey_get(loy_conn *c, int64_t merchant, int64_t id, loy_survey_row *out,
                         loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " SURVEY_COLS " FROM surveys s WHERE s.merchant_id = ? AND "
                          "s.id = ?",
                          "ii", merchant, id);
    return rc ? rc : one_survey(c, st, out, "id", err);
}

int loy_store_survey_answer(loy_conn *c, int64_t merchant, int64_t id, int score,
                            const char *comment, const char *triage, int urgency,
                            int64_t thanks_points, int64_t now, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE surveys SET answered_at = ?, score = ?, comment = ?, triage = ?, "
                        "urgency = ?, thanks_points = ? WHERE merchant_id = ? AND id = ? AND "
                        "answered_at = 0",
                        "iittiiii", now, (int64_t)score, comment, triage, (int64_t)urgency,
                        thanks_points, merchant, id);
    if (rc) return rc;
    if (loy_db_changes(c) != 1)
        return loy_err_set(err, LOY_ECONFLICT, "token", "this survey was answered already");
    return 0;
}

/* ---- the inbox ---- */

int64_t loy_feedback_cursor(int urgency, int64_t id)
{
    return ((int64_t)urgency << 40) + id;
}

/* ?1 merchant, ?2 case status, ?3 group, ?4 min urgency, ?5 member, ?6 before, ?7 limit; the
 * urgent order also ?8 (the cursor's urgency) and ?9 (its id). */
#define FEEDBACK_FROM                                                                              \
    "SELECT " SURVEY_COLS ", m.name, " CASE_COLS " FROM surveys s "                                \
    "JOIN members m ON m.id = s.member_id LEFT JOIN cases k ON k.survey_id = s.id "                \
    "WHERE s.merchant_id = ?1 AND s.answered_at > 0 AND (?2 IS NULL OR k.status = ?2) AND "        \
    "(?3 IS NULL OR (?3 = 'promoter' AND s.score >= 9) OR "                                        \
    "(?3 = 'passive' AND s.score BETWEEN 7 AND 8) OR (?3 = 'detractor' AND s.score <= 6)) AND "    \
    "s.urgency >= ?4 AND (?5 = 0 OR s.member_id = ?5) "

int loy_store_feedback_list(loy_conn *c, int64_t merchant, const loy_feedback_query *q,
                            loy_feedback_fn fn, void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc;
    if (q->urgent) {
        int64_t cu = q->before >> 40, cid = q->before & ((INT64_C(1) << 40) - 1);
        rc = loy_db_query(c, &st, err,
                          FEEDBACK_FROM "AND (?6 = 0 OR s.urgency < ?8 OR (s.urgency = ?8 AND "
                                        "s.id < ?9)) ORDER BY s.urgency DESC, s.id DESC LIMIT ?7",
                          "ittiiiiii", merchant, q->status, q->group, (int64_t)q->min_urgency,
                          q->member, q->before, (int64_t)q->limit, cu, cid);
    } else
        rc = loy_db_query(c, &st, err,
                          FEEDBACK_FROM "AND (?6 = 0 OR s.id < ?6) ORDER BY s.id DESC LIMIT ?7",
                          "ittiiii", merchant, q->status, q->group, (int64_t)q->min_urgency,
                          q->member, q->before, (int64_t)q->limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_survey_row s;
        loy_case_row k;
        bool ok = read_survey(c, st, 0, &s);
        bool has_case = !loy_db_null(c, st, NSURVEY + 1);
        if (has_case) read_case(c, st, NSURVEY + 1, &k);
        if (ok) fn(ctx, &s, loy_db_text(c, st, NSURVEY), has_case ? &k : NULL);
        loy_survey_row_free(&s);
        if (!ok) {
            loy_db_done(c, st);
            return nomem(err);
        }
    }
    return rc;
}

/* ---- cases ---- */

int loy_store_case_insert(loy_conn *c, loy_case_row *k, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO cases(merchant_id, survey_id, member_id, status, assignee, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, nullif(?, ''), ?, ?)",
                        "iiittii", k->merchant_id, k->survey_id, k->member_id, k->status,
                        k->assignee, k->created_at, k->updated_at);
    if (rc) return rc;
    return loy_db_scalar(c, &k->id, err, "SELECT last_insert_rowid()", "");
}

static int one_case(loy_conn *c, loy_stmt *st, loy_case_row *out, loy_err *err)
{
    int rc = loy_db_next(c, st, err);
    if (rc == 1) {
        read_case(c, st, 0, out);
        loy_db_done(c, st);
        return 0;
    }
    return rc == 0 ? loy_err_set(err, LOY_ENOTFOUND, "id", "no such case") : rc;
}

int loy_store_case_get(loy_conn *c, int64_t merchant, int64_t id, loy_case_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " CASE_COLS " FROM cases k WHERE k.merchant_id = ? AND k.id = ?",
                          "ii", merchant, id);
    return rc ? rc : one_case(c, st, out, err);
}

int loy_store_case_of_survey(loy_conn *c, int64_t survey, loy_case_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT " CASE_COLS " FROM cases k WHERE k.survey_id = ?",
                          "i", survey);
    return rc ? rc : one_case(c, st, out, err);
}

int loy_store_case_update(loy_conn *c, const loy_case_row *k, loy_err *err)
{
    return loy_db_run(c, err,
                      "UPDATE cases SET status = ?, assignee = nullif(?, ''), updated_at = ?, "
                      "contacted_at = ?, resolved_at = ? WHERE merchant_id = ? AND id = ?",
                      "ttiiiii", k->status, k->assignee, k->updated_at, k->contacted_at,
                      k->resolved_at, k->merchant_id, k->id);
}

int loy_store_case_list(loy_conn *c, int64_t merchant, const char *status, int64_t before,
                        int limit, loy_case_fn fn, void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " CASE_COLS ", " SURVEY_COLS ", m.name FROM cases k "
                          "JOIN surveys s ON s.id = k.survey_id JOIN members m ON m.id = "
                          "k.member_id WHERE k.merchant_id = ?1 AND (?2 IS NULL OR k.status = ?2) "
                          "AND (?3 = 0 OR k.id < ?3) ORDER BY k.id DESC LIMIT ?4",
                          "itii", merchant, status, before, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_case_row k;
        loy_survey_row s;
        read_case(c, st, 0, &k);
        bool ok = read_survey(c, st, NCASE, &s);
        if (ok) fn(ctx, &k, &s, loy_db_text(c, st, NCASE + NSURVEY));
        loy_survey_row_free(&s);
        if (!ok) {
            loy_db_done(c, st);
            return nomem(err);
        }
    }
    return rc;
}

int loy_store_case_count(loy_conn *c, int64_t merchant, const char *status, const char *location,
                         int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err,
                         "SELECT count(*) FROM cases k JOIN surveys s ON s.id = k.survey_id "
                         "WHERE k.merchant_id = ?1 AND k.status = ?2 AND (?3 IS NULL OR "
                         "s.location_code = ?3)",
                         "itt", merchant, status, location);
}

int loy_store_note_insert(loy_conn *c, int64_t merchant, int64_t case_id, const char *staff,
                          const char *text, int64_t now, int64_t *id, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT INTO case_notes(merchant_id, case_id, staff, text, created_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "iitti", merchant, case_id, staff, text, now);
    if (rc) return rc;
    return loy_db_scalar(c, id, err, "SELECT last_insert_rowid()", "");
}

int loy_store_note_list(loy_conn *c, int64_t case_id, void (*fn)(void *ctx, const loy_note_row *n),
                        void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, case_id, staff, text, created_at FROM case_notes WHERE "
                          "case_id = ? ORDER BY id",
                          "i", case_id);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_note_row n = {.id = loy_db_int(c, st, 0), .case_id = loy_db_int(c, st, 1)};
        copy(n.staff, sizeof(n.staff), loy_db_text(c, st, 2));
        const char *t = loy_db_text(c, st, 3);
        n.text = t ? t : "";
        n.created_at = loy_db_int(c, st, 4);
        fn(ctx, &n);
    }
    return rc;
}

/* ---- the report, the erase, the demo ---- */

int loy_store_nps_rows(loy_conn *c, const loy_report_scope *s, loy_nps_row_fn fn, void *ctx,
                       loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT answered_at, score, location_code FROM surveys WHERE "
                          "merchant_id = ?1 AND answered_at > 0 AND answered_at >= ?2 AND "
                          "answered_at < ?3 AND (?4 IS NULL OR location_code = ?4) "
                          "ORDER BY answered_at, id",
                          "iiit", s->merchant, s->from, s->to, s->location);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1)
        fn(ctx, loy_db_int(c, st, 0), (int)loy_db_int(c, st, 1), loy_db_text(c, st, 2));
    return rc;
}

int loy_store_feedback_erase(loy_conn *c, int64_t merchant, int64_t member, const char *erased_text,
                             int64_t *comments, int64_t *notes, loy_err *err)
{
    *comments = *notes = 0;
    int rc = loy_db_run(c, err,
                        "UPDATE surveys SET comment = NULL, triage = CASE WHEN json_valid(triage) "
                        "THEN json_remove(triage, '$.words') END WHERE merchant_id = ? AND "
                        "member_id = ? AND comment IS NOT NULL",
                        "ii", merchant, member);
    if (rc) return rc;
    *comments = loy_db_changes(c);
    rc = loy_db_run(c, err,
                    "UPDATE case_notes SET text = ?1 WHERE merchant_id = ?2 AND text != ?1 AND "
                    "case_id IN (SELECT id FROM cases WHERE merchant_id = ?2 AND member_id = ?3)",
                    "tii", erased_text, merchant, member);
    if (rc) return rc;
    *notes = loy_db_changes(c);
    return loy_db_run(c, err,
                      "UPDATE outbox SET payload = json_set(payload, '$.comment', ?1) WHERE "
                      "merchant_id = ?2 AND member_id = ?3 AND kind = 'feedback.received' AND "
                      "json_valid(payload) AND json_type(payload, '$.comment') = 'text' AND "
                      "json_extract(payload, '$.comment') != ?1",
                      "tii", erased_text, merchant, member);
}

int loy_store_survey_unanswered(loy_conn *c, int64_t merchant, int64_t from, int limit,
                                void (*fn)(void *ctx, const loy_survey_row *s), void *ctx,
                                loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " SURVEY_COLS " FROM surveys s WHERE s.merchant_id = ? AND "
                          "s.id >= ? AND s.answered_at = 0 ORDER BY s.id LIMIT ?",
                          "iii", merchant, from, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_survey_row s;
        bool ok = read_survey(c, st, 0, &s);
        if (ok) fn(ctx, &s);
        loy_survey_row_free(&s);
        if (!ok) {
            loy_db_done(c, st);
            return nomem(err);
        }
    }
    return rc;
}
