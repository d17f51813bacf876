/* Purchase: tender, points rules by priority, tier multiplier, stamps, giving, pending hold,
 * debt settlement, birthday / anniversary bonuses and the immediate tier upgrade. */
#include "core/engine_int.h"
#include "core/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const day_abbr[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* Cash shares of the purchase: one per line plus the uncategorised remainder (last). */
typedef struct {
    size_t n;          /* nlines + 1 */
    int64_t *share;    /* earning cash of each line */
    int64_t *qty;      /* items (remainder: 0) */
    const char **cat;  /* category ("" for the remainder) */
    int64_t *base_num; /* rate points so far, in 1/(1000 * 10^exponent) points */
} lines_t;

typedef struct {
    bool matched;     /* when/where/category conditions hold */
    bool min_ok;      /* cash >= min_spend */
    int64_t eligible; /* cash of the matching lines */
    int64_t items;    /* quantity of the matching lines */
    int64_t wday;     /* weekday the day/hour window is counted on */
} match_t;

static bool cat_matches(const loy_when *w, const char *cat)
{
    return !w->category[0] || strcmp(w->category, cat) == 0;
}

/* Evaluates `w` at the purchase instant in the merchant zone. A window that wraps midnight
 * ("22:00-02:00") belongs to the day it started on, so Friday 22:00-02:00 includes Saturday 01:00.
 */
static match_t match_when(const loy_ctx *c, const loy_when *w, int64_t min_spend,
                          const loy_purchase_in *p, const lines_t *l, int64_t cash)
{
    match_t r = {0};
    int64_t local = loy_local(c, p->at);
    int64_t day = loy_day_of(local);
    int minute = (int)((local - day * LOY_DAY) / 60);
    int64_t wday_day = day;
    if (w->from_min >= 0 && w->to_min >= 0 && w->from_min != w->to_min) {
        if (w->from_min < w->to_min) {
            if (minute < w->from_min || minute >= w->to_min) return r;
        } else {
            if (minute < w->from_min && minute >= w->to_min) return r;
            if (minute < w->to_min) wday_day = day - 1;
        }
    }
    r.wday = loy_weekday(wday_day);
    if (w->days && !(w->days & (1u << r.wday))) return r;
    if (w->valid_from_day && day < w->valid_from_day) return r;
    if (w->valid_to_day && day > w->valid_to_day) return r;
    if (w->nlocations) {
        bool found = false;
        for (size_t i = 0; i < w->nlocations; i++)
            if (strcmp(w->locations[i], p->location) == 0) found = true;
        if (!found) return r;
    }
    bool any = !w->category[0];
    for (size_t i = 0; i < l->n; i++) {
        if (!cat_matches(w, l->cat[i])) continue;
        if (i + 1 < l->n) any = true;
        r.eligible += l->share[i];
        r.items += l->qty[i];
    }
    if (!any) return r;
    r.matched = true;
    r.min_ok = cash >= min_spend;
    return r;
}

/* "Mon 14:00-16:00", "Sat", "14:00-16:00" or "" */
static void window_str(char *out, size_t outsz, const loy_when *w, int64_t wday)
{
    char hours[40] = "";
    if (w->from_min >= 0 && w->to_min >= 0)
        snprintf(hours, sizeof(hours), "%02d:%02d-%02d:%02d", w->from_min / 60, w->from_min % 60,
                 w->to_min / 60, w->to_min % 60);
    const char *d = w->days ? day_abbr[wday] : "";
    snprintf(out, outsz, "%s%s%s", d, (*d && *hours) ? " " : "", hours);
}

static const char *rounding_name(loy_rounding r)
{
    return r == LOY_ROUND_CEIL ? "ceil" : r == LOY_ROUND_NEAREST ? "round" : "floor";
}

typedef struct {
    const loy_ctx *c;
    const loy_member_state *m;
    const loy_purchase_in *p;
    loy_outcome *o;
    loy_work *w;
    lines_t l;
    int64_t cash;
    int64_t denom; /* 1000 * 10^exponent */
} purchase_t;

