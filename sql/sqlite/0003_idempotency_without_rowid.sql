-- Idempotency records keyed by (merchant, key) in one b-tree: a table WITHOUT ROWID stores the
-- rows in the primary-key index itself, so each write updates one tree instead of two.
CREATE TABLE idempotency_new (
    merchant_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
) WITHOUT ROWID;
INSERT INTO idempotency_new SELECT merchant_id, key, fingerprint, status, response, created_at
FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_new RENAME TO idempotency;
