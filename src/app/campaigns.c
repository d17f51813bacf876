/* Campaign use cases (see campaigns.h, docs/campaigns.md): drafts, the send in batches, the
 * results with their statistics and verdict, the members' arms, and the demo's campaign. */
#include "app/campaigns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analytics/abtest.h"
#include "analytics/report_math.h"
#include "app/app_int.h"
#include "app/messages.h"
#include "app/params.h"
#include "app/reports.h"
#include "app/request.h"
#include "engage/template.h"
#include "store/store_campaign.h"
#include "util/jdump.h"
#include "util/rand.h"

#define NAME_MAX_BYTES 100
#define VARIANT_ID_MAX 16
#define SEED_MAX       ((INT64_C(1) << 53) - 1) /* exact in JavaScript numbers */
#define RFM_PAGE       1000

/* ---- checking requests ---- */

/* A parsed audience: kind "all", "segment", "tier" or "inactive" and its argument. */
typedef struct {
    char kind[16];
    char arg[LOY_ID_MAX + 32];
    int64_t days;
} audience;

static int parse_audience(const loy_app *app, const char *text, audience *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *colon = strchr(text, ':');
    size_t klen = colon ? (size_t)(colon - text) : strlen(text);
    const char *arg = colon ? colon + 1 : "";
    if (klen >= sizeof(out->kind)) klen = sizeof(out->kind) - 1;
    memcpy(out->kind, text, klen);
    snprintf(out->arg, sizeof(out->arg), "%s", arg);
    if (!strcmp(out->kind, "all") && !colon) return 0;
    if (!strcmp(out->kind, "segment")) {
        loy_rfm_segment s;
        if (loy_rpt_segment_parse(arg, &s)) return 0;
        return loy_err_set(err, LOY_EINVALID, "audience",
                           "audience: \"%s\" is no RFM segment (champions, loyal, "
                           "potential_loyalists, new, promising, need_attention, about_to_sleep, "
                           "at_risk, cannot_lose_them, hibernating, lost)",
                           arg);
    }
    if (!strcmp(out->kind, "tier")) {
        for (size_t i = 0; app->prog->has_tiers && i < app->prog->nlevels; i++)
            if (!strcmp(app->prog->levels[i].id, arg)) return 0;
        return loy_err_set(err, LOY_EINVALID, "audience",
                           "audience: the programme has no tier \"%s\"", arg);
    }
    if (!strcmp(out->kind, "inactive")) {
        char *end = NULL;
        long long d = *arg ? strtoll(arg, &end, 10) : 0;
        if (*arg && !*end && d >= 1 && d <= 3650) {
            out->days = d;
            return 0;
        }
        return loy_err_set(err, LOY_EINVALID, "audience",
                           "audience: inactive:DAYS needs DAYS from 1 to 3650, got \"%s\"", arg);
    }
    return loy_err_set(err, LOY_EINVALID, "audience",
                       "audience: expected all, segment:NAME, tier:ID or inactive:DAYS, got "
                       "\"%s\"",
                       text);
}

