/* Programme files: parse and validate the JSON description of a loyalty programme into an
 * immutable loy_programme (programme.h; every field is documented in docs/programme.md). */
#include "core/programme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/programme_check.h"
#include "util/jv.h"
#include "util/time.h"

#define MAX_DEPTH   32
#define STR_MAX     4096
#define POINTS_MAX  1000000000LL
#define STAMPS_MAX  1000
#define DAYS_MAX    3660
#define PRIO_MAX    1000000
#define MAX_RULES   100
#define MAX_LEVELS  20
#define MAX_REWARDS 500
#define MAX_LOCS    500
#define MAX_PERKS   20
#define MAX_LANGS   16

typedef struct {
    loy_programme *p;
    const loy_jv *root;
    loy_err *err;
    int exp; /* exponent of the merchant currency, once known */
} pctx;

typedef int (*field_fn)(pctx *c, void *target, const char *key, const char *path, const loy_jv *v);

/* ---- paths and errors ---- */

static void item(char *out, const char *path, size_t i)
{
    snprintf(out, LOY_PC_PATH_MAX, "%s[%zu]", path, i);
}

/* `s` as a JSON string literal for "got ..." (keys and defaulted ids have no loy_jv). */
static void quote(char *out, size_t outsz, const char *s)
{
    size_t j = 0;
    if (outsz < 8) return;
    out[j++] = '"';
    for (; *s && j + 6 < outsz; s++) {
        if (*s == '"' || *s == '\\') out[j++] = '\\';
        out[j++] = (unsigned char)*s < 0x20 ? '?' : *s;
    }
    if (*s) {
        out[j++] = '.';
        out[j++] = '.';
        out[j++] = '.';
    }
    out[j++] = '"';
    out[j] = '\0';
}

/* Calls fn for each member of object `o` in document order (unknown keys are errors), then once
 * with v == NULL for each required key that is absent (fn must fail on NULL). */
static int walk(pctx *c, const char *path, const loy_jv *o, const char *what,
                const char *const *known, const char *const *required, field_fn fn, void *target)
{
    char sub[LOY_PC_PATH_MAX];
    if (!o || loy_jv_typeof(o) != LOY_JV_OBJECT) return loy_pc_fail(c->err, path, o, "%s", what);
    size_t n = loy_jv_len(o);
    for (size_t i = 0; i < n; i++) {
        const char *key = loy_jv_key_at(o, i);
        loy_pc_child(sub, sizeof(sub), path, key);
        if (!loy_pc_known(known, key)) return loy_pc_unknown(c->err, sub, key, known);
        int rc = fn(c, target, key, sub, loy_jv_value_at(o, i));
        if (rc) return rc;
    }
    for (size_t i = 0; required && required[i]; i++)
        if (!loy_jv_get(o, required[i])) {
            loy_pc_child(sub, sizeof(sub), path, required[i]);
            int rc = fn(c, target, required[i], sub, NULL);
            if (rc) return rc;
        }
    return 0;
}

/* An array of at most `max` elements (and at least one when `nonempty`). */
static int get_array(pctx *c, const char *path, const loy_jv *v, bool nonempty, size_t max,
                     const char *what)
{
    if (!v || loy_jv_typeof(v) != LOY_JV_ARRAY || (nonempty && loy_jv_len(v) == 0) ||
        loy_jv_len(v) > max)
        return loy_pc_fail(c->err, path, v, "%s %s (at most %zu)",
                           nonempty ? "a non-empty array of" : "an array of", what, max);
    return 0;
}

/* ---- scalar getters: each fails with "got nothing" when v is NULL ---- */

/* A string of at most STR_MAX bytes without NUL characters; non-empty when `nonempty`. */
static int get_str(pctx *c, const char *path, const loy_jv *v, bool nonempty, const char **out)
{
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s) return loy_pc_fail(c->err, path, v, "%s", nonempty ? "a non-empty string" : "a string");
    size_t len = loy_jv_str_len(v);
    if (len > STR_MAX) return loy_pc_fail(c->err, path, v, "a string of at most %d bytes", STR_MAX);
    if (strlen(s) != len) return loy_pc_fail(c->err, path, v, "a string without NUL characters");
    if (nonempty && len == 0) return loy_pc_fail(c->err, path, v, "a non-empty string");
    *out = s;
    return 0;
}

static int dup_str(pctx *c, const char *path, const loy_jv *v, char **out)
{
    const char *s;
    int rc = get_str(c, path, v, true, &s);
    if (rc) return rc;
    free(*out);
    *out = strdup(s);
    return *out ? 0 : loy_pc_nomem(c->err, path);
}

/* Rule, level and reward ids: [a-z0-9_-]{1,47}. */
static int get_id(pctx *c, const char *path, const loy_jv *v, const char *like,
                  char out[LOY_ID_MAX])
{
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s || strlen(s) != loy_jv_str_len(v) || !loy_pc_charset_ok(s, LOY_ID_MAX - 1, false, false))
        return loy_pc_fail(c->err, path, v,
                           "an id like \"%s\" (1 to 47 of a-z, 0-9, \"_\" and \"-\")", like);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

/* Location codes [A-Za-z0-9_-]{1,47}; categories and SKUs also allow ".". */
static int get_code(pctx *c, const char *path, const loy_jv *v, const char *like, bool dot,
                    char out[LOY_ID_MAX])
{
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s || strlen(s) != loy_jv_str_len(v) || !loy_pc_charset_ok(s, LOY_ID_MAX - 1, true, dot))
        return loy_pc_fail(c->err, path, v, "%s (1 to 47 of A-Z, a-z, 0-9, \"_\"%s and \"-\")",
                           like, dot ? ", \".\"" : "");
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int get_enum(pctx *c, const char *path, const loy_jv *v, const char *const *names, int *out)
{
    const char *s = v ? loy_jv_str(v) : NULL;
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return 0;
        }
    char what[160] = "one of ";
    for (size_t i = 0; names[i]; i++) {
        size_t l = strlen(what);
        snprintf(what + l, sizeof(what) - l, "%s\"%s\"",
                 i == 0         ? ""
                 : names[i + 1] ? ", "
                                : " or ",
                 names[i]);
    }
    return loy_pc_fail(c->err, path, v, "%s", what);
}

