//! What a toestemmingsverklaring was used for (the disclosures made under it), its FHIR form and its
//! receipt: shared by the partner's and the Amsterdammer's routes.

use axum::Json;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use consent::{Consent, Content, Disclosure};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// One disclosure made under a consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub disclosure_id: String,
    pub at: DateTime<Utc>,
    /// Partner id whose data was disclosed.
    pub from: String,
    /// Partner id that received it.
    pub to: String,
    pub activity: String,
    pub categories: Vec<String>,
    pub log_index: u64,
}

/// The disclosures under `consent` that `include` keeps, oldest first. A disclosure whose content
/// was erased no longer says which consent it was made under, so it is not listed here (it still
/// is in `/v1/me/disclosures`).
pub async fn usage(
    state: &AppState,
    consent: &Consent,
    include: impl Fn(&Disclosure) -> bool,
) -> Result<Json<Vec<UsageView>>, ApiError> {
    let disclosures = state.store.disclosures_of(&consent.subject).await?;
    Ok(Json(
        disclosures
            .into_iter()
            .filter(|d| include(d))
            .filter_map(|d| match d.content {
                Content::Readable(p) if p.consent_id.as_deref() == Some(consent.id.as_str()) => {
                    Some(UsageView {
                        disclosure_id: d.id,
                        at: d.at,
                        from: d.source,
                        to: d.recipient,
                        activity: d.activity,
                        categories: p.categories,
                        log_index: d.log_index,
                    })
                }
                _ => None,
            })
            .collect(),
    ))
}

/// The consent as FHIR R4 JSON, served as `application/fhir+json`.
pub fn fhir_response(state: &AppState, consent: &Consent) -> Response {
    let resource = crate::fhir::consent_resource(consent, &state.register, state.clock.now());
    let mut response = Json(resource).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    response
}

/// A consent receipt (ISO/IEC TS 27560 fields), for the Amsterdammer to keep: what they agreed to,
/// with whom, for what, how it was recorded, until when, and how to withdraw it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    /// `ISO/IEC TS 27560:2023`.
    pub schema: String,
    /// The toestemmingsverklaring's id.
    pub record_id: String,
    pub issued_at: DateTime<Utc>,
    /// `nl`.
    pub language: String,
    /// The subject as the gateway knows them: a keyed pseudonym, never the BSN.
    pub subject: String,
    /// `active`, `pending`, `revoked` or `expired`, as of `issued_at`.
    pub status: String,
    /// Who recorded it (a partner, or the Amsterdammer) and who is responsible for it.
    pub recorded_by: ReceiptParty,
    /// The organisations that may receive data under it (a kind stands for every partner of it).
    pub recipients: Vec<ReceiptParty>,
    /// Whose data may be shared; empty: every source the purposes allow.
    pub sources: Vec<ReceiptParty>,
    pub purposes: Vec<ReceiptPurpose>,
    pub data_categories: Vec<ReceiptCategory>,
    /// How it was given: e.g. `signed_form`, `digital`, `verbal_recorded`.
    pub method: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub how_to_withdraw: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptParty {
    /// A partner id, a kind of partner, or `amsterdammer`.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptPurpose {
    /// The processing activity.
    pub activity: String,
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptCategory {
    pub id: String,
    pub name: String,
    /// Special category (art. 9/10 AVG).
    pub special: bool,
}

/// The receipt as JSON, or as the printable page for a client that asks for HTML.
pub fn receipt_response(
    state: &AppState,
    c: &Consent,
    headers: &axum::http::HeaderMap,
) -> Response {
    let receipt = receipt(state, c);
    if super::receipt_page::wants_html(headers) {
        super::receipt_page::response(&receipt)
    } else {
        Json(receipt).into_response()
    }
}

pub fn receipt(state: &AppState, c: &Consent) -> ReceiptView {
    let register = &state.register;
    let now = state.clock.now();
    let party = |id: &String| ReceiptParty {
        name: match register.partner(id) {
            Some(p) => p.name.clone(),
            None if id == consent::AMSTERDAMMER => "de Amsterdammer zelf".into(),
            None => format!("elke organisatie van de soort {id}"),
        },
        id: id.clone(),
    };
    ReceiptView {
        schema: "ISO/IEC TS 27560:2023".into(),
        record_id: c.id.clone(),
        issued_at: now,
        language: "nl".into(),
        subject: c.subject.as_str().to_owned(),
        status: c.status_at(now).as_str().to_owned(),
        recorded_by: party(&c.recorded_by_partner),
        recipients: c.recipients.iter().map(party).collect(),
        sources: c.sources.iter().flatten().map(party).collect(),
        purposes: c
            .activities
            .iter()
            .map(|id| {
                let a = register.activity(id);
                ReceiptPurpose {
                    activity: id.clone(),
                    name: a.map_or_else(|| id.clone(), |a| a.name.clone()),
                    purpose: a.map(|a| a.purpose.clone()).unwrap_or_default(),
                    legal_basis: a.map_or("consent", |a| a.legal_basis.as_str()).to_owned(),
                }
            })
            .collect(),
        data_categories: c
            .categories
            .iter()
            .map(|id| {
                let k = register.category(id);
                ReceiptCategory {
                    id: id.clone(),
                    name: k.map_or_else(|| id.clone(), |k| k.name.clone()),
                    special: k.is_some_and(|k| k.special),
                }
            })
            .collect(),
        method: c.evidence.method.clone(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        how_to_withdraw: format!(
            "U kunt deze toestemming altijd intrekken, zonder opgaaf van reden: in Mijn gegevens \
             (POST /v1/me/consents/{}/revoke) of via elke betrokken professional. Intrekken geldt \
             voor elke vraag om gegevens daarna.",
            c.id
        ),
    }
}
