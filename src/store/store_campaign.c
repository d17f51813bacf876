/* Campaigns and their members: drafts, the send's status changes, the audience, the arms, the
 * conversions worked out from the purchases, the counts per arm (see store_campaign.h). */
#include "store/store_campaign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAMPAIGN_COLS                                                                              \
    "c.id, c.merchant_id, c.name, c.template, c.audience, c.variants, c.holdout_percent, "         \
    "c.conversion_days, c.status, c.seed, c.created_at, c.created_by, c.sent_at, c.sent_by, "      \
    "c.finished_at, (SELECT count(*) FROM campaign_members cm WHERE cm.campaign_id = c.id)"

void loy_campaign_row_free(loy_campaign_row *c)
{
    if (!c) return;
    free(c->variants);
    c->variants = NULL;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void read_row(loy_conn *c, loy_stmt *st, loy_campaign_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = loy_db_int(c, st, 0);
    r->merchant_id = loy_db_int(c, st, 1);
    copy(r->name, sizeof(r->name), loy_db_text(c, st, 2));
    copy(r->template_id, sizeof(r->template_id), loy_db_text(c, st, 3));
    copy(r->audience, sizeof(r->audience), loy_db_text(c, st, 4));
    const char *v = loy_db_text(c, st, 5);
    r->variants = strdup(v ? v : "[]");
    r->holdout_percent = loy_db_int(c, st, 6);
    r->conversion_days = loy_db_int(c, st, 7);
    copy(r->status, sizeof(r->status), loy_db_text(c, st, 8));
    r->seed = loy_db_int(c, st, 9);
    r->created_at = loy_db_int(c, st, 10);
    copy(r->created_by, sizeof(r->created_by), loy_db_text(c, st, 11));
    r->sent_at = loy_db_int(c, st, 12);
    copy(r->sent_by, sizeof(r->sent_by), loy_db_text(c, st, 13));
    r->finished_at = loy_db_int(c, st, 14);
    r->members = loy_db_int(c, st, 15);
}

int loy_store_campaign_insert(loy_conn *c, loy_campaign_row *r, loy_err *err)
{
    int rc =
        loy_db_run(c, err,
                   "INSERT INTO campaigns(merchant_id, name, template, audience, variants, "
                   "holdout_percent, conversion_days, status, seed, created_at, created_by) "
                   "VALUES (?,?,?,?,?,?,?,'draft',?,?,?)",
                   "ittttiiiit", r->merchant_id, r->name, r->template_id, r->audience, r->variants,
                   r->holdout_percent, r->conversion_days, r->seed, r->created_at, r->created_by);
    if (rc == LOY_ECONFLICT)
        return loy_err_set(err, rc, "name", "name: the merchant has a campaign named \"%s\"",
                           r->name);
    if (!rc)
        rc = loy_db_scalar(c, &r->id, err,
                           "SELECT id FROM campaigns WHERE merchant_id = ? AND name = ?", "it",
                           r->merchant_id, r->name);
    if (!rc) copy(r->status, sizeof(r->status), "draft");
    return rc;
}

int loy_store_campaign_get(loy_conn *c, int64_t merchant, int64_t id, loy_campaign_row *out,
                           loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " CAMPAIGN_COLS
                          " FROM campaigns c WHERE c.merchant_id = ? AND c.id = ?",
                          "ii", merchant, id);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        read_row(c, st, out);
        loy_db_done(c, st);
        if (!out->variants) {
            loy_campaign_row_free(out);
            return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        }
        return 0;
    }
    return rc == 0 ? loy_err_set(err, LOY_ENOTFOUND, "id", "no campaign %lld", (long long)id) : rc;
}

