/* Staff fraud controls (see staff.h, docs/operations.md "Staff fraud controls"). */
#include "app/staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/request.h"
#include "core/referral.h"
#include "store/store_staff.h"
#include "util/jdump.h"

#define HOUR 3600

int loy_app_staff_check(loy_app *app, const char *op, int64_t member, int64_t delta, int64_t now,
                        loy_staff_verdict *v, loy_err *err)
{
    loy_staff_facts f = {.adjust = !strcmp(op, "adjust"), .delta = delta};
    char role[16];
    int64_t user = 0, own = 0;
    memset(v, 0, sizeof(*v));
    v->rule = v->field = "";
    int rc =
        loy_store_staff_actor(&app->conn, app->merchant, app->actor, &f.staff, role, &user, err);
    if (rc || !f.staff) return rc;
    f.owner = !strcmp(role, "owner");
    if (user && (rc = loy_store_staff_member_get(&app->conn, app->merchant, user, &own, err)))
        return rc;
    f.own_card = own && own == member;
    if (f.adjust) {
        int64_t from = 0, to = 0;
        loy_ctx ctx = loy_app_ctx(app, now);
        loy_referral_day(&ctx, now, &from, &to); /* the merchant-local day of `now` */
        rc = loy_store_staff_adjust_count(&app->conn, app->merchant, app->actor, from, to,
                                          &f.adjust_count, &f.adjust_sum, err);
    } else
        rc = loy_store_staff_purchase_count(&app->conn, app->merchant, member, app->actor,
                                            now - HOUR + 1, &f.purchases_hour, err);
    if (rc) return rc;
    loy_staff_check(&app->prog->staff, &f, v);
    if (v->action != LOY_STAFF_BLOCK) return 0;
    loy_staff_block *b = &app->staff_block;
    b->set = true;
    b->member = member;
    snprintf(b->op, sizeof(b->op), "%s", op);
    snprintf(b->rule, sizeof(b->rule), "%s", v->rule);
    snprintf(b->reason, sizeof(b->reason), "%s", v->reason);
    return loy_err_set(err, LOY_EREFUSED, v->field,
                       "%s: refused by the staff fraud controls (%s); an owner can make this "
                       "change",
                       v->field, v->reason);
}

/* The flag row and its audit entry, in the open transaction. */
static int record(loy_app *app, const char *action, const char *rule, const char *reason,
                  const char *op, int64_t member, int64_t ref_id, int64_t now, loy_err *err)
{
    loy_staff_flag_row r = {
        .merchant_id = app->merchant, .member_id = member, .ref_id = ref_id, .created_at = now};
    snprintf(r.actor, sizeof(r.actor), "%s", app->actor);
    snprintf(r.rule, sizeof(r.rule), "%s", rule);
    snprintf(r.action, sizeof(r.action), "%s", action);
    snprintf(r.op, sizeof(r.op), "%s", op);
    snprintf(r.detail, sizeof(r.detail), "%s", reason);
    int rc = loy_store_staff_flag_insert(&app->conn, &r, err);
    if (rc) return rc;
    json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:I}", "flag_id", (json_int_t)r.id, "rule", rule,
                          "op", op, "action", action, "ref_id", (json_int_t)ref_id);
    char *detail = d ? loy_json_dump(d, false, NULL) : NULL;
    json_decref(d);
    rc = detail ? loy_store_audit(&app->conn, app->merchant, app->actor,
                                  !strcmp(action, "blocked") ? "fraud.blocked" : "fraud.flagged",
                                  "member", member, reason, detail, now, NULL, err)
                : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    free(detail);
    return rc;
}

int loy_app_staff_flagged(loy_app *app, const loy_staff_verdict *v, const char *op, int64_t member,
                          int64_t ref_id, int64_t now, loy_err *err)
{
    if (v->action != LOY_STAFF_FLAG) return 0;
    return record(app, "flagged", v->rule, v->reason, op, member, ref_id, now, err);
}

