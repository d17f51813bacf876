/* Comment triage from lexicons: folding, word splitting in any script, longest-phrase matching
 * per kind, negation and intensifier windows, topic and urgency scores, the deciding words. */
#include "engage/triage.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/fold.h"

/* The files of data/triage, embedded by scripts/embed_sql.cmake (the text is in `sql`). */
extern const struct {
    const char *name;
    const char *sql;
} loy_triage_lexicon_files[];

#define NKINDS         6
#define MAX_LINE       1000
#define MAX_ENTRIES    20000
#define STEM_MIN_CHARS 3
#define INTENS_AHEAD   2 /* an intensifier reaches a sentiment word at most 1 word ahead */

enum { W_PREFIX = 1, W_SUFFIX = 2 }; /* "stem*", "*ending", both: "*part*" */

const char *const loy_triage_topics[LOY_TRIAGE_NTOPICS] = {
    "service", "product", "price", "wait", "cleanliness", "staff", "app"};

const char *loy_triage_label_name(int label)
{
    return label < 0 ? "negative" : label > 0 ? "positive" : "neutral";
}

const char *loy_lex_kind_name(loy_lex_kind kind)
{
    static const char *const names[NKINDS] = {"sentiment", "topic",       "urgency",
                                              "negator",   "intensifier", "contrast"};
    return (unsigned)kind < NKINDS ? names[kind] : "?";
}

typedef struct {
    loy_lex_kind kind;
    int topic;
    double weight;
    int line;
    int rank; /* longer phrases, then exact words, then longer patterns win */
    int nwords;
    char *term; /* as written; the folded words follow it in the same allocation */
    const char *word[LOY_TRIAGE_MAX_WORDS];
    size_t wlen[LOY_TRIAGE_MAX_WORDS];
    unsigned char wflag[LOY_TRIAGE_MAX_WORDS];
} entry;

struct loy_lexicon {
    char lang[8];
    entry *e;
    size_t n, cap;
};

/* ---- words ---- */

typedef struct {
    size_t off, len;
    int clause; /* punctuation (. , ; : ! ? ( ) and the danda) starts a new clause */
} token;

static bool is_word_char(utf8proc_int32_t c)
{
    if (c == 0x200C || c == 0x200D) return true; /* ZWNJ, ZWJ inside Bengali words */
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

static bool is_clause_break(utf8proc_int32_t c)
{
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '(' ||
           c == ')' || c == 0x0964 || c == 0x0965;
}

/* Code point at s[i] (valid UTF-8, as folding left it); its length in *len. */
static utf8proc_int32_t cp_at(const char *s, size_t n, size_t i, size_t *len)
{
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t l =
        utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
    *len = l > 0 ? (size_t)l : 1;
    return l > 0 ? c : -1;
}

/* Typographic apostrophes (U+2019, U+02BC) become ASCII ones, in place. */
static void plain_apostrophes(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (!strncmp(r, "\xe2\x80\x99", 3)) {
            *w++ = '\'';
            r += 3;
        } else if (!strncmp(r, "\xca\xbc", 2)) {
            *w++ = '\'';
            r += 2;
        } else
            *w++ = *r++;
    }
    *w = '\0';
}

/* Splits folded text into words: runs of letters, marks and digits of any script, with an
 * apostrophe inside a word kept ("didn't"). Counts '!' into *bangs when not NULL. */
static int split_words(const char *s, token **out, size_t *nout, int *bangs)
{
    size_t n = strlen(s), cap = 0, nt = 0, i = 0;
    token *t = NULL;
    int clause = 0;
    bool in_word = false;
    while (i < n) {
        size_t len;
        utf8proc_int32_t c = cp_at(s, n, i, &len);
        bool word = c >= 0 && is_word_char(c);
        if (!word && c == '\'' && in_word && i + 1 < n) {
            size_t l2;
            utf8proc_int32_t next = cp_at(s, n, i + 1, &l2);
            word = next >= 0 && is_word_char(next);
        }
        if (word) {
            if (!in_word) {
                if (nt == cap) {
                    size_t nc = cap ? cap * 2 : 32;
                    token *nt2 = realloc(t, nc * sizeof(*t));
                    if (!nt2) {
                        free(t);
                        return LOY_ENOMEM;
                    }
                    t = nt2;
                    cap = nc;
                }
                t[nt++] = (token){i, 0, clause};
            }
            t[nt - 1].len = i + len - t[nt - 1].off;
            in_word = true;
        } else {
            in_word = false;
            if (is_clause_break(c)) clause++;
            if (c == '!' && bangs) (*bangs)++;
        }
        i += len;
    }
    *out = t;
    *nout = nt;
    return 0;
}

