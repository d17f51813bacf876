/* Synthetic customer histories: BG/NBD visits, Gamma-Gamma spend, names, referrals (see gen.h). */
#include "analytics/gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analytics/sample.h"

#define DAY  86400
#define WEEK (7.0 * 86400.0)

/* Names by community, as a coffee shop in Kuala Lumpur with Hungarian and Bangladeshi regulars
 * might see them; Chinese and Hungarian names put the family name first. */
typedef struct {
    const char *locale;
    int weight; /* percent */
    int family_first;
    const char *const *given, *const *family;
    size_t ngiven, nfamily;
} community;

static const char *const malay_given[] = {"Siti",     "Ahmad", "Nurul", "Aisyah",
                                          "Muhammad", "Farah", "Hafiz", "Nur Aina"};
static const char *const malay_family[] = {"Abdullah", "Rahman",  "Ismail",
                                           "Hassan",   "Ibrahim", "Yusof"};
static const char *const chinese_given[] = {"Wei Ling", "Mei Hua", "Jun Jie",
                                            "Li Ting",  "Kok Wai", "Hui Min"};
static const char *const chinese_family[] = {"Tan", "Lim", "Wong", "Lee", "Ng", "Chong"};
static const char *const indian_given[] = {"Arjun", "Kavitha", "Priya", "Ravi", "Deepa", "Suresh"};
static const char *const indian_family[] = {"Kumar", "Pillai", "Nair", "Rajan", "Subramaniam"};
static const char *const hungarian_given[] = {"Zoltán", "Éva",    "Gábor", "Orsolya",
                                              "Lajos",  "Zsófia", "Ádám"};
static const char *const hungarian_family[] = {"Kovács", "Nagy",    "Szabó",
                                               "Tóth",   "Horváth", "Varga"};
static const char *const bengali_given[] = {"সুমন", "রহিম", "ফাতেমা", "নুসরাত", "তানভীর"};
static const char *const bengali_family[] = {"হোসেন", "চৌধুরী", "ইসলাম", "আহমেদ", "রহমান"};