/* A money amount: a JSON string with at most the currency's decimals, into minor units. */
static int get_money(pctx *c, const char *path, const loy_jv *v, bool positive, int64_t *out)
{
    char like[32];
    loy_money_format(like, sizeof(like), 500 * loy_pow10(c->exp), c->exp);
    if (v && (loy_jv_typeof(v) == LOY_JV_INT || loy_jv_typeof(v) == LOY_JV_REAL))
        return loy_pc_fail(c->err, path, v, "a decimal amount in quotes like \"%s\"", like);
    const char *s = v ? loy_jv_str(v) : NULL;
    if (s && strlen(s) == loy_jv_str_len(v)) {
        const char *q = s;
        while (*q >= '0' && *q <= '9') q++;
        int decimals = 0;
        if (q > s && *q == '.') {
            q++;
            while (q[decimals] >= '0' && q[decimals] <= '9') decimals++;
            if (decimals > c->exp && q[decimals] == '\0') {
                if (c->exp == 0)
                    return loy_pc_fail(c->err, path, v,
                                       "a whole amount like \"%s\" (%s has no decimals)", like,
                                       c->p->currency);
                return loy_pc_fail(c->err, path, v,
                                   "a decimal amount with at most %d decimals like \"%s\"", c->exp,
                                   like);
            }
        }
    }
    int64_t m;
    if (!s || strlen(s) != loy_jv_str_len(v) || !loy_money_parse(s, c->exp, &m))
        return loy_pc_fail(c->err, path, v, "a decimal amount like \"%s\"", like);
    if (positive && m == 0)
        return loy_pc_fail(c->err, path, v, "an amount above zero like \"%s\"", like);
    *out = m;
    return 0;
}

/* A date "YYYY-MM-DD" from 2000-01-01 to 9999-12-31, into merchant-local civil days. */
static int get_date(pctx *c, const char *path, const loy_jv *v, int64_t *out)
{
    const char *s = v ? loy_jv_str(v) : NULL;
    int64_t d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !loy_date_parse(s, &d) ||
        d < loy_days_from_civil(2000, 1, 1) || d > loy_days_from_civil(9999, 12, 31))
        return loy_pc_fail(c->err, path, v, "a date like \"2026-12-01\"");
    *out = d;
    return 0;
}

static int check_dates(pctx *c, const char *path, const loy_jv *o, int64_t from, int64_t to)
{
    char sub[LOY_PC_PATH_MAX];
    if (!from || !to || from <= to) return 0;
    loy_pc_child(sub, sizeof(sub), path, "valid_to");
    return loy_pc_fail(c->err, sub, loy_jv_get(o, "valid_to"),
                       "a date on or after valid_from \"%s\"",
                       loy_jv_str(loy_jv_get(o, "valid_from")));
}

/* ---- references, looked up in the raw document so they may point forwards ---- */

static bool location_exists(pctx *c, const char *code)
{
    const loy_jv *locs = loy_jv_get(c->root, "locations");
    for (size_t i = 0; i < loy_jv_len(locs); i++) {
        const char *s = loy_jv_str(loy_jv_get(loy_jv_at(locs, i), "code"));
        if (s && strcmp(s, code) == 0) return true;
    }
    return false;
}

static bool level_exists(pctx *c, const char *id)
{
    const loy_jv *levels = loy_jv_get(loy_jv_get(c->root, "tiers"), "levels");
    for (size_t i = 0; i < loy_jv_len(levels); i++) {
        const char *s = loy_jv_str(loy_jv_get(loy_jv_at(levels, i), "id"));
        if (s && strcmp(s, id) == 0) return true;
    }
    return false;
}

static bool stamps_reward_exists(pctx *c, const char *id)
{
    const loy_jv *rewards = loy_jv_get(c->root, "rewards");
    for (size_t i = 0; i < loy_jv_len(rewards); i++) {
        const loy_jv *r = loy_jv_at(rewards, i);
        const char *s = loy_jv_str(loy_jv_get(r, "id"));
        if (s && strcmp(s, id) == 0 && loy_jv_get(loy_jv_get(r, "cost"), "stamps")) return true;
    }
    return false;
}

/* ---- names ---- */

static bool lang_ok(const char *s)
{
    size_t n = strlen(s), i = 0;
    if (n > 7) return false;
    while (s[i] >= 'a' && s[i] <= 'z') i++;
    if (i < 2 || i > 3) return false;
    if (!s[i]) return true;
    if (s[i] != '-' || !s[i + 1]) return false;
    for (i++; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static int get_names(pctx *c, const char *path, const loy_jv *v, loy_names *out)
{
    const char *s;
    char sub[LOY_PC_PATH_MAX];
    if (v && loy_jv_typeof(v) == LOY_JV_STRING) {
        int rc = get_str(c, path, v, true, &s);
        if (rc) return rc;
        out->lang = calloc(1, sizeof(*out->lang));
        out->text = calloc(1, sizeof(*out->text));
        if (!out->lang || !out->text) return loy_pc_nomem(c->err, path);
        out->n = 1;
        memcpy(out->lang[0], "en", 3);
        out->text[0] = strdup(s);
        return out->text[0] ? 0 : loy_pc_nomem(c->err, path);
    }
    if (!v || loy_jv_typeof(v) != LOY_JV_OBJECT || loy_jv_len(v) == 0 || loy_jv_len(v) > MAX_LANGS)
        return loy_pc_fail(
            c->err, path, v,
            "a name: a string or an object like {\"en\": \"Gold\", \"ms\": \"Emas\"}");
    size_t n = loy_jv_len(v);
    out->lang = calloc(n, sizeof(*out->lang));
    out->text = calloc(n, sizeof(*out->text));
    if (!out->lang || !out->text) return loy_pc_nomem(c->err, path);
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        const char *key = loy_jv_key_at(v, i);
        loy_pc_child(sub, sizeof(sub), path, key);
        if (!lang_ok(key)) {
            char got[LOY_PC_SHOW_MAX];
            quote(got, sizeof(got), key);
            return loy_pc_fail_shown(c->err, sub, got, "a language tag like \"en\" or \"ms\"");
        }
        int rc = get_str(c, sub, loy_jv_value_at(v, i), true, &s);
        if (rc) return rc;
        memcpy(out->lang[i], key, strlen(key) + 1);
        out->text[i] = strdup(s);
        if (!out->text[i]) return loy_pc_nomem(c->err, path);
    }
    return 0;
}

static void names_free(loy_names *n)
{
    for (size_t i = 0; i < n->n; i++) free(n->text[i]);
    free(n->text);
    free(n->lang);
}

/* ---- merchant ---- */

static const char *const merchant_keys[] = {"name", "currency", "timezone", "locale", NULL};

static bool timezone_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= 64 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") || strstr(s, "//"))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '+' || *s == '-' || *s == '/'))
            return false;
    return true;
}

