-- Feedback and NPS (docs/feedback.md): the one-question survey a purchase invites, its answer
-- with the comment's triage, and the follow-up cases that close the loop with detractors.
--
-- One row per invitation: written in the purchase's transaction when the programme's feedback
-- section is on, the member can be reached with consent and had no survey in the last
-- every_days. token: the secret of the public page /f/{token} (160 random bits from the
-- program's CSPRNG in Crockford base32, unique across merchants, unrelated to the card and
-- unsubscribe tokens). invite_at: when the invitation may go out (purchase time + delay_hours,
-- the message's not_before; its delivery is in messages, trigger 'survey', key 'survey:ID').
-- Answered once: answered_at, score, comment (NULL when none), triage (the comment's triage as
-- JSON: sentiment, topics, urgency and the deciding words) and urgency (copied out of it for the
-- inbox's order and filter). Erasing the member clears comment and the triage's words; the
-- score stays, anonymous, so NPS figures do not change.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    purchase_id INTEGER REFERENCES purchases(id),
    token TEXT NOT NULL UNIQUE,
    location_code TEXT,
    language TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    invite_at INTEGER NOT NULL,
    answered_at INTEGER NOT NULL DEFAULT 0,
    score INTEGER CHECK (score BETWEEN 0 AND 10),
    comment TEXT,
    triage TEXT,
    urgency INTEGER NOT NULL DEFAULT 0,
    thanks_points INTEGER NOT NULL DEFAULT 0,
    CHECK ((answered_at = 0) = (score IS NULL))
);
-- the frequency limit: a member's latest survey
CREATE INDEX surveys_member ON surveys(member_id, created_at);
-- the inbox and the NPS report: answers of a merchant by time
CREATE INDEX surveys_answered ON surveys(merchant_id, answered_at) WHERE answered_at > 0;

-- Closing the loop: a detractor's answer (score 0-6) opens one case for staff. status: open (new),
-- contacted (someone spoke to the customer), resolved; any change is allowed (a resolved case may
-- be reopened) and audited. assignee: a staff username of the merchant, NULL = nobody.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    survey_id INTEGER NOT NULL UNIQUE REFERENCES surveys(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contacted', 'resolved')),
    assignee TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    contacted_at INTEGER NOT NULL DEFAULT 0,
    resolved_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_status ON cases(merchant_id, status, id);

-- What staff noted on a case, append-only: staff is who wrote it, as the audit log names actors
-- ("user:alice" for a console session, "key:ab12" for an API key, "cli:bob"). Erasing the member
-- replaces the text with "(erased)".
CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    staff TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);
