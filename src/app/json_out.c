/* JSON renderings of members, balances and outcomes (API and CLI --json share them). */
#include "app/app_int.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "util/jdump.h"

json_t *loy_json_time(int64_t t)
{
    if (!t) return json_null();
    char buf[32];
    loy_time_format(buf, sizeof(buf), t);
    return json_string(buf);
}

json_t *loy_json_next(const json_t *page, int limit)
{
    size_t n = json_array_size(page);
    if (limit <= 0 || n != (size_t)limit) return json_null();
    return json_incref(json_object_get(json_array_get(page, n - 1), "id"));
}

json_t *loy_json_money(const loy_app *app, int64_t minor)
{
    char buf[64];
    loy_money_display(buf, sizeof(buf), minor, app->merchant_row.currency);
    return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *loy_json_member(const loy_app *app, const loy_member_row *m)
{
    (void)app;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "card_token", json_string(m->card_token));
    json_object_set_new(o, "name", json_string(m->name ? m->name : ""));
    json_object_set_new(o, "phone", str_or_null(m->phone));
    json_object_set_new(o, "email", str_or_null(m->email));
    char bday[16] = "";
    if (m->bday_month && m->bday_year)
        snprintf(bday, sizeof(bday), "%04d-%02d-%02d", m->bday_year, m->bday_month, m->bday_day);
    else if (m->bday_month)
        snprintf(bday, sizeof(bday), "--%02d-%02d", m->bday_month, m->bday_day);
    json_object_set_new(o, "birthday", str_or_null(bday));
    json_object_set_new(o, "locale", json_string(m->locale));
    json_object_set_new(o, "tags", json_string(m->tags ? m->tags : ""));
    json_object_set_new(o, "notes", json_string(m->notes ? m->notes : ""));
    json_object_set_new(o, "favourite", str_or_null(m->favourite));
    json_object_set_new(o, "location", str_or_null(m->location_code));
    json_object_set_new(o, "referred_by",
                        m->referred_by ? json_integer(m->referred_by) : json_null());
    json_object_set_new(o, "joined_at", loy_json_time(m->joined_at));
    json_object_set_new(o, "tier", str_or_null(m->tier));
    json_object_set_new(o, "purchases", json_integer(m->purchases));
    json_object_set_new(o, "last_purchase_at", loy_json_time(m->last_activity_at));
    json_t *consent = json_object();
    json_object_set_new(consent, "email",
                        json_pack("{s:b, s:o, s:s}", "granted", m->consent_email, "at",
                                  loy_json_time(m->consent_email_at), "source",
                                  m->consent_email_source));
    json_object_set_new(consent, "sms",
                        json_pack("{s:b, s:o, s:s}", "granted", m->consent_sms, "at",
                                  loy_json_time(m->consent_sms_at), "source",
                                  m->consent_sms_source));
    json_object_set_new(o, "consent", consent);
    /* set when the personal data was erased: the name is then the pseudonym "Erased member ID" */
    json_object_set_new(o, "erased_at", loy_json_time(m->erased_at));
    /* the member's own IANA time zone; null = the merchant's */
    json_object_set_new(o, "timezone", str_or_null(m->timezone));
    return o;
}

json_t *loy_json_balances(const loy_member_state *st)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "points", (json_int_t)st->points, "pending",
                     (json_int_t)st->pending, "stamps", (json_int_t)st->stamps, "giving",
                     (json_int_t)st->giving);
}

json_t *loy_json_balances_after(const loy_member_state *st, const loy_outcome *o)
{
    loy_member_state after = *st;
    for (size_t i = 0; i < o->nentries; i++) {
        const loy_entry *e = &o->entries[i];
        if (e->account == LOY_ACC_POINTS) after.points += e->amount;
        if (e->account == LOY_ACC_PENDING) after.pending += e->amount;
        if (e->account == LOY_ACC_STAMPS) after.stamps += e->amount;
        if (e->account == LOY_ACC_GIVING) after.giving += e->amount;
    }
    return loy_json_balances(&after);
}

char *loy_audit_balances(const char *what, const loy_member_state *before, const loy_outcome *o)
{
    json_t *d = json_pack("{s:s, s:o, s:o}", "what", what, "before", loy_json_balances(before),
                          "after", loy_json_balances_after(before, o));
    char *text = d ? loy_json_dump(d, false, NULL) : NULL;
    json_decref(d);
    return text;
}

static const char *event_names[] = {"tier_up",           "tier_down",      "reward_available",
                                    "points_expired",    "birthday_bonus", "welcome",
                                    "anniversary_bonus", "stamp_card_full"};

json_t *loy_json_outcome(const loy_app *app, const loy_outcome *o)
{
    json_t *out = json_object();
    json_object_set_new(out, "points_earned", json_integer(o->points_earned));
    json_object_set_new(out, "bonus_points", json_integer(o->bonus_points));
    json_object_set_new(out, "stamps_earned", json_integer(o->stamps_earned));
    json_object_set_new(out, "giving", json_integer(o->giving));
    json_object_set_new(out, "cash", json_integer(o->cash));
    json_object_set_new(out, "tender_value", json_integer(o->tender_value));
    json_object_set_new(out, "tier_before", str_or_null(o->tier_before));
    json_object_set_new(out, "tier_after", str_or_null(o->tier_after));
    json_object_set_new(out, "tier_changed", json_boolean(o->tier_changed));
    if (o->shortfall) json_object_set_new(out, "shortfall", json_integer(o->shortfall));
    json_t *ev = json_array();
    for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
        if (o->events & (1u << i)) json_array_append_new(ev, json_string(event_names[i]));
    json_object_set_new(out, "events", ev);
    json_t *entries = json_array();
    for (size_t i = 0; i < o->nentries; i++) {
        const loy_entry *e = &o->entries[i];
        json_array_append_new(entries, json_pack("{s:s, s:s, s:I, s:s, s:o}", "account",
                                                 loy_account_name(e->account), "kind",
                                                 loy_entry_kind_name(e->kind), "amount",
                                                 (json_int_t)e->amount, "rule", e->rule,
                                                 "expires_at", loy_json_time(e->expires_at)));
    }
    json_object_set_new(out, "entries", entries);
    json_t *ex = json_array();
    for (size_t i = 0; i < o->nexplain; i++)
        json_array_append_new(ex, json_pack("{s:s, s:s, s:I, s:s}", "rule", o->explain[i].rule,
                                            "account", loy_account_name(o->explain[i].account),
                                            "amount", (json_int_t)o->explain[i].amount, "text",
                                            o->explain[i].text));
    json_object_set_new(out, "explain", ex);
    (void)app;
    return out;
}

void loy_first_name(const char *name, char *out, size_t n)
{
    if (!name) name = "";
    while (*name == ' ' || *name == '\t') name++;
    snprintf(out, n, "%.*s", (int)strcspn(name, " \t"), name);
}
