/* Internals shared by the use-case files of src/app (not for other layers). */
#ifndef LOY_APP_INT_H
#define LOY_APP_INT_H

#include "app/app.h"

/* A member with its engine state, loaded inside the current transaction. */
typedef struct {
    loy_member_row row;
    loy_member_state st;
    loy_lot *lots;
} loy_loaded;

void loy_loaded_free(loy_loaded *l);
/* Loads the member and its state at `now`, after applying due housekeeping (activation,
 * expiry) when `write` is true. */
int loy_app_load(loy_app *app, const char *ref, bool write, int64_t now, loy_loaded *out,
                 loy_err *err);
int loy_app_load_id(loy_app *app, int64_t id, bool write, int64_t now, loy_loaded *out,
                    loy_err *err);
/* Applies an outcome and writes its events to the outbox. */
int loy_app_apply(loy_app *app, int64_t member, const loy_outcome *o, const char *ref_type,
                  int64_t ref_id, const char *reason, int64_t now, int64_t **ids, loy_err *err);
loy_ctx loy_app_ctx(const loy_app *app, int64_t now);

/* JSON renderings */
json_t *loy_json_outcome(const loy_app *app, const loy_outcome *o);
json_t *loy_json_member(const loy_app *app, const loy_member_row *m);
json_t *loy_json_balances(const loy_member_state *st);
/* Balances of `st` after the outcome's entries. */
json_t *loy_json_balances_after(const loy_member_state *st, const loy_outcome *o);
json_t *loy_json_time(int64_t t);
/* The id of the last element of a page that came back full (the next page starts after it),
 * else null: the cursor of every paginated list. */
json_t *loy_json_next(const json_t *page, int limit);
json_t *loy_json_money(const loy_app *app, int64_t minor);
/* The first word of a member's name (customer pages greet them by it; never the whole name),
 * copied into out[n]. */
void loy_first_name(const char *name, char *out, size_t n);

/* Audit detail of a value change: {"what": what, "before": balances, "after": balances}
 * (malloc'ed JSON text, NULL when out of memory). */
char *loy_audit_balances(const char *what, const loy_member_state *before, const loy_outcome *o);

/* use cases run inside loy_app_write's transaction */
int loy_uc_member_create(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err);
int loy_uc_purchase(loy_app *app, const json_t *req, int64_t now, bool dry_run, json_t **resp,
                    loy_err *err);
int loy_uc_refund(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err);
int loy_uc_redeem(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err);
int loy_uc_adjust(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err);
int loy_uc_voucher_use(loy_app *app, const json_t *req, int64_t now, json_t **resp, loy_err *err);
/* The time zone of member `m`: their own (members.timezone) when set, else the merchant's
 * (app->tz); a stored name that no longer loads counts as unset. Borrowed: zones are loaded once
 * per app and stay until loy_app_close. Birthdays, anniversaries and quiet hours are evaluated in
 * it (app/member_tz.c). */
const loy_tz *loy_app_member_tz(loy_app *app, const loy_member_row *m);
void loy_app_tz_cache_free(struct loy_tz_cache *c);
/* The "timezone" field of a member request: an IANA name that loads ("Pacific/Kiritimati"), or
 * null / "" for the merchant's; LOY_EINVALID naming "timezone" otherwise. Absent: unchanged. */
int loy_app_member_tz_field(const json_t *req, loy_member_row *row, loy_err *err);
/* Issues a voucher for `reward` to `member` (codes of 130 random bits, short code "ABCD-EFGH")
 * valid until expires_at, inside the caller's transaction: redemptions and message offers. Stock
 * and ledger are the caller's. Sets *v. */
int loy_app_voucher_new(loy_app *app, int64_t member, const char *reward, int64_t now,
                        int64_t expires_at, loy_voucher_row *v, loy_err *err);
/* Parses member fields (create: all; update: those present) into row. */
int loy_member_fields(loy_app *app, const json_t *req, bool create, loy_member_row *row,
                      int64_t now, loy_err *err);

#endif
