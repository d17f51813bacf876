/* Unit tests for programme parsing and validation: the kopi-kita example, good variants, and the
 * table of bad programmes in tests/data/programmes/bad (expected field and exact message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "core/programme.h"
#include "util/time.h"

#define BAD_DIR "tests/data/programmes/bad"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static loy_programme *parse_ok(const char *json)
{
    loy_programme *p = NULL;
    loy_err err;
    int rc = loy_programme_parse(&p, json, strlen(json), &err);
    if (rc != 0) fail_msg("unexpected error: %s (field %s)", err.message, err.field);
    assert_non_null(p);
    return p;
}

static void expect_error(const char *json, size_t len, const char *field, const char *message)
{
    loy_programme *p = (loy_programme *)0x1;
    loy_err err;
    if (len == SIZE_MAX) len = strlen(json);
    int rc = loy_programme_parse(&p, json, len, &err);
    assert_int_equal(rc, LOY_EINVALID);
    assert_null(p);
    assert_int_equal(err.code, LOY_EINVALID);
    assert_string_equal(err.field, field);
    if (message) assert_string_equal(err.message, message);
}

static void test_kopi_kita(void **state)
{
    (void)state;
    size_t len = 0;
    char *json = read_all("examples/kopi-kita.json", &len);
    assert_non_null(json);
    loy_programme *p = NULL;
    loy_err err;
    int rc = loy_programme_parse(&p, json, len, &err);
    free(json);
    if (rc) fail_msg("kopi-kita: %s", err.message);

    assert_string_equal(p->merchant_name, "Kopi Kita");
    assert_string_equal(p->currency, "MYR");
    assert_int_equal(p->exponent, 2);
    assert_string_equal(p->timezone, "Asia/Kuala_Lumpur");
    assert_string_equal(p->locale, "ms");
    assert_int_equal(p->nlocations, 2);
    assert_string_equal(loy_programme_location(p, "PJ")->name, "Kopi Kita Petaling Jaya");
    assert_null(loy_programme_location(p, "KLCC"));

    assert_true(p->has_stamps);
    assert_int_equal(p->card_size, 10);
    assert_int_equal(p->nstamp_rules, 1);
    assert_string_equal(p->stamp_rules[0].id, "stamps-0");
    assert_int_equal(p->stamp_rules[0].per, LOY_STAMP_PER_ITEM);
    assert_int_equal(p->stamp_rules[0].stamps, 1);
    assert_int_equal(p->stamp_rules[0].priority, 100);
    assert_string_equal(p->stamp_rules[0].when.category, "coffee");
    assert_string_equal(p->stamp_reward, "free-coffee");
    assert_int_equal(p->stamps_expire_days, 365);

    assert_true(p->has_points);
    assert_int_equal(p->npoints_rules, 3);
    const loy_points_rule *base = &p->points_rules[0];
    assert_string_equal(base->id, "base");
    assert_int_equal(base->priority, 10);
    assert_int_equal(base->rate_milli, 1000);
    assert_int_equal(base->multiplier_milli, 0);
    assert_int_equal(base->rounding, LOY_ROUND_FLOOR);
    assert_int_equal(base->min_spend, 500);
    assert_int_equal(base->when.from_min, -1);
    assert_int_equal(base->when.days, 0);
    const loy_points_rule *pastry = &p->points_rules[1];
    assert_string_equal(pastry->id, "pastry-double");
    assert_int_equal(pastry->multiplier_milli, 2000);
    assert_int_equal(pastry->rate_milli, 0);
    assert_string_equal(pastry->when.category, "pastry");
    const loy_points_rule *quiet = &p->points_rules[2];
    assert_string_equal(quiet->id, "quiet-afternoons");
    assert_int_equal(quiet->priority, 30);
    assert_int_equal(quiet->multiplier_milli, 1500);
    assert_int_equal(quiet->when.days, (1 << 0) | (1 << 1) | (1 << 2));
    assert_int_equal(quiet->when.from_min, 840);
    assert_int_equal(quiet->when.to_min, 960);
    assert_int_equal(p->pending_days, 0);
    assert_int_equal(p->expire_after_days, 365);
    assert_int_equal(p->expire_inactive_days, 0);
    assert_int_equal(p->expiring_notice_days, 30);
    assert_false(p->tender_enabled);
    assert_int_equal(p->point_value_micro, 1000000); /* 0.01 MYR = 1 sen */
    assert_false(p->allow_debt);

    assert_true(p->has_tiers);
    assert_int_equal(p->tier_basis, LOY_TIER_SPEND);
    assert_int_equal(p->tier_window_days, 365);
    assert_int_equal(p->tier_review, LOY_REVIEW_MONTHLY);
    assert_int_equal(p->tier_grace_days, 30);
    assert_int_equal(p->nlevels, 3);
    assert_int_equal(p->levels[0].threshold, 0);
    assert_int_equal(p->levels[1].threshold, 50000);
    assert_int_equal(p->levels[2].threshold, 200000);
    assert_int_equal(p->levels[0].multiplier_milli, 1000);
    assert_int_equal(p->levels[1].multiplier_milli, 1250);
    assert_int_equal(p->levels[2].multiplier_milli, 1500);
    assert_string_equal(loy_names_get(&p->levels[1].name, "ms"), "Emas");
    assert_string_equal(loy_names_get(&p->levels[1].name, "hu"), "Gold");
    assert_int_equal(p->levels[2].nperks, 2);
    assert_string_equal(p->levels[2].perks[1], "Early access to new blends");
    assert_int_equal(loy_programme_level_index(p, "platinum"), 2);
    assert_int_equal(loy_programme_level_index(p, "diamond"), -1);

    assert_int_equal(p->welcome_points, 50);
    assert_int_equal(p->birthday_points, 100);
    assert_int_equal(p->birthday_window, LOY_BDAY_WEEK);
    assert_int_equal(p->anniversary_points, 0);
    assert_int_equal(p->referral_referrer, 100);
    assert_int_equal(p->referral_referee, 50);
    assert_int_equal(p->referral_min_first_purchase, 1000);

    assert_true(p->has_giving);
    assert_string_equal(p->giving_cause, "Rumah Kebajikan Seri Kenangan");
    assert_int_equal(p->giving_basis_points, 100);

    assert_int_equal(p->nrewards, 3);
    const loy_reward *coffee = loy_programme_reward(p, "free-coffee");
    assert_non_null(coffee);
    assert_int_equal(coffee->kind, LOY_REWARD_FREE_ITEM);
    assert_string_equal(coffee->sku, "KOPI");
    assert_int_equal(coffee->cost_stamps, 10);
    assert_int_equal(coffee->cost_points, 0);
    assert_int_equal(coffee->stock, -1);
    assert_int_equal(coffee->voucher_days, 30);
    assert_string_equal(loy_names_get(&coffee->name, "ms"), "Kopi percuma");
    const loy_reward *rm5 = loy_programme_reward(p, "rm5-off");
    assert_int_equal(rm5->kind, LOY_REWARD_AMOUNT_OFF);
    assert_int_equal(rm5->amount, 500);
    assert_int_equal(rm5->cost_points, 500);
    const loy_reward *cake = loy_programme_reward(p, "gold-cake");
    assert_int_equal(cake->stock, 20);
    assert_int_equal(cake->ntiers, 2);
    assert_string_equal(cake->tiers[0], "gold");
    assert_string_equal(cake->tiers[1], "platinum");
    assert_int_equal(cake->valid_from_day, 0);
    assert_null(loy_programme_reward(p, "nope"));

    loy_programme_free(p);
}

