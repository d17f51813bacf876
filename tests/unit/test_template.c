/* Unit tests of message templates: the template language (util/tmpl: substitution, HTML escaping
 * in the HTML part only, sections, errors with line and column), the default templates of every
 * trigger in every language (they exist and use only known variables), rendering with the offer
 * block and the footer, the language chosen, localised numbers and dates, and the programme's
 * "messages" section with its JSON-path errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/programme.h"
#include "engage/template.h"
#include "util/time.h"
#include "util/tmpl.h"

/* ---- util/tmpl ---- */

static const char *lookup(void *ctx, const char *name, bool section)
{
    const char *const *kv = ctx;
    for (size_t i = 0; kv[i]; i += 2)
        if (!strcmp(kv[i], name)) return section && !strcmp(kv[i + 1], "0") ? "" : kv[i + 1];
    return NULL;
}

static void expect_render(const char *tmpl, bool html, const char *want)
{
    static const char *const vars[] = {
        "name", "<b>Tom & \"Jerry\"</b>", "shop", "Kopi Kita", "zero", "0", "empty", "", NULL};
    char *out = NULL;
    loy_err err;
    if (loy_tmpl_render(tmpl, lookup, (void *)vars, html, &out, &err))
        fail_msg("render of \"%s\" failed: %s", tmpl, err.message);
    if (strcmp(out, want)) fail_msg("render of \"%s\":\n got  [%s]\n want [%s]", tmpl, out, want);
    free(out);
}

static void test_substitution_and_escaping(void **state)
{
    (void)state;
    expect_render("Hi {{name}}!", false, "Hi <b>Tom & \"Jerry\"</b>!");
    expect_render("Hi {{name}}!", true, "Hi &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;!");
    expect_render("<p>{{ shop }}</p>", true, "<p>Kopi Kita</p>"); /* template text is kept */
    expect_render("[{{missing}}]", false, "[]");
    expect_render("no tags at all", false, "no tags at all");
    expect_render("", false, "");
}

static void test_sections(void **state)
{
    (void)state;
    expect_render("a{{#shop}}b{{/shop}}c", false, "abc");
    expect_render("a{{#empty}}b{{/empty}}c", false, "ac");
    expect_render("a{{^empty}}b{{/empty}}c", false, "abc");
    expect_render("a{{^shop}}b{{/shop}}c", false, "ac");
    expect_render("{{#missing}}x{{/missing}}{{^missing}}y{{/missing}}", false, "y");
    /* a value that decides a section may say "nothing" ("0 points") and still show as 0 */
    expect_render("{{#zero}}shown{{/zero}}[{{zero}}]", false, "[0]");
    expect_render("{{#shop}}1{{#empty}}2{{/empty}}3{{#name}}4{{/name}}{{/shop}}", false, "134");
    /* section tags alone on their line take the line */
    expect_render("one\n{{#empty}}\ntwo\n{{/empty}}\nthree\n", false, "one\nthree\n");
    expect_render("one\n  {{#shop}}  \ntwo\n{{/shop}}\nthree", false, "one\ntwo\nthree");
    expect_render("one {{#shop}}two{{/shop}}\n", false, "one two\n");
}

static void expect_check_error(const char *tmpl, const char *want)
{
    static const char *const known[] = {"name", "shop", NULL};
    loy_err err;
    loy_err_clear(&err);
    int rc = loy_tmpl_check(tmpl, known, &err);
    if (rc != LOY_EINVALID) fail_msg("\"%s\" was accepted", tmpl);
    if (!strstr(err.message, want))
        fail_msg("\"%s\": message [%s] lacks [%s]", tmpl, err.message, want);
}

static void test_check(void **state)
{
    (void)state;
    static const char *const known[] = {"name", "shop", NULL};
    loy_err err;
    assert_int_equal(loy_tmpl_check("Hi {{name}} {{#shop}}at {{shop}}{{/shop}}", known, &err), 0);
    expect_check_error("Hi {{frist_name}}", "line 1, column 4: unknown variable \"frist_name\"");
    expect_check_error("a\nbc {{#shop}}", "line 2, column 4: section {{shop}} is never closed");
    expect_check_error("{{#shop}}{{/name}}", "{{/name}} closes no open section");
    expect_check_error("{{/shop}}", "closes no open section");
    expect_check_error("{{{name}}}", "\"{{{\" is not supported");
    expect_check_error("Hi {{name", "expected \"}}\" to close {{name");
    expect_check_error("Hi {{}}", "expected a name");
    expect_check_error("Hi {{Name}}", "expected a name");
    expect_check_error("{{#shop}}{{#shop}}{{#shop}}{{#shop}}{{#shop}}{{#shop}}{{#shop}}{{#shop}}"
                       "{{#shop}}",
                       "nested deeper than 8");
    /* a renderer refuses what does not parse, too */
    static const char *const none[] = {NULL};
    char *out = NULL;
    assert_int_equal(loy_tmpl_render("{{#x}}", lookup, (void *)none, false, &out, &err),
                     LOY_EINVALID);
    assert_null(out);
}

