/* Use cases of the message outbox (app/messages.h): queueing inside the caller's transaction,
 * queueing by hand, the list, and the preview of a template with a member's data. */
#include "app/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/request.h"
#include "app/sender.h"
#include "app/unsub.h"
#include "engage/template.h"
#include "store/store_message.h"
#include "util/jdump.h"
#include "util/rand.h"

#define VARS_MAX      32
#define VAR_VALUE_MAX 2048

static const char *const statuses[] = {"queued",  "sending",   "sent", "failed",
                                       "skipped", "uncertain", NULL};

static bool var_name_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 40) return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_')) return false;
    return true;
}

/* vars: an object of at most 32 names (a-z, 0-9, "_") with strings or integers. */
static int check_vars(const json_t *vars, loy_err *err)
{
    if (!vars) return 0;
    if (!json_is_object(vars) || json_object_size(vars) > VARS_MAX)
        return loy_err_set(err, LOY_EINVALID, "vars",
                           "vars: expected an object of at most %d variables like "
                           "{\"survey_url\": \"https://...\"}",
                           VARS_MAX);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)vars, k, v)
    {
        char field[64];
        snprintf(field, sizeof(field), "vars.%.40s", k);
        if (!var_name_ok(k))
            return loy_err_set(err, LOY_EINVALID, field,
                               "%s: a variable name is 1 to 40 of a-z, 0-9 and \"_\"", field);
        if (!(json_is_integer(v) || (json_is_string(v) && json_string_length(v) <= VAR_VALUE_MAX)))
            return loy_err_set(err, LOY_EINVALID, field,
                               "%s: expected a string of at most %d bytes or an integer", field,
                               VAR_VALUE_MAX);
    }
    return 0;
}