/* ---- lexicon ---- */

void loy_lexicon_free(loy_lexicon *lex)
{
    if (!lex) return;
    for (size_t i = 0; i < lex->n; i++) free(lex->e[i].term);
    free(lex->e);
    free(lex);
}

const char *loy_lexicon_lang(const loy_lexicon *lex)
{
    return lex->lang;
}

size_t loy_lexicon_size(const loy_lexicon *lex)
{
    return lex->n;
}

static size_t count_chars(const char *s, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Fills the words of `e` from its term: folded, split like comments; '*' only at a word's ends. */
static int parse_term(entry *e, const char *term, const char *where, loy_err *err)
{
    loy_err ferr;
    char *folded = loy_fold(term, &ferr);
    if (!folded) return loy_err_set(err, ferr.code, where, "%s: term is not valid UTF-8", where);
    plain_apostrophes(folded);
    size_t flen = strlen(folded), tlen = strlen(term);
    token *t = NULL;
    size_t nt = 0;
    int rc = split_words(folded, &t, &nt, NULL);
    if (rc) {
        free(folded);
        return loy_err_set(err, rc, where, "out of memory");
    }
    if (nt == 0)
        rc =
            loy_err_set(err, LOY_EINVALID, where, "%s: term \"%s\" has no word in it", where, term);
    else if (nt > LOY_TRIAGE_MAX_WORDS)
        rc = loy_err_set(err, LOY_EINVALID, where, "%s: term \"%s\" has more than %d words", where,
                         term, LOY_TRIAGE_MAX_WORDS);
    /* between words only spaces and hyphens; '*' right against a word, on its outer side */
    for (size_t k = 0; !rc && k <= nt; k++) {
        size_t from = k ? t[k - 1].off + t[k - 1].len : 0, to = k < nt ? t[k].off : flen;
        for (size_t i = from; !rc && i < to; i++) {
            char c = folded[i];
            bool ok = c == ' ' || c == '-' || (c == '*' && k > 0 && i == from) ||
                      (c == '*' && k < nt && i + 1 == to);
            if (ok && c == '*' && k > 0 && k < nt && i == from && i + 1 == to) ok = false;
            if (!ok)
                rc = loy_err_set(err, LOY_EINVALID, where,
                                 "%s: term \"%s\": only words, spaces, hyphens and '*' at the "
                                 "start or end of a word are allowed",
                                 where, term);
        }
    }
    if (!rc) {
        /* one allocation: the term as written, then each folded word */
        e->term = malloc(tlen + 1 + flen + nt + 1);
        if (!e->term) rc = loy_err_set(err, LOY_ENOMEM, where, "out of memory");
    }
    if (!rc) {
        memcpy(e->term, term, tlen + 1);
        char *w = e->term + tlen + 1;
        e->nwords = (int)nt;
        int exact = 0;
        size_t pattern = 0;
        for (size_t k = 0; k < nt; k++) {
            unsigned char fl = 0;
            if (t[k].off > 0 && folded[t[k].off - 1] == '*') fl |= W_SUFFIX;
            if (t[k].off + t[k].len < flen && folded[t[k].off + t[k].len] == '*') fl |= W_PREFIX;
            if (fl && count_chars(folded + t[k].off, t[k].len) < STEM_MIN_CHARS && !rc)
                rc = loy_err_set(err, LOY_EINVALID, where,
                                 "%s: term \"%s\": a word with '*' needs at least %d letters",
                                 where, term, STEM_MIN_CHARS);
            memcpy(w, folded + t[k].off, t[k].len);
            w[t[k].len] = '\0';
            e->word[k] = w;
            e->wlen[k] = t[k].len;
            e->wflag[k] = fl;
            w += t[k].len + 1;
            exact += !fl;
            pattern += t[k].len;
        }
        e->rank = (int)nt * 10000 + exact * 1000 + (int)(pattern < 999 ? pattern : 999);
    }
    free(t);
    free(folded);
    return rc;
}

static bool same_words(const entry *a, const entry *b)
{
    if (a->nwords != b->nwords) return false;
    for (int k = 0; k < a->nwords; k++)
        if (a->wflag[k] != b->wflag[k] || a->wlen[k] != b->wlen[k] ||
            memcmp(a->word[k], b->word[k], a->wlen[k]))
            return false;
    return true;
}

static int parse_kind(entry *e, const char *s, const char *where, loy_err *err)
{
    static const char *const plain[] = {"sentiment", NULL,          "urgency",
                                        "negator",   "intensifier", "contrast"};
    for (int k = 0; k < NKINDS; k++)
        if (plain[k] && !strcmp(s, plain[k])) {
            e->kind = (loy_lex_kind)k;
            return 0;
        }
    if (!strncmp(s, "topic:", 6))
        for (int k = 0; k < LOY_TRIAGE_NTOPICS; k++)
            if (!strcmp(s + 6, loy_triage_topics[k])) {
                e->kind = LOY_LEX_TOPIC;
                e->topic = k;
                return 0;
            }
    return loy_err_set(err, LOY_EINVALID, where,
                       "%s: unknown kind \"%s\" (expected sentiment, urgency, negator, "
                       "intensifier, contrast or topic:NAME with NAME one of service, product, "
                       "price, wait, cleanliness, staff, app)",
                       where, s);
}

static int parse_weight(entry *e, const char *s, const char *where, loy_err *err)
{
    char *end;
    errno = 0;
    double w = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(w))
        return loy_err_set(err, LOY_EINVALID, where, "%s: weight \"%s\" is not a number", where, s);
    const char *rule = NULL;
    switch (e->kind) {
    case LOY_LEX_SENTIMENT:
        if (w == 0 || w < -5 || w > 5) rule = "sentiment weights are -5..5 and not 0";
        break;
    case LOY_LEX_TOPIC:
        if (w <= 0 || w > 5) rule = "topic weights are more than 0 and at most 5";
        break;
    case LOY_LEX_URGENCY:
        if (w <= 0 || w > 100) rule = "urgency weights are more than 0 and at most 100";
        break;
    case LOY_LEX_NEGATOR:
        if (w != floor(w) || w == 0 || w < -5 || w > 5)
            rule = "a negator's weight is its window in words: 1..5 looks ahead, -1..-5 back";
        break;
    case LOY_LEX_INTENSIFIER:
        if (w <= 0 || w > 3) rule = "intensifier factors are more than 0 and at most 3";
        break;
    case LOY_LEX_CONTRAST:
        if (w <= 1 || w > 3) rule = "contrast factors are more than 1 and at most 3";
        break;
    }
    if (rule) return loy_err_set(err, LOY_EINVALID, where, "%s: weight %s: %s", where, s, rule);
    e->weight = w;
    return 0;
}