static int merchant_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    static const char *const locales[] = {"en", "ms", "hu", "bn", NULL};
    const char *s = v ? loy_jv_str(v) : NULL;
    if (strcmp(key, "name") == 0) return dup_str(c, path, v, &p->merchant_name);
    if (strcmp(key, "currency") == 0) {
        if (!s || strlen(s) != 3 || loy_currency_exponent(s) < 0)
            return loy_pc_fail(c->err, path, v, "an ISO 4217 currency code like \"MYR\"");
        memcpy(p->currency, s, 4);
        c->exp = p->exponent = loy_currency_exponent(s);
        return 0;
    }
    if (strcmp(key, "timezone") == 0) {
        if (!s || strlen(s) != loy_jv_str_len(v) || !timezone_ok(s))
            return loy_pc_fail(c->err, path, v,
                               "an IANA time zone name like \"Asia/Kuala_Lumpur\"");
        memcpy(p->timezone, s, strlen(s) + 1);
        return 0;
    }
    int loc;
    int rc = get_enum(c, path, v, locales, &loc);
    if (rc) return rc;
    memcpy(p->locale, locales[loc], 3);
    return 0;
}

/* ---- locations ---- */

static const char *const location_keys[] = {"code", "name", NULL};

static int location_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_location *l = t;
    if (strcmp(key, "name") == 0) return dup_str(c, path, v, &l->name);
    return get_code(c, path, v, "a location code like \"BSR\"", false, l->code);
}

static int parse_locations(pctx *c, const char *path, const loy_jv *v)
{
    loy_programme *p = c->p;
    char sub[LOY_PC_PATH_MAX], code[LOY_PC_PATH_MAX];
    int rc = get_array(c, path, v, false, MAX_LOCS,
                       "locations like [{\"code\": \"BSR\", "
                       "\"name\": \"Bangsar\"}]");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    if (!n) return 0;
    p->locations = calloc(n, sizeof(*p->locations));
    if (!p->locations) return loy_pc_nomem(c->err, path);
    p->nlocations = n;
    for (size_t i = 0; i < n; i++) {
        const loy_jv *o = loy_jv_at(v, i);
        item(sub, path, i);
        static const char *const req[] = {"code", "name", NULL};
        rc = walk(c, sub, o, "an object with a code and a name", location_keys, req, location_field,
                  &p->locations[i]);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->locations[j].code, p->locations[i].code) == 0) {
                loy_pc_child(code, sizeof(code), sub, "code");
                return loy_pc_fail(c->err, code, loy_jv_get(o, "code"),
                                   "a location code not used by an earlier location");
            }
    }
    return 0;
}

/* ---- earn rules: the shared restrictions ---- */

static int parse_days(pctx *c, const char *path, const loy_jv *v, uint8_t *out)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
    char sub[LOY_PC_PATH_MAX];
    if (!v || loy_jv_typeof(v) != LOY_JV_ARRAY || loy_jv_len(v) == 0 || loy_jv_len(v) > 7)
        return loy_pc_fail(c->err, path, v, "an array of days like [\"sat\", \"sun\"]");
    uint8_t mask = 0;
    for (size_t i = 0; i < loy_jv_len(v); i++) {
        int d;
        item(sub, path, i);
        int rc = get_enum(c, sub, loy_jv_at(v, i), days, &d);
        if (rc) return rc;
        if (mask & (1u << d)) return loy_pc_fail(c->err, sub, loy_jv_at(v, i), "each day once");
        mask = (uint8_t)(mask | (1u << d));
    }
    *out = mask;
    return 0;
}

static int parse_hours(pctx *c, const char *path, const loy_jv *v, loy_when *w)
{
    const char *s = v ? loy_jv_str(v) : NULL;
    int from, to;
    if (!s || strlen(s) != 11 || s[5] != '-' || !loy_pc_clock(s, false, &from) ||
        !loy_pc_clock(s + 6, true, &to))
        return loy_pc_fail(c->err, path, v, "hours like \"14:00-16:00\"");
    if (from == to % (24 * 60))
        return loy_pc_fail(c->err, path, v, "two different times like \"14:00-16:00\"");
    w->from_min = from;
    w->to_min = to;
    return 0;
}

static int parse_rule_locations(pctx *c, const char *path, const loy_jv *v, loy_when *w)
{
    char sub[LOY_PC_PATH_MAX];
    int rc = get_array(c, path, v, true, MAX_LOCS, "location codes");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    w->locations = calloc(n, sizeof(*w->locations));
    if (!w->locations) return loy_pc_nomem(c->err, path);
    for (size_t i = 0; i < n; i++) {
        const loy_jv *e = loy_jv_at(v, i);
        const char *s = loy_jv_str(e);
        item(sub, path, i);
        if (!s || strlen(s) >= LOY_ID_MAX || !location_exists(c, s))
            return loy_pc_fail(c->err, sub, e, "the code of a location in \"locations\"");
        for (size_t j = 0; j < i; j++)
            if (strcmp(w->locations[j], s) == 0)
                return loy_pc_fail(c->err, sub, e, "each location once");
        memcpy(w->locations[i], s, strlen(s) + 1);
        w->nlocations = i + 1;
    }
    return 0;
}

/* Fields shared by stamp and points rules; 1 when `key` is not one of them. */
static int when_field(pctx *c, loy_when *w, int64_t *min_spend, const char *key, const char *path,
                      const loy_jv *v)
{
    if (strcmp(key, "min_spend") == 0) return get_money(c, path, v, false, min_spend);
    if (strcmp(key, "category") == 0)
        return get_code(c, path, v, "a category like \"coffee\"", true, w->category);
    if (strcmp(key, "days") == 0) return parse_days(c, path, v, &w->days);
    if (strcmp(key, "hours") == 0) return parse_hours(c, path, v, w);
    if (strcmp(key, "locations") == 0) return parse_rule_locations(c, path, v, w);
    if (strcmp(key, "valid_from") == 0) return get_date(c, path, v, &w->valid_from_day);
    if (strcmp(key, "valid_to") == 0) return get_date(c, path, v, &w->valid_to_day);
    return 1;
}

static int get_priority(pctx *c, const char *path, const loy_jv *v, int *out)
{
    int64_t x;
    int rc = loy_pc_integer(c->err, path, v, 0, PRIO_MAX, &x);
    if (!rc) *out = (int)x;
    return rc;
}

/* Stable sort of rules by priority: index pairs through qsort, ties broken by position. */
typedef struct {
    int priority;
    size_t index;
} prio_ix;

