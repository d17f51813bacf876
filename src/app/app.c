/* Opening the application: database, merchant, active programme and its time zone. */
#include "app/app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"
#include "util/jdump.h"
#include "util/jv.h"

int64_t loy_app_now(const loy_app *app)
{
    return app->now ? app->now : loy_time_now();
}

loy_ctx loy_app_ctx(const loy_app *app, int64_t now)
{
    loy_ctx c = {app->prog, app->tz, now};
    return c;
}

static int load_programme(loy_app *app, loy_err *err)
{
    char *body = NULL;
    int rc =
        loy_store_programme_get(&app->conn, app->merchant, 0, &body, &app->prog_version, NULL, err);
    if (rc) return rc;
    loy_programme *p = NULL;
    loy_tz *tz = NULL;
    rc = loy_programme_parse(&p, body, strlen(body), err);
    free(body);
    if (!rc) rc = loy_tz_load(&tz, p->timezone, err);
    if (rc) {
        loy_programme_free(p);
        return rc;
    }
    loy_programme_free(app->prog);
    loy_tz_free(app->tz);
    app->prog = p;
    app->tz = tz;
    return loy_store_merchant_get(&app->conn, app->merchant, &app->merchant_row, err);
}

int loy_app_open(loy_app **out, const char *db_path, const loy_db_opts *opts, loy_err *err)
{
    loy_app *app = calloc(1, sizeof(*app));
    if (!app) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    snprintf(app->actor, sizeof(app->actor), "system");
    int rc = loy_conn_open(&app->conn, db_path, opts, err);
    if (!rc) {
        rc = loy_store_merchant_default(&app->conn, &app->merchant, err);
        if (rc == LOY_ENOTFOUND) {
            app->merchant = 0;
            loy_err_clear(err);
            rc = 0;
        } else if (!rc)
            rc = load_programme(app, err);
    }
    if (rc) {
        loy_app_close(app);
        return rc;
    }
    *out = app;
    return 0;
}

void loy_app_close(loy_app *app)
{
    if (!app) return;
    loy_conn_close(&app->conn);
    loy_programme_free(app->prog);
    loy_tz_free(app->tz);
    loy_app_tz_cache_free(app->tzs);
    free(app);
}

int loy_app_programme_check(const char *json, size_t len, loy_err *err)
{
    loy_programme *p = NULL;
    int rc = loy_programme_parse(&p, json, len, err);
    if (rc) return rc;
    loy_tz *tz = NULL;
    rc = loy_tz_load(&tz, p->timezone, err);
    if (rc)
        loy_err_set(err, LOY_EINVALID, "merchant.timezone",
                    "merchant.timezone: expected an IANA time zone like \"Asia/Kuala_Lumpur\", "
                    "got \"%s\"",
                    p->timezone);
    loy_tz_free(tz);
    loy_programme_free(p);
    return rc;
}

int loy_app_init(loy_app *app, const char *json, size_t len, loy_err *err)
{
    if (app->merchant)
        return loy_err_set(err, LOY_ECONFLICT, "db",
                           "the database already has a merchant; use `loyalty programme set`, "
                           "or `loyalty merchant add` for another merchant");
    return loy_app_merchant_add(app, json, len, err);
}

int loy_app_merchant_add(loy_app *app, const char *json, size_t len, loy_err *err)
{
    int rc = loy_app_programme_check(json, len, err);
    if (rc) return rc;
    loy_programme *p = NULL;
    if ((rc = loy_programme_parse(&p, json, len, err))) return rc;
    int64_t now = loy_app_now(app);
    int64_t before = app->merchant;
    if ((rc = loy_db_begin(&app->conn, true, err))) goto done;
    rc = loy_store_merchant_create(&app->conn, p, now, &app->merchant, err);
    if (!rc) {
        char *body = strndup(json, len);
        rc = body ? loy_store_programme_put(&app->conn, app->merchant, body, now, app->actor, NULL,
                                            err)
                  : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(body);
    }
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "init", "merchant",
                             app->merchant, NULL, NULL, now, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) {
        loy_db_rollback(&app->conn);
        app->merchant = before;
        goto done;
    }
    rc = load_programme(app, err);
