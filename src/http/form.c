/* HTML form bodies for the routes that take them (LOY_BODY_FORM): application/x-www-form-urlencoded
 * and multipart/form-data, the two encodings of an RFC 8058 one-click unsubscribe, decoded by
 * libmicrohttpd's post processor from the body the server already holds (the server's body
 * limit applies first) into r->form, an object of UTF-8 strings. Text fields only, each once. */
#include "http/http_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FORM_FIELDS    32
#define FORM_NAME_MAX  64
#define FORM_VALUE_MAX 4096

typedef struct {
    json_t *fields;
    char name[FORM_NAME_MAX + 1]; /* the field being read ("" before the first) */
    char value[FORM_VALUE_MAX + 1];
    size_t len;
    bool open;
    loy_err *err;
    int rc;
} form_ctx;

/* Adds the field read so far to the object. */
static int flush(form_ctx *f)
{
    if (!f->open || f->rc) return f->rc;
    f->open = false;
    if (json_object_get(f->fields, f->name))
        return f->rc = loy_err_set(f->err, LOY_EINVALID, f->name, "%s: given twice", f->name);
    if (json_object_size(f->fields) >= FORM_FIELDS)
        return f->rc = loy_err_set(f->err, LOY_EINVALID, f->name, "more than %d form fields",
                                   FORM_FIELDS);
    json_t *v = json_stringn(f->value, f->len);
    if (!v)
        return f->rc = loy_err_set(f->err, LOY_EINVALID, f->name, "%s: not UTF-8 text", f->name);
    json_object_set_new(f->fields, f->name, v);
    return 0;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    form_ctx *f = cls;
    if (!key) key = "";
    if (!f->open || off == 0 || strcmp(key, f->name) != 0) { /* a new field starts */
        if (flush(f)) return MHD_NO;
        json_t *utf8 = json_string(key); /* NULL when not UTF-8 */
        bool bad = !utf8 || !*key || strlen(key) > FORM_NAME_MAX;
        json_decref(utf8);
        if (bad) {
            f->rc = loy_err_set(f->err, LOY_EINVALID, "",
                                "a form field name is empty, longer than %d bytes or not UTF-8",
                                FORM_NAME_MAX);
            return MHD_NO;
        }
        snprintf(f->name, sizeof(f->name), "%s", key);
        f->len = 0;
        f->open = true;
    }
    if (filename) {
        f->rc = loy_err_set(f->err, LOY_EINVALID, key, "%s: files are not accepted", key);
        return MHD_NO;
    }
    if (f->len + size > FORM_VALUE_MAX) {
        f->rc =
            loy_err_set(f->err, LOY_EINVALID, key, "%s: longer than %d bytes", key, FORM_VALUE_MAX);
        return MHD_NO;
    }
    if (size) memcpy(f->value + f->len, data, size);
    f->len += size;
    return MHD_YES;
}

/* True when the media type of `ct` is `type` (parameters after ';' allowed). */
static bool media_type(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && !strncasecmp(ct, type, n) && (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

int loy_http_parse_form(loy_req *r, loy_err *err)
{
    const char *ct = loy_req_header(r, "Content-Type");
    if (!media_type(ct, "application/x-www-form-urlencoded") &&
        !media_type(ct, "multipart/form-data")) {
        r->status = 415;
        return loy_err_set(err, LOY_EINVALID, "content-type",
                           "expected Content-Type: application/x-www-form-urlencoded or "
                           "multipart/form-data, got %s",
                           ct ? ct : "none");
    }
    form_ctx f;
    memset(&f, 0, sizeof(f));
    f.err = err;
    f.fields = json_object();
    if (!f.fields) return loy_err_set(err, LOY_ENOMEM, "", "out of memory");
    struct MHD_PostProcessor *pp =
        MHD_create_post_processor(r->conn, FORM_VALUE_MAX + FORM_NAME_MAX + 256, on_field, &f);
    if (!pp) {
        json_decref(f.fields);
        return loy_err_set(err, LOY_EINVALID, "content-type",
                           "a multipart/form-data body needs a boundary parameter");
    }
    bool ok = !r->body_len || MHD_post_process(pp, r->body, r->body_len) == MHD_YES;
    /* the last urlencoded value may only be delivered here */
    ok = MHD_destroy_post_processor(pp) == MHD_YES && ok;
    if (!f.rc) flush(&f);
    if (!f.rc && !ok) f.rc = loy_err_set(err, LOY_EINVALID, "", "malformed form body");
    if (f.rc) {
        json_decref(f.fields);
        return f.rc;
    }
    r->form = f.fields;
    return 0;
}
