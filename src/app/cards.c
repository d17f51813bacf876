/* Use cases around member cards: the QR code, rotation of the token, a printable sheet. */
#include "app/app_int.h"
#include "app/referrals.h"
#include "util/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/qr.h"
#include "util/rand.h"

int loy_app_card_svg(loy_app *app, const char *token, char **svg, loy_err *err)
{
    loy_member_row m;
    int rc = LOY_ENOTFOUND;
    int64_t merchant = 0;
    if (strlen(token) >= 20 && strlen(token) < 40)
        rc = loy_store_card_merchant(&app->conn, token, &merchant, err);
    if (!rc) rc = loy_store_member_get(&app->conn, merchant, LOY_BY_CARD, token, 0, &m, err);
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "token", "no such card");
    if (rc) return rc;
    loy_member_row_free(&m);
    *svg = loy_qr_svg(token, 8, err);
    return *svg ? 0 : err->code;
}

/* Copies the listed keys of `from` that are present into `to`. */
static void copy_keys(json_t *to, const json_t *from, const char *const *keys)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(from, *keys);
        if (v) json_object_set(to, *keys, v);
    }
}

int loy_app_card_view(loy_app *app, const char *token, const char *lang, json_t **resp,
                      loy_err *err)
{
    *resp = NULL;
    if (lang && !*lang) lang = NULL;
    if (lang) {
        size_t n = strspn(lang, "abcdefghijklmnopqrstuvwxyz");
        if (lang[n] || n < 2 || n > 3)
            return loy_err_set(err, LOY_EINVALID, "lang",
                               "lang: expected a language code such as \"en\" or \"bn\"");
    }
    int64_t merchant = 0;
    char up[40]; /* tokens are upper case; the counter's search takes either */
    int rc = loy_token_upper(token, up, sizeof(up))
                 ? loy_store_card_merchant(&app->conn, up, &merchant, err)
                 : LOY_ENOTFOUND;
    if (!rc) rc = loy_app_select_merchant(app, merchant, err);
    json_t *v = NULL;
    if (!rc) rc = loy_app_member_view_in(app, up, lang, &v, err);
    if (rc == LOY_ENOTFOUND) return loy_err_set(err, rc, "token", "no such card");
    if (rc) return rc;
    /* what the card holder sees: their own card, nothing staff-only (contact details, notes,
     * tags, consents, predictions) */
    static const char *const member_keys[] = {"name", "locale", "card_token", "joined_at", NULL};
    static const char *const view_keys[] = {"balances", "stamp_card", "tier",
                                            "pending",  "expiring",   "rewards",
                                            "giving",   "currency",   NULL};
    json_t *m = json_object(), *out = json_object();
    copy_keys(m, json_object_get(v, "member"), member_keys);
    json_object_set_new(out, "member", m);
    copy_keys(out, v, view_keys);
    int64_t id = (int64_t)json_integer_value(json_object_get(json_object_get(v, "member"), "id"));
    json_decref(v);
    char qr[96];
    snprintf(qr, sizeof(qr), "/card/%s.svg", up);
    json_object_set_new(out, "qr_svg", json_string(qr));
    json_object_set_new(out, "merchant", json_pack("{s:s}", "name", app->merchant_row.name));
    if ((rc = loy_app_referral_card(app, id, out, err))) { /* their link to share */
        json_decref(out);
        return rc;
    }
    *resp = out;
    return 0;
}

int loy_app_member_rotate_card(loy_app *app, const char *ref, json_t **resp, loy_err *err)
{
    int64_t now = loy_app_now(app);
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    int rc = loy_db_begin(&app->conn, true, err);
    if (rc) return rc;
    rc = loy_app_resolve_member(app, ref, &m, err);
    char token[40];
    if (!rc && loy_random_token(token, sizeof(token), 130))
        rc = loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
    if (!rc) rc = loy_store_member_set_card(&app->conn, app->merchant, m.id, token, err);
    if (!rc)
        rc = loy_store_audit(&app->conn, app->merchant, app->actor, "card.rotate", "member", m.id,
                             NULL, NULL, now, NULL, err);
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc)
        loy_db_rollback(&app->conn);
    else {
        snprintf(m.card_token, sizeof(m.card_token), "%s", token);
        *resp = json_pack("{s:o}", "member", loy_json_member(app, &m));
    }
    loy_member_row_free(&m);
    return rc;
}

struct sheet {
    FILE *f;
    loy_err *err;
    int rc;
};

static void add_card(void *ctx, const loy_member_row *m)
{
    struct sheet *s = ctx;
    if (s->rc) return;
    char *svg = loy_qr_svg(m->card_token, 4, s->err);
    if (!svg) {
        s->rc = s->err->code;
        return;
    }
    fputs("<div class=\"card\"><div class=\"qr\">", s->f);
    fputs(svg, s->f);
    fputs("</div><div class=\"name\">", s->f);
    loy_html_escape(s->f, m->name);
    fputs("</div><div class=\"token\">", s->f);
    loy_html_escape(s->f, m->card_token);
    fputs("</div></div>\n", s->f);
    free(svg);
}

int loy_app_cards_sheet(loy_app *app, char **html, loy_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    fputs("<!doctype html><html><head><meta charset=\"utf-8\"><title>", f);
    loy_html_escape(f, app->merchant_row.name);
    fputs(" cards</title><style>body{font-family:sans-serif;margin:0}"
          ".card{display:inline-block;width:85.6mm;height:54mm;box-sizing:border-box;"
          "border:1px dashed #999;padding:4mm;margin:2mm;vertical-align:top;"
          "page-break-inside:avoid}.qr svg{width:30mm;height:30mm}.name{font-size:14pt;"
          "margin-top:2mm}.token{font-family:monospace;font-size:8pt;color:#444}"
          "</style></head><body>\n",
          f);
    struct sheet s = {f, err, 0};
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        int64_t ids[256];
        int n = 0;
        if ((rc = loy_store_members_page(&app->conn, app->merchant, after, 256, ids, &n, err)))
            break;
        for (int i = 0; i < n && !s.rc; i++) {
            loy_member_row m;
            if ((rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, ids[i], &m,
                                           err)))
                break;
            add_card(&s, &m);
            loy_member_row_free(&m);
            after = ids[i];
        }
        if (rc || s.rc || n < 256) break;
    }
    fputs("</body></html>\n", f);
    fclose(f);
    if (!rc) rc = s.rc;
    if (rc) {
        free(buf);
        return rc;
    }
    *html = buf;
    return 0;
}
