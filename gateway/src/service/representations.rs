//! Representations: who may act for whom. A representation is evidence, not a claim:
//!
//! - **Recorded** by a professional of a partner kind the register lists for the role
//!   (`representation_recorders`), and only by an organisation that already has a part in the
//!   represented person's care: an active or pending consent naming it, or a delivery it sent or
//!   received about them. It is then `pending` and grants nothing.
//! - **Confirmed** by the person represented (`POST /v1/me/representations/{id}/confirm`, or Mijn
//!   gegevens), or by a second professional of the recording organisation in a `confirmers` role,
//!   who attests that the court decision or the parental authority was seen (four eyes: never the
//!   professional who recorded it).
//! - **Seen** by both people (`GET /v1/me/representations`) and by the recording organisation.
//! - **Ended** by the recording organisation, by the representative, or by the person represented,
//!   who can contest it at any time (`POST /v1/me/representations/{id}/end`).
//!
//! Once confirmed, the representative acts for the person with their own citizen token and the
//! header `On-Behalf-Of: <representation id>`, within their role; every step they take is recorded
//! as theirs and shown to both.

use crate::auth::{Citizen, Professional};
use crate::contract::{
    ConfirmRepresentationRequest, MyRepresentationsView, RepresentationRequest, RepresentationView,
    party,
};
use crate::error::ApiError;
use crate::service::parse;
use crate::state::AppState;
use consent::{Actor, NewRepresentation, Representation, Sha256Hex, SubjectId};
use policies::RepresentativeRole;

/// The longest a representation may be recorded for, in days (a court decision is reviewed at
/// least every five years, Boek 1 BW art. 1:456).
const MAX_DAYS: i64 = 5 * 366;

/// The person represented (`own`, their own pseudonym) confirms representation `id`.
pub async fn confirm_as_represented(
    state: &AppState,
    own: &SubjectId,
    id: &str,
) -> Result<RepresentationView, ApiError> {
    let r = about(state, own, id, |r, own| r.represented == *own).await?;
    confirm(state, r, consent::AMSTERDAMMER).await
}

/// Either person of representation `id` (`own`, their own pseudonym) ends it.
pub async fn end_as_person(
    state: &AppState,
    own: &SubjectId,
    id: &str,
) -> Result<RepresentationView, ApiError> {
    about(state, own, id, |r, own| {
        r.represented == *own || r.representative == *own
    })
    .await?;
    end(state, id, consent::AMSTERDAMMER).await
}

/// The representation `id` if `own` (a person's own pseudonym, whatever `On-Behalf-Of` says)
/// stands in it as `side` says; `404` otherwise.
async fn about(
    state: &AppState,
    own: &SubjectId,
    id: &str,
    side: impl Fn(&Representation, &SubjectId) -> bool,
) -> Result<Representation, ApiError> {
    state
        .store
        .representation(id)
        .await?
        .filter(|r| side(r, own))
        .ok_or_else(|| ApiError::not_found("representation"))
}

/// Ends representation `id` (already checked: `by` may end it); idempotent.
pub async fn end(state: &AppState, id: &str, by: &str) -> Result<RepresentationView, ApiError> {
    let now = state.clock.now();
    let ended = state
        .store
        .end_representation(id, by, now)
        .await?
        .ok_or_else(|| ApiError::not_found("representation"))?;
    tracing::info!(representation_id = %id, by = party(by), "representation ended");
    state.cover_consent_change().await;
    Ok(RepresentationView::new(ended, now))
}

/// Confirms `r` (already checked: `by` may confirm it); idempotent.
async fn confirm(
    state: &AppState,
    r: Representation,
    by: &str,
) -> Result<RepresentationView, ApiError> {
    let now = state.clock.now();
    if r.ended_at.is_some() {
        return Err(ApiError::conflict(
            "representation_ended",
            "this representation was ended; record a new one",
        ));
    }
    let confirmed = state
        .store
        .confirm_representation(&r.id, by, now)
        .await?
        .ok_or_else(|| ApiError::not_found("representation"))?;
    tracing::info!(representation_id = %r.id, "representation confirmed");
    state.cover_consent_change().await;
    Ok(RepresentationView::new(confirmed, now))
}

/// How a professional is stored as the one who confirmed, ended or withdrew something.
pub fn professional_ref(who: &Professional) -> String {
    format!("{}/{}", who.partner.id, who.id)
}

/// Whether `partner` already has a part in `subject`'s care: a consent naming it that is active or
/// pending (not revoked, refused, superseded or expired), or a delivery it sent or received about
/// them. Only such an organisation records a representation or a refusal for the person.
pub async fn takes_part_in_care(
    state: &AppState,
    partner: &policies::Partner,
    subject: &SubjectId,
) -> Result<bool, ApiError> {
    let now = state.clock.now();
    let consents = state.store.consents_of(subject).await?;
    if consents.iter().any(|c| {
        c.revoked_at.is_none()
            && !c.ended()
            && now < c.valid_until
            && parse::visible_to(&state.register(), c, partner)
    }) {
        return Ok(true);
    }
    Ok(state.store.disclosures_of(subject).await?.iter().any(|d| {
        d.mode == policies::Mode::Delivery && (d.source == partner.id || d.recipient == partner.id)
    }))
}

