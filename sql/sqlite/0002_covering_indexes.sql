-- Covering indexes for the two reads every write makes: the member's open lots and the tier
-- window's net spend. Both are then answered from the index alone.
DROP INDEX lots_open;
CREATE INDEX lots_open ON lots(member_id, id, account, remaining, earned_at, expires_at,
                               available_at) WHERE remaining > 0;
DROP INDEX purchases_member;
CREATE INDEX purchases_member ON purchases(member_id, occurred_at, cash, refunded, amount);