done:
    loy_programme_free(p);
    return rc;
}

int loy_app_programme_set(loy_app *app, const char *json, size_t len, int64_t *version_out,
                          loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int rc = loy_app_programme_check(json, len, err);
    if (rc) return rc;
    loy_programme *p = NULL;
    if ((rc = loy_programme_parse(&p, json, len, err))) return rc;
    if (strcmp(p->currency, app->merchant_row.currency) != 0) {
        rc = loy_err_set(err, LOY_EINVALID, "merchant.currency",
                         "merchant.currency: cannot change from %s to %s on a live programme",
                         app->merchant_row.currency, p->currency);
        loy_programme_free(p);
        return rc;
    }
    int64_t now = loy_app_now(app);
    char *body = strndup(json, len);
    if (!body) {
        loy_programme_free(p);
        return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    }
    if (!(rc = loy_db_begin(&app->conn, true, err))) {
        rc = loy_store_programme_put(&app->conn, app->merchant, body, now, app->actor, version_out,
                                     err);
        if (!rc) rc = loy_store_merchant_sync(&app->conn, app->merchant, p, err);
        if (!rc)
            rc =
                loy_store_audit(&app->conn, app->merchant, app->actor, "programme.set", "programme",
                                version_out ? *version_out : 0, NULL, NULL, now, NULL, err);
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    free(body);
    loy_programme_free(p);
    return rc ? rc : load_programme(app, err);
}

int loy_app_merchants(loy_app *app, int64_t *ids, int max, int *n, loy_err *err)
{
    return loy_store_merchant_ids(&app->conn, ids, max, n, err);
}

int loy_app_select_merchant(loy_app *app, int64_t merchant, loy_err *err)
{
    int64_t version = 0;
    int rc = loy_store_programme_version(&app->conn, merchant, &version, err);
    if (rc) return rc;
    if (version == 0)
        return loy_err_set(err, LOY_ENOTFOUND, "merchant", "merchant %lld not found",
                           (long long)merchant);
    if (merchant == app->merchant && version == app->prog_version) return 0;
    int64_t before = app->merchant;
    app->merchant = merchant;
    rc = load_programme(app, err);
    if (rc) app->merchant = before;
    return rc;
}

int loy_app_programme_get(loy_app *app, int64_t version, json_t **resp, loy_err *err)
{
    char *body = NULL;
    int64_t v = 0, at = 0;
    int rc = loy_store_programme_get(&app->conn, app->merchant, version, &body, &v, &at, err);
    if (rc) return rc;
    json_error_t je;
    json_t *doc = json_loads(body, 0, &je);
    free(body);
    *resp = json_pack("{s:I, s:o, s:o}", "version", (json_int_t)v, "created_at", loy_json_time(at),
                      "programme", doc ? doc : json_null());
    return 0;
}

int loy_app_resolve_member(loy_app *app, const char *ref, loy_member_row *out, loy_err *err)
{
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    char *end = NULL;
    long long id = strtoll(ref, &end, 10);
    int rc;
    if (*ref && end && !*end && id > 0 && strlen(ref) < 12)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, id, out, err);
    else if (strchr(ref, '@'))
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_EMAIL, ref, 0, out, err);
    else {
        char norm[64] = "";
        rc = LOY_ENOTFOUND;
        if (strlen(ref) >= 20) {
            char up[64];
            size_t i = 0;
            for (; ref[i] && i + 1 < sizeof(up); i++)
                up[i] = (char)(ref[i] >= 'a' && ref[i] <= 'z' ? ref[i] - 32 : ref[i]);
            up[i] = '\0';
            rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_CARD, up, 0, out, err);
        }
        if (rc == LOY_ENOTFOUND && loy_phone_normalise(ref, norm, sizeof(norm)))
            rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_PHONE, norm, 0, out, err);
    }
    if (rc == LOY_ENOTFOUND) loy_err_set(err, LOY_ENOTFOUND, "member", "member %s not found", ref);
    return rc;
}

