/* Use case: record (or dry-run) a purchase. */
#include "app/app_int.h"
#include "app/feedback.h"
#include "app/privacy.h"
#include "app/referrals.h"
#include "app/staff.h"
#include "app/request.h"
#include "app/triggers.h"

#include <stdio.h>

#include "util/jdump.h"
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 200

static const char *const purchase_fields[] = {"member",      "amount",    "currency",
                                              "items",       "location",  "tender_points",
                                              "occurred_at", "reference", NULL};
static const char *const item_fields[] = {"sku", "category", "qty", "amount", NULL};

static int id_field(const json_t *obj, const char *key, const char *path, char *out, size_t n,
                    loy_err *err)
{
    const char *s = NULL;
    int rc = loy_req_str(obj, key, false, LOY_ID_MAX - 1, &s, err);
    if (rc) return loy_err_prefix(err, path);
    snprintf(out, n, "%s", s ? s : "");
    return 0;
}

static int parse_lines(const json_t *items, int64_t amount, loy_line **out, size_t *n,
                       json_t **norm, loy_err *err)
{
    *out = NULL;
    *n = 0;
    *norm = json_array();
    if (!items || json_is_null(items)) return 0;
    if (!json_is_array(items))
        return loy_err_set(err, LOY_EINVALID, "items", "items: expected an array");
    size_t cnt = json_array_size(items);
    if (cnt > MAX_LINES)
        return loy_err_set(err, LOY_EINVALID, "items", "items: more than %d lines", MAX_LINES);
    if (!cnt) return 0;
    loy_line *lines = calloc(cnt, sizeof(*lines));
    if (!lines) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int64_t sum = 0;
    int rc = 0;
    for (size_t i = 0; i < cnt && !rc; i++) {
        const json_t *it = json_array_get(items, i);
        char path[32];
        snprintf(path, sizeof(path), "items[%zu]", i);
        rc = loy_req_object(it, item_fields, err);
        if (rc) {
            loy_err_prefix(err, path);
            break;
        }
        loy_line *l = &lines[i];
        rc = id_field(it, "sku", path, l->sku, sizeof(l->sku), err);
        if (!rc) rc = id_field(it, "category", path, l->category, sizeof(l->category), err);
        if (!rc) {
            rc = loy_req_int(it, "qty", false, 1, 1000000, 1, &l->qty, err);
            if (!rc) rc = loy_req_int(it, "amount", true, 0, amount, 0, &l->amount, err);
            if (rc) loy_err_prefix(err, path);
        }
        if (!rc && !l->sku[0] && !l->category[0])
            rc = loy_err_set(err, LOY_EINVALID, path, "%s: needs a sku or a category", path);
        sum += l->amount;
        if (!rc && sum > amount)
            rc = loy_err_set(err, LOY_EINVALID, "items",
                             "items: line amounts add up to more than the purchase amount");
        if (!rc)
            json_array_append_new(
                *norm, json_pack("{s:s, s:s, s:I, s:I}", "sku", l->sku, "category", l->category,
                                 "qty", (json_int_t)l->qty, "amount", (json_int_t)l->amount));
    }
    if (rc) {
        free(lines);
        return rc;
    }
    *out = lines;
    *n = cnt;
    return 0;
}

