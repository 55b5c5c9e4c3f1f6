//! How Mijn gegevens names things: organisations, refusals, who did what and when, roles. Plain
//! text, escaped where a view prints it.

use chrono::{DateTime, Utc};
use policies::Register;

use super::texts::Texts;

/// A partner by name, or a kind of partner.
pub(super) fn party_name(register: &Register, t: &Texts, id: &str) -> String {
    register
        .partner(id)
        .map_or_else(|| t.kind(id), |p| p.name.clone())
}

/// What a refusal says.
pub(super) fn refusal_text(register: &Register, t: &Texts, r: &consent::Refusal) -> String {
    let mut parts = Vec::new();
    if let Some(recipient) = &r.recipient {
        parts.push(format!(
            "{} {} {}",
            t.never,
            t.to,
            party_name(register, t, recipient)
        ));
    }
    if let Some(category) = &r.category {
        let name = register
            .category(category)
            .map_or_else(|| category.clone(), |c| c.name.to_lowercase());
        parts.push(format!("{} {name}", t.never));
    }
    if let Some(activity) = &r.activity {
        let name = register
            .activity(activity)
            .map_or_else(|| activity.clone(), |a| a.purpose.clone());
        parts.push(format!("{} {} {name}", t.never, t.for_));
    }
    parts.join(", ")
}

/// "Vastgelegd op 01-12-2026 door Buurtteam Centrum-West": `by` as stored, `amsterdammer` ("u"),
/// `amsterdammer/<representation>` ("uw vertegenwoordiger") or `<partner>[/<professional>]`.
pub(super) fn who_when(
    register: &Register,
    t: &Texts,
    what: &str,
    by: &str,
    at: DateTime<Utc>,
) -> String {
    let by = match by.split_once('/') {
        None if by == consent::AMSTERDAMMER => t.you.to_owned(),
        Some((consent::AMSTERDAMMER, _)) => t.your_representative.to_owned(),
        Some((partner, _)) => party_name(register, t, partner),
        None => party_name(register, t, by),
    };
    format!("{what} {} {} {} {by}", t.on, at.format("%d-%m-%Y"), t.by)
}

/// Who recorded refusal `r`, and when.
pub(super) fn recorded(register: &Register, t: &Texts, r: &consent::Refusal) -> String {
    let by = match &r.representation {
        Some(id) if r.recorded_by_partner == consent::AMSTERDAMMER => {
            format!("{}/{id}", consent::AMSTERDAMMER)
        }
        _ => r.recorded_by_partner.clone(),
    };
    who_when(register, t, t.recorded, &by, r.created_at)
}

/// A representative's role, in words.
pub(super) fn role_name(t: &Texts, r: &consent::Representation) -> String {
    match r.role.as_str() {
        "parent" => t.parent,
        "guardian" => t.guardian,
        "mentor" => "mentor",
        "curator" => "curator",
        "bewindvoerder" => t.bewindvoerder,
        other => other,
    }
    .to_owned()
}
