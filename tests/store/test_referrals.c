/* Referrals end to end through the use cases (docs/referrals.md, RELIABILITY E5), each test on a
 * fresh database from examples/kopi-kita.json with a 14-day return window (points.pending_days)
 * and at most 3 referrals per referrer per local day (bonuses.referral.max_per_day); the
 * referral bonus is 100 points for the referrer and 50 for the referee once the referee's first
 * purchase of at least RM10.00 is past the window.
 *
 * Every fraud case (self-referral by the same member, phone, folded email; a referee who was
 * already a member; velocity N+1; rings A->B->A and A->B->C->A) asserts the status and reason,
 * an audit entry with that reason and that no referral bonus was paid even after the daily job.
 * (A shared card token between two members cannot be stored, card tokens being unique: that rule
 * is held by tests/unit/test_referral.c.) The happy path, refunds before the award, the owner's
 * approval and rejection, bad input, the views, the advocacy report and the privacy export and
 * erase follow. `db verify` holds after every test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "app/privacy.h"
#include "app/referrals.h"
#include "app/reports.h"
#include "app_fixture.h"
#include "store_fixture.h"

/* 2026-03-02T02:00:00Z = 10:00 in Kuala Lumpur, a Monday */
#define NOW  (SFX_NOW + 2 * 3600)
#define HOUR INT64_C(3600)

#define A_PHONE "+60 12-111 1111"
#define A_EMAIL "aisyah@example.com"

typedef struct {
    char path[512];
    loy_app *app;
    int64_t bsr, pj; /* location ids: the join pages */
    int64_t a;       /* Aisyah, home PJ, who refers */
    char code[LOY_REFERRAL_CODE_MAX];
} fx;

static int keyn;

static const char *next_key(void)
{
    static char key[32];
    snprintf(key, sizeof(key), "ref-%d", ++keyn);
    return key;
}

/* Member create (staff) with the request as given; returns rc, *id the new member. */
static int create(fx *f, json_t *req, int64_t *id, loy_err *err)
{
    json_t *resp = NULL;
    int rc = loy_app_write(f->app, LOY_OP_MEMBER_CREATE, next_key(), req, &resp, NULL, err);
    if (id)
        *id = rc ? 0 : json_integer_value(json_object_get(json_object_get(resp, "member"), "id"));
    json_decref(resp);
    json_decref(req);
    return rc;
}

/* The customer join page of location `loc` with an optional referral code. */
static int join_page(fx *f, int64_t loc, const char *name, const char *phone, const char *email,
                     const char *code, int64_t *id, loy_err *err)
{
    json_t *body = json_pack("{s:s}", "name", name);
    if (phone) json_object_set_new(body, "phone", json_string(phone));
    if (email) json_object_set_new(body, "email", json_string(email));
    if (code) json_object_set_new(body, "referral_code", json_string(code));
    json_t *req = NULL;
    int rc = loy_app_join_request(f->app, loc, body, &req, err);
    json_decref(body);
    if (id) *id = 0;
    return rc ? rc : create(f, req, id, err);
}

/* A new member joining through the join page with `code`; fails the test on error. */
static int64_t referred(fx *f, const char *name, const char *phone, const char *code)
{
    int64_t id = 0;
    loy_err err;
    if (join_page(f, f->bsr, name, phone, NULL, code, &id, &err))
        fail_msg("join %s: %s (%s)", name, err.message, err.field);
    return id;
}

static char *code_of(fx *f, int64_t member, char out[LOY_REFERRAL_CODE_MAX])
{
    loy_err err;
    if (loy_app_referral_code(f->app, member, out, &err)) fail_msg("code: %s", err.message);
    return out;
}

static int64_t buy(fx *f, int64_t member, int64_t amount)
{
    json_t *resp = afx_write(
        f->app, LOY_OP_PURCHASE,
        json_pack("{s:I, s:I}", "member", (json_int_t)member, "amount", (json_int_t)amount));
    int64_t id = json_integer_value(json_object_get(json_object_get(resp, "purchase"), "id"));
    json_decref(resp);
    assert_true(id > 0);
    return id;
}

static void refund(fx *f, int64_t purchase, int64_t amount)
{
    json_decref(afx_write(f->app, LOY_OP_REFUND,
                          json_pack("{s:I, s:I}", "purchase_id", (json_int_t)purchase, "amount",
                                    (json_int_t)amount)));
}

/* The daily job at `at`; returns how many referrals it paid. */
static int64_t jobs(fx *f, int64_t at)
{
    f->app->now = at;
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_jobs_housekeeping(f->app, &resp, &err)) fail_msg("jobs: %s", err.message);
    int64_t n = json_integer_value(json_object_get(resp, "referrals_awarded"));
    json_decref(resp);
    return n;
}