static int prio_cmp(const void *a, const void *b)
{
    const prio_ix *x = a, *y = b;
    if (x->priority != y->priority) return x->priority < y->priority ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int sort_rules(void *rules, size_t n, size_t size, size_t prio_offset)
{
    if (n < 2) return 0;
    prio_ix *ix = malloc(n * sizeof(*ix));
    unsigned char *tmp = malloc(n * size);
    if (!ix || !tmp) {
        free(ix);
        free(tmp);
        return LOY_ENOMEM;
    }
    unsigned char *base = rules;
    for (size_t i = 0; i < n; i++) {
        memcpy(&ix[i].priority, base + i * size + prio_offset, sizeof(int));
        ix[i].index = i;
    }
    qsort(ix, n, sizeof(*ix), prio_cmp);
    for (size_t i = 0; i < n; i++) memcpy(tmp + i * size, base + ix[i].index * size, size);
    memcpy(base, tmp, n * size);
    free(ix);
    free(tmp);
    return 0;
}

/* ---- stamps ---- */

static const char *const stamp_rule_keys[] = {
    "id",        "priority", "stop",  "per",       "stamps",     "amount",   "category",
    "min_spend", "days",     "hours", "locations", "valid_from", "valid_to", NULL};

static int stamp_rule_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    static const char *const pers[] = {"visit", "item", "amount", NULL};
    loy_stamp_rule *r = t;
    int rc = when_field(c, &r->when, &r->min_spend, key, path, v);
    if (rc != 1) return rc;
    if (strcmp(key, "id") == 0) return get_id(c, path, v, "coffee-cups", r->id);
    if (strcmp(key, "priority") == 0) return get_priority(c, path, v, &r->priority);
    if (strcmp(key, "stop") == 0) return loy_pc_bool(c->err, path, v, &r->stop);
    if (strcmp(key, "stamps") == 0)
        return loy_pc_integer(c->err, path, v, 1, STAMPS_MAX, &r->stamps);
    if (strcmp(key, "amount") == 0) return get_money(c, path, v, true, &r->amount);
    int per;
    rc = get_enum(c, path, v, pers, &per);
    if (!rc) r->per = (loy_stamp_per)per;
    return rc;
}

static int parse_stamp_rules(pctx *c, const char *path, const loy_jv *v)
{
    loy_programme *p = c->p;
    char sub[LOY_PC_PATH_MAX], sub2[LOY_PC_PATH_MAX];
    int rc = get_array(c, path, v, true, MAX_RULES, "stamp rules like [{\"per\": \"visit\"}]");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    p->stamp_rules = calloc(n, sizeof(*p->stamp_rules));
    if (!p->stamp_rules) return loy_pc_nomem(c->err, path);
    p->nstamp_rules = n;
    for (size_t i = 0; i < n; i++) {
        loy_stamp_rule *r = &p->stamp_rules[i];
        const loy_jv *o = loy_jv_at(v, i);
        static const char *const req[] = {"per", NULL};
        r->priority = 100;
        r->stamps = 1;
        r->when.from_min = r->when.to_min = -1;
        item(sub, path, i);
        rc = walk(c, sub, o, "an object describing a stamp rule", stamp_rule_keys, req,
                  stamp_rule_field, r);
        if (rc) return rc;
        loy_pc_child(sub2, sizeof(sub2), sub, "amount");
        if (r->per == LOY_STAMP_PER_AMOUNT && !r->amount)
            return get_money(c, sub2, NULL, true, &r->amount);
        if (r->per != LOY_STAMP_PER_AMOUNT && loy_jv_get(o, "amount"))
            return loy_pc_fail(c->err, sub2, loy_jv_get(o, "amount"),
                               "nothing unless per is \"amount\"");
        rc = check_dates(c, sub, o, r->when.valid_from_day, r->when.valid_to_day);
        if (rc) return rc;
        if (!r->id[0]) snprintf(r->id, sizeof(r->id), "stamps-%zu", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->stamp_rules[j].id, r->id) == 0) {
                char got[LOY_PC_SHOW_MAX];
                quote(got, sizeof(got), r->id);
                loy_pc_child(sub2, sizeof(sub2), sub, "id");
                return loy_pc_fail_shown(c->err, sub2, got,
                                         "an id not used by an earlier stamp rule");
            }
    }
    if (sort_rules(p->stamp_rules, n, sizeof(loy_stamp_rule), offsetof(loy_stamp_rule, priority)))
        return loy_pc_nomem(c->err, path);
    return 0;
}

static const char *const stamps_keys[] = {"card_size", "earn", "reward", "expires_after_days",
                                          NULL};

static int stamps_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    if (strcmp(key, "card_size") == 0)
        return loy_pc_integer(c->err, path, v, 1, STAMPS_MAX, &p->card_size);
    if (strcmp(key, "earn") == 0) return parse_stamp_rules(c, path, v);
    if (strcmp(key, "expires_after_days") == 0)
        return loy_pc_integer(c->err, path, v, 0, DAYS_MAX, &p->stamps_expire_days);
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s || strlen(s) >= LOY_ID_MAX || !stamps_reward_exists(c, s))
        return loy_pc_fail(c->err, path, v, "the id of a reward that costs stamps");
    memcpy(p->stamp_reward, s, strlen(s) + 1);
    return 0;
}

/* ---- points ---- */

static const char *const points_rule_keys[] = {
    "id",     "priority",  "stop",       "points_per_unit", "multiplier",
    "points", "rounding",  "min_spend",  "category",        "days",
    "hours",  "locations", "valid_from", "valid_to",        NULL};

static const char *points_kind_set(const loy_points_rule *r)
{
    if (r->rate_milli) return "points_per_unit";
    if (r->multiplier_milli) return "multiplier";
    if (r->fixed_points) return "points";
    return NULL;
}

static int points_rule_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    static const char *const roundings[] = {"floor", "round", "ceil", NULL};
    loy_points_rule *r = t;
    int rc = when_field(c, &r->when, &r->min_spend, key, path, v);
    if (rc != 1) return rc;
    if (strcmp(key, "id") == 0) return get_id(c, path, v, "base", r->id);
    if (strcmp(key, "priority") == 0) return get_priority(c, path, v, &r->priority);
    if (strcmp(key, "stop") == 0) return loy_pc_bool(c->err, path, v, &r->stop);
    if (strcmp(key, "rounding") == 0) {
        int k;
        rc = get_enum(c, path, v, roundings, &k);
        if (!rc) r->rounding = (loy_rounding)k;
        return rc;
    }
    const char *other = points_kind_set(r);
    if (other)
        return loy_pc_fail(
            c->err, path, v,
            "exactly one of \"points_per_unit\", \"multiplier\" or \"points\" (this rule "
            "already has \"%s\")",
            other);
    if (strcmp(key, "points_per_unit") == 0)
        return loy_pc_scaled(c->err, path, v, 3, 1, 1000000000,
                             "a number above 0 and at most 1000000 with at most 3 decimals",
                             &r->rate_milli);
    if (strcmp(key, "multiplier") == 0)
        return loy_pc_scaled(c->err, path, v, 3, 1001, 100000,
                             "a number above 1 and at most 100 with at most 3 decimals",
                             &r->multiplier_milli);
    return loy_pc_integer(c->err, path, v, 1, POINTS_MAX, &r->fixed_points);
}

