/* Comment triage as the use cases show it (engage/triage.h underneath): the lexicon chosen for a
 * language or guessed from the text, and the result as JSON with the words that decided it.
 * Shared by `loyalty feedback triage` and the survey answer (app/feedback.c). */
#ifndef LOY_APP_TRIAGE_H
#define LOY_APP_TRIAGE_H

#include <jansson.h>
#include <stdbool.h>

#include "engage/triage.h"

/* Triages `text` (the survey score 0..10 that came with it, or -1) with the built-in lexicon of
 * `lang`; with lang NULL, or a language without a lexicon when `guess_other` is true, with the
 * built-in lexicon that fits the text best (English when nothing decides). *out = {lang,
 * lang_guessed, sentiment: {label, score}, main_topic, topics: [{topic, score}], urgency,
 * urgency_parts: {words, negative, repeated, exclamation, score}, words: [{text (the comment's
 * words it matched, folded), word (the index of the first of them among the comment's words),
 * kind, topic?, term, line, weight, applied, negated, negator?, intensifier?, scale?,
 * contrast?}], contrast?, words_not_listed?} (scores rounded to 2 decimals). Errors of loy_triage
 * and loy_lexicon_builtin (LOY_EINVALID field "lang" for a language without a lexicon when
 * guess_other is false). */
int loy_app_triage(const char *text, const char *lang, bool guess_other, int score, json_t **out,
                   loy_err *err);

/* The JSON above of a result (guessed: the language was guessed). */
json_t *loy_triage_json(const loy_triage_result *r, bool guessed);

#endif
