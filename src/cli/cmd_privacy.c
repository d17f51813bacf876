/* Privacy commands: `member export` (everything held about a member, as JSON) and `member erase`
 * (personal data removed for good; the ledger stays under a pseudonym). See docs/privacy.md. */
#include "cli/cli_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/privacy.h"

const loy_flag loy_member_export_flags[] = {
    {"out", "out", F_STR, "file to write the JSON to (created 0600: it holds personal data)"},
    {NULL, NULL, F_STR, NULL}};

const loy_flag loy_member_erase_flags[] = {
    {"reason", "reason", F_STR, "why (required; kept in the audit log, so no personal data)"},
    {"yes", "yes", F_BOOL, "do not ask for confirmation (needed when not run in a terminal)"},
    {NULL, NULL, F_STR, NULL}};

static int one_ref(loy_cli *cli, const char *what, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "member", "usage: loyalty member %s MEMBER", what);
    return 0;
}

int loy_cmd_member_export(loy_cli *cli, loy_app *app, loy_err *err)
{
    int rc = one_ref(cli, "export", err);
    const char *to = json_string_value(json_object_get(cli->req, "out"));
    if (rc) return rc;
    /* personal data: a new file only the owner reads; never through a symbolic link, never into
     * a file that exists (its permissions could be wider). Opened first, so an export that cannot
     * be written is not made (nor audited). */
    FILE *f = NULL;
    if (to) {
        int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (fd < 0 || !(f = fdopen(fd, "w"))) {
            rc = loy_err_set(err, LOY_EINVALID, "out", "cannot write %s: %s", to,
                             errno == EEXIST ? "the file exists (the export never overwrites)"
                                             : strerror(errno));
            if (fd >= 0) close(fd);
            return rc;
        }
    }
    json_t *doc = NULL;
    char *text = NULL;
    rc = loy_app_member_export(app, cli->pos[0], &doc, err);
    if (!rc && !(text = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY)))
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!f) {
        if (!rc) printf("%s\n", text);
    } else {
        if (!rc) fprintf(f, "%s\n", text);
        if (fclose(f) != 0 && !rc)
            rc = loy_err_set(err, LOY_ESTORAGE, "out", "cannot write %s", to);
        if (rc) unlink(to); /* no half or empty export left behind */
        if (!rc) {
            json_t *t = json_object_get(doc, "tables");
            fprintf(stderr,
                    "loyalty: wrote %s: member #%lld, %zu ledger entries, %zu purchases (it holds "
                    "personal data: keep it safe)\n",
                    to,
                    (long long)json_integer_value(
                        json_object_get(json_object_get(doc, "member"), "id")),
                    json_array_size(json_object_get(t, "ledger")),
                    json_array_size(json_object_get(t, "purchases")));
        }
    }
    free(text);
    json_decref(doc);
    return rc;
}

static void human_erased(const json_t *r)
{
    const json_t *m = json_object_get(r, "member");
    printf("Member #%lld erased: now \"%s\"; personal data removed, new card %s\n",
           (long long)json_integer_value(json_object_get(m, "id")),
           json_string_value(json_object_get(m, "name")),
           json_string_value(json_object_get(m, "card_token")));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r, "scrubbed"), k, v)
        printf("  scrubbed %lld %s\n", (long long)json_integer_value(v), k);
    size_t i;
    json_array_foreach(json_object_get(r, "warnings"), i, v)
        printf("  warning: %s\n", json_string_value(json_object_get(v, "message")));
    if (!json_is_true(json_object_get(json_object_get(r, "checkpoint"), "complete")))
        printf("  note: the WAL checkpoint did not finish (the database was busy); old page "
               "images go with the next checkpoint\n");
}

/* Asks on the terminal: the member's id must be typed back. */
static int confirm(loy_app *app, const char *ref, loy_err *err)
{
    json_t *v = NULL;
    int rc = loy_app_member_view(app, ref, &v, err);
    if (rc) return rc;
    const json_t *m = json_object_get(v, "member");
    long long id = (long long)json_integer_value(json_object_get(m, "id"));
    fprintf(stderr,
            "Erase member #%lld %s? Their name, phone, email, birthday, notes, tags and consents "
            "are removed for good and their card stops working; points history and purchases "
            "stay under the name \"Erased member %lld\". This cannot be undone.\n"
            "Type the member number (%lld) to erase: ",
            id, json_string_value(json_object_get(m, "name")), id, id);
    json_decref(v);
    char line[64] = "", want[32];
    snprintf(want, sizeof(want), "%lld", id);
    if (!fgets(line, sizeof(line), stdin)) line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, want) != 0)
        return loy_err_set(err, LOY_EREFUSED, "yes", "not confirmed: nothing was erased");
    return 0;
}

int loy_cmd_member_erase(loy_cli *cli, loy_app *app, loy_err *err)
{
    int rc = one_ref(cli, "erase --reason TEXT [--yes]", err);
    if (rc) return rc;
    json_t *req = json_deep_copy(cli->req);
    bool yes = json_is_true(json_object_get(req, "yes"));
    json_object_del(req, "yes");
    if (!json_object_get(req, "reason"))
        rc = loy_err_set(err, LOY_EINVALID, "reason",
                         "reason: is required (--reason TEXT: why the member is erased)");
    if (!rc && !yes) {
        if (!isatty(STDIN_FILENO))
            rc = loy_err_set(err, LOY_EREFUSED, "yes",
                             "erasing is permanent: add --yes to confirm (or run it in a "
                             "terminal to be asked)");
        else
            rc = confirm(app, cli->pos[0], err);
    }
    json_t *resp = NULL;
    if (!rc) rc = loy_app_member_erase(app, cli->pos[0], req, &resp, err);
    json_decref(req);
    if (!rc) loy_cli_print(cli, resp, human_erased);
    return rc;
}
