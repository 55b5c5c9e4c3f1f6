//! The Amsterdammer as a caller: their citizen token, and when they act for someone else, the
//! representation they act under (`On-Behalf-Of`) and what their role lets them see and do.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use consent::{Actor, Representation, SubjectId};
use policies::{Bsn, Register, RepresentativeRole};

use super::bearer;
use crate::error::ApiError;
use crate::state::AppState;

/// An Amsterdammer, signed in through the citizen identity provider.
#[derive(Debug, Clone)]
pub struct Citizen {
    /// The signed-in person's own BSN.
    pub bsn: Bsn,
    /// Whom the request is about: the signed-in Amsterdammer, or the person they represent.
    pub subject: SubjectId,
    /// The representation the signed-in person acts under, when they act for someone else.
    pub acting: Option<Representation>,
}

/// The header with which a representative acts for a person they represent: the id of the
/// representation (`GET /v1/me/representations`). Without it, a citizen acts for themselves.
pub const ON_BEHALF_OF: &str = "on-behalf-of";

impl Citizen {
    /// Who acts: the Amsterdammer, or their representative under the representation.
    pub fn actor(&self) -> Actor {
        self.viewer().actor()
    }

    /// Whose data the caller sees, and as whom.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            subject: &self.subject,
            acting: self.acting.as_ref(),
        }
    }

    /// See [`Viewer::covers`].
    pub fn covers<'c>(
        &self,
        register: &Register,
        categories: impl IntoIterator<Item = &'c String>,
    ) -> bool {
        self.viewer().covers(register, categories)
    }

    /// See [`Viewer::may_see`].
    pub fn may_see(
        &self,
        register: &Register,
        d: &consent::Disclosure,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        self.viewer().may_see(register, d, now)
    }

    /// See [`Viewer::must_cover`].
    pub fn must_cover<'c>(
        &self,
        register: &Register,
        categories: impl IntoIterator<Item = &'c String>,
    ) -> Result<(), ApiError> {
        self.viewer().must_cover(register, categories)
    }
}

/// The representation `id`, if `own` is its representative and it is in force now.
pub async fn acting_under(
    state: &AppState,
    own: &SubjectId,
    id: &str,
) -> Result<Option<Representation>, ApiError> {
    Ok(state
        .store
        .representation(id)
        .await?
        .filter(|r| r.representative == *own && r.in_force_at(state.clock.now())))
}

/// Someone looking at a person's data, through the API or Mijn gegevens: the person themselves, or
/// their representative acting under a representation.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// Whose data.
    pub subject: &'a SubjectId,
    /// The representation a representative acts under; `None`: the person themselves.
    pub acting: Option<&'a Representation>,
}

impl Viewer<'_> {
    /// Who acts: the person themselves, or their representative under the representation.
    pub fn actor(&self) -> Actor {
        match self.acting {
            Some(r) => Actor::representative(&r.id),
            None => Actor::amsterdammer(),
        }
    }

    /// `403 outside_representation` unless [`Self::covers`] the categories.
    pub fn must_cover<'c>(
        &self,
        register: &Register,
        categories: impl IntoIterator<Item = &'c String>,
    ) -> Result<(), ApiError> {
        match self.acting {
            Some(r) => within_role(register, r.role, categories),
            None => Ok(()),
        }
    }

    /// `403 own_choice` when a representative would undo a choice the person made themselves (a
    /// refusal, or a consent they gave, whoever registered it), unless the register lets the role
    /// do so (`may_undo_own_choices`). The person themselves always may.
    pub fn may_undo(
        &self,
        register: &Register,
        chosen_by_the_person: bool,
    ) -> Result<(), ApiError> {
        let Some(r) = self.acting else {
            return Ok(());
        };
        let allowed = register
            .representation_recorders(r.role)
            .is_some_and(|t| t.may_undo_own_choices);
        if !chosen_by_the_person || allowed {
            return Ok(());
        }
        Err(ApiError::refused(
            "own_choice",
            format!(
                "the person chose this themselves; a {} does not undo it for them",
                r.role.as_str()
            ),
        ))
    }

    /// Whether the viewer may act on data of these categories: always for themselves; for a
    /// representative, only within their role (`RepresentativeRole::covers`).
    pub fn covers<'c>(
        &self,
        register: &Register,
        categories: impl IntoIterator<Item = &'c String>,
    ) -> bool {
        self.acting
            .is_none_or(|r| r.role.uncovered(register, categories).is_empty())
    }

    /// Whether the viewer may see this ledger entry at `now`: all of their own once any deferred
    /// notice has ended; a representative whose role covers only some categories, only entries
    /// they can read whose categories it covers.
    pub fn may_see(
        &self,
        register: &Register,
        d: &consent::Disclosure,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        if !d.shown_at(now) {
            return false;
        }
        match (self.acting, d.personal()) {
            (None, _) => true,
            (Some(r), _) if r.role.covers_all() => true,
            (Some(_), Some(p)) => self.covers(register, &p.categories),
            (Some(_), None) => false,
        }
    }
}

/// `403 outside_representation`, naming the categories, unless `role` covers every one of them.
pub fn within_role<'c>(
    register: &Register,
    role: RepresentativeRole,
    categories: impl IntoIterator<Item = &'c String>,
) -> Result<(), ApiError> {
    let outside = role.uncovered(register, categories);
    if outside.is_empty() {
        return Ok(());
    }
    Err(ApiError::refused(
        "outside_representation",
        format!(
            "a {} does not act for this person on {}",
            role.as_str(),
            outside.join(", ")
        ),
    )
    .at("categories"))
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let claims = state.tokens().verify_citizen(token).map_err(|e| {
            tracing::info!(reason = e.reason(), "citizen token refused");
            ApiError::unauthorized("invalid_token", "log in again: the token is not valid")
        })?;
        let bsn = Bsn::parse(&claims.bsn).map_err(|_| {
            ApiError::unauthorized("invalid_token", "the token carries no valid BSN")
        })?;
        let own = state.pseudonyms.subject(&bsn);
        state
            .limits
            .check_amsterdammer(own.as_str())
            .await
            .map_err(|over| {
                state.metrics.limited(over.whose());
                ApiError::rate_limited(over)
            })?;
        let Some(header) = parts.headers.get(ON_BEHALF_OF) else {
            return Ok(Self {
                bsn,
                subject: own,
                acting: None,
            });
        };
        let not_yours = || {
            ApiError::refused(
                "not_representative",
                "you do not act for anyone under this representation, or it is no longer in force",
            )
            .at(ON_BEHALF_OF)
        };
        let id = header.to_str().map_err(|_| not_yours())?;
        let representation = acting_under(state, &own, id).await?.ok_or_else(not_yours)?;
        Ok(Self {
            bsn,
            subject: representation.represented.clone(),
            acting: Some(representation),
        })
    }
}
