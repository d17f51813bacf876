/* Referral rules (pure): the fraud checks that decide whether a referral may pay (self-referral,
 * a referee who was already a member, rings, velocity), referral codes, and the bonus outcome.
 * No I/O: the caller gathers the facts (src/app/referrals.c) and stores the verdict. See
 * docs/referrals.md. */
#ifndef LOY_CORE_REFERRAL_H
#define LOY_CORE_REFERRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"
#include "util/err.h"

/* Referral codes: LOY_REFERRAL_CODE_LEN characters of LOY_REFERRAL_ALPHABET (31 symbols without
 * 0/O and 1/I/L, so a code read aloud or copied by hand survives): about 39.6 random bits. */
#define LOY_REFERRAL_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define LOY_REFERRAL_CODE_LEN 8
#define LOY_REFERRAL_CODE_MAX 16 /* buffer size for a code and its NUL */

/* Default of bonuses.referral.max_per_day (docs/programme.md). */
#define LOY_REFERRAL_MAX_PER_DAY 5
/* How far up the referred_by chain a ring is looked for. */
#define LOY_REFERRAL_CHAIN_MAX 32

typedef enum {
    LOY_REF_PENDING = 0, /* waiting for the first qualifying purchase */
    LOY_REF_QUALIFIED,   /* purchase made; paid once the return window has passed */
    LOY_REF_AWARDED,     /* both bonuses paid */
    LOY_REF_REFUSED,     /* never pays */
    LOY_REF_FLAGGED      /* held for the owner's review */
} loy_ref_status;

/* One side of a referral as the rules compare it: member id, normalised phone, folded email and
 * card token (NULL or "" = none). */
typedef struct {
    int64_t id;
    const char *phone;
    const char *email_folded;
    const char *card_token;
    bool erased; /* the member's personal data was erased */
} loy_ref_party;

typedef struct {
    loy_ref_party referrer, referee;
    /* the referee was a member before this referral (a join that found an existing member) */
    bool referee_existed;
    /* the referrer's own referrers, nearest first (members.referred_by followed upwards) */
    const int64_t *chain;
    size_t nchain;
    /* referrals of new members the referrer made earlier in the same local day, and the
     * programme's limit (bonuses.referral.max_per_day) */
    int64_t earlier_today;
    int64_t max_per_day;
    /* the owner approved this referral after it was flagged: velocity, ring and already-member
     * no longer hold it back (self-referral and erasure still refuse) */
    bool approved;
} loy_ref_facts;

typedef struct {
    loy_ref_status status; /* LOY_REF_PENDING, LOY_REF_REFUSED or LOY_REF_FLAGGED */
    const char *reason;    /* "" when pending; else self_referral, erased, ring, already_member,
                              velocity (static strings) */
    const char *matched;   /* self_referral: the first of "phone", "email", "card" the two
                              share, else "member" (the same id); "" otherwise */
} loy_ref_verdict;

/* The rules, first match wins: a party erased -> refused "erased"; the same phone, folded email
 * or card token, or the same member -> refused "self_referral"; the referee found up the
 * referrer's chain (A refers B refers A, or longer) -> flagged "ring"; a referee who was
 * already a member -> refused "already_member"; earlier_today >= max_per_day -> flagged
 * "velocity"; else pending. */
void loy_referral_check(const loy_ref_facts *f, loy_ref_verdict *out);

/* "pending", "qualified", "awarded", "refused", "flagged"; and back (false for other text). */
const char *loy_referral_status_name(loy_ref_status s);
bool loy_referral_status_parse(const char *s, loy_ref_status *out);

/* A code as a person typed it, for lookup: letters upper-cased, spaces and dashes dropped.
 * False (out = "") when it cannot be a code (wrong length or a symbol outside the alphabet). */
bool loy_referral_code_normalise(const char *in, char out[LOY_REFERRAL_CODE_MAX]);

/* The start and end (UTC) of the merchant's local day holding `at` (ctx->tz). */
void loy_referral_day(const loy_ctx *c, int64_t at, int64_t *from, int64_t *to);

/* The referral bonus of one side: `points` (>= 0) available points in a new lot with the normal
 * expiry, entry kind LOY_ENTRY_REFERRAL, rule "referral-referrer" or "referral-referee" (`rule`),
 * settling debt first like any credit; an empty outcome when points is 0. */
int loy_engine_referral(const loy_ctx *c, const loy_member_state *m, int64_t points,
                        const char *rule, loy_outcome *out, loy_err *err);

#endif
