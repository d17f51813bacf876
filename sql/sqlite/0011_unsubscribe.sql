-- One-click unsubscribe (RFC 8058): each member's unsubscribe token, the secret in the address
-- /u/{token} that marketing messages carry (List-Unsubscribe). 160 random bits from the program's
-- CSPRNG in Crockford base32 (32 characters), unique across merchants, and distinct from the card
-- token: a forwarded email must not grant the card. Issued when a member is created; members
-- from before this migration (and bulk-loaded history) get theirs the first time it is asked for
-- (src/app/unsub.c), so NULL means "not issued yet".
ALTER TABLE members ADD COLUMN unsub_token TEXT;
CREATE UNIQUE INDEX members_unsub_token ON members(unsub_token) WHERE unsub_token IS NOT NULL;
