/* Staff fraud controls (docs/operations.md "Staff fraud controls"): adjustment and stamping
 * velocity per staff actor and self-stamping, blocked or flagged with an audit entry; the owner's
 * list of flags; a staff user's own member card. */
#ifndef LOY_APP_STAFF_H
#define LOY_APP_STAFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/programme_staff.h"

/* Inside the write transaction of a purchase (op "purchase") or an adjustment (op "adjust",
 * `delta` its amount) for `member`: the verdict of the rules for app->actor at `now`. A block
 * returns LOY_EREFUSED (HTTP 422, CLI exit 1) naming v->field ("member" or "delta") and leaves
 * app->staff_block set for loy_app_staff_blocked_log; a flag returns 0 with v->action
 * LOY_STAFF_FLAG (the caller records it with loy_app_staff_flagged once its write has an id). */
int loy_app_staff_check(loy_app *app, const char *op, int64_t member, int64_t delta, int64_t now,
                        loy_staff_verdict *v, loy_err *err);
/* Records a flagged write (staff_flags row and "fraud.flagged" audit entry) in the caller's
 * transaction; ref_id = the purchase or the adjustment's audit entry. No-op unless flagged. */
int loy_app_staff_flagged(loy_app *app, const loy_staff_verdict *v, const char *op, int64_t member,
                          int64_t ref_id, int64_t now, loy_err *err);
/* After the rollback of a refused write: when app->staff_block is set, records it (staff_flags row
 * with action "blocked" and a "fraud.blocked" audit entry) in its own transaction, or in a
 * savepoint of the caller's open one (a batch), and clears it. Returns 0 or the storage error. */
int loy_app_staff_blocked_log(loy_app *app, int64_t now);
/* *resp = {"flags": [{id, actor, rule, action, member_id, op, ref_id, detail, status,
 * created_at}], "next_before"}: status "open", "dismissed" or NULL/"" for all; newest first. */
int loy_app_staff_flags(loy_app *app, const char *status, int64_t before, int limit, json_t **resp,
                        loy_err *err);
/* The owner dismisses flag `id` (req {"reason": text, required}): status dismissed, audited
 * ("fraud.dismissed", the reason), one transaction; *resp = {"id", "status"}. LOY_ENOTFOUND,
 * LOY_ECONFLICT (dismissed already), LOY_EINVALID (reason missing or not text; unknown fields). */
int loy_app_staff_flag_dismiss(loy_app *app, int64_t id, const json_t *req, json_t **resp,
                               loy_err *err);
/* The "member" field of a user update: absent (*set = false), null (unlink) or a member id. */
int loy_app_staff_member_field(const json_t *req, bool *set, int64_t *member, loy_err *err);
/* Inside the caller's transaction: links staff user `user_id` to `member` (0 unlinks) after
 * checking the member is the merchant's (LOY_EINVALID naming "member" otherwise). */
int loy_app_staff_member_set(loy_app *app, int64_t user_id, int64_t member, loy_err *err);
/* The member card linked to staff user `user_id` (0 when none). */
int loy_app_staff_member_of(loy_app *app, int64_t user_id, int64_t *member, loy_err *err);

#endif
