/* Model commands: model fit|show|predict (BG/NBD or Pareto/NBD with Gamma-Gamma; see
 * docs/models.md).
 *
 * To wire them in, src/cli/commands.c needs (declarations, with the other CMD lines):
 *
 *     CMD(loy_cmd_model_fit);
 *     CMD(loy_cmd_model_show);
 *     CMD(loy_cmd_model_predict);
 *     extern const loy_flag loy_model_fit_flags[], loy_model_predict_flags[];
 *
 * and in loy_commands[] (before the NULL entry):
 *
 *     {"model fit", loy_cmd_model_fit, loy_model_fit_flags, NULL,
 *      "fit BG/NBD (or Pareto/NBD) and Gamma-Gamma on purchase history; kept as a new model", 2},
 *     {"model show", loy_cmd_model_show, NULL, NULL,
 *      "latest fitted model of each kind, with its holdout check", 2},
 *     {"model predict", loy_cmd_model_predict, loy_model_predict_flags, "MEMBER",
 *      "P(alive), expected purchases and discounted CLV of a member", 2},
 */
#include "cli/cli_int.h"

#include <stdio.h>

#include "app/models.h"

static const char *S(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static double D(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void print_params(const char *name, const json_t *p)
{
    const char *k;
    const json_t *v;
    printf("  %-12s", name);
    json_object_foreach((json_t *)p, k, v)
    {
        if (json_is_number(v) && !json_is_integer(v)) printf(" %s=%.6g", k, json_number_value(v));
    }
    printf("\n");
}

static void human_model(const json_t *m)
{
    const json_t *p = json_object_get(m, "params");
    const json_t *data = json_object_get(m, "data");
    printf("model #%lld %s, fitted %s by %s\n",
           (long long)json_integer_value(json_object_get(m, "id")), S(m, "kind"), S(m, "fitted_at"),
           S(m, "fitted_by"));
    printf("  data         %s to %s, %lld members, log-likelihood %.4f\n", S(data, "from"),
           S(data, "to"), (long long)json_integer_value(json_object_get(m, "members")),
           D(m, "log_likelihood"));
    print_params(S(m, "kind"), json_object_get(p, S(m, "kind")));
    const json_t *gg = json_object_get(p, "gammagamma");
    if (json_is_object(gg))
        print_params("gammagamma", gg);
    else
        printf("  gammagamma   not fitted (too few repeat buyers)\n");
    const json_t *h = json_object_get(m, "holdout");
    if (json_is_object(h))
        printf("  holdout      %lld weeks from %s: predicted %.1f, actual %lld repeat purchases, "
               "mean absolute error %.3f per member\n",
               (long long)json_integer_value(json_object_get(h, "weeks")), S(h, "from"),
               D(h, "predicted"), (long long)json_integer_value(json_object_get(h, "actual")),
               D(h, "mean_absolute_error"));
    else
        printf("  holdout      none (fit with --holdout-weeks N to check)\n");
}

static void human_models(const json_t *r)
{
    size_t i;
    const json_t *m;
    if (!json_array_size(json_object_get(r, "models")))
        printf("no fitted model: run `loyalty model fit`\n");
    json_array_foreach(json_object_get(r, "models"), i, m) human_model(m);
}

static void human_prediction(const json_t *r)
{
    const json_t *m = json_object_get(r, "model");
    printf("member #%lld, model #%lld %s\n",
           (long long)json_integer_value(json_object_get(r, "member")),
           (long long)json_integer_value(json_object_get(m, "id")), S(m, "kind"));
    if (json_is_null(json_object_get(r, "p_alive"))) {
        printf("  %s\n", S(r, "note"));
        return;
    }
    const json_t *s = json_object_get(r, "summary");
    printf("  history            %lld repeat purchase days, last at week %.1f of %.1f\n",
           (long long)json_integer_value(json_object_get(s, "x")), D(s, "t_x"), D(s, "T"));
    printf("  P(alive)           %.3f\n", D(r, "p_alive"));
    printf("  expected purchases %.2f in %lld weeks\n", D(r, "expected_purchases"),
           (long long)json_integer_value(json_object_get(r, "weeks")));
    printf("  spend per purchase %s\n", S(r, "expected_spend_display"));
    printf("  CLV                %s (discounted %.0f%% a year)\n", S(r, "clv_display"),
           100.0 * D(r, "discount_rate"));
}

int loy_cmd_model_fit(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_model_fit(app, cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_model);
    return rc;
}

int loy_cmd_model_show(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_model_list(app, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_models);
    return rc;
}

int loy_cmd_model_predict(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "member",
                           "usage: loyalty model predict MEMBER [--weeks N]");
    json_t *resp = NULL;
    int rc = loy_app_model_predict(app, cli->pos[0], cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_prediction);
    return rc;
}

const loy_flag loy_model_fit_flags[] = {
    {"model", "model", F_STR, "bgnbd (default) or paretonbd"},
    {"from", "from", F_STR, "first day of the data (YYYY-MM-DD; default: the first purchase)"},
    {"to", "to", F_STR, "last day of the data (YYYY-MM-DD; default: now)"},
    {"holdout-weeks", "holdout_weeks", F_INT,
     "hold the last N weeks out and check predicted vs actual purchases there"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_model_predict_flags[] = {
    {"weeks", "weeks", F_INT, "horizon in weeks (default 52)"},
    {"discount", "discount", F_STR, "annual discount rate (default 0.10)"},
    {"model", "model", F_STR, "bgnbd or paretonbd (default: the latest fit)"},
    {NULL, NULL, F_STR, NULL}};
