//! What a toestemmingsverklaring was used for (the disclosures made under it), its FHIR form and its
//! receipt: shared by the partner's and the Amsterdammer's routes.

use crate::contract::{ReceiptCategory, ReceiptParty, ReceiptPurpose, ReceiptView, UsageView};
use crate::error::ApiError;
use crate::state::AppState;
use consent::{Consent, Content, Disclosure};

/// The disclosures under `consent` that `include` keeps, oldest first. A disclosure whose content
/// was erased no longer says which consent it was made under, so it is not listed here (it still
/// is in `/v1/me/disclosures`).
pub async fn usage(
    state: &AppState,
    consent: &Consent,
    include: impl Fn(&Disclosure) -> bool,
) -> Result<Vec<UsageView>, ApiError> {
    let disclosures = state.store.disclosures_of(&consent.subject).await?;
    Ok(disclosures
        .into_iter()
        .filter(|d| include(d))
        .filter_map(|d| match d.content {
            Content::Readable(p) if p.consent_id.as_deref() == Some(consent.id.as_str()) => {
                Some(UsageView {
                    disclosure_id: d.id,
                    at: d.at,
                    from: d.source,
                    to: d.recipient,
                    activity: d.activity,
                    categories: p.categories,
                    log_index: d.log_index,
                })
            }
            _ => None,
        })
        .collect())
}

pub fn receipt(state: &AppState, c: &Consent) -> ReceiptView {
    let register = &state.register();
    let now = state.clock.now();
    let party = |id: &String| ReceiptParty {
        name: match register.partner(id) {
            Some(p) => p.name.clone(),
            None if id == consent::AMSTERDAMMER => "de Amsterdammer zelf".into(),
            None => format!("elke organisatie van de soort {id}"),
        },
        id: id.clone(),
    };
    ReceiptView {
        schema: "ISO/IEC TS 27560:2023".into(),
        record_id: c.id.clone(),
        issued_at: now,
        language: "nl".into(),
        subject: c.subject.as_str().to_owned(),
        status: c.status_at(now).as_str().to_owned(),
        recorded_by: party(&c.recorded_by_partner),
        recipients: c.recipients.iter().map(party).collect(),
        sources: c.sources.iter().flatten().map(party).collect(),
        purposes: c
            .activities
            .iter()
            .map(|id| {
                let a = register.activity(id);
                ReceiptPurpose {
                    activity: id.clone(),
                    name: a.map_or_else(|| id.clone(), |a| a.name.clone()),
                    purpose: a.map(|a| a.purpose.clone()).unwrap_or_default(),
                    legal_basis: a.map_or("consent", |a| a.legal_basis.as_str()).to_owned(),
                }
            })
            .collect(),
        data_categories: c
            .categories
            .iter()
            .map(|id| {
                let k = register.category(id);
                ReceiptCategory {
                    id: id.clone(),
                    name: k.map_or_else(|| id.clone(), |k| k.name.clone()),
                    special: k.is_some_and(|k| k.special),
                }
            })
            .collect(),
        method: c.evidence.method.clone(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        how_to_withdraw: format!(
            "U kunt deze toestemming altijd intrekken, zonder opgaaf van reden: in Mijn gegevens \
             (POST /v1/me/consents/{}/revoke) of via elke betrokken professional. Intrekken geldt \
             voor elke vraag om gegevens daarna.",
            c.id
        ),
    }
}
