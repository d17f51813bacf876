/* Model-fitting time: BG/NBD, Pareto/NBD and Gamma-Gamma maximum-likelihood fits through the
 * library (loy_bgnbd_fit, loy_paretonbd_fit, loy_gammagamma_fit) on the CDNOW summary and on
 * simulated BG/NBD customers. Writes the simulated summary to a CSV so that the numpy/scipy
 * reference (bench/models_ref.py, run by bench/models.sh) fits exactly the same rows. Prints one
 * line per fit:
 *
 *   FIT <case> <model> <seconds> <loglik> <converged> <evals> <rows> <name>=<value> ...
 *
 *   bench_models [--n N] [--cdnow PATH] [--csv PATH] [--seed S]
 *     --n      simulated customers (default 1000000; 0 skips the simulated case)
 *     --cdnow  CDNOW summary CSV (ID,x,t_x,T,zbar; default
 *              tests/data/cdnow/cdnow_customers_summary_with_transactions.csv)
 *     --csv    where the simulated summary goes (default $TMPDIR/loyalty_models_sim.csv)
 *     --seed   simulation seed (default 7, as in tests/unit/test_clv_sim.c)
 *
 * Simulated data: BG/NBD with r 0.243, alpha 4.414, a 0.793, b 2.426 (the CDNOW estimates),
 * customers joining uniformly over the first 12 weeks of a 39-week window, with the join day
 * and the day of the last purchase in WHOLE DAYS (times are integer days / 7, in weeks), so
 * identical rows are common and the library's grouping applies. Spend: Gamma-Gamma with p 6.25,
 * q 3.74, gamma 15.44 (near the CDNOW estimates), zbar rounded to cents. The CSV holds x,
 * t_x in days, T in days and zbar with two decimals; the fits here use the same values
 * (days / 7.0 and cents / 100.0 give the same doubles as parsing the CSV does).
 * Exits 0 after printing, 1 if it cannot run (file missing, fit error). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/bgnbd.h"
#include "analytics/sample.h"
#include "analytics/clvdata.h"
#include "analytics/gammagamma.h"
#include "analytics/paretonbd.h"
#include "util/err.h"

/* Columns of one data set. */
typedef struct {
    double *x, *t_x, *T, *zbar;
    size_t n;
} dataset;

static void dataset_free(dataset *d)
{
    free(d->x);
    free(d->t_x);
    free(d->T);
    free(d->zbar);
    memset(d, 0, sizeof *d);
}

static int dataset_alloc(dataset *d, size_t n)
{
    d->n = n;
    d->x = malloc(n * sizeof(double));
    d->t_x = malloc(n * sizeof(double));
    d->T = malloc(n * sizeof(double));
    d->zbar = malloc(n * sizeof(double));
    return d->x && d->t_x && d->T && d->zbar ? 0 : -1;
}

static int load_cdnow(dataset *d, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_models: cannot open %s\n", path);
        return -1;
    }
    char line[256];
    size_t cap = 4096, n = 0;
    if (dataset_alloc(d, cap) != 0) goto fail;
    if (!fgets(line, sizeof line, f)) goto fail; /* header */
    while (fgets(line, sizeof line, f)) {
        long id;
        double x, tx, T, z;
        if (sscanf(line, "%ld,%lf,%lf,%lf,%lf", &id, &x, &tx, &T, &z) != 5) continue;
        if (n == cap) {
            fprintf(stderr, "bench_models: %s has more than %zu rows\n", path, cap);
            goto fail;
        }
        d->x[n] = x;
        d->t_x[n] = tx;
        d->T[n] = T;
        d->zbar[n] = z;
        n++;
    }
    fclose(f);
    d->n = n;
    return 0;
fail:
    fclose(f);
    dataset_free(d);
    return -1;
}

