/* Reports on a small fixed database built through the public use cases (examples/kopi-kita.json,
 * Asia/Kuala_Lumpur, UTC+8, no DST): every expected value is computed by hand from the data
 * below, in the comments next to the checks.
 *
 * Every event happens at 02:00 UTC = 10:00 local, so UTC and local dates agree; the period is
 * from=2025-01-01 to=2025-06-30 (local days, both included): [2024-12-31T16:00Z,
 * 2025-06-30T16:00Z). Earning: 1 point per RM1 (floor), 50 welcome points, giving 1% of cash,
 * no items (so no stamps), no referral bonuses in the engine, all spend below the gold tier.
 *
 *   member  joined  home  referred_by  purchases (counted = not wholly refunded)
 *   A       01-05   BSR   -            01-10 100.00, 02-10 100.00, 03-10 100.00, 06-20 150.00
 *                                      (all BSR); redeems rm5-off (500 points) on 06-21
 *   B       01-15   BSR   A            01-20 50.00 BSR; 04-01 30.00 BSR refunded wholly 04-02
 *   C       02-03   PJ    A            02-05 20.00 PJ; 06-25 40.00 PJ refunded 10.00 on 06-26
 *   D       02-20   PJ    -            none
 *   E       03-01   PJ    B            03-02 200.00 PJ
 *
 * Revenue (amount - refunded, counted purchases): A 450.00 (4), B 50.00 (1), C 50.00 (2),
 * E 200.00 (1); total 750.00 over 8 purchases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/models.h"
#include "app/reports.h"
#include "store/store_model.h"
#include "app_fixture.h"
#include "store_fixture.h"
#include "util/time.h"

typedef struct {
    char path[512];
    loy_app *app;
    int64_t a, b, c, d, e;
} rfx;

static int64_t at(int m, int d)
{
    return loy_days_from_civil(2025, m, d) * LOY_DAY + 2 * 3600;
}

static int64_t join(loy_app *app, int m, int d, const char *name, const char *home, int64_t ref)
{
    app->now = at(m, d);
    json_t *req = json_pack("{s:s, s:s}", "name", name, "location", home);
    if (ref) json_object_set_new(req, "referred_by", json_integer(ref));
    json_t *resp = afx_write(app, LOY_OP_MEMBER_CREATE, req);
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
    json_decref(resp);
    assert_true(id > 0);
    return id;
}

static int64_t buy(loy_app *app, int m, int d, int64_t member, int64_t amount, const char *loc)
{
    app->now = at(m, d);
    json_t *resp = afx_write(app, LOY_OP_PURCHASE,
                             json_pack("{s:I, s:I, s:s}", "member", (json_int_t)member, "amount",
                                       (json_int_t)amount, "location", loc));
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "purchase"), "id"));
    json_decref(resp);
    return id;
}

static void refund(loy_app *app, int m, int d, int64_t purchase, int64_t amount)
{
    app->now = at(m, d);
    json_decref(afx_write(app, LOY_OP_REFUND,
                          json_pack("{s:I, s:I}", "purchase_id", (json_int_t)purchase, "amount",
                                    (json_int_t)amount)));
}

static int setup(void **state)
{
    rfx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->app = afx_open_example(f->path, sizeof(f->path), "reports", at(1, 1));
    loy_app *app = f->app;
    f->a = join(app, 1, 5, "Aminah", "BSR", 0);
    buy(app, 1, 10, f->a, 10000, "BSR");
    f->b = join(app, 1, 15, "Badrul", "BSR", f->a);
    buy(app, 1, 20, f->b, 5000, "BSR");
    f->c = join(app, 2, 3, "Chen", "PJ", f->a);
    buy(app, 2, 5, f->c, 2000, "PJ");
    buy(app, 2, 10, f->a, 10000, "BSR");
    f->d = join(app, 2, 20, "Devi", "PJ", 0);
    f->e = join(app, 3, 1, "Eng", "PJ", f->b);
    buy(app, 3, 2, f->e, 20000, "PJ");
    buy(app, 3, 10, f->a, 10000, "BSR");
    int64_t p = buy(app, 4, 1, f->b, 3000, "BSR");
    refund(app, 4, 2, p, 3000);
    buy(app, 6, 20, f->a, 15000, "BSR");
    app->now = at(6, 21);
    json_decref(
        afx_write(app, LOY_OP_REDEEM,
                  json_pack("{s:I, s:s}", "member", (json_int_t)f->a, "reward", "rm5-off")));
    p = buy(app, 6, 25, f->c, 4000, "PJ");
    refund(app, 6, 26, p, 1000);
    app->now = at(7, 15); /* reports run later; the period is given explicitly */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    rfx *f = *state;
    loy_app_close(f->app);
    sfx_remove_target(f->path);
    free(f);
    return 0;
}

/* Runs a report over the fixed period plus extra "key", "value" string pairs (NULL-ended). */
static json_t *report(rfx *f, const char *name, ...)
{
    json_t *params = json_pack("{s:s, s:s}", "from", "2025-01-01", "to", "2025-06-30");
    va_list ap;
    va_start(ap, name);
    for (const char *k; (k = va_arg(ap, const char *));)
        json_object_set_new(params, k, json_string(va_arg(ap, const char *)));
    va_end(ap);
    json_t *resp = NULL;
    loy_err err;
    int rc = loy_app_report(f->app, name, params, &resp, &err);
    json_decref(params);
    if (rc) fail_msg("report %s: %s (%s)", name, err.message, err.field);
    return resp;
}

