/* MIME messages: header encoding (RFC 2047), quoted-printable and base64 bodies, the multipart
 * message with its unsubscribe headers (see mime.h). */
#include "engage/mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/programme_messages.h"
#include "util/rand.h"
#include "util/time.h"

#define WORD_BYTES 39 /* UTF-8 bytes per encoded word: 52 base64 characters, 64 in all */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_chunk(FILE *f, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        fputc(b64[(v >> 18) & 63], f);
        fputc(b64[(v >> 12) & 63], f);
        fputc(i + 1 < n ? b64[(v >> 6) & 63] : '=', f);
        fputc(i + 2 < n ? b64[v & 63] : '=', f);
    }
}

char *loy_mime_base64(const char *data, size_t len)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f) return NULL;
    for (size_t i = 0; i < len; i += 57) { /* 57 bytes -> 76 characters */
        b64_chunk(f, (const unsigned char *)data + i, len - i < 57 ? len - i : 57);
        fputs("\r\n", f);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* text with every line end as CRLF */
static char *crlf(const char *text, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) return NULL;
    for (const char *p = text; *p; p++) {
        if (*p == '\r' && p[1] == '\n') continue;
        if (*p == '\n')
            fputs("\r\n", f);
        else
            fputc(*p, f);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *loy_mime_qp(const char *text)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f) return NULL;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        size_t end = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
        int col = 0;
        for (size_t i = 0; i < end; i++) {
            unsigned char c = (unsigned char)p[i];
            bool last = i + 1 == end;
            bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            int k = literal ? 1 : 3;
            /* a soft break keeps every line at 76 characters with its "=" */
            if (col + k > (last ? 76 : 75)) {
                fputs("=\r\n", f);
                col = 0;
            }
            /* a line starting with "." or "From " is left alone by no mail system */
            if (literal && col == 0 && (c == '.' || (c == 'F' && !strncmp(p + i, "From ", 5)))) {
                literal = false;
                k = 3;
            }
            if (literal)
                fputc(c, f);
            else
                fprintf(f, "=%02X", c);
            col += k;
        }
        p += n;
        if (*p == '\n') {
            p++;
            fputs("\r\n", f);
        } else if (end > 0)
            fputs("\r\n", f); /* the last line without a line end gets one */
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) return false;
    return true;
}

