-- Signed checkpoints of the ledger (issue 7): one per tree size that was signed, the note exactly as
-- served. Several replicas may sign the same size; the first stored note is kept.

CREATE TABLE checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    root_hash  TEXT NOT NULL,                       -- hex
    note       TEXT NOT NULL,                       -- the C2SP signed note
    signed_at  TIMESTAMPTZ NOT NULL
);
