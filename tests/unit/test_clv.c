/* Unit tests for the customer-lifetime models against the published maximum-likelihood results
 * on CDNOW and the donations data (tests/data/cdnow), plus P(alive), expectations and CLV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/bgbb.h"
#include "analytics/bgnbd.h"
#include "analytics/clv.h"
#include "analytics/gammagamma.h"
#include "analytics/paretonbd.h"
#include "analytics/special.h"

#define MAXROWS 3000

typedef struct {
    size_t n;
    double c[5][MAXROWS]; /* columns after the first (the id) or, for donations, all four */
} table;

/* Reads a CSV with a header line and numeric columns; skip_first drops the id column. */
static void read_csv(table *t, const char *path, int skip_first, int ncols)
{
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s (run from the repository root)", path);
    char line[512];
    t->n = 0;
    if (!fgets(line, sizeof(line), f)) fail_msg("%s is empty", path);
    while (fgets(line, sizeof(line), f) && t->n < MAXROWS) {
        char *p = line, *end;
        if (skip_first) {
            strtod(p, &end);
            if (end == p || *end != ',') continue;
            p = end + 1;
        }
        int k = 0;
        for (; k < ncols; k++) {
            t->c[k][t->n] = strtod(p, &end);
            if (end == p) break;
            p = *end == ',' ? end + 1 : end;
        }
        if (k == ncols) t->n++;
    }
    fclose(f);
}

/* "To the published digits": the estimate rounded to `dec` decimals equals the figure. */
static void expect_published(double got, double published, int dec, const char *what)
{
    double s = pow(10.0, dec);
    double rounded = round(got * s) / s;
    printf("    %-22s published %10.*f  ours %12.6f\n", what, dec, published, got);
    if (!(fabs(rounded - published) < 0.5 / s))
        fail_msg("%s: %.6f rounds to %.*f, published %.*f", what, got, dec, rounded, dec,
                 published);
}

static table cdnow, cdnow_tx, donations;

static int setup(void **state)
{
    (void)state;
    read_csv(&cdnow, "tests/data/cdnow/cdnow_customers_summary.csv", 1, 3);
    read_csv(&cdnow_tx, "tests/data/cdnow/cdnow_customers_summary_with_transactions.csv", 1, 4);
    read_csv(&donations, "tests/data/cdnow/donations.csv", 0, 4);
    return 0;
}

static loy_clvdata cdnow_data(void)
{
    return (loy_clvdata){cdnow.c[0], cdnow.c[1], cdnow.c[2], NULL, cdnow.n};
}

static void fit_bgnbd(loy_bgnbd_fit_result *r)
{
    loy_clvdata d = cdnow_data();
    loy_err err;
    loy_err_clear(&err);
    if (loy_bgnbd_fit(r, &d, NULL, &err) != 0) fail_msg("BG/NBD fit: %s", err.message);
}

static void test_data_files(void **state)
{
    (void)state;
    assert_int_equal(cdnow.n, 2357);
    assert_int_equal(cdnow_tx.n, 2357);
    assert_int_equal(donations.n, 22);
}

static void test_bgnbd_cdnow(void **state)
{
    (void)state;
    loy_bgnbd_fit_result r;
    fit_bgnbd(&r);
    assert_true(r.converged);
    expect_published(r.params.r, 0.243, 3, "BG/NBD r");
    expect_published(r.params.alpha, 4.414, 3, "BG/NBD alpha");
    expect_published(r.params.a, 0.793, 3, "BG/NBD a");
    expect_published(r.params.b, 2.426, 3, "BG/NBD b");
    expect_published(r.loglik, -9582.4, 1, "BG/NBD log-likelihood");
    /* the reported log-likelihood is the model's at the reported parameters */
    loy_clvdata d = cdnow_data();
    double ll;
    assert_int_equal(loy_bgnbd_loglik(&ll, &r.params, &d, NULL), 0);
    assert_true(fabs(ll - r.loglik) < 1e-6);
    /* and no worse than at the published rounded parameters */
    loy_bgnbd_params pub = {0.243, 4.414, 0.793, 2.426};
    double llp;
    assert_int_equal(loy_bgnbd_loglik(&llp, &pub, &d, NULL), 0);
    assert_true(ll >= llp);
}

