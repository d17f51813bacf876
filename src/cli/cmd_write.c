/* Write commands: purchase, refund, redeem, adjust, voucher use (all idempotent by --key). */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "util/rand.h"

/* Converts decimal-text amounts that came from flags ("18.50") to minor units. */
static int money_field(const loy_cli *cli, loy_app *app, json_t *obj, const char *key,
                       const char *flag, loy_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (cli->from_stdin || !v || !json_is_string(v)) return 0; /* JSON: integer minor units */
    int64_t minor;
    if (!loy_money_parse(json_string_value(v), app->prog->exponent, &minor))
        return loy_err_set(err, LOY_EINVALID, flag,
                           "--%s: expected an amount in %s like %s, got \"%s\"", flag,
                           app->merchant_row.currency, app->prog->exponent ? "18.50" : "1850",
                           json_string_value(v));
    json_object_set_new(obj, key, json_integer(minor));
    return 0;
}

static int run_write(loy_cli *cli, loy_app *app, loy_op op, void (*human)(const json_t *),
                     loy_err *err)
{
    char key[40];
    const char *k = cli->key;
    if (!k) { /* no key: a fresh one, so this invocation is one effect */
        if (loy_random_token(key, sizeof(key), 130))
            return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
        k = key;
    }
    json_t *resp = NULL;
    bool replayed = false;
    int rc = loy_app_write(app, op, k, cli->req, &resp, &replayed, err);
    if (rc) return rc;
    if (replayed && !cli->json) fprintf(stderr, "loyalty: replayed the result of key %s\n", k);
    loy_cli_print(cli, resp, human);
    return 0;
}

static void print_explain(const json_t *outcome)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(outcome, "explain"), i, e)
        printf("  %s\n", json_string_value(json_object_get(e, "text")));
}

static void print_balances(const json_t *b)
{
    printf("Balance: %lld points", (long long)json_integer_value(json_object_get(b, "points")));
    long long pending = (long long)json_integer_value(json_object_get(b, "pending"));
    if (pending) printf(" (+%lld pending)", pending);
    printf(", %lld stamps\n", (long long)json_integer_value(json_object_get(b, "stamps")));
}

static void human_purchase(const json_t *r)
{
    const json_t *p = json_object_get(r, "purchase"), *o = json_object_get(r, "outcome");
    const json_t *m = json_object_get(r, "member");
    const json_t *id = json_object_get(p, "id");
    if (json_is_true(json_object_get(r, "dry_run")))
        printf("Dry run (nothing recorded) for %s:\n",
               json_string_value(json_object_get(m, "name")));
    else
        printf("Purchase #%lld for %s:\n", (long long)json_integer_value(id),
               json_string_value(json_object_get(m, "name")));
    print_explain(o);
    printf("Earned %lld points, %lld stamps",
           (long long)json_integer_value(json_object_get(o, "points_earned")),
           (long long)json_integer_value(json_object_get(o, "stamps_earned")));
    long long bonus = (long long)json_integer_value(json_object_get(o, "bonus_points"));
    if (bonus) printf(", %lld bonus points", bonus);
    printf(". Tier: %s\n", json_string_value(json_object_get(m, "tier"))
                               ? json_string_value(json_object_get(m, "tier"))
                               : "-");
    print_balances(json_object_get(r, "balances"));
}

static void human_refund(const json_t *r)
{
    const json_t *f = json_object_get(r, "refund");
    printf("Refund #%lld of purchase #%lld (%lld minor units, %lld refunded in all):\n",
           (long long)json_integer_value(json_object_get(f, "id")),
           (long long)json_integer_value(json_object_get(f, "purchase_id")),
           (long long)json_integer_value(json_object_get(f, "amount")),
           (long long)json_integer_value(json_object_get(f, "refunded_total")));
    print_explain(json_object_get(r, "outcome"));
    print_balances(json_object_get(r, "balances"));
}

static void human_redeem(const json_t *r)
{
    const json_t *v = json_object_get(r, "voucher");
    printf("Voucher %s for %s (valid until %s)\n  QR payload: %s\n",
           json_string_value(json_object_get(v, "short_code")),
           json_string_value(json_object_get(v, "reward")),
           json_string_value(json_object_get(v, "expires_at")),
           json_string_value(json_object_get(v, "qr_payload")));
    print_explain(json_object_get(r, "outcome"));
    print_balances(json_object_get(r, "balances"));
}

static void human_adjust(const json_t *r)
{
    const json_t *a = json_object_get(r, "adjustment");
    printf("Adjusted %s by %+lld (%s)\n", json_string_value(json_object_get(a, "account")),
           (long long)json_integer_value(json_object_get(a, "delta")),
           json_string_value(json_object_get(a, "reason")));
    print_explain(json_object_get(r, "outcome"));
    print_balances(json_object_get(r, "balances"));
}

