/* Handlers of /api/v1: thin adapters from HTTP requests to the use cases of src/app. */
#include "http/http_int.h"
#include "app/referrals.h"
#include "app/request.h"
#include "app/unsub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdump.h"

static int query_int(const loy_req *r, const char *name, int64_t min, int64_t max, int64_t def,
                     int64_t *out, loy_err *err)
{
    const char *v = loy_req_query(r, name);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || x < min || x > max)
        return loy_err_set(err, LOY_EINVALID, name,
                           "%s: expected an integer from %lld to %lld, got \"%s\"", name,
                           (long long)min, (long long)max, v);
    *out = x;
    return 0;
}

/* GET /healthz */
static int h_health(loy_req *r, loy_err *err)
{
    loy_stats st;
    int rc = loy_app_stats(r->app, &st, err);
    if (rc) return rc;
    r->resp = json_pack("{s:s, s:s}", "status", "ok", "database", "reachable");
    return 0;
}

/* GET /metrics */
static int h_metrics(loy_req *r, loy_err *err)
{
    r->text = loy_metrics_render(loy_server_metrics(r->server), r->app);
    if (!r->text) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    r->content_type = "text/plain; version=0.0.4";
    return 0;
}

static int h_members_search(loy_req *r, loy_err *err)
{
    const char *q = loy_req_query(r, "q");
    int64_t limit = 0, cursor = 0;
    int rc = query_int(r, "limit", 1, 100, 20, &limit, err);
    if (!rc) rc = query_int(r, "cursor", 0, INT64_MAX, 0, &cursor, err);
    if (rc) return rc;
    if (!q || !*q) return loy_err_set(err, LOY_EINVALID, "q", "q: a search text is required");
    return loy_app_member_search(r->app, q, cursor, (int)limit, &r->resp, err);
}

/* A creating write: 201 with the Location of what it created (resp.<object>.id). */
static int write_created(loy_req *r, loy_op op, const char *object, const char *collection,
                         loy_err *err)
{
    int rc = loy_http_write(r, op, r->json, err);
    if (!rc) {
        json_t *id = json_object_get(json_object_get(r->resp, object), "id");
        snprintf(r->location, sizeof(r->location), "/api/v1/%s/%lld", collection,
                 (long long)json_integer_value(id));
    }
    return rc;
}

static int h_member_create(loy_req *r, loy_err *err)
{
    return write_created(r, LOY_OP_MEMBER_CREATE, "member", "members", err);
}

static int h_member_get(loy_req *r, loy_err *err)
{
    int rc = loy_app_member_view(r->app, r->params[0], &r->resp, err);
    if (!rc) rc = loy_app_referral_attach(r->app, r->resp, err); /* code, link, referred members */
    return rc ? rc : loy_app_unsub_attach(r->app, r->resp, err); /* staff see the member's link */
}

static int h_member_update(loy_req *r, loy_err *err)
{
    return loy_app_member_update(r->app, r->params[0], r->json, &r->resp, err);
}

static int h_member_ledger(loy_req *r, loy_err *err)
{
    int64_t before = 0, limit = 0;
    int rc = query_int(r, "before", 0, INT64_MAX, 0, &before, err);
    if (!rc) rc = query_int(r, "limit", 1, 1000, 100, &limit, err);
    if (!rc) rc = loy_app_member_ledger(r->app, r->params[0], before, (int)limit, &r->resp, err);
    return rc;
}

static int h_purchase(loy_req *r, loy_err *err)
{
    return write_created(r, LOY_OP_PURCHASE, "purchase", "purchases", err);
}

static int h_purchase_list(loy_req *r, loy_err *err)
{
    int64_t before = 0, limit = 0;
    int rc = query_int(r, "before", 0, INT64_MAX, 0, &before, err);
    if (!rc) rc = query_int(r, "limit", 1, 1000, 100, &limit, err);
    return rc ? rc
              : loy_app_purchase_list(r->app, loy_req_query(r, "member"), before, (int)limit,
                                      &r->resp, err);
}

