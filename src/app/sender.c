/* The message sender (app/sender.h): per message, one transaction decides (consent, erasure,
 * frequency cap, quiet hours), issues the offer, renders and claims; the SMTP conversation runs
 * outside any transaction; a second transaction records the outcome. Messages for the webhook
 * channel are handed to the outbox in the deciding transaction itself. */
#include "app/sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "app/messages.h"
#include "app/unsub.h"
#include "core/money.h"
#include "engage/mime.h"
#include "engage/webhook.h"
#include "store/store_message.h"
#include "util/jdump.h"
#include "util/rand.h"

#define REASON_CRASH                                                                               \
    "crash: the sender stopped after claiming it and before recording the result; it may have "    \
    "been delivered, so it is not sent again"

const char *loy_app_message_channel(const loy_member_row *m)
{
    if (!m || m->erased_at) return NULL;
    if (m->email && *m->email && m->consent_email) return "email";
    if (m->phone && *m->phone && m->consent_sms) return "sms";
    return NULL;
}

/* ---- rendering ---- */

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v) json_object_set_new(o, k, json_string(v));
}

static void join_url(char *out, size_t n, const char *base, const char *path)
{
    size_t bl = base ? strlen(base) : 0;
    while (bl > 0 && base[bl - 1] == '/') bl--;
    snprintf(out, n, "%.*s%s", (int)bl, base ? base : "", path);
}

int loy_app_message_render(loy_app *app, const loy_member_row *m, const char *template_id,
                           const char *lang, const json_t *vars, const loy_voucher_row *offer,
                           const char *public_url, const char *unsub_path, int64_t now,
                           loy_rendered *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    const loy_programme *p = app->prog;
    loy_loaded l = {0};
    int rc = loy_app_load_id(app, m->id, false, now, &l, err);
    if (rc) return rc;
    char *favourite = NULL;
    if (!m->erased_at && (rc = loy_store_member_favourite(&app->conn, m->id, &favourite, err))) {
        loy_loaded_free(&l);
        return rc;
    }
    json_t *v = json_object();
    char first[256], buf[512];
    loy_first_name(m->name ? m->name : "", first, sizeof(first));
    set_str(v, "first_name", first);
    set_str(v, "shop", app->merchant_row.name);
    if (p->has_points) json_object_set_new(v, "balance", json_integer(l.st.points));
    if (p->has_stamps && p->card_size > 0) {
        int64_t on = l.st.stamps % p->card_size;
        json_object_set_new(v, "stamps", json_integer(on));
        json_object_set_new(v, "stamps_left", json_integer(p->card_size - on));
    }
    if (p->has_tiers && p->nlevels) {
        int cur = loy_programme_level_index(p, l.st.tier);
        if (cur < 0) cur = 0;
        set_str(v, "tier", loy_names_get(&p->levels[cur].name, lang));
        if ((size_t)cur + 1 < p->nlevels) {
            const loy_tier_level *nx = &p->levels[cur + 1];
            set_str(v, "next_tier", loy_names_get(&nx->name, lang));
            int64_t left = nx->threshold - l.st.qualifying;
            if (p->tier_basis == LOY_TIER_SPEND && left > 0) {
                loy_money_display(buf, sizeof(buf), left, app->merchant_row.currency);
                set_str(v, "spend_to_next_tier", buf);
            }
        }
    }
    loy_ctx ctx = loy_app_ctx(app, now);
    for (size_t i = 0; i < p->nrewards; i++) { /* the first reward they can redeem now */
        int64_t issued = 0;
        if (p->rewards[i].stock >= 0 &&
            loy_store_stock_issued(&app->conn, app->merchant, p->rewards[i].id, &issued, err))
            continue;
        loy_err why;
        if (!loy_engine_reward_block(&ctx, &l.st, &p->rewards[i], issued, &why)) {
            set_str(v, "reward", loy_names_get(&p->rewards[i].name, lang));
            break;
        }
    }
    const loy_tz *tz = loy_app_member_tz(app, m);
    int64_t first_at = 0,
            expiring = loy_engine_expiring(&ctx, &l.st, p->expiring_notice_days, &first_at);
    if (expiring > 0 && first_at) {
        json_object_set_new(v, "points_expiring", json_integer(expiring));
        loy_template_date(buf, sizeof(buf), loy_day_of(loy_tz_local(tz, first_at)), lang);
        set_str(v, "expiry_date", buf);
    }
    set_str(v, "favourite", favourite);
    if (p->has_giving) {
        loy_money_display(buf, sizeof(buf), l.st.giving, app->merchant_row.currency);
        set_str(v, "giving", buf);
    }
    char path[96];
    snprintf(path, sizeof(path), "/c/%s", m->card_token);
    join_url(buf, sizeof(buf), public_url, path);
    set_str(v, "card_url", buf);
    if (unsub_path && *unsub_path) {
        join_url(buf, sizeof(buf), public_url, unsub_path);
        set_str(v, "unsubscribe_url", buf);
    }
    set_str(v, "postal_address", p->messages.postal_address);
    if (offer) {
        const loy_reward *rw = loy_programme_reward(p, offer->reward);
        set_str(v, "offer", rw ? loy_names_get(&rw->name, lang) : offer->reward);
        set_str(v, "offer_code", offer->short_code);
        if (offer->expires_at) {
            loy_template_date(buf, sizeof(buf), loy_day_of(loy_tz_local(tz, offer->expires_at)),
                              lang);
            set_str(v, "offer_expires", buf);
        }
    }
    /* the request's variables add to the member's, never replace them; a link given as a path
     * ("survey_url": "/f/TOKEN") is made absolute with the public URL, as the card's is */
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)vars, k, x)
    {
        if (json_object_get(v, k)) continue;
        size_t kl = strlen(k);
        const char *sv = json_string_value(x);
        if (sv && sv[0] == '/' && kl > 4 && !strcmp(k + kl - 4, "_url")) {
            join_url(buf, sizeof(buf), public_url, sv);
            set_str(v, k, buf);
        } else
            json_object_set(v, k, x);
    }
    rc = loy_template_render(&p->messages, template_id, lang, v, out, err);
    json_decref(v);
    free(favourite);
    loy_loaded_free(&l);
    return rc;
}

