//! What a toestemmingsverklaring was used for (the disclosures made under it), and its FHIR form:
//! shared by the partner's and the Amsterdammer's routes.

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