static int h_simulate(loy_req *r, loy_err *err)
{
    return loy_app_simulate(r->app, r->json, &r->resp, err);
}

static int path_id(const loy_req *r, int i, int64_t *out, loy_err *err)
{
    char *end;
    long long v = strtoll(r->params[i], &end, 10);
    if (!*r->params[i] || *end || v <= 0)
        return loy_err_set(err, LOY_ENOTFOUND, "id", "no such id \"%s\"", r->params[i]);
    *out = v;
    return 0;
}

static int h_refund(loy_req *r, loy_err *err)
{
    int64_t id = 0;
    int rc = path_id(r, 0, &id, err);
    if (rc) return rc;
    if (json_object_get(r->json, "purchase_id"))
        return loy_err_set(err, LOY_EINVALID, "purchase_id",
                           "purchase_id: given by the path, not the body");
    json_t *req = json_deep_copy(r->json);
    json_object_set_new(req, "purchase_id", json_integer(id));
    rc = loy_http_write(r, LOY_OP_REFUND, req, err);
    json_decref(req);
    return rc;
}

static int h_redeem(loy_req *r, loy_err *err)
{
    return loy_http_write(r, LOY_OP_REDEEM, r->json, err);
}

static int h_adjust(loy_req *r, loy_err *err)
{
    return loy_http_write(r, LOY_OP_ADJUST, r->json, err);
}

static int h_voucher_get(loy_req *r, loy_err *err)
{
    return loy_app_voucher_check(r->app, r->params[0], &r->resp, err);
}

static int h_voucher_use(loy_req *r, loy_err *err)
{
    const char *key;
    int rc = loy_http_idem_key(r, &key, err); /* the header first, as on every write */
    if (rc) return rc;
    if (r->body_len) return loy_err_set(err, LOY_EINVALID, "", "this request takes no body");
    json_t *req = json_pack("{s:s}", "code", r->params[0]);
    rc = loy_http_write(r, LOY_OP_VOUCHER_USE, req, err);
    json_decref(req);
    return rc;
}

static int h_programme_get(loy_req *r, loy_err *err)
{
    int64_t version = 0;
    int rc = query_int(r, "version", 0, INT64_MAX, 0, &version, err);
    return rc ? rc : loy_app_programme_get(r->app, version, &r->resp, err);
}

static int programme_text(loy_req *r, char **text, size_t *len, loy_err *err)
{
    json_t *doc = json_object_get(r->json, "programme");
    if (!doc || json_object_size(r->json) != 1)
        return loy_err_set(err, LOY_EINVALID, "programme",
                           "expected {\"programme\": {...}} with the programme document");
    *text = json_dumps(doc, LOY_JSON_AS_WRITTEN);
    if (!*text) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    *len = strlen(*text);
    return 0;
}

static int h_programme_validate(loy_req *r, loy_err *err)
{
    char *text;
    size_t len;
    int rc = programme_text(r, &text, &len, err);
    if (rc) return rc;
    rc = loy_app_programme_check(text, len, err);
    free(text);
    if (!rc) r->resp = json_pack("{s:b}", "valid", 1);
    return rc;
}

static int h_programme_put(loy_req *r, loy_err *err)
{
    char *text;
    size_t len;
    int rc = programme_text(r, &text, &len, err);
    if (rc) return rc;
    int64_t version = 0;
    rc = loy_app_programme_set(r->app, text, len, &version, err);
    free(text);
    if (!rc) r->resp = json_pack("{s:I}", "version", (json_int_t)version);
    return rc;
}

static int h_locations(loy_req *r, loy_err *err)
{
    return loy_app_locations(r->app, &r->resp, err);
}

