/* Privacy: the tables that hold member data (export), the cells the erase rewrites, the member
 * row's erasure, secure_delete and the WAL checkpoint. See store_privacy.h. */
#include "store/store_privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"

/* A stored answer is about member ?2 when it has their member object or a member_id of theirs
 * anywhere. The answers are compact JSON (util/jdump.c), so a text search finds the candidates
 * cheaply and the JSON functions decide. */
#define IDEM_ABOUT                                                                                 \
    "(instr(response, '\"member_id\":' || ?2) > 0 OR "                                             \
    "instr(response, '\"member\":{\"id\":' || ?2) > 0) AND json_valid(response) AND ("             \
    "json_extract(response, '$.member.id') = ?2 OR EXISTS (SELECT 1 FROM json_tree(response) "     \
    "WHERE key = 'member_id' AND type = 'integer' AND atom = ?2))"

/* Every table that holds data about a member, and how to find that member's rows (?1 merchant,
 * ?2 member). A new table with member data belongs here (tests/store/test_privacy.c fails until
 * it is here or in the list below). */
const loy_privacy_table loy_privacy_tables[] = {
    {"members", NULL, "SELECT * FROM members WHERE merchant_id = ?1 AND id = ?2"},
    {"balances", NULL, "SELECT * FROM balances WHERE merchant_id = ?1 AND member_id = ?2"},
    {"ledger", NULL, "SELECT * FROM ledger WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"lots", NULL, "SELECT * FROM lots WHERE member_id = ?2 AND merchant_id = ?1 ORDER BY id"},
    {"purchases", "lines",
     "SELECT * FROM purchases WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"refunds", NULL,
     "SELECT r.* FROM refunds r JOIN purchases p ON p.id = r.purchase_id "
     "WHERE p.merchant_id = ?1 AND p.member_id = ?2 ORDER BY r.id"},
    {"vouchers", NULL,
     "SELECT * FROM vouchers WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"tier_changes", NULL,
     "SELECT * FROM tier_changes WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    /* events about them (webhook payloads) and their deliveries */
    {"outbox", "payload",
     "SELECT * FROM outbox WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"webhook_deliveries", NULL,
     "SELECT d.* FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id "
     "WHERE o.merchant_id = ?1 AND o.member_id = ?2 ORDER BY d.id"},
    /* staff actions on them, their purchases and their vouchers */
    {"audit", "detail",
     "SELECT * FROM audit WHERE merchant_id = ?1 AND ("
     "(target_type = 'member' AND target_id = ?2) OR "
     "(target_type = 'purchase' AND target_id IN "
     "(SELECT id FROM purchases WHERE merchant_id = ?1 AND member_id = ?2)) OR "
     "(target_type = 'voucher' AND target_id IN "
     "(SELECT id FROM vouchers WHERE merchant_id = ?1 AND member_id = ?2)) OR "
     "(target_type = 'referral' AND target_id IN (SELECT id FROM referrals WHERE merchant_id = ?1 "
     "AND (referrer_id = ?2 OR referee_id = ?2)))) ORDER BY id"},
    /* stored answers of writes about them (kept 8 days for retries): the member object or a
     * member_id anywhere in the answer */
    {"idempotency", "response",
     "SELECT * FROM idempotency WHERE merchant_id = ?1 AND " IDEM_ABOUT
     " ORDER BY created_at, key"},
    /* CSV imports: their customer id in the shop's old system, the file rows that made them and
     * their purchases, visits without spend */
    {"import_members", NULL,
     "SELECT * FROM import_members WHERE merchant_id = ?1 AND member_id = ?2"},
    {"import_rows", NULL,
     "SELECT * FROM import_rows WHERE merchant_id = ?1 AND ((kind = 'member' AND target_id = ?2) "
     "OR (kind = 'purchase' AND target_id IN "
     "(SELECT id FROM purchases WHERE merchant_id = ?1 AND member_id = ?2))) ORDER BY imported_at"},
    {"import_visits", NULL,
     "SELECT * FROM import_visits WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    /* their survey answers (score, comment, its triage), the follow-up cases about them and what
     * staff noted on those */
    {"surveys", "triage",
     "SELECT * FROM surveys WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"cases", NULL, "SELECT * FROM cases WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"case_notes", NULL,
     "SELECT n.* FROM case_notes n JOIN cases k ON k.id = n.case_id WHERE k.merchant_id = ?1 AND "
     "k.member_id = ?2 ORDER BY n.id"},
    /* referrals they made or were made for them (ids, status, reason: no personal data) */
    {"referrals", NULL,
     "SELECT * FROM referrals WHERE merchant_id = ?1 AND (referrer_id = ?2 OR referee_id = ?2) "
     "ORDER BY id"},
    /* messages to them (docs/messages.md): trigger, key, status, the variables of the request */
    {"messages", "vars",
     "SELECT * FROM messages WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    /* the campaigns they were in (docs/campaigns.md) and their arm, message and conversion */
    {"campaigns", "variants",
     "SELECT * FROM campaigns WHERE merchant_id = ?1 AND id IN (SELECT campaign_id FROM "
     "campaign_members WHERE merchant_id = ?1 AND member_id = ?2) ORDER BY id"},
    {"campaign_members", NULL,
     "SELECT * FROM campaign_members WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY "
     "campaign_id"},
    /* staff fraud controls (docs/operations.md): flags about writes for them (ids, rule, counts)
     * and the staff account whose own card they are */
    {"staff_flags", NULL,
     "SELECT * FROM staff_flags WHERE merchant_id = ?1 AND member_id = ?2 ORDER BY id"},
    {"staff_members", NULL,
     "SELECT * FROM staff_members WHERE merchant_id = ?1 AND member_id = ?2"},
    {NULL, NULL, NULL}};

/* Tables that hold no data about any member. */
const char *const loy_privacy_no_member_data[] = {
    "merchants",         /* the business: name, currency, zone */
    "programmes",        /* programme documents (rules, rewards, tiers) */
    "locations",         /* the shops */
    "reward_stock",      /* units issued per reward, for all members together */
    "api_keys",          /* integrations' keys (hashes), named by staff */
    "webhooks",          /* subscriptions: receiver URLs and secrets */
    "webhook_events",    /* the event kinds a subscription receives */
    "users",             /* staff accounts */
    "sessions",          /* staff console sessions */
    "models",            /* fitted parameters of the customer-base models (aggregates) */
    "schema_migrations", /* which migrations ran */
    "job_runs",          /* the local date of each merchant's last daily jobs */
    NULL};

int loy_store_privacy_export(loy_conn *c, int64_t merchant, int64_t member,
                             void (*table_fn)(void *ctx, const char *table),
                             void (*row_fn)(void *ctx, const loy_privacy_row *r), void *ctx,
                             loy_err *err)
{
    for (const loy_privacy_table *t = loy_privacy_tables; t->table; t++) {
        table_fn(ctx, t->table);
        loy_stmt *st;
        int rc = loy_db_query(c, &st, err, t->sql, "ii", merchant, member);
        if (rc) return rc;
        while ((rc = loy_db_next(c, st, err)) == 1) {
            loy_privacy_row r;
            r.table = t->table;
            r.json = t->json;
            r.ncols = loy_db_ncols(c, st);
            if (r.ncols > LOY_PRIVACY_MAX_COLS) r.ncols = LOY_PRIVACY_MAX_COLS;
            for (int i = 0; i < r.ncols; i++) {
                r.name[i] = loy_db_colname(c, st, i);
                r.type[i] = loy_db_coltype(c, st, i);
                r.num[i] = r.type[i] == 'i' ? loy_db_int(c, st, i) : 0;
                r.text[i] = r.type[i] == 'n' || r.type[i] == 'b' ? NULL : loy_db_text(c, st, i);
            }
            row_fn(ctx, &r);
        }
        if (rc < 0) return rc;
    }
    return 0;
}

/* The columns the erase rewrites: which rows are the member's (?1 merchant, ?2 member; the query
 * returns key and value) and how one is written back (?1 value, ?2 merchant, ?3 key). */
static const struct {
    const char *table, *column;
    loy_cell_kind kind;
    const char *select, *update;
} sources[] = {
    {"audit", "detail", LOY_CELL_DOC,
     "SELECT CAST(id AS TEXT), detail FROM audit WHERE merchant_id = ?1 AND "
     "target_type = 'member' AND target_id = ?2 AND detail IS NOT NULL AND detail != ''",
     "UPDATE audit SET detail = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"audit", "detail", LOY_CELL_MIXED,
     "SELECT CAST(id AS TEXT), detail FROM audit WHERE merchant_id = ?1 AND detail IS NOT NULL "
     "AND detail != '' AND ((target_type = 'purchase' AND target_id IN "
     "(SELECT id FROM purchases WHERE merchant_id = ?1 AND member_id = ?2)) OR "
     "(target_type = 'voucher' AND target_id IN "
     "(SELECT id FROM vouchers WHERE merchant_id = ?1 AND member_id = ?2)))",
     "UPDATE audit SET detail = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"audit", "reason", LOY_CELL_TEXT,
     "SELECT CAST(id AS TEXT), reason FROM audit WHERE merchant_id = ?1 AND reason IS NOT NULL "
     "AND reason != '' AND ((target_type = 'member' AND target_id = ?2) OR "
     "(target_type = 'purchase' AND target_id IN "
     "(SELECT id FROM purchases WHERE merchant_id = ?1 AND member_id = ?2)) OR "
     "(target_type = 'voucher' AND target_id IN "
     "(SELECT id FROM vouchers WHERE merchant_id = ?1 AND member_id = ?2)))",
     "UPDATE audit SET reason = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"outbox", "payload", LOY_CELL_DOC,
     "SELECT CAST(id AS TEXT), payload FROM outbox WHERE merchant_id = ?1 AND member_id = ?2",
     "UPDATE outbox SET payload = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"idempotency", "response", LOY_CELL_MIXED,
     "SELECT key, response FROM idempotency WHERE merchant_id = ?1 AND " IDEM_ABOUT,
     "UPDATE idempotency SET response = ?1 WHERE merchant_id = ?2 AND key = ?3"},
    {"purchases", "reference", LOY_CELL_TEXT,
     "SELECT CAST(id AS TEXT), reference FROM purchases WHERE merchant_id = ?1 AND "
     "member_id = ?2 AND reference IS NOT NULL AND reference != ''",
     "UPDATE purchases SET reference = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"refunds", "reason", LOY_CELL_TEXT,
     "SELECT CAST(r.id AS TEXT), r.reason FROM refunds r JOIN purchases p ON p.id = r.purchase_id "
     "WHERE p.merchant_id = ?1 AND p.member_id = ?2 AND r.reason IS NOT NULL AND r.reason != ''",
     "UPDATE refunds SET reason = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"tier_changes", "reason", LOY_CELL_TEXT,
     "SELECT CAST(id AS TEXT), reason FROM tier_changes WHERE merchant_id = ?1 AND "
     "member_id = ?2 AND reason != ''",
     "UPDATE tier_changes SET reason = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"messages", "vars", LOY_CELL_DOC,
     "SELECT CAST(id AS TEXT), vars FROM messages WHERE merchant_id = ?1 AND member_id = ?2 AND "
     "vars != '{}'",
     "UPDATE messages SET vars = ?1 WHERE merchant_id = ?2 AND id = CAST(?3 AS INTEGER)"},
    {"import_visits", "reference", LOY_CELL_TEXT,
     "SELECT CAST(id AS TEXT), reference FROM import_visits WHERE merchant_id = ?1 AND "
     "member_id = ?2 AND reference IS NOT NULL AND reference != ''",
     "UPDATE import_visits SET reference = ?1 WHERE merchant_id = ?2 AND "
     "id = CAST(?3 AS INTEGER)"},
};

void loy_privacy_cells_free(loy_privacy_cell *cells, size_t n)
{
    for (size_t i = 0; cells && i < n; i++) {
        free(cells[i].key);
        free(cells[i].value);
    }
    free(cells);
}

int loy_store_privacy_cells(loy_conn *c, int64_t merchant, int64_t member, loy_privacy_cell **out,
                            size_t *n, loy_err *err)
{
    loy_privacy_cell *cells = NULL;
    size_t cnt = 0, cap = 0;
    int rc = 0;
    for (size_t s = 0; !rc && s < sizeof(sources) / sizeof(sources[0]); s++) {
        loy_stmt *st;
        if ((rc = loy_db_query(c, &st, err, sources[s].select, "ii", merchant, member))) break;
        while ((rc = loy_db_next(c, st, err)) == 1) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 32;
                loy_privacy_cell *nc = realloc(cells, cap * sizeof(*cells));
                if (!nc) {
                    loy_db_done(c, st);
                    rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
                    break;
                }
                cells = nc;
            }
            loy_privacy_cell *x = &cells[cnt];
            const char *k = loy_db_text(c, st, 0), *v = loy_db_text(c, st, 1);
            x->source = (int)s;
            x->table = sources[s].table;
            x->column = sources[s].column;
            x->kind = sources[s].kind;
            x->key = strdup(k ? k : "");
            x->value = strdup(v ? v : "");
            cnt++;
            if (!x->key || !x->value) {
                loy_db_done(c, st);
                rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
                break;
            }
        }
        if (rc > 0) rc = 0;
    }
    if (rc) {
        loy_privacy_cells_free(cells, cnt);
        return rc;
    }
    *out = cells;
    *n = cnt;
    return 0;
}

int loy_store_privacy_cell_set(loy_conn *c, int64_t merchant, const loy_privacy_cell *cell,
                               const char *value, loy_err *err)
{
    if (cell->source < 0 || (size_t)cell->source >= sizeof(sources) / sizeof(sources[0]))
        return loy_err_set(err, LOY_EINVALID, "", "no such privacy cell source");
    return loy_db_run(c, err, sources[cell->source].update, "tit", value, merchant, cell->key);
}

int loy_store_privacy_erase_member(loy_conn *c, int64_t merchant, int64_t member,
                                   const char *pseudonym, const char *token, int64_t now,
                                   loy_privacy_erased *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    char *folded = loy_fold(pseudonym, err);
    if (!folded) return err->code ? err->code : LOY_EINVALID;
    int rc = loy_db_run(
        c, err,
        "UPDATE members SET name = ?1, name_folded = ?2, card_token = ?3, phone = NULL, "
        "email = NULL, email_folded = NULL, bday_day = 0, bday_month = 0, bday_year = 0, "
        "birthday_set_at = 0, tags = '', notes = '', favourite = '', consent_email = 0, "
        "consent_email_at = 0, consent_email_source = '', consent_sms = 0, consent_sms_at = 0, "
        "consent_sms_source = '', last_birthday_bonus_year = 0, unsub_token = NULL, "
        "timezone = NULL, "
        "referral_code = NULL, "
        "updated_at = ?4, erased_at = ?4 "
        "WHERE merchant_id = ?5 AND id = ?6 AND erased_at = 0",
        "tttiii", pseudonym, folded, token, now, merchant, member);
    free(folded);
    if (rc) return rc;
    if (loy_db_changes(c) != 1)
        return loy_err_set(err, LOY_ECONFLICT, "member", "member %lld was already erased",
                           (long long)member);
    /* messages still waiting for them are never sent (the sender checks again, too) */
    rc = loy_db_run(c, err,
                    "UPDATE messages SET status = 'skipped', reason = 'erased' WHERE "
                    "merchant_id = ? AND member_id = ? AND status = 'queued'",
                    "ii", merchant, member);
    if (rc) return rc;
    /* the import's key of their member row is a hash of their name, phone and email */
    rc = loy_db_run(c, err,
                    "DELETE FROM import_rows WHERE merchant_id = ? AND kind = 'member' AND "
                    "target_id = ?",
                    "ii", merchant, member);
    if (rc) return rc;
    out->import_rows = loy_db_changes(c);
    /* their id in the old system may be an email or a phone number */
    rc = loy_db_run(c, err,
                    "UPDATE import_members SET external_id = 'erased:' || member_id "
                    "WHERE merchant_id = ? AND member_id = ?",
                    "ii", merchant, member);
    if (rc) return rc;
    out->import_members = loy_db_changes(c);
    return 0;
}

/* Every first-column text of a query's rows into a malloc'ed array (*out, *n). */
static int texts(loy_conn *c, loy_stmt *st, char ***out, size_t *n, loy_err *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    int rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(*out, cap * sizeof(**out));
            if (!grown) break;
            *out = grown;
        }
        const char *t = loy_db_text(c, st, 0);
        if (!((*out)[*n] = strdup(t ? t : ""))) break;
        (*n)++;
    }
    if (rc == 0) return 0;
    if (rc == 1) { /* out of memory with a row in hand */
        loy_db_done(c, st);
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    for (size_t i = 0; i < *n; i++) free((*out)[i]);
    free(*out);
    *out = NULL;
    *n = 0;
    return rc;
}

int loy_store_privacy_ledger_reasons(loy_conn *c, int64_t member, char ***out, size_t *n,
                                     loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT reason FROM ledger WHERE member_id = ? AND reason IS NOT NULL "
                          "AND reason <> '' ORDER BY id",
                          "i", member);
    return rc ? rc : texts(c, st, out, n, err);
}