/* Referral points in a member's ledger. */
static int64_t bonus(fx *f, int64_t member)
{
    return sfx_qi(&f->app->conn,
                  "SELECT coalesce(sum(amount), 0) FROM ledger WHERE member_id = ? AND "
                  "kind = 'referral'",
                  member);
}

static int64_t all_bonus(fx *f)
{
    return sfx_q(&f->app->conn, "SELECT count(*) FROM ledger WHERE kind = 'referral'");
}

static int64_t members(fx *f)
{
    return sfx_q(&f->app->conn, "SELECT count(*) FROM members");
}

static int64_t audits(fx *f, const char *reason)
{
    return sfx_qt(&f->app->conn,
                  "SELECT count(*) FROM audit WHERE action IN ('referral.refuse', "
                  "'referral.flag') AND target_type = 'referral' AND reason = ?",
                  reason);
}

/* The newest referral (as the owner's list shows it) from `referrer` to `referee`, or NULL. */
static json_t *referral(fx *f, int64_t referrer, int64_t referee)
{
    json_t *resp = NULL;
    loy_err err;
    if (loy_app_referral_list(f->app, NULL, &resp, &err)) fail_msg("list: %s", err.message);
    json_t *found = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(resp, "referrals"), i, r)
    {
        if (json_integer_value(json_object_get(r, "referrer_id")) == referrer &&
            json_integer_value(json_object_get(r, "referee_id")) == referee) {
            found = json_incref(r);
            break;
        }
    }
    json_decref(resp);
    return found;
}

static void expect_referral(fx *f, int64_t referrer, int64_t referee, const char *status,
                            const char *reason)
{
    json_t *r = referral(f, referrer, referee);
    if (!r) fail_msg("no referral %lld -> %lld", (long long)referrer, (long long)referee);
    assert_string_equal(json_string_value(json_object_get(r, "status")), status);
    if (reason)
        assert_string_equal(json_string_value(json_object_get(r, "reason")), reason);
    else
        assert_true(json_is_null(json_object_get(r, "reason")));
    json_decref(r);
}

