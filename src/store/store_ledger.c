/* The ledger: appending an outcome (entries, lots, balances with floor checks, member state),
 * history listing, and the invariant check behind `loyalty db verify`. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int apply_entry(loy_conn *c, int64_t merchant, int64_t member, const loy_entry *e,
                       int64_t id, int64_t lot, bool opens, const loy_apply *a, loy_err *err)
{
    const char *acc = loy_account_name(e->account);
    int rc = loy_db_run(c, err,
                        "INSERT INTO ledger(id, merchant_id, member_id, account, kind, amount, "
                        "lot, expires_at, available_at, rule, reason, actor, ref_type, ref_id, "
                        "created_at) VALUES (?,?,?,?,?,?,nullif(?, 0),?,?,?,?,?,?,?,?)",
                        "iiitti"
                        "iii"
                        "tttt"
                        "ii",
                        id, merchant, member, acc, loy_entry_kind_name(e->kind), e->amount, lot,
                        e->expires_at, e->available_at, e->rule, a->reason, a->actor, a->ref_type,
                        a->ref_id, a->now);
    if (rc) return rc;
    if (opens) {
        rc = loy_db_run(c, err,
                        "INSERT INTO lots(id, merchant_id, member_id, account, remaining, "
                        "earned_at, expires_at, available_at) VALUES (?,?,?,?,?,?,?,?)",
                        "iiitiiii", id, merchant, member, acc, e->amount, a->now, e->expires_at,
                        e->available_at);
    } else if (lot > 0) {
        rc = loy_db_run(c, err,
                        "UPDATE lots SET remaining = remaining + ?, "
                        "account = CASE WHEN ? > 0 THEN ? ELSE account END "
                        "WHERE id = ? AND member_id = ? AND (account = ? OR ? > 0)",
                        "iitiiti", e->amount, e->amount, acc, lot, member, acc, e->amount);
        if (!rc && loy_db_changes(c) != 1)
            rc = loy_err_set(err, LOY_ESTORAGE, "", "ledger: lot %lld of member %lld is not open",
                             (long long)lot, (long long)member);
    }
    if (rc == LOY_ECONFLICT)
        return loy_err_set(err, LOY_EREFUSED, "", "insufficient %s: the balance changed", acc);
    return rc;
}

/* One statement moves every balance by the outcome's net deltas and checks the floors: the
 * points floor of the programme (or the balance itself when a credit leaves an older debt), and
 * zero for pending, stamps and giving (CHECK constraints). */
static int apply_balances(loy_conn *c, int64_t member, const loy_outcome *o, const loy_apply *a,
                          loy_err *err)
{
    int64_t d[4] = {0, 0, 0, 0};
    bool any = false;
    for (size_t i = 0; i < o->nentries; i++) {
        d[o->entries[i].account] += o->entries[i].amount;
        any = true;
    }
    if (!any) return 0;
    int64_t floor = a->allow_debt ? INT64_MIN / 4 : 0;
    int rc = loy_db_run(
        c, err,
        "UPDATE balances SET points = points + ?1, pending = pending + ?2, "
        "stamps = stamps + ?3, giving = giving + ?4, "
        "points_floor = CASE WHEN ?1 = 0 THEN points_floor ELSE min(?5, points + ?1) END "
        "WHERE member_id = ?6 AND (?1 >= 0 OR points + ?1 >= ?5)",
        "iiiiii", d[LOY_ACC_POINTS], d[LOY_ACC_PENDING], d[LOY_ACC_STAMPS], d[LOY_ACC_GIVING],
        floor, member);
    if (rc == LOY_ECONFLICT || (!rc && loy_db_changes(c) != 1))
        return loy_err_set(err, LOY_EREFUSED, "", "insufficient balance: it changed meanwhile");
    return rc;
}

static int apply_member(loy_conn *c, int64_t merchant, int64_t member, const loy_outcome *o,
                        const loy_apply *a, loy_err *err)
{
    int rc = 0;
    if (o->tier_changed) {
        rc = loy_db_run(c, err,
                        "UPDATE members SET tier = ?, tier_since = ?, below_since = 0 "
                        "WHERE id = ?",
                        "tii", o->tier_after, a->now, member);
        if (!rc)
            rc = loy_db_run(c, err,
                            "INSERT INTO tier_changes(merchant_id, member_id, from_tier, to_tier, "
                            "reason, at) VALUES (?,?,?,?,?,?)",
                            "iittti", merchant, member, o->tier_before, o->tier_after, a->ref_type,
                            a->now);
    }
    if (!rc && o->below_since_changed && !o->tier_changed)
        rc = loy_db_run(c, err, "UPDATE members SET below_since = ? WHERE id = ?", "ii",
                        o->below_since_after, member);
    if (!rc && o->reviewed)
        rc = loy_db_run(c, err, "UPDATE members SET last_review_at = ? WHERE id = ?", "ii", a->now,
                        member);
    if (!rc && o->birthday_bonus_year)
        rc = loy_db_run(c, err, "UPDATE members SET last_birthday_bonus_year = ? WHERE id = ?",
                        "ii", (int64_t)o->birthday_bonus_year, member);
    if (!rc && o->anniversary_bonus_year)
        rc = loy_db_run(c, err, "UPDATE members SET last_anniversary_bonus_year = ? WHERE id = ?",
                        "ii", (int64_t)o->anniversary_bonus_year, member);
    return rc;
}

