/* The "messages" section of a programme file (docs/programme.md, docs/messages.md): the sender's
 * name and address, the merchant's postal address for the footer, the frequency cap, quiet
 * hours and the owner's templates per trigger and language, with the names of the triggers and
 * of the template variables. Pure: no I/O. */
#ifndef LOY_CORE_PROGRAMME_MESSAGES_H
#define LOY_CORE_PROGRAMME_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/jv.h"

#define LOY_MSG_ID_MAX   48  /* template ids: [a-z0-9_-], 1..47 characters */
#define LOY_MSG_ADDR_MAX 256 /* an email address and its NUL */
#define LOY_MSG_NAME_MAX 128 /* a display name and its NUL */
#define LOY_MSG_PART_MAX 32768

/* The triggers a message may name (app/messages.h), NULL-terminated; each has a default
 * template in every language (data/templates/). */
extern const char *const loy_msg_triggers[];
bool loy_msg_trigger_known(const char *trigger);

/* The variables a template may use, NULL-terminated (docs/messages.md describes each). */
extern const char *const loy_msg_vars[];

/* One language of a template. html NULL: made from the text (escaped, paragraphs). */
typedef struct {
    char lang[8];
    char *subject, *text, *html;
} loy_msg_text;

typedef struct {
    char id[LOY_MSG_ID_MAX]; /* a trigger ("welcome") overrides its default; other ids are the
                                owner's own templates (campaigns) */
    loy_msg_text *langs;
    size_t nlangs;
} loy_msg_template;

typedef struct {
    char from_name[LOY_MSG_NAME_MAX]; /* "" = the merchant's name */
    char from_addr[LOY_MSG_ADDR_MAX]; /* "" = the server's mail_from */
    char *postal_address;             /* NULL = none given */
    int64_t cap_messages, cap_days;   /* at most cap_messages marketing messages per cap_days;
                                         cap_messages 0 = no cap; default 2 per 7 */
    int quiet_from, quiet_to;         /* minutes of the member's local day, [from, to), may wrap
                                         midnight; -1 = no quiet hours; default 21:00 to 09:00 */
    loy_msg_template *templates;
    size_t ntemplates;
} loy_msg_settings;

/* The defaults (no section in the file). */
void loy_msg_settings_init(loy_msg_settings *s);
void loy_msg_settings_free(loy_msg_settings *s);

/* Parses the section at JSON path `path` (the view `v` is a util/jv value) into s (initialised
 * with the defaults first). LOY_EINVALID with the JSON path of the offending value as the field
 * and "PATH: expected ..., got ..." as the message, as the rest of the programme file. */
int loy_msg_settings_parse(loy_msg_settings *s, const char *path, const loy_jv *v, loy_err *err);

/* The template `id` (NULL when the programme has none), and its text in `lang` (exactly that
 * language; NULL when it has none). Borrowed. */
const loy_msg_template *loy_msg_template_get(const loy_msg_settings *s, const char *id);
const loy_msg_text *loy_msg_template_lang(const loy_msg_template *t, const char *lang);

/* "Name <local@domain>" or "local@domain": the display name (may be "") and the address, each
 * copied. false for anything else (no "@", spaces or control characters in the address, a
 * domain without a dot, a name with control characters or "<>", over-long parts). */
bool loy_msg_address_parse(const char *text, char name[LOY_MSG_NAME_MAX],
                           char addr[LOY_MSG_ADDR_MAX]);

#endif
