/* CSV import of members and purchases (see import.h): parse, validate every row, then write the
 * good ones in batches through loy_app_write_batch, remembering each row's key in import_rows. */
#include "app/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "core/money.h"
#include "store/store_import.h"
#include "util/rand.h"

enum { NF = 8 };

typedef struct {
    const char *name;
    const char *aliases; /* other header names, '|' separated */
    bool required;
} field_def;

/* purchases */
enum { P_CUSTOMER, P_DATE, P_AMOUNT, P_REFERENCE, P_LOCATION, P_CATEGORY, P_SKU, P_QTY };
static const field_def purchase_defs[NF] = {
    {"customer", "customer_id|member|member_id|external_id|client", true},
    {"date", "datetime|occurred_at|time|purchase_date|order_date", true},
    {"amount", "total|value|dollar_value|price|spend", true},
    {"reference", "ref|order|order_id|receipt", false},
    {"location", "store|location_code|branch", false},
    {"category", "", false},
    {"sku", "product|item", false},
    {"qty", "quantity|number_of_cds|count", false}};
/* members */
enum { M_NAME, M_PHONE, M_EMAIL, M_BIRTHDAY, M_LOCALE, M_TAGS, M_EXTERNAL };
static const field_def member_defs[NF] = {
    {"name", "full_name|customer_name", true},
    {"phone", "mobile|telephone|phone_number", false},
    {"email", "e_mail|email_address|mail", false},
    {"birthday", "birth_date|date_of_birth|dob", false},
    {"locale", "language|lang", false},
    {"tags", "tag|labels", false},
    {"external_id", "id|customer|customer_id|external", false},
    {NULL, NULL, false}};

typedef struct {
    long line;
    char *v[NF]; /* trimmed values, NULL when the column is absent */
    int64_t at, amount, qty, member;
    char base[65];
    char key[80];
} row;

/* ---- CSV reading ---- */

typedef struct {
    const char *s;
    size_t n, pos;
    long line;
    char delim;
    bool ws;
    char **f; /* fields of the current record (malloc'ed) */
    size_t nf, cap;
} reader;

static void clear_fields(reader *r)
{
    for (size_t i = 0; i < r->nf; i++) free(r->f[i]);
    r->nf = 0;
}

static int add_field(reader *r, const char *p, size_t n, bool unquote)
{
    if (r->nf == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        char **f = realloc(r->f, cap * sizeof(*f));
        if (!f) return -1;
        r->f = f;
        r->cap = cap;
    }
    char *d = malloc(n + 1);
    if (!d) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        d[k++] = p[i];
        if (unquote && p[i] == '"') i++; /* "" inside a quoted field */
    }
    d[k] = '\0';
    r->f[r->nf++] = d;
    return 0;
}

/* Skips the rest of the physical line where a bad record started. */
static void skip_line(reader *r, size_t start, long line)
{
    const char *nl = memchr(r->s + start, '\n', r->n - start);
    r->pos = nl ? (size_t)(nl - r->s) + 1 : r->n;
    r->line = line + 1;
}

/* Next record: 1 read (fields in r->f), 0 end of file, -1 bad record (reason in err; the reader
 * continues on the next line), -2 out of memory. *line = the record's first line. */
