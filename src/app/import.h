/* CSV import of members and purchases: RFC 4180 or whitespace-separated files, columns mapped by
 * header names or positions, every bad row reported with its line and skipped, good rows written
 * exactly once (re-running an import adds nothing) in batches through the write use cases. */
#ifndef LOY_APP_IMPORT_H
#define LOY_APP_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"

typedef enum { LOY_IMPORT_MEMBERS, LOY_IMPORT_PURCHASES } loy_import_kind;

typedef struct {
    loy_import_kind kind;
    char delimiter;         /* 0 = ',' */
    bool whitespace;        /* fields separated by runs of blanks, no quoting */
    bool no_header;         /* the first row is data: `columns` names the columns */
    const char *columns;    /* "customer,-,date,qty,amount": field of each column ("-" skips) */
    const char *const *map; /* "field=header" pairs, NULL-terminated (may be NULL) */
    bool create_members;    /* purchases: unknown external customer ids become new members */
    size_t batch;           /* rows per transaction, 0 = 500 */
    /* Called once per bad row (line of the row's start, err->field names the field). */
    void (*on_error)(void *ctx, long line, const loy_err *e);
    void (*on_progress)(void *ctx, size_t done, size_t total);
    void *ctx;
} loy_import_opts;

typedef struct {
    size_t read;            /* data rows in the file */
    size_t imported;        /* rows written now */
    size_t duplicates;      /* rows imported by an earlier run */
    size_t skipped;         /* bad rows (each reported through on_error) */
    size_t members_created; /* purchases with create_members */
} loy_import_stats;

/* Imports `data` (len bytes, UTF-8, optional BOM). Purchases are written in date order (the
 * engine awards points at each purchase's own time); a date without a time is midnight in the
 * merchant's zone. Rows with a zero amount are recorded without earning. Returns 0 when the
 * file was processed (bad rows only counted and reported), LOY_EINVALID for an unusable layout
 * (a required column missing, an unknown field in `map` or `columns`), or a storage error (rows
 * written before it stay written and are skipped by the next run). */
int loy_import_run(loy_app *app, const char *data, size_t len, const loy_import_opts *opts,
                   loy_import_stats *stats, loy_err *err);

#endif
