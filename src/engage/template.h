/* Message rendering (docs/messages.md): the default templates of every trigger in every
 * language (data/templates/LANG.tmpl, embedded at build time), the owner's templates of the
 * programme's "messages" section over them, the language a member is written to in, numbers and
 * dates as people of that language write them, and the rendering of a message's subject, text
 * and HTML with the offer block and the footer (postal address, unsubscribe link) every message
 * gets. Pure: the caller gives the variables. */
#ifndef LOY_ENGAGE_TEMPLATE_H
#define LOY_ENGAGE_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/programme_messages.h"
#include "util/err.h"

/* The languages that have default templates, NULL-terminated: en, ms, hu, bn. */
extern const char *const loy_template_langs[];

/* The default template `id` (a trigger, "offer" or "footer") in `lang`, exactly: malloc'ed copies
 * in *out (subject NULL for offer and footer; free with loy_template_text_free). false when there
 * is none. */
bool loy_template_default(const char *id, const char *lang, loy_msg_text *out);
void loy_template_text_free(loy_msg_text *t);

/* Whether `id` names a template: a trigger (every trigger has defaults) or one of the
 * programme's own. */
bool loy_template_exists(const loy_msg_settings *s, const char *id);

/* The language a message from template `id` to a member speaking `want` is written in: `want`
 * when the template exists in it (the owner's or a default), else `merchant_lang`, else "en",
 * else the owner's template's first language. */
void loy_template_lang(const loy_msg_settings *s, const char *id, const char *want,
                       const char *merchant_lang, char out[8]);

/* A whole number as `lang` writes it: "1,850" (en, ms), "1 850" (hu), "১,৮৫০" (bn, Indian
 * grouping: "১২,৩৪,৫৬৭"). */
void loy_template_number(char *out, size_t outsz, int64_t v, const char *lang);
/* A calendar day (days since 1970-01-01) as `lang` writes it: "23 November 2026" (en),
 * "23 November 2026" (ms), "2026. november 23." (hu), "২৩ নভেম্বর, ২০২৬" (bn). */
void loy_template_date(char *out, size_t outsz, int64_t days, const char *lang);

typedef struct {
    char lang[8];
    char *subject; /* one line */
    char *text;    /* body, offer block, footer; LF line ends */
    char *html;    /* a whole UTF-8 HTML document; LF line ends */
} loy_rendered;
void loy_rendered_free(loy_rendered *r);

/* Renders template `id` in `lang` (as chosen by loy_template_lang) with `vars`: an object whose
 * string values are shown as they are (a section is kept when non-empty) and whose integers are
 * shown with loy_template_number (a section is kept when not 0); anything else counts as absent.
 * Values are HTML-escaped in the HTML part only. When vars has "offer" and the template does not
 * mention {{offer_code}}, the default offer block is added after the body; the footer always
 * ends both parts. LOY_ENOTFOUND (field "template") when the template does not exist,
 * LOY_EINVALID when it does not parse. */
int loy_template_render(const loy_msg_settings *s, const char *id, const char *lang,
                        const json_t *vars, loy_rendered *out, loy_err *err);

#endif
