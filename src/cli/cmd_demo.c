/* `loyalty demo`: loads a year of realistic demo data through the real use cases: members with
 * names in Latin, Hungarian and Bengali script, heterogeneous visit rates, refunds, redemptions. */
#include "cli/cli_int.h"
#include "analytics/sample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double param(const loy_cli *cli, const char *key, double def, loy_err *err, int *rc)
{
    const char *v = json_string_value(json_object_get(cli->req, key));
    if (!v || *rc) return def;
    char *end;
    double d = strtod(v, &end);
    if (*end || !(d > 0 && d < 1000))
        *rc = loy_err_set(err, LOY_EINVALID, key, "--%s: expected a number above 0, got \"%s\"",
                          key, v);
    return d;
}

static const char *const first[] = {"Siti",   "Ahmad",   "Nurul",   "Wei Ling", "Arjun", "Zoltán",
                                    "Éva",    "Gábor",   "Orsolya", "সুমন",      "রহিম",  "ফাতেমা",
                                    "Aisyah", "Kavitha", "Lajos",   "Mei Hua"};
static const char *const last[] = {"Abdullah", "Tan",   "Rahman", "Kovács", "Nagy", "Szabó",
                                   "হোসেন",    "চৌধুরী", "Lim",    "Ismail", "Tóth", "Wong"};
static const char *const locales[] = {"ms", "ms", "ms", "en", "en", "hu", "hu", "hu",
                                      "hu", "bn", "bn", "bn", "ms", "en", "hu", "en"};

typedef struct {
    int64_t at;
    int member; /* index; join when kind == 0 */
    int kind;   /* 0 join, 1 purchase */
} event;

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