static bool variant_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > VARIANT_ID_MAX || !strcasecmp(s, "holdout")) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Whether a template and an offer can be used now; errors name `field` + ".template" /
 * ".offer" (the campaign's own template: field "template"). */
static int check_message(const loy_app *app, const char *field, const char *tmpl, const char *offer,
                         loy_err *err)
{
    char f[48];
    if (!loy_template_exists(&app->prog->messages, tmpl)) {
        snprintf(f, sizeof(f), "%s%stemplate", field, *field ? "." : "");
        return loy_err_set(err, LOY_EINVALID, f,
                           "%s: no template \"%s\" (a trigger's, such as \"campaign\", or one of "
                           "the programme's messages.templates)",
                           f, tmpl);
    }
    if (offer && !loy_programme_reward(app->prog, offer)) {
        snprintf(f, sizeof(f), "%s.offer", field);
        return loy_err_set(err, LOY_EINVALID, f, "%s: the programme has no reward \"%s\"", f,
                           offer);
    }
    return 0;
}

static const char *const variant_fields[] = {"id", "template", "offer", NULL};

/* The variants of a create request, normalised to [{id, template, offer}] (*out, new). */
static int parse_variants(const loy_app *app, const json_t *list, const char *tmpl, json_t **out,
                          loy_err *err)
{
    *out = NULL;
    if (!list) {
        *out = json_pack("[{s:s, s:s, s:n}]", "id", "A", "template", tmpl, "offer");
        return *out ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    if (!json_is_array(list) || json_array_size(list) < 1 ||
        json_array_size(list) > LOY_CAMPAIGN_MAX_VARIANTS)
        return loy_err_set(err, LOY_EINVALID, "variants",
                           "variants: expected an array of 1 to %d variants like [{\"id\": \"A\", "
                           "\"template\": \"campaign\"}]",
                           LOY_CAMPAIGN_MAX_VARIANTS);
    json_t *arr = json_array();
    size_t i;
    const json_t *v;
    int rc = 0;
    json_array_foreach(list, i, v)
    {
        char field[32];
        snprintf(field, sizeof(field), "variants[%zu]", i);
        const char *id = NULL, *t = NULL, *offer = NULL;
        const json_t *o = json_object_get(v, "offer");
        if (!json_is_object(v)) {
            rc = loy_err_set(err, LOY_EINVALID, field,
                             "%s: expected an object {id, template?, "
                             "offer?}",
                             field);
            break;
        }
        if ((rc = loy_req_object(v, variant_fields, err))) {
            loy_err_prefix(err, field);
            break;
        }
        if ((rc = loy_req_str(v, "id", true, VARIANT_ID_MAX, &id, err)) ||
            (rc = loy_req_str(v, "template", false, LOY_MSG_ID_MAX - 1, &t, err)) ||
            (!json_is_null(o) &&
             (rc = loy_req_str(v, "offer", false, LOY_ID_MAX - 1, &offer, err)))) {
            loy_err_prefix(err, field);
            break;
        }
        if (!variant_id_ok(id)) {
            rc = loy_err_set(err, LOY_EINVALID, field,
                             "%s.id: 1 to %d of A-Z, a-z, 0-9, \"_\" and \"-\", not \"holdout\"; "
                             "got \"%s\"",
                             field, VARIANT_ID_MAX, id);
            snprintf(err->field, sizeof(err->field), "%s.id", field);
            break;
        }
        size_t k;
        const json_t *w;
        bool dup = false;
        json_array_foreach(arr, k, w) dup |=
            !strcmp(json_string_value(json_object_get(w, "id")), id);
        if (dup) {
            rc = loy_err_set(err, LOY_EINVALID, field, "%s.id: variant \"%s\" is given twice",
                             field, id);
            snprintf(err->field, sizeof(err->field), "%s.id", field);
            break;
        }
        if (!t) t = tmpl;
        if ((rc = check_message(app, field, t, offer, err))) break;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "id", id, "template", t, "offer",
                                             offer ? json_string(offer) : json_null()));
    }
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}

/* ---- rendering ---- */

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *campaign_json(const loy_campaign_row *r)
{
    json_t *variants = r->variants ? json_loads(r->variants, 0, NULL) : NULL;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "template", json_string(r->template_id));
    json_object_set_new(o, "audience", json_string(r->audience));
    json_object_set_new(o, "variants", variants ? variants : json_array());
    json_object_set_new(o, "holdout_percent", json_integer(r->holdout_percent));
    json_object_set_new(o, "conversion_days", json_integer(r->conversion_days));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "seed", json_integer(r->seed));
    json_object_set_new(o, "created_at", loy_json_time(r->created_at));
    json_object_set_new(o, "created_by", json_string(r->created_by));
    json_object_set_new(o, "sent_at", loy_json_time(r->sent_at));
    json_object_set_new(o, "sent_by", str_or_null(r->sent_by));
    json_object_set_new(o, "finished_at", loy_json_time(r->finished_at));
    json_object_set_new(o, "members", json_integer(r->members));
    return o;
}

static int audit(loy_app *app, const char *action, int64_t id, json_t *detail, int64_t now,
                 loy_err *err)
{
    char *text = detail ? loy_json_dump(detail, true, NULL) : NULL;
    json_decref(detail);
    int rc = text ? loy_store_audit(&app->conn, app->merchant, app->actor, action, "campaign", id,
                                    NULL, text, now, NULL, err)
                  : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(text);
    return rc;
}

/* The campaign `id` read in its own read transaction, as {campaign}. */
static int answer(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    loy_campaign_row r;
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    rc = loy_store_campaign_get(&app->conn, app->merchant, id, &r, err);
    loy_db_rollback(&app->conn);
    if (rc) return rc;
    *resp = json_pack("{s:o}", "campaign", campaign_json(&r));
    loy_campaign_row_free(&r);
    return 0;
}

