/* The programme engine: pure functions from (programme, member state, action, clock) to an
 * outcome (ledger entries, tier change, events, explanation). No I/O, no globals, no clock reads.
 * The store turns an outcome into ledger rows; the core only decides. */
#ifndef LOY_CORE_ENGINE_H
#define LOY_CORE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/programme.h"
#include "util/err.h"
#include "util/time.h"

/* Ledger accounts of a member. Points and pending points live in lots; giving is unlotted. */
typedef enum { LOY_ACC_POINTS = 0, LOY_ACC_PENDING, LOY_ACC_STAMPS, LOY_ACC_GIVING } loy_account;

typedef enum {
    LOY_ENTRY_EARN = 0, /* purchase earn rules (points, stamps, giving) */
    LOY_ENTRY_BONUS,    /* welcome, birthday, anniversary */
    LOY_ENTRY_REDEEM,   /* reward redemption debit */
    LOY_ENTRY_TENDER,   /* points paying part of a purchase */
    LOY_ENTRY_EXPIRE,   /* lot expiry or inactivity expiry */
    LOY_ENTRY_REVERSE,  /* refund reversal of an earn */
    LOY_ENTRY_ADJUST,   /* manual adjustment with reason */
    LOY_ENTRY_ACTIVATE, /* pending -> points when the return window has passed */
    LOY_ENTRY_SETTLE,   /* new earnings settling debt (unlotted negative balance) */
    LOY_ENTRY_REFERRAL, /* referral bonus (referral issue) */
    LOY_ENTRY_RESTORE   /* refund giving back tendered points */
} loy_entry_kind;

#define LOY_LOT_NONE 0    /* unlotted entry: giving, debt */
#define LOY_LOT_NEW  (-1) /* this entry opens a new lot */
/* refers to the lot opened by entry `i` of the same outcome */
#define LOY_LOT_OF_ENTRY(i)      (-(int64_t)(i)-2)
#define LOY_LOT_ENTRY_INDEX(lot) ((size_t)(-(lot)-2))

typedef struct {
    loy_account account;
    loy_entry_kind kind;
    int64_t amount;        /* signed; never 0 */
    int64_t lot;           /* > 0 an existing lot id, or one of the LOY_LOT_* values above */
    int64_t expires_at;    /* new lots: UTC expiry, 0 = never */
    int64_t available_at;  /* new pending lots: UTC activation instant */
    char rule[LOY_ID_MAX]; /* rule, bonus or reward id that caused it ("" for none) */
} loy_entry;

/* An open lot: the points or stamps left from one crediting entry. Lot ids are the ledger id of
 * the entry that opened them, so ascending id is FIFO order. */
typedef struct {
    int64_t id;
    loy_account account; /* LOY_ACC_POINTS, LOY_ACC_PENDING or LOY_ACC_STAMPS */
    int64_t remaining;   /* > 0 */
    int64_t earned_at;
    int64_t expires_at;   /* 0 = never */
    int64_t available_at; /* pending lots */
} loy_lot;

typedef struct {
    int64_t points;  /* available points; < 0 only when the programme allows debt */
    int64_t pending; /* held for the return window */
    int64_t stamps;
    int64_t giving; /* minor units accrued to the cause */
    const loy_lot *lots;
    size_t nlots;          /* every open lot, ascending id */
    char tier[LOY_ID_MAX]; /* "" = none yet */
    int64_t tier_since;
    int64_t below_since;    /* 0 = not below the current tier's threshold */
    int64_t last_review_at; /* 0 = never reviewed */
    int64_t qualifying;     /* tier basis summed over the window ending at ctx->now, before the
                               action: net spend (minor units) or net points earned */
    int64_t joined_at;
    int64_t first_purchase_at;           /* 0 = no purchase yet */
    int64_t purchases;                   /* purchases so far */
    int64_t last_activity_at;            /* last earn or redeem, 0 = none */
    int bday_day, bday_month, bday_year; /* 0 = unknown; year optional */
    int64_t birthday_set_at;             /* when the birthday was entered or last changed */
    int last_birthday_bonus_year;        /* local year of the last birthday bonus, 0 = never */
    int last_anniversary_bonus_year;
} loy_member_state;

