/* `loyalty demo generate` (alias `loyalty demo`): seeded, realistic demo data from the
 * simulator in analytics/gen.c, either through the real use cases (points, stamps, tiers,
 * refunds, redemptions) or, with --history-only, straight into the tables as purchase history
 * before the programme (fast enough for 1M members and 10M purchases; no ledger). */
#include "cli/cli_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analytics/gen.h"
#include "analytics/sample.h"
#include "app/campaigns.h"
#include "app/feedback.h"
#include "core/money.h"
#include "store/store_bulk.h"
#include "util/fold.h"
#include "util/rand.h"

#define USECASE_MAX_MEMBERS 100000
#define CHUNK_ROWS          50000 /* rows per transaction in --history-only mode */

typedef struct {
    int64_t members, purchases, redemptions, refunds, revenue, survey_answers;
} totals;

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress(const totals *t, int64_t of, const struct timespec *t0)
{
    fprintf(stderr, "\r\033[Kgenerating: %lld of %lld members, %lld purchases, %.0f s",
            (long long)t->members, (long long)of, (long long)t->purchases, elapsed(t0));
}

/* ---- parameters ---- */

static int int_param(const loy_cli *cli, const char *key, int64_t def, int64_t *out, loy_err *err)
{
    const json_t *v = json_object_get(cli->req, key);
    *out = def;
    if (!v) return 0;
    if (!json_is_integer(v))
        return loy_err_set(err, LOY_EINVALID, key, "--%s: expected an integer", key);
    *out = json_integer_value(v);
    return 0;
}

/* A number given as text (a flag) or as a JSON number (a request on stdin). */
static int num_param(const loy_cli *cli, const char *key, double def, double *out, loy_err *err)
{
    const json_t *v = json_object_get(cli->req, key);
    *out = def;
    if (!v) return 0;
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    const char *s = json_string_value(v);
    char *end = NULL;
    if (s && *s) *out = strtod(s, &end);
    if (!s || !*s || *end || !isfinite(*out))
        return loy_err_set(err, LOY_EINVALID, key, "--%s: expected a number, got \"%s\"", key,
                           s ? s : "(not text)");
    return 0;
}

static int read_params(const loy_cli *cli, loy_app *app, loy_gen_params *g, bool *history,
                       loy_err *err)
{
    int64_t months = 12, seed = 7;
    memset(g, 0, sizeof(*g));
    *history = json_is_true(json_object_get(cli->req, "history_only"));
    const json_t *h = json_object_get(cli->req, "history_only");
    if (h && !json_is_boolean(h))
        return loy_err_set(err, LOY_EINVALID, "history-only", "--history-only takes no value");
    int rc = int_param(cli, "members", 120, &g->members, err);
    if (!rc) rc = int_param(cli, "months", 12, &months, err);
    if (!rc) rc = int_param(cli, "seed", 7, &seed, err);
    /* the defaults: a visit about every other week, one in seven dropping out after a visit;
     * about 12.00 a purchase (mean spend p * gamma / (q - 1) = 6 * 6.00 / 3) */
    if (!rc) rc = num_param(cli, "r", 2.0, &g->r, err);
    if (!rc) rc = num_param(cli, "alpha", 4.0, &g->alpha, err);
    if (!rc) rc = num_param(cli, "a", 1.0, &g->a, err);
    if (!rc) rc = num_param(cli, "b", 6.0, &g->b, err);
    if (!rc) rc = num_param(cli, "p", 6.0, &g->p, err);
    if (!rc) rc = num_param(cli, "q", 4.0, &g->q, err);
    if (!rc)
        rc = num_param(cli, "gamma", 6.0 * (double)loy_pow10(app->prog->exponent), &g->gamma, err);
    if (!rc) rc = num_param(cli, "referrals", 0.1, &g->referrals, err);
    if (rc) return rc;
    if (months < 1 || months > LOY_GEN_MAX_MONTHS)
        return loy_err_set(err, LOY_EINVALID, "months", "--months: expected 1..%d, got %lld",
                           LOY_GEN_MAX_MONTHS, (long long)months);
    if (!*history && g->members > USECASE_MAX_MEMBERS)
        return loy_err_set(err, LOY_EINVALID, "members",
                           "--members: at most %d through the use cases, got %lld (use "
                           "--history-only for more)",
                           USECASE_MAX_MEMBERS, (long long)g->members);
    g->end = loy_app_now(app);
    g->start = g->end - months * 30 * 86400;
    g->utc_offset = loy_tz_offset(app->tz, g->end);
    g->seed = (uint64_t)seed;
    g->nlocations = (int)app->prog->nlocations;
    return loy_gen_check(g, err);
}