/* ---- default templates ---- */

static void test_defaults_cover_every_trigger_and_language(void **state)
{
    (void)state;
    for (size_t l = 0; loy_template_langs[l]; l++) {
        const char *lang = loy_template_langs[l];
        for (size_t t = 0; loy_msg_triggers[t]; t++) {
            loy_msg_text x;
            if (!loy_template_default(loy_msg_triggers[t], lang, &x))
                fail_msg("no default template %s in %s", loy_msg_triggers[t], lang);
            const char *parts[] = {x.subject, x.text, x.html};
            for (int p = 0; p < 3; p++) {
                loy_err err;
                if (!parts[p] || !*parts[p])
                    fail_msg("%s/%s: part %d is empty", loy_msg_triggers[t], lang, p);
                if (loy_tmpl_check(parts[p], loy_msg_vars, &err))
                    fail_msg("%s/%s part %d: %s", loy_msg_triggers[t], lang, p, err.message);
            }
            assert_null(strchr(x.subject, '\n'));
            loy_template_text_free(&x);
        }
        for (const char *const *id = (const char *const[]){"offer", "footer", NULL}; *id; id++) {
            loy_msg_text x;
            if (!loy_template_default(*id, lang, &x)) fail_msg("no %s in %s", *id, lang);
            assert_null(x.subject);
            assert_non_null(x.text);
            assert_non_null(x.html);
            loy_err err;
            assert_int_equal(loy_tmpl_check(x.text, loy_msg_vars, &err), 0);
            assert_int_equal(loy_tmpl_check(x.html, loy_msg_vars, &err), 0);
            loy_template_text_free(&x);
        }
    }
    loy_msg_text x;
    assert_false(loy_template_default("welcome", "xx", &x));
    assert_false(loy_template_default("nonsense", "en", &x));
    /* the translations differ from English */
    loy_msg_text en, ms, hu, bn;
    assert_true(loy_template_default("welcome", "en", &en));
    assert_true(loy_template_default("welcome", "ms", &ms));
    assert_true(loy_template_default("welcome", "hu", &hu));
    assert_true(loy_template_default("welcome", "bn", &bn));
    assert_string_not_equal(en.text, ms.text);
    assert_non_null(strstr(hu.subject, "Üdvözöljük"));
    assert_non_null(strstr(bn.subject, "স্বাগতম"));
    loy_template_text_free(&en);
    loy_template_text_free(&ms);
    loy_template_text_free(&hu);
    loy_template_text_free(&bn);
}

static loy_programme *programme(const char *messages)
{
    char doc[4096];
    snprintf(doc, sizeof(doc),
             "{\"merchant\": {\"name\": \"Kopi Kita\", \"currency\": \"MYR\", \"timezone\": "
             "\"Asia/Kuala_Lumpur\", \"locale\": \"ms\"}, \"points\": {\"earn\": "
             "[{\"id\": \"base\", \"points_per_unit\": 1}]}%s%s}",
             messages ? ", \"messages\": " : "", messages ? messages : "");
    loy_programme *p = NULL;
    loy_err err;
    if (loy_programme_parse(&p, doc, strlen(doc), &err)) fail_msg("programme: %s", err.message);
    return p;
}

