//! Exchange (pull) and delivery (push), the routes (README, "Design"): parse the request,
//! run it through the [`Pipeline`] (consents, decision, durable record), forward or take the pushed
//! data, check and filter it (`policies::release`), and only then release.

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use policies::{Mode, Released, release};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Professional;
use crate::contract::{
    DeliveryRequest, DeliveryResponse, ErrorBody, ExchangeRequest, ExchangeResponse, ProvenanceView,
};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::service::parse::{Delivery, Exchange};
use crate::service::pipeline::{Ask, Pipeline};
use crate::state::AppState;

/// The response header that tells the recipient until when it may keep the data (vuistregels 4
/// and 5), beside `Cache-Control: no-store`.
pub const RETAIN_UNTIL: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-retain-until");

/// Exchange (pull) and delivery (push).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(exchange))
        .routes(routes!(deliver))
}

/// Asks a source partner's system for one Amsterdammer's data under one processing activity.
#[utoipa::path(post, path = "/v1/exchange", tag = "exchange", security(("partner_certificate" = [], "partner_token" = [])), request_body = ExchangeRequest,
    responses((status = 200, body = ExchangeResponse, description = "only the permitted fields; Cache-Control: no-store, and X-Retain-Until: until when the recipient may keep the data"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "`denied`, with the vuistregels broken"),
              (status = 413, body = ErrorBody), (status = 502, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "the gateway cannot commit now; Retry-After"),
              (status = 504, body = ErrorBody, description = "`source_timeout`: the source did not answer within `[upstream] timeout_secs`")))]
pub async fn exchange(
    State(state): State<AppState>,
    who: Professional,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ExchangeRequest>,
) -> Result<Response, ApiError> {
    let register = state.register();
    let Exchange {
        bsn,
        activity,
        source,
        categories,
        justification,
    } = body.parse(&register)?;
    let pipeline = Pipeline::start(
        &state,
        register.clone(),
        &who,
        Ask {
            mode: Mode::Exchange,
            activity,
            source,
            recipient: &who.partner,
            categories,
            justification,
            subject: state.pseudonyms.subject(&bsn),
            defer: None,
        },
    );
    let permit = pipeline.decide(&state).await?;

    let wanted: Vec<&str> = permit.fields.keys().map(String::as_str).collect();
    let fetch = state.upstream.fetch(
        &source.id,
        &bsn,
        &activity.id,
        &wanted,
        traceparent(&headers),
    );
    let answer = state.metrics.upstream(&source.id, fetch).await;
    let crate::forward::Answer {
        data: answer,
        as_of,
    } = match answer {
        Ok(answer) => answer,
        Err(e @ crate::forward::ForwardError::TimedOut(_)) => {
            pipeline
                .record_failure(&state, &permit, "source_timeout")
                .await?;
            return Err(ApiError::gateway_timeout(
                "source_timeout",
                format!(
                    "the system of {} did not answer in time; nothing was disclosed",
                    source.id
                ),
                e,
            ));
        }
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
    let Released { data, withheld } = match release(
        &register,
        &permit,
        pipeline.categories(),
        answer,
    ) {
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
    let retain_until = pipeline.retain_until();
    // Vuistregel 3: how old each released record is, and which are older than their category's
    // maximum age.
    let as_of: std::collections::BTreeMap<String, chrono::DateTime<chrono::Utc>> = as_of
        .into_iter()
        .filter(|(category, _)| data.contains_key(category))
        .collect();
    let stale: Vec<String> = as_of
        .iter()
        .filter(|(category, at)| {
            register
                .category(category)
                .and_then(|c| c.max_age_days)
                .is_some_and(|days| **at < pipeline.at() - chrono::Duration::days(i64::from(days)))
        })
        .map(|(category, _)| category.clone())
        .collect();
    let mut response = Json(ExchangeResponse {
        disclosure_id,
        data,
        withheld,
        log_index,
        retain_until,
        provenance: ProvenanceView {
            source: source.id.clone(),
            retrieved_at: pipeline.at(),
            as_of,
        },
        stale,
    })
    .into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) =
        HeaderValue::from_str(&retain_until.to_rfc3339_opts(SecondsFormat::Secs, true))
    {
        headers.insert(RETAIN_UNTIL, value);
    }
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
    let register = state.register();
    let Delivery {
        bsn,
        activity,
        recipient,
        categories,
        data,
        justification,
        defer_notice,
    } = body.parse(&register)?;
    let defer = defer_notice
        .map(|d| deferral(&state, activity, d))
        .transpose()?;
    let pipeline = Pipeline::start(
        &state,
        register.clone(),
        &who,
        Ask {
            mode: Mode::Delivery,
            activity,
            source: &who.partner,
            recipient,
            categories,
            justification,
            subject: state.pseudonyms.subject(&bsn),
            defer,
        },
    );
    let permit = pipeline.decide(&state).await?;
    let Released { data, withheld } = release(&register, &permit, pipeline.categories(), data)
        .map_err(|issue| {
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
        // Until when the recipient may keep it (vuistregel 5); it must not keep copies beyond.
        "retain_until": pipeline.retain_until().to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    // The entry is durable before anything leaves; if the recipient then fails, the entry stays:
    // the log errs on the side of recording an attempted disclosure.
    let deliver = state
        .upstream
        .deliver(&recipient.id, &message, traceparent(&headers));
    state
        .metrics
        .upstream(&recipient.id, deliver)
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

/// A sender's request to defer the Amsterdammer's notice, checked: the activity must allow it, the
/// date must lie ahead and within the activity's maximum, and the reason must say why.
fn deferral(
    state: &AppState,
    activity: &policies::Activity,
    d: crate::contract::DeferNotice,
) -> Result<(chrono::DateTime<chrono::Utc>, String), ApiError> {
    let Some(max_days) = activity.max_deferral_days else {
        return Err(ApiError::bad_request(
            "deferral_not_allowed",
            format!(
                "activity '{}' does not allow deferring the Amsterdammer's notice",
                activity.id
            ),
        )
        .at("defer_notice"));
    };
    let now = state.clock.now();
    let latest = now + chrono::Duration::days(i64::from(max_days));
    if d.until <= now || d.until > latest {
        return Err(ApiError::bad_request(
            "invalid_deferral",
            format!("defer_notice.until: a time after now and at most {max_days} days ahead"),
        )
        .at("defer_notice.until"));
    }
    let reason = d.reason.trim();
    let rule = state.policy.justification_rule();
    if !rule.is_met_by(reason) || reason.chars().count() > 2_000 {
        return Err(ApiError::bad_request(
            "invalid_deferral",
            format!(
                "defer_notice.reason: say why, in {} and at most 2000 characters",
                rule.describe()
            ),
        )
        .at("defer_notice.reason"));
    }
    Ok((d.until, reason.to_owned()))
}

/// The caller's W3C trace context, passed on; `layers::own_request_id` has removed one that is not W3C-shaped.
fn traceparent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(super::layers::TRACEPARENT)
        .and_then(|v| v.to_str().ok())
}
