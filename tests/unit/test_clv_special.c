/* Unit tests for analytics/special (log-gamma, log-beta, log-sum-exp, 2F1) and analytics/optim
 * (Nelder-Mead with restarts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>

#include "analytics/optim.h"
#include "analytics/special.h"

static void expect_rel(double got, double want, double tol, const char *what)
{
    double d = fabs(got - want) / fmax(fabs(want), 1e-300);
    if (!(d <= tol))
        fail_msg("%s: got %.17g, want %.17g (rel. error %.3g > %.3g)", what, got, want, d, tol);
}

static double f21(double a, double b, double c, double z)
{
    double v = NAN;
    loy_err err;
    loy_err_clear(&err);
    if (loy_hyp2f1(&v, a, b, c, z, &err) != 0)
        fail_msg("2F1(%g,%g;%g;%g): %s", a, b, c, z, err.message);
    return v;
}

static void test_lgamma_lbeta(void **state)
{
    (void)state;
    expect_rel(loy_lgamma(5.0), log(24.0), 1e-15, "lgamma(5)");
    expect_rel(loy_lgamma(0.5), 0.5 * log(M_PI), 1e-15, "lgamma(1/2)");
    expect_rel(loy_lbeta(2.0, 3.0), log(1.0 / 12.0), 1e-14, "lbeta(2,3)");
    expect_rel(loy_lbeta(0.5, 0.5), log(M_PI), 1e-14, "lbeta(1/2,1/2)");
    /* large arguments: no overflow */
    double lb = loy_lbeta(1e6, 1e6);
    assert_true(isfinite(lb) && lb < -1e6);
}

static void test_logsumexp(void **state)
{
    (void)state;
    const double v[3] = {1000.0, 1000.0, -INFINITY};
    expect_rel(loy_logsumexp(v, 3), 1000.0 + log(2.0), 1e-15, "lse big");
    const double w[2] = {-1000.0, -1001.0};
    expect_rel(loy_logsumexp(w, 2), -1000.0 + log1p(exp(-1.0)), 1e-15, "lse small");
    assert_true(loy_logsumexp(v, 0) == -INFINITY);
    expect_rel(loy_logaddexp(710.0, 710.0), 710.0 + log(2.0), 1e-15, "logaddexp");
    assert_true(loy_logaddexp(-INFINITY, 3.0) == 3.0);
    const double n[2] = {1.0, NAN};
    assert_true(isnan(loy_logsumexp(n, 2)));
}

static void test_hyp2f1_closed_forms(void **state)
{
    (void)state;
    /* 2F1(1,1;2;z) = -ln(1-z)/z: c-a-b = 0 is the degenerate (integer) case above z = 0.5 */
    const double zs[] = {-1e4, -50.0, -3.0, -1.0, -0.7, -0.2,    0.1,
                         0.3,  0.5,   0.6,  0.9,  0.99, 0.999999};
    for (size_t i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
        double z = zs[i];
        expect_rel(f21(1, 1, 2, z), -log1p(-z) / z, 1e-9, "2F1(1,1;2;z)");
    }
    /* 2F1(a,b;b;z) = (1-z)^-a */
    expect_rel(f21(2.5, 1.3, 1.3, 0.95), pow(0.05, -2.5), 1e-10, "(1-z)^-a");
    expect_rel(f21(2.5, 1.3, 1.3, -9.0), pow(10.0, -2.5), 1e-10, "(1-z)^-a, z<-1");
    /* 2F1(1/2,1/2;3/2;z^2) = asin(z)/z, c-a-b = 1/2 */
    const double ys[] = {0.2, 0.7, 0.9, 0.999};
    for (size_t i = 0; i < 4; i++)
        expect_rel(f21(0.5, 0.5, 1.5, ys[i] * ys[i]), asin(ys[i]) / ys[i], 1e-12, "asin");
    /* 2F1(1/2,1;3/2;-z^2) = atan(z)/z */
    const double us[] = {0.5, 2.0, 30.0};
    for (size_t i = 0; i < 3; i++)
        expect_rel(f21(0.5, 1.0, 1.5, -us[i] * us[i]), atan(us[i]) / us[i], 1e-11, "atan");
    /* Gauss at z = 1 */
    expect_rel(f21(0.3, 0.4, 2.0, 1.0), exp(lgamma(2.0) + lgamma(1.3) - lgamma(1.7) - lgamma(1.6)),
               1e-13, "Gauss z=1");
    /* terminating polynomial: 2F1(-2,b;c;z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)) */
    expect_rel(f21(-2.0, 3.0, 4.0, 0.8), 1.0 - 2.0 * 3.0 * 0.8 / 4.0 + 3.0 * 4.0 * 0.64 / 20.0,
               1e-13, "polynomial");
    /* reference values from mpmath 1.3.0 (mp.hyp2f1, 30 digits) */
    static const double ref[][5] = {
        {1.2, 0.8, 2.0002, 0.7, 1.6861407402384491}, /* c-a-b within 1e-3 of an integer */
        {0.85, 3.2, 1.7, 0.93, 224.60242089358301},
        {0.85, 3.2, 1.7, -25.0, 0.02637565248587886},
        {2.3, -1.7, 0.6, 0.8, -0.44505109388923057},
        {1.553, 1.606, 4.159, 0.9999, 3.700864349286557},
        {3.1, 2.4, 1.5, 0.75, 438.60077274326458},
    };
    for (size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++)
        expect_rel(f21(ref[i][0], ref[i][1], ref[i][2], ref[i][3]), ref[i][4], 1e-9, "mpmath");
}

