/* The "triggers" section of the programme file: parsing and validation with JSON-path errors
 * (see programme_triggers.h). */
#include "core/programme_triggers.h"

#include <stdio.h>
#include <string.h>

#include "core/programme_check.h"
#include "core/programme_messages.h"

static const char *const names[LOY_TRIG_COUNT] = {
    [LOY_TRIG_WELCOME] = "welcome",   [LOY_TRIG_THANKS] = "thanks",
    [LOY_TRIG_TIER_UP] = "tier_up",   [LOY_TRIG_REWARD] = "reward",
    [LOY_TRIG_BIRTHDAY] = "birthday", [LOY_TRIG_ANNIVERSARY] = "anniversary",
    [LOY_TRIG_REORDER] = "reorder",   [LOY_TRIG_WINBACK] = "winback",
    [LOY_TRIG_EXPIRING] = "expiring"};

/* The fields each trigger takes, NULL-terminated. */
static const char *const event_keys[] = {"on", "offer", "template", "delay_minutes", NULL};
static const char *const thanks_keys[] = {"on",       "after_purchases", "offer",
                                          "template", "delay_minutes",   NULL};
static const char *const reward_keys[] = {"on", "template", "delay_minutes", NULL};
static const char *const yearly_keys[] = {"on", "days_before", "offer", "template", NULL};
static const char *const reorder_keys[] = {"on",    "margin",   "min_purchases",
                                           "offer", "template", NULL};
static const char *const winback_keys[] = {
    "on", "p_alive_below", "days_without_visit", "every_days", "offer", "template", NULL};
static const char *const expiring_keys[] = {"on", "days_before", "template", NULL};

static const char *const *const keys_of[LOY_TRIG_COUNT] = {
    [LOY_TRIG_WELCOME] = event_keys,    [LOY_TRIG_THANKS] = thanks_keys,
    [LOY_TRIG_TIER_UP] = event_keys,    [LOY_TRIG_REWARD] = reward_keys,
    [LOY_TRIG_BIRTHDAY] = yearly_keys,  [LOY_TRIG_ANNIVERSARY] = yearly_keys,
    [LOY_TRIG_REORDER] = reorder_keys,  [LOY_TRIG_WINBACK] = winback_keys,
    [LOY_TRIG_EXPIRING] = expiring_keys};

const char *loy_trigger_name(loy_trigger t)
{
    return (unsigned)t < LOY_TRIG_COUNT ? names[t] : "";
}

void loy_trigger_settings_init(loy_trigger_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->send_at = 10 * 60;
    s->t[LOY_TRIG_THANKS].after_purchases = 1;
    s->t[LOY_TRIG_EXPIRING].days_before = 14;
    s->t[LOY_TRIG_REORDER].margin_milli = 1500;
    s->t[LOY_TRIG_REORDER].min_purchases = 3;
    s->t[LOY_TRIG_WINBACK].days_without_visit = 60;
    s->t[LOY_TRIG_WINBACK].every_days = 90;
}

/* A number with at most 3 decimals in [min, max] (thousandths), as thousandths. */
static int milli(loy_err *err, const char *path, const loy_jv *v, int64_t min, int64_t max,
                 int64_t *out)
{
    char what[96];
    snprintf(what, sizeof(what), "a number from %lld.%03lld to %lld.%03lld with at most 3 decimals",
             (long long)(min / 1000), (long long)(min % 1000), (long long)(max / 1000),
             (long long)(max % 1000));
    return loy_pc_scaled(err, path, v, 3, min, max, what, out);
}

/* ---- references into the document ---- */

static bool reward_exists(const loy_jv *root, const char *id)
{
    const loy_jv *rewards = loy_jv_get(root, "rewards");
    for (size_t i = 0; i < loy_jv_len(rewards); i++) {
        const char *s = loy_jv_str(loy_jv_get(loy_jv_at(rewards, i), "id"));
        if (s && !strcmp(s, id)) return true;
    }
    return false;
}

static bool template_exists(const loy_jv *root, const char *id)
{
    return loy_msg_trigger_known(id) ||
           loy_jv_get(loy_jv_get(loy_jv_get(root, "messages"), "templates"), id) != NULL;
}

