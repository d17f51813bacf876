/* CSV rendering of a report answer (RFC 4180), shared by `loyalty report NAME --csv` and
 * GET /api/v1/reports/{name}?format=csv: each report's main list as rows, or its figures as
 * (figure, value) rows. */
#include "app/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* The list each report exports as rows and its columns; NULL list: figures. Lists joined with
 * '+' are exported one after the other (an object counts as one row). A column ending in
 * '*' is an array of numbers, one column per element (name_0, name_1, ...). Money columns are
 * followed by their "_display" text when the answer has one. */
static const struct {
    const char *report, *list, *cols;
} tables[] = {
    {"churn", "periods", "from,to,at_start,lost,churn_rate"},
    {"cohorts", "cohorts", "cohort,size,purchasing*,retention*"},
    {"pareto", "lorenz", "population,revenue_share"},
    {"rfm", "segments", "segment,members,revenue"},
    {"advocacy", "members", "member_id,quadrant,spend,referred_members,referred_revenue"},
    {"clv", "predictive.top_members", "member_id,p_alive,expected_purchases,expected_spend,clv"},
    {"nps", "overall+by_location+by_month",
     "scope,key,responses,promoters,passives,detractors,nps,ci_low,ci_high"},
};

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = realloc(b->buf, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* One field: text is quoted when it holds a comma, quote or line break, and a text starting with
 * = + - @, a tab or a carriage return is prefixed with ' so that spreadsheets do not run it as a
 * formula (OWASP's list; numbers are written as numbers and never prefixed). */
static void field(sbuf *b, const json_t *v)
{
    char num[64];
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        puts_(b, num);
    } else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.10g", json_real_value(v));
        puts_(b, num);
    } else if (json_is_true(v) || json_is_false(v)) {
        puts_(b, json_is_true(v) ? "true" : "false");
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        bool quote = strpbrk(s, ",\"\r\n") != NULL;
        if (quote) put(b, "\"", 1);
        if (s[0] && strchr("=+-@\t\r", s[0])) put(b, "'", 1);
        for (const char *p = s; *p; p++) {
            if (*p == '"') put(b, "\"", 1);
            put(b, p, 1);
        }
        if (quote) put(b, "\"", 1);
    } /* null and anything else: an empty field */
}

/* The value at a dotted path ("predictive.top_members"). */
static const json_t *at_path(const json_t *o, const char *path)
{
    char key[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key)) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

/* Calls fn for each column of cols (a comma list) with its name and whether it is an array. */
static void each_col(const char *cols, void (*fn)(void *, const char *, bool), void *ctx)
{
    char name[64];
    for (const char *p = cols; *p;) {
        size_t n = strcspn(p, ",");
        bool arr = n && p[n - 1] == '*';
        size_t k = arr ? n - 1 : n;
        if (k >= sizeof(name)) k = sizeof(name) - 1;
        memcpy(name, p, k);
        name[k] = '\0';
        fn(ctx, name, arr);
        p += n + (p[n] == ',');
    }
}

typedef struct {
    sbuf *b;
    const json_t *rows, *row;
    bool first;
} tctx;

static void sep(tctx *t)
{
    if (!t->first) put(t->b, ",", 1);
    t->first = false;
}

/* Header cells of a column: arrays get as many as the longest row's array. */
static void head_col(void *ctx, const char *name, bool arr)
{
    tctx *t = ctx;
    char key[96], dkey[96];
    size_t longest = 0, i;
    const json_t *r;
    bool money = false;
    snprintf(dkey, sizeof(dkey), "%s_display", name);
    json_array_foreach(t->rows, i, r)
    {
        size_t n = json_array_size(json_object_get(r, name));
        if (n > longest) longest = n;
        if (json_object_get(r, dkey)) money = true;
    }
    if (!arr) {
        sep(t);
        puts_(t->b, name);
        if (money) {
            sep(t);
            puts_(t->b, dkey);
        }
        return;
    }
    for (size_t k = 0; k < longest; k++) {
        snprintf(key, sizeof(key), "%s_%zu", name, k);
        sep(t);
        puts_(t->b, key);
    }
}

