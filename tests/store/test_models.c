/* Customer-base models through the use cases (examples/kopi-kita.json, Asia/Kuala_Lumpur, UTC+8,
 * no DST).
 *
 * 1. The per-member summary on a small history, checked by hand. Events at 02:00 UTC = 10:00
 *    local unless noted; window from=2025-01-01 to=2025-06-30 (local days, both included), so
 *    the last local day is 06-30.
 *      A  01-10 100.00; 01-10 (05:00Z) 20.00; 02-07 50.00; 03-07 30.00 refunded 10.00;
 *         04-04 40.00 refunded wholly (not counted)
 *         days 01-10, 02-07, 03-07: x = 2, t_x = 56 d = 8 w, T = 171 d (01-10..06-30) = 24.43 w,
 *         repeat spend 50.00 + 20.00 = 70.00, mean 35.00
 *      B  06-02 25.00: x = 0, t_x = 0, T = 28 d = 4 w, mean 0
 *      C  2024-12-20 12.00 (before the window); 03-03 10.00; 06-30 15.00:
 *         x = 1, t_x = T = 119 d = 17 w, mean 15.00
 *      D  03-03 10.00 at 02:00Z (local 03-03) and 6.00 at 17:00Z (local 03-04 01:00):
 *         x = 1, t_x = 1 d, T = 119 d = 17 w, mean 6.00
 *      E  joined, never bought: not in the summary
 *    With the calibration cut at 04-01: A has x = 2 and no holdout day (04-04 is refunded);
 *    C has x = 0 and one holdout day (06-30).
 * 2. Fits on ~300 members simulated from a BG/NBD process plus one loyal and one lapsed member:
 *    stored parameters, show, predict, CLV, append-only fits. */
#include <math.h>
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
#include "store/store_model.h"
#include "app_fixture.h"
#include "store_fixture.h"
#include "util/time.h"

/* cmocka before 1.1.6 has no assert_double_equal */
#define near(a, b, eps)                                                                            \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps))) fail_msg("%s = %.15g, expected %.15g", #a, a_, b_);         \
    } while (0)

typedef struct {
    char path[512];
    loy_app *app;
} mfx;

static int64_t at(int y, int m, int d, int h)
{
    return loy_days_from_civil(y, m, d) * LOY_DAY + h * 3600;
}

static int64_t join(loy_app *app, int64_t when, const char *name)
{
    app->now = when;
    json_t *resp = afx_write(app, LOY_OP_MEMBER_CREATE,
                             json_pack("{s:s, s:s}", "name", name, "location", "BSR"));
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
    json_decref(resp);
    assert_true(id > 0);
    return id;
}

static int64_t buy(loy_app *app, int64_t when, int64_t member, int64_t amount)
{
    app->now = when;
    json_t *resp = afx_write(app, LOY_OP_PURCHASE,
                             json_pack("{s:I, s:I, s:s}", "member", (json_int_t)member, "amount",
                                       (json_int_t)amount, "location", "BSR"));
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "purchase"), "id"));
    json_decref(resp);
    return id;
}

static void refund(loy_app *app, int64_t when, int64_t purchase, int64_t amount)
{
    app->now = when;
    json_decref(afx_write(app, LOY_OP_REFUND,
                          json_pack("{s:I, s:I}", "purchase_id", (json_int_t)purchase, "amount",
                                    (json_int_t)amount)));
}

static int setup(void **state)
{
    mfx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->app = afx_open_example(f->path, sizeof(f->path), "models", at(2022, 12, 1, 2));
    snprintf(f->app->actor, sizeof(f->app->actor), "test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    mfx *f = *state;
    loy_app_close(f->app);
    sfx_remove_target(f->path);
    free(f);
    return 0;
}

static const loy_model_summary *find(const loy_model_summary *s, size_t n, int64_t member)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].member == member) return &s[i];
    fail_msg("member %lld not in the summary", (long long)member);
    return NULL;
}

