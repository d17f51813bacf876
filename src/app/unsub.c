/* Unsubscribe use cases: the member's unsubscribe token (issued once, on first use for members
 * older than it), the page's view of a token's member, the one-click withdrawal of every
 * marketing consent and the per-channel choice of the page, each in one audited transaction.
 * Consents change through loy_member_fields, as staff edits do, so time and source are set the
 * same way. */
#include "app/unsub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/request.h"
#include "store/store_unsub.h"
#include "util/jdump.h"
#include "util/rand.h"

/* LOY_ENOTFOUND (field "member") when `member` was erased: an erased member has no link, and
 * none is issued again (it would let anyone holding it give consent in their name). */
static int not_erased(loy_app *app, int64_t member, loy_err *err)
{
    loy_member_row row;
    int rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, member, &row, err);
    if (rc) return rc;
    if (row.erased_at)
        rc = loy_err_set(err, LOY_ENOTFOUND, "member",
                         "member %lld was erased: there is no unsubscribe link", (long long)member);
    loy_member_row_free(&row);
    return rc;
}

int loy_app_unsub_token(loy_app *app, int64_t member, char out[LOY_UNSUB_TOKEN_MAX], loy_err *err)
{
    out[0] = '\0';
    int rc = not_erased(app, member, err);
    if (!rc)
        rc = loy_store_unsub_get(&app->conn, app->merchant, member, out, LOY_UNSUB_TOKEN_MAX, err);
    if (rc || out[0]) return rc;
    char token[LOY_UNSUB_TOKEN_MAX];
    if (loy_random_token(token, sizeof(token), LOY_UNSUB_TOKEN_BITS))
        return loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    bool own = app->conn.depth == 0;
    if (own && (rc = loy_db_begin(&app->conn, true, err))) return rc;
    rc = loy_store_unsub_issue(&app->conn, app->merchant, member, token, err);
    /* read back: a concurrent caller may have issued the member's token first */
    if (!rc)
        rc = loy_store_unsub_get(&app->conn, app->merchant, member, out, LOY_UNSUB_TOKEN_MAX, err);
    if (!rc && !out[0]) rc = loy_err_set(err, LOY_ESTORAGE, "", "unsubscribe token not stored");
    if (own) {
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    if (rc) out[0] = '\0';
    return rc;
}

int loy_app_unsub_path(loy_app *app, int64_t member, char out[LOY_UNSUB_PATH_MAX], loy_err *err)
{
    char token[LOY_UNSUB_TOKEN_MAX];
    int rc = loy_app_unsub_token(app, member, token, err);
    if (!rc) snprintf(out, LOY_UNSUB_PATH_MAX, "/u/%s", token);
    return rc;
}

int loy_app_unsub_attach(loy_app *app, json_t *view, loy_err *err)
{
    json_t *m = json_object_get(view, "member");
    json_t *id = json_object_get(m, "id");
    if (!json_is_integer(id)) return loy_err_set(err, LOY_EINVALID, "member", "not a member view");
    char path[LOY_UNSUB_PATH_MAX];
    int rc = loy_app_unsub_path(app, (int64_t)json_integer_value(id), path, err);
    if (!rc) json_object_set_new(m, "unsubscribe_url", json_string(path));
    if (rc == LOY_ENOTFOUND) { /* erased: no link */
        json_object_set_new(m, "unsubscribe_url", json_null());
        loy_err_clear(err);
        rc = 0;
    }
    return rc;
}

/* The member holding `token` (letters in either case, as card tokens) and the selection of
 * their merchant. */
static int find(loy_app *app, const char *token, int64_t *member, loy_err *err)
{
    char up[LOY_UNSUB_TOKEN_MAX];
    int64_t merchant = 0;
    int rc = LOY_ENOTFOUND;
    if (loy_token_upper(token, up, sizeof(up)))
        rc = loy_store_unsub_find(&app->conn, up, &merchant, member, err);
    if (!rc) rc = loy_app_select_merchant(app, merchant, err);
    if (rc == LOY_ENOTFOUND)
        return loy_err_set(err, rc, "token",
                           "no such unsubscribe link: check that the whole address was copied");
    return rc;
}

/* What the page may show of the member: first name, language, consents, reachable channels. */
static json_t *view_json(const loy_app *app, const loy_member_row *m)
{
    char first[256];
    loy_first_name(m->name, first, sizeof(first));
    json_t *channels = json_array();
    if (m->email && *m->email) json_array_append_new(channels, json_string("email"));
    if (m->phone && *m->phone) json_array_append_new(channels, json_string("sms"));
    return json_pack("{s:{s:s, s:s}, s:{s:s}, s:{s:b, s:b}, s:o}", "member", "first_name", first,
                     "locale", m->locale, "merchant", "name", app->merchant_row.name, "consent",
                     "email", m->consent_email, "sms", m->consent_sms, "channels", channels);
}

int loy_app_unsub_view(loy_app *app, const char *token, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int64_t member = 0;
    int rc = find(app, token, &member, err);
    if (rc) return rc;
    loy_member_row row;
    rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, member, &row, err);
    if (!rc && row.erased_at) {
        loy_member_row_free(&row);
        rc = LOY_ENOTFOUND;
    }
    if (rc == LOY_ENOTFOUND)
        return loy_err_set(err, rc, "token", "no such unsubscribe link"); /* erased meanwhile */
    if (rc) return rc;
    *resp = view_json(app, &row);
    loy_member_row_free(&row);
    return 0;
}

