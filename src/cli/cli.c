/* The command line: finds the command in the table, parses its flags into a JSON request (or
 * reads the request from stdin with `-`), opens the database and runs it. */
#include "cli/cli.h"
#include "cli/cli_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/money.h"
#include "util/jv.h"

int loy_cli_exit_code(int code)
{
    switch (code) {
    case LOY_OK:
        return 0;
    case LOY_EREFUSED:
        return 1;
    case LOY_EINVALID:
        return 2;
    case LOY_ENOTFOUND:
        return 3;
    case LOY_ECONFLICT:
    case LOY_EMISMATCH:
        return 4;
    default:
        return 5;
    }
}

void loy_cli_print(const loy_cli *cli, json_t *resp, void (*human)(const json_t *resp))
{
    if (cli->json || !human) {
        char *s = json_dumps(resp, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        if (s) printf("%s\n", s);
        free(s);
    } else
        human(resp);
    json_decref(resp);
}

char *loy_cli_read_file(const char *path, size_t *len, loy_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        loy_err_set(err, errno == ENOENT ? LOY_ENOTFOUND : LOY_EINVALID, "file",
                    "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > (64u << 20)) {
                free(buf);
                buf = NULL;
                loy_err_set(err, LOY_EINVALID, "file", "%s is larger than 64 MiB", path);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    if (f != stdin) fclose(f);
    if (!buf) {
        if (!err || !err->code) loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void usage_of(const loy_cmd *c, FILE *out)
{
    fprintf(out, "usage: loyalty %s [options]%s%s\n  %s\n", c->name, c->usage ? " " : "",
            c->usage ? c->usage : "", c->help);
    if (c->flags)
        for (const loy_flag *f = c->flags; f->flag; f++)
            fprintf(out, "  --%-18s %s\n", f->flag, f->help);
    if (c->needs)
        fprintf(out, "  --%-18s %s\n", "db PATH",
                "database file (env LOYALTY_DB, default loyalty.db)");
    fprintf(out, "  --%-18s %s\n", "json", "machine-readable output");
    if (c->needs == 2)
        fprintf(out, "  --%-18s %s\n  --%-18s %s\n", "now TIME",
                "act as if it were TIME (ISO 8601; for jobs, imports and tests)", "actor NAME",
                "who acts, for the ledger and audit log (default cli:$USER)");
    if (c->flags && c->needs == 2)
        fprintf(out, "  --%-18s %s\n  %-20s %s\n", "key KEY",
                "idempotency key: a retry with the same key has one effect", "-",
                "read the JSON request from standard input instead of flags");
}

static void usage_all(FILE *out)
{
    fprintf(out, "usage: loyalty COMMAND [options]\n\ncommands:\n");
    for (const loy_cmd *c = loy_commands; c->name; c++)
        fprintf(out, "  %-18s %s\n", c->name, c->help);
    fprintf(out, "\n`loyalty COMMAND --help` shows the options of a command. Exit codes: 0 ok, "
                 "1 refused, 2 usage or invalid input, 3 not found, 4 conflict, 5 storage.\n");
}

static int set_flag(loy_cli *cli, const loy_flag *f, const char *val, loy_err *err)
{
    json_t *req = cli->req;
    switch (f->type) {
    case F_STR:
        json_object_set_new(req, f->key, json_string(val));
        break;
    case F_MONEY:
    case F_INT: {
        /* money stays text here: the command converts it with the merchant's exponent */
        if (f->type == F_INT) {
            char *end;
            errno = 0;
            long long v = strtoll(val, &end, 10);
            if (!*val || *end || errno)
                return loy_err_set(err, LOY_EINVALID, f->flag,
                                   "--%s: expected an integer, got \"%s\"", f->flag, val);
            json_object_set_new(req, f->key, json_integer(v));
        } else
            json_object_set_new(req, f->key, json_string(val));
        break;
    }
    case F_BOOL:
        json_object_set_new(req, f->key, json_true());
        break;
    case F_TAGS: {
        json_t *arr = json_object_get(req, f->key);
        if (!arr) json_object_set_new(req, f->key, arr = json_array());
        json_array_append_new(arr, json_string(val));
        break;
    }
    case F_CONSENT: {
        json_t *c = json_object_get(req, "consent");
        if (!c) json_object_set_new(req, "consent", c = json_object());
        json_object_set_new(c, f->key, json_true());
        break;
    }
    case F_ITEM: {
        /* CATEGORY[:SKU[:QTY[:AMOUNT]]] */
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", val);
        char *parts[4] = {0};
        int n = 0;
        char *save = NULL;
        for (char *t = strtok_r(buf, ":", &save); t && n < 4; t = strtok_r(NULL, ":", &save))
            parts[n++] = t;
        if (n == 0)
            return loy_err_set(err, LOY_EINVALID, "item",
                               "--item: expected CATEGORY[:SKU[:QTY[:AMOUNT]]], got \"%s\"", val);
        json_t *it = json_object();
        json_object_set_new(it, "category", json_string(parts[0]));
        if (n > 1 && *parts[1]) json_object_set_new(it, "sku", json_string(parts[1]));
        if (n > 2) {
            char *end;
            long long q = strtoll(parts[2], &end, 10);
            if (*end || q < 1) {
                json_decref(it);
                return loy_err_set(err, LOY_EINVALID, "item",
                                   "--item: quantity must be a positive integer, got \"%s\"",
                                   parts[2]);
            }
            json_object_set_new(it, "qty", json_integer(q));
        }
        if (n > 3) json_object_set_new(it, "amount", json_string(parts[3]));
        json_t *arr = json_object_get(req, "items");
        if (!arr) json_object_set_new(req, "items", arr = json_array());
        json_array_append_new(arr, it);
        break;
    }
    }
    return 0;
}

static int parse_args(loy_cli *cli, const loy_cmd *c, int argc, char **argv, loy_err *err)
{
    bool from_stdin = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-") == 0) {
            from_stdin = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (cli->npos == 8) return loy_err_set(err, LOY_EINVALID, "", "too many arguments");
            cli->pos[cli->npos++] = a;
            continue;
        }
        char name[64];
        const char *val = NULL, *eq = strchr(a + 2, '=');
        snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a - 2) : 63, a + 2);
        if (eq) val = eq + 1;
        if (!strcmp(name, "help")) {
            cli->help = true;
            continue;
        }
        if (!strcmp(name, "json")) {
            cli->json = true;
            continue;
        }
        if (!strcmp(name, "dry-run")) {
            cli->dry_run = true;
            continue;
        }
        const loy_flag *f = NULL;
        if (c->flags)
            for (const loy_flag *g = c->flags; g->flag; g++)
                if (!strcmp(g->flag, name)) f = g;
        bool global = !strcmp(name, "db") || !strcmp(name, "key") || !strcmp(name, "actor") ||
                      !strcmp(name, "now") || !strcmp(name, "merchant");
        if (!f && !global)
            return loy_err_set(err, LOY_EINVALID, name,
                               "unknown option --%s (see loyalty %s --help)", name, c->name);
        bool needs_val = global || (f && f->type != F_BOOL && f->type != F_CONSENT);
        if (needs_val && !val) {
            if (i + 1 >= argc)
                return loy_err_set(err, LOY_EINVALID, name, "--%s needs a value", name);
            val = argv[++i];
        }
        if (!strcmp(name, "db"))
            cli->db = val;
        else if (!strcmp(name, "key"))
            cli->key = val;
        else if (!strcmp(name, "actor"))
            cli->actor = val;
        else if (!strcmp(name, "now"))
            cli->now = val;
        else if (!strcmp(name, "merchant"))
            cli->merchant = val;
        else {
            int rc = set_flag(cli, f, val, err);
            if (rc) return rc;
        }
    }
    if (from_stdin) {
        if (json_object_size(cli->req))
            return loy_err_set(err, LOY_EINVALID, "-",
                               "give the request either as flags or as JSON on stdin, not both");
        size_t len = 0;
        char *buf = loy_cli_read_file("-", &len, err);
        if (!buf) return err->code;
        json_error_t je;
        json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
        free(buf);
        if (!v)
            return loy_err_set(err, LOY_EINVALID, "",
                               "invalid JSON on stdin at line %d column %d: %s", je.line, je.column,
                               je.text);
        json_decref(cli->req);
        cli->req = v;
        cli->from_stdin = true;
    }
    int max_pos = c->usage ? 1 : 0;
    if (cli->npos > max_pos)
        return loy_err_set(err, LOY_EINVALID, "",
                           "unexpected argument \"%s\" (see loyalty %s --help)", cli->pos[max_pos],
                           c->name);
    return 0;
}

