/* Message commands (docs/messages.md): messages send (drain once, for cron), messages list,
 * message queue (one by hand), campaign preview (a template with a member's data). */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/messages.h"
#include "app/sender.h"
#include "cli/config.h"

/* The sender's settings: defaults, --config file, LOYALTY_* environment, flags. */
static int sender_settings(const loy_cli *cli, loy_config *c, loy_sender_settings *mail,
                           loy_err *err)
{
    json_t *flags = json_deep_copy(cli->req);
    const char *file = json_string_value(json_object_get(flags, "config"));
    char path[1024] = "";
    if (file) snprintf(path, sizeof(path), "%s", file);
    json_object_del(flags, "config");
    json_object_del(flags, "max");
    int rc = loy_config_load(c, path[0] ? path : NULL, flags, err);
    json_decref(flags);
    return rc ? rc : loy_config_sender(c, mail, err);
}

static void human_sent(const json_t *r)
{
    printf("sent %lld, to webhooks %lld, retrying %lld, failed %lld, skipped %lld, postponed "
           "%lld, uncertain %lld\n",
           (long long)json_integer_value(json_object_get(r, "sent")),
           (long long)json_integer_value(json_object_get(r, "webhook")),
           (long long)json_integer_value(json_object_get(r, "retrying")),
           (long long)json_integer_value(json_object_get(r, "failed")),
           (long long)json_integer_value(json_object_get(r, "skipped")),
           (long long)json_integer_value(json_object_get(r, "postponed")),
           (long long)json_integer_value(json_object_get(r, "uncertain")));
}

int loy_cmd_messages_send(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *max = json_object_get(cli->req, "max");
    json_int_t m = max ? json_integer_value(max) : 100;
    if (m < 1 || m > LOY_MSG_SEND_MAX)
        return loy_err_set(err, LOY_EINVALID, "max", "--max: expected 1 to %d, got %lld",
                           LOY_MSG_SEND_MAX, (long long)m);
    loy_config c;
    loy_sender_settings mail;
    int rc = sender_settings(cli, &c, &mail, err);
    if (rc) return rc;
    loy_sender_stats st;
    snprintf(app->actor, sizeof(app->actor), "system:messages");
    rc = loy_app_messages_send(app, &mail.sender, (int)m, loy_app_now(app), &st, err);
    if (rc) return rc;
    loy_cli_print(cli,
                  json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "sent", st.sent, "webhook",
                            st.webhook, "retrying", st.retrying, "failed", st.failed, "skipped",
                            st.skipped, "postponed", st.postponed, "uncertain", st.uncertain),
                  human_sent);
    return 0;
}

static void human_list(const json_t *r)
{
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(r, "messages"), i, m)
    {
        const json_t *reason = json_object_get(m, "reason");
        printf("#%-5lld member %-6lld %-12s %-9s %-9s %s\n",
               (long long)json_integer_value(json_object_get(m, "id")),
               (long long)json_integer_value(json_object_get(m, "member_id")),
               json_string_value(json_object_get(m, "trigger")),
               json_string_value(json_object_get(m, "class")),
               json_string_value(json_object_get(m, "status")),
               json_is_string(reason) ? json_string_value(reason) : "");
    }
    if (json_array_size(json_object_get(r, "messages")) == 0) printf("no messages\n");
}

int loy_cmd_messages_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    const char *member = json_string_value(json_object_get(cli->req, "member"));
    const char *status = json_string_value(json_object_get(cli->req, "status"));
    json_t *limit = json_object_get(cli->req, "limit"),
           *before = json_object_get(cli->req, "before");
    json_int_t l = limit ? json_integer_value(limit) : 50,
               b = before ? json_integer_value(before) : 0;
    if (b < 0) return loy_err_set(err, LOY_EINVALID, "before", "--before: expected a message id");
    if (l < 1 || l > 500)
        return loy_err_set(err, LOY_EINVALID, "limit", "--limit: expected 1 to 500, got %lld",
                           (long long)l);
    json_t *resp = NULL;
    int rc = loy_app_messages_list(app, member, status, b, (int)l, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_list);
    return rc;
}

static void human_queued(const json_t *r)
{
    const json_t *m = json_object_get(r, "message");
    const json_t *reason = json_object_get(m, "reason");
    printf("%s message #%lld (%s, %s) for member %lld%s%s\n",
           json_is_true(json_object_get(r, "queued")) ? "Queued" : "Not queued:",
           (long long)json_integer_value(json_object_get(m, "id")),
           json_string_value(json_object_get(m, "trigger")),
           json_string_value(json_object_get(m, "status")),
           (long long)json_integer_value(json_object_get(m, "member_id")),
           json_is_string(reason) ? ", " : "",
           json_is_string(reason) ? json_string_value(reason) : "");
}

