/* Privacy (RELIABILITY.md F1 and F2) through the use cases on a real database file.
 *
 * F1: the export is held against the schema. Every table in sqlite_master must either be in the
 * export or in the commented list of tables that hold no member data
 * (loy_privacy_no_member_data, src/store/store_privacy.c), and a table that has a member_id
 * column or references members (directly or through another such table) must be in the export:
 * a new table is a test failure until someone decides. The member's rows in every table with a
 * member_id column are all in the export.
 *
 * F2: a member with a distinctive name, email, phone and birthday, imported from CSV, edited (the
 * audit keeps before/after), with purchases (one reference names them), a refund, an adjustment,
 * a redemption, a used voucher, a tier change and webhook events and deliveries, is erased. Then
 * (a) no text column of any table contains any of their personal data, (b) neither do the raw
 * bytes of the database file and its WAL, (c) `db verify` holds, (d) the kpis and economics
 * reports are unchanged; the ledger is kept, the old card stops working, the member cannot earn
 * or redeem but their purchases can still be refunded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "app/app.h"
#include "app/feedback.h"
#include "app/import.h"
#include "app/privacy.h"
#include "app/reports.h"
#include "app/webhooks.h"
#include "app_fixture.h"
#include "store/store_privacy.h"
#include "store_fixture.h"

/* 2026-03-02T02:00:00Z = 10:00 in Kuala Lumpur, a Monday */
#define NOW (SFX_NOW + 2 * 3600)

#define NAME     "Quentin Zyxwar-Pemberly"
#define EMAIL1   "quentin.zyx.old@example.org"
#define EMAIL2   "quentin.zyxwar@example.org"
#define PHONE_IN "+60 12-987 6543"
#define PHONE    "+60129876543"
#define BIRTHDAY "1987-03-14"
#define NOTES    "Allergic to hazelnuts; call after six"

/* every form of their personal data that may have been stored */
static const char *const needles[] = {NAME,        "quentin zyxwar-pemberly",
                                      "Zyxwar",    EMAIL1,
                                      EMAIL2,      PHONE,
                                      PHONE_IN,    "129876543",
                                      BIRTHDAY,    NOTES,
                                      "hazelnuts", NULL};

typedef struct {
    char path[512];
    loy_app *app;
    int64_t member, control, purchases[3], voucher;
    char card[40];
} fx;

static json_t *js(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j) fail_msg("bad JSON in the test: %s: %s", je.text, text);
    return j;
}

/* A request lent to a use case (freed at the end of the test). */
static json_t *lent[64];
static size_t nlent;

static json_t *jt(const char *text)
{
    json_t *j = js(text);
    if (nlent < sizeof(lent) / sizeof(lent[0])) lent[nlent++] = j;
    return j;
}

static json_t *write_ok(loy_app *app, loy_op op, const char *req)
{
    return afx_write(app, op, js(req));
}

static void import_csv(loy_app *app, loy_import_kind kind, const char *csv)
{
    loy_import_opts o = {.kind = kind};
    loy_import_stats st;
    loy_err err;
    if (loy_import_run(app, csv, strlen(csv), &o, &st, &err))
        fail_msg("import: %s (%s)", err.message, err.field);
    if (st.skipped) fail_msg("import skipped %zu rows", st.skipped);
}

