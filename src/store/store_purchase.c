/* Purchases, refunds and what each purchase earned (for proportional reversal). */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int loy_store_purchase_insert(loy_conn *c, loy_purchase_row *p, const char *lines_json,
                              const char *actor, loy_err *err)
{
    int rc = loy_db_scalar(c, &p->id, err,
                           "INSERT INTO purchases(merchant_id, member_id, location_code, amount, "
                           "currency, tender_points, cash, reference, lines, occurred_at, "
                           "recorded_at, actor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                           "iititiittiit", p->merchant_id, p->member_id,
                           p->location[0] ? p->location : NULL, p->amount, p->currency,
                           p->tender_points, p->cash, p->reference[0] ? p->reference : NULL,
                           lines_json ? lines_json : "[]", p->occurred_at, p->recorded_at, actor);
    if (rc) return rc;
    return loy_db_run(c, err,
                      "UPDATE members SET purchases = purchases + 1, last_activity_at = max("
                      "last_activity_at, ?), first_purchase_at = CASE WHEN first_purchase_at = 0 "
                      "OR first_purchase_at > ? THEN ? ELSE first_purchase_at END WHERE id = ?",
                      "iiii", p->occurred_at, p->occurred_at, p->occurred_at, p->member_id);
}

#define PURCHASE_COLS                                                                              \
    "id, merchant_id, member_id, coalesce(location_code, ''), amount, tender_points, cash, "       \
    "refunded, currency, coalesce(reference, ''), occurred_at, recorded_at"

static void read_purchase(loy_conn *c, loy_stmt *st, loy_purchase_row *out)
{
    memset(out, 0, sizeof(*out));
    out->id = loy_db_int(c, st, 0);
    out->merchant_id = loy_db_int(c, st, 1);
    out->member_id = loy_db_int(c, st, 2);
    snprintf(out->location, sizeof(out->location), "%s", loy_db_text(c, st, 3));
    out->amount = loy_db_int(c, st, 4);
    out->tender_points = loy_db_int(c, st, 5);
    out->cash = loy_db_int(c, st, 6);
    out->refunded = loy_db_int(c, st, 7);
    snprintf(out->currency, sizeof(out->currency), "%s", loy_db_text(c, st, 8));
    snprintf(out->reference, sizeof(out->reference), "%s", loy_db_text(c, st, 9));
    out->occurred_at = loy_db_int(c, st, 10);
    out->recorded_at = loy_db_int(c, st, 11);
}

int loy_store_purchase_list(loy_conn *c, int64_t merchant, int64_t member, int64_t before,
                            int limit, void (*fn)(void *ctx, const loy_purchase_row *p), void *ctx,
                            loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT " PURCHASE_COLS " FROM purchases WHERE merchant_id = ?1 AND "
                          "(?2 = 0 OR member_id = ?2) AND (?3 = 0 OR id < ?3) ORDER BY id DESC "
                          "LIMIT ?4",
                          "iiii", merchant, member, before, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_purchase_row p;
        read_purchase(c, st, &p);
        fn(ctx, &p);
    }
    return rc;
}

int loy_store_purchase_get(loy_conn *c, int64_t merchant, int64_t id, loy_purchase_row *out,
                           loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(
        c, &st, err, "SELECT " PURCHASE_COLS " FROM purchases WHERE id = ? AND merchant_id = ?",
        "ii", id, merchant);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0)
        return loy_err_set(err, LOY_ENOTFOUND, "purchase_id", "purchase %lld not found",
                           (long long)id);
    read_purchase(c, st, out);
    loy_db_done(c, st);
    return 0;
}

