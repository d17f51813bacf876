/* A/B test statistics: Wilson intervals, the pooled two-proportion z-test, the verdict (see
 * abtest.h and docs/campaigns.md).
 *
 * Worked example 1 (tests/unit/test_abtest.c checks these numbers): variant B converts 200 of
 * 1000 members, variant A 150 of 1000.
 *   rates: pB = 0.20, pA = 0.15; diff = 0.05 (5 percentage points), rel = 0.05 / 0.15 = 0.3333
 *   pooled p = (200 + 150) / 2000 = 0.175
 *   SE = sqrt(0.175 * 0.825 * (1/1000 + 1/1000)) = sqrt(0.144375 * 0.002) = sqrt(0.00028875)
 *      = 0.0169926
 *   z = 0.05 / 0.0169926 = 2.94245;  p = erfc(2.94245 / sqrt 2) = erfc(2.08063) = 0.0032563
 *   Wilson 95% of 200/1000: z^2/n = 0.0038415, centre = (0.2 + 0.0019207) / 1.0038415
 *      = 0.2011480, half-width = 1.959964 / 1.0038415 * sqrt(0.00016 + 0.00000096)
 *      = 1.952464 * 0.0126870 = 0.0247709: [0.176377, 0.225919]
 *   Every arm has n >= 30 and n p = 175, n (1 - p) = 825 >= 5: enough data; p < 0.05: "B wins".
 *
 * Worked example 2: variant A converts 30 of 200, the holdout 20 of 200.
 *   pooled p = 50 / 400 = 0.125; SE = sqrt(0.125 * 0.875 * 0.01) = sqrt(0.00109375) = 0.0330719
 *   z = (0.15 - 0.10) / 0.0330719 = 1.51186; p = erfc(1.51186 / sqrt 2) = 0.13057 >= 0.05
 *   uplift = +5 percentage points, +50% relative, but not significant: "the holdout does as
 *   well" (the message adds nothing that these numbers can show).
 * (python3 -c 'from math import erfc, sqrt; p = 0.175; se = sqrt(p*(1-p)*0.002);
 *  z = 0.05/se; print(z, erfc(z/sqrt(2)))' prints 2.9424494316825 0.0032562696284120633.) */
#include "analytics/abtest.h"

#include <math.h>

#include "analytics/special.h"

/* SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection of 64-bit words whose output
 * bits each depend on every input bit. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

int loy_ab_assign(int64_t seed, int64_t member, int64_t holdout_percent, size_t nvariants)
{
    uint64_t h = mix((uint64_t)seed ^ mix((uint64_t)member));
    if ((int64_t)(h % 10000u) < holdout_percent * 100) return -1;
    return nvariants > 1 ? (int)(mix(h) % (uint64_t)nvariants) : 0;
}

loy_ab_rate loy_ab_wilson(int64_t x, int64_t n, double z)
{
    loy_ab_rate r = {NAN, 0.0, 1.0};
    if (n <= 0) return r;
    double nn = (double)n, p = (double)x / nn, z2 = z * z;
    double d = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / d;
    double half = z / d * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    r.rate = p;
    r.low = fmax(0.0, centre - half);
    r.high = fmin(1.0, centre + half);
    /* at 0 and n conversions the bound equals the rate exactly (rounding aside) */
    if (x == 0) r.low = 0.0;
    if (x == n) r.high = 1.0;
    return r;
}

loy_ab_cmp loy_ab_compare(loy_ab_arm a, loy_ab_arm b)
{
    loy_ab_cmp c = {NAN, NAN, NAN, NAN};
    if (a.n <= 0 || b.n <= 0) return c;
    double pa = (double)a.conversions / (double)a.n, pb = (double)b.conversions / (double)b.n;
    c.diff = pa - pb;
    c.rel = pb > 0.0 ? c.diff / pb : NAN;
    double p = (double)(a.conversions + b.conversions) / (double)(a.n + b.n);
    double se = sqrt(p * (1.0 - p) * (1.0 / (double)a.n + 1.0 / (double)b.n));
    if (!(se > 0.0)) { /* nobody or everybody converted in both arms: equal rates */
        c.z = 0.0;
        c.p = 1.0;
        return c;
    }
    c.z = c.diff / se;
    c.p = 2.0 * loy_norm_cdf(-fabs(c.z));
    return c;
}

bool loy_ab_enough(const loy_ab_arm *arms, size_t k)
{
    if (k == 0) return false;
    int64_t n = 0, x = 0;
    for (size_t i = 0; i < k; i++) {
        if (arms[i].n < LOY_AB_MIN_MEMBERS) return false;
        n += arms[i].n;
        x += arms[i].conversions;
    }
    /* n_i x / n >= 5 in integers: 50 / 60 of 30 expects exactly 5 non-conversions, which
     * 30 * (1 - 50.0 / 60) rounds to 4.999... */
    for (size_t i = 0; i < k; i++)
        if (arms[i].n * x < LOY_AB_MIN_EXPECTED * n ||
            arms[i].n * (n - x) < LOY_AB_MIN_EXPECTED * n)
            return false;
    return true;
}

static double rate(const loy_ab_arm *a)
{
    return a->n > 0 ? (double)a->conversions / (double)a->n : -1.0;
}

void loy_ab_decide(const loy_ab_arm *v, size_t nv, const loy_ab_arm *holdout, loy_ab_verdict *out)
{
    out->code = LOY_AB_NO_COMPARISON;
    out->best = out->against = -1;
    out->cmp = (loy_ab_cmp){NAN, NAN, NAN, NAN};
    if (nv == 0 || (nv == 1 && !holdout)) return;
    /* every arm takes part in the data rule: the variants, then the holdout */
    loy_ab_arm all[64];
    size_t k = 0;
    for (size_t i = 0; i < nv && k < 63; i++) all[k++] = v[i];
    if (holdout) all[k++] = *holdout;
    if (!loy_ab_enough(all, k)) {
        out->code = LOY_AB_NOT_ENOUGH;
        return;
    }
    int best = 0, second = -1;
    for (size_t i = 1; i < nv; i++)
        if (rate(&v[i]) > rate(&v[best])) best = (int)i;
    for (size_t i = 0; i < nv; i++)
        if ((int)i != best && (second < 0 || rate(&v[i]) > rate(&v[second]))) second = (int)i;
    out->best = best;
    if (holdout) {
        bool beaten = false;
        for (size_t i = 0; i < nv; i++) {
            loy_ab_cmp c = loy_ab_compare(v[i], *holdout);
            beaten |= c.diff > 0.0 && c.p < LOY_AB_ALPHA;
        }
        out->cmp = loy_ab_compare(v[best], *holdout);
        if (!beaten) {
            out->code = LOY_AB_HOLDOUT_AS_GOOD;
            return;
        }
        if (nv == 1) {
            out->code = LOY_AB_WINNER;
            return;
        }
    }
    out->against = second;
    out->cmp = loy_ab_compare(v[best], v[second]);
    out->code =
        out->cmp.diff > 0.0 && out->cmp.p < LOY_AB_ALPHA ? LOY_AB_WINNER : LOY_AB_NO_DIFFERENCE;
}

const char *loy_ab_code_name(loy_ab_code c)
{
    switch (c) {
    case LOY_AB_NOT_ENOUGH:
        return "not_enough_data";
    case LOY_AB_HOLDOUT_AS_GOOD:
        return "holdout_as_good";
    case LOY_AB_NO_DIFFERENCE:
        return "no_difference";
    case LOY_AB_WINNER:
        return "winner";
    case LOY_AB_NO_COMPARISON:
    default:
        return "no_comparison";
    }
}
