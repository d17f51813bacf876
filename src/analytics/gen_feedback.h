/* Synthetic survey answers for the demo (`loyalty demo`): whether a member answers an NPS survey,
 * when, the score and a comment in their language (en, ms, hu, bn) that the triage lexicons
 * understand. Pure and deterministic for a seed and a survey id. */
#ifndef LOY_ANALYTICS_GEN_FEEDBACK_H
#define LOY_ANALYTICS_GEN_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    bool answers;        /* false: the member never answers (about 4 in 10 do not) */
    int64_t delay;       /* seconds from the invitation to the answer: 10 minutes to 2 days */
    int score;           /* 0..10: about half promoters, a third passives, the rest detractors */
    const char *comment; /* static text in the member's language (English for another), or
                            NULL: about 3 in 10 answers have none */
} loy_gen_answer;

/* The answer to survey `survey_id` of a member speaking `locale`. */
loy_gen_answer loy_gen_feedback(uint64_t seed, int64_t survey_id, const char *locale);

#endif
