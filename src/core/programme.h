/* The loyalty programme: a validated, immutable description of the rules, parsed from the
 * programme JSON file (docs/programme.md documents every field). Pure: no I/O. */
#ifndef LOY_CORE_PROGRAMME_H
#define LOY_CORE_PROGRAMME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/programme_feedback.h"
#include "core/programme_staff.h"
#include "core/programme_messages.h"
#include "core/programme_triggers.h"
#include "util/err.h"

#define LOY_ID_MAX 48 /* ids: [a-z0-9_-], 1..47 characters */

typedef enum { LOY_ROUND_FLOOR = 0, LOY_ROUND_NEAREST, LOY_ROUND_CEIL } loy_rounding;

/* A localised text: {"en": "Gold", "ms": "Emas"} or a plain string (stored under "en"). */
typedef struct {
    size_t n;
    char (*lang)[8];
    char **text;
} loy_names;

/* Restrictions shared by earn rules: when and where a rule applies. */
typedef struct {
    char category[LOY_ID_MAX]; /* "" = every line; otherwise only lines of this category */
    uint8_t days;              /* bit 0 = monday .. bit 6 = sunday; 0 = every day */
    int from_min, to_min;      /* local minutes of day [from, to); -1 = all day; may wrap */
    char (*locations)[LOY_ID_MAX];
    size_t nlocations;                    /* 0 = every location */
    int64_t valid_from_day, valid_to_day; /* merchant-local civil days since 1970-01-01,
                                             inclusive; 0 = unbounded ("2026-12-01" dates) */
} loy_when;

/* One points earn rule. Exactly one of rate / multiplier / fixed is set. */
typedef struct {
    char id[LOY_ID_MAX];
    int priority;             /* lower runs first; default 100 */
    bool stop;                /* when it applies, later rules are skipped */
    int64_t rate_milli;       /* points per 1 major currency unit x 1000 (1 -> 1000); 0 = unset */
    int64_t multiplier_milli; /* x1000 (2 -> 2000, 1.5 -> 1500); 0 = unset */
    int64_t fixed_points;     /* flat points per qualifying purchase; 0 = unset */
    loy_rounding rounding;    /* default floor */
    int64_t min_spend;        /* minor units of the cash part; 0 = none */
    loy_when when;
} loy_points_rule;

typedef enum { LOY_STAMP_PER_VISIT = 0, LOY_STAMP_PER_ITEM, LOY_STAMP_PER_AMOUNT } loy_stamp_per;

typedef struct {
    char id[LOY_ID_MAX]; /* defaults to "stamps-<index>" */
    int priority;
    bool stop;
    loy_stamp_per per;
    int64_t stamps;    /* stamps per visit / per item / per `amount` spent; default 1 */
    int64_t amount;    /* LOY_STAMP_PER_AMOUNT: minor units per step */
    int64_t min_spend; /* minor units of the cash part; 0 = none */
    loy_when when;
} loy_stamp_rule;

typedef struct {
    char id[LOY_ID_MAX];
    loy_names name;
    int64_t threshold;        /* minor units (basis spend) or points (basis points) */
    int64_t multiplier_milli; /* 1000 = x1 */
    char **perks;
    size_t nperks;
} loy_tier_level;

typedef enum { LOY_TIER_SPEND = 0, LOY_TIER_POINTS } loy_tier_basis;
typedef enum { LOY_REVIEW_MONTHLY = 0, LOY_REVIEW_QUARTERLY, LOY_REVIEW_YEARLY } loy_review;

typedef enum {
    LOY_REWARD_FREE_ITEM = 0,
    LOY_REWARD_AMOUNT_OFF,
    LOY_REWARD_PERCENT_OFF
} loy_reward_kind;

typedef struct {
    char id[LOY_ID_MAX];
    loy_names name;
    loy_reward_kind kind;
    char sku[LOY_ID_MAX]; /* free_item */
    int64_t amount;       /* amount_off, minor units */
    int64_t percent;      /* percent_off, 1..100 */
    int64_t cost_points;  /* 0 = not payable in points */
    int64_t cost_stamps;  /* 0 = not payable in stamps; exactly one cost is set */
    char (*tiers)[LOY_ID_MAX];
    size_t ntiers;                        /* 0 = every tier */
    int64_t stock;                        /* -1 = unlimited */
    int64_t valid_from_day, valid_to_day; /* as in loy_when */
    int64_t voucher_days; /* a voucher is valid this many days after issue; default 30 */
} loy_reward;