static void test_render_message(void **state)
{
    (void)state;
    loy_programme *p = programme("{\"postal_address\": \"12 Jalan Telawi, Kuala Lumpur\"}");
    json_t *vars = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "first_name", "<b>Tom & \"Jerry\"</b>", "shop",
        "Kopi & Co", "balance", (json_int_t)1850, "card_url", "https://x.example/c/ABC",
        "unsubscribe_url", "https://x.example/u/TOKEN", "postal_address",
        "12 Jalan Telawi, Kuala Lumpur", "offer", "Free coffee", "offer_code", "K7QM-2XHD");
    loy_rendered r;
    loy_err err;
    assert_int_equal(loy_template_render(&p->messages, "welcome", "en", vars, &r, &err), 0);
    assert_string_equal(r.lang, "en");
    assert_string_equal(r.subject, "Welcome to Kopi & Co, <b>Tom & \"Jerry\"</b>!");
    assert_non_null(strstr(r.text, "Hi <b>Tom & \"Jerry\"</b>,"));
    assert_non_null(strstr(r.text, "You already have 1,850 points"));
    assert_non_null(strstr(r.html, "<p>Hi &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;,</p>"));
    assert_null(strstr(r.html, "<b>Tom"));
    assert_non_null(strstr(r.html, "<title>Welcome to Kopi &amp; Co, &lt;b&gt;Tom &amp; "
                                   "&quot;Jerry&quot;&lt;/b&gt;!</title>"));
    assert_non_null(strstr(r.html, "<html lang=\"en\">"));
    /* the offer block, then the footer with the address and the unsubscribe link, in both */
    const char *offer = strstr(r.text, "Show the code K7QM-2XHD"), *foot = strstr(r.text, "\n--\n");
    assert_non_null(offer);
    assert_non_null(foot);
    assert_true(offer < foot);
    assert_non_null(strstr(foot, "12 Jalan Telawi, Kuala Lumpur"));
    assert_non_null(strstr(foot, "https://x.example/u/TOKEN"));
    assert_non_null(strstr(r.html, "<strong>K7QM-2XHD</strong>"));
    assert_non_null(strstr(r.html, "12 Jalan Telawi, Kuala Lumpur"));
    assert_non_null(strstr(r.html, "href=\"https://x.example/u/TOKEN\""));
    loy_rendered_free(&r);
    /* without an offer, no offer block */
    json_object_del(vars, "offer");
    assert_int_equal(loy_template_render(&p->messages, "welcome", "bn", vars, &r, &err), 0);
    assert_null(strstr(r.text, "K7QM-2XHD"));
    assert_non_null(strstr(r.text, "১,৮৫০ পয়েন্ট"));
    loy_rendered_free(&r);
    /* zero points: the balance line goes */
    json_object_set_new(vars, "balance", json_integer(0));
    assert_int_equal(loy_template_render(&p->messages, "welcome", "en", vars, &r, &err), 0);
    assert_null(strstr(r.text, "points to start with"));
    loy_rendered_free(&r);
    assert_int_equal(loy_template_render(&p->messages, "nope", "en", vars, &r, &err),
                     LOY_ENOTFOUND);
    json_decref(vars);
    loy_programme_free(p);
}

static void test_owner_templates_and_language(void **state)
{
    (void)state;
    loy_programme *p = programme(
        "{\"templates\": {\"welcome\": {\"en\": {\"subject\": \"Hello {{first_name}}\", \"text\": "
        "\"Plain\\n\\nsecond & para\"}}, \"sale\": {\"hu\": {\"subject\": \"Akció\", \"text\": "
        "\"Szia\"}}}}");
    const loy_msg_settings *s = &p->messages;
    char lang[8];
    loy_template_lang(s, "welcome", "bn", "ms", lang);
    assert_string_equal(lang, "bn"); /* the default exists in Bengali */
    loy_template_lang(s, "sale", "bn", "ms", lang);
    assert_string_equal(lang, "hu"); /* the owner's only language */
    loy_template_lang(s, "welcome", "xx", "ms", lang);
    assert_string_equal(lang, "ms");
    assert_true(loy_template_exists(s, "sale"));
    assert_true(loy_template_exists(s, "birthday"));
    assert_false(loy_template_exists(s, "spring"));
    json_t *vars = json_pack("{s:s}", "first_name", "Ana");
    loy_rendered r;
    loy_err err;
    assert_int_equal(loy_template_render(s, "welcome", "en", vars, &r, &err), 0);
    assert_string_equal(r.subject, "Hello Ana");
    /* no HTML part: made from the text, escaped, in paragraphs */
    assert_non_null(strstr(r.html, "<p>Plain</p>\n<p>second &amp; para</p>"));
    loy_rendered_free(&r);
    assert_int_equal(loy_template_render(s, "welcome", "ms", vars, &r, &err), 0);
    assert_string_equal(r.subject, "Selamat datang ke , Ana!"); /* the default for Malay */
    loy_rendered_free(&r);
    json_decref(vars);
    loy_programme_free(p);
}

