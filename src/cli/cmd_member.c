/* Member commands: add, show (the counter view), edit, find, ledger. */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/referrals.h"
#include "util/rand.h"

static void human_member_line(const json_t *m)
{
    const char *phone = json_string_value(json_object_get(m, "phone"));
    const char *email = json_string_value(json_object_get(m, "email"));
    printf("#%-6lld %-28s %-16s %-26s %s\n",
           (long long)json_integer_value(json_object_get(m, "id")),
           json_string_value(json_object_get(m, "name")), phone ? phone : "-", email ? email : "-",
           json_string_value(json_object_get(m, "card_token")));
}

static void human_added(const json_t *r)
{
    const json_t *m = json_object_get(r, "member");
    printf("Member #%lld %s joined; card %s\n",
           (long long)json_integer_value(json_object_get(m, "id")),
           json_string_value(json_object_get(m, "name")),
           json_string_value(json_object_get(m, "card_token")));
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(json_object_get(r, "outcome"), "explain"), i, e)
        printf("  %s\n", json_string_value(json_object_get(e, "text")));
}

static void human_edited(const json_t *r)
{
    human_member_line(json_object_get(r, "member"));
}

static void human_found(const json_t *r)
{
    size_t i;
    const json_t *m;
    const json_t *arr = json_object_get(r, "members");
    json_array_foreach(arr, i, m) human_member_line(m);
    if (!json_array_size(arr)) printf("no member matches\n");
}

static void human_view(const json_t *r)
{
    const json_t *m = json_object_get(r, "member"), *b = json_object_get(r, "balances");
    const json_t *t = json_object_get(r, "tier");
    printf("%s (#%lld), card %s\n", json_string_value(json_object_get(m, "name")),
           (long long)json_integer_value(json_object_get(m, "id")),
           json_string_value(json_object_get(m, "card_token")));
    printf("  points   %lld", (long long)json_integer_value(json_object_get(b, "points")));
    long long pending = (long long)json_integer_value(json_object_get(b, "pending"));
    if (pending) printf(" (+%lld pending)", pending);
    printf("\n");
    const json_t *card = json_object_get(r, "stamp_card");
    if (card)
        printf("  stamps   card %lld/%lld, %lld full card(s)\n",
               (long long)json_integer_value(json_object_get(card, "on_card")),
               (long long)json_integer_value(json_object_get(card, "card_size")),
               (long long)json_integer_value(json_object_get(card, "full_cards")));
    if (json_is_object(t)) {
        printf("  tier     %s", json_string_value(json_object_get(t, "name")));
        const json_t *n = json_object_get(t, "next");
        const char *money = json_string_value(json_object_get(n, "remaining_display"));
        if (json_is_object(n) && money)
            printf(", %s more spend to %s", money, json_string_value(json_object_get(n, "name")));
        else if (json_is_object(n))
            printf(", %lld more points to %s",
                   (long long)json_integer_value(json_object_get(n, "remaining")),
                   json_string_value(json_object_get(n, "name")));
        printf("\n");
    }
    const json_t *ex = json_object_get(r, "expiring");
    printf("  expiring %lld points in the next %lld days\n",
           (long long)json_integer_value(json_object_get(ex, "points")),
           (long long)json_integer_value(json_object_get(ex, "days")));
    const json_t *g = json_object_get(r, "giving");
    if (g)
        printf("  giving   %s to %s\n", json_string_value(json_object_get(g, "display")),
               json_string_value(json_object_get(g, "cause")));
    const char *fav = json_string_value(json_object_get(m, "favourite"));
    if (fav) printf("  favourite %s\n", fav);
    const json_t *ref = json_object_get(r, "referrals");
    if (json_string_value(json_object_get(m, "referral_code")))
        printf("  referral code %s (link %s): referred %lld, %lld awarded\n",
               json_string_value(json_object_get(m, "referral_code")),
               json_string_value(json_object_get(m, "referral_url")),
               (long long)json_integer_value(json_object_get(ref, "count")),
               (long long)json_integer_value(json_object_get(ref, "awarded")));
    const json_t *mo = json_object_get(r, "model");
    if (json_is_object(mo))
        printf("  outlook  P(alive) %.2f, %.1f purchases expected in %lld weeks, CLV %s (model "
               "%lld, %s)\n",
               json_number_value(json_object_get(mo, "p_alive")),
               json_number_value(json_object_get(mo, "expected_purchases")),
               (long long)json_integer_value(json_object_get(mo, "weeks")),
               json_string_value(json_object_get(mo, "clv_display")),
               (long long)json_integer_value(json_object_get(mo, "id")),
               json_string_value(json_object_get(mo, "kind")));
    size_t i;
    const json_t *rw;
    printf("  rewards\n");
    json_array_foreach(json_object_get(r, "rewards"), i, rw)
        printf("    %-14s %-22s %5lld %-6s %s\n", json_string_value(json_object_get(rw, "id")),
               json_string_value(json_object_get(rw, "name")),
               (long long)json_integer_value(json_object_get(rw, "cost")),
               json_string_value(json_object_get(rw, "cost_in")),
               json_is_true(json_object_get(rw, "available"))
                   ? "available now"
                   : json_string_value(json_object_get(rw, "why_not")));
}

