//! Vuistregel 7 (informeer de Amsterdammer): every disclosure the Amsterdammer reads comes with an
//! explanation in plain Dutch (and English): what was shared, by whom with whom, why, on which basis
//! and under which consent; and `GET /v1/rights` says what they may do about it and whom to ask.

use chrono::{DateTime, Utc};
use consent::{Content, Disclosure};
use policies::{LegalBasis, Register};
use serde::Serialize;
use utoipa::ToSchema;

/// Where the rights are explained; every explanation points there.
pub const RIGHTS_PATH: &str = "/v1/rights";

/// One disclosure told to the Amsterdammer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Explanation {
    /// In plain Dutch (B1).
    pub nl: String,
    pub en: String,
    /// What the Amsterdammer may do about it: `GET /v1/rights`.
    pub rights: String,
}

/// The explanation of `d`, with names and purposes from the register.
pub fn explain(d: &Disclosure, register: &Register) -> Explanation {
    let name = |id: &str| {
        register
            .partner(id)
            .map_or_else(|| id.to_owned(), |p| p.name.clone())
    };
    let (from, to) = (name(&d.source), name(&d.recipient));
    let day = day(d.at);
    let purpose = register
        .activity(&d.activity)
        .map(|a| a.purpose.clone())
        .unwrap_or_default();
    let (what_nl, what_en, consent) = match &d.content {
        Content::Readable(p) => {
            let names: Vec<String> = p
                .categories
                .iter()
                .map(|c| {
                    register
                        .category(c)
                        .map_or_else(|| c.clone(), |k| k.name.to_lowercase())
                })
                .collect();
            (
                format!("gegevens over u ({})", names.join(", ")),
                format!("data about you ({})", p.categories.join(", ")),
                p.consent_id.clone(),
            )
        }
        Content::Erased(_) | Content::Sealed => (
            "gegevens over u".to_owned(),
            "data about you".to_owned(),
            None,
        ),
    };
    let (why_nl, why_en) = basis(d.legal_basis, consent.as_deref());
    let mut nl = format!("Op {day} kreeg {to} van {from} {what_nl}. Waarom: {purpose} {why_nl}");
    let mut en = format!("On {day}, {to} received {what_en} from {from}. {why_en}");
    if let Content::Erased(mark) = &d.content {
        nl.push_str(&format!(
            " Wat er precies gedeeld werd, is op {} gewist; dat het gebeurde, blijft zichtbaar.",
            self::day(mark.at)
        ));
        en.push_str(&format!(
            " What exactly was shared was erased on {}; that it happened stays visible.",
            self::day(mark.at)
        ));
    }
    Explanation {
        nl,
        en,
        rights: RIGHTS_PATH.to_owned(),
    }
}

fn basis(basis: LegalBasis, consent: Option<&str>) -> (String, String) {
    match (basis, consent) {
        (LegalBasis::Consent, Some(id)) => (
            format!(
                "Dat mocht omdat u daar toestemming voor gaf (toestemming {id}). U kunt die toestemming altijd intrekken."
            ),
            format!(
                "This was allowed because you gave consent (consent {id}). You can withdraw it at any time."
            ),
        ),
        (LegalBasis::Consent, None) => (
            "Dat mocht omdat u daar toestemming voor gaf.".to_owned(),
            "This was allowed because you gave consent.".to_owned(),
        ),
        (other, _) => {
            let (nl, en) = match other {
                LegalBasis::LegalObligation => ("een wet dit verplicht", "a law requires it"),
                LegalBasis::VitalInterest => (
                    "het nodig was om iemands leven of gezondheid te beschermen",
                    "it was needed to protect someone's life or health",
                ),
                _ => (
                    "het nodig was voor een taak van algemeen belang",
                    "it was needed for a task in the public interest",
                ),
            };
            (
                format!(
                    "Dit gebeurde zonder uw toestemming, omdat {nl}. De professional moest uitleggen waarom, en een privacyfunctionaris controleert dat."
                ),
                format!(
                    "This happened without your consent, because {en}. The professional had to explain why, and a privacy officer reviews it."
                ),
            )
        }
    }
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%d-%m-%Y").to_string()
}

/// One right of the Amsterdammer, and how to use it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RightView {
    /// `inzage`, `rectificatie`, `bezwaar`, `intrekken`, `wissen` or `klacht`.
    pub id: String,
    pub nl: String,
    pub en: String,
    /// Where: a route of this gateway, or an address.
    pub how: String,
}

/// The rights, for the API and the portal alike.
pub fn rights_list() -> Vec<RightView> {
    let right = |id: &str, nl: &str, en: &str, how: &str| RightView {
        id: id.to_owned(),
        nl: nl.to_owned(),
        en: en.to_owned(),
        how: how.to_owned(),
    };
    vec![
        right(
            "inzage",
            "U mag zien welke gegevens over u gedeeld zijn, met wie en waarom.",
            "You may see what data about you was shared, with whom and why.",
            "GET /v1/me/disclosures, GET /v1/me/export",
        ),
        right(
            "intrekken",
            "U mag uw toestemming altijd intrekken. Dat is net zo makkelijk als toestemming geven en geldt meteen.",
            "You may withdraw your consent at any time. It is as easy as giving it and takes effect at once.",
            "POST /v1/me/consents/{id}/revoke",
        ),
        right(
            "rectificatie",
            "Kloppen uw gegevens niet? Vraag de organisatie die ze heeft om ze te verbeteren.",
            "Is your data wrong? Ask the organisation that holds it to correct it.",
            "de organisatie die de gegevens gaf (zie 'van' bij elke registratie)",
        ),
        right(
            "bezwaar",
            "U mag bezwaar maken tegen het delen zonder uw toestemming, en vragen nooit meer aan een organisatie te delen.",
            "You may object to sharing without your consent, and ask that nothing is ever shared with an organisation.",
            "POST /v1/me/refusals",
        ),
        right(
            "wissen",
            "U mag vragen uw gegevens te wissen. Een privacyfunctionaris handelt dat af.",
            "You may ask for your data to be erased. A privacy officer handles it.",
            "de privacyfunctionaris van het buurtteam",
        ),
        right(
            "klacht",
            "Bent u het er niet mee eens? U mag een klacht indienen bij de Autoriteit Persoonsgegevens.",
            "Do you disagree? You may complain to the Dutch Data Protection Authority.",
            "https://autoriteitpersoonsgegevens.nl",
        ),
    ]
}
