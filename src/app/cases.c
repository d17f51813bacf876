/* The staff side of feedback (see feedback.h): the inbox of survey responses with their triage,
 * and the follow-up cases with status, assignee and notes, each change in one audited
 * transaction. */
#include "app/feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/feedback_int.h"
#include "app/params.h"
#include "app/request.h"
#include "core/feedback.h"
#include "store/store_feedback.h"
#include "util/jdump.h"

#define LIST_MAX     200
#define LIST_DEFAULT 50

static const char *const statuses[] = {"open", "contacted", "resolved", NULL};
static const char *const groups[] = {"promoter", "passive", "detractor", NULL};

/* Unknown parameters are errors: a typo must not silently mean "everything". */
static int known(const json_t *params, const char *const *names, loy_err *err)
{
    if (params && !json_is_object(params))
        return loy_err_set(err, LOY_EINVALID, "", "parameters: expected an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)params, key, v)
    {
        bool ok = false;
        for (size_t i = 0; names[i] && !ok; i++) ok = !strcmp(names[i], key);
        if (!ok) return loy_err_set(err, LOY_EINVALID, key, "%s: unknown parameter", key);
    }
    return 0;
}

/* An optional word of `words`; *out borrowed, NULL when absent. */
static int word_param(const json_t *params, const char *name, const char *const *words,
                      const char **out, loy_err *err)
{
    int rc = loy_param_text(params, name, out, err);
    if (rc || !*out) return rc;
    for (size_t i = 0; words[i]; i++)
        if (!strcmp(words[i], *out)) return 0;
    char list[128] = "";
    for (size_t i = 0; words[i]; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", words[i]);
    return loy_err_set(err, LOY_EINVALID, name, "%s: expected one of %s, got \"%s\"", name, list,
                       *out);
}

/* A text, or null for none (never a missing key: clients see every field). */
static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *triage_of(const loy_survey_row *s)
{
    json_t *t = s->triage ? json_loads(s->triage, 0, NULL) : NULL;
    return t ? t : json_null();
}

static json_t *case_brief(const loy_case_row *k)
{
    return json_pack("{s:I, s:s, s:o}", "id", (json_int_t)k->id, "status", k->status, "assignee",
                     text_or_null(k->assignee));
}

/* ---- the inbox ---- */

typedef struct {
    json_t *list;
    int64_t last_cursor;
    bool urgent;
} inbox;

static void add_feedback(void *ctx, const loy_survey_row *s, const char *name,
                         const loy_case_row *k)
{
    inbox *b = ctx;
    json_t *o = json_pack(
        "{s:I, s:{s:I, s:s}, s:i, s:s, s:o, s:s, s:o, s:o, s:i, s:o, s:I, s:o}", "id",
        (json_int_t)s->id, "member", "id", (json_int_t)s->member_id, "name", name ? name : "",
        "score", s->score, "group", loy_nps_group_name(loy_nps_group_of(s->score)), "comment",
        text_or_null(s->comment), "language", s->language, "location", text_or_null(s->location),
        "answered_at", loy_json_time(s->answered_at), "urgency", s->urgency, "triage", triage_of(s),
        "thank_you_points", (json_int_t)s->thanks_points, "case", k ? case_brief(k) : json_null());
    json_array_append_new(b->list, o);
    b->last_cursor = b->urgent ? loy_feedback_cursor(s->urgency, s->id) : s->id;
}

int loy_app_feedback_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err)
{
    *resp = NULL;
    static const char *const names[] = {"status", "group", "min_urgency", "order",
                                        "member", "limit", "before",      NULL};
    static const char *const orders[] = {"newest", "urgent", NULL};
    loy_feedback_query q = {0};
    int64_t min_urgency = 0, limit = 0;
    const char *order = NULL, *member = NULL;
    int rc = known(params, names, err);
    if (!rc) rc = word_param(params, "status", statuses, &q.status, err);
    if (!rc) rc = word_param(params, "group", groups, &q.group, err);
    if (!rc) rc = loy_param_int(params, "min_urgency", 0, 100, 0, &min_urgency, err);
    if (!rc) rc = word_param(params, "order", orders, &order, err);
    if (!rc) rc = loy_param_text(params, "member", &member, err);
    if (!rc) rc = loy_param_int(params, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit, err);
    if (!rc) rc = loy_param_int(params, "before", 0, INT64_MAX, 0, &q.before, err);
    if (rc) return rc;
    q.min_urgency = (int)min_urgency;
    q.limit = (int)limit;
    q.urgent = order && !strcmp(order, "urgent");
    if (member) {
        loy_member_row m;
        if ((rc = loy_app_resolve_member(app, member, &m, err))) return rc;
        q.member = m.id;
        loy_member_row_free(&m);
    }
    inbox b = {.list = json_array(), .urgent = q.urgent};
    if (!b.list) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    rc = loy_store_feedback_list(&app->conn, app->merchant, &q, add_feedback, &b, err);
    if (rc) {
        json_decref(b.list);
        return rc;
    }
    bool full = json_array_size(b.list) == (size_t)q.limit;
    *resp = json_pack("{s:o, s:o, s:s}", "feedback", b.list, "next_before",
                      full ? json_integer(b.last_cursor) : json_null(), "order",
                      q.urgent ? "urgent" : "newest");
    return *resp ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}

/* ---- cases ---- */

static json_t *case_json(const loy_case_row *k, const loy_survey_row *s, const char *name)
{
    json_t *t = triage_of(s);
    const json_t *sent = json_object_get(json_object_get(t, "sentiment"), "label");
    json_t *o = json_pack(
        "{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:s}, s:{s:I, s:i, s:o, s:s, s:o, s:o, "
        "s:i, s:O, s:O}}",
        "id", (json_int_t)k->id, "status", k->status, "assignee", text_or_null(k->assignee),
        "created_at", loy_json_time(k->created_at), "updated_at", loy_json_time(k->updated_at),
        "contacted_at", loy_json_time(k->contacted_at), "resolved_at",
        loy_json_time(k->resolved_at), "member", "id", (json_int_t)k->member_id, "name",
        name ? name : "", "survey", "id", (json_int_t)s->id, "score", s->score, "comment",
        text_or_null(s->comment), "language", s->language, "location", text_or_null(s->location),
        "answered_at", loy_json_time(s->answered_at), "urgency", s->urgency, "sentiment",
        sent ? sent : json_null(), "main_topic",
        json_object_get(t, "main_topic") ? json_object_get(t, "main_topic") : json_null());
    json_decref(t);
    return o;
}

typedef struct {
    json_t *list;
    int64_t last;
} case_page;

static void add_case(void *ctx, const loy_case_row *k, const loy_survey_row *s, const char *name)
{
    case_page *p = ctx;
    json_array_append_new(p->list, case_json(k, s, name));
    p->last = k->id;
}

int loy_app_case_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err)
{
    *resp = NULL;
    static const char *const names[] = {"status", "limit", "before", NULL};
    const char *status = NULL;
    int64_t limit = 0, before = 0, counts[3] = {0};
    int rc = known(params, names, err);
    if (!rc) rc = word_param(params, "status", statuses, &status, err);
    if (!rc) rc = loy_param_int(params, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit, err);
    if (!rc) rc = loy_param_int(params, "before", 0, INT64_MAX, 0, &before, err);
    if (rc) return rc;
    case_page p = {.list = json_array()};
    if (!p.list) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if ((rc = loy_db_begin(&app->conn, false, err))) { /* the list and the counts agree */
        json_decref(p.list);
        return rc;
    }
    rc = loy_store_case_list(&app->conn, app->merchant, status, before, (int)limit, add_case, &p,
                             err);
    for (int i = 0; !rc && i < 3; i++)
        rc = loy_store_case_count(&app->conn, app->merchant, statuses[i], NULL, &counts[i], err);
    loy_db_rollback(&app->conn);
    if (rc) {
        json_decref(p.list);
        return rc;
    }
    bool full = json_array_size(p.list) == (size_t)limit;
    *resp = json_pack("{s:o, s:o, s:I, s:I, s:I}", "cases", p.list, "next_before",
                      full ? json_integer(p.last) : json_null(), "open", (json_int_t)counts[0],
                      "contacted", (json_int_t)counts[1], "resolved", (json_int_t)counts[2]);
    return *resp ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}