static char *encoded_words(const char *text)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f) return NULL;
    size_t len = strlen(text);
    for (size_t i = 0; i < len || i == 0;) {
        size_t n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
        /* never split a character: back off continuation bytes */
        while (n > 0 && i + n < len && ((unsigned char)text[i + n] & 0xC0) == 0x80) n--;
        if (n == 0 && len > 0) n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
        if (i > 0) fputs("\r\n ", f);
        fputs("=?UTF-8?B?", f);
        b64_chunk(f, (const unsigned char *)text + i, n);
        fputs("?=", f);
        i += n;
        if (len == 0) break;
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *loy_mime_header_text(const char *text, size_t used)
{
    if (!text) text = "";
    if (plain_ascii(text) && !strstr(text, "=?") && used + strlen(text) <= 78) return strdup(text);
    return encoded_words(text);
}

char *loy_mime_display_name(const char *name, size_t used)
{
    if (!name || !*name) return strdup("");
    bool atoms = !strstr(name, "=?") && name[0] != ' ' && name[strlen(name) - 1] != ' ';
    for (const char *p = name; *p && atoms; p++) {
        char c = *p;
        atoms = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                (c && strchr(" !#$%&'*+-/=?^_`{|}~", c));
    }
    if (atoms && used + strlen(name) <= 78) return strdup(name);
    return encoded_words(name);
}

void loy_mime_date(char *out, size_t outsz, int64_t utc)
{
    static const char *const wd[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = loy_day_of(utc), secs = utc - days * LOY_DAY;
    int y, m, d;
    loy_civil_from_days(days, &y, &m, &d);
    snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[loy_weekday(days)], d,
             mon[m - 1], y, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* A part: quoted-printable when at most a third of its bytes are outside ASCII, else base64. */
static int write_part(FILE *f, const char *boundary, const char *type, const char *body)
{
    size_t n = strlen(body), high = 0;
    for (size_t i = 0; i < n; i++) high += (unsigned char)body[i] >= 0x80;
    bool qp = high * 3 <= n;
    char *enc = NULL;
    if (qp)
        enc = loy_mime_qp(body);
    else {
        size_t clen = 0;
        char *c = crlf(body, &clen);
        enc = c ? loy_mime_base64(c, clen) : NULL;
        free(c);
    }
    if (!enc) return LOY_ENOMEM;
    fprintf(f,
            "--%s\r\nContent-Type: %s; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: %s\r\n\r\n"
            "%s\r\n",
            boundary, type, qp ? "quoted-printable" : "base64", enc);
    free(enc);
    return 0;
}

/* A header value that must be one line of printable ASCII without angle brackets. */
static bool header_safe(const char *s)
{
    if (!s || !*s) return false;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '<' || *s == '>')
            return false;
    return true;
}

static int address(FILE *f, const char *header, const char *name, const char *addr,
                   const char *field, loy_err *err)
{
    char n[LOY_MSG_NAME_MAX], a[LOY_MSG_ADDR_MAX];
    if (!addr || !loy_msg_address_parse(addr, n, a) || n[0])
        return loy_err_set(err, LOY_EINVALID, field, "%s: not an address a mail can carry: \"%s\"",
                           field, addr ? addr : "");
    char *dn = loy_mime_display_name(name, strlen(header) + 2);
    if (!dn) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (*dn)
        fprintf(f, "%s: %s%s<%s>\r\n", header, dn, strchr(dn, '\n') ? "\r\n " : " ", a);
    else
        fprintf(f, "%s: <%s>\r\n", header, a);
    free(dn);
    return 0;
}

int loy_mime_build(const loy_mime_msg *m, char **out, size_t *len, loy_err *err)
{
    *out = NULL;
    *len = 0;
    if (!m->message_id || !header_safe(m->message_id) || !strchr(m->message_id, '@'))
        return loy_err_set(err, LOY_EINVALID, "message_id",
                           "message_id: expected \"local@domain\" without spaces or <>");
    if (m->unsubscribe_url && !header_safe(m->unsubscribe_url))
        return loy_err_set(err, LOY_EINVALID, "unsubscribe_url",
                           "unsubscribe_url: expected a URL without spaces or <>");
    char hex[65], boundary[48], date[40];
    loy_sha256_hex(m->message_id, strlen(m->message_id), hex);
    snprintf(boundary, sizeof(boundary), "=_loyalty_%.24s", hex);
    loy_mime_date(date, sizeof(date), m->date);
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    fprintf(f, "Date: %s\r\n", date);
    int rc = address(f, "From", m->from_name, m->from_addr, "from", err);
    if (!rc) rc = address(f, "To", m->to_name, m->to_addr, "to", err);
    char *subject = rc ? NULL : loy_mime_header_text(m->subject, strlen("Subject: "));
    if (!rc && !subject) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (!rc) {
        fprintf(f, "Subject: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", subject,
                m->message_id);
        fprintf(f, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n", boundary);
        if (m->lang && header_safe(m->lang)) fprintf(f, "Content-Language: %s\r\n", m->lang);
        if (m->unsubscribe_url)
            fprintf(
                f,
                "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                m->unsubscribe_url);
        fputs("\r\nThis is a multi-part message in MIME format.\r\n\r\n", f);
        if (write_part(f, boundary, "text/plain", m->text ? m->text : "") ||
            write_part(f, boundary, "text/html", m->html ? m->html : ""))
            rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
        fprintf(f, "--%s--\r\n", boundary);
    }
    free(subject);
    if (fclose(f) != 0 && !rc) rc = loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = blen;
    return 0;
}
