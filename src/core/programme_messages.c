/* The "messages" section of the programme file: parsing and validation with JSON-path errors
 * (see programme_messages.h). Template texts are checked with the template language of
 * util/tmpl.h against the variables below. */
#include "core/programme_messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/programme_check.h"
#include "util/tmpl.h"

#define MAX_TEMPLATES 100
#define MAX_LANGS     16
#define CAP_MAX       100
#define CAP_DAYS_MAX  365

const char *const loy_msg_triggers[] = {
    "welcome",  "thanks", "birthday", "anniversary",  "reorder",  "winback", "tier_up",
    "expiring", "reward", "survey",   "referral_ask", "campaign", NULL};

const char *const loy_msg_vars[] = {"first_name",
                                    "shop",
                                    "balance",
                                    "stamps",
                                    "stamps_left",
                                    "tier",
                                    "next_tier",
                                    "spend_to_next_tier",
                                    "reward",
                                    "points_expiring",
                                    "expiry_date",
                                    "favourite",
                                    "giving",
                                    "card_url",
                                    "unsubscribe_url",
                                    "postal_address",
                                    "offer",
                                    "offer_code",
                                    "offer_expires",
                                    "survey_url",
                                    "referral_url",
                                    "referral_code",
                                    NULL};

bool loy_msg_trigger_known(const char *trigger)
{
    return trigger && loy_pc_known(loy_msg_triggers, trigger);
}

void loy_msg_settings_init(loy_msg_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->cap_messages = 2;
    s->cap_days = 7;
    s->quiet_from = 21 * 60;
    s->quiet_to = 9 * 60;
}

void loy_msg_settings_free(loy_msg_settings *s)
{
    if (!s) return;
    free(s->postal_address);
    for (size_t i = 0; i < s->ntemplates; i++) {
        for (size_t j = 0; j < s->templates[i].nlangs; j++) {
            loy_msg_text *t = &s->templates[i].langs[j];
            free(t->subject);
            free(t->text);
            free(t->html);
        }
        free(s->templates[i].langs);
    }
    free(s->templates);
    loy_msg_settings_init(s);
}

const loy_msg_template *loy_msg_template_get(const loy_msg_settings *s, const char *id)
{
    for (size_t i = 0; s && id && i < s->ntemplates; i++)
        if (!strcmp(s->templates[i].id, id)) return &s->templates[i];
    return NULL;
}

const loy_msg_text *loy_msg_template_lang(const loy_msg_template *t, const char *lang)
{
    for (size_t i = 0; t && lang && i < t->nlangs; i++)
        if (!strcmp(t->langs[i].lang, lang)) return &t->langs[i];
    return NULL;
}

bool loy_msg_address_parse(const char *text, char name[LOY_MSG_NAME_MAX],
                           char addr[LOY_MSG_ADDR_MAX])
{
    if (!text) return false;
    const char *lt = strchr(text, '<');
    const char *a = text, *aend = text + strlen(text);
    size_t nlen = 0;
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0') return false;
        nlen = (size_t)(lt - text);
        while (nlen > 0 && text[nlen - 1] == ' ') nlen--;
        a = lt + 1;
        aend = gt;
    }
    if (nlen >= LOY_MSG_NAME_MAX) return false;
    for (size_t i = 0; i < nlen; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f || text[i] == '>' || text[i] == '"')
            return false;
    size_t alen = (size_t)(aend - a);
    if (alen < 3 || alen >= LOY_MSG_ADDR_MAX) return false;
    const char *at = NULL;
    for (const char *p = a; p < aend; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c)) return false;
        if (c == '@') {
            if (at) return false;
            at = p;
        }
    }
    if (!at || at == a || at + 1 >= aend) return false;
    const char *dot = memchr(at + 1, '.', (size_t)(aend - at - 1));
    if (!dot || dot == at + 1 || aend[-1] == '.') return false;
    memcpy(name, text, nlen);
    name[nlen] = '\0';
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    return true;
}

static int text(loy_err *err, const char *path, const loy_jv *v, size_t max, bool oneline,
                const char **out)
{
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s || !loy_jv_str_len(v) || loy_jv_str_len(v) > max || strlen(s) != loy_jv_str_len(v))
        return loy_pc_fail(err, path, v, "a non-empty string of at most %zu bytes", max);
    if (oneline && strpbrk(s, "\r\n")) return loy_pc_fail(err, path, v, "one line of text");
    *out = s;
    return 0;
}

