//! A page session of the portals, kept in the database so that every replica sees a sign-out.

use chrono::{DateTime, Utc};

/// A session of the pages (`/mijn`, `/audit`), kept server-side so every replica agrees on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSession {
    /// SHA-256 hex of the session id the cookie carries; the id itself is never stored.
    pub id_digest: String,
    /// `mijn` or `audit`.
    pub area: String,
    /// Who is signed in: a keyed pseudonym, or `<partner>\n<officer>`; never a BSN.
    pub principal: String,
    pub created_at: DateTime<Utc>,
    /// Its absolute end, however busy it is.
    pub expires_at: DateTime<Utc>,
}
