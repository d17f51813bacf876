/* libFuzzer target: bytes -> loy_lexicon_parse (every error names its line) and loy_triage of the
 * same bytes as a comment, with that lexicon and with each built-in one (no crash, no sanitizer
 * report, results within their bounds). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engage/triage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const loy_lexicon *lex, const char *text)
{
    loy_triage_result r;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_triage(&r, lex, text, (int)(strlen(text) % 12) - 1, &err);
    if (rc == 0) {
        if (r.urgency < 0 || r.urgency > 100 || r.nhits > LOY_TRIAGE_MAX_HITS ||
            r.ntopics > LOY_TRIAGE_NTOPICS || r.label < -1 || r.label > 1)
            __builtin_trap();
        for (size_t i = 1; i < r.nhits; i++)
            if (r.hits[i].word < r.hits[i - 1].word) __builtin_trap();
    } else if (rc != LOY_EINVALID || strcmp(err.field, "text") != 0) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static loy_lexicon *builtin[4];
    static const char *const langs[] = {"en", "ms", "hu", "bn"};
    if (!builtin[0])
        for (int i = 0; i < 4; i++)
            if (loy_lexicon_builtin(&builtin[i], langs[i], NULL)) __builtin_trap();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    loy_lexicon *lex = NULL;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_lexicon_parse(&lex, "xx", "f.tsv", (const char *)data, size, &err);
    if (rc == 0) {
        check(lex, text);
        loy_lexicon_free(lex);
    } else if (rc != LOY_EINVALID || strncmp(err.field, "f.tsv:", 6) != 0 || !err.message[0]) {
        __builtin_trap();
    }
    for (int i = 0; i < 4; i++) check(builtin[i], text);
    free(text);
    return 0;
}