static int next_record(reader *r, long *line, loy_err *err)
{
    clear_fields(r);
    for (;;) { /* skip blank lines */
        if (r->pos >= r->n) return 0;
        size_t p = r->pos;
        while (p < r->n && (r->s[p] == ' ' || r->s[p] == '\t' || r->s[p] == '\r')) p++;
        if (p < r->n && r->s[p] != '\n') break;
        if (!r->ws && p > r->pos && p < r->n) break; /* blanks are a value in CSV */
        r->pos = p < r->n ? p + 1 : p;
        r->line++;
    }
    size_t start = r->pos;
    *line = r->line;
    const char *s = r->s;
    if (r->ws) {
        size_t p = r->pos;
        for (;;) {
            while (p < r->n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r')) p++;
            if (p >= r->n || s[p] == '\n') break;
            size_t b = p;
            while (p < r->n && s[p] != ' ' && s[p] != '\t' && s[p] != '\r' && s[p] != '\n') p++;
            if (add_field(r, s + b, p - b, false)) return -2;
        }
        r->pos = p < r->n ? p + 1 : p;
        r->line++;
        return 1;
    }
    size_t p = r->pos;
    long lines = 0;
    for (;;) {
        if (p < r->n && s[p] == '"') {
            size_t b = ++p;
            for (;;) {
                if (p >= r->n) {
                    skip_line(r, start, *line);
                    loy_err_set(err, LOY_EINVALID, "",
                                "unbalanced quote: a quoted field is "
                                "never closed");
                    return -1;
                }
                if (s[p] == '"') {
                    if (p + 1 < r->n && s[p + 1] == '"') {
                        p += 2;
                        continue;
                    }
                    break;
                }
                if (s[p] == '\n') lines++;
                p++;
            }
            if (add_field(r, s + b, p - b, true)) return -2;
            p++; /* closing quote */
            if (p < r->n && s[p] != r->delim && s[p] != '\n' && s[p] != '\r') {
                skip_line(r, start, *line);
                loy_err_set(err, LOY_EINVALID, "",
                            "unbalanced quote: text after the closing quote of field %zu", r->nf);
                return -1;
            }
        } else {
            size_t b = p;
            while (p < r->n && s[p] != r->delim && s[p] != '\n' && s[p] != '\r') p++;
            if (add_field(r, s + b, p - b, false)) return -2;
        }
        if (p < r->n && s[p] == r->delim) {
            p++;
            continue;
        }
        if (p < r->n && s[p] == '\r') p++;
        if (p < r->n && s[p] == '\n') p++;
        break;
    }
    r->pos = p;
    r->line += lines + 1;
    return 1;
}

/* ---- helpers ---- */

static bool utf8_valid(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80             ? 0
                : (*s & 0xE0) == 0xC0 ? 1
                : (*s & 0xF0) == 0xE0 ? 2
                : (*s & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0 || (n == 1 && *s < 0xC2)) return false;
        s++;
        for (int i = 0; i < n; i++, s++)
            if ((*s & 0xC0) != 0x80) return false;
    }
    return true;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

/* "Dollar Value" -> "dollar_value" */
static void norm_name(char *out, size_t outsz, const char *in)
{
    while (*in == ' ' || *in == '\t') in++;
    size_t k = 0;
    for (; *in && k + 1 < outsz; in++) {
        char c = *in;
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c == ' ' || c == '-' || c == '.') c = '_';
        out[k++] = c;
    }
    while (k && out[k - 1] == '_') k--;
    out[k] = '\0';
}

static int field_index(const field_def *defs, const char *name)
{
    char n[64];
    norm_name(n, sizeof(n), name);
    for (int i = 0; i < NF && defs[i].name; i++)
        if (!strcmp(n, defs[i].name)) return i;
    return -1;
}

static bool alias_match(const field_def *d, const char *header)
{
    const char *a = d->aliases;
    size_t hl = strlen(header);
    while (a && *a) {
        const char *e = strchr(a, '|');
        size_t l = e ? (size_t)(e - a) : strlen(a);
        if (l == hl && !strncmp(a, header, l)) return true;
        a = e ? e + 1 : NULL;
    }
    return false;
}

