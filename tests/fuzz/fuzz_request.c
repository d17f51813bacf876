/* libFuzzer target: any write request (first byte picks the use case, the rest is the JSON
 * body) through the real validators and use cases on a real SQLite database. Invariant: a
 * request either succeeds with a response or fails with a message, and the ledger stays
 * consistent (checked every 512 inputs with the same checks as `loyalty db verify`). */
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
static uint64_t runs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    app = fuzz_open_app(true);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const loy_op ops[] = {LOY_OP_MEMBER_CREATE, LOY_OP_PURCHASE, LOY_OP_REFUND,
                                 LOY_OP_REDEEM,        LOY_OP_ADJUST,   LOY_OP_VOUCHER_USE};
    loy_op op = ops[data[0] % 6];
    json_error_t je;
    json_t *req = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &je);
    if (!req) return 0;
    char key[32];
    snprintf(key, sizeof(key), "k%llu", (unsigned long long)runs++);
    json_t *resp = NULL;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_app_write(app, op, key, req, &resp, NULL, &err);
    if (rc == 0 && !resp) __builtin_trap();
    if (rc != 0 && (resp || !err.message[0])) __builtin_trap();
    json_decref(resp);
    json_decref(req);
    if (runs % 512 == 0) {
        json_t *v = NULL;
        if (loy_app_verify(app, &v, &err) || !json_is_true(json_object_get(v, "ok"))) {
            char *s = v ? json_dumps(v, 0) : NULL;
            fprintf(stderr, "invariant violated: %s\n", s ? s : err.message);
            __builtin_trap();
        }
        json_decref(v);
    }
    return 0;
}