typedef struct {
    char code[LOY_ID_MAX];
    char *name;
} loy_location;

typedef enum { LOY_BDAY_WEEK = 0, LOY_BDAY_MONTH, LOY_BDAY_DAY } loy_bday_window;

typedef struct {
    /* merchant */
    char *merchant_name;
    char currency[4];
    int exponent;      /* ISO 4217 exponent of currency */
    char timezone[64]; /* IANA name, e.g. "Asia/Kuala_Lumpur" */
    char locale[8];    /* "en", "ms", "hu", "bn" */
    loy_location *locations;
    size_t nlocations;

    /* stamps (has_stamps false when the section is absent) */
    bool has_stamps;
    int64_t card_size;
    loy_stamp_rule *stamp_rules;
    size_t nstamp_rules;           /* sorted by priority, stable */
    char stamp_reward[LOY_ID_MAX]; /* reward id a full card pays for; "" = none */
    int64_t stamps_expire_days;    /* 0 = never */

    /* points */
    bool has_points;
    loy_points_rule *points_rules;
    size_t npoints_rules;      /* sorted by priority, stable */
    int64_t pending_days;      /* 0 = points count at once */
    int64_t expire_after_days; /* lot expiry; 0 = never */
    int64_t
        expire_inactive_days; /* all points expire after this long without activity; 0 = never */
    int64_t expiring_notice_days; /* points.expiry.notice_days, default 30 */
    int64_t point_value_micro;    /* value of one point in minor units x 1e6 (tender, liability);
                                     points.tender.point_value; default 0.01 major = 1 minor unit ->
                                     1000000 */
    bool tender_enabled;          /* points.tender present */
    int64_t tender_min_points;    /* smallest tender, default 1 */
    bool allow_debt;              /* points.allow_debt */

    /* tiers */
    bool has_tiers;
    loy_tier_basis tier_basis;
    int64_t tier_window_days; /* default 365 */
    loy_review tier_review;
    int64_t tier_grace_days;
    loy_tier_level *levels;
    size_t nlevels; /* ascending thresholds, the first is the entry tier */

    /* bonuses (0 = off) */
    int64_t welcome_points;
    int64_t birthday_points;
    loy_bday_window birthday_window;
    int64_t anniversary_points;
    int64_t referral_referrer, referral_referee, referral_min_first_purchase;
    int64_t referral_max_per_day; /* referrals per referrer per local day before flagging (5) */

    /* giving */
    bool has_giving;
    char *giving_cause;
    int64_t giving_basis_points; /* percent x 100 (1 -> 100, 2.5 -> 250) */

    loy_reward *rewards;
    size_t nrewards;

    loy_msg_settings messages;      /* the "messages" section (defaults when absent) */
    loy_feedback_settings feedback; /* the "feedback" section (off when absent) */
    loy_trigger_settings triggers;  /* the "triggers" section (all off when absent) */
    loy_staff_settings staff;       /* the "staff" section (defaults when absent) */
} loy_programme;

/* Parses and validates a programme document. On success *out is a new programme owned by the
 * caller (free with loy_programme_free). On failure returns LOY_EINVALID and err->field is the
 * JSON path ("tiers.levels[1].threshold"), err->message reads
 * `tiers.levels[1].threshold: expected a decimal amount like "500.00", got "abc"`.
 * Unknown fields are errors (a typo must not silently mean nothing). */
int loy_programme_parse(loy_programme **out, const char *json, size_t len, loy_err *err);
void loy_programme_free(loy_programme *p);

/* Lookups; NULL / -1 when absent. Borrowed. */
const loy_reward *loy_programme_reward(const loy_programme *p, const char *id);
int loy_programme_level_index(const loy_programme *p, const char *tier_id);
const loy_location *loy_programme_location(const loy_programme *p, const char *code);
/* Text for `lang`, falling back to "en", then to the first entry, then to "". */
const char *loy_names_get(const loy_names *n, const char *lang);

#endif