int loy_store_privacy_audit_details(loy_conn *c, int64_t merchant, int64_t member,
                                    const char *action, char ***out, size_t *n, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT detail FROM audit WHERE merchant_id = ? AND target_type = "
                          "'member' AND target_id = ? AND action = ? AND detail IS NOT NULL "
                          "ORDER BY id",
                          "iit", merchant, member, action);
    return rc ? rc : texts(c, st, out, n, err);
}

int loy_store_secure_delete(loy_conn *c, bool full, loy_err *err)
{
    return c->drv->exec(c->db, full ? "PRAGMA secure_delete=ON" : "PRAGMA secure_delete=FAST", err);
}

int loy_store_checkpoint(loy_conn *c, bool *complete, loy_err *err)
{
    loy_stmt *st;
    *complete = false;
    /* A TRUNCATE checkpoint waits for readers, and writers wait behind it: with the usual busy
     * timeout one long report would stall every purchase. So it does not wait at all: busy
     * means incomplete (the caller says so), and the request goes on. */
    int64_t timeout = 0;
    int rc = loy_db_scalar(c, &timeout, err, "PRAGMA busy_timeout", "");
    if (!rc) rc = c->drv->exec(c->db, "PRAGMA busy_timeout=0", err);
    if (rc) return rc;
    rc = loy_db_query(c, &st, err, "PRAGMA wal_checkpoint(TRUNCATE)", "");
    if (!rc) {
        rc = loy_db_next(c, st, err);
        if (rc == 1) {
            *complete = loy_db_int(c, st, 0) == 0; /* busy = 0 */
            loy_db_done(c, st);
        }
        rc = rc < 0 ? rc : 0;
    }
    if (rc == LOY_EBUSY) { /* readers in the way: incomplete, not an error */
        loy_err_clear(err);
        rc = 0;
    }
    char restore[48];
    snprintf(restore, sizeof(restore), "PRAGMA busy_timeout=%lld", (long long)timeout);
    loy_err ignored;
    c->drv->exec(c->db, restore, &ignored);
    return rc;
}

int loy_store_privacy_referred(loy_conn *c, int64_t merchant, int64_t member,
                               void (*fn)(void *ctx, int64_t id), void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id FROM members WHERE merchant_id = ? AND referred_by = ? "
                          "ORDER BY id",
                          "ii", merchant, member);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) fn(ctx, loy_db_int(c, st, 0));
    return rc;
}