static int h_batch(loy_req *r, loy_err *err)
{
    static const char *const fields[] = {"purchases", NULL};
    int rc = loy_req_object(r->json, fields, err);
    if (rc) return rc;
    json_t *list = json_object_get(r->json, "purchases");
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 1000)
        return loy_err_set(err, LOY_EINVALID, "purchases",
                           "purchases: expected an array of 1 to 1000 items");
    size_t n = json_array_size(list);
    loy_write_item *items = calloc(n, sizeof(*items));
    if (!items) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    json_t **bodies = calloc(n, sizeof(*bodies));
    for (size_t i = 0; bodies && i < n; i++) {
        json_t *it = json_array_get(list, i);
        items[i].op = LOY_OP_PURCHASE;
        items[i].key = json_string_value(json_object_get(it, "idempotency_key"));
        bodies[i] = json_deep_copy(it);
        json_object_del(bodies[i], "idempotency_key");
        items[i].req = bodies[i];
    }
    rc = bodies ? loy_app_write_batch(r->app, items, n, err)
                : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) {
        json_t *results = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *res;
            if (items[i].rc)
                res = json_pack("{s:I, s:i, s:{s:s, s:s, s:s}}", "index", (json_int_t)i, "status",
                                loy_http_status(items[i].rc), "error", "code",
                                loy_err_name(items[i].rc), "message", items[i].err.message, "field",
                                items[i].err.field);
            else
                res = json_pack("{s:I, s:i, s:b, s:O}", "index", (json_int_t)i, "status", 201,
                                "replayed", items[i].replayed, "result", items[i].resp);
            json_array_append_new(results, res);
        }
        r->resp = json_pack("{s:o}", "results", results);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(items[i].resp);
        if (bodies) json_decref(bodies[i]);
    }
    free(bodies);
    free(items);
    return rc;
}

static int h_card_svg(loy_req *r, loy_err *err)
{
    int rc = loy_app_card_svg(r->app, r->params[0], &r->text, err);
    if (!rc) r->content_type = "image/svg+xml";
    return rc;
}

static int h_card_rotate(loy_req *r, loy_err *err)
{
    return loy_app_member_rotate_card(r->app, r->params[0], &r->resp, err);
}

static int h_openapi(loy_req *r, loy_err *err);
int loy_h_webhooks_list(loy_req *r, loy_err *err);
int loy_h_webhooks_create(loy_req *r, loy_err *err);
int loy_h_webhooks_delete(loy_req *r, loy_err *err);
int loy_h_report(loy_req *r, loy_err *err);
int loy_h_models_list(loy_req *r, loy_err *err);
int loy_h_models_fit(loy_req *r, loy_err *err);
int loy_h_member_prediction(loy_req *r, loy_err *err);
int loy_h_member_export(loy_req *r, loy_err *err);
int loy_h_member_erase(loy_req *r, loy_err *err);
int loy_h_users_list(loy_req *r, loy_err *err);
int loy_h_users_create(loy_req *r, loy_err *err);
int loy_h_users_update(loy_req *r, loy_err *err);
int loy_h_apikeys_list(loy_req *r, loy_err *err);
int loy_h_staff_flags(loy_req *r, loy_err *err);
int loy_h_staff_flag_dismiss(loy_req *r, loy_err *err);
int loy_h_apikeys_create(loy_req *r, loy_err *err);
int loy_h_apikeys_revoke(loy_req *r, loy_err *err);
int loy_h_locations_create(loy_req *r, loy_err *err);
int loy_h_locations_update(loy_req *r, loy_err *err);
int loy_h_messages_list(loy_req *r, loy_err *err); /* api_messages.c */
int loy_h_referral_landing(loy_req *r, loy_err *err);
int loy_h_referrals_list(loy_req *r, loy_err *err);
int loy_h_referral_approve(loy_req *r, loy_err *err);
int loy_h_referral_reject(loy_req *r, loy_err *err);