int loy_cmd_demo(loy_cli *cli, loy_app *app, loy_err *err)
{
    int64_t members = 120, months = 12, seed = 7;
    json_t *v;
    if ((v = json_object_get(cli->req, "members"))) members = json_integer_value(v);
    if ((v = json_object_get(cli->req, "months"))) months = json_integer_value(v);
    if ((v = json_object_get(cli->req, "seed"))) seed = json_integer_value(v);
    if (members < 1 || members > 100000 || months < 1 || months > 60)
        return loy_err_set(err, LOY_EINVALID, "members",
                           "--members must be 1..100000 and --months 1..60");
    /* the BG/NBD story: each member buys at a Poisson rate lambda ~ Gamma(r, alpha) per week
     * and, after each purchase, drops out for good with probability p ~ Beta(a, b) */
    int prc = 0;
    double g_r = param(cli, "r", 2.0, err, &prc), g_alpha = param(cli, "alpha", 4.0, err, &prc);
    double g_a = param(cli, "a", 1.0, err, &prc), g_b = param(cli, "b", 6.0, err, &prc);
    if (prc) return prc;
    loy_rng r;
    loy_rng_seed(&r, (uint64_t)seed);
    int64_t end = loy_app_now(app), start = end - months * 30 * 86400;
    size_t cap = (size_t)members * 64, n = 0;
    event *ev = malloc(cap * sizeof(*ev));
    if (!ev) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    for (int i = 0; i < members; i++) {
        int64_t join = start + (int64_t)(loy_rng_unif(&r) * (double)(end - start) * 0.8);
        ev[n++] = (event){join, i, 0};
        double rate = loy_rng_gamma(&r, g_r) / g_alpha; /* purchases per week */
        double p_drop = loy_rng_beta(&r, g_a, g_b);
        int64_t t = join + 3600;
        bool alive = true;
        while (alive && n + 1 < cap && rate > 0) {
            t += (int64_t)(-log(1 - loy_rng_unif(&r)) / rate * 7 * 86400) + 1800;
            if (t >= end - 600) break;
            alive = loy_rng_unif(&r) >= p_drop;
            /* shift to opening hours 08:00-20:00 local (UTC+8): 00:00-12:00 UTC */
            int64_t day = t - t % 86400;
            t = day + (int64_t)(loy_rng_unif(&r) * 12 * 3600);
            if (t >= end - 600) break; /* never after "now" */
            ev[n++] = (event){t, i, 1};
        }
    }
    qsort(ev, n, sizeof(*ev), cmp_event);
    int64_t *ids = calloc((size_t)members, sizeof(*ids));
    int rc = ids ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int64_t purchases = 0, joined = 0, redemptions = 0, refunds = 0;
    int64_t exp = app->prog->exponent;
    int64_t unit = exp >= 2 ? 100 : 1;
    const loy_programme *p = app->prog;
    for (size_t i = 0; !rc && i < n; i++) {
        app->now = ev[i].at;
        int m = ev[i].member;
        json_t *req, *resp = NULL;
        char key[48];
        snprintf(key, sizeof(key), "demo-%lld-%zu", (long long)seed, i);
        if (ev[i].kind == 0) {
            char name[128], phone[32], email[96];
            int fi = (int)(loy_rng_next(&r) % (sizeof(first) / sizeof(first[0])));
            int li = (int)(loy_rng_next(&r) % (sizeof(last) / sizeof(last[0])));
            snprintf(name, sizeof(name), "%s %s", first[fi], last[li]);
            snprintf(phone, sizeof(phone), "+6012%07d", m * 7919 % 10000000);
            snprintf(email, sizeof(email), "member%d@example.com", m + 1);
            req =
                json_pack("{s:s, s:s, s:s, s:s, s:{s:b}}", "name", name, "phone", phone, "email",
                          email, "locale", locales[fi], "consent", "email", loy_rng_unif(&r) < 0.6);
            if (loy_rng_unif(&r) < 0.8) {
                char bday[8];
                snprintf(bday, sizeof(bday), "%02d-%02d", (int)(loy_rng_next(&r) % 12) + 1,
                         (int)(loy_rng_next(&r) % 28) + 1);
                json_object_set_new(req, "birthday", json_string(bday));
            }
            if (p->nlocations)
                json_object_set_new(
                    req, "location",
                    json_string(p->locations[loy_rng_next(&r) % p->nlocations].code));
            rc = loy_app_write(app, LOY_OP_MEMBER_CREATE, key, req, &resp, NULL, err);
            if (!rc) {
                ids[m] = json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
                joined++;
            }
        } else {
            if (!ids[m]) continue;
            int coffees = (int)(loy_rng_next(&r) % 3) + 1, pastries = (int)(loy_rng_next(&r) % 2);
            int64_t cprice = 9 * unit + (int64_t)(loy_rng_next(&r) % 4) * unit / 2;
            int64_t pprice = 6 * unit + (int64_t)(loy_rng_next(&r) % 3) * unit;
            int64_t amount = coffees * cprice + pastries * pprice;
            req = json_pack("{s:I, s:I, s:[{s:s, s:s, s:I, s:I}]}", "member", (json_int_t)ids[m],
                            "amount", (json_int_t)amount, "items", "sku", "KOPI", "category",
                            "coffee", "qty", (json_int_t)coffees, "amount",
                            (json_int_t)(coffees * cprice));
            if (pastries)
                json_array_append_new(json_object_get(req, "items"),
                                      json_pack("{s:s, s:s, s:I, s:I}", "sku", "CROISSANT",
                                                "category", "pastry", "qty", (json_int_t)1,
                                                "amount", (json_int_t)pprice));
            if (p->nlocations)
                json_object_set_new(
                    req, "location",
                    json_string(p->locations[loy_rng_next(&r) % p->nlocations].code));
            rc = loy_app_write(app, LOY_OP_PURCHASE, key, req, &resp, NULL, err);
            if (!rc) purchases++;
            if (!rc && loy_rng_unif(&r) < 0.02) { /* an occasional refund */
                json_t *rr = json_pack(
                    "{s:I, s:s}", "purchase_id",
                    json_integer_value(json_object_get(json_object_get(resp, "purchase"), "id")),
                    "reason", "demo: wrong order");
                json_t *rres = NULL;
                snprintf(key, sizeof(key), "demo-%lld-%zu-refund", (long long)seed, i);
                rc = loy_app_write(app, LOY_OP_REFUND, key, rr, &rres, NULL, err);
                if (!rc) refunds++;
                json_decref(rr);
                json_decref(rres);
            }
            /* redeem the first affordable reward now and then */
            for (size_t k = 0; !rc && k < p->nrewards && loy_rng_unif(&r) < 0.3; k++) {
                json_t *rq = json_pack("{s:I, s:s}", "member", (json_int_t)ids[m], "reward",
                                       p->rewards[k].id);
                json_t *rres = NULL;
                snprintf(key, sizeof(key), "demo-%lld-%zu-redeem-%zu", (long long)seed, i, k);
                int r2 = loy_app_write(app, LOY_OP_REDEEM, key, rq, &rres, NULL, err);
                if (r2 == 0) {
                    redemptions++;
                    k = p->nrewards;
                } else if (r2 != LOY_EREFUSED)
                    rc = r2;
                else
                    loy_err_clear(err);
                json_decref(rq);
                json_decref(rres);
            }
        }
        json_decref(req);
        json_decref(resp);
    }
    free(ev);
    free(ids);
    app->now = end;
    if (rc) return rc;
    json_t *out = json_pack("{s:I, s:I, s:I, s:I}", "members", (json_int_t)joined, "purchases",
                            (json_int_t)purchases, "redemptions", (json_int_t)redemptions,
                            "refunds", (json_int_t)refunds);
    if (cli->json)
        loy_cli_print(cli, out, NULL);
    else {
        printf("Demo data: %lld members, %lld purchases, %lld redemptions, %lld refunds\n",
               (long long)joined, (long long)purchases, (long long)redemptions, (long long)refunds);
        json_decref(out);
    }
    return 0;
}

const loy_flag loy_demo_flags[] = {
    {"members", "members", F_INT, "how many members (120)"},
    {"months", "months", F_INT, "months of history (12)"},
    {"seed", "seed", F_INT, "random seed (7)"},
    {"r", "r", F_STR, "BG/NBD: purchase rates ~ Gamma(r, alpha) per week (2)"},
    {"alpha", "alpha", F_STR, "BG/NBD alpha (4)"},
    {"a", "a", F_STR, "BG/NBD: drop-out p ~ Beta(a, b) after each purchase (1)"},
    {"b", "b", F_STR, "BG/NBD b (6)"},
    {NULL, NULL, F_STR, NULL}};
