-- The consent trust model (issue 5): a consent recorded by a party of its activities that is not a
-- listed recorder of every one of them awaits confirmation (`confirmed_at` NULL) and covers nothing
-- until a listed recorder or the Amsterdammer confirms it. The history names the professional (token
-- `sub`) who acted, and records confirmations.

ALTER TABLE consents ADD COLUMN confirmed_at TIMESTAMPTZ;
-- Consents recorded before this model were active at once.
UPDATE consents SET confirmed_at = created_at;

ALTER TABLE consent_events
    DROP CONSTRAINT consent_events_event_check,
    ADD CONSTRAINT consent_events_event_check CHECK (event IN ('recorded', 'confirmed', 'revoked')),
    ADD COLUMN professional TEXT;                   -- the professional (token `sub`); NULL for the Amsterdammer
