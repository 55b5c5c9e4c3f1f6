//! The text log holds nothing a client chose (issue 5, finding 7): a token whose header and claims
//! carry control characters and a forged line, or a request id with a BSN in it, leave no trace of
//! those in the log. Its own test binary: it installs the process-wide log subscriber.

#![allow(clippy::unwrap_used)] // test bodies: a panic is the failure report

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gateway::config::LogFormat;
use serde_json::json;
use tests::{BSN, Db, TestApp, send};

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_text_log_holds_no_control_characters_or_request_ids_a_client_chose() {
    let log = Log::default();
    let writer = log.clone();
    gateway::telemetry::init_with_writer(LogFormat::Text, move || writer.clone(), false);
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();

    let forged = "\u{1b}[2K\r\nINFO forged: all is well\u{7}";
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": forged, "typ": forged}).to_string());
    let claims = URL_SAFE_NO_PAD.encode(json!({"sub": forged, "exp": forged}).to_string());
    let signed = app.sign_partner("okt-amsterdam", &json!({"sub": forged, "iss": forged}));
    let (_, signature) = signed.rsplit_once('.').unwrap();
    let client = app.partner("okt-amsterdam");
    for token in [
        format!("{header}.{claims}.{signature}"),
        format!(
            "{}.{claims}.{signature}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256"}"#)
        ),
        signed.clone(),
    ] {
        let (status, body) = send(
            client
                .get(app.url(&format!("/v1/consents?subject_bsn={BSN}")))
                .bearer_auth(token)
                .header("x-request-id", format!("bsn-{BSN}")),
        )
        .await;
        assert_eq!(status, 401, "{body}");
    }
    let citizen = format!("{header}.{claims}.{signature}");
    let (status, _) = send(
        app.public()
            .get(app.url("/v1/me/consents"))
            .bearer_auth(citizen),
    )
    .await;
    assert_eq!(status, 401);
    app.stop().await;

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("token refused"),
        "the refusals are logged:\n{text}"
    );
    assert!(
        !text.contains("forged"),
        "text from a token reached the log:\n{text}"
    );
    assert!(
        !text.contains(BSN),
        "a client's request id reached the log:\n{text}"
    );
    let control = text.chars().find(|c| c.is_control() && *c != '\n');
    assert!(
        control.is_none(),
        "a control character {control:?} in the log:\n{text}"
    );
}