static void test_numbers_and_dates(void **state)
{
    (void)state;
    char b[64];
    loy_template_number(b, sizeof(b), 1850, "en");
    assert_string_equal(b, "1,850");
    loy_template_number(b, sizeof(b), 1850, "ms");
    assert_string_equal(b, "1,850");
    loy_template_number(b, sizeof(b), 1850, "hu");
    assert_string_equal(b, "1 850");
    loy_template_number(b, sizeof(b), 1234567, "bn");
    assert_string_equal(b, "১২,৩৪,৫৬৭");
    loy_template_number(b, sizeof(b), 999, "bn");
    assert_string_equal(b, "৯৯৯");
    loy_template_number(b, sizeof(b), -1234567, "en");
    assert_string_equal(b, "-1,234,567");
    loy_template_number(b, sizeof(b), 0, "en");
    assert_string_equal(b, "0");
    int64_t d = loy_days_from_civil(2026, 11, 23);
    loy_template_date(b, sizeof(b), d, "en");
    assert_string_equal(b, "23 November 2026");
    loy_template_date(b, sizeof(b), d, "ms");
    assert_string_equal(b, "23 November 2026");
    loy_template_date(b, sizeof(b), loy_days_from_civil(2026, 8, 5), "ms");
    assert_string_equal(b, "5 Ogos 2026");
    loy_template_date(b, sizeof(b), d, "hu");
    assert_string_equal(b, "2026. november 23.");
    loy_template_date(b, sizeof(b), d, "bn");
    assert_string_equal(b, "২৩ নভেম্বর, ২০২৬");
}

/* ---- the programme's "messages" section ---- */

static void test_section_defaults(void **state)
{
    (void)state;
    loy_programme *p = programme(NULL);
    assert_int_equal(p->messages.cap_messages, 2);
    assert_int_equal(p->messages.cap_days, 7);
    assert_int_equal(p->messages.quiet_from, 21 * 60);
    assert_int_equal(p->messages.quiet_to, 9 * 60);
    assert_string_equal(p->messages.from_addr, "");
    loy_programme_free(p);
    p = programme("{\"from\": \"Kopi Kita <hello@kopikita.example>\", \"frequency_cap\": null, "
                  "\"quiet_hours\": null}");
    assert_string_equal(p->messages.from_name, "Kopi Kita");
    assert_string_equal(p->messages.from_addr, "hello@kopikita.example");
    assert_int_equal(p->messages.cap_messages, 0);
    assert_int_equal(p->messages.quiet_from, -1);
    loy_programme_free(p);
    p = programme("{\"frequency_cap\": {\"messages\": 3, \"days\": 30}, \"quiet_hours\": "
                  "{\"from\": \"22:30\", \"to\": \"07:15\"}}");
    assert_int_equal(p->messages.cap_messages, 3);
    assert_int_equal(p->messages.cap_days, 30);
    assert_int_equal(p->messages.quiet_from, 22 * 60 + 30);
    assert_int_equal(p->messages.quiet_to, 7 * 60 + 15);
    loy_programme_free(p);
}

static void expect_bad(const char *messages, const char *field, const char *words)
{
    char doc[4096];
    snprintf(doc, sizeof(doc),
             "{\"merchant\": {\"name\": \"K\", \"currency\": \"MYR\", \"timezone\": "
             "\"Asia/Kuala_Lumpur\", \"locale\": \"ms\"}, \"messages\": %s}",
             messages);
    loy_programme *p = NULL;
    loy_err err;
    int rc = loy_programme_parse(&p, doc, strlen(doc), &err);
    if (rc != LOY_EINVALID) fail_msg("accepted: %s", messages);
    if (strcmp(err.field, field)) fail_msg("%s: field %s, want %s", messages, err.field, field);
    if (!strstr(err.message, words))
        fail_msg("%s: message [%s] lacks [%s]", messages, err.message, words);
    if (strncmp(err.message, field, strlen(field)))
        fail_msg("%s: message [%s] does not start with the path", messages, err.message);
}

