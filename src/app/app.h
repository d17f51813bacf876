/* Use cases: one transaction each. Requests and responses are JSON documents (jansson), the same
 * for the CLI and the HTTP API, so both share one validator. */
#ifndef LOY_APP_APP_H
#define LOY_APP_APP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"
#include "core/programme.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

/* A staff write refused by the fraud controls, logged (flag and audit) after its rollback. */
typedef struct {
    bool set;
    int64_t member;
    char op[16], rule[24], reason[160];
} loy_staff_block;

typedef struct loy_app {
    loy_conn conn;
    int64_t merchant; /* 0 until init */
    loy_merchant_row merchant_row;
    loy_programme *prog;
    int64_t prog_version;
    loy_tz *tz;
    char actor[64];           /* who acts: "cli:alice", "user:3", "key:ab12" */
    int64_t now;              /* 0 = read the clock per call; else a fixed instant (tests, --now) */
    struct loy_tz_cache *tzs; /* members' own time zones, loaded once (app/member_tz.c) */
    const _Atomic bool *stop; /* NULL, or set by a thread to end the daily jobs between members */
    loy_staff_block staff_block; /* app/staff.c */
} loy_app;

/* Opens (creating and migrating if needed) the database and loads the merchant's active
 * programme if there is one. */
int loy_app_open(loy_app **out, const char *db_path, const loy_db_opts *opts, loy_err *err);
void loy_app_close(loy_app *app);
int64_t loy_app_now(const loy_app *app);

/* Creates the merchant from a programme document (version 1). LOY_ECONFLICT if the database
 * already has a merchant. */
int loy_app_init(loy_app *app, const char *programme_json, size_t len, loy_err *err);
/* Adds another merchant (a chain's second brand, a hosted service's next customer) from its
 * programme document and makes it current. */
int loy_app_merchant_add(loy_app *app, const char *programme_json, size_t len, loy_err *err);
/* Ids of every merchant in the database (at most max). */
int loy_app_merchants(loy_app *app, int64_t *ids, int max, int *n, loy_err *err);
/* Makes `merchant` current, reloading its programme when it changed since it was loaded (by
 * another connection, too). LOY_ENOTFOUND for an unknown merchant. Every later call acts for it. */
int loy_app_select_merchant(loy_app *app, int64_t merchant, loy_err *err);
/* Validates and activates a new programme version; *version_out = its number. */
int loy_app_programme_set(loy_app *app, const char *programme_json, size_t len,
                          int64_t *version_out, loy_err *err);
/* The active programme (version 0) or a given version: {version, created_at, programme}. */
int loy_app_programme_get(loy_app *app, int64_t version, json_t **resp, loy_err *err);
/* Validates a programme document without a database (load check of the zone included). */
int loy_app_programme_check(const char *programme_json, size_t len, loy_err *err);

/* Write use cases. `key` is the idempotency key (1..255 chars); a replay of the same key and
 * request returns the stored response (*replayed = true); the same key with another request is
 * LOY_EMISMATCH. `req` is borrowed; *resp is new. */
typedef enum {
    LOY_OP_MEMBER_CREATE,
    LOY_OP_PURCHASE,
    LOY_OP_REFUND,
    LOY_OP_REDEEM,
    LOY_OP_ADJUST,
    LOY_OP_VOUCHER_USE
} loy_op;
int loy_app_write(loy_app *app, loy_op op, const char *key, const json_t *req, json_t **resp,
                  bool *replayed, loy_err *err);
/* One step of a batch: each has its own key and result. */
typedef struct {
    loy_op op;
    const char *key;
    const json_t *req;
    int64_t merchant;  /* 0 = the app's current merchant */
    const char *actor; /* NULL = the app's actor */
    json_t *resp;      /* set on success (caller frees) */
    bool replayed;
    int rc;
    loy_err err;
} loy_write_item;
/* Applies the items in order in one durable transaction (one commit for all); a failing item is
 * undone alone (savepoint) and reported in its rc/err, the others still commit. Returns 0 unless
 * the transaction itself failed, in which case no item took effect. */
int loy_app_write_batch(loy_app *app, loy_write_item *items, size_t n, loy_err *err);

/* Dry run of a purchase: the same outcome, nothing written. */
int loy_app_simulate(loy_app *app, const json_t *req, json_t **resp, loy_err *err);

