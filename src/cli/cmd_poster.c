/* `loyalty poster LOCATION [--url BASE] [--out FILE]`: a print-ready A4 page for a location's
 * counter or window: the shop's name, a big QR code of BASE/join/{location id} (the customer join
 * page), the address in text, and "Scan to join" in every language of the customer pages (their
 * texts, from the embedded web/i18n files, so the poster says what the pages say). */
#include "cli/cli_int.h"
#include "util/html.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "util/qr.h"

#define DEFAULT_BASE "http://localhost:8080"

const loy_flag loy_poster_flags[] = {
    {"url", "url", F_STR, "the server's public address, as customers' phones reach it"},
    {"out", "out", F_STR, "HTML file to write (default stdout)"},
    {NULL, NULL, F_STR, NULL}};

static const char *const langs[] = {"en", "ms", "hu", "bn", NULL};

/* The text of `key` in `lang` from the embedded web/i18n/{lang}.json (a new reference), or NULL. */
static json_t *i18n_text(const char *lang, const char *key)
{
    char path[32];
    snprintf(path, sizeof(path), "i18n/%s.json", lang);
    const loy_web_asset *a = loy_web_file(path);
    if (!a) return NULL;
    json_t *d = json_loadb((const char *)a->data, a->len, 0, NULL);
    json_t *v = json_object_get(d, key);
    v = json_is_string(v) ? json_incref(v) : NULL;
    json_decref(d);
    return v;
}

/* Writes the text of `key` in every language, one element each, marked with its language. */
static int all_langs(FILE *f, const char *tag, const char *cls, const char *key, loy_err *err)
{
    for (const char *const *l = langs; *l; l++) {
        json_t *v = i18n_text(*l, key);
        if (!v)
            return loy_err_set(err, LOY_ESTORAGE, key, "%s: no text in web/i18n/%s.json", key, *l);
        fprintf(f, "<%s class=\"%s\" lang=\"%s\">", tag, cls, *l);
        loy_html_escape(f, json_string_value(v));
        fprintf(f, "</%s>\n", tag);
        json_decref(v);
    }
    return 0;
}

/* The base address: http(s)://host[:port][/path], no spaces, quotes or fragments; without its
 * trailing slashes in `out`. */
static int base_url(const char *s, char *out, size_t n, loy_err *err)
{
    size_t len = strlen(s);
    bool scheme = !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
    const char *host = scheme ? strstr(s, "//") + 2 : s;
    bool ok = scheme && len < n && len < 200 && *host && *host != '/';
    for (const char *p = s; ok && *p; p++)
        ok = isgraph((unsigned char)*p) && !strchr("\"'<>`\\#?", *p);
    if (!ok)
        return loy_err_set(err, LOY_EINVALID, "url",
                           "url: expected the server's address like \"https://shop.example\" "
                           "(http or https, no spaces, query or fragment), got \"%s\"",
                           s);
    while (len > (size_t)(host - s) && s[len - 1] == '/') len--;
    snprintf(out, n, "%.*s", (int)len, s);
    return 0;
}

/* The merchant's location named by `ref` (its id or its code, any case). */
static int find_location(loy_app *app, const char *ref, int64_t *id, size_t *index, loy_err *err)
{
    char *end;
    long long want = strtoll(ref, &end, 10);
    bool numeric = *ref && !*end;
    json_t *locs = NULL;
    int rc = loy_app_locations(app, &locs, err);
    if (rc) return rc;
    char codes[512] = "";
    size_t i;
    const json_t *l;
    json_array_foreach(json_object_get(locs, "locations"), i, l)
    {
        const char *code = json_string_value(json_object_get(l, "code"));
        int64_t lid = (int64_t)json_integer_value(json_object_get(l, "id"));
        if (numeric ? lid == want : !strcasecmp(code, ref)) {
            *id = lid;
            *index = i; /* programme order */
            json_decref(locs);
            return 0;
        }
        size_t used = strlen(codes);
        snprintf(codes + used, sizeof(codes) - used, "%s%s (%lld)", i ? ", " : "", code,
                 (long long)lid);
    }
    json_decref(locs);
    return loy_err_set(err, LOY_ENOTFOUND, "location",
                       "location: no location \"%s\" at this merchant; expected a code or id: %s",
                       ref, codes[0] ? codes : "(none)");
}