pub async fn recorded_by(
    state: &AppState,
    who: &Professional,
    id: &str,
) -> Result<Representation, ApiError> {
    state
        .store
        .representation(id)
        .await?
        .filter(|r| r.recorded_by_partner == who.partner.id)
        .ok_or_else(|| ApiError::not_found("representation"))
}

/// The use case behind `record_representation`.
pub async fn record(
    state: &AppState,
    who: &Professional,
    body: RepresentationRequest,
) -> Result<RepresentationView, ApiError> {
    let role = RepresentativeRole::parse(&body.role).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_role",
            "role is one of parent, guardian, mentor, curator, bewindvoerder",
        )
        .at("role")
    })?;
    let listed = state
        .register()
        .representation_recorders(role)
        .is_some_and(|r| r.kinds.contains(&who.partner.kind));
    if !listed {
        return Err(ApiError::refused(
            "not_a_recorder",
            format!(
                "the register does not list a {} as a recorder of {} representations",
                who.partner.kind,
                role.as_str()
            ),
        ));
    }
    let representative = parse::bsn_at("representative_bsn", &body.representative_bsn)?;
    let represented = parse::bsn_at("represented_bsn", &body.represented_bsn)?;
    if representative == represented {
        return Err(ApiError::bad_request(
            "invalid_representation",
            "a person does not represent themselves",
        )
        .at("representative_bsn"));
    }
    if body.basis.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_basis",
            "name what the representation rests on",
        )
        .at("basis"));
    }
    let represented = state.pseudonyms.subject(&represented);
    if !takes_part_in_care(state, &who.partner, &represented).await? {
        return Err(ApiError::refused("no_part_in_care",
            "your organisation has no part in this person's care (no consent naming it, no delivery about them), so it records nothing for them",
        )
        .at("represented_bsn"));
    }
    let document_sha256 = Sha256Hex::parse(&body.document_sha256).map_err(|_| {
        ApiError::bad_request("invalid_evidence", "document_sha256: 64 hex characters")
            .at("document_sha256")
    })?;
    let now = state.clock.now();
    let valid_from = body.valid_from.unwrap_or(now);
    if body.valid_until <= valid_from {
        return Err(ApiError::bad_request(
            "invalid_period",
            "valid_until must lie after valid_from",
        )
        .at("valid_until"));
    }
    if body.valid_until - valid_from > chrono::Duration::days(MAX_DAYS) {
        return Err(ApiError::bad_request(
            "representation_period_too_long",
            format!("a representation is recorded for at most {MAX_DAYS} days; record it again when it is renewed"),
        )
        .at("valid_until"));
    }
    let new = NewRepresentation {
        representative: state.pseudonyms.subject(&representative),
        represented,
        role,
        basis: body.basis,
        document_sha256,
        label: body.label.filter(|l| !l.trim().is_empty()),
        valid_from,
        valid_until: body.valid_until,
        recorded_by: Actor::professional(&who.partner.id, &who.id),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let stored = state.store.insert_representation(&id, &new, now).await?;
    tracing::info!(representation_id = %id, role = role.as_str(), by = %who.partner.id, "representation recorded, pending confirmation");
    state.cover_consent_change().await;
    Ok(RepresentationView::new(stored, now))
}

/// The use case behind `confirm_representation`.
pub async fn confirm_by_professional(
    state: &AppState,
    who: &Professional,
    id: &str,
    body: ConfirmRepresentationRequest,
) -> Result<RepresentationView, ApiError> {
    let r = recorded_by(state, who, id).await?;
    if r.professional == who.id {
        return Err(ApiError::refused(
            "four_eyes",
            "a second professional confirms a representation, never the one who recorded it",
        ));
    }
    let confirmer = state
        .register()
        .representation_recorders(r.role)
        .is_some_and(|t| t.confirmers.contains(&who.role));
    if !confirmer {
        return Err(ApiError::refused(
            "not_a_confirmer",
            format!(
                "the register does not list the role '{}' as a confirmer of {} representations",
                who.role,
                r.role.as_str()
            ),
        ));
    }
    if body.evidence_seen.split_whitespace().count() < 2 {
        return Err(ApiError::bad_request(
            "invalid_attestation",
            "say what was seen (the court decision or the parental authority), in words",
        )
        .at("evidence_seen"));
    }
    confirm(state, r, &professional_ref(who)).await
}

/// The use case behind `my_representations`.
pub async fn mine(state: &AppState, me: &Citizen) -> Result<MyRepresentationsView, ApiError> {
    let own = state.pseudonyms.subject(&me.bsn);
    let now = state.clock.now();
    let (representing, represented_by): (Vec<_>, Vec<_>) = state
        .store
        .representations_of(&own)
        .await?
        .into_iter()
        .partition(|r| r.representative == own);
    Ok(MyRepresentationsView {
        representing: representing
            .into_iter()
            .map(|r| RepresentationView::new(r, now))
            .collect(),
        represented_by: represented_by
            .into_iter()
            .map(|r| {
                let mut v = RepresentationView::new(r, now);
                v.label = None;
                v
            })
            .collect(),
    })
}
