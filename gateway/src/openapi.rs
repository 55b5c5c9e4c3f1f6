//! `GET /openapi.json`, generated from the handlers' annotations and the body types.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{self, views};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Amsterdam social-domain privacy gateway",
        version = "1",
        description = "Exchange of case data between buurtteams, OKT, WPI, aanbieders and the Meldpunt Zorg- en Woonoverlast, \
                        checked against the Amsterdammer's toestemmingsverklaring and the eight AVG vuistregels. \
                        Partner routes need a client certificate and a partner-signed ES256 token."
    ),
    paths(
        routes::healthz,
        routes::readyz,
        routes::get_register,
        routes::record_consent,
        routes::list_consents, routes::search_consents,
        routes::get_consent,
        routes::revoke_consent,
        routes::exchange,
        routes::deliver,
        routes::my_consents,
        routes::revoke_my_consent,
        routes::my_disclosures,
    ),
    components(schemas(views::ErrorBody, views::ErrorDetail, views::ViolationView)),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// How callers authenticate (api.md, "Who calls").
#[derive(Debug)]
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "partner_certificate",
            SecurityScheme::MutualTls {
                description: Some(
                    "the organisation's client certificate; its subject serialNumber (OIN) names the partner"
                        .into(),
                ),
                extensions: None,
            },
        );
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "partner_token",
            bearer("ES256 JWT signed by the partner: iss = partner id, aud = this gateway, sub = professional, role, exp, nbf"),
        );
        components.add_security_scheme(
            "citizen_token",
            bearer("token of the citizen identity provider with the Amsterdammer's bsn claim"),
        );
    }
}
