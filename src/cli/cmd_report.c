/* Report commands: report kpis|churn|cohorts|pareto|rfm|advocacy|economics|clv|nps, as a table,
 * JSON (--json) or CSV (--csv).
 *
 * To wire them in, src/cli/commands.c needs (declarations, with the other CMD lines):
 *
 *     CMD(loy_cmd_report_kpis);
 *     CMD(loy_cmd_report_churn);
 *     CMD(loy_cmd_report_cohorts);
 *     CMD(loy_cmd_report_pareto);
 *     CMD(loy_cmd_report_rfm);
 *     CMD(loy_cmd_report_advocacy);
 *     CMD(loy_cmd_report_economics);
 *     extern const loy_flag loy_report_flags[];
 *
 * and in loy_commands[] (before the NULL entry):
 *
 *     {"report kpis", loy_cmd_report_kpis, loy_report_flags, NULL,
 *      "members, active, new, repeat rate, frequency, order value, revenue by location", 2},
 *     {"report churn", loy_cmd_report_churn, loy_report_flags, NULL,
 *      "churn rate per month (lost = no purchase for --days, default 90)", 2},
 *     {"report cohorts", loy_cmd_report_cohorts, loy_report_flags, NULL,
 *      "retention by join month: share of each cohort purchasing k months later", 2},
 *     {"report pareto", loy_cmd_report_pareto, loy_report_flags, NULL,
 *      "revenue share of the top --top percent, Lorenz curve, Gini coefficient", 2},
 *     {"report rfm", loy_cmd_report_rfm, loy_report_flags, NULL,
 *      "recency, frequency, monetary quintiles and named segments with member ids", 2},
 *     {"report advocacy", loy_cmd_report_advocacy, loy_report_flags, NULL,
 *      "spenders vs senders: own spend next to referred members' revenue", 2},
 *     {"report economics", loy_cmd_report_economics, loy_report_flags, NULL,
 *      "points issued, redeemed, expired, outstanding, liability, breakage, vouchers", 2},
 *     {"report clv", loy_cmd_report_clv, loy_report_flags, NULL, "...", 2},
 */
#include "cli/cli_int.h"

#include <stdio.h>

#include "app/reports.h"

static void print_period(const json_t *r)
{
    const json_t *p = json_object_get(r, "period");
    const char *loc = json_string_value(json_object_get(p, "location"));
    printf("%s report, %s to %s (%s)%s%s\n", json_string_value(json_object_get(r, "report")),
           json_string_value(json_object_get(p, "from")),
           json_string_value(json_object_get(p, "to")),
           json_string_value(json_object_get(p, "time_zone")), loc ? ", location " : "",
           loc ? loc : "");
}

static void print_rules(const json_t *r)
{
    size_t i;
    const json_t *t;
    printf("\nrules:\n");
    json_array_foreach(json_object_get(r, "rules"), i, t) printf("  - %s\n", json_string_value(t));
}

static long long I(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *S(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

/* A number or "-" for null. */
static const char *N(char *buf, size_t n, const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_number(v))
        snprintf(buf, n, "%.2f", json_number_value(v));
    else
        snprintf(buf, n, "-");
    return buf;
}

static void human_kpis(const json_t *r)
{
    char a[32], b[32];
    print_period(r);
    printf("  members                %lld (new in period %lld)\n", I(r, "members"),
           I(r, "new_members"));
    printf("  active 30 / 90 days    %lld / %lld\n", I(r, "active_30_days"),
           I(r, "active_90_days"));
    printf("  buyers                 %lld (repeat %lld, %s%%)\n", I(r, "buyers"),
           I(r, "repeat_buyers"), N(a, sizeof(a), r, "repeat_purchase_rate"));
    printf("  purchases              %lld (%s per buyer)\n", I(r, "purchases"),
           N(b, sizeof(b), r, "purchase_frequency"));
    printf("  revenue                %s\n", S(r, "revenue_display"));
    printf("  average order value    %s\n", S(r, "average_order_value_display"));
    printf("  new buyers             %lld (%s%% bought again), returning buyers %lld\n",
           I(r, "new_buyers"), N(a, sizeof(a), r, "new_to_returning_rate"),
           I(r, "returning_buyers"));
    size_t i;
    const json_t *l;
    printf("\n  %-12s %10s %8s %16s\n", "location", "purchases", "buyers", "revenue");
    json_array_foreach(json_object_get(r, "by_location"), i, l)
        printf("  %-12s %10lld %8lld %16s\n", S(l, "location"), I(l, "purchases"), I(l, "buyers"),
               S(l, "revenue_display"));
    print_rules(r);
}

static void human_churn(const json_t *r)
{
    char a[32];
    print_period(r);
    printf("  lost by %s\n", S(r, "basis"));
    printf("  %-22s %-22s %9s %6s %7s\n", "from", "to", "at start", "lost", "churn%");
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(r, "periods"), i, p)
        printf("  %-22s %-22s %9lld %6lld %7s\n", S(p, "from"), S(p, "to"), I(p, "at_start"),
               I(p, "lost"), N(a, sizeof(a), p, "churn_rate"));
    const json_t *o = json_object_get(r, "overall");
    printf("  %-45s %9lld %6lld %7s\n", "whole period", I(o, "at_start"), I(o, "lost"),
           N(a, sizeof(a), o, "churn_rate"));
    print_rules(r);
}

