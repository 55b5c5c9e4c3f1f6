//! Refusals (weigeringen, issue 8): the Amsterdammer, or a professional on their behalf, records
//! "never to this partner or kind of partner / this data category / this processing activity". A
//! refusal beats any toestemmingsverklaring (`policies::RefusalRule`); a request it stops is `403
//! denied` naming it. The Amsterdammer withdraws a refusal; a representative only one the person
//! did not record themselves (unless the register lets the role); the organisation that recorded a
//! refusal may lift that one (`POST /v1/refusals/{id}/withdraw`). The refusal keeps who recorded
//! and who withdrew it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use consent::{Actor, NewRefusal, Refusal, SubjectId};
use policies::{RefusalRule, Register};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bodies::ErrorBody;
use super::parse;
use crate::auth::{Citizen, Professional, Viewer};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;

/// The longest note a refusal keeps.
const MAX_NOTE: usize = 2000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(record_refusal))
        .routes(routes!(withdraw_recorded_refusal))
        .routes(routes!(my_refusals, record_my_refusal))
        .routes(routes!(withdraw_my_refusal))
}

/// A refusal as a professional records it on the Amsterdammer's behalf.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRefusalRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
    /// Never to this partner (id) or to any partner of this kind.
    pub recipient: Option<String>,
    /// Never this data category.
    pub category: Option<String>,
    /// Never for this processing activity.
    pub activity: Option<String>,
    pub note: Option<String>,
}

/// A refusal as the Amsterdammer records it: at least one of recipient, category, activity.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyRefusalRequest {
    /// Never to this partner (id) or to any partner of this kind.
    pub recipient: Option<String>,
    /// Never this data category.
    pub category: Option<String>,
    /// Never for this processing activity.
    pub activity: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalView {
    pub id: String,
    /// `active`, or `withdrawn` (binds nothing any more).
    pub status: String,
    /// What is refused, in words, e.g. `never to any wpi, category 'gezondheid'`.
    pub description: String,
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub activity: Option<String>,
    pub note: Option<String>,
    /// The partner that recorded it, or `amsterdammer`.
    pub recorded_by_partner: String,
    /// Set when a representative recorded it: the representation they acted under.
    pub representation_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Who withdrew it: the partner that recorded it (`<partner>`; the professional stays with
    /// the organisation), or `amsterdammer`.
    pub withdrawn_by_partner: Option<String>,
}

/// Which refusal a professional lifts: the Amsterdammer it is about.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRefusalRequest {
    /// Nine digits that pass the 11-proef.
    #[schema(pattern = "^[0-9]{9}$", example = "111222333")]
    pub subject_bsn: String,
}

impl RefusalView {
    pub fn new(r: Refusal, register: &Register) -> Self {
        Self {
            status: if r.withdrawn_at.is_some() {
                "withdrawn"
            } else {
                "active"
            }
            .into(),
            description: format!("never {}", rule(register, &r).describe()),
            id: r.id,
            recipient: r.recipient,
            category: r.category,
            activity: r.activity,
            note: r.note,
            recorded_by_partner: r.recorded_by_partner,
            representation_id: r.representation,
            created_at: r.created_at,
            withdrawn_at: r.withdrawn_at,
            withdrawn_by_partner: r
                .withdrawn_by
                .as_deref()
                .map(|by| super::representations::party(by).to_owned()),
        }
    }
}

/// What `decide` needs of a stored refusal. A recipient the register no longer knows still refuses
/// that name (it matches no partner).
pub fn rule(register: &Register, r: &Refusal) -> RefusalRule {
    RefusalRule {
        id: r.id.clone(),
        recipient: r.recipient.as_ref().map(|name| {
            register
                .party(name)
                .unwrap_or_else(|| policies::PartyRef::Partner(name.to_owned()))
        }),
        category: r.category.clone(),
        activity: r.activity.clone(),
    }
}

/// The refusals in force for `subject`, as `decide` takes them.
pub async fn rules_of(state: &AppState, subject: &SubjectId) -> Result<Vec<RefusalRule>, ApiError> {
    Ok(state
        .store
        .refusals_of(subject)
        .await?
        .iter()
        .filter(|r| r.withdrawn_at.is_none())
        .map(|r| rule(&state.register, r))
        .collect())
}