static void summary(loy_app *app, int64_t from, int64_t cal_end, int64_t to, loy_model_summary **s,
                    size_t *n)
{
    loy_model_scope scope = {app->merchant, from, cal_end, to, loy_tz_offset(app->tz, cal_end), 0};
    assert_int_equal(scope.offset, 8 * 3600);
    loy_err err;
    assert_int_equal(loy_db_begin(&app->conn, false, &err), 0);
    int rc = loy_store_model_summary(&app->conn, &scope, s, n, &err);
    loy_db_rollback(&app->conn);
    if (rc) fail_msg("summary: %s", err.message);
}

static void test_summary_by_hand(void **state)
{
    mfx *f = *state;
    loy_app *app = f->app;
    int64_t c = join(app, at(2024, 12, 19, 2), "Chen");
    buy(app, at(2024, 12, 20, 2), c, 1200);
    int64_t a = join(app, at(2025, 1, 9, 2), "Aminah");
    buy(app, at(2025, 1, 10, 2), a, 10000);
    buy(app, at(2025, 1, 10, 5), a, 2000);
    buy(app, at(2025, 2, 7, 2), a, 5000);
    int64_t p = buy(app, at(2025, 3, 7, 2), a, 3000);
    refund(app, at(2025, 3, 8, 2), p, 1000);
    p = buy(app, at(2025, 4, 4, 2), a, 4000);
    refund(app, at(2025, 4, 5, 2), p, 4000);
    int64_t d = join(app, at(2025, 3, 1, 2), "Devi");
    buy(app, at(2025, 3, 3, 2), c, 1000);
    buy(app, at(2025, 3, 3, 2), d, 1000);
    buy(app, at(2025, 3, 3, 17), d, 600);
    int64_t b = join(app, at(2025, 6, 1, 2), "Badrul");
    buy(app, at(2025, 6, 2, 2), b, 2500);
    int64_t e = join(app, at(2025, 6, 3, 2), "Eng");
    buy(app, at(2025, 6, 30, 2), c, 1500);
    buy(app, at(2025, 7, 1, 2), b, 9900); /* after the window */
    app->now = at(2025, 7, 15, 2);

    int64_t from = loy_tz_to_utc(app->tz, loy_days_from_civil(2025, 1, 1) * LOY_DAY);
    int64_t to = loy_tz_to_utc(app->tz, loy_days_from_civil(2025, 7, 1) * LOY_DAY);
    loy_model_summary *s = NULL;
    size_t n = 0;
    summary(app, from, to, to, &s, &n);
    assert_int_equal(n, 4);
    const loy_model_summary *m = find(s, n, a);
    assert_int_equal(m->x, 2);
    near(m->t_x, 8.0, 1e-12);
    near(m->T, 171.0 / 7.0, 1e-12);
    assert_int_equal(m->repeat_spend, 7000);
    near(m->mean_spend, 3500.0, 1e-12);
    assert_int_equal(m->holdout_x, 0);
    m = find(s, n, b);
    assert_int_equal(m->x, 0);
    near(m->t_x, 0.0, 1e-12);
    near(m->T, 4.0, 1e-12);
    near(m->mean_spend, 0.0, 1e-12);
    m = find(s, n, c);
    assert_int_equal(m->x, 1);
    near(m->t_x, 17.0, 1e-12);
    near(m->T, 17.0, 1e-12);
    near(m->mean_spend, 1500.0, 1e-12);
    m = find(s, n, d);
    assert_int_equal(m->x, 1);
    near(m->t_x, 1.0 / 7.0, 1e-12);
    near(m->T, 17.0, 1e-12);
    near(m->mean_spend, 600.0, 1e-12);
    for (size_t i = 0; i < n; i++) assert_true(s[i].member != e);
    free(s);

    /* calibration to 03-31, holdout 04-01..06-30 */
    int64_t cal = loy_tz_to_utc(app->tz, loy_days_from_civil(2025, 4, 1) * LOY_DAY);
    summary(app, from, cal, to, &s, &n);
    assert_int_equal(n, 3); /* A, C, D: B bought only in the holdout */
    m = find(s, n, a);
    assert_int_equal(m->x, 2);
    assert_int_equal(m->holdout_x, 0);
    near(m->T, (double)(loy_days_from_civil(2025, 3, 31) - loy_days_from_civil(2025, 1, 10)) / 7.0,
         1e-12);
    m = find(s, n, c);
    assert_int_equal(m->x, 0);
    assert_int_equal(m->holdout_x, 1);
    free(s);

    /* too little data to fit; no model: the member view gets nothing */
    json_t *resp = NULL;
    loy_err err;
    assert_int_equal(loy_app_model_fit(app, NULL, &resp, &err), LOY_EINVALID);
    json_t *view = json_object();
    assert_int_equal(loy_app_member_clv(app, a, view, &err), 0);
    assert_int_equal(json_object_size(view), 0);
    json_decref(view);
    assert_int_equal(loy_app_model_predict(app, "1", NULL, &resp, &err), LOY_ENOTFOUND);
}

