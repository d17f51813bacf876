-- CSV imports: which external customer id became which member, and which file rows were already
-- imported (kept for good, unlike the idempotency keys that are pruned after 8 days).
CREATE TABLE import_members (
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    external_id TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id),
    PRIMARY KEY (merchant_id, external_id)
) WITHOUT ROWID;

CREATE TABLE import_rows (
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    row_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'purchase')),
    target_id INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, row_key)
) WITHOUT ROWID;

-- Imported transactions of amount 0 (a free item, a visit without spend): the purchases table
-- takes only amount > 0, yet purchase histories (frequency, recency) must count them.
CREATE TABLE import_visits (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    occurred_at INTEGER NOT NULL,
    reference TEXT,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX import_visits_member ON import_visits(merchant_id, member_id, occurred_at);