/* The member of F2 and a control member with data of their own. */
static void build(fx *f, const char *tag)
{
    f->app = afx_open_example(f->path, sizeof(f->path), tag, NOW);
    loy_app *app = f->app;
    loy_err err;
    json_t *r = NULL;
    /* a webhook subscription first, so that the events about them are delivered (attempted) */
    if (loy_app_webhooks_subscribe(
            app,
            jt("{\"url\": \"http://127.0.0.1:9/hook\", \"events\": [\"member.created\", "
               "\"purchase.recorded\", \"purchase.refunded\", \"reward.redeemed\", "
               "\"tier.changed\", \"member.erased\"]}"),
            &r, &err))
        fail_msg("subscribe: %s", err.message);
    json_decref(r);

    /* imported from the shop's old system, where their customer id was their email */
    import_csv(app, LOY_IMPORT_MEMBERS,
               "name,phone,email,birthday,tags,external_id\n" NAME "," PHONE_IN "," EMAIL1
               "," BIRTHDAY ",vip," EMAIL1 "\n");
    import_csv(app, LOY_IMPORT_PURCHASES,
               "customer,date,amount,reference\n" EMAIL1 ",2026-02-10,12.00,R-1001\n" EMAIL1
               ",2026-02-11,0,visit of " NAME "\n");
    loy_member_row m;
    if (loy_app_resolve_member(app, EMAIL1, &m, &err)) fail_msg("resolve: %s", err.message);
    f->member = m.id;
    loy_member_row_free(&m);

    /* a profile update: the audit keeps the fields before and after */
    char ref[32];
    snprintf(ref, sizeof(ref), "%lld", (long long)f->member);
    if (loy_app_member_update(app, ref,
                              jt("{\"email\": \"" EMAIL2 "\", \"notes\": \"" NOTES
                                 "\", \"consent\": {\"email\": true, \"sms\": true}, "
                                 "\"consent_source\": \"console\", \"location\": \"BSR\"}"),
                              &r, &err))
        fail_msg("update: %s (%s)", err.message, err.field);
    snprintf(f->card, sizeof(f->card), "%s",
             json_string_value(json_object_get(json_object_get(r, "member"), "card_token")));
    json_decref(r);

    /* purchases past the gold threshold (RM500), one reference naming them */
    static const char *const amounts[3] = {"25000", "20000", "10000"};
    for (int i = 0; i < 3; i++) {
        char req[400];
        snprintf(req, sizeof(req),
                 "{\"member\": %lld, \"amount\": %s, \"location\": \"BSR\", \"reference\": "
                 "\"%s\", \"items\": [{\"category\": \"coffee\", \"sku\": \"KOPI\", \"qty\": 2, "
                 "\"amount\": 1000}]}",
                 (long long)f->member, amounts[i],
                 i == 1   ? "table 4, " NAME
                 : i == 0 ? "Q. Zyxwar's usual"
                          : "POS-77");
        r = write_ok(app, LOY_OP_PURCHASE, req);
        f->purchases[i] = json_integer_value(json_object_get(json_object_get(r, "purchase"), "id"));
        json_decref(r);
    }
    char req[300];
    snprintf(req, sizeof(req),
             "{\"purchase_id\": %lld, \"amount\": 5000, \"reason\": \"cold coffee\"}",
             (long long)f->purchases[1]);
    json_decref(write_ok(app, LOY_OP_REFUND, req));
    snprintf(req, sizeof(req),
             "{\"member\": %lld, \"account\": \"points\", \"delta\": 600, \"reason\": "
             "\"goodwill gesture\"}",
             (long long)f->member);
    json_decref(write_ok(app, LOY_OP_ADJUST, req));
    snprintf(req, sizeof(req), "{\"member\": %lld, \"reward\": \"rm5-off\"}", (long long)f->member);
    r = write_ok(app, LOY_OP_REDEEM, req);
    char code[64];
    snprintf(code, sizeof(code), "{\"code\": \"%s\"}",
             json_string_value(json_object_get(json_object_get(r, "voucher"), "code")));
    f->voucher = json_integer_value(json_object_get(json_object_get(r, "voucher"), "id"));
    json_decref(r);
    json_decref(write_ok(app, LOY_OP_VOUCHER_USE, code));

    /* somebody else, whose data must stay */
    r = write_ok(app, LOY_OP_MEMBER_CREATE,
                 "{\"name\": \"Control Person\", \"email\": \"control.person@example.org\", "
                 "\"phone\": \"+60 13-111 2222\", \"notes\": \"stays\"}");
    f->control = json_integer_value(json_object_get(json_object_get(r, "member"), "id"));
    json_decref(r);
    snprintf(req, sizeof(req), "{\"member\": %lld, \"amount\": 3000}", (long long)f->control);
    json_decref(write_ok(app, LOY_OP_PURCHASE, req));

    /* their survey answer names them, and so does the note staff wrote on its case */
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    char token[64] = "";
    int64_t case_id = 0;
    assert_int_equal(sqlite3_open_v2(f->path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(h, "SELECT token, id FROM surveys WHERE member_id = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, f->member);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(token, sizeof(token), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    if (!token[0]) fail_msg("the member's purchases invited no survey");
    if (loy_app_survey_answer(
            app, token,
            jt("{\"score\": 2, \"comment\": \"" NAME " here, call me on " PHONE_IN "\"}"), &r,
            &err))
        fail_msg("survey answer: %s (%s)", err.message, err.field);
    json_decref(r);
    r = NULL;
    json_t *cases = NULL;
    if (loy_app_case_list(app, NULL, &cases, &err)) fail_msg("cases: %s", err.message);
    case_id = json_integer_value(
        json_object_get(json_array_get(json_object_get(cases, "cases"), 0), "id"));
    json_decref(cases);
    if (loy_app_case_note(app, case_id, jt("{\"text\": \"Called " NAME " about " NOTES "\"}"), &r,
                          &err))
        fail_msg("case note: %s", err.message);
    json_decref(r);

    /* fan the events out to the subscription (the receiver is down: deliveries with errors) */
    int delivered = 0;
    if (loy_app_webhooks_drain(app, 100, NOW, &delivered, &err)) fail_msg("drain: %s", err.message);
}

static int teardown(void **state)
{
    fx *f = *state;
    for (size_t i = 0; i < nlent; i++) json_decref(lent[i]);
    nlent = 0;
    if (f) {
        loy_app_close(f->app);
        sfx_remove_target(f->path);
        free(f);
    }
    return 0;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    *state = f;
    build(f, "privacy");
    return 0;
}

/* ---- the schema, read with the sqlite3 API ---- */

static sqlite3 *open_ro(const char *path)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    return h;
}

#define MAX_TABLES 96

typedef struct {
    int n;
    char name[MAX_TABLES][64];
    bool member_id[MAX_TABLES]; /* has a member_id column */
    bool related[MAX_TABLES];   /* member_id, or references members or another related table */
} schema;

static int table_index(const schema *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->name[i], name)) return i;
    return -1;
}