static int64_t referral_id(fx *f, int64_t referrer, int64_t referee)
{
    json_t *r = referral(f, referrer, referee);
    assert_non_null(r);
    int64_t id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

/* The kopi-kita programme with a 14-day return window and 3 referrals a day at most. */
static void programme(fx *f)
{
    json_error_t je;
    json_t *doc = json_load_file("examples/kopi-kita.json", 0, &je);
    assert_non_null(doc);
    json_object_set_new(json_object_get(doc, "points"), "pending_days", json_integer(14));
    json_object_set_new(json_object_get(json_object_get(doc, "bonuses"), "referral"), "max_per_day",
                        json_integer(3));
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    int64_t version = 0;
    loy_err err;
    if (loy_app_programme_set(f->app, text, strlen(text), &version, &err))
        fail_msg("programme: %s (%s)", err.message, err.field);
    free(text);
    assert_int_equal(f->app->prog->referral_max_per_day, 3);
    assert_int_equal(f->app->prog->pending_days, 14);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    f->app = afx_open_example(f->path, sizeof(f->path), "referrals", NOW);
    programme(f);
    json_t *locs = NULL;
    loy_err err;
    assert_int_equal(loy_app_locations(f->app, &locs, &err), 0);
    f->bsr = json_integer_value(
        json_object_get(json_array_get(json_object_get(locs, "locations"), 0), "id"));
    f->pj = json_integer_value(
        json_object_get(json_array_get(json_object_get(locs, "locations"), 1), "id"));
    json_decref(locs);
    assert_true(f->bsr > 0 && f->pj > f->bsr);
    assert_int_equal(create(f,
                            json_pack("{s:s, s:s, s:s, s:s}", "name", "Aisyah Rahman", "phone",
                                      A_PHONE, "email", A_EMAIL, "location", "PJ"),
                            &f->a, &err),
                     0);
    code_of(f, f->a, f->code);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    afx_verify(f->app);
    loy_app_close(f->app);
    sfx_remove_target(f->path);
    free(f);
    return 0;
}

/* ---- codes, links and views ---- */

static void test_codes_and_links(void **state)
{
    fx *f = *state;
    loy_err err;
    /* 8 characters of the unambiguous alphabet, different per member, stable */
    assert_int_equal(strlen(f->code), LOY_REFERRAL_CODE_LEN);
    assert_int_equal(strspn(f->code, LOY_REFERRAL_ALPHABET), LOY_REFERRAL_CODE_LEN);
    char again[LOY_REFERRAL_CODE_MAX], other[LOY_REFERRAL_CODE_MAX];
    assert_string_equal(code_of(f, f->a, again), f->code);
    int64_t b = referred(f, "Budi Santoso", "+60 12-222 2222", NULL);
    assert_string_not_equal(code_of(f, b, other), f->code);
    /* created with the member: the join answered and the row holds it already */
    assert_int_equal(
        sfx_qi(&f->app->conn,
               "SELECT count(*) FROM members WHERE id = ? AND referral_code IS NOT NULL", b),
        1);

    /* the staff view: code, link, the members referred */
    json_t *v = NULL;
    char ref[16];
    snprintf(ref, sizeof(ref), "%lld", (long long)f->a);
    assert_int_equal(loy_app_member_view(f->app, ref, &v, &err), 0);
    assert_int_equal(loy_app_referral_attach(f->app, v, &err), 0);
    json_t *m = json_object_get(v, "member");
    assert_string_equal(json_string_value(json_object_get(m, "referral_code")), f->code);
    char link[32];
    snprintf(link, sizeof(link), "/r/%s", f->code);
    assert_string_equal(json_string_value(json_object_get(m, "referral_url")), link);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "referrals"), "count")),
                     0);
    json_decref(v);

    /* the card holder's own view shows their link */
    char token[40];
    loy_member_row row;
    assert_int_equal(loy_app_resolve_member(f->app, ref, &row, &err), 0);
    snprintf(token, sizeof(token), "%s", row.card_token);
    loy_member_row_free(&row);
    assert_int_equal(loy_app_card_view(f->app, token, NULL, &v, &err), 0);
    json_t *share = json_object_get(v, "referral");
    assert_string_equal(json_string_value(json_object_get(share, "code")), f->code);
    assert_string_equal(json_string_value(json_object_get(share, "url")), link);
    json_decref(v);

    /* /r/{code}: Aisyah's home (PJ) with the code; typed in lower case with a dash all the same */
    char path[128], want[128], typed[32];
    assert_int_equal(loy_app_referral_landing(f->app, f->code, path, sizeof(path), &err), 0);
    snprintf(want, sizeof(want), "/join/%lld?ref=%s", (long long)f->pj, f->code);
    assert_string_equal(path, want);
    snprintf(typed, sizeof(typed), "%.4s-%s", f->code, f->code + 4);
    for (char *p = typed; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    assert_int_equal(loy_app_referral_landing(f->app, typed, path, sizeof(path), &err), 0);
    assert_string_equal(path, want);
    /* Budi has no home: the first location */
    snprintf(want, sizeof(want), "/join/%lld?ref=%s", (long long)f->bsr, other);
    assert_int_equal(loy_app_referral_landing(f->app, other, path, sizeof(path), &err), 0);
    assert_string_equal(path, want);
    /* an unknown code lands on a join page, without a referral */
    snprintf(want, sizeof(want), "/join/%lld", (long long)f->bsr);
    assert_int_equal(loy_app_referral_landing(f->app, "ZZZZ2222", path, sizeof(path), &err), 0);
    assert_string_equal(path, want);
    assert_int_equal(loy_app_referral_landing(f->app, "not a code!", path, sizeof(path), &err), 0);
    assert_string_equal(path, want);

    /* the join page says who invited them: the first name only */
    json_t *info = NULL;
    assert_int_equal(loy_app_join_info(f->app, f->bsr, &info, &err), 0);
    assert_int_equal(loy_app_referral_invite(f->app, f->code, info, &err), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(info, "referrer"), "first_name")),
        "Aisyah");
    assert_int_equal(loy_app_referral_invite(f->app, "ZZZZ2222", info, &err), 0);
    assert_true(json_is_null(json_object_get(info, "referrer")));
    json_decref(info);

    /* a member from before migration 0016 gets a code the first time it is asked for */
    assert_int_equal(loy_db_run(&f->app->conn, &err,
                                "UPDATE members SET referral_code = NULL WHERE id = ?", "i", b),
                     0);
    char lazy[LOY_REFERRAL_CODE_MAX];
    code_of(f, b, lazy);
    assert_int_equal(strlen(lazy), LOY_REFERRAL_CODE_LEN);
    assert_string_not_equal(lazy, other);
    assert_string_equal(code_of(f, b, again), lazy);
}

/* ---- fraud: each refused or flagged, audited, never paid ---- */

/* The member's referral points and every referral entry after the job, past any window. */
static void expect_nothing_paid(fx *f)
{
    jobs(f, NOW + 40 * LOY_DAY);
    assert_int_equal(all_bonus(f), 0);
    assert_int_equal(bonus(f, f->a), 0);
}