static int parse_points_rules(pctx *c, const char *path, const loy_jv *v)
{
    loy_programme *p = c->p;
    char sub[LOY_PC_PATH_MAX], sub2[LOY_PC_PATH_MAX];
    int rc = get_array(c, path, v, false, MAX_RULES,
                       "points rules like [{\"id\": \"base\", \"points_per_unit\": 1}]");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    if (!n) return 0;
    p->points_rules = calloc(n, sizeof(*p->points_rules));
    if (!p->points_rules) return loy_pc_nomem(c->err, path);
    p->npoints_rules = n;
    for (size_t i = 0; i < n; i++) {
        loy_points_rule *r = &p->points_rules[i];
        const loy_jv *o = loy_jv_at(v, i);
        static const char *const req[] = {"id", NULL};
        r->priority = 100;
        r->when.from_min = r->when.to_min = -1;
        item(sub, path, i);
        rc = walk(c, sub, o, "an object describing a points rule", points_rule_keys, req,
                  points_rule_field, r);
        if (rc) return rc;
        if (!points_kind_set(r))
            return loy_pc_fail(c->err, sub, o,
                               "exactly one of \"points_per_unit\", \"multiplier\" or \"points\"");
        rc = check_dates(c, sub, o, r->when.valid_from_day, r->when.valid_to_day);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->points_rules[j].id, r->id) == 0) {
                loy_pc_child(sub2, sizeof(sub2), sub, "id");
                return loy_pc_fail(c->err, sub2, loy_jv_get(o, "id"),
                                   "an id not used by an earlier points rule");
            }
    }
    if (sort_rules(p->points_rules, n, sizeof(loy_points_rule),
                   offsetof(loy_points_rule, priority)))
        return loy_pc_nomem(c->err, path);
    return 0;
}

static const char *const expiry_keys[] = {"after_days", "inactive_days", "notice_days", NULL};

static int expiry_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    if (strcmp(key, "after_days") == 0)
        return loy_pc_integer(c->err, path, v, 1, DAYS_MAX, &p->expire_after_days);
    if (strcmp(key, "inactive_days") == 0)
        return loy_pc_integer(c->err, path, v, 1, DAYS_MAX, &p->expire_inactive_days);
    return loy_pc_integer(c->err, path, v, 1, 365, &p->expiring_notice_days);
}

/* Point value: a decimal string with up to exponent + 6 decimals, in minor units x 1e6. */
static int tender_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    if (strcmp(key, "min_points") == 0)
        return loy_pc_integer(c->err, path, v, 1, POINTS_MAX, &p->tender_min_points);
    const char *s = v ? loy_jv_str(v) : NULL;
    int decimals = c->exp + 6;
    uint64_t whole = 0, frac = 0;
    int nd = 0, fd = 0;
    bool ok = s != NULL && strlen(s) == loy_jv_str_len(v);
    const char *q = ok ? s : "";
    for (; *q >= '0' && *q <= '9' && nd < 9; q++, nd++) whole = whole * 10 + (uint64_t)(*q - '0');
    if (*q == '.') {
        for (q++; *q >= '0' && *q <= '9' && fd < decimals; q++, fd++)
            frac = frac * 10 + (uint64_t)(*q - '0');
        ok = ok && fd > 0;
    }
    ok = ok && nd > 0 && *q == '\0';
    for (int i = fd; i < decimals; i++) frac *= 10;
    uint64_t micro = whole * (uint64_t)loy_pow10(decimals) + frac;
    if (!ok || micro == 0)
        return loy_pc_fail(c->err, path, v,
                           "a decimal amount above zero with at most %d decimals like \"%s\"",
                           decimals,
                           c->exp == 0   ? "1"
                           : c->exp == 3 ? "0.001"
                                         : "0.01");
    p->point_value_micro = (int64_t)micro;
    return 0;
}

static const char *const points_keys[] = {"earn",   "pending_days", "expiry",
                                          "tender", "allow_debt",   NULL};

static int points_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    static const char *const tender_keys[] = {"point_value", "min_points", NULL};
    if (strcmp(key, "earn") == 0) return parse_points_rules(c, path, v);
    if (strcmp(key, "pending_days") == 0)
        return loy_pc_integer(c->err, path, v, 0, 365, &p->pending_days);
    if (strcmp(key, "expiry") == 0)
        return walk(c, path, v, "an object like {\"after_days\": 365}", expiry_keys, NULL,
                    expiry_field, p);
    if (strcmp(key, "tender") == 0) {
        p->tender_enabled = true;
        return walk(c, path, v, "an object like {\"point_value\": \"0.01\"}", tender_keys, NULL,
                    tender_field, p);
    }
    return loy_pc_bool(c->err, path, v, &p->allow_debt);
}

/* ---- tiers ---- */

static const char *const level_keys[] = {"id", "name", "threshold", "multiplier", "perks", NULL};

static int level_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_tier_level *l = t;
    char sub[LOY_PC_PATH_MAX];
    if (strcmp(key, "id") == 0) return get_id(c, path, v, "gold", l->id);
    if (strcmp(key, "name") == 0) return get_names(c, path, v, &l->name);
    if (strcmp(key, "threshold") == 0) {
        if (c->p->tier_basis == LOY_TIER_SPEND) return get_money(c, path, v, false, &l->threshold);
        return loy_pc_integer(c->err, path, v, 0, POINTS_MAX, &l->threshold);
    }
    if (strcmp(key, "multiplier") == 0)
        return loy_pc_scaled(c->err, path, v, 3, 1000, 100000,
                             "a number from 1 to 100 with at most 3 decimals",
                             &l->multiplier_milli);
    int rc = get_array(c, path, v, false, MAX_PERKS, "strings");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    if (!n) return 0;
    l->perks = calloc(n, sizeof(*l->perks));
    if (!l->perks) return loy_pc_nomem(c->err, path);
    l->nperks = n;
    for (size_t i = 0; i < n; i++) {
        item(sub, path, i);
        rc = dup_str(c, sub, loy_jv_at(v, i), &l->perks[i]);
        if (rc) return rc;
    }
    return 0;
}

