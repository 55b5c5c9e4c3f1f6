//! The console's overview, disclosures and denials as `maud` views, and the filter form above the
//! tables; every value escaped.

use chrono::{DateTime, Utc};
use consent::{Content, DecisionRecord, Disclosure};
use maud::{Markup, html};

use super::filter::Filter;
use super::{ROWS, activity_name, basis_name, partner_name, short, when};
use crate::portal::anomalies::Anomaly;
use crate::portal::charts::Weekly;
use crate::service::audit::MAX_LIMIT;
use crate::state::AppState;

/// Anomalies are looked for in this many days back.
pub(super) const ANOMALY_DAYS: i64 = 35;

/// What the overview says of the ledger.
pub(super) enum Integrity {
    NoCheckpoint,
    Unreadable,
    Checked {
        signed: bool,
        matches: bool,
        size: u64,
        signed_at: DateTime<Utc>,
    },
}

pub(super) fn overview(
    state: &AppState,
    integrity: &Integrity,
    found: &[Anomaly],
    weekly_partner: &Weekly,
    weekly_basis: &Weekly,
) -> Markup {
    html! {
        (ledger(integrity))
        h2 { "Opvallend" }
        @if found.is_empty() {
            p { "Niets opvallends in de laatste " (ANOMALY_DAYS) " dagen." }
        } @else {
            table {
                caption { "Opvallende patronen, om na te gaan" }
                tr {
                    th scope="col" { "Wat" }
                    th scope="col" { "Organisatie" }
                    th scope="col" { "Medewerker" }
                    th scope="col" { "Toelichting" }
                    th scope="col" { "Laatst" }
                }
                @for a in found {
                    tr {
                        td { (a.kind.title()) }
                        td { (partner_name(state, &a.partner)) }
                        td { (a.professional) }
                        td { (a.detail) }
                        td { (when(a.at)) }
                    }
                }
            }
        }
        h2 { "Verstrekkingen per week" }
        (weekly_partner.render("Verstrekkingen per week, per ontvanger", &|id| partner_name(state, id)))
        (weekly_basis.render("Verstrekkingen per week, per grondslag", &|b| basis_name(b).to_owned()))
    }
}

fn ledger(integrity: &Integrity) -> Markup {
    html! {
        h2 { "Logboek" }
        @match integrity {
            Integrity::NoCheckpoint => p { "Er is nog geen controlepunt." },
            Integrity::Unreadable => p class="bad" { "Het controlepunt is nu niet te lezen." },
            Integrity::Checked { signed, matches, size, signed_at } => {
                p {
                    @if *signed && *matches {
                        span class="ok" { "In orde" }
                        ": de handtekening van het laatste controlepunt klopt en de boomwortel komt \
                         overeen met de vastgelegde registraties."
                    } @else if !*signed {
                        span class="bad" { "Niet in orde" }
                        ": de handtekening van het laatste controlepunt klopt niet."
                    } @else {
                        span class="bad" { "Niet in orde" }
                        ": de boomwortel van het laatste controlepunt komt niet overeen met de \
                         vastgelegde registraties."
                    }
                }
                p class="meta" {
                    "Laatste controlepunt: " (size) " registraties, ondertekend " (when(*signed_at))
                    ". Volledige controle van buitenaf: " code { "gateway log verify" } "."
                }
            }
        }
    }
}

/// The filter form; `basis`: with the legal basis choice.
pub(super) fn filters(state: &AppState, f: &Filter, action: &str, basis: bool) -> Markup {
    let register = state.register();
    let partners: Vec<(&str, &str)> = register
        .partners
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let activities: Vec<(&str, &str)> = register
        .activities
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let bases: Vec<(&str, &str)> = [
        "consent",
        "legal_obligation",
        "vital_interest",
        "public_task",
    ]
    .iter()
    .map(|b| (*b, basis_name(b)))
    .collect();
    html! {
        form method="get" action=(action) class="filters" {
            div { label for="van" { "Van" } input type="date" id="van" name="van" value=(f.van.trim()); }
            div { label for="tot" { "Tot en met" } input type="date" id="tot" name="tot" value=(f.tot.trim()); }
            (select("partner", "Organisatie", f.partner.trim(), &partners))
            (select("activiteit", "Activiteit", f.activiteit.trim(), &activities))
            @if basis {
                (select("grondslag", "Grondslag", f.grondslag.trim(), &bases))
            }
            div { button type="submit" class="secondary" { "Filteren" } }
        }
    }
}

