/* Unit tests of engage/mime: what is encoded decodes back (quoted-printable, base64, RFC 2047
 * encoded words, with decoders written here from the RFCs), line limits (76 in bodies, 78 in
 * folded headers, 998 everywhere), CRLF only, and the whole message: headers, both parts, the
 * unsubscribe headers, refusals of what cannot go in a header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engage/mime.h"

/* ---- decoders (RFC 2045 section 6.7 and 6.8, RFC 2047 section 4.1) ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable to text with LF line ends. */
static char *qp_decode(const char *in)
{
    char *out = malloc(strlen(in) + 1), *o = out;
    for (const char *p = in; *p;) {
        if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
            p += 3; /* soft line break */
        } else if (p[0] == '=') {
            int h = hexval(p[1]), l = hexval(p[2]);
            if (h < 0 || l < 0) fail_msg("bad QP escape at \"%.8s\"", p);
            *o++ = (char)(h * 16 + l);
            p += 3;
        } else if (p[0] == '\r' && p[1] == '\n') {
            *o++ = '\n';
            p += 2;
        } else {
            if (*p == '\n' || *p == '\r') fail_msg("bare CR or LF in QP output");
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static int b64val(char c)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *x = c ? strchr(a, c) : NULL;
    return x ? (int)(x - a) : -1;
}

static char *b64_decode(const char *in, size_t n, size_t *len)
{
    char *out = malloc(n + 1);
    size_t k = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\r' || in[i] == '\n' || in[i] == '=') continue;
        int v = b64val(in[i]);
        if (v < 0) fail_msg("bad base64 character %d", in[i]);
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (char)((acc >> bits) & 0xFF);
        }
    }
    out[k] = '\0';
    if (len) *len = k;
    return out;
}

static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
        if (n < 0) return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80) return false;
    }
    return true;
}

/* A header value: encoded words decoded and joined (whitespace between two of them dropped),
 * folding undone. Every encoded word must be at most 75 characters and decode to whole UTF-8
 * characters. */