static void read_schema(sqlite3 *h, schema *s)
{
    memset(s, 0, sizeof(*s));
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                        "name NOT LIKE 'sqlite_%' ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && s->n < MAX_TABLES)
        snprintf(s->name[s->n++], 64, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    /* references, followed until nothing changes: refunds -> purchases -> members */
    char refs[MAX_TABLES][8][64];
    int nrefs[MAX_TABLES] = {0};
    for (int i = 0; i < s->n; i++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')", s->name[i]);
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            if (!strcmp((const char *)sqlite3_column_text(st, 0), "member_id"))
                s->member_id[i] = true;
        sqlite3_finalize(st);
        snprintf(sql, sizeof(sql), "SELECT \"table\" FROM pragma_foreign_key_list('%s')",
                 s->name[i]);
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW && nrefs[i] < 8)
            snprintf(refs[i][nrefs[i]++], 64, "%s", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        s->related[i] = s->member_id[i] || !strcmp(s->name[i], "members");
    }
    for (bool more = true; more;) {
        more = false;
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < nrefs[i] && !s->related[i]; k++) {
                int j = table_index(s, refs[i][k]);
                if (j >= 0 && s->related[j]) s->related[i] = more = true;
            }
    }
}

static bool no_member_data(const char *table)
{
    for (size_t i = 0; loy_privacy_no_member_data[i]; i++)
        if (!strcmp(loy_privacy_no_member_data[i], table)) return true;
    return false;
}

/* The F1 rule; returns the problems found, one a line ("" when none). */
static void classify(const schema *s, const json_t *tables, char *out, size_t n)
{
    out[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < s->n; i++) {
        const char *t = s->name[i];
        bool exported = json_object_get(tables, t) != NULL, listed = no_member_data(t);
        const char *why = NULL;
        if (s->related[i] && !exported)
            why = "has member data (a member_id column or a reference to members) but is not in "
                  "the export: add it to loy_privacy_tables in src/store/store_privacy.c";
        else if (!exported && !listed)
            why = "is neither in the member export nor in loy_privacy_no_member_data "
                  "(src/store/store_privacy.c): decide whether it holds member data";
        else if (exported && listed)
            why = "is both exported and listed as holding no member data";
        if (why) used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s %s\n", t, why);
    }
}

static json_t *export_of(fx *f, int64_t member)
{
    char ref[32];
    snprintf(ref, sizeof(ref), "%lld", (long long)member);
    json_t *doc = NULL;
    loy_err err;
    if (loy_app_member_export(f->app, ref, &doc, &err)) fail_msg("export: %s", err.message);
    return doc;
}