/* col[i] = the column of field i (-1 absent) from the header row, --map and --columns. */
static int build_layout(const loy_import_opts *o, const field_def *defs, char **hdr, size_t nh,
                        int col[NF], loy_err *err)
{
    for (int i = 0; i < NF; i++) col[i] = -1;
    if (o->no_header) {
        if (!o->columns || !*o->columns)
            return loy_err_set(err, LOY_EINVALID, "columns",
                               "--columns: name the columns of a file without a header row");
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", o->columns);
        int c = 0;
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save), c++) {
            t = trim(t);
            if (!strcmp(t, "-") || !*t) continue;
            int f = field_index(defs, t);
            if (f < 0)
                return loy_err_set(err, LOY_EINVALID, "columns", "--columns: unknown field \"%s\"",
                                   t);
            col[f] = c;
        }
    } else {
        char h[128];
        for (size_t c = 0; c < nh; c++) {
            norm_name(h, sizeof(h), hdr[c]);
            for (int i = 0; i < NF && defs[i].name; i++)
                if (col[i] < 0 && (!strcmp(h, defs[i].name) || alias_match(&defs[i], h)))
                    col[i] = (int)c;
        }
        for (const char *const *m = o->map; m && *m; m++) {
            const char *eq = strchr(*m, '=');
            char fname[64];
            snprintf(fname, sizeof(fname), "%.*s", eq ? (int)(eq - *m) : 63, *m);
            int f = field_index(defs, fname);
            if (!eq || f < 0)
                return loy_err_set(err, LOY_EINVALID, "map",
                                   "--map: expected FIELD=HEADER with a known field, got \"%s\"",
                                   *m);
            char want[128];
            norm_name(want, sizeof(want), eq + 1);
            col[f] = -1;
            for (size_t c = 0; c < nh; c++) {
                norm_name(h, sizeof(h), hdr[c]);
                if (!strcmp(h, want)) col[f] = (int)c;
            }
            if (col[f] < 0)
                return loy_err_set(err, LOY_EINVALID, "map",
                                   "--map %s: no column \"%s\" in the header", *m, eq + 1);
        }
    }
    for (int i = 0; i < NF && defs[i].name; i++)
        if (defs[i].required && col[i] < 0)
            return loy_err_set(err, LOY_EINVALID, defs[i].name,
                               "no %s column: name it in the header, with --map %s=HEADER or in "
                               "--columns",
                               defs[i].name, defs[i].name);
    return 0;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* YYYY-MM-DD, YYYYMMDD (midnight in the merchant's zone), YYYY-MM-DDTHH:MM[:SS] (local) or ISO
 * 8601 with a zone. */
static bool parse_when(const loy_app *app, const char *s, int64_t *out)
{
    size_t n = strlen(s);
    int64_t days;
    if (n == 8 && digits(s, 8)) {
        char iso[11];
        snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        if (!loy_date_parse(iso, &days)) return false;
    } else if (n == 10) {
        if (!loy_date_parse(s, &days)) return false;
    } else {
        int h = 0, mi = 0, se = 0;
        char tail = 0;
        char date[11];
        if (n >= 16 && n <= 19 && (s[10] == 'T' || s[10] == ' ') &&
            (sscanf(s + 11, "%2d:%2d:%2d%c", &h, &mi, &se, &tail) == 3 ||
             (n == 16 && sscanf(s + 11, "%2d:%2d%c", &h, &mi, &tail) == 2))) {
            snprintf(date, sizeof(date), "%.10s", s);
            if (!loy_date_parse(date, &days) || h > 23 || mi > 59 || se > 59) return false;
            int64_t local = days * 86400 + h * 3600 + mi * 60 + se;
            *out = app->tz ? loy_tz_to_utc(app->tz, local) : local;
            return true;
        }
        return loy_time_parse(s, out);
    }
    *out = app->tz ? loy_tz_to_utc(app->tz, days * 86400) : days * 86400;
    return true;
}

static int bad(loy_err *e, const char *field, const char *fmt, const char *val)
{
    char msg[400];
    snprintf(msg, sizeof(msg), fmt, val);
    return loy_err_set(e, LOY_EINVALID, field, "%s: %s", field, msg);
}

static const char *val(const row *r, int f)
{
    return r->v[f] ? r->v[f] : "";
}

static int check_purchase(const loy_app *app, row *r, int64_t now, loy_err *e)
{
    if (!*val(r, P_CUSTOMER)) return bad(e, "customer", "is empty%s", "");
    if (!parse_when(app, val(r, P_DATE), &r->at))
        return bad(e, "date", "expected YYYY-MM-DD, YYYYMMDD or an ISO 8601 time, got \"%s\"",
                   val(r, P_DATE));
    if (r->at > now + 300) return bad(e, "date", "\"%s\" is in the future", val(r, P_DATE));
    int exp = loy_currency_exponent(app->merchant_row.currency);
    const char *a = val(r, P_AMOUNT);
    if (*a == '-') return bad(e, "amount", "must not be negative, got \"%s\"", a);
    if (!loy_money_parse(a, exp < 0 ? 2 : exp, &r->amount)) {
        char f[160];
        snprintf(f, sizeof(f), "expected a decimal amount with at most %d decimals, got \"%%s\"",
                 exp < 0 ? 2 : exp);
        return bad(e, "amount", f, a);
    }
    r->qty = 1;
    if (*val(r, P_QTY)) {
        char *end = NULL;
        long long q = strtoll(val(r, P_QTY), &end, 10);
        if (*end || q < 1 || q > 1000000)
            return bad(e, "qty", "expected a whole number of at least 1, got \"%s\"",
                       val(r, P_QTY));
        r->qty = q;
    }
    if (strlen(val(r, P_REFERENCE)) > 120)
        return bad(e, "reference", "is longer than 120 characters%s", "");
    return 0;
}

static int check_member(row *r, loy_err *e)
{
    if (!*val(r, M_NAME)) return bad(e, "name", "is empty%s", "");
    if (strlen(val(r, M_EXTERNAL)) > 200)
        return bad(e, "external_id", "is longer than 200 characters%s", "");
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    const row *x = *(row *const *)a, *y = *(row *const *)b;
    int c = strcmp(x->base, y->base);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_when(const void *a, const void *b)
{
    const row *x = *(row *const *)a, *y = *(row *const *)b;
    if (x->at != y->at) return (x->at > y->at) - (x->at < y->at);
    return (x->line > y->line) - (x->line < y->line);
}

/* Row keys: SHA-256 of the kind and the normalised values, then of that and how many identical
 * rows came before in the file (two identical purchases are two purchases). */
static void assign_keys(row **rows, size_t n, loy_import_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        char buf[4096];
        size_t k =
            (size_t)snprintf(buf, sizeof(buf), "%s", kind == LOY_IMPORT_PURCHASES ? "p" : "m");
        for (int f = 0; f < NF && k < sizeof(buf); f++)
            k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\x1f%s", val(rows[i], f));
        if (kind == LOY_IMPORT_PURCHASES && k < sizeof(buf)) /* the parsed values, not the text */
            k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\x1e%lld\x1f%lld",
                                  (long long)rows[i]->at, (long long)rows[i]->amount);
        loy_sha256_hex(buf, k < sizeof(buf) ? k : sizeof(buf) - 1, rows[i]->base);
    }
    qsort(rows, n, sizeof(*rows), cmp_key);
    for (size_t i = 0, occ = 0; i < n; i++) {
        occ = i && !strcmp(rows[i]->base, rows[i - 1]->base) ? occ + 1 : 0;
        char in[96], hex[65];
        int l = snprintf(in, sizeof(in), "%s#%zu", rows[i]->base, occ);
        loy_sha256_hex(in, (size_t)l, hex);
        snprintf(rows[i]->key, sizeof(rows[i]->key), "import:%s", hex);
    }
}

