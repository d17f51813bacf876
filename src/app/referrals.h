/* Referral use cases (SPEC C, RELIABILITY E5; docs/referrals.md): every member's referral code
 * and link /r/{code}, the referral recorded when a referee joins with a code (with the fraud
 * checks of core/referral.h), qualifying by the referee's first purchase of at least the
 * programme's minimum, the daily award of both bonuses after the return window, and the owner's
 * review of flagged referrals. Every refusal and flag is audited with its reason. */
#ifndef LOY_APP_REFERRALS_H
#define LOY_APP_REFERRALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/referral.h"

#define LOY_REFERRAL_PATH_MAX 32 /* buffer size for "/r/CODE" and its NUL */

/* The referral code of member `member` of the current merchant, issued now when the member has
 * none yet (members from before migration 0016 and bulk-loaded ones get theirs on first use).
 * Runs in the caller's write transaction when one is open (never call it inside a read
 * transaction), else in its own. LOY_ENOTFOUND (field "member") for an unknown member. */
int loy_app_referral_code(loy_app *app, int64_t member, char out[LOY_REFERRAL_CODE_MAX],
                          loy_err *err);

/* Member requests (called by loy_member_fields): on create, an optional "referral_code" (any
 * case, spaces and dashes ignored) names the referrer and sets row->referred_by; LOY_EINVALID
 * (field "referral_code") for a code no member of this merchant holds, or one that disagrees
 * with "referred_by". On update the field is not writable. */
int loy_app_referral_field(loy_app *app, const json_t *req, bool create, loy_member_row *row,
                           loy_err *err);
/* Inside loy_uc_member_create's transaction, once member `m` is stored: issues their own
 * referral code and, when `req` had a referral_code, records the referral with the verdict of
 * the rules (pending, or flagged "velocity"; audited unless pending). A plain "referred_by"
 * without a code records no referral (imports and history: it pays nothing). */
int loy_app_referral_joined(loy_app *app, const loy_member_row *m, const json_t *req, int64_t now,
                            loy_err *err);
/* After a member-create request `req` failed with LOY_ECONFLICT (its phone or email belongs to a
 * member already) and was rolled back: when it carried a referral code of the current merchant,
 * records the refused or flagged referral of that existing member (self_referral when they are
 * the referrer, ring when they are up the referrer's chain, else already_member) with its audit
 * entry. Runs in its own transaction, or in a savepoint of the caller's open one. The caller's
 * error stands whatever happens here; the return value is for tests. Repeated attempts are
 * recorded once. */
int loy_app_referral_join_conflict(loy_app *app, const json_t *req, int64_t now);
/* Inside loy_uc_purchase's transaction, after purchase `purchase` (amount, made at `at`) of
 * member `member` was stored: when the member is the referee of an open referral without a
 * qualifying purchase and amount >= bonuses.referral.min_first_purchase (and > 0), it becomes
 * that purchase, with qualifies_at = at + points.pending_days (the return window); a pending
 * referral becomes qualified (a flagged one waits for the owner). */
int loy_app_referral_purchase(loy_app *app, int64_t member, int64_t purchase, int64_t amount,
                              int64_t at, int64_t now, loy_err *err);
/* The daily job: every qualified referral whose qualifies_at <= now, one transaction each. The
 * rules are checked again (self-referral, erasure; ring and velocity unless the owner approved);
 * a qualifying purchase refunded below the minimum refuses it ("refunded"); otherwise both
 * bonuses are paid (ledger entries of kind referral, ref_type "referral"), the referral becomes
 * awarded and an outbox event "referral.awarded" is written. Paying is guarded by the status, so
 * running the job twice pays once. Adds "referrals_awarded" and "referrals_refused" counts to
 * `summary`. */
int loy_app_referrals_award(loy_app *app, int64_t now, json_t *summary, loy_err *err);
/* Inside the erase transaction of member `member`: their open referrals (as referrer or
 * referee) are refused with reason "erased" (audited): an erased member earns nothing. */
int loy_app_referral_erased(loy_app *app, int64_t member, int64_t now, loy_err *err);

/* Adds to a staff member view (loy_app_member_view's answer): member.referral_code,
 * member.referral_url ("/r/CODE") and "referrals": {referred: [{id, name, joined_at, status,
 * reason, referral_id, revenue, revenue_display}], count, awarded}, issuing the code if needed
 * (outside any transaction). */
int loy_app_referral_attach(loy_app *app, json_t *view, loy_err *err);
/* Adds "referral": {code, url} to the card holder's own view of member `member` (the link they
 * share), issuing the code if needed (outside any transaction). */
int loy_app_referral_card(loy_app *app, int64_t member, json_t *view, loy_err *err);
/* Where the public link /r/{code} lands: "/join/ID?ref=CODE" (ID = the referrer's home location,
 * else the merchant's first location), selecting the referrer's merchant; for a code nobody
 * holds, the first location of the first merchant without a code ("/join/ID"). LOY_ENOTFOUND
 * (field "code") only when there is no join page at all. */
int loy_app_referral_landing(loy_app *app, const char *code, char *path, size_t n, loy_err *err);
/* Adds "referrer": {first_name} (or null) to a join page's info (loy_app_join_info's answer) for
 * the code `code` (NULL: null), when a member of the page's merchant holds it. */
int loy_app_referral_invite(loy_app *app, const char *code, json_t *info, loy_err *err);

/* For the advocacy report, inside the caller's read transaction: the members referred by each
 * of the n members in `referrers` who joined before `before`, as pairs {referrer, referee}
 * (*pairs malloc'ed, 2 * *npairs values, NULL when none), in the order of `referrers`. */
int loy_app_referral_referees(loy_app *app, const int64_t *referrers, size_t n, int64_t before,
                              int64_t **pairs, size_t *npairs, loy_err *err);

/* The owner's list: *resp = {"referrals": [{..., referrer: {id, name}, referee: {id, name}}],
 * "next_before": id or null}, newest first. params (borrowed, NULL = defaults; values as JSON or
 * as text, as query strings and CLI flags give them): "status" (pending, qualified, awarded,
 * refused or flagged; default all), "before" (an id: the page after the one that ended there),
 * "limit" (1..100, default 50). LOY_EINVALID naming the parameter, also for an unknown one. */
int loy_app_referral_list(loy_app *app, const json_t *params, json_t **resp, loy_err *err);
/* The owner's decision on a flagged referral: approve (it continues as pending, or as qualified
 * when the referee already made the qualifying purchase, and pays after the window) or reject
 * (refused, reason kept). Audited "referral.approve" / "referral.reject". LOY_ENOTFOUND (field
 * "id"), LOY_ECONFLICT (field "status") when it is not flagged, or when approving it would give
 * the referee a second referral. *resp = {"referral": {...}} as the list shows one. */
int loy_app_referral_decide(loy_app *app, int64_t id, bool approve, json_t **resp, loy_err *err);

#endif
