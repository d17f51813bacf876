/* Simulation tests for the lifetime models: BG/NBD parameter recovery from 20,000 simulated
 * customers, finite results at the edges (x = 0, x = 1000, a + b < 1, T = 0, t_x = T), and the
 * time of a fit on 1,000,000 simulated customers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analytics/bgnbd.h"
#include "analytics/sample.h"
#include "analytics/clv.h"
#include "analytics/paretonbd.h"
#include "analytics/special.h"

/* One BG/NBD customer observed for T: lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b); after each
 * repeat purchase the customer drops out with probability p. With days > 0 times are rounded
 * down to whole days (1/7 week), like transaction dates. */
static void sim_customer(loy_rng *g, const loy_bgnbd_params *p, double T, int days, double *x,
                         double *tx)
{
    double lambda = loy_rng_gamma(g, p->r) / p->alpha;
    double ga = loy_rng_gamma(g, p->a), gb = loy_rng_gamma(g, p->b), drop = ga / (ga + gb);
    double t = 0.0, last = 0.0;
    int n = 0;
    for (;;) {
        t += -log(loy_rng_unif(g)) / lambda;
        if (t > T) break;
        n++;
        last = t;
        if (loy_rng_unif(g) < drop) break;
    }
    *x = n;
    *tx = days ? floor(last * 7.0) / 7.0 : last;
}

static double *simulate(const loy_bgnbd_params *p, size_t n, uint64_t seed, int days)
{
    double *cols = malloc(3 * n * sizeof(double));
    assert_non_null(cols);
    loy_rng g;
    loy_rng_seed(&g, seed);
    for (size_t i = 0; i < n; i++) {
        /* customers join over the first 12 weeks of a 39-week window */
        double join = days ? floor(loy_rng_unif(&g) * 84.0) / 7.0 : loy_rng_unif(&g) * 12.0;
        double T = 39.0 - join;
        cols[2 * n + i] = T;
        sim_customer(&g, p, T, days, &cols[i], &cols[n + i]);
        if (cols[n + i] > T) cols[n + i] = T;
    }
    return cols;
}

static void test_parameter_recovery(void **state)
{
    (void)state;
    const loy_bgnbd_params truth = {0.5, 5.0, 0.7, 2.5};
    const size_t n = 20000;
    double *c = simulate(&truth, n, 20240601, 0);
    loy_clvdata d = {c, c + n, c + 2 * n, NULL, n};
    loy_bgnbd_fit_result r;
    loy_err err;
    loy_err_clear(&err);
    if (loy_bgnbd_fit(&r, &d, NULL, &err) != 0) fail_msg("fit: %s", err.message);
    printf("    recovered r %.4f alpha %.4f a %.4f b %.4f (truth 0.5 5 0.7 2.5), %zu evals\n",
           r.params.r, r.params.alpha, r.params.a, r.params.b, r.evals);
    assert_true(r.converged);
    /* tolerance: about three standard errors at n = 20,000 (r, alpha: 8%, a, b: 20%) */
    assert_true(fabs(r.params.r / truth.r - 1.0) < 0.08);
    assert_true(fabs(r.params.alpha / truth.alpha - 1.0) < 0.08);
    assert_true(fabs(r.params.a / truth.a - 1.0) < 0.20);
    assert_true(fabs(r.params.b / truth.b - 1.0) < 0.20);
    /* the maximum is at least as likely as the truth */
    double lt;
    assert_int_equal(loy_bgnbd_loglik(&lt, &truth, &d, &err), 0);
    assert_true(r.loglik >= lt);
    free(c);
}

static void expect_finite(double v, const char *what)
{
    if (!isfinite(v)) fail_msg("%s is not finite: %g", what, v);
}

