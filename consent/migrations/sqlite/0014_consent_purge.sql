-- Vuistregel 5 for consents: once a consent has ended (expired, revoked, superseded or refused)
-- longer ago than the longest retention of the register, nothing relies on it any more; its free
-- text (note), who recorded the evidence and the grantor's pseudonym are removed, and when.
ALTER TABLE consents ADD COLUMN purged_at TEXT;