int loy_app_staff_blocked_log(loy_app *app, int64_t now)
{
    loy_staff_block b = app->staff_block;
    memset(&app->staff_block, 0, sizeof(app->staff_block));
    if (!b.set || !app->merchant) return 0;
    loy_err err;
    loy_err_clear(&err);
    bool own = app->conn.depth == 0;
    int rc = own ? loy_db_begin(&app->conn, true, &err) : loy_db_savepoint(&app->conn, &err);
    if (rc) return rc;
    rc = record(app, "blocked", b.rule, b.reason, b.op, b.member, 0, now, &err);
    if (own) {
        if (!rc) rc = loy_db_commit(&app->conn, &err);
        if (rc) loy_db_rollback(&app->conn);
    } else if (rc)
        loy_db_rollback_to(&app->conn);
    else
        rc = loy_db_release(&app->conn, &err);
    return rc;
}

static void collect(void *ctx, const loy_staff_flag_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "actor", json_string(r->actor));
    json_object_set_new(o, "rule", json_string(r->rule));
    json_object_set_new(o, "action", json_string(r->action));
    json_object_set_new(o, "member_id", json_integer(r->member_id));
    json_object_set_new(o, "op", json_string(r->op));
    json_object_set_new(o, "ref_id", r->ref_id ? json_integer(r->ref_id) : json_null());
    json_object_set_new(o, "detail", json_string(r->detail));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "created_at", loy_json_time(r->created_at));
    json_array_append_new((json_t *)ctx, o);
}

int loy_app_staff_flags(loy_app *app, const char *status, int64_t before, int limit, json_t **resp,
                        loy_err *err)
{
    *resp = NULL;
    if (!status) status = "";
    if (*status && strcmp(status, "open") && strcmp(status, "dismissed"))
        return loy_err_set(err, LOY_EINVALID, "status",
                           "status: expected open or dismissed, got \"%s\"", status);
    if (limit <= 0 || limit > 500) limit = 100;
    json_t *list = json_array();
    if (!list) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc = loy_store_staff_flag_list(&app->conn, app->merchant, status, before, limit, collect,
                                       list, err);
    if (rc) {
        json_decref(list);
        return rc;
    }
    json_t *next = loy_json_next(list, limit);
    *resp = json_pack("{s:o, s:o}", "flags", list, "next_before", next);
    return *resp ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}

int loy_app_staff_member_field(const json_t *req, bool *set, int64_t *member, loy_err *err)
{
    const json_t *v = json_object_get(req, "member");
    *set = v != NULL;
    *member = 0;
    if (!v || json_is_null(v)) return 0;
    return loy_req_int(req, "member", true, 1, INT64_MAX, 0, member, err);
}

int loy_app_staff_member_set(loy_app *app, int64_t user_id, int64_t member, loy_err *err)
{
    if (member) {
        loy_member_row m;
        memset(&m, 0, sizeof(m));
        int rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, member, &m, err);
        loy_member_row_free(&m);
        if (rc == LOY_ENOTFOUND)
            return loy_err_set(err, LOY_EINVALID, "member", "member: no member %lld",
                               (long long)member);
        if (rc) return rc;
    }
    return loy_store_staff_member_set(&app->conn, app->merchant, user_id, member, err);
}

int loy_app_staff_member_of(loy_app *app, int64_t user_id, int64_t *member, loy_err *err)
{
    return loy_store_staff_member_get(&app->conn, app->merchant, user_id, member, err);
}

int loy_app_staff_flag_dismiss(loy_app *app, int64_t id, const json_t *req, json_t **resp,
                               loy_err *err)
{
    *resp = NULL;
    static const char *const fields[] = {"reason", NULL};
    const char *reason = NULL;
    int rc = loy_req_object(req, fields, err);
    if (!rc) rc = loy_req_str(req, "reason", true, 500, &reason, err);
    if (!rc && !*reason) rc = loy_err_set(err, LOY_EINVALID, "reason", "reason: must not be empty");
    if (rc) return rc;
    int64_t now = loy_app_now(app);
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    rc = loy_store_staff_flag_dismiss(&app->conn, app->merchant, id, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "fraud.dismissed", "staff_flag",
                             id, reason, NULL, now, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        return rc;
    }
    *resp = json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "dismissed");
    return *resp ? 0 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
}
