/* Staff fraud controls: staff flags [--status open|dismissed] [--before ID] [--limit N], the
 * writes blocked or flagged (see docs/operations.md "Staff fraud controls"). */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "app/staff.h"

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void human(const json_t *r)
{
    const json_t *list = json_object_get(r, "flags"), *x;
    size_t i;
    json_array_foreach(list, i, x)
    {
        printf("#%-5lld %-8s %-15s %-9s member #%lld  %-20s %.19s  %s\n",
               (long long)json_integer_value(json_object_get(x, "id")), text(x, "action"),
               text(x, "rule"), text(x, "op"),
               (long long)json_integer_value(json_object_get(x, "member_id")), text(x, "actor"),
               text(x, "created_at"), text(x, "status"));
    }
    if (!json_array_size(list)) printf("no staff flags\n");
    const json_t *next = json_object_get(r, "next_before");
    if (json_is_integer(next))
        printf("more: loyalty staff flags --before %lld\n", (long long)json_integer_value(next));
}

int loy_cmd_staff_flags(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos) return loy_err_set(err, LOY_EINVALID, "", "usage: loyalty staff flags");
    const json_t *q = cli->req;
    json_t *resp = NULL;
    int rc = loy_app_staff_flags(app, json_string_value(json_object_get(q, "status")),
                                 json_integer_value(json_object_get(q, "before")),
                                 (int)json_integer_value(json_object_get(q, "limit")), &resp, err);
    if (!rc) loy_cli_print(cli, resp, human);
    return rc;
}

const loy_flag loy_staff_flags_flags[] = {
    {"status", "status", F_STR, "open or dismissed (default: all)"},
    {"before", "before", F_INT, "the id that ended the previous page"},
    {"limit", "limit", F_INT, "at most this many (1 to 500, default 100)"},
    {NULL, NULL, F_STR, NULL}};

static void human_dismissed(const json_t *r)
{
    printf("staff flag %lld dismissed\n", (long long)json_integer_value(json_object_get(r, "id")));
}

int loy_cmd_staff_dismiss(loy_cli *cli, loy_app *app, loy_err *err)
{
    char *end = NULL;
    long long id = cli->npos == 1 ? strtoll(cli->pos[0], &end, 10) : 0;
    if (cli->npos != 1 || !*cli->pos[0] || *end || id <= 0)
        return loy_err_set(err, LOY_EINVALID, "id",
                           "usage: loyalty staff dismiss ID --reason TEXT");
    json_t *resp = NULL;
    int rc = loy_app_staff_flag_dismiss(app, id, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_dismissed);
    return rc;
}

const loy_flag loy_staff_dismiss_flags[] = {
    {"reason", "reason", F_STR, "why the flag needs no action (required; audited)"},
    {NULL, NULL, F_STR, NULL}};
