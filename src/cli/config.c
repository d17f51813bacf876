/* Server configuration from one descriptor table (see config.h). */
#include "cli/config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    char type; /* 's' string, 'i' integer, 'b' boolean */
    const char *def;
    long long min, max;
    const char *env;
    size_t offset;
    size_t size; /* strings */
    const char *help;
} setting;

static const setting table[] = {
    {"db", 's', "loyalty.db", 1, 1023, "LOYALTY_DB", offsetof(loy_config, db),
     sizeof(((loy_config *)0)->db), "SQLite database file"},
    {"host", 's', "127.0.0.1", 7, 63, "LOYALTY_HOST", offsetof(loy_config, host),
     sizeof(((loy_config *)0)->host), "IPv4 address to listen on"},
    {"port", 'i', "8080", 0, 65535, "LOYALTY_PORT", offsetof(loy_config, port), 0,
     "TCP port (0: any free port)"},
    {"threads", 'i', "4", 1, 64, "LOYALTY_THREADS", offsetof(loy_config, threads), 0,
     "request worker threads"},
    {"access_log", 'b', "true", 0, 1, "LOYALTY_ACCESS_LOG", offsetof(loy_config, access_log), 0,
     "one log line per request on stderr"},
    {"max_body", 'i', "65536", 1024, 16777216, "LOYALTY_MAX_BODY", offsetof(loy_config, max_body),
     0, "largest request body in bytes (413 above)"},
    {"timeout", 'i', "10", 1, 300, "LOYALTY_TIMEOUT", offsetof(loy_config, timeout), 0,
     "request timeout in seconds"},
    {"scheduler", 'b', "true", 0, 1, "LOYALTY_SCHEDULER", offsetof(loy_config, scheduler), 0,
     "run the daily jobs at each merchant's triggers.send_at (false: cron runs `jobs run`)"},
    /* the message sender (config_mail.c validates them together) */
    {"smtp_url", 's', "", 0, 1023, "LOYALTY_SMTP_URL", offsetof(loy_config, smtp_url),
     sizeof(((loy_config *)0)->smtp_url),
     "SMTP server smtp://HOST:PORT or smtps://...; \"\" = no email"},
    {"smtp_user", 's', "", 0, 255, "LOYALTY_SMTP_USER", offsetof(loy_config, smtp_user),
     sizeof(((loy_config *)0)->smtp_user), "SMTP AUTH user (\"\" = no AUTH)"},
    {"smtp_password_file", 's', "", 0, 1023, "LOYALTY_SMTP_PASSWORD_FILE",
     offsetof(loy_config, smtp_password_file), sizeof(((loy_config *)0)->smtp_password_file),
     "file holding the SMTP password (or env LOYALTY_SMTP_PASSWORD)"},
    {"smtp_starttls", 's', "required", 2, 15, "LOYALTY_SMTP_STARTTLS",
     offsetof(loy_config, smtp_starttls), sizeof(((loy_config *)0)->smtp_starttls),
     "STARTTLS for smtp://: required, try or off"},
    {"smtp_ca_file", 's', "", 0, 1023, "LOYALTY_SMTP_CA_FILE", offsetof(loy_config, smtp_ca_file),
     sizeof(((loy_config *)0)->smtp_ca_file), "CA bundle for the SMTP server (\"\" = system)"},
    {"smtp_timeout", 'i', "30", 1, 300, "LOYALTY_SMTP_TIMEOUT", offsetof(loy_config, smtp_timeout),
     0, "seconds for one SMTP conversation"},
    {"mail_from", 's', "", 0, 319, "LOYALTY_MAIL_FROM", offsetof(loy_config, mail_from),
     sizeof(((loy_config *)0)->mail_from),
     "envelope sender (and From unless the programme sets one)"},
    {"public_url", 's', "", 0, 1023, "LOYALTY_PUBLIC_URL", offsetof(loy_config, public_url),
     sizeof(((loy_config *)0)->public_url), "public base URL for links in messages"},
};
#define NSETTINGS (sizeof(table) / sizeof(table[0]))