static void test_self_same_member(void **state)
{
    fx *f = *state;
    loy_err err;
    int64_t before = members(f);
    /* Aisyah joins again with her own link, her own phone and email */
    int rc = join_page(f, f->bsr, "Aisyah", A_PHONE, A_EMAIL, f->code, NULL, &err);
    assert_int_equal(rc, LOY_ECONFLICT);
    assert_int_equal(members(f), before);
    expect_referral(f, f->a, f->a, "refused", "self_referral");
    assert_int_equal(audits(f, "self_referral"), 1);
    /* trying again is recorded once */
    assert_int_equal(join_page(f, f->bsr, "Aisyah", A_PHONE, A_EMAIL, f->code, NULL, &err),
                     LOY_ECONFLICT);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM referrals"), 1);
    buy(f, f->a, 5000);
    expect_nothing_paid(f);
    expect_referral(f, f->a, f->a, "refused", "self_referral");
}

static void test_self_same_phone(void **state)
{
    fx *f = *state;
    loy_err err;
    /* staff enrol "someone new" with Aisyah's phone written another way and a new email */
    int rc = create(f,
                    json_pack("{s:s, s:s, s:s, s:s}", "name", "Aisyah R", "phone", "+60121111111",
                              "email", "another@example.com", "referral_code", f->code),
                    NULL, &err);
    assert_int_equal(rc, LOY_ECONFLICT);
    assert_string_equal(err.field, "phone");
    expect_referral(f, f->a, f->a, "refused", "self_referral");
    assert_int_equal(sfx_q(&f->app->conn,
                           "SELECT count(*) FROM audit WHERE action = "
                           "'referral.refuse' AND detail LIKE '%\"matched\":\"phone\"%'"),
                     1);
    expect_nothing_paid(f);
}

static void test_self_same_email_folded(void **state)
{
    fx *f = *state;
    loy_err err;
    int rc = join_page(f, f->pj, "A. Rahman", "+60 12-999 0000", "AISYAH@Example.COM", f->code,
                       NULL, &err);
    assert_int_equal(rc, LOY_ECONFLICT);
    assert_string_equal(err.field, "email");
    expect_referral(f, f->a, f->a, "refused", "self_referral");
    assert_int_equal(audits(f, "self_referral"), 1);
    assert_int_equal(sfx_q(&f->app->conn,
                           "SELECT count(*) FROM audit WHERE action = "
                           "'referral.refuse' AND detail LIKE '%\"matched\":\"email\"%'"),
                     1);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM members WHERE phone = "
                                          "'+60129990000'"),
                     0);
    expect_nothing_paid(f);
}

static void test_already_member(void **state)
{
    fx *f = *state;
    loy_err err;
    int64_t budi = 0;
    assert_int_equal(
        create(f, json_pack("{s:s, s:s}", "name", "Budi", "phone", "+60 12-222 2222"), &budi, &err),
        0);
    f->app->now = NOW + HOUR;
    /* Budi "joins" with Aisyah's link: he is a member already */
    int rc = join_page(f, f->bsr, "Budi", "+60 12-222 2222", NULL, f->code, NULL, &err);
    assert_int_equal(rc, LOY_ECONFLICT);
    expect_referral(f, f->a, budi, "refused", "already_member");
    assert_int_equal(audits(f, "already_member"), 1);
    /* his referrer is not changed, and his purchases pay no referral bonus */
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM members WHERE id = ? AND "
                            "referred_by IS NULL",
                            budi),
                     1);
    buy(f, budi, 5000);
    expect_nothing_paid(f);
    assert_int_equal(bonus(f, budi), 0);
}

