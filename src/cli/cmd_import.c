/* Import commands: import members FILE, import purchases FILE (CSV or whitespace-separated). */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/import.h"

typedef struct {
    const char *file;
    bool tty;
} import_ctx;

static void on_error(void *ctx, long line, const loy_err *e)
{
    const import_ctx *c = ctx;
    if (c->tty) fprintf(stderr, "\r\033[K");
    fprintf(stderr, "%s:%ld: %s\n", c->file, line, e->message);
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    const import_ctx *c = ctx;
    if (!c->tty) return;
    fprintf(stderr, "\r\033[Kimport: %zu / %zu rows written%s", done, total,
            done == total ? "\n" : "");
}

static int run_import(loy_cli *cli, loy_app *app, loy_import_kind kind, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "file", "usage: loyalty import %s FILE",
                           kind == LOY_IMPORT_MEMBERS ? "members" : "purchases");
    const json_t *req = cli->req;
    loy_import_opts o = {.kind = kind,
                         .whitespace = json_is_true(json_object_get(req, "whitespace")),
                         .no_header = json_is_true(json_object_get(req, "no_header")),
                         .columns = json_string_value(json_object_get(req, "columns")),
                         .create_members = json_is_true(json_object_get(req, "create_members"))};
    const char *d = json_string_value(json_object_get(req, "delimiter"));
    if (d) {
        if (!strcmp(d, "tab") || !strcmp(d, "\\t"))
            o.delimiter = '\t';
        else if (strlen(d) == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r')
            o.delimiter = d[0];
        else
            return loy_err_set(err, LOY_EINVALID, "delimiter",
                               "--delimiter: expected one character or \"tab\", got \"%s\"", d);
    }
    json_t *batch = json_object_get(req, "batch");
    if (batch) {
        json_int_t b = json_integer_value(batch);
        if (b < 1 || b > 10000)
            return loy_err_set(err, LOY_EINVALID, "batch", "--batch: expected 1 to 10000 rows");
        o.batch = (size_t)b;
    }
    const json_t *maps = json_object_get(req, "map");
    size_t nmap = json_array_size(maps);
    const char **map = calloc(nmap + 1, sizeof(*map));
    if (!map) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < nmap; i++) map[i] = json_string_value(json_array_get(maps, i));
    o.map = map;
    import_ctx ctx = {.file = cli->pos[0], .tty = isatty(2) == 1};
    o.on_error = on_error;
    o.on_progress = on_progress;
    o.ctx = &ctx;
    size_t len = 0;
    char *data = loy_cli_read_file(cli->pos[0], &len, err);
    if (!data) {
        free(map);
        return err->code;
    }
    loy_import_stats st;
    int rc = loy_import_run(app, data, len, &o, &st, err);
    free(data);
    free(map);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli,
                      json_pack("{s:I, s:I, s:I, s:I, s:I}", "read", (json_int_t)st.read,
                                "imported", (json_int_t)st.imported, "already_imported",
                                (json_int_t)st.duplicates, "skipped", (json_int_t)st.skipped,
                                "members_created", (json_int_t)st.members_created),
                      NULL);
    else {
        printf("rows read %zu, imported %zu, already imported %zu, skipped %zu (errors %zu)",
               st.read, st.imported, st.duplicates, st.skipped, st.skipped);
        if (kind == LOY_IMPORT_PURCHASES && o.create_members)
            printf(", members created %zu", st.members_created);
        printf("\n");
    }
    if (st.skipped)
        return loy_err_set(err, LOY_EREFUSED, "file", "%zu bad rows were skipped (see above)",
                           st.skipped);
    return 0;
}

int loy_cmd_import_members(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run_import(cli, app, LOY_IMPORT_MEMBERS, err);
}

int loy_cmd_import_purchases(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run_import(cli, app, LOY_IMPORT_PURCHASES, err);
}

const loy_flag loy_import_flags[] = {
    {"map", "map", F_TAGS,
     "FIELD=HEADER: take FIELD from the column HEADER (repeatable; e.g. amount=dollar_value)"},
    {"delimiter", "delimiter", F_STR, "field separator: one character or \"tab\" (default ,)"},
    {"whitespace", "whitespace", F_BOOL, "fields are separated by runs of spaces or tabs"},
    {"no-header", "no_header", F_BOOL, "the first row is data (name the columns with --columns)"},
    {"columns", "columns", F_STR,
     "field of each column, comma-separated, - to skip one (e.g. customer,date,qty,amount)"},
    {"create-members", "create_members", F_BOOL,
     "purchases: create a member for each unknown external customer id"},
    {"batch", "batch", F_INT, "rows per transaction (default 500)"},
    {NULL, NULL, F_STR, NULL}};