static int credit_earn(purchase_t *s, loy_account acc, int64_t amount, const char *rule)
{
    const loy_programme *pr = s->c->prog;
    int64_t exp = loy_lot_expiry(pr, acc, s->p->at);
    if (acc == LOY_ACC_POINTS && pr->pending_days > 0)
        return loy_emit(s->o, s->w, LOY_ACC_PENDING, LOY_ENTRY_EARN, amount, LOY_LOT_NEW, exp,
                        s->p->at + pr->pending_days * LOY_DAY, rule);
    size_t idx = s->o->nentries;
    int rc = loy_emit(s->o, s->w, acc, LOY_ENTRY_EARN, amount, LOY_LOT_NEW, exp, 0, rule);
    if (!rc && acc == LOY_ACC_POINTS) rc = loy_settle_debt(s->o, s->w, idx, rule);
    return rc;
}

static int below_min(purchase_t *s, const char *id, const char *unit, int64_t min_spend,
                     loy_account acc)
{
    char have[48], need[48];
    loy_money_display(have, sizeof(have), s->cash, s->c->prog->currency);
    loy_money_display(need, sizeof(need), min_spend, s->c->prog->currency);
    return loy_explainf(s->o, id, acc, 0, "%s: 0 %s (%s is below the minimum spend %s)", id, unit,
                        have, need);
}

static int points_rules(purchase_t *s, int64_t *rule_points)
{
    const loy_programme *pr = s->c->prog;
    const char *cur = pr->currency;
    int rc = 0;
    *rule_points = 0;
    for (size_t i = 0; i < pr->npoints_rules; i++) {
        const loy_points_rule *r = &pr->points_rules[i];
        match_t mt = match_when(s->c, &r->when, r->min_spend, s->p, &s->l, s->cash);
        if (!mt.matched) continue;
        if (!mt.min_ok) {
            if ((rc = below_min(s, r->id, "points", r->min_spend, LOY_ACC_POINTS))) return rc;
            continue;
        }
        char money[48], win[48], mult[24], what[200];
        loy_money_display(money, sizeof(money), mt.eligible, cur);
        window_str(win, sizeof(win), &r->when, mt.wday);
        int64_t pts = 0;
        if (r->rate_milli > 0) {
            int64_t num = 0;
            for (size_t j = 0; j < s->l.n; j++) {
                if (!cat_matches(&r->when, s->l.cat[j])) continue;
                s->l.base_num[j] += s->l.share[j] * r->rate_milli;
                num += s->l.share[j] * r->rate_milli;
            }
            pts = loy_round_div(num, s->denom, r->rounding);
            mult[0] = '\0';
            if (r->rate_milli != 1000) {
                char x[20];
                loy_milli_str(x, sizeof(x), r->rate_milli);
                snprintf(mult, sizeof(mult), " x%s", x);
            }
            snprintf(what, sizeof(what), "%s%s%s%s, %s", r->when.category,
                     *r->when.category ? " " : "", money, mult, rounding_name(r->rounding));
            rc = loy_explainf(s->o, r->id, LOY_ACC_POINTS, pts, "%s: %lld points (%s)", r->id,
                              (long long)pts, what);
        } else if (r->multiplier_milli > 0) {
            int64_t base = 0;
            for (size_t j = 0; j < s->l.n; j++)
                if (cat_matches(&r->when, s->l.cat[j])) base += s->l.base_num[j];
            if (r->multiplier_milli > 1000)
                pts = loy_round_div(loy_muldiv(base, r->multiplier_milli - 1000, 1),
                                    s->denom * 1000, r->rounding);
            loy_milli_str(mult, sizeof(mult), r->multiplier_milli);
            if (*r->when.category)
                snprintf(what, sizeof(what), "%s %s%s%s x%s", r->when.category, money,
                         *win ? " " : "", win, mult);
            else
                snprintf(what, sizeof(what), "%s x%s", *win ? win : money, mult);
            rc = loy_explainf(s->o, r->id, LOY_ACC_POINTS, pts, "%s: +%lld points (%s)", r->id,
                              (long long)pts, what);
        } else {
            pts = r->fixed_points;
            rc = loy_explainf(s->o, r->id, LOY_ACC_POINTS, pts, "%s: +%lld points", r->id,
                              (long long)pts);
        }
        if (!rc && pts > 0) rc = credit_earn(s, LOY_ACC_POINTS, pts, r->id);
        if (rc) return rc;
        *rule_points += pts;
        if (r->stop) break;
    }
    return 0;
}

