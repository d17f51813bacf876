/* Server configuration: one descriptor table; defaults, then a JSON file, then LOYALTY_*
 * environment variables, then flags. Every value is validated before the port opens. */
#ifndef LOY_CLI_CONFIG_H
#define LOY_CLI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "util/err.h"

typedef struct {
    char db[1024];
    char host[64];
    int port;
    int threads;
    bool access_log;
    int max_body;
    int timeout;
} loy_config;

/* Fills cfg from the defaults, `file` (JSON object, may be NULL), the environment and `flags`
 * (the JSON object of command-line flags, keys as in the table). Errors name the setting and
 * where the bad value came from: "port (LOYALTY_PORT): expected 0 to 65535, got 70000". */
int loy_config_load(loy_config *cfg, const char *file, const json_t *flags, loy_err *err);

/* Prints the settings table (name, env, default, meaning) for --help and docs. */
void loy_config_describe(void);

#endif
