use super::*;

// The signed-note example of golang.org/x/mod/sumdb/note (its documentation and note_test.go): a
// different implementation, so matching it byte for byte means Go (and C2SP) verifiers accept ours.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const GO_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n\
                       \n\
                       \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn go() -> LogSigner {
    LogSigner::from_skey(GO_SKEY).unwrap()
}

#[test]
fn the_go_reference_note_is_signed_and_opened_byte_for_byte() {
    let signer = go();
    assert_eq!(signer.verifier().vkey(), GO_VKEY);
    assert_eq!(signer.sign_text(GO_TEXT).unwrap(), GO_NOTE);
    let verifier = LogVerifier::parse(GO_VKEY).unwrap();
    assert_eq!(verifier.open(GO_NOTE).unwrap(), GO_TEXT);
}

#[test]
fn a_changed_or_reordered_text_does_not_verify() {
    let verifier = LogVerifier::parse(GO_VKEY).unwrap();
    let flipped = GO_NOTE.replace("cryptography", "cryptographY");
    assert_eq!(
        verifier.open(&flipped),
        Err(NoteError::BadSignature("PeterNeumann".into()))
    );
    let reordered = "then you don't know what your problem is.\n\
                     If you think cryptography is the answer to your problem,\n"
        .to_owned()
        + &GO_NOTE[GO_TEXT.len()..];
    assert!(matches!(
        verifier.open(&reordered),
        Err(NoteError::BadSignature(_))
    ));
}

#[test]
fn another_key_with_the_same_name_is_not_the_signer() {
    let other = LogSigner::from_skey(&LogSigner::generate_skey("PeterNeumann").unwrap()).unwrap();
    let note = other.sign_text(GO_TEXT).unwrap();
    let verifier = LogVerifier::parse(GO_VKEY).unwrap();
    assert_eq!(
        verifier.open(&note),
        Err(NoteError::NotSignedBy("PeterNeumann".into()))
    );
}

#[test]
fn a_truncated_signature_or_a_missing_blank_line_is_refused() {
    let verifier = LogVerifier::parse(GO_VKEY).unwrap();
    let truncated = GO_NOTE.replace("JnAM=", "JnA=");
    assert!(verifier.open(&truncated).is_err());
    let no_blank = GO_NOTE.replacen("\n\n", "\n", 1);
    assert!(matches!(
        verifier.open(&no_blank),
        Err(NoteError::MalformedNote(_))
    ));
    let no_dash = GO_NOTE.replace('\u{2014}', "-");
    assert!(matches!(
        verifier.open(&no_dash),
        Err(NoteError::MalformedNote(_))
    ));
}

#[test]
fn a_mangled_verifier_key_is_refused() {
    for key in [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ] {
        assert!(LogVerifier::parse(key).is_err(), "{key:?}");
    }
}

#[test]
fn a_checkpoint_is_signed_for_its_own_log_and_reads_back() {
    let signer =
        LogSigner::from_skey(&LogSigner::generate_skey("example.org/log").unwrap()).unwrap();
    let checkpoint = Checkpoint {
        origin: "example.org/log".into(),
        size: 8,
        root: [7; 32],
    };
    let note = signer.sign(&checkpoint).unwrap();
    assert!(note.starts_with("example.org/log\n8\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u{2014} example.org/log "));
    let verifier = LogVerifier::parse(&signer.verifier().vkey()).unwrap();
    assert_eq!(verifier.verify_checkpoint(&note).unwrap(), checkpoint);

    let foreign = Checkpoint {
        origin: "other.org/log".into(),
        ..checkpoint.clone()
    };
    assert!(matches!(
        signer.sign(&foreign),
        Err(NoteError::WrongOrigin { .. })
    ));
}

#[test]
fn a_checkpoint_body_must_be_canonical() {
    let good = "example.org/log\n8\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n";
    assert_eq!(Checkpoint::parse_body(good).unwrap().size, 8);
    let with_extension = format!("{good}extension line\n");
    assert!(Checkpoint::parse_body(&with_extension).is_ok());
    for bad in [
        "example.org/log\n08\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
        "example.org/log\n-8\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
        "example.org/log\n8\nBwcH\n",
        "example.org/log\n8\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
        "\n8\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
    ] {
        assert!(Checkpoint::parse_body(bad).is_err(), "{bad:?}");
    }
}