static void human_ledger(const json_t *r)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(r, "entries"), i, e) printf(
        "%-20s %-8s %-9s %+8lld  %-18s %s #%lld\n", json_string_value(json_object_get(e, "at")),
        json_string_value(json_object_get(e, "account")),
        json_string_value(json_object_get(e, "kind")),
        (long long)json_integer_value(json_object_get(e, "amount")),
        json_string_value(json_object_get(e, "rule")),
        json_string_value(json_object_get(e, "ref_type")),
        (long long)json_integer_value(json_object_get(e, "ref_id")));
}

int loy_cmd_member_add(loy_cli *cli, loy_app *app, loy_err *err)
{
    char key[40];
    const char *k = cli->key;
    if (!k) {
        if (loy_random_token(key, sizeof(key), 130))
            return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
        k = key;
    }
    json_t *resp = NULL;
    int rc = loy_app_write(app, LOY_OP_MEMBER_CREATE, k, cli->req, &resp, NULL, err);
    if (!rc) loy_cli_print(cli, resp, human_added);
    return rc;
}

static int one_ref(loy_cli *cli, const char *what, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "member", "usage: loyalty member %s MEMBER", what);
    return 0;
}

int loy_cmd_member_show(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = one_ref(cli, "show", err);
    if (!rc) rc = loy_app_member_view(app, cli->pos[0], &resp, err);
    if (!rc) rc = loy_app_referral_attach(app, resp, err); /* code, link, referred members */
    if (rc) json_decref(resp);
    if (!rc) loy_cli_print(cli, resp, human_view);
    return rc;
}

int loy_cmd_member_edit(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = one_ref(cli, "edit", err);
    if (!rc) rc = loy_app_member_update(app, cli->pos[0], cli->req, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_edited);
    return rc;
}

int loy_cmd_member_find(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "q", "usage: loyalty member find QUERY");
    json_t *resp = NULL;
    int rc = loy_app_member_find(app, cli->pos[0], 50, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_found);
    return rc;
}

int loy_cmd_member_ledger(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = one_ref(cli, "ledger", err);
    if (!rc) rc = loy_app_member_ledger(app, cli->pos[0], 0, 1000, &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_ledger);
    return rc;
}

const loy_flag loy_member_flags[] = {
    {"name", "name", F_STR, "full name, any script"},
    {"phone", "phone", F_STR, "phone number"},
    {"email", "email", F_STR, "email address"},
    {"birthday", "birthday", F_STR, "MM-DD or YYYY-MM-DD"},
    {"locale", "locale", F_STR, "en, ms, hu or bn"},
    {"tag", "tags", F_TAGS, "a tag (repeatable)"},
    {"notes", "notes", F_STR, "notes for staff"},
    {"location", "location", F_STR, "location code where they joined"},
    {"consent-email", "email", F_CONSENT, "agrees to marketing email"},
    {"consent-sms", "sms", F_CONSENT, "agrees to marketing SMS"},
    {"referred-by", "referred_by", F_INT, "id of the member who referred them"},
    {"referral-code", "referral_code", F_STR, "the referral code they joined with (add only)"},
    {"timezone", "timezone", F_STR,
     "their IANA time zone, e.g. Pacific/Honolulu (\"\" = the shop's)"},
    {NULL, NULL, F_STR, NULL}};

int loy_cmd_member_rotate_card(loy_cli *cli, loy_app *app, loy_err *err)
{
    json_t *resp = NULL;
    int rc = one_ref(cli, "rotate-card", err);
    if (!rc) rc = loy_app_member_rotate_card(app, cli->pos[0], &resp, err);
    if (!rc) loy_cli_print(cli, resp, human_edited);
    return rc;
}

int loy_cmd_cards_print(loy_cli *cli, loy_app *app, loy_err *err)
{
    char *html = NULL;
    int rc = loy_app_cards_sheet(app, &html, err);
    if (rc) return rc;
    const char *to = json_string_value(json_object_get(cli->req, "out"));
    FILE *f = to ? fopen(to, "w") : stdout;
    if (!f) {
        free(html);
        return loy_err_set(err, LOY_EINVALID, "out", "cannot write %s", to);
    }
    fputs(html, f);
    if (to) {
        fclose(f);
        fprintf(stderr, "loyalty: wrote %s (print it, cut along the dashed lines)\n", to);
    }
    free(html);
    return 0;
}
