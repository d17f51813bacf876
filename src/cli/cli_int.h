/* Internals of the command line: parsed options, output helpers, the command table. */
#ifndef LOY_CLI_INT_H
#define LOY_CLI_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "app/app.h"

typedef struct {
    const char *db;
    const char *key;
    const char *actor;
    const char *now;
    const char *merchant; /* --merchant ID: act for this merchant (default: the first) */
    bool json;
    bool dry_run;
    bool help;
    bool from_stdin;    /* the request came as JSON on stdin: amounts are minor units */
    json_t *req;        /* request built from flags or read from stdin */
    const char *pos[8]; /* positional arguments */
    int npos;
} loy_cli;

typedef enum { F_STR, F_MONEY, F_INT, F_BOOL, F_ITEM, F_TAGS, F_CONSENT } loy_ftype;

typedef struct {
    const char *flag; /* without the leading -- */
    const char *key;  /* JSON key it sets */
    loy_ftype type;
    const char *help;
} loy_flag;

typedef struct {
    const char *name; /* "member add" */
    int (*fn)(loy_cli *cli, loy_app *app, loy_err *err);
    const loy_flag *flags;
    const char *usage; /* positional part of the usage line */
    const char *help;  /* one line */
    int needs;         /* 0 no database, 1 database, 2 initialised merchant */
} loy_cmd;

extern const loy_cmd loy_commands[];

/* Exit code for an error code: 1 refused, 2 invalid, 3 not found, 4 conflict, 5 storage. */
int loy_cli_exit_code(int code);
/* Prints the response (JSON or a human rendering by `human`) and frees it. */
void loy_cli_print(const loy_cli *cli, json_t *resp, void (*human)(const json_t *resp));
/* Reads a whole file ("-" = stdin) into a malloc'ed NUL-terminated buffer. */
char *loy_cli_read_file(const char *path, size_t *len, loy_err *err);

#endif