/* Trims spaces around s[0..len) in place and NUL-terminates it. */
static char *trim(char *s, size_t len)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\r')) len--;
    s[len] = '\0';
    while (*s == ' ') s++;
    return s;
}

/* Parses one non-comment line into `e` (nothing allocated on failure). */
static int parse_line(entry *e, char *line, const char *where, loy_err *err)
{
    char *field[3];
    int nf = 0;
    for (char *p = line; *p;) {
        while (*p == '\t') p++;
        if (!*p) break;
        char *q = strchr(p, '\t');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (nf < 3) field[nf] = p;
        nf++;
        p += len;
        if (q) *p++ = '\0';
    }
    if (nf != 3)
        return loy_err_set(err, LOY_EINVALID, where,
                           "%s: expected 3 tab-separated columns (kind, term, weight), got %d",
                           where, nf);
    for (int k = 0; k < 3; k++) field[k] = trim(field[k], strlen(field[k]));
    int rc = parse_kind(e, field[0], where, err);
    if (!rc) rc = parse_weight(e, field[2], where, err);
    if (!rc) rc = parse_term(e, field[1], where, err);
    return rc;
}

int loy_lexicon_parse(loy_lexicon **out, const char *lang, const char *name, const char *text,
                      size_t len, loy_err *err)
{
    *out = NULL;
    if (!lang || !*lang || strlen(lang) >= sizeof(((loy_lexicon *)0)->lang))
        return loy_err_set(err, LOY_EINVALID, "lang", "lang: expected a language code");
    if (!text) return loy_err_set(err, LOY_EINVALID, name, "%s: no text", name);
    loy_lexicon *lex = calloc(1, sizeof(*lex));
    if (!lex) return loy_err_set(err, LOY_ENOMEM, name, "out of memory");
    snprintf(lex->lang, sizeof(lex->lang), "%s", lang);
    int rc = 0, lineno = 0;
    char where[128], buf[MAX_LINE + 2];
    size_t start = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0; /* a BOM */
    for (size_t i = start; !rc && i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - (text + i)) : len - i;
        lineno++;
        snprintf(where, sizeof(where), "%s line %d", name, lineno);
        if (memchr(text + i, '\0', l))
            rc = loy_err_set(err, LOY_EINVALID, "", "%s: contains a NUL byte", where);
        else if (l > MAX_LINE)
            rc = loy_err_set(err, LOY_EINVALID, "", "%s: longer than %d bytes", where, MAX_LINE);
        if (!rc) {
            memcpy(buf, text + i, l);
            char *s = trim(buf, l);
            while (*s == '\t' || *s == ' ') s++;
            if (*s && *s != '#') {
                if (lex->n == MAX_ENTRIES)
                    rc = loy_err_set(err, LOY_EINVALID, "", "%s: more than %d entries", where,
                                     MAX_ENTRIES);
                else if (lex->n == lex->cap) {
                    size_t nc = lex->cap ? lex->cap * 2 : 256;
                    entry *ne = realloc(lex->e, nc * sizeof(*ne));
                    if (!ne)
                        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
                    else {
                        lex->e = ne;
                        lex->cap = nc;
                    }
                }
                if (!rc) {
                    entry *e = &lex->e[lex->n];
                    memset(e, 0, sizeof(*e));
                    e->line = lineno;
                    rc = parse_line(e, s, where, err);
                    for (size_t k = 0; !rc && k < lex->n; k++) {
                        const entry *o = &lex->e[k];
                        if (o->kind == e->kind && o->topic == e->topic && same_words(o, e))
                            rc = loy_err_set(err, LOY_EINVALID, "",
                                             "%s: \"%s\" is already a %s term on line %d", where,
                                             e->term, loy_lex_kind_name(e->kind), o->line);
                    }
                    if (rc)
                        free(e->term);
                    else
                        lex->n++;
                }
            }
        }
        i += l + (nl ? 1 : 0);
    }
    if (rc) {
        /* the field names the file and line: "en.tsv:12" */
        if (err) snprintf(err->field, sizeof(err->field), "%s:%d", name, lineno);
        loy_lexicon_free(lex);
        return rc;
    }
    *out = lex;
    return 0;
}

