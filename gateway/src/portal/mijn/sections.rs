//! Two sections of the start page as `maud` views: "never share" (the refusals, each to lift, and
//! the form to record one), and the representations (whom one acts for, who acts for one).

use chrono::{DateTime, Utc};
use consent::{Refusal, Representation, SubjectId};
use maud::{Markup, html};
use policies::Register;

use super::names::{party_name, recorded, refusal_text, role_name, who_when};
use super::texts::Texts;

/// The refusals in force, each with a button to lift it, the lifted ones, and the form to record one.
pub(super) fn refusals(register: &Register, t: &Texts, refusals: &[Refusal], csrf: &str) -> Markup {
    // In force first, each with its button; then the lifted ones, which say who lifted them.
    let (in_force, lifted): (Vec<_>, Vec<_>) =
        refusals.iter().partition(|r| r.withdrawn_at.is_none());
    let kinds: Vec<&str> = register
        .kinds()
        .into_iter()
        .filter(|k| register.partner(k).is_none())
        .collect();
    html! {
        h2 { (t.never_heading) }
        p { (t.never_intro) }
        @for r in in_force {
            article class="card" {
                p class="status" { (t.refused) }
                p { (refusal_text(register, t, r)) }
                p class="meta" { (recorded(register, t, r)) }
                form method="post" action={ "/mijn/weigeringen/" (r.id) "/opheffen" } {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" class="secondary" { (t.lift_button) }
                }
            }
        }
        @for r in lifted {
            @let by = r.withdrawn_by.as_deref().unwrap_or(consent::AMSTERDAMMER);
            article class="card" {
                p class="status" { (t.lifted_status) }
                p { (refusal_text(register, t, r)) }
                p class="meta" {
                    (recorded(register, t, r)) "; "
                    (who_when(register, t, t.lifted, by, r.withdrawn_at.unwrap_or(r.created_at)))
                }
            }
        }
        form method="get" action="/mijn/weigeren" {
            label for="ontvanger" { (t.never_share_with) }
            select id="ontvanger" name="ontvanger" required {
                @for p in &register.partners {
                    option value=(p.id) { (p.name) }
                }
                @for kind in kinds {
                    option value=(kind) { (party_name(register, t, kind)) }
                }
            }
            button type="submit" { (t.record_refusal) }
        }
    }
}

/// Whom the Amsterdammer acts for, and who acts for them (never by name: the gateway keeps none).
pub(super) fn representations(
    register: &Register,
    t: &Texts,
    me: &SubjectId,
    representations: &[Representation],
    now: DateTime<Utc>,
    csrf: &str,
) -> Markup {
    let status = |r: &Representation| {
        if r.ended_at.is_some() {
            t.ended
        } else if now >= r.valid_until {
            t.expired_lc
        } else if r.awaits_confirmation() {
            t.awaiting
        } else if now < r.valid_from {
            t.not_yet
        } else {
            t.valid_lc
        }
    };
    let until = |r: &Representation| r.valid_until.format("%d-%m-%Y").to_string();
    let by = |r: &Representation| party_name(register, t, &r.recorded_by_partner);
    let (mine, for_me): (Vec<_>, Vec<_>) = representations
        .iter()
        .partition(|r| r.representative == *me);
    html! {
        @if !mine.is_empty() {
            h2 { (t.whom_you_act_for) }
            ul {
                @for r in mine {
                    @let who = r.label.as_deref().unwrap_or(t.a_person);
                    li {
                        (t.acting_for(&role_name(t, r), who, status(r), &until(r), &by(r)))
                        @if r.in_force_at(now) {
                            form method="post" action="/mijn/namens" {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="vertegenwoordiging" value=(r.id);
                                button type="submit" class="secondary" {
                                    (t.view_and_manage) " " (who)
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !for_me.is_empty() {
            h2 { (t.who_acts_for_you) }
            ul {
                @for r in for_me {
                    li {
                        (t.acted_for(&role_name(t, r), status(r), &until(r), &by(r), &r.basis))
                        @if r.awaits_confirmation() {
                            (change(&r.id, "bevestigen", t.confirm, None, csrf))
                        }
                        @if r.ended_at.is_none() && now < r.valid_until {
                            (change(&r.id, "beeindigen", t.end_it, Some("secondary"), csrf))
                        }
                    }
                }
            }
        }
    }
}

/// A button that confirms or ends representation `id`.
fn change(id: &str, action: &str, label: &str, class: Option<&str>, csrf: &str) -> Markup {
    html! {
        form method="post" action={ "/mijn/vertegenwoordiging/" (id) "/" (action) } {
            input type="hidden" name="csrf" value=(csrf);
            button type="submit" class=[class] { (label) }
        }
    }
}
