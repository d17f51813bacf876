-- Referrals (docs/referrals.md). Every member's referral code: 8 characters of an unambiguous
-- alphabet (23456789ABCDEFGHJKMNPQRSTUVWXYZ: no 0/O, 1/I/L) from the program's CSPRNG, the secret
-- of the public link /r/{code}. Unique across merchants (so the link needs no merchant), which is
-- stronger than unique per merchant. Issued when a member is created; members from before this
-- migration and bulk-loaded ones get theirs the first time it is asked for (src/app/referrals.c),
-- so NULL means "not issued yet". Erasing a member drops it.
ALTER TABLE members ADD COLUMN referral_code TEXT;
CREATE UNIQUE INDEX members_referral_code ON members(referral_code) WHERE referral_code IS NOT NULL;

-- One row per referral: a referee who joined (or tried to join) with a referrer's code.
-- status: pending (waiting for the referee's first qualifying purchase), qualified (purchase made;
-- paid by the daily job once qualifies_at = purchase time + the return window has passed),
-- awarded (both bonuses paid: ledger entries of kind 'referral' with ref_type 'referral' and
-- ref_id = this id), refused (never pays: reason self_referral, already_member, refunded, erased,
-- or the owner's rejection of a flagged one), flagged (held for the owner: reason velocity or
-- ring). Every refusal and flag is also in the audit log with its reason. Rows are never deleted.
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    referrer_id INTEGER NOT NULL REFERENCES members(id),
    referee_id INTEGER NOT NULL REFERENCES members(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'qualified', 'awarded', 'refused', 'flagged')),
    reason TEXT NOT NULL DEFAULT '',
    purchase_id INTEGER REFERENCES purchases(id),
    qualifies_at INTEGER NOT NULL DEFAULT 0,
    referrer_points INTEGER NOT NULL DEFAULT 0,
    referee_points INTEGER NOT NULL DEFAULT 0,
    decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'approved', 'rejected')),
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    awarded_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX referrals_referrer ON referrals(referrer_id, created_at);
CREATE INDEX referrals_referee ON referrals(referee_id);
CREATE INDEX referrals_status ON referrals(merchant_id, status, qualifies_at);