int loy_store_refund_insert(loy_conn *c, int64_t merchant, int64_t purchase, int64_t amount,
                            const char *reason, const char *actor, int64_t now, int64_t *refund_id,
                            loy_err *err)
{
    int rc = loy_db_run(c, err,
                        "UPDATE purchases SET refunded = refunded + ? WHERE id = ? AND "
                        "merchant_id = ? AND refunded + ? <= amount",
                        "iiii", amount, purchase, merchant, amount);
    if (rc) return rc;
    if (loy_db_changes(c) != 1)
        return loy_err_set(err, LOY_ECONFLICT, "amount",
                           "refund exceeds what is left of purchase %lld", (long long)purchase);
    return loy_db_scalar(c, refund_id, err,
                         "INSERT INTO refunds(merchant_id, purchase_id, amount, reason, "
                         "created_at, actor) VALUES (?,?,?,?,?,?) RETURNING id",
                         "iiitit", merchant, purchase, amount, reason, now, actor);
}

int loy_store_purchase_earned(loy_conn *c, int64_t purchase, loy_earned **out, size_t *n,
                              loy_err *err)
{
    loy_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    /* credits by the purchase (earn, and tender as a positive amount) with what refunds of the
     * purchase already reversed (reverse) or restored (restore) for the same account and rule */
    int rc = loy_db_query(
        c, &st, err,
        "SELECT e.account, e.kind, e.rule, e.total, min(e.lot), coalesce(("
        "  SELECT sum(abs(r.amount)) FROM ledger r JOIN refunds f ON r.ref_type = 'refund' AND "
        "  r.ref_id = f.id WHERE f.purchase_id = ?1 AND r.member_id = (SELECT member_id FROM "
        "  purchases WHERE id = ?1) AND r.rule = e.rule AND "
        "  ((e.kind = 'earn' AND r.kind = 'reverse' AND (r.account = e.account OR "
        "    (e.account IN ('points', 'pending') AND r.account IN ('points', 'pending')))) OR "
        "   (e.kind = 'tender' AND r.kind = 'restore'))), 0) "
        "FROM (SELECT account, kind, rule, sum(abs(amount)) AS total, min(lot) AS lot FROM ledger "
        "  WHERE member_id = (SELECT member_id FROM purchases WHERE id = ?1) AND "
        "  ref_type = 'purchase' AND ref_id = ?1 AND kind IN ('earn', 'tender') "
        "  GROUP BY account, kind, rule) e GROUP BY e.account, e.kind, e.rule ORDER BY e.lot",
        "i", purchase);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            loy_earned *ne = realloc(*out, cap * sizeof(**out));
            if (!ne) {
                loy_db_done(c, st);
                return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            }
            *out = ne;
        }
        loy_earned *e = &(*out)[(*n)++];
        memset(e, 0, sizeof(*e));
        loy_account_parse(loy_db_text(c, st, 0), &e->account);
        loy_entry_kind_parse(loy_db_text(c, st, 1), &e->kind);
        snprintf(e->rule, sizeof(e->rule), "%s", loy_db_text(c, st, 2));
        e->amount = loy_db_int(c, st, 3);
        e->lot = loy_db_int(c, st, 4);
        e->reversed = loy_db_int(c, st, 5);
    }
    return rc;
}

int loy_store_member_favourite(loy_conn *c, int64_t member, char **out, loy_err *err)
{
    loy_stmt *st;
    *out = NULL;
    int rc = loy_db_query(
        c, &st, err,
        "SELECT coalesce(nullif(json_extract(j.value, '$.sku'), ''), "
        "json_extract(j.value, '$.category')) AS f FROM (SELECT id, lines FROM purchases "
        "WHERE member_id = ?1 ORDER BY occurred_at DESC LIMIT 50) p, json_each(p.lines) j "
        "WHERE f IS NOT NULL AND f != '' GROUP BY f "
        "ORDER BY sum(coalesce(json_extract(j.value, '$.qty'), 1)) DESC, max(p.id) DESC LIMIT 1",
        "i", member);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc == 1) {
        *out = strdup(loy_db_text(c, st, 0));
        loy_db_done(c, st);
        return *out ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    return rc;
}