/* Simulates n customers (see the top of the file) and writes them to csv. */
static int simulate(dataset *d, size_t n, uint64_t seed, const char *csv)
{
    const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
    const double gp = 6.25, gq = 3.74, gg = 15.44;
    if (dataset_alloc(d, n) != 0) return -1;
    FILE *f = fopen(csv, "w");
    if (!f) {
        fprintf(stderr, "bench_models: cannot write %s\n", csv);
        return -1;
    }
    fprintf(f, "x,t_x_days,T_days,zbar\n");
    loy_rng g, gs;
    loy_rng_seed(&g, seed);
    loy_rng_seed(&gs, seed ^ 0x5eedULL); /* spend draws on their own stream */
    for (size_t i = 0; i < n; i++) {
        double joinday = floor(loy_rng_unif(&g) * 84.0);
        double Tdays = 273.0 - joinday, T = Tdays / 7.0;
        double lambda = loy_rng_gamma(&g, r) / alpha;
        double ga = loy_rng_gamma(&g, a), gb = loy_rng_gamma(&g, b), drop = ga / (ga + gb);
        double t = 0.0, last = 0.0;
        int k = 0;
        for (;;) {
            t += -log(loy_rng_unif(&g)) / lambda;
            if (t > T) break;
            k++;
            last = t;
            if (loy_rng_unif(&g) < drop) break;
        }
        double txdays = floor(last * 7.0);
        if (txdays > Tdays) txdays = Tdays;
        double cents = 0.0;
        if (k > 0) {
            double nu = loy_rng_gamma(&gs, gq) / gg;
            double zbar = loy_rng_gamma(&gs, gp * k) / nu / k;
            cents = fmax(1.0, round(zbar * 100.0));
        }
        d->x[i] = k;
        d->t_x[i] = txdays / 7.0;
        d->T[i] = T;
        d->zbar[i] = cents / 100.0;
        fprintf(f, "%d,%.0f,%.0f,%.2f\n", k, txdays, Tdays, cents / 100.0);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "bench_models: error writing %s\n", csv);
        return -1;
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fit_all(const char *name, const dataset *ds)
{
    loy_err err;
    loy_err_clear(&err);
    loy_clvdata d = {ds->x, ds->t_x, ds->T, NULL, ds->n};

    loy_bgnbd_fit_result b;
    double t0 = now();
    if (loy_bgnbd_fit(&b, &d, NULL, &err) != 0) goto fail;
    double t1 = now();
    printf("FIT %s bgnbd %.6f %.10g %d %zu %zu r=%.10g alpha=%.10g a=%.10g b=%.10g\n", name,
           t1 - t0, b.loglik, b.converged, b.evals, b.groups, b.params.r, b.params.alpha,
           b.params.a, b.params.b);
    fflush(stdout);

    loy_paretonbd_fit_result p;
    t0 = now();
    if (loy_paretonbd_fit(&p, &d, NULL, &err) != 0) goto fail;
    t1 = now();
    printf("FIT %s pnbd %.6f %.10g %d %zu %zu r=%.10g alpha=%.10g s=%.10g beta=%.10g\n", name,
           t1 - t0, p.loglik, p.converged, p.evals, p.groups, p.params.r, p.params.alpha,
           p.params.s, p.params.beta);
    fflush(stdout);

    loy_gammagamma_data gd = {ds->x, ds->zbar, NULL, ds->n};
    loy_gammagamma_fit_result g;
    t0 = now();
    if (loy_gammagamma_fit(&g, &gd, NULL, &err) != 0) goto fail;
    t1 = now();
    printf("FIT %s gg %.6f %.10g %d %zu %zu p=%.10g q=%.10g gamma=%.10g\n", name, t1 - t0, g.loglik,
           g.converged, g.evals, g.used, g.params.p, g.params.q, g.params.gamma);
    fflush(stdout);
    return 0;
fail:
    fprintf(stderr, "bench_models: %s: fit failed: %s\n", name, err.message);
    return -1;
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    uint64_t seed = 7;
    const char *cdnow = "tests/data/cdnow/cdnow_customers_summary_with_transactions.csv";
    char csvbuf[1024];
    const char *tmp = getenv("TMPDIR");
    snprintf(csvbuf, sizeof csvbuf, "%s/loyalty_models_sim.csv", tmp && *tmp ? tmp : "/tmp");
    const char *csv = csvbuf;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--n") == 0)
            n = (size_t)strtoull(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--cdnow") == 0)
            cdnow = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--csv") == 0)
            csv = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
            seed = (uint64_t)strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_models [--n N] [--cdnow PATH] [--csv PATH] [--seed S]\n");
            return 2;
        }
    }

    dataset c = {0};
    if (load_cdnow(&c, cdnow) != 0) return 1;
    printf("DATA cdnow %zu %s\n", c.n, cdnow);
    int rc = fit_all("cdnow", &c);
    dataset_free(&c);
    if (rc != 0) return 1;

    if (n > 0) {
        dataset s = {0};
        if (simulate(&s, n, seed, csv) != 0) {
            dataset_free(&s);
            return 1;
        }
        printf("DATA sim %zu %s\n", n, csv);
        fflush(stdout);
        rc = fit_all("sim", &s);
        dataset_free(&s);
        if (rc != 0) return 1;
    }
    return 0;
}
