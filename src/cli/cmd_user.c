/* Staff user commands: user add, user passwd, user list. The password is read from standard
 * input (one line) or from LOYALTY_PASSWORD, never from the command line. */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_password(char *buf, size_t n, loy_err *err)
{
    const char *env = getenv("LOYALTY_PASSWORD");
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return 0;
    }
    if (!fgets(buf, (int)n, stdin))
        return loy_err_set(err, LOY_EINVALID, "password",
                           "give the password on standard input (one line) or in "
                           "LOYALTY_PASSWORD");
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static void human_user(const json_t *r)
{
    printf("User #%lld %s (%s) added\n", (long long)json_integer_value(json_object_get(r, "id")),
           json_string_value(json_object_get(r, "username")),
           json_string_value(json_object_get(r, "role")));
}

int loy_cmd_user_add(loy_cli *cli, loy_app *app, loy_err *err)
{
    char pw[300];
    int rc = read_password(pw, sizeof(pw), err);
    json_t *resp = NULL;
    if (!rc)
        rc = loy_app_user_add(app, json_string_value(json_object_get(cli->req, "username")),
                              json_string_value(json_object_get(cli->req, "name")),
                              json_string_value(json_object_get(cli->req, "role")), pw, &resp, err);
    memset(pw, 0, sizeof(pw));
    if (!rc) loy_cli_print(cli, resp, human_user);
    return rc;
}

int loy_cmd_user_passwd(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "username", "usage: loyalty user passwd USERNAME");
    char pw[300];
    int rc = read_password(pw, sizeof(pw), err);
    if (!rc) rc = loy_app_user_passwd(app, cli->pos[0], pw, err);
    memset(pw, 0, sizeof(pw));
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:s, s:b}", "username", cli->pos[0], "changed", 1), NULL);
    else
        printf("Password of %s changed; their sessions were ended\n", cli->pos[0]);
    return 0;
}

static void human_users(const json_t *r)
{
    size_t i;
    const json_t *u;
    json_array_foreach(json_object_get(r, "users"), i, u)
        printf("#%-4lld %-24s %-8s %s\n", (long long)json_integer_value(json_object_get(u, "id")),
               json_string_value(json_object_get(u, "username")),
               json_string_value(json_object_get(u, "role")),
               json_string_value(json_object_get(u, "name")));
}

int loy_cmd_user_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_user_list(app, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_users);
    return rc;
}

const loy_flag loy_user_flags[] = {{"username", "username", F_STR, "login name (a-z 0-9 . _ @ -)"},
                                   {"name", "name", F_STR, "full name"},
                                   {"role", "role", F_STR, "owner, manager or cashier"},
                                   {NULL, NULL, F_STR, NULL}};
