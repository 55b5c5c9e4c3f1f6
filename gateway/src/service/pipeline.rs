//! One exchange or delivery on its way through the pipeline (README, "Design"): look up the
//! subject's consents, decide, record the decision, and write the disclosure durably before anything
//! is released. The routes (`routes/exchange.rs`) parse the request and forward; this is the part in
//! between that every request shares.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use consent::{DecisionRecord, LedgerWrite, NewDisclosure, Outcome, Sha256Hex, SubjectId};
use policies::{
    Activity, Decision, Mode, Partner, Permit, Register, Violation, decide, needs_justification,
};
use serde_json::{Map, Value};

use crate::auth::Professional;
use crate::error::ApiError;
use crate::service::parse;
use crate::state::AppState;

/// What one request asks: who gets which categories of whose data, for which activity.
#[derive(Debug)]
pub struct Ask<'a> {
    pub mode: Mode,
    pub activity: &'a Activity,
    /// Whose data is disclosed.
    pub source: &'a Partner,
    /// Who receives it.
    pub recipient: &'a Partner,
    pub categories: BTreeSet<String>,
    pub justification: Option<String>,
    pub subject: SubjectId,
    /// Deferred notice, already checked (`routes::exchange::deferral`): until, and why.
    pub defer: Option<(DateTime<Utc>, String)>,
}

/// One request on its way through the pipeline.
#[derive(Debug)]
pub struct Pipeline<'a> {
    who: &'a Professional,
    ask: Ask<'a>,
    now: DateTime<Utc>,
    decision_id: String,
    /// The register in force when the request came in: the one it is decided with, whatever
    /// a reload swaps in meanwhile. Its version (its digest) is recorded with the decision.
    register: Arc<Register>,
}

impl<'a> Pipeline<'a> {
    /// `register` is the one `ask` was read with.
    pub fn start(
        state: &AppState,
        register: Arc<Register>,
        who: &'a Professional,
        mut ask: Ask<'a>,
    ) -> Self {
        ask.justification = ask.justification.filter(|j| !j.trim().is_empty());
        let decision_id = uuid::Uuid::now_v7().to_string();
        tracing::Span::current().record("decision_id", decision_id.as_str());
        Self {
            who,
            ask,
            now: state.clock.now(),
            decision_id,
            register,
        }
    }

    /// Until when the disclosure may be kept, by the gateway's record and by the recipient
    /// (vuistregel 5): the activity's retention from now.
    pub fn retain_until(&self) -> DateTime<Utc> {
        self.now + Duration::days(i64::from(self.ask.activity.retention_days))
    }

    /// The moment the request was decided.
    pub fn at(&self) -> DateTime<Utc> {
        self.now
    }

    /// The categories the request names.
    pub fn categories(&self) -> &BTreeSet<String> {
        &self.ask.categories
    }

    /// Looks up consents and refusals and decides. A denial is recorded durably before its answer leaves: `403
    /// denied`, or `400 justification_required` when the activity's basis needs a justification the
    /// request lacks (the rule itself is `policies::needs_justification`).
    pub async fn decide(&self, state: &AppState) -> Result<Permit, ApiError> {
        // Both read at once: one round trip's wait, not two.
        let (consents, refusals) = tokio::try_join!(
            async { Ok::<_, ApiError>(state.store.consents_to_decide(&self.ask.subject).await?) },
            crate::service::refusals::rules_of(state, &self.ask.subject),
        )?;
        let grants: Vec<_> = consents
            .iter()
            .map(|c| parse::grant(&self.register, c))
            .collect();
        let decision = decide(&policies::Request {
            mode: self.ask.mode,
            activity: self.ask.activity,
            source: self.ask.source,
            recipient: self.ask.recipient,
            role: &self.who.role,
            categories: &self.ask.categories,
            consents: &grants,
            refusals: &refusals,
            justification: self.ask.justification.as_deref(),
            justification_rule: state.policy.justification_rule(),
            now: self.now,
        });
        match decision {
            Decision::Permit(permit) => Ok(permit),
            Decision::Deny(violations) => {
                let record = self.decision_record(Outcome::Deny, violations.clone(), None, None);
                record_decision(state, record).await?;
                tracing::info!(activity = %self.ask.activity.id, decision_id = %self.decision_id, "denied");
                let rule = state.policy.justification_rule();
                if needs_justification(self.ask.activity, self.ask.justification.as_deref(), rule) {
                    return Err(ApiError::justification_required(
                        self.ask.activity,
                        rule,
                        violations,
                    ));
                }
                Err(ApiError::denied(violations))
            }
        }
    }