static char *rfc2047_decode(const char *in)
{
    char *out = calloc(1, strlen(in) * 2 + 1);
    const char *p = in;
    bool last_word = false;
    while (*p) {
        if (!strncmp(p, "=?UTF-8?B?", 10)) {
            const char *end = strstr(p + 10, "?=");
            if (!end) fail_msg("unterminated encoded word");
            if (end + 2 - p > 75) fail_msg("encoded word of %d characters", (int)(end + 2 - p));
            size_t n = 0;
            char *d = b64_decode(p + 10, (size_t)(end - p - 10), &n);
            if (!utf8_valid(d)) fail_msg("an encoded word splits a character");
            strcat(out, d);
            free(d);
            p = end + 2;
            last_word = true;
            continue;
        }
        const char *ws = p;
        while (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t') p++;
        if (p > ws) {
            if (!(last_word && !strncmp(p, "=?", 2))) strcat(out, " ");
            continue;
        }
        strncat(out, p++, 1);
        last_word = false;
    }
    return out;
}

/* ---- tests ---- */

static void check_lines(const char *s, size_t max)
{
    for (const char *p = s; *p;) {
        const char *e = strstr(p, "\r\n");
        if (!e) fail_msg("no CRLF at the end of \"%.40s\"", p);
        if ((size_t)(e - p) > max) fail_msg("a line of %d characters: %.60s", (int)(e - p), p);
        for (const char *q = p; q < e; q++)
            if (*q == '\r' || *q == '\n') fail_msg("bare CR or LF");
        p = e + 2;
    }
}

static void roundtrip_qp(const char *text, const char *want)
{
    char *enc = loy_mime_qp(text);
    assert_non_null(enc);
    check_lines(enc, 76);
    char *dec = qp_decode(enc);
    if (strcmp(dec, want))
        fail_msg("QP of [%s]:\n got  [%s]\n want [%s]\n enc  [%s]", text, dec, want, enc);
    free(enc);
    free(dec);
}

static void test_quoted_printable(void **state)
{
    (void)state;
    roundtrip_qp("Hello, world\n", "Hello, world\n");
    roundtrip_qp("a=b and = signs\r\nCRLF\n", "a=b and = signs\nCRLF\n");
    roundtrip_qp("trailing spaces   \nand tab\t\n", "trailing spaces   \nand tab\t\n");
    roundtrip_qp(".starts with a dot\nFrom here on\n", ".starts with a dot\nFrom here on\n");
    roundtrip_qp("Zoltán Kovács, Szeged — €5\n", "Zoltán Kovács, Szeged — €5\n");
    roundtrip_qp("no line end", "no line end\n");
    char longline[800];
    for (size_t i = 0; i < sizeof(longline) - 1; i++) longline[i] = "ab=c dé"[i % 8];
    longline[sizeof(longline) - 1] = '\0';
    char want[820];
    snprintf(want, sizeof(want), "%s\n", longline);
    roundtrip_qp(longline, want);
    char *enc = loy_mime_qp("x =\n.y\nFrom me\n");
    assert_non_null(strstr(enc, "x =3D\r\n"));
    assert_non_null(strstr(enc, "\r\n=2Ey\r\n"));
    assert_non_null(strstr(enc, "\r\n=46rom me\r\n"));
    free(enc);
    enc = loy_mime_qp("end space \n");
    assert_string_equal(enc, "end space=20\r\n");
    free(enc);
}

static void test_base64(void **state)
{
    (void)state;
    const char *texts[] = {
        "",       "f",
        "fo",     "foo",
        "foob",   "fooba",
        "foobar", "সুমন রায়, কাউন্টারে আপনার কার্ড দেখান। সুমন রায়, কাউন্টারে আপনার কার্ড দেখান।"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char *enc = loy_mime_base64(texts[i], strlen(texts[i]));
        assert_non_null(enc);
        check_lines(enc, 76);
        size_t n = 0;
        char *dec = b64_decode(enc, strlen(enc), &n);
        assert_int_equal(n, strlen(texts[i]));
        assert_memory_equal(dec, texts[i], n);
        free(enc);
        free(dec);
    }
    char *enc = loy_mime_base64("foobar", 6);
    assert_string_equal(enc, "Zm9vYmFy\r\n");
    free(enc);
}

static void expect_header(const char *text, size_t used, bool plain)
{
    char *h = loy_mime_header_text(text, used);
    assert_non_null(h);
    if (plain && strcmp(h, text)) fail_msg("[%s] should stay as it is, got [%s]", text, h);
    if (!plain && strncmp(h, "=?UTF-8?B?", 10))
        fail_msg("[%s] should be encoded, got [%s]", text, h);
    /* folded lines: the first with the header name, each at most 78 */
    size_t first = used;
    for (const char *p = h; *p;) {
        const char *e = strstr(p, "\r\n");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (first + n > 78) fail_msg("header line of %zu columns: [%s]", first + n, h);
        first = 0;
        if (!e) break;
        if (e[2] != ' ') fail_msg("a folded line must start with a space: [%s]", h);
        p = e + 2;
    }
    char *d = rfc2047_decode(h);
    if (strcmp(d, text)) fail_msg("[%s] decodes to [%s] via [%s]", text, d, h);
    free(d);
    free(h);
}

static void test_rfc2047(void **state)
{
    (void)state;
    expect_header("Welcome to Kopi Kita, Siti!", 9, true);
    expect_header("Kopi Kita-এ আপনাকে স্বাগতম, সুমন!", 9, false);
    expect_header("Üdvözöljük a(z) Kopi Kita törzsvásárlói között, Zoltán!", 9, false);
    expect_header("a long plain ASCII subject that does not fit on one header line of seventy "
                  "eight columns at all",
                  9, false);
    expect_header("looks =?like?= an encoded word", 9, false);
    expect_header("", 9, true);
    /* display names: atoms stay, anything else is encoded */
    char *n = loy_mime_display_name("Kopi Kita", 6);
    assert_string_equal(n, "Kopi Kita");
    free(n);
    n = loy_mime_display_name("<b>Tom & \"Jerry\"</b>", 4);
    assert_string_equal(n, "=?UTF-8?B?PGI+VG9tICYgIkplcnJ5IjwvYj4=?=");
    char *d = rfc2047_decode(n);
    assert_string_equal(d, "<b>Tom & \"Jerry\"</b>");
    free(d);
    free(n);
    n = loy_mime_display_name("O'Brien, Pat", 4); /* a comma is no atom */
    assert_int_equal(strncmp(n, "=?UTF-8?B?", 10), 0);
    free(n);
}

static void test_date(void **state)
{
    (void)state;
    char b[40];
    loy_mime_date(b, sizeof(b), 1795143600); /* 2026-11-20T03:00:00Z */
    assert_string_equal(b, "Fri, 20 Nov 2026 03:00:00 +0000");
    loy_mime_date(b, sizeof(b), 0);
    assert_string_equal(b, "Thu, 01 Jan 1970 00:00:00 +0000");
}

static loy_mime_msg sample(void)
{
    loy_mime_msg m = {.from_name = "Kopi Kita",
                      .from_addr = "hello@kopikita.example",
                      .to_name = "সুমন রায়",
                      .to_addr = "sumon@example.org",
                      .subject = "Kopi Kita-এ আপনাকে স্বাগতম, সুমন!",
                      .text = "প্রিয় সুমন,\n\nধন্যবাদ।\n--\n12 Jalan Telawi\n",
                      .html = "<!DOCTYPE html>\n<html lang=\"bn\"><body><p>প্রিয় সুমন,</p></body>"
                              "</html>\n",
                      .lang = "bn",
                      .message_id = "loyalty.7.ABC@kopikita.example",
                      .date = 1795143600,
                      .unsubscribe_url = "https://kopi.example/u/TOKEN"};
    return m;
}

static const char *header(const char *msg, const char *name, char *out, size_t n)
{
    char key[64];
    snprintf(key, sizeof(key), "\r\n%s: ", name);
    const char *head_end = strstr(msg, "\r\n\r\n");
    const char *p = strstr(msg, key);
    if (!p || p > head_end) return NULL;
    p += strlen(key);
    const char *e = p;
    while (!(e[0] == '\r' && e[1] == '\n' && e[2] != ' ')) e++; /* unfold */
    snprintf(out, n, "%.*s", (int)(e - p), p);
    return out;
}

static void test_message(void **state)
{
    (void)state;
    loy_mime_msg m = sample();
    char *msg = NULL;
    size_t len = 0;
    loy_err err;
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), 0);
    assert_int_equal(strlen(msg), len);
    check_lines(msg, 998);
    assert_int_equal(strncmp(msg, "Date: Fri, 20 Nov 2026 03:00:00 +0000\r\n", 39), 0);
    char v[512];
    assert_non_null(header(msg, "From", v, sizeof(v)));
    assert_string_equal(v, "Kopi Kita <hello@kopikita.example>");
    assert_non_null(header(msg, "To", v, sizeof(v)));
    char *d = rfc2047_decode(v);
    assert_string_equal(d, "সুমন রায় <sumon@example.org>");
    free(d);
    assert_non_null(header(msg, "Subject", v, sizeof(v)));
    d = rfc2047_decode(v);
    assert_string_equal(d, m.subject);
    free(d);
    assert_non_null(header(msg, "Message-ID", v, sizeof(v)));
    assert_string_equal(v, "<loyalty.7.ABC@kopikita.example>");
    assert_non_null(header(msg, "MIME-Version", v, sizeof(v)));
    assert_non_null(header(msg, "Content-Language", v, sizeof(v)));
    assert_string_equal(v, "bn");
    assert_non_null(header(msg, "List-Unsubscribe", v, sizeof(v)));
    assert_string_equal(v, "<https://kopi.example/u/TOKEN>");
    assert_non_null(header(msg, "List-Unsubscribe-Post", v, sizeof(v)));
    assert_string_equal(v, "List-Unsubscribe=One-Click");
    assert_non_null(header(msg, "Content-Type", v, sizeof(v)));
    const char *b = strstr(v, "boundary=\"");
    assert_non_null(b);
    char boundary[64];
    snprintf(boundary, sizeof(boundary), "%.*s", (int)strcspn(b + 10, "\""), b + 10);
    assert_int_equal(strncmp(boundary, "=_loyalty_", 10), 0);
    /* two parts, each decoding to its body (CRLF line ends), then the closing delimiter */
    char delim[80];
    snprintf(delim, sizeof(delim), "\r\n--%s\r\n", boundary);
    const char *p1 = strstr(msg, delim), *p2 = p1 ? strstr(p1 + 1, delim) : NULL;
    assert_non_null(p1);
    assert_non_null(p2);
    snprintf(delim, sizeof(delim), "\r\n--%s--\r\n", boundary);
    const char *end = strstr(msg, delim);
    assert_non_null(end);
    const char *bodies[2][2] = {{p1, p2}, {p2, end}};
    const char *types[2] = {"text/plain", "text/html"};
    const char *want[2] = {m.text, m.html};
    for (int i = 0; i < 2; i++) {
        const char *part = bodies[i][0], *stop = bodies[i][1];
        char *chunk = strndup(part, (size_t)(stop - part));
        char ct[80];
        snprintf(ct, sizeof(ct), "Content-Type: %s; charset=\"UTF-8\"", types[i]);
        assert_non_null(strstr(chunk, ct));
        /* the Bengali text goes base64, the mostly ASCII HTML quoted-printable */
        bool b64 = strstr(chunk, "Content-Transfer-Encoding: base64") != NULL;
        assert_true(b64 == (i == 0));
        assert_true(b64 || strstr(chunk, "Content-Transfer-Encoding: quoted-printable"));
        const char *body = strstr(chunk, "\r\n\r\n") + 4;
        size_t n = 0;
        char *dec = NULL;
        if (b64)
            dec = b64_decode(body, strlen(body), &n);
        else {
            char *q = qp_decode(body); /* the CRLF before the delimiter is the delimiter's */
            n = strlen(q);
            dec = malloc(2 * n + 1); /* back to CRLF for the check below */
            size_t k = 0;
            for (size_t j = 0; j < n; j++) {
                if (q[j] == '\n') dec[k++] = '\r';
                dec[k++] = q[j];
            }
            dec[k] = '\0';
            n = k;
            free(q);
        }
        /* the decoded body has CRLF line ends */
        char *lf = malloc(n + 1);
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (!(dec[j] == '\r' && dec[j + 1] == '\n')) lf[k++] = dec[j];
        lf[k] = '\0';
        assert_string_equal(lf, want[i]);
        assert_null(strstr(dec, "=_loyalty_"));
        free(lf);
        free(dec);
        free(chunk);
    }
    free(msg);
    /* a mostly English message goes quoted-printable */
    m.to_name = "Siti Aminah";
    m.subject = "Selamat datang, Siti!";
    m.text = "Hai Siti,\nTerima kasih.\n";
    m.html = "<p>Hai Siti,</p>\n";
    m.unsubscribe_url = NULL;
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), 0);
    assert_non_null(strstr(msg, "\r\nTo: Siti Aminah <sumon@example.org>\r\n"));
    assert_non_null(strstr(msg, "\r\nSubject: Selamat datang, Siti!\r\n"));
    assert_non_null(strstr(msg, "Content-Transfer-Encoding: quoted-printable"));
    assert_null(strstr(msg, "List-Unsubscribe"));
    free(msg);
}