static const char *location_code(const loy_app *app, int i)
{
    return i >= 0 ? app->prog->locations[i].code : NULL;
}

/* ---- through the use cases ---- */

typedef struct {
    int64_t at, amount;
    int32_t member; /* index */
    int16_t kind;   /* 0 join, 1 purchase */
    int16_t location;
} event;

typedef struct {
    loy_gen_member *members;
    event *ev;
    size_t n, cap;
} collected;

static int collect(void *ctx, const loy_gen_event *e)
{
    collected *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        event *ev = realloc(c->ev, cap * sizeof(*ev));
        if (!ev) return LOY_ENOMEM;
        c->ev = ev;
        c->cap = cap;
    }
    const loy_gen_member *m = e->member;
    if (e->kind == LOY_GEN_MEMBER) {
        c->members[m->index] = *m;
        c->ev[c->n++] = (event){m->joined_at, 0, (int32_t)m->index, 0, (int16_t)m->location};
    } else
        c->ev[c->n++] = (event){e->purchase->at, e->purchase->amount, (int32_t)m->index, 1,
                                (int16_t)e->purchase->location};
    return 0;
}

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    if (x->member != y->member) return x->member < y->member ? -1 : 1;
    return x->kind - y->kind;
}

static int join(loy_app *app, const loy_gen_member *gm, const int64_t *ids, const char *key,
                int64_t *id, loy_err *err)
{
    json_t *resp = NULL;
    json_t *req =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:b}}", "name", gm->name, "phone", gm->phone, "email",
                  gm->email, "locale", gm->locale, "consent", "email", gm->consent_email);
    if (!req) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (gm->bday_month) {
        char bday[8];
        snprintf(bday, sizeof(bday), "%02d-%02d", gm->bday_month, gm->bday_day);
        json_object_set_new(req, "birthday", json_string(bday));
    }
    if (gm->location >= 0)
        json_object_set_new(req, "location", json_string(location_code(app, gm->location)));
    if (gm->referred_by && ids[gm->referred_by - 1])
        json_object_set_new(req, "referred_by", json_integer(ids[gm->referred_by - 1]));
    int rc = loy_app_write(app, LOY_OP_MEMBER_CREATE, key, req, &resp, NULL, err);
    if (!rc) *id = json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
    json_decref(req);
    json_decref(resp);
    return rc;
}

static json_t *purchase_request(const loy_app *app, int64_t member, const event *e)
{
    int64_t coffees, coffee_amount, pastry_amount;
    loy_gen_basket(e->amount, loy_pow10(app->prog->exponent), &coffees, &coffee_amount,
                   &pastry_amount);
    json_t *req =
        json_pack("{s:I, s:I, s:[{s:s, s:s, s:I, s:I}]}", "member", (json_int_t)member, "amount",
                  (json_int_t)e->amount, "items", "sku", "KOPI", "category", "coffee", "qty",
                  (json_int_t)coffees, "amount", (json_int_t)coffee_amount);
    if (req && pastry_amount)
        json_array_append_new(json_object_get(req, "items"),
                              json_pack("{s:s, s:s, s:I, s:I}", "sku", "CROISSANT", "category",
                                        "pastry", "qty", (json_int_t)1, "amount",
                                        (json_int_t)pastry_amount));
    if (req && e->location >= 0)
        json_object_set_new(req, "location", json_string(location_code(app, e->location)));
    return req;
}