static int tier_bonus(purchase_t *s, int64_t rule_points, int64_t *bonus)
{
    const loy_programme *pr = s->c->prog;
    *bonus = 0;
    if (!pr->has_tiers || rule_points <= 0) return 0;
    int li = loy_programme_level_index(pr, s->m->tier);
    if (li < 0) return 0;
    const loy_tier_level *lv = &pr->levels[li];
    if (lv->multiplier_milli <= 1000) return 0;
    int64_t b = loy_muldiv(rule_points, lv->multiplier_milli - 1000, 1000);
    char rule[LOY_ID_MAX + 8], mult[24];
    snprintf(rule, sizeof(rule), "tier-%s", lv->id);
    loy_milli_str(mult, sizeof(mult), lv->multiplier_milli);
    int rc = loy_explainf(s->o, rule, LOY_ACC_POINTS, b, "tier %s x%s: +%lld points", lv->id, mult,
                          (long long)b);
    if (!rc && b > 0) rc = credit_earn(s, LOY_ACC_POINTS, b, rule);
    *bonus = b;
    return rc;
}

static int stamp_rules(purchase_t *s)
{
    const loy_programme *pr = s->c->prog;
    if (!pr->has_stamps) return 0;
    for (size_t i = 0; i < pr->nstamp_rules; i++) {
        const loy_stamp_rule *r = &pr->stamp_rules[i];
        match_t mt = match_when(s->c, &r->when, r->min_spend, s->p, &s->l, s->cash);
        if (!mt.matched) continue;
        int rc;
        if (!mt.min_ok) {
            if ((rc = below_min(s, r->id, "stamps", r->min_spend, LOY_ACC_STAMPS))) return rc;
            continue;
        }
        int64_t n = 0;
        char why[96];
        if (r->per == LOY_STAMP_PER_ITEM) {
            n = r->stamps * mt.items;
            snprintf(why, sizeof(why), "%lld%s%s", (long long)mt.items,
                     *r->when.category ? " " : "",
                     *r->when.category ? r->when.category : (mt.items == 1 ? " item" : " items"));
        } else if (r->per == LOY_STAMP_PER_AMOUNT) {
            n = r->amount > 0 ? r->stamps * (mt.eligible / r->amount) : 0;
            loy_money_display(why, sizeof(why), mt.eligible, pr->currency);
        } else {
            n = r->stamps;
            snprintf(why, sizeof(why), "visit");
        }
        int64_t before = s->w->stamps;
        if (n > 0) {
            rc = credit_earn(s, LOY_ACC_STAMPS, n, r->id);
            if (rc) return rc;
        }
        int64_t after = s->w->stamps;
        s->o->stamps_earned += n;
        char card[96] = "";
        if (pr->card_size > 0) {
            if (n > 0 && after / pr->card_size > (before > 0 ? before : 0) / pr->card_size) {
                const loy_reward *rw = loy_programme_reward(pr, pr->stamp_reward);
                char name[64] = "reward";
                if (rw) snprintf(name, sizeof(name), "%s", loy_names_get(&rw->name, "en"));
                if (name[0] >= 'A' && name[0] <= 'Z') name[0] = (char)(name[0] - 'A' + 'a');
                snprintf(card, sizeof(card), ", card full: %s ready", name);
                s->o->events |= LOY_EV_STAMP_CARD_FULL;
            } else {
                snprintf(card, sizeof(card), ", card %lld/%lld", (long long)(after % pr->card_size),
                         (long long)pr->card_size);
            }
        }
        rc = loy_explainf(s->o, r->id, LOY_ACC_STAMPS, n, "stamps: %s -> %lld stamp%s%s", why,
                          (long long)n, n == 1 ? "" : "s", card);
        if (rc) return rc;
        if (r->stop) break;
    }
    return 0;
}