#define MERCHANT(cur)                                                                              \
    "\"merchant\": {\"name\": \"Shop\", \"currency\": \"" cur "\", \"timezone\": \"UTC\", "        \
    "\"locale\": \"en\"}"

static void test_points_only(void **state)
{
    (void)state;
    loy_programme *p = parse_ok("{\"format\": 1, " MERCHANT(
        "USD") ", \"points\": {\"earn\": ["
               "{\"id\": \"late\", \"multiplier\": 3, \"hours\": \"22:00-02:00\", \"priority\": "
               "50},"
               "{\"id\": \"a\", \"points_per_unit\": 0.125, \"rounding\": \"round\", \"priority\": "
               "5},"
               "{\"id\": \"b\", \"points\": 10, \"stop\": true, \"priority\": 50,"
               " \"valid_from\": \"2026-12-01\", \"valid_to\": \"2026-12-31\"},"
               "{\"id\": \"c\", \"points_per_unit\": 2, \"rounding\": \"ceil\"}],"
               " \"pending_days\": 14, \"expiry\": {\"inactive_days\": 540, \"notice_days\": 14},"
               " \"tender\": {\"point_value\": \"0.005\", \"min_points\": 100}, \"allow_debt\": "
               "true},"
               " \"tiers\": {\"basis\": \"points\", \"review\": \"quarterly\", \"levels\": ["
               "{\"id\": \"member\", \"name\": \"Member\", \"threshold\": 0},"
               "{\"id\": \"vip\", \"name\": {\"en\": \"VIP\", \"hu\": \"VIP tag\"}, \"threshold\": "
               "1000,"
               " \"multiplier\": 1.125}]},"
               " \"bonuses\": {\"anniversary\": {\"points\": 25}, \"birthday\": {\"points\": 5,"
               " \"window\": \"month\"}}}");
    assert_false(p->has_stamps);
    assert_true(p->has_points);
    assert_false(p->has_giving);
    assert_int_equal(p->npoints_rules, 4);
    /* priority ascending; "late" and "b" share 50 and keep their document order */
    assert_string_equal(p->points_rules[0].id, "a");
    assert_string_equal(p->points_rules[1].id, "late");
    assert_string_equal(p->points_rules[2].id, "b");
    assert_string_equal(p->points_rules[3].id, "c");
    assert_int_equal(p->points_rules[0].rate_milli, 125);
    assert_int_equal(p->points_rules[0].rounding, LOY_ROUND_NEAREST);
    assert_int_equal(p->points_rules[1].multiplier_milli, 3000);
    assert_int_equal(p->points_rules[1].when.from_min, 22 * 60);
    assert_int_equal(p->points_rules[1].when.to_min, 2 * 60);
    assert_int_equal(p->points_rules[2].fixed_points, 10);
    assert_true(p->points_rules[2].stop);
    assert_int_equal(p->points_rules[2].when.valid_from_day, loy_days_from_civil(2026, 12, 1));
    assert_int_equal(p->points_rules[2].when.valid_to_day, loy_days_from_civil(2026, 12, 31));
    assert_int_equal(p->points_rules[3].priority, 100);
    assert_int_equal(p->points_rules[3].rounding, LOY_ROUND_CEIL);
    assert_int_equal(p->pending_days, 14);
    assert_int_equal(p->expire_after_days, 0);
    assert_int_equal(p->expire_inactive_days, 540);
    assert_int_equal(p->expiring_notice_days, 14);
    assert_true(p->tender_enabled);
    assert_int_equal(p->point_value_micro, 500000); /* half a cent */
    assert_int_equal(p->tender_min_points, 100);
    assert_true(p->allow_debt);
    assert_int_equal(p->tier_basis, LOY_TIER_POINTS);
    assert_int_equal(p->tier_review, LOY_REVIEW_QUARTERLY);
    assert_int_equal(p->tier_window_days, 365);
    assert_int_equal(p->levels[1].threshold, 1000);
    assert_int_equal(p->levels[1].multiplier_milli, 1125);
    assert_string_equal(loy_names_get(&p->levels[0].name, "ms"), "Member");
    assert_string_equal(loy_names_get(&p->levels[1].name, "hu"), "VIP tag");
    assert_int_equal(p->anniversary_points, 25);
    assert_int_equal(p->birthday_points, 5);
    assert_int_equal(p->birthday_window, LOY_BDAY_MONTH);
    loy_programme_free(p);
}