/// Records a refusal on the Amsterdammer's behalf. Only an organisation that already has a part in
/// the resident's care records one (an active or pending consent naming it, or a delivery it sent
/// or received about them): a refusal blocks care, so it is nobody's weapon. Binds every request
/// that starts after this returns.
#[utoipa::path(post, path = "/v1/refusals", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])), request_body = RecordRefusalRequest,
    responses((status = 201, body = RefusalView), (status = 400, body = ErrorBody, description = "`refusal_empty`, `unknown_partner`, `unknown_category`, `unknown_activity`, `invalid_note`, `invalid_bsn`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`no_part_in_care`")))]
pub async fn record_refusal(
    State(state): State<AppState>,
    who: Professional,
    ApiJson(body): ApiJson<RecordRefusalRequest>,
) -> Result<(StatusCode, Json<RefusalView>), ApiError> {
    let bsn = parse::bsn(&body.subject_bsn)?;
    let subject = state.pseudonyms.subject(&bsn);
    if !super::representations::takes_part_in_care(&state, &who.partner, &subject).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "no_part_in_care",
            "your organisation has no part in this resident's care (no consent naming it, no delivery about them), so it records no refusal for them",
        )
        .at("subject_bsn"));
    }
    let new = checked(
        &state.register,
        subject,
        MyRefusalRequest {
            recipient: body.recipient,
            category: body.category,
            activity: body.activity,
            note: body.note,
        },
        Actor::professional(&who.partner.id, &who.id),
    )?;
    record(&state, new).await
}

/// The organisation that recorded a refusal for the Amsterdammer lifts it again, e.g. when it was
/// recorded by mistake; idempotent. Only that organisation: another one's refusal, or the
/// Amsterdammer's own, is `403 not_the_recorder`. The refusal keeps who recorded and who withdrew it.
#[utoipa::path(post, path = "/v1/refusals/{id}/withdraw", tag = "consents", security(("partner_certificate" = [], "partner_token" = [])),
    params(("id" = String, Path, description = "The refusal's id.")), request_body = WithdrawRefusalRequest,
    responses((status = 200, body = RefusalView), (status = 400, body = ErrorBody, description = "`invalid_bsn`"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`not_the_recorder`"),
              (status = 404, body = ErrorBody)))]
pub async fn withdraw_recorded_refusal(
    State(state): State<AppState>,
    who: Professional,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawRefusalRequest>,
) -> Result<Json<RefusalView>, ApiError> {
    let bsn = parse::bsn(&body.subject_bsn)?;
    let subject = state.pseudonyms.subject(&bsn);
    let found = find(&state, &subject, &id).await?;
    if found.recorded_by_partner != who.partner.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_the_recorder",
            "only the Amsterdammer, or the organisation that recorded this refusal, withdraws it",
        ));
    }
    let by = super::representations::professional_ref(&who);
    Ok(Json(withdrawn(&state, &id, &by).await?))
}

/// Every refusal of the Amsterdammer, withdrawn ones too, oldest first.
#[utoipa::path(get, path = "/v1/me/refusals", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = [RefusalView]), (status = 401, body = ErrorBody)))]
pub async fn my_refusals(
    State(state): State<AppState>,
    me: Citizen,
) -> Result<Json<Vec<RefusalView>>, ApiError> {
    let refusals = state.store.refusals_of(&me.subject).await?;
    Ok(Json(
        refusals
            .into_iter()
            .map(|r| RefusalView::new(r, &state.register))
            .collect(),
    ))
}

