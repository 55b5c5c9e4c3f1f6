-- The pages' sessions (/mijn, /audit), kept server-side so that every replica agrees: signing out
-- ends a session everywhere at once, a session unused for its idle time ends, and every session
-- ends at its absolute lifetime however busy it is. Only a digest of the session id is kept, so
-- this table holds no usable cookie.
CREATE TABLE page_sessions (
    id_digest     TEXT PRIMARY KEY,            -- SHA-256 hex of the session id in the cookie
    area          TEXT NOT NULL,               -- 'mijn' or 'audit'
    principal     TEXT NOT NULL,               -- a keyed pseudonym, or '<partner>\n<officer>'; never a BSN
    created_at    TEXT NOT NULL,
    last_used_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT
) STRICT;

CREATE INDEX page_sessions_expires ON page_sessions (expires_at);