static int set_text(loy_config *cfg, const setting *s, const char *text, const char *source,
                    loy_err *err)
{
    char *p = (char *)cfg + s->offset;
    if (s->type == 's') {
        size_t n = strlen(text);
        if (n < (size_t)s->min || n > (size_t)s->max)
            return loy_err_set(err, LOY_EINVALID, s->name,
                               "%s (%s): expected %lld to %lld characters, got \"%s\"", s->name,
                               source, s->min, s->max, text);
        snprintf(p, s->size, "%s", text);
    } else if (s->type == 'i') {
        char *end;
        long long v = strtoll(text, &end, 10);
        if (!*text || *end || v < s->min || v > s->max)
            return loy_err_set(err, LOY_EINVALID, s->name,
                               "%s (%s): expected an integer from %lld to %lld, got \"%s\"",
                               s->name, source, s->min, s->max, text);
        *(int *)p = (int)v;
    } else {
        if (!strcmp(text, "true") || !strcmp(text, "1"))
            *(bool *)p = true;
        else if (!strcmp(text, "false") || !strcmp(text, "0"))
            *(bool *)p = false;
        else
            return loy_err_set(err, LOY_EINVALID, s->name,
                               "%s (%s): expected true or false, got \"%s\"", s->name, source,
                               text);
    }
    return 0;
}

static int set_json(loy_config *cfg, const setting *s, const json_t *v, const char *source,
                    loy_err *err)
{
    char buf[64];
    if (s->type == 's' && json_is_string(v))
        return set_text(cfg, s, json_string_value(v), source, err);
    if (s->type == 'i' && json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return set_text(cfg, s, buf, source, err);
    }
    if (s->type == 'b' && json_is_boolean(v))
        return set_text(cfg, s, json_is_true(v) ? "true" : "false", source, err);
    char *shown = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    int rc =
        loy_err_set(err, LOY_EINVALID, s->name, "%s (%s): expected %s, got %s", s->name, source,
                    s->type == 's'   ? "a string"
                    : s->type == 'i' ? "an integer"
                                     : "true or false",
                    shown ? shown : "?");
    free(shown);
    return rc;
}

int loy_config_load(loy_config *cfg, const char *file, const json_t *flags, loy_err *err)
{
    memset(cfg, 0, sizeof(*cfg));
    int rc = 0;
    for (size_t i = 0; i < NSETTINGS && !rc; i++)
        rc = set_text(cfg, &table[i], table[i].def, "default", err);
    if (!rc && file) {
        json_error_t je;
        json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
            return loy_err_set(err, LOY_EINVALID, "config", "%s: line %d: %s", file, je.line,
                               je.text);
        const char *k;
        json_t *v;
        json_object_foreach(doc, k, v)
        {
            const setting *s = NULL;
            for (size_t i = 0; i < NSETTINGS; i++)
                if (!strcmp(table[i].name, k)) s = &table[i];
            rc = s ? set_json(cfg, s, v, file, err)
                   : loy_err_set(err, LOY_EINVALID, k, "%s: unknown setting \"%s\"", file, k);
            if (rc) break;
        }
        json_decref(doc);
    }
    for (size_t i = 0; i < NSETTINGS && !rc; i++) {
        const char *e = getenv(table[i].env);
        if (e && *e) rc = set_text(cfg, &table[i], e, table[i].env, err);
    }
    for (size_t i = 0; i < NSETTINGS && !rc && flags; i++) {
        const json_t *v = json_object_get(flags, table[i].name);
        if (v) rc = set_json(cfg, &table[i], v, "flag", err);
    }
    return rc;
}

void loy_config_describe(void)
{
    printf("settings (file key / environment / default):\n");
    for (size_t i = 0; i < NSETTINGS; i++)
        printf("  %-18s %-26s %-10s %s\n", table[i].name, table[i].env, table[i].def,
               table[i].help);
}
