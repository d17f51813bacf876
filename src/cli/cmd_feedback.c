/* Feedback commands (app/feedback.h): `loyalty feedback list` (survey responses with their
 * triage), `loyalty case list|show|note|set` (the follow-up cases of detractors), as tables or
 * JSON (--json). */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/feedback.h"

const loy_flag loy_feedback_list_flags[] = {
    {"status", "status", F_STR, "only responses whose case is open, contacted or resolved"},
    {"group", "group", F_STR, "only promoters, passives or detractors (promoter, passive, ...)"},
    {"min-urgency", "min_urgency", F_INT, "only responses at least this urgent (0-100)"},
    {"order", "order", F_STR, "newest (default) or urgent: most urgent first"},
    {"member", "member", F_STR, "only this member's (id, card, phone or email)"},
    {"limit", "limit", F_INT, "responses per page (default 50, at most 200)"},
    {"before", "before", F_INT, "continue after this cursor (next_before of the last page)"},
    {NULL, NULL, F_STR, NULL}};

const loy_flag loy_case_list_flags[] = {
    {"status", "status", F_STR, "only cases with this status: open, contacted or resolved"},
    {"limit", "limit", F_INT, "cases per page (default 50, at most 200)"},
    {"before", "before", F_INT, "cases with ids below this one (next_before of the last page)"},
    {NULL, NULL, F_STR, NULL}};

const loy_flag loy_case_note_flags[] = {{"text", "text", F_STR, "the note (required)"},
                                        {NULL, NULL, F_STR, NULL}};

const loy_flag loy_case_set_flags[] = {
    {"status", "status", F_STR, "open, contacted or resolved"},
    {"assignee", "assignee", F_STR, "the staff username who follows it up"},
    {"unassign", "unassign", F_BOOL, "nobody follows it up"},
    {NULL, NULL, F_STR, NULL}};