static void test_stamps_only(void **state)
{
    (void)state;
    loy_programme *p = parse_ok("{" MERCHANT(
        "GBP") ", \"locations\": [{\"code\": \"soho-1\", \"name\": \"Soho\"},"
               " {\"code\": \"Camden\", \"name\": \"Camden\"}],"
               " \"stamps\": {\"card_size\": 8, \"reward\": \"free-loaf\", \"earn\": ["
               "{\"per\": \"amount\", \"amount\": \"10\", \"stamps\": 2, \"locations\": "
               "[\"Camden\"],"
               " \"days\": [\"sun\", \"sat\"], \"priority\": 200},"
               "{\"id\": \"visit\", \"per\": \"visit\", \"min_spend\": \"3.5\", \"stop\": true}]},"
               " \"rewards\": [{\"id\": \"free-loaf\", \"name\": {\"en\": \"Free loaf\"}, \"kind\":"
               " \"free_item\", \"sku\": \"bread.sour-1\", \"cost\": {\"stamps\": 8}, "
               "\"voucher_days\":"
               " 7, \"valid_from\": \"2026-01-01\", \"valid_to\": \"2026-01-01\"},"
               " {\"id\": \"ten-pc\", \"name\": \"10% off\", \"kind\": \"percent_off\", "
               "\"percent\": 10,"
               " \"cost\": {\"stamps\": 4}, \"stock\": 0}]}");
    assert_false(p->has_points);
    assert_false(p->has_tiers);
    assert_int_equal(p->exponent, 2);
    assert_int_equal(p->card_size, 8);
    assert_int_equal(p->nstamp_rules, 2);
    assert_string_equal(p->stamp_rules[0].id, "visit");
    assert_true(p->stamp_rules[0].stop);
    assert_int_equal(p->stamp_rules[0].min_spend, 350);
    assert_string_equal(p->stamp_rules[1].id, "stamps-0");
    assert_int_equal(p->stamp_rules[1].per, LOY_STAMP_PER_AMOUNT);
    assert_int_equal(p->stamp_rules[1].amount, 1000);
    assert_int_equal(p->stamp_rules[1].stamps, 2);
    assert_int_equal(p->stamp_rules[1].when.days, (1 << 5) | (1 << 6));
    assert_int_equal(p->stamp_rules[1].when.nlocations, 1);
    assert_string_equal(p->stamp_rules[1].when.locations[0], "Camden");
    assert_string_equal(p->stamp_reward, "free-loaf");
    assert_int_equal(p->stamps_expire_days, 0);
    const loy_reward *loaf = loy_programme_reward(p, "free-loaf");
    assert_string_equal(loaf->sku, "bread.sour-1");
    assert_int_equal(loaf->voucher_days, 7);
    assert_int_equal(loaf->valid_from_day, loaf->valid_to_day);
    assert_int_equal(loy_programme_reward(p, "ten-pc")->percent, 10);
    assert_int_equal(loy_programme_reward(p, "ten-pc")->stock, 0);
    assert_string_equal(loy_names_get(&loy_programme_reward(p, "ten-pc")->name, "bn"), "10% off");
    assert_int_equal(p->point_value_micro, 1000000);
    loy_programme_free(p);
}

