//! One page of the portal: the shared layout, a `maud` template (every value escaped), one
//! stylesheet whose hash is what the Content-Security-Policy allows (and, on a page with one, its
//! own script by hash), nothing from elsewhere, not cached.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};

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
button:focus,a:focus,input:focus,select:focus,textarea:focus{outline:3px solid #ffbf47;outline-offset:2px}\
a{color:#004b9a}\
body.wide{max-width:80rem}\
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}\
nav a[aria-current]{font-weight:700;color:#1a1a1a}\
table{border-collapse:collapse;width:100%;font-size:1rem;margin:.75rem 0}\
th,td{border-bottom:1px solid #767676;padding:.35rem .5rem;text-align:left;vertical-align:top}\
th{background:#f0f0f0}\
form.filters{display:flex;flex-wrap:wrap;gap:0 1.25rem;align-items:end}\
select,textarea{font-size:1.125rem;padding:.4rem;border:2px solid #1a1a1a;max-width:100%}\
textarea{width:100%;min-height:4rem}\
fieldset{border:1px solid #767676;margin-top:1rem}\
fieldset label{display:inline;font-weight:400;margin-right:1rem}\
.ok{color:#00703c;font-weight:700}.bad{color:#b00020;font-weight:700}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}\
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";

/// The layout around a page's body: its title, language, navigation and headers.
pub struct Page {
    title: String,
    /// Links above the title: (href, label); the one equal to `current` is marked.
    nav: Vec<(String, String)>,
    current: String,
    wide: bool,
    /// The page's language (BCP 47).
    lang: &'static str,
    /// Where the browser moves on to at once (a same-site `meta refresh`).
    refresh: Option<&'static str>,
    /// A script of the page's own (allowed by its hash, and to fetch from this site only).
    script: Option<&'static str>,
}

impl Page {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            nav: Vec::new(),
            current: String::new(),
            wide: false,
            lang: "nl",
            script: None,
            refresh: None,
        }
    }

    /// With `script` at the end of the body: an addition, never needed to read or act.
    pub fn script(mut self, script: &'static str) -> Self {
        self.script = Some(script);
        self
    }

    /// Moves the browser on to `to` (a path of this site) at once.
    pub fn refresh(mut self, to: &'static str) -> Self {
        self.refresh = Some(to);
        self
    }

    /// In language `code` (`nl` unless said).
    pub fn lang(mut self, code: &'static str) -> Self {
        self.lang = code;
        self
    }

    /// Room for tables (the officers' console).
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }

    /// A navigation bar of `(href, label)` links, `current` marked as the page one is on.
    pub fn nav(mut self, links: &[(&str, &str)], current: &str) -> Self {
        self.nav = links
            .iter()
            .map(|(href, label)| ((*href).to_owned(), (*label).to_owned()))
            .collect();
        self.current = current.to_owned();
        self
    }

    /// The whole document around `body`.
    fn render(&self, body: Markup) -> Markup {
        html! {
            (DOCTYPE)
            html lang=(self.lang) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    @if let Some(to) = self.refresh {
                        meta http-equiv="refresh" content={ "0;url=" (to) };
                    }
                    title { (self.title) " - Gemeente Amsterdam" }
                    style { (PreEscaped(STYLE)) }
                }
                body class=[self.wide.then_some("wide")] {
                    header {
                        p lang="nl" { "Gemeente Amsterdam · gegevensdeling in het sociaal domein" }
                        @if !self.nav.is_empty() {
                            nav aria-label="Menu" {
                                ul {
                                    @for (href, label) in &self.nav {
                                        li {
                                            a href=(href) aria-current=[(*href == self.current).then_some("page")] {
                                                (label)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    main {
                        h1 { (self.title) }
                        (body)
                    }
                    @if let Some(js) = self.script {
                        script { (PreEscaped(js)) }
                    }
                }
            }
        }
    }

    /// The page with `body` as a response with `status`, its headers set.
    pub fn respond(self, status: StatusCode, body: Markup) -> Response {
        let html = self.render(body).into_string();
        let hash = |text: &str| {
            base64::engine::general_purpose::STANDARD
                .encode(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
        };
        let script = self.script.map_or_else(String::new, |js| {
            format!("; script-src 'sha256-{}'; connect-src 'self'", hash(js))
        });
        let csp = format!(
            "default-src 'none'; style-src 'sha256-{}'{script}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            hash(STYLE)
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

    /// A page of one paragraph.
    pub fn say(self, status: StatusCode, text: &str) -> Response {
        self.respond(status, html! { p { (text) } })
    }
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}

/// A message that something was done.
pub fn notice(text: &str) -> Markup {
    html! { p class="notice" role="status" { (text) } }
}

/// A message that something went wrong.
pub fn alert(text: &str) -> Markup {
    html! { p class="alert" role="alert" { (text) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_the_style_is_the_hashed_one() {
        let page = Page::new("<b>\"x\"</b>")
            .nav(&[("/a", "A"), ("/b", "<i>")], "/a")
            .render(html! { p { "<script>" } });
        let page = page.into_string();
        assert!(
            page.contains("<title>&lt;b&gt;&quot;x&quot;&lt;/b&gt; - Gemeente Amsterdam</title>")
        );
        assert!(page.contains("<a href=\"/a\" aria-current=\"page\">A</a>"));
        assert!(page.contains("<a href=\"/b\">&lt;i&gt;</a>"));
        assert!(page.contains("<p>&lt;script&gt;</p>"));
        assert!(page.contains(&format!("<style>{STYLE}</style>")));
    }
}
