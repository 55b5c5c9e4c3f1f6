-- The changes feed (`/v1/consents/changes`): consents by revocation time.
CREATE INDEX consents_revoked_at ON consents (revoked_at) WHERE revoked_at IS NOT NULL;
