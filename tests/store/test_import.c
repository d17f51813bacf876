/* CSV import (app/import.h) on a real database file: bad rows reported with line and field and
 * skipped, good rows written once, a re-run adds nothing; and the CDNOW sample imported through
 * the purchase use case gives the published calibration summary (x, t_x, T, zbar) per customer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "app/app.h"
#include "app/import.h"
#include "app/models.h"
#include "store/store_import.h"
#include "store/store_model.h"
#include "store_fixture.h"

static const char programme[] =
    "{\"merchant\": {\"name\": \"Import Shop\", \"currency\": \"%s\", \"timezone\": \"UTC\", "
    "\"locale\": \"en\"},"
    " \"points\": {\"earn\": [{\"id\": \"base\", \"points_per_unit\": 1}]}}";

typedef struct {
    char path[512];
    loy_app *app;
} ifx;

typedef struct {
    char text[4096];
    size_t n;
} errbuf;

static void on_error(void *ctx, long line, const loy_err *e)
{
    errbuf *b = ctx;
    b->n += (size_t)snprintf(b->text + b->n, sizeof(b->text) - b->n, "%ld [%s] %s\n", line,
                             e->field, e->message);
}

static ifx *open_fx(const char *currency)
{
    ifx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    sfx_new_target(f->path, sizeof(f->path), "import");
    loy_err err;
    if (loy_app_open(&f->app, f->path, NULL, &err)) fail_msg("open: %s", err.message);
    f->app->now = SFX_NOW;
    char prog[512];
    snprintf(prog, sizeof(prog), programme, currency);
    if (loy_app_init(f->app, prog, strlen(prog), &err)) fail_msg("init: %s", err.message);
    return f;
}

static void close_fx(ifx *f)
{
    loy_app_close(f->app);
    sfx_remove_target(f->path);
    free(f);
}

static loy_import_stats run(ifx *f, loy_import_opts o, const char *data, errbuf *eb)
{
    loy_import_stats st;
    loy_err err;
    memset(eb, 0, sizeof(*eb));
    o.on_error = on_error;
    o.ctx = eb;
    int rc = loy_import_run(f->app, data, strlen(data), &o, &st, &err);
    if (rc) fail_msg("import: %s (%s)", err.message, err.field);
    return st;
}

static int64_t count(ifx *f, const char *sql)
{
    return sfx_q(&f->app->conn, sql);
}

static const char members_csv[] =
    "\xEF\xBB\xBF"
    "External ID,Name,Phone,Email,Tags,Note\r\n"
    "C1,\"Tan, Ah Kow\",+60 12-345 6789,tan@example.com,\"vip;early\",\r\n"
    "C2,\"Siti \"\"Ct\"\" Nur\",,siti@example.com,,\r\n"
    "C3,Lee,,,,\"Two\nLines\"\r\n"
    "C4,,,,,\r\n"
    "C1,Again,,,,\r\n";

static const char purchases_csv[] = "customer,when,spend,reference\n"
                                    "C1,2024-01-05,10.00,\n"
                                    "C2,20240106,5.50,R-2\n"
                                    "C1,2024-13-01,3.00,\n"
                                    "C2,2024-01-07,-4.00,\n"
                                    "ZZ,2024-01-08,1.00,\n"
                                    "\n"
                                    "tan@example.com,2024-01-09T10:00:00Z,2.00,\n"
                                    "C2,2024-01-07,1.005,\n"
                                    "C2,2099-01-01,1.00,\n"
                                    "C1,2024-01-02,1.00,\"R-9\n";

static void test_import_csv(void **state)
{
    (void)state;
    ifx *f = open_fx("MYR");
    errbuf eb;
    loy_import_opts mo = {.kind = LOY_IMPORT_MEMBERS};
    loy_import_stats st = run(f, mo, members_csv, &eb);
    assert_string_equal(eb.text, "6 [name] name: is empty\n"
                                 "7 [external_id] external_id: customer \"C1\" was already "
                                 "imported\n");
    assert_int_equal(st.read, 5);
    assert_int_equal(st.imported, 3);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(count(f, "SELECT count(*) FROM members"), 3);
    assert_int_equal(
        sfx_qt(&f->app->conn, "SELECT count(*) FROM members WHERE name = ?", "Siti \"Ct\" Nur"), 1);
    assert_int_equal(sfx_qt(&f->app->conn, "SELECT count(*) FROM members WHERE name = ?", "Lee"),
                     1);
    assert_int_equal(
        sfx_qt(&f->app->conn, "SELECT count(*) FROM members WHERE tags = ?", "vip,early"), 1);

    const char *const map[] = {"date=when", "amount=spend", NULL};
    loy_import_opts po = {.kind = LOY_IMPORT_PURCHASES, .map = map, .batch = 2};
    st = run(f, po, purchases_csv, &eb);
    assert_string_equal(
        eb.text,
        "4 [date] date: expected YYYY-MM-DD, YYYYMMDD or an ISO 8601 time, got \"2024-13-01\"\n"
        "5 [amount] amount: must not be negative, got \"-4.00\"\n"
        "9 [amount] amount: expected a decimal amount with at most 2 decimals, got \"1.005\"\n"
        "10 [date] date: \"2099-01-01\" is in the future\n"
        "11 [] unbalanced quote: a quoted field is never closed\n"
        "6 [customer] customer: unknown customer \"ZZ\"\n");
    assert_int_equal(st.read, 9);
    assert_int_equal(st.imported, 3);
    assert_int_equal(st.skipped, 6);
    assert_int_equal(count(f, "SELECT count(*) FROM purchases"), 3);
    assert_int_equal(count(f, "SELECT sum(amount) FROM purchases"), 1000 + 550 + 200);
    assert_int_equal(
        sfx_qt(&f->app->conn, "SELECT count(*) FROM purchases WHERE reference = ?", "R-2"), 1);
    /* historical times, in date order */
    assert_int_equal(count(f, "SELECT count(*) FROM purchases p JOIN purchases q ON q.id > p.id "
                              "WHERE q.occurred_at < p.occurred_at"),
                     0);
    assert_true(count(f, "SELECT min(occurred_at) FROM purchases") < SFX_NOW);

    /* the same files again: nothing new */
    st = run(f, po, purchases_csv, &eb);
    assert_int_equal(st.imported, 0);
    assert_int_equal(st.duplicates, 3);
    assert_int_equal(st.skipped, 6);
    st = run(f, mo, members_csv, &eb);
    assert_int_equal(st.imported, 0);
    assert_int_equal(st.duplicates, 3);
    assert_int_equal(count(f, "SELECT count(*) FROM purchases"), 3);
    assert_int_equal(count(f, "SELECT count(*) FROM members"), 3);
    /* two identical rows are two purchases, once */
    static const char twice[] = "customer;date;amount\nC3;2024-02-01;1.00\nC3;2024-02-01;1.00\n";
    loy_import_opts so = {.kind = LOY_IMPORT_PURCHASES, .delimiter = ';'};
    st = run(f, so, twice, &eb);
    assert_int_equal(st.imported, 2);
    st = run(f, so, twice, &eb);
    assert_int_equal(st.imported, 0);
    assert_int_equal(count(f, "SELECT count(*) FROM purchases"), 5);
    /* a layout without the amount column is refused before anything is read */
    loy_import_stats st2;
    loy_err err;
    loy_import_opts bo = {.kind = LOY_IMPORT_PURCHASES};
    assert_int_equal(loy_import_run(f->app, "customer,date\nC1,2024-01-01\n", 27, &bo, &st2, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "amount");
    close_fx(f);
}