static json_t *opt_str(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *opt_int(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

static json_t *message_json(const loy_message_row *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "member_id", json_integer(m->member_id));
    json_object_set_new(o, "trigger", json_string(m->trigger));
    json_object_set_new(o, "template", json_string(m->template_id));
    json_object_set_new(o, "key", json_string(m->key));
    json_object_set_new(o, "class", json_string(m->cls));
    json_object_set_new(o, "channel", opt_str(m->channel));
    json_object_set_new(o, "locale", json_string(m->locale));
    json_object_set_new(o, "campaign_id", opt_int(m->campaign_id));
    json_object_set_new(o, "variant", opt_str(m->variant));
    json_object_set_new(o, "offer", opt_str(m->offer_reward));
    json_object_set_new(o, "voucher_id", opt_int(m->voucher_id));
    json_object_set_new(o, "status", json_string(m->status));
    json_object_set_new(o, "reason", opt_str(m->reason));
    json_object_set_new(o, "attempts", json_integer(m->attempts));
    json_object_set_new(o, "next_at", loy_json_time(m->next_at));
    json_object_set_new(o, "created_at", loy_json_time(m->created_at));
    json_object_set_new(o, "claimed_at", loy_json_time(m->claimed_at));
    json_object_set_new(o, "sent_at", loy_json_time(m->sent_at));
    json_object_set_new(o, "message_id", opt_str(m->smtp_message_id));
    return o;
}

int loy_app_message_queue(loy_app *app, const loy_msg_req *req, int64_t now, bool *queued,
                          loy_err *err)
{
    *queued = false;
    if (app->conn.depth == 0)
        return loy_err_set(err, LOY_ESTORAGE, "",
                           "loy_app_message_queue runs inside the caller's write transaction");
    if (!req->trigger || !loy_msg_trigger_known(req->trigger))
        return loy_err_set(err, LOY_EINVALID, "trigger",
                           "trigger: unknown trigger \"%s\" (expected welcome, thanks, birthday, "
                           "anniversary, reorder, winback, tier_up, expiring, reward, survey, "
                           "referral_ask or campaign)",
                           req->trigger ? req->trigger : "");
    const char *tmpl = req->template_id ? req->template_id : req->trigger;
    if (!loy_template_exists(&app->prog->messages, tmpl))
        return loy_err_set(err, LOY_EINVALID, "template",
                           "template: no template \"%s\" (a trigger's, or one of the programme's "
                           "messages.templates)",
                           tmpl);
    size_t klen = req->key ? strlen(req->key) : 0;
    if (klen == 0 || klen >= LOY_MSG_KEY_MAX)
        return loy_err_set(err, LOY_EINVALID, "key", "key: expected 1 to %d bytes",
                           LOY_MSG_KEY_MAX - 1);
    if (req->cls != LOY_MSG_MARKETING && req->cls != LOY_MSG_SERVICE)
        return loy_err_set(err, LOY_EINVALID, "class", "class: expected marketing or service");
    if (req->offer_reward && !loy_programme_reward(app->prog, req->offer_reward))
        return loy_err_set(err, LOY_EINVALID, "offer", "offer: unknown reward \"%s\"",
                           req->offer_reward);
    if (req->variant && strlen(req->variant) > 63)
        return loy_err_set(err, LOY_EINVALID, "variant", "variant: at most 63 bytes");
    int rc = check_vars(req->vars, err);
    if (rc) return rc;
    loy_member_row m;
    rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, req->member_id, &m, err);
    if (rc == LOY_ENOTFOUND)
        return loy_err_set(err, rc, "member", "member: no member %lld", (long long)req->member_id);
    if (rc) return rc;
    loy_message_row row;
    memset(&row, 0, sizeof(row));
    row.merchant_id = app->merchant;
    row.member_id = m.id;
    snprintf(row.trigger, sizeof(row.trigger), "%s", req->trigger);
    snprintf(row.template_id, sizeof(row.template_id), "%s", tmpl);
    snprintf(row.key, sizeof(row.key), "%s", req->key);
    snprintf(row.cls, sizeof(row.cls), "%s", req->cls == LOY_MSG_SERVICE ? "service" : "marketing");
    snprintf(row.locale, sizeof(row.locale), "%s", m.locale);
    row.campaign_id = req->campaign_id;
    snprintf(row.variant, sizeof(row.variant), "%s", req->variant ? req->variant : "");
    snprintf(row.offer_reward, sizeof(row.offer_reward), "%s",
             req->offer_reward ? req->offer_reward : "");
    row.vars = req->vars ? loy_json_dump(req->vars, true, NULL) : NULL;
    row.created_at = now;
    row.next_at = req->not_before > now ? req->not_before : now;
    /* nobody to write to: recorded as skipped so reports count it, never sent */
    const char *reach = loy_app_message_channel(&m);
    snprintf(row.status, sizeof(row.status), "%s", reach ? "queued" : "skipped");
    if (!reach)
        snprintf(row.reason, sizeof(row.reason), "%s", m.erased_at ? "erased" : "no_consent");
    bool inserted = false;
    if (req->vars && !row.vars)
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    else
        rc = loy_store_message_insert(&app->conn, &row, &inserted, err);
    *queued = !rc && inserted && reach;
    loy_message_row_free(&row);
    loy_member_row_free(&m);
    return rc;
}

static const char *const enqueue_fields[] = {"member", "trigger", "template",   "key", "class",
                                             "offer",  "vars",    "not_before", NULL};

