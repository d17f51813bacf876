/* The message template language (see tmpl.h): one linear walk over the text serves both the
 * check and the rendering; sections keep a stack of names and whether their text is kept. */
#include "util/tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/html.h"

typedef struct {
    char sigil; /* 0 variable, '#' section, '^' inverted section, '/' end of section */
    char name[LOY_TMPL_NAME_MAX + 1];
    const char *start, *end; /* the tag's bytes, "{{" to "}}" included */
} tag;

static int fail_at(const char *text, const char *at, loy_err *err, const char *fmt, const char *arg)
{
    int line = 1, col = 1;
    for (const char *p = text; p < at && *p; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80)
            col++;
    }
    char what[160];
    snprintf(what, sizeof(what), fmt, arg);
    return loy_err_set(err, LOY_EINVALID, "", "line %d, column %d: %s", line, col, what);
}

/* The next tag at or after p: 1 found (*t set), 0 none, < 0 a malformed tag. */
static int next_tag(const char *text, const char *p, tag *t, loy_err *err)
{
    const char *o = strstr(p, "{{");
    if (!o) return 0;
    const char *q = o + 2;
    if (*q == '{')
        return fail_at(text, o, err, "%s",
                       "\"{{{\" is not supported (values are escaped in the HTML part only)");
    t->sigil = 0;
    if (*q == '#' || *q == '^' || *q == '/') t->sigil = *q++;
    while (*q == ' ') q++;
    size_t n = 0;
    while ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_') {
        if (n == LOY_TMPL_NAME_MAX)
            return fail_at(text, o, err, "%s", "a name longer than 40 characters");
        t->name[n++] = *q++;
    }
    t->name[n] = '\0';
    while (*q == ' ') q++;
    if (n == 0)
        return fail_at(text, o, err, "%s",
                       "expected a name of a-z, 0-9 and \"_\" after \"{{\" (like {{first_name}})");
    if (q[0] != '}' || q[1] != '}')
        return fail_at(text, o, err, "expected \"}}\" to close {{%s", t->name);
    t->start = o;
    t->end = q + 2;
    return 1;
}

static bool in(const char *const *list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(list[i], s)) return true;
    return false;
}

/* The walk: checks, and writes to `out` when it is not NULL. */
static int walk(const char *text, const char *const *known, loy_tmpl_get get, void *ctx, bool html,
                FILE *out, loy_err *err)
{
    struct {
        const char *name, *at;
        char buf[LOY_TMPL_NAME_MAX + 1];
        bool keep;
    } stack[LOY_TMPL_DEPTH_MAX];
    int depth = 0;
    bool keep = true;
    const char *p = text;
    for (;;) {
        tag t;
        int rc = next_tag(text, p, &t, err);
        if (rc < 0) return rc;
        const char *stop = rc ? t.start : p + strlen(p), *resume = rc ? t.end : NULL;
        if (rc && t.sigil) { /* a section tag alone on its line takes the line */
            const char *a = t.start, *b = t.end;
            while (a > p && (a[-1] == ' ' || a[-1] == '\t')) a--;
            while (*b == ' ' || *b == '\t') b++;
            if (*b == '\r' && b[1] == '\n') b++;
            if ((a == text || a[-1] == '\n') && (*b == '\n' || *b == '\0')) {
                stop = a;
                resume = *b ? b + 1 : b;
            }
        }
        if (out && keep) fwrite(p, 1, (size_t)(stop - p), out);
        if (!rc) break;
        p = resume;
        if (known && t.sigil != '/' && !in(known, t.name))
            return fail_at(text, t.start, err,
                           "unknown variable \"%s\" (docs/messages.md lists them)", t.name);
        const char *v = get && t.sigil != '/' ? get(ctx, t.name, t.sigil != 0) : NULL;
        bool set = v && *v;
        if (t.sigil == 0) {
            if (out && keep && set) {
                if (html)
                    loy_html_escape(out, v);
                else
                    fputs(v, out);
            }
        } else if (t.sigil == '/') {
            if (depth == 0 || strcmp(stack[depth - 1].name, t.name))
                return fail_at(text, t.start, err, "{{/%s}} closes no open section", t.name);
            keep = stack[--depth].keep;
        } else {
            if (depth == LOY_TMPL_DEPTH_MAX)
                return fail_at(text, t.start, err, "%s", "sections nested deeper than 8");
            snprintf(stack[depth].buf, sizeof(stack[depth].buf), "%s", t.name);
            stack[depth].name = stack[depth].buf;
            stack[depth].at = t.start;
            stack[depth].keep = keep;
            depth++;
            keep = keep && (t.sigil == '#' ? set : !set);
        }
    }
    if (depth > 0)
        return fail_at(text, stack[depth - 1].at, err, "section {{%s}} is never closed",
                       stack[depth - 1].name);
    return 0;
}

int loy_tmpl_check(const char *text, const char *const *known, loy_err *err)
{
    static const char *const none[] = {NULL};
    return walk(text ? text : "", known ? known : none, NULL, NULL, false, NULL, err);
}

int loy_tmpl_render(const char *text, loy_tmpl_get get, void *ctx, bool html, char **out,
                    loy_err *err)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    int rc = walk(text ? text : "", NULL, get, ctx, html, f, err);
    if (fclose(f) != 0 && !rc) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}
