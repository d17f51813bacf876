/* `loyalty feedback triage [--lang LANG] [--score N] [--json] TEXT`: the sentiment, topics and
 * urgency of one customer comment by the built-in lexicons (engage/triage.h), with the words that
 * decided them. Needs no database; the comment may also come as {"text", "lang", "score"} on
 * stdin with `-`. */
#include "cli/cli_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engage/triage.h"

const loy_flag loy_triage_flags[] = {
    {"lang", "lang", F_STR, "language of the comment: bn, en, hu or ms (default: guessed)"},
    {"score", "score", F_INT, "survey score 0-10 that came with it (a detractor's is more urgent)"},
    {NULL, NULL, F_STR, NULL}};

#define MAX_LANGS 16

static double round2(double x)
{
    return round(x * 100) / 100;
}

/* Loads the lexicon of `lang`, or of every language into lex[] (returns how many). */
static int load(loy_lexicon **lex, size_t *n, const char *lang, loy_err *err)
{
    *n = 0;
    if (lang) {
        int rc = loy_lexicon_builtin(&lex[0], lang, err);
        if (rc && !strcmp(err->field, "lang")) { /* name the flag: "--lang: no lexicon for ..." */
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "%s", err->message);
            loy_err_set(err, rc, "lang", "--%s", msg);
        }
        *n = !rc;
        return rc;
    }
    char all[128];
    loy_triage_langs(all, sizeof(all));
    char *save = NULL;
    for (char *l = strtok_r(all, ", ", &save); l && *n < MAX_LANGS;
         l = strtok_r(NULL, ", ", &save)) {
        int rc = loy_lexicon_builtin(&lex[*n], l, err);
        if (rc) return rc;
        if (!strcmp(l, "en") && *n) { /* English first: the guess when nothing decides */
            loy_lexicon *first = lex[0];
            lex[0] = lex[*n];
            lex[*n] = first;
        }
        (*n)++;
    }
    return 0;
}

static json_t *to_json(const loy_triage_result *r, bool guessed)
{
    json_t *topics = json_array(), *words = json_array();
    for (size_t i = 0; i < r->ntopics; i++)
        json_array_append_new(topics, json_pack("{s:s, s:f}", "topic",
                                                loy_triage_topics[r->topics[i].topic], "score",
                                                round2(r->topics[i].score)));
    for (size_t i = 0; i < r->nhits; i++) {
        const loy_triage_hit *h = &r->hits[i];
        json_t *w =
            json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:b}", "text", h->text, "kind",
                      loy_lex_kind_name(h->kind), "term", h->term, "line", h->line, "weight",
                      h->weight, "applied", round2(h->applied), "negated", h->negated);
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

static void print_human(const json_t *resp)
{
    const json_t *s = json_object_get(resp, "sentiment");
    printf("sentiment  %s (%+.2f)\n", json_string_value(json_object_get(s, "label")),
           json_real_value(json_object_get(s, "score")));
    printf("topics     ");
    const json_t *topics = json_object_get(resp, "topics"), *t;
    size_t i;
    json_array_foreach(topics, i, t)
        printf("%s%s %.2f", i ? ", " : "", json_string_value(json_object_get(t, "topic")),
               json_real_value(json_object_get(t, "score")));
    printf("%s\n", json_array_size(topics) ? "" : "none");
    const json_t *u = json_object_get(resp, "urgency_parts");
    printf("urgency    %d/100 (words %.0f, negative feeling %.1f, repeated %.0f, exclamation %.0f, "
           "score %.0f)\n",
           (int)json_integer_value(json_object_get(resp, "urgency")),
           json_real_value(json_object_get(u, "words")),
           json_real_value(json_object_get(u, "negative")),
           json_real_value(json_object_get(u, "repeated")),
           json_real_value(json_object_get(u, "exclamation")),
           json_real_value(json_object_get(u, "score")));
    printf("language   %s%s\n", json_string_value(json_object_get(resp, "lang")),
           json_is_true(json_object_get(resp, "lang_guessed")) ? " (guessed)" : "");
    const json_t *c = json_object_get(resp, "contrast");
    if (c) printf("contrast   \"%s\": what follows it counts more\n", json_string_value(c));
    const json_t *words = json_object_get(resp, "words"), *w;
    printf("deciding words%s\n", json_array_size(words) ? "" : ": none");
    json_array_foreach(words, i, w)
    {
        char kind[48];
        const char *topic = json_string_value(json_object_get(w, "topic"));
        snprintf(kind, sizeof(kind), "%s%s%s", json_string_value(json_object_get(w, "kind")),
                 topic ? " " : "", topic ? topic : "");
        printf("  %-17s %+7.2f  \"%s\"  (%s, %s.tsv:%d)", kind,
               json_real_value(json_object_get(w, "applied")),
               json_string_value(json_object_get(w, "text")),
               json_string_value(json_object_get(w, "term")),
               json_string_value(json_object_get(resp, "lang")),
               (int)json_integer_value(json_object_get(w, "line")));
        const json_t *neg = json_object_get(w, "negator"), *in = json_object_get(w, "intensifier");
        const json_t *con = json_object_get(w, "contrast");
        if (neg) printf(" negated by \"%s\"", json_string_value(neg));
        if (in)
            printf(" x%.2g by \"%s\"", json_real_value(json_object_get(w, "scale")),
                   json_string_value(in));
        if (con) printf(" x%.2f by the contrast", json_real_value(con));
        printf("\n");
    }
    const json_t *more = json_object_get(resp, "words_not_listed");
    if (more) printf("  ... and %d more\n", (int)json_integer_value(more));
}

int loy_cmd_feedback_triage(loy_cli *cli, loy_app *app, loy_err *err)
{
    (void)app;
    const json_t *jtext = json_object_get(cli->req, "text");
    const char *text = cli->npos ? cli->pos[0] : json_string_value(jtext);
    if (!text || (!cli->npos && jtext && !json_is_string(jtext)))
        return loy_err_set(err, LOY_EINVALID, "text",
                           "usage: loyalty feedback triage [--lang LANG] [--score N] TEXT: the "
                           "comment TEXT is missing");
    const json_t *jlang = json_object_get(cli->req, "lang");
    if (jlang && !json_is_string(jlang))
        return loy_err_set(err, LOY_EINVALID, "lang", "--lang: expected a language code");
    const json_t *jscore = json_object_get(cli->req, "score");
    int score = -1;
    if (jscore) {
        json_int_t v = json_is_integer(jscore) ? json_integer_value(jscore) : -1;
        if (v < 0 || v > 10)
            return loy_err_set(err, LOY_EINVALID, "score", "--score: expected 0..10");
        score = (int)v;
    }
    loy_lexicon *lex[MAX_LANGS] = {0};
    size_t n = 0, pick = 0;
    int rc = load(lex, &n, json_string_value(jlang), err);
    if (!rc && n > 1) rc = loy_triage_guess(&pick, (const loy_lexicon *const *)lex, n, text, err);
    loy_triage_result *r = rc ? NULL : malloc(sizeof(*r));
    if (!rc && !r) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) rc = loy_triage(r, lex[pick], text, score, err);
    if (!rc) loy_cli_print(cli, to_json(r, n > 1), print_human);
    free(r);
    for (size_t i = 0; i < n; i++) loy_lexicon_free(lex[i]);
    return rc;
}