#define N(a) (sizeof(a) / sizeof((a)[0]))
static const community communities[] = {
    {"ms", 35, 0, malay_given, malay_family, N(malay_given), N(malay_family)},
    {"en", 25, 1, chinese_given, chinese_family, N(chinese_given), N(chinese_family)},
    {"en", 10, 0, indian_given, indian_family, N(indian_given), N(indian_family)},
    {"hu", 15, 1, hungarian_given, hungarian_family, N(hungarian_given), N(hungarian_family)},
    {"bn", 15, 0, bengali_given, bengali_family, N(bengali_given), N(bengali_family)},
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int positive(const char *field, double v, double max, loy_err *err)
{
    if (v > 0 && v <= max) return 0;
    return loy_err_set(err, LOY_EINVALID, field, "--%s: expected a number above 0 and at most %g",
                       field, max);
}

int loy_gen_check(const loy_gen_params *p, loy_err *err)
{
    if (p->members < 1 || p->members > LOY_GEN_MAX_MEMBERS)
        return loy_err_set(err, LOY_EINVALID, "members", "--members: expected 1..%d, got %lld",
                           LOY_GEN_MAX_MEMBERS, (long long)p->members);
    if (p->end - p->start < 2 * DAY)
        return loy_err_set(err, LOY_EINVALID, "months",
                           "--months: the period must be at least two days");
    int rc = positive("r", p->r, 1000, err);
    if (!rc) rc = positive("alpha", p->alpha, 1e6, err);
    if (!rc) rc = positive("a", p->a, 1000, err);
    if (!rc) rc = positive("b", p->b, 1000, err);
    if (!rc) rc = positive("p", p->p, 1000, err);
    if (!rc) rc = positive("q", p->q, 1000, err);
    if (!rc) rc = positive("gamma", p->gamma, 1e12, err);
    if (!rc && !(p->referrals >= 0 && p->referrals <= 1))
        rc = loy_err_set(err, LOY_EINVALID, "referrals",
                         "--referrals: expected a fraction from 0 to 1");
    return rc;
}

static int64_t spend(loy_rng *g, double shape, double nu)
{
    double z = loy_rng_gamma(g, shape) / nu;
    if (!(z < 1e11)) return 100000000000LL; /* also NaN from a vanishing nu */
    int64_t v = llround(z);
    return v < 1 ? 1 : v;
}

static int location_of(loy_rng *g, const loy_gen_params *p, int home)
{
    if (p->nlocations <= 0) return -1;
    if (home >= 0 && loy_rng_unif(g) < 0.8) return home;
    return (int)(loy_rng_next(g) % (uint64_t)p->nlocations);
}

/* A time in opening hours (08:00-20:00 local) on local day `day`, `frac` (0..1) into them. */
static int64_t opening(const loy_gen_params *p, int64_t day, double frac)
{
    return day * DAY + 8 * 3600 + (int64_t)(frac * 12 * 3600) - p->utc_offset;
}

static void member_details(loy_rng *g, const loy_gen_params *p, int64_t i, loy_gen_member *m)
{
    int pick = (int)(loy_rng_next(g) % 100);
    size_t c = 0;
    while (c + 1 < N(communities) && pick >= communities[c].weight) pick -= communities[c++].weight;
    const community *k = &communities[c];
    const char *given = k->given[loy_rng_next(g) % k->ngiven];
    const char *family = k->family[loy_rng_next(g) % k->nfamily];
    snprintf(m->name, sizeof(m->name), "%s %s", k->family_first ? family : given,
             k->family_first ? given : family);
    m->locale = k->locale;
    /* 7919 is prime to 10^7, so the numbers differ for every index below 10^7 */
    snprintf(m->phone, sizeof(m->phone), "+6012%07lld", (long long)(i * 7919 % 10000000));
    snprintf(m->email, sizeof(m->email), "member%lld@example.com", (long long)(i + 1));
    m->consent_email = loy_rng_unif(g) < 0.6;
    m->bday_month = m->bday_day = 0;
    if (loy_rng_unif(g) < 0.8) {
        m->bday_month = (int)(loy_rng_next(g) % 12) + 1;
        m->bday_day = (int)(loy_rng_next(g) % 28) + 1;
    }
    m->location = location_of(g, p, -1);
    m->referred_by = 0;
    if (i > 0 && loy_rng_unif(g) < p->referrals)
        m->referred_by = 1 + (int64_t)(loy_rng_unif(g) * (double)i);
}

int loy_gen_run(const loy_gen_params *p, loy_gen_fn fn, void *ctx)
{
    loy_gen_purchase *buf = malloc(LOY_GEN_MAX_PURCHASES * sizeof(*buf));
    if (!buf) return LOY_ENOMEM;
    loy_rng g;
    loy_rng_seed(&g, p->seed);
    /* joins spread evenly over the local days after start up to yesterday, in index order */
    int64_t today = floor_div(p->end + p->utc_offset, DAY);
    int64_t d0 = floor_div(p->start + p->utc_offset, DAY) + 1;
    if (d0 > today - 1) d0 = today - 1;
    double ndays = (double)(today - d0), last_ok = (double)(p->end - 600);
    int rc = 0;
    for (int64_t i = 0; !rc && i < p->members; i++) {
        loy_gen_member m = {.index = i};
        double x = (double)d0 + ((double)i + loy_rng_unif(&g)) / (double)p->members * ndays;
        int64_t day = (int64_t)floor(x);
        m.joined_at = opening(p, day, x - (double)day);
        member_details(&g, p, i, &m);
        double lambda = loy_rng_gamma(&g, p->r) / p->alpha; /* per week */
        double drop = loy_rng_beta(&g, p->a, p->b);
        double nu = loy_rng_gamma(&g, p->q) / p->gamma;
        size_t n = 0;
        int64_t at = m.joined_at + 60 + (int64_t)(loy_rng_unif(&g) * 540);
        buf[n++] = (loy_gen_purchase){at, spend(&g, p->p, nu), location_of(&g, p, m.location)};
        double t = (double)at; /* the Poisson clock; visits are moved into opening hours */
        while (n < LOY_GEN_MAX_PURCHASES && lambda > 0) {
            double gap = -log(loy_rng_unif(&g)) / lambda * WEEK;
            if (!(gap < last_ok - t)) break;
            t += gap;
            day = floor_div((int64_t)t + p->utc_offset, DAY);
            at = opening(p, day, loy_rng_unif(&g));
            if (at <= buf[n - 1].at) /* a second visit the same day comes later */
                at = buf[n - 1].at + 60 + (int64_t)(loy_rng_unif(&g) * 1800);
            if ((double)at > last_ok) break; /* never after now */
            buf[n++] = (loy_gen_purchase){at, spend(&g, p->p, nu), location_of(&g, p, m.location)};
            if (loy_rng_unif(&g) < drop) break;
        }
        m.purchases = (int64_t)n;
        m.first_purchase_at = buf[0].at;
        m.last_purchase_at = buf[n - 1].at;
        for (size_t k = 0; k < n; k++) m.spend += buf[k].amount;
        loy_gen_event e = {LOY_GEN_MEMBER, &m, NULL};
        rc = fn(ctx, &e);
        for (size_t k = 0; !rc && k < n; k++) {
            e = (loy_gen_event){LOY_GEN_PURCHASE, &m, &buf[k]};
            rc = fn(ctx, &e);
        }
    }
    free(buf);
    return rc;
}

void loy_gen_basket(int64_t amount, int64_t unit, int64_t *coffees, int64_t *coffee_amount,
                    int64_t *pastry_amount)
{
    /* a coffee costs about 9.50; whatever the coffees leave (if at least 1.00) is a pastry */
    int64_t price = unit * 19 / 2;
    if (price < 1) price = 1;
    int64_t k = amount / (price + unit * 2);
    if (k < 1) k = 1;
    if (k > 20) k = 20;
    int64_t c = k * price;
    if (c > amount || amount - c < unit) c = amount;
    *coffees = k;
    *coffee_amount = c;
    *pastry_amount = amount - c;
}