int loy_lexicon_builtin(loy_lexicon **out, const char *lang, loy_err *err)
{
    *out = NULL;
    for (size_t i = 0; lang && loy_triage_lexicon_files[i].name; i++) {
        const char *name = loy_triage_lexicon_files[i].name;
        size_t l = strlen(lang);
        if (l < 8 && !strncmp(name, lang, l) && !strcmp(name + l, ".tsv")) {
            const char *text = loy_triage_lexicon_files[i].sql;
            return loy_lexicon_parse(out, lang, name, text, strlen(text), err);
        }
    }
    char known[64];
    return loy_err_set(err, LOY_EINVALID, "lang", "lang: no lexicon for \"%s\" (known: %s)",
                       lang ? lang : "", loy_triage_langs(known, sizeof(known)));
}

char *loy_triage_langs(char *out, size_t n)
{
    if (!n) return out;
    out[0] = '\0';
    size_t w = 0;
    for (size_t i = 0; loy_triage_lexicon_files[i].name; i++) {
        const char *name = loy_triage_lexicon_files[i].name;
        const char *dot = strrchr(name, '.');
        int l = dot ? (int)(dot - name) : (int)strlen(name);
        int k = snprintf(out + w, n - w, "%s%.*s", i ? ", " : "", l, name);
        if (k < 0 || (size_t)k >= n - w) break;
        w += (size_t)k;
    }
    return out;
}

