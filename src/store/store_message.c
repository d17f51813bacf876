/* The message outbox: insert once per key, the due message, state changes guarded by the
 * expected status, abandoned claims, the frequency cap's count, the list (store_message.h). */
#include "store/store_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_COLS                                                                               \
    "id, merchant_id, member_id, trigger, template, key, class, coalesce(channel, ''), locale, "   \
    "coalesce(campaign_id, 0), coalesce(variant, ''), coalesce(offer_reward, ''), vars, status, "  \
    "coalesce(reason, ''), attempts, next_at, created_at, coalesce(claimed_at, 0), "               \
    "coalesce(sent_at, 0), coalesce(smtp_message_id, ''), coalesce(voucher_id, 0), "               \
    "coalesce(outbox_id, 0)"

void loy_message_row_free(loy_message_row *m)
{
    if (!m) return;
    free(m->vars);
    m->vars = NULL;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void read_row(loy_conn *c, loy_stmt *st, loy_message_row *m)
{
    memset(m, 0, sizeof(*m));
    m->id = loy_db_int(c, st, 0);
    m->merchant_id = loy_db_int(c, st, 1);
    m->member_id = loy_db_int(c, st, 2);
    copy(m->trigger, sizeof(m->trigger), loy_db_text(c, st, 3));
    copy(m->template_id, sizeof(m->template_id), loy_db_text(c, st, 4));
    copy(m->key, sizeof(m->key), loy_db_text(c, st, 5));
    copy(m->cls, sizeof(m->cls), loy_db_text(c, st, 6));
    copy(m->channel, sizeof(m->channel), loy_db_text(c, st, 7));
    copy(m->locale, sizeof(m->locale), loy_db_text(c, st, 8));
    m->campaign_id = loy_db_int(c, st, 9);
    copy(m->variant, sizeof(m->variant), loy_db_text(c, st, 10));
    copy(m->offer_reward, sizeof(m->offer_reward), loy_db_text(c, st, 11));
    const char *vars = loy_db_text(c, st, 12);
    m->vars = strdup(vars ? vars : "{}");
    copy(m->status, sizeof(m->status), loy_db_text(c, st, 13));
    copy(m->reason, sizeof(m->reason), loy_db_text(c, st, 14));
    m->attempts = loy_db_int(c, st, 15);
    m->next_at = loy_db_int(c, st, 16);
    m->created_at = loy_db_int(c, st, 17);
    m->claimed_at = loy_db_int(c, st, 18);
    m->sent_at = loy_db_int(c, st, 19);
    copy(m->smtp_message_id, sizeof(m->smtp_message_id), loy_db_text(c, st, 20));
    m->voucher_id = loy_db_int(c, st, 21);
    m->outbox_id = loy_db_int(c, st, 22);
}

static const char *null_if_empty(const char *s)
{
    return s && *s ? s : NULL;
}

int loy_store_message_insert(loy_conn *c, loy_message_row *m, bool *inserted, loy_err *err)
{
    *inserted = false;
    int rc = loy_db_run(
        c, err,
        "INSERT INTO messages(merchant_id, member_id, trigger, template, key, class, channel, "
        "locale, campaign_id, variant, offer_reward, vars, status, reason, attempts, next_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (merchant_id, member_id, trigger, key) DO NOTHING",
        "iitttttt"
        "itttt"
        "tiii",
        m->merchant_id, m->member_id, m->trigger, m->template_id, m->key, m->cls,
        null_if_empty(m->channel), m->locale, m->campaign_id, null_if_empty(m->variant),
        null_if_empty(m->offer_reward), m->vars ? m->vars : "{}", m->status,
        null_if_empty(m->reason), m->attempts, m->next_at, m->created_at);
    if (rc || loy_db_changes(c) != 1) return rc;
    *inserted = true;
    return loy_db_scalar(c, &m->id, err,
                         "SELECT id FROM messages WHERE merchant_id = ? AND member_id = ? AND "
                         "trigger = ? AND key = ?",
                         "iitt", m->merchant_id, m->member_id, m->trigger, m->key);
}

static int get_one(loy_conn *c, loy_stmt *st, loy_message_row *out, const char *what, loy_err *err)
{
    int rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return loy_err_set(err, LOY_ENOTFOUND, "id", "%s", what);
    read_row(c, st, out);
    loy_db_done(c, st);
    if (!out->vars) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    return 0;
}

int loy_store_message_get(loy_conn *c, int64_t merchant, int64_t id, loy_message_row *out,
                          loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " MESSAGE_COLS " FROM messages WHERE merchant_id = ? AND id = ?",
                          "ii", merchant, id);
    return rc ? rc : get_one(c, st, out, "no such message", err);
}

int loy_store_message_find(loy_conn *c, int64_t merchant, int64_t member, const char *trigger,
                           const char *key, loy_message_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " MESSAGE_COLS " FROM messages WHERE merchant_id = ? AND "
                          "member_id = ? AND trigger = ? AND key = ?",
                          "iitt", merchant, member, trigger, key);
    return rc ? rc : get_one(c, st, out, "no such message", err);
}

