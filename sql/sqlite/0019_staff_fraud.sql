-- Staff fraud controls (docs/operations.md "Staff fraud controls"): a staff user's own member
-- card, and the flags raised when staff stamping or adjustments look like fraud. The link lives
-- in its own table, not in users: a member_id in users would make staff accounts (and their
-- sessions) member data for the privacy export.
CREATE TABLE staff_members (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    merchant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id)
);
CREATE INDEX staff_members_member ON staff_members(merchant_id, member_id);

-- One row per blocked or flagged write: who (actor), which rule, the member written to, what the
-- write was (op, and ref_id: the purchase or the adjustment's audit entry; 0 when blocked), and
-- the owner's review (open, then dismissed).
CREATE TABLE staff_flags (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL,
    actor TEXT NOT NULL,
    rule TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('blocked', 'flagged')),
    member_id INTEGER NOT NULL,
    op TEXT NOT NULL,
    ref_id INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed')),
    created_at INTEGER NOT NULL
);
CREATE INDEX staff_flags_status ON staff_flags(merchant_id, status, id);

-- positive manual adjustments per staff actor per day (the adjustment velocity rule)
CREATE INDEX ledger_adjust_actor ON ledger(merchant_id, actor, created_at) WHERE kind = 'adjust';
