/* Redemption of a reward (validity, tier, stock, balance; FIFO debit) and manual adjustments. */
#include "core/engine_int.h"

#include <stdio.h>
#include <string.h>

/* Contract (engine.h): the first check that fails, as a code, with its message in err. */
const char *loy_engine_reward_block(const loy_ctx *c, const loy_member_state *m,
                                    const loy_reward *r, int64_t stock_issued, loy_err *err)
{
    loy_err_clear(err);
    int64_t today = loy_local_day(c, c->now);
    char d[16];
    if (r->valid_from_day && today < r->valid_from_day) {
        loy_date_format(d, sizeof(d), r->valid_from_day);
        loy_err_set(err, LOY_EREFUSED, "reward", "reward %s is not available before %s", r->id, d);
        return "not_yet";
    }
    if (r->valid_to_day && today > r->valid_to_day) {
        loy_date_format(d, sizeof(d), r->valid_to_day);
        loy_err_set(err, LOY_EREFUSED, "reward", "reward %s ended on %s", r->id, d);
        return "ended";
    }
    if (r->ntiers > 0) {
        bool ok = false;
        char list[256] = "";
        for (size_t i = 0; i < r->ntiers; i++) {
            if (strcmp(r->tiers[i], m->tier) == 0) ok = true;
            size_t len = strlen(list);
            snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", r->tiers[i]);
        }
        if (!ok) {
            loy_err_set(err, LOY_EREFUSED, "reward",
                        "reward %s is only for %s members, this member is %s", r->id, list,
                        m->tier[0] ? m->tier : "without a tier");
            return "tier";
        }
    }
    if (r->stock >= 0 && stock_issued >= r->stock) {
        loy_err_set(err, LOY_EREFUSED, "reward",
                    "reward %s is out of stock: all %lld have been issued", r->id,
                    (long long)r->stock);
        return "out_of_stock";
    }
    if (r->cost_points > 0 && m->points < r->cost_points) {
        loy_err_set(err, LOY_EREFUSED, "reward", "not enough points for %s: have %lld, need %lld",
                    r->id, (long long)(m->points > 0 ? m->points : 0), (long long)r->cost_points);
        return "points";
    }
    if (r->cost_stamps > 0 && m->stamps < r->cost_stamps) {
        loy_err_set(err, LOY_EREFUSED, "reward", "not enough stamps for %s: have %lld, need %lld",
                    r->id, (long long)m->stamps, (long long)r->cost_stamps);
        return "stamps";
    }
    return NULL;
}

/* Contract (engine.h) plus: checks run validity (local date of now), tier, stock, balance; the
 * first failing one is the LOY_EREFUSED message (field "reward"). voucher_days 0 = no expiry. */
int loy_engine_redeem(const loy_ctx *c, const loy_member_state *m, const loy_reward *reward,
                      int64_t stock_issued, loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    if (!reward) return loy_err_set(err, LOY_EINVALID, "reward", "no reward given");
    if (loy_engine_reward_block(c, m, reward, stock_issued, err)) return err->code;
    loy_work w;
    int rc = loy_work_init(&w, m);
    bool stamps = reward->cost_points <= 0;
    loy_account acc = stamps ? LOY_ACC_STAMPS : LOY_ACC_POINTS;
    int64_t cost = stamps ? reward->cost_stamps : reward->cost_points;
    int64_t taken = 0;
    if (!rc && cost > 0)
        rc = loy_debit_fifo(out, &w, acc, LOY_ENTRY_REDEEM, cost, 0, reward->id, &taken);
    if (!rc && taken < cost)
        rc = loy_emit(out, &w, acc, LOY_ENTRY_REDEEM, -(cost - taken), LOY_LOT_NONE, 0, 0,
                      reward->id);
    if (!rc)
        rc = loy_explainf(out, reward->id, acc, -cost, "%s: -%lld %s", reward->id, (long long)cost,
                          stamps ? "stamps" : "points");
    if (!rc) {
        out->voucher_expires_at =
            reward->voucher_days > 0 ? c->now + reward->voucher_days * LOY_DAY : 0;
        loy_outcome_finish(c, m, &w, out);
    }
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}

int loy_engine_adjust(const loy_ctx *c, const loy_member_state *m, loy_account account,
                      int64_t delta, loy_outcome *out, loy_err *err)
{
    loy_err_clear(err);
    loy_outcome_begin(out, m);
    if (account != LOY_ACC_POINTS && account != LOY_ACC_STAMPS)
        return loy_err_set(err, LOY_EINVALID, "account",
                           "only points or stamps can be adjusted, got %s",
                           loy_account_name(account));
    if (delta == 0) return loy_err_set(err, LOY_EINVALID, "delta", "an adjustment cannot be 0");
    const char *unit = account == LOY_ACC_POINTS ? "points" : "stamps";
    int64_t bal = account == LOY_ACC_POINTS ? m->points : m->stamps;
    bool debt = account == LOY_ACC_POINTS && c->prog->allow_debt;
    if (delta < 0 && -delta > bal && !debt)
        return loy_err_set(err, LOY_EREFUSED, "delta", "cannot remove %lld %s: the balance is %lld",
                           (long long)-delta, unit, (long long)(bal > 0 ? bal : 0));
    loy_work w;
    int rc = loy_work_init(&w, m);
    if (!rc && delta > 0) {
        if (account == LOY_ACC_POINTS)
            rc = loy_credit_points(c, out, &w, LOY_ENTRY_ADJUST, delta, c->now, "");
        else
            rc = loy_emit(out, &w, account, LOY_ENTRY_ADJUST, delta, LOY_LOT_NEW,
                          loy_lot_expiry(c->prog, account, c->now), 0, "");
    } else if (!rc) {
        int64_t taken = 0;
        rc = loy_debit_fifo(out, &w, account, LOY_ENTRY_ADJUST, -delta, 0, "", &taken);
        if (!rc && taken < -delta)
            rc =
                loy_emit(out, &w, account, LOY_ENTRY_ADJUST, delta + taken, LOY_LOT_NONE, 0, 0, "");
    }
    if (!rc)
        rc = loy_explainf(out, "", account, delta, "adjust: %s%lld %s", delta > 0 ? "+" : "",
                          (long long)delta, unit);
    if (!rc) loy_outcome_finish(c, m, &w, out);
    loy_work_free(&w);
    if (rc) return loy_outcome_fail(out, loy_err_set(err, rc, "", "out of memory"));
    return 0;
}