/* Refunds some purchases and redeems the first affordable reward now and then. */
static int extras(loy_app *app, loy_rng *r, int64_t seed, size_t i, int64_t member,
                  const json_t *presp, totals *t, loy_err *err)
{
    char key[64];
    int rc = 0;
    const loy_programme *p = app->prog;
    if (loy_rng_unif(r) < 0.02) {
        const json_t *pur = json_object_get(presp, "purchase");
        json_t *rr =
            json_pack("{s:I, s:s}", "purchase_id", json_integer_value(json_object_get(pur, "id")),
                      "reason", "demo: wrong order");
        json_t *rres = NULL;
        snprintf(key, sizeof(key), "demo-%lld-%zu-refund", (long long)seed, i);
        rc = rr ? loy_app_write(app, LOY_OP_REFUND, key, rr, &rres, NULL, err)
                : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        if (!rc) {
            t->refunds++;
            t->revenue -= json_integer_value(json_object_get(pur, "amount"));
        }
        json_decref(rr);
        json_decref(rres);
    }
    for (size_t k = 0; !rc && k < p->nrewards && loy_rng_unif(r) < 0.3; k++) {
        json_t *rq =
            json_pack("{s:I, s:s}", "member", (json_int_t)member, "reward", p->rewards[k].id);
        json_t *rres = NULL;
        snprintf(key, sizeof(key), "demo-%lld-%zu-redeem-%zu", (long long)seed, i, k);
        int r2 = rq ? loy_app_write(app, LOY_OP_REDEEM, key, rq, &rres, NULL, err)
                    : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        if (r2 == 0) {
            t->redemptions++;
            k = p->nrewards;
        } else if (r2 != LOY_EREFUSED)
            rc = r2;
        else
            loy_err_clear(err);
        json_decref(rq);
        json_decref(rres);
    }
    return rc;
}

static int run_use_cases(loy_app *app, const loy_gen_params *g, totals *t, loy_err *err)
{
    collected c = {calloc((size_t)g->members, sizeof(loy_gen_member)), NULL, 0, 0};
    int64_t *ids = calloc((size_t)g->members, sizeof(*ids));
    int rc = c.members && ids ? loy_gen_run(g, collect, &c) : LOY_ENOMEM;
    if (rc == LOY_ENOMEM) loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) qsort(c.ev, c.n, sizeof(*c.ev), cmp_event);
    /* refunds and redemptions draw from their own stream, so the simulated history does not
     * depend on them */
    loy_rng r;
    loy_rng_seed(&r, g->seed ^ 0x5eed5eed5eed5eedULL);
    int64_t seed = (int64_t)g->seed, end = g->end;
    bool tty = isatty(2);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    loy_feedback_demo fb = {.seed = g->seed}; /* survey answers as the clock passes them */
    /* one campaign, sent 30 days before the end: the purchases after it are its conversions */
    loy_campaign_demo cd = {.at = end - g->start > 60 * 86400 ? end - 30 * 86400 : 0,
                            .seed = g->seed};
    for (size_t i = 0; !rc && i < c.n; i++) {
        const event *e = &c.ev[i];
        char key[48];
        snprintf(key, sizeof(key), "demo-%lld-%zu", (long long)seed, i);
        app->now = e->at;
        if ((rc = loy_app_feedback_demo(app, &fb, e->at, err))) break;
        if ((rc = loy_app_campaign_demo(app, &cd, e->at, err))) break;
        if (e->kind == 0) {
            rc = join(app, &c.members[e->member], ids, key, &ids[e->member], err);
            if (!rc) t->members++;
            continue;
        }
        int64_t member = ids[e->member];
        json_t *req = purchase_request(app, member, e), *resp = NULL;
        rc = req ? loy_app_write(app, LOY_OP_PURCHASE, key, req, &resp, NULL, err)
                 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        if (!rc) {
            t->purchases++;
            t->revenue += e->amount;
            rc = extras(app, &r, seed, i, member, resp, t, err);
        }
        json_decref(req);
        json_decref(resp);
        if (tty && i % 1000 == 999) progress(t, g->members, &t0);
    }
    if (tty) fprintf(stderr, "\r\033[K");
    if (!rc) rc = loy_app_feedback_demo(app, &fb, end, err);
    t->survey_answers = fb.answered;
    app->now = end;
    free(c.ev);
    free(c.members);
    free(ids);
    return rc;
}

