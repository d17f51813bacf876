/* Housekeeping (pending activation, lot expiry, inactivity expiry), the expiring-soon query and
 * the periodic tier review. */
#include "core/engine_int.h"
#include "core/money.h"

#include <stdio.h>
#include <string.h>

static int activate(const loy_ctx *c, loy_work *w, loy_outcome *o)
{
    for (size_t i = 0; i < w->n; i++) {
        loy_lot *l = &w->lots[i];
        if (l->account != LOY_ACC_PENDING || l->remaining <= 0 || l->available_at > c->now)
            continue;
        int64_t id = l->id, r = l->remaining;
        int rc = loy_emit(o, w, LOY_ACC_PENDING, LOY_ENTRY_ACTIVATE, -r, id, 0, 0, "");
        size_t idx = o->nentries;
        if (!rc) rc = loy_emit(o, w, LOY_ACC_POINTS, LOY_ENTRY_ACTIVATE, r, id, 0, 0, "");
        if (!rc)
            rc = loy_explainf(o, "", LOY_ACC_POINTS, r, "pending: %lld points now available",
                              (long long)r);
        if (!rc) rc = loy_settle_debt(o, w, idx, "");
        if (rc) return rc;
    }
    return 0;
}

static int expire_lot(loy_work *w, loy_outcome *o, size_t i, const char *rule)
{
    loy_lot *l = &w->lots[i];
    loy_account acc = l->account;
    int64_t id = l->id, r = l->remaining;
    int rc = loy_emit(o, w, acc, LOY_ENTRY_EXPIRE, -r, id, 0, 0, rule);
    if (rc) return rc;
    if (acc == LOY_ACC_POINTS) o->events |= LOY_EV_POINTS_EXPIRED;
    if (*rule) return 0;
    return loy_explainf(o, rule, acc, -r, "expiry: %lld %s expired (lot %lld)", (long long)r,
                        acc == LOY_ACC_STAMPS ? "stamps" : "points", (long long)id);
}

int loy_engine_housekeeping(const loy_ctx *c, const loy_member_state *m, loy_outcome *out,
                            loy_err *err)
{
    const loy_programme *p = c->prog;
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc) rc = activate(c, &w, out);
    for (size_t i = 0; !rc && i < w.n; i++) {
        loy_lot *l = &w.lots[i];
        if (l->remaining > 0 && l->expires_at > 0 && l->expires_at <= c->now)
            rc = expire_lot(&w, out, i, "");
    }
    if (!rc && p->expire_inactive_days > 0 && m->last_activity_at > 0 &&
        c->now - m->last_activity_at >= p->expire_inactive_days * LOY_DAY) {
        int64_t total = 0;
        for (size_t i = 0; !rc && i < w.n; i++) {
            if (w.lots[i].account != LOY_ACC_POINTS || w.lots[i].remaining <= 0) continue;
            total += w.lots[i].remaining;
            rc = expire_lot(&w, out, i, "inactivity");
        }
        if (!rc && total > 0)
            rc = loy_explainf(out, "inactivity", LOY_ACC_POINTS, -total,
                              "inactivity: %lld points expired after %lld days without activity",
                              (long long)total, (long long)p->expire_inactive_days);
    }
    if (!rc) loy_outcome_finish(c, m, &w, out);
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}

int64_t loy_engine_expiring(const loy_ctx *c, const loy_member_state *m, int64_t days,
                            int64_t *first_at)
{
    int64_t sum = 0, first = 0, limit = c->now + days * LOY_DAY;
    for (size_t i = 0; i < m->nlots; i++) {
        const loy_lot *l = &m->lots[i];
        if (l->account != LOY_ACC_POINTS || l->remaining <= 0) continue;
        if (l->expires_at <= 0 || l->expires_at > limit) continue;
        sum += l->remaining;
        if (!first || l->expires_at < first) first = l->expires_at;
    }
    if (first_at) *first_at = first;
    return sum;
}