int loy_store_campaign_list(loy_conn *c, int64_t merchant, int64_t before, int limit,
                            void (*fn)(void *ctx, const loy_campaign_row *r), void *ctx,
                            loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " CAMPAIGN_COLS
                          " FROM campaigns c WHERE c.merchant_id = ? AND (? = 0 OR c.id < ?) "
                          "ORDER BY c.id DESC LIMIT ?",
                          "iiii", merchant, before, before, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_campaign_row r;
        read_row(c, st, &r);
        fn(ctx, &r);
        loy_campaign_row_free(&r);
    }
    return rc;
}

int loy_store_campaign_begin_send(loy_conn *c, int64_t merchant, int64_t id, int64_t now,
                                  const char *actor, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE campaigns SET status = 'sending', sent_at = ?, sent_by = ? WHERE "
                        "merchant_id = ? AND id = ? AND status = 'draft'",
                        "itii", now, actor, merchant, id);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ECONFLICT, "status", "campaign %lld is no longer a draft",
                         (long long)id);
    return rc;
}

int loy_store_campaign_finish_send(loy_conn *c, int64_t merchant, int64_t id, int64_t now,
                                   bool *done, loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE campaigns SET status = 'sent', finished_at = ? WHERE "
                        "merchant_id = ? AND id = ? AND status = 'sending'",
                        "iii", now, merchant, id);
    *done = !rc && loy_db_changes(c) == 1;
    return rc;
}

static int audience_rows(loy_conn *c, loy_stmt *st, void (*fn)(void *ctx, int64_t member),
                         void *ctx, loy_err *err)
{
    int rc;
    while ((rc = loy_db_next(c, st, err)) == 1) fn(ctx, loy_db_int(c, st, 0));
    return rc;
}

int loy_store_campaign_audience(loy_conn *c, int64_t merchant, const char *kind, const char *tier,
                                int64_t days, int64_t at, void (*fn)(void *ctx, int64_t member),
                                void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc;
    if (!strcmp(kind, "all"))
        rc = loy_db_query(c, &st, err,
                          "SELECT id FROM members WHERE merchant_id = ? AND erased_at = 0 AND "
                          "joined_at <= ? ORDER BY id",
                          "ii", merchant, at);
    else if (!strcmp(kind, "tier"))
        rc = loy_db_query(c, &st, err,
                          "SELECT id FROM members WHERE merchant_id = ? AND erased_at = 0 AND "
                          "joined_at <= ? AND tier = ? ORDER BY id",
                          "iit", merchant, at, tier);
    else if (!strcmp(kind, "inactive")) {
        int64_t from = at - days * 86400;
        rc = loy_db_query(c, &st, err,
                          "SELECT m.id FROM members m WHERE m.merchant_id = ?1 AND m.erased_at = 0 "
                          "AND m.joined_at <= ?2 AND NOT EXISTS (SELECT 1 FROM purchases p WHERE "
                          "p.member_id = m.id AND p.occurred_at >= ?2 AND p.occurred_at < ?3 AND "
                          "p.refunded < p.amount) ORDER BY m.id",
                          "iii", merchant, from, at);
    } else
        return loy_err_set(err, LOY_EINVALID, "audience", "audience: unknown kind \"%s\"", kind);
    return rc ? rc : audience_rows(c, st, fn, ctx, err);
}

int loy_store_campaign_assign(loy_conn *c, int64_t merchant, int64_t campaign, int64_t member,
                              const char *arm, int64_t at, int64_t joined_by, bool *inserted,
                              loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "INSERT OR IGNORE INTO campaign_members(campaign_id, member_id, "
                        "merchant_id, arm, assigned_at) SELECT ?1, m.id, m.merchant_id, ?2, ?3 "
                        "FROM members m WHERE m.merchant_id = ?4 AND m.id = ?5 AND "
                        "m.erased_at = 0 AND m.joined_at <= ?6",
                        "itiiii", campaign, arm, at, merchant, member, joined_by);
    *inserted = !rc && loy_db_changes(c) == 1;
    return rc;
}