static void test_bgnbd_expectations(void **state)
{
    (void)state;
    loy_bgnbd_fit_result r;
    fit_bgnbd(&r);
    loy_err err;
    loy_err_clear(&err);
    double e = 0.0;
    assert_int_equal(loy_bgnbd_expected(&e, &r.params, 39.0, 2.0, 30.43, 38.86, &err), 0);
    expect_published(e, 1.226, 3, "E[X(39)|2,30.43,38.86]");
    /* cross-check against eq. (10) evaluated with the general 2F1 */
    const loy_bgnbd_params *p = &r.params;
    double x = 2.0, tx = 30.43, T = 38.86, t = 39.0, f = 0.0;
    double z = t / (p->alpha + T + t);
    assert_int_equal(loy_hyp2f1(&f, p->r + x, p->b + x, p->a + p->b + x - 1.0, z, &err), 0);
    double num = (p->a + p->b + x - 1.0) / (p->a - 1.0) *
                 (1.0 - pow((p->alpha + T) / (p->alpha + T + t), p->r + x) * f);
    double den = 1.0 + p->a / (p->b + x - 1.0) * pow((p->alpha + T) / (p->alpha + tx), p->r + x);
    assert_true(fabs(e - num / den) < 1e-10 * e);
    /* unconditional E[X(t)] against the same 2F1 formula */
    double en = 0.0;
    assert_int_equal(loy_bgnbd_expected_new(&en, p, 39.0, &err), 0);
    assert_int_equal(loy_hyp2f1(&f, p->r, p->b, p->a + p->b - 1.0, 39.0 / (p->alpha + 39.0), &err),
                     0);
    double want =
        (p->a + p->b - 1.0) / (p->a - 1.0) * (1.0 - pow(p->alpha / (p->alpha + 39.0), p->r) * f);
    assert_true(fabs(en - want) < 1e-10 * want);
    /* P(alive): 1 with no repeat purchase, lower for a long silence */
    double pa0, pa1, pa2;
    assert_int_equal(loy_bgnbd_p_alive(&pa0, p, 0.0, 0.0, 38.86, &err), 0);
    assert_int_equal(loy_bgnbd_p_alive(&pa1, p, 2.0, 38.0, 38.86, &err), 0);
    assert_int_equal(loy_bgnbd_p_alive(&pa2, p, 2.0, 5.0, 38.86, &err), 0);
    assert_true(pa0 == 1.0 && pa1 > pa2 && pa2 > 0.0 && pa1 < 1.0);
    /* a = 1 is a removable singularity of eq. (10): the value is continuous through it */
    loy_bgnbd_params q = *p, qm = *p, qp = *p;
    q.a = 1.0;
    qm.a = 1.0 - 1e-7;
    qp.a = 1.0 + 1e-7;
    double v, vm, vp;
    assert_int_equal(loy_bgnbd_expected(&v, &q, 39.0, 2.0, 30.43, 38.86, &err), 0);
    assert_int_equal(loy_bgnbd_expected(&vm, &qm, 39.0, 2.0, 30.43, 38.86, &err), 0);
    assert_int_equal(loy_bgnbd_expected(&vp, &qp, 39.0, 2.0, 30.43, 38.86, &err), 0);
    assert_true(fabs(v - vm) < 1e-6 && fabs(v - vp) < 1e-6 && v > 0.0);
}

/* A fit can run to a, b -> infinity with a / (a + b) = p fixed (the drop-out probability the same
 * for everyone). The expectation must still be computed, and approach its closed-form limit
 * E = (1 - ((1 - z) / (1 - q z))^(r+x)) / p / (1 + p/q ((alpha+T)/(alpha+t_x))^(r+x)),
 * q = 1 - p, z = t / (alpha + T + t): with r 1.733, alpha 3.48, p = 1/6.8, t 52, T 25 that is
 * 3.325513758 for x 5, t_x 20 and 2.296991155 for x 0. */
