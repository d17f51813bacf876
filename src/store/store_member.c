/* Members: insert, update, lookups, folded-name search, and the engine's view of one member. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"

#define MEMBER_COLS                                                                                \
    "id, merchant_id, card_token, name, phone, email, tags, notes, favourite, location_code, "     \
    "locale, bday_day, bday_month, bday_year, birthday_set_at, coalesce(referred_by, 0), "         \
    "joined_at, updated_at, consent_email, consent_email_at, consent_email_source, "               \
    "consent_sms, consent_sms_at, consent_sms_source, tier, tier_since, below_since, "             \
    "last_review_at, last_birthday_bonus_year, last_anniversary_bonus_year, first_purchase_at, "   \
    "purchases, last_activity_at, erased_at, coalesce(timezone, '')"

void loy_member_row_free(loy_member_row *m)
{
    if (!m) return;
    free(m->name);
    free(m->phone);
    free(m->email);
    free(m->tags);
    free(m->notes);
    free(m->favourite);
    free(m->location_code);
    m->name = m->phone = m->email = m->tags = m->notes = m->favourite = m->location_code = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void read_row(loy_conn *c, loy_stmt *st, loy_member_row *m)
{
    memset(m, 0, sizeof(*m));
    m->id = loy_db_int(c, st, 0);
    m->merchant_id = loy_db_int(c, st, 1);
    copy(m->card_token, sizeof(m->card_token), loy_db_text(c, st, 2));
    m->name = dup_or_null(loy_db_text(c, st, 3));
    m->phone = dup_or_null(loy_db_text(c, st, 4));
    m->email = dup_or_null(loy_db_text(c, st, 5));
    m->tags = dup_or_null(loy_db_text(c, st, 6));
    m->notes = dup_or_null(loy_db_text(c, st, 7));
    m->favourite = dup_or_null(loy_db_text(c, st, 8));
    m->location_code = dup_or_null(loy_db_text(c, st, 9));
    copy(m->locale, sizeof(m->locale), loy_db_text(c, st, 10));
    m->bday_day = (int)loy_db_int(c, st, 11);
    m->bday_month = (int)loy_db_int(c, st, 12);
    m->bday_year = (int)loy_db_int(c, st, 13);
    m->birthday_set_at = loy_db_int(c, st, 14);
    m->referred_by = loy_db_int(c, st, 15);
    m->joined_at = loy_db_int(c, st, 16);
    m->updated_at = loy_db_int(c, st, 17);
    m->consent_email = loy_db_int(c, st, 18) != 0;
    m->consent_email_at = loy_db_int(c, st, 19);
    copy(m->consent_email_source, sizeof(m->consent_email_source), loy_db_text(c, st, 20));
    m->consent_sms = loy_db_int(c, st, 21) != 0;
    m->consent_sms_at = loy_db_int(c, st, 22);
    copy(m->consent_sms_source, sizeof(m->consent_sms_source), loy_db_text(c, st, 23));
    copy(m->tier, sizeof(m->tier), loy_db_text(c, st, 24));
    m->tier_since = loy_db_int(c, st, 25);
    m->below_since = loy_db_int(c, st, 26);
    m->last_review_at = loy_db_int(c, st, 27);
    m->last_birthday_bonus_year = (int)loy_db_int(c, st, 28);
    m->last_anniversary_bonus_year = (int)loy_db_int(c, st, 29);
    m->first_purchase_at = loy_db_int(c, st, 30);
    m->purchases = loy_db_int(c, st, 31);
    m->last_activity_at = loy_db_int(c, st, 32);
    m->erased_at = loy_db_int(c, st, 33);
    copy(m->timezone, sizeof(m->timezone), loy_db_text(c, st, 34));
}

static int folded(const char *text, char **out, loy_err *err)
{
    *out = NULL;
    if (!text) return 0;
    *out = loy_fold(text, err);
    return *out ? 0 : (err ? err->code : LOY_EINVALID);
}

static int conflict_field(int rc, const loy_member_row *m, loy_err *err)
{
    if (rc != LOY_ECONFLICT) return rc;
    if (m->phone && strstr(err->message, "phone"))
        return loy_err_set(err, LOY_ECONFLICT, "phone", "phone %s already belongs to a member",
                           m->phone);
    if (m->email && strstr(err->message, "email"))
        return loy_err_set(err, LOY_ECONFLICT, "email", "email %s already belongs to a member",
                           m->email);
    return rc;
}

int loy_store_member_insert(loy_conn *c, loy_member_row *m, loy_err *err)
{
    char *nf = NULL, *ef = NULL;
    int rc = folded(m->name, &nf, err);
    if (!rc) rc = folded(m->email, &ef, err);
    if (!rc)
        rc = loy_db_run(
            c, err,
            "INSERT INTO members(merchant_id, card_token, name, name_folded, phone, email, "
            "email_folded, tags, notes, location_code, locale, bday_day, bday_month, bday_year, "
            "birthday_set_at, referred_by, joined_at, updated_at, consent_email, "
            "consent_email_at, consent_email_source, consent_sms, consent_sms_at, "
            "consent_sms_source, timezone) VALUES "
            "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            "itttttttttt"
            "iiii"
            "tii"
            "iit"
            "iit"
            "t",
            m->merchant_id, m->card_token, m->name, nf, m->phone, m->email, ef,
            m->tags ? m->tags : "", m->notes ? m->notes : "", m->location_code, m->locale,
            (int64_t)m->bday_day, (int64_t)m->bday_month, (int64_t)m->bday_year, m->birthday_set_at,
            (const char *)NULL, m->joined_at, m->updated_at, (int64_t)m->consent_email,
            m->consent_email_at, m->consent_email_source, (int64_t)m->consent_sms,
            m->consent_sms_at, m->consent_sms_source, m->timezone[0] ? m->timezone : NULL);
    free(nf);
    free(ef);
    if (rc) return conflict_field(rc, m, err);
    if ((rc = loy_db_scalar(c, &m->id, err, "SELECT id FROM members WHERE card_token = ?", "t",
                            m->card_token)))
        return rc;
    if (m->referred_by &&
        (rc = loy_db_run(c, err, "UPDATE members SET referred_by = ? WHERE id = ?", "ii",
                         m->referred_by, m->id)))
        return rc;
    return loy_db_run(c, err, "INSERT INTO balances(member_id, merchant_id) VALUES (?, ?)", "ii",
                      m->id, m->merchant_id);
}

int loy_store_member_update(loy_conn *c, const loy_member_row *m, loy_err *err)
{
    char *nf = NULL, *ef = NULL;
    int rc = folded(m->name, &nf, err);
    if (!rc) rc = folded(m->email, &ef, err);
    if (!rc)
        rc = loy_db_run(
            c, err,
            "UPDATE members SET name = ?, name_folded = ?, phone = ?, email = ?, "
            "email_folded = ?, tags = ?, notes = ?, locale = ?, bday_day = ?, bday_month = ?, "
            "bday_year = ?, birthday_set_at = ?, updated_at = ?, consent_email = ?, "
            "consent_email_at = ?, consent_email_source = ?, consent_sms = ?, "
            "consent_sms_at = ?, consent_sms_source = ?, location_code = ?, timezone = ? "
            "WHERE id = ? AND merchant_id = ?",
            "tttttttt"
            "iiiii"
            "iit"
            "iit"
            "tt"
            "ii",
            m->name, nf, m->phone, m->email, ef, m->tags ? m->tags : "", m->notes ? m->notes : "",
            m->locale, (int64_t)m->bday_day, (int64_t)m->bday_month, (int64_t)m->bday_year,
            m->birthday_set_at, m->updated_at, (int64_t)m->consent_email, m->consent_email_at,
            m->consent_email_source, (int64_t)m->consent_sms, m->consent_sms_at,
            m->consent_sms_source, m->location_code, m->timezone[0] ? m->timezone : NULL, m->id,
            m->merchant_id);
    free(nf);
    free(ef);
    return rc ? conflict_field(rc, m, err) : 0;
}

int loy_store_member_get(loy_conn *c, int64_t merchant, loy_member_key by, const char *key,
                         int64_t id, loy_member_row *out, loy_err *err)
{
    static const char *sql[] = {
        "SELECT " MEMBER_COLS " FROM members WHERE merchant_id = ? AND id = ?",
        "SELECT " MEMBER_COLS " FROM members WHERE merchant_id = ? AND card_token = ?",
        "SELECT " MEMBER_COLS " FROM members WHERE merchant_id = ? AND phone = ?",
        "SELECT " MEMBER_COLS " FROM members WHERE merchant_id = ? AND email_folded = ?",
    };
    loy_stmt *st;
    char *ef = NULL;
    int rc;
    if (by == LOY_BY_ID)
        rc = loy_db_query(c, &st, err, sql[by], "ii", merchant, id);
    else if (by == LOY_BY_EMAIL) {
        if ((rc = folded(key, &ef, err))) return rc;
        rc = loy_db_query(c, &st, err, sql[by], "it", merchant, ef);
    } else
        rc = loy_db_query(c, &st, err, sql[by], "it", merchant, key);
    free(ef);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return loy_err_set(err, LOY_ENOTFOUND, "member", "member not found");
    read_row(c, st, out);
    loy_db_done(c, st);
    return 0;
}

int loy_store_member_search(loy_conn *c, int64_t merchant, const char *folded_q, const char *phone,
                            int64_t after_id, int limit,
                            void (*fn)(void *ctx, const loy_member_row *m), void *ctx, loy_err *err)
{
    loy_stmt *st;
    int rc = loy_db_query(
        c, &st, err,
        "SELECT " MEMBER_COLS " FROM members WHERE merchant_id = ? AND id > ? AND ("
        "instr(name_folded, ?) > 0 OR email_folded = ? OR card_token = upper(?) OR "
        "(? IS NOT NULL AND phone LIKE '%' || ? || '%')) ORDER BY id LIMIT ?",
        "iittttti", merchant, after_id, folded_q, folded_q, folded_q, phone, phone, (int64_t)limit);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        loy_member_row m;
        read_row(c, st, &m);
        fn(ctx, &m);
        loy_member_row_free(&m);
    }
    return rc;
}

int loy_store_member_set_card(loy_conn *c, int64_t merchant, int64_t id, const char *token,
                              loy_err *err)
{
    int rc =
        loy_db_run(c, err, "UPDATE members SET card_token = ? WHERE id = ? AND merchant_id = ?",
                   "tii", token, id, merchant);
    if (!rc && loy_db_changes(c) != 1)
        rc = loy_err_set(err, LOY_ENOTFOUND, "member", "member %lld not found", (long long)id);
    return rc;
}

int loy_store_member_count(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err)
{
    return loy_db_scalar(c, out, err, "SELECT count(*) FROM members WHERE merchant_id = ?", "i",
                         merchant);
}

static int load_lots(loy_conn *c, int64_t member, loy_lot **lots_out, size_t *n, loy_err *err)
{
    loy_stmt *st;
    size_t cap = 0;
    *lots_out = NULL;
    *n = 0;
    int rc = loy_db_query(c, &st, err,
                          "SELECT id, account, remaining, earned_at, expires_at, available_at "
                          "FROM lots WHERE member_id = ? AND remaining > 0 ORDER BY id",
                          "i", member);
    if (rc) return rc;
    while ((rc = loy_db_next(c, st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            loy_lot *nl = realloc(*lots_out, cap * sizeof(**lots_out));
            if (!nl) {
                loy_db_done(c, st);
                return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            }
            *lots_out = nl;
        }
        loy_lot *l = &(*lots_out)[(*n)++];
        l->id = loy_db_int(c, st, 0);
        loy_account_parse(loy_db_text(c, st, 1), &l->account);
        l->remaining = loy_db_int(c, st, 2);
        l->earned_at = loy_db_int(c, st, 3);
        l->expires_at = loy_db_int(c, st, 4);
        l->available_at = loy_db_int(c, st, 5);
    }
    return rc;
}

int loy_store_member_state(loy_conn *c, int64_t merchant, const loy_member_row *m,
                           const loy_programme *p, int64_t now, loy_member_state *out,
                           loy_lot **lots_out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    loy_stmt *st;
    int rc = loy_db_query(c, &st, err,
                          "SELECT points, pending, stamps, giving FROM balances "
                          "WHERE member_id = ? AND merchant_id = ?",
                          "ii", m->id, merchant);
    if (rc) return rc;
    rc = loy_db_next(c, st, err);
    if (rc < 0) return rc;
    if (rc == 0) return loy_err_set(err, LOY_ENOTFOUND, "member", "member has no balance row");
    out->points = loy_db_int(c, st, 0);
    out->pending = loy_db_int(c, st, 1);
    out->stamps = loy_db_int(c, st, 2);
    out->giving = loy_db_int(c, st, 3);
    loy_db_done(c, st);

    size_t n = 0;
    if ((rc = load_lots(c, m->id, lots_out, &n, err))) return rc;
    out->lots = *lots_out;
    out->nlots = n;

    snprintf(out->tier, sizeof(out->tier), "%s", m->tier);
    out->tier_since = m->tier_since;
    out->below_since = m->below_since;
    out->last_review_at = m->last_review_at;
    out->joined_at = m->joined_at;
    out->first_purchase_at = m->first_purchase_at;
    out->purchases = m->purchases;
    out->last_activity_at = m->last_activity_at;
    out->bday_day = m->bday_day;
    out->bday_month = m->bday_month;
    out->bday_year = m->bday_year;
    out->birthday_set_at = m->birthday_set_at;
    out->last_birthday_bonus_year = m->last_birthday_bonus_year;
    out->last_anniversary_bonus_year = m->last_anniversary_bonus_year;

    if (p->has_tiers) {
        int64_t since = now - p->tier_window_days * 86400;
        if (p->tier_basis == LOY_TIER_SPEND)
            rc = loy_db_scalar(c, &out->qualifying, err,
                               "SELECT coalesce(sum(cash - (cash * refunded) / amount), 0) "
                               "FROM purchases WHERE member_id = ? AND occurred_at > ? "
                               "AND occurred_at <= ?",
                               "iii", m->id, since, now);
        else
            rc = loy_db_scalar(c, &out->qualifying, err,
                               "SELECT coalesce(sum(amount), 0) FROM ledger WHERE member_id = ? "
                               "AND kind IN ('earn', 'reverse') AND account IN ('points', "
                               "'pending') AND created_at > ? AND created_at <= ?",
                               "iii", m->id, since, now);
        if (rc) return rc;
    }
    return 0;
}
