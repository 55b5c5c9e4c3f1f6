-- Encrypted ledger records and erasure (issue 7). A ledger row keeps in the clear only what names no
-- person (when, how, which activity and basis, between which partners), the subject's pseudonym (to
-- find their entries), the retention date and what the Merkle leaf commits to (`record_digest`);
-- the rest of the record, with its salt, is `sealed` (AES-256-GCM) under a record key of the subject
-- and the retention month (`key_epoch`). Record keys are in `subject_keys`, wrapped under the
-- key-encryption key that is kept outside the database. Erasing deletes the keys and the sealed
-- record; the row stays (its leaf keeps the tree whole) and names the erasure entry (`erased_by`),
-- itself a leaf of the log with nothing personal in it.

CREATE TABLE subject_keys (
    subject     TEXT NOT NULL,                      -- keyed pseudonym
    epoch       TEXT NOT NULL,                      -- 'YYYY-MM' of the records' retain_until
    wrapped     TEXT NOT NULL,                      -- base64: the record key sealed under the KEK
    kek_id      TEXT NOT NULL,                      -- which KEK wrapped it (a public name)
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subject, epoch)
);

CREATE INDEX subject_keys_epoch ON subject_keys (epoch);

-- Erasure entries of the log: they share the leaf index sequence (`ledger_head`) with disclosures.
CREATE TABLE erasures (
    log_index  BIGINT PRIMARY KEY CHECK (log_index >= 0),
    id         TEXT NOT NULL UNIQUE,
    at         TIMESTAMPTZ NOT NULL,
    reason     TEXT NOT NULL CHECK (reason IN ('retention', 'request')),
    entries    TEXT NOT NULL,                       -- JSON array of the erased log indexes
    leaf_hash  TEXT NOT NULL
);

-- Rows written before this migration move their personal columns into `legacy` (the JSON of what
-- is sealed); the gateway seals them when it next starts, before it serves.
ALTER TABLE disclosures
    ADD COLUMN key_epoch TEXT,
    ADD COLUMN record_digest TEXT,                  -- hex; NULL only on a legacy row not yet sealed
    ADD COLUMN sealed TEXT,                         -- NULL once erased (or on a legacy row)
    ADD COLUMN legacy TEXT,
    ADD COLUMN erased_by BIGINT REFERENCES erasures (log_index);

UPDATE disclosures SET
    key_epoch = to_char(retain_until AT TIME ZONE 'UTC', 'YYYY-MM'),
    legacy = json_build_object('salt', salt, 'professional', professional, 'categories', categories::json,
                               'fields', fields::json, 'consent_id', consent_id,
                               'justification', justification, 'payload_sha256', payload_sha256)::text;

ALTER TABLE disclosures
    ALTER COLUMN key_epoch SET NOT NULL,
    DROP COLUMN professional,
    DROP COLUMN categories,
    DROP COLUMN fields,
    DROP COLUMN consent_id,
    DROP COLUMN justification,
    DROP COLUMN payload_sha256,
    DROP COLUMN salt;

CREATE INDEX disclosures_retention ON disclosures (retain_until) WHERE erased_by IS NULL;
CREATE INDEX disclosures_legacy ON disclosures (log_index) WHERE legacy IS NOT NULL;
