/* Comment triage: topic, sentiment and urgency of a customer comment from a transparent lexicon
 * (data/triage/LANG.tsv, embedded at build time), with the words that decided it. Pure: no I/O,
 * no globals; the method is described in docs/feedback.md. */
#ifndef LOY_ENGAGE_TRIAGE_H
#define LOY_ENGAGE_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define LOY_TRIAGE_NTOPICS    7
#define LOY_TRIAGE_MAX_HITS   48    /* deciding words kept per comment; more are counted */
#define LOY_TRIAGE_MAX_TEXT   16384 /* bytes of comment text accepted */
#define LOY_TRIAGE_MAX_WORDS  4     /* words in one lexicon term */
#define LOY_TRIAGE_LABEL_EDGE 0.5   /* |sentiment| from which a comment is positive/negative */

/* What a lexicon line says about its term. */
typedef enum {
    LOY_LEX_SENTIMENT,   /* weight -5..5: what the word adds to the sentiment score */
    LOY_LEX_TOPIC,       /* weight (0, 5]: what the word adds to its topic */
    LOY_LEX_URGENCY,     /* weight (0, 100]: what the word adds to the urgency */
    LOY_LEX_NEGATOR,     /* weight +-1..5: window; > 0 negates a word after it, < 0 before it */
    LOY_LEX_INTENSIFIER, /* weight (0, 3]: factor on the sentiment word next to it */
    LOY_LEX_CONTRAST     /* weight (1, 3]: "but": ends a clause; the feeling after the comment's
                            last one counts x weight, before it / weight */
} loy_lex_kind;

enum { LOY_TRIAGE_NEGATIVE = -1, LOY_TRIAGE_NEUTRAL = 0, LOY_TRIAGE_POSITIVE = 1 };

/* Topic names by index: service, product, price, wait, cleanliness, staff, app. */
extern const char *const loy_triage_topics[LOY_TRIAGE_NTOPICS];

/* "negative", "neutral" or "positive" for a LOY_TRIAGE_* label. */
const char *loy_triage_label_name(int label);

/* "sentiment", "topic", "urgency", "negator", "intensifier" or "contrast". */
const char *loy_lex_kind_name(loy_lex_kind kind);

typedef struct loy_lexicon loy_lexicon;

/* Parses lexicon text (format in docs/feedback.md: `kind<TAB>term<TAB>weight` lines, '#'
 * comments) for language `lang` into a new lexicon (*out; free with loy_lexicon_free). Terms are
 * folded like comments (util/fold.h). `name` (e.g. "en.tsv") names the text in errors. A bad line
 * fails the whole text with LOY_EINVALID, field "NAME:LINE", message "NAME line LINE: ...". */
int loy_lexicon_parse(loy_lexicon **out, const char *lang, const char *name, const char *text,
                      size_t len, loy_err *err);

/* The lexicon built into the program for `lang` (data/triage/LANG.tsv), parsed into a new
 * lexicon. LOY_EINVALID with field "lang" for a language that has none (see loy_triage_langs). */
int loy_lexicon_builtin(loy_lexicon **out, const char *lang, loy_err *err);

/* Writes the languages that have a built-in lexicon, comma separated ("bn, en, hu, ms"), into
 * out[n] (cut to fit, NUL-terminated when n > 0); returns `out`. */
char *loy_triage_langs(char *out, size_t n);

/* NULL-safe. */
void loy_lexicon_free(loy_lexicon *lex);

/* The language the lexicon is for; the number of entries it holds. */
const char *loy_lexicon_lang(const loy_lexicon *lex);
size_t loy_lexicon_size(const loy_lexicon *lex);

/* One word or phrase of the comment that counted. */
typedef struct {
    loy_lex_kind kind; /* LOY_LEX_SENTIMENT, LOY_LEX_TOPIC or LOY_LEX_URGENCY */
    int topic;         /* for LOY_LEX_TOPIC: index into loy_triage_topics */
    const char *term;  /* the lexicon term as written, e.g. "koszos*" (borrowed from the lexicon) */
    int line;          /* its line in the lexicon file */
    char text[96];     /* the comment's words it matched, folded (may be cut at a character) */
    size_t word;       /* index of its first word in the comment */
    double weight;     /* the lexicon weight */
    double applied;    /* what it added: weight x scale x contrast, or -weight x contrast when
                          negated; urgency: weight, 0 when negated; topic: weight x (1 +
                          |feeling of its clause| when that agrees with the label) */
    double scale;      /* intensifier factor applied, 1 if none (or negated) */
    double contrast;   /* 1, or the factor of the contrast word before or after it */
    bool negated;      /* a negator flipped it */
    char negator[32];  /* the negator's words, "" if none */
    char intensity[32]; /* the intensifier's words, "" if none */
} loy_triage_hit;

typedef struct {
    int topic;    /* index into loy_triage_topics */
    double score; /* sum of its words' weights, more where the comment's feeling is */
} loy_triage_topic_score;

/* Where the urgency came from (the sum, clamped to 0..100, rounded, is `urgency`). */
typedef struct {
    double terms;       /* urgency words that were not negated */
    double negatives;   /* 5 x the sum of |negative sentiment| */
    double repeats;     /* 5 per negative sentiment word after the first */
    double exclamation; /* 5 per '!' (at most 3) when something was negative */
    double score;       /* (7 - score) x 5 for a detractor's survey score 0..6 */
} loy_triage_urgency;

typedef struct {
    char lang[8];
    char contrast[32]; /* the contrast word that split the comment ("but"), "" if none */
    double sentiment;  /* sum of the applied sentiment weights */
    int label;         /* LOY_TRIAGE_NEGATIVE (sentiment <= -0.5), NEUTRAL or POSITIVE (>= 0.5) */
    loy_triage_topic_score topics[LOY_TRIAGE_NTOPICS]; /* those that occur, main one first */
    size_t ntopics;
    int urgency; /* 0..100 */
    loy_triage_urgency why;
    loy_triage_hit hits[LOY_TRIAGE_MAX_HITS]; /* in the order of the comment */
    size_t nhits;
    size_t dropped; /* hits beyond LOY_TRIAGE_MAX_HITS (counted in the scores, not listed) */
    size_t nwords;  /* words in the comment */
} loy_triage_result;

/* Triage of one comment with lexicon `lex`. `score` is the survey score 0..10 that came with the
 * comment, or -1 for none. Fills *out (overwritten entirely; `term` pointers borrow from `lex`).
 * Empty, blank or emoji-only text gives a neutral result with no topics and urgency 0 (plus the
 * detractor's part). LOY_EINVALID with field "text" for text that is NULL, not valid UTF-8 or
 * longer than LOY_TRIAGE_MAX_TEXT, field "score" for a score outside -1..10; LOY_ENOMEM. */
int loy_triage(loy_triage_result *out, const loy_lexicon *lex, const char *text, int score,
               loy_err *err);

/* Which of `n` lexicons fits `text` best: the one whose terms cover the most of its words (the
 * first of equals; index 0 when none matches). Sets *out to its index. LOY_EINVALID as for
 * loy_triage. */
int loy_triage_guess(size_t *out, const loy_lexicon *const *lexicons, size_t n, const char *text,
                     loy_err *err);

#endif