static void human_cohorts(const json_t *r)
{
    char a[32];
    print_period(r);
    printf("  %-8s %6s  retention %% in month k = 0, 1, 2, ...\n", "cohort", "size");
    size_t i, k;
    const json_t *c, *v;
    json_array_foreach(json_object_get(r, "cohorts"), i, c)
    {
        printf("  %-8s %6lld ", S(c, "cohort"), I(c, "size"));
        json_array_foreach(json_object_get(c, "retention"), k, v)
        {
            if (json_is_number(v))
                snprintf(a, sizeof(a), "%.1f", json_number_value(v));
            else
                snprintf(a, sizeof(a), "-");
            printf(" %6s", a);
        }
        printf("\n");
    }
    print_rules(r);
}

static void human_pareto(const json_t *r)
{
    char a[32], b[32];
    print_period(r);
    printf("  buyers %lld, revenue %s\n", I(r, "buyers"), S(r, "revenue_display"));
    printf("  top %lld%% (%lld buyers) bring %s = %s%% of revenue\n", I(r, "top_percent"),
           I(r, "top_members"), S(r, "top_revenue_display"),
           N(a, sizeof(a), r, "top_revenue_share"));
    printf("  Gini %s\n  Lorenz curve (population -> revenue share):\n",
           N(b, sizeof(b), r, "gini"));
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(r, "lorenz"), i, p)
        printf("    %5.3f -> %6.4f\n", json_number_value(json_object_get(p, "population")),
               json_number_value(json_object_get(p, "revenue_share")));
    print_rules(r);
}

static void human_rfm(const json_t *r)
{
    print_period(r);
    printf("  %lld members scored\n  %-20s %8s %16s  member ids\n", I(r, "scored_members"),
           "segment", "members", "revenue");
    size_t i, k;
    const json_t *s, *id;
    json_array_foreach(json_object_get(r, "segments"), i, s)
    {
        printf("  %-20s %8lld %16s ", S(s, "segment"), I(s, "members"), S(s, "revenue_display"));
        json_array_foreach(json_object_get(s, "member_ids"), k, id)
            printf(" %lld", (long long)json_integer_value(id));
        if (!json_is_null(json_object_get(s, "next_cursor"))) printf(" ...");
        printf("\n");
    }
    print_rules(r);
}

static void human_advocacy(const json_t *r)
{
    print_period(r);
    printf("  %lld members counted, %lld referred members bringing %s, %lld referrals awarded\n",
           I(r, "members_counted"), I(r, "referred_members"), S(r, "referred_revenue_display"),
           I(r, "referrals_awarded"));
    printf("  %-10s %5s %5s %8s %16s %16s\n", "quadrant", "spend", "refs", "members", "spend",
           "referred rev.");
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(r, "quadrants"), i, q)
        printf("  %-10s %5s %5s %8lld %16s %16s\n", S(q, "quadrant"), S(q, "spend"),
               S(q, "referred_revenue"), I(q, "members"), S(q, "total_spend_display"),
               S(q, "total_referred_revenue_display"));
    printf("\n  %-8s %-10s %16s %6s %16s\n", "member", "quadrant", "spend", "refs",
           "referred rev.");
    json_array_foreach(json_object_get(r, "members"), i, q)
        printf("  %-8lld %-10s %16s %6lld %16s\n", I(q, "member_id"), S(q, "quadrant"),
               S(q, "spend_display"), I(q, "referred_members"), S(q, "referred_revenue_display"));
    print_rules(r);
}

