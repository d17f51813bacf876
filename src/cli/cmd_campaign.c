/* Campaign commands (docs/campaigns.md): campaign create NAME [--template T] [--variant
 * ID:TEMPLATE[:OFFER]]... [--holdout PCT] [--audience A] [--days N] [--seed S], campaign send ID,
 * campaign list, campaign results ID (each arm and the verdict). `campaign preview` is
 * cmd_messages.c's. */
#include "cli/cli_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/campaigns.h"

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long integer(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void variants_line(const json_t *c)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(c, "variants"), i, v)
    {
        printf("%s%s (%s", i ? ", " : "", text(v, "id"), text(v, "template"));
        if (json_is_string(json_object_get(v, "offer"))) printf(", offer %s", text(v, "offer"));
        printf(")");
    }
}

static void human_campaign(const json_t *r)
{
    const json_t *c = json_object_get(r, "campaign");
    printf("Campaign #%lld \"%s\" (%s): variants ", integer(c, "id"), text(c, "name"),
           text(c, "status"));
    variants_line(c);
    printf("; holdout %lld%%; audience %s; a purchase within %lld days converts; seed %lld\n",
           integer(c, "holdout_percent"), text(c, "audience"), integer(c, "conversion_days"),
           integer(c, "seed"));
    const json_t *sent = json_object_get(r, "sent");
    if (sent)
        printf("Sent to %lld members: %lld held out, %lld messages queued (%lld skipped for want "
               "of consent)\n",
               integer(sent, "members"), integer(sent, "holdout"), integer(sent, "messages"),
               integer(sent, "skipped"));
    else if (!strcmp(text(c, "status"), "draft"))
        printf("Send it with: loyalty campaign send %lld\n", integer(c, "id"));
}

static void human_list(const json_t *r)
{
    const json_t *list = json_object_get(r, "campaigns");
    size_t i;
    const json_t *c;
    json_array_foreach(list, i, c)
    {
        printf("#%-4lld %-8s %-28s %-20s holdout %2lld%%  %6lld members  %.10s\n", integer(c, "id"),
               text(c, "status"), text(c, "name"), text(c, "audience"),
               integer(c, "holdout_percent"), integer(c, "members"),
               json_is_string(json_object_get(c, "sent_at")) ? text(c, "sent_at")
                                                             : text(c, "created_at"));
    }
    if (!json_array_size(list)) printf("no campaigns\n");
    const json_t *next = json_object_get(r, "next_before");
    if (json_is_integer(next))
        printf("more: loyalty campaign list --before %lld\n", (long long)json_integer_value(next));
}

static double real(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void human_results(const json_t *r)
{
    const json_t *c = json_object_get(r, "campaign"), *w = json_object_get(r, "window");
    printf("Campaign #%lld \"%s\" (%s %.10s; a purchase within %lld days converts; counted %s "
           "%.10s)\n",
           integer(c, "id"), text(c, "name"), text(c, "status"), text(c, "sent_at"),
           integer(c, "conversion_days"), json_is_true(json_object_get(w, "open")) ? "until" : "to",
           text(w, "until"));
    printf("%-17s %8s %8s %11s %7s  %-17s %s\n", "arm", "members", "messages", "conversions",
           "rate", "95% interval", "vs holdout");
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(r, "arms"), i, a)
    {
        char msgs[24] = "-", rate[16] = "-", ci[32] = "-", vs[64] = "";
        const json_t *m = json_object_get(a, "messages"), *h = json_object_get(a, "vs_holdout");
        if (!json_is_true(json_object_get(a, "holdout")))
            snprintf(msgs, sizeof(msgs), "%lld", integer(m, "linked"));
        if (!isnan(real(a, "rate"))) {
            snprintf(rate, sizeof(rate), "%.1f%%", 100 * real(a, "rate"));
            snprintf(ci, sizeof(ci), "[%.1f%%, %.1f%%]", 100 * real(a, "rate_low"),
                     100 * real(a, "rate_high"));
        }
        if (json_is_object(h) && isnan(real(h, "relative")) && !isnan(real(h, "p")))
            snprintf(vs, sizeof(vs), "%+.1f pts, p = %.3g", real(h, "points"), real(h, "p"));
        else if (json_is_object(h) && !isnan(real(h, "p")))
            snprintf(vs, sizeof(vs), "%+.1f pts (%+.0f%%), p = %.3g", real(h, "points"),
                     real(h, "relative"), real(h, "p"));
        printf("%-17s %8lld %8s %11lld %7s  %-17s %s\n", text(a, "arm"), integer(a, "members"),
               msgs, integer(a, "conversions"), rate, ci, vs);
    }
    const json_t *top = json_object_get(r, "best_vs_runner_up");
    if (json_is_object(top) && !isnan(real(top, "p")))
        printf("%s against %s: %+.1f pts, z = %.2f, p = %.3g\n", text(top, "best"),
               text(top, "runner_up"), real(top, "points"), real(top, "z"), real(top, "p"));
    printf("Verdict: %s\n", text(json_object_get(r, "verdict"), "text"));
}