/* xorshift64 */
static uint64_t rng = 88172645463325252ULL;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

typedef struct {
    json_t **reqs;
    size_t n, cap;
} batch;

static void add(batch *b, json_t *req)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->reqs = realloc(b->reqs, b->cap * sizeof(*b->reqs));
        assert_non_null(b->reqs);
    }
    b->reqs[b->n++] = req;
}

static void flush(loy_app *app, batch *b, loy_op op, int64_t *ids)
{
    static int nkey;
    loy_write_item *items = calloc(b->n ? b->n : 1, sizeof(*items));
    assert_non_null(items);
    char(*keys)[24] = calloc(b->n ? b->n : 1, sizeof(*keys));
    assert_non_null(keys);
    for (size_t i = 0; i < b->n; i++) {
        snprintf(keys[i], sizeof(keys[i]), "b-%d", ++nkey);
        items[i] = (loy_write_item){.op = op, .key = keys[i], .req = b->reqs[i]};
    }
    loy_err err;
    if (loy_app_write_batch(app, items, b->n, &err)) fail_msg("batch: %s", err.message);
    for (size_t i = 0; i < b->n; i++) {
        if (items[i].rc) fail_msg("item %zu: %s (%s)", i, items[i].err.message, items[i].err.field);
        if (ids)
            ids[i] =
                json_integer_value(json_object_get(json_object_get(items[i].resp, "member"), "id"));
        json_decref(items[i].resp);
        json_decref(b->reqs[i]);
    }
    free(items);
    free(keys);
    b->n = 0;
}

static json_t *purchase_req(int64_t member, int64_t when, int64_t amount)
{
    char t[32];
    loy_time_format(t, sizeof(t), when);
    return json_pack("{s:I, s:I, s:s, s:s}", "member", (json_int_t)member, "amount",
                     (json_int_t)amount, "location", "BSR", "occurred_at", t);
}

#define NSIM 300

static double num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (!json_is_number(v)) fail_msg("%s: not a number", k);
    return json_number_value(v);
}

static json_t *predict(loy_app *app, int64_t member)
{
    char ref[24];
    snprintf(ref, sizeof(ref), "%lld", (long long)member);
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_model_predict(app, ref, NULL, &resp, &err))
        fail_msg("predict: %s (%s)", err.message, err.field);
    return resp;
}

static char *stored_params(loy_app *app, int64_t id, double *ll)
{
    loy_model_row row;
    loy_err err;
    assert_int_equal(loy_db_begin(&app->conn, false, &err), 0);
    int rc = loy_store_model_get(&app->conn, app->merchant, id, &row, &err);
    loy_db_rollback(&app->conn);
    if (rc) fail_msg("get: %s", err.message);
    char *p = strdup(row.params);
    *ll = row.ll;
    assert_int_equal(row.n, NSIM + 2);
    loy_model_row_free(&row);
    return p;
}