/* ---- sending ---- */

typedef enum { DONE, SEND_EMAIL } step;

typedef struct {
    loy_message_row msg;
    char envelope[LOY_MSG_ADDR_MAX], to_addr[LOY_MSG_ADDR_MAX];
    char *mime; /* the whole message, when SEND_EMAIL */
    size_t mime_len;
} job;

static bool fault(const char *name)
{
    const char *f = getenv("LOYALTY_FAULT");
    return f && !strcmp(f, name);
}

/* 0 when `now` is outside the quiet hours in zone tz, else the UTC instant they end. */
static int64_t quiet_until(const loy_msg_settings *s, const loy_tz *tz, int64_t now)
{
    if (s->quiet_from < 0 || s->quiet_to < 0) return 0;
    int64_t local = loy_tz_local(tz, now), day = loy_day_of(local);
    int minute = (int)((local - day * LOY_DAY) / 60);
    bool in = s->quiet_from < s->quiet_to ? minute >= s->quiet_from && minute < s->quiet_to
                                          : minute >= s->quiet_from || minute < s->quiet_to;
    if (!in) return 0;
    int64_t end_day = minute < s->quiet_to ? day : day + 1;
    return loy_tz_to_utc(tz, end_day * LOY_DAY + (int64_t)s->quiet_to * 60);
}

static void set_reason(loy_message_row *m, const char *status, const char *reason)
{
    snprintf(m->status, sizeof(m->status), "%s", status);
    snprintf(m->reason, sizeof(m->reason), "%s", reason ? reason : "");
}

/* The offer's voucher, issued once (free: no points, one unit of stock), audited; at a later
 * attempt the same voucher again. A reward gone from the programme or sold out leaves the message
 * without its offer. */
static int issue_offer(loy_app *app, loy_message_row *msg, int64_t now, loy_voucher_row *v,
                       bool *have, loy_err *err)
{
    *have = false;
    if (!msg->offer_reward[0]) return 0;
    if (msg->voucher_id) {
        char code[48];
        int rc = loy_store_message_voucher_code(&app->conn, app->merchant, msg->voucher_id, code,
                                                sizeof(code), err);
        if (!rc) rc = loy_store_voucher_get(&app->conn, app->merchant, code, v, err);
        *have = rc == 0;
        return rc;
    }
    const loy_reward *rw = loy_programme_reward(app->prog, msg->offer_reward);
    if (!rw) return 0;
    int rc = loy_store_stock_take(&app->conn, app->merchant, rw->id, rw->stock, err);
    if (rc == LOY_EREFUSED) {
        loy_err_clear(err);
        return 0;
    }
    if (!rc)
        rc = loy_app_voucher_new(app, msg->member_id, rw->id, now, now + rw->voucher_days * LOY_DAY,
                                 v, err);
    if (!rc) {
        char detail[160];
        snprintf(detail, sizeof(detail), "{\"message_id\":%lld,\"reward\":\"%s\"}",
                 (long long)msg->id, rw->id);
        rc = loy_store_audit(&app->conn, app->merchant, "system:messages", "voucher.offer",
                             "voucher", v->id, NULL, detail, now, NULL, err);
    }
    if (rc) return rc;
    msg->voucher_id = v->id;
    *have = true;
    return 0;
}

