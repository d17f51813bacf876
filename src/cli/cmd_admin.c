/* Administrative commands: init, programme check/show/set/history, db verify, expire, backup,
 * restore. */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void human_verify(const json_t *r)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(r, "violations"), i, v)
        printf("VIOLATION %s\n", json_string_value(v));
    if (json_is_true(json_object_get(r, "ok")))
        printf("ok: balances equal their ledgers, no balance below its floor, one effect per "
               "idempotency key, integrity_check ok\n");
}

int loy_cmd_init(loy_cli *cli, loy_app *app, loy_err *err)
{
    const char *file = json_string_value(json_object_get(cli->req, "programme"));
    if (!file && cli->npos == 1) file = cli->pos[0];
    if (!file)
        return loy_err_set(err, LOY_EINVALID, "programme",
                           "usage: loyalty init --db FILE --programme PROGRAMME.json");
    size_t len = 0;
    char *body = loy_cli_read_file(file, &len, err);
    if (!body) return err->code;
    int rc = loy_app_init(app, body, len, err);
    free(body);
    if (rc) return rc;
    json_t *resp =
        json_pack("{s:s, s:I, s:s, s:s}", "db", cli->db, "merchant_id", (json_int_t)app->merchant,
                  "merchant", app->merchant_row.name, "currency", app->merchant_row.currency);
    if (cli->json)
        loy_cli_print(cli, resp, NULL);
    else {
        printf("Created %s for %s (%s, %s), programme version 1\n", cli->db, app->merchant_row.name,
               app->merchant_row.currency, app->merchant_row.timezone);
        json_decref(resp);
    }
    return 0;
}

int loy_cmd_programme_check(loy_cli *cli, loy_app *app, loy_err *err)
{
    (void)app;
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "file", "usage: loyalty programme check FILE");
    size_t len = 0;
    char *body = loy_cli_read_file(cli->pos[0], &len, err);
    if (!body) return err->code;
    int rc = loy_app_programme_check(body, len, err);
    free(body);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:b, s:s}", "ok", 1, "file", cli->pos[0]), NULL);
    else
        printf("%s: ok\n", cli->pos[0]);
    return 0;
}

static void human_programme(const json_t *r)
{
    char *s = json_dumps(json_object_get(r, "programme"), JSON_INDENT(2));
    printf("%s\n", s ? s : "");
    free(s);
}

int loy_cmd_programme_show(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_programme_get(app, cli->npos == 1 ? atoll(cli->pos[0]) : 0, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_programme);
    return rc;
}

int loy_cmd_programme_set(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "file", "usage: loyalty programme set FILE");
    size_t len = 0;
    char *body = loy_cli_read_file(cli->pos[0], &len, err);
    if (!body) return err->code;
    int64_t version = 0;
    int rc = loy_app_programme_set(app, body, len, &version, err);
    free(body);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:I}", "version", (json_int_t)version), NULL);
    else
        printf("Programme version %lld is active\n", (long long)version);
    return 0;
}

static void add_version(void *ctx, int64_t version, int64_t at, const char *actor)
{
    char t[32];
    loy_time_format(t, sizeof(t), at);
    json_array_append_new((json_t *)ctx, json_pack("{s:I, s:s, s:s}", "version",
                                                   (json_int_t)version, "at", t, "by", actor));
}

static void human_history(const json_t *r)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(r, "versions"), i, v) printf(
        "v%-4lld %s  %s\n", (long long)json_integer_value(json_object_get(v, "version")),
        json_string_value(json_object_get(v, "at")), json_string_value(json_object_get(v, "by")));
}

int loy_cmd_programme_history(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *arr = json_array();
    int rc = loy_store_programme_history(&app->conn, app->merchant, add_version, arr, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    loy_cli_print(cli, json_pack("{s:o}", "versions", arr), human_history);
    return 0;
}

int loy_cmd_db_verify(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_verify(app, &resp, err);
    if (rc) return rc;
    bool ok = json_is_true(json_object_get(resp, "ok"));
    loy_cli_print(cli, resp, human_verify);
    if (!ok)
        return loy_err_set(err, LOY_ESTORAGE, "db", "invariant violations found in %s", cli->db);
    return 0;
}

int loy_cmd_db_migrate(loy_cli *cli, loy_app *app, loy_err *err)
{
    (void)app;
    (void)err;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:b}", "ok", 1), NULL);
    else
        printf("%s: schema is up to date\n", cli->db);
    return 0;
}

