/* A/B test statistics of a campaign (docs/campaigns.md): per arm the conversion rate with its 95%
 * Wilson interval, the two-proportion z-test with the pooled standard error, the uplift against
 * the holdout, and the verdict. Pure: no I/O, no allocation, no globals. */
#ifndef LOY_ANALYTICS_ABTEST_H
#define LOY_ANALYTICS_ABTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOY_AB_Z95          1.959963984540054 /* the standard normal's 97.5% quantile */
#define LOY_AB_ALPHA        0.05              /* a difference counts when p < 0.05 */
#define LOY_AB_MIN_MEMBERS  30                /* every arm needs at least 30 members ... */
#define LOY_AB_MIN_EXPECTED 5 /* ... and 5 expected conversions and non-conversions */

/* One arm: how many members it has and how many of them converted (0 <= conversions <= n). */
typedef struct {
    int64_t n, conversions;
} loy_ab_arm;

/* The arm of member `member` in a campaign with this seed: -1 for the holdout, else a variant
 * index in [0, nvariants). Deterministic (the same seed and member always give the same arm, so
 * results can be reproduced) and independent across members: h = mix(seed XOR mix(member)) with
 * the SplitMix64 finaliser; the member is held out when h mod 10000 < 100 x holdout_percent
 * (0..100), else the variant is mix(h) mod nvariants (nvariants >= 1). */
int loy_ab_assign(int64_t seed, int64_t member, int64_t holdout_percent, size_t nvariants);

/* A conversion rate x / n with its Wilson score interval at the normal quantile z (LOY_AB_Z95
 * for 95%): centre (p + z^2/2n) / (1 + z^2/n), half-width z / (1 + z^2/n) * sqrt(p(1-p)/n +
 * z^2/4n^2), clamped to [0, 1]. Unlike p +- z sqrt(p(1-p)/n) it is never empty at 0 or n
 * conversions. n = 0: rate NaN and the interval [0, 1] (nothing is known). */
typedef struct {
    double rate, low, high;
} loy_ab_rate;
loy_ab_rate loy_ab_wilson(int64_t x, int64_t n, double z);

/* Arm a against arm b: diff = rate a - rate b (a fraction; x 100 for percentage points),
 * rel = diff / rate b (NaN when rate b is 0), the two-proportion z statistic with the pooled
 * standard error sqrt(p(1-p)(1/na + 1/nb)), p = (xa + xb) / (na + nb), and its two-sided p-value
 * 2 Phi(-|z|). Either n = 0: everything NaN. Pooled p of 0 or 1 (nobody or everybody converted
 * in both): the rates are equal, z = 0 and p = 1. */
typedef struct {
    double diff, rel, z, p;
} loy_ab_cmp;
loy_ab_cmp loy_ab_compare(loy_ab_arm a, loy_ab_arm b);

/* Whether the arms hold enough data for the normal approximation behind the z-test: every arm
 * has at least LOY_AB_MIN_MEMBERS members, and with the pooled rate p of all of them every arm
 * expects at least LOY_AB_MIN_EXPECTED conversions and non-conversions (n p >= 5 and
 * n (1 - p) >= 5, the rule of thumb of the chi-square test). false for k = 0. */
bool loy_ab_enough(const loy_ab_arm *arms, size_t k);

typedef enum {
    LOY_AB_NO_COMPARISON = 0, /* one variant and no holdout: nothing to test against */
    LOY_AB_NOT_ENOUGH,        /* loy_ab_enough is false for the variants and the holdout */
    LOY_AB_HOLDOUT_AS_GOOD,   /* no variant beats the holdout at p < 0.05 */
    LOY_AB_NO_DIFFERENCE,     /* the best variant does not beat the runner-up at p < 0.05 */
    LOY_AB_WINNER             /* the best variant beats the runner-up (or the holdout) */
} loy_ab_code;

typedef struct {
    loy_ab_code code;
    int best;       /* index of the variant with the highest rate (the first of equals); -1 for
                       LOY_AB_NO_COMPARISON and LOY_AB_NOT_ENOUGH */
    int against;    /* what `best` was last compared with: a variant index (the runner-up), or
                       -1 for the holdout or nothing */
    loy_ab_cmp cmp; /* that comparison (NaN fields when there was none) */
} loy_ab_verdict;

/* The verdict on variants v[0..nv) (1 <= nv <= 63) and the holdout (NULL when there is none),
 * decided in this order:
 *  1. one variant and no holdout: LOY_AB_NO_COMPARISON;
 *  2. not loy_ab_enough over the variants and the holdout: LOY_AB_NOT_ENOUGH;
 *  3. with a holdout, when no variant has a higher rate than the holdout at p < 0.05:
 *     LOY_AB_HOLDOUT_AS_GOOD (cmp: best variant against the holdout);
 *  4. one variant (it beats the holdout by 3): LOY_AB_WINNER against the holdout;
 *  5. the best variant against the runner-up (second-highest rate): LOY_AB_WINNER when
 *     p < 0.05, else LOY_AB_NO_DIFFERENCE. */
void loy_ab_decide(const loy_ab_arm *v, size_t nv, const loy_ab_arm *holdout, loy_ab_verdict *out);

/* The verdict's code as the API spells it: "no_comparison", "not_enough_data",
 * "holdout_as_good", "no_difference", "winner". */
const char *loy_ab_code_name(loy_ab_code c);

#endif