static int dup(loy_err *err, const char *path, const char *s, char **out)
{
    *out = strdup(s);
    return *out ? 0 : loy_pc_nomem(err, path);
}

/* A template part: one of its variables unknown, or its syntax wrong, is an error at its path. */
static int part(loy_err *err, const char *path, const loy_jv *v, bool oneline, char **out)
{
    const char *s = NULL;
    int rc = text(err, path, v, LOY_MSG_PART_MAX, oneline, &s);
    if (rc) return rc;
    loy_err e;
    if (loy_tmpl_check(s, loy_msg_vars, &e))
        return loy_err_set(err, LOY_EINVALID, path, "%s: %s", path, e.message);
    return dup(err, path, s, out);
}

static bool is_lang(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 3) return false;
    for (; *s; s++)
        if (*s < 'a' || *s > 'z') return false;
    return true;
}

static int parse_lang(loy_err *err, const char *path, const loy_jv *v, loy_msg_text *t)
{
    static const char *const keys[] = {"subject", "text", "html", NULL};
    int rc = loy_pc_object(
        err, path, v, keys,
        "an object like {\"subject\": \"...\", \"text\": \"...\", \"html\": \"...\"}");
    char sub[LOY_PC_PATH_MAX];
    static const char *const required[] = {"subject", "text", NULL};
    for (size_t i = 0; !rc && required[i]; i++)
        if (!loy_jv_get(v, required[i])) {
            loy_pc_child(sub, sizeof(sub), path, required[i]);
            rc = loy_pc_fail(err, sub, NULL, "%s", "a non-empty string");
        }
    if (!rc) {
        loy_pc_child(sub, sizeof(sub), path, "subject");
        rc = part(err, sub, loy_jv_get(v, "subject"), true, &t->subject);
    }
    if (!rc) {
        loy_pc_child(sub, sizeof(sub), path, "text");
        rc = part(err, sub, loy_jv_get(v, "text"), false, &t->text);
    }
    if (!rc && loy_jv_get(v, "html")) {
        loy_pc_child(sub, sizeof(sub), path, "html");
        rc = part(err, sub, loy_jv_get(v, "html"), false, &t->html);
    }
    return rc;
}

static int parse_templates(loy_err *err, loy_msg_settings *s, const char *path, const loy_jv *v)
{
    if (!v || loy_jv_typeof(v) != LOY_JV_OBJECT || loy_jv_len(v) > MAX_TEMPLATES)
        return loy_pc_fail(
            err, path, v,
            "an object of at most %d templates like {\"welcome\": {\"en\": {\"subject\": "
            "\"...\", \"text\": \"...\"}}}",
            MAX_TEMPLATES);
    size_t n = loy_jv_len(v);
    s->templates = calloc(n ? n : 1, sizeof(*s->templates));
    if (!s->templates) return loy_pc_nomem(err, path);
    char tpath[LOY_PC_PATH_MAX], lpath[LOY_PC_PATH_MAX];
    for (size_t i = 0; i < n; i++) {
        const char *id = loy_jv_key_at(v, i);
        const loy_jv *langs = loy_jv_value_at(v, i);
        loy_pc_child(tpath, sizeof(tpath), path, id);
        if (!loy_pc_charset_ok(id, LOY_MSG_ID_MAX - 1, false, false))
            return loy_err_set(err, LOY_EINVALID, tpath,
                               "%s: a template id is 1 to 47 of a-z, 0-9, \"_\" and \"-\" (a "
                               "trigger such as \"welcome\" replaces its default)",
                               tpath);
        loy_msg_template *t = &s->templates[s->ntemplates++];
        snprintf(t->id, sizeof(t->id), "%s", id);
        size_t nl = langs ? loy_jv_len(langs) : 0;
        if (!langs || loy_jv_typeof(langs) != LOY_JV_OBJECT || nl == 0 || nl > MAX_LANGS)
            return loy_pc_fail(
                err, tpath, langs,
                "an object of 1 to %d languages like {\"en\": {\"subject\": \"...\", "
                "\"text\": \"...\"}}",
                MAX_LANGS);
        t->langs = calloc(nl, sizeof(*t->langs));
        if (!t->langs) return loy_pc_nomem(err, tpath);
        for (size_t j = 0; j < nl; j++) {
            const char *lang = loy_jv_key_at(langs, j);
            loy_pc_child(lpath, sizeof(lpath), tpath, lang);
            if (!is_lang(lang))
                return loy_err_set(err, LOY_EINVALID, lpath,
                                   "%s: expected a language code like \"en\", \"ms\", \"hu\" or "
                                   "\"bn\"",
                                   lpath);
            loy_msg_text *x = &t->langs[t->nlangs++];
            snprintf(x->lang, sizeof(x->lang), "%s", lang);
            int rc = parse_lang(err, lpath, loy_jv_value_at(langs, j), x);
            if (rc) return rc;
        }
    }
    return 0;
}