/* F1: every table is exported or listed; the member's rows are all there. */
static void test_export_covers_the_schema(void **state)
{
    fx *f = *state;
    json_t *doc = export_of(f, f->member);
    json_t *tables = json_object_get(doc, "tables");
    assert_true(json_is_object(tables));
    assert_string_equal(json_string_value(json_object_get(doc, "format")), "loyalty.member-export");
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "member"), "name")),
                        NAME);

    sqlite3 *h = open_ro(f->path);
    schema s;
    read_schema(h, &s);
    assert_true(s.n >= 20);
    assert_true(s.related[table_index(&s, "refunds")]);            /* through purchases */
    assert_true(s.related[table_index(&s, "webhook_deliveries")]); /* through outbox */
    char problems[4096];
    classify(&s, tables, problems, sizeof(problems));
    if (problems[0]) fail_msg("member export vs schema:\n%s", problems);

    /* every row with their member_id is in the export (no filter too narrow) */
    for (int i = 0; i < s.n; i++) {
        if (!s.member_id[i]) continue;
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\" WHERE member_id = %lld", s.name[i],
                 (long long)f->member);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        long long want = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        size_t got = json_array_size(json_object_get(tables, s.name[i]));
        if ((long long)got != want)
            fail_msg("%s: %lld rows of the member, %zu in the export", s.name[i], want, got);
    }
    sqlite3_close(h);

    /* what the fixture made is there, and nothing of the control member */
    static const char *const filled[] = {
        "members", "balances",    "ledger",         "lots",        "purchases",
        "refunds", "vouchers",    "tier_changes",   "outbox",      "webhook_deliveries",
        "audit",   "idempotency", "import_members", "import_rows", "import_visits",
        "surveys", "cases",       "case_notes",     NULL};
    for (size_t i = 0; filled[i]; i++)
        if (!json_array_size(json_object_get(tables, filled[i])))
            fail_msg("the export has no %s rows of the member", filled[i]);
    json_t *p0 = json_array_get(json_object_get(tables, "purchases"), 0);
    assert_true(json_is_array(json_object_get(p0, "lines"))); /* JSON columns embedded */
    char *text = json_dumps(doc, 0);
    assert_non_null(strstr(text, EMAIL2));
    assert_non_null(strstr(text, NOTES));
    assert_null(strstr(text, "control.person@example.org"));
    free(text);
    json_decref(doc);

    /* audited: who exported whom */
    h = open_ro(f->path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT actor, target_id FROM audit WHERE action = "
                                        "'member.export' ORDER BY id DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), f->app->actor);
    assert_int_equal(sqlite3_column_int64(st, 1), f->member);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* The F1 rule catches a new table: one with a member_id column, one referencing purchases, and
 * one with no member column at all must each be decided. */
static void test_a_new_table_fails_the_check(void **state)
{
    fx *f = *state;
    json_t *doc = export_of(f, f->member);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "CREATE TABLE zz_loyalty_cards(member_id INTEGER); "
                                  "CREATE TABLE zz_receipts(purchase_id INTEGER REFERENCES "
                                  "purchases(id), text TEXT); "
                                  "CREATE TABLE zz_misc(x TEXT);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    schema s;
    read_schema(h, &s);
    char problems[4096];
    classify(&s, json_object_get(doc, "tables"), problems, sizeof(problems));
    assert_non_null(strstr(problems, "zz_loyalty_cards has member data"));
    assert_non_null(strstr(problems, "zz_receipts has member data"));
    assert_non_null(strstr(problems, "zz_misc is neither"));
    assert_int_equal(sqlite3_exec(h,
                                  "DROP TABLE zz_loyalty_cards; DROP TABLE zz_receipts; "
                                  "DROP TABLE zz_misc;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    json_decref(doc);
}

/* ---- F2 ---- */

static long long count_in_columns(sqlite3 *h, const char *needle, char *where, size_t wn)
{
    schema s;
    read_schema(h, &s);
    long long total = 0;
    where[0] = '\0';
    for (int i = 0; i < s.n; i++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')", s.name[i]);
        sqlite3_stmt *cols;
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &cols, NULL), SQLITE_OK);
        while (sqlite3_step(cols) == SQLITE_ROW) {
            const char *c = (const char *)sqlite3_column_text(cols, 0);
            char q[300];
            snprintf(q, sizeof(q),
                     "SELECT count(*) FROM \"%s\" WHERE instr(CAST(\"%s\" AS TEXT), ?1) > 0",
                     s.name[i], c);
            sqlite3_stmt *st;
            assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
            sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            long long k = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            if (k) {
                size_t used = strlen(where);
                snprintf(where + used, wn - used, " %s.%s", s.name[i], c);
            }
            total += k;
        }
        sqlite3_finalize(cols);
    }
    return total;
}

static long long count_in_file(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)size, fp);
    fclose(fp);
    long long n = 0;
    size_t nl = strlen(needle);
    for (size_t i = 0; nl && i + nl <= got; i++)
        if (buf[i] == needle[0] && !memcmp(buf + i, needle, nl)) n++;
    free(buf);
    return n;
}