static void show_threshold(const pctx *c, char *out, size_t outsz, int64_t t)
{
    if (c->p->tier_basis == LOY_TIER_SPEND) {
        char m[40];
        loy_money_format(m, sizeof(m), t, c->exp);
        snprintf(out, outsz, "\"%s\"", m);
    } else {
        snprintf(out, outsz, "%lld", (long long)t);
    }
}

static int parse_levels(pctx *c, const char *path, const loy_jv *v)
{
    loy_programme *p = c->p;
    char sub[LOY_PC_PATH_MAX], sub2[LOY_PC_PATH_MAX], prev[48];
    int rc = get_array(c, path, v, true, MAX_LEVELS, "levels like [{\"id\": \"silver\", ...}]");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    p->levels = calloc(n, sizeof(*p->levels));
    if (!p->levels) return loy_pc_nomem(c->err, path);
    p->nlevels = n;
    for (size_t i = 0; i < n; i++) {
        loy_tier_level *l = &p->levels[i];
        const loy_jv *o = loy_jv_at(v, i);
        static const char *const req[] = {"id", "name", "threshold", NULL};
        l->multiplier_milli = 1000;
        item(sub, path, i);
        rc = walk(c, sub, o, "an object describing a tier level", level_keys, req, level_field, l);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->levels[j].id, l->id) == 0) {
                loy_pc_child(sub2, sizeof(sub2), sub, "id");
                return loy_pc_fail(c->err, sub2, loy_jv_get(o, "id"),
                                   "an id not used by an earlier level");
            }
        loy_pc_child(sub2, sizeof(sub2), sub, "threshold");
        if (i == 0 && l->threshold != 0) {
            show_threshold(c, prev, sizeof(prev), 0);
            return loy_pc_fail(c->err, sub2, loy_jv_get(o, "threshold"),
                               "%s for the first level (every member starts there)", prev);
        }
        if (i > 0 && l->threshold <= p->levels[i - 1].threshold) {
            show_threshold(c, prev, sizeof(prev), p->levels[i - 1].threshold);
            return loy_pc_fail(c->err, sub2, loy_jv_get(o, "threshold"),
                               "more than the threshold of the level before (%s)", prev);
        }
    }
    return 0;
}

static const char *const tiers_keys[] = {"basis",      "window_days", "review",
                                         "grace_days", "levels",      NULL};

static int tiers_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    static const char *const basis[] = {"spend", "points", NULL};
    static const char *const reviews[] = {"monthly", "quarterly", "yearly", NULL};
    int k, rc;
    if (strcmp(key, "basis") == 0) {
        rc = get_enum(c, path, v, basis, &k);
        if (!rc) p->tier_basis = (loy_tier_basis)k;
        return rc;
    }
    if (strcmp(key, "window_days") == 0)
        return loy_pc_integer(c->err, path, v, 1, DAYS_MAX, &p->tier_window_days);
    if (strcmp(key, "review") == 0) {
        rc = get_enum(c, path, v, reviews, &k);
        if (!rc) p->tier_review = (loy_review)k;
        return rc;
    }
    if (strcmp(key, "grace_days") == 0)
        return loy_pc_integer(c->err, path, v, 0, DAYS_MAX, &p->tier_grace_days);
    return parse_levels(c, path, v);
}

/* The threshold of a level depends on the basis, so tiers.basis is checked first. */
static int parse_tiers(pctx *c, const char *path, const loy_jv *v)
{
    static const char *const req[] = {"basis", "levels", NULL};
    char sub[LOY_PC_PATH_MAX];
    c->p->has_tiers = true;
    if (v && loy_jv_typeof(v) == LOY_JV_OBJECT) {
        loy_pc_child(sub, sizeof(sub), path, "basis");
        int rc = tiers_field(c, c->p, "basis", sub, loy_jv_get(v, "basis"));
        if (rc) return rc;
    }
    return walk(c, path, v, "an object like {\"basis\": \"spend\", \"levels\": [...]}", tiers_keys,
                req, tiers_field, c->p);
}

/* ---- bonuses ---- */

static const char *const bonuses_keys[] = {"welcome", "birthday", "anniversary", "referral", NULL};
static const char *const birthday_keys[] = {"points", "window", NULL};
static const char *const anniversary_keys[] = {"points", NULL};
static const char *const referral_keys[] = {"referrer", "referee", "min_first_purchase",
                                            "max_per_day", NULL};

static int birthday_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    static const char *const windows[] = {"week", "month", "day", NULL};
    if (strcmp(key, "points") == 0)
        return loy_pc_integer(c->err, path, v, 0, POINTS_MAX, &p->birthday_points);
    int k;
    int rc = get_enum(c, path, v, windows, &k);
    if (!rc) p->birthday_window = (loy_bday_window)k;
    return rc;
}

static int anniversary_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    (void)key;
    return loy_pc_integer(c->err, path, v, 0, POINTS_MAX,
                          &((loy_programme *)t)->anniversary_points);
}

static int referral_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    if (strcmp(key, "referrer") == 0)
        return loy_pc_integer(c->err, path, v, 0, POINTS_MAX, &p->referral_referrer);
    if (strcmp(key, "referee") == 0)
        return loy_pc_integer(c->err, path, v, 0, POINTS_MAX, &p->referral_referee);
    if (strcmp(key, "max_per_day") == 0)
        return loy_pc_integer(c->err, path, v, 1, 1000, &p->referral_max_per_day);
    return get_money(c, path, v, false, &p->referral_min_first_purchase);
}

static int bonuses_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    static const char *const points_req[] = {"points", NULL};
    static const char *const referral_req[] = {"referrer", "referee", NULL};
    if (strcmp(key, "welcome") == 0)
        return loy_pc_integer(c->err, path, v, 0, POINTS_MAX, &p->welcome_points);
    if (strcmp(key, "birthday") == 0)
        return walk(c, path, v, "an object like {\"points\": 100, \"window\": \"week\"}",
                    birthday_keys, points_req, birthday_field, p);
    if (strcmp(key, "anniversary") == 0)
        return walk(c, path, v, "an object like {\"points\": 100}", anniversary_keys, points_req,
                    anniversary_field, p);
    return walk(c, path, v, "an object like {\"referrer\": 100, \"referee\": 50}", referral_keys,
                referral_req, referral_field, p);
}

/* ---- giving ---- */

static const char *const giving_keys[] = {"cause", "percent", NULL};