static void human_economics(const json_t *r)
{
    char a[32], b[32], c[32];
    print_period(r);
    const json_t *p = json_object_get(r, "points");
    printf("  points issued %lld (reversed %lld), redeemed %lld, expired %lld, adjusted %lld\n",
           I(p, "issued"), I(p, "reversed"), I(p, "redeemed"), I(p, "expired"), I(p, "adjusted"));
    printf("  outstanding %lld points + %lld pending; liability %s\n", I(p, "outstanding"),
           I(p, "pending"), S(p, "liability_display"));
    printf("  redemption rate %s%%, breakage %s%%\n", N(a, sizeof(a), p, "redemption_rate"),
           N(b, sizeof(b), p, "breakage"));
    const json_t *s = json_object_get(r, "stamps");
    printf("  stamps issued %lld, redeemed %lld, expired %lld, outstanding %lld\n", I(s, "issued"),
           I(s, "redeemed"), I(s, "expired"), I(s, "outstanding"));
    const json_t *v = json_object_get(r, "vouchers");
    printf("  vouchers issued %lld, used %lld (%s%%), open %lld\n", I(v, "issued"), I(v, "used"),
           N(c, sizeof(c), v, "use_rate"), I(v, "open"));
    printf("  giving accrued %s (to date %s)\n", S(json_object_get(r, "giving"), "accrued_display"),
           S(json_object_get(r, "giving"), "accrued_to_date_display"));
    print_rules(r);
}

static void human_clv(const json_t *r)
{
    char a[32], b[32], c[32];
    print_period(r);
    const json_t *s = json_object_get(r, "simple");
    printf("  simple CLV %s = average purchase %s x %s purchases a year x %s years\n",
           S(s, "clv_display"), S(s, "average_purchase_value_display"),
           N(a, sizeof(a), s, "purchase_frequency_per_year"),
           N(b, sizeof(b), s, "average_lifespan_years"));
    printf("  (%lld buyers, %lld purchases, monthly churn %s%%)\n", I(s, "buyers"),
           I(s, "purchases"), N(c, sizeof(c), s, "monthly_churn_rate"));
    const json_t *p = json_object_get(r, "predictive");
    if (!json_is_object(p)) {
        printf("\n  predictive CLV: no model yet (run `loyalty model fit`)\n");
        print_rules(r);
        return;
    }
    const json_t *m = json_object_get(p, "model");
    printf("\n  predictive CLV, model %lld (%s), next %lld weeks, %.1f%% a year discount\n",
           I(m, "id"), S(m, "kind"), I(p, "weeks"),
           100 * json_number_value(json_object_get(p, "discount_rate")));
    printf("  %lld members, expected alive %s, expected purchases %s\n", I(p, "members"),
           N(b, sizeof(b), p, "expected_alive"), N(c, sizeof(c), p, "expected_purchases"));
    printf("  CLV total %s, mean %s, median %s\n", S(p, "clv_total_display"),
           S(p, "clv_mean_display"), S(p, "clv_median_display"));
    size_t i;
    const json_t *x;
    printf("\n  %-16s %8s %16s\n", "P(alive)", "members", "CLV");
    json_array_foreach(json_object_get(p, "p_alive_bands"), i, x) printf(
        "  %4.2f - %4.2f      %8lld %16s\n", json_number_value(json_object_get(x, "p_alive_from")),
        json_number_value(json_object_get(x, "p_alive_to")), I(x, "members"), S(x, "clv_display"));
    printf("\n  %-8s %8s %16s %7s\n", "decile", "members", "CLV", "share%");
    json_array_foreach(json_object_get(p, "deciles"), i, x)
        printf("  %-8lld %8lld %16s %7s\n", I(x, "decile"), I(x, "members"), S(x, "clv_display"),
               N(a, sizeof(a), x, "clv_share"));
    printf("\n  %-8s %8s %10s %14s %14s\n", "member", "P(alive)", "purchases", "spend", "CLV");
    json_array_foreach(json_object_get(p, "top_members"), i, x)
        printf("  %-8lld %8.3f %10.2f %14s %14s\n", I(x, "member_id"),
               json_number_value(json_object_get(x, "p_alive")),
               json_number_value(json_object_get(x, "expected_purchases")),
               S(x, "expected_spend_display"), S(x, "clv_display"));
    print_rules(r);
}