static void test_velocity(void **state)
{
    fx *f = *state;
    int64_t r[4];
    const char *phones[] = {"+60 13-000 0001", "+60 13-000 0002", "+60 13-000 0003",
                            "+60 13-000 0004"};
    for (int i = 0; i < 4; i++) {
        f->app->now = NOW + (i + 1) * 600; /* the same local day */
        char name[16];
        snprintf(name, sizeof(name), "Friend %d", i + 1);
        r[i] = referred(f, name, phones[i], f->code);
    }
    for (int i = 0; i < 3; i++) expect_referral(f, f->a, r[i], "pending", NULL);
    expect_referral(f, f->a, r[3], "flagged", "velocity"); /* the 4th of the day: max_per_day 3 */
    assert_int_equal(audits(f, "velocity"), 1);
    /* the member exists and is referred; the flagged referral pays nothing */
    assert_int_equal(sfx_qi(&f->app->conn, "SELECT referred_by FROM members WHERE id = ?", r[3]),
                     f->a);
    f->app->now = NOW + 2 * HOUR;
    buy(f, r[3], 2500);
    jobs(f, NOW + 40 * LOY_DAY);
    assert_int_equal(bonus(f, r[3]), 0);
    assert_int_equal(bonus(f, f->a), 0);
    expect_referral(f, f->a, r[3], "flagged", "velocity");
    /* the owner sees it */
    json_t *params = json_pack("{s:s}", "status", "flagged"), *resp = NULL;
    loy_err err;
    assert_int_equal(loy_app_referral_list(f->app, params, &resp, &err), 0);
    assert_int_equal(json_array_size(json_object_get(resp, "referrals")), 1);
    json_t *x = json_array_get(json_object_get(resp, "referrals"), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(x, "referee"), "id")),
                     r[3]);
    assert_string_equal(json_string_value(json_object_get(json_object_get(x, "referrer"), "name")),
                        "Aisyah Rahman");
    json_decref(resp);
    json_decref(params);
    /* the next local day starts a new count */
    f->app->now = NOW + 14 * HOUR + 1800; /* 16:30Z = 00:30 the next day in Kuala Lumpur */
    int64_t next = referred(f, "Friend 5", "+60 13-000 0005", f->code);
    expect_referral(f, f->a, next, "pending", NULL);
}

static void test_ring_two(void **state)
{
    fx *f = *state;
    loy_err err;
    /* A refers B; then A "joins" with B's link */
    int64_t b = referred(f, "Budi", "+60 12-222 2222", f->code);
    char bcode[LOY_REFERRAL_CODE_MAX];
    code_of(f, b, bcode);
    f->app->now = NOW + HOUR;
    assert_int_equal(join_page(f, f->bsr, "Aisyah", A_PHONE, NULL, bcode, NULL, &err),
                     LOY_ECONFLICT);
    expect_referral(f, b, f->a, "flagged", "ring");
    assert_int_equal(audits(f, "ring"), 1);
    buy(f, f->a, 5000);
    jobs(f, NOW + 40 * LOY_DAY);
    assert_int_equal(bonus(f, b), 0);
    assert_int_equal(bonus(f, f->a), 0);
    expect_referral(f, b, f->a, "flagged", "ring");
}

static void test_ring_three(void **state)
{
    fx *f = *state;
    loy_err err;
    int64_t b = referred(f, "Budi", "+60 12-222 2222", f->code);
    char bcode[LOY_REFERRAL_CODE_MAX], ccode[LOY_REFERRAL_CODE_MAX];
    int64_t c = referred(f, "Chandra", "+60 12-333 3333", code_of(f, b, bcode));
    code_of(f, c, ccode);
    f->app->now = NOW + HOUR;
    assert_int_equal(join_page(f, f->pj, "Aisyah", NULL, A_EMAIL, ccode, NULL, &err),
                     LOY_ECONFLICT);
    expect_referral(f, c, f->a, "flagged", "ring");
    assert_int_equal(audits(f, "ring"), 1);
    buy(f, f->a, 5000);
    jobs(f, NOW + 40 * LOY_DAY);
    assert_int_equal(bonus(f, c), 0);
    assert_int_equal(bonus(f, f->a), 0);
    expect_referral(f, c, f->a, "flagged", "ring");
}

/* ---- the happy path ---- */