/* ---- create, list, get ---- */

static const char *const create_fields[] = {
    "name", "template", "variants", "audience", "holdout_percent", "conversion_days", "seed", NULL};

int loy_app_campaign_create(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    *resp = NULL;
    const char *name = NULL, *tmpl = NULL, *aud = NULL;
    int64_t holdout = 0, days = 0, seed = 0;
    audience a;
    int rc = loy_req_object(req, create_fields, err);
    if (!rc) rc = loy_req_str(req, "name", true, NAME_MAX_BYTES, &name, err);
    if (!rc) rc = loy_req_str(req, "template", false, LOY_MSG_ID_MAX - 1, &tmpl, err);
    if (!rc) rc = loy_req_str(req, "audience", false, 60, &aud, err);
    if (!rc) rc = loy_req_int(req, "holdout_percent", false, 0, 90, 10, &holdout, err);
    if (!rc) rc = loy_req_int(req, "conversion_days", false, 1, 365, 14, &days, err);
    if (!rc) rc = loy_req_int(req, "seed", false, 1, SEED_MAX, 0, &seed, err);
    if (rc) return rc;
    if (!tmpl) tmpl = "campaign";
    if (!aud) aud = "all";
    if ((rc = check_message(app, "", tmpl, NULL, err))) return rc;
    if ((rc = parse_audience(app, aud, &a, err))) return rc;
    json_t *variants = NULL;
    if ((rc = parse_variants(app, json_object_get(req, "variants"), tmpl, &variants, err)))
        return rc;
    if (!seed) {
        uint64_t x = 0;
        if (loy_random_bytes(&x, sizeof(x))) {
            json_decref(variants);
            return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
        }
        seed = (int64_t)(x & (uint64_t)SEED_MAX);
        if (!seed) seed = 1;
    }
    int64_t now = loy_app_now(app);
    loy_campaign_row r;
    memset(&r, 0, sizeof(r));
    r.merchant_id = app->merchant;
    snprintf(r.name, sizeof(r.name), "%s", name);
    snprintf(r.template_id, sizeof(r.template_id), "%s", tmpl);
    snprintf(r.audience, sizeof(r.audience), "%s", aud);
    r.variants = loy_json_dump(variants, false, NULL);
    r.holdout_percent = holdout;
    r.conversion_days = days;
    r.seed = seed;
    r.created_at = now;
    snprintf(r.created_by, sizeof(r.created_by), "%s", app->actor);
    size_t nvariants = json_array_size(variants);
    json_decref(variants);
    if (!r.variants) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    rc = loy_db_begin(&app->conn, true, err);
    if (!rc) rc = loy_store_campaign_insert(&app->conn, &r, err);
    if (!rc)
        rc = audit(app, "campaign.create", r.id,
                   json_pack("{s:s, s:s, s:I, s:I, s:I}", "name", r.name, "audience", r.audience,
                             "variants", (json_int_t)nvariants, "holdout_percent",
                             (json_int_t)holdout, "conversion_days", (json_int_t)days),
                   now, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    loy_campaign_row_free(&r);
    return rc ? rc : answer(app, r.id, resp, err);
}

static void add_listed(void *ctx, const loy_campaign_row *r)
{
    json_array_append_new((json_t *)ctx, campaign_json(r));
}

/* The template ids a campaign may use: "campaign", the programme's own, the other triggers'. */
static json_t *templates_json(const loy_app *app)
{
    json_t *a = json_array();
    json_array_append_new(a, json_string("campaign"));
    const loy_msg_settings *s = &app->prog->messages;
    for (size_t i = 0; i < s->ntemplates; i++)
        if (!loy_msg_trigger_known(s->templates[i].id))
            json_array_append_new(a, json_string(s->templates[i].id));
    for (size_t i = 0; loy_msg_triggers[i]; i++)
        if (strcmp(loy_msg_triggers[i], "campaign") != 0)
            json_array_append_new(a, json_string(loy_msg_triggers[i]));
    return a;
}

static const char *const list_params[] = {"before", "limit", NULL};

/* params must name nothing but `names` */
static int known_params(const json_t *params, const char *const *names, loy_err *err)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)params, key, val)
    {
        bool known = false;
        for (size_t i = 0; names[i]; i++) known |= !strcmp(names[i], key);
        if (!known) return loy_err_set(err, LOY_EINVALID, key, "%s: unknown parameter", key);
    }
    return 0;
}