static void test_section_errors(void **state)
{
    (void)state;
    expect_bad("[]", "messages", "expected an object");
    expect_bad("{\"colour\": 1}", "messages.colour",
               "messages.colour: unknown field (expected one of from, postal_address, "
               "frequency_cap, quiet_hours, templates)");
    expect_bad("{\"quiet_hour\": null}", "messages.quiet_hour",
               "messages.quiet_hour: unknown field (did you mean \"quiet_hours\"?)");
    expect_bad("{\"from\": \"nobody\"}", "messages.from", "an address like");
    expect_bad("{\"from\": \"A <b@c>\"}", "messages.from", "an address like");
    expect_bad("{\"postal_address\": \"\"}", "messages.postal_address", "non-empty string");
    expect_bad("{\"frequency_cap\": {\"messages\": 0, \"days\": 7}}",
               "messages.frequency_cap.messages", "an integer from 1 to 100");
    expect_bad("{\"frequency_cap\": {\"messages\": 2}}", "messages.frequency_cap.days",
               "got nothing");
    expect_bad("{\"quiet_hours\": {\"from\": \"9pm\", \"to\": \"09:00\"}}",
               "messages.quiet_hours.from", "a local time like \"21:00\"");
    /* exactly two digits, ':', two digits: no sign, no space */
    expect_bad("{\"quiet_hours\": {\"from\": \" 9:00\", \"to\": \"09:00\"}}",
               "messages.quiet_hours.from", "a local time like \"21:00\" (00:00 to 23:59)");
    expect_bad("{\"quiet_hours\": {\"from\": \"21:00\", \"to\": \"09:+5\"}}",
               "messages.quiet_hours.to", "got \"09:+5\"");
    expect_bad("{\"quiet_hours\": {\"from\": \"09:00\", \"to\": \"09:00\"}}",
               "messages.quiet_hours.to", "a time other than");
    expect_bad("{\"templates\": {\"Bad Id\": {}}}", "messages.templates.Bad Id", "template id");
    expect_bad("{\"templates\": {\"sale\": {}}}", "messages.templates.sale", "1 to 16 languages");
    expect_bad("{\"templates\": {\"sale\": {\"EN\": {}}}}", "messages.templates.sale.EN",
               "language code");
    expect_bad("{\"templates\": {\"sale\": {\"en\": {\"text\": \"x\"}}}}",
               "messages.templates.sale.en.subject", "non-empty string");
    expect_bad("{\"templates\": {\"sale\": {\"en\": {\"subject\": \"a\\nb\", \"text\": \"x\"}}}}",
               "messages.templates.sale.en.subject", "one line");
    expect_bad("{\"templates\": {\"sale\": {\"en\": {\"subject\": \"s\", \"text\": \"Hi "
               "{{frist_name}}\"}}}}",
               "messages.templates.sale.en.text", "unknown variable \"frist_name\"");
    expect_bad("{\"templates\": {\"sale\": {\"en\": {\"subject\": \"s\", \"text\": \"t\", "
               "\"html\": \"{{#offer}}\"}}}}",
               "messages.templates.sale.en.html", "never closed");
    expect_bad("{\"templates\": {\"sale\": {\"en\": {\"subject\": \"s\", \"text\": \"t\", "
               "\"css\": \"\"}}}}",
               "messages.templates.sale.en.css",
               "messages.templates.sale.en.css: unknown field (expected one of subject, text, "
               "html)");
}

static void test_address_parse(void **state)
{
    (void)state;
    char n[LOY_MSG_NAME_MAX], a[LOY_MSG_ADDR_MAX];
    assert_true(loy_msg_address_parse("hello@kopi.example", n, a));
    assert_string_equal(n, "");
    assert_string_equal(a, "hello@kopi.example");
    assert_true(loy_msg_address_parse("Kopi Kita <hello@kopi.example>", n, a));
    assert_string_equal(n, "Kopi Kita");
    assert_string_equal(a, "hello@kopi.example");
    assert_false(loy_msg_address_parse("hello", n, a));
    assert_false(loy_msg_address_parse("a b@c.example", n, a));
    assert_false(loy_msg_address_parse("x <a@b.example> y", n, a));
    assert_false(loy_msg_address_parse("x\r\nBcc: z <a@b.example>", n, a));
    assert_false(loy_msg_address_parse("a@@b.example", n, a));
    assert_false(loy_msg_address_parse("a@b.", n, a));
    assert_false(loy_msg_address_parse("zoltán@b.example", n, a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_substitution_and_escaping),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_defaults_cover_every_trigger_and_language),
        cmocka_unit_test(test_render_message),
        cmocka_unit_test(test_owner_templates_and_language),
        cmocka_unit_test(test_numbers_and_dates),
        cmocka_unit_test(test_section_defaults),
        cmocka_unit_test(test_section_errors),
        cmocka_unit_test(test_address_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
