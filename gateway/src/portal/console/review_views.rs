//! The review queue and the deferred entries as `maud` views; every value escaped.

use chrono::{DateTime, Utc};
use consent::{Disclosure, Review, ReviewOutcome};
use maud::{Markup, html};

use super::filter::{Filter, some};
use super::views::{details, filters};
use super::{activity_name, basis_name, partner_name, when};
use crate::auth::Officer;
use crate::portal::page::{alert, notice};
use crate::state::AppState;
use consent::DeferralRecord;

/// What the review page shows.
pub(super) struct Reviews<'a> {
    pub state: &'a AppState,
    pub officer: &'a Officer,
    pub csrf: &'a str,
    /// `pending`, `flagged` or `all`.
    pub status: &'a str,
    /// The id of the disclosure whose review was just saved (as the query said it).
    pub saved: &'a str,
    /// A form that was refused: for which disclosure, and why.
    pub problem: Option<(&'a str, &'a str)>,
    pub found: &'a [(Disclosure, Vec<Review>)],
    /// Per disclosure found: each organisation's latest verdict, and the overall status.
    pub verdicts: Vec<Vec<(&'a str, Option<&'a Review>)>>,
    pub statuses: Vec<&'static str>,
}

const VIEWS: [(&str, &str); 3] = [
    ("pending", "Nog door uw organisatie te beoordelen"),
    ("flagged", "Gemarkeerd voor onderzoek"),
    ("all", "Alles"),
];

pub(super) fn reviews(v: &Reviews) -> Markup {
    html! {
        p {
            "Verstrekkingen op een andere grondslag dan toestemming (wettelijke plicht, vitaal belang, \
             publieke taak). Beoordeel elke verstrekking voor uw eigen organisatie: akkoord, of markeren \
             voor nader onderzoek, met een toelichting. Uw beoordeling wordt vastgelegd met uw naam en de \
             tijd. Elke betrokken organisatie beoordeelt zelf; een markering blijft staan tot de \
             organisatie die haar zette opnieuw beoordeelt."
        }
        @if let Some(id) = some(v.saved) {
            (notice(&format!("Uw beoordeling van verstrekking {id} is opgeslagen.")))
        }
        @if let Some((_, message)) = v.problem {
            (alert(message))
        }
        p {
            @for (i, (value, label)) in VIEWS.iter().enumerate() {
                @if i > 0 { " · " }
                @if *value == v.status {
                    strong { (label) }
                } @else {
                    a href={ "/audit/beoordelen?status=" (value) } { (label) }
                }
            }
        }
        @if v.found.is_empty() {
            p { "Er is niets te beoordelen." }
        }
        @for (i, (d, reviews)) in v.found.iter().enumerate() {
            (card(v, d, reviews, &v.verdicts[i], v.statuses[i]))
        }
    }
}