int loy_h_survey_get(loy_req *r, loy_err *err); /* api_feedback.c */
int loy_h_survey_answer(loy_req *r, loy_err *err);
int loy_h_feedback_list(loy_req *r, loy_err *err);
int loy_h_cases_list(loy_req *r, loy_err *err);
int loy_h_case_get(loy_req *r, loy_err *err);
int loy_h_case_update(loy_req *r, loy_err *err);
int loy_h_case_note(loy_req *r, loy_err *err);
int loy_h_customer_survey(loy_req *r, loy_err *err); /* static.c */
int loy_h_campaigns_list(loy_req *r, loy_err *err);  /* api_campaigns.c */
int loy_h_campaigns_create(loy_req *r, loy_err *err);
int loy_h_campaign_get(loy_req *r, loy_err *err);
int loy_h_campaign_send(loy_req *r, loy_err *err);
int loy_h_campaign_results(loy_req *r, loy_err *err);
int loy_h_campaign_members(loy_req *r, loy_err *err);

const loy_route loy_routes[] = {
    {"GET", "/healthz", h_health, LOY_ROLE_NONE, LOY_BODY_NONE, "liveness and database check",
     NULL},
    {"GET", "/metrics", h_metrics, LOY_ROLE_NONE, LOY_BODY_NONE, "Prometheus metrics", NULL},
    {"GET", "/api/openapi.json", h_openapi, LOY_ROLE_NONE, LOY_BODY_NONE,
     "this API's OpenAPI 3.1 description", NULL},
    {"GET", "/card/{token}.svg", h_card_svg, LOY_ROLE_NONE, LOY_BODY_NONE,
     "the QR code of a member card (the token is the secret)", NULL},
    {"POST", "/api/v1/members/{ref}/card:rotate", h_card_rotate, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "issue a new card token; the old card stops working", NULL},
    {"POST", "/api/v1/session", loy_h_login, LOY_ROLE_NONE, LOY_BODY_JSON,
     "staff login: sets the session cookie and returns the CSRF token", NULL},
    {"GET", "/api/v1/session", loy_h_whoami, LOY_ROLE_NONE, LOY_BODY_NONE,
     "the logged-in staff user and CSRF token", NULL},
    {"DELETE", "/api/v1/session", loy_h_logout, LOY_ROLE_NONE, LOY_BODY_NONE, "log out", NULL},
    {"GET", "/api/v1/members", h_members_search, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "search members by name fragment, phone, email or card", "q,limit,cursor"},
    {"POST", "/api/v1/members", h_member_create, LOY_ROLE_CASHIER,
     LOY_BODY_JSON | LOY_BODY_IDEMPOTENT, "enrol a member", NULL},
    {"GET", "/api/v1/members/{ref}", h_member_get, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "a member with balances, stamp card, tier progress and rewards", NULL},
    {"PATCH", "/api/v1/members/{ref}", h_member_update, LOY_ROLE_CASHIER, LOY_BODY_JSON,
     "change a member's details", NULL},
    {"GET", "/api/v1/members/{ref}/export", loy_h_member_export, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "everything held about a member as one JSON document (a download; audited)", NULL},
    {"POST", "/api/v1/members/{ref}:erase", loy_h_member_erase, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "erase a member's personal data for good ({reason}); the ledger stays under a pseudonym",
     NULL},
    {"GET", "/api/v1/members/{ref}/ledger", h_member_ledger, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "a member's ledger, newest first", "before,limit"},
    {"POST", "/api/v1/purchases", h_purchase, LOY_ROLE_CASHIER, LOY_BODY_JSON | LOY_BODY_IDEMPOTENT,
     "record a purchase", NULL},
    {"GET", "/api/v1/purchases", h_purchase_list, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "purchases, newest first", "member,before,limit"},
    {"POST", "/api/v1/purchases:simulate", h_simulate, LOY_ROLE_CASHIER, LOY_BODY_JSON,
     "dry run of a purchase (optional \"programme\": a draft used instead of the active one)",
     NULL},
    {"POST", "/api/v1/purchases:batch", h_batch, LOY_ROLE_CASHIER, LOY_BODY_JSON,
     "offline upload of up to 1000 purchases", NULL},
    {"POST", "/api/v1/purchases/{id}/refunds", h_refund, LOY_ROLE_CASHIER,
     LOY_BODY_JSON | LOY_BODY_IDEMPOTENT, "refund all or part of a purchase", NULL},
    {"POST", "/api/v1/redemptions", h_redeem, LOY_ROLE_CASHIER, LOY_BODY_JSON | LOY_BODY_IDEMPOTENT,
     "redeem a reward for a voucher", NULL},
    {"GET", "/api/v1/vouchers/{code}", h_voucher_get, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "check a voucher", NULL},
    {"POST", "/api/v1/vouchers/{code}/use", h_voucher_use, LOY_ROLE_CASHIER, LOY_BODY_IDEMPOTENT,
     "use a voucher once", NULL},
    {"POST", "/api/v1/adjustments", h_adjust, LOY_ROLE_MANAGER, LOY_BODY_JSON | LOY_BODY_IDEMPOTENT,
     "adjust points or stamps with a reason", NULL},
    {"GET", "/api/v1/programme", h_programme_get, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "the active programme", "version"},
    {"POST", "/api/v1/programme:validate", h_programme_validate, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "validate a programme document", NULL},
    {"PUT", "/api/v1/programme", h_programme_put, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "replace the programme (new version)", NULL},
    {"GET", "/api/v1/webhooks", loy_h_webhooks_list, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "webhook subscriptions with their delivery counts", NULL},
    {"POST", "/api/v1/webhooks", loy_h_webhooks_create, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "subscribe a URL to events; the signing secret is returned only here", NULL},
    {"DELETE", "/api/v1/webhooks/{id}", loy_h_webhooks_delete, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "delete a webhook subscription and cancel its pending deliveries", NULL},
    {"GET", "/api/v1/reports/{name}", loy_h_report, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "a report: kpis, churn, cohorts, pareto, rfm, advocacy, economics, clv or nps (format=csv: "
     "text/csv)",
     "from,to,location,days,basis,top,points,limit,cursor,segment,weeks,discount,format"},
    {"GET", "/api/v1/models", loy_h_models_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "latest fitted customer-base model of each kind (BG/NBD, Pareto/NBD)", NULL},
    {"POST", "/api/v1/models:fit", loy_h_models_fit, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "fit a model ({model, from, to, holdout_weeks}); every fit is kept", NULL},
    {"GET", "/api/v1/members/{ref}/prediction", loy_h_member_prediction, LOY_ROLE_CASHIER,
     LOY_BODY_NONE, "P(alive), expected purchases and CLV of a member", "weeks,discount,model"},
    {"GET", "/api/v1/referrals", loy_h_referrals_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "referrals, newest first, with status and reason (status=flagged: the owner's review list)",
     "status,before,limit"},
    {"POST", "/api/v1/referrals/{id}:approve", loy_h_referral_approve, LOY_ROLE_OWNER,
     LOY_BODY_NONE, "approve a flagged referral: it pays after the return window (audited)", NULL},
    {"POST", "/api/v1/referrals/{id}:reject", loy_h_referral_reject, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "reject a flagged referral: it never pays (audited)", NULL},
    {"GET", "/api/v1/messages", loy_h_messages_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "messages to members, newest first, with status (queued, sending, sent, failed, skipped, "
     "uncertain) and reason",
     "member,status,limit,before"},
    {"GET", "/api/v1/locations", h_locations, LOY_ROLE_CASHIER, LOY_BODY_NONE,
     "the merchant's locations with their join page addresses", NULL},
    {"POST", "/api/v1/locations", loy_h_locations_create, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "add a location {code, name}: a new programme version; 409 if the code exists", NULL},
    {"PATCH", "/api/v1/locations/{code}", loy_h_locations_update, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "rename a location {name}: a new programme version", NULL},
    {"GET", "/api/v1/staff-flags", loy_h_staff_flags, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "staff writes blocked or flagged by the fraud controls, newest first", "status,before,limit"},
    {"POST", "/api/v1/staff-flags/{id}:dismiss", loy_h_staff_flag_dismiss, LOY_ROLE_OWNER,
     LOY_BODY_JSON, "dismiss an open staff flag {reason} (audited)", NULL},
    {"GET", "/api/v1/users", loy_h_users_list, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "staff users with role and whether disabled (never a password hash)", NULL},
    {"POST", "/api/v1/users", loy_h_users_create, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "add a staff user {username, name, role, password}", NULL},
    {"PATCH", "/api/v1/users/{username}", loy_h_users_update, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "change a staff user {name, role, disabled, password, member}; disabling ends their "
     "sessions; "
     "409 for the last active owner or oneself",
     NULL},
    {"GET", "/api/v1/apikeys", loy_h_apikeys_list, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "API keys: prefix, role, name, created, last used, revoked (never the secret)", NULL},
    {"POST", "/api/v1/apikeys", loy_h_apikeys_create, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "create an API key {name, role}; the secret is returned only here", NULL},
    {"DELETE", "/api/v1/apikeys/{id}", loy_h_apikeys_revoke, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "revoke an API key; it stops working at once", NULL},
    {"GET", "/api/v1/cards/{token}", loy_h_card_view, LOY_ROLE_NONE, LOY_BODY_NONE,
     "the card holder's own view of a card (public: the token is the secret); lang: programme "
     "names in that language",
     "lang"},
    {"GET", "/api/v1/join/{location}", loy_h_join_info, LOY_ROLE_NONE, LOY_BODY_NONE,
     "what the join page shows: the location and the merchant, and with ref=CODE the referrer's "
     "first name (public)",
     "ref"},
    {"POST", "/api/v1/join/{location}", loy_h_join, LOY_ROLE_NONE,
     LOY_BODY_JSON | LOY_BODY_IDEMPOTENT,
     "a customer joins at a location (public, rate limited): {name, phone, email, birthday, "
     "locale, consent, referral_code}; answers their card",
     NULL},
    {"GET", "/api/v1/subscriptions/{token}", loy_h_subscriptions_get, LOY_ROLE_NONE, LOY_BODY_NONE,
     "what the unsubscribe page shows: {member: {first_name, locale}, merchant: {name}, consent: "
     "{email, sms}, channels} (public: the unsubscribe token is the secret)",
     NULL},
    {"PUT", "/api/v1/subscriptions/{token}", loy_h_subscriptions_put, LOY_ROLE_NONE, LOY_BODY_JSON,
     "unsubscribe or resubscribe per channel {email: bool, sms: bool}, recorded with source "
     "unsubscribe-page and the time (public, rate limited)",
     NULL},
    {"POST", "/u/{token}", loy_h_unsub_oneclick, LOY_ROLE_NONE, LOY_BODY_FORM,
     "RFC 8058 one-click unsubscribe: the form body List-Unsubscribe=One-Click withdraws every "
     "marketing consent, source unsubscribe-link (public, idempotent, rate limited)",
     NULL},
    {"GET", "/api/v1/surveys/{token}", loy_h_survey_get, LOY_ROLE_NONE, LOY_BODY_NONE,
     "what the survey page shows: {survey: {answered, score}, shop, member: {first_name}, "
     "language, thank_you_points} (public: the survey token is the secret; rate limited)",
     NULL},
    {"POST", "/api/v1/surveys/{token}", loy_h_survey_answer, LOY_ROLE_NONE, LOY_BODY_JSON,
     "answer the survey once {score: 0-10, comment}: triage, thank-you, a detractor's case, a "
     "promoter's referral ask; 409 when answered already (public, rate limited)",
     NULL},
    {"GET", "/api/v1/feedback", loy_h_feedback_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "survey responses with score, comment and triage (sentiment, topics, urgency, deciding "
     "words), newest or most urgent first",
     "status,group,min_urgency,order,member,limit,before"},
    {"GET", "/api/v1/cases", loy_h_cases_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "detractor follow-up cases, newest first, with counts per status", "status,limit,before"},
    {"GET", "/api/v1/cases/{id}", loy_h_case_get, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "a follow-up case with its survey answer and notes", NULL},
    {"PATCH", "/api/v1/cases/{id}", loy_h_case_update, LOY_ROLE_MANAGER, LOY_BODY_JSON,
     "change a case {status: open|contacted|resolved, assignee: username or null} (audited)", NULL},
    {"POST", "/api/v1/cases/{id}/notes", loy_h_case_note, LOY_ROLE_MANAGER, LOY_BODY_JSON,
     "add a note {text} to a case, recorded with the staff member (audited)", NULL},
    {"GET", "/api/v1/campaigns", loy_h_campaigns_list, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "campaigns, newest first, with status and members, and the templates a campaign may use",
     "before,limit"},
    {"POST", "/api/v1/campaigns", loy_h_campaigns_create, LOY_ROLE_OWNER, LOY_BODY_JSON,
     "a campaign draft {name, template, variants: [{id, template, offer}], holdout_percent, "
     "audience, conversion_days, seed}; 409 when the name is taken (audited)",
     NULL},
    {"GET", "/api/v1/campaigns/{id}", loy_h_campaign_get, LOY_ROLE_MANAGER, LOY_BODY_NONE,
     "a campaign", NULL},
    {"POST", "/api/v1/campaigns/{id}:send", loy_h_campaign_send, LOY_ROLE_OWNER, LOY_BODY_NONE,
     "assign the audience to arms and queue one marketing message per member outside the "
     "holdout; 409 when it was sent already (audited)",
     NULL},
    {"GET", "/api/v1/campaigns/{id}/results", loy_h_campaign_results, LOY_ROLE_MANAGER,
     LOY_BODY_NONE,
     "conversions per arm with 95% intervals, uplift against the holdout, two-proportion tests "
     "and the verdict",
     NULL},
    {"GET", "/api/v1/campaigns/{id}/members", loy_h_campaign_members, LOY_ROLE_MANAGER,
     LOY_BODY_NONE, "a campaign's members with their arm, message and conversion",
     "arm,after,limit"},
    {"GET", "/console", loy_h_console_index, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the staff web console (HTML)", NULL},
    {"GET", "/console/", loy_h_console_index, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the staff web console (HTML)", NULL},
    {"GET", "/console/{file}", loy_h_console_file, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "a file of the web console: JavaScript module, style sheet", NULL},
    {"GET", "/console/i18n/{file}", loy_h_console_i18n, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the console's texts in one language (en, ms, hu, bn)", NULL},
    {"GET", "/join/{location}", loy_h_customer_join, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the customer join page of a location (HTML; public)", NULL},
    {"GET", "/c/{token}", loy_h_customer_card, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the card holder's own card page (HTML; public: the token is the secret)", NULL},
    {"GET", "/r/{code}", loy_h_referral_landing, LOY_ROLE_NONE, LOY_BODY_NONE,
     "a member's referral link: 302 to the join page of their home location with ?ref=CODE "
     "(public; an unknown code lands on a join page without it)",
     NULL},
    {"GET", "/f/{token}", loy_h_customer_survey, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the survey page: one question, 0 to 10, and a comment (HTML; public; a GET changes "
     "nothing)",
     NULL},
    {"GET", "/u/{token}", loy_h_customer_unsub, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "the member's unsubscribe page (HTML; public; a GET never changes anything)", NULL},
    {"GET", "/customer/{file}", loy_h_customer_file, LOY_ROLE_NONE, LOY_BODY_STATIC,
     "a file of the customer pages: JavaScript module, style sheet", NULL},
};
const size_t loy_nroutes = sizeof(loy_routes) / sizeof(loy_routes[0]);

static int h_openapi(loy_req *r, loy_err *err)
{
    r->resp = loy_openapi(err);
    return r->resp ? 0 : err->code;
}
