/* Engagement triggers in the use cases: event triggers inside the join and purchase
 * transactions, the daily triggers of the daily jobs, and when those jobs are due (triggers.h). */
#include "app/triggers.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "app/messages.h"
#include "app/models.h"
#include "core/triggers.h"
#include "store/store_triggers.h"

static const loy_trigger daily[] = {LOY_TRIG_BIRTHDAY, LOY_TRIG_ANNIVERSARY, LOY_TRIG_REORDER,
                                    LOY_TRIG_WINBACK, LOY_TRIG_EXPIRING};
#define NDAILY (sizeof(daily) / sizeof(daily[0]))

static int64_t local_day(const loy_tz *tz, int64_t utc)
{
    return loy_day_of(loy_tz_local(tz, utc));
}

/* Queues the message of one due trigger with its configured offer and template. */
static int queue(loy_app *app, int64_t member, const loy_trigger_due *d, int64_t not_before,
                 int64_t now, bool *queued, loy_err *err)
{
    const loy_trigger_cfg *c = &app->prog->triggers.t[d->trigger];
    loy_msg_req req = {.member_id = member,
                       .trigger = loy_trigger_name(d->trigger),
                       .template_id = c->template_id[0] ? c->template_id : NULL,
                       .key = d->key,
                       .cls = LOY_MSG_MARKETING,
                       .offer_reward = c->offer[0] ? c->offer : NULL,
                       .not_before = not_before};
    return loy_app_message_queue(app, &req, now, queued, err);
}

static int queue_events(loy_app *app, int64_t member, const loy_trigger_due *due, size_t n,
                        int64_t now, loy_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        int64_t delay = app->prog->triggers.t[due[i].trigger].delay_minutes;
        bool queued = false;
        rc = queue(app, member, &due[i], delay ? now + delay * 60 : 0, now, &queued, err);
    }
    return rc;
}

int loy_app_triggers_joined(loy_app *app, int64_t member, int64_t now, loy_err *err)
{
    loy_trigger_due due[LOY_TRIG_COUNT];
    size_t n = loy_triggers_joined(&app->prog->triggers, member, due);
    return queue_events(app, member, due, n, now, err);
}

int loy_app_triggers_purchased(loy_app *app, int64_t member, int64_t purchase, int64_t nth,
                               int64_t at, const loy_outcome *o, int64_t now, loy_err *err)
{
    if (at < now - LOY_DAY) return 0; /* history: the moment has passed */
    loy_trigger_due due[LOY_TRIG_COUNT];
    size_t n =
        loy_triggers_purchased(&app->prog->triggers, purchase, nth, o->events, o->tier_after, due);
    return queue_events(app, member, due, n, now, err);
}

/* ---- the daily triggers ---- */

typedef struct {
    loy_model_score *scores; /* ascending by member; NULL when P(alive) is not used or known */
    size_t nscores;
    int64_t queued, by[LOY_TRIG_COUNT];
} run_state;

static int cmp_score(const void *key, const void *elem)
{
    int64_t a = *(const int64_t *)key, b = ((const loy_model_score *)elem)->member;
    return (a > b) - (a < b);
}

static int p_alive_milli(const run_state *r, int64_t member)
{
    const loy_model_score *s =
        r->scores ? bsearch(&member, r->scores, r->nscores, sizeof(*s), cmp_score) : NULL;
    if (!s || !isfinite(s->p_alive)) return -1;
    double x = floor(s->p_alive * 1000.0);
    return x < 0 ? 0 : x > 1000 ? 1000 : (int)x;
}

/* Fills what the rules need to know about the loaded member, in the member's zone. */
static int member_facts(loy_app *app, const loy_loaded *m, const loy_tz *tz, int64_t now,
                        const run_state *r, int64_t *visits, loy_trigger_member *tm, loy_err *err)
{
    const loy_trigger_settings *s = &app->prog->triggers;
    memset(tm, 0, sizeof(*tm));
    tm->today = local_day(tz, now);
    tm->bday_day = m->row.bday_day;
    tm->bday_month = m->row.bday_month;
    tm->bday_set_day =
        m->row.birthday_set_at > 0 ? local_day(tz, m->row.birthday_set_at) : LOY_DAY_NONE;
    tm->first_purchase_day =
        m->row.first_purchase_at > 0 ? local_day(tz, m->row.first_purchase_at) : LOY_DAY_NONE;
    tm->purchases = m->row.purchases;
    tm->p_alive_milli = p_alive_milli(r, m->row.id);
    tm->expiring_day = LOY_DAY_NONE;
    if (s->t[LOY_TRIG_EXPIRING].on) {
        loy_ctx ctx = loy_app_ctx(app, now);
        int64_t first = 0;
        tm->expiring_points =
            loy_engine_expiring(&ctx, &m->st, s->t[LOY_TRIG_EXPIRING].days_before, &first);
        if (tm->expiring_points > 0 && first > 0) tm->expiring_day = local_day(tz, first);
    }
    size_t nv = 0;
    int rc = loy_store_member_visits(&app->conn, app->merchant, m->row.id, visits,
                                     LOY_TRIG_GAPS + 1, &nv, err);
    for (size_t i = 0; !rc && i < nv; i++) visits[i] = local_day(tz, visits[i]);
    tm->purchase_days = visits;
    tm->npurchase_days = nv;
    const char *names[NDAILY];
    char keys[NDAILY][LOY_JOB_DATE_MAX];
    for (size_t i = 0; i < NDAILY; i++) names[i] = loy_trigger_name(daily[i]);
    for (int t = 0; t < LOY_TRIG_COUNT; t++) tm->last_fired[t] = LOY_DAY_NONE;
    if (!rc)
        rc = loy_store_trigger_last(&app->conn, app->merchant, m->row.id, names, NDAILY, keys, err);
    for (size_t i = 0; !rc && i < NDAILY; i++) {
        int64_t d;
        if (keys[i][0] && loy_date_parse(keys[i], &d)) tm->last_fired[daily[i]] = d;
    }
    return rc;
}

