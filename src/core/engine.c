/* Engine plumbing: outcomes, the working copy of lots, entry emission, FIFO debits, debt
 * settlement, arithmetic helpers, tier level lookup and account / entry-kind names. */
#include "core/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void loy_outcome_init(loy_outcome *o)
{
    memset(o, 0, sizeof(*o));
}

void loy_outcome_free(loy_outcome *o)
{
    if (!o) return;
    free(o->entries);
    free(o->explain);
    o->entries = NULL;
    o->explain = NULL;
    o->nentries = o->cap_entries = o->nexplain = o->cap_explain = 0;
}

int loy_work_init(loy_work *w, const loy_member_state *m)
{
    memset(w, 0, sizeof(*w));
    w->points = m->points;
    w->pending = m->pending;
    w->stamps = m->stamps;
    w->giving = m->giving;
    int64_t lotted = 0;
    if (m->nlots) {
        w->lots = malloc((m->nlots + 8) * sizeof(*w->lots));
        if (!w->lots) return LOY_ENOMEM;
        w->cap = m->nlots + 8;
        memcpy(w->lots, m->lots, m->nlots * sizeof(*w->lots));
        w->n = m->nlots;
    }
    for (size_t i = 0; i < w->n; i++)
        if (w->lots[i].account == LOY_ACC_POINTS) lotted += w->lots[i].remaining;
    w->unlotted = m->points - lotted;
    return 0;
}

void loy_work_free(loy_work *w)
{
    free(w->lots);
    w->lots = NULL;
    w->n = w->cap = 0;
}

loy_lot *loy_work_lot(loy_work *w, int64_t id)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->lots[i].id == id) return &w->lots[i];
    return NULL;
}

static int64_t *balance_of(loy_work *w, loy_account acc)
{
    switch (acc) {
    case LOY_ACC_POINTS:
        return &w->points;
    case LOY_ACC_PENDING:
        return &w->pending;
    case LOY_ACC_STAMPS:
        return &w->stamps;
    default:
        return &w->giving;
    }
}

int loy_emit(loy_outcome *o, loy_work *w, loy_account acc, loy_entry_kind kind, int64_t amount,
             int64_t lot, int64_t expires_at, int64_t available_at, const char *rule)
{
    if (o->nentries == o->cap_entries) {
        size_t cap = o->cap_entries ? o->cap_entries * 2 : 8;
        loy_entry *e = realloc(o->entries, cap * sizeof(*e));
        if (!e) return LOY_ENOMEM;
        o->entries = e;
        o->cap_entries = cap;
    }
    if (lot == LOY_LOT_NEW && w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        loy_lot *l = realloc(w->lots, cap * sizeof(*l));
        if (!l) return LOY_ENOMEM;
        w->lots = l;
        w->cap = cap;
    }
    size_t idx = o->nentries++;
    loy_entry *e = &o->entries[idx];
    memset(e, 0, sizeof(*e));
    e->account = acc;
    e->kind = kind;
    e->amount = amount;
    e->lot = lot;
    e->expires_at = lot == LOY_LOT_NEW ? expires_at : 0;
    e->available_at = lot == LOY_LOT_NEW ? available_at : 0;
    snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");

    *balance_of(w, acc) += amount;
    if (lot == LOY_LOT_NEW) {
        loy_lot *l = &w->lots[w->n++];
        memset(l, 0, sizeof(*l));
        l->id = LOY_LOT_OF_ENTRY(idx);
        l->account = acc;
        l->remaining = amount;
        l->expires_at = expires_at;
        l->available_at = available_at;
    } else if (lot == LOY_LOT_NONE) {
        if (acc == LOY_ACC_POINTS) w->unlotted += amount;
    } else {
        loy_lot *l = loy_work_lot(w, lot);
        if (l) {
            if (l->account != acc && amount > 0) l->account = acc; /* activation */
            l->remaining += amount;
        } else if (acc == LOY_ACC_POINTS) {
            w->unlotted += amount;
        }
    }
    return 0;
}