static int64_t gi(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) fail_msg("%s: not an integer", key);
    return (int64_t)json_integer_value(v);
}

static double gd(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) fail_msg("%s: not a number", key);
    return json_number_value(v);
}

static const char *gs(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s) fail_msg("%s: not a string", key);
    return s;
}

static void test_period_and_rules(void **state)
{
    rfx *f = *state;
    json_t *r = report(f, "kpis", NULL);
    const json_t *p = json_object_get(r, "period");
    /* local midnights of 2025-01-01 and 2025-07-01 at UTC+8 */
    assert_string_equal(gs(p, "from"), "2024-12-31T16:00:00Z");
    assert_string_equal(gs(p, "to"), "2025-06-30T16:00:00Z");
    assert_string_equal(gs(p, "time_zone"), "Asia/Kuala_Lumpur");
    assert_true(json_is_null(json_object_get(p, "location")));
    assert_string_equal(gs(r, "currency"), "MYR");
    assert_true(json_array_size(json_object_get(r, "rules")) >= 3);
    json_decref(r);
}

static void test_kpis(void **state)
{
    rfx *f = *state;
    json_t *r = report(f, "kpis", NULL);
    assert_int_equal(gi(r, "members"), 5);       /* all joined before `to` */
    assert_int_equal(gi(r, "new_members"), 5);   /* all joined in the period */
    assert_int_equal(gi(r, "buyers"), 4);        /* A B C E */
    assert_int_equal(gi(r, "purchases"), 8);     /* 4 + 1 + 2 + 1: B's refunded one excluded */
    assert_int_equal(gi(r, "repeat_buyers"), 2); /* A (4), C (2) */
    assert_float_equal(gd(r, "repeat_purchase_rate"), 50.0, 1e-9); /* 2 / 4 */
    assert_float_equal(gd(r, "purchase_frequency"), 2.0, 1e-9);    /* 8 / 4 */
    assert_int_equal(gi(r, "revenue"), 75000);                     /* 450 + 50 + 50 + 200 */
    assert_string_equal(gs(r, "revenue_display"), "RM750.00");
    assert_int_equal(gi(r, "average_order_value"), 9375); /* 75000 / 8 */
    /* every buyer's first purchase is in the period; A (4) and C (2) bought again */
    assert_int_equal(gi(r, "new_buyers"), 4);
    assert_int_equal(gi(r, "returning_buyers"), 0);
    assert_int_equal(gi(r, "new_buyers_returned"), 2);
    assert_float_equal(gd(r, "new_to_returning_rate"), 50.0, 1e-9);
    /* [to - 30 d, to) = [05-31T16Z, 06-30T16Z): A 06-20, C 06-25; 90 days back is
     * 04-01T16Z: the same two (B's 04-01 purchase is refunded and earlier anyway) */
    assert_int_equal(gi(r, "active_30_days"), 2);
    assert_int_equal(gi(r, "active_90_days"), 2);
    /* by month: Jan A B (10000 + 5000), Feb C A (2000 + 10000), Mar E A (20000 + 10000), Apr
     * B's wholly refunded one only, May nothing, Jun A C (15000 + 4000 - 1000); joins Jan A B,
     * Feb C D, Mar E */
    const json_t *bm = json_object_get(r, "by_month");
    assert_int_equal(json_array_size(bm), 6);
    const int64_t mp[] = {2, 2, 2, 0, 0, 2}, mr[] = {15000, 12000, 30000, 0, 0, 18000},
                  mn[] = {2, 2, 1, 0, 0, 0};
    for (size_t i = 0; i < 6; i++) {
        const json_t *x = json_array_get(bm, i);
        assert_int_equal(gi(x, "purchases"), mp[i]);
        assert_int_equal(gi(x, "buyers"), mp[i]); /* two different members each month */
        assert_int_equal(gi(x, "revenue"), mr[i]);
        assert_int_equal(gi(x, "new_members"), mn[i]);
    }
    assert_string_equal(gs(json_array_get(bm, 1), "from"), "2025-01-31T16:00:00Z");
    const json_t *loc = json_object_get(r, "by_location");
    assert_int_equal(json_array_size(loc), 2);
    /* BSR: A x4 + B x1 = 5 purchases, 2 buyers, 450 + 50; PJ: C x2 + E = 3, 2 buyers, 50 + 200 */
    const json_t *bsr = json_array_get(loc, 0), *pj = json_array_get(loc, 1);
    assert_string_equal(gs(bsr, "location"), "BSR");
    assert_int_equal(gi(bsr, "purchases"), 5);
    assert_int_equal(gi(bsr, "buyers"), 2);
    assert_int_equal(gi(bsr, "revenue"), 50000);
    assert_string_equal(gs(pj, "location"), "PJ");
    assert_int_equal(gi(pj, "purchases"), 3);
    assert_int_equal(gi(pj, "buyers"), 2);
    assert_int_equal(gi(pj, "revenue"), 25000);
    json_decref(r);

    /* PJ only: home PJ = C D E; buyers at PJ C (2) E (1); revenue 50 + 200; AOV 25000 / 3 =
     * 8333.3 -> 8333; active: C (06-25) */
    r = report(f, "kpis", "location", "PJ", NULL);
    assert_int_equal(gi(r, "members"), 3);
    assert_int_equal(gi(r, "new_members"), 3);
    assert_int_equal(gi(r, "buyers"), 2);
    assert_int_equal(gi(r, "purchases"), 3);
    assert_int_equal(gi(r, "repeat_buyers"), 1);
    assert_float_equal(gd(r, "purchase_frequency"), 1.5, 1e-9);
    assert_int_equal(gi(r, "revenue"), 25000);
    assert_int_equal(gi(r, "average_order_value"), 8333);
    assert_int_equal(gi(r, "active_30_days"), 1);
    assert_int_equal(gi(r, "active_90_days"), 1);
    assert_string_equal(gs(json_object_get(r, "period"), "location"), "PJ");
    /* first purchases at PJ: C 02-05, E 03-02, both in the period; C bought again */
    assert_int_equal(gi(r, "new_buyers"), 2);
    assert_int_equal(gi(r, "new_buyers_returned"), 1);
    json_decref(r);

    /* a narrower period: March only -> A 03-10, E 03-02; new: E */
    r = report(f, "kpis", "from", "2025-03-01", "to", "2025-03-31", NULL);
    assert_int_equal(gi(r, "members"), 5);
    assert_int_equal(gi(r, "new_members"), 1);
    assert_int_equal(gi(r, "buyers"), 2);
    assert_int_equal(gi(r, "revenue"), 30000);
    /* A first bought on 01-10 (returning); E on 03-02 (new, one purchase: not returned) */
    assert_int_equal(gi(r, "new_buyers"), 1);
    assert_int_equal(gi(r, "returning_buyers"), 1);
    assert_int_equal(gi(r, "new_buyers_returned"), 0);
    assert_float_equal(gd(r, "new_to_returning_rate"), 0.0, 1e-9);
    json_decref(r);
}

