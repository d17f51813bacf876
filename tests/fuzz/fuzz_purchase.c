/* libFuzzer target: purchase request bodies (JSON bytes) -> validation -> dry-run of the real use
 * case on a real SQLite database with the example programme and a few members. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static loy_app *app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
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
    if (loy_app_open(&app, path, NULL, &err) || loy_app_init(app, body, len, &err)) abort();
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
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *req = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!req) return 0;
    json_t *resp = NULL;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_app_simulate(app, req, &resp, &err);
    if (rc == 0 && !resp) __builtin_trap();
    if (rc != 0 && (resp || !err.message[0])) __builtin_trap();
    json_decref(resp);
    json_decref(req);
    return 0;
}