/* UTC instant at which the review period containing ctx->now started (merchant zone). */
static int64_t period_start(const loy_ctx *c)
{
    int y, mo;
    loy_civil_from_days(loy_local_day(c, c->now), &y, &mo, NULL);
    if (c->prog->tier_review == LOY_REVIEW_QUARTERLY) mo = (mo - 1) / 3 * 3 + 1;
    if (c->prog->tier_review == LOY_REVIEW_YEARLY) mo = 1;
    return loy_local_midnight_utc(c, loy_days_from_civil(y, mo, 1));
}

static void show_q(const loy_programme *p, char *out, size_t outsz, int64_t q)
{
    if (p->tier_basis == LOY_TIER_SPEND)
        loy_money_display(out, outsz, q, p->currency);
    else
        snprintf(out, outsz, "%lld points", (long long)q);
}

static int review(const loy_ctx *c, const loy_member_state *m, loy_outcome *o)
{
    const loy_programme *p = c->prog;
    int cur = loy_programme_level_index(p, m->tier);
    int lv = loy_engine_level_for(p, m->qualifying);
    char q[48], need[48];
    show_q(p, q, sizeof(q), m->qualifying);
    o->reviewed = true;
    if (lv < cur) {
        show_q(p, need, sizeof(need), p->levels[cur].threshold);
        bool grace_over =
            p->tier_grace_days <= 0 ||
            (m->below_since != 0 && c->now - m->below_since >= p->tier_grace_days * LOY_DAY);
        if (!grace_over) {
            if (m->below_since == 0) {
                o->below_since_changed = true;
                o->below_since_after = c->now;
            }
            int64_t since = m->below_since ? m->below_since : c->now;
            char until[16];
            loy_date_format(until, sizeof(until),
                            loy_local_day(c, since + p->tier_grace_days * LOY_DAY));
            return loy_explainf(o, "tier", LOY_ACC_POINTS, 0,
                                "tier: %s kept until the grace period ends on %s (%s in %lld days, "
                                "below %s)",
                                m->tier, until, q, (long long)p->tier_window_days, need);
        }
        snprintf(o->tier_after, sizeof(o->tier_after), "%s", p->levels[lv].id);
        o->tier_changed = true;
        o->events |= LOY_EV_TIER_DOWN;
        if (m->below_since != 0) {
            o->below_since_changed = true;
            o->below_since_after = 0;
        }
        return loy_explainf(o, "tier", LOY_ACC_POINTS, 0,
                            "tier: %s -> %s (%s in %lld days, below %s)", m->tier, p->levels[lv].id,
                            q, (long long)p->tier_window_days, need);
    }
    if (m->below_since != 0) {
        o->below_since_changed = true;
        o->below_since_after = 0;
    }
    if (lv > cur) {
        snprintf(o->tier_after, sizeof(o->tier_after), "%s", p->levels[lv].id);
        o->tier_changed = true;
        o->events |= LOY_EV_TIER_UP;
        return loy_explainf(o, "tier", LOY_ACC_POINTS, 0, "tier: %s -> %s (%s in %lld days)",
                            m->tier[0] ? m->tier : "none", p->levels[lv].id, q,
                            (long long)p->tier_window_days);
    }
    return loy_explainf(o, "tier", LOY_ACC_POINTS, 0, "tier: %s kept (%s in %lld days)", m->tier, q,
                        (long long)p->tier_window_days);
}

/* Contract (engine.h) plus: due when last_review_at == 0 or the latest period start (local
 * midnight of the 1st of the month / quarter / year) is after it. grace_days 0 downgrades at once;
 * otherwise the first review below starts the grace (below_since_after = now) and a later one
 * downgrades once now - below_since >= grace_days days. */
int loy_engine_tier_review(const loy_ctx *c, const loy_member_state *m, loy_outcome *out,
                           loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    if (!c->prog->has_tiers || c->prog->nlevels == 0) return 0;
    if (m->last_review_at != 0 && m->last_review_at >= period_start(c)) return 0;
    int rc = review(c, m, out);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}
