//! *Vertegenwoordigingen*: what the officer's organisation recorded on residents' behalf that binds
//! others too. The representations, newest first, with who recorded, confirmed and ended each, and
//! the anomalies that point at a takeover (one representative for many people; used within an hour
//! of being recorded); and the "never share" refusals, with who recorded and who lifted each. The
//! same as `GET /v1/audit/representations` and `GET /v1/audit/refusals`, recorded as reads the
//! same way.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{failed, page, signed_in, when};
use crate::portal::page::legacy::escape;
use crate::portal::see_other;
use crate::routes::recorded::{
    self, MANY_REPRESENTED, RecordedFilter, RecordedRefusalView, RecordedRepresentationView,
};
use crate::state::AppState;

pub(super) const PATH: &str = "/audit/vertegenwoordigingen";

pub(super) async fn representations(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some((officer, me)) = signed_in(&state, &headers).await else {
        return see_other(super::CONSOLE.login);
    };
    let filter = RecordedFilter {
        from: None,
        limit: Some(super::ROWS),
    };
    let refusals_filter = RecordedFilter {
        from: None,
        limit: Some(super::ROWS),
    };
    let found = async {
        Ok::<_, crate::error::ApiError>((
            recorded::find(&state, &officer, filter, PATH).await?,
            recorded::find_refusals(&state, &officer, refusals_filter, PATH).await?,
        ))
    };
    let (found, refusals) = match found.await {
        Ok(found) => found,
        Err(e) => return failed(e),
    };
    let mut page = page(&state, &officer, &me, "Vertegenwoordigingen en nooit delen", PATH).paragraph(&format!(
        "Vertegenwoordigingen die professionals van uw organisatie vastlegden (de laatste 90 dagen): \
         wie voor wie mag optreden, op welke grond, en wie dat bevestigde of beëindigde. Een \
         vertegenwoordiging geldt pas na bevestiging door de vertegenwoordigde of door een tweede \
         professional. Let op: één vertegenwoordiger voor {MANY_REPRESENTED} of meer mensen, en een \
         vertegenwoordiging die binnen een uur na vastleggen werd gebruikt."
    ));
    if found.is_empty() {
        return page
            .paragraph("Geen vertegenwoordigingen gevonden.")
            .raw(&refusals_table(&refusals))
            .respond(StatusCode::OK);
    }
    let flagged = found.iter().filter(|r| !r.anomalies.is_empty()).count();
    if flagged > 0 {
        page = page.alert(&format!(
            "{flagged} vertegenwoordiging(en) vragen om aandacht."
        ));
    }
    let mut table = format!(
        "<table><caption>{} vertegenwoordiging(en)</caption><tr><th scope=\"col\">Vastgelegd</th>\
         <th scope=\"col\">Rol</th><th scope=\"col\">Grond</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Door</th><th scope=\"col\">Bevestigd</th><th scope=\"col\">Beëindigd</th>\
         <th scope=\"col\">Vertegenwoordiger</th><th scope=\"col\">Vertegenwoordigde</th>\
         <th scope=\"col\">Aandacht</th></tr>",
        found.len()
    );
    for r in &found {
        table.push_str(&row(r));
    }
    table.push_str("</table>");
    page.raw(&table)
        .raw(&refusals_table(&refusals))
        .respond(StatusCode::OK)
}

/// The "never share" refusals the organisation recorded for residents, lifted ones too.
fn refusals_table(refusals: &[RecordedRefusalView]) -> String {
    if refusals.is_empty() {
        return "<h2>Nooit delen</h2><p>Uw organisatie legde geen weigeringen vast namens bewoners.</p>"
            .to_owned();
    }
    let mut html = format!(
        "<h2>Nooit delen</h2><table><caption>{} weigering(en) namens bewoners vastgelegd</caption>\
         <tr><th scope=\"col\">Vastgelegd</th><th scope=\"col\">Wat</th><th scope=\"col\">Door</th>\
         <th scope=\"col\">Bewoner</th><th scope=\"col\">Opgeheven</th></tr>",
        refusals.len()
    );
    for r in refusals {
        let lifted = match (&r.refusal.withdrawn_at, &r.refusal.withdrawn_by_partner) {
            (Some(at), Some(by)) if by == consent::AMSTERDAMMER => {
                format!("{} door de bewoner", when(*at))
            }
            (Some(at), Some(by)) => format!("{} door {}", when(*at), escape(by)),
            (Some(at), None) => when(*at),
            _ => "—".to_owned(),
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{lifted}</td></tr>",
            when(r.refusal.created_at),
            escape(&r.refusal.description),
            escape(r.professional.as_deref().unwrap_or("—")),
            escape(short(&r.subject)),
        ));
    }
    html.push_str("</table>");
    html
}

fn row(r: &RecordedRepresentationView) -> String {
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
        (Some(at), Some(by)) => format!("{} door {}", when(at), escape(by)),
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
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{status}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
        when(v.created_at),
        escape(&v.role),
        escape(&v.basis),
        escape(&r.professional),
        by_whom(v.confirmed_at, &v.confirmed_by),
        by_whom(v.ended_at, &v.ended_by),
        escape(short(&r.representative)),
        escape(short(&r.represented)),
        if attention.is_empty() {
            "—".to_owned()
        } else {
            format!("<strong>{}</strong>", escape(&attention.join("; ")))
        },
    )
}

/// The first twelve characters of a pseudonym: enough to tell people apart in one table.
fn short(pseudonym: &str) -> &str {
    pseudonym.get(..12).unwrap_or(pseudonym)
}
