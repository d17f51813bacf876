/* Customer-base model use cases: summary from the store, BG/NBD or Pareto/NBD plus Gamma-Gamma
 * fits from src/analytics, append-only storage of the fits, per-member predictions and CLV. */
#include "app/models.h"
#include "app/params.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/bgnbd.h"
#include "analytics/clv.h"
#include "analytics/gammagamma.h"
#include "analytics/paretonbd.h"
#include "app/app_int.h"
#include "store/store_model.h"

#define WEEK        (7 * LOY_DAY)
#define MIN_MEMBERS 10

static const char *const req_keys[] = {"model", "from", "to", "holdout_weeks", NULL};
static const char *const predict_keys[] = {"model", "weeks", "discount", NULL};

static int check_keys(const json_t *req, const char *const *keys, loy_err *err)
{
    if (!req) return 0;
    if (!json_is_object(req)) return loy_err_set(err, LOY_EINVALID, "", "expected an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)req, key, v)
    {
        const char *const *k = keys;
        while (*k && strcmp(*k, key) != 0) k++;
        if (!*k) return loy_err_set(err, LOY_EINVALID, key, "%s: unknown parameter", key);
    }
    return 0;
}

static int param_kind(const json_t *req, const char **out, loy_err *err)
{
    const json_t *v = json_object_get(req, "model");
    if (!v || json_is_null(v)) return 0;
    const char *s = json_string_value(v);
    if (s && (strcmp(s, "bgnbd") == 0 || strcmp(s, "paretonbd") == 0)) {
        *out = strcmp(s, "bgnbd") == 0 ? "bgnbd" : "paretonbd";
        return 0;
    }
    return loy_err_set(err, LOY_EINVALID, "model", "model: expected \"bgnbd\" or \"paretonbd\"");
}

/* The transaction model and Gamma-Gamma of a stored fit. */
typedef struct {
    loy_clv_model m;
    bool has_gg;
    loy_gammagamma_params gg;
    double mean_spend; /* population mean of repeat spend per purchase day, fallback */
    int32_t offset;
} fitted;

static double num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int load_fitted(const loy_model_row *row, json_t **params, fitted *f, loy_err *err)
{
    memset(f, 0, sizeof(*f));
    json_t *p = json_loads(row->params, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return loy_err_set(err, LOY_ESTORAGE, "model", "model %lld: unreadable parameters",
                           (long long)row->id);
    }
    int rc;
    if (strcmp(row->kind, "paretonbd") == 0) {
        const json_t *q = json_object_get(p, "paretonbd");
        f->m.kind = LOY_CLV_PARETONBD;
        f->m.paretonbd =
            (loy_paretonbd_params){num(q, "r"), num(q, "alpha"), num(q, "s"), num(q, "beta")};
        rc = loy_paretonbd_params_check(&f->m.paretonbd, err);
    } else {
        const json_t *q = json_object_get(p, "bgnbd");
        f->m.kind = LOY_CLV_BGNBD;
        f->m.bgnbd = (loy_bgnbd_params){num(q, "r"), num(q, "alpha"), num(q, "a"), num(q, "b")};
        rc = loy_bgnbd_params_check(&f->m.bgnbd, err);
    }
    const json_t *g = json_object_get(p, "gammagamma");
    if (json_is_object(g)) {
        f->gg = (loy_gammagamma_params){num(g, "p"), num(g, "q"), num(g, "gamma")};
        f->has_gg = f->gg.q > 1.0 && loy_gammagamma_params_check(&f->gg, NULL) == 0;
    }
    f->mean_spend = num(p, "mean_spend");
    if (!isfinite(f->mean_spend)) f->mean_spend = 0.0;
    f->offset = (int32_t)json_integer_value(json_object_get(p, "day_offset"));
    if (rc) {
        json_decref(p);
        return loy_err_set(err, LOY_ESTORAGE, "model", "model %lld: bad parameters",
                           (long long)row->id);
    }
    if (params)
        *params = p;
    else
        json_decref(p);
    return 0;
}

static int p_alive(const fitted *f, double x, double t_x, double T, double *out, loy_err *err)
{
    return f->m.kind == LOY_CLV_PARETONBD
               ? loy_paretonbd_p_alive(out, &f->m.paretonbd, x, t_x, T, err)
               : loy_bgnbd_p_alive(out, &f->m.bgnbd, x, t_x, T, err);
}

static int expected(const fitted *f, double t, double x, double t_x, double T, double *out,
                    loy_err *err)
{
    return f->m.kind == LOY_CLV_PARETONBD
               ? loy_paretonbd_expected(out, &f->m.paretonbd, t, x, t_x, T, err)
               : loy_bgnbd_expected(out, &f->m.bgnbd, t, x, t_x, T, err);
}

/* P(alive), expected purchases in `weeks`, expected spend per purchase and discounted CLV of
 * one member's summary (weeks == 0: P(alive) only). */
static int score_one(const fitted *f, const loy_model_summary *m, int64_t weeks, double discount,
                     loy_model_score *out, loy_err *err)
{
    double x = (double)m->x, t_x = m->x > 0 ? m->t_x : 0.0, T = m->T;
    *out = (loy_model_score){.member = m->member};
    int rc = p_alive(f, x, t_x, T, &out->p_alive, err);
    if (rc || weeks == 0) return rc;
    rc = expected(f, (double)weeks, x, t_x, T, &out->expected_purchases, err);
    if (!rc && f->has_gg)
        rc = loy_gammagamma_expected_spend(&out->expected_spend, &f->gg, x,
                                           m->x > 0 ? m->mean_spend : 0.0, err);
    else if (!rc)
        out->expected_spend = m->x > 0 ? m->mean_spend : f->mean_spend;
    /* weekly rate equivalent to the annual one */
    double weekly = pow(1.0 + discount, 1.0 / 52.0) - 1.0;
    if (!rc)
        rc = loy_clv_discounted(&out->clv, &f->m, x, t_x, T, out->expected_spend, weekly,
                                (unsigned)weeks, 1.0, err);
    return rc;
}

static json_t *model_json(const loy_app *app, const loy_model_row *row)
{
    json_t *params = NULL;
    fitted f;
    if (load_fitted(row, &params, &f, NULL)) params = json_null();
    json_t *holdout = json_incref(json_object_get(params, "holdout"));
    if (json_is_object(params)) json_object_del(params, "holdout");
    (void)app;
    return json_pack("{s:I, s:s, s:o, s:s, s:{s:o, s:o}, s:I, s:f, s:o, s:o}", "id",
                     (json_int_t)row->id, "kind", row->kind, "fitted_at",
                     loy_json_time(row->fitted_at), "fitted_by", row->fitted_by, "data", "from",
                     loy_json_time(row->data_from), "to", loy_json_time(row->data_to), "members",
                     (json_int_t)row->n, "log_likelihood", row->ll, "params", params, "holdout",
                     holdout ? holdout : json_null());
}

static int need_merchant(const loy_app *app, loy_err *err)
{
    return app->merchant ? 0 : loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
}

/* Columns of the summary for the analytics functions. */
typedef struct {
    double *x, *t_x, *T, *zbar;
} columns;

static void columns_free(columns *c)
{
    free(c->x);
    free(c->t_x);
    free(c->T);
    free(c->zbar);
}

static int columns_fill(columns *c, const loy_model_summary *s, size_t n, loy_err *err)
{
    c->x = malloc(n * sizeof(double));
    c->t_x = malloc(n * sizeof(double));
    c->T = malloc(n * sizeof(double));
    c->zbar = malloc(n * sizeof(double));
    if (!c->x || !c->t_x || !c->T || !c->zbar)
        return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->x[i] = (double)s[i].x;
        c->t_x[i] = s[i].x > 0 ? s[i].t_x : 0.0;
        c->T[i] = s[i].T;
        c->zbar[i] = s[i].x > 0 ? s[i].mean_spend : 0.0;
    }
    return 0;
}

