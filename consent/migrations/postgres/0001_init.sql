-- Consents, decisions and the disclosure ledger (PostgreSQL).
-- JSON columns hold JSON arrays as text. `subject` is always the keyed pseudonym (HMAC of the BSN);
-- no column ever holds a BSN.

CREATE TABLE consents (
    id                        TEXT PRIMARY KEY,
    subject                   TEXT NOT NULL,
    recipients                TEXT NOT NULL,        -- JSON array
    sources                   TEXT,                 -- JSON array; NULL: the `from` kinds of the activities
    categories                TEXT NOT NULL,        -- JSON array
    activities                TEXT NOT NULL,        -- JSON array
    valid_from                TIMESTAMPTZ NOT NULL,
    valid_until               TIMESTAMPTZ NOT NULL,
    evidence_method           TEXT NOT NULL,
    evidence_document_sha256  TEXT NOT NULL,
    evidence_recorded_by      TEXT NOT NULL,
    note                      TEXT,
    recorded_by_partner       TEXT NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    revoked_at                TIMESTAMPTZ
);

CREATE INDEX consents_subject ON consents (subject, created_at);

CREATE TABLE consent_events (
    consent_id  TEXT NOT NULL REFERENCES consents (id),
    seq         INTEGER NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('recorded', 'revoked')),
    actor       TEXT NOT NULL,                      -- a partner id, or `amsterdammer`
    PRIMARY KEY (consent_id, seq)
);

CREATE TABLE decisions (
    id            TEXT PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    mode          TEXT NOT NULL,
    partner       TEXT NOT NULL,
    professional  TEXT NOT NULL,
    role          TEXT NOT NULL,
    activity      TEXT NOT NULL,
    source        TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    categories    TEXT NOT NULL,                    -- JSON array
    outcome       TEXT NOT NULL CHECK (outcome IN ('permit', 'deny')),
    violations    TEXT NOT NULL,                    -- JSON array of {vuistregel, reason}
    consent_id    TEXT,
    error         TEXT
);

CREATE INDEX decisions_at ON decisions (at);
CREATE INDEX decisions_outcome_at ON decisions (outcome, at);
CREATE INDEX decisions_subject ON decisions (subject);

-- The ledger. `log_index` is the Merkle leaf index: 0, 1, 2, ... without gaps.
CREATE TABLE disclosures (
    log_index       BIGINT PRIMARY KEY CHECK (log_index >= 0),
    id              TEXT NOT NULL UNIQUE,
    at              TIMESTAMPTZ NOT NULL,
    mode            TEXT NOT NULL,
    source          TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    professional    TEXT NOT NULL,
    subject         TEXT NOT NULL,
    activity        TEXT NOT NULL,
    legal_basis     TEXT NOT NULL,
    categories      TEXT NOT NULL,                  -- JSON array
    fields          TEXT NOT NULL,                  -- JSON array
    consent_id      TEXT,
    justification   TEXT,
    payload_sha256  TEXT NOT NULL,
    decision_id     TEXT NOT NULL,
    retain_until    TIMESTAMPTZ NOT NULL,
    salt            TEXT NOT NULL,
    leaf_hash       TEXT NOT NULL
);

CREATE INDEX disclosures_subject ON disclosures (subject, log_index);

-- The number of ledger entries; one row, locked (FOR UPDATE) by every ledger write so that replicas
-- on one database take turns.
CREATE TABLE ledger_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  BIGINT NOT NULL CHECK (size >= 0)
);

INSERT INTO ledger_head (id, size) VALUES (1, 0);
