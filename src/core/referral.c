/* Referral rules (pure): the fraud verdict, status names and code normalisation. */
#include "core/referral.h"

#include <string.h>

static bool same_text(const char *a, const char *b)
{
    return a && b && *a && *b && strcmp(a, b) == 0;
}

/* What makes them the same person: the first shared phone, email or card, else the same id. */
static const char *self_match(const loy_ref_party *a, const loy_ref_party *b)
{
    if (same_text(a->phone, b->phone)) return "phone";
    if (same_text(a->email_folded, b->email_folded)) return "email";
    if (same_text(a->card_token, b->card_token)) return "card";
    if (a->id && a->id == b->id) return "member";
    return NULL;
}

void loy_referral_check(const loy_ref_facts *f, loy_ref_verdict *out)
{
    out->status = LOY_REF_PENDING;
    out->reason = "";
    out->matched = "";
    const char *m = self_match(&f->referrer, &f->referee);
    bool ring = false;
    for (size_t i = 0; i < f->nchain && !ring; i++) ring = f->chain[i] == f->referee.id;
    if (f->referrer.erased || f->referee.erased) {
        out->status = LOY_REF_REFUSED;
        out->reason = "erased";
    } else if (m) {
        out->status = LOY_REF_REFUSED;
        out->reason = "self_referral";
        out->matched = m;
    } else if (f->approved) {
        /* the owner looked at it: the flags and the join-time check are settled */
    } else if (ring) {
        out->status = LOY_REF_FLAGGED;
        out->reason = "ring";
    } else if (f->referee_existed) {
        out->status = LOY_REF_REFUSED;
        out->reason = "already_member";
    } else if (f->earlier_today >= f->max_per_day) {
        out->status = LOY_REF_FLAGGED;
        out->reason = "velocity";
    }
}

static const char *const status_names[] = {"pending", "qualified", "awarded", "refused", "flagged"};

const char *loy_referral_status_name(loy_ref_status s)
{
    if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0])) return "unknown";
    return status_names[s];
}

bool loy_referral_status_parse(const char *s, loy_ref_status *out)
{
    for (size_t i = 0; s && i < sizeof(status_names) / sizeof(status_names[0]); i++)
        if (strcmp(s, status_names[i]) == 0) {
            *out = (loy_ref_status)i;
            return true;
        }
    return false;
}

bool loy_referral_code_normalise(const char *in, char out[LOY_REFERRAL_CODE_MAX])
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = in; p && *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (!strchr(LOY_REFERRAL_ALPHABET, c) || c == '\0' || n >= LOY_REFERRAL_CODE_LEN) {
            out[0] = '\0';
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (n != LOY_REFERRAL_CODE_LEN) out[0] = '\0';
    return n == LOY_REFERRAL_CODE_LEN;
}