int loy_explainf(loy_outcome *o, const char *rule, loy_account acc, int64_t amount, const char *fmt,
                 ...)
{
    if (o->nexplain == o->cap_explain) {
        size_t cap = o->cap_explain ? o->cap_explain * 2 : 8;
        loy_explain *x = realloc(o->explain, cap * sizeof(*x));
        if (!x) return LOY_ENOMEM;
        o->explain = x;
        o->cap_explain = cap;
    }
    loy_explain *x = &o->explain[o->nexplain++];
    memset(x, 0, sizeof(*x));
    snprintf(x->rule, sizeof(x->rule), "%s", rule ? rule : "");
    x->account = acc;
    x->amount = amount;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->text, sizeof(x->text), fmt, ap);
    va_end(ap);
    return 0;
}

int loy_debit_fifo(loy_outcome *o, loy_work *w, loy_account acc, loy_entry_kind kind, int64_t want,
                   int64_t skip, const char *rule, int64_t *taken)
{
    int64_t got = 0;
    /* index loop: loy_emit never adds lots for debits, so w->lots stays put */
    for (size_t i = 0; i < w->n && got < want; i++) {
        loy_lot *l = &w->lots[i];
        if (l->account != acc || l->remaining <= 0 || (skip && l->id == skip)) continue;
        int64_t t = l->remaining < want - got ? l->remaining : want - got;
        int rc = loy_emit(o, w, acc, kind, -t, l->id, 0, 0, rule);
        if (rc) return rc;
        got += t;
    }
    *taken = got;
    return 0;
}

int loy_settle_debt(loy_outcome *o, loy_work *w, size_t idx, const char *rule)
{
    if (w->unlotted >= 0) return 0;
    int64_t lot = LOY_LOT_OF_ENTRY(idx);
    loy_lot *l = loy_work_lot(w, lot);
    if (!l && idx < o->nentries) {
        lot = o->entries[idx].lot; /* an activation credits an existing lot */
        l = loy_work_lot(w, lot);
    }
    if (!l || l->remaining <= 0) return 0;
    int64_t debt = -w->unlotted;
    int64_t s = l->remaining < debt ? l->remaining : debt;
    int rc = loy_emit(o, w, LOY_ACC_POINTS, LOY_ENTRY_SETTLE, -s, lot, 0, 0, rule);
    if (!rc) rc = loy_emit(o, w, LOY_ACC_POINTS, LOY_ENTRY_SETTLE, s, LOY_LOT_NONE, 0, 0, rule);
    if (!rc)
        rc = loy_explainf(o, rule, LOY_ACC_POINTS, s, "settles %lld points of debt", (long long)s);
    return rc;
}

int64_t loy_lot_expiry(const loy_programme *p, loy_account acc, int64_t at)
{
    int64_t days = acc == LOY_ACC_STAMPS ? p->stamps_expire_days : p->expire_after_days;
    return days > 0 ? at + days * LOY_DAY : 0;
}

int loy_credit_points(const loy_ctx *c, loy_outcome *o, loy_work *w, loy_entry_kind kind,
                      int64_t amount, int64_t at, const char *rule)
{
    size_t idx = o->nentries;
    int rc = loy_emit(o, w, LOY_ACC_POINTS, kind, amount, LOY_LOT_NEW,
                      loy_lot_expiry(c->prog, LOY_ACC_POINTS, at), 0, rule);
    if (!rc) rc = loy_settle_debt(o, w, idx, rule);
    return rc;
}

void loy_outcome_begin(loy_outcome *o, const loy_member_state *m)
{
    snprintf(o->tier_before, sizeof(o->tier_before), "%s", m->tier);
    snprintf(o->tier_after, sizeof(o->tier_after), "%s", m->tier);
    o->qualifying_after = m->qualifying;
}

