-- The full record of a toestemmingsverklaring (issue 8): who gave it (the grantor: the Amsterdammer,
-- a parent or guardian of a child under 16, or a legal representative), its language, versions (an
-- amendment is a new consent that supersedes the old one, whose history stays readable), and a
-- pending consent the Amsterdammer refused. Representations record who may act for whom (a parent,
-- guardian, mentor, curator or bewindvoerder), on which basis and for which period; every step taken
-- by a representative names the representation it was taken under.

ALTER TABLE consents
    ADD COLUMN grantor_role TEXT NOT NULL DEFAULT 'self'
        CHECK (grantor_role IN ('self', 'parent', 'guardian', 'mentor', 'curator', 'bewindvoerder')),
    ADD COLUMN grantor TEXT,                        -- keyed pseudonym; NULL when the Amsterdammer gave it
    ADD COLUMN representation_id TEXT,              -- the representation the grantor acted under, if recorded
    ADD COLUMN language TEXT NOT NULL DEFAULT 'nl',
    ADD COLUMN version BIGINT NOT NULL DEFAULT 1,
    ADD COLUMN supersedes TEXT,                     -- the consent this version replaces
    ADD COLUMN superseded_at TIMESTAMPTZ,
    ADD COLUMN superseded_by TEXT,
    ADD COLUMN refused_at TIMESTAMPTZ;

CREATE INDEX consents_superseded_at ON consents (superseded_at) WHERE superseded_at IS NOT NULL;

ALTER TABLE consent_events
    DROP CONSTRAINT consent_events_event_check,
    ADD CONSTRAINT consent_events_event_check
        CHECK (event IN ('recorded', 'confirmed', 'revoked', 'amended', 'superseded', 'refused')),
    ADD COLUMN representation_id TEXT;              -- set when a representative acted

ALTER TABLE refusals ADD COLUMN representation_id TEXT;

CREATE TABLE representations (
    id                   TEXT PRIMARY KEY,
    representative       TEXT NOT NULL,             -- keyed pseudonym of the representative
    represented          TEXT NOT NULL,             -- keyed pseudonym of the person represented
    role                 TEXT NOT NULL
        CHECK (role IN ('parent', 'guardian', 'mentor', 'curator', 'bewindvoerder')),
    basis                TEXT NOT NULL,             -- e.g. the court decision appointing a mentor
    document_sha256      TEXT NOT NULL,
    label                TEXT,                      -- how the representative knows the person, optional
    valid_from           TIMESTAMPTZ NOT NULL,
    valid_until          TIMESTAMPTZ NOT NULL,
    recorded_by_partner  TEXT NOT NULL,
    professional         TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    ended_at             TIMESTAMPTZ
);

CREATE INDEX representations_representative ON representations (representative, created_at);
CREATE INDEX representations_represented ON representations (represented, created_at);