/* The card holder's own view of a card, public (the token is the secret): name, locale, token,
 * balances, stamp card, tier and progress, pending and expiring points, rewards, giving, currency,
 * the QR image path and the merchant's name; no contact details, notes, consents or predictions.
 * Selects the card's merchant. LOY_ENOTFOUND (field "token") for an unknown token. */
/* The card holder's own view of the card `token` (public: no contact details, notes, consents
 * or predictions); programme names (tiers, rewards) in `lang` ("en", "bn", ...; NULL or "": the
 * member's language). LOY_ENOTFOUND (field "token") for an unknown card, LOY_EINVALID (field
 * "lang") for a language that is not 2 or 3 lower-case letters. */
int loy_app_card_view(loy_app *app, const char *token, const char *lang, json_t **resp,
                      loy_err *err);
/* The customer join page of location `location_id` (locations are numbered across merchants):
 * selects its merchant, checks `body` ({name, phone and/or email, birthday, locale, consent:
 * {email, sms}}; name and a phone or an email required; consents default to none) and makes the
 * member-create request (*req, new reference) with the location as home and "join page,
 * location CODE" as the consents' source. LOY_ENOTFOUND (field "location") or LOY_EINVALID
 * naming the field. */
int loy_app_join_request(loy_app *app, int64_t location_id, const json_t *body, json_t **req,
                         loy_err *err);
/* The merchant's locations: {"locations": [{id, code, name, join: "/join/ID"}]} in programme
 * order (ids are unique across merchants: the join page's address). */
int loy_app_locations(loy_app *app, json_t **resp, loy_err *err);
/* Adds a location: req = {code, name}. Locations belong to the programme (purchases name them),
 * so the active programme is saved with the location appended as a new version, in one
 * transaction, through the same code as `loyalty programme set`; the code is checked like the
 * programme's location codes (1 to 47 of A-Z a-z 0-9 _ -). LOY_EINVALID naming "code" or "name";
 * LOY_ECONFLICT (field "code") when the merchant has the code already. *resp = {location: {id,
 * code, name, join: "/join/ID"}, programme_version}. Audited as "location.add". */
int loy_app_location_add(loy_app *app, const json_t *req, json_t **resp, loy_err *err);
/* Renames location `code`: req = {name}; the same way (no new version when the name is the same).
 * LOY_ENOTFOUND (field "code") for an unknown code. Audited as "location.rename". */
int loy_app_location_rename(loy_app *app, const char *code, const json_t *req, json_t **resp,
                            loy_err *err);
/* What a join page shows: {location: {id, code, name}, merchant: {name, currency, locale}}. */
int loy_app_join_info(loy_app *app, int64_t location_id, json_t **resp, loy_err *err);
/* What the new member sees of the member-create answer: {member: {name, locale, card_token},
 * card: "/c/TOKEN"}. */
json_t *loy_app_join_public(const json_t *created);
/* Updates the writable fields of a member (no idempotency needed: it is a set, not an add). */
int loy_app_member_update(loy_app *app, const char *member_ref, const json_t *req, json_t **resp,
                          loy_err *err);
/* Everything the counter needs about one member: details, balances, stamp card, tier and
 * progress, pending, expiring within 30 days, redeemable rewards. `member_ref` is an id, card
 * token, phone or email. */
int loy_app_member_view(loy_app *app, const char *member_ref, json_t **resp, loy_err *err);
/* The same view with programme names in `names_lang` (NULL: the member's language). */
int loy_app_member_view_in(loy_app *app, const char *member_ref, const char *names_lang,
                           json_t **resp, loy_err *err);
/* The QR code (SVG) of a member's card; LOY_ENOTFOUND for an unknown token. The QR payload is
 * the card token itself, which the counter's search takes. */
int loy_app_card_svg(loy_app *app, const char *token, char **svg, loy_err *err);
/* Issues a new card token (>= 128 random bits); the old one stops working. */
int loy_app_member_rotate_card(loy_app *app, const char *member_ref, json_t **resp, loy_err *err);
/* A printable HTML sheet of cards (name, QR, token) for every member, or those in `ids`. */
int loy_app_cards_sheet(loy_app *app, char **html, loy_err *err);
/* Search by fragment of name (any script, folded), phone, email or card token. */
int loy_app_member_find(loy_app *app, const char *query, int limit, json_t **resp, loy_err *err);
/* The same, paginated: ids above `after`; *resp has "next_cursor" (null on the last page). */
int loy_app_member_search(loy_app *app, const char *query, int64_t after, int limit, json_t **resp,
                          loy_err *err);
int loy_app_member_ledger(loy_app *app, const char *member_ref, int64_t before_id, int limit,
                          json_t **resp, loy_err *err);