/* Decides in a read transaction; only a member with something due takes the write lock (the
 * server's cashiers write meanwhile), and the message queue keeps one per key whatever happened
 * in between. */
static int daily_member(loy_app *app, int64_t id, int64_t now, run_state *r, loy_err *err)
{
    loy_loaded m = {0};
    loy_trigger_due due[LOY_TRIG_COUNT];
    size_t n = 0;
    int64_t not_before = 0;
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    rc = loy_app_load_id(app, id, false, now, &m, err);
    if (!rc && !m.row.erased_at) {
        const loy_tz *tz = loy_app_member_tz(app, &m.row);
        int64_t visits[LOY_TRIG_GAPS + 1];
        loy_trigger_member tm;
        rc = member_facts(app, &m, tz, now, r, visits, &tm, err);
        if (!rc) n = loy_triggers_daily(&app->prog->triggers, &tm, due);
        /* not before send_at on the member's own date (a time already past: at once) */
        not_before =
            loy_tz_to_utc(tz, tm.today * LOY_DAY + (int64_t)app->prog->triggers.send_at * 60);
    }
    loy_db_rollback(&app->conn);
    loy_loaded_free(&m);
    if (rc || n == 0) return rc;
    if ((rc = loy_db_begin(&app->conn, true, err))) return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        bool queued = false;
        rc = queue(app, id, &due[i], not_before, now, &queued, err);
        if (!rc && queued) {
            r->queued++;
            r->by[due[i].trigger]++;
        }
    }
    if (!rc) rc = loy_db_commit(&app->conn, err);
    if (rc) loy_db_rollback(&app->conn); /* the run fails: no summary is reported */
    return rc;
}

/* P(alive) of every scored member from the latest fit, when win-back asks for it. */
static int load_scores(loy_app *app, int64_t now, run_state *r, loy_err *err)
{
    const loy_trigger_cfg *w = &app->prog->triggers.t[LOY_TRIG_WINBACK];
    if (!w->on || w->p_alive_below_milli <= 0) return 0;
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    rc = loy_app_model_scores(app, NULL, now, 0, LOY_MODEL_DISCOUNT, NULL, 0, &r->scores,
                              &r->nscores, NULL, err);
    loy_db_rollback(&app->conn);
    if (rc == LOY_ENOTFOUND) { /* no model fitted: win-back goes by days only */
        loy_err_clear(err);
        rc = 0;
    }
    return rc;
}

static int daily_members(loy_app *app, int64_t now, run_state *r, loy_err *err)
{
    bool any = false;
    for (size_t i = 0; i < NDAILY; i++) any |= app->prog->triggers.t[daily[i]].on;
    if (!any) return 0;
    int rc = load_scores(app, now, r, err);
    int64_t after = 0, ids[256];
    int n = 0;
    while (!rc) {
        if ((rc = loy_db_begin(&app->conn, false, err))) break;
        rc = loy_store_members_page(&app->conn, app->merchant, after, 256, ids, &n, err);
        loy_db_rollback(&app->conn);
        for (int i = 0; !rc && i < n; i++) {
            rc = loy_app_jobs_stopping(app, err);
            if (!rc) rc = daily_member(app, ids[i], now, r, err);
            after = ids[i];
        }
        if (n < 256) break;
    }
    return rc;
}

int loy_app_triggers_daily(loy_app *app, int64_t now, json_t *summary, loy_err *err)
{
    run_state r;
    memset(&r, 0, sizeof(r));
    int rc = daily_members(app, now, &r, err);
    free(r.scores);
    if (!rc && !(rc = loy_db_begin(&app->conn, true, err))) {
        char date[LOY_JOB_DATE_MAX];
        loy_date_format(date, sizeof(date), local_day(app->tz, now));
        rc = loy_store_job_ran(&app->conn, app->merchant, LOY_JOB_DAILY, date, now,
                               loy_app_now(app), err);
        if (!rc) rc = loy_db_commit(&app->conn, err);
        if (rc) loy_db_rollback(&app->conn);
    }
    if (rc) return rc;
    json_t *by = json_object();
    for (size_t i = 0; i < NDAILY; i++)
        json_object_set_new(by, loy_trigger_name(daily[i]), json_integer(r.by[daily[i]]));
    json_object_set_new(summary, "messages_queued", json_integer(r.queued));
    json_object_set_new(summary, "messages_by_trigger", by);
    return 0;
}

int loy_app_jobs_stopping(const loy_app *app, loy_err *err)
{
    if (!app->stop || !atomic_load(app->stop)) return 0;
    return loy_err_set(err, LOY_EBUSY, "", "stopped before the daily jobs were done");
}

int loy_app_jobs_due(loy_app *app, int64_t now, bool *due, char date[16], loy_err *err)
{
    *due = false;
    if (!app->merchant) return loy_err_set(err, LOY_ENOTFOUND, "db", "run `loyalty init` first");
    int64_t local = loy_tz_local(app->tz, now), today = loy_day_of(local);
    loy_date_format(date, 16, today);
    if ((local - today * LOY_DAY) / 60 < app->prog->triggers.send_at) return 0;
    char last[LOY_JOB_DATE_MAX];
    int rc = loy_db_begin(&app->conn, false, err);
    if (rc) return rc;
    rc = loy_store_job_last(&app->conn, app->merchant, LOY_JOB_DAILY, last, err);
    loy_db_rollback(&app->conn);
    if (!rc) *due = strcmp(last, date) < 0;
    return rc;
}