typedef struct {
    char sku[LOY_ID_MAX];
    char category[LOY_ID_MAX];
    int64_t qty;    /* >= 1 */
    int64_t amount; /* line total, minor units, >= 0 */
} loy_line;

typedef struct {
    int64_t amount;        /* total, minor units, > 0 */
    int64_t tender_points; /* points paying part of the total, >= 0 */
    const loy_line *lines;
    size_t nlines; /* optional; line amounts sum to <= amount, the rest is uncategorised */
    char location[LOY_ID_MAX]; /* "" = none */
    int64_t at;                /* UTC instant of the purchase (rule windows use it) */
} loy_purchase_in;

/* What one purchase added to one account, as recorded; refunds reverse from these. */
typedef struct {
    loy_account account;
    loy_entry_kind kind; /* LOY_ENTRY_EARN or LOY_ENTRY_TENDER (tender: amount is positive) */
    int64_t amount;      /* > 0 */
    int64_t reversed;    /* already reversed (or restored) by earlier refunds, >= 0 */
    int64_t lot;         /* lot it opened, 0 if none */
    char rule[LOY_ID_MAX];
} loy_earned;

typedef struct {
    int64_t purchase_amount; /* original total */
    int64_t refunded_before; /* refunded so far */
    int64_t refund_amount;   /* this refund: 0 < x <= purchase_amount - refunded_before */
    const loy_earned *earned;
    size_t nearned;
} loy_refund_in;

typedef struct {
    char rule[LOY_ID_MAX];
    loy_account account;
    int64_t amount;
    char text[240]; /* "base: 18 points (RM18.50, floor)" */
} loy_explain;

enum {
    LOY_EV_TIER_UP = 1u << 0,
    LOY_EV_TIER_DOWN = 1u << 1,
    LOY_EV_REWARD_AVAILABLE = 1u << 2, /* a reward became affordable with this outcome */
    LOY_EV_POINTS_EXPIRED = 1u << 3,
    LOY_EV_BIRTHDAY_BONUS = 1u << 4,
    LOY_EV_WELCOME = 1u << 5,
    LOY_EV_ANNIVERSARY_BONUS = 1u << 6,
    LOY_EV_STAMP_CARD_FULL = 1u << 7
};

typedef struct {
    loy_entry *entries;
    size_t nentries, cap_entries;
    loy_explain *explain;
    size_t nexplain, cap_explain;
    int64_t cash;          /* purchase: amount minus tender value */
    int64_t tender_value;  /* purchase: minor units paid with points */
    int64_t points_earned; /* net points (available + pending) credited by earn rules and tier */
    int64_t bonus_points;  /* welcome / birthday / anniversary */
    int64_t stamps_earned;
    int64_t giving;           /* minor units accrued to the cause */
    int64_t qualifying_after; /* tier basis after the action */
    char tier_before[LOY_ID_MAX];
    char tier_after[LOY_ID_MAX];
    bool tier_changed;
    bool below_since_changed; /* review: store below_since_after */
    int64_t below_since_after;
    bool reviewed;              /* review ran: store last_review_at = now */
    int birthday_bonus_year;    /* != 0: store as last_birthday_bonus_year */
    int anniversary_bonus_year; /* != 0: store as last_anniversary_bonus_year */
    int64_t voucher_expires_at; /* redeem */
    int64_t shortfall;          /* refund: points that could not be reversed (spent, no debt) */
    uint32_t events;            /* LOY_EV_* */
} loy_outcome;

typedef struct {
    const loy_programme *prog;
    const loy_tz *tz; /* merchant's zone, for day/hour windows and birthdays */
    int64_t now;      /* UTC instant the action is evaluated at */
} loy_ctx;

void loy_outcome_init(loy_outcome *o);
void loy_outcome_free(loy_outcome *o); /* frees arrays; the struct itself is the caller's */

/* Join: entry tier and welcome bonus. */
int loy_engine_join(const loy_ctx *c, const loy_member_state *m, loy_outcome *out, loy_err *err);

/* Purchase: tender debit (FIFO), points rules by priority with stop flags, tier multiplier (tier
 * held before the purchase), stamps, giving, debt settlement, pending hold, birthday and
 * anniversary bonuses, immediate tier upgrade. LOY_EREFUSED when tender exceeds the balance
 * (field "tender_points"); LOY_EINVALID when tender value exceeds the amount. */
