//! Request bodies turned into domain values once, at the edge, with the API's 400 codes: a BSN that
//! passed the 11-proef, the register's own `Activity` and `Partner`, known categories, a digest of the
//! right shape. Handlers and the pipeline work with these, never with the raw strings.

use std::collections::BTreeSet;

use consent::{Consent, Evidence, Sha256Hex};
use policies::{Activity, Bsn, BsnError, ConsentGrant, Partner, PartyRef, Register};

use serde_json::{Map, Value};

use crate::contract::{DeliveryRequest, EvidenceBody, ExchangeRequest};
use crate::error::ApiError;

pub fn bsn(input: &str) -> Result<Bsn, ApiError> {
    bsn_at("subject_bsn", input)
}

/// A BSN given in the request field `field`; `400 invalid_bsn` naming it.
pub fn bsn_at(field: &'static str, input: &str) -> Result<Bsn, ApiError> {
    Bsn::parse(input).map_err(|e| {
        let detail = match e {
            BsnError::Format => "must be nine digits",
            BsnError::Checksum => "fails the 11-proef",
        };
        ApiError::bad_request("invalid_bsn", format!("{field} {detail}")).at(field)
    })
}

pub fn activity<'r>(register: &'r Register, id: &str) -> Result<&'r Activity, ApiError> {
    register.activity(id).ok_or_else(|| {
        ApiError::bad_request(
            "unknown_activity",
            format!("no processing activity '{id}' in the register"),
        )
    })
}

pub fn partner<'r>(register: &'r Register, id: &str) -> Result<&'r Partner, ApiError> {
    register.partner(id).ok_or_else(|| {
        ApiError::bad_request(
            "unknown_partner",
            format!("no partner '{id}' in the register"),
        )
    })
}

pub fn categories(register: &Register, names: &[String]) -> Result<BTreeSet<String>, ApiError> {
    register.categories_named(names).map_err(|name| {
        ApiError::bad_request(
            "unknown_category",
            format!("no data category '{name}' in the register"),
        )
    })
}

/// What `decide` and the trust rules need of a stored consent.
pub fn grant(register: &Register, c: &Consent) -> ConsentGrant {
    // Stored names were checked against the register when recorded; one the register no longer
    // knows names nobody, so it matches nobody.
    let party = |name: &String| {
        register
            .party(name)
            .unwrap_or_else(|| PartyRef::Partner(name.clone()))
    };
    ConsentGrant {
        id: c.id.clone(),
        recorded_by: c.recorded_by_partner.clone(),
        recipients: c.recipients.iter().map(party).collect(),
        sources: c.sources.as_ref().map(|s| s.iter().map(party).collect()),
        categories: c.categories.iter().cloned().collect(),
        activities: c.activities.iter().cloned().collect(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        ended: c.ended(),
        confirmed: c.confirmed_at.is_some(),
    }
}

/// Whether `partner` may see (and so revoke) the consent: see `policies::may_see`.
pub fn visible_to(register: &Register, c: &Consent, partner: &Partner) -> bool {
    policies::may_see(&grant(register, c), partner)
}

/// The evidence of a toestemmingsverklaring: how it was given, by whom recorded, the document digest.
pub fn evidence(body: EvidenceBody) -> Result<Evidence, ApiError> {
    let refused = || {
        ApiError::bad_request(
            "invalid_evidence",
            "evidence needs a method, the recorder, and the document's SHA-256 as 64 hex characters",
        )
    };
    if body.method.trim().is_empty() || body.recorded_by.trim().is_empty() {
        return Err(refused());
    }
    Ok(Evidence {
        method: body.method,
        document_sha256: Sha256Hex::parse(&body.document_sha256).map_err(|_| refused())?,
        recorded_by: body.recorded_by,
    })
}

/// `POST /v1/exchange` as the gateway understands it.
#[derive(Debug)]
pub struct Exchange<'r> {
    pub bsn: Bsn,
    pub activity: &'r Activity,
    pub source: &'r Partner,
    pub categories: BTreeSet<String>,
    pub justification: Option<String>,
}

impl ExchangeRequest {
    pub fn parse(self, register: &Register) -> Result<Exchange<'_>, ApiError> {
        Ok(Exchange {
            bsn: bsn(&self.subject_bsn)?,
            activity: activity(register, &self.activity)?,
            source: partner(register, &self.source)?,
            categories: categories(register, &self.categories)?,
            justification: self.justification,
        })
    }
}

/// `POST /v1/deliveries` as the gateway understands it: the categories are those of the data sent.
#[derive(Debug)]
pub struct Delivery<'r> {
    pub bsn: Bsn,
    pub activity: &'r Activity,
    pub recipient: &'r Partner,
    pub categories: BTreeSet<String>,
    pub data: Map<String, Value>,
    pub justification: Option<String>,
    pub defer_notice: Option<crate::contract::DeferNotice>,
}

impl DeliveryRequest {
    pub fn parse(self, register: &Register) -> Result<Delivery<'_>, ApiError> {
        let names: Vec<String> = self.data.keys().cloned().collect();
        Ok(Delivery {
            bsn: bsn(&self.subject_bsn)?,
            activity: activity(register, &self.activity)?,
            recipient: partner(register, &self.recipient)?,
            categories: categories(register, &names)?,
            data: self.data,
            justification: self.justification,
            defer_notice: self.defer_notice,
        })
    }
}

/// A page of a list: the entries, and where the next page starts if more follow.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<consent::Cursor>,
}

impl<T> Page<T> {
    /// A page of at most `limit` from `read` (which read up to `limit + 1`, to know if more follow);
    /// `position` is where an entry stands in its list.
    pub fn of(mut read: Vec<T>, limit: u32, position: impl Fn(&T) -> consent::Cursor) -> Self {
        let more = read.len() > limit as usize;
        read.truncate(limit as usize);
        let next = if more {
            read.last().map(position)
        } else {
            None
        };
        Self { items: read, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// The `limit` and `cursor` of a paged list: `400 invalid_limit` or `400 invalid_cursor`.
pub fn paging(
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<(u32, Option<consent::Cursor>), ApiError> {
    use crate::contract::paging::{DEFAULT_LIMIT, MAX_LIMIT, decode};
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(
            ApiError::bad_request("invalid_limit", format!("limit: 1 to {MAX_LIMIT}")).at("limit"),
        );
    }
    let cursor = match cursor {
        None => None,
        Some(text) => Some(decode(text).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_cursor",
                "cursor: not one this gateway gave; take it from the Link header of the page before",
            )
            .at("cursor")
        })?),
    };
    Ok((limit, cursor))
}

/// The `limit` and `cursor` of a list of ledger entries: the ledger index the page starts after.
pub fn ledger_paging(
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<(u32, Option<u64>), ApiError> {
    match paging(limit, cursor)? {
        (limit, None) => Ok((limit, None)),
        (limit, Some(consent::Cursor::Ledger(index))) => Ok((limit, Some(index))),
        (_, Some(_)) => Err(foreign_cursor()),
    }
}

/// `400 invalid_cursor` for a cursor the gateway wrote for another list.
pub fn foreign_cursor() -> ApiError {
    ApiError::bad_request(
        "invalid_cursor",
        "cursor: from another list; take it from the Link header of this list's page before",
    )
    .at("cursor")
}

/// The query read one entry past its page, to know whether another page follows.
pub fn one_more(q: &consent::AuditQuery) -> consent::AuditQuery {
    consent::AuditQuery {
        limit: q.limit + 1,
        ..q.clone()
    }
}