static json_t *report(loy_app *app, const char *name)
{
    json_t *r = NULL;
    loy_err err;
    /* the whole year: the purchases made at NOW included (the default period ends at now) */
    json_t *period = json_pack("{s:s, s:s}", "from", "2026-01-01", "to", "2026-12-31");
    if (loy_app_report(app, name, period, &r, &err)) fail_msg("report %s: %s", name, err.message);
    json_decref(period);
    return r;
}

static int64_t scalar(const char *path, const char *sql, int64_t arg)
{
    sqlite3 *h = open_ro(path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, arg);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void test_erase_leaves_no_trace(void **state)
{
    fx *f = *state;
    loy_app *app = f->app;
    loy_err err;
    char ref[32], where[2048];
    snprintf(ref, sizeof(ref), "%lld", (long long)f->member);

    /* before: every needle is somewhere (the scan would find a leak) */
    sqlite3 *h = open_ro(f->path);
    static const char *const stored[] = {
        NAME, "quentin zyxwar-pemberly", EMAIL1, EMAIL2, PHONE, BIRTHDAY, NOTES, NULL};
    for (size_t i = 0; stored[i]; i++)
        if (!count_in_columns(h, stored[i], where, sizeof(where)))
            fail_msg("before the erase, [%s] is nowhere: the fixture is too weak", stored[i]);
    sqlite3_close(h);
    json_t *kpis = report(app, "kpis"), *eco = report(app, "economics");
    int64_t ledger = scalar(f->path, "SELECT count(*) FROM ledger WHERE member_id = ?", f->member);
    int64_t points = scalar(f->path, "SELECT points FROM balances WHERE member_id = ?", f->member);

    json_t *resp = NULL;
    int rc =
        loy_app_member_erase(app, ref, jt("{\"reason\": \"asked by the customer\"}"), &resp, &err);
    if (rc) fail_msg("erase: %s (%s)", err.message, err.field);
    json_t *m = json_object_get(resp, "member");
    char pseudonym[64];
    snprintf(pseudonym, sizeof(pseudonym), "Erased member %lld", (long long)f->member);
    assert_string_equal(json_string_value(json_object_get(m, "name")), pseudonym);
    assert_true(json_is_null(json_object_get(m, "email")));
    assert_true(json_is_null(json_object_get(m, "phone")));
    assert_true(json_is_null(json_object_get(m, "birthday")));
    assert_string_equal(json_string_value(json_object_get(m, "notes")), "");
    assert_string_equal(json_string_value(json_object_get(m, "tags")), "");
    assert_false(json_is_true(
        json_object_get(json_object_get(json_object_get(m, "consent"), "email"), "granted")));
    assert_true(json_is_string(json_object_get(m, "erased_at")));
    assert_string_not_equal(json_string_value(json_object_get(m, "card_token")), f->card);
    assert_true(json_is_true(json_object_get(json_object_get(resp, "checkpoint"), "complete")));
    assert_int_equal(json_array_size(json_object_get(resp, "warnings")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(resp, "import"), "rows")),
                     1);
    json_decref(resp);

    /* (a) no text column of any table holds any of it */
    h = open_ro(f->path);
    for (size_t i = 0; needles[i]; i++) {
        long long n = count_in_columns(h, needles[i], where, sizeof(where));
        if (n) fail_msg("after the erase, [%s] is still in %lld cells:%s", needles[i], n, where);
    }
    /* the control member's data stays */
    assert_true(count_in_columns(h, "control.person@example.org", where, sizeof(where)) > 0);
    assert_true(count_in_columns(h, "Control Person", where, sizeof(where)) > 0);
    sqlite3_close(h);

    /* (b) nor do the raw bytes of the file (WAL checkpointed and truncated) */
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    for (size_t i = 0; needles[i]; i++) {
        long long n = count_in_file(f->path, needles[i]) + count_in_file(wal, needles[i]);
        if (n) fail_msg("after the erase, [%s] is %lld times in the file's bytes", needles[i], n);
    }
    assert_true(count_in_file(f->path, "control.person@example.org") > 0);

    /* (c) the invariants hold, the ledger is kept */
    json_t *v = NULL;
    assert_int_equal(loy_app_verify(app, &v, &err), 0);
    if (!json_is_true(json_object_get(v, "ok"))) {
        char *t = json_dumps(v, 0);
        fail_msg("db verify after the erase: %s", t);
    }
    json_decref(v);
    assert_int_equal(scalar(f->path, "SELECT count(*) FROM ledger WHERE member_id = ?", f->member),
                     ledger);
    assert_int_equal(scalar(f->path, "SELECT points FROM balances WHERE member_id = ?", f->member),
                     points);

    /* (d) the owner's totals are unchanged */
    json_t *kpis2 = report(app, "kpis"), *eco2 = report(app, "economics");
    assert_true(json_equal(kpis, kpis2));
    assert_true(json_equal(eco, eco2));
    assert_int_equal(json_integer_value(json_object_get(kpis2, "revenue")),
                     1200 + 25000 + 20000 - 5000 + 10000 + 3000); /* all of it counted */
    assert_true(
        json_integer_value(json_object_get(json_object_get(eco2, "points"), "outstanding")) > 0);
    json_decref(kpis);
    json_decref(kpis2);
    json_decref(eco);
    json_decref(eco2);

    /* the old card stops working; search finds nothing by the old name */
    loy_member_row gone;
    assert_int_equal(loy_app_resolve_member(app, f->card, &gone, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_app_member_find(app, "Zyxwar", 10, &v, &err), 0);
    assert_int_equal(json_array_size(json_object_get(v, "members")), 0);
    json_decref(v);
    assert_int_equal(loy_app_resolve_member(app, EMAIL2, &(loy_member_row){0}, &err),
                     LOY_ENOTFOUND);

    /* an erased member cannot earn or redeem; their earlier purchases can be refunded */
    char req[200];
    snprintf(req, sizeof(req), "{\"member\": %lld, \"amount\": 1000}", (long long)f->member);
    bool rep = false;
    rc = loy_app_write(app, LOY_OP_PURCHASE, "after-erase-1", jt(req), &v, &rep, &err);
    assert_int_equal(rc, LOY_EREFUSED);
    assert_string_equal(err.field, "member");
    char named[64];
    snprintf(named, sizeof(named), "member %lld was erased", (long long)f->member);
    assert_non_null(strstr(err.message, named));
    snprintf(req, sizeof(req), "{\"member\": %lld, \"reward\": \"rm5-off\"}", (long long)f->member);
    assert_int_equal(loy_app_write(app, LOY_OP_REDEEM, "after-erase-2", jt(req), &v, &rep, &err),
                     LOY_EREFUSED);
    snprintf(req, sizeof(req), "{\"member\": %lld, \"amount\": 500}", (long long)f->member);
    assert_int_equal(loy_app_simulate(app, jt(req), &v, &err), LOY_EREFUSED); /* nor dry-run */
    snprintf(req, sizeof(req), "{\"purchase_id\": %lld, \"reason\": \"returned\"}",
             (long long)f->purchases[2]);
    json_decref(write_ok(app, LOY_OP_REFUND, req));
    v = NULL;
    assert_int_equal(loy_app_verify(app, &v, &err), 0);
    assert_true(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    /* their details cannot be written back */
    assert_int_equal(loy_app_member_update(app, ref, jt("{\"name\": \"" NAME "\"}"), &v, &err),
                     LOY_EREFUSED);

    /* the export still works: the pseudonym and the kept ledger */
    json_t *doc = export_of(f, f->member);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "member"), "name")),
                        pseudonym);
    assert_true(json_array_size(json_object_get(json_object_get(doc, "tables"), "ledger")) >=
                (size_t)ledger);
    json_decref(doc);

    /* the audit entry: who, when, why, no personal data */
    h = open_ro(f->path);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT actor, reason, at FROM audit WHERE "
                                        "action = 'member.erase' AND target_id = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, f->member);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), app->actor);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "asked by the customer");
    assert_int_equal(sqlite3_column_int64(st, 2), NOW);
    sqlite3_finalize(st);
    sqlite3_close(h);
    /* an outbox event tells webhook receivers to erase their copies */
    assert_int_equal(scalar(f->path,
                            "SELECT count(*) FROM outbox WHERE kind = 'member.erased' AND "
                            "member_id = ?",
                            f->member),
                     1);
}

