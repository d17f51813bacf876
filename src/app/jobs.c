/* Jobs for every member (activation, expiry, tier review, birthday bonuses) and the invariant
 * check. One transaction per member, so a long run never holds the write lock for long. */
#include "app/app_int.h"
#include "app/referrals.h"
#include "app/triggers.h"

#include <stdlib.h>
#include <string.h>

static int one_member(loy_app *app, int64_t id, int64_t now, json_t *summary, loy_err *err)
{
    loy_loaded m = {0};
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    int64_t before_points = 0, before_pending = 0;
    rc = loy_app_load_id(app, id, false, now, &m, err);
    if (!rc) {
        before_points = m.st.points;
        before_pending = m.st.pending;
        loy_loaded_free(&m);
        rc = loy_app_load_id(app, id, true, now, &m, err); /* housekeeping applied */
    }
    loy_ctx ctx = loy_app_ctx(app, now);
    loy_outcome o;
    loy_outcome_init(&o);
    if (!rc) rc = loy_engine_tier_review(&ctx, &m.st, &o, err);
    if (!rc && !m.row.erased_at) rc = loy_engine_bonuses(&ctx, &m.st, &o, err); /* no earning */
    if (!rc && (o.nentries || o.tier_changed || o.reviewed || o.below_since_changed ||
                o.birthday_bonus_year || o.anniversary_bonus_year))
        rc = loy_app_apply(app, id, &o, "job", 0, NULL, now, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc)
        loy_db_rollback(&app->conn);
    else {
        int64_t activated = before_pending - m.st.pending;
        int64_t expired = before_points + activated - m.st.points;
        json_object_set_new(summary, "activated",
                            json_integer(json_integer_value(json_object_get(summary, "activated")) +
                                         (activated > 0 ? activated : 0)));
        json_object_set_new(summary, "expired",
                            json_integer(json_integer_value(json_object_get(summary, "expired")) +
                                         (expired > 0 ? expired : 0)));
        if (o.tier_changed)
            json_object_set_new(
                summary, "tier_changes",
                json_integer(json_integer_value(json_object_get(summary, "tier_changes")) + 1));
        if (o.bonus_points)
            json_object_set_new(
                summary, "bonus_points",
                json_integer(json_integer_value(json_object_get(summary, "bonus_points")) +
                             o.bonus_points));
    }
    loy_outcome_free(&o);
    loy_loaded_free(&m);
    return rc;
}

int loy_app_jobs_housekeeping(loy_app *app, json_t **resp, loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int64_t now = loy_app_now(app);
    json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I}", "members", (json_int_t)0, "activated",
                                (json_int_t)0, "expired", (json_int_t)0, "tier_changes",
                                (json_int_t)0, "bonus_points", (json_int_t)0);
    int64_t after = 0, count = 0;
    int64_t ids[256];
    int n = 0, rc = 0;
    do {
        if ((rc = loy_db_begin(&app->conn, false, err))) break;
        rc = loy_store_members_page(&app->conn, app->merchant, after, 256, ids, &n, err);
        loy_db_rollback(&app->conn);
        for (int i = 0; !rc && i < n; i++) {
            rc = loy_app_jobs_stopping(app, err); /* app/triggers.c */
            if (!rc) rc = one_member(app, ids[i], now, summary, err);
            after = ids[i];
            count++;
        }
    } while (!rc && n == 256);
    /* referral bonuses whose return window has passed (app/referrals.c) */
    if (!rc) rc = loy_app_referrals_award(app, now, summary, err);
    if (!rc) rc = loy_app_triggers_daily(app, now, summary, err); /* messages; the run's date */
    int64_t pruned = 0;
    if (!rc && !(rc = loy_db_begin(&app->conn, true, err))) {
        rc = loy_store_idem_prune(&app->conn, now - 8 * 86400, &pruned, err);
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    if (rc) {
        json_decref(summary);
        return rc;
    }
    json_object_set_new(summary, "members", json_integer(count));
    json_object_set_new(summary, "idempotency_pruned", json_integer(pruned));
    *resp = summary;
    return 0;
}

static void add_violation(void *ctx, const char *what)
{
    json_array_append_new((json_t *)ctx, json_string(what));
}

int loy_app_verify(loy_app *app, json_t **resp, loy_err *err)
{
    json_t *arr = json_array();
    int64_t n = 0;
    int rc = loy_db_begin(&app->conn, false, err);
    if (!rc) {
        rc = loy_store_verify(&app->conn, add_violation, arr, &n, err);
        loy_db_rollback(&app->conn);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:b, s:o}", "ok", n == 0, "violations", arr);
    return 0;
}