static void nps_line(const char *label, const json_t *o)
{
    char a[32], b[32], c[32];
    printf("  %-22s %9lld %9lld %9lld %10lld %7s  %s to %s\n", label, I(o, "responses"),
           I(o, "promoters"), I(o, "passives"), I(o, "detractors"), N(a, sizeof(a), o, "nps"),
           N(b, sizeof(b), o, "ci_low"), N(c, sizeof(c), o, "ci_high"));
}

static void human_nps(const json_t *r)
{
    print_period(r);
    printf("  %s\n\n", S(r, "sentence"));
    printf("  %-22s %9s %9s %9s %10s %7s  %s\n", "", "responses", "promoters", "passives",
           "detractors", "NPS", "95% CI");
    nps_line("overall", json_object_get(r, "overall"));
    size_t i;
    const json_t *x;
    json_array_foreach(json_object_get(r, "by_location"), i, x)
        nps_line(json_is_string(json_object_get(x, "key")) ? S(x, "key") : "(no location)", x);
    json_array_foreach(json_object_get(r, "by_month"), i, x) nps_line(S(x, "key"), x);
    printf("  open detractor cases: %lld\n", I(r, "open_cases"));
    print_rules(r);
}

static int run(loy_cli *cli, loy_app *app, const char *name, void (*human)(const json_t *),
               loy_err *err)
{
    if (cli->npos)
        return loy_err_set(err, LOY_EINVALID, "",
                           "usage: loyalty report %s [--from DATE] "
                           "[--to DATE] [--location CODE] [--json | --csv]",
                           name);
    json_t *resp = NULL, *params = json_deep_copy(cli->req);
    bool csv = json_is_true(json_object_get(params, "csv"));
    json_object_del(params, "csv");
    if (csv && cli->json) {
        json_decref(params);
        return loy_err_set(err, LOY_EINVALID, "csv", "--csv and --json: choose one");
    }
    int rc = loy_app_report(app, name, params, &resp, err);
    json_decref(params);
    if (rc) return rc;
    if (!csv) {
        loy_cli_print(cli, resp, human);
        return 0;
    }
    char *text = NULL;
    rc = loy_app_report_csv(resp, &text, err);
    if (!rc) fputs(text, stdout);
    free(text);
    json_decref(resp);
    return rc;
}

int loy_cmd_report_kpis(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "kpis", human_kpis, err);
}

int loy_cmd_report_churn(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "churn", human_churn, err);
}

int loy_cmd_report_cohorts(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "cohorts", human_cohorts, err);
}

int loy_cmd_report_pareto(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "pareto", human_pareto, err);
}

int loy_cmd_report_rfm(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "rfm", human_rfm, err);
}

int loy_cmd_report_advocacy(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "advocacy", human_advocacy, err);
}

int loy_cmd_report_economics(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "economics", human_economics, err);
}

int loy_cmd_report_clv(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "clv", human_clv, err);
}

int loy_cmd_report_nps(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run(cli, app, "nps", human_nps, err);
}

/* The app checks which parameters apply to which report. */
const loy_flag loy_report_flags[] = {
    {"from", "from", F_STR, "first day (YYYY-MM-DD, merchant's zone) or ISO 8601 instant"},
    {"to", "to", F_STR, "last day included, or an ISO 8601 instant excluded (default now)"},
    {"location", "location", F_STR, "only this location (not for economics)"},
    {"days", "days", F_STR, "churn, clv: days without a purchase that count as lost (default 90)"},
    {"basis", "basis", F_STR, "churn: lost by \"inactivity\" (default) or \"p_alive\" (< 0.5)"},
    {"top", "top", F_STR, "pareto: top percent of buyers (default 20)"},
    {"points", "points", F_STR, "pareto: points of the Lorenz curve, 2 to 101 (default 11)"},
    {"limit", "limit", F_STR, "rfm, advocacy: member ids per list (default 20, at most 1000)"},
    {"cursor", "cursor", F_STR, "rfm: member id to continue after; advocacy: rows to skip"},
    {"segment", "segment", F_STR, "rfm: list only this segment (e.g. at_risk)"},
    {"weeks", "weeks", F_STR, "clv: prediction horizon in weeks (default 52)"},
    {"discount", "discount", F_STR, "clv: yearly discount rate, 0 to 1 (default 0.10)"},
    {"csv", "csv", F_BOOL, "print the report's table as CSV"},
    {NULL, NULL, F_STR, NULL}};
