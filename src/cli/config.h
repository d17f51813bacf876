/* Server configuration: one descriptor table; defaults, then a JSON file, then LOYALTY_*
 * environment variables, then flags. Every value is validated before the port opens. */
#ifndef LOY_CLI_CONFIG_H
#define LOY_CLI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "app/sender.h"
#include "util/err.h"

typedef struct {
    char db[1024];
    char host[64];
    int port;
    int threads;
    bool access_log;
    int max_body;
    int timeout;
    bool scheduler; /* the daily jobs inside the server (http/scheduler.h) */
    /* the message sender (docs/messages.md, docs/operations.md) */
    char smtp_url[1024];
    char smtp_user[256];
    char smtp_password_file[1024];
    char smtp_starttls[16];
    char smtp_ca_file[1024];
    int smtp_timeout;
    char mail_from[320];
    char public_url[1024];
} loy_config;

/* Fills cfg from the defaults, `file` (JSON object, may be NULL), the environment and `flags`
 * (the JSON object of command-line flags, keys as in the table). Errors name the setting and
 * where the bad value came from: "port (LOYALTY_PORT): expected 0 to 65535, got 70000". */
int loy_config_load(loy_config *cfg, const char *file, const json_t *flags, loy_err *err);

/* Prints the settings table (name, env, default, meaning) for --help and docs. */
void loy_config_describe(void);

/* The sender's settings as command-line flags (for flag tables of src/cli: serve, messages
 * send). There is no password flag: a command line is visible to every user through `ps`. */
/* clang-format off */
#define LOY_MAIL_FLAGS                                                                             \
    {"smtp-url", "smtp_url", F_STR, "SMTP server smtp://HOST[:PORT] or smtps://HOST[:PORT]"},      \
    {"smtp-user", "smtp_user", F_STR, "SMTP AUTH user name"},                                      \
    {"smtp-password-file", "smtp_password_file", F_STR,                                            \
     "file holding the SMTP password (or env LOYALTY_SMTP_PASSWORD)"},                             \
    {"smtp-starttls", "smtp_starttls", F_STR, "STARTTLS: required (default), try or off"},         \
    {"smtp-ca-file", "smtp_ca_file", F_STR, "CA bundle (PEM) to verify the SMTP server with"},     \
    {"smtp-timeout", "smtp_timeout", F_INT, "seconds for one SMTP conversation (default 30)"},     \
    {"mail-from", "mail_from", F_STR, "envelope sender address (env LOYALTY_MAIL_FROM)"},          \
    {"public-url", "public_url", F_STR, "public base URL for links in messages (https://...)"}
/* clang-format on */

/* The message sender's settings from cfg, validated (config_mail.c): smtp_url (smtp:// or
 * smtps://, no credentials), smtp_starttls (required, try, off), the password read from
 * smtp_password_file or else the environment's LOYALTY_SMTP_PASSWORD (never a flag), mail_from
 * and public_url required with smtp_url, a readable smtp_ca_file. LOY_EINVALID naming the
 * setting. out->sender's strings point into cfg and out. */
typedef struct {
    loy_sender_config sender;
    char password[512];
} loy_sender_settings;
int loy_config_sender(const loy_config *cfg, loy_sender_settings *out, loy_err *err);

#endif