static int giving(purchase_t *s)
{
    const loy_programme *pr = s->c->prog;
    if (!pr->has_giving || pr->giving_basis_points <= 0) return 0;
    int64_t g = loy_muldiv(s->cash, pr->giving_basis_points, 10000);
    if (g <= 0) return 0;
    int rc = loy_emit(s->o, s->w, LOY_ACC_GIVING, LOY_ENTRY_EARN, g, LOY_LOT_NONE, 0, 0, "giving");
    if (rc) return rc;
    s->o->giving = g;
    char money[48];
    loy_money_display(money, sizeof(money), g, pr->currency);
    return loy_explainf(s->o, "giving", LOY_ACC_GIVING, g, "giving: %s to %s", money,
                        pr->giving_cause ? pr->giving_cause : "the cause");
}

static int tender(purchase_t *s, loy_err *err)
{
    const loy_programme *pr = s->c->prog;
    const loy_purchase_in *p = s->p;
    if (p->tender_points == 0) return 0;
    if (!pr->tender_enabled)
        return loy_err_set(err, LOY_EREFUSED, "tender_points",
                           "points cannot pay for purchases in this programme");
    if (p->tender_points < pr->tender_min_points)
        return loy_err_set(err, LOY_EREFUSED, "tender_points",
                           "at least %lld points are needed to pay with points, got %lld",
                           (long long)pr->tender_min_points, (long long)p->tender_points);
    if (p->tender_points > s->m->points)
        return loy_err_set(
            err, LOY_EREFUSED, "tender_points", "not enough points to pay: have %lld, need %lld",
            (long long)(s->m->points > 0 ? s->m->points : 0), (long long)p->tender_points);
    int64_t value = loy_muldiv(p->tender_points, pr->point_value_micro, 1000000);
    if (value > p->amount) {
        char v[48], a[48];
        loy_money_display(v, sizeof(v), value, pr->currency);
        loy_money_display(a, sizeof(a), p->amount, pr->currency);
        return loy_err_set(err, LOY_EINVALID, "tender_points",
                           "%lld points are worth %s, more than the purchase total %s",
                           (long long)p->tender_points, v, a);
    }
    s->o->tender_value = value;
    int64_t taken = 0;
    int rc = loy_debit_fifo(s->o, s->w, LOY_ACC_POINTS, LOY_ENTRY_TENDER, p->tender_points, 0, "",
                            &taken);
    if (!rc && taken < p->tender_points)
        rc = loy_emit(s->o, s->w, LOY_ACC_POINTS, LOY_ENTRY_TENDER, -(p->tender_points - taken),
                      LOY_LOT_NONE, 0, 0, "");
    if (rc) return rc;
    char v[48];
    loy_money_display(v, sizeof(v), value, pr->currency);
    return loy_explainf(s->o, "", LOY_ACC_POINTS, -p->tender_points, "tender: %lld points pay %s",
                        (long long)p->tender_points, v);
}

static int upgrade(purchase_t *s)
{
    const loy_programme *pr = s->c->prog;
    loy_outcome *o = s->o;
    if (!pr->has_tiers) return 0;
    int cur = loy_programme_level_index(pr, s->m->tier);
    int lv = loy_engine_level_for(pr, o->qualifying_after);
    if (lv <= cur) return 0;
    snprintf(o->tier_after, sizeof(o->tier_after), "%s", pr->levels[lv].id);
    o->tier_changed = true;
    o->events |= LOY_EV_TIER_UP;
    char q[48];
    if (pr->tier_basis == LOY_TIER_SPEND)
        loy_money_display(q, sizeof(q), o->qualifying_after, pr->currency);
    else
        snprintf(q, sizeof(q), "%lld points", (long long)o->qualifying_after);
    return loy_explainf(o, "tier", LOY_ACC_POINTS, 0, "tier: %s -> %s (%s in %lld days)",
                        s->m->tier[0] ? s->m->tier : "none", pr->levels[lv].id, q,
                        (long long)pr->tier_window_days);
}