/* Every row of every table as text, in primary-key order: equal dumps = equal databases. */
static char *dump(const char *path)
{
    sqlite3 *h = open_ro(path);
    schema s;
    read_schema(h, &s);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    for (int i = 0; i < s.n; i++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2", s.name[i]);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        fprintf(out, "== %s\n", s.name[i]);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                fprintf(out, "%s\x1f", t ? (const char *)t : "\x01NULL");
            }
            fputc('\n', out);
        }
        sqlite3_finalize(st);
    }
    fclose(out);
    sqlite3_close(h);
    return buf;
}

static void expect_refused(fx *f, const char *ref, const char *req, int code, const char *field,
                           const char *what)
{
    char *before = dump(f->path);
    json_t *resp = NULL;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_app_member_erase(f->app, ref, jt(req), &resp, &err);
    if (rc != code) fail_msg("%s: expected %d, got %d (%s)", what, code, rc, err.message);
    assert_null(resp);
    if (field) assert_string_equal(err.field, field);
    assert_true(err.message[0] != '\0');
    char *after = dump(f->path);
    if (strcmp(before, after) != 0) fail_msg("%s: the database changed", what);
    free(before);
    free(after);
}

/* Refusals change nothing: unknown member, missing, empty or unknown fields, a reason that names
 * them, and erasing twice (a clear conflict). */
