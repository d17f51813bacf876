/* Privacy (docs/privacy.md): which tables hold a member's data, reading all of it for the export,
 * and the rows the erase rewrites. The table lists here are what the schema-driven test
 * (tests/store/test_privacy.c) holds the database against: every table is either exported or
 * listed, with its reason, as holding no member data. */
#ifndef LOY_STORE_STORE_PRIVACY_H
#define LOY_STORE_STORE_PRIVACY_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* A table in the member export: the query selects the member's rows (?1 = merchant, ?2 = member)
 * and `json` names the columns that hold JSON documents, comma-separated (the export embeds them
 * as JSON rather than as text). */
typedef struct {
    const char *table;
    const char *json;
    const char *sql;
} loy_privacy_table;

extern const loy_privacy_table loy_privacy_tables[];   /* ends with table = NULL */
extern const char *const loy_privacy_no_member_data[]; /* tables, NULL-terminated */

/* One row of the export as read: column names, types ('i' integer, 'r' real, 't' text,
 * 'b' blob, 'n' NULL) and values (text of every non-NULL value, integers also as numbers).
 * Borrowed: valid during the callback only. */
#define LOY_PRIVACY_MAX_COLS 64
typedef struct {
    const char *table;
    const char *json; /* the table's JSON columns, as in loy_privacy_table */
    int ncols;
    const char *name[LOY_PRIVACY_MAX_COLS];
    char type[LOY_PRIVACY_MAX_COLS];
    const char *text[LOY_PRIVACY_MAX_COLS];
    int64_t num[LOY_PRIVACY_MAX_COLS];
} loy_privacy_row;

/* Calls table_fn once per exported table (in the order of loy_privacy_tables) and row_fn for each
 * of the member's rows in it. */
int loy_store_privacy_export(loy_conn *c, int64_t merchant, int64_t member,
                             void (*table_fn)(void *ctx, const char *table),
                             void (*row_fn)(void *ctx, const loy_privacy_row *r), void *ctx,
                             loy_err *err);

/* Text cells that may hold copies of the member's personal data, for the erase to rewrite. */
typedef enum {
    LOY_CELL_DOC,   /* a JSON document about this member only (their outbox events and audit) */
    LOY_CELL_MIXED, /* a JSON document that may also describe other things (stored responses) */
    LOY_CELL_TEXT   /* free text (a reason, a reference): replaced when it names the member */
} loy_cell_kind;

typedef struct {
    int source; /* which column (index into the store's list) */
    const char *table, *column;
    loy_cell_kind kind;
    char *key;   /* the row's key (malloc'ed) */
    char *value; /* the cell's text (malloc'ed) */
} loy_privacy_cell;

/* Every non-empty cell of the member's rows in those columns (*out malloc'ed; free with
 * loy_privacy_cells_free). */
int loy_store_privacy_cells(loy_conn *c, int64_t merchant, int64_t member, loy_privacy_cell **out,
                            size_t *n, loy_err *err);
void loy_privacy_cells_free(loy_privacy_cell *cells, size_t n);
/* Replaces the value of one cell. */
int loy_store_privacy_cell_set(loy_conn *c, int64_t merchant, const loy_privacy_cell *cell,
                               const char *value, loy_err *err);

/* What the erase did to the member row and the import bookkeeping. */
typedef struct {
    int64_t import_rows;    /* import row keys deleted (hashes of the file's member row) */
    int64_t import_members; /* external customer ids replaced by "erased:ID" */
} loy_privacy_erased;

/* Removes the member's personal data from their row: name (and folded name) set to `pseudonym`,
 * phone, email, birthday, tags, notes, favourite and consents cleared, the card token replaced
 * by `token`, the unsubscribe token dropped (links in mails already sent stop working), their
 * own time zone cleared, their queued messages skipped (reason "erased"),
 * erased_at = now; deletes the import row keys of their member row and replaces
 * their external customer id. LOY_ECONFLICT if the member was already erased. */
int loy_store_privacy_erase_member(loy_conn *c, int64_t merchant, int64_t member,
                                   const char *pseudonym, const char *token, int64_t now,
                                   loy_privacy_erased *out, loy_err *err);

/* The free-text reasons of the member's ledger entries (malloc'ed array of malloc'ed strings in
 * *out, *n of them): the ledger is append-only, so the erase can only report those naming them. */
int loy_store_privacy_ledger_reasons(loy_conn *c, int64_t member, char ***out, size_t *n,
                                     loy_err *err);

/* The detail texts of the audit entries `action` about member `member` (malloc'ed array of
 * malloc'ed strings in *out, *n of them), oldest first. */
int loy_store_privacy_audit_details(loy_conn *c, int64_t merchant, int64_t member,
                                    const char *action, char ***out, size_t *n, loy_err *err);

/* Ids of the members this member referred (their referral links stay, as ids). */
int loy_store_privacy_referred(loy_conn *c, int64_t merchant, int64_t member,
                               void (*fn)(void *ctx, int64_t id), void *ctx, loy_err *err);

/* PRAGMA secure_delete for this connection: "ON" while erasing (freed pages zeroed too), "FAST"
 * otherwise (the connection default). Call outside a transaction. */
int loy_store_secure_delete(loy_conn *c, bool full, loy_err *err);
/* Checkpoints the WAL into the database file and truncates it (the old page images go with it).
 * *complete = false when readers or writers kept it from finishing (it finishes later). */
int loy_store_checkpoint(loy_conn *c, bool *complete, loy_err *err);

#endif