/* Fits the transaction model and Gamma-Gamma; fills params (JSON) and *ll. */
static int fit_models(const char *kind, const loy_model_summary *s, size_t n, json_t *params,
                      double *ll, fitted *f, loy_err *err)
{
    columns c = {0};
    int rc = columns_fill(&c, s, n, err);
    if (rc) goto done;
    loy_clvdata d = {c.x, c.t_x, c.T, NULL, n};
    memset(f, 0, sizeof(*f));
    if (strcmp(kind, "paretonbd") == 0) {
        loy_paretonbd_fit_result r;
        if ((rc = loy_paretonbd_fit(&r, &d, NULL, err))) goto done;
        f->m.kind = LOY_CLV_PARETONBD;
        f->m.paretonbd = r.params;
        *ll = r.loglik;
        json_object_set_new(params, "paretonbd",
                            json_pack("{s:f, s:f, s:f, s:f}", "r", r.params.r, "alpha",
                                      r.params.alpha, "s", r.params.s, "beta", r.params.beta));
        json_object_set_new(params, "converged", json_boolean(r.converged));
    } else {
        loy_bgnbd_fit_result r;
        if ((rc = loy_bgnbd_fit(&r, &d, NULL, err))) goto done;
        f->m.kind = LOY_CLV_BGNBD;
        f->m.bgnbd = r.params;
        *ll = r.loglik;
        json_object_set_new(params, "bgnbd",
                            json_pack("{s:f, s:f, s:f, s:f}", "r", r.params.r, "alpha",
                                      r.params.alpha, "a", r.params.a, "b", r.params.b));
        json_object_set_new(params, "converged", json_boolean(r.converged));
    }
    size_t buyers = 0;
    double spend = 0.0;
    for (size_t i = 0; i < n; i++)
        if (s[i].x > 0) {
            buyers++;
            spend += s[i].mean_spend;
        }
    f->mean_spend = buyers ? spend / (double)buyers : 0.0;
    json_object_set_new(params, "repeat_buyers", json_integer((json_int_t)buyers));
    json_object_set_new(params, "mean_spend", json_real(f->mean_spend));
    /* Gamma-Gamma models positive spend: repeat buyers whose repeat days spent nothing (imported
     * visits of amount 0) are left out of it rather than refusing the whole fit */
    json_t *gg = json_null();
    double *gx = malloc((n ? n : 1) * sizeof(double));
    size_t spenders = 0, no_spend = 0;
    for (size_t i = 0; gx && i < n; i++) {
        gx[i] = c.zbar[i] > 0.0 ? c.x[i] : 0.0;
        if (gx[i] > 0.0) spenders++;
        if (c.x[i] > 0.0 && !(c.zbar[i] > 0.0)) no_spend++;
    }
    loy_gammagamma_data gd = {gx, c.zbar, NULL, n};
    loy_gammagamma_fit_result g;
    loy_err gerr;
    loy_err_clear(&gerr);
    if (!gx) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    if (spenders >= 2 && loy_gammagamma_fit(&g, &gd, NULL, &gerr) == 0) {
        gg = json_pack("{s:f, s:f, s:f, s:f, s:I, s:b, s:I}", "p", g.params.p, "q", g.params.q,
                       "gamma", g.params.gamma, "log_likelihood", g.loglik, "members",
                       (json_int_t)g.used, "converged", g.converged, "left_out_no_spend",
                       (json_int_t)no_spend);
        f->gg = g.params;
        f->has_gg = g.params.q > 1.0;
    } else {
        json_object_set_new(
            params, "gammagamma_note",
            json_string(spenders < 2 ? "fewer than 2 repeat buyers with spend" : gerr.message));
    }
    free(gx);
    json_object_set_new(params, "gammagamma", gg);
done:
    columns_free(&c);
    return rc;
}