static void test_churn(void **state)
{
    rfx *f = *state;
    json_t *r = report(f, "churn", NULL);
    assert_int_equal(gi(r, "lost_after_days"), 90);
    /* Active at a local month start b = a counted purchase in [b - 90 d, b):
     *   Jan 1: nobody. Feb 1 [Nov 3, Feb 1): A B. Mar 1: A B C. Apr 1 [Jan 1, Apr 1): A B C E.
     *   May 1 [Jan 31, May 1): A C E (B's last is Jan 20). Jun 1 [Mar 3, Jun 1): A (C's Feb 5
     *   and E's Mar 2 are older). Jul 1 [Apr 2, Jul 1): A C.
     * Periods: Jan 0 -> null; Feb 2, lost 0; Mar 3, lost 0; Apr 4, lost 1 (B) = 25 %;
     *   May 3, lost 2 (C E) = 66.67 %; Jun 1, lost 0. Overall: at Jan 1 nobody -> null. */
    const json_t *p = json_object_get(r, "periods");
    assert_int_equal(json_array_size(p), 6);
    const int64_t start[] = {0, 2, 3, 4, 3, 1}, lost[] = {0, 0, 0, 1, 2, 0};
    const double rate[] = {-1, 0, 0, 25, 66.67, 0};
    for (size_t i = 0; i < 6; i++) {
        const json_t *x = json_array_get(p, i);
        assert_int_equal(gi(x, "at_start"), start[i]);
        assert_int_equal(gi(x, "lost"), lost[i]);
        if (rate[i] < 0)
            assert_true(json_is_null(json_object_get(x, "churn_rate")));
        else
            assert_float_equal(gd(x, "churn_rate"), rate[i], 1e-9);
    }
    assert_string_equal(gs(json_array_get(p, 3), "from"), "2025-03-31T16:00:00Z"); /* Apr 1 */
    const json_t *o = json_object_get(r, "overall");
    assert_int_equal(gi(o, "at_start"), 0);
    assert_true(json_is_null(json_object_get(o, "churn_rate")));
    json_decref(r);

    /* from Apr 1 with 30 days: active at Apr 1 [Mar 2, Apr 1): A (Mar 10), E (Mar 2 10:00);
     * at Jul 1 [May 31 .. ): A C -> overall lost E: 1 of 2 = 50 % */
    r = report(f, "churn", "from", "2025-04-01", "days", "30", NULL);
    o = json_object_get(r, "overall");
    assert_int_equal(gi(o, "at_start"), 2);
    assert_int_equal(gi(o, "lost"), 1);
    assert_float_equal(gd(o, "churn_rate"), 50.0, 1e-9);
    json_decref(r);
}

