//! One page of the portal: plain HTML, one stylesheet whose hash is the only thing the
//! Content-Security-Policy allows, no script, nothing from elsewhere, not cached.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// Large type, strong contrast, room to tap (WCAG 2.1 AA; works on a phone).
const STYLE: &str = "body{font-family:system-ui,sans-serif;font-size:1.125rem;line-height:1.5;\
color:#1a1a1a;background:#fff;max-width:44rem;margin:0 auto;padding:1rem}\
h1{font-size:1.75rem}h2{font-size:1.3rem;margin-top:2rem}\
.card{border:1px solid #767676;border-radius:4px;padding:.75rem 1rem;margin:.75rem 0}\
.status{font-weight:700}.meta{color:#4a4a4a;font-size:1rem}\
.notice{border-left:6px solid #00703c;padding:.5rem 1rem;background:#e8f5ee}\
.alert{border-left:6px solid #b00020;padding:.5rem 1rem;background:#fdecee}\
label{display:block;font-weight:700;margin-top:1rem}\
input{font-size:1.125rem;padding:.5rem;border:2px solid #1a1a1a;width:12rem}\
button{font-size:1.125rem;padding:.6rem 1.2rem;margin-top:.75rem;background:#b00020;color:#fff;\
border:2px solid #b00020;border-radius:4px;cursor:pointer}\
button.secondary{background:#fff;color:#1a1a1a;border-color:#1a1a1a}\
button:focus,a:focus,input:focus{outline:3px solid #ffbf47;outline-offset:2px}\
a{color:#004b9a}";

pub struct Page {
    title: String,
    body: String,
}

impl Page {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            body: String::new(),
        }
    }

    pub fn paragraph(mut self, text: &str) -> Self {
        self.body.push_str(&format!("<p>{}</p>", escape(text)));
        self
    }

    pub fn notice(mut self, text: &str) -> Self {
        self.body.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(text)
        ));
        self
    }

    pub fn alert(mut self, text: &str) -> Self {
        self.body.push_str(&format!(
            "<p class=\"alert\" role=\"alert\">{}</p>",
            escape(text)
        ));
        self
    }

    /// Markup built by the caller, every value in it escaped.
    pub fn raw(mut self, html: &str) -> Self {
        self.body.push_str(html);
        self
    }

    pub fn respond(self, status: StatusCode) -> Response {
        let html = format!(
            "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} - Gemeente Amsterdam</title><style>{STYLE}</style></head>\
             <body><header><p>Gemeente Amsterdam · gegevensdeling in het sociaal domein</p></header>\
             <main><h1>{title}</h1>{body}</main></body></html>\n",
            title = escape(&self.title),
            body = self.body
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
        let csp = format!(
            "default-src 'none'; style-src 'sha256-{}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
        );
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(CONTENT_SECURITY_POLICY, v);
        }
        response
    }
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}

/// HTML text and attribute escaping.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