/* Predicted vs actual repeat purchase days in the holdout of `weeks` weeks. */
static int holdout_check(const fitted *f, const loy_model_summary *s, size_t n, int64_t weeks,
                         int64_t cal_end, int64_t to, json_t **out, loy_err *err)
{
    double pred_total = 0.0, abs_err = 0.0;
    int64_t actual_total = 0;
    for (size_t i = 0; i < n; i++) {
        double e;
        int rc = expected(f, (double)weeks, (double)s[i].x, s[i].x > 0 ? s[i].t_x : 0.0, s[i].T, &e,
                          err);
        if (rc) return rc;
        pred_total += e;
        actual_total += s[i].holdout_x;
        abs_err += fabs(e - (double)s[i].holdout_x);
    }
    *out = json_pack("{s:I, s:o, s:o, s:I, s:f, s:I, s:f, s:f, s:f}", "weeks", (json_int_t)weeks,
                     "from", loy_json_time(cal_end), "to", loy_json_time(to), "members",
                     (json_int_t)n, "predicted", pred_total, "actual", (json_int_t)actual_total,
                     "error", pred_total - (double)actual_total, "mean_absolute_error",
                     abs_err / (double)n, "mean_predicted", pred_total / (double)n);
    return 0;
}

int loy_app_model_fit(loy_app *app, const json_t *req, json_t **resp, loy_err *err)
{
    int rc = need_merchant(app, err);
    if (!rc) rc = check_keys(req, req_keys, err);
    const char *kind = "bgnbd";
    int64_t now = loy_app_now(app), to = 0, from = 0, holdout = 0;
    bool from_given = false;
    if (!rc) rc = param_kind(req, &kind, err);
    if (!rc) rc = loy_param_time(app, req, "to", true, now, &to, NULL, err);
    if (!rc) rc = loy_param_time(app, req, "from", false, 0, &from, &from_given, err);
    if (!rc) rc = loy_param_int(req, "holdout_weeks", 1, 520, 0, &holdout, err);
    if (rc) return rc;
    if (from >= to) return loy_err_set(err, LOY_EINVALID, "from", "from: must be before to");
    int64_t cal_end = to - holdout * WEEK;
    if (cal_end <= from)
        return loy_err_set(err, LOY_EINVALID, "holdout_weeks",
                           "holdout_weeks: leaves no calibration period after from");
    loy_model_scope scope = {app->merchant, from, cal_end, to, loy_tz_offset(app->tz, cal_end), 0};

    loy_model_summary *s = NULL;
    size_t n = 0;
    if ((rc = loy_db_begin(&app->conn, false, err))) return rc;
    rc = loy_store_model_summary(&app->conn, &scope, &s, &n, err);
    loy_db_rollback(&app->conn);
    if (rc) return rc;

    json_t *params = NULL, *ho = NULL;
    loy_model_row row = {0};
    if (n < MIN_MEMBERS) {
        rc = loy_err_set(err, LOY_EINVALID, "from",
                         "too little data: %zu members bought in the calibration period, at "
                         "least %d are needed",
                         n, MIN_MEMBERS);
        goto done;
    }
    if (!from_given) { /* the data starts with the earliest first purchase day */
        int64_t d0 = s[0].first_day;
        for (size_t i = 1; i < n; i++)
            if (s[i].first_day < d0) d0 = s[i].first_day;
        from = d0 * LOY_DAY - scope.offset;
    }
    params = json_pack("{s:s, s:s, s:I}", "model", kind, "time_unit", "week", "day_offset",
                       (json_int_t)scope.offset);
    if (!params) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    fitted f;
    double ll = 0.0;
    if ((rc = fit_models(kind, s, n, params, &ll, &f, err))) goto done;
    if (holdout) {
        if ((rc = holdout_check(&f, s, n, holdout, cal_end, to, &ho, err))) goto done;
        json_object_set_new(params, "holdout", ho);
    } else {
        json_object_set_new(params, "holdout", json_null());
    }
    char *text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (!text) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    row = (loy_model_row){.merchant = app->merchant,
                          .params = text,
                          .ll = ll,
                          .n = (int64_t)n,
                          .data_from = from,
                          .data_to = cal_end,
                          .fitted_at = now};
    snprintf(row.kind, sizeof(row.kind), "%s", kind);
    snprintf(row.fitted_by, sizeof(row.fitted_by), "%s", app->actor[0] ? app->actor : "unknown");
    if ((rc = loy_db_begin(&app->conn, true, err))) goto done;
    rc = loy_store_model_insert(&app->conn, &row, &row.id, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        goto done;
    }
    *resp = model_json(app, &row);
done:
    loy_model_row_free(&row);
    json_decref(params);
    free(s);
    return rc;
}