static int campaign_id(const loy_cli *cli, const char *usage, int64_t *id, loy_err *err)
{
    char *end = NULL;
    long long v = cli->npos == 1 ? strtoll(cli->pos[0], &end, 10) : 0;
    if (cli->npos != 1 || *end || v <= 0)
        return loy_err_set(err, LOY_EINVALID, "id", "usage: loyalty campaign %s ID", usage);
    *id = v;
    return 0;
}

/* "ID:TEMPLATE[:OFFER]" (TEMPLATE may be empty: the campaign's) as {id, template?, offer?}. */
static int variant_of(const char *spec, json_t **out, loy_err *err)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *id = buf, *tmpl = strchr(buf, ':'), *offer = NULL;
    if (tmpl) {
        *tmpl++ = '\0';
        offer = strchr(tmpl, ':');
        if (offer) *offer++ = '\0';
    }
    if (!*id || (offer && (!*offer || strchr(offer, ':'))))
        return loy_err_set(err, LOY_EINVALID, "variant",
                           "--variant: expected ID:TEMPLATE[:OFFER] like B:campaign:free-coffee, "
                           "got \"%s\"",
                           spec);
    *out = json_pack("{s:s}", "id", id);
    if (tmpl && *tmpl) json_object_set_new(*out, "template", json_string(tmpl));
    if (offer) json_object_set_new(*out, "offer", json_string(offer));
    return 0;
}

int loy_cmd_campaign_create(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *req = json_deep_copy(cli->req);
    if (!req) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc = 0;
    if (cli->npos == 1 && json_object_get(req, "name"))
        rc = loy_err_set(err, LOY_EINVALID, "name", "give the name once (NAME or \"name\")");
    else if (cli->npos == 1)
        json_object_set_new(req, "name", json_string(cli->pos[0]));
    else if (!cli->from_stdin)
        rc = loy_err_set(err, LOY_EINVALID, "name",
                         "usage: loyalty campaign create NAME [--template T] [--variant "
                         "ID:TEMPLATE[:OFFER]]...");
    json_t *specs = json_object_get(req, "variant_specs");
    if (!rc && specs) {
        json_t *variants = json_array();
        size_t i;
        const json_t *s;
        json_array_foreach(specs, i, s)
        {
            json_t *v = NULL;
            if ((rc = variant_of(json_string_value(s), &v, err))) break;
            json_array_append_new(variants, v);
        }
        json_object_set_new(req, "variants", variants);
        json_object_del(req, "variant_specs");
    }
    json_t *resp = NULL;
    if (!rc) rc = loy_app_campaign_create(app, req, &resp, err);
    json_decref(req);
    if (!rc) loy_cli_print(cli, resp, human_campaign);
    return rc;
}

int loy_cmd_campaign_send(loy_cli *cli, loy_app *app, loy_err *err)
{
    int64_t id = 0;
    int rc = campaign_id(cli, "send", &id, err);
    json_t *resp = NULL;
    if (!rc) rc = loy_app_campaign_send(app, id, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_campaign);
    return rc;
}

int loy_cmd_campaign_list(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos) return loy_err_set(err, LOY_EINVALID, "", "usage: loyalty campaign list");
    json_t *resp = NULL;
    int rc = loy_app_campaign_list(app, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_list);
    return rc;
}

int loy_cmd_campaign_results(loy_cli *cli, loy_app *app, loy_err *err)
{
    int64_t id = 0;
    int rc = campaign_id(cli, "results", &id, err);
    json_t *resp = NULL;
    if (!rc) rc = loy_app_campaign_results(app, id, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_results);
    return rc;
}

const loy_flag loy_campaign_create_flags[] = {
    {"template", "template", F_STR,
     "the messages' template (default \"campaign\"; a trigger's or the programme's own)"},
    {"variant", "variant_specs", F_TAGS,
     "ID:TEMPLATE[:OFFER], repeatable: an A/B test's variants (default one, A, of --template)"},
    {"holdout", "holdout_percent", F_INT, "percent of the audience held out: no message (10)"},
    {"audience", "audience", F_STR, "all (default), segment:NAME (RFM), tier:ID or inactive:DAYS"},
    {"days", "conversion_days", F_INT, "a purchase within this many days converts (14)"},
    {"seed", "seed", F_INT, "the assignment's random seed (default: a random one)"},
    {NULL, NULL, F_STR, NULL}};

const loy_flag loy_campaign_list_flags[] = {
    {"before", "before", F_INT, "the id that ended the previous page"},
    {"limit", "limit", F_INT, "at most this many (1 to 100, default 50)"},
    {NULL, NULL, F_STR, NULL}};