int loy_app_campaign_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int64_t before = 0, limit = 0;
    int rc = known_params(params, list_params, err);
    if (!rc) rc = loy_param_int(params, "before", 0, INT64_MAX, 0, &before, err);
    if (!rc) rc = loy_param_int(params, "limit", 1, 100, 50, &limit, err);
    if (rc) return rc;
    json_t *arr = json_array();
    rc = loy_db_begin(&app->conn, false, err);
    if (!rc) {
        rc = loy_store_campaign_list(&app->conn, app->merchant, before, (int)limit, add_listed, arr,
                                     err);
        loy_db_rollback(&app->conn);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    json_t *next = loy_json_next(arr, (int)limit);
    *resp = json_pack("{s:o, s:o, s:o}", "campaigns", arr, "next_before", next, "templates",
                      templates_json(app));
    return 0;
}

int loy_app_campaign_get(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    *resp = NULL;
    return answer(app, id, resp, err);
}

/* ---- send ---- */

typedef struct {
    int64_t *v;
    size_t n, cap;
    bool nomem;
} idlist;

static void add_id(void *ctx, int64_t id)
{
    idlist *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        int64_t *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            l->nomem = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = id;
}

/* The members of an RFM segment as of `at`, from the rfm report (its own read transaction). */
static int segment_members(loy_app *app, const char *segment, int64_t at, idlist *out, loy_err *err)
{
    char to[32];
    loy_time_format(to, sizeof(to), at);
    int64_t cursor = 0;
    for (;;) {
        json_t *params = json_pack("{s:s, s:s, s:i, s:I}", "segment", segment, "to", to, "limit",
                                   RFM_PAGE, "cursor", (json_int_t)cursor),
               *rep = NULL;
        int rc = params ? loy_app_report(app, "rfm", params, &rep, err)
                        : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        json_decref(params);
        if (rc) return rc;
        const json_t *seg = json_array_get(json_object_get(rep, "segments"), 0);
        size_t i;
        const json_t *id;
        json_array_foreach(json_object_get(seg, "member_ids"), i, id)
            add_id(out, json_integer_value(id));
        const json_t *next = json_object_get(seg, "next_cursor");
        cursor = json_is_integer(next) ? json_integer_value(next) : 0;
        json_decref(rep);
        if (out->nomem) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        if (!cursor) return 0;
    }
}

static int audience_members(loy_app *app, const loy_campaign_row *r, idlist *out, loy_err *err)
{
    audience a;
    int rc = parse_audience(app, r->audience, &a, err);
    if (rc) return rc;
    if (!strcmp(a.kind, "segment")) return segment_members(app, a.arg, r->sent_at, out, err);
    if ((rc = loy_db_begin(&app->conn, false, err))) return rc;
    rc = loy_store_campaign_audience(&app->conn, app->merchant, a.kind, a.arg, a.days, r->sent_at,
                                     add_id, out, err);
    loy_db_rollback(&app->conn);
    if (!rc && out->nomem) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    return rc;
}

/* The variants of a stored campaign, each checked against the programme of now. */
static int stored_variants(const loy_app *app, const loy_campaign_row *r, json_t **out,
                           loy_err *err)
{
    *out = r->variants ? json_loads(r->variants, 0, NULL) : NULL;
    if (!json_is_array(*out) || !json_array_size(*out)) {
        json_decref(*out);
        *out = NULL;
        return loy_err_set(err, LOY_ESTORAGE, "variants", "campaign %lld: unreadable variants",
                           (long long)r->id);
    }
    size_t i;
    const json_t *v;
    json_array_foreach(*out, i, v)
    {
        char field[32];
        snprintf(field, sizeof(field), "variants[%zu]", i);
        int rc = check_message(app, field, json_string_value(json_object_get(v, "template")),
                               json_string_value(json_object_get(v, "offer")), err);
        if (rc) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
    }
    return 0;
}