int loy_engine_purchase(const loy_ctx *c, const loy_member_state *m, const loy_purchase_in *p,
                        loy_outcome *out, loy_err *err);

/* Refund: reverses each earned entry proportionally (cumulative floor, so a full refund reverses
 * exactly what was earned and never more), restores tendered points the same way. Reversal takes
 * from the original lot first, then FIFO; beyond the balance it creates debt if allowed, else it
 * stops at zero and reports the shortfall. Bonuses are not reversed. */
int loy_engine_refund(const loy_ctx *c, const loy_member_state *m, const loy_refund_in *r,
                      loy_outcome *out, loy_err *err);

/* Why `reward` cannot be redeemed now, as a stable code: "not_yet", "ended" (outside its
 * validity dates), "tier" (only for other tiers), "out_of_stock" (`stock_issued` reached the
 * stock), "points" or "stamps" (balance too low), checked in that order; with the sentence in
 * err (LOY_EREFUSED, field "reward"). NULL when it can be redeemed (err cleared). */
const char *loy_engine_reward_block(const loy_ctx *c, const loy_member_state *m,
                                    const loy_reward *reward, int64_t stock_issued, loy_err *err);

/* Redeem a reward: checks validity window, tier restriction, stock (`stock_issued` so far) and
 * balance; debits FIFO. LOY_EREFUSED with a reason otherwise. Sets voucher_expires_at. */
int loy_engine_redeem(const loy_ctx *c, const loy_member_state *m, const loy_reward *reward,
                      int64_t stock_issued, loy_outcome *out, loy_err *err);

/* Manual adjustment of points or stamps by `delta` (!= 0). Credits open a lot with the normal
 * expiry; debits take FIFO and are refused beyond the balance unless debt is allowed. */
int loy_engine_adjust(const loy_ctx *c, const loy_member_state *m, loy_account account,
                      int64_t delta, loy_outcome *out, loy_err *err);

/* Housekeeping at ctx->now: activates pending lots whose time has come, expires lots past their
 * expiry and, with inactivity expiry, every lot of an inactive member. */
int loy_engine_housekeeping(const loy_ctx *c, const loy_member_state *m, loy_outcome *out,
                            loy_err *err);

/* Birthday / anniversary bonus if due at ctx->now (window, once a year, the 30-day rule). */
int loy_engine_bonuses(const loy_ctx *c, const loy_member_state *m, loy_outcome *out, loy_err *err);

/* Tier review (downgrade only here, after the grace period). Runs only when a review period
 * boundary (month, quarter, year in the merchant's zone) has passed since last_review_at. */
int loy_engine_tier_review(const loy_ctx *c, const loy_member_state *m, loy_outcome *out,
                           loy_err *err);

/* Points that will expire within `days` of ctx->now; *first_at = earliest such expiry (0 none). */
int64_t loy_engine_expiring(const loy_ctx *c, const loy_member_state *m, int64_t days,
                            int64_t *first_at);

/* Civil day of a yearly date (birthday, anniversary) in year y: 29 February falls on 28 February
 * in common years. */
int64_t loy_yearly_day(int y, int month, int day);
/* The anti-gaming rule (SPEC A): a birthday entered or changed on local day `set_day` counts for
 * its occurrence on local day `date` only when entered LOY_BIRTHDAY_SETTLE_DAYS (30) or more days
 * before it. Shared by the birthday bonus and the birthday message. */
#define LOY_BIRTHDAY_SETTLE_DAYS 30
bool loy_birthday_settled(int64_t set_day, int64_t date);

/* Index of the level a qualifying value reaches (highest threshold <= value); -1 if no tiers. */
int loy_engine_level_for(const loy_programme *p, int64_t qualifying);

const char *loy_account_name(loy_account a);       /* "points", "pending", "stamps", "giving" */
const char *loy_entry_kind_name(loy_entry_kind k); /* "earn", "bonus", ... */
/* Parses the names above; returns false for unknown text. */
bool loy_account_parse(const char *s, loy_account *out);
bool loy_entry_kind_parse(const char *s, loy_entry_kind *out);

#endif
