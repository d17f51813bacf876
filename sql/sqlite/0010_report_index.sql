-- The member index also covers the report scans: with merchant_id and location_code in it, every
-- report that walks the counted purchases member by member (kpis, churn, pareto, rfm, the model
-- summary) reads this narrow index in order instead of the wide table rows plus a sort. The
-- write path's tier-window read still finds its columns first.
DROP INDEX purchases_member;
CREATE INDEX purchases_member ON purchases(member_id, occurred_at, cash, refunded, amount,
                                           merchant_id, location_code);