int loy_app_model_list(loy_app *app, json_t **resp, loy_err *err)
{
    int rc = need_merchant(app, err);
    if (rc) return rc;
    static const char *const kinds[] = {"bgnbd", "paretonbd"};
    json_t *arr = json_array();
    if ((rc = loy_db_begin(&app->conn, false, err))) {
        json_decref(arr);
        return rc;
    }
    for (size_t i = 0; i < 2 && !rc; i++) {
        loy_model_row row;
        rc = loy_store_model_latest(&app->conn, app->merchant, kinds[i], &row, err);
        if (rc == LOY_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (!rc) json_array_append_new(arr, model_json(app, &row));
        loy_model_row_free(&row);
    }
    loy_db_rollback(&app->conn);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    loy_err_clear(err);
    *resp = json_pack("{s:o}", "models", arr);
    return 0;
}

int loy_app_model_get(loy_app *app, int64_t id, json_t **resp, loy_err *err)
{
    int rc = need_merchant(app, err);
    if (rc) return rc;
    loy_model_row row;
    if ((rc = loy_db_begin(&app->conn, false, err))) return rc;
    rc = loy_store_model_get(&app->conn, app->merchant, id, &row, err);
    loy_db_rollback(&app->conn);
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "id", "no model %lld", (long long)id);
    if (rc) return rc;
    *resp = model_json(app, &row);
    loy_model_row_free(&row);
    return 0;
}

