-- Webhooks: subscriptions per merchant and one delivery row per (outbox event, subscription).
-- A subscription's `cursor` is the last outbox id already fanned out to it; it starts at the
-- newest outbox id when the subscription is created, so earlier events are never sent to it.
-- The drain copies newer matching events into webhook_deliveries (pending), claims the due ones,
-- sends them after commit and records the result. `tag` (random, per subscription) makes the
-- public delivery id "<tag>-<outbox id>" unique across databases and stable across retries.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    tag TEXT NOT NULL UNIQUE,
    cursor INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX webhooks_merchant ON webhooks(merchant_id, id) WHERE deleted_at IS NULL;

-- The event kinds a subscription receives.
CREATE TABLE webhook_events (
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
    kind TEXT NOT NULL,
    PRIMARY KEY (webhook_id, kind)
) WITHOUT ROWID;

-- state: pending (waiting or being sent), delivered (a 2xx came back), failed (gave up after the
-- maximum attempts), cancelled (the subscription was deleted). attempts counts the sends started
-- (incremented when claimed, so a crashing sender still reaches the maximum); claim is bumped on
-- every claim and guards the result so a late sender cannot overwrite a newer claim's outcome.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    delivery_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    claim INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_status INTEGER,
    last_error TEXT,
    done_at INTEGER,
    UNIQUE (webhook_id, outbox_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(merchant_id, next_at, id)
    WHERE state = 'pending';

-- A finished delivery never changes again: once delivered it is never sent a second time.
CREATE TRIGGER webhook_deliveries_final BEFORE UPDATE ON webhook_deliveries
WHEN OLD.state <> 'pending'
BEGIN SELECT RAISE(ABORT, 'a finished webhook delivery is final'); END;
