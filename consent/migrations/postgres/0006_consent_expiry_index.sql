-- Partners list the consents that expire soon (issue 8): by end of validity.
CREATE INDEX consents_valid_until ON consents (valid_until) WHERE revoked_at IS NULL;
