/* `loyalty feedback triage [--lang LANG] [--score N] [--json] TEXT`: the sentiment, topics and
 * urgency of one customer comment by the built-in lexicons (engage/triage.h), with the words that
 * decided them. Needs no database; the comment may also come as {"text", "lang", "score"} on
 * stdin with `-`. */
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/triage.h"

const loy_flag loy_triage_flags[] = {
    {"lang", "lang", F_STR, "language of the comment: bn, en, hu or ms (default: guessed)"},
    {"score", "score", F_INT, "survey score 0-10 that came with it (a detractor's is more urgent)"},
    {NULL, NULL, F_STR, NULL}};

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
    json_t *resp = NULL;
    const char *lang = json_string_value(jlang);
    int rc = loy_app_triage(text, lang, false, score, &resp, err);
    if (rc && lang && !strcmp(err->field, "lang")) { /* name the flag: "--lang: no lexicon ..." */
        char msg[sizeof(err->message)];
        snprintf(msg, sizeof(msg), "%s", err->message);
        loy_err_set(err, rc, "lang", "--%s", msg);
    }
    if (!rc) loy_cli_print(cli, resp, print_human);
    return rc;
}
