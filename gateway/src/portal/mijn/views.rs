//! The start page of Mijn gegevens as `maud` views, one function per section: what the handler
//! read, shown; every value escaped.

use chrono::{DateTime, Utc};
use consent::{Consent, Refusal, Representation, SubjectId};
use maud::{Markup, html};
use policies::Register;

use super::names::{party_name, refusal_text, role_name};
use super::sections;
use super::texts::Texts;
use crate::portal::page::{alert, notice};

/// One disclosure as the Amsterdammer sees it.
pub(super) struct Shown {
    pub id: String,
    pub log_index: u64,
    /// Why it was shared, in the page's language.
    pub explained: String,
    /// Whether the page could prove it in the public log.
    pub proven: bool,
    /// Whether it rests on their consent.
    pub on_consent: bool,
}

/// Everything the start page shows.
pub(super) struct Home<'a> {
    pub t: &'static Texts,
    pub register: &'a Register,
    pub csrf: &'a str,
    pub now: DateTime<Utc>,
    pub lapsed: bool,
    pub acting: Option<&'a Representation>,
    /// Just revoked, refused or lifted (the receipt of the action).
    pub revoked: Option<&'a str>,
    pub refused: Option<&'a Refusal>,
    pub lifted: Option<&'a str>,
    pub consents: &'a [Consent],
    /// Newest first: the newest, or (`paged`) those older than the page before showed.
    pub shared: Vec<Shown>,
    /// More follow, older than this ledger index.
    pub older: Option<u64>,
    pub paged: bool,
    pub refusals: &'a [Refusal],
    pub own: &'a SubjectId,
    pub representations: &'a [Representation],
    pub rights: Vec<&'a str>,
}

/// The link to the other language, for the page at `path`.
pub(super) fn switch(t: &Texts, path: &str) -> Markup {
    html! {
        p { a href={ (path) "?taal=" (t.other_code) } lang=(t.other_code) { (t.other_name) } }
    }
}

/// The start page's body.
pub(super) fn home(h: &Home) -> Markup {
    html! {
        (switch(h.t, "/mijn"))
        (acting(h))
        (receipts(h))
        (consents(h))
        (shared(h))
        (sections::refusals(h.register, h.t, h.refusals, h.csrf))
        (sections::representations(h.register, h.t, h.own, h.representations, h.now, h.csrf))
        (rights(h))
        (logout(h.t, h.csrf))
    }
}

/// Whom the page is of, while acting for someone (and when that lapsed).
fn acting(h: &Home) -> Markup {
    let t = h.t;
    html! {
        @if h.lapsed {
            (alert(t.lapsed))
        }
        @if let Some(r) = h.acting {
            (notice(&t.acting(
                r.label.as_deref().unwrap_or(t.the_person_you_represent),
                &role_name(t, r),
            )))
            form method="post" action="/mijn/namens" {
                input type="hidden" name="csrf" value=(h.csrf);
                input type="hidden" name="vertegenwoordiging" value="";
                button type="submit" class="secondary" { (t.back_to_own) }
            }
        }
    }
}

/// What was just done.
fn receipts(h: &Home) -> Markup {
    let t = h.t;
    html! {
        @if let Some(id) = h.revoked {
            (notice(&t.revoked_notice(id)))
        }
        @if let Some(r) = h.refused {
            (notice(&t.refused_notice(&r.id, &refusal_text(h.register, t, r))))
        }
        @if let Some(id) = h.lifted {
            (notice(&t.lifted_notice(id)))
        }
    }
}

fn consents(h: &Home) -> Markup {
    let t = h.t;
    html! {
        p { a href="/mijn/download" download { (t.download_all) } (t.download_all_what) }
        h2 { (t.your_consents) }
        @if h.consents.is_empty() {
            p { (t.no_consents) }
        }
        @for c in h.consents {
            (consent_card(h.register, t, c, h.now, true))
        }
    }
}

/// Every disclosure, with whether it is proven in the public log and its evidence to download.
fn shared(h: &Home) -> Markup {
    let t = h.t;
    html! {
        h2 { (t.shared_heading) }
        @if h.paged {
            p { a href="/mijn" { (t.newest_entries) } }
        }
        @if h.shared.is_empty() && !h.paged {
            p { (t.nothing_shared) }
        }
        @for d in &h.shared {
            @let evidence = format!("/mijn/verstrekkingen/{}/bewijs", d.id);
            article class="card" data-bewijs=(evidence) {
                // Shared on another basis than their consent: said first, the explanation says why.
                @if !d.on_consent {
                    p class="status" { (t.without_consent) }
                }
                p { (d.explained) }
                p class="meta" {
                    (if d.proven { t.verified } else { t.not_verified })
                    span class="browsercheck" aria-live="polite" {}
                    " · " (t.entry) " " (d.log_index) " · "
                    a href=(evidence) download {
                        (t.download_evidence)
                        span class="visually-hidden" { " (" (t.entry) " " (d.log_index) ")" }
                    }
                }
            }
        }
        @if let Some(before) = h.older {
            p { a href={ "/mijn?ouder=" (before) } rel="next" { (t.older_entries) } }
        }
    }
}

fn rights(h: &Home) -> Markup {
    html! {
        h2 { (h.t.rights_heading) }
        ul {
            @for right in &h.rights {
                li { (right) }
            }
        }
    }
}

fn logout(t: &Texts, csrf: &str) -> Markup {
    html! {
        form method="post" action="/mijn/uitloggen" {
            input type="hidden" name="csrf" value=(csrf);
            button type="submit" class="secondary" { (t.log_out) }
        }
    }
}

/// One consent as the Amsterdammer reads it; `offer_revoke`: with the button that starts revoking.
pub(super) fn consent_card(
    register: &Register,
    t: &Texts,
    c: &Consent,
    now: DateTime<Utc>,
    offer_revoke: bool,
) -> Markup {
    let names = |ids: &[String], f: &dyn Fn(&String) -> String| {
        ids.iter().map(f).collect::<Vec<_>>().join(", ")
    };
    let status = c.status_at(now);
    let label = match status.as_str() {
        "active" => t.valid,
        "pending" => t.pending,
        "revoked" => t.revoked,
        "expired" => t.expired,
        "superseded" => t.superseded,
        _ => t.refused,
    };
    let recipients = names(&c.recipients, &|id| party_name(register, t, id));
    let categories = names(&c.categories, &|id| {
        register
            .category(id)
            .map_or_else(|| id.clone(), |k| k.name.to_lowercase())
    });
    let activities = names(&c.activities, &|id| {
        register
            .activity(id)
            .map_or_else(|| id.clone(), |a| a.purpose.clone())
    });
    let revocable = matches!(status.as_str(), "active" | "pending");
    html! {
        article class="card" {
            p class="status" { (label) }
            p { strong { (t.who_may_receive) } " " (recipients) }
            p { strong { (t.which_data) } " " (categories) }
            p { strong { (t.what_for) } " " (activities) }
            p { strong { (t.valid_until) } " " (c.valid_until.format("%d-%m-%Y")) }
            @if revocable && offer_revoke {
                form method="get" action={ "/mijn/toestemmingen/" (c.id) "/intrekken" } {
                    button type="submit" { (t.revoke_button) }
                }
            }
        }
    }
}
