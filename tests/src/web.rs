//! A person at the web pages, without a browser: an HTTPS client that does not follow redirects (so
//! the tests see them), keeps the cookies it is given, and reads the CSRF token off the last page.

use std::collections::BTreeMap;

use crate::TestApp;

/// What one page request gave.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: String,
    pub body: String,
}

#[derive(Debug)]
pub struct Visitor {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
    /// The CSRF token on the last page that had a form.
    pub csrf: Option<String>,
}

impl TestApp {
    /// Someone at the pages, with no cookies yet.
    pub fn visitor(&self) -> Visitor {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .use_preconfigured_tls(
                gateway::tls::anonymous_client_config(&self.pki.ca()).expect("public tls"),
            )
            .build()
            .expect("client");
        Visitor {
            client,
            base: self.base.clone(),
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }
}

impl TestApp {
    /// A privacy officer of `organisation`, signed in to the console through the development login.
    pub async fn officer_visitor(&self, organisation: &str) -> Visitor {
        let mut visitor = self.visitor();
        visitor.get("/audit/login").await;
        let signed_in = visitor
            .post("/audit/login", &[("organisatie", organisation)])
            .await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        visitor
    }
}

impl Visitor {
    /// Someone else holding this visitor's cookies (a copied cookie), at `app`: the same gateway
    /// or another replica.
    pub fn copied_to(&self, app: &TestApp) -> Visitor {
        let mut copy = app.visitor();
        copy.cookies = self.cookies.clone();
        copy
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let request = if self.cookies.is_empty() {
            request
        } else {
            request.header("cookie", self.cookie_header())
        };
        let response = request.send().await.expect("page request");
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().expect("ascii cookie");
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, v)) = pair.split_once('=') {
                if v.is_empty() || value.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), v.to_owned());
                }
            }
        }
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let body = response.text().await.expect("page body");
        if let Some(token) = body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.csrf = Some(token.to_owned());
        }
        Answer {
            status,
            location,
            content_type,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.finish(request).await
    }

    /// Posts a form with `fields`, plus the last page's CSRF token unless `csrf` is given.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            form.push(("csrf".into(), self.csrf.clone().unwrap_or_default()));
        }
        let request = self.client.post(format!("{}{path}", self.base)).form(&form);
        self.finish(request).await
    }

    /// The value of cookie `name`, if held.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }
}