/* --var NAME=VALUE (repeatable) into the request's "vars" object. */
static int vars_from_flags(json_t *req, loy_err *err)
{
    json_t *list = json_object_get(req, "var");
    if (!list) return 0;
    json_t *vars = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v), *eq = s ? strchr(s, '=') : NULL;
        if (!eq || eq == s) {
            json_decref(vars);
            return loy_err_set(err, LOY_EINVALID, "var", "--var: expected NAME=VALUE, got \"%s\"",
                               s ? s : "");
        }
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - s), s);
        json_object_set_new(vars, name, json_string(eq + 1));
    }
    json_object_del(req, "var");
    json_object_set_new(req, "vars", vars);
    return 0;
}

int loy_cmd_message_queue(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *req = cli->req;
    if (!cli->from_stdin) {
        bool marketing = json_is_true(json_object_get(req, "marketing"));
        bool service = json_is_true(json_object_get(req, "service"));
        if (marketing && service)
            return loy_err_set(err, LOY_EINVALID, "class",
                               "give --marketing or --service, not both");
        json_object_del(req, "marketing");
        json_object_del(req, "service");
        if (service) json_object_set_new(req, "class", json_string("service"));
        if (cli->key) json_object_set_new(req, "key", json_string(cli->key));
        int rc = vars_from_flags(req, err);
        if (rc) return rc;
    }
    json_t *resp = NULL;
    int rc = loy_app_message_enqueue(app, req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_queued);
    return rc;
}

static void human_preview(const json_t *r)
{
    printf("Subject: %s\nLanguage: %s\nChannel: %s\n\n----- text -----\n%s\n----- html -----\n%s",
           json_string_value(json_object_get(r, "subject")),
           json_string_value(json_object_get(r, "lang")),
           json_is_string(json_object_get(r, "channel"))
               ? json_string_value(json_object_get(r, "channel"))
               : "none (no consent for any channel)",
           json_string_value(json_object_get(r, "text")),
           json_string_value(json_object_get(r, "html")));
}

int loy_cmd_campaign_preview(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *req = cli->req;
    char base[1024] = "";
    const char *url = json_string_value(json_object_get(req, "public_url"));
    if (!url) url = getenv("LOYALTY_PUBLIC_URL");
    if (url) snprintf(base, sizeof(base), "%s", url);
    json_object_del(req, "public_url");
    int rc = cli->from_stdin ? 0 : vars_from_flags(req, err);
    json_t *resp = NULL;
    if (!rc) rc = loy_app_message_preview(app, req, base[0] ? base : NULL, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_preview);
    return rc;
}

const loy_flag loy_messages_send_flags[] = {
    {"max", "max", F_INT, "most messages to handle in this run (default 100)"},
    {"config", "config", F_STR, "JSON settings file, as for serve"},
    LOY_MAIL_FLAGS,
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_messages_list_flags[] = {
    {"member", "member", F_STR, "only this member (id, card, phone or email)"},
    {"status", "status", F_STR, "queued, sending, sent, failed, skipped or uncertain"},
    {"limit", "limit", F_INT, "at most this many (default 50, at most 500)"},
    {"before", "before", F_INT, "ids below this one (the next page)"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_message_queue_flags[] = {
    {"member", "member", F_STR, "the member (id, card, phone or email)"},
    {"trigger", "trigger", F_STR, "welcome, thanks, birthday, ..., campaign (docs/messages.md)"},
    {"template", "template", F_STR, "a template of the programme (default: the trigger's)"},
    {"marketing", "marketing", F_BOOL, "a marketing message (the default): capped"},
    {"service", "service", F_BOOL, "a service message: needs consent, not capped"},
    {"offer", "offer", F_STR, "a reward id: a voucher is issued when it is sent"},
    {"var", "var", F_TAGS, "NAME=VALUE: a template variable (repeatable)"},
    {"not-before", "not_before", F_STR, "earliest send time (ISO 8601)"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_campaign_preview_flags[] = {
    {"member", "member", F_STR, "whose data to show (id, card, phone or email)"},
    {"trigger", "trigger", F_STR, "welcome, thanks, birthday, ..., campaign"},
    {"template", "template", F_STR, "a template of the programme (default: the trigger's)"},
    {"lang", "lang", F_STR, "language (default: the member's)"},
    {"offer", "offer", F_STR, "show an offer of this reward (code PREVIEW)"},
    {"var", "var", F_TAGS, "NAME=VALUE: a template variable (repeatable)"},
    {"public-url", "public_url", F_STR, "base of the links (env LOYALTY_PUBLIC_URL)"},
    {NULL, NULL, F_STR, NULL}};