int loy_store_campaign_link_message(loy_conn *c, int64_t merchant, int64_t campaign, int64_t member,
                                    const char *key, loy_err *err)
{
    return loy_db_run(c, err,
                      "UPDATE campaign_members SET message_id = (SELECT id FROM messages WHERE "
                      "merchant_id = ?1 AND member_id = ?3 AND trigger = 'campaign' AND key = ?4) "
                      "WHERE merchant_id = ?1 AND campaign_id = ?2 AND member_id = ?3",
                      "iiit", merchant, campaign, member, key);
}

int loy_store_campaign_convert(loy_conn *c, int64_t merchant, int64_t campaign, int64_t days,
                               loy_err *err)
{
    return loy_db_run(
        c, err,
        "UPDATE campaign_members AS cm SET (converted_at, purchase_id) = (SELECT p.occurred_at, "
        "p.id FROM purchases p WHERE p.member_id = cm.member_id AND p.merchant_id = ?1 AND "
        "p.occurred_at >= cm.assigned_at AND p.occurred_at < cm.assigned_at + ?3 AND "
        "p.refunded < p.amount ORDER BY p.occurred_at, p.id LIMIT 1) "
        "WHERE cm.merchant_id = ?1 AND cm.campaign_id = ?2",
        "iii", merchant, campaign, days * 86400);
}

int loy_store_campaign_arms(loy_conn *c, int64_t merchant, int64_t campaign,
                            void (*fn)(void *ctx, const loy_campaign_arm_row *a), void *ctx,
                            loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(
        c, &st, err,
        "SELECT cm.arm, count(*), count(cm.converted_at), count(m.id), "
        "coalesce(sum(m.status = 'sent'), 0), coalesce(sum(m.status = 'skipped'), 0), "
        "coalesce(sum(m.status = 'failed'), 0), max(cm.assigned_at) FROM campaign_members cm "
        "LEFT JOIN messages m ON m.id = cm.message_id WHERE cm.merchant_id = ? AND "
        "cm.campaign_id = ? GROUP BY cm.arm ORDER BY cm.arm",
        "ii", merchant, campaign);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_campaign_arm_row a = {.arm = loy_db_text(c, st, 0),
                                  .members = loy_db_int(c, st, 1),
                                  .conversions = loy_db_int(c, st, 2),
                                  .messages = loy_db_int(c, st, 3),
                                  .sent = loy_db_int(c, st, 4),
                                  .skipped = loy_db_int(c, st, 5),
                                  .failed = loy_db_int(c, st, 6),
                                  .last_assigned_at = loy_db_int(c, st, 7)};
        fn(ctx, &a);
    }
    return rc;
}

int loy_store_campaign_members(loy_conn *c, int64_t merchant, int64_t campaign, const char *arm,
                               int64_t after, int limit,
                               void (*fn)(void *ctx, const loy_campaign_member_row *m), void *ctx,
                               loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT cm.member_id, cm.arm, cm.assigned_at, coalesce(cm.message_id, "
                          "0), m.status, coalesce(cm.converted_at, 0), coalesce(cm.purchase_id, 0) "
                          "FROM campaign_members cm LEFT JOIN messages m ON m.id = cm.message_id "
                          "WHERE cm.merchant_id = ?1 AND cm.campaign_id = ?2 AND (?3 IS NULL OR "
                          "cm.arm = ?3) AND cm.member_id > ?4 ORDER BY cm.member_id LIMIT ?5",
                          "iitii", merchant, campaign, arm, after, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_campaign_member_row m = {.member_id = loy_db_int(c, st, 0),
                                     .arm = loy_db_text(c, st, 1),
                                     .assigned_at = loy_db_int(c, st, 2),
                                     .message_id = loy_db_int(c, st, 3),
                                     .message_status = loy_db_text(c, st, 4),
                                     .converted_at = loy_db_int(c, st, 5),
                                     .purchase_id = loy_db_int(c, st, 6)};
        fn(ctx, &m);
    }
    return rc;
}
