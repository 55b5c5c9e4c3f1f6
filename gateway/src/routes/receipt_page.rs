//! The consent receipt as a printable page (issue 8 item 7): the same ISO/IEC TS 27560 receipt as
//! the JSON, in plain Dutch, for the professional to print at the kitchen table where the
//! toestemmingsverklaring was given, or for the Amsterdammer to keep. Served when the receipt route
//! is asked for `text/html`; no script, no outside assets, and a Content-Security-Policy that
//! allows only this page's own stylesheet.

use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::contract::ReceiptView;
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#111}h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.5rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}\
dd{margin:0}.note{border:2px solid #111;padding:.75rem}@media print{body{margin:0}}";

/// Whether the client asked for the page rather than the JSON (its first choice is HTML).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().starts_with("text/html"))
}

/// The receipt page as a response.
pub fn response(receipt: &ReceiptView) -> Response {
    let digest = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    );
    let mut response = render(receipt).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The page, a `maud` template: every value from the record is escaped.
pub fn render(r: &ReceiptView) -> String {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Bewijs van uw toestemming" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 { "Bewijs van uw toestemming" }
                    p {
                        "Dit is het bewijs van de toestemming die u gaf om gegevens over u te delen. \
                         Bewaar het goed. Status: " strong { (status(&r.status)) } "."
                    }
                    dl {
                        (item("Nummer", &r.record_id))
                        (item("Vastgelegd door", &format!("{} ({})", r.recorded_by.name, r.recorded_by.id)))
                        (item("Hoe gegeven", method(&r.method)))
                        (item("Geldig vanaf", &day(r.valid_from)))
                        (item("Geldig tot en met", &day(r.valid_until)))
                        (item("Afgedrukt op", &day(r.issued_at)))
                    }
                    h2 { "Wie mag gegevens krijgen" }
                    ul { @for p in &r.recipients { li { (p.name) } } }
                    @if !r.sources.is_empty() {
                        h2 { "Van wie mogen de gegevens komen" }
                        ul { @for p in &r.sources { li { (p.name) } } }
                    }
                    h2 { "Waarvoor" }
                    ul { @for p in &r.purposes { li { strong { (p.name) } ": " (p.purpose) } } }
                    h2 { "Welke gegevens" }
                    ul {
                        @for c in &r.data_categories {
                            li { (c.name) @if c.special { " (bijzonder gevoelig: extra beschermd)" } }
                        }
                    }
                    h2 { "Intrekken" }
                    p class="note" { (r.how_to_withdraw) }
                    h2 { "Uw rechten" }
                    p {
                        "U mag altijd zien welke gegevens over u gedeeld zijn, ze laten \
                         verbeteren, bezwaar maken, en een klacht indienen bij de Autoriteit Persoonsgegevens."
                    }
                    p { small { (r.schema) " · taal " (r.language) " · pseudoniem " (r.subject) } }
                }
            }
        }
    }
    .into_string()
}

fn item(term: &str, value: &str) -> Markup {
    html! { dt { (term) } dd { (value) } }
}

fn day(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%d-%m-%Y").to_string()
}

fn status(status: &str) -> &str {
    match status {
        "active" => "geldig",
        "pending" => "wacht op uw bevestiging",
        "revoked" => "ingetrokken",
        "expired" => "verlopen",
        "superseded" => "vervangen door een nieuwe versie",
        "refused" => "geweigerd",
        other => other,
    }
}

fn method(method: &str) -> &str {
    match method {
        "signed_form" => "op een ondertekend formulier",
        "digital" => "digitaal, door uzelf",
        "verbal_recorded" | "spoken" => "mondeling, en door de professional vastgelegd",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_value_is_shown_as_text_not_run() {
        assert_eq!(
            item("<script>alert('x')</script>", "& \"y\"").into_string(),
            "<dt>&lt;script&gt;alert('x')&lt;/script&gt;</dt><dd>&amp; &quot;y&quot;</dd>"
        );
    }

    #[test]
    fn only_a_client_whose_first_choice_is_html_gets_the_page() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                ACCEPT,
                HeaderValue::from_str(accept).expect("a header value"),
            );
            wants_html(&headers)
        };
        assert!(with("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(!with("application/json"));
        assert!(!with("*/*"));
        assert!(!wants_html(&HeaderMap::new()));
    }
}
