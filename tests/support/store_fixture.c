/* Shared set-up of the store contract suite (see store_fixture.h). */
#include "store_fixture.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static const char *const minimal_programme =
    "{\"merchant\": {\"name\": \"Fixture Shop\", \"currency\": \"MYR\", \"timezone\": \"UTC\", "
    "\"locale\": \"en\"}, \"points\": {\"earn\": [{\"id\": \"base\", \"points_per_unit\": 1}]}}";

static int counter;

void sfx_new_target(char *out, size_t outsz, const char *tag)
{
    const char *dir = getenv("LOY_TEST_TMP");
    if (!dir || !*dir) dir = "/tmp";
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) fail_msg("cannot create %s", dir);
    snprintf(out, outsz, "%s/store-%ld-%d-%s.db", dir, (long)getpid(), ++counter, tag);
    sfx_remove_target(out);
}

void sfx_remove_target(const char *path)
{
    char side[600];
    remove(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    remove(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    remove(side);
}

int sfx_setup(void **state)
{
    sfx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    loy_err err;
    sfx_new_target(f->path, sizeof(f->path), "t");
    int rc = loy_conn_open(&f->c, f->path, NULL, &err);
    if (rc) fail_msg("open %s: %s", f->path, err.message);
    rc = loy_programme_parse(&f->prog, minimal_programme, strlen(minimal_programme), &err);
    if (rc) fail_msg("programme: %s", err.message);
    f->merchant = sfx_merchant(f, "Fixture Shop");
    *state = f;
    return 0;
}

int sfx_teardown(void **state)
{
    sfx *f = *state;
    if (!f) return 0;
    loy_conn_close(&f->c);
    loy_programme_free(f->prog);
    sfx_remove_target(f->path);
    free(f);
    return 0;
}

int64_t sfx_merchant(sfx *f, const char *name)
{
    loy_err err;
    int64_t id = 0;
    (void)name;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    int rc = loy_store_merchant_create(&f->c, f->prog, SFX_NOW, &id, &err);
    if (rc) fail_msg("merchant_create: %s", err.message);
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_true(id > 0);
    return id;
}

int64_t sfx_member(sfx *f, int64_t merchant, const char *name, const char *phone, const char *email)
{
    static int tokens;
    loy_member_row m;
    loy_err err;
    memset(&m, 0, sizeof(m));
    m.merchant_id = merchant;
    snprintf(m.card_token, sizeof(m.card_token), "FIXTURECARD%09d%06ld", ++tokens,
             (long)getpid() % 1000000);
    m.name = (char *)name;
    m.phone = (char *)phone;
    m.email = (char *)email;
    snprintf(m.locale, sizeof(m.locale), "en");
    m.joined_at = m.updated_at = SFX_NOW;
    assert_int_equal(loy_db_begin(&f->c, true, &err), 0);
    int rc = loy_store_member_insert(&f->c, &m, &err);
    if (rc) {
        loy_db_rollback(&f->c);
        fail_msg("member_insert %s: %s", name, err.message);
    }
    assert_int_equal(loy_db_commit(&f->c, &err), 0);
    assert_true(m.id > 0);
    return m.id;
}

static void checked(int rc, const loy_err *err, const char *sql)
{
    if (rc) fail_msg("query failed (%d: %s): %s", rc, err->message, sql);
}

int64_t sfx_q(loy_conn *c, const char *sql)
{
    loy_err err;
    int64_t v = 0;
    checked(loy_db_scalar(c, &v, &err, sql, ""), &err, sql);
    return v;
}

int64_t sfx_qi(loy_conn *c, const char *sql, int64_t a)
{
    loy_err err;
    int64_t v = 0;
    checked(loy_db_scalar(c, &v, &err, sql, "i", a), &err, sql);
    return v;
}

int64_t sfx_qii(loy_conn *c, const char *sql, int64_t a, int64_t b)
{
    loy_err err;
    int64_t v = 0;
    checked(loy_db_scalar(c, &v, &err, sql, "ii", a, b), &err, sql);
    return v;
}

int64_t sfx_qt(loy_conn *c, const char *sql, const char *a)
{
    loy_err err;
    int64_t v = 0;
    checked(loy_db_scalar(c, &v, &err, sql, "t", a), &err, sql);
    return v;
}

sfx_bal sfx_balances(loy_conn *c, int64_t member)
{
    sfx_bal b;
    b.points = sfx_qi(c, "SELECT points FROM balances WHERE member_id = ?", member);
    b.pending = sfx_qi(c, "SELECT pending FROM balances WHERE member_id = ?", member);
    b.stamps = sfx_qi(c, "SELECT stamps FROM balances WHERE member_id = ?", member);
    b.giving = sfx_qi(c, "SELECT giving FROM balances WHERE member_id = ?", member);
    return b;
}

int64_t sfx_ledger_count(loy_conn *c)
{
    return sfx_q(c, "SELECT count(*) FROM ledger");
}

int64_t sfx_lot_remaining(loy_conn *c, int64_t lot)
{
    return sfx_qi(c, "SELECT coalesce(max(remaining), -1) FROM lots WHERE id = ?", lot);
}

void sfx_out_init(sfx_out *so)
{
    memset(so, 0, sizeof(*so));
    so->o.entries = so->e;
    so->o.cap_entries = SFX_ROOM;
}

size_t sfx_add(sfx_out *so, loy_account acc, loy_entry_kind kind, int64_t amount, int64_t lot,
               const char *rule)
{
    assert_true(so->o.nentries < SFX_ROOM);
    size_t i = so->o.nentries++;
    loy_entry *e = &so->e[i];
    memset(e, 0, sizeof(*e));
    e->account = acc;
    e->kind = kind;
    e->amount = amount;
    e->lot = lot;
    snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");
    return i;
}

int sfx_apply(sfx *f, int64_t member, const sfx_out *so, const char *ref_type, int64_t ref_id,
              bool allow_debt, int64_t **ids, loy_err *err)
{
    loy_apply a = {"test", NULL, ref_type, ref_id, SFX_NOW, allow_debt};
    int rc = loy_db_begin(&f->c, true, err);
    if (rc) return rc;
    rc = loy_store_apply(&f->c, f->merchant, member, &so->o, &a, ids, err);
    if (!rc) rc = loy_db_commit(&f->c, err);
    if (rc) loy_db_rollback(&f->c);
    return rc;
}

typedef struct {
    char *buf;
    size_t sz;
} collect;

static void on_violation(void *ctx, const char *what)
{
    collect *col = ctx;
    if (!col->buf) return;
    size_t len = strlen(col->buf);
    snprintf(col->buf + len, col->sz - len, "%s\n", what);
}

int64_t sfx_verify(loy_conn *c, char *lines, size_t linesz)
{
    collect col = {lines, linesz};
    if (lines && linesz) lines[0] = '\0';
    int64_t n = -1;
    loy_err err;
    int rc = loy_store_verify(c, on_violation, &col, &n, &err);
    if (rc) fail_msg("verify failed (%d): %s", rc, err.message);
    return n;
}
