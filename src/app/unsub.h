/* Unsubscribing and resubscribing (RFC 8058 one-click, and the customer page /u/{token}): the
 * member's unsubscribe token, the address marketing messages carry, and the consent changes made
 * with it. The token is the only credential: no login, no cookie. See docs/http-api.md. */
#ifndef LOY_APP_UNSUB_H
#define LOY_APP_UNSUB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

#define LOY_UNSUB_TOKEN_BITS 160 /* 32 Crockford base32 characters */
#define LOY_UNSUB_TOKEN_MAX  40  /* buffer size for a token and its NUL */
#define LOY_UNSUB_PATH_MAX   48  /* buffer size for "/u/TOKEN" and its NUL */
/* The consent sources these use cases record (members.consent_*_source). */
#define LOY_UNSUB_SOURCE_LINK "unsubscribe-link" /* the one-click POST */
#define LOY_UNSUB_SOURCE_PAGE "unsubscribe-page" /* the per-channel choices of the page */

/* The unsubscribe token of member `member` of the current merchant, issued now (160 random bits
 * from the CSPRNG) when the member has none yet: members from before migration 0011 and
 * bulk-loaded ones get theirs on first use; loy_uc_member_create issues one for every new
 * member. Runs in the caller's write transaction when one is open (never call it inside a read
 * transaction), else in its own. LOY_ENOTFOUND (field "member") for an unknown member. */
int loy_app_unsub_token(loy_app *app, int64_t member, char out[LOY_UNSUB_TOKEN_MAX], loy_err *err);
/* "/u/TOKEN": the member's unsubscribe address, relative to the server's public base URL. The
 * email sender puts `List-Unsubscribe: <https://HOST/u/TOKEN>` and `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click` on every marketing message: a POST of that body there withdraws
 * every marketing consent (RFC 8058), a GET shows the member's page and changes nothing. Same
 * transaction rules as loy_app_unsub_token. */
int loy_app_unsub_path(loy_app *app, int64_t member, char out[LOY_UNSUB_PATH_MAX], loy_err *err);
/* Adds member.unsubscribe_url ("/u/TOKEN") to a staff member view (loy_app_member_view's
 * answer), issuing the token if needed (outside any transaction). */
int loy_app_unsub_attach(loy_app *app, json_t *view, loy_err *err);

/* What the unsubscribe page shows of the token's member, and selects their merchant:
 * {member: {first_name, locale}, merchant: {name}, consent: {email: bool, sms: bool},
 * channels: [the channels the member has an address for: "email", "sms"]}. The first word of
 * the name only; no contact details, no card. LOY_ENOTFOUND (field "token") for an unknown
 * token. */
int loy_app_unsub_view(loy_app *app, const char *token, json_t **resp, loy_err *err);
/* The one-click unsubscribe: withdraws the marketing consent of every channel with source
 * "unsubscribe-link" and the time, audited ("consent.withdraw"), in one transaction. Idempotent:
 * when nothing is granted nothing is written. *resp = the view plus "changed": bool. */
int loy_app_unsub_all(loy_app *app, const char *token, json_t **resp, loy_err *err);
/* The page's per-channel choice: req = {"email": bool, "sms": bool} (at least one; others
 * unknown). A channel whose value changes gets it with source "unsubscribe-page" and the time
 * (true = consent given again), audited ("consent.change"); an unchanged one keeps its time and
 * source. LOY_EINVALID naming the field, nothing changed. *resp as loy_app_unsub_all. */
int loy_app_unsub_set(loy_app *app, const char *token, const json_t *req, json_t **resp,
                      loy_err *err);

#endif