static int ref(loy_err *err, const char *path, const loy_jv *v, const loy_jv *root, bool reward,
               char out[LOY_TRIG_REF_MAX])
{
    const char *s = v ? loy_jv_str(v) : NULL;
    if (!s || !*s || strlen(s) != loy_jv_str_len(v) || strlen(s) >= LOY_TRIG_REF_MAX ||
        !(reward ? reward_exists(root, s) : template_exists(root, s)))
        return loy_pc_fail(err, path, v, "%s",
                           reward
                               ? "the id of one of the programme's rewards"
                               : "the id of a template in messages.templates or a trigger's name");
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

/* ---- one trigger ---- */

static int field(loy_err *err, loy_trigger t, loy_trigger_cfg *c, const char *key, const char *path,
                 const loy_jv *x, const loy_jv *root)
{
    if (!strcmp(key, "on")) return loy_pc_bool(err, path, x, &c->on);
    if (!strcmp(key, "offer")) return ref(err, path, x, root, true, c->offer);
    if (!strcmp(key, "template")) return ref(err, path, x, root, false, c->template_id);
    if (!strcmp(key, "delay_minutes"))
        return loy_pc_integer(err, path, x, 0, 7 * 24 * 60, &c->delay_minutes);
    if (!strcmp(key, "days_before"))
        return t == LOY_TRIG_EXPIRING ? loy_pc_integer(err, path, x, 1, 365, &c->days_before)
                                      : loy_pc_integer(err, path, x, 0, 30, &c->days_before);
    if (!strcmp(key, "after_purchases"))
        return loy_pc_integer(err, path, x, 1, 1000, &c->after_purchases);
    if (!strcmp(key, "margin")) return milli(err, path, x, 1000, 10000, &c->margin_milli);
    if (!strcmp(key, "min_purchases"))
        return loy_pc_integer(err, path, x, 2, 1000, &c->min_purchases);
    if (!strcmp(key, "p_alive_below")) return milli(err, path, x, 0, 999, &c->p_alive_below_milli);
    if (!strcmp(key, "days_without_visit"))
        return loy_pc_integer(err, path, x, 0, 3660, &c->days_without_visit);
    return loy_pc_integer(err, path, x, 1, 3660, &c->every_days); /* every_days */
}

static int parse_trigger(loy_err *err, loy_trigger t, loy_trigger_cfg *c, const char *path,
                         const loy_jv *v, const loy_jv *root)
{
    char what[96], sub[LOY_PC_PATH_MAX];
    snprintf(what, sizeof(what), "an object like {\"on\": true} with the fields of \"%s\"",
             names[t]);
    int rc = loy_pc_object(err, path, v, keys_of[t], what);
    c->on = true; /* an object given turns the trigger on unless it says "on": false */
    for (size_t i = 0; !rc && i < loy_jv_len(v); i++) {
        loy_pc_child(sub, sizeof(sub), path, loy_jv_key_at(v, i));
        rc = field(err, t, c, loy_jv_key_at(v, i), sub, loy_jv_value_at(v, i), root);
    }
    if (!rc && t == LOY_TRIG_WINBACK && !c->p_alive_below_milli && !c->days_without_visit) {
        loy_pc_child(sub, sizeof(sub), path, "days_without_visit");
        rc = loy_err_set(err, LOY_EINVALID, sub,
                         "%s: win-back needs p_alive_below or days_without_visit above 0", sub);
    }
    return rc;
}

int loy_trigger_settings_parse(loy_trigger_settings *s, const char *path, const loy_jv *v,
                               const loy_jv *root, loy_err *err)
{
    static const char *const keys[] = {"send_at",     "welcome", "thanks",  "birthday",
                                       "anniversary", "reorder", "winback", "tier_up",
                                       "expiring",    "reward",  NULL};
    loy_trigger_settings_init(s);
    s->present = true;
    char sub[LOY_PC_PATH_MAX];
    if (loy_jv_typeof(v) == LOY_JV_OBJECT && loy_jv_get(v, "survey")) {
        loy_pc_child(sub, sizeof(sub), path, "survey");
        return loy_err_set(err, LOY_EINVALID, sub,
                           "%s: unknown field (survey invitations are set up with feedback, "
                           "not with triggers)",
                           sub);
    }
    int rc = loy_pc_object(err, path, v, keys,
                           "an object like {\"send_at\": \"10:00\", \"welcome\": {\"on\": true}}");
    for (size_t i = 0; !rc && i < loy_jv_len(v); i++) {
        const char *key = loy_jv_key_at(v, i);
        const loy_jv *x = loy_jv_value_at(v, i);
        loy_pc_child(sub, sizeof(sub), path, key);
        if (!strcmp(key, "send_at")) {
            rc = loy_pc_hhmm(err, sub, x, "10:00", &s->send_at);
            continue;
        }
        for (int t = 0; t < LOY_TRIG_COUNT; t++)
            if (!strcmp(names[t], key))
                rc = parse_trigger(err, (loy_trigger)t, &s->t[t], sub, x, root);
    }
    return rc;
}
