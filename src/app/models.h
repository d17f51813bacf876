/* Customer-base model use cases: fit BG/NBD or Pareto/NBD with Gamma-Gamma on the merchant's
 * purchase history, keep every fit (append-only), and predict P(alive), expected purchases and
 * discounted CLV per member. Shared by `loyalty model ...` and /api/v1/models. See
 * docs/models.md. */
#ifndef LOY_APP_MODELS_H
#define LOY_APP_MODELS_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"

/* Default horizon (weeks) and annual discount rate of predictions. */
#define LOY_MODEL_WEEKS    52
#define LOY_MODEL_DISCOUNT 0.10

/* Fits a model and stores it as a new row. req (borrowed, NULL = defaults) may hold "model"
 * ("bgnbd", default, or "paretonbd"), "from" and "to" (dates "YYYY-MM-DD" in the merchant's
 * zone, both included, or ISO 8601 instants, `to` excluded; default: all purchases up to now)
 * and "holdout_weeks" (1..520: the last N weeks of [from, to) are held out, the parameters are
 * fitted on the rest and predicted vs actual repeat purchases in the holdout are stored).
 * Reads in one read transaction, fits outside any, writes in one write transaction.
 * *resp = the stored model (as loy_app_model_list renders one). LOY_EINVALID naming the field
 * for bad input or too little data (fewer than 10 buyers). */
int loy_app_model_fit(loy_app *app, const json_t *req, json_t **resp, loy_err *err);

/* The latest fit of each kind: *resp = {"models": [...]} (empty when nothing was fitted). */
int loy_app_model_list(loy_app *app, json_t **resp, loy_err *err);

/* One fit by id; LOY_ENOTFOUND when the merchant has no such fit. */
int loy_app_model_get(loy_app *app, int64_t id, json_t **resp, loy_err *err);

/* Prediction for one member from the latest fit (of "model" when given): params (borrowed,
 * NULL = defaults) may hold "weeks" (1..520, default 52), "discount" (annual rate 0..1,
 * default 0.10) and "model". *resp = {member, model, summary, p_alive, weeks,
 * expected_purchases, expected_spend(+_display), clv(+_display), discount_rate, currency};
 * money in integer minor units. A member without a counted purchase since the model's
 * data_from gets null predictions. LOY_ENOTFOUND for an unknown member or when no model was
 * fitted. */
int loy_app_model_predict(loy_app *app, const char *member_ref, const json_t *params, json_t **resp,
                          loy_err *err);

/* For the member view: adds "model": {id, kind, p_alive, weeks, expected_purchases, clv,
 * clv_display, ...} (52 weeks, 10% a year) to `view` when the merchant has a fitted model and
 * the member bought since its data_from; adds nothing otherwise (returns 0). Runs inside the
 * caller's transaction when one is open, else in its own read transaction. */
int loy_app_member_clv(loy_app *app, int64_t member_id, json_t *view, loy_err *err);

/* One member's prediction (loy_app_model_scores). Money in minor units, unrounded. */
typedef struct {
    int64_t member;
    double p_alive;
    double expected_purchases; /* in the next `weeks` */
    double expected_spend;     /* per purchase */
    double clv;                /* discounted over `weeks` */
} loy_model_score;

/* Scores every member who bought between the latest fit's (of `kind`; NULL = any) data start and
 * `as_of` (excluded), with histories as of `as_of` (only the `nonly` members listed in `only`
 * when it is not NULL: one indexed query each): P(alive) always; with weeks > 0 also the
 * expected purchases, spend and CLV over `weeks` at the annual `discount`; NaN figures for a
 * member the maths could not score. *out (malloc'ed, ascending by member; NULL when *n == 0)
 * and, when model is not NULL, *model = {id, kind, fitted_at, data: {from, to}} (new
 * reference). Runs inside the caller's read transaction. LOY_ENOTFOUND (field "model") when
 * the merchant has no fit. */
int loy_app_model_scores(loy_app *app, const char *kind, int64_t as_of, int64_t weeks,
                         double discount, const int64_t *only, size_t nonly, loy_model_score **out,
                         size_t *n, json_t **model, loy_err *err);
#endif