static void test_huf_and_jpy(void **state)
{
    (void)state;
    /* HUF keeps its ISO exponent 2 (filler decimals), though shown without decimals */
    loy_programme *p = parse_ok(
        "{" MERCHANT("HUF") ", \"points\": {\"earn\": [{\"id\": \"base\","
                            " \"points_per_unit\": 0.01, \"min_spend\": \"1500\"}]},"
                            " \"tiers\": {\"basis\": \"spend\", \"levels\": [{\"id\": \"a\","
                            " \"name\": \"A\", \"threshold\": \"0\"}, {\"id\": \"b\", \"name\":"
                            " \"B\", \"threshold\": \"150000.50\"}]}}");
    assert_int_equal(p->exponent, 2);
    assert_int_equal(p->points_rules[0].rate_milli, 10);
    assert_int_equal(p->points_rules[0].min_spend, 150000);
    assert_int_equal(p->levels[1].threshold, 15000050);
    assert_int_equal(p->point_value_micro, 1000000);
    loy_programme_free(p);

    p = parse_ok("{" MERCHANT(
        "JPY") ", \"points\": {\"earn\": [{\"id\": \"base\","
               " \"points_per_unit\": 0.01, \"min_spend\": \"500\"}], \"tender\": {}},"
               " \"bonuses\": {\"welcome\": 0, \"referral\": {\"referrer\": 300, \"referee\":"
               " 0, \"min_first_purchase\": \"1000\"}},"
               " \"rewards\": [{\"id\": \"yen\", \"name\": \"500 yen off\", \"kind\":"
               " \"amount_off\", \"amount\": \"500\", \"cost\": {\"points\": 500}}]}");
    assert_int_equal(p->exponent, 0);
    assert_int_equal(p->points_rules[0].min_spend, 500);
    assert_int_equal(p->referral_min_first_purchase, 1000);
    assert_int_equal(p->rewards[0].amount, 500);
    assert_true(p->tender_enabled);
    assert_int_equal(p->tender_min_points, 1);
    assert_int_equal(p->point_value_micro, 10000); /* 0.01 yen by default */
    loy_programme_free(p);

    expect_error(
        "{" MERCHANT("JPY") ", \"points\": {\"tender\": {\"point_value\": \"0.0000001\"}}}",
        SIZE_MAX, "points.tender.point_value",
        "points.tender.point_value: expected a decimal amount above zero with at most 6 "
        "decimals like \"1\", got \"0.0000001\"");
}