fn card(
    v: &Reviews,
    d: &Disclosure,
    reviews: &[Review],
    verdicts: &[(&str, Option<&Review>)],
    status: &str,
) -> Markup {
    let state = v.state;
    let (professional, categories, why) = details(d);
    let status = match status {
        "approved" => "Akkoord bevonden",
        "flagged" => "Gemarkeerd voor onderzoek",
        _ => "Nog niet beoordeeld",
    };
    let id = &d.id;
    html! {
        article class="card" id={ "v-" (id) } {
            h2 {
                (partner_name(state, &d.source)) " → " (partner_name(state, &d.recipient)) ": "
                (activity_name(state, &d.activity))
            }
            p class="status" { (status) }
            ul class="verdicts" aria-label="Oordeel per organisatie" {
                @for (partner, latest) in verdicts {
                    li {
                        (partner_name(state, partner))
                        @if *partner == v.officer.partner { " (uw organisatie)" }
                        ": "
                        (match latest.map(|r| r.outcome) {
                            None => "nog niet beoordeeld",
                            Some(ReviewOutcome::Approve) => "akkoord",
                            Some(ReviewOutcome::Flag) => "gemarkeerd voor onderzoek",
                        })
                    }
                }
            }
            p {
                strong { "Grondslag:" } " " (basis_name(d.legal_basis.as_str()))
                " · " strong { "Tijd:" } " " (when(d.at))
                " · " strong { "Medewerker:" } " " (professional)
            }
            p { strong { "Gegevens:" } " " (categories) }
            p { strong { "Toelichting van de medewerker:" } " " (why) }
            ul {
                @for r in reviews {
                    li {
                        (when(r.at)) ": "
                        (if r.outcome.as_str() == "approve" { "akkoord" } else { "gemarkeerd" })
                        " door " (r.officer) " (" (partner_name(state, &r.officer_partner)) "): " (r.note)
                    }
                }
            }
            @if let Some((for_id, message)) = v.problem {
                @if for_id == d.id {
                    (alert(message))
                }
            }
            form method="post" action={ "/audit/beoordelen/" (id) } {
                input type="hidden" name="csrf" value=(v.csrf);
                fieldset {
                    legend { "Beoordeling van verstrekking " (id) }
                    input type="radio" id={ "a-" (id) } name="uitkomst" value="approve" required;
                    label for={ "a-" (id) } { "Akkoord" }
                    input type="radio" id={ "f-" (id) } name="uitkomst" value="flag";
                    label for={ "f-" (id) } { "Markeren voor onderzoek" }
                    label for={ "t-" (id) } class="block" { "Toelichting (minstens 10 tekens)" }
                    textarea id={ "t-" (id) } name="toelichting" required minlength="10" maxlength="2000" {}
                }
                button type="submit" { "Beoordeling opslaan" }
            }
        }
    }
}

pub(super) fn deferrals(
    state: &AppState,
    officer: &Officer,
    f: &Filter,
    found: &[(Disclosure, DeferralRecord)],
    now: DateTime<Utc>,
    csrf: &str,
) -> Markup {
    html! {
        p { "Verstrekkingen waarvan de melding aan de Amsterdammer is uitgesteld (uitstel, nooit geheimhouding): wie dat deed, waarom en tot wanneer. Is de reden vervallen, dan toont de organisatie die de verstrekking deed haar nu." }
        (filters(state, f, "/audit/uitgesteld", false))
        @if found.is_empty() {
            p { "Geen uitgestelde verstrekkingen gevonden." }
        } @else {
            table {
                caption { (found.len()) " uitgestelde verstrekking(en)" }
                tr {
                    @for head in ["Tijd", "Van → aan", "Activiteit", "Uitgesteld tot", "Nu verborgen", "Reden", "Door", "Ingekort", "Actie"] {
                        th scope="col" { (head) }
                    }
                }
                @for (d, r) in found {
                    tr {
                        td { (when(d.at)) }
                        td { (partner_name(state, &d.source)) " → " (partner_name(state, &d.recipient)) }
                        td { (activity_name(state, &d.activity)) }
                        td { (when(r.deferral.until)) }
                        td { (if r.deferral.until > now { "ja" } else { "nee" }) }
                        td { (r.deferral.reason) }
                        td { (r.deferral.set_by) " (" (partner_name(state, &r.deferral.set_by_partner)) ")" }
                        td {
                            @if let Some((at, by_partner, by)) = &r.shortened {
                                (when(*at)) " door " (by) " (" (partner_name(state, by_partner)) ")"
                            }
                        }
                        td {
                            // Only the sender's officers (or city-wide ones) end a deferral the sender set.
                            @if r.deferral.until > now
                                && officer.scope.as_ref().is_none_or(|own| *own == r.deferral.set_by_partner)
                            {
                                form method="post" action={ "/audit/uitgesteld/" (d.id) } {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button type="submit" class="secondary" {
                                        "Nu tonen" span class="visually-hidden" { " (verstrekking " (d.id) ")" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