/* One batch of members [from, to) of the list, in one write transaction. */
static int send_batch(loy_app *app, const loy_campaign_row *r, const json_t *variants,
                      const idlist *ids, size_t from, size_t to, loy_err *err)
{
    char key[40];
    snprintf(key, sizeof(key), "campaign:%lld", (long long)r->id);
    int64_t now = loy_app_now(app);
    size_t nv = json_array_size(variants);
    int rc = loy_db_begin(&app->conn, true, err);
    for (size_t i = from; !rc && i < to; i++) {
        int64_t member = ids->v[i];
        int arm = loy_ab_assign(r->seed, member, r->holdout_percent, nv);
        const json_t *v = arm >= 0 ? json_array_get(variants, (size_t)arm) : NULL;
        const char *vid = v ? json_string_value(json_object_get(v, "id")) : "holdout";
        bool inserted = false;
        rc = loy_store_campaign_assign(&app->conn, app->merchant, r->id, member, vid, now,
                                       r->sent_at, &inserted, err);
        if (rc || !inserted || !v) continue; /* assigned before (a resumed send), or held out */
        loy_msg_req q = {.member_id = member,
                         .trigger = "campaign",
                         .template_id = json_string_value(json_object_get(v, "template")),
                         .key = key,
                         .cls = LOY_MSG_MARKETING,
                         .offer_reward = json_string_value(json_object_get(v, "offer")),
                         .campaign_id = r->id,
                         .variant = vid};
        bool queued = false;
        rc = loy_app_message_queue(app, &q, now, &queued, err);
        if (!rc)
            rc =
                loy_store_campaign_link_message(&app->conn, app->merchant, r->id, member, key, err);
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    return rc;
}

typedef struct {
    int64_t members, holdout, messages, skipped;
} send_counts;

static void count_arm(void *ctx, const loy_campaign_arm_row *a)
{
    send_counts *c = ctx;
    c->members += a->members;
    if (!strcmp(a->arm, "holdout")) c->holdout += a->members;
    c->messages += a->messages;
    c->skipped += a->skipped;
}

int loy_app_campaign_send(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int64_t now = loy_app_now(app);
    loy_campaign_row r;
    json_t *variants = NULL;
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_campaign_get(&app->conn, app->merchant, id, &r, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    if (!strcmp(r.status, "sent")) {
        char when[32];
        loy_time_format(when, sizeof(when), r.sent_at);
        rc = loy_err_set(err, LOY_ECONFLICT, "status",
                         "campaign %lld was sent on %.10s: a campaign is sent once (create a new "
                         "one to send again)",
                         (long long)id, when);
    }
    if (!rc) rc = stored_variants(app, &r, &variants, err);
    if (!rc && !strcmp(r.status, "draft")) {
        rc = loy_store_campaign_begin_send(&app->conn, app->merchant, id, now, app->actor, err);
        if (!rc)
            rc = audit(app, "campaign.send", id,
                       json_pack("{s:s, s:I}", "audience", r.audience, "holdout_percent",
                                 (json_int_t)r.holdout_percent),
                       now, err);
        r.sent_at = now;
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    idlist ids = {0};
    if (!rc) rc = audience_members(app, &r, &ids, err);
    for (size_t i = 0; !rc && i < ids.n; i += LOY_CAMPAIGN_BATCH)
        rc = send_batch(app, &r, variants, &ids, i,
                        i + LOY_CAMPAIGN_BATCH < ids.n ? i + LOY_CAMPAIGN_BATCH : ids.n, err);
    free(ids.v);
    json_decref(variants);
    send_counts c = {0};
    bool done = false;
    if (!rc && !(rc = loy_db_begin(&app->conn, true, err))) {
        rc = loy_store_campaign_finish_send(&app->conn, app->merchant, id, loy_app_now(app), &done,
                                            err);
        if (!rc) rc = loy_store_campaign_arms(&app->conn, app->merchant, id, count_arm, &c, err);
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    loy_campaign_row_free(&r);
    if (rc) return rc;
    /* (done is false when a concurrent send of the same campaign finished it first) */
    if ((rc = answer(app, id, resp, err))) return rc;
    json_object_set_new(*resp, "sent",
                        json_pack("{s:I, s:I, s:I, s:I}", "members", (json_int_t)c.members,
                                  "holdout", (json_int_t)c.holdout, "messages",
                                  (json_int_t)c.messages, "skipped", (json_int_t)c.skipped));
    return 0;
}

/* ---- results ---- */

#define MAX_ARMS (LOY_CAMPAIGN_MAX_VARIANTS + 1)

typedef struct {
    char id[VARIANT_ID_MAX + 1];
    loy_campaign_arm_row counts; /* arm pointer not kept */
} arm_counts;

typedef struct {
    arm_counts a[MAX_ARMS * 2];
    size_t n;
} arms_read;

static void keep_arm(void *ctx, const loy_campaign_arm_row *a)
{
    arms_read *x = ctx;
    if (x->n == sizeof(x->a) / sizeof(x->a[0])) return;
    snprintf(x->a[x->n].id, sizeof(x->a[x->n].id), "%s", a->arm);
    x->a[x->n].counts = *a;
    x->a[x->n].counts.arm = NULL;
    x->n++;
}

static const loy_campaign_arm_row *find_arm(const arms_read *x, const char *id)
{
    for (size_t i = 0; i < x->n; i++)
        if (!strcmp(x->a[i].id, id)) return &x->a[i].counts;
    return NULL;
}

/* A p-value to 4 significant digits (small ones stay visible: 3.105e-08, not 0). */
static json_t *pvalue(double p)
{
    if (isnan(p)) return json_null();
    char buf[32];
    snprintf(buf, sizeof(buf), "%.4g", p);
    return json_real(strtod(buf, NULL));
}

static json_t *num(double x, int decimals)
{
    if (isnan(x) || isinf(x)) return json_null();
    double f = pow(10, decimals);
    return json_real(round(x * f) / f);
}

/* {points, relative, z, p} of a comparison, points and relative in percent */
static json_t *cmp_json(const loy_ab_cmp *c)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "points", num(c->diff * 100.0, 2), "relative",
                     num(c->rel * 100.0, 1), "z", num(c->z, 3), "p", pvalue(c->p));
}

static const char *verdict_text(const loy_ab_verdict *d, const char *winner, char *buf, size_t n)
{
    switch (d->code) {
    case LOY_AB_WINNER:
        snprintf(buf, n, "%s wins, 95%% confidence", winner);
        return buf;
    case LOY_AB_NO_DIFFERENCE:
        return "no difference yet";
    case LOY_AB_NOT_ENOUGH:
        return "not enough data yet";
    case LOY_AB_HOLDOUT_AS_GOOD:
        return "the holdout does as well: the message adds nothing";
    case LOY_AB_NO_COMPARISON:
    default:
        return "nothing to compare: one variant and no holdout";
    }
}

static void add_rules(json_t *o, const loy_campaign_row *r)
{
    char conv[200];
    snprintf(conv, sizeof(conv),
             "conversion: the member's first purchase within %lld days after they were assigned "
             "an arm, not wholly refunded (a partly refunded one counts); every assigned member "
             "counts in their arm, also when their message was skipped",
             (long long)r->conversion_days);
    json_t *rules = json_array();
    json_array_append_new(rules, json_string(conv));
    json_array_append_new(
        rules, json_string("rate: conversions / members with its 95% Wilson score interval"));
    json_array_append_new(rules,
                          json_string("test: two-proportion z-test with the pooled standard error, "
                                      "two-sided p-value; a difference counts when p < 0.05"));
    json_array_append_new(
        rules, json_string("enough data: every arm has at least 30 members, and with the pooled "
                           "rate p every arm expects at least 5 conversions and 5 non-conversions "
                           "(n p >= 5 and n (1 - p) >= 5)"));
    json_array_append_new(
        rules, json_string("verdict: not enough data yet; else the holdout does as well when no "
                           "variant beats it at p < 0.05; else the best variant wins when it "
                           "beats the runner-up (or, alone, the holdout) at p < 0.05, or there is "
                           "no difference yet"));
    json_array_append_new(rules, json_string("uplift: a variant's rate minus the holdout's, in "
                                             "percentage points and relative to the holdout's"));
    json_object_set_new(o, "rules", rules);
}

static int build_results(const loy_campaign_row *r, const arms_read *x, int64_t now, json_t **resp,
                         loy_err *err)
{
    json_t *variants = r->variants ? json_loads(r->variants, 0, NULL) : NULL;
    size_t nv = json_array_size(variants);
    if (!nv || nv > LOY_CAMPAIGN_MAX_VARIANTS) {
        json_decref(variants);
        return loy_err_set(err, LOY_ESTORAGE, "variants", "campaign %lld: unreadable variants",
                           (long long)r->id);
    }
    loy_ab_arm v[LOY_CAMPAIGN_MAX_VARIANTS], h = {0, 0};
    const loy_campaign_arm_row *hc = find_arm(x, "holdout");
    if (hc) h = (loy_ab_arm){hc->members, hc->conversions};
    bool has_holdout = r->holdout_percent > 0 || (hc && hc->members > 0);
    int64_t last = 0;
    json_t *arms = json_array();
    for (size_t i = 0; i <= nv; i++) {
        bool hold = i == nv;
        if (hold && !has_holdout) break;
        const json_t *vj = hold ? NULL : json_array_get(variants, i);
        const char *id = hold ? "holdout" : json_string_value(json_object_get(vj, "id"));
        const loy_campaign_arm_row *c = find_arm(x, id);
        loy_campaign_arm_row zero = {0};
        if (!c) c = &zero;
        if (c->last_assigned_at > last) last = c->last_assigned_at;
        loy_ab_arm a = {c->members, c->conversions};
        if (!hold) v[i] = a;
        loy_ab_rate rate = loy_ab_wilson(a.conversions, a.n, LOY_AB_Z95);
        json_t *o = json_pack(
            "{s:s, s:b, s:O, s:O, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:o, s:o}", "arm", id,
            "holdout", hold, "template", hold ? json_null() : json_object_get(vj, "template"),
            "offer", hold ? json_null() : json_object_get(vj, "offer"), "members", (json_int_t)a.n,
            "messages", "linked", (json_int_t)c->messages, "sent", (json_int_t)c->sent, "skipped",
            (json_int_t)c->skipped, "failed", (json_int_t)c->failed, "conversions",
            (json_int_t)a.conversions, "rate", num(rate.rate, 6), "rate_low", num(rate.low, 6),
            "rate_high", num(rate.high, 6));
        if (!hold && has_holdout) {
            loy_ab_cmp cmp = loy_ab_compare(a, h);
            json_object_set_new(o, "vs_holdout", cmp_json(&cmp));
        } else
            json_object_set_new(o, "vs_holdout", json_null());
        json_array_append_new(arms, o);
    }
    loy_ab_verdict d;
    loy_ab_decide(v, nv, has_holdout ? &h : NULL, &d);
    /* the best two variants by rate, whatever the verdict, when there are two */
    json_t *top = json_null();
    if (nv >= 2) {
        size_t b = 0, s = 1;
        double rb = v[0].n ? (double)v[0].conversions / (double)v[0].n : -1;
        for (size_t i = 1; i < nv; i++) {
            double ri = v[i].n ? (double)v[i].conversions / (double)v[i].n : -1;
            if (ri > rb) {
                b = i;
                rb = ri;
            }
        }
        s = b == 0 ? 1 : 0;
        for (size_t i = 0; i < nv; i++) {
            if (i == b) continue;
            double ri = v[i].n ? (double)v[i].conversions / (double)v[i].n : -1;
            double rs = v[s].n ? (double)v[s].conversions / (double)v[s].n : -1;
            if (ri > rs) s = i;
        }
        loy_ab_cmp c = loy_ab_compare(v[b], v[s]);
        top = cmp_json(&c);
        json_object_set_new(top, "best",
                            json_incref(json_object_get(json_array_get(variants, b), "id")));
        json_object_set_new(top, "runner_up",
                            json_incref(json_object_get(json_array_get(variants, s), "id")));
    }
    const char *winner =
        d.best >= 0
            ? json_string_value(json_object_get(json_array_get(variants, (size_t)d.best), "id"))
            : NULL;
    const char *against =
        d.code == LOY_AB_NO_COMPARISON || d.code == LOY_AB_NOT_ENOUGH ? NULL
        : d.against >= 0
            ? json_string_value(json_object_get(json_array_get(variants, (size_t)d.against), "id"))
            : "holdout";
    char text[64];
    json_t *verdict =
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "code", loy_ab_code_name(d.code), "winner",
                  d.code == LOY_AB_WINNER ? json_string(winner) : json_null(), "best",
                  str_or_null(winner), "against", str_or_null(against), "p", pvalue(d.cmp.p),
                  "text", verdict_text(&d, winner ? winner : "", text, sizeof(text)));
    int64_t until = last ? last + r->conversion_days * LOY_DAY : 0;
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:b}}", "campaign", campaign_json(r), "as_of",
        loy_json_time(now), "arms", arms, "best_vs_runner_up", top, "verdict", verdict, "window",
        "from", loy_json_time(r->sent_at), "until", loy_json_time(until), "open", until > now);
    json_decref(variants);
    if (!o) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    add_rules(o, r);
    *resp = o;
    return 0;
}