/* The table: every file in BAD_DIR is {"field", "message", "programme"}. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_bad_programmes(void **state)
{
    (void)state;
    DIR *d = opendir(BAD_DIR);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    assert_true(n >= 40);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", BAD_DIR, names[i]);
        json_error_t je;
        json_t *c = json_load_file(path, 0, &je);
        if (!c) {
            print_error("%s: cannot load: %s\n", names[i], je.text);
            failures++;
            free(names[i]);
            continue;
        }
        const char *field = json_string_value(json_object_get(c, "field"));
        const char *message = json_string_value(json_object_get(c, "message"));
        char *text = json_dumps(json_object_get(c, "programme"), JSON_ENCODE_ANY | JSON_COMPACT);
        loy_programme *p = NULL;
        loy_err err;
        loy_err_clear(&err);
        int rc = text ? loy_programme_parse(&p, text, strlen(text), &err) : 0;
        if (!field || !message || !text || rc != LOY_EINVALID || p ||
            strcmp(err.field, field) != 0 || strcmp(err.message, message) != 0) {
            print_error("%s:\n  want [%s] %s\n  got  [%s] %s (rc %d)\n", names[i],
                        field ? field : "?", message ? message : "?", err.field, err.message, rc);
            failures++;
        }
        loy_programme_free(p);
        free(text);
        json_decref(c);
        free(names[i]);
    }
    assert_int_equal(failures, 0);
}

static void test_raw_text(void **state)
{
    (void)state;
    /* invalid JSON text: jansson's position and reason */
    const char *bad = "{\"merchant\": {\"name\": \"Kopi\",}}";
    loy_programme *p = NULL;
    loy_err err;
    assert_int_equal(loy_programme_parse(&p, bad, strlen(bad), &err), LOY_EINVALID);
    assert_null(p);
    assert_string_equal(err.field, "");
    assert_true(strncmp(err.message, "invalid JSON at line 1 column", 29) == 0);

    expect_error("", 0, "", NULL);
    expect_error("[1, 2]", 6, "", "expected a JSON object, got [1,2]");
    expect_error("\"programme\"", 11, "", "expected a JSON object, got \"programme\"");
    /* the length is honoured: the text is cut inside the object */
    expect_error("{\"format\": 1}", 5, "", NULL);
}