static void test_refusals_change_nothing(void **state)
{
    fx *f = *state;
    char ref[32];
    snprintf(ref, sizeof(ref), "%lld", (long long)f->member);
    expect_refused(f, "999999", "{\"reason\": \"asked\"}", LOY_ENOTFOUND, "member",
                   "unknown member");
    expect_refused(f, "nobody@example.org", "{\"reason\": \"asked\"}", LOY_ENOTFOUND, "member",
                   "unknown email");
    expect_refused(f, ref, "{}", LOY_EINVALID, "reason", "missing reason");
    expect_refused(f, ref, "{\"reason\": \"\"}", LOY_EINVALID, "reason", "empty reason");
    expect_refused(f, ref, "{\"reason\": \"   \"}", LOY_EINVALID, "reason", "blank reason");
    expect_refused(f, ref, "{\"reason\": 7}", LOY_EINVALID, "reason", "reason not text");
    expect_refused(f, ref, "{\"reason\": \"asked\", \"force\": true}", LOY_EINVALID, "force",
                   "unknown field");
    expect_refused(f, ref, "{\"reason\": \"asked by " NAME "\"}", LOY_EINVALID, "reason",
                   "a reason with their name");
    expect_refused(f, ref, "{\"reason\": \"mail from " EMAIL2 "\"}", LOY_EINVALID, "reason",
                   "a reason with their email");
    expect_refused(f, ref, "{\"reason\": \"called from 012-987 6543\"}", LOY_EINVALID, "reason",
                   "a reason with their phone");

    json_t *resp = NULL;
    loy_err err;
    assert_int_equal(loy_app_member_erase(f->app, ref, jt("{\"reason\": \"asked\"}"), &resp, &err),
                     0);
    json_decref(resp);
    expect_refused(f, ref, "{\"reason\": \"asked\"}", LOY_ECONFLICT, "member", "erased twice");
    loy_err_clear(&err);
    loy_app_member_erase(f->app, ref, jt("{\"reason\": \"asked\"}"), &resp, &err);
    assert_non_null(strstr(err.message, "already erased"));
}