static void test_hyp2f1_log_scale(void **state)
{
    (void)state;
    /* (1-z)^-a with a = 2000 overflows a double; the log does not */
    double l = 0.0;
    int s = 0;
    assert_int_equal(loy_hyp2f1_log(&l, &s, 2000.0, 1.5, 1.5, 0.5, NULL), 0);
    assert_int_equal(s, 1);
    expect_rel(l, 2000.0 * log(2.0), 1e-13, "log 2F1 large a");
    assert_int_equal(loy_hyp2f1_log(&l, &s, 1000.7, 0.6, 1001.7, 0.999, NULL), 0);
    assert_true(isfinite(l));
    /* large parameters near z = 1, the Pareto/NBD shape (a, b; a+1; z); mpmath reference */
    expect_rel(f21(1000.0, 0.5, 1001.0, 0.99), 9.5651060581970479, 1e-9, "large a near 1");
}

static void test_hyp2f1_errors(void **state)
{
    (void)state;
    double v;
    loy_err err;
    loy_err_clear(&err);
    assert_int_equal(loy_hyp2f1(&v, 1, 1, 2, 1.5, &err), LOY_EINVALID);
    assert_string_equal(err.field, "z");
    assert_int_equal(loy_hyp2f1(&v, 1, 1, -3.0, 0.2, &err), LOY_EINVALID);
    assert_int_equal(loy_hyp2f1(&v, 1, 1, 2, 1.0, &err), LOY_EINVALID); /* diverges */
    assert_int_equal(loy_hyp2f1(&v, NAN, 1, 2, 0.2, &err), LOY_EINVALID);
}

/* ---- optimiser ---- */

static double rosenbrock(const double *x, void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    return 100.0 * pow(x[1] - x[0] * x[0], 2) + pow(1.0 - x[0], 2);
}

static double quad4(const double *x, void *ctx)
{
    (void)ctx;
    double s = 0.0;
    for (int i = 0; i < 4; i++) s += (i + 1.0) * pow(x[i] - 0.1 * i, 2);
    return s + 3.0;
}

static double half_plane(const double *x, void *ctx)
{
    (void)ctx;
    if (x[0] <= 0.0) return NAN; /* outside the domain */
    return x[0] - log(x[0]);     /* minimum at 1 */
}

/* digamma against reference values: psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, psi(x+1) =
 * psi(x) + 1/x, and scipy.special.digamma (Cephes) for the others. */
static void test_digamma(void **state)
{
    (void)state;
    const double euler = 0.57721566490153286;
    expect_rel(loy_digamma(1.0), -euler, 1e-14, "psi(1)");
    expect_rel(loy_digamma(0.5), -euler - 2.0 * log(2.0), 1e-14, "psi(1/2)");
    expect_rel(loy_digamma(10.0), 2.251752589066721, 1e-14, "psi(10)");
    expect_rel(loy_digamma(1e-3), -1000.5755719318103, 1e-13, "psi(0.001)");
    expect_rel(loy_digamma(123.456), 4.811829323828985, 1e-14, "psi(123.456)");
    expect_rel(loy_digamma(1e6), 13.81551005796419, 1e-14, "psi(1e6)");
    for (double x = 0.1; x < 50; x *= 1.7)
        expect_rel(loy_digamma(x + 1.0), loy_digamma(x) + 1.0 / x, 1e-13, "recurrence");
}