/* ---- --history-only: straight into the tables ---- */

typedef struct {
    loy_app *app;
    loy_err *err;
    const loy_gen_params *g;
    totals *t;
    int64_t *ids; /* member index -> id */
    int64_t rows;
    const char *tier;
    bool tty;
    struct timespec t0;
} bulk;

static int next_chunk(bulk *b)
{
    int rc = loy_db_commit(&b->app->conn, b->err);
    if (!rc) rc = loy_db_begin(&b->app->conn, true, b->err);
    b->rows = 0;
    if (b->tty) progress(b->t, b->g->members, &b->t0);
    return rc;
}

static int bulk_member(bulk *b, const loy_gen_member *gm)
{
    loy_app *app = b->app;
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    m.merchant_id = app->merchant;
    if (loy_random_token(m.card_token, sizeof(m.card_token), 130))
        return loy_err_set(b->err, LOY_ESTORAGE, "", "random source failed");
    char phone[32];
    if (!loy_phone_normalise(gm->phone, phone, sizeof(phone)))
        return loy_err_set(b->err, LOY_EINVALID, "phone", "bad phone %s", gm->phone);
    m.name = (char *)gm->name;
    m.phone = phone;
    m.email = (char *)gm->email;
    m.location_code = (char *)location_code(app, gm->location);
    snprintf(m.locale, sizeof(m.locale), "%s", gm->locale);
    m.bday_month = gm->bday_month;
    m.bday_day = gm->bday_day;
    m.birthday_set_at = gm->bday_month ? gm->joined_at : 0;
    m.referred_by = gm->referred_by ? b->ids[gm->referred_by - 1] : 0;
    m.joined_at = m.updated_at = gm->joined_at;
    if (gm->consent_email) {
        m.consent_email = true;
        m.consent_email_at = gm->joined_at;
        snprintf(m.consent_email_source, sizeof(m.consent_email_source), "%s", app->actor);
    }
    if (b->tier) {
        snprintf(m.tier, sizeof(m.tier), "%s", b->tier);
        m.tier_since = gm->joined_at;
    }
    m.first_purchase_at = gm->first_purchase_at;
    m.purchases = gm->purchases;
    m.last_activity_at = gm->last_purchase_at;
    return loy_store_bulk_member(&app->conn, &m, &b->ids[gm->index], b->err);
}

static int bulk_purchase(bulk *b, const loy_gen_member *gm, const loy_gen_purchase *gp)
{
    loy_app *app = b->app;
    loy_purchase_row p;
    memset(&p, 0, sizeof(p));
    p.merchant_id = app->merchant;
    p.member_id = b->ids[gm->index];
    if (gp->location >= 0)
        snprintf(p.location, sizeof(p.location), "%s", location_code(app, gp->location));
    p.amount = p.cash = gp->amount;
    snprintf(p.currency, sizeof(p.currency), "%s", app->merchant_row.currency);
    p.occurred_at = gp->at;
    p.recorded_at = b->g->end;
    return loy_store_bulk_purchase(&app->conn, &p, NULL, app->actor, b->err);
}

static int on_bulk(void *ctx, const loy_gen_event *e)
{
    bulk *b = ctx;
    int rc = b->rows >= CHUNK_ROWS ? next_chunk(b) : 0;
    if (!rc && e->kind == LOY_GEN_MEMBER) {
        rc = bulk_member(b, e->member);
        if (!rc) b->t->members++;
    } else if (!rc) {
        rc = bulk_purchase(b, e->member, e->purchase);
        if (!rc) {
            b->t->purchases++;
            b->t->revenue += e->purchase->amount;
        }
    }
    b->rows++;
    return rc;
}