static int render(loy_app *app, size_t index, const char *url, FILE *f, loy_err *err)
{
    char *svg = loy_qr_svg(url, 10, err);
    if (!svg) return err->code;
    const char *shop = app->merchant_row.name, *place = app->prog->locations[index].name;
    fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", f);
    loy_html_escape(f, shop);
    fputs(" · ", f);
    loy_html_escape(f, place);
    fputs("</title>\n<style>\n"
          "@page{size:A4 portrait;margin:0}\n"
          "html,body{margin:0;padding:0}\n"
          "body{font-family:system-ui,\"Noto Sans\",\"Noto Sans Bengali\",\"Lohit Bengali\","
          "sans-serif;color:#1b1f24;-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
          ".page{width:210mm;height:297mm;box-sizing:border-box;padding:18mm 16mm;display:flex;"
          "flex-direction:column;align-items:center;text-align:center;overflow:hidden}\n"
          ".shop{font-size:34pt;font-weight:800;margin:0}\n"
          ".place{font-size:16pt;margin:2mm 0 8mm;color:#4a5360}\n"
          ".qr svg{width:120mm;height:120mm;display:block}\n"
          ".scan{font-size:22pt;font-weight:700;margin:1.5mm 0}\n"
          ".scan:first-of-type{margin-top:8mm}\n"
          ".free{font-size:11pt;margin:.8mm 0;color:#4a5360}\n"
          ".url{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:14pt;"
          "margin:6mm 0;word-break:break-all}\n"
          "</style></head>\n<body><div class=\"page\">\n<h1 class=\"shop\">",
          f);
    loy_html_escape(f, shop);
    fputs("</h1>\n<p class=\"place\">", f);
    loy_html_escape(f, place);
    fputs("</p>\n<div class=\"qr\">", f);
    fputs(svg, f);
    free(svg);
    fputs("</div>\n<p class=\"url\">", f);
    loy_html_escape(f, url);
    fputs("</p>\n", f);
    int rc = all_langs(f, "p", "scan", "customer.poster.scan", err);
    if (!rc) rc = all_langs(f, "p", "free", "customer.poster.free", err);
    fputs("</div></body></html>\n", f);
    return rc;
}

int loy_cmd_poster(loy_cli *cli, loy_app *app, loy_err *err)
{
    if (cli->npos != 1)
        return loy_err_set(err, LOY_EINVALID, "location",
                           "usage: loyalty poster LOCATION [--url BASE] [--out FILE] (LOCATION: "
                           "a location code or id)");
    const char *given = json_string_value(json_object_get(cli->req, "url"));
    const char *to = json_string_value(json_object_get(cli->req, "out"));
    if (to && !*to) return loy_err_set(err, LOY_EINVALID, "out", "out: expected a file name");
    char base[256], url[300];
    int rc = base_url(given ? given : DEFAULT_BASE, base, sizeof(base), err);
    int64_t id = 0;
    size_t index = 0;
    if (!rc) rc = find_location(app, cli->pos[0], &id, &index, err);
    if (rc) return rc;
    snprintf(url, sizeof(url), "%s/join/%lld", base, (long long)id);

    /* the page is made in memory first: a failure writes no file */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    rc = render(app, index, url, m, err);
    fclose(m);
    if (rc) {
        free(buf);
        return rc;
    }
    FILE *f = to ? fopen(to, "w") : stdout;
    if (!f) {
        free(buf);
        return loy_err_set(err, LOY_EINVALID, "out", "out: cannot write %s", to);
    }
    bool ok = fwrite(buf, 1, len, f) == len;
    ok = (to ? fclose(f) : fflush(f)) == 0 && ok;
    free(buf);
    if (!ok)
        return loy_err_set(err, LOY_ESTORAGE, "out", "out: writing %s failed", to ? to : "stdout");
    if (!given)
        fprintf(stderr,
                "loyalty: no --url given: the poster points at %s, which only this computer "
                "opens; give --url with the address customers' phones reach\n",
                url);
    if (to) fprintf(stderr, "loyalty: wrote %s (print it on A4)\n", to);
    return 0;
}
