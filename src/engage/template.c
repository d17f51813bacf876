/* Message rendering: default templates from the embedded data/templates files, the owner's over
 * them, localised numbers and dates, and the assembly of subject, text and HTML (template.h). */
#include "engage/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/html.h"
#include "util/time.h"
#include "util/tmpl.h"

/* The files of data/templates, embedded by scripts/embed_sql.cmake (the text is in `sql`). */
extern const struct {
    const char *name;
    const char *sql;
} loy_message_template_files[];

const char *const loy_template_langs[] = {"en", "ms", "hu", "bn", NULL};

static const char *file_of(const char *lang)
{
    char name[16];
    snprintf(name, sizeof(name), "%s.tmpl", lang ? lang : "");
    for (size_t i = 0; loy_message_template_files[i].name; i++)
        if (!strcmp(loy_message_template_files[i].name, name))
            return loy_message_template_files[i].sql;
    return NULL;
}

static const char *next_line(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

/* The lines of block "== id" of a file: [*start, *end). */
static bool find_block(const char *text, const char *id, const char **start, const char **end)
{
    size_t n = strlen(id);
    for (const char *p = text; *p; p = next_line(p)) {
        if (strncmp(p, "== ", 3) || strncmp(p + 3, id, n) || (p[3 + n] != '\n' && p[3 + n] != '\0'))
            continue;
        *start = next_line(p);
        const char *q = *start;
        while (*q && strncmp(q, "== ", 3)) q = next_line(q);
        *end = q;
        return true;
    }
    return false;
}

/* A copy of [a, b) without its trailing line ends. */
static char *copy_part(const char *a, const char *b)
{
    while (b > a && (b[-1] == '\n' || b[-1] == '\r')) b--;
    return strndup(a, (size_t)(b - a));
}

void loy_template_text_free(loy_msg_text *t)
{
    if (!t) return;
    free(t->subject);
    free(t->text);
    free(t->html);
    t->subject = t->text = t->html = NULL;
}

bool loy_template_default(const char *id, const char *lang, loy_msg_text *out)
{
    memset(out, 0, sizeof(*out));
    const char *file = file_of(lang), *start, *end;
    if (!file || !id || !find_block(file, id, &start, &end)) return false;
    snprintf(out->lang, sizeof(out->lang), "%s", lang);
    const char *text_at = NULL, *html_at = NULL, *text_end = end, *html_end = end;
    for (const char *p = start; p < end; p = next_line(p)) {
        if (!strncmp(p, "subject: ", 9) && !text_at && !out->subject) {
            const char *e = next_line(p);
            out->subject = copy_part(p + 9, e);
        } else if (!strncmp(p, "-- text\n", 8) && !text_at) {
            text_at = next_line(p);
        } else if (!strncmp(p, "-- html\n", 8) && !html_at) {
            if (text_at) text_end = p;
            html_at = next_line(p);
        }
    }
    if (text_at) out->text = copy_part(text_at, text_end);
    if (html_at) out->html = copy_part(html_at, html_end);
    if (!out->text || (text_at && !out->text) || (html_at && !out->html)) {
        loy_template_text_free(out);
        return false;
    }
    return true;
}

bool loy_template_exists(const loy_msg_settings *s, const char *id)
{
    return loy_msg_trigger_known(id) || loy_msg_template_get(s, id) != NULL;
}

/* Whether template `id` has a text in `lang`: the owner's, or a default of a trigger. */
static bool has_lang(const loy_msg_settings *s, const char *id, const char *lang)
{
    if (!lang || !*lang) return false;
    if (loy_msg_template_lang(loy_msg_template_get(s, id), lang)) return true;
    return loy_msg_trigger_known(id) && file_of(lang) != NULL;
}

void loy_template_lang(const loy_msg_settings *s, const char *id, const char *want,
                       const char *merchant_lang, char out[8])
{
    const char *pick = has_lang(s, id, want)            ? want
                       : has_lang(s, id, merchant_lang) ? merchant_lang
                       : has_lang(s, id, "en")          ? "en"
                                                        : NULL;
    const loy_msg_template *t = loy_msg_template_get(s, id);
    if (!pick && t && t->nlangs) pick = t->langs[0].lang;
    snprintf(out, 8, "%s", pick ? pick : "en");
}

/* ---- numbers and dates ---- */

static const char *const bn_digits[] = {"০", "১", "২", "৩", "৪", "৫", "৬", "৭", "৮", "৯"};

void loy_template_number(char *out, size_t outsz, int64_t v, const char *lang)
{
    char digits[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
    bool bn = lang && !strcmp(lang, "bn");
    const char *sep = lang && !strcmp(lang, "hu") ? " " : ",";
    size_t len = strlen(digits), j = 0;
    char buf[128];
    if (v < 0) buf[j++] = '-';
    for (size_t i = 0; i < len && j + 8 < sizeof(buf); i++) {
        size_t left = len - i; /* digits from here to the end */
        bool group =
            i > 0 && (bn ? (left == 3 || (left > 3 && (left - 3) % 2 == 0)) : left % 3 == 0);
        if (group) j += (size_t)snprintf(buf + j, sizeof(buf) - j, "%s", sep);
        if (bn)
            j += (size_t)snprintf(buf + j, sizeof(buf) - j, "%s", bn_digits[digits[i] - '0']);
        else
            buf[j++] = digits[i];
    }
    buf[j] = '\0';
    snprintf(out, outsz, "%s", buf);
}

static const char *const months[][12] = {
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
    {"Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September", "Oktober",
     "November", "Disember"},
    {"január", "február", "március", "április", "május", "június", "július", "augusztus",
     "szeptember", "október", "november", "december"},
    {"জানুয়ারী", "ফেব্রুয়ারী", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর",
     "নভেম্বর", "ডিসেম্বর"},
};

void loy_template_date(char *out, size_t outsz, int64_t days, const char *lang)
{
    int y, m, d;
    loy_civil_from_days(days, &y, &m, &d);
    if (lang && !strcmp(lang, "hu")) {
        snprintf(out, outsz, "%d. %s %d.", y, months[2][m - 1], d);
    } else if (lang && !strcmp(lang, "bn")) {
        char dd[32], yy[48];
        loy_template_number(dd, sizeof(dd), d, "bn");
        /* years are not grouped: ২০২৬ */
        char plain[8];
        snprintf(plain, sizeof(plain), "%04d", y);
        size_t j = 0;
        for (size_t i = 0; plain[i] && j + 4 < sizeof(yy); i++)
            j += (size_t)snprintf(yy + j, sizeof(yy) - j, "%s", bn_digits[plain[i] - '0']);
        snprintf(out, outsz, "%s %s, %s", dd, months[3][m - 1], yy);
    } else {
        int k = lang && !strcmp(lang, "ms") ? 1 : 0;
        snprintf(out, outsz, "%d %s %d", d, months[k][m - 1], y);
    }
}

/* ---- rendering ---- */

void loy_rendered_free(loy_rendered *r)
{
    if (!r) return;
    free(r->subject);
    free(r->text);
    free(r->html);
    r->subject = r->text = r->html = NULL;
}

typedef struct {
    const json_t *vars;
    const char *lang;
    char buf[128];
} getter;

static const char *get_var(void *ctx, const char *name, bool section)
{
    getter *g = ctx;
    const json_t *v = json_object_get(g->vars, name);
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        if (section && json_integer_value(v) == 0) return "";
        loy_template_number(g->buf, sizeof(g->buf), (int64_t)json_integer_value(v), g->lang);
        return g->buf;
    }
    return NULL;
}

/* s without leading line ends and trailing white space (in place). */
static char *trim(char *s)
{
    if (!s) return s;
    size_t a = strspn(s, "\r\n"), n = strlen(s);
    while (n > a && strchr(" \t\r\n", s[n - 1])) n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
    return s;
}

/* The text as HTML paragraphs: escaped, a blank line between paragraphs, <br> inside. */
static void text_to_html(FILE *f, const char *text)
{
    fputs("<p>", f);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        if (line) loy_html_escape(f, line);
        free(line);
        p += n;
        if (*p == '\n') {
            p++;
            if (*p == '\n') {
                while (*p == '\n') p++;
                if (*p) fputs("</p>\n<p>", f);
            } else if (*p)
                fputs("<br>\n", f);
        }
    }
    fputs("</p>", f);
}