static bool reward_open(const loy_ctx *c, const loy_reward *r, const char *tier)
{
    int64_t day = loy_local_day(c, c->now);
    if (r->valid_from_day && day < r->valid_from_day) return false;
    if (r->valid_to_day && day > r->valid_to_day) return false;
    if (r->ntiers == 0) return true;
    for (size_t i = 0; i < r->ntiers; i++)
        if (strcmp(r->tiers[i], tier) == 0) return true;
    return false;
}

void loy_outcome_finish(const loy_ctx *c, const loy_member_state *m, const loy_work *w,
                        loy_outcome *o)
{
    const loy_programme *p = c->prog;
    for (size_t i = 0; i < p->nrewards; i++) {
        const loy_reward *r = &p->rewards[i];
        if (r->cost_points <= 0) continue;
        if (m->points < r->cost_points && w->points >= r->cost_points &&
            reward_open(c, r, o->tier_after)) {
            o->events |= LOY_EV_REWARD_AVAILABLE;
            return;
        }
    }
}

int loy_outcome_fail(loy_outcome *o, int rc)
{
    o->nentries = 0;
    o->nexplain = 0;
    return rc;
}

int64_t loy_local(const loy_ctx *c, int64_t utc)
{
    return c->tz ? loy_tz_local(c->tz, utc) : utc;
}

int64_t loy_local_day(const loy_ctx *c, int64_t utc)
{
    return loy_day_of(loy_local(c, utc));
}

int64_t loy_local_midnight_utc(const loy_ctx *c, int64_t day)
{
    return c->tz ? loy_tz_to_utc(c->tz, day * LOY_DAY) : day * LOY_DAY;
}

int64_t loy_muldiv(int64_t a, int64_t b, int64_t c)
{
    int64_t q = a / c, r = a % c;
    return q * b + r * b / c;
}

int64_t loy_round_div(int64_t num, int64_t den, loy_rounding mode)
{
    switch (mode) {
    case LOY_ROUND_CEIL:
        return num / den + (num % den != 0);
    case LOY_ROUND_NEAREST:
        return num / den + (num % den >= den - num % den);
    default:
        return num / den;
    }
}

void loy_milli_str(char *out, size_t outsz, int64_t milli)
{
    int64_t whole = milli / 1000, frac = milli % 1000;
    if (frac == 0) {
        snprintf(out, outsz, "%lld", (long long)whole);
        return;
    }
    char f[24];
    snprintf(f, sizeof(f), "%03lld", (long long)(frac < 0 ? -frac : frac));
    for (int i = 2; i > 0 && f[i] == '0'; i--) f[i] = '\0';
    snprintf(out, outsz, "%lld.%s", (long long)whole, f);
}

int loy_engine_level_for(const loy_programme *p, int64_t qualifying)
{
    if (!p->has_tiers || p->nlevels == 0) return -1;
    int level = 0;
    for (size_t i = 1; i < p->nlevels; i++)
        if (p->levels[i].threshold <= qualifying) level = (int)i;
    return level;
}

static const char *const account_names[] = {"points", "pending", "stamps", "giving"};
static const char *const kind_names[] = {"earn",   "bonus",    "redeem", "tender",
                                         "expire", "reverse",  "adjust", "activate",
                                         "settle", "referral", "restore"};

const char *loy_account_name(loy_account a)
{
    if ((unsigned)a >= sizeof(account_names) / sizeof(account_names[0])) return "unknown";
    return account_names[a];
}

const char *loy_entry_kind_name(loy_entry_kind k)
{
    if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0])) return "unknown";
    return kind_names[k];
}

bool loy_account_parse(const char *s, loy_account *out)
{
    for (size_t i = 0; s && i < sizeof(account_names) / sizeof(account_names[0]); i++)
        if (strcmp(s, account_names[i]) == 0) {
            *out = (loy_account)i;
            return true;
        }
    return false;
}

bool loy_entry_kind_parse(const char *s, loy_entry_kind *out)
{
    for (size_t i = 0; s && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (loy_entry_kind)i;
            return true;
        }
    return false;
}