static void human_jobs(const json_t *r)
{
    printf("members %lld: %lld points activated, %lld expired, %lld tier changes, %lld bonus "
           "points; %lld idempotency records pruned\n",
           (long long)json_integer_value(json_object_get(r, "members")),
           (long long)json_integer_value(json_object_get(r, "activated")),
           (long long)json_integer_value(json_object_get(r, "expired")),
           (long long)json_integer_value(json_object_get(r, "tier_changes")),
           (long long)json_integer_value(json_object_get(r, "bonus_points")),
           (long long)json_integer_value(json_object_get(r, "idempotency_pruned")));
    printf("referrals: %lld awarded, %lld refused\n",
           (long long)json_integer_value(json_object_get(r, "referrals_awarded")),
           (long long)json_integer_value(json_object_get(r, "referrals_refused")));
    printf("messages: %lld queued", /* app/triggers.c */
           (long long)json_integer_value(json_object_get(r, "messages_queued")));
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(r, "messages_by_trigger"), k, v)
        printf(", %s %lld", k, (long long)json_integer_value(v));
    printf("\n");
}

int loy_cmd_expire(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_jobs_housekeeping(app, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_jobs);
    return rc;
}

int loy_cmd_backup(loy_cli *cli, loy_app *app, loy_err *err)
{
    const char *to = json_string_value(json_object_get(cli->req, "to"));
    if (!to && cli->npos == 1) to = cli->pos[0];
    if (!to)
        return loy_err_set(err, LOY_EINVALID, "to", "usage: loyalty backup --db FILE --to COPY");
    if (access(to, F_OK) == 0)
        return loy_err_set(err, LOY_ECONFLICT, "to", "%s exists; will not overwrite it", to);
    int rc = app->conn.drv->backup(app->conn.db, to, err);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:s, s:s}", "db", cli->db, "backup", to), NULL);
    else
        printf("Backed up %s to %s\n", cli->db, to);
    return 0;
}

int loy_cmd_restore(loy_cli *cli, loy_app *app, loy_err *err)
{
    (void)app;
    const char *from = json_string_value(json_object_get(cli->req, "from"));
    if (!from && cli->npos == 1) from = cli->pos[0];
    if (!from || !cli->db)
        return loy_err_set(err, LOY_EINVALID, "from",
                           "usage: loyalty restore --from COPY --db FILE");
    if (access(cli->db, F_OK) == 0)
        return loy_err_set(err, LOY_ECONFLICT, "db",
                           "%s exists; move it away first (restore never overwrites)", cli->db);
    loy_app *src = NULL;
    int rc = loy_app_open(&src, from, NULL, err);
    if (rc) return rc;
    json_t *check = NULL;
    rc = loy_app_verify(src, &check, err);
    if (!rc && !json_is_true(json_object_get(check, "ok")))
        rc = loy_err_set(err, LOY_ESTORAGE, "from", "%s fails `loyalty db verify`", from);
    json_decref(check);
    if (!rc) rc = src->conn.drv->backup(src->conn.db, cli->db, err);
    loy_app_close(src);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:s, s:s}", "db", cli->db, "restored_from", from), NULL);
    else
        printf("Restored %s from %s\n", cli->db, from);
    return 0;
}

int loy_cmd_merchant_add(loy_cli *cli, loy_app *app, loy_err *err)
{
    const char *file = json_string_value(json_object_get(cli->req, "programme"));
    if (!file && cli->npos == 1) file = cli->pos[0];
    if (!file)
        return loy_err_set(err, LOY_EINVALID, "programme",
                           "usage: loyalty merchant add --db FILE --programme PROGRAMME.json");
    size_t len = 0;
    char *body = loy_cli_read_file(file, &len, err);
    if (!body) return err->code;
    int rc = loy_app_merchant_add(app, body, len, err);
    free(body);
    if (rc) return rc;
    json_t *resp =
        json_pack("{s:I, s:s, s:s}", "merchant_id", (json_int_t)app->merchant, "merchant",
                  app->merchant_row.name, "currency", app->merchant_row.currency);
    if (cli->json)
        loy_cli_print(cli, resp, NULL);
    else {
        printf("Merchant #%lld %s (%s) added; act for it with --merchant %lld\n",
               (long long)app->merchant, app->merchant_row.name, app->merchant_row.currency,
               (long long)app->merchant);
        json_decref(resp);
    }
    return 0;
}
