-- Every change in a consent's life is an entry of the public log (issue 8 item 8), beside the
-- disclosures and erasures: recorded, amended, superseded, confirmed, revoked, refused (one per
-- row of `consent_events`, written in the same transaction) and expired (appended once the clock
-- has passed `valid_until`). The leaf commits to a header that names no person (time, event, who
-- acted: a partner id or `amsterdammer`) and to a salted digest of the whole entry.
CREATE TABLE consent_entries (
    log_index          BIGINT PRIMARY KEY CHECK (log_index >= 0),
    id                 TEXT NOT NULL UNIQUE,
    at                 TIMESTAMPTZ NOT NULL,
    event              TEXT NOT NULL
        CHECK (event IN ('recorded', 'confirmed', 'revoked', 'amended', 'superseded', 'refused', 'expired')),
    actor              TEXT NOT NULL,                   -- a partner id, `amsterdammer`, or `gateway` (expiry)
    consent_id         TEXT NOT NULL REFERENCES consents (id),
    seq                BIGINT,                         -- its row in consent_events; NULL for `expired`
    subject            TEXT NOT NULL,                   -- keyed pseudonym
    professional       TEXT,
    representation_id  TEXT,
    salt               TEXT NOT NULL,                   -- hex
    record_digest      TEXT NOT NULL,                   -- hex
    leaf_hash          TEXT NOT NULL                    -- hex
);

CREATE UNIQUE INDEX consent_entries_event ON consent_entries (consent_id, seq) WHERE seq IS NOT NULL;
CREATE UNIQUE INDEX consent_entries_expired ON consent_entries (consent_id) WHERE event = 'expired';

-- A consent's history as it is shown: every event with its place in the log, and the expiry.
CREATE VIEW consent_history AS
    SELECT e.consent_id, e.at, e.event, e.actor, e.professional, e.representation_id,
           l.log_index, e.seq AS ord
    FROM consent_events e
    LEFT JOIN consent_entries l ON l.consent_id = e.consent_id AND l.seq = e.seq
    UNION ALL
    SELECT consent_id, at, event, actor, professional, representation_id, log_index, 2147483647
    FROM consent_entries WHERE event = 'expired';
