-- Refusals (weigeringen, issue 8): the Amsterdammer, or a professional on their behalf, records
-- "never to this partner or kind / this category / this activity". A refusal beats any consent.
-- Every part it names must match; at least one is named. Only the Amsterdammer withdraws one.

CREATE TABLE refusals (
    id                   TEXT PRIMARY KEY,
    subject              TEXT NOT NULL,             -- keyed pseudonym
    recipient            TEXT,                      -- a partner id or a partner kind
    category             TEXT,
    activity             TEXT,
    note                 TEXT,
    recorded_by_partner  TEXT NOT NULL,             -- a partner id, or `amsterdammer`
    professional         TEXT,                      -- NULL when the Amsterdammer recorded it
    created_at           TEXT NOT NULL,
    withdrawn_at         TEXT,
    CHECK (recipient IS NOT NULL OR category IS NOT NULL OR activity IS NOT NULL)
) STRICT;

CREATE INDEX refusals_subject ON refusals (subject, created_at);