int loy_store_message_due(loy_conn *c, int64_t merchant, int64_t now, bool email,
                          loy_message_row *out, loy_err *err)
{
    loy_stmt *st;
    int rc = email ? loy_db_query(c, &st, err,
                                  "SELECT " MESSAGE_COLS " FROM messages WHERE merchant_id = ? AND "
                                  "status = 'queued' AND next_at <= ? ORDER BY next_at, id LIMIT 1",
                                  "ii", merchant, now)
                   : loy_db_query(c, &st, err,
                                  "SELECT " MESSAGE_COLS " FROM messages WHERE merchant_id = ? AND "
                                  "status = 'queued' AND next_at <= ? AND member_id NOT IN "
                                  "(SELECT id FROM members WHERE merchant_id = ?1 AND "
                                  "consent_email = 1 AND coalesce(email, '') != '') "
                                  "ORDER BY next_at, id LIMIT 1",
                                  "ii", merchant, now);
    return rc ? rc : get_one(c, st, out, "no message is due", err);
}

int loy_store_message_update(loy_conn *c, const loy_message_row *m, const char *expect,
                             loy_err *err)
{
    int rc = loy_db_run(
        c, err,
        "UPDATE messages SET status = ?, reason = ?, channel = ?, locale = ?, attempts = ?, "
        "next_at = ?, claimed_at = nullif(?, 0), sent_at = nullif(?, 0), smtp_message_id = ?, "
        "voucher_id = nullif(?, 0), outbox_id = nullif(?, 0) "
        "WHERE merchant_id = ? AND id = ? AND status = ?",
        "tttt"
        "iiiit"
        "ii"
        "iit",
        m->status, null_if_empty(m->reason), null_if_empty(m->channel), m->locale, m->attempts,
        m->next_at, m->claimed_at, m->sent_at, null_if_empty(m->smtp_message_id), m->voucher_id,
        m->outbox_id, m->merchant_id, m->id, expect);
    if (rc) return rc;
    if (loy_db_changes(c) != 1)
        return loy_err_set(err, LOY_ECONFLICT, "id", "message %lld is no longer %s",
                           (long long)m->id, expect);
    return 0;
}

int loy_store_message_abandon(loy_conn *c, int64_t merchant, int64_t before, const char *reason,
                              int64_t *n, loy_err *err)
{
    *n = 0;
    int rc = loy_db_run(c, err,
                        "UPDATE messages SET status = 'uncertain', reason = ? WHERE "
                        "merchant_id = ? AND status = 'sending' AND claimed_at < ?",
                        "tii", reason, merchant, before);
    if (!rc) *n = loy_db_changes(c);
    return rc;
}

int loy_store_message_marketing_since(loy_conn *c, int64_t member, int64_t since, int64_t *n,
                                      loy_err *err)
{
    return loy_db_scalar(c, n, err,
                         "SELECT count(*) FROM messages WHERE member_id = ? AND "
                         "class = 'marketing' AND status IN ('sent', 'sending', 'uncertain') AND "
                         "coalesce(sent_at, claimed_at) >= ?",
                         "ii", member, since);
}

int loy_store_message_list(loy_conn *c, int64_t merchant, int64_t member, const char *status,
                           int64_t before, int limit,
                           void (*fn)(void *ctx, const loy_message_row *m), void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " MESSAGE_COLS " FROM messages WHERE merchant_id = ?1 AND "
                          "(?2 = 0 OR member_id = ?2) AND (?3 IS NULL OR status = ?3) AND "
                          "(?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?5",
                          "iitii", merchant, member, status, before, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_message_row m;
        read_row(c, st, &m);
        if (!m.vars) {
            loy_db_done(c, st);
            return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        }
        fn(ctx, &m);
        loy_message_row_free(&m);
    }
    return rc;
}

int loy_store_message_voucher_code(loy_conn *c, int64_t merchant, int64_t id, char *code, size_t n,
                                   loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "SELECT code FROM vouchers WHERE merchant_id = ? AND id = ?",
                          "ii", merchant, id);
    if (rc) return rc;
    if ((rc = loy_db_next(c, st, err)) < 0) return rc;
    if (rc == 0)
        return loy_err_set(err, LOY_ENOTFOUND, "voucher", "no voucher %lld", (long long)id);
    copy(code, n, loy_db_text(c, st, 0));
    loy_db_done(c, st);
    return 0;
}

int loy_store_webhook_receives(loy_conn *c, int64_t merchant, const char *kind, bool *out,
                               loy_err *err)
{
    int64_t n = 0;
    int rc = loy_db_scalar(c, &n, err,
                           "SELECT count(*) FROM webhooks w JOIN webhook_events e ON "
                           "e.webhook_id = w.id WHERE w.merchant_id = ? AND w.deleted_at IS NULL "
                           "AND e.kind = ?",
                           "it", merchant, kind);
    *out = n > 0;
    return rc;
}

int loy_store_outbox_last(loy_conn *c, int64_t merchant, const char *kind, int64_t member,
                          int64_t *id, loy_err *err)
{
    return loy_db_scalar(c, id, err,
                         "SELECT coalesce(max(id), 0) FROM outbox WHERE merchant_id = ? AND "
                         "kind = ? AND member_id = ?",
                         "iti", merchant, kind, member);
}
