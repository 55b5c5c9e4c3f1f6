//! Paging of the v1 lists. A page holds at most `limit` entries (1 to [`MAX_LIMIT`], default
//! [`DEFAULT_LIMIT`]); when more follow, the answer carries a `Link` header (RFC 8288) with
//! `rel="next"`: the same request with a `cursor` that starts the next page after the last entry of
//! this one. Cursors are opaque to clients; a page read later still starts where the previous one
//! ended, whatever was added in between.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use consent::Cursor;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The most entries one page holds.
pub const MAX_LIMIT: u32 = 1_000;
/// The entries a page holds when the request names no `limit`.
pub const DEFAULT_LIMIT: u32 = 200;

/// The paging of a list that has no other filters.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// At most this many: 1 to 1000, default 200.
    pub limit: Option<u32>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"`.
    pub cursor: Option<String>,
}

/// The cursor as it travels in a `Link` header: base64url of a tagged position.
pub fn encode(cursor: &Cursor) -> String {
    let text = match cursor {
        Cursor::Ledger(index) => format!("l:{index}"),
        Cursor::Decision(at, id) => format!("d:{}:{id}", at.timestamp_micros()),
        Cursor::Recorded(at, id) => format!("r:{}:{id}", at.timestamp_micros()),
    };
    B64.encode(text)
}

/// The cursor a client sent back, if it is one this gateway wrote.
pub fn decode(text: &str) -> Option<Cursor> {
    if text.len() > 256 {
        return None;
    }
    let bytes = B64.decode(text).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    match text.split_once(':')? {
        ("l", index) => index.parse().ok().map(Cursor::Ledger),
        (tag @ ("d" | "r"), rest) => {
            let (micros, id) = rest.split_once(':')?;
            let at = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?;
            Some(match tag {
                "d" => Cursor::Decision(at, id.to_owned()),
                _ => Cursor::Recorded(at, id.to_owned()),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_as_it_was_written() {
        let at = DateTime::<Utc>::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        for cursor in [
            Cursor::Ledger(0),
            Cursor::Ledger(u64::MAX),
            Cursor::Decision(at, "0190-abc:def".to_owned()),
            Cursor::Recorded(at, "r-1".to_owned()),
        ] {
            assert_eq!(decode(&encode(&cursor)), Some(cursor));
        }
    }

    #[test]
    fn a_cursor_the_gateway_did_not_write_is_refused() {
        for text in ["", "l:1", "bDp4", "eDox", &"A".repeat(300), "ZDo6"] {
            assert_eq!(decode(text), None, "{text}");
        }
    }
}