int loy_store_apply(loy_conn *c, int64_t merchant, int64_t member, const loy_outcome *o,
                    const loy_apply *a, int64_t **ids_out, loy_err *err)
{
    int64_t *ids = NULL;
    int rc = 0;
    if (ids_out) *ids_out = NULL;
    if (o->nentries) {
        ids = malloc(o->nentries * sizeof(*ids));
        if (!ids) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        int64_t next = 0;
        rc = loy_db_scalar(c, &next, err, "SELECT coalesce(max(id), 0) + 1 FROM ledger", "");
        /* Credits of one outcome with the same account, expiry and activation share one lot:
         * they are consumed together anyway, and fewer lots keep every later load cheap. */
        int64_t *lot_of = calloc(o->nentries, sizeof(*lot_of));
        if (!lot_of) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        for (size_t i = 0; !rc && i < o->nentries; i++) {
            const loy_entry *e = &o->entries[i];
            int64_t lot = e->lot;
            bool opens = false;
            ids[i] = next + (int64_t)i;
            if (e->lot == LOY_LOT_NEW) {
                lot = ids[i];
                opens = true;
                for (size_t j = 0; j < i; j++) {
                    const loy_entry *f = &o->entries[j];
                    if (f->lot == LOY_LOT_NEW && lot_of[j] == ids[j] && f->account == e->account &&
                        f->expires_at == e->expires_at && f->available_at == e->available_at) {
                        lot = ids[j];
                        opens = false;
                        break;
                    }
                }
            } else if (e->lot <= -2) {
                size_t k = LOY_LOT_ENTRY_INDEX(e->lot);
                lot = k < i ? lot_of[k] : 0;
                if (!lot)
                    rc = loy_err_set(err, LOY_ESTORAGE, "", "outcome refers to a later entry");
            }
            lot_of[i] = lot;
            if (!rc) rc = apply_entry(c, merchant, member, e, ids[i], lot, opens, a, err);
        }
        free(lot_of);
    }
    if (!rc) rc = apply_balances(c, member, o, a, err);
    if (!rc) rc = apply_member(c, merchant, member, o, a, err);
    if (!rc && ids_out)
        *ids_out = ids;
    else
        free(ids);
    return rc;
}

int loy_store_ledger_list(loy_conn *c, int64_t member, int64_t before_id, int limit,
                          void (*fn)(void *ctx, const loy_ledger_row *r), void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, account, kind, rule, ref_type, actor, amount, "
                          "coalesce(lot, 0), ref_id, created_at, expires_at, reason FROM ledger "
                          "WHERE member_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                          "iiii", member, before_id, before_id, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_ledger_row r;
        memset(&r, 0, sizeof(r));
        r.id = loy_db_int(c, st, 0);
        snprintf(r.account, sizeof(r.account), "%s", loy_db_text(c, st, 1));
        snprintf(r.kind, sizeof(r.kind), "%s", loy_db_text(c, st, 2));
        snprintf(r.rule, sizeof(r.rule), "%s", loy_db_text(c, st, 3));
        snprintf(r.ref_type, sizeof(r.ref_type), "%s", loy_db_text(c, st, 4));
        snprintf(r.actor, sizeof(r.actor), "%s", loy_db_text(c, st, 5));
        r.amount = loy_db_int(c, st, 6);
        r.lot = loy_db_int(c, st, 7);
        r.ref_id = loy_db_int(c, st, 8);
        r.created_at = loy_db_int(c, st, 9);
        r.expires_at = loy_db_int(c, st, 10);
        r.reason = loy_db_text(c, st, 11);
        fn(ctx, &r);
    }
    return rc;
}

int loy_store_members_page(loy_conn *c, int64_t merchant, int64_t after, int limit, int64_t *ids,
                           int *n, loy_err *err)
{
    loy_stmt *st;
    *n = 0;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id FROM members WHERE merchant_id = ? AND id > ? ORDER BY id "
                          "LIMIT ?",
                          "iii", merchant, after, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) ids[(*n)++] = loy_db_int(c, st, 0);
    return rc;
}