/* ---- matching ---- */

typedef struct match {
    const entry *e;
    size_t start, end; /* words [start, end) */
    bool negated;
    double scale, contrast;
    double added;                              /* for topics: weight x (1 + feeling) */
    const struct match *negator, *intensifier; /* what flipped or scaled it */
} match;

typedef struct {
    const char *s; /* folded comment */
    token *t;
    size_t nt;
    match *m;
    size_t nm, cap;
} scan;

static bool word_matches(const entry *e, int k, const char *tok, size_t len)
{
    const char *w = e->word[k];
    size_t wl = e->wlen[k];
    if (len < wl) return false;
    switch (e->wflag[k]) {
    case 0:
        return len == wl && !memcmp(tok, w, wl);
    case W_PREFIX:
        return !memcmp(tok, w, wl);
    case W_SUFFIX:
        return !memcmp(tok + len - wl, w, wl);
    default:
        for (size_t i = 0; i + wl <= len; i++)
            if (!memcmp(tok + i, w, wl)) return true;
        return false;
    }
}

static bool entry_matches(const scan *sc, const entry *e, size_t at)
{
    if (at + (size_t)e->nwords > sc->nt) return false;
    for (int k = 0; k < e->nwords; k++) {
        const token *t = &sc->t[at + (size_t)k];
        if (t->clause != sc->t[at].clause || !word_matches(e, k, sc->s + t->off, t->len))
            return false;
    }
    return true;
}

static int add_match(scan *sc, const entry *e, size_t start)
{
    if (sc->nm == sc->cap) {
        size_t nc = sc->cap ? sc->cap * 2 : 32;
        match *nm = realloc(sc->m, nc * sizeof(*nm));
        if (!nm) return LOY_ENOMEM;
        sc->m = nm;
        sc->cap = nc;
    }
    sc->m[sc->nm++] = (match){e, start, start + (size_t)e->nwords, false, 1.0, 1.0, 0, NULL, NULL};
    return 0;
}

/* Left to right, the longest term of `kind` at each word wins and takes its words; for topics,
 * every topic whose term ties with it counts (one word can name two topics). */
static int match_kind(scan *sc, const loy_lexicon *lex, loy_lex_kind kind)
{
    for (size_t at = 0; at < sc->nt;) {
        const entry *best = NULL;
        for (size_t i = 0; i < lex->n; i++) {
            const entry *e = &lex->e[i];
            if (e->kind == kind && (!best || e->rank > best->rank) && entry_matches(sc, e, at))
                best = e;
        }
        if (!best) {
            at++;
            continue;
        }
        for (size_t i = 0; i < lex->n; i++) {
            const entry *e = &lex->e[i];
            bool take = e == best || (kind == LOY_LEX_TOPIC && e->kind == kind &&
                                      e->rank == best->rank && entry_matches(sc, e, at));
            if (take && add_match(sc, e, at)) return LOY_ENOMEM;
        }
        at += (size_t)best->nwords;
    }
    return 0;
}

static bool overlaps(const match *a, const match *b)
{
    return a->start < b->end && b->start < a->end;
}

static bool inside_scored(const scan *sc, const match *m)
{
    for (size_t i = 0; i < sc->nm; i++) {
        const match *o = &sc->m[i];
        if ((o->e->kind == LOY_LEX_SENTIMENT || o->e->kind == LOY_LEX_URGENCY) && overlaps(o, m))
            return true;
    }
    return false;
}