static void row_col(void *ctx, const char *name, bool arr)
{
    tctx *t = ctx;
    char dkey[96];
    snprintf(dkey, sizeof(dkey), "%s_display", name);
    if (!arr) {
        sep(t);
        field(t->b, json_object_get(t->row, name));
        bool money = false;
        size_t i;
        const json_t *r;
        json_array_foreach(t->rows, i, r) if (json_object_get(r, dkey)) money = true;
        if (money) {
            sep(t);
            field(t->b, json_object_get(t->row, dkey));
        }
        return;
    }
    size_t longest = 0, i;
    const json_t *r;
    json_array_foreach(t->rows, i, r)
    {
        size_t n = json_array_size(json_object_get(r, name));
        if (n > longest) longest = n;
    }
    const json_t *a = json_object_get(t->row, name);
    for (size_t k = 0; k < longest; k++) {
        sep(t);
        field(t->b, json_array_get(a, k));
    }
}

static void figure_row(sbuf *b, const char *name, const json_t *v)
{
    json_t *n = json_string(name);
    field(b, n);
    json_decref(n);
    put(b, ",", 1);
    field(b, v);
    put(b, "\r\n", 2);
}

/* figure,value rows for every scalar of o, nested objects and arrays flattened with dots (an
 * array element is labelled by its first text field, else its index). */
static void figures(sbuf *b, const json_t *o, const char *prefix)
{
    const char *key;
    const json_t *v;
    char name[256];
    json_object_foreach((json_t *)o, key, v)
    {
        if (!*prefix && (!strcmp(key, "report") || !strcmp(key, "period") ||
                         !strcmp(key, "rules") || !strcmp(key, "currency")))
            continue;
        snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
        if (json_is_object(v)) {
            figures(b, v, name);
        } else if (json_is_array(v)) {
            size_t i;
            const json_t *e;
            json_array_foreach(v, i, e)
            {
                char sub[300];
                const char *label = NULL, *k2;
                const json_t *x;
                json_object_foreach((json_t *)e, k2, x) if (!label && json_is_string(x)) label =
                    json_string_value(x);
                if (label)
                    snprintf(sub, sizeof(sub), "%s.%s", name, label);
                else
                    snprintf(sub, sizeof(sub), "%s.%zu", name, i);
                if (json_is_object(e))
                    figures(b, e, sub);
                else
                    figure_row(b, sub, e);
            }
        } else {
            figure_row(b, name, v);
        }
    }
}

int loy_app_report_csv(const json_t *report, char **out, loy_err *err)
{
    *out = NULL;
    const char *name = json_string_value(json_object_get(report, "report"));
    if (!name) return loy_err_set(err, LOY_EINVALID, "report", "not a report answer");
    sbuf b = {0};
    const json_t *rows = NULL;
    const char *cols = NULL;
    json_t *joined = NULL;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (strcmp(tables[i].report, name) == 0) {
            rows = at_path(report, tables[i].list);
            cols = tables[i].cols;
            if (!strchr(tables[i].list, '+')) continue;
            rows = joined = json_array();
            char path[64];
            for (const char *p = tables[i].list; *p;) {
                size_t n = strcspn(p, "+");
                snprintf(path, sizeof(path), "%.*s", (int)n, p);
                const json_t *part = at_path(report, path);
                if (json_is_array(part))
                    json_array_extend(joined, (json_t *)part);
                else if (json_is_object(part))
                    json_array_append(joined, (json_t *)part);
                p += n + (p[n] == '+');
            }
        }
    if (json_is_array(rows)) {
        tctx t = {.b = &b, .rows = rows, .first = true};
        each_col(cols, head_col, &t);
        put(&b, "\r\n", 2);
        size_t i;
        json_array_foreach(rows, i, t.row)
        {
            t.first = true;
            each_col(cols, row_col, &t);
            put(&b, "\r\n", 2);
        }
    } else {
        puts_(&b, "figure,value\r\n");
        figures(&b, report, "");
    }
    json_decref(joined);
    if (b.oom || !b.buf) {
        free(b.buf);
        return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    *out = b.buf;
    return 0;
}