/* The prediction of one member (inside a transaction). *out = NULL without a model. */
static int predict(loy_app *app, int64_t member, const char *kind, int64_t weeks, double discount,
                   json_t **out, loy_err *err)
{
    *out = NULL;
    loy_model_row row;
    int rc = loy_store_model_latest(&app->conn, app->merchant, kind, &row, err);
    if (rc) return rc;
    fitted f;
    loy_model_summary *s = NULL;
    size_t n = 0;
    if ((rc = load_fitted(&row, NULL, &f, err))) goto done;
    int64_t now = loy_app_now(app);
    loy_model_scope scope = {
        app->merchant, row.data_from, now + 1, now + 1, loy_tz_offset(app->tz, now), member};
    if ((rc = loy_store_model_summary(&app->conn, &scope, &s, &n, err))) goto done;
    json_t *model = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)row.id, "kind", row.kind,
                              "fitted_at", loy_json_time(row.fitted_at));
    json_t *o = json_pack("{s:I, s:o, s:I, s:f, s:s}", "member", (json_int_t)member, "model", model,
                          "weeks", (json_int_t)weeks, "discount_rate", discount, "currency",
                          app->merchant_row.currency);
    if (n == 0) {
        json_object_set_new(o, "summary", json_null());
        json_object_set_new(o, "p_alive", json_null());
        json_object_set_new(o, "expected_purchases", json_null());
        json_object_set_new(o, "expected_spend", json_null());
        json_object_set_new(o, "clv", json_null());
        json_object_set_new(o, "note", json_string("no purchase since the model's data start"));
        *out = o;
        goto done;
    }
    const loy_model_summary *m = &s[0];
    loy_model_score sc;
    rc = score_one(&f, m, weeks, discount, &sc, err);
    if (rc) {
        json_decref(o);
        goto done;
    }
    double pa = sc.p_alive, ex = sc.expected_purchases, spend = sc.expected_spend, clv = sc.clv;
    int64_t spend_minor = llround(spend), clv_minor = llround(clv);
    json_object_set_new(o, "summary",
                        json_pack("{s:I, s:f, s:f, s:f}", "x", (json_int_t)m->x, "t_x", m->t_x, "T",
                                  m->T, "mean_spend", m->mean_spend));
    json_object_set_new(o, "p_alive", json_real(pa));
    json_object_set_new(o, "expected_purchases", json_real(ex));
    json_object_set_new(o, "expected_spend", json_integer((json_int_t)spend_minor));
    json_object_set_new(o, "expected_spend_display", loy_json_money(app, spend_minor));
    json_object_set_new(o, "clv", json_integer((json_int_t)clv_minor));
    json_object_set_new(o, "clv_display", loy_json_money(app, clv_minor));
    *out = o;
done:
    free(s);
    loy_model_row_free(&row);
    return rc;
}

int loy_app_model_predict(loy_app *app, const char *member_ref, const json_t *params, json_t **resp,
                          loy_err *err)
{
    int rc = need_merchant(app, err);
    if (!rc) rc = check_keys(params, predict_keys, err);
    const char *kind = NULL;
    int64_t weeks = 0;
    double discount = 0;
    if (!rc) rc = param_kind(params, &kind, err);
    if (!rc) rc = loy_param_int(params, "weeks", 1, 520, LOY_MODEL_WEEKS, &weeks, err);
    if (!rc) rc = loy_param_rate(params, "discount", LOY_MODEL_DISCOUNT, &discount, err);
    if (rc) return rc;
    if ((rc = loy_db_begin(&app->conn, false, err))) return rc;
    loy_member_row m = {0};
    rc = loy_app_resolve_member(app, member_ref, &m, err);
    if (!rc) rc = predict(app, m.id, kind, weeks, discount, resp, err);
    loy_db_rollback(&app->conn);
    loy_member_row_free(&m);
    return rc;
}