static void test_bgnbd_degenerate(void **state)
{
    (void)state;
    const double sizes[] = {3e5, 1e6, 1e9};
    for (size_t i = 0; i < 3; i++) {
        loy_bgnbd_params p = {1.733, 3.48, sizes[i], sizes[i] * 5.8};
        loy_err err;
        double v = 0, v0 = 0;
        assert_int_equal(loy_bgnbd_expected(&v, &p, 52, 5, 20, 25, &err), 0);
        assert_int_equal(loy_bgnbd_expected(&v0, &p, 52, 0, 0, 25, &err), 0);
        /* distance to the limit shrinks like 1/a */
        assert_true(fabs(v - 3.325513758) < 10.0 / sizes[i]);
        assert_true(fabs(v0 - 2.296991155) < 10.0 / sizes[i]);
        /* a long history: x 400 */
        assert_int_equal(loy_bgnbd_expected(&v, &p, 52, 400, 24.9, 25, &err), 0);
        assert_true(isfinite(v) && v > 0);
    }
}

/* Degenerate data, where the likelihood's supremum lies at infinity: a log-likelihood is a sum of
 * log-probabilities of discrete counts and cannot be positive, whatever the optimiser does. */
static void test_fits_on_degenerate_data(void **state)
{
    (void)state;
    const double x1[] = {1, 1, 1, 1}, tx1[] = {0.5, 1, 1.5, 2}, T1[] = {3, 3, 3, 3};
    loy_clvdata d = {x1, tx1, T1, NULL, 4};
    loy_bgnbd_fit_result b;
    loy_err err;
    int rc = loy_bgnbd_fit(&b, &d, NULL, &err);
    assert_int_equal(rc, 0);
    assert_true(b.loglik <= 0.0);
    const double x0[] = {0, 0, 0, 0, 0}, tx0[] = {0, 0, 0, 0, 0}, T0[] = {1, 2, 3, 4, 5};
    loy_clvdata z = {x0, tx0, T0, NULL, 5};
    loy_paretonbd_fit_result p;
    rc = loy_paretonbd_fit(&p, &z, NULL, &err);
    assert_int_equal(rc, 0);
    assert_true(p.loglik <= 1e-6); /* 0 up to rounding */
    rc = loy_bgnbd_fit(&b, &z, NULL, &err);
    assert_int_equal(rc, 0);
    assert_true(b.loglik <= 1e-6);
}

static void test_paretonbd_cdnow(void **state)
{
    (void)state;
    loy_clvdata d = cdnow_data();
    loy_paretonbd_fit_result r;
    loy_err err;
    loy_err_clear(&err);
    if (loy_paretonbd_fit(&r, &d, NULL, &err) != 0) fail_msg("Pareto/NBD fit: %s", err.message);
    assert_true(r.converged);
    expect_published(r.params.r, 0.553, 3, "Pareto/NBD r");
    expect_published(r.params.alpha, 10.578, 3, "Pareto/NBD alpha");
    expect_published(r.params.s, 0.606, 3, "Pareto/NBD s");
    /* beta: our maximum is 11.6679 (11.668), published 11.669. The likelihood is flat along
     * beta (moving it by 0.001 changes the log-likelihood by ~1e-7), the published figure stops
     * short of the maximum: an mpmath quadrature of the likelihood (30 digits) gives
     * -9594.973930 at our point and -9594.974010 at the published one. */
    printf("    %-22s published %10.3f  ours %12.6f (within 0.002, see comment)\n",
           "Pareto/NBD beta", 11.669, r.params.beta);
    assert_true(fabs(r.params.beta - 11.669) < 0.002);
    /* -9595.0 as reported for this fit; our value is confirmed by the quadrature below */
    expect_published(r.loglik, -9595.0, 1, "Pareto/NBD log-lik.");
    loy_paretonbd_params pub = {0.553, 10.578, 0.606, 11.669};
    double llp;
    assert_int_equal(loy_paretonbd_loglik(&llp, &pub, &d, &err), 0);
    assert_true(fabs(llp - (-9594.974010)) < 1e-5); /* the mpmath value above */
    assert_true(r.loglik > llp);
}

