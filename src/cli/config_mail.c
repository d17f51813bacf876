/* The message sender's settings, checked together before anything is sent (see config.h,
 * docs/operations.md "Mail"). */
#include "cli/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/programme_messages.h"
#include "engage/webhook.h"

static int read_password(const char *path, char *out, size_t n, loy_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return loy_err_set(err, LOY_EINVALID, "smtp_password_file",
                           "smtp_password_file: cannot read %s: %s", path, strerror(errno));
    size_t len = fread(out, 1, n - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    out[len] = '\0';
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r')) out[--len] = '\0';
    if (more || len == 0 || strchr(out, '\n'))
        return loy_err_set(err, LOY_EINVALID, "smtp_password_file",
                           "smtp_password_file: expected one line of 1 to %zu bytes in %s", n - 1,
                           path);
    return 0;
}

int loy_config_sender(const loy_config *cfg, loy_sender_settings *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    loy_sender_config *s = &out->sender;
    if (!loy_smtp_starttls_parse(cfg->smtp_starttls, &s->smtp.starttls))
        return loy_err_set(err, LOY_EINVALID, "smtp_starttls",
                           "smtp_starttls: expected required, try or off, got \"%s\"",
                           cfg->smtp_starttls);
    s->smtp.timeout_ms = (long)cfg->smtp_timeout * 1000;
    if (cfg->public_url[0]) {
        int rc = loy_webhook_url_check(cfg->public_url, err);
        if (rc) {
            loy_err_set(err, rc, "public_url",
                        "public_url: expected the server's public address like "
                        "\"https://loyalty.example\" (http or https, no credentials), got "
                        "\"%.200s\"",
                        cfg->public_url);
            return rc;
        }
        s->public_url = cfg->public_url;
    }
    if (cfg->mail_from[0]) {
        char name[LOY_MSG_NAME_MAX], addr[LOY_MSG_ADDR_MAX];
        if (!loy_msg_address_parse(cfg->mail_from, name, addr))
            return loy_err_set(err, LOY_EINVALID, "mail_from",
                               "mail_from: expected an address like \"news@shop.example\", got "
                               "\"%.200s\"",
                               cfg->mail_from);
        s->mail_from = cfg->mail_from;
    }
    if (!cfg->smtp_url[0]) return 0; /* no email: webhook messages only */
    int rc = loy_smtp_url_check(cfg->smtp_url, "smtp_url", err);
    if (rc) return rc;
    if (!cfg->mail_from[0])
        return loy_err_set(err, LOY_EINVALID, "mail_from",
                           "mail_from: required with smtp_url (the envelope sender)");
    if (!cfg->public_url[0])
        return loy_err_set(err, LOY_EINVALID, "public_url",
                           "public_url: required with smtp_url (every message carries its "
                           "one-click unsubscribe address)");
    if (cfg->smtp_ca_file[0] && access(cfg->smtp_ca_file, R_OK) != 0)
        return loy_err_set(err, LOY_EINVALID, "smtp_ca_file", "smtp_ca_file: cannot read %s: %s",
                           cfg->smtp_ca_file, strerror(errno));
    s->smtp.url = cfg->smtp_url;
    s->smtp.ca_file = cfg->smtp_ca_file[0] ? cfg->smtp_ca_file : NULL;
    if (cfg->smtp_user[0]) {
        const char *env = getenv("LOYALTY_SMTP_PASSWORD");
        if (cfg->smtp_password_file[0])
            rc = read_password(cfg->smtp_password_file, out->password, sizeof(out->password), err);
        else if (env && *env && strlen(env) < sizeof(out->password))
            snprintf(out->password, sizeof(out->password), "%s", env);
        else
            rc = loy_err_set(err, LOY_EINVALID, "smtp_password_file",
                             "smtp_password_file: required with smtp_user (or the environment "
                             "variable LOYALTY_SMTP_PASSWORD)");
        if (rc) return rc;
        s->smtp.user = cfg->smtp_user;
        s->smtp.password = out->password;
    }
    return 0;
}