static int giving_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_programme *p = t;
    if (strcmp(key, "cause") == 0) return dup_str(c, path, v, &p->giving_cause);
    return loy_pc_scaled(c->err, path, v, 2, 1, 10000,
                         "a number above 0 and at most 100 with at most 2 decimals",
                         &p->giving_basis_points);
}

/* ---- rewards ---- */

static const char *const reward_keys[] = {
    "id",    "name",  "kind",       "sku",      "amount",       "percent", "cost",
    "tiers", "stock", "valid_from", "valid_to", "voucher_days", NULL};
static const char *const cost_keys[] = {"points", "stamps", NULL};

static int cost_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    loy_reward *r = t;
    if (r->cost_points || r->cost_stamps)
        return loy_pc_fail(c->err, path, v, "exactly one of \"points\" or \"stamps\" (not both)");
    if (strcmp(key, "points") == 0)
        return loy_pc_integer(c->err, path, v, 1, POINTS_MAX, &r->cost_points);
    return loy_pc_integer(c->err, path, v, 1, STAMPS_MAX, &r->cost_stamps);
}

static int parse_reward_tiers(pctx *c, const char *path, const loy_jv *v, loy_reward *r)
{
    char sub[LOY_PC_PATH_MAX];
    int rc = get_array(c, path, v, true, MAX_LEVELS, "tier level ids");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    r->tiers = calloc(n, sizeof(*r->tiers));
    if (!r->tiers) return loy_pc_nomem(c->err, path);
    for (size_t i = 0; i < n; i++) {
        const loy_jv *e = loy_jv_at(v, i);
        const char *s = loy_jv_str(e);
        item(sub, path, i);
        if (!s || strlen(s) >= LOY_ID_MAX || !level_exists(c, s))
            return loy_pc_fail(c->err, sub, e, "the id of a level in tiers.levels");
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->tiers[j], s) == 0) return loy_pc_fail(c->err, sub, e, "each level once");
        memcpy(r->tiers[i], s, strlen(s) + 1);
        r->ntiers = i + 1;
    }
    return 0;
}

static int reward_field(pctx *c, void *t, const char *key, const char *path, const loy_jv *v)
{
    static const char *const kinds[] = {"free_item", "amount_off", "percent_off", NULL};
    loy_reward *r = t;
    int rc;
    if (strcmp(key, "id") == 0) return get_id(c, path, v, "free-coffee", r->id);
    if (strcmp(key, "name") == 0) return get_names(c, path, v, &r->name);
    if (strcmp(key, "kind") == 0) {
        int k;
        rc = get_enum(c, path, v, kinds, &k);
        if (!rc) r->kind = (loy_reward_kind)k;
        return rc;
    }
    if (strcmp(key, "sku") == 0) return get_code(c, path, v, "a SKU like \"KOPI\"", true, r->sku);
    if (strcmp(key, "amount") == 0) return get_money(c, path, v, true, &r->amount);
    if (strcmp(key, "percent") == 0) return loy_pc_integer(c->err, path, v, 1, 100, &r->percent);
    if (strcmp(key, "cost") == 0) {
        rc = walk(c, path, v, "an object like {\"points\": 500} or {\"stamps\": 10}", cost_keys,
                  NULL, cost_field, r);
        if (!rc && !r->cost_points && !r->cost_stamps)
            return loy_pc_fail(c->err, path, v, "exactly one of \"points\" or \"stamps\"");
        return rc;
    }
    if (strcmp(key, "tiers") == 0) return parse_reward_tiers(c, path, v, r);
    if (strcmp(key, "stock") == 0) return loy_pc_integer(c->err, path, v, 0, POINTS_MAX, &r->stock);
    if (strcmp(key, "valid_from") == 0) return get_date(c, path, v, &r->valid_from_day);
    if (strcmp(key, "valid_to") == 0) return get_date(c, path, v, &r->valid_to_day);
    return loy_pc_integer(c->err, path, v, 1, DAYS_MAX, &r->voucher_days);
}

/* sku, amount and percent belong to one kind each: required there, an error elsewhere. */
static int check_reward_kind(pctx *c, const char *path, const loy_jv *o, loy_reward *r)
{
    static const char *const kind_names[] = {"free_item", "amount_off", "percent_off"};
    static const char *const fields[] = {"sku", "amount", "percent"};
    char sub[LOY_PC_PATH_MAX];
    for (int k = 0; k < 3; k++) {
        const loy_jv *v = loy_jv_get(o, fields[k]);
        loy_pc_child(sub, sizeof(sub), path, fields[k]);
        if ((int)r->kind == k && !v) return reward_field(c, r, fields[k], sub, NULL);
        if ((int)r->kind != k && v)
            return loy_pc_fail(c->err, sub, v, "nothing for kind \"%s\"", kind_names[r->kind]);
    }
    return 0;
}

static int parse_rewards(pctx *c, const char *path, const loy_jv *v)
{
    loy_programme *p = c->p;
    char sub[LOY_PC_PATH_MAX], sub2[LOY_PC_PATH_MAX];
    int rc = get_array(c, path, v, false, MAX_REWARDS, "rewards");
    if (rc) return rc;
    size_t n = loy_jv_len(v);
    if (!n) return 0;
    p->rewards = calloc(n, sizeof(*p->rewards));
    if (!p->rewards) return loy_pc_nomem(c->err, path);
    p->nrewards = n;
    for (size_t i = 0; i < n; i++) {
        loy_reward *r = &p->rewards[i];
        const loy_jv *o = loy_jv_at(v, i);
        static const char *const req[] = {"id", "name", "kind", "cost", NULL};
        r->stock = -1;
        r->voucher_days = 30;
        item(sub, path, i);
        rc = walk(c, sub, o, "an object describing a reward", reward_keys, req, reward_field, r);
        if (!rc) rc = check_reward_kind(c, sub, o, r);
        if (!rc) rc = check_dates(c, sub, o, r->valid_from_day, r->valid_to_day);
        if (rc) return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->rewards[j].id, r->id) == 0) {
                loy_pc_child(sub2, sizeof(sub2), sub, "id");
                return loy_pc_fail(c->err, sub2, loy_jv_get(o, "id"),
                                   "an id not used by an earlier reward");
            }
    }
    return 0;
}

/* ---- the document ---- */

static const char *const root_keys[] = {"format",   "merchant", "locations", "stamps",  "points",
                                        "tiers",    "bonuses",  "giving",    "rewards", "messages",
                                        "triggers", "feedback", "staff",     NULL};