/* Pareto/NBD likelihood by the integral form, Simpson's rule: an independent check of the
 * 2F1 path, for alpha > beta and alpha < beta. */
static double pnbd_ll_quadrature(const loy_paretonbd_params *p, double x, double tx, double T)
{
    double r = p->r, al = p->alpha, s = p->s, be = p->beta, integ = 0.0;
    const int n = 20000;
    if (T > tx) {
        double h = (T - tx) / n;
        for (int i = 0; i <= n; i++) {
            double u = tx + i * h;
            double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
            integ += w * s * pow(be, s) * pow(be + u, -(s + 1.0)) * pow(al + u, -(r + x));
        }
        integ *= h / 3.0;
    }
    double first = pow(be / (be + T), s) * pow(al + T, -(r + x));
    return lgamma(r + x) - lgamma(r) + r * log(al) + log(first + integ);
}

static void test_paretonbd_likelihood_quadrature(void **state)
{
    (void)state;
    const loy_paretonbd_params ps[3] = {
        {0.553, 10.578, 0.606, 11.669}, {0.8, 30.0, 1.3, 2.0}, {2.0, 0.5, 0.3, 40.0}};
    const double rows[5][3] = {
        {0, 0, 38.86}, {2, 30.43, 38.86}, {7, 10.0, 39.0}, {1, 39.0, 39.0}, {25, 20.5, 52.0}};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 5; j++) {
            double v;
            assert_int_equal(
                loy_paretonbd_loglik_one(&v, &ps[i], rows[j][0], rows[j][1], rows[j][2], NULL), 0);
            double q = pnbd_ll_quadrature(&ps[i], rows[j][0], rows[j][1], rows[j][2]);
            if (!(fabs(v - q) < 1e-9))
                fail_msg("params %d row %d: 2F1 form %.12f, quadrature %.12f", i, j, v, q);
        }
    }
    /* P(alive) and the expectation */
    loy_paretonbd_params p = ps[0];
    double pa, e, e1;
    assert_int_equal(loy_paretonbd_p_alive(&pa, &p, 2.0, 30.43, 38.86, NULL), 0);
    assert_true(pa > 0.0 && pa < 1.0);
    assert_int_equal(loy_paretonbd_expected(&e, &p, 39.0, 2.0, 30.43, 38.86, NULL), 0);
    assert_true(e > 0.5 && e < 3.0);
    p.s = 1.0; /* removable singularity */
    assert_int_equal(loy_paretonbd_expected(&e, &p, 39.0, 2.0, 30.43, 38.86, NULL), 0);
    p.s = 1.0 + 1e-9;
    assert_int_equal(loy_paretonbd_expected(&e1, &p, 39.0, 2.0, 30.43, 38.86, NULL), 0);
    assert_true(fabs(e - e1) < 1e-6);
}