/* Purchases, newest first (of one member when member_ref is not NULL), ids below `before`;
 * *resp = {"purchases": [...], "next_before": id or null}. */
int loy_app_purchase_list(loy_app *app, const char *member_ref, int64_t before, int limit,
                          json_t **resp, loy_err *err);
int loy_app_voucher_check(loy_app *app, const char *code, json_t **resp, loy_err *err);

/* Jobs at app->now for every member: activation, expiry, tier review; one transaction per
 * member. *resp summarises what changed. */
int loy_app_jobs_housekeeping(loy_app *app, json_t **resp, loy_err *err);

/* Invariant check; *resp = {"ok": bool, "violations": [...]}. */
int loy_app_verify(loy_app *app, json_t **resp, loy_err *err);

/* API keys: "loy_" + 32 base32 characters (160 random bits), shown once; only the SHA-256 is
 * kept. role is "owner", "manager" or "cashier". *resp = {id, key, prefix, role, name}. */
int loy_app_apikey_create(loy_app *app, const char *role, const char *name, json_t **resp,
                          loy_err *err);
/* The same from a JSON request {name, role} (the HTTP API): LOY_EINVALID naming the field. */
int loy_app_apikey_create_json(loy_app *app, const json_t *req, json_t **resp, loy_err *err);
/* *resp = {"keys": [{id, prefix, role, name, created_at, revoked_at, last_used_at}]}: never the
 * secret nor its hash. */
int loy_app_apikey_list(loy_app *app, json_t **resp, loy_err *err);
int loy_app_apikey_revoke(loy_app *app, int64_t id, loy_err *err);
/* The active key matching `key` (constant-time on the secret: only its hash is compared). */
int loy_app_authenticate(loy_app *app, const char *key, loy_apikey_row *out, loy_err *err);
int loy_app_stats(loy_app *app, loy_stats *out, loy_err *err);

/* Staff users: usernames are unique across merchants; passwords (10 to 256 bytes) are kept as
 * argon2id hashes (m = 19 MiB, t = 2, p = 1). role is owner, manager or cashier. */
int loy_app_user_add(loy_app *app, const char *username, const char *name, const char *role,
                     const char *password, json_t **resp, loy_err *err);
int loy_app_user_passwd(loy_app *app, const char *username, const char *password, loy_err *err);
/* *resp = {"users": [{id, username, name, role, created_at, disabled, disabled_at}]}: never a
 * password hash. */
int loy_app_user_list(loy_app *app, json_t **resp, loy_err *err);
/* loy_app_user_add from a JSON request {username, name, role, password} (the HTTP API): the same
 * rules, LOY_EINVALID naming the field, LOY_ECONFLICT (field "username") when it is taken. */
int loy_app_user_create_json(loy_app *app, const json_t *req, json_t **resp, loy_err *err);
/* Changes a staff user of the current merchant in one transaction: req = {name?, role?,
 * disabled?: bool, password?} (at least one; the password under the same policy as
 * loy_app_user_add). `self` is the acting staff user's username (NULL for an API key or the CLI):
 * nobody disables or demotes themselves, and the merchant's last active owner is never disabled
 * or demoted (both LOY_ECONFLICT naming the field "disabled" or "role"). Disabling a user ends
 * their sessions at once, as a new password does. Audited as "user.update" with what changed
 * (never the password). LOY_ENOTFOUND (field "username") for a user of no or another merchant.
 * *resp = the user as loy_app_user_list shows it. */
int loy_app_user_update(loy_app *app, const char *username, const json_t *req, const char *self,
                        json_t **resp, loy_err *err);
/* Login: on success a new session (token and CSRF token, 160 random bits each; 12 hours) for
 * the user, whose merchant becomes current. Unknown user and wrong password give the same
 * LOY_EREFUSED after the same work, so nobody can tell whether an account exists. */
int loy_app_login(loy_app *app, const char *username, const char *password, char token[48],
                  char csrf[48], loy_user_row *user, loy_err *err);
/* The user of a live session (and its CSRF token); LOY_ENOTFOUND otherwise. */
int loy_app_session(loy_app *app, const char *token, loy_user_row *user, char csrf[48],
                    loy_err *err);
int loy_app_logout(loy_app *app, const char *token, loy_err *err);

/* Helpers shared by request parsing (app/request.c). */
int loy_app_resolve_member(loy_app *app, const char *ref, loy_member_row *out, loy_err *err);

#endif
