/* Synthetic customer histories for demos, benchmarks and model tests: the BG/NBD purchase story,
 * Gamma-Gamma spend, names in several scripts, locales, birthdays and referrals. Pure: no I/O,
 * deterministic for a seed; events go to a callback member by member, so memory stays bounded
 * however many members are generated. */
#ifndef LOY_ANALYTICS_GEN_H
#define LOY_ANALYTICS_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define LOY_GEN_MAX_MEMBERS 10000000
#define LOY_GEN_MAX_MONTHS  120
/* At most this many purchases per member (a rate of several a day would otherwise run away). */
#define LOY_GEN_MAX_PURCHASES 5000

typedef struct {
    int64_t members;    /* 1..LOY_GEN_MAX_MEMBERS */
    int64_t start, end; /* UTC seconds: members join on the local days after start and before the
                         * day of end; every purchase is at least 10 minutes before end */
    int32_t utc_offset; /* the shop's UTC offset in seconds: visits fall in 08:00-20:00 local */
    uint64_t seed;
    /* BG/NBD: purchases at Poisson rate lambda ~ Gamma(shape r, rate alpha) per week after the
     * first purchase; after each repeat purchase the member drops out for good with probability
     * p ~ Beta(a, b) */
    double r, alpha, a, b;
    /* Gamma-Gamma: a member's nu ~ Gamma(shape q, rate gamma), each purchase's amount ~
     * Gamma(shape p, rate nu) in minor units (mean spend p * gamma / (q - 1)), rounded, >= 1 */
    double p, q, gamma;
    double referrals; /* share of members (0..1) referred by a member who joined before them */
    int nlocations;   /* members and purchases get a location index below it; 0 = none */
} loy_gen_params;

/* A member as it joins, with a summary of the purchases that follow it. */
typedef struct {
    int64_t index;            /* 0-based, in join order (joined_at never decreases with it) */
    int64_t joined_at;        /* UTC seconds */
    int64_t referred_by;      /* index + 1 of the referring member (always < index + 1), 0 = none */
    char name[96];            /* UTF-8, in Latin or Bengali script */
    char phone[24];           /* "+6012" and 7 digits, unique per index below 10^7 */
    char email[48];           /* "memberN@example.com", N = index + 1 */
    const char *locale;       /* "ms", "en", "hu" or "bn" (static) */
    int bday_month, bday_day; /* 0 = not given (about 1 in 5) */
    bool consent_email;
    int location; /* home location index, -1 = none */
    int64_t purchases, first_purchase_at, last_purchase_at, spend;
} loy_gen_member;

typedef struct {
    int64_t at;     /* UTC seconds, strictly increasing per member */
    int64_t amount; /* minor units, 1..10^11 */
    int location;   /* -1 = none */
} loy_gen_purchase;

typedef enum { LOY_GEN_MEMBER, LOY_GEN_PURCHASE } loy_gen_kind;

typedef struct {
    loy_gen_kind kind;
    const loy_gen_member *member;     /* the member who joins or buys */
    const loy_gen_purchase *purchase; /* NULL for LOY_GEN_MEMBER */
} loy_gen_event;

/* Called per event; returns 0 to go on, anything else stops the run and is returned by it. */
typedef int (*loy_gen_fn)(void *ctx, const loy_gen_event *e);

/* Checks the parameters; the field of an error is the flag's name ("members", "r", "gamma",
 * "referrals", ...). */
int loy_gen_check(const loy_gen_params *p, loy_err *err);

/* Simulates every member in index order: the member's event, then its purchases in time order
 * (the first purchase is on joining, the BG/NBD "birth"). Returns 0, LOY_ENOMEM or what fn
 * returned. The parameters must have passed loy_gen_check. */
int loy_gen_run(const loy_gen_params *p, loy_gen_fn fn, void *ctx);

/* A coffee-shop basket for an amount (unit = one major unit in minor units): `coffees` coffee
 * lines worth *coffee_amount together, and the rest as one pastry line (*pastry_amount, may be
 * 0); the lines add up to the amount exactly. */
void loy_gen_basket(int64_t amount, int64_t unit, int64_t *coffees, int64_t *coffee_amount,
                    int64_t *pastry_amount);

#endif