/* Reads the campaign (not a draft) after working its conversions out again, in one write
 * transaction; the arms' counts into *x when x is not NULL. */
static int refreshed(loy_app *app, int64_t id, loy_campaign_row *r, arms_read *x, loy_err *err)
{
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_campaign_get(&app->conn, app->merchant, id, r, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    if (!strcmp(r->status, "draft"))
        rc = loy_err_set(err, LOY_ECONFLICT, "status",
                         "campaign %lld is a draft: it has results once it is sent", (long long)id);
    if (!rc)
        rc = loy_store_campaign_convert(&app->conn, app->merchant, id, r->conversion_days, err);
    if (!rc && x) rc = loy_store_campaign_arms(&app->conn, app->merchant, id, keep_arm, x, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        loy_campaign_row_free(r);
    }
    return rc;
}

int loy_app_campaign_results(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int64_t now = loy_app_now(app);
    loy_campaign_row r;
    arms_read x;
    memset(&x, 0, sizeof(x));
    int rc = refreshed(app, id, &r, &x, err);
    if (rc) return rc;
    rc = build_results(&r, &x, now, resp, err);
    loy_campaign_row_free(&r);
    return rc;
}

/* ---- members ---- */

static const char *const member_params[] = {"arm", "after", "limit", NULL};

static void add_member(void *ctx, const loy_campaign_member_row *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "member_id", json_integer(m->member_id));
    json_object_set_new(o, "arm", json_string(m->arm));
    json_object_set_new(o, "assigned_at", loy_json_time(m->assigned_at));
    json_object_set_new(o, "message_id", m->message_id ? json_integer(m->message_id) : json_null());
    json_object_set_new(o, "message_status", str_or_null(m->message_status));
    json_object_set_new(o, "converted_at", loy_json_time(m->converted_at));
    json_object_set_new(o, "purchase_id",
                        m->purchase_id ? json_integer(m->purchase_id) : json_null());
    json_array_append_new((json_t *)ctx, o);
}

