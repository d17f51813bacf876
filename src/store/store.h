/* Repositories: every SQL statement of the application lives behind these functions. They run
 * inside the caller's transaction (loy_db_begin/commit) and never commit on their own. */
#ifndef LOY_STORE_STORE_H
#define LOY_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"
#include "store/db.h"

typedef struct {
    int64_t id;
    char name[256];
    char currency[4];
    char timezone[64];
    char locale[8];
} loy_merchant_row;

typedef struct {
    int64_t id, merchant_id;
    char card_token[40];
    char *name, *phone, *email, *tags, *notes, *favourite, *location_code;
    char locale[8];
    int bday_day, bday_month, bday_year;
    int64_t birthday_set_at;
    int64_t referred_by; /* 0 = none */
    int64_t joined_at, updated_at;
    bool consent_email, consent_sms;
    int64_t consent_email_at, consent_sms_at;
    char consent_email_source[64], consent_sms_source[64];
    /* programme state */
    char tier[LOY_ID_MAX];
    int64_t tier_since, below_since, last_review_at;
    int last_birthday_bonus_year, last_anniversary_bonus_year;
    int64_t first_purchase_at, purchases, last_activity_at;
    int64_t erased_at; /* when the personal data was erased (app/privacy.c), 0 = never */
    char timezone[64]; /* IANA zone of the member; "" = the merchant's (loy_app_member_tz) */
} loy_member_row;

void loy_member_row_free(loy_member_row *m); /* frees the strings, not the struct */

/* merchants and programmes */
int loy_store_merchant_create(loy_conn *c, const loy_programme *p, int64_t now, int64_t *id_out,
                              loy_err *err);
int loy_store_merchant_get(loy_conn *c, int64_t id, loy_merchant_row *out, loy_err *err);
/* Ids of every merchant, ascending (at most max; *n = how many). */
int loy_store_merchant_ids(loy_conn *c, int64_t *ids, int max, int *n, loy_err *err);
/* Lowest merchant id (single-merchant deployments and the CLI). LOY_ENOTFOUND if none. */
int loy_store_merchant_default(loy_conn *c, int64_t *id_out, loy_err *err);
/* A location by its id (unique across merchants: the join page's address): its merchant, code
 * and name (copied, truncated to n and name_n). LOY_ENOTFOUND when there is none. */
int loy_store_location_get(loy_conn *c, int64_t id, int64_t *merchant, char *code, size_t n,
                           char *name, size_t name_n, loy_err *err);
/* The id of a merchant's location by code; LOY_ENOTFOUND when there is none. */
int loy_store_location_id(loy_conn *c, int64_t merchant, const char *code, int64_t *id,
                          loy_err *err);
/* Updates the merchant's name, currency, zone and locale and upserts its locations. */
int loy_store_merchant_sync(loy_conn *c, int64_t merchant, const loy_programme *p, loy_err *err);
int loy_store_programme_put(loy_conn *c, int64_t merchant, const char *body, int64_t now,
                            const char *actor, int64_t *version_out, loy_err *err);
/* The active programme version of a merchant, 0 if the merchant has none. */
int loy_store_programme_version(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err);
/* The merchant owning a card token (cards are unique across merchants). */
int loy_store_card_merchant(loy_conn *c, const char *token, int64_t *merchant, loy_err *err);
/* version 0 = the active (latest) one; *body_out is malloc'ed. */
int loy_store_programme_get(loy_conn *c, int64_t merchant, int64_t version, char **body_out,
                            int64_t *version_out, int64_t *created_at_out, loy_err *err);
/* Calls fn for each version, newest first. */
int loy_store_programme_history(loy_conn *c, int64_t merchant,
                                void (*fn)(void *ctx, int64_t version, int64_t at,
                                           const char *actor),
                                void *ctx, loy_err *err);

/* members */
int loy_store_member_insert(loy_conn *c, loy_member_row *m, loy_err *err); /* sets m->id */
/* Writes the editable fields and consents of m (by id and merchant). */
int loy_store_member_update(loy_conn *c, const loy_member_row *m, loy_err *err);
typedef enum { LOY_BY_ID, LOY_BY_CARD, LOY_BY_PHONE, LOY_BY_EMAIL } loy_member_key;
int loy_store_member_get(loy_conn *c, int64_t merchant, loy_member_key by, const char *key,
                         int64_t id, loy_member_row *out, loy_err *err);
/* Members whose folded name contains `folded`, or whose phone / email / card matches; ids
 * ascending after `after_id`, at most `limit`. Calls fn per member row (borrowed). */
int loy_store_member_search(loy_conn *c, int64_t merchant, const char *folded, const char *phone,
                            int64_t after_id, int limit,
                            void (*fn)(void *ctx, const loy_member_row *m), void *ctx,
                            loy_err *err);
