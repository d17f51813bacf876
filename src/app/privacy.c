/* Privacy use cases: the member export and the member erase (see privacy.h, docs/privacy.md). */
#include "app/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/feedback.h"
#include "app/referrals.h"
#include "app/request.h"
#include "store/store_privacy.h"
#include "util/fold.h"
#include "util/jdump.h"
#include "util/rand.h"

#define ERASED_TEXT "(erased)"

int loy_app_erased_refusal(const loy_member_row *m, const char *what, loy_err *err)
{
    char when[32];
    loy_time_format(when, sizeof(when), m->erased_at);
    return loy_err_set(err, LOY_EREFUSED, "member",
                       "member %lld was erased on %.10s: an erased member cannot %s",
                       (long long)m->id, when, what);
}

/* ---- export ---- */

struct export_ctx {
    json_t *tables, *current;
};

static void export_table(void *ctx, const char *table)
{
    struct export_ctx *x = ctx;
    x->current = json_array();
    json_object_set_new(x->tables, table, x->current);
}

static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && !strncmp(p, name, n)) return true;
        p += k + (p[k] == ',');
    }
    return false;
}

static void export_row(void *ctx, const loy_privacy_row *r)
{
    struct export_ctx *x = ctx;
    json_t *o = json_object();
    for (int i = 0; i < r->ncols; i++) {
        json_t *v = NULL;
        const char *t = r->text[i];
        switch (r->type[i]) {
        case 'i':
            v = json_integer(r->num[i]);
            break;
        case 'r':
            v = json_real(t ? strtod(t, NULL) : 0.0);
            break;
        case 't':
            if (listed(r->json, r->name[i])) v = json_loads(t, JSON_DECODE_ANY, NULL);
            if (!v) v = json_string(t); /* NULL when not UTF-8: left out as null below */
            break;
        default:
            break;
        }
        json_object_set_new(o, r->name[i], v ? v : json_null());
    }
    json_array_append_new(x->current, o);
}

static void add_id(void *ctx, int64_t id)
{
    json_array_append_new((json_t *)ctx, json_integer(id));
}

