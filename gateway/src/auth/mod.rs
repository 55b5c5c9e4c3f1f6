//! Who is calling, as extractor types: a handler that takes a [`Professional`] or a [`Citizen`]
//! cannot forget the check. The client certificate was verified during the TLS handshake; here its
//! subject (OIN in `serialNumber`) is mapped to one registered partner.

mod citizen;
pub mod logins;
mod officer;
pub mod oidc;
pub mod tokens;

pub use citizen::{Citizen, ON_BEHALF_OF, Viewer, acting_under, within_role};
pub use logins::Logins;
pub use officer::Officer;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use policies::Partner;

use crate::error::ApiError;
use crate::ratelimit::Refused;
use crate::state::AppState;
use tokens::{MAX_SUBJECT_CHARS, TokenError};

/// What the TLS layer learned about the peer, attached to every request of the connection.
#[derive(Debug, Clone, Default)]
pub struct ClientIdentity {
    /// `None`: no client certificate was presented.
    pub certificate: Option<PeerCertificate>,
}

#[derive(Debug, Clone)]
pub struct PeerCertificate {
    /// The subject's `serialNumber` (OIN), if it has one.
    pub oin: Option<String>,
}

impl ClientIdentity {
    pub fn from_der(der: Option<&[u8]>) -> Self {
        let certificate = der.map(|der| PeerCertificate {
            oin: crate::tls::certificate_oin(der),
        });
        Self { certificate }
    }
}

/// The organisation behind the client certificate.
#[derive(Debug, Clone)]
pub struct PartnerOrg(pub Partner);

impl FromRequestParts<AppState> for PartnerOrg {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let certificate = parts
            .extensions
            .get::<ClientIdentity>()
            .and_then(|id| id.certificate.as_ref())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "client_certificate_required",
                    "this route is for partner systems: present your organisation's client certificate",
                )
            })?;
        let register = state.register();
        let partner = certificate
            .oin
            .as_deref()
            .and_then(|oin| register.partner_by_oin(oin))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "unknown_certificate",
                    "the client certificate does not belong to a registered partner",
                )
            })?;
        Ok(Self(partner.clone()))
    }
}

/// A professional acting for a partner: client certificate plus a token signed by that partner.
#[derive(Debug, Clone)]
pub struct Professional {
    pub partner: Partner,
    /// The professional's id at the partner (token `sub`).
    pub id: String,
    pub role: String,
}

impl FromRequestParts<AppState> for Professional {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PartnerOrg(partner) = PartnerOrg::from_request_parts(parts, state).await?;
        let token = bearer(parts)?;
        let claims = state
            .tokens()
            .verify_partner(&partner.id, token)
            .map_err(|e| {
                tracing::info!(partner = %partner.id, reason = e.reason(), "partner token refused");
                match e {
                    TokenError::BadSubject => ApiError::bad_request(
                        "invalid_sub",
                        format!(
                            "the token's sub must name the professional in 1 to {MAX_SUBJECT_CHARS} characters, without control, invisible or direction-changing characters"
                        ),
                    ),
                    _ => ApiError::unauthorized(
                        "invalid_token",
                        "the bearer token is not valid for this partner",
                    ),
                }
            })?;
        state
            .limits
            .check_professional(&partner.id, &claims.sub)
            .await
            .map_err(|refused| match refused {
                Refused::Over(over) => {
                    state.metrics.limited(over.whose());
                    ApiError::rate_limited(over)
                }
                Refused::Unavailable => ApiError::unavailable(
                    "rate_limits_unavailable",
                    "the gateway cannot check this partner's rate limits now; try again after Retry-After seconds",
                ),
            })?;
        let span = tracing::Span::current();
        span.record("partner", partner.id.as_str());
        span.record("professional", claims.sub.as_str());
        Ok(Self {
            partner,
            id: claims.sub,
            role: claims.role,
        })
    }
}

pub(crate) fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("token_required", "send Authorization: Bearer <token>")
        })?;
    value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("token_required", "send Authorization: Bearer <token>")
        })
}

/// The token role of a privacy officer (`/openapi.json`).
pub const PRIVACY_OFFICER_ROLE: &str = "privacy_officer";

/// A privacy officer: a professional of a partner, with role `privacy_officer`. Sees the traffic
/// their own organisation took part in, or the whole city's when their organisation is listed in
/// `[audit] city_wide`.
#[derive(Debug, Clone)]
pub struct PrivacyOfficer {
    pub professional: Professional,
    /// The organisation whose traffic they may see; `None`: every organisation's.
    pub scope: Option<String>,
}

impl FromRequestParts<AppState> for PrivacyOfficer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let professional = Professional::from_request_parts(parts, state).await?;
        if professional.role != PRIVACY_OFFICER_ROLE {
            return Err(ApiError::refused(
                "not_privacy_officer",
                "the audit routes are for privacy officers (token role privacy_officer)",
            ));
        }
        let city_wide = state.audit.city_wide.contains(&professional.partner.id);
        Ok(Self {
            scope: (!city_wide).then(|| professional.partner.id.clone()),
            professional,
        })
    }
}