static void row_free(row *r)
{
    if (!r) return;
    for (int f = 0; f < NF; f++) free(r->v[f]);
    free(r);
}

static void report(const loy_import_opts *o, loy_import_stats *st, long line, const loy_err *e)
{
    st->skipped++;
    if (o->on_error) o->on_error(o->ctx, line, e);
}

/* ---- writing ---- */

static int64_t resp_id(const json_t *resp, const char *obj)
{
    return (int64_t)json_integer_value(json_object_get(json_object_get(resp, obj), "id"));
}

/* Finds the member of each purchase row; creates members for unknown external ids when asked.
 * Rows that cannot be resolved are reported and their member left 0. */
static int resolve_members(loy_app *app, const loy_import_opts *o, row **rows, size_t n,
                           loy_import_stats *st, loy_err *err)
{
    loy_write_item *items = calloc(n ? n : 1, sizeof(*items));
    json_t **reqs = calloc(n ? n : 1, sizeof(*reqs));
    size_t *owner = calloc(n ? n : 1, sizeof(*owner));
    char(*keys)[96] = calloc(n ? n : 1, sizeof(*keys));
    size_t ni = 0;
    int rc = (!items || !reqs || !owner || !keys)
                 ? loy_err_set(err, LOY_ENOMEM, "", "out of memory")
                 : 0;
    for (size_t i = 0; i < n && !rc; i++) {
        row *r = rows[i];
        const char *c = val(r, P_CUSTOMER);
        loy_err e;
        rc = loy_store_import_member_get(&app->conn, app->merchant, c, &r->member, &e);
        if (rc == 0) continue;
        if (rc != LOY_ENOTFOUND) {
            *err = e;
            break;
        }
        rc = 0;
        r->member = 0;
        if (o->create_members) {
            size_t j = 0;
            while (j < ni && strcmp(val(rows[owner[j]], P_CUSTOMER), c)) j++;
            if (j < ni) continue; /* created with the first row naming it */
            char hex[65], name[256];
            loy_sha256_hex(c, strlen(c), hex);
            snprintf(keys[ni], sizeof(keys[ni]), "import-member:%s", hex);
            snprintf(name, sizeof(name), "Customer %.200s", c);
            reqs[ni] = json_pack("{s:s}", "name", name);
            items[ni] =
                (loy_write_item){.op = LOY_OP_MEMBER_CREATE, .key = keys[ni], .req = reqs[ni]};
            owner[ni++] = i;
            continue;
        }
        loy_member_row m;
        rc = loy_app_resolve_member(app, c, &m, &e);
        if (rc == 0) {
            r->member = m.id;
            loy_member_row_free(&m);
        } else if (rc == LOY_ENOTFOUND) {
            rc = 0;
            char msg[300];
            snprintf(msg, sizeof(msg), "customer: unknown customer \"%.200s\"", c);
            loy_err_set(&e, LOY_ENOTFOUND, "customer", "%s", msg);
            report(o, st, r->line, &e);
        } else
            *err = e;
    }
    if (!rc && ni) rc = loy_app_write_batch(app, items, ni, err);
    if (!rc && ni) rc = loy_db_begin(&app->conn, true, err);
    if (!rc && ni) {
        for (size_t j = 0; j < ni && !rc; j++) {
            if (items[j].rc) continue;
            int64_t id = resp_id(items[j].resp, "member");
            rc = loy_store_import_member_put(&app->conn, app->merchant,
                                             val(rows[owner[j]], P_CUSTOMER), id, err);
            /* a customer since their first purchase in the history (rows are in date order) */
            if (!rc)
                rc = loy_store_import_member_joined(&app->conn, app->merchant, id,
                                                    rows[owner[j]]->at, err);
            if (!items[j].replayed) st->members_created++;
        }
        rc = rc ? rc : loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    /* rows naming a created (or failed) customer */
    for (size_t i = 0; i < n && !rc && ni; i++) {
        row *r = rows[i];
        if (r->member) continue;
        for (size_t j = 0; j < ni; j++)
            if (!strcmp(val(rows[owner[j]], P_CUSTOMER), val(r, P_CUSTOMER))) {
                if (items[j].rc)
                    report(o, st, r->line, &items[j].err);
                else
                    r->member = resp_id(items[j].resp, "member");
                break;
            }
    }
    for (size_t j = 0; j < ni; j++) {
        json_decref(reqs[j]);
        json_decref(items[j].resp);
    }
    free(items);
    free(reqs);
    free(owner);
    free(keys);
    return rc;
}

static json_t *purchase_req(const loy_app *app, const row *r)
{
    char when[32], ref[128];
    loy_time_format(when, sizeof(when), r->at);
    (void)app;
    if (*val(r, P_REFERENCE))
        snprintf(ref, sizeof(ref), "%s", val(r, P_REFERENCE));
    else
        snprintf(ref, sizeof(ref), "import:%.32s", r->key + 7);
    char member[24];
    snprintf(member, sizeof(member), "%lld", (long long)r->member);
    json_t *req = json_pack("{s:s, s:I, s:s, s:s}", "member", member, "amount",
                            (json_int_t)r->amount, "occurred_at", when, "reference", ref);
    if (*val(r, P_LOCATION)) json_object_set_new(req, "location", json_string(val(r, P_LOCATION)));
    if (*val(r, P_CATEGORY) || *val(r, P_SKU)) {
        json_t *it =
            json_pack("{s:I, s:I}", "qty", (json_int_t)r->qty, "amount", (json_int_t)r->amount);
        if (*val(r, P_CATEGORY))
            json_object_set_new(it, "category", json_string(val(r, P_CATEGORY)));
        if (*val(r, P_SKU)) json_object_set_new(it, "sku", json_string(val(r, P_SKU)));
        json_object_set_new(req, "items", json_pack("[o]", it));
    }
    return req;
}

static json_t *member_req(const row *r)
{
    json_t *req = json_pack("{s:s}", "name", val(r, M_NAME));
    static const int opt[] = {M_PHONE, M_EMAIL, M_BIRTHDAY, M_LOCALE};
    static const char *const keys[] = {"phone", "email", "birthday", "locale"};
    for (int i = 0; i < 4; i++)
        if (*val(r, opt[i])) json_object_set_new(req, keys[i], json_string(val(r, opt[i])));
    if (*val(r, M_TAGS)) {
        json_t *tags = json_array();
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s", val(r, M_TAGS));
        char *save = NULL;
        for (char *t = strtok_r(buf, ",;", &save); t; t = strtok_r(NULL, ",;", &save))
            if (*(t = trim(t))) json_array_append_new(tags, json_string(t));
        json_object_set_new(req, "tags", tags);
    }
    return req;
}

/* A purchase of amount 0 (a free item) earns nothing and the purchases table takes only
 * amounts above 0: it is kept as an imported visit, which purchase histories count. */
static int write_zero(loy_app *app, row *r, int64_t now, int64_t *id, loy_err *err)
{
    char ref[128];
    if (*val(r, P_REFERENCE))
        snprintf(ref, sizeof(ref), "%s", val(r, P_REFERENCE));
    else
        snprintf(ref, sizeof(ref), "import:%.32s", r->key + 7);
    return loy_store_import_visit_add(&app->conn, app->merchant, r->member, r->at, ref, now, id,
                                      err);
}

/* Writes one batch of checked rows: skips those imported before, then one write_batch, then
 * records the keys of the rows written. */
static int write_chunk(loy_app *app, const loy_import_opts *o, row **rows, size_t n,
                       loy_import_stats *st, loy_err *err)
{
    int rc = 0;
    row **todo = calloc(n ? n : 1, sizeof(*todo));
    if (!todo) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    size_t nt = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        bool seen = false;
        rc = loy_store_import_row_seen(&app->conn, app->merchant, rows[i]->key, &seen, err);
        if (!rc && seen)
            st->duplicates++;
        else if (!rc)
            todo[nt++] = rows[i];
    }
    bool purchases = o->kind == LOY_IMPORT_PURCHASES;
    if (!rc && purchases) {
        /* external ids of the member file (same chunk) and purchase customers */
        rc = resolve_members(app, o, todo, nt, st, err);
        size_t k = 0;
        for (size_t i = 0; i < nt; i++)
            if (todo[i]->member) todo[k++] = todo[i];
        nt = k;
    }
    if (!rc && !purchases) {
        size_t k = 0;
        for (size_t i = 0; i < nt && !rc; i++) {
            row *r = todo[i];
            const char *ext = val(r, M_EXTERNAL);
            bool dup = false;
            if (*ext) {
                int64_t m;
                loy_err e;
                int g = loy_store_import_member_get(&app->conn, app->merchant, ext, &m, &e);
                for (size_t j = 0; j < k && !dup; j++) dup = !strcmp(val(todo[j], M_EXTERNAL), ext);
                if (g == 0 || dup) {
                    loy_err_set(&e, LOY_ECONFLICT, "external_id",
                                "external_id: customer \"%.200s\" was already imported", ext);
                    report(o, st, r->line, &e);
                    continue;
                }
                if (g != LOY_ENOTFOUND) rc = loy_err_set(err, e.code, e.field, "%s", e.message);
            }
            todo[k++] = r;
        }
        nt = k;
    }
    loy_write_item *items = calloc(nt ? nt : 1, sizeof(*items));
    size_t *idx = calloc(nt ? nt : 1, sizeof(*idx));
    int64_t *zero_ids = calloc(nt ? nt : 1, sizeof(*zero_ids));
    size_t ni = 0;
    if (!items || !idx || !zero_ids)
        rc = rc ? rc : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < nt && !rc; i++) {
        if (purchases && todo[i]->amount == 0) continue;
        items[ni] =
            (loy_write_item){.op = purchases ? LOY_OP_PURCHASE : LOY_OP_MEMBER_CREATE,
                             .key = todo[i]->key,
                             .req = purchases ? purchase_req(app, todo[i]) : member_req(todo[i])};
        idx[ni++] = i;
    }
    if (!rc && ni) rc = loy_app_write_batch(app, items, ni, err);
    /* bookkeeping (and the zero-amount purchases) in one transaction */
    if (!rc) rc = loy_db_begin(&app->conn, true, err);
    if (!rc) {
        int64_t now = loy_app_now(app);
        for (size_t i = 0; i < nt && !rc && purchases; i++) {
            if (todo[i]->amount != 0) continue;
            loy_err e;
            int zr = loy_db_savepoint(&app->conn, err);
            if (zr) {
                rc = zr;
                break;
            }
            zr = write_zero(app, todo[i], now, &zero_ids[i], &e);
            if (!zr)
                zr = loy_store_import_row_put(&app->conn, app->merchant, todo[i]->key, "purchase",
                                              zero_ids[i], now, &e);
            if (zr) {
                loy_db_rollback_to(&app->conn);
                if (zr == LOY_ESTORAGE || zr == LOY_EBUSY || zr == LOY_ENOMEM)
                    rc = loy_err_set(err, zr, e.field, "%s", e.message);
                else
                    report(o, st, todo[i]->line, &e);
            } else {
                rc = loy_db_release(&app->conn, err);
                st->imported++;
            }
        }
        for (size_t j = 0; j < ni && !rc; j++) {
            row *r = todo[idx[j]];
            if (items[j].rc) {
                report(o, st, r->line, &items[j].err);
                continue;
            }
            int64_t id = resp_id(items[j].resp, purchases ? "purchase" : "member");
            rc = loy_store_import_row_put(&app->conn, app->merchant, r->key,
                                          purchases ? "purchase" : "member", id, now, err);
            if (!rc && !purchases && *val(r, M_EXTERNAL))
                rc = loy_store_import_member_put(&app->conn, app->merchant, val(r, M_EXTERNAL), id,
                                                 err);
            if (items[j].replayed)
                st->duplicates++;
            else
                st->imported++;
        }
        rc = rc ? rc : loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    for (size_t j = 0; j < ni; j++) {
        json_decref((json_t *)items[j].req);
        json_decref(items[j].resp);
    }
    free(items);
    free(idx);
    free(zero_ids);
    free(todo);
    return rc;
}

