-- Privacy (docs/privacy.md): when a member's personal data was erased, 0 = never. An erased member
-- keeps its id, ledger, balances, lots and purchases under a pseudonym ("Erased member 12"), so
-- the books still balance; it can no longer earn or redeem, and cannot be erased again.
ALTER TABLE members ADD COLUMN erased_at INTEGER NOT NULL DEFAULT 0;
