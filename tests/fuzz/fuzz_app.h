/* Shared set-up of the fuzz targets that drive use cases: a real SQLite database (deleted from
 * the file system at once, kept open) with the example programme and three members, one with a
 * Bengali name and two with phones. */
#ifndef LOY_FUZZ_APP_H
#define LOY_FUZZ_APP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/app.h"

static loy_app *fuzz_open_app(bool synchronous_normal)
{
    char path[] = "/tmp/loy-fuzz-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) abort();
    close(fd);
    unlink(path);
    loy_err err;
    FILE *f = fopen(LOY_SOURCE_DIR "/examples/kopi-kita.json", "rb");
    if (!f) abort();
    static char body[65536];
    size_t len = fread(body, 1, sizeof(body), f);
    fclose(f);
    loy_db_opts opts = {.synchronous_normal = synchronous_normal};
    loy_app *app = NULL;
    if (loy_app_open(&app, path, &opts, &err) || loy_app_init(app, body, len, &err)) abort();
    for (int i = 0; i < 3; i++) {
        char key[16];
        snprintf(key, sizeof(key), "m%d", i);
        json_t *req = json_pack("{s:s, s:s}", "name", i ? "Zoltán Kovács" : "সুমন হোসেন", "phone",
                                i == 1 ? "+60123456789" : "+36301234567");
        if (i == 2) json_object_del(req, "phone");
        json_t *resp = NULL;
        if (loy_app_write(app, LOY_OP_MEMBER_CREATE, key, req, &resp, NULL, &err)) abort();
        json_decref(req);
        json_decref(resp);
    }
    unlink(path);
    return app;
}

#endif