int loy_app_campaign_members(loy_app *app, int64_t id, const json_t *params, json_t **resp,
                             loy_err *err)
{
    *resp = NULL;
    const char *arm = NULL;
    int64_t after = 0, limit = 0;
    int rc = known_params(params, member_params, err);
    if (!rc) rc = loy_param_text(params, "arm", &arm, err);
    if (!rc) rc = loy_param_int(params, "after", 0, INT64_MAX, 0, &after, err);
    if (!rc) rc = loy_param_int(params, "limit", 1, 1000, 100, &limit, err);
    if (rc) return rc;
    if (arm && strcmp(arm, "holdout") && !variant_id_ok(arm))
        return loy_err_set(err, LOY_EINVALID, "arm",
                           "arm: expected a variant id or \"holdout\", got \"%s\"", arm);
    loy_campaign_row r;
    json_t *arr = json_array();
    rc = loy_db_begin(&app->conn, false, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    rc = loy_store_campaign_get(&app->conn, app->merchant, id, &r, err);
    if (!rc) {
        rc = loy_store_campaign_members(&app->conn, app->merchant, id, arm, after, (int)limit,
                                        add_member, arr, err);
        loy_campaign_row_free(&r);
    }
    loy_db_rollback(&app->conn);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    size_t n = json_array_size(arr);
    json_t *next = n == (size_t)limit
                       ? json_incref(json_object_get(json_array_get(arr, n - 1), "member_id"))
                       : json_null();
    *resp = json_pack("{s:o, s:o}", "members", arr, "next_after", next);
    return 0;
}

/* ---- the demo's campaign ---- */

int loy_app_campaign_demo(loy_app *app, loy_campaign_demo *d, int64_t now, loy_err *err)
{
    if (!d->at || d->campaign || now < d->at) return 0;
    const char *offer = app->prog->nrewards ? app->prog->rewards[0].id : NULL;
    json_t *req = json_pack("{s:s, s:s, s:[{s:s}, {s:s, s:o}], s:i, s:s, s:i, s:I}", "name",
                            "Demo: new blend", "template", "campaign", "variants", "id", "A", "id",
                            "B", "offer", offer ? json_string(offer) : json_null(),
                            "holdout_percent", 30, "audience", "all", "conversion_days", 14, "seed",
                            (json_int_t)(d->seed % (uint64_t)SEED_MAX + 1));
    json_t *resp = NULL;
    int64_t saved = app->now;
    app->now = d->at;
    int rc = req ? loy_app_campaign_create(app, req, &resp, err)
                 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    json_decref(req);
    if (!rc) {
        d->campaign = json_integer_value(json_object_get(json_object_get(resp, "campaign"), "id"));
        json_decref(resp);
        resp = NULL;
        rc = loy_app_campaign_send(app, d->campaign, &resp, err);
    }
    json_decref(resp);
    app->now = saved;
    return rc;
}