int loy_app_message_enqueue(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    char ref[256], key[LOY_MSG_KEY_MAX];
    const char *trigger = NULL, *tmpl = NULL, *k = NULL, *cls = NULL, *offer = NULL,
               *not_before = NULL;
    int rc = loy_req_object(req, enqueue_fields, err);
    if (!rc) rc = loy_req_member_ref(req, "member", ref, sizeof(ref), err);
    if (!rc) rc = loy_req_str(req, "trigger", true, 47, &trigger, err);
    if (!rc) rc = loy_req_str(req, "template", false, 47, &tmpl, err);
    if (!rc) rc = loy_req_str(req, "key", false, LOY_MSG_KEY_MAX - 1, &k, err);
    if (!rc) rc = loy_req_str(req, "class", false, 16, &cls, err);
    if (!rc) rc = loy_req_str(req, "offer", false, 47, &offer, err);
    if (!rc) rc = loy_req_str(req, "not_before", false, 40, &not_before, err);
    if (rc) return rc;
    loy_msg_req r = {.trigger = trigger,
                     .template_id = tmpl,
                     .offer_reward = offer,
                     .vars = json_object_get(req, "vars")};
    if (cls && !strcmp(cls, "service"))
        r.cls = LOY_MSG_SERVICE;
    else if (cls && strcmp(cls, "marketing"))
        return loy_err_set(err, LOY_EINVALID, "class",
                           "class: expected \"marketing\" or \"service\", got \"%s\"", cls);
    if (not_before && !loy_time_parse(not_before, &r.not_before))
        return loy_err_set(err, LOY_EINVALID, "not_before",
                           "not_before: expected an ISO 8601 time like \"2026-11-23T09:00:00Z\", "
                           "got \"%s\"",
                           not_before);
    if (!k) {
        char token[24];
        if (loy_random_token(token, sizeof(token), 80))
            return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
        snprintf(key, sizeof(key), "manual:%s", token);
    } else
        snprintf(key, sizeof(key), "%s", k);
    r.key = key;
    int64_t now = loy_app_now(app);
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    loy_message_row row;
    memset(&row, 0, sizeof(row));
    bool queued = false;
    rc = loy_app_resolve_member(app, ref, &m, err);
    r.member_id = m.id;
    if (!rc) rc = loy_app_message_queue(app, &r, now, &queued, err);
    if (!rc) rc = loy_store_message_find(&app->conn, app->merchant, m.id, trigger, key, &row, err);
    if (!rc && queued) {
        json_t *d = json_pack("{s:s, s:s, s:s}", "trigger", trigger, "key", key, "class", row.cls);
        char *detail = d ? loy_json_dump(d, false, NULL) : NULL;
        json_decref(d);
        rc = detail ? loy_store_audit(&app->conn, app->merchant, app->actor, "message.queue",
                                      "member", m.id, NULL, detail, now, NULL, err)
                    : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(detail);
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc)
        loy_db_rollback(&app->conn);
    else
        *resp = json_pack("{s:b, s:o}", "queued", queued, "message", message_json(&row));
    loy_message_row_free(&row);
    loy_member_row_free(&m);
    return rc;
}

struct list_ctx {
    json_t *arr;
};

static void add_message(void *ctx, const loy_message_row *m)
{
    json_array_append_new(((struct list_ctx *)ctx)->arr, message_json(m));
}

int loy_app_messages_list(loy_app *app, const char *member_ref, const char *status, int64_t before,
                          int limit, json_t **resp, loy_err *err)
{
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    if (limit < 1 || limit > 500)
        return loy_err_set(err, LOY_EINVALID, "limit", "limit: expected 1 to 500, got %d", limit);
    if (status) {
        bool ok = false;
        for (size_t i = 0; statuses[i]; i++) ok |= !strcmp(statuses[i], status);
        if (!ok)
            return loy_err_set(err, LOY_EINVALID, "status",
                               "status: expected queued, sending, sent, failed, skipped or "
                               "uncertain, got \"%s\"",
                               status);
    }
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    int64_t member = 0;
    if (member_ref) {
        loy_member_row m;
        rc = loy_app_resolve_member(app, member_ref, &m, err);
        if (!rc) {
            member = m.id;
            loy_member_row_free(&m);
        }
    }
    struct list_ctx l = {json_array()};
    if (!rc)
        rc = loy_store_message_list(&app->conn, app->merchant, member, status, before, limit,
                                    add_message, &l, err);
    loy_db_rollback(&app->conn);
    if (rc) {
        json_decref(l.arr);
        return rc;
    }
    *resp = json_pack("{s:o, s:o}", "messages", l.arr, "next_before", loy_json_next(l.arr, limit));
    return 0;
}

