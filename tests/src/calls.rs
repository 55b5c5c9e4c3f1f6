//! What a test does as a caller: clients with and without a client certificate, tokens, and the
//! requests partners and Amsterdammers make most often.

use chrono::{Duration, Utc};
use gateway::auth::tokens;
use gateway::demo::{DEFAULT_AUDIENCE, DEV_CITIZEN_ISSUER};
use gateway::sample::SampleSystem;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::{TestApp, send};

impl TestApp {
    /// An HTTPS client that presents `partner`'s client certificate.
    pub fn partner(&self, partner: &str) -> reqwest::Client {
        let tls = gateway::tls::client_config(
            &self.pki.ca(),
            &self.pki.partner_cert(partner),
            &self.pki.partner_key(partner),
        )
        .expect("partner tls");
        client(tls)
    }

    /// As [`TestApp::partner`], speaking HTTP/2 (the other clients speak HTTP/1.1).
    pub fn partner_http2(&self, partner: &str) -> reqwest::Client {
        let mut tls = gateway::tls::client_config(
            &self.pki.ca(),
            &self.pki.partner_cert(partner),
            &self.pki.partner_key(partner),
        )
        .expect("partner tls");
        tls.alpn_protocols = vec![b"h2".to_vec()];
        http2_client(tls)
    }

    /// An HTTPS client without a client certificate (an Amsterdammer's browser, the public).
    pub fn public(&self) -> reqwest::Client {
        client(gateway::tls::anonymous_client_config(&self.pki.ca()).expect("public tls"))
    }

    /// As [`TestApp::public`], speaking HTTP/2 (the other clients speak HTTP/1.1).
    pub fn public_http2(&self) -> reqwest::Client {
        let mut tls = gateway::tls::anonymous_client_config(&self.pki.ca()).expect("public tls");
        tls.alpn_protocols = vec![b"h2".to_vec()];
        http2_client(tls)
    }

    pub fn partner_token(&self, partner: &str, sub: &str, role: &str) -> String {
        let claims = tokens::partner_claims(
            partner,
            sub,
            role,
            DEFAULT_AUDIENCE,
            Utc::now(),
            Duration::minutes(10),
        );
        self.sign_partner(partner, &serde_json::to_value(claims).expect("claims"))
    }

    /// Signs arbitrary claims with `partner`'s token key (for malformed-token tests).
    pub fn sign_partner(&self, partner: &str, claims: &Value) -> String {
        let key = std::fs::read(self.pki.partner_token_key(partner)).expect("token key");
        tokens::sign(claims, &key).expect("sign")
    }

    pub fn citizen_token(&self, bsn: &str) -> String {
        let claims = tokens::citizen_claims(
            DEV_CITIZEN_ISSUER,
            bsn,
            DEFAULT_AUDIENCE,
            Utc::now(),
            Duration::minutes(10),
        );
        let key = std::fs::read(self.pki.citizen_idp_key()).expect("idp key");
        tokens::sign(&claims, &key).expect("sign")
    }

    /// POSTs JSON as a professional (`prof-1`) of `partner` (certificate + token); returns status
    /// and body.
    pub async fn post_as(
        &self,
        partner: &str,
        role: &str,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        self.post_by(partner, "prof-1", role, path, body).await
    }

