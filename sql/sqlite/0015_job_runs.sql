-- The daily jobs' last run per merchant (docs/engagement.md): the merchant-local date of the last
-- completed run of each job ("daily": housekeeping, engagement triggers, referral awards), so the
-- scheduler inside `loyalty serve` runs them once per local day, a restart does not run them
-- again, and a server that was down at the configured time runs them when it comes back the same
-- day. `loyalty jobs run` from cron records its runs here too.
CREATE TABLE job_runs (
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    job TEXT NOT NULL,
    local_date TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, job)
);
