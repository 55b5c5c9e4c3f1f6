//! The OpenAPI document served at `GET /openapi.json`: its frame here, its paths from the routers
//! (each route's `#[utoipa::path]` beside its handler), finished here.

use axum::Json;
use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::contract as bodies;

#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    info(
        title = "Amsterdam social-domain privacy gateway",
        version = "1",
        description = "Exchange of case data between buurtteams, OKT, WPI, aanbieders and the Meldpunt Zorg- en Woonoverlast, \
                        checked against the Amsterdammer's toestemmingsverklaring and the eight AVG vuistregels. \
                        Partner routes need a client certificate and a partner-signed ES256 token."
    ),
    components(schemas(bodies::ErrorBody, bodies::ErrorDetail, bodies::ViolationView))
)]
struct ApiDoc;

/// The document's frame: title, description and the shared error schemas. The paths come from the
/// routers, where each route is declared once (`routes::router`).
pub fn base() -> OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// The whole document once the routers added their paths: the security schemes, and the error
/// answers every route of a kind can give. Serialised once, served as is.
pub fn finish(mut document: OpenApi) -> Json<OpenApi> {
    SecuritySchemes.modify(&mut document);
    CommonErrors.modify(&mut document);
    Json(document)
}

/// How callers authenticate (`/openapi.json`).
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

/// The error answers every route of a kind can give, added to each operation so the document is
/// complete without repeating them in every annotation.
#[derive(Debug)]
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let caller = if path.starts_with("/v1/me/") {
                Some("missing or invalid citizen token")
            } else if ["/v1/consents", "/v1/exchange", "/v1/deliveries"]
                .iter()
                .any(|p| path.starts_with(p))
            {
                Some("missing client certificate, or missing or invalid partner token")
            } else {
                None
            };
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                let mut add = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error_response(description).into());
                };
                if let Some(unauthorized) = caller {
                    add("401", unauthorized);
                    add(
                        "429",
                        "too many requests from this professional, organisation or Amsterdammer; see the Retry-After header",
                    );
                }
                if op.request_body.is_some() {
                    add("400", "invalid input, with a stable error code");
                    add("408", "the body did not arrive within the body timeout");
                    add("413", "body larger than 1 MiB");
                    add("415", "body is not sent as application/json");
                }
                add("431", "more than 100 header fields or 16 KiB of headers");
                if path != "/healthz" {
                    add(
                        "503",
                        "`overloaded` (more requests in progress than [connections] max_in_flight), \
                         `storage_unavailable` (the database cannot serve now) or, for partners, \
                         `rate_limits_unavailable` (the limits shared by the replicas cannot be \
                         checked now); see the Retry-After header",
                    );
                }
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}