fn select(name: &str, label: &str, chosen: &str, options: &[(&str, &str)]) -> Markup {
    html! {
        div {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { "Alle" }
                @for (value, text) in options {
                    option value=(value) selected[*value == chosen] { (text) }
                }
            }
        }
    }
}

/// What the professional asked or sent, and why, where it is still readable.
pub(super) fn details(d: &Disclosure) -> (String, String, String) {
    match &d.content {
        Content::Readable(p) => (
            p.professional.clone(),
            p.categories.join(", "),
            p.justification
                .clone()
                .or_else(|| p.consent_id.clone().map(|id| format!("toestemming {id}")))
                .unwrap_or_default(),
        ),
        Content::Erased(_) => (
            String::new(),
            String::new(),
            "(gewist na de bewaartermijn of op verzoek)".to_owned(),
        ),
        Content::Sealed => Default::default(),
    }
}

pub(super) fn disclosures(state: &AppState, f: &Filter, found: &[Disclosure]) -> Markup {
    let csv = format!("/audit/verstrekkingen.csv?{}", f.query_string());
    html! {
        p { "Wie kreeg welke gegevens, van wie, waarom en op welke grondslag; nieuwste eerst. De gegevens zelf bewaart de gateway niet." }
        (filters(state, f, "/audit/verstrekkingen", true))
        p {
            a href=(csv) download { "Download als CSV" }
            " (tot " (MAX_LIMIT) " regels; RFC 4180, velden gescheiden door komma's: kies in een \
             Nederlandse spreadsheet bij het importeren de komma als scheidingsteken)"
        }
        @if found.is_empty() {
            p { "Geen verstrekkingen gevonden met dit filter." }
        } @else {
            table {
                caption {
                    (found.len()) " verstrekking(en)"
                    @if found.len() as u32 == ROWS {
                        ", de nieuwste; verfijn het filter of download de CSV voor meer"
                    }
                }
                tr {
                    @for head in ["Tijd", "Van", "Aan", "Activiteit", "Grondslag", "Gegevens", "Medewerker", "Waarom", "Betrokkene (pseudoniem)", "Registratie"] {
                        th scope="col" { (head) }
                    }
                }
                @for d in found {
                    @let (professional, categories, why) = details(d);
                    tr {
                        td { (when(d.at)) }
                        td { (partner_name(state, &d.source)) }
                        td { (partner_name(state, &d.recipient)) }
                        td { (activity_name(state, &d.activity)) }
                        td { (basis_name(d.legal_basis.as_str())) }
                        td { (categories) }
                        td { (professional) }
                        td { (why) }
                        td { (short(d.subject.as_str())) }
                        td { (d.log_index) }
                    }
                }
            }
        }
    }
}

pub(super) fn denials(state: &AppState, f: &Filter, found: &[DecisionRecord]) -> Markup {
    html! {
        p { "Verzoeken die de gateway weigerde, met de vuistregels die ze tegenhielden; nieuwste eerst." }
        (filters(state, f, "/audit/weigeringen", false))
        @if found.is_empty() {
            p { "Geen weigeringen gevonden met dit filter." }
        } @else {
            table {
                caption { (found.len()) " geweigerd(e) verzoek(en)" }
                tr {
                    @for head in ["Tijd", "Aanvrager", "Medewerker (rol)", "Activiteit", "Van → aan", "Gegevens", "Vuistregels", "Betrokkene (pseudoniem)"] {
                        th scope="col" { (head) }
                    }
                }
                @for d in found {
                    tr {
                        td { (when(d.at)) }
                        td { (partner_name(state, &d.partner)) }
                        td { (d.professional) " (" (d.role) ")" }
                        td { (activity_name(state, &d.activity)) }
                        td { (partner_name(state, &d.source)) " → " (partner_name(state, &d.recipient)) }
                        td { (d.categories.join(", ")) }
                        td {
                            ul {
                                @for v in &d.violations {
                                    li {
                                        "Vuistregel " (v.vuistregel) ": "
                                        (if v.reason_nl.is_empty() { &v.reason } else { &v.reason_nl })
                                    }
                                }
                            }
                        }
                        td { (short(d.subject.as_str())) }
                    }
                }
            }
        }
    }
}
