/* Shared set-up of the tests that drive the use cases (tests/store/test_models.c, test_reports.c):
 * a fresh database initialised from examples/kopi-kita.json, and writes that must succeed. */
#ifndef LOY_TEST_APP_FIXTURE_H
#define LOY_TEST_APP_FIXTURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

/* Opens a new database target (path written to `path`) and initialises it from the example
 * programme with the clock at `now`; fails the test on error. */
loy_app *afx_open_example(char *path, size_t pathsz, const char *tag, int64_t now);
/* Runs a write use case with a fresh idempotency key and returns its answer; fails the test
 * on error. Takes ownership of `req`. */
json_t *afx_write(loy_app *app, loy_op op, json_t *req);
/* `loyalty db verify` on the app's database: fails the test, with the report, unless every
 * invariant holds (ledger sums = balances, open lots, erased members hold no personal data). */
void afx_verify(loy_app *app);

#endif
