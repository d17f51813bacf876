/* Bulk loading of members and purchase history (see store_bulk.h). */
#include "store/store_bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"

int loy_store_bulk_member_count(loy_conn *c, int64_t merchant, int64_t *n, loy_err *err)
{
    return loy_db_scalar(c, n, err, "SELECT count(*) FROM members WHERE merchant_id = ?", "i",
                         merchant);
}

int loy_store_bulk_session(loy_conn *c, bool on, loy_err *err)
{
    return c->drv->exec(
        c->db,
        on ? "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA foreign_keys=OFF; "
             "PRAGMA wal_autocheckpoint=16384;"
           : "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
             "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=1000;",
        err);
}

static const char *const member_sql =
    "INSERT INTO members(merchant_id, card_token, name, name_folded, phone, email, email_folded, "
    "tags, notes, location_code, locale, bday_day, bday_month, bday_year, birthday_set_at, "
    "referred_by, joined_at, updated_at, consent_email, consent_email_at, consent_email_source, "
    "consent_sms, consent_sms_at, consent_sms_source, tier, tier_since, first_purchase_at, "
    "purchases, last_activity_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?) RETURNING id";

static const char *const balance_sql = "INSERT INTO balances(member_id, merchant_id) VALUES (?, ?)";

static const char *const purchase_sql =
    "INSERT INTO purchases(merchant_id, member_id, location_code, amount, currency, tender_points, "
    "cash, reference, lines, occurred_at, recorded_at, actor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

/* names the column of a unique constraint violation in err->field */
static int conflict(int rc, loy_err *err)
{
    if (rc != LOY_ECONFLICT) return rc;
    const char *f = strstr(err->message, "phone")        ? "phone"
                    : strstr(err->message, "email")      ? "email"
                    : strstr(err->message, "card_token") ? "card_token"
                                                         : "";
    snprintf(err->field, sizeof(err->field), "%s", f);
    return rc;
}

int loy_store_bulk_member(loy_conn *c, const loy_member_row *m, int64_t *id_out, loy_err *err)
{
    char *nf = loy_fold(m->name, err), *ef = NULL;
    int rc = nf ? 0 : err->code;
    if (!rc && m->email && !(ef = loy_fold(m->email, err))) rc = err->code;
    const loy_db_driver *d = c->drv;
    loy_stmt *st = NULL;
    if (!rc) rc = d->prepare(c->db, member_sql, &st, err);
    if (!rc) {
        int k = 1;
        d->bind_int64(st, k++, m->merchant_id);
        d->bind_text(st, k++, m->card_token);
        d->bind_text(st, k++, m->name);
        d->bind_text(st, k++, nf);
        d->bind_text(st, k++, m->phone);
        d->bind_text(st, k++, m->email);
        d->bind_text(st, k++, ef);
        d->bind_text(st, k++, m->tags ? m->tags : "");
        d->bind_text(st, k++, m->notes ? m->notes : "");
        d->bind_text(st, k++, m->location_code);
        d->bind_text(st, k++, m->locale);
        d->bind_int64(st, k++, m->bday_day);
        d->bind_int64(st, k++, m->bday_month);
        d->bind_int64(st, k++, m->bday_year);
        d->bind_int64(st, k++, m->birthday_set_at);
        if (m->referred_by)
            d->bind_int64(st, k++, m->referred_by);
        else
            d->bind_null(st, k++);
        d->bind_int64(st, k++, m->joined_at);
        d->bind_int64(st, k++, m->updated_at);
        d->bind_int64(st, k++, m->consent_email);
        d->bind_int64(st, k++, m->consent_email_at);
        d->bind_text(st, k++, m->consent_email_source);
        d->bind_int64(st, k++, m->consent_sms);
        d->bind_int64(st, k++, m->consent_sms_at);
        d->bind_text(st, k++, m->consent_sms_source);
        d->bind_text(st, k++, m->tier);
        d->bind_int64(st, k++, m->tier_since);
        d->bind_int64(st, k++, m->first_purchase_at);
        d->bind_int64(st, k++, m->purchases);
        d->bind_int64(st, k++, m->last_activity_at);
        rc = d->step(st, err);
        if (rc == 1) {
            *id_out = d->col_int64(st, 0);
            rc = d->step(st, err);
        }
        d->reset(st);
        rc = conflict(rc, err);
    }
    free(nf);
    free(ef);
    if (!rc) rc = d->prepare(c->db, balance_sql, &st, err);
    if (!rc) {
        d->bind_int64(st, 1, *id_out);
        d->bind_int64(st, 2, m->merchant_id);
        rc = d->step(st, err);
        d->reset(st);
    }
    return rc;
}

int loy_store_bulk_purchase(loy_conn *c, const loy_purchase_row *p, const char *lines_json,
                            const char *actor, loy_err *err)
{
    const loy_db_driver *d = c->drv;
    loy_stmt *st = NULL;
    int rc = d->prepare(c->db, purchase_sql, &st, err);
    if (rc) return rc;
    d->bind_int64(st, 1, p->merchant_id);
    d->bind_int64(st, 2, p->member_id);
    d->bind_text(st, 3, p->location[0] ? p->location : NULL);
    d->bind_int64(st, 4, p->amount);
    d->bind_text(st, 5, p->currency);
    d->bind_int64(st, 6, p->tender_points);
    d->bind_int64(st, 7, p->amount - p->tender_points);
    d->bind_text(st, 8, p->reference[0] ? p->reference : NULL);
    d->bind_text(st, 9, lines_json ? lines_json : "[]");
    d->bind_int64(st, 10, p->occurred_at);
    d->bind_int64(st, 11, p->recorded_at);
    d->bind_text(st, 12, actor);
    rc = d->step(st, err);
    d->reset(st);
    return rc;
}