int loy_uc_purchase(loy_app *app, const json_t *req, int64_t now, bool dry_run, json_t **resp,
                    loy_err *err)
{
    char ref[256];
    int64_t amount = 0, tender = 0;
    const char *currency = NULL, *location = NULL, *occurred = NULL, *reference = NULL;
    loy_line *lines = NULL;
    size_t nlines = 0;
    json_t *norm_lines = NULL;
    loy_loaded m = {0};
    loy_outcome o;
    loy_outcome_init(&o);
    int rc = loy_req_object(req, purchase_fields, err);
    if (!rc) rc = loy_req_member_ref(req, "member", ref, sizeof(ref), err);
    if (!rc) rc = loy_req_int(req, "amount", true, 1, 1000000000000LL, 0, &amount, err);
    if (!rc) rc = loy_req_str(req, "currency", false, 3, &currency, err);
    if (!rc && currency && strcmp(currency, app->merchant_row.currency) != 0)
        rc = loy_err_set(err, LOY_EINVALID, "currency",
                         "currency: this merchant takes %s, got \"%s\"", app->merchant_row.currency,
                         currency);
    if (!rc) rc = loy_req_str(req, "location", false, LOY_ID_MAX - 1, &location, err);
    if (!rc && location && !loy_programme_location(app->prog, location))
        rc = loy_err_set(err, LOY_EINVALID, "location", "location: unknown location \"%s\"",
                         location);
    if (!rc) rc = loy_req_int(req, "tender_points", false, 0, 1000000000000LL, 0, &tender, err);
    if (!rc) rc = loy_req_str(req, "reference", false, 127, &reference, err);
    if (!rc) rc = loy_req_str(req, "occurred_at", false, 64, &occurred, err);
    int64_t at = now;
    if (!rc && occurred) {
        if (!loy_time_parse(occurred, &at))
            rc = loy_err_set(err, LOY_EINVALID, "occurred_at",
                             "occurred_at: expected an ISO 8601 time like "
                             "\"2026-11-22T10:05:00Z\", got \"%s\"",
                             occurred);
        else if (at > now + 300)
            rc = loy_err_set(err, LOY_EINVALID, "occurred_at", "occurred_at: is in the future");
    }
    if (!rc)
        rc = parse_lines(json_object_get(req, "items"), amount, &lines, &nlines, &norm_lines, err);
    if (!rc) rc = loy_app_load(app, ref, !dry_run, now, &m, err);
    if (!rc && m.row.erased_at) rc = loy_app_erased_refusal(&m.row, "earn", err);
    loy_staff_verdict sv = {.action = LOY_STAFF_OK}; /* staff fraud controls (app/staff.c) */
    if (!rc && !dry_run) rc = loy_app_staff_check(app, "purchase", m.row.id, 0, now, &sv, err);
    if (rc) goto done;

    loy_purchase_in p = {
        .amount = amount, .tender_points = tender, .lines = lines, .nlines = nlines, .at = at};
    snprintf(p.location, sizeof(p.location), "%s", location ? location : "");
    loy_ctx ctx = loy_app_ctx(app, now);
    if ((rc = loy_engine_purchase(&ctx, &m.st, &p, &o, err))) goto done;

    loy_purchase_row row = {.merchant_id = app->merchant,
                            .member_id = m.row.id,
                            .amount = amount,
                            .tender_points = tender,
                            .cash = o.cash,
                            .occurred_at = at,
                            .recorded_at = now};
    snprintf(row.location, sizeof(row.location), "%s", p.location);
    snprintf(row.currency, sizeof(row.currency), "%s", app->merchant_row.currency);
    snprintf(row.reference, sizeof(row.reference), "%s", reference ? reference : "");
    if (!dry_run) {
        char *lines_text = loy_json_dump(norm_lines, false, NULL);
        rc = lines_text ? loy_store_purchase_insert(&app->conn, &row, lines_text, app->actor, err)
                        : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(lines_text);
        if (!rc) rc = loy_app_apply(app, m.row.id, &o, "purchase", row.id, NULL, now, NULL, err);
        if (!rc) rc = loy_app_staff_flagged(app, &sv, "purchase", m.row.id, row.id, now, err);
        if (!rc) {
            char payload[160];
            snprintf(payload, sizeof(payload),
                     "{\"purchase_id\":%lld,\"member_id\":%lld,\"amount\":%lld}", (long long)row.id,
                     (long long)m.row.id, (long long)amount);
            rc = loy_store_outbox_add(&app->conn, app->merchant, "purchase.recorded", m.row.id,
                                      payload, now, err);
        }
        if (!rc) /* a referee's first qualifying purchase */
            rc = loy_app_referral_purchase(app, m.row.id, row.id, amount, at, now, err);
        int64_t survey = 0;
        if (!rc) /* the NPS survey, when the programme asks for one (app/feedback.c) */
            rc = loy_app_survey_invite(app, &m.row, row.id, p.location, at, now, &survey, err);
        if (!rc) /* thanks, tier_up, reward (app/triggers.c) */
            rc = loy_app_triggers_purchased(app, m.row.id, row.id, m.st.purchases + 1, at, &o, now,
                                            err);
        if (rc) goto done;
    }
    json_t *pj = json_object();
    json_object_set_new(pj, "id", row.id ? json_integer(row.id) : json_null());
    json_object_set_new(pj, "member_id", json_integer(m.row.id));
    json_object_set_new(pj, "amount", json_integer(amount));
    json_object_set_new(pj, "currency", json_string(row.currency));
    json_object_set_new(pj, "cash", json_integer(o.cash));
    json_object_set_new(pj, "tender_points", json_integer(tender));
    json_object_set_new(pj, "location", location ? json_string(location) : json_null());
    json_object_set_new(pj, "reference", reference ? json_string(reference) : json_null());
    json_object_set_new(pj, "occurred_at", loy_json_time(at));
    json_object_set_new(pj, "items", json_incref(norm_lines));
    /* balances after: the state before plus the outcome's entries */
    *resp = json_pack("{s:o, s:o, s:o, s:b}", "purchase", pj, "outcome", loy_json_outcome(app, &o),
                      "balances", loy_json_balances_after(&m.st, &o), "dry_run", dry_run);
    json_object_set_new(*resp, "member",
                        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)m.row.id, "name",
                                  m.row.name ? m.row.name : "", "tier",
                                  o.tier_after[0] ? o.tier_after : m.row.tier));
done:
    loy_outcome_free(&o);
    loy_loaded_free(&m);
    free(lines);
    json_decref(norm_lines);
    return rc;
}

static void add_purchase(void *ctx, const loy_purchase_row *p)
{
    json_array_append_new(
        (json_t *)ctx,
        json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:s*, s:s*, s:o}", "id", (json_int_t)p->id,
                  "member_id", (json_int_t)p->member_id, "amount", (json_int_t)p->amount,
                  "currency", p->currency, "cash", (json_int_t)p->cash, "tender_points",
                  (json_int_t)p->tender_points, "refunded", (json_int_t)p->refunded, "location",
                  p->location[0] ? p->location : NULL, "reference",
                  p->reference[0] ? p->reference : NULL, "occurred_at",
                  loy_json_time(p->occurred_at)));
}

int loy_app_purchase_list(loy_app *app, const char *member_ref, int64_t before, int limit,
                          json_t **resp, loy_err *err)
{
    int64_t member = 0;
    if (member_ref) {
        loy_member_row m;
        int rc = loy_app_resolve_member(app, member_ref, &m, err);
        if (rc) return rc;
        member = m.id;
        loy_member_row_free(&m);
    }
    json_t *arr = json_array();
    int rc = loy_store_purchase_list(&app->conn, app->merchant, member, before, limit, add_purchase,
                                     arr, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *resp = json_pack("{s:o, s:o}", "purchases", arr, "next_before", loy_json_next(arr, limit));
    return 0;
}
