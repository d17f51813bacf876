/* Engagement triggers (docs/engagement.md): which messages are due for a member, decided from the
 * member's state, the programme's "triggers" section and the member's local date, each with the
 * idempotency key of its message. Pure: no I/O, no clock; the caller gives every date. Days are
 * civil days since 1970-01-01 in the member's time zone (util/time.h). */
#ifndef LOY_CORE_TRIGGERS_H
#define LOY_CORE_TRIGGERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/programme_triggers.h"

#define LOY_DAY_NONE     INT64_MIN /* "no such day": never fired, no purchase, ... */
#define LOY_TRIG_KEY_MAX 64
#define LOY_TRIG_GAPS    20 /* the reorder rule looks at the latest 20 gaps at most */

/* What the daily triggers need to know about one member. */
typedef struct {
    int64_t today;              /* the member's local date now */
    int bday_day, bday_month;   /* 0 = no birthday */
    int64_t bday_set_day;       /* local day the birthday was entered or changed; LOY_DAY_NONE =
                                   unknown (entered before that was recorded: it counts) */
    int64_t first_purchase_day; /* LOY_DAY_NONE = no purchase yet */
    int64_t purchases;          /* purchases so far */
    /* local days of the latest purchases, newest first (at most LOY_TRIG_GAPS + 1 are used);
       several purchases on one day are one visit */
    const int64_t *purchase_days;
    size_t npurchase_days;
    int p_alive_milli;       /* P(alive) x1000 rounded down; -1 = not known (no model, no score) */
    int64_t expiring_points; /* points that expire within the expiring trigger's days_before */
    int64_t expiring_day;    /* local day of the first of those expiries; LOY_DAY_NONE = none */
    int64_t last_fired[LOY_TRIG_COUNT]; /* local day each trigger last fired; LOY_DAY_NONE */
} loy_trigger_member;

/* A trigger that is due, with the idempotency key of its message (at most one message per
 * member, trigger and key) and a sentence saying why. */
typedef struct {
    loy_trigger trigger;
    char key[LOY_TRIG_KEY_MAX];
    char why[200];
} loy_trigger_due;

/* The daily triggers due for member `m` today, in enum order, into out (room for
 * LOY_TRIG_COUNT); returns how many. Each key is the member's local date ("2026-11-23"), so a
 * second run on the same day asks for the same messages again and the message queue keeps one.
 * Rules (each only when its trigger is on):
 * - birthday: from days_before days before the member's local birthday up to the day itself
 *   (29 February falls on 28 February in common years), once per occurrence, and only when the
 *   birthday was entered 30 or more days before it (loy_birthday_settled, as the bonus);
 * - anniversary: the same window around each anniversary of the first purchase (year 1 on);
 * - reorder: with min_purchases or more purchases, when the days since the last purchase exceed
 *   margin x the median gap between the latest purchases (distinct days), once per gap (not
 *   again until the member buys again); never to a member the win-back rule finds lapsed (with
 *   win-back on), whether or not the win-back message is due again that day;
 * - winback: with one purchase or more, when P(alive) is known and below p_alive_below, or no
 *   purchase for days_without_visit days; at most once per every_days;
 * - expiring: when points expire within days_before, once per first expiry date (not again
 *   until that window is over). */
size_t loy_triggers_daily(const loy_trigger_settings *s, const loy_trigger_member *m,
                          loy_trigger_due *out);

/* Event triggers, decided inside the event's write transaction. Each returns how many were
 * written to out (room for LOY_TRIG_COUNT). */
/* A member joined: welcome, key "member:ID". */
size_t loy_triggers_joined(const loy_trigger_settings *s, int64_t member, loy_trigger_due *out);
/* A purchase (id `purchase`) was recorded and is the member's `nth` purchase; `events` (LOY_EV_*)
 * and `tier_after` come from its outcome: thanks on the Nth purchase exactly (key
 * "purchase:ID"), tier_up when it moved the member up (key "tier:ID": once per tier, ever),
 * reward when it made a reward affordable (key "purchase:ID"). */
size_t loy_triggers_purchased(const loy_trigger_settings *s, int64_t purchase, int64_t nth,
                              uint32_t events, const char *tier_after, loy_trigger_due *out);

#endif