static int run(purchase_t *s, loy_err *err)
{
    const loy_purchase_in *p = s->p;
    const loy_programme *pr = s->c->prog;
    int rc;
    if (p->amount <= 0) return loy_err_set(err, LOY_EINVALID, "amount", "amount must be positive");
    if (p->tender_points < 0)
        return loy_err_set(err, LOY_EINVALID, "tender_points", "tender_points must be >= 0");
    int64_t lines_total = 0;
    for (size_t i = 0; i < p->nlines; i++) {
        if (p->lines[i].amount < 0 || p->lines[i].qty < 0)
            return loy_err_set(err, LOY_EINVALID, "lines", "line %zu has a negative amount", i);
        lines_total += p->lines[i].amount;
    }
    if (lines_total > p->amount)
        return loy_err_set(err, LOY_EINVALID, "lines", "line amounts exceed the purchase total");
    if ((rc = tender(s, err))) return rc;
    s->cash = p->amount - s->o->tender_value;
    s->o->cash = s->cash;

    size_t n = p->nlines + 1;
    s->l.n = n;
    s->l.share = calloc(n, sizeof(int64_t));
    s->l.qty = calloc(n, sizeof(int64_t));
    s->l.base_num = calloc(n, sizeof(int64_t));
    s->l.cat = calloc(n, sizeof(char *));
    if (!s->l.share || !s->l.qty || !s->l.base_num || !s->l.cat) return LOY_ENOMEM;
    int64_t shared = 0;
    for (size_t i = 0; i < p->nlines; i++) {
        s->l.share[i] = loy_muldiv(p->lines[i].amount, s->cash, p->amount);
        s->l.qty[i] = p->lines[i].qty;
        s->l.cat[i] = p->lines[i].category;
        shared += s->l.share[i];
    }
    s->l.share[n - 1] = s->cash - shared;
    s->l.cat[n - 1] = "";
    s->denom = 1000 * loy_pow10(pr->exponent);

    int64_t rule_points = 0, tb = 0;
    if (pr->has_points) {
        if ((rc = points_rules(s, &rule_points))) return rc;
        if ((rc = tier_bonus(s, rule_points, &tb))) return rc;
    }
    s->o->points_earned = rule_points + tb;
    if ((rc = stamp_rules(s))) return rc;
    if ((rc = giving(s))) return rc;
    if ((rc = loy_bonuses_at(s->c, s->m, p->at, s->w, s->o))) return rc;
    s->o->qualifying_after =
        s->m->qualifying + (pr->tier_basis == LOY_TIER_POINTS ? s->o->points_earned : s->cash);
    return upgrade(s);
}

/* Contract (engine.h) plus: entries come as tender debits, points rules by priority (each EARN
 * followed by its SETTLE pair when it settles debt), tier bonus, stamps, giving, birthday and
 * anniversary bonuses. A rule applies when its when/where/category conditions hold at p->at in
 * the merchant zone and cash >= min_spend; only an applied rule stops later ones. Multipliers add
 * (m-1) x the exact rate points of their lines; the tier bonus uses the tier before the purchase.
 * On error the outcome holds no entries and stays freeable. */
int loy_engine_purchase(const loy_ctx *c, const loy_member_state *m, const loy_purchase_in *p,
                        loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    loy_work w;
    purchase_t s = {.c = c, .m = m, .p = p, .o = out, .w = &w};
    int rc = loy_work_init(&w, m);
    if (!rc) rc = run(&s, err);
    if (!rc) loy_outcome_finish(c, m, &w, out);
    free(s.l.share);
    free(s.l.qty);
    free(s.l.base_num);
    free(s.l.cat);
    loy_work_free(&w);
    if (rc == LOY_ENOMEM) loy_err_set(err, rc, "", "out of memory");
    return rc ? loy_outcome_fail(out, rc) : 0;
}
