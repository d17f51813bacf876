/* Webhook commands: webhook add|list|remove|drain.
 *
 * To wire them in, src/cli/commands.c needs (declarations, with the other CMD lines):
 *
 *     CMD(loy_cmd_webhook_add);
 *     CMD(loy_cmd_webhook_list);
 *     CMD(loy_cmd_webhook_remove);
 *     CMD(loy_cmd_webhook_drain);
 *     extern const loy_flag loy_webhook_add_flags[], loy_webhook_drain_flags[];
 *
 * and in loy_commands[] (before the NULL entry):
 *
 *     {"webhook add", loy_cmd_webhook_add, loy_webhook_add_flags, "URL",
 *      "subscribe a URL to events (--event, repeatable); prints the signing secret once", 2},
 *     {"webhook list", loy_cmd_webhook_list, NULL, NULL,
 *      "list webhook subscriptions and their deliveries", 2},
 *     {"webhook remove", loy_cmd_webhook_remove, NULL, "ID",
 *      "delete a webhook subscription (its pending deliveries are cancelled)", 2},
 *     {"webhook drain", loy_cmd_webhook_drain, loy_webhook_drain_flags, NULL,
 *      "deliver due webhook events now (retries included)", 2},
 *
 * The flag arrays are defined at the bottom of this file. */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/webhooks.h"

static void print_events(const json_t *events)
{
    size_t i;
    const json_t *e;
    json_array_foreach(events, i, e) printf("%s%s", i ? ", " : "", json_string_value(e));
}

static void human_added(const json_t *r)
{
    printf("Webhook #%lld: %s\n  events: ", (long long)json_integer_value(json_object_get(r, "id")),
           json_string_value(json_object_get(r, "url")));
    print_events(json_object_get(r, "events"));
    printf("\n  signing secret: %s\nKeep it safe: it is shown only this once. Receivers check "
           "Loyalty-Signature with it (see docs/webhooks.md).\n",
           json_string_value(json_object_get(r, "secret")));
}

int loy_cmd_webhook_add(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1 && !cli->from_stdin)
        return loy_err_set(err, LOY_EINVALID, "url",
                           "usage: loyalty webhook add URL --event KIND [--event KIND ...]");
    json_t *req = json_deep_copy(cli->req);
    if (!req) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (cli->npos == 1) json_object_set_new(req, "url", json_string(cli->pos[0]));
    json_t *resp = NULL;
    int rc = loy_app_webhooks_subscribe(app, req, &resp, err);
    json_decref(req);
    if (!rc) loy_cli_print(cli, resp, human_added);
    return rc;
}

static void human_list(const json_t *r)
{
    const json_t *list = json_object_get(r, "webhooks");
    if (json_array_size(list) == 0) {
        printf("no webhook subscriptions (add one with `loyalty webhook add URL --event KIND`)\n");
        return;
    }
    size_t i;
    const json_t *w;
    json_array_foreach(list, i, w)
    {
        const json_t *d = json_object_get(w, "deliveries");
        printf(
            "#%-4lld %s\n      events: ", (long long)json_integer_value(json_object_get(w, "id")),
            json_string_value(json_object_get(w, "url")));
        print_events(json_object_get(w, "events"));
        printf("\n      deliveries: %lld delivered, %lld pending, %lld failed\n",
               (long long)json_integer_value(json_object_get(d, "delivered")),
               (long long)json_integer_value(json_object_get(d, "pending")),
               (long long)json_integer_value(json_object_get(d, "failed")));
        const json_t *last = json_object_get(w, "last_attempt");
        if (json_is_object(last)) {
            const char *e = json_string_value(json_object_get(last, "error"));
            printf("      last attempt: %s, %s\n", json_string_value(json_object_get(last, "at")),
                   e ? e : "delivered");
        }
    }
}

int loy_cmd_webhook_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_webhooks_list(app, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_list);
    return rc;
}

int loy_cmd_webhook_remove(loy_cli *cli, loy_app *app, loy_err *err)
{
    char *end = NULL;
    long long id = cli->npos == 1 ? strtoll(cli->pos[0], &end, 10) : 0;
    if (cli->npos != 1 || *end || id <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "usage: loyalty webhook remove ID");
    int rc = loy_app_webhooks_delete(app, id, err);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1), NULL);
    else
        printf("webhook #%lld removed\n", id);
    return 0;
}

int loy_cmd_webhook_drain(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *max = json_object_get(cli->req, "max");
    json_int_t m = max ? json_integer_value(max) : 100;
    if (m < 1 || m > LOY_WEBHOOKS_DRAIN_MAX)
        return loy_err_set(err, LOY_EINVALID, "max", "--max: expected 1 to %d, got %lld",
                           LOY_WEBHOOKS_DRAIN_MAX, (long long)m);
    loy_webhooks_drain_stats st;
    int rc = loy_app_webhooks_drain_stats(app, (int)m, loy_app_now(app), &st, err);
    if (rc) return rc;
    if (cli->json)
        loy_cli_print(cli,
                      json_pack("{s:i, s:i, s:i, s:i, s:i}", "new", st.fanned_out, "attempted",
                                st.claimed, "delivered", st.delivered, "retrying", st.retrying,
                                "failed", st.failed),
                      NULL);
    else
        printf("webhooks: %d attempted, %d delivered, %d to retry, %d failed (%d new)\n",
               st.claimed, st.delivered, st.retrying, st.failed, st.fanned_out);
    return 0;
}

const loy_flag loy_webhook_add_flags[] = {
    {"event", "events", F_TAGS,
     "event kind to send (repeatable): member.created, purchase.recorded, purchase.refunded, "
     "reward.redeemed, tier.changed, points.expiring, ..."},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_webhook_drain_flags[] = {
    {"max", "max", F_INT, "most deliveries to attempt in this run (1 to 1000, default 100)"},
    {NULL, NULL, F_STR, NULL}};
