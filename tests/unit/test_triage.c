/* Unit tests for engage/triage: accuracy on the labelled comments of tests/data/triage (printed
 * per language, at least 80% required), negation, phrases, urgency order, the deciding words,
 * edge cases of the text, and the lexicon parser's line-numbered errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>

#include "engage/triage.h"

#define LABELLED_DIR  "tests/data/triage"
#define MIN_COMMENTS  30
#define MIN_ACCURACY  0.80
#define LEXICON_FILES "data/triage"

static const char *const langs[] = {"en", "ms", "hu", "bn"};

static loy_lexicon *builtin(const char *lang)
{
    loy_lexicon *lex = NULL;
    loy_err err;
    loy_err_clear(&err);
    if (loy_lexicon_builtin(&lex, lang, &err)) fail_msg("lexicon %s: %s", lang, err.message);
    return lex;
}

static void triage(loy_triage_result *r, const loy_lexicon *lex, const char *text, int score)
{
    loy_err err;
    loy_err_clear(&err);
    if (loy_triage(r, lex, text, score, &err))
        fail_msg("triage of \"%s\" failed: %s", text, err.message);
}

static const loy_triage_hit *find_hit(const loy_triage_result *r, loy_lex_kind kind,
                                      const char *text)
{
    for (size_t i = 0; i < r->nhits; i++)
        if (r->hits[i].kind == kind && !strcmp(r->hits[i].text, text)) return &r->hits[i];
    return NULL;
}

static const char *main_topic(const loy_triage_result *r)
{
    return r->ntopics ? loy_triage_topics[r->topics[0].topic] : "none";
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    buf[got] = '\0';
    return buf;
}

/* ---- accuracy on the labelled comments ---- */

typedef struct {
    int n, sentiment, topic;
} score_card;

/* Runs every comment of `path` through `lex`; prints the misses. */
static score_card evaluate(const char *path, const char *lang, const loy_lexicon *lex)
{
    score_card sc = {0, 0, 0};
    char *text = slurp(path);
    if (!text) fail_msg("cannot read %s", path);
    int lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        lineno++;
        if (!*line || *line == '#') continue;
        char *want_sent = line, *want_topic = strchr(line, '\t'), *comment = NULL;
        if (want_topic) *want_topic++ = '\0';
        if (want_topic) comment = strchr(want_topic, '\t');
        if (!comment) fail_msg("%s: line %d is not sentiment<TAB>topic<TAB>text", path, lineno);
        *comment++ = '\0';
        loy_triage_result r;
        triage(&r, lex, comment, -1);
        bool s_ok = !strcmp(loy_triage_label_name(r.label), want_sent);
        bool t_ok = !strcmp(main_topic(&r), want_topic);
        sc.n++;
        sc.sentiment += s_ok;
        sc.topic += t_ok;
        if (!s_ok || !t_ok)
            printf("  miss %s:%d: %s/%s, want %s/%s (%.2f): %s\n", lang, lineno,
                   loy_triage_label_name(r.label), main_topic(&r), want_sent, want_topic,
                   r.sentiment, comment);
    }
    free(text);
    return sc;
}

static void print_card(const char *what, const char *lang, score_card c)
{
    printf("%s %s: sentiment %d/%d = %.1f%%, main topic %d/%d = %.1f%%\n", what, lang, c.sentiment,
           c.n, c.n ? 100.0 * c.sentiment / c.n : 0, c.topic, c.n, c.n ? 100.0 * c.topic / c.n : 0);
}

/* The labelled set (the lexicons were tuned on it): at least MIN_COMMENTS a language and
 * MIN_ACCURACY for both figures. The held-out set is only printed: an estimate for new text. */
static void test_accuracy(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
        char path[256];
        loy_lexicon *lex = builtin(langs[l]);
        snprintf(path, sizeof(path), "%s/%s.tsv", LABELLED_DIR, langs[l]);
        score_card c = evaluate(path, langs[l], lex);
        print_card("triage accuracy", langs[l], c);
        if (c.n < MIN_COMMENTS) {
            printf("  %s: only %d labelled comments, need %d\n", langs[l], c.n, MIN_COMMENTS);
            failures++;
        }
        if (c.sentiment < MIN_ACCURACY * c.n || c.topic < MIN_ACCURACY * c.n) failures++;
        snprintf(path, sizeof(path), "%s/holdout/%s.tsv", LABELLED_DIR, langs[l]);
        print_card("triage held-out accuracy", langs[l], evaluate(path, langs[l], lex));
        loy_lexicon_free(lex);
    }
    assert_int_equal(failures, 0);
}