/* Rosenbrock with its gradient, for BFGS. */
static double rosenbrock_fg(double *g, const double *x, void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
    return a * a + 100.0 * b * b;
}

static void test_optim_bfgs(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0};
    int calls = 0;
    loy_optim_result res;
    assert_int_equal(loy_optim_bfgs(&res, x, 2, rosenbrock_fg, &calls, NULL, NULL), 0);
    assert_true(res.converged);
    assert_true(fabs(x[0] - 1.0) < 1e-6 && fabs(x[1] - 1.0) < 1e-6);
    assert_int_equal((int)res.evals, calls);
    assert_true(res.evals < 200); /* Nelder-Mead needs several hundred */
    /* the central-difference gradient agrees with the analytic one */
    double p[2] = {0.3, -0.7}, g[2], ga[2];
    int c2 = 0;
    rosenbrock_fg(ga, p, &c2);
    assert_int_equal(loy_optim_gradient(g, p, 2, rosenbrock, &c2, 1e-6), 0);
    expect_rel(g[0], ga[0], 1e-6, "d/dx0");
    expect_rel(g[1], ga[1], 1e-6, "d/dx1");
    /* not finite at the start: refused */
    double bad[2] = {NAN, 0};
    loy_err err;
    assert_int_equal(loy_optim_bfgs(&res, bad, 2, rosenbrock_fg, &calls, NULL, &err), LOY_EINVALID);
}

static void test_optim_rosenbrock(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0};
    int calls = 0;
    loy_optim_result res;
    assert_int_equal(loy_optim_nelder_mead(&res, x, 2, rosenbrock, &calls, NULL, NULL), 0);
    assert_true(res.converged);
    assert_true(fabs(x[0] - 1.0) < 1e-5 && fabs(x[1] - 1.0) < 1e-5);
    assert_true(res.fmin < 1e-10);
    assert_int_equal((int)res.evals, calls);
    /* deterministic */
    double y[2] = {-1.2, 1.0};
    loy_optim_result res2;
    assert_int_equal(loy_optim_nelder_mead(&res2, y, 2, rosenbrock, &calls, NULL, NULL), 0);
    assert_true(x[0] == y[0] && x[1] == y[1] && res.evals == res2.evals);
}

static void test_optim_quadratic_and_domain(void **state)
{
    (void)state;
    double x[4] = {5, -5, 5, -5};
    loy_optim_result res;
    assert_int_equal(loy_optim_nelder_mead(&res, x, 4, quad4, NULL, NULL, NULL), 0);
    assert_true(res.converged);
    for (int i = 0; i < 4; i++) assert_true(fabs(x[i] - 0.1 * i) < 1e-5);
    assert_true(fabs(res.fmin - 3.0) < 1e-11);
    double h[1] = {0.2};
    assert_int_equal(loy_optim_nelder_mead(&res, h, 1, half_plane, NULL, NULL, NULL), 0);
    assert_true(res.converged && fabs(h[0] - 1.0) < 1e-5);
}

static void test_optim_budget_and_errors(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0};
    int calls = 0;
    loy_optim_opts o = {.max_evals = 30};
    loy_optim_result res;
    assert_int_equal(loy_optim_nelder_mead(&res, x, 2, rosenbrock, &calls, &o, NULL), 0);
    assert_false(res.converged);
    assert_true(res.evals <= 30 + 2);
    loy_err err;
    loy_err_clear(&err);
    assert_int_equal(loy_optim_nelder_mead(&res, x, 0, rosenbrock, &calls, NULL, &err),
                     LOY_EINVALID);
    double bad[1] = {-1.0};
    assert_int_equal(loy_optim_nelder_mead(&res, bad, 1, half_plane, NULL, NULL, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lgamma_lbeta),
        cmocka_unit_test(test_logsumexp),
        cmocka_unit_test(test_hyp2f1_closed_forms),
        cmocka_unit_test(test_hyp2f1_log_scale),
        cmocka_unit_test(test_hyp2f1_errors),
        cmocka_unit_test(test_digamma),
        cmocka_unit_test(test_optim_bfgs),
        cmocka_unit_test(test_optim_rosenbrock),
        cmocka_unit_test(test_optim_quadratic_and_domain),
        cmocka_unit_test(test_optim_budget_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