int loy_import_run(loy_app *app, const char *data, size_t len, const loy_import_opts *o,
                   loy_import_stats *st, loy_err *err)
{
    memset(st, 0, sizeof(*st));
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    const field_def *defs = o->kind == LOY_IMPORT_PURCHASES ? purchase_defs : member_defs;
    reader rd = {.s = data,
                 .n = len,
                 .line = 1,
                 .delim = o->delimiter ? o->delimiter : ',',
                 .ws = o->whitespace};
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) rd.pos = 3;
    row **rows = NULL;
    size_t nr = 0, cap = 0;
    int col[NF];
    long line = 0;
    int64_t now = loy_app_now(app);
    int rc = 0, r;
    loy_err e;
    if (!o->no_header) {
        while ((r = next_record(&rd, &line, &e)) == -1) {
        } /* a broken header is no header */
        if (r == -2)
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        else if (r == 0)
            rc = loy_err_set(err, LOY_EINVALID, "file", "the file is empty");
    }
    if (!rc) rc = build_layout(o, defs, rd.f, rd.nf, col, err);
    while (!rc && (r = next_record(&rd, &line, &e)) != 0) {
        if (r == -2) {
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            break;
        }
        st->read++;
        if (r == -1) {
            report(o, st, line, &e);
            continue;
        }
        row *w = calloc(1, sizeof(*w));
        if (!w || (nr == cap &&
                   !(cap = cap ? cap * 2 : 1024, rows = realloc(rows, cap * sizeof(*rows))))) {
            free(w);
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            break;
        }
        w->line = line;
        int bad_col = -1;
        for (int f = 0; f < NF && bad_col < 0; f++) {
            if (col[f] < 0) continue;
            if ((size_t)col[f] >= rd.nf) {
                bad_col = f;
                break;
            }
            char *t = trim(rd.f[col[f]]);
            if (!utf8_valid((const unsigned char *)t)) {
                bad_col = f;
                break;
            }
            w->v[f] = strdup(t);
        }
        int vr = 0;
        if (bad_col >= 0 && (size_t)col[bad_col] >= rd.nf)
            vr = loy_err_set(&e, LOY_EINVALID, defs[bad_col].name,
                             "%s: missing (the row has only %zu columns)", defs[bad_col].name,
                             rd.nf);
        else if (bad_col >= 0)
            vr = loy_err_set(&e, LOY_EINVALID, defs[bad_col].name, "%s: not valid UTF-8",
                             defs[bad_col].name);
        else
            vr = o->kind == LOY_IMPORT_PURCHASES ? check_purchase(app, w, now, &e)
                                                 : check_member(w, &e);
        if (vr) {
            report(o, st, line, &e);
            row_free(w);
            continue;
        }
        rows[nr++] = w;
    }
    clear_fields(&rd);
    free(rd.f);
    if (!rc) {
        assign_keys(rows, nr, o->kind);
        qsort(rows, nr, sizeof(*rows), cmp_when);
        size_t batch = o->batch ? o->batch : 500;
        for (size_t i = 0; i < nr && !rc; i += batch) {
            size_t n = nr - i < batch ? nr - i : batch;
            rc = write_chunk(app, o, rows + i, n, st, err);
            if (o->on_progress) o->on_progress(o->ctx, i + n, nr);
        }
    }
    for (size_t i = 0; i < nr; i++) row_free(rows[i]);
    free(rows);
    return rc;
}
