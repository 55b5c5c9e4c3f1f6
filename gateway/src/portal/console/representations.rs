//! *Vertegenwoordigingen*: what the officer's organisation recorded on residents' behalf that binds
//! others too. The representations, newest first, with who recorded, confirmed and ended each, and
//! the anomalies that point at a takeover (one representative for many people; used within an hour
//! of being recorded); and the "never share" refusals, with who recorded and who lifted each. The
//! same as `GET /v1/audit/representations` and `GET /v1/audit/refusals`, recorded as reads the
//! same way. The handler, then its `maud` views.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::{failed, respond, signed_in, when};
use crate::contract::{
    MANY_REPRESENTED, RecordedFilter, RecordedRefusalView, RecordedRepresentationView,
};
use crate::portal::page::alert;
use crate::portal::see_other;
use crate::service::recorded;
use crate::state::AppState;

pub(super) const PATH: &str = "/audit/vertegenwoordigingen";

pub(super) async fn representations(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(super::CONSOLE.login);
    };
    let filter = RecordedFilter {
        from: None,
        limit: Some(super::ROWS),
        cursor: None,
    };
    let refusals_filter = RecordedFilter {
        from: None,
        limit: Some(super::ROWS),
        cursor: None,
    };
    let found = async {
        Ok::<_, crate::error::ApiError>((
            recorded::find(&state, &officer, filter, PATH).await?.items,
            recorded::find_refusals(&state, &officer, refusals_filter, PATH)
                .await?
                .items,
        ))
    };
    let (found, refusals) = match found.await {
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let title = ("Vertegenwoordigingen en nooit delen", PATH);
    respond(&state, &officer, &me, title, page(&found, &refusals))
}

fn page(found: &[RecordedRepresentationView], refusals: &[RecordedRefusalView]) -> Markup {
    let flagged = found.iter().filter(|r| !r.anomalies.is_empty()).count();
    html! {
        p {
            "Vertegenwoordigingen die professionals van uw organisatie vastlegden (de laatste 90 dagen): \
             wie voor wie mag optreden, op welke grond, en wie dat bevestigde of beëindigde. Een \
             vertegenwoordiging geldt pas na bevestiging door de vertegenwoordigde of door een tweede \
             professional. Let op: één vertegenwoordiger voor " (MANY_REPRESENTED) " of meer mensen, en een \
             vertegenwoordiging die binnen een uur na vastleggen werd gebruikt."
        }
        @if found.is_empty() {
            p { "Geen vertegenwoordigingen gevonden." }
        } @else {
            @if flagged > 0 {
                (alert(&format!("{flagged} vertegenwoordiging(en) vragen om aandacht.")))
            }
            table {
                caption { (found.len()) " vertegenwoordiging(en)" }
                tr {
                    @for head in ["Vastgelegd", "Rol", "Grond", "Status", "Door", "Bevestigd", "Beëindigd", "Vertegenwoordiger", "Vertegenwoordigde", "Aandacht"] {
                        th scope="col" { (head) }
                    }
                }
                @for r in found {
                    (row(r))
                }
            }
        }
        (refusals_table(refusals))
    }
}

/// The "never share" refusals the organisation recorded for residents, lifted ones too.
fn refusals_table(refusals: &[RecordedRefusalView]) -> Markup {
    html! {
        h2 { "Nooit delen" }
        @if refusals.is_empty() {
            p { "Uw organisatie legde geen weigeringen vast namens bewoners." }
        } @else {
            table {
                caption { (refusals.len()) " weigering(en) namens bewoners vastgelegd" }
                tr {
                    @for head in ["Vastgelegd", "Wat", "Door", "Bewoner", "Opgeheven"] {
                        th scope="col" { (head) }
                    }
                }
                @for r in refusals {
                    tr {
                        td { (when(r.refusal.created_at)) }
                        td { (r.refusal.description) }
                        td { (r.professional.as_deref().unwrap_or("—")) }
                        td { code { (short(&r.subject)) } }
                        td {
                            @match (&r.refusal.withdrawn_at, &r.refusal.withdrawn_by_partner) {
                                (Some(at), Some(by)) if by == consent::AMSTERDAMMER => {
                                    (when(*at)) " door de bewoner"
                                }
                                (Some(at), Some(by)) => { (when(*at)) " door " (by) }
                                (Some(at), None) => { (when(*at)) }
                                _ => "—",
                            }
                        }
                    }
                }
            }
        }
    }
}

fn row(r: &RecordedRepresentationView) -> Markup {
    let v = &r.representation;
    let status = match v.status.as_str() {
        "active" => "Geldig",
        "pending" if v.awaits_confirmation => "Wacht op bevestiging",
        "pending" => "Nog niet ingegaan",
        "ended" => "Beëindigd",
        _ => "Verlopen",
    };
    let by_whom = |at: Option<chrono::DateTime<chrono::Utc>>, by: &Option<String>| match (at, by) {
        (Some(at), Some(by)) if by == consent::AMSTERDAMMER => {
            format!(
                "{} door de vertegenwoordigde of vertegenwoordiger",
                when(at)
            )
        }
        (Some(at), Some(by)) => format!("{} door {by}", when(at)),
        (Some(at), None) => when(at),
        _ => "—".to_owned(),
    };
    let mut attention = Vec::new();
    if r.anomalies.iter().any(|a| a == "many_represented") {
        attention.push(format!(
            "Vertegenwoordiger van {} mensen",
            r.representative_represents
        ));
    }
    if r.anomalies.iter().any(|a| a == "used_within_an_hour") {
        attention.push("Binnen een uur na vastleggen gebruikt".to_owned());
    }
    html! {
        tr {
            td { (when(v.created_at)) }
            td { (v.role) }
            td { (v.basis) }
            td { (status) }
            td { (r.professional) }
            td { (by_whom(v.confirmed_at, &v.confirmed_by)) }
            td { (by_whom(v.ended_at, &v.ended_by)) }
            td { code { (short(&r.representative)) } }
            td { code { (short(&r.represented)) } }
            td {
                @if attention.is_empty() {
                    "—"
                } @else {
                    strong { (attention.join("; ")) }
                }
            }
        }
    }
}

/// The first twelve characters of a pseudonym: enough to tell people apart in one table.
fn short(pseudonym: &str) -> &str {
    pseudonym.get(..12).unwrap_or(pseudonym)
}
