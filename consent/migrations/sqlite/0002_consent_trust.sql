-- The consent trust model (issue 5): a consent recorded by a party of its activities that is not a
-- listed recorder of every one of them awaits confirmation (`confirmed_at` NULL) and covers nothing
-- until a listed recorder or the Amsterdammer confirms it. The history names the professional (token
-- `sub`) who acted, and records confirmations.

ALTER TABLE consents ADD COLUMN confirmed_at TEXT;
-- Consents recorded before this model were active at once.
UPDATE consents SET confirmed_at = created_at;

-- SQLite cannot change a CHECK constraint in place: rebuild the history table.
CREATE TABLE consent_events_new (
    consent_id    TEXT NOT NULL REFERENCES consents (id),
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    event         TEXT NOT NULL CHECK (event IN ('recorded', 'confirmed', 'revoked')),
    actor         TEXT NOT NULL,                    -- a partner id, or `amsterdammer`
    professional  TEXT,                             -- the professional (token `sub`); NULL for the Amsterdammer
    PRIMARY KEY (consent_id, seq)
) STRICT;

INSERT INTO consent_events_new (consent_id, seq, at, event, actor)
    SELECT consent_id, seq, at, event, actor FROM consent_events;
DROP TABLE consent_events;
ALTER TABLE consent_events_new RENAME TO consent_events;
