/* Repository of members' unsubscribe tokens (members.unsub_token, migration 0011): the secret of
 * the one-click unsubscribe address /u/{token}. Like store.h, every function runs inside the
 * caller's transaction and never commits on its own. Consents themselves are written with the
 * other member fields (loy_store_member_update). */
#ifndef LOY_STORE_STORE_UNSUB_H
#define LOY_STORE_STORE_UNSUB_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* The member holding unsubscribe token `token` (tokens are unique across merchants): its
 * merchant and id. LOY_ENOTFOUND (field "token") when no member holds it. */
int loy_store_unsub_find(loy_conn *c, const char *token, int64_t *merchant, int64_t *member,
                         loy_err *err);
/* The token of member `member` of `merchant`, copied into out (n bytes; "" when none was issued
 * yet). LOY_ENOTFOUND (field "member") when the merchant has no such member. */
int loy_store_unsub_get(loy_conn *c, int64_t merchant, int64_t member, char *out, size_t n,
                        loy_err *err);
/* Gives the member `token` unless it holds one already (then nothing changes: read it again
 * with loy_store_unsub_get). LOY_ECONFLICT when another member holds `token`. */
int loy_store_unsub_issue(loy_conn *c, int64_t merchant, int64_t member, const char *token,
                          loy_err *err);

#endif