int loy_app_member_export(loy_app *app, const char *ref, json_t **resp, loy_err *err)
{
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int64_t now = loy_app_now(app);
    loy_loaded m = {0};
    json_t *doc = NULL;
    int rc = loy_db_begin(&app->conn, true, err); /* one snapshot, and the audit entry with it */
    if (rc) return rc;
    rc = loy_app_load(app, ref, false, now, &m, err);
    if (rc) goto done;
    free(m.row.favourite);
    m.row.favourite = NULL;
    if (!m.row.erased_at &&
        (rc = loy_store_member_favourite(&app->conn, m.row.id, &m.row.favourite, err)))
        goto done;
    struct export_ctx x = {json_object(), NULL};
    json_t *referred = json_array();
    doc = json_pack("{s:s, s:i, s:o, s:s, s:{s:I, s:s, s:s}, s:o, s:o, s:o, s:o}", "format",
                    "loyalty.member-export", "version", 1, "exported_at", loy_json_time(now),
                    "exported_by", app->actor, "merchant", "id", (json_int_t)app->merchant, "name",
                    app->merchant_row.name, "currency", app->merchant_row.currency, "member",
                    loy_json_member(app, &m.row), "balances", loy_json_balances(&m.st),
                    "referred_members", referred, "tables", x.tables);
    if (!doc) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    rc = loy_store_privacy_referred(&app->conn, app->merchant, m.row.id, add_id, referred, err);
    if (!rc)
        rc = loy_store_privacy_export(&app->conn, app->merchant, m.row.id, export_table, export_row,
                                      &x, err);
    if (!rc) { /* who exported whom, and how much: counts only */
        json_t *counts = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(x.tables, k, v)
            json_object_set_new(counts, k, json_integer((json_int_t)json_array_size(v)));
        json_t *d = json_pack("{s:o}", "rows", counts);
        char *detail = d ? loy_json_dump(d, false, NULL) : NULL;
        json_decref(d);
        rc = detail ? loy_store_audit(&app->conn, app->merchant, app->actor, "member.export",
                                      "member", m.row.id, NULL, detail, now, NULL, err)
                    : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(detail);
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
done:
    if (rc) {
        loy_db_rollback(&app->conn);
        json_decref(doc);
    } else
        *resp = doc;
    loy_loaded_free(&m);
    return rc;
}

/* ---- erase ---- */

#define MAX_IDS   8 /* the member's details now and as they were before edits */
#define MAX_WORDS (8 * MAX_IDS)

/* What the member's personal data looks like in other text: the folded full names and emails
 * (anywhere), the folded words of the names of 4 characters or more (free text only), and the
 * last 8 digits of the phones (matched on the digits of a text, so "+60 12-345 6789" and
 * "012 3456789" both match); for the details they have now and those they had before an edit. */
typedef struct {
    int64_t member;
    const char *pseudonym;
    char *full[2 * MAX_IDS];
    size_t nfull;
    char *words[MAX_WORDS];
    size_t nwords;
    char phone[MAX_IDS][16];
    size_t nphones;
} needles;

static void needles_free(needles *n)
{
    for (size_t i = 0; i < n->nfull; i++) free(n->full[i]);
    for (size_t i = 0; i < n->nwords; i++) free(n->words[i]);
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t c = 0;
    for (size_t i = 0; i < len; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Adds a name, email and phone (each may be NULL) the member has or had; beyond MAX_IDS sets of
 * details the oldest further ones are not added. */
static int needles_add(needles *n, const char *name_raw, const char *email, const char *phone,
                       loy_err *err)
{
    if (n->nfull + 2 > sizeof(n->full) / sizeof(n->full[0])) return 0;
    char *name = name_raw && *name_raw ? loy_fold(name_raw, err) : strdup("");
    if (!name) return err->code ? err->code : LOY_ENOMEM;
    /* the name's words (split at spaces and hyphens) of 4 characters or more, when it has more
     * than one */
    for (const char *p = name; *p && strpbrk(name, " -") && n->nwords < MAX_WORDS;) {
        size_t k = strcspn(p, " -");
        char *w = utf8_chars(p, k) >= 4 ? strndup(p, k) : NULL;
        if (w) n->words[n->nwords++] = w;
        p += k + (p[k] != '\0');
    }
    if (utf8_chars(name, strlen(name)) >= 3) /* "Al" would match half the words of a text */
        n->full[n->nfull++] = name;
    else
        free(name);
    if (email && *email) {
        char *f = loy_fold(email, err);
        if (!f) return err->code ? err->code : LOY_ENOMEM;
        n->full[n->nfull++] = f;
    }
    if (phone && n->nphones < MAX_IDS) {
        char d[48];
        size_t k = 0;
        for (const char *p = phone; *p && k + 1 < sizeof(d); p++)
            if (*p >= '0' && *p <= '9') d[k++] = *p;
        d[k] = '\0';
        if (k >= 6)
            snprintf(n->phone[n->nphones++], sizeof(n->phone[0]), "%s", d + (k > 8 ? k - 8 : 0));
    }
    return 0;
}

static int needles_init(needles *n, const loy_member_row *m, const char *pseudonym, loy_err *err)
{
    memset(n, 0, sizeof(*n));
    n->member = m->id;
    n->pseudonym = pseudonym;
    return needles_add(n, m->name, m->email, m->phone, err);
}

/* The details the member had before their edits: the "before" of every member.update audit
 * entry (the audit keeps them until this erase scrubs them). */
static int needles_add_earlier(loy_app *app, needles *n, loy_err *err)
{
    char **details = NULL;
    size_t count = 0;
    int rc = loy_store_privacy_audit_details(&app->conn, app->merchant, n->member, "member.update",
                                             &details, &count, err);
    for (size_t i = 0; i < count; i++) {
        json_t *d = rc ? NULL : json_loads(details[i], 0, NULL);
        json_t *b = json_object_get(d, "before");
        const char *name = json_string_value(json_object_get(b, "name"));
        const char *email = json_string_value(json_object_get(b, "email"));
        const char *phone = json_string_value(json_object_get(b, "phone"));
        if (!rc && (name || email || phone)) rc = needles_add(n, name, email, phone, err);
        json_decref(d);
        free(details[i]);
    }
    free(details);
    return rc;
}

/* Does `text` name the member? words: also by a word of their name (free text). */
static bool mentions(const needles *n, const char *text, bool words)
{
    if (!text || !*text) return false;
    loy_err e;
    char *f = loy_fold(text, &e);
    const char *hay = f ? f : text;
    bool hit = false;
    for (size_t i = 0; i < n->nfull && !hit; i++) hit = strstr(hay, n->full[i]) != NULL;
    for (size_t i = 0; words && i < n->nwords && !hit; i++) hit = strstr(hay, n->words[i]) != NULL;
    free(f);
    if (!hit && n->nphones) {
        size_t len = strlen(text);
        char *d = malloc(len + 1);
        if (d) {
            size_t k = 0;
            for (size_t i = 0; i < len; i++)
                if (text[i] >= '0' && text[i] <= '9') d[k++] = text[i];
            d[k] = '\0';
            for (size_t i = 0; i < n->nphones && !hit; i++) hit = strstr(d, n->phone[i]) != NULL;
            free(d);
        }
    }
    return hit;
}

/* The member object's keys that hold personal data (string values only: "email" is also the
 * name of a consent channel, an object, which stays). */
static const char *const pii_keys[] = {"name",        "phone",        "email",     "birthday",
                                       "notes",       "tags",         "favourite", "card_token",
                                       "name_folded", "email_folded", NULL};

static bool scrub_keys(json_t *o, const needles *n)
{
    bool changed = false;
    for (size_t i = 0; pii_keys[i]; i++) {
        json_t *v = json_object_get(o, pii_keys[i]);
        if (!json_is_string(v) || !json_string_length(v)) continue;
        if (!strcmp(pii_keys[i], "name")) {
            if (strcmp(json_string_value(v), n->pseudonym) != 0) {
                json_object_set_new(o, "name", json_string(n->pseudonym));
                changed = true;
            }
        } else {
            json_object_set_new(o, pii_keys[i], json_null());
            changed = true;
        }
    }
    return changed;
}

/* Keys of free text (a copy of a purchase's reference, a refund's reason): matched by the words
 * of the name too, like the free-text cells. */
static bool free_text_key(const char *k)
{
    static const char *const keys[] = {"reference", "reason",  "notes", "comment",
                                       "text",      "subject", NULL}; /* + rendered messages */
    for (size_t i = 0; keys[i]; i++)
        if (!strcmp(k, keys[i])) return true;
    return false;
}

static bool is_member(const json_t *o, int64_t member, bool under_member_key)
{
    json_t *id = json_object_get(o, "id");
    return json_is_integer(id) && json_integer_value(id) == member &&
           (under_member_key || json_object_get(o, "card_token"));
}

/* Rewrites v in place: every member object of this member (all objects of a document about
 * them, `doc`) loses its personal data, and any string that names them becomes "(erased)". */
static bool scrub_json(json_t *v, const needles *n, bool doc, bool under_member_key, int depth)
{
    bool changed = false;
    if (depth > 64) return false;
    if (json_is_object(v)) {
        if (doc || is_member(v, n->member, under_member_key)) changed |= scrub_keys(v, n);
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
            const char *k = json_object_iter_key(it);
            json_t *x = json_object_iter_value(it);
            if (json_is_string(x)) {
                if (strcmp(json_string_value(x), n->pseudonym) &&
                    strcmp(json_string_value(x), ERASED_TEXT) &&
                    mentions(n, json_string_value(x), free_text_key(k))) {
                    json_object_iter_set_new(v, it, json_string(ERASED_TEXT));
                    changed = true;
                }
            } else if (json_is_object(x) || json_is_array(x))
                changed |= scrub_json(x, n, doc, !strcmp(k, "member"), depth + 1);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            if (json_is_string(x)) {
                if (strcmp(json_string_value(x), ERASED_TEXT) &&
                    mentions(n, json_string_value(x), false)) {
                    json_array_set_new(v, i, json_string(ERASED_TEXT));
                    changed = true;
                }
            } else
                changed |= scrub_json(x, n, doc, false, depth + 1);
        }
    }
    return changed;
}

/* The new text of a cell, or NULL when it stays as it is (*rc set on failure). */
static char *scrub_cell(const loy_privacy_cell *c, const needles *n, int *rc, loy_err *err)
{
    *rc = 0;
    if (c->kind != LOY_CELL_TEXT) {
        json_t *doc = json_loads(c->value, JSON_DECODE_ANY, NULL);
        if (doc && (json_is_object(doc) || json_is_array(doc))) {
            char *out = NULL;
            if (scrub_json(doc, n, c->kind == LOY_CELL_DOC, false, 0)) {
                out = loy_json_dump(doc, false, NULL);
                if (!out) *rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
            }
            json_decref(doc);
            return out;
        }
        json_decref(doc); /* not a document: treated as text */
    }
    if (!mentions(n, c->value, true) || !strcmp(c->value, ERASED_TEXT)) return NULL;
    char *out = strdup(ERASED_TEXT);
    if (!out) *rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    return out;
}

static const char *const erase_fields[] = {"reason", NULL};

int loy_app_member_erase(loy_app *app, const char *ref, const json_t *req, json_t **resp,
                         loy_err *err)
{
    *resp = NULL;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    const char *reason = NULL;
    int rc = loy_req_object(req, erase_fields, err);
    if (!rc) rc = loy_req_str(req, "reason", true, 500, &reason, err);
    if (!rc && !reason[strspn(reason, " \t")])
        rc = loy_err_set(err, LOY_EINVALID, "reason", "reason: is required");
    if (rc) return rc;
    int64_t now = loy_app_now(app);
    loy_member_row m;
    memset(&m, 0, sizeof(m));
    needles nd;
    memset(&nd, 0, sizeof(nd));
    loy_privacy_cell *cells = NULL;
    size_t ncells = 0;
    json_t *scrubbed = json_object(), *warnings = json_array();
    char pseudonym[64], token[40];
    loy_privacy_erased er = {0};

    /* freed pages are zeroed while this connection erases; FAST again afterwards */
    if ((rc = loy_store_secure_delete(&app->conn, true, err))) goto out;
    if ((rc = loy_db_begin(&app->conn, true, err))) goto out;
    if ((rc = loy_app_resolve_member(app, ref, &m, err))) goto done;
    if (m.erased_at) {
        char when[32];
        loy_time_format(when, sizeof(when), m.erased_at);
        rc = loy_err_set(err, LOY_ECONFLICT, "member", "member %lld was already erased on %s",
                         (long long)m.id, when);
        goto done;
    }
    snprintf(pseudonym, sizeof(pseudonym), "Erased member %lld", (long long)m.id);
    if ((rc = needles_init(&nd, &m, pseudonym, err))) goto done;
    if ((rc = needles_add_earlier(app, &nd, err))) goto done;
    if (mentions(&nd, reason, true)) {
        rc = loy_err_set(err, LOY_EINVALID, "reason",
                         "reason: must not contain the member's name, phone or email (the audit "
                         "log keeps the reason after the erase)");
        goto done;
    }
    if (loy_random_token(token, sizeof(token), 130)) {
        rc = loy_err_set(err, LOY_ESTORAGE, "", "random source failed");
        goto done;
    }
    /* copies of their data in other tables */
    if ((rc = loy_store_privacy_cells(&app->conn, app->merchant, m.id, &cells, &ncells, err)))
        goto done;
    for (size_t i = 0; i < ncells && !rc; i++) {
        char *val = scrub_cell(&cells[i], &nd, &rc, err);
        if (!val) continue;
        rc = loy_store_privacy_cell_set(&app->conn, app->merchant, &cells[i], val, err);
        free(val);
        char key[64];
        snprintf(key, sizeof(key), "%s.%s", cells[i].table, cells[i].column);
        json_object_set_new(scrubbed, key,
                            json_integer(json_integer_value(json_object_get(scrubbed, key)) + 1));
    }
    if (rc) goto done;
    /* the ledger is append-only: a reason that names them can only be reported */
    int64_t mentioned = 0;
    {
        char **reasons = NULL;
        size_t nreasons = 0;
        rc = loy_store_privacy_ledger_reasons(&app->conn, m.id, &reasons, &nreasons, err);
        for (size_t i = 0; i < nreasons; i++) {
            mentioned += !rc && mentions(&nd, reasons[i], true); /* as the audit's reasons */
            free(reasons[i]);
        }
        free(reasons);
    }
    if (rc) goto done;
    if (mentioned)
        json_array_append_new(
            warnings, json_pack("{s:s, s:I, s:s}", "code", "ledger_reason", "entries",
                                (json_int_t)mentioned, "message",
                                "ledger entries give a reason that names the member; the ledger "
                                "is append-only, so these reasons stay"));
    if ((rc = loy_store_privacy_erase_member(&app->conn, app->merchant, m.id, pseudonym, token, now,
                                             &er, err)))
        goto done;
    if ((rc = loy_app_referral_erased(app, m.id, now, err))) goto done; /* nothing left to pay */
    if ((rc = loy_app_feedback_erased(app, m.id, scrubbed, err))) goto done; /* comments, notes */
    {
        json_t *d = json_pack("{s:O, s:{s:I, s:I}}", "scrubbed", scrubbed, "import", "rows",
                              (json_int_t)er.import_rows, "members", (json_int_t)er.import_members);
        char *detail = d ? loy_json_dump(d, false, NULL) : NULL;
        json_decref(d);
        rc = detail ? loy_store_audit(&app->conn, app->merchant, app->actor, "member.erase",
                                      "member", m.id, reason, detail, now, NULL, err)
                    : loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        free(detail);
    }
    if (!rc) {
        char payload[64];
        snprintf(payload, sizeof(payload), "{\"member_id\":%lld}", (long long)m.id);
        rc = loy_store_outbox_add(&app->conn, app->merchant, "member.erased", m.id, payload, now,
                                  err);
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
done:
    if (rc) loy_db_rollback(&app->conn);
out:;
    loy_err ignored;
    loy_store_secure_delete(&app->conn, false, &ignored);
    if (!rc) {
        bool complete = false;
        int crc = loy_store_checkpoint(&app->conn, &complete, &ignored);
        loy_member_row after;
        rc = loy_store_member_get(&app->conn, app->merchant, LOY_BY_ID, NULL, m.id, &after, err);
        if (!rc) {
            *resp = json_pack("{s:o, s:o, s:O, s:{s:I, s:I}, s:O, s:{s:b}}", "member",
                              loy_json_member(app, &after), "erased_at", loy_json_time(now),
                              "scrubbed", scrubbed, "import", "rows", (json_int_t)er.import_rows,
                              "members", (json_int_t)er.import_members, "warnings", warnings,
                              "checkpoint", "complete", crc == 0 && complete);
            loy_member_row_free(&after);
        }
    }
    json_decref(scrubbed);
    json_decref(warnings);
    loy_privacy_cells_free(cells, ncells);
    needles_free(&nd);
    loy_member_row_free(&m);
    return rc;
}