static void test_happy_path(void **state)
{
    fx *f = *state;
    loy_err err;
    f->app->now = NOW + HOUR;
    int64_t b = referred(f, "Budi Santoso", "+60 12-222 2222", f->code);
    assert_int_equal(sfx_qi(&f->app->conn, "SELECT referred_by FROM members WHERE id = ?", b),
                     f->a);
    expect_referral(f, f->a, b, "pending", NULL);
    assert_int_equal(audits(f, "velocity") + audits(f, "self_referral"), 0);

    /* RM5.00 is below the programme's minimum first purchase (RM10.00) */
    f->app->now = NOW + 2 * HOUR;
    buy(f, b, 500);
    expect_referral(f, f->a, b, "pending", NULL);
    /* RM25.00 qualifies: the window runs 14 days from the purchase */
    f->app->now = NOW + 3 * HOUR;
    int64_t p = buy(f, b, 2500);
    expect_referral(f, f->a, b, "qualified", NULL);
    json_t *r = referral(f, f->a, b);
    assert_int_equal(json_integer_value(json_object_get(r, "purchase_id")), p);
    assert_string_equal(json_string_value(json_object_get(r, "qualifies_at")),
                        "2026-03-16T05:00:00Z");
    json_decref(r);
    /* a later purchase changes nothing */
    f->app->now = NOW + 4 * HOUR;
    buy(f, b, 3000);
    r = referral(f, f->a, b);
    assert_int_equal(json_integer_value(json_object_get(r, "purchase_id")), p);
    json_decref(r);

    /* the job inside the window pays nothing */
    assert_int_equal(jobs(f, NOW + 3 * HOUR + 14 * LOY_DAY - 1), 0);
    assert_int_equal(all_bonus(f), 0);
    expect_referral(f, f->a, b, "qualified", NULL);
    /* after it: both bonuses, once, in the ledger as kind referral */
    int64_t a_points = sfx_balances(&f->app->conn, f->a).points;
    assert_int_equal(jobs(f, NOW + 15 * LOY_DAY), 1);
    assert_int_equal(bonus(f, f->a), 100);
    assert_int_equal(bonus(f, b), 50);
    assert_int_equal(sfx_balances(&f->app->conn, f->a).points, a_points + 100);
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM ledger WHERE kind = 'referral' AND ref_type = "
                            "'referral' AND ref_id = ?",
                            referral_id(f, f->a, b)),
                     2);
    expect_referral(f, f->a, b, "awarded", NULL);
    r = referral(f, f->a, b);
    assert_int_equal(json_integer_value(json_object_get(r, "referrer_points")), 100);
    assert_int_equal(json_integer_value(json_object_get(r, "referee_points")), 50);
    assert_string_equal(json_string_value(json_object_get(r, "awarded_at")),
                        "2026-03-17T02:00:00Z");
    json_decref(r);
    assert_int_equal(
        sfx_q(&f->app->conn, "SELECT count(*) FROM outbox WHERE kind = 'referral.awarded'"), 1);
    /* running the job again pays nothing more */
    assert_int_equal(jobs(f, NOW + 16 * LOY_DAY), 0);
    assert_int_equal(bonus(f, f->a), 100);
    assert_int_equal(bonus(f, b), 50);
    assert_int_equal(
        sfx_q(&f->app->conn, "SELECT count(*) FROM outbox WHERE kind = 'referral.awarded'"), 1);

    /* the referrer's view lists Budi: awarded, RM60.00 of revenue (5 + 25 + 30) */
    json_t *v = NULL;
    char ref[16];
    snprintf(ref, sizeof(ref), "%lld", (long long)f->a);
    assert_int_equal(loy_app_member_view(f->app, ref, &v, &err), 0);
    assert_int_equal(loy_app_referral_attach(f->app, v, &err), 0);
    json_t *rs = json_object_get(v, "referrals");
    assert_int_equal(json_integer_value(json_object_get(rs, "count")), 1);
    assert_int_equal(json_integer_value(json_object_get(rs, "awarded")), 1);
    json_t *x = json_array_get(json_object_get(rs, "referred"), 0);
    assert_int_equal(json_integer_value(json_object_get(x, "id")), b);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "Budi Santoso");
    assert_string_equal(json_string_value(json_object_get(x, "status")), "awarded");
    assert_int_equal(json_integer_value(json_object_get(x, "revenue")), 6000);
    assert_string_equal(json_string_value(json_object_get(x, "revenue_display")), "RM60.00");
    json_decref(v);

    /* the advocacy report counts the awarded referral */
    json_t *params = json_pack("{s:s, s:s}", "from", "2026-03-01", "to", "2026-03-31"), *adv = NULL;
    f->app->now = NOW + 16 * LOY_DAY;
    assert_int_equal(loy_app_report(f->app, "advocacy", params, &adv, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(adv, "referrals_awarded")), 1);
    int seen = 0;
    size_t i;
    json_array_foreach(json_object_get(adv, "members"), i, x)
    {
        if (json_integer_value(json_object_get(x, "member_id")) != f->a) continue;
        seen++;
        assert_int_equal(json_integer_value(json_object_get(x, "referrals_awarded")), 1);
        assert_int_equal(json_integer_value(json_object_get(x, "referred_revenue")), 6000);
        assert_null(json_object_get(x, "referred_clv")); /* no model fitted */
    }
    assert_int_equal(seen, 1);
    json_decref(adv);
    json_decref(params);
}