static void test_gammagamma_cdnow(void **state)
{
    (void)state;
    loy_gammagamma_data d = {cdnow_tx.c[0], cdnow_tx.c[3], NULL, cdnow_tx.n};
    loy_gammagamma_fit_result r;
    loy_err err;
    loy_err_clear(&err);
    if (loy_gammagamma_fit(&r, &d, NULL, &err) != 0) fail_msg("Gamma-Gamma: %s", err.message);
    assert_true(r.converged);
    assert_int_equal(r.used, 946);
    printf("    Gamma-Gamma p %.4f q %.4f gamma %.4f (published 6.25 3.74 15.44), LL %.4f\n",
           r.params.p, r.params.q, r.params.gamma, r.loglik);
    assert_true(fabs(r.params.p - 6.25) < 0.01);
    assert_true(fabs(r.params.q - 3.74) < 0.01);
    assert_true(fabs(r.params.gamma - 15.44) < 0.01);
    /* expected spend shrinks zbar towards the population mean p gamma / (q - 1) */
    double mean = r.params.p * r.params.gamma / (r.params.q - 1.0), e, e0;
    assert_int_equal(loy_gammagamma_expected_spend(&e, &r.params, 2.0, 100.0, &err), 0);
    assert_true(e > mean && e < 100.0);
    assert_int_equal(loy_gammagamma_expected_spend(&e0, &r.params, 0.0, 0.0, &err), 0);
    assert_true(fabs(e0 - mean) < 1e-12);
    double want =
        r.params.p * (r.params.gamma + 2.0 * 100.0) / (2.0 * r.params.p + r.params.q - 1.0);
    assert_true(fabs(e - want) < 1e-12);
}

static void test_bgbb_donations(void **state)
{
    (void)state;
    loy_bgbb_data d = {donations.c[0], donations.c[1], donations.c[2], donations.c[3], donations.n};
    loy_bgbb_fit_result r;
    loy_err err;
    loy_err_clear(&err);
    if (loy_bgbb_fit(&r, &d, NULL, &err) != 0) fail_msg("BG/BB: %s", err.message);
    assert_true(r.converged);
    expect_published(r.params.alpha, 1.204, 3, "BG/BB alpha");
    expect_published(r.params.beta, 0.750, 3, "BG/BB beta");
    expect_published(r.params.gamma, 0.657, 3, "BG/BB gamma");
    expect_published(r.params.delta, 2.783, 3, "BG/BB delta");
    printf("    BG/BB log-likelihood %.4f\n", r.loglik);
    /* the likelihood of all possible histories of n periods sums to 1 */
    double total = 0.0;
    const int n = 6;
    total += exp(loy_bgbb_loglik_one(&r.params, 0, 0, n));
    for (int x = 1; x <= n; x++)
        for (int tx = x; tx <= n; tx++) { /* histories with x ones, the last at tx */
            double ways = exp(lgamma(tx) - lgamma(x) - lgamma(tx - x + 1)); /* C(tx-1, x-1) */
            total += ways * exp(loy_bgbb_loglik_one(&r.params, x, tx, n));
        }
    assert_true(fabs(total - 1.0) < 1e-12);
    double pa;
    assert_int_equal(loy_bgbb_p_alive(&pa, &r.params, 6, 6, 6, &err), 0);
    assert_true(pa > 0.5 && pa <= 1.0);
    assert_int_equal(loy_bgbb_p_alive(&pa, &r.params, 7, 6, 6, &err), LOY_EINVALID);
}

