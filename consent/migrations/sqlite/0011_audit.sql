-- Privacy officers (issue 9 items 4 and 6). A disclosure under a basis other than consent is
-- reviewed: each review (approve or flag, with a note) is kept, the latest one counts. Every read of
-- the audit API is itself recorded: who looked, at what, when.
CREATE TABLE reviews (
    id                 TEXT PRIMARY KEY,
    disclosure_id      TEXT NOT NULL REFERENCES disclosures (id),
    at                 TEXT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('approve', 'flag')),
    note               TEXT NOT NULL,
    officer_partner    TEXT NOT NULL,
    officer            TEXT NOT NULL
) STRICT;

CREATE INDEX reviews_disclosure ON reviews (disclosure_id, at);
CREATE INDEX disclosures_other_basis ON disclosures (at) WHERE legal_basis <> 'consent';

CREATE TABLE audit_reads (
    at                 TEXT NOT NULL,
    officer_partner    TEXT NOT NULL,
    officer            TEXT NOT NULL,
    what               TEXT NOT NULL,                   -- the route
    query              TEXT NOT NULL,                   -- the filters asked for (never a BSN: none is taken)
    results            INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_reads_at ON audit_reads (at);
