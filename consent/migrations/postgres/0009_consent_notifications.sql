-- Recipients are told (issue 8): when a consent is revoked, superseded or expires, each organisation
-- that received data under it gets a signed notification at its system, retried with backoff until
-- delivered or given up; the delivery state is kept here. One notification per organisation, consent
-- and change, whichever replica noticed it first. The body names no person (ids and times only).

CREATE TABLE notifications (
    id               TEXT PRIMARY KEY,
    partner          TEXT NOT NULL,
    consent_id       TEXT NOT NULL,
    change           TEXT NOT NULL CHECK (change IN ('revoked', 'superseded', 'expired')),
    changed_at       TIMESTAMPTZ NOT NULL,
    body             TEXT NOT NULL,                 -- the JSON sent, exactly
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_attempt_at  TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    last_error       TEXT,
    UNIQUE (partner, consent_id, change)
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_partner ON notifications (partner, created_at);

-- How far the notifier has looked for consents that stopped covering anything.
CREATE TABLE notifier_cursor (
    name   TEXT PRIMARY KEY,
    until  TIMESTAMPTZ NOT NULL
);