static void test_clv(void **state)
{
    (void)state;
    loy_bgnbd_fit_result r;
    fit_bgnbd(&r);
    loy_clv_model m = {.kind = LOY_CLV_BGNBD, .bgnbd = r.params};
    loy_err err;
    loy_err_clear(&err);
    double c0, c1, e;
    /* no discount: telescopes to E[X(52)] * spend */
    assert_int_equal(loy_clv_discounted(&c0, &m, 2.0, 30.43, 38.86, 25.0, 0.0, 52, 1.0, &err), 0);
    assert_int_equal(loy_bgnbd_expected(&e, &r.params, 52.0, 2.0, 30.43, 38.86, &err), 0);
    assert_true(fabs(c0 - 25.0 * e) < 1e-9);
    /* discounting lowers it, and matches the sum written out */
    assert_int_equal(loy_clv_discounted(&c1, &m, 2.0, 30.43, 38.86, 25.0, 0.01, 52, 1.0, &err), 0);
    double want = 0.0, prev = 0.0;
    for (int k = 1; k <= 52; k++) {
        double cur;
        assert_int_equal(loy_bgnbd_expected(&cur, &r.params, k, 2.0, 30.43, 38.86, &err), 0);
        want += (cur - prev) * 25.0 / pow(1.01, k);
        prev = cur;
    }
    assert_true(c1 < c0 && fabs(c1 - want) < 1e-9);
    /* Pareto/NBD model */
    loy_clv_model mp = {.kind = LOY_CLV_PARETONBD, .paretonbd = {0.553, 10.578, 0.606, 11.669}};
    assert_int_equal(loy_clv_discounted(&c1, &mp, 2.0, 30.43, 38.86, 25.0, 0.0, 52, 1.0, &err), 0);
    assert_int_equal(loy_paretonbd_expected(&e, &mp.paretonbd, 52.0, 2.0, 30.43, 38.86, &err), 0);
    assert_true(fabs(c1 - 25.0 * e) < 1e-9);
    /* simple CLV */
    double s;
    assert_int_equal(loy_clv_simple(&s, 40.0, 3.0, 2.5, &err), 0);
    assert_true(s == 300.0);
    /* errors */
    assert_int_equal(loy_clv_simple(&s, -1.0, 3.0, 2.5, &err), LOY_EINVALID);
    assert_string_equal(err.field, "avg_value");
    assert_int_equal(loy_clv_discounted(&c1, &m, 2.0, 30.43, 38.86, 25.0, -1.0, 52, 1.0, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "discount");
    assert_int_equal(loy_clv_discounted(&c1, &m, 2.0, 40.0, 38.86, 25.0, 0.0, 52, 1.0, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "t_x");
    loy_clv_model bad = {0};
    assert_int_equal(loy_clv_discounted(&c1, &bad, 2.0, 3.0, 38.86, 25.0, 0.0, 52, 1.0, &err),
                     LOY_EINVALID);
}

static void test_invalid_inputs(void **state)
{
    (void)state;
    loy_err err;
    loy_err_clear(&err);
    double x[2] = {1, 2}, tx[2] = {5, 50}, T[2] = {10, 40};
    loy_clvdata d = {x, tx, T, NULL, 2};
    loy_bgnbd_fit_result r;
    assert_int_equal(loy_bgnbd_fit(&r, &d, NULL, &err), LOY_EINVALID);
    assert_string_equal(err.field, "rows[1]");
    x[1] = 1.5;
    tx[1] = 5;
    assert_int_equal(loy_bgnbd_fit(&r, &d, NULL, &err), LOY_EINVALID);
    loy_bgnbd_params p = {0.2, -1.0, 1.0, 1.0};
    double v;
    assert_int_equal(loy_bgnbd_p_alive(&v, &p, 1, 1, 2, &err), LOY_EINVALID);
    assert_string_equal(err.field, "alpha");
    loy_paretonbd_fit_result pr;
    d.n = 0;
    assert_int_equal(loy_paretonbd_fit(&pr, &d, NULL, &err), LOY_EINVALID);
    double gx[1] = {0}, gz[1] = {0};
    loy_gammagamma_data gd = {gx, gz, NULL, 1};
    loy_gammagamma_fit_result gr;
    assert_int_equal(loy_gammagamma_fit(&gr, &gd, NULL, &err), LOY_EINVALID);
    loy_gammagamma_params gp = {6.25, 0.9, 15.44};
    assert_int_equal(loy_gammagamma_expected_spend(&v, &gp, 1, 10, &err), LOY_EINVALID);
    assert_string_equal(err.field, "q");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_files),
        cmocka_unit_test(test_bgnbd_cdnow),
        cmocka_unit_test(test_bgnbd_expectations),
        cmocka_unit_test(test_bgnbd_degenerate),
        cmocka_unit_test(test_fits_on_degenerate_data),
        cmocka_unit_test(test_paretonbd_cdnow),
        cmocka_unit_test(test_paretonbd_likelihood_quadrature),
        cmocka_unit_test(test_gammagamma_cdnow),
        cmocka_unit_test(test_bgbb_donations),
        cmocka_unit_test(test_clv),
        cmocka_unit_test(test_invalid_inputs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
