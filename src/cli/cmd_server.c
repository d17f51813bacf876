/* Server commands: serve, apikey create|list|revoke, openapi. */
#include "cli/cli_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"
#include "http/http.h"

int loy_cmd_serve(loy_cli *cli, loy_app *app, loy_err *err)
{
    loy_app_close(app); /* (never opened: serve opens its own connections) */
    loy_config c;
    json_t *flags = json_deep_copy(cli->req);
    if (cli->db) json_object_set_new(flags, "db", json_string(cli->db));
    if (json_is_true(json_object_get(flags, "quiet")))
        json_object_set_new(flags, "access_log", json_false());
    json_object_del(flags, "quiet");
    if (json_is_true(json_object_get(flags, "no_scheduler")))
        json_object_set_new(flags, "scheduler", json_false());
    json_object_del(flags, "no_scheduler");
    char file[1024] = "";
    const char *f = json_string_value(json_object_get(flags, "config"));
    if (f) snprintf(file, sizeof(file), "%s", f);
    json_object_del(flags, "config");
    int rc = loy_config_load(&c, file[0] ? file : NULL, flags, err);
    json_decref(flags);
    loy_sender_settings mail; /* the message sender (cli/config_mail.c) */
    if (!rc) rc = loy_config_sender(&c, &mail, err);
    if (rc) return rc;
    loy_server_config cfg = {.db_path = c.db,
                             .host = c.host,
                             .port = c.port,
                             .threads = c.threads,
                             .max_body = (size_t)c.max_body,
                             .timeout_s = c.timeout,
                             .access_log = c.access_log,
                             .scheduler = c.scheduler,
                             .sender = &mail.sender};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
    loy_server *s = NULL;
    if ((rc = loy_server_start(&s, &cfg, err))) return rc;
    printf("loyalty: serving %s on http://%s:%d (Ctrl-C or SIGTERM stops)\n", c.db, c.host,
           loy_server_port(s));
    if (c.smtp_url[0])
        printf("loyalty: sending messages through %s as %s\n", c.smtp_url, c.mail_from);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "loyalty: %s received, finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    loy_server_stop(s);
    fprintf(stderr, "loyalty: stopped\n");
    return 0;
}

static void human_key(const json_t *r)
{
    printf("API key #%lld (%s, %s): %s\nKeep it safe: it is shown only this once.\n",
           (long long)json_integer_value(json_object_get(r, "id")),
           json_string_value(json_object_get(r, "role")),
           json_string_value(json_object_get(r, "name")),
           json_string_value(json_object_get(r, "key")));
}

int loy_cmd_apikey_create(loy_cli *cli, loy_app *app, loy_err *err)
{
    const char *role = json_string_value(json_object_get(cli->req, "role"));
    const char *name = json_string_value(json_object_get(cli->req, "name"));
    json_t *resp = NULL;
    int rc = loy_app_apikey_create(app, role ? role : "cashier", name ? name : "integration", &resp,
                                   err);
    if (!rc) loy_cli_print(cli, resp, human_key);
    return rc;
}

static void human_keys(const json_t *r)
{
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(r, "keys"), i, k) printf(
        "#%-4lld %-14s %-8s %-24s %s\n", (long long)json_integer_value(json_object_get(k, "id")),
        json_string_value(json_object_get(k, "prefix")),
        json_string_value(json_object_get(k, "role")),
        json_string_value(json_object_get(k, "name")),
        json_is_null(json_object_get(k, "revoked_at")) ? "active" : "revoked");
}

int loy_cmd_apikey_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_apikey_list(app, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_keys);
    return rc;
}

int loy_cmd_apikey_revoke(loy_cli *cli, loy_app *app, loy_err *err)
{
    char *end = NULL;
    long long id = cli->npos == 1 ? strtoll(cli->pos[0], &end, 10) : 0;
    if (cli->npos != 1 || *end || id <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "usage: loyalty apikey revoke ID");
    int rc = loy_app_apikey_revoke(app, id, err);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1), NULL);
    else
        printf("API key #%lld revoked\n", id);
    return 0;
}

int loy_cmd_openapi(loy_cli *cli, loy_app *app, loy_err *err)
{
    (void)app;
    json_t *doc = loy_openapi(err);
    if (!doc) return err->code;
    cli->json = true;
    loy_cli_print(cli, doc, NULL);
    return 0;
}

const loy_flag loy_serve_flags[] = {
    {"config", "config", F_STR, "JSON settings file (see below)"},
    {"host", "host", F_STR, "address to listen on (env LOYALTY_HOST, default 127.0.0.1)"},
    {"port", "port", F_INT, "port (env LOYALTY_PORT, default 8080; 0 = any free port)"},
    {"threads", "threads", F_INT, "worker threads (env LOYALTY_THREADS, default 4)"},
    {"max-body", "max_body", F_INT, "largest request body in bytes (default 65536)"},
    {"timeout", "timeout", F_INT, "request timeout in seconds (default 10)"},
    {"quiet", "quiet", F_BOOL, "no access log"},
    {"no-scheduler", "no_scheduler", F_BOOL, "no daily jobs in the server (cron: `jobs run`)"},
    LOY_MAIL_FLAGS,
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_apikey_flags[] = {{"role", "role", F_STR, "owner, manager or cashier"},
                                     {"name", "name", F_STR, "what the key is for"},
                                     {NULL, NULL, F_STR, NULL}};