static int parse_root(pctx *c)
{
    loy_programme *p = c->p;
    const loy_jv *root = c->root;
    static const char *const merchant_req[] = {"name", "currency", "timezone", "locale", NULL};
    static const char *const stamps_req[] = {"card_size", "earn", NULL};
    static const char *const giving_req[] = {"cause", "percent", NULL};
    if (loy_jv_typeof(root) != LOY_JV_OBJECT) return loy_pc_fail(c->err, "", root, "a JSON object");
    size_t n = loy_jv_len(root);
    for (size_t i = 0; i < n; i++) {
        const char *key = loy_jv_key_at(root, i);
        if (!loy_pc_known(root_keys, key)) {
            char sub[LOY_PC_PATH_MAX];
            loy_pc_child(sub, sizeof(sub), "", key);
            return loy_pc_unknown(c->err, sub, key, root_keys);
        }
    }
    /* every amount depends on the currency, so the merchant comes first */
    int rc = walk(c, "merchant", loy_jv_get(root, "merchant"),
                  "an object with name, currency, timezone and locale", merchant_keys, merchant_req,
                  merchant_field, p);
    if (rc) return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *key = loy_jv_key_at(root, i);
        const loy_jv *v = loy_jv_value_at(root, i);
        if (strcmp(key, "format") == 0) {
            if (loy_jv_typeof(v) != LOY_JV_INT || loy_jv_int(v) != 1)
                rc = loy_pc_fail(c->err, key, v, "1");
        } else if (strcmp(key, "locations") == 0) {
            rc = parse_locations(c, key, v);
        } else if (strcmp(key, "stamps") == 0) {
            p->has_stamps = true;
            rc = walk(c, key, v, "an object like {\"card_size\": 10, \"earn\": [...]}", stamps_keys,
                      stamps_req, stamps_field, p);
        } else if (strcmp(key, "points") == 0) {
            p->has_points = true;
            rc = walk(c, key, v, "an object like {\"earn\": [...]}", points_keys, NULL,
                      points_field, p);
        } else if (strcmp(key, "tiers") == 0) {
            rc = parse_tiers(c, key, v);
        } else if (strcmp(key, "bonuses") == 0) {
            rc = walk(c, key, v, "an object like {\"welcome\": 50}", bonuses_keys, NULL,
                      bonuses_field, p);
        } else if (strcmp(key, "giving") == 0) {
            p->has_giving = true;
            rc = walk(c, key, v, "an object like {\"cause\": \"...\", \"percent\": 1}", giving_keys,
                      giving_req, giving_field, p);
        } else if (strcmp(key, "rewards") == 0) {
            rc = parse_rewards(c, key, v);
        } else if (strcmp(key, "messages") == 0) {
            rc = loy_msg_settings_parse(&p->messages, key, v, c->err); /* programme_messages.c */
        } else if (strcmp(key, "feedback") == 0) {
            rc = loy_feedback_settings_parse(&p->feedback, key, v, c->err); /* its own file */
        } else if (strcmp(key, "staff") == 0) {
            rc = loy_staff_settings_parse(&p->staff, key, v, c->err); /* programme_staff.c */
        } else if (strcmp(key, "triggers") == 0) {
            rc = loy_trigger_settings_parse(&p->triggers, key, v, root, c->err); /* its own file */
        }
    }
    if (rc) return rc;
    if (!p->tender_enabled ||
        !loy_jv_get(loy_jv_get(loy_jv_get(root, "points"), "tender"), "point_value"))
        p->point_value_micro = loy_pow10(c->exp + 4); /* 0.01 major unit */
    return loy_feedback_settings_check(&p->feedback, p->has_points, c->err);
}

int loy_programme_parse(loy_programme **out, const char *json, size_t len, loy_err *err)
{
    *out = NULL;
    loy_err_clear(err);
    loy_jv *root = loy_jv_parse(json, len, MAX_DEPTH, err);
    if (!root) return LOY_EINVALID;
    loy_programme *p = calloc(1, sizeof(*p));
    if (!p) {
        loy_jv_free(root);
        return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    p->expiring_notice_days = 30;
    p->tender_min_points = 1;
    p->tier_window_days = 365;
    loy_msg_settings_init(&p->messages);
    loy_feedback_settings_init(&p->feedback);
    loy_trigger_settings_init(&p->triggers);
    loy_staff_settings_init(&p->staff);
    p->referral_max_per_day = 5;
    pctx c = {.p = p, .root = root, .err = err, .exp = 2};
    int rc = parse_root(&c);
    loy_jv_free(root);
    if (rc) {
        loy_programme_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void loy_programme_free(loy_programme *p)
{
    if (!p) return;
    free(p->merchant_name);
    for (size_t i = 0; i < p->nlocations; i++) free(p->locations[i].name);
    free(p->locations);
    for (size_t i = 0; i < p->nstamp_rules; i++) free(p->stamp_rules[i].when.locations);
    free(p->stamp_rules);
    for (size_t i = 0; i < p->npoints_rules; i++) free(p->points_rules[i].when.locations);
    free(p->points_rules);
    for (size_t i = 0; i < p->nlevels; i++) {
        names_free(&p->levels[i].name);
        for (size_t j = 0; j < p->levels[i].nperks; j++) free(p->levels[i].perks[j]);
        free(p->levels[i].perks);
    }
    free(p->levels);
    free(p->giving_cause);
    for (size_t i = 0; i < p->nrewards; i++) {
        names_free(&p->rewards[i].name);
        free(p->rewards[i].tiers);
    }
    free(p->rewards);
    loy_msg_settings_free(&p->messages);
    free(p);
}

const loy_reward *loy_programme_reward(const loy_programme *p, const char *id)
{
    if (!p || !id) return NULL;
    for (size_t i = 0; i < p->nrewards; i++)
        if (strcmp(p->rewards[i].id, id) == 0) return &p->rewards[i];
    return NULL;
}

int loy_programme_level_index(const loy_programme *p, const char *tier_id)
{
    if (!p || !tier_id) return -1;
    for (size_t i = 0; i < p->nlevels; i++)
        if (strcmp(p->levels[i].id, tier_id) == 0) return (int)i;
    return -1;
}

const loy_location *loy_programme_location(const loy_programme *p, const char *code)
{
    if (!p || !code) return NULL;
    for (size_t i = 0; i < p->nlocations; i++)
        if (strcmp(p->locations[i].code, code) == 0) return &p->locations[i];
    return NULL;
}

const char *loy_names_get(const loy_names *n, const char *lang)
{
    if (!n || n->n == 0) return "";
    for (size_t i = 0; lang && i < n->n; i++)
        if (strcmp(n->lang[i], lang) == 0) return n->text[i];
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->lang[i], "en") == 0) return n->text[i];
    return n->text[0];
}
