//! The public verwerkingsregister (art. 30 AVG, vuistregel 7) and how it is served.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use policies::Register;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The public register.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(get_register))
}

/// The public verwerkingsregister (art. 30 AVG, vuistregel 7).
#[utoipa::path(get, path = "/v1/register", tag = "public", responses((status = 200, body = RegisterView)))]
pub async fn get_register(State(state): State<AppState>) -> Json<RegisterView> {
    Json(RegisterView::from(state.register().as_ref()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterView {
    /// The register's version: SHA-256 (hex) of the reviewed register file. Every decision
    /// record names the version it was taken under.
    pub version: String,
    pub partners: Vec<PartnerView>,
    pub categories: Vec<CategoryView>,
    pub activities: Vec<ActivityView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerView {
    pub id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    /// Special category (art. 9/10 AVG).
    pub special: bool,
    /// Financial data: what a bewindvoerder acts for, and a mentor does not.
    pub financial: bool,
    /// Field names of the category's schema.
    pub fields: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: String,
    pub name: String,
    pub purpose: String,
    /// `consent`, `legal_obligation`, `vital_interest` or `public_task`.
    pub legal_basis: String,
    /// Partner kinds whose data is disclosed.
    pub from: Vec<String>,
    /// Partner kinds that receive it.
    pub to: Vec<String>,
    pub categories: Vec<String>,
    pub roles: Vec<String>,
    /// ISO 8601 duration, e.g. `P730D`.
    pub retention: String,
    /// `exchange` and/or `delivery`.
    pub modes: Vec<String>,
    /// Partner kinds whose professionals may record a consent for this activity that is active at
    /// once; a consent recorded by another party stays `pending` until confirmed.
    pub consent_recorders: Vec<String>,
    /// Per category, the fields this purpose may receive.
    pub fields: BTreeMap<String, Vec<String>>,
}

impl From<&Register> for RegisterView {
    fn from(r: &Register) -> Self {
        Self {
            version: r.version.clone(),
            partners: r
                .partners
                .iter()
                .map(|p| PartnerView {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                })
                .collect(),
            categories: r
                .categories
                .iter()
                .map(|c| CategoryView {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    special: c.special,
                    financial: c.financial,
                    fields: c.fields.keys().cloned().collect(),
                })
                .collect(),
            activities: r
                .activities
                .iter()
                .map(|a| ActivityView {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    purpose: a.purpose.clone(),
                    legal_basis: a.legal_basis.as_str().to_owned(),
                    from: a.from.clone(),
                    to: a.to.clone(),
                    categories: a.categories().map(str::to_owned).collect(),
                    roles: a.roles.clone(),
                    retention: a.retention(),
                    modes: a.modes.iter().map(|m| m.as_str().to_owned()).collect(),
                    consent_recorders: a.consent_recorders.clone(),
                    fields: a
                        .fields
                        .iter()
                        .map(|(c, f)| (c.clone(), f.iter().cloned().collect()))
                        .collect(),
                })
                .collect(),
        }
    }
}
