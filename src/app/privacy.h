/* Privacy use cases (SPEC "Privacy", RELIABILITY F1 and F2; docs/privacy.md): everything the
 * database holds about one member as one JSON document, and the erasure of a member's personal
 * data with the ledger kept under a pseudonym so the books still balance. */
#ifndef LOY_APP_PRIVACY_H
#define LOY_APP_PRIVACY_H

#include <jansson.h>

#include "app/app.h"

/* The member's data: {format: "loyalty.member-export", version: 1, exported_at, exported_by,
 * merchant: {id, name}, member (as the API shows it), balances, referred_members: [ids],
 * tables: {TABLE: [rows]}} where `tables` has every table of loy_privacy_tables (an empty list
 * when the member has no row there), each row with all its columns (JSON columns embedded).
 * Audited ("member.export": who exported whom). LOY_ENOTFOUND for an unknown member. */
int loy_app_member_export(loy_app *app, const char *member_ref, json_t **resp, loy_err *err);

/* Erases the member's personal data; req = {"reason": "..."} (required, at most 500 bytes, and
 * without the member's name, phone or email: the audit entry keeps it). The name becomes
 * "Erased member ID"; phone, email, birthday, notes, tags, favourite and consents are cleared; the
 * card token is replaced (the old card stops working); copies in audit details, outbox (webhook)
 * payloads, stored idempotent answers and free-text reasons and references are scrubbed; import
 * bookkeeping loses the keys of their file row. Ledger, lots, balances, purchases, refunds,
 * vouchers and referral links stay (ids only). Runs with PRAGMA secure_delete on, then
 * checkpoints the WAL. Audited ("member.erase": who, when, the reason; no personal data) and an
 * outbox event "member.erased" {member_id} tells webhook receivers.
 * *resp = {member, erased_at, scrubbed: {TABLE.COLUMN: n}, import: {rows, members},
 * warnings: [..], checkpoint: {complete}}. LOY_ENOTFOUND (unknown member), LOY_ECONFLICT
 * (already erased), LOY_EINVALID (field "reason"). */
int loy_app_member_erase(loy_app *app, const char *member_ref, const json_t *req, json_t **resp,
                         loy_err *err);

/* The refusal of an erased member's purchase or redemption: LOY_EREFUSED naming the member. */
int loy_app_erased_refusal(const loy_member_row *m, const char *what, loy_err *err);

#endif