static void add_note(void *ctx, const loy_note_row *n)
{
    json_array_append_new((json_t *)ctx, json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)n->id,
                                                   "staff", n->staff, "text", n->text, "created_at",
                                                   loy_json_time(n->created_at)));
}

/* The case with its survey, member name and notes, read in the current transaction. */
static int case_full(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    loy_case_row k;
    loy_survey_row s = {0};
    loy_member_row m;
    int rc = loy_store_case_get(&app->conn, app->merchant, id, &k, err);
    if (!rc) rc = loy_store_survey_get(&app->conn, app->merchant, k.survey_id, &s, err);
    if (!rc)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, k.member_id, &m, err);
    if (rc) {
        loy_survey_row_free(&s);
        return rc;
    }
    json_t *c = case_json(&k, &s, m.name), *notes = json_array();
    loy_member_row_free(&m);
    loy_survey_row_free(&s);
    json_object_set_new(c, "notes", notes);
    rc = loy_store_note_list(&app->conn, id, add_note, notes, err);
    if (rc) {
        json_decref(c);
        return rc;
    }
    *resp = json_pack("{s:o}", "case", c);
    return 0;
}

int loy_app_case_get(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    rc = case_full(app, id, resp, err);
    loy_db_rollback(&app->conn);
    return rc;
}

