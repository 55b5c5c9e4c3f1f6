//! The consent receipt as a printable page (issue 8 item 7): the same ISO/IEC TS 27560 receipt as
//! the JSON, in plain Dutch, for the professional to print at the kitchen table where the
//! toestemmingsverklaring was given, or for the Amsterdammer to keep. Served when the receipt route
//! is asked for `text/html`; no script, no outside assets, and a Content-Security-Policy that
//! allows only this page's own stylesheet.

use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use super::usage::ReceiptView;
use crate::portal::page::legacy::escape;

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

/// The page. Every value from the record is escaped.
pub fn render(r: &ReceiptView) -> String {
    let mut page = String::with_capacity(4096);
    page.push_str("<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    page.push_str("<title>Bewijs van uw toestemming</title><style>");
    page.push_str(STYLE);
    page.push_str("</style></head><body><main>");
    page.push_str("<h1>Bewijs van uw toestemming</h1>");
    page.push_str(&format!(
        "<p>Dit is het bewijs van de toestemming die u gaf om gegevens over u te delen. \
         Bewaar het goed. Status: <strong>{}</strong>.</p>",
        escape(status(&r.status))
    ));
    page.push_str("<dl>");
    item(&mut page, "Nummer", &r.record_id);
    item(
        &mut page,
        "Vastgelegd door",
        &format!("{} ({})", r.recorded_by.name, r.recorded_by.id),
    );
    item(&mut page, "Hoe gegeven", method(&r.method));
    item(&mut page, "Geldig vanaf", &day(r.valid_from));
    item(&mut page, "Geldig tot en met", &day(r.valid_until));
    item(&mut page, "Afgedrukt op", &day(r.issued_at));
    page.push_str("</dl>");

    page.push_str("<h2>Wie mag gegevens krijgen</h2><ul>");
    for p in &r.recipients {
        list_item(&mut page, &p.name);
    }
    page.push_str("</ul>");
    if !r.sources.is_empty() {
        page.push_str("<h2>Van wie mogen de gegevens komen</h2><ul>");
        for p in &r.sources {
            list_item(&mut page, &p.name);
        }
        page.push_str("</ul>");
    }
    page.push_str("<h2>Waarvoor</h2><ul>");
    for p in &r.purposes {
        page.push_str(&format!(
            "<li><strong>{}</strong>: {}</li>",
            escape(&p.name),
            escape(&p.purpose)
        ));
    }
    page.push_str("</ul><h2>Welke gegevens</h2><ul>");
    for c in &r.data_categories {
        let special = if c.special {
            " (bijzonder gevoelig: extra beschermd)"
        } else {
            ""
        };
        list_item(&mut page, &format!("{}{special}", c.name));
    }
    page.push_str("</ul>");
    page.push_str(&format!(
        "<h2>Intrekken</h2><p class=\"note\">{}</p>",
        escape(&r.how_to_withdraw)
    ));
    page.push_str(
        "<h2>Uw rechten</h2><p>U mag altijd zien welke gegevens over u gedeeld zijn, ze laten \
         verbeteren, bezwaar maken, en een klacht indienen bij de Autoriteit Persoonsgegevens.</p>",
    );
    page.push_str(&format!(
        "<p><small>{} · taal {} · pseudoniem {}</small></p>",
        escape(&r.schema),
        escape(&r.language),
        escape(&r.subject)
    ));
    page.push_str("</main></body></html>\n");
    page
}

fn item(page: &mut String, term: &str, value: &str) {
    page.push_str(&format!(
        "<dt>{}</dt><dd>{}</dd>",
        escape(term),
        escape(value)
    ));
}

fn list_item(page: &mut String, value: &str) {
    page.push_str(&format!("<li>{}</li>", escape(value)));
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
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
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