static void test_refund_before_award(void **state)
{
    fx *f = *state;
    int64_t b = referred(f, "Budi", "+60 12-222 2222", f->code);
    int64_t c = referred(f, "Chandra", "+60 12-333 3333", f->code);
    int64_t d = referred(f, "Dewi", "+60 12-444 4444", f->code);
    f->app->now = NOW + HOUR;
    int64_t pb = buy(f, b, 2500), pc = buy(f, c, 2500), pd = buy(f, d, 2500);
    f->app->now = NOW + 2 * LOY_DAY; /* inside the window */
    refund(f, pb, 2500);             /* wholly */
    refund(f, pc, 1000);             /* RM15.00 left: still at least RM10.00 */
    refund(f, pd, 2000);             /* RM5.00 left: below the minimum */
    assert_int_equal(jobs(f, NOW + 20 * LOY_DAY), 1);
    expect_referral(f, f->a, b, "refused", "refunded");
    expect_referral(f, f->a, c, "awarded", NULL);
    expect_referral(f, f->a, d, "refused", "refunded");
    assert_int_equal(audits(f, "refunded"), 2);
    assert_int_equal(bonus(f, b), 0);
    assert_int_equal(bonus(f, d), 0);
    assert_int_equal(bonus(f, c), 50);
    assert_int_equal(bonus(f, f->a), 100); /* for Chandra only */
    assert_int_equal(jobs(f, NOW + 30 * LOY_DAY), 0);
    assert_int_equal(bonus(f, f->a), 100);
}

static void test_owner_review(void **state)
{
    fx *f = *state;
    loy_err err;
    const char *phones[] = {"+60 13-000 0001", "+60 13-000 0002", "+60 13-000 0003",
                            "+60 13-000 0004", "+60 13-000 0005"};
    int64_t r[5];
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "Friend %d", i + 1);
        r[i] = referred(f, name, phones[i], f->code);
    }
    expect_referral(f, f->a, r[3], "flagged", "velocity");
    expect_referral(f, f->a, r[4], "flagged", "velocity");
    int64_t approve_id = referral_id(f, f->a, r[3]), reject_id = referral_id(f, f->a, r[4]);
    /* the flagged referee buys while the referral waits for the owner */
    f->app->now = NOW + HOUR;
    int64_t p = buy(f, r[3], 2500);
    buy(f, r[4], 2500);
    json_t *resp = NULL;
    f->app->now = NOW + 2 * HOUR;
    snprintf(f->app->actor, sizeof(f->app->actor), "user:owner");
    assert_int_equal(loy_app_referral_decide(f->app, approve_id, true, &resp, &err), 0);
    json_t *x = json_object_get(resp, "referral");
    assert_string_equal(json_string_value(json_object_get(x, "status")), "qualified");
    assert_string_equal(json_string_value(json_object_get(x, "decision")), "approved");
    assert_string_equal(json_string_value(json_object_get(x, "decided_by")), "user:owner");
    assert_int_equal(json_integer_value(json_object_get(x, "purchase_id")), p);
    json_decref(resp);
    assert_int_equal(loy_app_referral_decide(f->app, reject_id, false, &resp, &err), 0);
    json_decref(resp);
    expect_referral(f, f->a, r[4], "refused", "velocity");
    assert_int_equal(
        sfx_q(&f->app->conn, "SELECT count(*) FROM audit WHERE action = 'referral.approve'"), 1);
    assert_int_equal(
        sfx_q(&f->app->conn, "SELECT count(*) FROM audit WHERE action = 'referral.reject'"), 1);
    /* decisions only on flagged ones, and on ones that exist */
    assert_int_equal(loy_app_referral_decide(f->app, reject_id, true, &resp, &err), LOY_ECONFLICT);
    assert_string_equal(err.field, "status");
    assert_int_equal(loy_app_referral_decide(f->app, referral_id(f, f->a, r[0]), true, &resp, &err),
                     LOY_ECONFLICT);
    assert_int_equal(loy_app_referral_decide(f->app, 999999, true, &resp, &err), LOY_ENOTFOUND);
    assert_string_equal(err.field, "id");
    assert_null(resp);
    /* the approved one pays after the window (the rules do not flag it again), the rejected
     * one never */
    assert_int_equal(jobs(f, NOW + HOUR + 14 * LOY_DAY - 1), 0);
    assert_int_equal(jobs(f, NOW + 15 * LOY_DAY), 1);
    assert_int_equal(bonus(f, r[3]), 50);
    assert_int_equal(bonus(f, r[4]), 0);
    assert_int_equal(bonus(f, f->a), 100);
    expect_referral(f, f->a, r[3], "awarded", "velocity"); /* why it was held stays */
    expect_referral(f, f->a, r[4], "refused", "velocity");
}

/* ---- bad input changes nothing ---- */