static void job_free(job *j)
{
    loy_message_row_free(&j->msg);
    free(j->mime);
    j->mime = NULL;
}

/* The address of a "Name <addr>" or bare setting ("" when it is not one). */
static void addr_of(const char *text, char addr[LOY_MSG_ADDR_MAX])
{
    char name[LOY_MSG_NAME_MAX];
    if (!text || !loy_msg_address_parse(text, name, addr)) addr[0] = '\0';
}

/* The webhook channel: a message.send event with the rendered message for the integrator. */
static int hand_to_webhooks(loy_app *app, loy_message_row *msg, const loy_member_row *m,
                            const loy_rendered *r, const char *unsub_url,
                            const loy_voucher_row *offer, int64_t now, loy_err *err)
{
    json_t *d = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "message_id",
        (json_int_t)msg->id, "member_id", (json_int_t)m->id, "channel", "sms", "to", m->phone,
        "locale", r->lang, "trigger", msg->trigger, "template", msg->template_id, "class", msg->cls,
        "subject", r->subject, "text", r->text, "unsubscribe_url", unsub_url[0] ? unsub_url : NULL,
        "offer_code", offer ? offer->short_code : NULL);
    char *payload = d ? loy_json_dump(d, false, NULL) : NULL;
    json_decref(d);
    if (!payload) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc =
        loy_store_outbox_add(&app->conn, app->merchant, "message.send", m->id, payload, now, err);
    free(payload);
    if (!rc)
        rc = loy_store_outbox_last(&app->conn, app->merchant, "message.send", m->id,
                                   &msg->outbox_id, err);
    return rc;
}

/* Decides what happens to the due message j->msg inside the open write transaction and writes
 * it: skipped, postponed, failed, or handed to the webhooks (*next = DONE); or claimed for the
 * SMTP server with its MIME bytes in j (*next = SEND_EMAIL). */