/* A ledger reason that names the member cannot be changed (append-only): the erase says so. */
static void test_ledger_reason_is_reported(void **state)
{
    fx *f = *state;
    json_t *r = write_ok(f->app, LOY_OP_MEMBER_CREATE,
                         "{\"name\": \"Rosalind Quarterfield\", \"email\": \"rq@example.org\"}");
    int64_t id = json_integer_value(json_object_get(json_object_get(r, "member"), "id"));
    json_decref(r);
    char req[200], ref[32];
    snprintf(req, sizeof(req),
             "{\"member\": %lld, \"delta\": 50, \"reason\": \"gift for Rosalind Quarterfield\"}",
             (long long)id);
    json_decref(write_ok(f->app, LOY_OP_ADJUST, req));
    snprintf(ref, sizeof(ref), "%lld", (long long)id);
    loy_err err;
    assert_int_equal(loy_app_member_erase(f->app, ref, jt("{\"reason\": \"asked\"}"), &r, &err), 0);
    json_t *w = json_array_get(json_object_get(r, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w, "code")), "ledger_reason");
    assert_int_equal(json_integer_value(json_object_get(w, "entries")), 1);
    json_decref(r);
    /* the copies the erase can reach are gone: the audit entry of the adjustment */
    assert_int_equal(scalar(f->path,
                            "SELECT count(*) FROM audit WHERE target_type = 'member' AND "
                            "target_id = ? AND instr(reason, 'Rosalind') > 0",
                            id),
                     0);
    assert_int_equal(scalar(f->path,
                            "SELECT count(*) FROM ledger WHERE member_id = ? AND "
                            "instr(reason, 'Rosalind') > 0",
                            id),
                     1);
}

/* Review findings: details the member had before an edit are erased as well (a purchase
 * reference and a stored answer naming the old surname), a ledger reason naming them by a word of
 * their name with other accents is reported, and an erase reason may not name them by a word of
 * their name either. */
static void test_earlier_details_are_erased(void **state)
{
    fx *f = *state;
    json_t *r = write_ok(f->app, LOY_OP_MEMBER_CREATE,
                         "{\"name\": \"Zoltán Kovácsné\", \"phone\": \"+36 30 555 0101\"}");
    int64_t id = json_integer_value(json_object_get(json_object_get(r, "member"), "id"));
    json_decref(r);
    char req[240], ref[32];
    snprintf(ref, sizeof(ref), "%lld", (long long)id);
    snprintf(req, sizeof(req),
             "{\"member\": %lld, \"amount\": 1200, \"reference\": \"receipt for Kovácsné\"}",
             (long long)id);
    json_decref(write_ok(f->app, LOY_OP_PURCHASE, req));
    snprintf(req, sizeof(req),
             "{\"member\": %lld, \"delta\": 5, \"reason\": \"sorry ZOLTAN, the coffee was cold\"}",
             (long long)id);
    json_decref(write_ok(f->app, LOY_OP_ADJUST, req));
    json_t *v = NULL;
    loy_err err;
    assert_int_equal(
        loy_app_member_update(
            f->app, ref, jt("{\"name\": \"Zed K\", \"phone\": \"+36 30 555 0202\"}"), &v, &err),
        0);
    json_decref(v);
    /* a word of the name is refused in the erase reason too */
    expect_refused(f, ref, "{\"reason\": \"Kovacsne phoned the shop\"}", LOY_EINVALID, "reason",
                   "a reason with an earlier surname");
    assert_int_equal(loy_app_member_erase(f->app, ref, jt("{\"reason\": \"asked\"}"), &r, &err), 0);
    json_t *w = json_array_get(json_object_get(r, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w, "code")), "ledger_reason");
    json_decref(r);
    sqlite3 *h = open_ro(f->path);
    char where[512];
    /* the earlier surname and phone are gone from every column except the append-only ledger */
    long long k = count_in_columns(h, "Kovácsné", where, sizeof(where));
    if (k) fail_msg("the earlier surname is still in:%s", where);
    k = count_in_columns(h, "555 0101", where, sizeof(where));
    if (k) fail_msg("the earlier phone is still in:%s", where);
    sqlite3_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_covers_the_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_new_table_fails_the_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_leaves_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_reason_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_details_are_erased, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
