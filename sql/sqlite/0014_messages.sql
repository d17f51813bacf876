-- Messages to members (docs/messages.md): the message outbox. A row is written in the same
-- transaction as the event that decided it (loy_app_message_queue), at most one per (merchant,
-- member, trigger, key); the sender delivers it after commit. Subject and body are rendered when
-- it is sent, from the member's data of that moment, and are not stored.
--
-- status: queued (waiting for next_at), sending (claimed and committed before the SMTP
-- conversation), sent, failed (a permanent refusal or too many attempts), skipped (not sent on
-- purpose: no consent, frequency cap, erased; see reason), uncertain (its sender stopped between
-- claiming and recording, or the connection broke after the whole message was handed over: it
-- may have been delivered, so it is never sent again; shown to the owner with the reason).
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    trigger TEXT NOT NULL,
    template TEXT NOT NULL,
    key TEXT NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('marketing', 'service')),
    channel TEXT CHECK (channel IN ('email', 'webhook')),
    locale TEXT NOT NULL,
    campaign_id INTEGER,
    variant TEXT,
    offer_reward TEXT,
    vars TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain')),
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    claimed_at INTEGER,
    sent_at INTEGER,
    smtp_message_id TEXT,
    voucher_id INTEGER REFERENCES vouchers(id),
    outbox_id INTEGER REFERENCES outbox(id)
);
CREATE UNIQUE INDEX messages_key ON messages(merchant_id, member_id, trigger, key);
CREATE INDEX messages_due ON messages(merchant_id, next_at, id) WHERE status = 'queued';
CREATE INDEX messages_sending ON messages(merchant_id, claimed_at) WHERE status = 'sending';
-- the frequency cap counts a member's recent marketing messages; the list pages by id
CREATE INDEX messages_member ON messages(member_id, id);
CREATE INDEX messages_merchant ON messages(merchant_id, id);

-- A member's own IANA time zone (quiet hours, birthdays); NULL = the merchant's.
ALTER TABLE members ADD COLUMN timezone TEXT;