int loy_app_member_clv(loy_app *app, int64_t member_id, json_t *view, loy_err *err)
{
    if (!app->merchant) return 0;
    bool own = app->conn.depth == 0;
    int rc = own ? loy_db_begin(&app->conn, false, err) : 0;
    if (rc) return rc;
    json_t *p = NULL;
    rc = predict(app, member_id, NULL, LOY_MODEL_WEEKS, LOY_MODEL_DISCOUNT, &p, err);
    if (own) loy_db_rollback(&app->conn);
    if (rc == LOY_ENOTFOUND || rc == LOY_EINVALID) { /* no model, or one the maths cannot use */
        loy_err_clear(err);
        return 0;
    }
    if (rc) return rc;
    if (!json_is_null(json_object_get(p, "p_alive"))) {
        json_t *model = json_object_get(p, "model");
        json_object_set(model, "p_alive", json_object_get(p, "p_alive"));
        json_object_set(model, "weeks", json_object_get(p, "weeks"));
        json_object_set(model, "expected_purchases", json_object_get(p, "expected_purchases"));
        json_object_set(model, "expected_spend", json_object_get(p, "expected_spend"));
        json_object_set(model, "clv", json_object_get(p, "clv"));
        json_object_set(model, "clv_display", json_object_get(p, "clv_display"));
        json_object_set(model, "discount_rate", json_object_get(p, "discount_rate"));
        json_object_set(view, "model", model);
    }
    json_decref(p);
    return 0;
}

int loy_app_model_scores(loy_app *app, const char *kind, int64_t as_of, int64_t weeks,
                         double discount, const int64_t *only, size_t nonly, loy_model_score **out,
                         size_t *n, json_t **model, loy_err *err)
{
    *out = NULL;
    *n = 0;
    if (model) *model = NULL;
    loy_model_row row;
    int rc = loy_store_model_latest(&app->conn, app->merchant, kind, &row, err);
    if (rc == LOY_ENOTFOUND)
        return loy_err_set(err, rc, "model", "no fitted model: run `loyalty model fit` first");
    if (rc) return rc;
    fitted f;
    loy_model_summary *s = NULL;
    size_t ns = 0;
    loy_model_score *sc = NULL;
    if ((rc = load_fitted(&row, NULL, &f, err))) goto done;
    loy_model_scope scope = {
        app->merchant, row.data_from, as_of, as_of, loy_tz_offset(app->tz, as_of), 0};
    if (as_of <= row.data_from) {
        /* nothing to score */
    } else if (!only) {
        rc = loy_store_model_summary(&app->conn, &scope, &s, &ns, err);
    } else if (nonly && !(s = malloc(nonly * sizeof(*s)))) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    } else {
        for (size_t i = 0; !rc && i < nonly; i++) { /* one indexed summary per listed member */
            loy_model_summary *one = NULL;
            size_t k = 0;
            scope.member = only[i];
            rc = loy_store_model_summary(&app->conn, &scope, &one, &k, err);
            if (!rc && k) s[ns++] = one[0];
            free(one);
        }
    }
    if (rc) goto done;
    if (ns && !(sc = malloc(ns * sizeof(*sc)))) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    /* a member the maths cannot score (a numerical failure) gets NaN figures, not the whole
     * answer refused */
    for (size_t i = 0; i < ns; i++) {
        loy_err e;
        if (score_one(&f, &s[i], weeks, discount, &sc[i], &e))
            sc[i] = (loy_model_score){s[i].member, NAN, NAN, NAN, NAN};
    }
    if (model)
        *model = json_pack("{s:I, s:s, s:o, s:{s:o, s:o}}", "id", (json_int_t)row.id, "kind",
                           row.kind, "fitted_at", loy_json_time(row.fitted_at), "data", "from",
                           loy_json_time(row.data_from), "to", loy_json_time(row.data_to));
    *out = sc;
    *n = ns;
    sc = NULL;
done:
    free(sc);
    free(s);
    loy_model_row_free(&row);
    return rc;
}
