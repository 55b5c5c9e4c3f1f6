-- Every change in a representation's life is an entry of the public log, beside the disclosures,
-- erasures and consent changes: recorded, confirmed, ended, and expired (appended once the clock
-- has passed `valid_until`). The leaf commits to a header that names no person (time, event, who
-- acted: a partner id, `amsterdammer` or `gateway`) and to a salted digest of the whole entry.
CREATE TABLE representation_entries (
    log_index          INTEGER PRIMARY KEY CHECK (log_index >= 0),
    id                 TEXT NOT NULL UNIQUE,
    at                 TEXT NOT NULL,
    event              TEXT NOT NULL CHECK (event IN ('recorded', 'confirmed', 'ended', 'expired')),
    actor              TEXT NOT NULL,                   -- a partner id, `amsterdammer`, or `gateway` (expiry)
    representation_id  TEXT NOT NULL REFERENCES representations (id),
    subject            TEXT NOT NULL,                   -- keyed pseudonym of the person represented
    professional       TEXT,
    salt               TEXT NOT NULL,                   -- hex
    record_digest      TEXT NOT NULL,                   -- hex
    leaf_hash          TEXT NOT NULL                    -- hex
) STRICT;

CREATE INDEX representation_entries_representation ON representation_entries (representation_id);