/* Sets the consents of the token's member (email, sms: 0 or 1; -1 = keep) with `source`, in one
 * transaction audited as `action`; nothing is written when nothing changes. */
static int change(loy_app *app, const char *token, int email, int sms, const char *source,
                  const char *action, json_t **resp, loy_err *err)
{
    *resp = NULL;
    int64_t member = 0, now = loy_app_now(app);
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    /* the token is looked up inside the write: an erase committed meanwhile has removed it */
    loy_member_row row;
    memset(&row, 0, sizeof(row));
    rc = find(app, token, &member, err);
    if (!rc)
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, member, &row, err);
    if (!rc && row.erased_at) rc = LOY_ENOTFOUND;
    if (rc == LOY_ENOTFOUND) rc = loy_err_set(err, rc, "token", "no such unsubscribe link");
    /* consent is given only for a channel the member can be reached on */
    if (!rc && email == 1 && !(row.email && *row.email))
        rc = loy_err_set(
            err, LOY_EINVALID, "email",
            "email: there is no email address to send to; ask at the counter to add one");
    if (!rc && sms == 1 && !(row.phone && *row.phone))
        rc = loy_err_set(err, LOY_EINVALID, "sms",
                         "sms: there is no phone number to send to; ask at the counter to add one");
    bool was_email = row.consent_email, was_sms = row.consent_sms;
    json_t *consent = json_object();
    if (email >= 0) json_object_set_new(consent, "email", json_boolean(email));
    if (sms >= 0) json_object_set_new(consent, "sms", json_boolean(sms));
    json_t *req = json_pack("{s:o, s:s}", "consent", consent, "consent_source", source);
    if (!rc)
        rc = req ? loy_member_fields(app, req, false, &row, now, err)
                 : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    json_decref(req);
    bool changed = !rc && (row.consent_email != was_email || row.consent_sms != was_sms);
    if (changed) {
        row.updated_at = now;
        rc = loy_store_member_update(&app->conn, &row, err);
    }
    if (!rc && changed) {
        char actor[64];
        snprintf(actor, sizeof(actor), "member:%lld", (long long)row.id);
        json_t *d = json_pack("{s:s, s:{s:b, s:b}, s:{s:b, s:b}}", "source", source, "before",
                              "email", was_email, "sms", was_sms, "after", "email",
                              row.consent_email, "sms", row.consent_sms);
        char *detail = d ? loy_json_dump(d, false, NULL) : NULL;
        rc = detail ? loy_store_audit(&app->conn, app->merchant, actor, action, "member", row.id,
                                      NULL, detail, now, NULL, err)
                    : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(detail);
        json_decref(d);
    }
    if (!rc && changed) rc = loy_db_commit(&app->conn, err);
    loy_db_rollback(&app->conn); /* a no-op after the commit; the end of a read otherwise */
    if (!rc) {
        *resp = view_json(app, &row);
        json_object_set_new(*resp, "changed", json_boolean(changed));
    }
    loy_member_row_free(&row);
    return rc;
}

int loy_app_unsub_all(loy_app *app, const char *token, json_t **resp, loy_err *err)
{
    return change(app, token, 0, 0, LOY_UNSUB_SOURCE_LINK, "consent.withdraw", resp, err);
}

int loy_app_unsub_set(loy_app *app, const char *token, const json_t *req, json_t **resp,
                      loy_err *err)
{
    *resp = NULL;
    static const char *const fields[] = {"email", "sms", NULL};
    int rc = loy_req_object(req, fields, err);
    int want[2] = {-1, -1};
    for (int i = 0; !rc && i < 2; i++) {
        const json_t *v = json_object_get(req, fields[i]);
        if (!v) continue;
        if (!json_is_boolean(v)) {
            char got[64];
            loy_req_show(v, got, sizeof(got));
            return loy_err_set(err, LOY_EINVALID, fields[i], "%s: expected true or false, got %s",
                               fields[i], got);
        }
        want[i] = json_is_true(v);
    }
    if (rc) return rc;
    if (want[0] < 0 && want[1] < 0)
        return loy_err_set(err, LOY_EINVALID, "email",
                           "email or sms: give at least one, as true or false");
    return change(app, token, want[0], want[1], LOY_UNSUB_SOURCE_PAGE, "consent.change", resp, err);
}