void loy_loaded_free(loy_loaded *l)
{
    loy_member_row_free(&l->row);
    free(l->lots);
    l->lots = NULL;
}

static int load_state(loy_app *app, int64_t now, loy_loaded *out, loy_err *err)
{
    free(out->lots);
    out->lots = NULL;
    return loy_store_member_state(&app->conn, app->merchant, &out->row, app->prog, now, &out->st,
                                  &out->lots, err);
}

static int loaded_after_row(loy_app *app, bool write, int64_t now, loy_loaded *out, loy_err *err)
{
    int rc = load_state(app, now, out, err);
    if (rc || !write) return rc;
    loy_ctx ctx = loy_app_ctx(app, now);
    loy_outcome o;
    loy_outcome_init(&o);
    rc = loy_engine_housekeeping(&ctx, &out->st, &o, err);
    if (!rc && o.nentries) {
        rc = loy_app_apply(app, out->row.id, &o, "job", 0, NULL, now, NULL, err);
        if (!rc) rc = load_state(app, now, out, err);
    }
    loy_outcome_free(&o);
    return rc;
}

int loy_app_load(loy_app *app, const char *ref, bool write, int64_t now, loy_loaded *out,
                 loy_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = loy_app_resolve_member(app, ref, &out->row, err);
    if (rc) return rc;
    rc = loaded_after_row(app, write, now, out, err);
    if (rc) loy_loaded_free(out);
    return rc;
}

int loy_app_load_id(loy_app *app, int64_t id, bool write, int64_t now, loy_loaded *out,
                    loy_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, id, &out->row, err);
    if (!rc) rc = loaded_after_row(app, write, now, out, err);
    if (rc) loy_loaded_free(out);
    return rc;
}

static const struct {
    uint32_t bit;
    const char *kind;
} event_kinds[] = {
    {LOY_EV_TIER_UP, "tier.changed"},
    {LOY_EV_TIER_DOWN, "tier.changed"},
    {LOY_EV_REWARD_AVAILABLE, "reward.available"},
    {LOY_EV_POINTS_EXPIRED, "points.expired"},
    {LOY_EV_BIRTHDAY_BONUS, "bonus.birthday"},
    {LOY_EV_WELCOME, "bonus.welcome"},
    {LOY_EV_ANNIVERSARY_BONUS, "bonus.anniversary"},
    {LOY_EV_STAMP_CARD_FULL, "stamps.card_full"},
};

int loy_app_apply(loy_app *app, int64_t member, const loy_outcome *o, const char *ref_type,
                  int64_t ref_id, const char *reason, int64_t now, int64_t **ids, loy_err *err)
{
    loy_apply a = {app->actor, reason, ref_type, ref_id, now, app->prog->allow_debt};
    int rc = loy_store_apply(&app->conn, app->merchant, member, o, &a, ids, err);
    for (size_t i = 0; !rc && i < sizeof(event_kinds) / sizeof(event_kinds[0]); i++) {
        if (!(o->events & event_kinds[i].bit)) continue;
        json_t *payload = json_pack("{s:I, s:s, s:s, s:s, s:I}", "member_id", (json_int_t)member,
                                    "tier_before", o->tier_before, "tier_after", o->tier_after,
                                    "ref_type", ref_type, "ref_id", (json_int_t)ref_id);
        char *text = payload ? loy_json_dump(payload, false, NULL) : NULL;
        rc = text ? loy_store_outbox_add(&app->conn, app->merchant, event_kinds[i].kind, member,
                                         text, now, err)
                  : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(text);
        json_decref(payload);
    }
    return rc;
}