int loy_msg_settings_parse(loy_msg_settings *s, const char *path, const loy_jv *v, loy_err *err)
{
    static const char *const keys[] = {"from",        "postal_address", "frequency_cap",
                                       "quiet_hours", "templates",      NULL};
    static const char *const cap_keys[] = {"messages", "days", NULL};
    static const char *const quiet_keys[] = {"from", "to", NULL};
    loy_msg_settings_init(s);
    int rc = loy_pc_object(err, path, v, keys,
                           "an object like {\"from\": \"Shop <hello@shop.example>\", "
                           "\"postal_address\": \"...\"}");
    char sub[LOY_PC_PATH_MAX], sub2[LOY_PC_PATH_MAX];
    for (size_t i = 0; !rc && i < loy_jv_len(v); i++) {
        const char *key = loy_jv_key_at(v, i);
        const loy_jv *x = loy_jv_value_at(v, i);
        const char *str = NULL;
        loy_pc_child(sub, sizeof(sub), path, key);
        if (!strcmp(key, "from")) {
            rc = text(err, sub, x, 300, true, &str);
            if (!rc && !loy_msg_address_parse(str, s->from_name, s->from_addr))
                rc = loy_pc_fail(err, sub, x, "%s",
                                 "an address like \"Kopi Kita <hello@kopikita.example>\" or "
                                 "\"hello@kopikita.example\"");
        } else if (!strcmp(key, "postal_address")) {
            rc = text(err, sub, x, 500, false, &str);
            if (!rc) rc = dup(err, sub, str, &s->postal_address);
        } else if (!strcmp(key, "frequency_cap")) {
            if (loy_jv_typeof(x) == LOY_JV_NULL) {
                s->cap_messages = 0;
                continue;
            }
            rc = loy_pc_object(err, sub, x, cap_keys,
                               "an object like {\"messages\": 2, \"days\": 7}, or null for no cap");
            if (!rc) {
                loy_pc_child(sub2, sizeof(sub2), sub, "messages");
                rc = loy_pc_integer(err, sub2, loy_jv_get(x, "messages"), 1, CAP_MAX,
                                    &s->cap_messages);
            }
            if (!rc) {
                loy_pc_child(sub2, sizeof(sub2), sub, "days");
                rc =
                    loy_pc_integer(err, sub2, loy_jv_get(x, "days"), 1, CAP_DAYS_MAX, &s->cap_days);
            }
        } else if (!strcmp(key, "quiet_hours")) {
            if (loy_jv_typeof(x) == LOY_JV_NULL) {
                s->quiet_from = s->quiet_to = -1;
                continue;
            }
            rc = loy_pc_object(
                err, sub, x, quiet_keys,
                "an object like {\"from\": \"21:00\", \"to\": \"09:00\"}, or null for "
                "none");
            if (!rc) {
                loy_pc_child(sub2, sizeof(sub2), sub, "from");
                rc = loy_pc_hhmm(err, sub2, loy_jv_get(x, "from"), "21:00", &s->quiet_from);
            }
            if (!rc) {
                loy_pc_child(sub2, sizeof(sub2), sub, "to");
                rc = loy_pc_hhmm(err, sub2, loy_jv_get(x, "to"), "21:00", &s->quiet_to);
            }
            if (!rc && s->quiet_from == s->quiet_to) {
                loy_pc_child(sub2, sizeof(sub2), sub, "to");
                rc = loy_pc_fail(err, sub2, loy_jv_get(x, "to"), "%s",
                                 "a time other than \"from\" (null turns quiet hours off)");
            }
        } else if (!strcmp(key, "templates")) {
            rc = parse_templates(err, s, sub, x);
        }
    }
    return rc;
}