static void test_fit_predict(void **state)
{
    mfx *f = *state;
    loy_app *app = f->app;
    int64_t t0 = at(2023, 1, 2, 2), end = t0 + 78 * 7 * LOY_DAY;
    app->now = end;
    batch b = {0};
    int64_t ids[NSIM + 2];
    for (int i = 0; i < NSIM + 2; i++) {
        char name[32];
        snprintf(name, sizeof(name), "Sim %d", i);
        add(&b, json_pack("{s:s, s:s}", "name", name, "location", "BSR"));
    }
    flush(app, &b, LOY_OP_MEMBER_CREATE, ids);
    int64_t loyal = ids[NSIM], lapsed = ids[NSIM + 1];
    /* BG/NBD process: lambda ~ Gamma(2, rate 8) per week, p ~ Beta(1, 3); the first purchase in
     * the first 26 weeks; spend per purchase around a member's own mean */
    for (int i = 0; i < NSIM; i++) {
        double lambda = (-log(unif()) - log(unif())) / 8.0;
        double p = 1.0 - pow(unif(), 1.0 / 3.0);
        double mean = 1500.0 + 2000.0 * unif();
        double t = 26.0 * unif();
        for (;;) {
            int64_t when = t0 + (int64_t)(t * 7 * LOY_DAY);
            if (when >= end) break;
            add(&b, purchase_req(ids[i], when, (int64_t)(mean * (0.5 + unif()))));
            if (unif() < p) break;
            t += -log(unif()) / lambda;
        }
    }
    for (int w = 0; w < 78; w += 2) add(&b, purchase_req(loyal, t0 + w * 7 * LOY_DAY, 3000));
    for (int w = 0; w < 12; w += 2) add(&b, purchase_req(lapsed, t0 + w * 7 * LOY_DAY, 3000));
    flush(app, &b, LOY_OP_PURCHASE, NULL);
    free(b.reqs);

    loy_err err;
    json_t *resp = NULL;
    json_t *req = json_pack("{s:s, s:i}", "model", "bgnbd", "holdout_weeks", 13);
    if (loy_app_model_fit(app, req, &resp, &err)) fail_msg("fit: %s (%s)", err.message, err.field);
    json_decref(req);
    int64_t id1 = json_integer_value(json_object_get(resp, "id"));
    assert_true(id1 > 0);
    assert_string_equal(json_string_value(json_object_get(resp, "kind")), "bgnbd");
    const json_t *params = json_object_get(resp, "params");
    const json_t *bg = json_object_get(params, "bgnbd");
    assert_true(num(bg, "r") > 0 && num(bg, "alpha") > 0 && num(bg, "a") > 0 && num(bg, "b") > 0);
    const json_t *gg = json_object_get(params, "gammagamma");
    assert_true(num(gg, "p") > 0 && num(gg, "q") > 0 && num(gg, "gamma") > 0);
    assert_true(num(resp, "log_likelihood") < 0);
    const json_t *ho = json_object_get(resp, "holdout");
    assert_int_equal(json_integer_value(json_object_get(ho, "weeks")), 13);
    assert_true(num(ho, "predicted") > 0);
    assert_true(num(ho, "mean_absolute_error") >= 0);
    /* the fit is a fair description of the process: predicted within 35% of the actual */
    double actual = num(ho, "actual");
    assert_true(actual > 0);
    assert_true(fabs(num(ho, "predicted") - actual) < 0.35 * actual);
    json_decref(resp);

    /* show: the latest of each kind */
    assert_int_equal(loy_app_model_list(app, &resp, &err), 0);
    json_t *models = json_object_get(resp, "models");
    assert_int_equal(json_array_size(models), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(models, 0), "id")), id1);
    assert_true(num(json_object_get(json_object_get(json_array_get(models, 0), "params"), "bgnbd"),
                    "r") > 0);
    assert_true(json_is_object(json_object_get(json_array_get(models, 0), "holdout")));
    json_decref(resp);

    /* predictions */
    json_t *pl = predict(app, loyal), *pd = predict(app, lapsed);
    double al = num(pl, "p_alive"), ad = num(pd, "p_alive");
    assert_true(al > 0 && al <= 1 && ad > 0 && ad <= 1);
    assert_true(al > ad);
    assert_true(num(pl, "expected_purchases") > num(pd, "expected_purchases"));
    assert_true(json_integer_value(json_object_get(pl, "clv")) > 0);
    assert_true(json_integer_value(json_object_get(pl, "clv")) >
                json_integer_value(json_object_get(pd, "clv")));
    assert_int_equal(json_integer_value(json_object_get(pl, "weeks")), 52);
    assert_non_null(json_string_value(json_object_get(pl, "clv_display")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(pl, "summary"), "x")), 38);
    json_decref(pl);
    json_decref(pd);
    for (int i = 0; i < 20; i++) {
        json_t *pi = predict(app, ids[i]);
        double v = num(pi, "p_alive");
        assert_true(v > 0 && v <= 1);
        assert_true(json_integer_value(json_object_get(pi, "clv")) >= 0);
        json_decref(pi);
    }
    json_t *view = json_object();
    assert_int_equal(loy_app_member_clv(app, loyal, view, &err), 0);
    assert_true(num(json_object_get(view, "model"), "p_alive") > 0);
    assert_true(json_integer_value(json_object_get(json_object_get(view, "model"), "clv")) > 0);
    json_decref(view);

    /* bad input changes nothing */
    req = json_pack("{s:s}", "model", "weibull");
    assert_int_equal(loy_app_model_fit(app, req, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "model");
    json_decref(req);

    /* a new fit is a new row; the old one is unchanged and cannot be updated */
    double ll1 = 0, ll1b = 0;
    char *before = stored_params(app, id1, &ll1);
    req = json_pack("{s:s}", "model", "paretonbd");
    if (loy_app_model_fit(app, req, &resp, &err)) fail_msg("fit: %s (%s)", err.message, err.field);
    json_decref(req);
    int64_t id2 = json_integer_value(json_object_get(resp, "id"));
    const json_t *pn = json_object_get(json_object_get(resp, "params"), "paretonbd");
    assert_true(num(pn, "r") > 0 && num(pn, "s") > 0);
    json_decref(resp);
    if (loy_app_model_fit(app, NULL, &resp, &err)) fail_msg("fit: %s", err.message);
    int64_t id3 = json_integer_value(json_object_get(resp, "id"));
    assert_true(json_is_null(json_object_get(resp, "holdout")));
    json_decref(resp);
    assert_true(id1 < id2 && id2 < id3);
    int64_t count = 0;
    assert_int_equal(loy_store_model_count(&app->conn, app->merchant, &count, &err), 0);
    assert_int_equal(count, 3);
    char *after = stored_params(app, id1, &ll1b);
    assert_string_equal(before, after);
    assert_true(ll1 == ll1b);
    free(before);
    free(after);
    assert_int_equal(loy_db_begin(&app->conn, true, &err), 0);
    assert_true(loy_db_run(&app->conn, &err, "UPDATE models SET ll = 0 WHERE id = ?", "i", id1) <
                0);
    loy_db_rollback(&app->conn);

    assert_int_equal(loy_app_model_list(app, &resp, &err), 0);
    models = json_object_get(resp, "models");
    assert_int_equal(json_array_size(models), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(models, 0), "id")), id3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(models, 1), "id")), id2);
    json_decref(resp);

    /* predict with the Pareto/NBD fit and options */
    json_t *opts =
        json_pack("{s:s, s:s, s:s}", "model", "paretonbd", "weeks", "26", "discount", "0.2");
    assert_int_equal(loy_app_model_predict(app, "1", opts, &resp, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(resp, "model"), "id")),
                     id2);
    assert_int_equal(json_integer_value(json_object_get(resp, "weeks")), 26);
    json_decref(resp);
    json_decref(opts);
    opts = json_pack("{s:i}", "weeks", 0);
    assert_int_equal(loy_app_model_predict(app, "1", opts, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "weeks");
    json_decref(opts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_summary_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fit_predict, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
