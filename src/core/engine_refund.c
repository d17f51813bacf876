/* Refund: proportional reversal of what a purchase earned (cumulative floor), restoring tendered
 * points, debt or a reported shortfall when the points were already spent. */
#include "core/engine_int.h"
#include "core/money.h"

#include <stdio.h>
#include <string.h>

/* Amount of `total` that the refunds up to `cum` out of `purchase` account for. */
static int64_t share_of(int64_t total, int64_t cum, int64_t purchase)
{
    return cum >= purchase ? total : loy_muldiv(total, cum, purchase);
}

static int restore(const loy_ctx *c, loy_outcome *o, loy_work *w, const loy_earned *e,
                   int64_t delta)
{
    int rc = loy_credit_points(c, o, w, LOY_ENTRY_RESTORE, delta, c->now, e->rule);
    if (rc) return rc;
    return loy_explainf(o, e->rule, LOY_ACC_POINTS, delta, "tender: %lld points restored",
                        (long long)delta);
}

/* Reverses `delta` of an earn entry; returns what could not be reversed in *missing. */
static int reverse(const loy_ctx *c, loy_outcome *o, loy_work *w, const loy_earned *e,
                   int64_t delta, int64_t *missing)
{
    const char *unit = e->account == LOY_ACC_STAMPS ? "stamps" : "points";
    loy_account fifo_acc = e->account == LOY_ACC_STAMPS ? LOY_ACC_STAMPS : LOY_ACC_POINTS;
    int64_t left = delta;
    int rc = 0;
    *missing = 0;
    loy_lot *l = e->lot > 0 ? loy_work_lot(w, e->lot) : NULL;
    if (l && l->remaining > 0) {
        int64_t t = l->remaining < left ? l->remaining : left;
        if ((rc = loy_emit(o, w, l->account, LOY_ENTRY_REVERSE, -t, l->id, 0, 0, e->rule)))
            return rc;
        left -= t;
    }
    if (left > 0) {
        int64_t taken = 0;
        rc = loy_debit_fifo(o, w, fifo_acc, LOY_ENTRY_REVERSE, left, e->lot, e->rule, &taken);
        if (rc) return rc;
        left -= taken;
    }
    if (left > 0 && fifo_acc == LOY_ACC_POINTS && c->prog->allow_debt) {
        rc = loy_emit(o, w, LOY_ACC_POINTS, LOY_ENTRY_REVERSE, -left, LOY_LOT_NONE, 0, 0, e->rule);
        if (rc) return rc;
        rc = loy_explainf(o, e->rule, LOY_ACC_POINTS, -left,
                          "%lld points reversed into debt: already spent", (long long)left);
        if (rc) return rc;
        left = 0;
    }
    rc = loy_explainf(o, e->rule, e->account, -(delta - left), "%s: -%lld %s reversed", e->rule,
                      (long long)(delta - left), unit);
    if (!rc && left > 0)
        rc = loy_explainf(o, e->rule, e->account, left, "%lld %s could not be reversed: already %s",
                          (long long)left, unit, fifo_acc == LOY_ACC_STAMPS ? "used" : "spent");
    *missing = left;
    return rc;
}

static int run(const loy_ctx *c, const loy_member_state *m, const loy_refund_in *r, loy_work *w,
               loy_outcome *o, loy_err *err)
{
    const loy_programme *p = c->prog;
    if (r->purchase_amount <= 0 || r->refunded_before < 0 || r->refund_amount <= 0 ||
        r->refund_amount > r->purchase_amount - r->refunded_before) {
        char a[48], left[48];
        loy_money_display(a, sizeof(a), r->refund_amount, p->currency);
        loy_money_display(left, sizeof(left), r->purchase_amount - r->refunded_before, p->currency);
        return loy_err_set(err, LOY_EINVALID, "amount",
                           "refund amount %s must be more than zero and at most the %s not yet "
                           "refunded",
                           a, left);
    }
    int64_t before = r->refunded_before, cum = before + r->refund_amount;
    int64_t tendered = 0, earned_pts = 0;
    int rc = 0;
    /* restores first, so restored points can cover reversals of points already spent */
    for (size_t i = 0; i < r->nearned; i++) {
        const loy_earned *e = &r->earned[i];
        if (e->kind != LOY_ENTRY_TENDER) continue;
        tendered += e->amount;
        int64_t delta = share_of(e->amount, cum, r->purchase_amount) - e->reversed;
        if (delta > 0 && (rc = restore(c, o, w, e, delta))) return rc;
    }
    for (size_t i = 0; i < r->nearned; i++) {
        const loy_earned *e = &r->earned[i];
        if (e->kind != LOY_ENTRY_EARN) continue;
        int64_t delta = share_of(e->amount, cum, r->purchase_amount) - e->reversed;
        if (delta <= 0) continue;
        if (e->account == LOY_ACC_GIVING) {
            rc = loy_emit(o, w, LOY_ACC_GIVING, LOY_ENTRY_REVERSE, -delta, LOY_LOT_NONE, 0, 0,
                          e->rule);
            char g[48];
            loy_money_display(g, sizeof(g), delta, p->currency);
            if (!rc)
                rc = loy_explainf(o, e->rule, LOY_ACC_GIVING, -delta, "giving: -%s reversed", g);
            o->giving -= delta;
        } else {
            int64_t missing = 0;
            rc = reverse(c, o, w, e, delta, &missing);
            if (e->account == LOY_ACC_STAMPS) {
                o->stamps_earned -= delta - missing;
            } else {
                earned_pts += delta;
                o->points_earned -= delta - missing;
                o->shortfall += missing;
            }
        }
        if (rc) return rc;
    }
    if (p->tier_basis == LOY_TIER_POINTS) {
        o->qualifying_after = m->qualifying - earned_pts;
    } else {
        int64_t cash = r->purchase_amount - loy_muldiv(tendered, p->point_value_micro, 1000000);
        if (cash < 0) cash = 0;
        o->qualifying_after = m->qualifying - (share_of(cash, cum, r->purchase_amount) -
                                               share_of(cash, before, r->purchase_amount));
    }
    return 0;
}

/* Contract (engine.h) plus: tender restores come first (a new lot with normal expiry from now),
 * so reversals can take from them; a reversal takes from the original lot in whatever account it
 * now is, then FIFO, then debt (points, if allowed); what is left goes to out->shortfall (points)
 * or is only explained (stamps). Counters in the outcome are negative. */
int loy_engine_refund(const loy_ctx *c, const loy_member_state *m, const loy_refund_in *r,
                      loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc) rc = run(c, m, r, &w, out, err);
    if (!rc) loy_outcome_finish(c, m, &w, out);
    loy_work_free(&w);
    if (rc == LOY_ENOMEM) loy_err_set(err, rc, "", "out of memory");
    return rc ? loy_outcome_fail(out, rc) : 0;
}