static const char *S(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static long long I(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* At most `max` bytes of `s` (cut at a character, "..." when cut) on one line. */
static void excerpt(char *out, size_t n, const char *s, size_t max)
{
    size_t len = s ? strlen(s) : 0, k = len < max ? len : max;
    if (k + 4 > n) k = n - 4;
    while (k && k < len && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    for (size_t i = 0; i < k; i++) out[i] = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
    if (k < len) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

static void print_words(const json_t *triage)
{
    const json_t *words = json_object_get(triage, "words"), *w;
    size_t i;
    if (!json_array_size(words)) return;
    printf("        deciding words:");
    json_array_foreach(words, i, w)
    {
        const char *topic = json_string_value(json_object_get(w, "topic"));
        printf("%s \"%s\" (%s%s%s %+.1f)", i ? "," : "", S(w, "text"), S(w, "kind"),
               topic ? " " : "", topic ? topic : "",
               json_number_value(json_object_get(w, "applied")));
    }
    printf("\n");
}

static void human_feedback(const json_t *r)
{
    const json_t *list = json_object_get(r, "feedback"), *f;
    size_t i;
    printf("%-6s %-10s %5s %-9s %7s %-10s %-9s %s\n", "id", "answered", "score", "group", "urgency",
           "case", "sentiment", "member: comment");
    json_array_foreach(list, i, f)
    {
        const json_t *t = json_object_get(f, "triage"), *k = json_object_get(f, "case");
        char text[200], cs[24] = "-";
        excerpt(text, sizeof(text), json_string_value(json_object_get(f, "comment")), 120);
        if (json_is_object(k)) snprintf(cs, sizeof(cs), "%lld %s", I(k, "id"), S(k, "status"));
        printf("%-6lld %-10.10s %5lld %-9s %7lld %-10s %-9s %s: %s\n", I(f, "id"),
               S(f, "answered_at"), I(f, "score"), S(f, "group"), I(f, "urgency"), cs,
               S(json_object_get(t, "sentiment"), "label"), S(json_object_get(f, "member"), "name"),
               text[0] ? text : "(no comment)");
        print_words(t);
    }
    if (!json_array_size(list)) printf("(no responses)\n");
    const json_t *next = json_object_get(r, "next_before");
    if (json_is_integer(next)) printf("more: --before %lld\n", (long long)json_integer_value(next));
}

int loy_cmd_feedback_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_feedback_list(app, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_feedback);
    return rc;
}

static void case_line(const json_t *c)
{
    const json_t *s = json_object_get(c, "survey");
    char text[160];
    excerpt(text, sizeof(text), json_string_value(json_object_get(s, "comment")), 100);
    printf("%-6lld %-10s %-12s %5lld %7lld %-10.10s %s: %s\n", I(c, "id"), S(c, "status"),
           S(c, "assignee"), I(s, "score"), I(s, "urgency"), S(s, "answered_at"),
           S(json_object_get(c, "member"), "name"), text[0] ? text : "(no comment)");
}

static void human_cases(const json_t *r)
{
    printf("%lld open, %lld contacted, %lld resolved\n", I(r, "open"), I(r, "contacted"),
           I(r, "resolved"));
    printf("%-6s %-10s %-12s %5s %7s %-10s %s\n", "case", "status", "assignee", "score", "urgency",
           "answered", "member: comment");
    const json_t *c;
    size_t i;
    json_array_foreach(json_object_get(r, "cases"), i, c) case_line(c);
    const json_t *next = json_object_get(r, "next_before");
    if (json_is_integer(next)) printf("more: --before %lld\n", (long long)json_integer_value(next));
}

static void human_case(const json_t *r)
{
    const json_t *c = json_object_get(r, "case"), *s = json_object_get(c, "survey");
    printf("case %lld: %s, assignee %s\n", I(c, "id"), S(c, "status"), S(c, "assignee"));
    printf("member     %s (id %lld)\n", S(json_object_get(c, "member"), "name"),
           I(json_object_get(c, "member"), "id"));
    printf("answer     score %lld, %s, urgency %lld, sentiment %s, topic %s\n", I(s, "score"),
           S(s, "answered_at"), I(s, "urgency"), S(s, "sentiment"), S(s, "main_topic"));
    printf("comment    %s\n",
           json_is_string(json_object_get(s, "comment")) ? S(s, "comment") : "(none)");
    printf("opened     %s", S(c, "created_at"));
    if (json_is_string(json_object_get(c, "contacted_at")))
        printf(", contacted %s", S(c, "contacted_at"));
    if (json_is_string(json_object_get(c, "resolved_at")))
        printf(", resolved %s", S(c, "resolved_at"));
    printf("\nnotes%s\n", json_array_size(json_object_get(c, "notes")) ? "" : ": none");
    const json_t *n;
    size_t i;
    json_array_foreach(json_object_get(c, "notes"), i, n)
        printf("  %s %s: %s\n", S(n, "created_at"), S(n, "staff"), S(n, "text"));
}

int loy_cmd_case_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_case_list(app, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_cases);
    return rc;
}

/* The case id of the command line. */
static int case_arg(const loy_cli *cli, const char *usage, int64_t *id, loy_err *err)
{
    char *end = NULL;
    long long v = cli->npos ? strtoll(cli->pos[0], &end, 10) : 0;
    if (!cli->npos || !*cli->pos[0] || *end || v <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "usage: loyalty case %s: the case ID is %s",
                           usage, cli->npos ? "not a number" : "missing");
    *id = v;
    return 0;
}

int loy_cmd_case_show(loy_cli *cli, loy_app *app, loy_err *err)
{
    int64_t id = 0;
    json_t *resp = NULL;
    int rc = case_arg(cli, "show ID", &id, err);
    if (!rc) rc = loy_app_case_get(app, id, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_case);
    return rc;
}

int loy_cmd_case_note(loy_cli *cli, loy_app *app, loy_err *err)
{
    int64_t id = 0;
    json_t *resp = NULL;
    int rc = case_arg(cli, "note ID --text TEXT", &id, err);
    if (!rc) rc = loy_app_case_note(app, id, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_case);
    return rc;
}

int loy_cmd_case_set(loy_cli *cli, loy_app *app, loy_err *err)
{
    int64_t id = 0;
    json_t *resp = NULL;
    int rc = case_arg(cli, "set ID [--status S] [--assignee USER | --unassign]", &id, err);
    if (rc) return rc;
    json_t *req = json_deep_copy(cli->req);
    if (!req) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (json_object_get(req, "unassign")) {
        json_object_del(req, "unassign");
        if (json_object_get(req, "assignee")) {
            json_decref(req);
            return loy_err_set(err, LOY_EINVALID, "assignee",
                               "--assignee and --unassign: choose one");
        }
        json_object_set_new(req, "assignee", json_null());
    }
    rc = loy_app_case_update(app, id, req, &resp, err);
    json_decref(req);
    if (!rc) loy_cli_print(cli, resp, human_case);
    return rc;
}
