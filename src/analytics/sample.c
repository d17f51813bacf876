/* Seeded random variates for simulation (see sample.h). */
#include "analytics/sample.h"

#include <math.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void loy_rng_seed(loy_rng *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++) g->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t loy_rng_next(loy_rng *g)
{
    uint64_t *s = g->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double loy_rng_unif(loy_rng *g)
{
    return ((double)(loy_rng_next(g) >> 11) + 0.5) * 0x1.0p-53;
}

double loy_rng_normal(loy_rng *g)
{
    return sqrt(-2.0 * log(loy_rng_unif(g))) * cos(2.0 * 3.14159265358979323846 * loy_rng_unif(g));
}

double loy_rng_gamma(loy_rng *g, double k)
{
    if (k < 1.0) return loy_rng_gamma(g, k + 1.0) * pow(loy_rng_unif(g), 1.0 / k);
    double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z = loy_rng_normal(g), v = 1.0 + c * z;
        if (v <= 0.0) continue;
        v = v * v * v;
        double u = loy_rng_unif(g);
        if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) return d * v;
    }
}

double loy_rng_beta(loy_rng *g, double a, double b)
{
    double x = loy_rng_gamma(g, a), y = loy_rng_gamma(g, b);
    return x / (x + y);
}