/* The match of `kind` that modifier `mod` reaches: the first one that starts within `ahead` words
 * after it, or (when back > 0) the last one that ends within `back` words before it; same clause,
 * and only one that nothing has claimed yet (for negators). */
static match *target(scan *sc, const match *mod, loy_lex_kind kind, size_t ahead, size_t back,
                     bool unclaimed)
{
    int clause = sc->t[mod->start].clause;
    match *best = NULL;
    for (size_t i = 0; ahead && i < sc->nm; i++) {
        match *m = &sc->m[i];
        if (m->e->kind != kind || m->start < mod->end || m->start - mod->end >= ahead ||
            sc->t[m->start].clause != clause || (unclaimed && m->negated))
            continue;
        if (!best || m->start < best->start) best = m;
    }
    if (best) return best;
    for (size_t i = 0; back && i < sc->nm; i++) {
        match *m = &sc->m[i];
        if (m->e->kind != kind || m->end > mod->start || mod->start - m->end >= back ||
            sc->t[m->end - 1].clause != clause || (unclaimed && m->negated))
            continue;
        if (!best || m->end > best->end) best = m;
    }
    return best;
}

static void copy_words(const scan *sc, const match *m, char *out, size_t n)
{
    out[0] = '\0';
    if (!m || !n) return;
    size_t from = sc->t[m->start].off, to = sc->t[m->end - 1].off + sc->t[m->end - 1].len;
    size_t len = to - from;
    if (len >= n) {
        len = n - 1;
        while (len && ((unsigned char)sc->s[from + len] & 0xC0) == 0x80) len--;
    }
    memcpy(out, sc->s + from, len);
    out[len] = '\0';
}

/* Folds, checks and splits `text` into sc (free with scan_free, also after a failure). */
static int prepare(scan *sc, const char *text, int *bangs, loy_err *err)
{
    memset(sc, 0, sizeof(*sc));
    if (!text) return loy_err_set(err, LOY_EINVALID, "text", "text is missing");
    if (strlen(text) > LOY_TRIAGE_MAX_TEXT)
        return loy_err_set(err, LOY_EINVALID, "text", "text is longer than %d bytes",
                           LOY_TRIAGE_MAX_TEXT);
    loy_err ferr;
    char *s = loy_fold(text, &ferr);
    if (!s) return loy_err_set(err, ferr.code, "text", "%s", ferr.message);
    plain_apostrophes(s);
    sc->s = s;
    if (split_words(s, &sc->t, &sc->nt, bangs))
        return loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
    return 0;
}

static void scan_free(scan *sc)
{
    free((char *)sc->s);
    free(sc->t);
    free(sc->m);
}

static int match_all(scan *sc, const loy_lexicon *lex, loy_err *err)
{
    sc->nm = 0;
    for (int k = 0; k < NKINDS; k++)
        if (match_kind(sc, lex, (loy_lex_kind)k))
            return loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
    return 0;
}

/* ---- triage ---- */

/* Orders match pointers by their first word, then kind, then topic. */
static int by_position(const void *a, const void *b)
{
    const match *x = *(const match *const *)a, *y = *(const match *const *)b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->e->kind != y->e->kind) return x->e->kind < y->e->kind ? -1 : 1;
    return x->e->topic - y->e->topic;
}