static void test_limits(void **state)
{
    (void)state;
    /* strings: at most 4096 bytes; NUL is refused */
    size_t n = 4097;
    char *big = malloc(n + 256);
    assert_non_null(big);
    int off =
        snprintf(big, 256, "{" MERCHANT("MYR") ", \"giving\": {\"percent\": 1, \"cause\": \"");
    memset(big + off, 'x', n);
    strcpy(big + off + n, "\"}}");
    expect_error(big, strlen(big), "giving.cause", NULL);
    char want[512];
    loy_err err;
    loy_programme *p = NULL;
    loy_programme_parse(&p, big, strlen(big), &err);
    snprintf(want, sizeof(want), "giving.cause: expected a string of at most 4096 bytes, got");
    assert_true(strncmp(err.message, want, strlen(want)) == 0);
    strcpy(big + off + n - 1, "\"}}"); /* exactly 4096 bytes */
    p = parse_ok(big);
    assert_int_equal(strlen(p->giving_cause), 4096);
    loy_programme_free(p);
    free(big);

    /* NUL inside a string is refused by the JSON layer already */
    expect_error("{" MERCHANT("MYR") ", \"giving\": {\"percent\": 1, \"cause\": \"a\\u0000b\"}}",
                 SIZE_MAX, "", NULL);

    /* 32 levels of nesting are fine (the limit is checked before any field) */
    char deep[256];
    int k = snprintf(deep, sizeof(deep), "{" MERCHANT("MYR") ", \"rewards\": ");
    for (int i = 0; i < 31; i++) deep[k++] = '[';
    for (int i = 0; i < 31; i++) deep[k++] = ']';
    strcpy(deep + k, "}");
    expect_error(deep, strlen(deep), "rewards[0]", NULL);
    /* rewards[0] is an array: refused for what it is, not for the depth */
    loy_programme_parse(&p, deep, strlen(deep), &err);
    char shown[64];
    memset(shown, '[', 30);
    memset(shown + 30, ']', 30);
    shown[60] = '\0';
    snprintf(want, sizeof(want), "rewards[0]: expected an object describing a reward, got %s",
             shown);
    assert_string_equal(err.message, want);
}

/* One behaviour for an unknown field in every section: a suggestion within two edits, else the
 * list of the fields there; control characters of a key are shown as '?'. */
static void test_unknown_fields(void **state)
{
    (void)state;
    expect_error("{" MERCHANT("MYR") ", \"bonuses\": {\"anniversary\": {\"points\": 1, "
                                     "\"amount\": 2}}}",
                 SIZE_MAX, "bonuses.anniversary.amount",
                 "bonuses.anniversary.amount: unknown field (expected points)");
    expect_error("{" MERCHANT("MYR") ", \"bonuses\": {\"welcom\": 5}}", SIZE_MAX, "bonuses.welcom",
                 "bonuses.welcom: unknown field (did you mean \"welcome\"?)");
    expect_error("{\"merchant\": {\"name\": \"Shop\", \"x\\ny\": 1}}", SIZE_MAX, "merchant.x?y",
                 "merchant.x?y: unknown field (expected one of name, currency, timezone, locale)");
    expect_error("{\"a\\u0001b\": 1}", SIZE_MAX, "a?b",
                 "a?b: unknown field (expected one of format, merchant, locations, stamps, points, "
                 "tiers, bonuses, giving, rewards, messages, triggers, feedback, staff)");
    expect_error("{" MERCHANT("MYR") ", \"messages\": {\"quiet_hour\": null}}", SIZE_MAX,
                 "messages.quiet_hour",
                 "messages.quiet_hour: unknown field (did you mean \"quiet_hours\"?)");
    expect_error("{" MERCHANT("MYR") ", \"feedback\": {\"on\": true, \"every_day\": 7}}", SIZE_MAX,
                 "feedback.every_day",
                 "feedback.every_day: unknown field (did you mean \"every_days\"?)");
}

static void test_names_get(void **state)
{
    (void)state;
    char langs[2][8] = {"ms", "bn"};
    char *texts[2] = {"Emas", "Sona"};
    loy_names n = {.n = 2, .lang = langs, .text = texts};
    assert_string_equal(loy_names_get(&n, "bn"), "Sona");
    assert_string_equal(loy_names_get(&n, "hu"), "Emas"); /* no "en": the first */
    assert_string_equal(loy_names_get(&n, NULL), "Emas");
    loy_names empty = {0};
    assert_string_equal(loy_names_get(&empty, "en"), "");
    assert_string_equal(loy_names_get(NULL, "en"), "");
    assert_null(loy_programme_reward(NULL, "x"));
    assert_int_equal(loy_programme_level_index(NULL, "x"), -1);
    assert_null(loy_programme_location(NULL, "x"));
    loy_programme_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kopi_kita),      cmocka_unit_test(test_points_only),
        cmocka_unit_test(test_stamps_only),    cmocka_unit_test(test_huf_and_jpy),
        cmocka_unit_test(test_bad_programmes), cmocka_unit_test(test_raw_text),
        cmocka_unit_test(test_limits),         cmocka_unit_test(test_names_get),
        cmocka_unit_test(test_unknown_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
