/* The "triggers" section of a programme file (docs/programme.md, docs/engagement.md): which
 * engagement messages a merchant sends (welcome, thank-you, birthday, anniversary, reorder
 * reminder, win-back, tier up, points expiring, reward available), when, with which offer and
 * template, and the local time of the daily jobs. The survey invitation is not here: it belongs
 * to the feedback section. Pure: no I/O. */
#ifndef LOY_CORE_PROGRAMME_TRIGGERS_H
#define LOY_CORE_PROGRAMME_TRIGGERS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/jv.h"

/* The triggers of this section. Event triggers are decided by a write use case (join, purchase)
 * inside its transaction; daily triggers by the daily jobs. */
typedef enum {
    LOY_TRIG_WELCOME = 0, /* event: a member joined */
    LOY_TRIG_THANKS,      /* event: the member's Nth purchase */
    LOY_TRIG_TIER_UP,     /* event: an outcome moved the member up a tier */
    LOY_TRIG_REWARD,      /* event: an outcome made a reward affordable */
    LOY_TRIG_BIRTHDAY,    /* daily */
    LOY_TRIG_ANNIVERSARY, /* daily: of the first purchase */
    LOY_TRIG_REORDER,     /* daily */
    LOY_TRIG_WINBACK,     /* daily */
    LOY_TRIG_EXPIRING,    /* daily */
    LOY_TRIG_COUNT
} loy_trigger;

#define LOY_TRIG_FIRST_DAILY LOY_TRIG_BIRTHDAY

/* The name a trigger has in the file, in messages and templates: "welcome", "thanks", ... */
const char *loy_trigger_name(loy_trigger t);

#define LOY_TRIG_REF_MAX 48 /* reward and template ids and their NUL */

typedef struct {
    bool on;
    char offer[LOY_TRIG_REF_MAX];       /* reward id of a voucher sent with it; "" = none */
    char template_id[LOY_TRIG_REF_MAX]; /* "" = the trigger's own template */
    int64_t delay_minutes;              /* event triggers: not sent before event + delay */
    int64_t days_before;                /* birthday, anniversary (0..30), expiring (1..365) */
    int64_t after_purchases;            /* thanks: the Nth purchase exactly (default 1) */
    int64_t margin_milli;               /* reorder: x1000 of the median gap (1.5 -> 1500) */
    int64_t min_purchases;              /* reorder: purchases needed (default 3) */
    int64_t p_alive_below_milli;        /* winback: P(alive) x1000 threshold; 0 = not used */
    int64_t days_without_visit;         /* winback: 0 = not used */
    int64_t every_days;                 /* winback: at most once per this many days (90) */
} loy_trigger_cfg;

typedef struct {
    bool present;                      /* the section is in the file */
    int send_at;                       /* daily jobs: merchant-local minutes of day (10:00) */
    loy_trigger_cfg t[LOY_TRIG_COUNT]; /* every trigger off unless configured */
} loy_trigger_settings;

/* The defaults (no section in the file): every trigger off, send_at 10:00, each trigger's own
 * defaults in place for when it is turned on. */
void loy_trigger_settings_init(loy_trigger_settings *s);

/* Parses the section at JSON path `path` (`v`, a util/jv value) into s (initialised with the
 * defaults first). `root` is the whole document: offers must name one of its rewards and
 * template overrides one of its messages.templates or a trigger's default template. Unknown
 * fields are errors. LOY_EINVALID with the JSON path of the offending value as the field and
 * "PATH: expected ..., got ..." as the message, as the rest of the programme file. */
int loy_trigger_settings_parse(loy_trigger_settings *s, const char *path, const loy_jv *v,
                               const loy_jv *root, loy_err *err);

#endif