static int prepare(loy_app *app, const loy_sender_config *cfg, job *j, int64_t now,
                   loy_sender_stats *st, step *next, loy_err *err)
{
    *next = DONE;
    loy_message_row *msg = &j->msg;
    const loy_msg_settings *ms = &app->prog->messages;
    char envelope[LOY_MSG_ADDR_MAX], from_addr[LOY_MSG_ADDR_MAX];
    addr_of(cfg->mail_from, envelope);
    snprintf(from_addr, sizeof(from_addr), "%s", ms->from_addr[0] ? ms->from_addr : envelope);
    if (!envelope[0]) snprintf(envelope, sizeof(envelope), "%s", from_addr);
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    loy_rendered r;
    memset(&r, 0, sizeof(r));
    json_t *vars = NULL;
    int rc =
        loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, msg->member_id, &m, err);
    const char *skip = NULL;
    bool webhook = false;
    if (rc == LOY_ENOTFOUND) {
        loy_err_clear(err);
        rc = 0;
        skip = "member_not_found";
    }
    if (rc) goto done;
    const char *reach = skip ? NULL : loy_app_message_channel(&m);
    if (!skip && now - msg->next_at > LOY_MSG_MAX_LATE)
        skip = "stale"; /* its moment has passed: a welcome or a birthday wish days late is noise */
    else if (!skip && m.erased_at)
        skip = "erased";
    else if (!skip && !reach)
        skip = "no_consent"; /* withdrawn since it was queued */
    else if (!skip && !strcmp(reach, "sms")) {
        bool receives = false;
        rc = loy_store_webhook_receives(&app->conn, app->merchant, "message.send", &receives, err);
        if (rc) goto done;
        if (!receives) skip = "no_channel"; /* SMS consent, but no integrator takes message.send */
        webhook = true;
    }
    if (!skip && !strcmp(msg->cls, "marketing") && ms->cap_messages > 0) {
        int64_t n = 0;
        rc = loy_store_message_marketing_since(&app->conn, m.id, now - ms->cap_days * LOY_DAY, &n,
                                               err);
        if (rc) goto done;
        if (n >= ms->cap_messages) skip = "cap";
    }
    if (skip) {
        set_reason(msg, "skipped", skip);
        st->skipped++;
        rc = loy_store_message_update(&app->conn, msg, "queued", err);
        goto done;
    }
    int64_t until = quiet_until(ms, loy_app_member_tz(app, &m), now);
    bool no_server = !webhook && (!cfg->smtp.url || !*cfg->smtp.url || !envelope[0]);
    if (until > now || no_server) { /* postponed, not dropped */
        msg->next_at = until > now ? until : now + LOY_MSG_NO_SMTP_WAIT;
        set_reason(msg, "queued", until > now ? "quiet_hours" : "smtp_not_configured");
        st->postponed++;
        rc = loy_store_message_update(&app->conn, msg, "queued", err);
        goto done;
    }
    char lang[8];
    loy_template_lang(ms, msg->template_id, m.locale, app->prog->locale, lang);
    snprintf(msg->locale, sizeof(msg->locale), "%s", lang);
    loy_voucher_row v;
    bool offer = false;
    if ((rc = issue_offer(app, msg, now, &v, &offer, err))) goto done;
    char path[LOY_UNSUB_PATH_MAX], unsub_url[512] = "";
    if ((rc = loy_app_unsub_path(app, m.id, path, err))) goto done;
    join_url(unsub_url, sizeof(unsub_url), cfg->public_url, path);
    vars = json_loads(msg->vars ? msg->vars : "{}", 0, NULL);
    rc = loy_app_message_render(app, &m, msg->template_id, lang, vars, offer ? &v : NULL,
                                cfg->public_url, path, now, &r, err);
    if (rc == LOY_EINVALID || rc == LOY_ENOTFOUND) { /* the owner's template changed meanwhile */
        char why[256];
        snprintf(why, sizeof(why), "template: %s", err->message);
        loy_err_clear(err);
        set_reason(msg, "failed", why);
        st->failed++;
        rc = loy_store_message_update(&app->conn, msg, "queued", err);
        goto done;
    }
    if (rc) goto done;
    msg->attempts++;
    msg->claimed_at = now;
    if (webhook) {
        snprintf(msg->channel, sizeof(msg->channel), "webhook");
        if ((rc = hand_to_webhooks(app, msg, &m, &r, unsub_url, offer ? &v : NULL, now, err)))
            goto done;
        set_reason(msg, "sent", NULL);
        msg->sent_at = now;
        st->webhook++;
        rc = loy_store_message_update(&app->conn, msg, "queued", err);
        goto done;
    }
    snprintf(msg->channel, sizeof(msg->channel), "email");
    if (!msg->smtp_message_id[0]) { /* the same Message-ID on every attempt */
        char token[24];
        if (loy_random_token(token, sizeof(token), 80)) {
            rc = loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
            goto done;
        }
        const char *at = strchr(from_addr, '@');
        snprintf(msg->smtp_message_id, sizeof(msg->smtp_message_id), "loyalty.%lld.%s@%s",
                 (long long)msg->id, token, at ? at + 1 : "localhost");
    }
    snprintf(j->to_addr, sizeof(j->to_addr), "%s", m.email);
    loy_mime_msg mm = {.from_name = ms->from_name[0] ? ms->from_name : app->merchant_row.name,
                       .from_addr = from_addr,
                       .to_name = m.name,
                       .to_addr = m.email,
                       .subject = r.subject,
                       .text = r.text,
                       .html = r.html,
                       .lang = r.lang,
                       .message_id = msg->smtp_message_id,
                       .date = now,
                       .unsubscribe_url = unsub_url};
    loy_err merr;
    if (loy_mime_build(&mm, &j->mime, &j->mime_len, &merr)) {
        char why[300];
        snprintf(why, sizeof(why), "address: %s", merr.message);
        set_reason(msg, "failed", why);
        st->failed++;
        rc = loy_store_message_update(&app->conn, msg, "queued", err);
        goto done;
    }
    snprintf(j->envelope, sizeof(j->envelope), "%s", envelope);
    set_reason(msg, "sending", NULL);
    rc = loy_store_message_update(&app->conn, msg, "queued", err);
    if (!rc) *next = SEND_EMAIL;
done:
    json_decref(vars);
    loy_rendered_free(&r);
    loy_member_row_free(&m);
    return rc;
}

/* Records the SMTP outcome of a claimed message in its own transaction. A claim already
 * declared uncertain by another sender (its lease ran out) keeps that state. */