/* Replaces the member's card token (the old card stops working). */
int loy_store_member_set_card(loy_conn *c, int64_t merchant, int64_t id, const char *token,
                              loy_err *err);
int loy_store_member_count(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err);

/* Loads the engine's view of a member at `now`: balances, open lots (*lots_out, malloc'ed,
 * caller frees), tier state and the qualifying value over the programme's tier window. */
int loy_store_member_state(loy_conn *c, int64_t merchant, const loy_member_row *m,
                           const loy_programme *p, int64_t now, loy_member_state *out,
                           loy_lot **lots_out, loy_err *err);

typedef struct {
    const char *actor;
    const char *reason;   /* NULL unless adjust */
    const char *ref_type; /* "purchase", "refund", "redemption", "adjustment", "join", "job" */
    int64_t ref_id;
    int64_t now;
    bool allow_debt;
} loy_apply;

/* Appends the outcome's entries to the ledger, maintains lots and balances with atomic floor
 * checks (LOY_EREFUSED if a concurrent writer spent the points first), and writes the member's
 * tier / review / bonus-year changes and tier history. *ids_out (optional, malloc'ed) receives
 * the ledger id of each entry. */
int loy_store_apply(loy_conn *c, int64_t merchant, int64_t member, const loy_outcome *o,
                    const loy_apply *a, int64_t **ids_out, loy_err *err);

/* purchases and refunds */
typedef struct {
    int64_t id, merchant_id, member_id;
    char location[LOY_ID_MAX];
    int64_t amount, tender_points, cash, refunded;
    char currency[4];
    char reference[128];
    int64_t occurred_at, recorded_at;
} loy_purchase_row;

int loy_store_purchase_insert(loy_conn *c, loy_purchase_row *p, const char *lines_json,
                              const char *actor, loy_err *err); /* sets p->id */
/* Purchases of the merchant (of one member when member > 0), newest first, ids below `before`
 * (0 = from the newest), at most limit. */
int loy_store_purchase_list(loy_conn *c, int64_t merchant, int64_t member, int64_t before,
                            int limit, void (*fn)(void *ctx, const loy_purchase_row *p), void *ctx,
                            loy_err *err);
int loy_store_purchase_get(loy_conn *c, int64_t merchant, int64_t id, loy_purchase_row *out,
                           loy_err *err);
/* Adds `amount` to the refunded total unless that would exceed the purchase amount
 * (LOY_ECONFLICT); inserts the refund row and sets *refund_id. */
int loy_store_refund_insert(loy_conn *c, int64_t merchant, int64_t purchase, int64_t amount,
                            const char *reason, const char *actor, int64_t now, int64_t *refund_id,
                            loy_err *err);
/* What the purchase credited (earn) or tendered, grouped by account and rule, with what
 * earlier refunds reversed or restored. *out is malloc'ed. */
int loy_store_purchase_earned(loy_conn *c, int64_t purchase, loy_earned **out, size_t *n,
                              loy_err *err);
/* Member's favourite, learned from the last 50 purchases: the SKU (else category) bought most
 * often, ties to the most recent; *out = NULL when none (else malloc'ed). Computed when read, so
 * recording a purchase pays nothing for it. */
int loy_store_member_favourite(loy_conn *c, int64_t member, char **out, loy_err *err);

/* rewards and vouchers */
int loy_store_stock_issued(loy_conn *c, int64_t merchant, const char *reward, int64_t *out,
                           loy_err *err);
/* Takes one unit if issued < stock (stock < 0: unlimited); LOY_EREFUSED when sold out. */
int loy_store_stock_take(loy_conn *c, int64_t merchant, const char *reward, int64_t stock,
                         loy_err *err);

typedef struct {
    int64_t id, merchant_id, member_id;
    char reward[LOY_ID_MAX];
    char code[40], short_code[16];
    int64_t issued_at, expires_at, used_at;
} loy_voucher_row;

int loy_store_voucher_insert(loy_conn *c, loy_voucher_row *v, loy_err *err);
/* By full code or short code ("K7QM-2XHD", case-insensitive). */
int loy_store_voucher_get(loy_conn *c, int64_t merchant, const char *code, loy_voucher_row *out,
                          loy_err *err);
/* Marks used once: LOY_ECONFLICT if already used, LOY_EREFUSED if expired. */
int loy_store_voucher_use(loy_conn *c, int64_t merchant, int64_t id, const char *actor, int64_t now,
                          loy_err *err);

/* idempotency */
typedef struct {
    char fingerprint[65];
    int status;
    char *response; /* malloc'ed */
} loy_idem_row;
/* LOY_ENOTFOUND when the key is unused. */
int loy_store_idem_get(loy_conn *c, int64_t merchant, const char *key, loy_idem_row *out,
                       loy_err *err);