int loy_template_render(const loy_msg_settings *s, const char *id, const char *lang,
                        const json_t *vars, loy_rendered *out, loy_err *err)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->lang, sizeof(out->lang), "%s", lang);
    const loy_msg_text *own = loy_msg_template_lang(loy_msg_template_get(s, id), lang);
    loy_msg_text def = {0}, offer = {0}, footer = {0};
    if (!own && !loy_template_default(id, lang, &def))
        return loy_err_set(err, LOY_ENOTFOUND, "template", "template: no template \"%s\" in \"%s\"",
                           id, lang);
    const loy_msg_text *t = own ? own : &def;
    /* offer and footer come in the template's language, else in English */
    if (!loy_template_default("footer", lang, &footer))
        loy_template_default("footer", "en", &footer);
    bool with_offer = json_object_get(vars, "offer") && !strstr(t->text, "offer_code") &&
                      !(t->html && strstr(t->html, "offer_code"));
    if (with_offer && !loy_template_default("offer", lang, &offer))
        loy_template_default("offer", "en", &offer);
    getter g = {.vars = vars, .lang = lang};
    char *subject = NULL, *body = NULL, *body_html = NULL, *otext = NULL, *ohtml = NULL,
         *ftext = NULL, *fhtml = NULL;
    int rc = loy_tmpl_render(t->subject ? t->subject : "", get_var, &g, false, &subject, err);
    if (!rc) rc = loy_tmpl_render(t->text, get_var, &g, false, &body, err);
    if (!rc && t->html) rc = loy_tmpl_render(t->html, get_var, &g, true, &body_html, err);
    if (!rc && with_offer && offer.text)
        rc = loy_tmpl_render(offer.text, get_var, &g, false, &otext, err);
    if (!rc && with_offer && offer.html)
        rc = loy_tmpl_render(offer.html, get_var, &g, true, &ohtml, err);
    if (!rc && footer.text) rc = loy_tmpl_render(footer.text, get_var, &g, false, &ftext, err);
    if (!rc && footer.html) rc = loy_tmpl_render(footer.html, get_var, &g, true, &fhtml, err);
    if (rc) goto done;
    /* the subject is one line: line ends and tabs become spaces, runs of spaces one */
    size_t j = 0;
    for (size_t i = 0; subject[i]; i++) {
        char c = strchr("\r\n\t", subject[i]) ? ' ' : subject[i];
        if (c == ' ' && (j == 0 || subject[j - 1] == ' ')) continue;
        subject[j++] = c;
    }
    while (j > 0 && subject[j - 1] == ' ') j--;
    subject[j] = '\0';
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    fprintf(f, "%s\n", trim(body));
    if (otext) fprintf(f, "\n%s\n", trim(otext));
    if (ftext) fprintf(f, "\n%s\n", trim(ftext));
    fclose(f);
    out->text = buf;
    buf = NULL;
    f = open_memstream(&buf, &len);
    if (!f) {
        rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        goto done;
    }
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width\">\n<title>",
            lang);
    loy_html_escape(f, subject);
    fputs("</title>\n</head>\n<body style=\"font-family:sans-serif;line-height:1.5;"
          "max-width:600px;margin:0 auto;padding:16px\">\n",
          f);
    if (body_html)
        fprintf(f, "%s\n", trim(body_html));
    else {
        text_to_html(f, trim(body));
        fputc('\n', f);
    }
    if (ohtml) fprintf(f, "%s\n", trim(ohtml));
    if (fhtml) fprintf(f, "%s\n", trim(fhtml));
    fputs("</body>\n</html>\n", f);
    fclose(f);
    out->html = buf;
    out->subject = subject;
    subject = NULL;
    if (!out->text || !out->html) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
done:
    if (rc) loy_rendered_free(out);
    free(subject);
    free(body);
    free(body_html);
    free(otext);
    free(ohtml);
    free(ftext);
    free(fhtml);
    loy_template_text_free(&def);
    loy_template_text_free(&offer);
    loy_template_text_free(&footer);
    return rc;
}
