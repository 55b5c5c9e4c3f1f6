//! `GET /openapi.json`, generated from the handlers' annotations and the body types.

use axum::Json;
use utoipa::OpenApi;

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
        routes::list_consents,
        routes::get_consent,
        routes::revoke_consent,
        routes::exchange,
        routes::deliver,
        routes::my_consents,
        routes::revoke_my_consent,
        routes::my_disclosures,
    ),
    components(schemas(views::ErrorBody, views::ErrorDetail, views::ViolationView))
)]
pub struct ApiDoc;

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
