-- Campaigns with A/B tests (docs/campaigns.md). A campaign is written as a draft: its name
-- (unique per merchant, so a retried create is a conflict, not a second campaign), the template of
-- its messages, the audience ('all', 'segment:NAME' an RFM segment, 'tier:ID', 'inactive:DAYS'),
-- the variants as JSON [{"id": "A", "template": "campaign", "offer": null}, ...], the share of
-- the audience held out (no message, the control group), how many days after assignment a
-- purchase counts as a conversion, and the seed of the random assignment (members' arms are a
-- hash of seed and member id, so the same seed gives the same arms: results can be reproduced).
-- status: draft (nothing sent), sending (the send began: members are being assigned and their
-- messages queued, a batch per transaction; sending again resumes it), sent (every member of the
-- audience has an arm). sent_at: when the send began (the audience is taken as of then).
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    name TEXT NOT NULL,
    template TEXT NOT NULL,
    audience TEXT NOT NULL,
    variants TEXT NOT NULL,
    holdout_percent INTEGER NOT NULL CHECK (holdout_percent BETWEEN 0 AND 90),
    conversion_days INTEGER NOT NULL CHECK (conversion_days BETWEEN 1 AND 365),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent')),
    seed INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    sent_at INTEGER NOT NULL DEFAULT 0,
    sent_by TEXT NOT NULL DEFAULT '',
    finished_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (merchant_id, name)
);

-- One row per member of a sent campaign's audience: the arm (a variant id, or 'holdout': those get
-- no message), when it was assigned, the message queued for them (NULL for the holdout; a message
-- that was skipped, for want of consent say, keeps its row and its arm: the test compares the arms
-- as they were assigned), and the conversion: the member's first purchase in [assigned_at,
-- assigned_at + conversion_days days) that is not wholly refunded, worked out again from the
-- purchases each time results are asked for (a later refund undoes it).
CREATE TABLE campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    arm TEXT NOT NULL,
    assigned_at INTEGER NOT NULL,
    message_id INTEGER REFERENCES messages(id),
    converted_at INTEGER,
    purchase_id INTEGER REFERENCES purchases(id),
    PRIMARY KEY (campaign_id, member_id)
);
CREATE INDEX campaign_members_member ON campaign_members(member_id);
