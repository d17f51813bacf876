/* Seeded random numbers for simulation (demo data, tests, benchmarks): xoshiro256** seeded by
 * splitmix64, uniform, normal, gamma and beta variates. Deterministic for a seed; not for
 * secrets (those come from util/rand.h). */
#ifndef LOY_ANALYTICS_SAMPLE_H
#define LOY_ANALYTICS_SAMPLE_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} loy_rng;

void loy_rng_seed(loy_rng *g, uint64_t seed);
uint64_t loy_rng_next(loy_rng *g);
/* Uniform in the open interval (0, 1). */
double loy_rng_unif(loy_rng *g);
/* Standard normal (Box-Muller). */
double loy_rng_normal(loy_rng *g);
/* Gamma(shape k > 0, scale 1): Marsaglia and Tsang, with the U^(1/k) boost for k < 1. */
double loy_rng_gamma(loy_rng *g, double k);
/* Beta(a, b) as X / (X + Y) of two gamma variates. */
double loy_rng_beta(loy_rng *g, double a, double b);

#endif