static void print_error(const loy_cli *cli, const loy_err *err)
{
    if (cli->json) {
        json_t *e = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", loy_err_name(err->code),
                              "message", err->message, "field", err->field);
        char *s = json_dumps(e, JSON_COMPACT);
        fprintf(stderr, "%s\n", s ? s : err->message);
        free(s);
        json_decref(e);
    } else
        fprintf(stderr, "loyalty: %s\n", err->message[0] ? err->message : loy_err_name(err->code));
}

static const loy_cmd *find_command(int argc, char **argv, int *used)
{
    const loy_cmd *best = NULL;
    for (const loy_cmd *c = loy_commands; c->name; c++) {
        char word1[32] = "", word2[32] = "";
        sscanf(c->name, "%31s %31s", word1, word2);
        if (argc >= 1 && !strcmp(argv[0], word1)) {
            if (!word2[0] && !best) {
                best = c;
                *used = 1;
            } else if (word2[0] && argc >= 2 && !strcmp(argv[1], word2)) {
                *used = 2;
                return c;
            }
        }
    }
    return best;
}

int loy_cli_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help") ||
        !strcmp(argv[1], "-h")) {
        usage_all(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("loyalty 0.1.0\n");
        return 0;
    }
    int used = 0;
    const loy_cmd *c = find_command(argc - 1, argv + 1, &used);
    if (!c) {
        fprintf(stderr, "loyalty: unknown command \"%s\"\n", argv[1]);
        usage_all(stderr);
        return 2;
    }
    loy_cli cli = {0};
    cli.req = json_object();
    for (int i = 1 + used; i < argc; i++) /* errors before --json are JSON too */
        if (!strcmp(argv[i], "--json")) cli.json = true;
    loy_err err;
    loy_err_clear(&err);
    int rc = parse_args(&cli, c, argc - 1 - used, argv + 1 + used, &err);
    if (cli.help) {
        usage_of(c, stdout);
        json_decref(cli.req);
        return 0;
    }
    loy_app *app = NULL;
    if (!rc && c->needs) {
        if (!cli.db) cli.db = getenv("LOYALTY_DB");
        if (!cli.db) cli.db = "loyalty.db";
        if (c->needs == 2 && access(cli.db, F_OK) != 0)
            rc = loy_err_set(&err, LOY_ENOTFOUND, "db",
                             "no database %s: create it with `loyalty init --db %s --programme "
                             "FILE`",
                             cli.db, cli.db);
        else
            rc = loy_app_open(&app, cli.db, NULL, &err);
        if (!rc) {
            const char *user = getenv("USER");
            snprintf(app->actor, sizeof(app->actor), "%s", cli.actor ? cli.actor : "");
            if (!cli.actor) snprintf(app->actor, sizeof(app->actor), "cli:%s", user ? user : "?");
            if (cli.now && !loy_time_parse(cli.now, &app->now))
                rc = loy_err_set(&err, LOY_EINVALID, "now",
                                 "--now: expected an ISO 8601 time like \"2026-11-22T10:00:00Z\", "
                                 "got \"%s\"",
                                 cli.now);
            if (!rc && cli.merchant) {
                char *end;
                long long m = strtoll(cli.merchant, &end, 10);
                rc = *end || m <= 0 ? loy_err_set(&err, LOY_EINVALID, "merchant",
                                                  "--merchant: expected a merchant id, got \"%s\"",
                                                  cli.merchant)
                                    : loy_app_select_merchant(app, m, &err);
            }
            if (!rc && c->needs == 2 && !app->merchant)
                rc = loy_err_set(&err, LOY_ENOTFOUND, "db",
                                 "%s has no programme yet: run `loyalty init --db %s --programme "
                                 "FILE`",
                                 cli.db, cli.db);
        }
    }
    if (!rc) rc = c->fn(&cli, app, &err);
    if (rc) {
        print_error(&cli, &err);
        if (rc == LOY_EINVALID && !strncmp(err.message, "usage", 5) && !cli.json)
            usage_of(c, stderr);
    }
    loy_app_close(app);
    json_decref(cli.req);
    return loy_cli_exit_code(rc);
}