int loy_store_idem_put(loy_conn *c, int64_t merchant, const char *key, const char *fingerprint,
                       int status, const char *response, int64_t now, loy_err *err);
/* Deletes records older than `before`; *n_out = how many. */
int loy_store_idem_prune(loy_conn *c, int64_t before, int64_t *n_out, loy_err *err);

/* outbox, audit */
int loy_store_outbox_add(loy_conn *c, int64_t merchant, const char *kind, int64_t member,
                         const char *payload, int64_t now, loy_err *err);
int loy_store_audit(loy_conn *c, int64_t merchant, const char *actor, const char *action,
                    const char *target_type, int64_t target_id, const char *reason,
                    const char *detail, int64_t now, int64_t *id_out, loy_err *err);

/* ledger history, newest first, ids < before_id (0 = from the newest), at most limit */
typedef struct {
    int64_t id;
    char account[16], kind[16], rule[LOY_ID_MAX], ref_type[16], actor[64];
    int64_t amount, lot, ref_id, created_at, expires_at;
    const char *reason;
} loy_ledger_row;
int loy_store_ledger_list(loy_conn *c, int64_t member, int64_t before_id, int limit,
                          void (*fn)(void *ctx, const loy_ledger_row *r), void *ctx, loy_err *err);
/* Member ids with open lots or pending points (for jobs), ascending, after `after`. */
int loy_store_members_page(loy_conn *c, int64_t merchant, int64_t after, int limit, int64_t *ids,
                           int *n, loy_err *err);

/* API keys (only the SHA-256 hash is stored) */
typedef struct {
    int64_t id, merchant_id;
    char name[128], role[16], prefix[16];
    int64_t created_at, revoked_at, last_used_at;
} loy_apikey_row;
int loy_store_apikey_insert(loy_conn *c, loy_apikey_row *k, const char *hash, const char *actor,
                            loy_err *err); /* sets k->id */
/* The active (not revoked) key with this hash; LOY_ENOTFOUND otherwise. */
int loy_store_apikey_find(loy_conn *c, const char *hash, loy_apikey_row *out, loy_err *err);
int loy_store_apikey_list(loy_conn *c, int64_t merchant,
                          void (*fn)(void *ctx, const loy_apikey_row *k), void *ctx, loy_err *err);
/* LOY_ENOTFOUND if no such active key of this merchant. */
int loy_store_apikey_revoke(loy_conn *c, int64_t merchant, int64_t id, int64_t now, loy_err *err);

/* staff users and sessions */
typedef struct {
    int64_t id, merchant_id;
    char username[64], name[128], role[16];
    char password_hash[160];
    int64_t created_at, disabled_at;
} loy_user_row;
int loy_store_user_insert(loy_conn *c, loy_user_row *u, loy_err *err); /* sets u->id */
int loy_store_user_by_name(loy_conn *c, const char *username, loy_user_row *out, loy_err *err);
int loy_store_user_by_id(loy_conn *c, int64_t id, loy_user_row *out, loy_err *err);
int loy_store_user_set_password(loy_conn *c, int64_t merchant, const char *username,
                                const char *hash, loy_err *err);
int loy_store_user_list(loy_conn *c, int64_t merchant, void (*fn)(void *ctx, const loy_user_row *u),
                        void *ctx, loy_err *err);
/* Writes name, role and disabled_at (0: enabled) of u (by id and merchant); LOY_ENOTFOUND if
 * there is no such user. Sessions are not touched (see loy_store_session_end_user). */
int loy_store_user_update(loy_conn *c, const loy_user_row *u, loy_err *err);
/* How many active (not disabled) owners the merchant has. */
int loy_store_user_owners(loy_conn *c, int64_t merchant, int64_t *out, loy_err *err);
/* Ends every session of a user at once. */
int loy_store_session_end_user(loy_conn *c, int64_t user, loy_err *err);
int loy_store_session_insert(loy_conn *c, const char *hash, int64_t user, int64_t merchant,
                             const char *csrf, int64_t now, int64_t expires, loy_err *err);
/* The live session with this token hash: its user id and CSRF token. */
int loy_store_session_get(loy_conn *c, const char *hash, int64_t now, int64_t *user, char csrf[48],
                          loy_err *err);
int loy_store_session_delete(loy_conn *c, const char *hash, loy_err *err);

typedef struct {
    int64_t members, purchases, redemptions, outbox_depth;
} loy_stats;
int loy_store_stats(loy_conn *c, int64_t merchant, loy_stats *out, loy_err *err);

/* Invariants of RELIABILITY.md; calls fn for each violation found; *violations = count. */
int loy_store_verify(loy_conn *c, void (*fn)(void *ctx, const char *what), void *ctx,
                     int64_t *violations, loy_err *err);

#endif