int loy_triage(loy_triage_result *out, const loy_lexicon *lex, const char *text, int score,
               loy_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!lex) return loy_err_set(err, LOY_EINVALID, "lang", "lang: no lexicon given");
    if (score < -1 || score > 10)
        return loy_err_set(err, LOY_EINVALID, "score", "score: expected 0..10, got %d", score);
    snprintf(out->lang, sizeof(out->lang), "%s", lex->lang);
    scan sc;
    int bangs = 0;
    int rc = prepare(&sc, text, &bangs, err);
    if (!rc) rc = match_all(&sc, lex, err);
    if (rc) {
        scan_free(&sc);
        return rc;
    }
    out->nwords = sc.nt;

    /* a contrast word ("but") ends a clause; the last one weighs the feeling on either side */
    const match *contrast = NULL;
    for (size_t i = 0; i < sc.nm; i++) {
        const match *c = &sc.m[i];
        if (c->e->kind != LOY_LEX_CONTRAST || inside_scored(&sc, c)) continue;
        for (size_t w = c->start; w < sc.nt; w++) sc.t[w].clause++;
        if (!contrast || c->start > contrast->start) contrast = c;
    }
    if (contrast) copy_words(&sc, contrast, out->contrast, sizeof(out->contrast));

    /* negators flip one sentiment and one urgency term in their window; intensifiers scale the
     * sentiment word right after them (or right before, "sedap sangat") */
    for (size_t i = 0; i < sc.nm; i++) {
        match *mod = &sc.m[i];
        if (mod->e->kind != LOY_LEX_NEGATOR && mod->e->kind != LOY_LEX_INTENSIFIER) continue;
        if (inside_scored(&sc, mod)) continue; /* "tidak sedap", "never again": the phrase rules */
        if (mod->e->kind == LOY_LEX_NEGATOR) {
            int win = (int)mod->e->weight;
            size_t ahead = win > 0 ? (size_t)win : 0, back = win < 0 ? (size_t)-win : 0;
            for (int k = 0; k < 2; k++) {
                match *m =
                    target(&sc, mod, k ? LOY_LEX_URGENCY : LOY_LEX_SENTIMENT, ahead, back, true);
                if (m) {
                    m->negated = true;
                    m->negator = mod;
                }
            }
        } else {
            match *m = target(&sc, mod, LOY_LEX_SENTIMENT, INTENS_AHEAD, 1, false);
            if (m) {
                m->scale *= mod->e->weight;
                if (!m->intensifier) m->intensifier = mod;
            }
        }
    }

    /* sentiment, per clause too (topics count more where the comment's feeling is) */
    int nclauses = sc.nt ? sc.t[sc.nt - 1].clause + 1 : 0;
    double *clause_feel = calloc((size_t)nclauses + 1, sizeof(double));
    if (!clause_feel) {
        scan_free(&sc);
        return loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
    }
    double neg_sum = 0;
    int nneg = 0;
    for (size_t i = 0; i < sc.nm; i++) {
        match *m = &sc.m[i];
        if (m->e->kind != LOY_LEX_SENTIMENT) continue;
        if (contrast && m->end <= contrast->start) m->contrast = 1 / contrast->e->weight;
        if (contrast && m->start >= contrast->end) m->contrast = contrast->e->weight;
        double a = (m->negated ? -m->e->weight : m->e->weight * m->scale) * m->contrast;
        out->sentiment += a;
        clause_feel[sc.t[m->start].clause] += a;
        if (a < 0) {
            neg_sum -= a;
            nneg++;
        }
    }
    out->label = out->sentiment >= LOY_TRIAGE_LABEL_EDGE    ? LOY_TRIAGE_POSITIVE
                 : out->sentiment <= -LOY_TRIAGE_LABEL_EDGE ? LOY_TRIAGE_NEGATIVE
                                                            : LOY_TRIAGE_NEUTRAL;

    /* topics: weight x (1 + |feeling of its clause| when that feeling agrees with the label) */
    double tscore[LOY_TRIAGE_NTOPICS] = {0};
    size_t tfirst[LOY_TRIAGE_NTOPICS];
    for (int k = 0; k < LOY_TRIAGE_NTOPICS; k++) tfirst[k] = SIZE_MAX;
    for (size_t i = 0; i < sc.nm; i++) {
        match *m = &sc.m[i];
        if (m->e->kind != LOY_LEX_TOPIC) continue;
        double feel = clause_feel[sc.t[m->start].clause];
        double boost = feel * out->label > 0 ? fabs(feel) : 0;
        m->added = m->e->weight * (1 + boost);
        tscore[m->e->topic] += m->added;
        if (m->start < tfirst[m->e->topic]) tfirst[m->e->topic] = m->start;
    }
    free(clause_feel);
    for (int k = 0; k < LOY_TRIAGE_NTOPICS; k++) {
        if (tscore[k] <= 0) continue;
        size_t j = out->ntopics++;
        while (j > 0 && (tscore[k] > out->topics[j - 1].score ||
                         (tscore[k] == out->topics[j - 1].score &&
                          tfirst[k] < tfirst[out->topics[j - 1].topic]))) {
            out->topics[j] = out->topics[j - 1];
            j--;
        }
        out->topics[j] = (loy_triage_topic_score){k, tscore[k]};
    }

    /* urgency */
    for (size_t i = 0; i < sc.nm; i++)
        if (sc.m[i].e->kind == LOY_LEX_URGENCY && !sc.m[i].negated)
            out->why.terms += sc.m[i].e->weight;
    out->why.negatives = 5 * neg_sum;
    out->why.repeats = nneg > 1 ? 5.0 * (nneg - 1) : 0;
    if (neg_sum > 0 || out->why.terms > 0) out->why.exclamation = 5.0 * (bangs < 3 ? bangs : 3);
    if (score >= 0 && score <= 6) out->why.score = 5.0 * (7 - score);
    double u = out->why.terms + out->why.negatives + out->why.repeats + out->why.exclamation +
               out->why.score;
    out->urgency = u >= 100 ? 100 : (int)lround(u);

    /* the deciding words, in the order of the comment (the first LOY_TRIAGE_MAX_HITS) */
    const match **order = malloc((sc.nm + 1) * sizeof(*order));
    if (!order) {
        scan_free(&sc);
        return loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
    }
    size_t norder = 0;
    for (size_t i = 0; i < sc.nm; i++) {
        loy_lex_kind kind = sc.m[i].e->kind;
        if (kind == LOY_LEX_SENTIMENT || kind == LOY_LEX_TOPIC || kind == LOY_LEX_URGENCY)
            order[norder++] = &sc.m[i];
    }
    qsort(order, norder, sizeof(*order), by_position);
    for (size_t i = 0; i < norder; i++) {
        const match *m = order[i];
        loy_lex_kind kind = m->e->kind;
        if (out->nhits == LOY_TRIAGE_MAX_HITS) {
            out->dropped++;
            continue;
        }
        loy_triage_hit *h = &out->hits[out->nhits++];
        h->kind = kind;
        h->topic = kind == LOY_LEX_TOPIC ? m->e->topic : 0;
        h->term = m->e->term;
        h->line = m->e->line;
        h->word = m->start;
        h->weight = m->e->weight;
        h->negated = m->negated;
        h->scale = kind == LOY_LEX_SENTIMENT && !m->negated ? m->scale : 1;
        h->contrast = m->contrast;
        h->applied = kind == LOY_LEX_SENTIMENT
                         ? (m->negated ? -h->weight : h->weight * h->scale) * h->contrast
                     : kind == LOY_LEX_URGENCY ? (m->negated ? 0 : h->weight)
                                               : m->added;
        copy_words(&sc, m, h->text, sizeof(h->text));
        copy_words(&sc, m->negator, h->negator, sizeof(h->negator));
        if (h->scale != 1) copy_words(&sc, m->intensifier, h->intensity, sizeof(h->intensity));
    }
    free(order);
    scan_free(&sc);
    return 0;
}

int loy_triage_guess(size_t *out, const loy_lexicon *const *lexicons, size_t n, const char *text,
                     loy_err *err)
{
    *out = 0;
    scan sc;
    int rc = prepare(&sc, text, NULL, err);
    bool *covered = rc ? NULL : calloc(sc.nt + 1, sizeof(bool));
    if (!rc && !covered) rc = loy_err_set(err, LOY_ENOMEM, "text", "out of memory");
    size_t best = 0;
    for (size_t l = 0; !rc && l < n; l++) {
        rc = match_all(&sc, lexicons[l], err);
        memset(covered, 0, sc.nt + 1);
        for (size_t i = 0; !rc && i < sc.nm; i++)
            for (size_t w = sc.m[i].start; w < sc.m[i].end; w++) covered[w] = true;
        size_t count = 0;
        for (size_t w = 0; w < sc.nt; w++) count += covered[w];
        if (count > best) {
            best = count;
            *out = l;
        }
    }
    free(covered);
    scan_free(&sc);
    return rc;
}
