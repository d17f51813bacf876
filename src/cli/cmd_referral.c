/* Referral commands: referral list [--status S] [--before ID] [--limit N], referral approve ID,
 * referral reject ID (the owner's review of flagged referrals; see docs/referrals.md). */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "app/referrals.h"

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void human_line(const json_t *x)
{
    const json_t *a = json_object_get(x, "referrer"), *b = json_object_get(x, "referee");
    printf("#%-5lld %-9s %-15s %s (#%lld) -> %s (#%lld)  %.10s",
           (long long)json_integer_value(json_object_get(x, "id")), text(x, "status"),
           text(x, "reason"), text(a, "name"),
           (long long)json_integer_value(json_object_get(a, "id")), text(b, "name"),
           (long long)json_integer_value(json_object_get(b, "id")), text(x, "created_at"));
    if (json_is_string(json_object_get(x, "qualifies_at")))
        printf("  qualifies %.10s", text(x, "qualifies_at"));
    if (json_is_string(json_object_get(x, "decision")))
        printf("  %s by %s", text(x, "decision"), text(x, "decided_by"));
    printf("\n");
}

static void human_list(const json_t *r)
{
    const json_t *list = json_object_get(r, "referrals");
    size_t i;
    const json_t *x;
    json_array_foreach(list, i, x) human_line(x);
    if (!json_array_size(list)) printf("no referrals\n");
    const json_t *next = json_object_get(r, "next_before");
    if (json_is_integer(next))
        printf("more: loyalty referral list --before %lld\n", (long long)json_integer_value(next));
}

static void human_one(const json_t *r)
{
    human_line(json_object_get(r, "referral"));
}

int loy_cmd_referral_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos) return loy_err_set(err, LOY_EINVALID, "", "usage: loyalty referral list");
    json_t *resp = NULL;
    int rc = loy_app_referral_list(app, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_list);
    return rc;
}

static int decide(loy_cli *cli, loy_app *app, bool approve, loy_err *err)
{
    char *end = NULL;
    long long id = cli->npos == 1 ? strtoll(cli->pos[0], &end, 10) : 0;
    if (cli->npos != 1 || *end || id <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "usage: loyalty referral %s ID",
                           approve ? "approve" : "reject");
    json_t *resp = NULL;
    int rc = loy_app_referral_decide(app, id, approve, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_one);
    return rc;
}

int loy_cmd_referral_approve(loy_cli *cli, loy_app *app, loy_err *err)
{
    return decide(cli, app, true, err);
}

int loy_cmd_referral_reject(loy_cli *cli, loy_app *app, loy_err *err)
{
    return decide(cli, app, false, err);
}

const loy_flag loy_referral_list_flags[] = {
    {"status", "status", F_STR, "pending, qualified, awarded, refused or flagged"},
    {"before", "before", F_INT, "the id that ended the previous page"},
    {"limit", "limit", F_INT, "at most this many (1 to 100, default 50)"},
    {NULL, NULL, F_STR, NULL}};