static int audit_case(loy_app *app, const loy_case_row *k, const char *action, json_t *detail,
                      int64_t now, loy_err *err)
{
    char *text = detail ? loy_json_dump(detail, false, NULL) : NULL;
    int rc = text ? loy_store_audit(&app->conn, app->merchant, app->actor, action, "member",
                                    k->member_id, NULL, text, now, NULL, err)
                  : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(text);
    json_decref(detail);
    return rc;
}

/* A staff username of the current merchant who may be assigned; LOY_EINVALID otherwise. */
static int check_assignee(loy_app *app, const char *username, loy_err *err)
{
    loy_user_row u;
    int rc = loy_store_user_by_name(&app->conn, username, &u, err);
    if (rc == LOY_ENOTFOUND || (!rc && (u.merchant_id != app->merchant || u.disabled_at)))
        return loy_err_set(err, LOY_EINVALID, "assignee",
                           "assignee: \"%s\" is not an active staff user of this merchant",
                           username);
    return rc;
}

int loy_app_case_update(loy_app *app, int64_t id, const json_t *req, json_t **resp, loy_err *err)
{
    *resp = NULL;
    static const char *const fields[] = {"status", "assignee", NULL};
    const char *status = NULL, *assignee = NULL;
    const json_t *ja = json_object_get(req, "assignee");
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = word_param(req, "status", statuses, &status, err);
    if (!rc && ja && !json_is_null(ja)) rc = loy_req_str(req, "assignee", true, 63, &assignee, err);
    if (!rc && !status && !ja)
        rc = loy_err_set(err, LOY_EINVALID, "status",
                         "status or assignee: give at least one (status open, contacted or "
                         "resolved; assignee a staff username or null)");
    if (rc) return rc;
    int64_t now = loy_app_now(app);
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    loy_case_row k = {0}, before;
    rc = loy_store_case_get(&app->conn, app->merchant, id, &k, err);
    if (!rc && assignee) rc = check_assignee(app, assignee, err);
    before = k;
    if (!rc) {
        if (status) snprintf(k.status, sizeof(k.status), "%s", status);
        if (ja) snprintf(k.assignee, sizeof(k.assignee), "%s", assignee ? assignee : "");
        if (!strcmp(k.status, "contacted") && !k.contacted_at) k.contacted_at = now;
        if (!strcmp(k.status, "resolved") && !k.resolved_at) k.resolved_at = now;
    }
    bool changed = !rc && (strcmp(k.status, before.status) || strcmp(k.assignee, before.assignee));
    if (changed) {
        k.updated_at = now;
        rc = loy_store_case_update(&app->conn, &k, err);
        if (!rc)
            rc = audit_case(app, &k, "case.update",
                            json_pack("{s:I, s:{s:s, s:o}, s:{s:s, s:o}}", "case_id",
                                      (json_int_t)k.id, "before", "status", before.status,
                                      "assignee", text_or_null(before.assignee), "after", "status",
                                      k.status, "assignee", text_or_null(k.assignee)),
                            now, err);
    }
    if (!rc) rc = case_full(app, id, resp, err);
    if (!rc && changed) rc = loy_db_commit(&app->conn, err);
    loy_db_rollback(&app->conn); /* a no-op after the commit */
    if (rc) {
        json_decref(*resp);
        *resp = NULL;
    }
    return rc;
}

int loy_app_case_note(loy_app *app, int64_t id, const json_t *req, json_t **resp, loy_err *err)
{
    *resp = NULL;
    static const char *const fields[] = {"text", NULL};
    int rc = loy_req_object(req, fields, err);
    char *text = NULL;
    if (!rc) rc = loy_feedback_text(req, "text", LOY_CASE_NOTE_MAX, &text, err);
    if (!rc && !text) rc = loy_err_set(err, LOY_EINVALID, "text", "text: the note is required");
    if (rc) return rc;
    int64_t now = loy_app_now(app), note = 0;
    if ((rc = loy_db_begin(&app->conn, true, err))) {
        free(text);
        return rc;
    }
    loy_case_row k;
    rc = loy_store_case_get(&app->conn, app->merchant, id, &k, err);
    if (!rc)
        rc =
            loy_store_note_insert(&app->conn, app->merchant, id, app->actor, text, now, &note, err);
    if (!rc) {
        k.updated_at = now;
        rc = loy_store_case_update(&app->conn, &k, err);
    }
    if (!rc)
        rc = audit_case(
            app, &k, "case.note",
            json_pack("{s:I, s:I}", "case_id", (json_int_t)id, "note_id", (json_int_t)note), now,
            err);
    if (!rc) rc = case_full(app, id, resp, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        json_decref(*resp);
        *resp = NULL;
    }
    free(text);
    return rc;
}
