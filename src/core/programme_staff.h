/* The "staff" section of a programme file (docs/programme.md, docs/operations.md "Staff fraud
 * controls"): how many positive adjustments a staff member may make per merchant-local day and how
 * many purchases they may record for one member per hour before the write is blocked or flagged;
 * and the pure decision of those rules and of self-stamping. Pure: no I/O. */
#ifndef LOY_CORE_PROGRAMME_STAFF_H
#define LOY_CORE_PROGRAMME_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/jv.h"

#define LOY_STAFF_ADJUST_POINTS_PER_DAY       1000 /* defaults of the section's fields */
#define LOY_STAFF_ADJUSTMENTS_PER_DAY         20
#define LOY_STAFF_PURCHASES_PER_MEMBER_PER_HR 5

typedef struct {
    int64_t adjust_points_per_day; /* positive adjustment total per staff actor per local day */
    int64_t adjustments_per_day;   /* positive adjustments per staff actor per local day */
    int64_t purchases_per_member_per_hour; /* purchases per member per staff actor in 3600 s */
} loy_staff_settings;

/* The defaults (no section in the file). */
void loy_staff_settings_init(loy_staff_settings *s);

/* Parses the section at JSON path `path` into s: {"adjust_points_per_day": 1000,
 * "adjustments_per_day": 20, "purchases_per_member_per_hour": 5}, every field optional (1 to
 * 1000000000). LOY_EINVALID naming the JSON path of the offending value otherwise. */
int loy_staff_settings_parse(loy_staff_settings *s, const char *path, const loy_jv *v,
                             loy_err *err);

typedef enum { LOY_STAFF_OK, LOY_STAFF_FLAG, LOY_STAFF_BLOCK } loy_staff_action;

/* What a staff write looks like to the rules. Counts are of the actor's earlier writes (this one
 * not included). */
typedef struct {
    bool staff;             /* a staff user or API key (not the CLI, nor an anonymous page) */
    bool owner;             /* the actor's role is owner: flagged where others are blocked */
    bool own_card;          /* the member written to is the staff user's own member card */
    bool adjust;            /* an adjustment (else a purchase) */
    int64_t delta;          /* the adjustment's amount (only positive ones count) */
    int64_t adjust_count;   /* positive adjustments by the actor earlier this local day */
    int64_t adjust_sum;     /* their total */
    int64_t purchases_hour; /* purchases for this member by the actor in the last hour */
} loy_staff_facts;

typedef struct {
    loy_staff_action action;
    const char *rule;  /* "self_stamping", "adjust_velocity", "stamp_velocity"; "" when OK */
    const char *field; /* the request field the refusal names ("member", "delta") */
    char reason[160];  /* one line for the audit and the error message */
} loy_staff_verdict;

/* The decision for one write: self-stamping first, then the velocity of its kind. A cashier or
 * manager is blocked for self-stamping and adjustment velocity, an owner flagged; stamping
 * velocity is always a flag (the purchase is recorded). */
void loy_staff_check(const loy_staff_settings *s, const loy_staff_facts *f, loy_staff_verdict *v);

#endif