static const char *const preview_fields[] = {"member", "trigger", "template", "lang",
                                             "offer",  "vars",    NULL};

int loy_app_message_preview(loy_app *app, const json_t *req, const char *public_url, json_t **resp,
                            loy_err *err)
{
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    char ref[256];
    const char *trigger = NULL, *tmpl = NULL, *lang = NULL, *offer = NULL;
    int rc = loy_req_object(req, preview_fields, err);
    if (!rc) rc = loy_req_member_ref(req, "member", ref, sizeof(ref), err);
    if (!rc) rc = loy_req_str(req, "trigger", true, 47, &trigger, err);
    if (!rc) rc = loy_req_str(req, "template", false, 47, &tmpl, err);
    if (!rc) rc = loy_req_str(req, "lang", false, 3, &lang, err);
    if (!rc) rc = loy_req_str(req, "offer", false, 47, &offer, err);
    if (!rc) rc = check_vars(json_object_get(req, "vars"), err);
    if (rc) return rc;
    if (!loy_msg_trigger_known(trigger))
        return loy_err_set(err, LOY_EINVALID, "trigger", "trigger: unknown trigger \"%s\"",
                           trigger);
    if (!tmpl) tmpl = trigger;
    if (!loy_template_exists(&app->prog->messages, tmpl))
        return loy_err_set(err, LOY_EINVALID, "template", "template: no template \"%s\"", tmpl);
    if (lang && (strlen(lang) < 2 || strspn(lang, "abcdefghijklmnopqrstuvwxyz") != strlen(lang)))
        return loy_err_set(err, LOY_EINVALID, "lang",
                           "lang: expected a language code like \"en\" or \"bn\", got \"%s\"",
                           lang);
    const loy_reward *rw = offer ? loy_programme_reward(app->prog, offer) : NULL;
    if (offer && !rw)
        return loy_err_set(err, LOY_EINVALID, "offer", "offer: unknown reward \"%s\"", offer);
    loy_member_row m;
    if ((rc = loy_app_resolve_member(app, ref, &m, err))) return rc;
    char path[LOY_UNSUB_PATH_MAX] = "";
    int64_t now = loy_app_now(app);
    loy_rendered r;
    memset(&r, 0, sizeof(r));
    rc = m.erased_at ? 0 : loy_app_unsub_path(app, m.id, path, err); /* outside any transaction */
    if (!rc) rc = loy_db_begin(&app->conn, false, err);
    if (rc) {
        loy_member_row_free(&m);
        return rc;
    }
    char used[8];
    loy_template_lang(&app->prog->messages, tmpl, lang ? lang : m.locale, app->prog->locale, used);
    loy_voucher_row v = {0};
    if (rw) {
        snprintf(v.reward, sizeof(v.reward), "%s", rw->id);
        snprintf(v.short_code, sizeof(v.short_code), "PREVIEW");
        v.expires_at = now + rw->voucher_days * LOY_DAY;
    }
    rc = loy_app_message_render(app, &m, tmpl, used, json_object_get(req, "vars"), rw ? &v : NULL,
                                public_url, path, now, &r, err);
    loy_db_rollback(&app->conn);
    if (!rc) {
        const char *reach = loy_app_message_channel(&m);
        *resp = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "member_id", (json_int_t)m.id,
                          "trigger", trigger, "template", tmpl, "lang", r.lang, "channel",
                          reach ? json_string(strcmp(reach, "email") ? "webhook" : "email")
                                : json_null(),
                          "subject", r.subject, "text", r.text, "html", r.html);
    }
    loy_rendered_free(&r);
    loy_member_row_free(&m);
    return rc;
}