/* ---- CDNOW ---- */

#define NSAMPLE 2357

typedef struct {
    int64_t *member_to_sample; /* index: member id */
    size_t cap;
    double x[NSAMPLE + 1], tx[NSAMPLE + 1], T[NSAMPLE + 1], zbar[NSAMPLE + 1];
    int seen[NSAMPLE + 1];
    size_t n;
} summ;

static void on_row(summ *s, const loy_model_summary *r)
{
    assert_true((size_t)r->member < s->cap);
    int64_t id = s->member_to_sample[r->member];
    assert_true(id >= 1 && id <= NSAMPLE);
    s->seen[id]++;
    s->x[id] = (double)r->x;
    s->tx[id] = r->t_x;
    s->T[id] = r->T;
    s->zbar[id] = r->mean_spend / 100.0;
    s->n++;
}

/* got within tol of want (in double precision; cmocka's float check has 7 digits). */
static void near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.6f, expected %.6f +/- %g", got, want, tol);
}

/* A fitted parameter of the model answer. */
static double fitted(const json_t *m, const char *model, const char *name)
{
    const json_t *v = json_object_get(json_object_get(json_object_get(m, "params"), model), name);
    if (!json_is_number(v)) fail_msg("%s.%s: not a number", model, name);
    return json_number_value(v);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_import_cdnow(void **state)
{
    (void)state;
    ifx *f = open_fx("USD");
    size_t len = 0;
    FILE *fp = fopen("tests/data/cdnow/CDNOW_sample.txt", "rb");
    assert_non_null(fp);
    char *data = malloc(300000);
    assert_non_null(data);
    len = fread(data, 1, 299999, fp);
    data[len] = '\0';
    fclose(fp);
    loy_import_opts o = {.kind = LOY_IMPORT_PURCHASES,
                         .whitespace = true,
                         .no_header = true,
                         .columns = "customer,-,date,qty,amount",
                         .create_members = true};
    errbuf eb;
    double t0 = now_s();
    loy_import_stats st = run(f, o, data, &eb);
    double t1 = now_s();
    print_message("CDNOW sample: %zu rows imported in %.1f s\n", st.imported, t1 - t0);
    assert_string_equal(eb.text, "");
    assert_int_equal(st.read, 6919);
    assert_int_equal(st.imported, 6919);
    assert_int_equal(st.members_created, NSAMPLE);
    st = run(f, o, data, &eb);
    assert_int_equal(st.imported, 0);
    assert_int_equal(st.duplicates, 6919);
    assert_int_equal(count(f, "SELECT count(*) FROM purchases") +
                         count(f, "SELECT count(*) FROM import_visits"),
                     6919);
    assert_int_equal(count(f, "SELECT count(*) FROM import_visits"), 8);

    /* master id -> sample id, through the file's first two columns */
    summ *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->cap = NSAMPLE + 64;
    s->member_to_sample = calloc(s->cap, sizeof(int64_t));
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char master[16];
        long sample;
        assert_int_equal(sscanf(line, "%15s %ld", master, &sample), 2);
        int64_t member = 0;
        loy_err err;
        if (loy_store_import_member_get(&f->app->conn, f->app->merchant, master, &member, &err))
            fail_msg("no member for %s: %s", master, err.message);
        assert_true((size_t)member < s->cap);
        s->member_to_sample[member] = sample;
    }
    free(data);
    /* the summary the model fits take: calibration 1997-01-01 .. 1997-09-30 local */
    int64_t start, end;
    assert_true(loy_date_parse("1997-01-01", &start));
    assert_true(loy_date_parse("1997-10-01", &end));
    start = loy_tz_to_utc(f->app->tz, start * LOY_DAY);
    end = loy_tz_to_utc(f->app->tz, end * LOY_DAY);
    loy_model_scope scope = {f->app->merchant, start, end, end, loy_tz_offset(f->app->tz, end), 0};
    loy_model_summary *sum_rows = NULL;
    size_t nrows = 0;
    loy_err err;
    double t2 = now_s();
    assert_int_equal(loy_db_begin(&f->app->conn, false, &err), 0);
    int rc = loy_store_model_summary(&f->app->conn, &scope, &sum_rows, &nrows, &err);
    loy_db_rollback(&f->app->conn);
    if (rc) fail_msg("summary: %s", err.message);
    for (size_t i = 0; i < nrows; i++) on_row(s, &sum_rows[i]);
    free(sum_rows);
    print_message("summary of %zu customers in %.2f s\n", s->n, now_s() - t2);
    assert_int_equal(s->n, NSAMPLE);

    fp = fopen("tests/data/cdnow/cdnow_customers_summary.csv", "r");
    assert_non_null(fp);
    char line[256];
    assert_non_null(fgets(line, sizeof(line), fp));
    int rows = 0;
    while (fgets(line, sizeof(line), fp)) {
        int id;
        double x, tx, T;
        assert_int_equal(sscanf(line, "%d,%lf,%lf,%lf", &id, &x, &tx, &T), 4);
        assert_true(id >= 1 && id <= NSAMPLE);
        assert_int_equal(s->seen[id], 1);
        if (s->x[id] != x || fabs(s->tx[id] - tx) > 0.0051 || fabs(s->T[id] - T) > 0.0051)
            fail_msg("customer %d: got (%g, %.2f, %.2f), expected (%g, %.2f, %.2f)", id, s->x[id],
                     s->tx[id], s->T[id], x, tx, T);
        rows++;
    }
    fclose(fp);
    assert_int_equal(rows, NSAMPLE);
    fp = fopen("tests/data/cdnow/cdnow_customers_summary_with_transactions.csv", "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof(line), fp));
    rows = 0;
    while (fgets(line, sizeof(line), fp)) {
        int id;
        double x, tx, T, z;
        assert_int_equal(sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x, &tx, &T, &z), 5);
        if (fabs(s->zbar[id] - z) > 0.0051)
            fail_msg("customer %d: zbar %.4f, expected %.2f", id, s->zbar[id], z);
        rows++;
    }
    fclose(fp);
    assert_int_equal(rows, NSAMPLE);
    free(s->member_to_sample);
    free(s);

    /* `loyalty model fit` on the imported history gives the published estimates (Fader, Hardie
     * and Lee 2005 for BG/NBD, Fader, Hardie and Lee 2005 "RFM and CLV" for Pareto/NBD and
     * Gamma-Gamma; spend here in cents, so gamma is 100 x the published 15.44) */
    json_t *req = json_pack("{s:s, s:s}", "from", "1997-01-01", "to", "1997-09-30"), *m = NULL;
    if (loy_app_model_fit(f->app, req, &m, &err)) fail_msg("fit: %s", err.message);
    assert_int_equal(json_integer_value(json_object_get(m, "members")), NSAMPLE);
    near(fitted(m, "bgnbd", "r"), 0.243, 0.0005);
    near(fitted(m, "bgnbd", "alpha"), 4.414, 0.0005);
    near(fitted(m, "bgnbd", "a"), 0.793, 0.0005);
    near(fitted(m, "bgnbd", "b"), 2.426, 0.0005);
    near(json_real_value(json_object_get(m, "log_likelihood")), -9582.4, 0.05);
    near(fitted(m, "gammagamma", "p"), 6.25, 0.01);
    near(fitted(m, "gammagamma", "q"), 3.74, 0.01);
    near(fitted(m, "gammagamma", "gamma") / 100.0, 15.44, 0.01);
    json_decref(m);
    json_object_set_new(req, "model", json_string("paretonbd"));
    if (loy_app_model_fit(f->app, req, &m, &err)) fail_msg("fit: %s", err.message);
    near(fitted(m, "paretonbd", "r"), 0.553, 0.0005);
    near(fitted(m, "paretonbd", "alpha"), 10.578, 0.0005);
    near(fitted(m, "paretonbd", "s"), 0.606, 0.0005);
    near(fitted(m, "paretonbd", "beta"), 11.669, 0.0005);
    json_decref(m);
    json_decref(req);
    close_fx(f);
}

