//! Exchange (pull) and delivery (push): one pipeline (architecture.md steps 4-10). Parse, look up
//! the subject's consents, decide, forward or take the pushed data, check and filter it, write the
//! decision and disclosure durably, and only then release.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use consent::{DecisionRecord, LedgerWrite, NewDisclosure, Outcome, SubjectId};
use policies::{
    Activity, Decision, LegalBasis, Mode, Partner, Permit, Register, decide, filter_payload,
};
use ring::digest::{SHA256, digest};
use serde_json::{Map, Value, json};

use super::parse;
use super::views::{
    DeliveryRequest, DeliveryResponse, ErrorBody, ExchangeRequest, ExchangeResponse,
};
use crate::auth::Professional;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;

/// Asks a source partner's system for one Amsterdammer's data under one processing activity.
#[utoipa::path(post, path = "/v1/exchange", tag = "exchange", security(("partner_certificate" = [], "partner_token" = [])), request_body = ExchangeRequest,
    responses((status = 200, body = ExchangeResponse, description = "only the permitted fields; Cache-Control: no-store"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`denied`, with the vuistregels broken"),
              (status = 413, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn exchange(
    State(state): State<AppState>,
    who: Professional,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ExchangeRequest>,
) -> Result<Response, ApiError> {
    let register = state.register.clone();
    let bsn = parse::bsn(&body.subject_bsn)?;
    let activity = parse::activity(&register, &body.activity)?;
    let source = parse::partner(&register, &body.source)?;
    let categories = parse::categories(&register, &body.categories)?;
    let pipeline = Pipeline::start(
        &state,
        &who,
        Mode::Exchange,
        activity,
        source,
        &who.partner,
        categories,
        body.justification,
        state.pseudonyms.subject(&bsn),
    )?;
    let permit = pipeline.decide(&state).await?;

    let wanted: Vec<&str> = permit.fields.keys().map(String::as_str).collect();
    let answer = state
        .upstream
        .fetch(
            &source.id,
            &bsn,
            &activity.id,
            &wanted,
            traceparent(&headers),
        )
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            pipeline
                .record_failure(&state, &permit, "source_unavailable")
                .await?;
            return Err(ApiError::bad_gateway(
                "source_unavailable",
                format!(
                    "the system of {} did not answer properly; nothing was disclosed",
                    source.id
                ),
                e,
            ));
        }
    };
    let (data, withheld) = match release(&register, &permit, answer) {
        Ok(released) => released,
        Err(issue) => {
            pipeline
                .record_failure(&state, &permit, "source_invalid_response")
                .await?;
            return Err(ApiError::bad_gateway(
                "source_invalid_response",
                format!(
                    "the system of {} answered data that fails its schema; nothing was disclosed",
                    source.id
                ),
                issue,
            ));
        }
    };
    let (disclosure_id, log_index) = pipeline.commit(&state, &permit, &data).await?;
    let mut response = Json(ExchangeResponse {
        disclosure_id,
        data,
        withheld,
        log_index,
    })
    .into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Sends one Amsterdammer's data to a recipient under one processing activity (aanmelding, melding).
#[utoipa::path(post, path = "/v1/deliveries", tag = "exchange", security(("partner_certificate" = [], "partner_token" = [])), request_body = DeliveryRequest,
    responses((status = 200, body = DeliveryResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn deliver(
    State(state): State<AppState>,
    who: Professional,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DeliveryRequest>,
) -> Result<Json<DeliveryResponse>, ApiError> {
    let register = state.register.clone();
    let bsn = parse::bsn(&body.subject_bsn)?;
    let activity = parse::activity(&register, &body.activity)?;
    let recipient = parse::partner(&register, &body.recipient)?;
    let names: Vec<String> = body.data.keys().cloned().collect();
    let categories = parse::categories(&register, &names)?;
    let pipeline = Pipeline::start(
        &state,
        &who,
        Mode::Delivery,
        activity,
        &who.partner,
        recipient,
        categories,
        body.justification,
        state.pseudonyms.subject(&bsn),
    )?;
    let permit = pipeline.decide(&state).await?;
    let (data, withheld) = release(&register, &permit, body.data).map_err(|issue| {
        ApiError::bad_request(
            "invalid_payload",
            format!("the delivered data fails its schema (vuistregel 3): {issue}"),
        )
    })?;
    let (disclosure_id, log_index) = pipeline.commit(&state, &permit, &data).await?;
    let message = json!({
        "subject_bsn": bsn.expose(),
        "activity": activity.id,
        "sender": who.partner.id,
        "disclosure_id": disclosure_id,
        "data": data,
    });
    // The entry is durable before anything leaves; if the recipient then fails, the entry stays:
    // the log errs on the side of recording an attempted disclosure.
    state
        .upstream
        .deliver(&recipient.id, &message, traceparent(&headers))
        .await
        .map_err(|e| {
            ApiError::bad_gateway(
                "recipient_unavailable",
                format!("the system of {} did not accept the delivery; it is logged as attempted (disclosure {disclosure_id})", recipient.id),
                e,
            )
        })?;
    Ok(Json(DeliveryResponse {
        disclosure_id,
        delivered_at: state.clock.now(),
        withheld,
        log_index,
    }))
}

/// One request on its way through the pipeline.
struct Pipeline<'a> {
    mode: Mode,
    who: &'a Professional,
    activity: &'a Activity,
    source: &'a Partner,
    recipient: &'a Partner,
    categories: BTreeSet<String>,
    justification: Option<String>,
    subject: SubjectId,
    now: DateTime<Utc>,
    decision_id: String,
}

impl<'a> Pipeline<'a> {
    #[allow(clippy::too_many_arguments)]
    fn start(
        state: &AppState,
        who: &'a Professional,
        mode: Mode,
        activity: &'a Activity,
        source: &'a Partner,
        recipient: &'a Partner,
        categories: BTreeSet<String>,
        justification: Option<String>,
        subject: SubjectId,
    ) -> Result<Self, ApiError> {
        let justification = justification.filter(|j| !j.trim().is_empty());
        if activity.legal_basis != LegalBasis::Consent && justification.is_none() {
            return Err(ApiError::bad_request(
                "justification_required",
                format!(
                    "activity '{}' rests on {}, not on consent: give a justification, it is recorded for review",
                    activity.id,
                    activity.legal_basis.as_str()
                ),
            ));
        }
        Ok(Self {
            mode,
            who,
            activity,
            source,
            recipient,
            categories,
            justification,
            subject,
            now: state.clock.now(),
            decision_id: uuid::Uuid::now_v7().to_string(),
        })
    }

    /// Looks up consents and decides. A denial is recorded durably before the 403 leaves.
    async fn decide(&self, state: &AppState) -> Result<Permit, ApiError> {
        let consents = state.store.consents_of(&self.subject).await?;
        let grants: Vec<_> = consents
            .iter()
            .map(|c| parse::grant(&state.register, c))
            .collect();
        let decision = decide(&policies::Request {
            mode: self.mode,
            activity: self.activity,
            source: self.source,
            recipient: self.recipient,
            role: &self.who.role,
            categories: &self.categories,
            consents: &grants,
            justification: self.justification.as_deref(),
            now: self.now,
        });
        match decision {
            Decision::Permit(permit) => Ok(permit),
            Decision::Deny(violations) => {
                let record = self.decision_record(Outcome::Deny, json!(violations), None, None);
                state
                    .ledger
                    .write(LedgerWrite {
                        decision: record,
                        disclosure: None,
                    })
                    .await?;
                tracing::info!(activity = %self.activity.id, decision_id = %self.decision_id, "denied");
                Err(ApiError::denied(violations))
            }
        }
    }

    async fn record_failure(
        &self,
        state: &AppState,
        permit: &Permit,
        error: &str,
    ) -> Result<(), ApiError> {
        let record = self.decision_record(
            Outcome::Permit,
            json!([]),
            permit.consent_id.clone(),
            Some(error.into()),
        );
        state
            .ledger
            .write(LedgerWrite {
                decision: record,
                disclosure: None,
            })
            .await?;
        Ok(())
    }

    /// Writes decision and disclosure in the group commit and waits until both are durable.
    async fn commit(
        &self,
        state: &AppState,
        permit: &Permit,
        data: &Map<String, Value>,
    ) -> Result<(String, u64), ApiError> {
        let id = uuid::Uuid::now_v7().to_string();
        let canonical = serde_json::to_vec(data).map_err(ApiError::internal)?;
        let fields = data
            .iter()
            .flat_map(|(cat, record)| {
                record
                    .as_object()
                    .into_iter()
                    .flat_map(move |r| r.keys().map(move |f| format!("{cat}.{f}")))
            })
            .collect();
        let disclosure = NewDisclosure {
            id: id.clone(),
            at: self.now,
            mode: self.mode.as_str().into(),
            source: self.source.id.clone(),
            recipient: self.recipient.id.clone(),
            professional: self.who.id.clone(),
            subject: self.subject.clone(),
            activity: self.activity.id.clone(),
            legal_basis: permit.legal_basis.as_str().into(),
            categories: data.keys().cloned().collect(),
            fields,
            consent_id: permit.consent_id.clone(),
            justification: self.justification.clone(),
            payload_sha256: hex::encode(digest(&SHA256, &canonical)),
            decision_id: self.decision_id.clone(),
            retain_until: self.now + Duration::days(i64::from(self.activity.retention_days)),
        };
        let decision =
            self.decision_record(Outcome::Permit, json!([]), permit.consent_id.clone(), None);
        let index = state
            .ledger
            .write(LedgerWrite {
                decision,
                disclosure: Some(disclosure),
            })
            .await?;
        let index =
            index.ok_or_else(|| ApiError::internal("ledger gave no index for a disclosure"))?;
        tracing::info!(disclosure_id = %id, log_index = index, activity = %self.activity.id, "disclosed");
        Ok((id, index))
    }

    fn decision_record(
        &self,
        outcome: Outcome,
        violations: Value,
        consent_id: Option<String>,
        error: Option<String>,
    ) -> DecisionRecord {
        DecisionRecord {
            id: self.decision_id.clone(),
            at: self.now,
            mode: self.mode.as_str().into(),
            partner: self.who.partner.id.clone(),
            professional: self.who.id.clone(),
            role: self.who.role.clone(),
            activity: self.activity.id.clone(),
            source: self.source.id.clone(),
            recipient: self.recipient.id.clone(),
            subject: self.subject.clone(),
            categories: self.categories.iter().cloned().collect(),
            outcome,
            violations,
            consent_id,
            error,
        }
    }
}

/// Vuistregels 1 and 3 on the data itself: schema-check each permitted category, keep only the
/// permitted fields, withhold whole categories that were not permitted.
fn release(
    register: &Register,
    permit: &Permit,
    data: Map<String, Value>,
) -> Result<(Map<String, Value>, Vec<String>), policies::PayloadIssue> {
    let mut released = Map::new();
    let mut withheld = Vec::new();
    for (cat, value) in data {
        match (permit.fields.get(&cat), register.category(&cat)) {
            (Some(allowed), Some(category)) => {
                let (record, dropped) = filter_payload(category, allowed, &value)?;
                withheld.extend(dropped);
                released.insert(cat, Value::Object(record));
            }
            _ => withheld.push(cat),
        }
    }
    Ok((released, withheld))
}

/// The caller's W3C trace context, passed on; `layers::own_request_id` has removed one that is not W3C-shaped.
fn traceparent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(super::layers::TRACEPARENT)
        .and_then(|v| v.to_str().ok())
}
