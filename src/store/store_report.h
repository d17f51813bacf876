/* Report queries: the SQL behind src/app/reports.c. Each function reads one merchant's data for a
 * period in one pass (a scan or an ordered walk) and hands back plain numbers; the arithmetic is
 * in src/analytics/report_math.c. Call them inside a read transaction for one snapshot. */
#ifndef LOY_STORE_STORE_REPORT_H
#define LOY_STORE_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* What every report query is scoped by. A purchase counts when it occurred in [from, to), is not
 * wholly refunded, and (with a location) was made at that location; its revenue is amount minus
 * refunded. */
typedef struct {
    int64_t merchant;
    int64_t from, to;     /* UTC seconds, [from, to) */
    const char *location; /* NULL = every location */
} loy_report_scope;

/* Streams the joined_at of every member who joined before `to` (home location = location, when
 * given): one scan of members. */
typedef void (*loy_report_join_fn)(void *ctx, int64_t joined_at);
int loy_store_report_joins(loy_conn *c, const loy_report_scope *s, loy_report_join_fn fn, void *ctx,
                           loy_err *err);

/* Purchases, buyers and revenue per location code in the period (code NULL for purchases
 * without a location), ordered by code. */

/* One member's counted purchases in the period. */
typedef struct {
    int64_t member;
    int64_t purchases;
    int64_t revenue; /* minor units */
    int64_t last_at; /* latest occurred_at */
} loy_report_member;

/* Every member with a counted purchase in the period, ascending by member id. *out is
 * malloc'ed (free it); NULL when *n == 0. */
int loy_store_report_members(loy_conn *c, const loy_report_scope *s, loy_report_member **out,
                             size_t *n, loy_err *err);

/* One counted purchase. */
typedef struct {
    int64_t member;
    int64_t at;           /* occurred_at */
    int64_t net;          /* amount - refunded, minor units */
    const char *location; /* NULL when none; valid during the callback only */
} loy_report_purchase;

/* Streams the counted purchases in the period, ordered by member and time, from the covering
 * index purchases_member (no sort, no table lookups). times_only: net 0 and location NULL, for
 * callers that need member and time only (cheaper per row). */
typedef void (*loy_report_purchase_fn)(void *ctx, const loy_report_purchase *p);
int loy_store_report_purchases(loy_conn *c, const loy_report_scope *s, bool times_only,
                               loy_report_purchase_fn fn, void *ctx, loy_err *err);

/* Streams the members who joined in [from, to) (home location = location, when given) with each
 * of their counted purchases before `to` at any location, ordered by member: one call per
 * purchase, or one call with has_purchase false for a member without any. */
typedef void (*loy_report_cohort_fn)(void *ctx, int64_t member, int64_t joined_at,
                                     bool has_purchase, int64_t at);
int loy_store_report_cohort_rows(loy_conn *c, const loy_report_scope *s, loy_report_cohort_fn fn,
                                 void *ctx, loy_err *err);

/* Spenders and senders: per member, own revenue in the period, members referred (joined before
 * `to`, ever), those referees' revenue in the period and their referrals awarded before `to`
 * (both bonuses paid). Members with revenue or referrals only, ascending by id. *out malloc'ed. */
typedef struct {
    int64_t member;
    int64_t spend;
    int64_t referred;
    int64_t referred_revenue;
    int64_t awarded;
} loy_report_advocate;
int loy_store_report_advocacy(loy_conn *c, const loy_report_scope *s, loy_report_advocate **out,
                              size_t *n, loy_err *err);

/* Ledger sums per (account, kind): in [from, to) and everything before `to` (one scan). The
 * location is not used: the ledger is not kept per location. */
typedef void (*loy_report_ledger_fn)(void *ctx, const char *account, const char *kind,
                                     int64_t in_period, int64_t before_to);
int loy_store_report_ledger(loy_conn *c, const loy_report_scope *s, loy_report_ledger_fn fn,
                            void *ctx, loy_err *err);

/* Streams the giving account's ledger entries created before `to` as (created_at, amount). */
typedef void (*loy_report_giving_fn)(void *ctx, int64_t at, int64_t amount);
int loy_store_report_giving(loy_conn *c, const loy_report_scope *s, loy_report_giving_fn fn,
                            void *ctx, loy_err *err);

typedef struct {
    int64_t issued; /* issued in the period */
    int64_t used;   /* used in the period */
    int64_t open;   /* at `to`: issued, not used, not expired */
} loy_report_vouchers;
int loy_store_report_vouchers(loy_conn *c, const loy_report_scope *s, loy_report_vouchers *out,
                              loy_err *err);

#endif
