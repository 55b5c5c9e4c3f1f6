//! The pages of Mijn gegevens other than the start page, as `maud` views: the login, the
//! confirmation steps, and the pages that say why something did not happen.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use consent::Consent;
use maud::html;
use policies::Register;

use super::texts::{self, Texts};
use super::views::{consent_card, switch};
use crate::portal::page::{Page, alert};

fn page(t: &Texts, title: &str) -> Page {
    Page::new(title).lang(t.code)
}

/// A page of one paragraph in the page's language.
fn say(t: &Texts, title: &str, text: &str, status: StatusCode) -> Response {
    page(t, title).say(status, text)
}

/// A change the representative's role does not cover, said in plain words.
pub(super) fn outside_role(t: &Texts) -> Response {
    refused(t, t.outside_role)
}

/// A choice the person represented made themselves, which a representative does not undo.
pub(super) fn own_choice(t: &Texts) -> Response {
    refused(t, t.own_choice)
}

fn refused(t: &Texts, why: &str) -> Response {
    page(t, t.not_allowed).respond(
        StatusCode::FORBIDDEN,
        html! {
            p { (why) }
            p { a href="/mijn" { (texts::BACK_TO_MIJN) } }
        },
    )
}

pub(super) fn not_yours(t: &Texts) -> Response {
    say(t, t.not_found, t.not_yours, StatusCode::NOT_FOUND)
}

pub(super) fn unknown_organisation(t: &Texts) -> Response {
    say(
        t,
        t.not_found,
        t.unknown_organisation,
        StatusCode::NOT_FOUND,
    )
}

pub(super) fn no_login(t: &Texts) -> Response {
    say(t, t.log_in, t.no_digid, StatusCode::NOT_FOUND)
}

pub(super) fn no_bsn() -> Response {
    Page::new(texts::LOGIN_FAILED).say(StatusCode::FORBIDDEN, texts::NO_BSN)
}

pub(super) fn no_such_entry() -> Response {
    Page::new(texts::NL.not_found).say(StatusCode::NOT_FOUND, texts::NO_SUCH_ENTRY)
}

/// An action the API refused, with its reason.
pub(super) fn failed(message: &str, status: StatusCode) -> Response {
    Page::new(texts::FAILED).respond(
        status,
        html! {
            (alert(message))
            p { a href="/mijn" { (texts::BACK_TO_MIJN) } }
        },
    )
}

/// The login: with DigiD (`digid`), and in development by BSN (`dev`: the form's CSRF token).
pub(super) fn login(
    t: &Texts,
    problem: Option<&str>,
    digid: bool,
    dev: Option<&str>,
    status: StatusCode,
) -> Response {
    page(t, t.login_title).respond(
        status,
        html! {
            (switch(t, "/mijn/login"))
            @if let Some(problem) = problem {
                (alert(problem))
            }
            @if digid {
                form method="get" action="/mijn/login/digid" {
                    button type="submit" { (t.digid_button) }
                }
            }
            @if let Some(csrf) = dev {
                p { (t.dev_login) }
                form method="post" action="/mijn/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="bsn" { "BSN" }
                    input id="bsn" name="bsn" inputmode="numeric" autocomplete="off" required;
                    button type="submit" { (t.login_button) }
                }
            }
        },
    )
}

/// The confirmation step before consent `c` is revoked.
pub(super) fn confirm_revoke(
    register: &Register,
    t: &Texts,
    c: &Consent,
    now: DateTime<Utc>,
    csrf: &str,
) -> Response {
    page(t, t.revoke_title).respond(
        StatusCode::OK,
        html! {
            p { (t.revoke_sure) }
            (consent_card(register, t, c, now, false))
            form method="post" action={ "/mijn/toestemmingen/" (c.id) "/intrekken" } {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { (t.revoke_yes) }
            }
            p { a href="/mijn" { (t.no_back) } }
        },
    )
}

/// The confirmation step before a refusal of `recipient` (named `name`) is recorded.
pub(super) fn confirm_refusal(t: &Texts, recipient: &str, name: &str, csrf: &str) -> Response {
    page(t, t.refusal_title).respond(
        StatusCode::OK,
        html! {
            p { (t.refusal_sure(name)) }
            form method="post" action="/mijn/weigeren" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="ontvanger" value=(recipient);
                button type="submit" { (t.refusal_yes) " " (name) }
            }
            p { a href="/mijn" { (t.no_back) } }
        },
    )
}
