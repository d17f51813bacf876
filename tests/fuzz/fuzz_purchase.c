/* libFuzzer target: purchase request bodies (JSON bytes) -> validation -> dry-run of the real use
 * case on a real SQLite database with the example programme and a few members. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "fuzz_app.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static loy_app *app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    app = fuzz_open_app(false);
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