static void test_refusals(void **state)
{
    (void)state;
    loy_err err;
    char *msg = NULL;
    size_t len = 0;
    loy_mime_msg m = sample();
    m.to_addr = "victim@example.org\r\nBcc: all@example.org";
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), LOY_EINVALID);
    assert_string_equal(err.field, "to");
    assert_null(msg);
    m = sample();
    m.from_addr = "not an address";
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), LOY_EINVALID);
    assert_string_equal(err.field, "from");
    m = sample();
    m.unsubscribe_url = "https://x.example/u/T>\r\nBcc: x@y.example";
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), LOY_EINVALID);
    assert_string_equal(err.field, "unsubscribe_url");
    m = sample();
    m.message_id = "no-at-sign";
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), LOY_EINVALID);
    assert_string_equal(err.field, "message_id");
    /* a subject with a line break cannot inject a header: it travels encoded */
    m = sample();
    m.subject = "Hi\r\nBcc: all@example.org";
    assert_int_equal(loy_mime_build(&m, &msg, &len, &err), 0);
    assert_null(strstr(msg, "\r\nBcc:"));
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted_printable), cmocka_unit_test(test_base64),
        cmocka_unit_test(test_rfc2047),          cmocka_unit_test(test_date),
        cmocka_unit_test(test_message),          cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