    /// A permitted request that still ended without disclosure (e.g. the source failed): recorded.
    pub async fn record_failure(
        &self,
        state: &AppState,
        permit: &Permit,
        error: &str,
    ) -> Result<(), ApiError> {
        let record = self.decision_record(
            Outcome::Permit,
            Vec::new(),
            permit.consent_id.clone(),
            Some(error.into()),
        );
        record_decision(state, record).await
    }

    /// Writes decision and disclosure in the group commit and waits until both are durable.
    pub async fn commit(
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
            mode: self.ask.mode,
            source: self.ask.source.id.clone(),
            recipient: self.ask.recipient.id.clone(),
            professional: self.who.id.clone(),
            subject: self.ask.subject.clone(),
            activity: self.ask.activity.id.clone(),
            legal_basis: permit.legal_basis,
            categories: data.keys().cloned().collect(),
            fields,
            consent_id: permit.consent_id.clone(),
            justification: self.ask.justification.clone(),
            payload_sha256: Sha256Hex::of(&canonical),
            decision_id: self.decision_id.clone(),
            retain_until: self.retain_until(),
        };
        let decision =
            self.decision_record(Outcome::Permit, Vec::new(), permit.consent_id.clone(), None);
        let started = std::time::Instant::now();
        let index = state
            .ledger
            .write(LedgerWrite {
                decision,
                disclosure: Some(disclosure),
                deferral: self
                    .ask
                    .defer
                    .clone()
                    .map(|(until, reason)| consent::Deferral {
                        until,
                        reason,
                        set_by_partner: self.who.partner.id.clone(),
                        set_by: self.who.id.clone(),
                    }),
            })
            .await?;
        let index =
            index.ok_or_else(|| ApiError::internal("ledger gave no index for a disclosure"))?;
        state
            .metrics
            .commit_seconds
            .observe(started.elapsed().as_secs_f64());
        state.metrics.decided(Outcome::Permit, []);
        // On the request's own line (its end), not a line of its own: a log line per request.
        let span = tracing::Span::current();
        span.record("disclosure_id", id.as_str());
        span.record("log_index", index);
        tracing::debug!(activity = %self.ask.activity.id, "disclosed");
        Ok((id, index))
    }

    fn decision_record(
        &self,
        outcome: Outcome,
        violations: Vec<Violation>,
        consent_id: Option<String>,
        error: Option<String>,
    ) -> DecisionRecord {
        DecisionRecord {
            id: self.decision_id.clone(),
            at: self.now,
            mode: self.ask.mode,
            partner: self.who.partner.id.clone(),
            professional: self.who.id.clone(),
            role: self.who.role.clone(),
            activity: self.ask.activity.id.clone(),
            source: self.ask.source.id.clone(),
            recipient: self.ask.recipient.id.clone(),
            subject: self.ask.subject.clone(),
            categories: self.ask.categories.iter().cloned().collect(),
            outcome,
            violations,
            consent_id,
            error,
            register_version: self.register.version.clone(),
        }
    }
}

/// A decision that disclosed nothing, written durably (group commit) before its answer leaves.
async fn record_decision(state: &AppState, decision: DecisionRecord) -> Result<(), ApiError> {
    let vuistregels: Vec<u8> = decision.violations.iter().map(|v| v.vuistregel).collect();
    let outcome = decision.outcome;
    state
        .ledger
        .write(LedgerWrite {
            decision,
            disclosure: None,
            deferral: None,
        })
        .await?;
    state.metrics.decided(outcome, vuistregels);
    Ok(())
}