    /// POSTs JSON as professional `sub` of `partner`; returns status and body.
    pub async fn post_by(
        &self,
        partner: &str,
        sub: &str,
        role: &str,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let token = self.partner_token(partner, sub, role);
        send(
            self.partner(partner)
                .post(self.url(path))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    /// The text of a public route (the log's key and checkpoint), which must answer `200`.
    pub async fn public_text(&self, path: &str) -> String {
        let response = self
            .public()
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{path}");
        response.text().await.expect("a text body")
    }

    /// GET as the Amsterdammer with `bsn`.
    /// What `/metrics` serves now (Prometheus text).
    pub async fn metrics_text(&self) -> String {
        self.public()
            .get(format!("http://{}/metrics", self.metrics_addr))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// The status `/readyz` answers now.
    pub async fn ready_status(&self) -> u16 {
        self.public()
            .get(self.url("/readyz"))
            .send()
            .await
            .expect("readyz")
            .status()
            .as_u16()
    }

    pub async fn get_as_citizen(&self, bsn: &str, path: &str) -> (u16, Value) {
        let response = self
            .public()
            .get(self.url(path))
            .bearer_auth(self.citizen_token(bsn))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Records a consent through the API as a buurtteam regievoerder; returns its id.
    pub async fn record_consent(
        &self,
        bsn: &str,
        recipients: &[&str],
        activities: &[&str],
        categories: &[&str],
    ) -> String {
        let body = json!({
            "subject_bsn": bsn,
            "recipients": recipients,
            "activities": activities,
            "categories": categories,
            "valid_until": (Utc::now() + Duration::days(365)).to_rfc3339(),
            "evidence": {"method": "signed_form", "document_sha256": "ab".repeat(32), "recorded_by": "prof-1"},
        });
        let (status, consent) = self
            .post_as("bt-centrum-west", "regievoerder", "/v1/consents", &body)
            .await;
        assert_eq!(status, 201, "consent not recorded: {consent}");
        consent["id"].as_str().expect("consent id").to_owned()
    }

    /// GET as a professional of `partner` (certificate + token); returns status and body.
    pub async fn get_as(&self, partner: &str, role: &str, path: &str) -> (u16, Value) {
        let token = self.partner_token(partner, "prof-1", role);
        send(self.partner(partner).get(self.url(path)).bearer_auth(token)).await
    }

    /// POSTs (without a body) as the Amsterdammer with `bsn`, e.g. to revoke a consent.
    pub async fn post_as_citizen(&self, bsn: &str, path: &str) -> (u16, Value) {
        send(
            self.public()
                .post(self.url(path))
                .bearer_auth(self.citizen_token(bsn)),
        )
        .await
    }

    /// `n` exchanges `body` asks for, as okt-amsterdam's prof-1, sent at once (each task waits at a
    /// barrier until all are ready; HTTP/1.1, so one connection each): per exchange its status,
    /// whether it carried `Retry-After`, and its JSON body.
    pub async fn exchanges_at_once(&self, n: usize, body: &Value) -> Vec<(u16, bool, Value)> {
        let client = self.partner("okt-amsterdam");
        let token = self.partner_token("okt-amsterdam", "prof-1", "okt-medewerker");
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..n {
            let (client, token, body) = (client.clone(), token.clone(), body.clone());
            let (url, barrier) = (self.url("/v1/exchange"), barrier.clone());
            calls.spawn(async move {
                barrier.wait().await;
                let answer = client.post(url).bearer_auth(token).json(&body).send().await;
                let answer = answer.expect("exchange sent");
                let status = answer.status().as_u16();
                let retry_after = answer.headers().contains_key("retry-after");
                let text = answer.text().await.expect("answer read");
                let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
                (status, retry_after, body)
            });
        }
        calls.join_all().await
    }

    /// The public register (`GET /v1/register`).
    pub async fn register_json(&self) -> Value {
        let (status, body) = send(self.public().get(self.url("/v1/register"))).await;
        assert_eq!(status, 200, "register: {body}");
        body
    }

    pub fn system(&self, partner: &str) -> &SampleSystem {
        self.systems
            .iter()
            .find(|s| s.partner_id == partner)
            .expect("sample system")
    }

    /// A database connection to inspect what the gateway stored.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.db.sqlite_file {
            Some(_) => {
                let mut c = sqlx::SqliteConnection::connect(&self.db.url)
                    .await
                    .expect("sqlite");
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            }
            None => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await.expect("pg");
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            }
        }
    }

    /// Runs statements without parameters on the gateway's database behind its back (e.g. a
    /// trigger that makes a write fail, for fault injection).
    pub async fn execute_raw(&self, sql: &str) {
        match &self.db.sqlite_file {
            Some(_) => {
                let mut c = sqlx::SqliteConnection::connect(&self.db.url)
                    .await
                    .expect("sqlite");
                sqlx::raw_sql(sql).execute(&mut c).await.expect(sql);
            }
            None => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await.expect("pg");
                sqlx::raw_sql(sql).execute(&mut c).await.expect(sql);
            }
        }
    }

    /// Whether the gateway's database is SQLite (else PostgreSQL).
    pub fn on_sqlite(&self) -> bool {
        self.db.sqlite_file.is_some()
    }

    /// Changes the gateway's database behind its back (tampering tests): `sql` with one text
    /// parameter `$1`.
    pub async fn execute(&self, sql: &str, param: &str) {
        match &self.db.sqlite_file {
            Some(_) => {
                let mut c = sqlx::SqliteConnection::connect(&self.db.url)
                    .await
                    .expect("sqlite");
                sqlx::query(sql)
                    .bind(param)
                    .execute(&mut c)
                    .await
                    .expect(sql);
            }
            None => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await.expect("pg");
                sqlx::query(sql)
                    .bind(param)
                    .execute(&mut c)
                    .await
                    .expect(sql);
            }
        }
    }
}

fn client(tls: rustls::ClientConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
}

fn http2_client(tls: rustls::ClientConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .http2_prior_knowledge()
        .build()
        .expect("client")
}