static int record(loy_app *app, job *j, const loy_smtp_result *res, int64_t now,
                  loy_sender_stats *st, loy_err *err)
{
    loy_message_row *msg = &j->msg;
    char why[320];
    switch (res->outcome) {
    case LOY_SMTP_SENT:
        set_reason(msg, "sent", NULL);
        msg->sent_at = now;
        st->sent++;
        break;
    case LOY_SMTP_TEMPORARY:
        if (msg->attempts >= LOY_MSG_MAX_ATTEMPTS) {
            snprintf(why, sizeof(why), "smtp_temporary: gave up after %lld attempts: %s",
                     (long long)msg->attempts, res->error);
            set_reason(msg, "failed", why);
            st->failed++;
        } else {
            snprintf(why, sizeof(why), "smtp_temporary: %s", res->error);
            set_reason(msg, "queued", why);
            msg->next_at = now + loy_webhook_backoff((int)msg->attempts);
            st->retrying++;
        }
        break;
    case LOY_SMTP_PERMANENT:
        snprintf(why, sizeof(why), "smtp_permanent: %s", res->error);
        set_reason(msg, "failed", why);
        st->failed++;
        break;
    case LOY_SMTP_UNKNOWN:
        snprintf(why, sizeof(why),
                 "connection_lost: the whole message was handed over but no answer came back (%s); "
                 "it may have been delivered, so it is not sent again",
                 res->error);
        set_reason(msg, "uncertain", why);
        st->uncertain++;
        break;
    }
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_store_message_update(&app->conn, msg, "sending", err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        if (rc == LOY_ECONFLICT) {
            loy_err_clear(err);
            return 0;
        }
    }
    return rc;
}

int loy_app_messages_send(loy_app *app, const loy_sender_config *cfg, int max, int64_t now,
                          loy_sender_stats *stats, loy_err *err)
{
    loy_sender_stats st = {0};
    if (stats) *stats = st;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    if (max < 1 || max > LOY_MSG_SEND_MAX)
        return loy_err_set(err, LOY_EINVALID, "max", "max: expected 1 to %d, got %d",
                           LOY_MSG_SEND_MAX, max);
    long timeout = cfg->smtp.timeout_ms > 0 ? cfg->smtp.timeout_ms : LOY_SMTP_TIMEOUT_MS;
    int64_t lease = cfg->lease > 0 ? cfg->lease : 60 + 2 * (timeout / 1000);
    /* nothing is touched when nothing can be delivered: no SMTP server and no integrator taking
     * message.send (email messages wait for a server, untouched) */
    char envelope[LOY_MSG_ADDR_MAX];
    addr_of(cfg->mail_from, envelope);
    bool email =
        cfg->smtp.url && *cfg->smtp.url && (envelope[0] || app->prog->messages.from_addr[0]);
    bool hooks = false;
    int rc = loy_db_begin(&app->conn, false, err);
    if (!rc)
        rc = loy_store_webhook_receives(&app->conn, app->merchant, "message.send", &hooks, err);
    loy_db_rollback(&app->conn);
    if (rc || (!email && !hooks)) return rc;
    /* 1. claims older than the lease: their sender died between claim and record */
    int64_t abandoned = 0;
    rc = loy_db_begin(&app->conn, true, err);
    if (!rc)
        rc = loy_store_message_abandon(&app->conn, app->merchant, now - lease, REASON_CRASH,
                                       &abandoned, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    st.uncertain += (int)abandoned;
    loy_smtp_client *cl = NULL;
    if (email && (rc = loy_smtp_client_new(&cl, &cfg->smtp, err))) return rc;
    for (int i = 0; i < max && !rc; i++) {
        job j;
        memset(&j, 0, sizeof(j));
        step next = DONE;
        /* 2. decide and claim in one transaction */
        if ((rc = loy_db_begin(&app->conn, true, err))) break;
        rc = loy_store_message_due(&app->conn, app->merchant, now, email, &j.msg, err);
        if (rc == LOY_ENOTFOUND) {
            loy_db_rollback(&app->conn);
            loy_err_clear(err);
            rc = 0;
            job_free(&j);
            break;
        }
        if (!rc) rc = prepare(app, cfg, &j, now, &st, &next, err);
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) {
            loy_db_rollback(&app->conn);
            job_free(&j);
            break;
        }
        /* 3. the SMTP conversation, outside any transaction; 4. its outcome */
        if (next == SEND_EMAIL) {
            if (fault("before_smtp_send")) _exit(75);
            loy_smtp_result res;
            loy_smtp_send(cl, j.envelope, j.to_addr, j.mime, j.mime_len, &res);
            if (res.outcome == LOY_SMTP_SENT && fault("after_smtp_send")) _exit(75);
            rc = record(app, &j, &res, now, &st, err);
        }
        job_free(&j);
    }
    loy_smtp_client_free(cl);
    if (stats) *stats = st;
    return rc;
}
