/* Comment triage as JSON (see app/triage.h): lexicon choice and the rendering of a result. */
#include "app/triage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LANGS 16

static double round2(double x)
{
    return round(x * 100) / 100;
}

json_t *loy_triage_json(const loy_triage_result *r, bool guessed)
{
    json_t *topics = json_array(), *words = json_array();
    for (size_t i = 0; i < r->ntopics; i++)
        json_array_append_new(topics, json_pack("{s:s, s:f}", "topic",
                                                loy_triage_topics[r->topics[i].topic], "score",
                                                round2(r->topics[i].score)));
    for (size_t i = 0; i < r->nhits; i++) {
        const loy_triage_hit *h = &r->hits[i];
        json_t *w = json_pack("{s:s, s:I, s:s, s:s, s:i, s:f, s:f, s:b}", "text", h->text, "word",
                              (json_int_t)h->word, "kind", loy_lex_kind_name(h->kind), "term",
                              h->term, "line", h->line, "weight", h->weight, "applied",
                              round2(h->applied), "negated", h->negated);
        if (h->kind == LOY_LEX_TOPIC)
            json_object_set_new(w, "topic", json_string(loy_triage_topics[h->topic]));
        if (h->negator[0]) json_object_set_new(w, "negator", json_string(h->negator));
        if (h->intensity[0]) {
            json_object_set_new(w, "intensifier", json_string(h->intensity));
            json_object_set_new(w, "scale", json_real(h->scale));
        }
        if (h->contrast != 1) json_object_set_new(w, "contrast", json_real(round2(h->contrast)));
        json_array_append_new(words, w);
    }
    json_t *resp = json_pack(
        "{s:s, s:b, s:{s:s, s:f}, s:o, s:o, s:i, s:{s:f, s:f, s:f, s:f, s:f}, s:o}", "lang",
        r->lang, "lang_guessed", guessed, "sentiment", "label", loy_triage_label_name(r->label),
        "score", round2(r->sentiment), "main_topic",
        r->ntopics ? json_string(loy_triage_topics[r->topics[0].topic]) : json_null(), "topics",
        topics, "urgency", r->urgency, "urgency_parts", "words", round2(r->why.terms), "negative",
        round2(r->why.negatives), "repeated", round2(r->why.repeats), "exclamation",
        round2(r->why.exclamation), "score", round2(r->why.score), "words", words);
    if (r->contrast[0]) json_object_set_new(resp, "contrast", json_string(r->contrast));
    if (r->dropped)
        json_object_set_new(resp, "words_not_listed", json_integer((json_int_t)r->dropped));
    return resp;
}

/* Every built-in lexicon into lex[] (English first: the guess when nothing decides). */
static int load_all(loy_lexicon **lex, size_t *n, loy_err *err)
{
    char all[128];
    loy_triage_langs(all, sizeof(all));
    char *save = NULL;
    for (char *l = strtok_r(all, ", ", &save); l && *n < MAX_LANGS;
         l = strtok_r(NULL, ", ", &save)) {
        int rc = loy_lexicon_builtin(&lex[*n], l, err);
        if (rc) return rc;
        if (!strcmp(l, "en") && *n) {
            loy_lexicon *first = lex[0];
            lex[0] = lex[*n];
            lex[*n] = first;
        }
        (*n)++;
    }
    return 0;
}

int loy_app_triage(const char *text, const char *lang, bool guess_other, int score, json_t **out,
                   loy_err *err)
{
    *out = NULL;
    loy_lexicon *lex[MAX_LANGS] = {0};
    size_t n = 0, pick = 0;
    int rc = 0;
    if (lang) {
        rc = loy_lexicon_builtin(&lex[0], lang, err);
        n = !rc;
        if (rc == LOY_EINVALID && guess_other && !strcmp(err->field, "lang")) {
            loy_err_clear(err);
            rc = 0;
        }
    }
    bool guessed = !n;
    if (!rc && guessed) rc = load_all(lex, &n, err);
    if (!rc && n > 1) rc = loy_triage_guess(&pick, (const loy_lexicon *const *)lex, n, text, err);
    loy_triage_result *r = rc ? NULL : malloc(sizeof(*r));
    if (!rc && !r) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_triage(r, lex[pick], text, score, err);
    if (!rc && !(*out = loy_triage_json(r, guessed)))
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(r);
    for (size_t i = 0; i < n; i++) loy_lexicon_free(lex[i]);
    return rc;
}