static int run_history(loy_app *app, const loy_gen_params *g, totals *t, loy_err *err)
{
    const loy_programme *prog = app->prog;
    bulk b = {.app = app, .err = err, .g = g, .t = t};
    b.tier = prog->has_tiers && prog->nlevels ? prog->levels[0].id : NULL;
    b.tty = isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &b.t0);
    int64_t existing = 0;
    int rc = loy_store_bulk_session(&app->conn, true, err);
    if (!rc) rc = loy_db_begin(&app->conn, true, err);
    if (!rc) rc = loy_store_bulk_member_count(&app->conn, app->merchant, &existing, err);
    if (!rc && existing)
        rc = loy_err_set(err, LOY_ECONFLICT, "history-only",
                         "--history-only needs a merchant without members, this one has %lld "
                         "(generate into a new database)",
                         (long long)existing);
    if (!rc && !(b.ids = calloc((size_t)g->members, sizeof(*b.ids))))
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_gen_run(g, on_bulk, &b);
    if (rc == LOY_ENOMEM && !err->code) loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn);
    loy_err e2;
    int rc2 = loy_store_bulk_session(&app->conn, false, &e2);
    if (!rc && rc2) {
        *err = e2;
        rc = rc2;
    }
    if (b.tty) fprintf(stderr, "\r\033[K");
    free(b.ids);
    return rc;
}

int loy_cmd_demo(loy_cli *cli, loy_app *app, loy_err *err)
{
    loy_gen_params g;
    bool history = false;
    int rc = read_params(cli, app, &g, &history, err);
    if (rc) return rc;
    totals t = {0};
    rc = history ? run_history(app, &g, &t, err) : run_use_cases(app, &g, &t, err);
    if (rc) return rc;
    char revenue[64];
    loy_money_display(revenue, sizeof(revenue), t.revenue, app->merchant_row.currency);
    json_t *out = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:b, s:I, s:I}", "members", (json_int_t)t.members,
        "purchases", (json_int_t)t.purchases, "redemptions", (json_int_t)t.redemptions, "refunds",
        (json_int_t)t.refunds, "revenue", (json_int_t)t.revenue, "revenue_display", revenue,
        "currency", app->merchant_row.currency, "history_only", history, "seed", (json_int_t)g.seed,
        "survey_answers", (json_int_t)t.survey_answers);
    if (cli->json)
        loy_cli_print(cli, out, NULL);
    else {
        printf("Demo data: %lld members, %lld purchases, %lld redemptions, %lld refunds, %lld "
               "survey answers, revenue %s%s\n",
               (long long)t.members, (long long)t.purchases, (long long)t.redemptions,
               (long long)t.refunds, (long long)t.survey_answers, revenue,
               history ? " (history only: no points)" : "");
        json_decref(out);
    }
    return 0;
}

const loy_flag loy_demo_flags[] = {
    {"members", "members", F_INT,
     "how many members (120; at most 100000, 10000000 with "
     "--history-only)"},
    {"months", "months", F_INT, "months of 30 days of history up to now (12; at most 120)"},
    {"seed", "seed", F_INT, "random seed (7): the same seed gives the same data"},
    {"r", "r", F_STR, "BG/NBD: purchase rates ~ Gamma(shape r, rate alpha) per week (2)"},
    {"alpha", "alpha", F_STR, "BG/NBD alpha (4)"},
    {"a", "a", F_STR, "BG/NBD: drop-out p ~ Beta(a, b) after each repeat purchase (1)"},
    {"b", "b", F_STR, "BG/NBD b (6)"},
    {"p", "p", F_STR, "Gamma-Gamma: each amount ~ Gamma(shape p, rate nu) (6)"},
    {"q", "q", F_STR, "Gamma-Gamma: each member's nu ~ Gamma(shape q, rate gamma) (4)"},
    {"gamma", "gamma", F_STR,
     "Gamma-Gamma gamma, in minor units (600 for 2-decimal currencies: "
     "12.00 a purchase on average)"},
    {"referrals", "referrals", F_STR, "share of members referred by an earlier member (0.1)"},
    {"history-only", "history_only", F_BOOL,
     "bulk-load members and purchase history straight into the tables: no points, ledger or "
     "events (needs a merchant without members)"},
    {NULL, NULL, F_STR, NULL}};
