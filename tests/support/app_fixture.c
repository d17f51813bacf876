/* Shared set-up of the use-case tests (see app_fixture.h). */
#include "app_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <cmocka.h>

#include "store_fixture.h"

loy_app *afx_open_example(char *path, size_t pathsz, const char *tag, int64_t now)
{
    sfx_new_target(path, pathsz, tag);
    loy_app *app = NULL;
    loy_err err;
    if (loy_app_open(&app, path, NULL, &err)) fail_msg("open: %s", err.message);
    FILE *pf = fopen("examples/kopi-kita.json", "rb");
    assert_non_null(pf);
    char prog[8192];
    size_t len = fread(prog, 1, sizeof(prog) - 1, pf);
    fclose(pf);
    prog[len] = '\0';
    app->now = now;
    if (loy_app_init(app, prog, len, &err)) fail_msg("init: %s (%s)", err.message, err.field);
    return app;
}

json_t *afx_write(loy_app *app, loy_op op, json_t *req)
{
    static int nkey;
    char key[32];
    snprintf(key, sizeof(key), "afx-%d", ++nkey);
    json_t *resp = NULL;
    bool rep = false;
    loy_err err;
    int rc = loy_app_write(app, op, key, req, &resp, &rep, &err);
    if (rc) fail_msg("write %s: %s (%s)", key, err.message, err.field);
    json_decref(req);
    return resp;
}

void afx_verify(loy_app *app)
{
    json_t *v = NULL;
    loy_err err;
    if (loy_app_verify(app, &v, &err)) fail_msg("db verify: %s", err.message);
    if (!json_is_true(json_object_get(v, "ok"))) {
        char *d = json_dumps(v, 0);
        fail_msg("db verify: %s", d);
    }
    json_decref(v);
}