static void test_edges_finite(void **state)
{
    (void)state;
    const loy_bgnbd_params ps[4] = {{0.243, 4.414, 0.793, 2.426},
                                    {0.5, 5.0, 0.2, 0.3} /* a + b < 1 */,
                                    {1e-3, 1e3, 1e-3, 1e3},
                                    {50.0, 0.01, 20.0, 0.05}};
    const double rows[7][3] = {
        {0, 0, 38.86}, {1000, 38.0, 38.86}, {0, 0, 0} /* T = 0 */, {3, 20.0, 20.0} /* t_x = T */,
        {1, 0, 0},     {1000, 1000, 1000},  {1, 1e-9, 1e4}};
    loy_err err;
    loy_err_clear(&err);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 7; j++) {
            double x = rows[j][0], tx = rows[j][1], T = rows[j][2], v;
            expect_finite(loy_bgnbd_loglik_one(&ps[i], x, tx, T), "BG/NBD loglik");
            assert_int_equal(loy_bgnbd_p_alive(&v, &ps[i], x, tx, T, &err), 0);
            assert_true(v >= 0.0 && v <= 1.0);
            if (loy_bgnbd_expected(&v, &ps[i], 52.0, x, tx, T, &err) != 0)
                fail_msg("BG/NBD E params %d row %d: %s", i, j, err.message);
            expect_finite(v, "BG/NBD E");
            assert_true(v >= 0.0);
            loy_paretonbd_params q = {ps[i].r, ps[i].alpha, ps[i].a, ps[i].b};
            if (loy_paretonbd_loglik_one(&v, &q, x, tx, T, &err) != 0)
                fail_msg("P/NBD loglik params %d row %d: %s", i, j, err.message);
            expect_finite(v, "Pareto/NBD loglik");
            assert_int_equal(loy_paretonbd_expected(&v, &q, 52.0, x, tx, T, &err), 0);
            expect_finite(v, "Pareto/NBD E");
            loy_clv_model m = {.kind = LOY_CLV_BGNBD, .bgnbd = ps[i]};
            assert_int_equal(loy_clv_discounted(&v, &m, x, tx, T, 30.0, 0.002, 104, 1.0, &err), 0);
            expect_finite(v, "CLV");
        }
    }
    /* x = 1000, active: against eq. (10) with the general log-scaled 2F1 (whose terms pass
     * 1e300 here), and below the no-dropout bound (r+x)/(alpha+T) per week */
    double e, l;
    int sg;
    const loy_bgnbd_params p = ps[0];
    const double x = 1000.0, T = 38.86, t = 52.0, z = t / (p.alpha + T + t);
    assert_int_equal(loy_bgnbd_expected(&e, &p, t, x, T, T, &err), 0);
    assert_int_equal(loy_hyp2f1_log(&l, &sg, p.r + x, p.b + x, p.a + p.b + x - 1.0, z, &err), 0);
    double num = (p.a + p.b + x - 1.0) / (p.a - 1.0) *
                 (1.0 - sg * exp((p.r + x) * log((p.alpha + T) / (p.alpha + T + t)) + l));
    double want = num / (1.0 + p.a / (p.b + x - 1.0));
    if (!(fabs(e - want) < 1e-8 * want)) fail_msg("E x=1000: %.12g vs 2F1 form %.12g", e, want);
    assert_true(e > 500.0 && e < (p.r + x) / (p.alpha + T) * t);
    /* long horizon (z near 1) stays finite and increasing */
    double e1, e2;
    assert_int_equal(loy_bgnbd_expected(&e1, &p, 5200.0, 2, 30.43, 38.86, &err), 0);
    assert_int_equal(loy_bgnbd_expected(&e2, &p, 52000.0, 2, 30.43, 38.86, &err), 0);
    assert_true(isfinite(e2) && e2 > e1 && e1 > 1.226);
    /* a grouped fit on only zero-repeat customers stays finite */
    double x0[3] = {0, 0, 0}, t0[3] = {0, 0, 0}, T0[3] = {10, 20, 0};
    loy_clvdata d = {x0, t0, T0, NULL, 3};
    loy_bgnbd_fit_result r;
    assert_int_equal(loy_bgnbd_fit(&r, &d, NULL, &err), 0);
    expect_finite(r.loglik, "degenerate fit");
}

static void test_million_customers(void **state)
{
    (void)state;
    const loy_bgnbd_params truth = {0.243, 4.414, 0.793, 2.426};
    const size_t n = 1000000;
    double *c = simulate(&truth, n, 7, 1);
    loy_clvdata d = {c, c + n, c + 2 * n, NULL, n};
    loy_bgnbd_fit_result r;
    loy_err err;
    loy_err_clear(&err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = loy_bgnbd_fit(&r, &d, NULL, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (rc != 0) fail_msg("fit: %s", err.message);
    printf("    1,000,000 customers (times in whole days, %zu distinct rows after grouping): "
           "fit in %.3f s, %zu evals, r %.4f alpha %.4f a %.4f b %.4f\n",
           r.groups, secs, r.evals, r.params.r, r.params.alpha, r.params.a, r.params.b);
    assert_true(r.converged);
    expect_finite(r.loglik, "1M loglik");
    assert_true(fabs(r.params.r / truth.r - 1.0) < 0.05);
    assert_true(fabs(r.params.alpha / truth.alpha - 1.0) < 0.05);
    assert_true(fabs(r.params.a / truth.a - 1.0) < 0.1);
    assert_true(fabs(r.params.b / truth.b - 1.0) < 0.1);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_recovery),
        cmocka_unit_test(test_edges_finite),
        cmocka_unit_test(test_million_customers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