static void test_bad_input(void **state)
{
    fx *f = *state;
    loy_err err;
    int64_t before = members(f);
    int64_t id = 0;
    assert_int_equal(create(f,
                            json_pack("{s:s, s:s, s:s}", "name", "Eka", "phone", "+60 12-555 5555",
                                      "referral_code", "ZZZZ2222"),
                            &id, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    assert_non_null(strstr(err.message, "ZZZZ2222"));
    assert_int_equal(create(f,
                            json_pack("{s:s, s:s, s:s}", "name", "Eka", "phone", "+60 12-555 5555",
                                      "referral_code", "no!"),
                            &id, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    assert_int_equal(
        create(f, json_pack("{s:s, s:s}", "name", "Eka", "referral_code", ""), &id, &err),
        LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    assert_int_equal(
        create(f, json_pack("{s:s, s:i}", "name", "Eka", "referral_code", 12345678), &id, &err),
        LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    /* a code that disagrees with referred_by */
    int64_t b = referred(f, "Budi", "+60 12-222 2222", NULL);
    before = members(f);
    assert_int_equal(
        create(f,
               json_pack("{s:s, s:s, s:I, s:s}", "name", "Eka", "phone", "+60 12-555 5555",
                         "referred_by", (json_int_t)b, "referral_code", f->code),
               &id, &err),
        LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    assert_int_equal(join_page(f, f->bsr, "Eka", "+60 12-555 5555", NULL, "ZZZZ2222", &id, &err),
                     LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    assert_int_equal(members(f), before);
    assert_int_equal(sfx_q(&f->app->conn, "SELECT count(*) FROM referrals"), 0);
    /* not writable afterwards */
    json_t *req = json_pack("{s:s}", "referral_code", f->code), *resp = NULL;
    char ref[16];
    snprintf(ref, sizeof(ref), "%lld", (long long)b);
    assert_int_equal(loy_app_member_update(f->app, ref, req, &resp, &err), LOY_EINVALID);
    assert_string_equal(err.field, "referral_code");
    json_decref(req);
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM members WHERE id = ? AND "
                            "referred_by IS NULL",
                            b),
                     1);
    /* the list's parameters */
    const char *bad[][3] = {{"status", "nope", "status"},
                            {"limit", "0", "limit"},
                            {"limit", "101", "limit"},
                            {"before", "x", "before"},
                            {"colour", "red", "colour"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *params = json_pack("{s:s}", bad[i][0], bad[i][1]);
        resp = NULL;
        assert_int_equal(loy_app_referral_list(f->app, params, &resp, &err), LOY_EINVALID);
        assert_string_equal(err.field, bad[i][2]);
        assert_null(resp);
        json_decref(params);
    }
    /* ids that are no referral */
    assert_int_equal(loy_app_referral_decide(f->app, 0, true, &resp, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_app_referral_decide(f->app, -5, false, &resp, &err), LOY_ENOTFOUND);
    assert_int_equal(loy_app_referral_decide(f->app, 424242, false, &resp, &err), LOY_ENOTFOUND);
    assert_string_equal(err.field, "id");
}

/* ---- privacy: exported with the member; erasing refuses what is open ---- */

static void test_privacy(void **state)
{
    fx *f = *state;
    loy_err err;
    int64_t b = referred(f, "Budi", "+60 12-222 2222", f->code);
    int64_t c = referred(f, "Chandra", "+60 12-333 3333", f->code);
    json_t *doc = NULL;
    char ref[16];
    snprintf(ref, sizeof(ref), "%lld", (long long)f->a);
    assert_int_equal(loy_app_member_export(f->app, ref, &doc, &err), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "tables"), "referrals")),
                     2);
    json_decref(doc);
    /* Budi is erased: his open referral can never pay */
    json_t *req = json_pack("{s:s}", "reason", "asked to be forgotten"), *resp = NULL;
    snprintf(ref, sizeof(ref), "%lld", (long long)b);
    assert_int_equal(loy_app_member_erase(f->app, ref, req, &resp, &err), 0);
    json_decref(resp);
    expect_referral(f, f->a, b, "refused", "erased");
    assert_int_equal(audits(f, "erased"), 1);
    expect_referral(f, f->a, c, "pending", NULL);
    /* Aisyah is erased: her code and link stop working */
    snprintf(ref, sizeof(ref), "%lld", (long long)f->a);
    assert_int_equal(loy_app_member_erase(f->app, ref, req, &resp, &err), 0);
    json_decref(resp);
    json_decref(req);
    assert_int_equal(sfx_qi(&f->app->conn,
                            "SELECT count(*) FROM members WHERE id = ? AND "
                            "referral_code IS NULL",
                            f->a),
                     1);
    char path[128], want[128];
    assert_int_equal(loy_app_referral_landing(f->app, f->code, path, sizeof(path), &err), 0);
    snprintf(want, sizeof(want), "/join/%lld", (long long)f->bsr);
    assert_string_equal(path, want);
    expect_referral(f, f->a, c, "refused", "erased");
    buy(f, c, 2500);
    expect_nothing_paid(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_codes_and_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_same_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_same_phone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_same_email_folded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_already_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_velocity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_two, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_three, setup, teardown),
        cmocka_unit_test_setup_teardown(test_happy_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refund_before_award, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_review, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_privacy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