/* A repeat buyer whose repeat day spent nothing (an imported visit of amount 0) is left out of
 * Gamma-Gamma, which models positive spend, instead of making the whole spend model fail. */
static void test_zero_spend_repeat(void **state)
{
    (void)state;
    ifx *f = open_fx("USD");
    char csv[4096] = "customer,date,amount\n";
    for (int c = 1; c <= 12; c++) {
        char row[128];
        snprintf(row, sizeof(row), "c%d,2024-01-%02d,%d.00\nc%d,2024-02-%02d,%d.50\n", c, c, 5 + c,
                 c, c, 3 + c % 5);
        strcat(csv, row);
    }
    strcat(csv, "z,2024-01-20,12.00\nz,2024-02-20,0.00\n");
    loy_import_opts o = {.kind = LOY_IMPORT_PURCHASES, .create_members = true};
    errbuf eb;
    loy_import_stats st = run(f, o, csv, &eb);
    assert_string_equal(eb.text, "");
    assert_int_equal(st.imported, 26);
    json_t *req = json_pack("{s:s, s:s}", "from", "2024-01-01", "to", "2024-03-31"), *m = NULL;
    loy_err err;
    if (loy_app_model_fit(f->app, req, &m, &err)) fail_msg("fit: %s", err.message);
    const json_t *gg = json_object_get(json_object_get(m, "params"), "gammagamma");
    assert_true(json_is_object(gg));
    assert_int_equal(json_integer_value(json_object_get(gg, "members")), 12);
    assert_int_equal(json_integer_value(json_object_get(gg, "left_out_no_spend")), 1);
    json_decref(m);
    json_decref(req);
    close_fx(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_import_csv),
                                       cmocka_unit_test(test_import_cdnow),
                                       cmocka_unit_test(test_zero_spend_repeat)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