/// The Amsterdammer records a refusal: never to this recipient, this category, or this activity.
#[utoipa::path(post, path = "/v1/me/refusals", tag = "amsterdammer", security(("citizen_token" = [])), request_body = MyRefusalRequest,
    responses((status = 201, body = RefusalView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn record_my_refusal(
    State(state): State<AppState>,
    me: Citizen,
    ApiJson(body): ApiJson<MyRefusalRequest>,
) -> Result<(StatusCode, Json<RefusalView>), ApiError> {
    let new = checked(&state.register, me.subject.clone(), body, me.actor())?;
    representative_may_act_on(&state, me.viewer(), &new.category)?;
    record(&state, new).await
}

/// A refusal recorded on Mijn gegevens: by the Amsterdammer, or their representative within their role.
pub async fn refuse_as(
    state: &AppState,
    viewer: Viewer<'_>,
    body: MyRefusalRequest,
) -> Result<RefusalView, ApiError> {
    let new = checked(
        &state.register,
        viewer.subject.clone(),
        body,
        viewer.actor(),
    )?;
    representative_may_act_on(state, viewer, &new.category)?;
    Ok(record(state, new).await?.1.0)
}

/// Withdraws refusal `id` of `viewer.subject`, if it is theirs and within a representative's role.
pub async fn withdraw(
    state: &AppState,
    viewer: Viewer<'_>,
    id: &str,
) -> Result<RefusalView, ApiError> {
    let mine = find(state, viewer.subject, id).await?;
    representative_may_act_on(state, viewer, &mine.category)?;
    viewer.may_undo(&state.register, mine.representation.is_none())?;
    let by = match viewer.acting {
        None => consent::AMSTERDAMMER.to_owned(),
        Some(r) => format!("{}/{}", consent::AMSTERDAMMER, r.id),
    };
    withdrawn(state, id, &by).await
}

/// Refusal `id`, if it is about `subject`.
async fn find(state: &AppState, subject: &SubjectId, id: &str) -> Result<Refusal, ApiError> {
    state
        .store
        .refusals_of(subject)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("refusal"))
}

async fn withdrawn(state: &AppState, id: &str, by: &str) -> Result<RefusalView, ApiError> {
    let withdrawn = state
        .store
        .withdraw_refusal(id, by, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("refusal"))?;
    tracing::info!(refusal_id = %id, "refusal withdrawn");
    Ok(RefusalView::new(withdrawn, &state.register))
}

/// The Amsterdammer withdraws one of their refusals; idempotent. From then on it binds nothing.
#[utoipa::path(post, path = "/v1/me/refusals/{id}/withdraw", tag = "amsterdammer", security(("citizen_token" = [])),
    responses((status = 200, body = RefusalView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn withdraw_my_refusal(
    State(state): State<AppState>,
    me: Citizen,
    Path(id): Path<String>,
) -> Result<Json<RefusalView>, ApiError> {
    Ok(Json(withdraw(&state, me.viewer(), &id).await?))
}

/// A representative whose role covers only some categories (a mentor, a bewindvoerder) records and
/// withdraws only refusals of a category it covers: a refusal without one reaches further.
fn representative_may_act_on(
    state: &AppState,
    me: Viewer<'_>,
    category: &Option<String>,
) -> Result<(), ApiError> {
    match (me.acting, category) {
        (None, _) => Ok(()),
        (Some(_), Some(c)) => me.must_cover(&state.register, [c]),
        (Some(r), None) if r.role.covers_all() => Ok(()),
        (Some(r), None) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "outside_representation",
            format!(
                "a {} acts for this person only on some categories: name one",
                r.role.as_str()
            ),
        )
        .at("category")),
    }
}

/// Checks a refusal's terms against the register.
fn checked(
    register: &Register,
    subject: SubjectId,
    body: MyRefusalRequest,
    recorded_by: Actor,
) -> Result<NewRefusal, ApiError> {
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (recipient, category, activity) = (
        blank(body.recipient),
        blank(body.category),
        blank(body.activity),
    );
    if recipient.is_none() && category.is_none() && activity.is_none() {
        return Err(ApiError::bad_request(
            "refusal_empty",
            "a refusal names at least one of recipient (a partner or kind of partner), category or activity",
        ));
    }
    if let Some(name) = &recipient
        && register.party(name).is_none()
    {
        return Err(ApiError::bad_request(
            "unknown_partner",
            format!(
                "recipient: '{name}' is neither a partner nor a kind of partner in the register"
            ),
        ));
    }
    if let Some(name) = &category {
        parse::categories(register, std::slice::from_ref(name))?;
    }
    if let Some(id) = &activity {
        parse::activity(register, id)?;
    }
    if body
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE)
    {
        return Err(ApiError::bad_request(
            "invalid_note",
            format!("note: at most {MAX_NOTE} characters"),
        ));
    }
    Ok(NewRefusal {
        subject,
        recipient,
        category,
        activity,
        note: body.note,
        recorded_by,
    })
}

async fn record(
    state: &AppState,
    new: NewRefusal,
) -> Result<(StatusCode, Json<RefusalView>), ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state
        .store
        .insert_refusal(&id, &new, state.clock.now())
        .await?;
    tracing::info!(refusal_id = %id, by = %new.recorded_by.party, "refusal recorded");
    Ok((
        StatusCode::CREATED,
        Json(RefusalView::new(stored, &state.register)),
    ))
}
