/* libFuzzer target: programme documents -> loy_programme_parse (every error path must free and
 * name a field; no crash, no sanitizer report). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/programme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loy_programme *p = NULL;
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_programme_parse(&p, (const char *)data, size, &err);
    if (rc == 0) {
        /* a valid programme must be self-consistent */
        if (p->has_stamps && p->card_size <= 0) __builtin_trap();
        for (size_t i = 1; i < p->nlevels; i++)
            if (p->levels[i].threshold <= p->levels[i - 1].threshold) __builtin_trap();
        loy_programme_free(p);
    } else if (rc != LOY_EINVALID || !err.message[0]) {
        __builtin_trap();
    }
    return 0;
}