static void human_voucher(const json_t *r)
{
    const json_t *v = json_object_get(r, "voucher");
    const json_t *st = json_object_get(r, "status");
    printf("Voucher %s (%s): %s\n", json_string_value(json_object_get(v, "short_code")),
           json_string_value(json_object_get(v, "reward")),
           st ? json_string_value(st) : "used now");
}

static int cmd_purchase(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *member = json_object_get(cli->req, "member");
    if (!member && cli->npos == 1)
        json_object_set_new(cli->req, "member", json_string(cli->pos[0]));
    int rc = money_field(cli, app, cli->req, "amount", "amount", err);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(cli->req, "items"), i, it) if (!rc) rc =
        money_field(cli, app, it, "amount", "item", err);
    if (rc) return rc;
    if (cli->dry_run) {
        json_t *resp = NULL;
        if ((rc = loy_app_simulate(app, cli->req, &resp, err))) return rc;
        loy_cli_print(cli, resp, human_purchase);
        return 0;
    }
    return run_write(cli, app, LOY_OP_PURCHASE, human_purchase, err);
}

static int cmd_refund(loy_cli *cli, loy_app *app, loy_err *err)
{
    int rc = money_field(cli, app, cli->req, "amount", "amount", err);
    return rc ? rc : run_write(cli, app, LOY_OP_REFUND, human_refund, err);
}

static int cmd_redeem(loy_cli *cli, loy_app *app, loy_err *err)
{
    return run_write(cli, app, LOY_OP_REDEEM, human_redeem, err);
}

static int cmd_adjust(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *stamps = json_object_get(cli->req, "stamps_delta");
    if (stamps) {
        if (json_object_get(cli->req, "delta"))
            return loy_err_set(err, LOY_EINVALID, "stamps",
                               "usage: give either --points or --stamps, not both");
        json_object_set_new(cli->req, "account", json_string("stamps"));
        json_object_set(cli->req, "delta", stamps);
        json_object_del(cli->req, "stamps_delta");
    }
    return run_write(cli, app, LOY_OP_ADJUST, human_adjust, err);
}

static int cmd_voucher_use(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos == 1 && !json_object_get(cli->req, "code"))
        json_object_set_new(cli->req, "code", json_string(cli->pos[0]));
    return run_write(cli, app, LOY_OP_VOUCHER_USE, human_voucher, err);
}

static int cmd_voucher_check(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1) return loy_err_set(err, LOY_EINVALID, "code", "usage: voucher check CODE");
    json_t *resp = NULL;
    int rc = loy_app_voucher_check(app, cli->pos[0], &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_voucher);
    return rc;
}

const loy_flag loy_purchase_flags[] = {
    {"member", "member", F_STR, "member id, card token, phone or email"},
    {"amount", "amount", F_MONEY, "total amount, e.g. 18.50"},
    {"item", "items", F_ITEM, "CATEGORY[:SKU[:QTY[:AMOUNT]]] (repeatable)"},
    {"location", "location", F_STR, "location code"},
    {"tender-points", "tender_points", F_INT, "points paying part of the purchase"},
    {"at", "occurred_at", F_STR, "when it happened (ISO 8601), default now"},
    {"reference", "reference", F_STR, "the POS receipt number"},
    {"dry-run", "", F_BOOL, "compute the outcome without recording it"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_refund_flags[] = {
    {"purchase", "purchase_id", F_INT, "purchase id"},
    {"amount", "amount", F_MONEY, "amount to refund (default: all that is left)"},
    {"reason", "reason", F_STR, "why"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_redeem_flags[] = {
    {"member", "member", F_STR, "member id, card token, phone or email"},
    {"reward", "reward", F_STR, "reward id from the programme"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_adjust_flags[] = {
    {"member", "member", F_STR, "member id, card token, phone or email"},
    {"points", "delta", F_INT, "points to add (negative to remove)"},
    {"stamps", "stamps_delta", F_INT, "stamps to add (negative to remove)"},
    {"reason", "reason", F_STR, "why (required)"},
    {NULL, NULL, F_STR, NULL}};
const loy_flag loy_voucher_flags[] = {{"code", "code", F_STR, "voucher code"},
                                      {NULL, NULL, F_STR, NULL}};

int loy_cmd_purchase(loy_cli *cli, loy_app *app, loy_err *err)
{
    return cmd_purchase(cli, app, err);
}
int loy_cmd_refund(loy_cli *cli, loy_app *app, loy_err *err)
{
    return cmd_refund(cli, app, err);
}
int loy_cmd_redeem(loy_cli *cli, loy_app *app, loy_err *err)
{
    return cmd_redeem(cli, app, err);
}
int loy_cmd_adjust(loy_cli *cli, loy_app *app, loy_err *err)
{
    return cmd_adjust(cli, app, err);
}
int loy_cmd_voucher_use(loy_cli *cli, loy_app *app, loy_err *err)
{
    return cmd_voucher_use(cli, app, err);
}
int loy_cmd_voucher_check(loy_cli *cli, loy_app *app, loy_err *err)
{
    return cmd_voucher_check(cli, app, err);
}