static void test_cohorts(void **state)
{
    rfx *f = *state;
    json_t *r = report(f, "cohorts", NULL);
    const json_t *c = json_object_get(r, "cohorts");
    assert_int_equal(json_array_size(c), 6); /* Jan .. Jun */
    /* Jan: A B. A buys in Jan Feb Mar Jun (k 0 1 2 5), B in Jan (Apr refunded):
     *   purchasing 2 1 1 0 0 1 -> 100 50 50 0 0 50.
     * Feb: C D. C buys Feb (k 0) and Jun (k 4): 1 0 0 0 1 -> 50 0 0 0 50.
     * Mar: E, Mar only: 1 0 0 0 -> 100 0 0 0. Apr, May, Jun: empty (null retention). */
    const json_t *jan = json_array_get(c, 0), *feb = json_array_get(c, 1),
                 *mar = json_array_get(c, 2), *apr = json_array_get(c, 3);
    assert_string_equal(gs(jan, "cohort"), "2025-01");
    assert_int_equal(gi(jan, "size"), 2);
    const int64_t jn[] = {2, 1, 1, 0, 0, 1};
    const double jp[] = {100, 50, 50, 0, 0, 50};
    assert_int_equal(json_array_size(json_object_get(jan, "purchasing")), 6);
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(json_integer_value(json_array_get(json_object_get(jan, "purchasing"), k)),
                         jn[k]);
        assert_float_equal(json_number_value(json_array_get(json_object_get(jan, "retention"), k)),
                           jp[k], 1e-9);
    }
    assert_int_equal(gi(feb, "size"), 2);
    const double fp[] = {50, 0, 0, 0, 50};
    assert_int_equal(json_array_size(json_object_get(feb, "retention")), 5);
    for (size_t k = 0; k < 5; k++)
        assert_float_equal(json_number_value(json_array_get(json_object_get(feb, "retention"), k)),
                           fp[k], 1e-9);
    assert_int_equal(gi(mar, "size"), 1);
    assert_float_equal(json_number_value(json_array_get(json_object_get(mar, "retention"), 0)), 100,
                       1e-9);
    assert_float_equal(json_number_value(json_array_get(json_object_get(mar, "retention"), 1)), 0,
                       1e-9);
    assert_int_equal(gi(apr, "size"), 0);
    assert_true(json_is_null(json_array_get(json_object_get(apr, "retention"), 0)));
    json_decref(r);
}

static void test_pareto(void **state)
{
    rfx *f = *state;
    /* revenues ascending: 5000 (B), 5000 (C), 20000 (E), 45000 (A); S = 75000, n = 4.
     * top 20 %: ceil(0.8) = 1 buyer, A: 45000 / 75000 = 60 %.
     * Gini = 2 (5000 + 10000 + 60000 + 180000) / (4 x 75000) - 5/4 = 1.7 - 1.25 = 0.45.
     * Lorenz at 5 points (positions 0..4): 0, 5/75, 10/75, 30/75, 1 */
    json_t *r = report(f, "pareto", "points", "5", NULL);
    assert_int_equal(gi(r, "buyers"), 4);
    assert_int_equal(gi(r, "revenue"), 75000);
    assert_int_equal(gi(r, "top_percent"), 20);
    assert_int_equal(gi(r, "top_members"), 1);
    assert_int_equal(gi(r, "top_revenue"), 45000);
    assert_float_equal(gd(r, "top_revenue_share"), 60.0, 1e-9);
    assert_float_equal(gd(r, "gini"), 0.45, 1e-9);
    const json_t *l = json_object_get(r, "lorenz");
    assert_int_equal(json_array_size(l), 5);
    const double want[] = {0, 0.0667, 0.1333, 0.4, 1};
    for (size_t i = 0; i < 5; i++) {
        assert_float_equal(gd(json_array_get(l, i), "population"), (double)i / 4, 1e-9);
        assert_float_equal(gd(json_array_get(l, i), "revenue_share"), want[i], 1e-9);
    }
    json_decref(r);
    /* top 50 %: 2 buyers, A + E = 65000 / 75000 = 86.67 %; default 11 Lorenz points */
    r = report(f, "pareto", "top", "50", NULL);
    assert_int_equal(gi(r, "top_members"), 2);
    assert_float_equal(gd(r, "top_revenue_share"), 86.67, 1e-9);
    assert_int_equal(json_array_size(json_object_get(r, "lorenz")), 11);
    json_decref(r);
}

static const json_t *segment(const json_t *r, const char *name)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(r, "segments"), i,
                       s) if (!strcmp(gs(s, "segment"), name)) return s;
    fail_msg("no segment %s", name);
    return NULL;
}

static void test_rfm(void **state)
{
    rfx *f = *state;
    /* to = 06-30T16Z. Whole days since the last purchase: A 06-20 -> 10, B 01-20 -> 161,
     * C 06-25 -> 5, E 03-02 -> 120. F: A 4, B 1, C 2, E 1. M: A 45000, B 5000, C 5000, E 20000.
     * Scores 1 + floor(5 x worse / 4):
     *   R (fewer days better): A 2 worse -> 3, B 0 -> 1, C 3 -> 4, E 1 -> 2
     *   F: A 3 -> 4, B 0 -> 1, C 2 -> 3, E 0 -> 1
     *   M: A 3 -> 4, B 0 -> 1, C 0 -> 1, E 2 -> 3
     * FM = (F + M + 1) / 2: A 4, B 1, C 2, E 2.
     * Segments: A R3 FM4 loyal; B R1 FM1 lost; C R4 FM2 potential_loyalists; E R2 FM2
     * hibernating. */
    json_t *r = report(f, "rfm", NULL);
    assert_int_equal(gi(r, "scored_members"), 4);
    assert_int_equal(json_array_size(json_object_get(r, "segments")), 11);
    struct {
        const char *name;
        int64_t members, revenue, id;
    } want[] = {{"loyal", 1, 45000, f->a},
                {"lost", 1, 5000, f->b},
                {"potential_loyalists", 1, 5000, f->c},
                {"hibernating", 1, 20000, f->e},
                {"champions", 0, 0, 0},
                {"at_risk", 0, 0, 0}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const json_t *s = segment(r, want[i].name);
        assert_int_equal(gi(s, "members"), want[i].members);
        assert_int_equal(gi(s, "revenue"), want[i].revenue);
        const json_t *ids = json_object_get(s, "member_ids");
        assert_int_equal(json_array_size(ids), want[i].members);
        if (want[i].id) assert_int_equal(json_integer_value(json_array_get(ids, 0)), want[i].id);
        assert_true(json_is_null(json_object_get(s, "next_cursor")));
    }
    json_decref(r);
    /* one segment only */
    r = report(f, "rfm", "segment", "lost", "limit", "1", NULL);
    assert_int_equal(json_array_size(json_object_get(r, "segments")), 1);
    assert_int_equal(gi(segment(r, "lost"), "members"), 1);
    json_decref(r);
}