static const struct {
    const char *what;
    const char *sql; /* each row returned is one violation: (id, detail) */
} checks[] = {
    {"balance differs from the sum of its ledger",
     "SELECT b.member_id, printf('points %d/%d pending %d/%d stamps %d/%d giving %d/%d', "
     "b.points, coalesce(l.p, 0), b.pending, coalesce(l.q, 0), b.stamps, coalesce(l.s, 0), "
     "b.giving, coalesce(l.g, 0)) FROM balances b LEFT JOIN (SELECT member_id, "
     "sum(CASE account WHEN 'points' THEN amount ELSE 0 END) p, "
     "sum(CASE account WHEN 'pending' THEN amount ELSE 0 END) q, "
     "sum(CASE account WHEN 'stamps' THEN amount ELSE 0 END) s, "
     "sum(CASE account WHEN 'giving' THEN amount ELSE 0 END) g FROM ledger GROUP BY member_id) l "
     "ON l.member_id = b.member_id WHERE b.points != coalesce(l.p, 0) OR "
     "b.pending != coalesce(l.q, 0) OR b.stamps != coalesce(l.s, 0) OR "
     "b.giving != coalesce(l.g, 0)"},
    {"balance below its floor",
     "SELECT member_id, printf('points %d floor %d', points, points_floor) FROM balances "
     "WHERE points < points_floor OR pending < 0 OR stamps < 0 OR giving < 0"},
    {"lot remaining differs from the sum of its ledger entries",
     "SELECT o.id, printf('remaining %d ledger %d', o.remaining, coalesce(sum(l.amount), 0)) "
     "FROM lots o LEFT JOIN ledger l ON l.member_id = o.member_id AND l.lot = o.id AND l.account = "
     "o.account "
     "GROUP BY o.id HAVING o.remaining != coalesce(sum(l.amount), 0)"},
    {"ledger entry of a lot in another account left a residue",
     "SELECT o.id, printf('%s residue %d', l.account, sum(l.amount)) FROM lots o JOIN ledger l "
     "ON l.member_id = o.member_id AND l.lot = o.id AND l.account != o.account GROUP BY o.id, "
     "l.account "
     "HAVING sum(l.amount) != 0"},
    {"lot entry without a lot row", "SELECT l.id, printf('lot %d', l.lot) FROM ledger l LEFT JOIN "
                                    "lots o ON o.member_id = l.member_id AND o.id = l.lot "
                                    "WHERE l.lot IS NOT NULL AND o.id IS NULL"},
    {"purchase refunded total differs from its refunds",
     "SELECT p.id, printf('refunded %d refunds %d', p.refunded, coalesce(sum(r.amount), 0)) "
     "FROM purchases p LEFT JOIN refunds r ON r.purchase_id = p.id GROUP BY p.id "
     "HAVING p.refunded != coalesce(sum(r.amount), 0)"},
    {"idempotency key with more than one effect",
     "SELECT ref_id, printf('%s %d has %d earn entries for rule %s', ref_type, ref_id, count(*), "
     "rule) FROM ledger WHERE kind = 'earn' GROUP BY ref_type, ref_id, account, rule "
     "HAVING count(*) > 1"},
    {"idempotency record without its effect",
     "SELECT 0, i.key FROM idempotency i WHERE i.status BETWEEN 200 AND 299 AND "
     "json_valid(i.response) AND json_extract(i.response, '$.purchase.id') IS NOT NULL AND "
     "NOT EXISTS (SELECT 1 FROM purchases p WHERE p.id = json_extract(i.response, "
     "'$.purchase.id'))"},
    {"voucher used twice or stock over its limit",
     "SELECT 0, printf('reward %s issued %d vouchers %d', s.reward_id, s.issued, count(v.id)) "
     "FROM reward_stock s LEFT JOIN vouchers v ON v.merchant_id = s.merchant_id AND "
     "v.reward_id = s.reward_id GROUP BY s.merchant_id, s.reward_id "
     "HAVING s.issued != count(v.id)"},
    {"erased member still holds personal data",
     "SELECT id, 'contact details, birthday, notes, tags or consents left' FROM members "
     "WHERE erased_at != 0 AND (phone IS NOT NULL OR email IS NOT NULL OR bday_month != 0 OR "
     "notes != '' OR tags != '' OR favourite != '' OR consent_email != 0 OR consent_sms != 0 OR "
     "name != 'Erased member ' || id)"},
};

int loy_store_verify(loy_conn *c, void (*fn)(void *ctx, const char *what), void *ctx,
                     int64_t *violations, loy_err *err)
{
    char line[768];
    *violations = 0;
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        loy_stmt *st;
        int rc = loy_db_query(c, &st, err, checks[i].sql, "");
        if (rc) return rc;
        while ((rc = loy_db_next(c, st, err)) == 1) {
            snprintf(line, sizeof(line), "%s: #%lld %s", checks[i].what,
                     (long long)loy_db_int(c, st, 0), loy_db_text(c, st, 1));
            fn(ctx, line);
            (*violations)++;
        }
        if (rc < 0) return rc;
    }
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err, "PRAGMA integrity_check", "");
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        const char *t = loy_db_text(c, st, 0);
        if (t && strcmp(t, "ok") != 0) {
            snprintf(line, sizeof(line), "integrity_check: %s", t);
            fn(ctx, line);
            (*violations)++;
        }
    }
    return rc < 0 ? rc : 0;
}
