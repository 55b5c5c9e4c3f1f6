//! A toestemmingsverklaring as a FHIR R4 `Consent` resource (README, "Design"), so
//! that a partner's dossier system or a national registry can take it over as it is.
//!
//! - `status`: `proposed` while it awaits confirmation or its period has not begun, `active`,
//!   `inactive` once revoked or expired (FHIR R4 has no separate code for either).
//! - `scope` patient-privacy, `category` LOINC 59284-0 (patient consent), `policyRule` OPTIN.
//! - `patient`: the gateway's keyed pseudonym, never the BSN.
//! - `organization`: the recording partner, by OIN; `performer`: who gave it (the Amsterdammer).
//! - `sourceAttachment`: the evidence, its method and SHA-256 (the document stays with the recorder).
//! - `provision` (permit): the period; recipients (`IRCP`) and sources (`INF`) as actors, by partner
//!   id and OIN where one is named, by partner kind otherwise; processing activities as `purpose`;
//!   data categories as `class`.

use consent::{Consent, ConsentStatus, Grantor};
use policies::Register;
use serde_json::{Value, json};

/// Code systems of the gateway's own identifiers.
pub const PSEUDONYM_SYSTEM: &str = "https://privacy-gateway.amsterdam.example/fhir/sid/pseudonym";
pub const PARTNER_SYSTEM: &str = "https://privacy-gateway.amsterdam.example/fhir/sid/partner";
pub const PARTNER_KIND_SYSTEM: &str =
    "https://privacy-gateway.amsterdam.example/fhir/CodeSystem/partner-kind";
pub const ACTIVITY_SYSTEM: &str =
    "https://privacy-gateway.amsterdam.example/fhir/CodeSystem/processing-activity";
pub const CATEGORY_SYSTEM: &str =
    "https://privacy-gateway.amsterdam.example/fhir/CodeSystem/data-category";
/// Dutch government organisations' identification number (OIN), as its OID.
pub const OIN_SYSTEM: &str = "urn:oid:2.16.528.1.1003.1.3.5.9.1";

/// The consent as a FHIR R4 `Consent` resource, its status as of `now`.
pub fn consent_resource(
    c: &Consent,
    register: &Register,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let status = match c.status_at(now) {
        ConsentStatus::Active => "active",
        ConsentStatus::Pending => "proposed",
        ConsentStatus::Revoked | ConsentStatus::Expired | ConsentStatus::Superseded => "inactive",
        ConsentStatus::Refused => "rejected",
    };
    let performer = match &c.grantor {
        Grantor::Subject => json!({"display": "de Amsterdammer zelf"}),
        Grantor::Representative { role, person, .. } => json!({
            "identifier": {"system": PSEUDONYM_SYSTEM, "value": person.as_str()},
            "display": format!("{} van de Amsterdammer", role.dutch()),
        }),
    };
    let mut actors: Vec<Value> = c
        .recipients
        .iter()
        .map(|r| actor("IRCP", "information recipient", r, register))
        .collect();
    for source in c.sources.iter().flatten() {
        actors.push(actor("INF", "informant", source, register));
    }
    let purposes: Vec<Value> = c
        .activities
        .iter()
        .map(|a| {
            json!({
                "system": ACTIVITY_SYSTEM,
                "code": a,
                "display": register.activity(a).map_or(a.as_str(), |x| x.name.as_str()),
            })
        })
        .collect();
    let classes: Vec<Value> = c
        .categories
        .iter()
        .map(|k| {
            json!({
                "system": CATEGORY_SYSTEM,
                "code": k,
                "display": register.category(k).map_or(k.as_str(), |x| x.name.as_str()),
            })
        })
        .collect();
    let mut resource = json!({
        "resourceType": "Consent",
        "id": c.id,
        "language": c.language,
        "status": status,
        "scope": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy",
        }]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"identifier": {"system": PSEUDONYM_SYSTEM, "value": c.subject.as_str()}},
        "dateTime": c.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "performer": [performer],
        "organization": [recorder(c, register)],
        "sourceAttachment": {
            "title": format!(
                "{} (SHA-256 {}), vastgelegd door {}",
                c.evidence.method, c.evidence.document_sha256, c.evidence.recorded_by
            ),
        },
        "policyRule": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "OPTIN",
        }]},
        "provision": {
            "type": "permit",
            "period": {
                "start": c.valid_from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "end": c.valid_until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            },
            "actor": actors,
            "purpose": purposes,
            "class": classes,
        },
    });
    if let Some(confirmed) = c.confirmed_at {
        resource["verification"] = json!([{
            "verified": true,
            "verificationDate": confirmed.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }]);
    }
    resource
}

/// A partner id (`okt-amsterdam`) by its identifier and OIN, or a partner kind (`okt`) as a role.
fn actor(code: &str, display: &str, party: &str, register: &Register) -> Value {
    let reference = match register.partner(party) {
        Some(p) => json!({
            "identifier": {"system": OIN_SYSTEM, "value": p.oin},
            "display": format!("{} ({})", p.name, p.id),
        }),
        None => json!({
            "identifier": {"system": PARTNER_KIND_SYSTEM, "value": party},
            "display": format!("elke organisatie van de soort {party}"),
        }),
    };
    json!({
        "role": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "code": code,
            "display": display,
        }]},
        "reference": reference,
    })
}

fn recorder(c: &Consent, register: &Register) -> Value {
    match register.partner(&c.recorded_by_partner) {
        Some(p) => json!({
            "identifier": {"system": OIN_SYSTEM, "value": p.oin},
            "display": p.name,
        }),
        None => json!({
            "identifier": {"system": PARTNER_SYSTEM, "value": c.recorded_by_partner},
            "display": "Gemeente Amsterdam: vastgelegd door de Amsterdammer zelf",
        }),
    }
}
