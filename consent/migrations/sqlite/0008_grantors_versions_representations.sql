-- The full record of a toestemmingsverklaring (issue 8): who gave it (the grantor: the Amsterdammer,
-- a parent or guardian of a child under 16, or a legal representative), its language, versions (an
-- amendment is a new consent that supersedes the old one, whose history stays readable), and a
-- pending consent the Amsterdammer refused. Representations record who may act for whom (a parent,
-- guardian, mentor, curator or bewindvoerder), on which basis and for which period; every step taken
-- by a representative names the representation it was taken under.

ALTER TABLE consents ADD COLUMN grantor_role TEXT NOT NULL DEFAULT 'self'
    CHECK (grantor_role IN ('self', 'parent', 'guardian', 'mentor', 'curator', 'bewindvoerder'));
ALTER TABLE consents ADD COLUMN grantor TEXT;               -- keyed pseudonym; NULL when the Amsterdammer gave it
ALTER TABLE consents ADD COLUMN representation_id TEXT;     -- the representation the grantor acted under, if recorded
ALTER TABLE consents ADD COLUMN language TEXT NOT NULL DEFAULT 'nl';
ALTER TABLE consents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE consents ADD COLUMN supersedes TEXT;            -- the consent this version replaces
ALTER TABLE consents ADD COLUMN superseded_at TEXT;
ALTER TABLE consents ADD COLUMN superseded_by TEXT;
ALTER TABLE consents ADD COLUMN refused_at TEXT;

CREATE INDEX consents_superseded_at ON consents (superseded_at) WHERE superseded_at IS NOT NULL;

-- SQLite cannot change a CHECK constraint in place: rebuild the history table.
CREATE TABLE consent_events_new (
    consent_id         TEXT NOT NULL REFERENCES consents (id),
    seq                INTEGER NOT NULL,
    at                 TEXT NOT NULL,
    event              TEXT NOT NULL
        CHECK (event IN ('recorded', 'confirmed', 'revoked', 'amended', 'superseded', 'refused')),
    actor              TEXT NOT NULL,                   -- a partner id, or `amsterdammer`
    professional       TEXT,                            -- the professional (token `sub`); NULL for the Amsterdammer
    representation_id  TEXT,                            -- set when a representative acted
    PRIMARY KEY (consent_id, seq)
) STRICT;

INSERT INTO consent_events_new (consent_id, seq, at, event, actor, professional)
    SELECT consent_id, seq, at, event, actor, professional FROM consent_events;
DROP TABLE consent_events;
ALTER TABLE consent_events_new RENAME TO consent_events;

ALTER TABLE refusals ADD COLUMN representation_id TEXT;

CREATE TABLE representations (
    id                   TEXT PRIMARY KEY,
    representative       TEXT NOT NULL,                 -- keyed pseudonym of the representative
    represented          TEXT NOT NULL,                 -- keyed pseudonym of the person represented
    role                 TEXT NOT NULL
        CHECK (role IN ('parent', 'guardian', 'mentor', 'curator', 'bewindvoerder')),
    basis                TEXT NOT NULL,                 -- e.g. the court decision appointing a mentor
    document_sha256      TEXT NOT NULL,
    label                TEXT,                          -- how the representative knows the person, optional
    valid_from           TEXT NOT NULL,
    valid_until          TEXT NOT NULL,
    recorded_by_partner  TEXT NOT NULL,
    professional         TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    ended_at             TEXT
) STRICT;

CREATE INDEX representations_representative ON representations (representative, created_at);
CREATE INDEX representations_represented ON representations (represented, created_at);
