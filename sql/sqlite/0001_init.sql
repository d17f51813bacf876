-- Initial schema. Every table is keyed by merchant so a deployment can hold many merchants and a
-- distributed engine can shard by merchant. Times are UTC seconds; money is integer minor units.
CREATE TABLE merchants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    timezone TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Programme versions: the active one is the highest version; history is kept.
CREATE TABLE programmes (
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (merchant_id, version)
);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (merchant_id, code)
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    card_token TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    email_folded TEXT,
    bday_day INTEGER NOT NULL DEFAULT 0,
    bday_month INTEGER NOT NULL DEFAULT 0,
    bday_year INTEGER NOT NULL DEFAULT 0,
    birthday_set_at INTEGER NOT NULL DEFAULT 0,
    locale TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    favourite TEXT NOT NULL DEFAULT '',
    referred_by INTEGER REFERENCES members(id),
    location_code TEXT,
    joined_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    consent_email INTEGER NOT NULL DEFAULT 0,
    consent_email_at INTEGER NOT NULL DEFAULT 0,
    consent_email_source TEXT NOT NULL DEFAULT '',
    consent_sms INTEGER NOT NULL DEFAULT 0,
    consent_sms_at INTEGER NOT NULL DEFAULT 0,
    consent_sms_source TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL DEFAULT '',
    tier_since INTEGER NOT NULL DEFAULT 0,
    below_since INTEGER NOT NULL DEFAULT 0,
    last_review_at INTEGER NOT NULL DEFAULT 0,
    last_birthday_bonus_year INTEGER NOT NULL DEFAULT 0,
    last_anniversary_bonus_year INTEGER NOT NULL DEFAULT 0,
    first_purchase_at INTEGER NOT NULL DEFAULT 0,
    purchases INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX members_phone ON members(merchant_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX members_email ON members(merchant_id, email_folded) WHERE email_folded IS NOT NULL;
CREATE INDEX members_merchant ON members(merchant_id, id);

-- Cached balances; always equal to the ledger sums (checked by `loyalty db verify`).
CREATE TABLE balances (
    member_id INTEGER PRIMARY KEY REFERENCES members(id),
    merchant_id INTEGER NOT NULL,
    points INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0 CHECK (pending >= 0),
    stamps INTEGER NOT NULL DEFAULT 0 CHECK (stamps >= 0),
    giving INTEGER NOT NULL DEFAULT 0 CHECK (giving >= 0),
    points_floor INTEGER NOT NULL DEFAULT 0
);

-- The append-only ledger. id is time-ordered; a lot is identified by the id of the entry that
-- opened it.
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL,
    lot INTEGER,
    expires_at INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL DEFAULT 0,
    rule TEXT NOT NULL DEFAULT '',
    reason TEXT,
    actor TEXT NOT NULL,
    ref_type TEXT NOT NULL,
    ref_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ledger_member ON ledger(member_id, id);
CREATE INDEX ledger_ref ON ledger(ref_type, ref_id);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- Open lots cache (remaining per lot), derived from the ledger.
CREATE TABLE lots (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    account TEXT NOT NULL,
    remaining INTEGER NOT NULL CHECK (remaining >= 0),
    earned_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX lots_open ON lots(member_id, id) WHERE remaining > 0;

CREATE TABLE purchases (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id),
    location_code TEXT,
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    tender_points INTEGER NOT NULL DEFAULT 0,
    cash INTEGER NOT NULL,
    refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    reference TEXT,
    lines TEXT NOT NULL DEFAULT '[]',
    occurred_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX purchases_member ON purchases(member_id, occurred_at);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    purchase_id INTEGER NOT NULL REFERENCES purchases(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    reason TEXT,
    created_at INTEGER NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX refunds_purchase ON refunds(purchase_id);

CREATE TABLE vouchers (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id),
    reward_id TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    short_code TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT,
    UNIQUE (merchant_id, short_code)
);

CREATE TABLE reward_stock (
    merchant_id INTEGER NOT NULL,
    reward_id TEXT NOT NULL,
    issued INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (merchant_id, reward_id)
);

-- Idempotency records, written in the same transaction as the effect; pruned after 7+ days.
CREATE TABLE idempotency (
    merchant_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
);

CREATE TABLE tier_changes (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    from_tier TEXT NOT NULL,
    to_tier TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);

-- Outbox of events, drained after commit (webhooks, messages).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    member_id INTEGER,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER,
    reason TEXT,
    detail TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX audit_merchant ON audit(merchant_id, at);
