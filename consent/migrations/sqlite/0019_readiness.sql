-- One row that /readyz rewrites and commits: proof that the gateway can write, not only read
-- (a full disk or a read-only database answers a SELECT but refuses a commit).
CREATE TABLE readiness (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);
INSERT INTO readiness (id, checked_at) VALUES (1, '1970-01-01T00:00:00.000000Z');