static void test_advocacy(void **state)
{
    rfx *f = *state;
    /* counted: A (spend 45000; referred B C, their revenue 5000 + 5000 = 10000), B (5000;
     * referred E, 20000), C (5000; none), E (20000; none); D neither.
     * medians: spend {5000, 5000, 20000, 45000} -> 12500; referred {0, 0, 10000, 20000} -> 5000.
     * A high/high advocates; E high/low spenders; B low/high senders; C low/low others. */
    json_t *r = report(f, "advocacy", NULL);
    assert_int_equal(gi(r, "members_counted"), 4);
    assert_int_equal(gi(r, "referred_members"), 3);
    assert_int_equal(gi(r, "referred_revenue"), 30000);
    assert_float_equal(gd(r, "median_spend"), 12500, 1e-9);
    assert_float_equal(gd(r, "median_referred_revenue"), 5000, 1e-9);
    const json_t *q = json_object_get(r, "quadrants");
    assert_int_equal(json_array_size(q), 4);
    const char *names[] = {"advocates", "spenders", "senders", "others"};
    const int64_t spend[] = {45000, 20000, 5000, 5000}, ref[] = {10000, 0, 20000, 0};
    for (size_t i = 0; i < 4; i++) {
        const json_t *x = json_array_get(q, i);
        assert_string_equal(gs(x, "quadrant"), names[i]);
        assert_int_equal(gi(x, "members"), 1);
        assert_int_equal(gi(x, "total_spend"), spend[i]);
        assert_int_equal(gi(x, "total_referred_revenue"), ref[i]);
    }
    /* by referred revenue, then spend, descending: B 20000, A 10000, E (0, 20000), C */
    const json_t *m = json_object_get(r, "members");
    const int64_t order[] = {f->b, f->a, f->e, f->c};
    assert_int_equal(json_array_size(m), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(gi(json_array_get(m, i), "member_id"), order[i]);
    assert_int_equal(gi(json_array_get(m, 1), "referred_members"), 2);
    assert_string_equal(gs(json_array_get(m, 0), "quadrant"), "senders");
    assert_true(json_is_null(json_object_get(r, "next_cursor")));
    json_decref(r);
    /* pages of 3 */
    r = report(f, "advocacy", "limit", "3", NULL);
    assert_int_equal(json_array_size(json_object_get(r, "members")), 3);
    assert_int_equal(gi(r, "next_cursor"), 3);
    json_decref(r);
}

static void test_economics(void **state)
{
    rfx *f = *state;
    /* points: welcome 5 x 50 = 250 (bonus) + earned 100 + 100 + 100 + 150 + 50 + 30 + 20 + 40
     * + 200 = 790 -> issued 1040; reversed: B 30 + C 10 = 40 -> net 1000; redeemed 500 (A had
     * 50 + 450 = 500); outstanding 1000 - 500 = 500 points x 1 minor unit = RM5.00;
     * redemption 500 / 1000 = 50 %; nothing expired. giving 1 % of 790.00 = 790 minor, minus
     * 1 % of the refunds (30 + 10) = 750. One voucher, unused, valid 30 days (to 07-21). */
    json_t *r = report(f, "economics", NULL);
    const json_t *p = json_object_get(r, "points");
    assert_int_equal(gi(p, "issued"), 1040);
    assert_int_equal(gi(p, "reversed"), 40);
    assert_int_equal(gi(p, "net_issued"), 1000);
    assert_int_equal(gi(p, "redeemed"), 500);
    assert_int_equal(gi(p, "expired"), 0);
    assert_int_equal(gi(p, "adjusted"), 0);
    assert_int_equal(gi(p, "outstanding"), 500);
    assert_int_equal(gi(p, "pending"), 0);
    assert_int_equal(gi(p, "point_value_micro"), 1000000);
    assert_int_equal(gi(p, "liability"), 500);
    assert_string_equal(gs(p, "liability_display"), "RM5.00");
    assert_float_equal(gd(p, "redemption_rate"), 50.0, 1e-9);
    assert_float_equal(gd(p, "breakage"), 0.0, 1e-9);
    const json_t *v = json_object_get(r, "vouchers");
    assert_int_equal(gi(v, "issued"), 1);
    assert_int_equal(gi(v, "used"), 0);
    assert_int_equal(gi(v, "open"), 1);
    assert_int_equal(gi(json_object_get(r, "giving"), "accrued"), 750);
    assert_int_equal(gi(json_object_get(r, "stamps"), "issued"), 0);
    json_decref(r);
    /* to 06-20 included, before the redemption and C's 06-25 purchase: welcome 250 + earned
     * 100 + 50 + 20 + 100 + 200 + 100 + 30 + 150 = 750, minus B's reversal 30 = 970 */
    r = report(f, "economics", "to", "2025-06-20", NULL);
    p = json_object_get(r, "points");
    assert_int_equal(gi(p, "redeemed"), 0);
    assert_int_equal(gi(p, "outstanding"), 970);
    json_decref(r);
}

/* A BG/NBD fit with round parameters (r 1, alpha 2, a 1, b 3; no Gamma-Gamma: spend = the
 * member's mean repeat spend) from local 2025-01-01, stored as `loyalty model fit` would. */
static void store_model(rfx *f)
{
    loy_err err;
    loy_model_row row = {.merchant = f->app->merchant,
                         .params = strdup("{\"model\":\"bgnbd\",\"bgnbd\":{\"r\":1,\"alpha\":2,"
                                          "\"a\":1,\"b\":3},\"mean_spend\":5000,"
                                          "\"day_offset\":28800,\"holdout\":null}"),
                         .ll = -1,
                         .n = 4,
                         .data_from = at(1, 1) - 10 * 3600,
                         .data_to = at(7, 1) - 10 * 3600,
                         .fitted_at = at(7, 1)};
    snprintf(row.kind, sizeof(row.kind), "bgnbd");
    snprintf(row.fitted_by, sizeof(row.fitted_by), "test");
    int64_t id;
    assert_int_equal(loy_db_begin(&f->app->conn, true, &err), 0);
    assert_int_equal(loy_store_model_insert(&f->app->conn, &row, &id, &err), 0);
    assert_int_equal(loy_db_commit(&f->app->conn, &err), 0);
    loy_model_row_free(&row);
}

static void test_clv_simple(void **state)
{
    rfx *f = *state;
    json_t *r = report(f, "clv", NULL);
    const json_t *s = json_object_get(r, "simple");
    /* revenue 75000 over 8 purchases by 4 buyers; the period is 181 days = 0.495551 years, so
     * 8 / 4 / 0.495551 = 4.035912 purchases a year. Churn (as test_churn): lost 3 (B in April,
     * C and E in May) over at_start x days = 2 x 28 + 3 x 31 + 4 x 30 + 3 x 31 + 1 x 30 = 392
     * member-days = 12.878850 months (30.4375 days): 0.232940 a month, so the lifespan is
     * 1 / 0.232940 / 12 = 0.357746 years, and clv = 9375 x 4.035912 x 0.357746 = 13535.91 */
    assert_int_equal(gi(s, "average_purchase_value"), 9375);
    assert_float_equal(gd(s, "purchase_frequency_per_year"), 4.036, 1e-9);
    assert_float_equal(gd(s, "monthly_churn_rate"), 23.29, 1e-9);
    assert_float_equal(gd(s, "average_lifespan_years"), 0.36, 1e-9);
    assert_int_equal(gi(s, "clv"), 13536);
    assert_string_equal(gs(s, "clv_display"), "RM135.36");
    assert_true(json_is_null(json_object_get(r, "predictive"))); /* no model yet */
    json_decref(r);
}

/* Hand-computed BG/NBD values, P(alive) = 1 / (1 + a / (b + x - 1) ((alpha + T) /
 * (alpha + t_x))^(r + x)) for x > 0 and 1 for x = 0, histories up to 2025-07-01 local (T runs
 * to the last day included, 06-30, as in the CDNOW summaries):
 *   A: purchase days 01-10 02-10 03-10 06-20: x 3, t_x 161/7, T 171/7 -> 0.800138
 *   B: 01-20 (04-01 wholly refunded): x 0 -> 1;  E: 03-02: x 0 -> 1
 *   C: 02-05 06-25: x 1, t_x 140/7, T 145/7 -> 0.737828;  D: no purchase, not scored */
static void test_clv_predictive(void **state)
{
    rfx *f = *state;
    store_model(f);
    json_t *r = report(f, "clv", NULL);
    const json_t *p = json_object_get(r, "predictive");
    assert_true(json_is_object(p));
    assert_string_equal(gs(json_object_get(p, "model"), "kind"), "bgnbd");
    assert_int_equal(gi(p, "members"), 4);
    assert_int_equal(gi(p, "weeks"), 52);
    assert_float_equal(gd(p, "expected_alive"), 3.5, 1e-9); /* 0.800 + 1 + 0.738 + 1 = 3.538 */
    const json_t *bands = json_object_get(p, "p_alive_bands");
    assert_int_equal(gi(json_array_get(bands, 0), "members"), 0);
    assert_int_equal(gi(json_array_get(bands, 1), "members"), 0);
    assert_int_equal(gi(json_array_get(bands, 2), "members"), 1); /* C */
    assert_int_equal(gi(json_array_get(bands, 3), "members"), 3); /* A B E */
    const json_t *top = json_object_get(p, "top_members");
    assert_int_equal(json_array_size(top), 4);
    int64_t total = 0, band_total = 0, dec_total = 0, prev = INT64_MAX;
    size_t i;
    const json_t *m;
    json_array_foreach(top, i, m)
    {
        int64_t clv = gi(m, "clv");
        assert_true(clv <= prev); /* by clv, descending */
        prev = clv;
        total += clv;
        double pa = gd(m, "p_alive");
        int64_t id = gi(m, "member_id");
        if (id == f->a) assert_float_equal(pa, 0.8001, 1e-9);
        if (id == f->c) assert_float_equal(pa, 0.7378, 1e-9);
        if (id == f->b || id == f->e) assert_float_equal(pa, 1.0, 1e-9);
        assert_true(id != f->d);
        /* the member prediction (the counter's view) agrees, as of the same instant */
        f->app->now = at(7, 1) - 10 * 3600 - 1;
        char ref[32];
        snprintf(ref, sizeof(ref), "%lld", (long long)id);
        json_t *one = NULL;
        loy_err err;
        assert_int_equal(loy_app_model_predict(f->app, ref, NULL, &one, &err), 0);
        assert_int_equal(gi(one, "clv"), clv);
        assert_float_equal(gd(one, "p_alive"), pa, 1e-4);
        json_decref(one);
    }
    f->app->now = at(7, 15);
    /* A's mean repeat spend is (10000 + 10000 + 15000) / 3 = 11666.67 */
    json_array_foreach(top, i, m) if (gi(m, "member_id") == f->a)
        assert_int_equal(gi(m, "expected_spend"), 11667);
    json_array_foreach(bands, i, m) band_total += gi(m, "clv");
    json_array_foreach(json_object_get(p, "deciles"), i, m) dec_total += gi(m, "clv");
    /* totals are rounded once, the rows each: they agree within a unit per row */
    assert_true(llabs(gi(p, "clv_total") - total) <= 4);
    assert_true(llabs(band_total - total) <= 4);
    assert_true(llabs(dec_total - total) <= 10);
    /* advocacy lists each member's CLV beside spend and referrals, the same figure */
    json_t *adv = report(f, "advocacy", NULL);
    assert_true(json_is_object(json_object_get(adv, "model")));
    size_t k;
    const json_t *am;
    int matched = 0;
    json_array_foreach(json_object_get(adv, "members"), k, am)
    {
        if (json_is_null(json_object_get(am, "clv"))) continue;
        json_array_foreach(top, i, m) if (gi(m, "member_id") == gi(am, "member_id"))
        {
            assert_int_equal(gi(am, "clv"), gi(m, "clv"));
            matched++;
        }
    }
    assert_int_equal(matched, 4); /* A B C E; D has no purchase: null */
    /* and the CLV of the members each one referred: A referred B and C, B referred E */
    json_array_foreach(json_object_get(adv, "members"), k, am)
    {
        int64_t want = 0, id = gi(am, "member_id");
        json_array_foreach(top, i, m)
        {
            int64_t who = gi(m, "member_id");
            if ((id == f->a && (who == f->b || who == f->c)) || (id == f->b && who == f->e))
                want += gi(m, "clv");
        }
        assert_true(llabs(gi(am, "referred_clv") - want) <= 1); /* rows rounded, sums once */
        if (id == f->a) assert_true(want > 0);
    }
    json_decref(adv);

    json_decref(r);

    /* paging: 2 per page */
    r = report(f, "clv", "limit", "2", "cursor", "2", NULL);
    p = json_object_get(r, "predictive");
    assert_int_equal(json_array_size(json_object_get(p, "top_members")), 2);
    assert_true(json_is_null(json_object_get(p, "next_cursor")));
    json_decref(r);

    /* churn by P(alive) at the month starts (x = 0 counts as alive under BG/NBD):
     *   Feb 1: A B. Mar 1: A (x 1, t_x 31/7, T 49/7: 0.605) B C. Apr 1: A (x 2, t_x 59/7,
     *   T 80/7: 0.652) B C E. May 1: A (T 110/7) 0.449 -> lost; B C E. Jun 1: A 0.295; B C E.
     *   Jul 1: A 0.800 again, B C E. Periods Jan..Jun at_start 0 2 3 4 3 3, lost 0 0 0 1 0 0 */
    r = report(f, "churn", "basis", "p_alive", NULL);
    assert_string_equal(gs(r, "basis"), "p_alive");
    const json_t *per = json_object_get(r, "periods");
    const int64_t start[] = {0, 2, 3, 4, 3, 3}, lost[] = {0, 0, 0, 1, 0, 0};
    for (i = 0; i < 6; i++) {
        assert_int_equal(gi(json_array_get(per, i), "at_start"), start[i]);
        assert_int_equal(gi(json_array_get(per, i), "lost"), lost[i]);
    }
    assert_float_equal(gd(json_array_get(per, 3), "churn_rate"), 25.0, 1e-9);
    json_decref(r);
}

static void test_csv(void **state)
{
    rfx *f = *state;
    json_t *r = report(f, "kpis", NULL);
    char *csv = NULL;
    loy_err err;
    assert_int_equal(loy_app_report_csv(r, &csv, &err), 0);
    assert_non_null(strstr(csv, "figure,value\r\n"));
    assert_non_null(strstr(csv, "\r\nrevenue,75000\r\n"));
    assert_non_null(strstr(csv, "\r\nby_location.BSR.purchases,5\r\n"));
    assert_null(strstr(csv, "rules"));
    free(csv);
    json_decref(r);
    r = report(f, "rfm", NULL);
    assert_int_equal(loy_app_report_csv(r, &csv, &err), 0);
    assert_true(strncmp(csv, "segment,members,revenue,revenue_display\r\n", 41) == 0);
    /* one row per segment after the header */
    size_t lines = 0;
    for (const char *q = csv; (q = strstr(q, "\r\n")); q += 2) lines++;
    assert_int_equal(lines, 12);
    free(csv);
    json_decref(r);
    /* quoting and formula neutralising (a leading minus too: "-2+3" is a formula) */
    json_t *fake =
        json_pack("{s:s, s:[{s:s, s:s, s:i, s:i, s:s}]}", "report", "churn", "periods", "from",
                  "=1+2", "to", "a,\"b\"", "at_start", 1, "lost", 0, "churn_rate", "-2+3");
    assert_int_equal(loy_app_report_csv(fake, &csv, &err), 0);
    assert_string_equal(csv,
                        "from,to,at_start,lost,churn_rate\r\n'=1+2,\"a,\"\"b\"\"\",1,0,'-2+3\r\n");
    free(csv);
    json_decref(fake);
}

static void test_bad_params(void **state)
{
    rfx *f = *state;
    json_t *resp = NULL;
    loy_err err;
    assert_int_equal(loy_app_report(f->app, "nope", NULL, &resp, &err), LOY_ENOTFOUND);
    json_t *p = json_pack("{s:s}", "location", "XX");
    assert_int_equal(loy_app_report(f->app, "kpis", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "location");
    json_decref(p);
    p = json_pack("{s:s}", "days", "30");
    assert_int_equal(loy_app_report(f->app, "kpis", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "days");
    json_decref(p);
    p = json_pack("{s:s}", "location", "PJ");
    assert_int_equal(loy_app_report(f->app, "economics", p, &resp, &err), LOY_EINVALID);
    json_decref(p);
    p = json_pack("{s:s, s:s}", "from", "2025-07-01", "to", "2025-06-01");
    assert_int_equal(loy_app_report(f->app, "kpis", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "from");
    json_decref(p);
    p = json_pack("{s:s}", "from", "yesterday");
    assert_int_equal(loy_app_report(f->app, "kpis", p, &resp, &err), LOY_EINVALID);
    json_decref(p);
    p = json_pack("{s:s}", "top", "0");
    assert_int_equal(loy_app_report(f->app, "pareto", p, &resp, &err), LOY_EINVALID);
    json_decref(p);
    p = json_pack("{s:s}", "segment", "sleepy");
    assert_int_equal(loy_app_report(f->app, "rfm", p, &resp, &err), LOY_EINVALID);
    json_decref(p);
    p = json_pack("{s:s}", "basis", "vibes");
    assert_int_equal(loy_app_report(f->app, "churn", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "basis");
    json_decref(p);
    p = json_pack("{s:s, s:s}", "basis", "p_alive", "location", "PJ");
    assert_int_equal(loy_app_report(f->app, "churn", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "location");
    json_decref(p);
    p = json_pack("{s:s}", "location", "PJ");
    assert_int_equal(loy_app_report(f->app, "clv", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "location");
    json_decref(p);
    p = json_pack("{s:s}", "discount", "1.5");
    assert_int_equal(loy_app_report(f->app, "clv", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "discount");
    json_decref(p);
    p = json_pack("{s:s}", "weeks", "0");
    assert_int_equal(loy_app_report(f->app, "clv", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "weeks");
    json_decref(p);
    p = json_pack("{s:s}", "weeks", "4");
    assert_int_equal(loy_app_report(f->app, "kpis", p, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "weeks");
    json_decref(p);
    assert_null(resp);
}

/* Giving per cause: a new programme version on 07-01 names another cause; E's 100.00 on 07-02
 * gives 1 % = 100 to it, while the 750 of January-June stays with the first cause. */
static void test_giving_by_cause(void **state)
{
    rfx *f = *state;
    json_t *prog = json_load_file("examples/kopi-kita.json", 0, NULL);
    assert_non_null(prog);
    const char *first = gs(json_object_get(prog, "giving"), "cause");
    char *first_cause = strdup(first);
    json_object_set_new(json_object_get(prog, "giving"), "cause", json_string("Sekolah Harapan"));
    char *text = json_dumps(prog, 0);
    json_decref(prog);
    f->app->now = at(7, 1);
    int64_t version = 0;
    loy_err err;
    if (loy_app_programme_set(f->app, text, strlen(text), &version, &err))
        fail_msg("programme: %s (%s)", err.message, err.field);
    free(text);
    buy(f->app, 7, 2, f->e, 10000, "PJ");
    json_t *params = json_pack("{s:s, s:s}", "from", "2025-01-01", "to", "2025-07-31"), *r = NULL;
    assert_int_equal(loy_app_report(f->app, "economics", params, &r, &err), 0);
    json_decref(params);
    const json_t *g = json_object_get(r, "giving");
    assert_int_equal(gi(g, "accrued"), 850);
    const json_t *bc = json_object_get(g, "by_cause");
    assert_int_equal(json_array_size(bc), 2);
    assert_string_equal(gs(json_array_get(bc, 0), "cause"), first_cause);
    assert_int_equal(gi(json_array_get(bc, 0), "accrued"), 750);
    assert_string_equal(gs(json_array_get(bc, 1), "cause"), "Sekolah Harapan");
    assert_int_equal(gi(json_array_get(bc, 1), "accrued"), 100);
    free(first_cause);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_and_rules),
        cmocka_unit_test(test_kpis),
        cmocka_unit_test(test_churn),
        cmocka_unit_test(test_cohorts),
        cmocka_unit_test(test_pareto),
        cmocka_unit_test(test_rfm),
        cmocka_unit_test(test_advocacy),
        cmocka_unit_test(test_economics),
        cmocka_unit_test(test_clv_simple),
        cmocka_unit_test(test_clv_predictive),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_giving_by_cause), /* last: it changes the programme */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