/* ---- focused behaviour ---- */

static void test_negation_flips(void **state)
{
    (void)state;
    loy_lexicon *en = builtin("en"), *ms = builtin("ms"), *hu = builtin("hu");
    loy_triage_result r;
    triage(&r, en, "The coffee was good", -1);
    assert_int_equal(r.label, LOY_TRIAGE_POSITIVE);
    triage(&r, en, "The coffee was not good", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    const loy_triage_hit *h = find_hit(&r, LOY_LEX_SENTIMENT, "good");
    assert_non_null(h);
    assert_true(h->negated);
    assert_string_equal(h->negator, "not");
    assert_true(h->applied < 0);
    /* "n't" by the ending of the word, typographic apostrophe too */
    triage(&r, en, "The staff weren\xe2\x80\x99t friendly", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    assert_string_equal(find_hit(&r, LOY_LEX_SENTIMENT, "friendly")->negator, "weren't");
    triage(&r, en, "Not bad at all", -1);
    assert_int_equal(r.label, LOY_TRIAGE_POSITIVE);
    /* the window stops at punctuation: "no" does not reach across the comma */
    triage(&r, en, "No, the cake was lovely", -1);
    assert_int_equal(r.label, LOY_TRIAGE_POSITIVE);
    assert_false(find_hit(&r, LOY_LEX_SENTIMENT, "lovely")->negated);
    /* the intensifier counts, and not under a negation */
    triage(&r, en, "very good", -1);
    assert_true(r.sentiment > 2.9 && r.sentiment < 3.1);
    assert_string_equal(r.hits[0].intensity, "very");
    triage(&r, en, "not very good", -1);
    assert_true(r.sentiment < -1.9 && r.sentiment > -2.1);
    /* Malay and Hungarian negators */
    triage(&r, ms, "Kopi tak sedap", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    triage(&r, ms, "Layanan tidak mesra langsung", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    triage(&r, hu, "A kávé nem volt finom", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    assert_string_equal(find_hit(&r, LOY_LEX_SENTIMENT, "finom")->negator, "nem");
    /* a negated urgency word adds nothing: "not dirty at all" */
    triage(&r, en, "The tables were not dirty at all", -1);
    assert_int_equal(r.label, LOY_TRIAGE_POSITIVE);
    assert_true(r.why.terms == 0);
    assert_int_equal(r.urgency, 0);
    loy_lexicon_free(en);
    loy_lexicon_free(ms);
    loy_lexicon_free(hu);
}

static void test_bengali_post_negation(void **state)
{
    (void)state;
    loy_lexicon *bn = builtin("bn");
    loy_triage_result r;
    triage(&r, bn, "খাবার ভালো ছিল", -1); /* the food was good */
    assert_int_equal(r.label, LOY_TRIAGE_POSITIVE);
    triage(&r, bn, "খাবার ভালো ছিল না", -1); /* ... was not: না comes after */
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    const loy_triage_hit *h = find_hit(&r, LOY_LEX_SENTIMENT, "ভালো");
    assert_non_null(h);
    assert_true(h->negated);
    assert_string_equal(h->negator, "না");
    triage(&r, bn, "টয়লেট পরিষ্কার নয়", -1); /* the toilet is not clean */
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    assert_string_equal(main_topic(&r), "cleanliness");
    /* the negation inside the verb: পছন্দ হয়নি = did not like */
    triage(&r, bn, "চুল কাটা পছন্দ হয়নি", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    /* a না before the word does not negate it (the Bengali window looks back) */
    triage(&r, bn, "না, খাবার খুব ভালো", -1);
    assert_int_equal(r.label, LOY_TRIAGE_POSITIVE);
    /* vowel signs are kept by folding: "ভালো" is not "ভল" */
    assert_non_null(find_hit(&r, LOY_LEX_SENTIMENT, "ভালো"));
    loy_lexicon_free(bn);
}

static void test_phrase_beats_words(void **state)
{
    (void)state;
    loy_lexicon *en = builtin("en"), *ms = builtin("ms");
    loy_triage_result r;
    /* "food poisoning": one phrase, not "food" (product) next to an unknown word */
    triage(&r, en, "food poisoning", -1);
    const loy_triage_hit *h = find_hit(&r, LOY_LEX_URGENCY, "food poisoning");
    assert_non_null(h);
    assert_string_equal(h->term, "food poisoning");
    assert_true(h->weight >= 50);
    assert_null(find_hit(&r, LOY_LEX_URGENCY, "poisoning"));
    /* Malay "terlalu manis" (too sweet) is negative though "terlalu" alone only scales */
    triage(&r, ms, "Kopi terlalu manis", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    assert_non_null(find_hit(&r, LOY_LEX_SENTIMENT, "terlalu manis"));
    /* a phrase from a custom lexicon wins over its words and over the negator in it */
    loy_lexicon *lex = NULL;
    loy_err err;
    const char *text = "sentiment\tsedap\t2\nsentiment\ttidak sedap\t-3\nnegator\ttidak\t3\n";
    assert_int_equal(loy_lexicon_parse(&lex, "ms", "t.tsv", text, strlen(text), &err), 0);
    triage(&r, lex, "tidak sedap", -1);
    assert_int_equal(r.nhits, 1);
    assert_string_equal(r.hits[0].term, "tidak sedap");
    assert_false(r.hits[0].negated);
    assert_true(r.sentiment == -3);
    loy_lexicon_free(lex);
    loy_lexicon_free(en);
    loy_lexicon_free(ms);
}

static void test_hungarian_stems(void **state)
{
    (void)state;
    loy_lexicon *hu = builtin("hu");
    loy_triage_result r;
    /* koszos* matches koszosak, koszosabb; accents folded: "KOSZOSABB" too */
    triage(&r, hu, "A mosdók koszosak voltak", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    assert_string_equal(main_topic(&r), "cleanliness");
    const loy_triage_hit *h = find_hit(&r, LOY_LEX_SENTIMENT, "koszosak");
    assert_non_null(h);
    assert_string_equal(h->term, "koszos*");
    triage(&r, hu, "Egyre KOSZOSABB a padló", -1);
    assert_non_null(find_hit(&r, LOY_LEX_SENTIMENT, "koszosabb"));
    /* a compound word: ételmérgezés by "*mérgez*" */
    triage(&r, hu, "Ételmérgezést kaptam", -1);
    assert_true(r.urgency >= 60);
    loy_lexicon_free(hu);
}

static void test_urgency_order(void **state)
{
    (void)state;
    loy_lexicon *en = builtin("en");
    loy_triage_result worst, slow, lovely;
    triage(&worst, en, "food poisoning, never again", -1);
    triage(&slow, en, "a bit slow", -1);
    triage(&lovely, en, "lovely", -1);
    assert_true(worst.urgency > slow.urgency);
    assert_true(slow.urgency > lovely.urgency);
    assert_int_equal(lovely.urgency, 0);
    assert_true(worst.urgency >= 80);
    assert_int_equal(slow.label, LOY_TRIAGE_NEGATIVE);
    /* a detractor's score adds urgency; a promoter's adds none */
    loy_triage_result s0, s9;
    triage(&s0, en, "a bit slow", 0);
    triage(&s9, en, "a bit slow", 9);
    assert_int_equal(s0.urgency, slow.urgency + 35);
    assert_int_equal(s9.urgency, slow.urgency);
    /* exclamation and repeated negative words raise it */
    loy_triage_result bang, twice;
    triage(&bang, en, "a bit slow!!", -1);
    assert_int_equal(bang.urgency, slow.urgency + 10);
    triage(&twice, en, "slow, rude, dirty", -1);
    assert_true(twice.why.repeats == 10);
    loy_lexicon_free(en);
}

static void test_deciding_words(void **state)
{
    (void)state;
    loy_lexicon *en = builtin("en");
    loy_triage_result r;
    triage(&r, en, "The barista was very rude and the toilets were not clean!", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    /* in the order of the comment, each with its lexicon line and what it added */
    const loy_triage_hit *rude = find_hit(&r, LOY_LEX_SENTIMENT, "rude");
    const loy_triage_hit *clean = find_hit(&r, LOY_LEX_SENTIMENT, "clean");
    assert_non_null(rude);
    assert_non_null(clean);
    assert_true(rude < clean);
    assert_string_equal(rude->term, "rude*");
    assert_true(rude->line > 0);
    assert_true(rude->weight == -3);
    assert_true(rude->scale == 1.5);
    assert_true(rude->applied == -4.5);
    assert_string_equal(rude->intensity, "very");
    assert_true(clean->negated);
    assert_true(clean->applied == -2);
    assert_non_null(find_hit(&r, LOY_LEX_TOPIC, "barista"));
    assert_non_null(find_hit(&r, LOY_LEX_URGENCY, "rude"));
    for (size_t i = 1; i < r.nhits; i++) assert_true(r.hits[i - 1].word <= r.hits[i].word);
    double sum = 0;
    for (size_t i = 0; i < r.nhits; i++)
        if (r.hits[i].kind == LOY_LEX_SENTIMENT) sum += r.hits[i].applied;
    assert_true(sum == r.sentiment);
    /* two topics, the one the complaint is about first */
    assert_true(r.ntopics >= 2);
    loy_lexicon_free(en);
}

/* "but" ends a clause and the feeling after it counts more (x1.5, before it /1.5) */
static void test_contrast(void **state)
{
    (void)state;
    loy_lexicon *en = builtin("en");
    loy_triage_result r;
    triage(&r, en, "Lovely cakes but the service was painfully slow", -1);
    assert_int_equal(r.label, LOY_TRIAGE_NEGATIVE);
    assert_string_equal(r.contrast, "but");
    const loy_triage_hit *lovely = find_hit(&r, LOY_LEX_SENTIMENT, "lovely");
    const loy_triage_hit *slow = find_hit(&r, LOY_LEX_SENTIMENT, "slow");
    assert_true(fabs(lovely->applied - 2) < 1e-9);  /* 3 / 1.5 */
    assert_true(fabs(slow->applied - -4.5) < 1e-9); /* -2 x 1.5 (painfully) x 1.5 (but) */
    assert_string_equal(main_topic(&r), "wait");
    /* the negation window stops at "but": "great" is not negated */
    triage(&r, en, "not cheap but great", -1);
    assert_false(find_hit(&r, LOY_LEX_SENTIMENT, "great")->negated);
    assert_true(find_hit(&r, LOY_LEX_SENTIMENT, "cheap")->negated);
    /* without a contrast word nothing is re-weighted */
    triage(&r, en, "Lovely cakes and slow service", -1);
    assert_string_equal(r.contrast, "");
    assert_true(find_hit(&r, LOY_LEX_SENTIMENT, "lovely")->contrast == 1);
    loy_lexicon_free(en);
}

static void test_empty_and_odd_text(void **state)
{
    (void)state;
    loy_lexicon *en = builtin("en");
    loy_triage_result r;
    const char *blank[] = {"", "   \t\n ", "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d", "!!! ... ???"};
    for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
        triage(&r, en, blank[i], -1);
        assert_int_equal(r.label, LOY_TRIAGE_NEUTRAL);
        assert_int_equal(r.ntopics, 0);
        assert_int_equal(r.nhits, 0);
        assert_int_equal(r.urgency, 0);
    }
    assert_int_equal(r.nwords, 0);
    /* invalid UTF-8 (a lone continuation byte, an overlong form) is refused */
    loy_err err;
    const char *bad[] = {"good \x80 coffee", "\xc0\xafgood", "caf\xc3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        loy_err_clear(&err);
        assert_int_equal(loy_triage(&r, en, bad[i], -1, &err), LOY_EINVALID);
        assert_string_equal(err.field, "text");
    }
    assert_int_equal(loy_triage(&r, en, NULL, -1, &err), LOY_EINVALID);
    assert_int_equal(loy_triage(&r, en, "good", 11, &err), LOY_EINVALID);
    assert_string_equal(err.field, "score");
    char *huge = malloc(LOY_TRIAGE_MAX_TEXT + 2);
    memset(huge, 'a', LOY_TRIAGE_MAX_TEXT + 1);
    huge[LOY_TRIAGE_MAX_TEXT + 1] = '\0';
    assert_int_equal(loy_triage(&r, en, huge, -1, &err), LOY_EINVALID);
    free(huge);
    /* many deciding words: the list is capped, the scores count them all */
    char many[4096] = "";
    for (int i = 0; i < 60; i++) strcat(many, "good ");
    triage(&r, en, many, -1);
    assert_int_equal(r.nhits, LOY_TRIAGE_MAX_HITS);
    assert_true(r.dropped > 0);
    assert_true(r.sentiment == 120);
    loy_lexicon_free(en);
}

static void test_languages(void **state)
{
    (void)state;
    loy_lexicon *lex = NULL;
    loy_err err;
    char known[64];
    assert_string_equal(loy_triage_langs(known, sizeof(known)), "bn, en, hu, ms");
    /* an unknown language is an error naming the field, not a silent fallback */
    assert_int_equal(loy_lexicon_builtin(&lex, "fr", &err), LOY_EINVALID);
    assert_null(lex);
    assert_string_equal(err.field, "lang");
    assert_non_null(strstr(err.message, "bn, en, hu, ms"));
    assert_int_equal(loy_lexicon_builtin(&lex, "e", &err), LOY_EINVALID);
    assert_int_equal(loy_lexicon_builtin(&lex, "en.tsv", &err), LOY_EINVALID);
    /* guessing: the lexicon that covers most words */
    loy_lexicon *all[4];
    for (int i = 0; i < 4; i++) all[i] = builtin(langs[i]);
    const loy_lexicon *const *set = (const loy_lexicon *const *)all;
    size_t g = 9;
    assert_int_equal(loy_triage_guess(&g, set, 4, "The coffee was cold and the staff rude", &err),
                     0);
    assert_string_equal(langs[g], "en");
    assert_int_equal(loy_triage_guess(&g, set, 4, "Kopi tak sedap, pekerja sombong", &err), 0);
    assert_string_equal(langs[g], "ms");
    assert_int_equal(loy_triage_guess(&g, set, 4, "Nagyon finom a kávé, kedves kiszolgálás", &err),
                     0);
    assert_string_equal(langs[g], "hu");
    assert_int_equal(loy_triage_guess(&g, set, 4, "খাবার ভালো ছিল না", &err), 0);
    assert_string_equal(langs[g], "bn");
    assert_int_equal(loy_triage_guess(&g, set, 4, "xyzzy", &err), 0);
    assert_int_equal(g, 0);
    assert_int_equal(loy_triage_guess(&g, set, 4, "\xff", &err), LOY_EINVALID);
    for (int i = 0; i < 4; i++) loy_lexicon_free(all[i]);
}

/* ---- the lexicon parser ---- */

static void expect_bad(const char *text, const char *field, const char *needle)
{
    loy_lexicon *lex = (loy_lexicon *)1;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_lexicon_parse(&lex, "en", "x.tsv", text, strlen(text), &err);
    if (rc != LOY_EINVALID) fail_msg("expected an error for [%s], got %d", text, rc);
    assert_null(lex);
    if (strcmp(err.field, field)) fail_msg("[%s]: field %s, want %s", text, err.field, field);
    if (!strstr(err.message, needle))
        fail_msg("[%s]: message \"%s\" lacks \"%s\"", text, err.message, needle);
}

static void test_lexicon_errors(void **state)
{
    (void)state;
    /* the bad line is named by its number: comments and blank lines count */
    expect_bad("# comment\n\nsentiment\tgood\t2\nsentimnet\tbad\t-2\n", "x.tsv:4",
               "x.tsv line 4: unknown kind \"sentimnet\"");
    expect_bad("sentiment\tgood\n", "x.tsv:1", "expected 3 tab-separated columns");
    expect_bad("sentiment good 2\n", "x.tsv:1", "expected 3 tab-separated columns");
    expect_bad("sentiment\tgood\tlots\n", "x.tsv:1", "weight \"lots\" is not a number");
    expect_bad("sentiment\tgood\t9\n", "x.tsv:1", "-5..5");
    expect_bad("sentiment\tgood\t0\n", "x.tsv:1", "-5..5");
    expect_bad("urgency\tsick\t-10\n", "x.tsv:1", "urgency weights");
    expect_bad("negator\tnot\t1.5\n", "x.tsv:1", "window");
    expect_bad("intensifier\tvery\t0\n", "x.tsv:1", "intensifier");
    expect_bad("topic:weather\train\t1\n", "x.tsv:1", "topic:NAME");
    expect_bad("sentiment\t!!!\t1\n", "x.tsv:1", "has no word");
    expect_bad("sentiment\tgo*od\t1\n", "x.tsv:1", "'*'");
    expect_bad("sentiment\tgood, bad\t1\n", "x.tsv:1", "only words");
    expect_bad("sentiment\tab*\t1\n", "x.tsv:1", "at least 3 letters");
    expect_bad("sentiment\ta b c d e\t1\n", "x.tsv:1", "more than 4 words");
    expect_bad("sentiment\tgood\t2\nsentiment\tGOOD\t3\n", "x.tsv:2", "already a sentiment term");
    expect_bad("sentiment\tcaf\xc3\t2\n", "x.tsv:1", "not valid UTF-8");
    /* the same word may be in several kinds and topics */
    loy_lexicon *lex = NULL;
    loy_err err;
    const char *ok = "\xef\xbb\xbf# with a BOM\r\n"
                     "sentiment\tdirty\t-3\r\n"
                     "urgency\tdirty\t15\r\n"
                     "topic:cleanliness\tdirty\t2\r\n"
                     "topic:staff\tdirty\t1\r\n"
                     "\t  \r\n"
                     "  sentiment\t\tnice\t\t2  \r\n";
    int rc = loy_lexicon_parse(&lex, "en", "ok.tsv", ok, strlen(ok), &err);
    if (rc) fail_msg("%s", err.message);
    assert_int_equal(loy_lexicon_size(lex), 5);
    assert_string_equal(loy_lexicon_lang(lex), "en");
    loy_triage_result r;
    triage(&r, lex, "Dirty!", -1);
    assert_int_equal(r.ntopics, 2);
    assert_string_equal(main_topic(&r), "cleanliness");
    loy_lexicon_free(lex);
}

/* The files in data/triage parse as they are (the embedded copies are those files). */
static void test_shipped_lexicons(void **state)
{
    (void)state;
    for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
        char path[256], name[16];
        snprintf(path, sizeof(path), "%s/%s.tsv", LEXICON_FILES, langs[l]);
        snprintf(name, sizeof(name), "%s.tsv", langs[l]);
        char *text = slurp(path);
        assert_non_null(text);
        loy_lexicon *lex = NULL, *embedded = builtin(langs[l]);
        loy_err err;
        if (loy_lexicon_parse(&lex, langs[l], name, text, strlen(text), &err))
            fail_msg("%s", err.message);
        assert_int_equal(loy_lexicon_size(lex), loy_lexicon_size(embedded));
        /* broad enough: at least 40 sentiment terms and 8 terms per topic */
        int sentiment = 0, topic[LOY_TRIAGE_NTOPICS] = {0};
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (!strncmp(line, "sentiment\t", 10)) sentiment++;
            for (int k = 0; k < LOY_TRIAGE_NTOPICS; k++) {
                char prefix[32];
                snprintf(prefix, sizeof(prefix), "topic:%s\t", loy_triage_topics[k]);
                if (!strncmp(line, prefix, strlen(prefix))) topic[k]++;
            }
        }
        printf("lexicon %s: %zu entries, %d sentiment terms\n", langs[l], loy_lexicon_size(lex),
               sentiment);
        assert_true(sentiment >= 40);
        for (int k = 0; k < LOY_TRIAGE_NTOPICS; k++)
            if (topic[k] < 8)
                fail_msg("%s: only %d %s terms", langs[l], topic[k], loy_triage_topics[k]);
        loy_lexicon_free(lex);
        loy_lexicon_free(embedded);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_negation_flips),
        cmocka_unit_test(test_bengali_post_negation),
        cmocka_unit_test(test_phrase_beats_words),
        cmocka_unit_test(test_hungarian_stems),
        cmocka_unit_test(test_urgency_order),
        cmocka_unit_test(test_deciding_words),
        cmocka_unit_test(test_contrast),
        cmocka_unit_test(test_empty_and_odd_text),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_lexicon_errors),
        cmocka_unit_test(test_shipped_lexicons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
