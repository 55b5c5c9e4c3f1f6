//! The vuistregels about purpose and role (1, 2 and 6): only the categories, the direction and the
//! way of exchanging that the activity declares, and only for the roles it names.

use super::request::{Mode, Request, Violation, v};

/// Vuistregel 1, verzamel alleen wat je nodig hebt: only categories the activity needs.
pub(super) fn only_what_the_purpose_needs(req: &Request<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    if req.categories.is_empty() {
        out.push(v(
            1,
            "the request names no data category; ask only for what the purpose needs".into(),
            "De vraag noemt geen soort gegevens. Vraag alleen wat nodig is voor het doel.".into(),
        ));
    }
    for cat in req.categories {
        if !req.activity.fields.contains_key(cat) {
            out.push(v(
                1,
                format!(
                    "category '{cat}' is not needed for activity '{}'",
                    req.activity.id
                ),
                format!(
                    "De gegevens '{cat}' zijn niet nodig voor '{}'.",
                    req.activity.name
                ),
            ));
        }
    }
    out
}

/// Vuistregel 2, gebruik gegevens alleen waarvoor je ze gevraagd hebt: the activity must cover this
/// direction (source kind in `from`, recipient kind in `to`) and this way of exchanging.
pub(super) fn only_for_the_declared_purpose(req: &Request<'_>) -> Vec<Violation> {
    let a = req.activity;
    let mut out = Vec::new();
    if !a.modes.contains(&req.mode) {
        let (mode, wijze) = match req.mode {
            Mode::Exchange => ("an exchange (pull)", "opvragen"),
            Mode::Delivery => ("a delivery (push)", "toesturen"),
        };
        out.push(v(
            2,
            format!("activity '{}' does not allow {mode}", a.id),
            format!(
                "Voor '{}' mogen gegevens niet op deze manier ({wijze}) gedeeld worden.",
                a.name
            ),
        ));
    }
    if !a.from.contains(&req.source.kind) {
        out.push(v(
            2,
            format!(
                "activity '{}' does not disclose data of a {} ({})",
                a.id, req.source.kind, req.source.id
            ),
            format!(
                "Voor '{}' worden geen gegevens van {} gedeeld.",
                a.name, req.source.name
            ),
        ));
    }
    if !a.to.contains(&req.recipient.kind) {
        out.push(v(
            2,
            format!(
                "activity '{}' does not disclose data to a {} ({})",
                a.id, req.recipient.kind, req.recipient.id
            ),
            format!(
                "Voor '{}' krijgt {} geen gegevens.",
                a.name, req.recipient.name
            ),
        ));
    }
    if req.source.id == req.recipient.id {
        out.push(v(
            2,
            "source and recipient are the same organisation; nothing to exchange".into(),
            "Afzender en ontvanger zijn dezelfde organisatie; er valt niets te delen.".into(),
        ));
    }
    out
}

/// Vuistregel 6, beveilig en bescherm persoonsgegevens: least privilege, by professional role.
pub(super) fn least_privilege(req: &Request<'_>) -> Vec<Violation> {
    if req.activity.roles.iter().any(|r| r == req.role) {
        return Vec::new();
    }
    vec![v(
        6,
        format!(
            "role '{}' may not use activity '{}' (allowed: {})",
            req.role,
            req.activity.id,
            req.activity.roles.join(", ")
        ),
        format!(
            "Een medewerker in de rol '{}' mag '{}' niet gebruiken.",
            req.role, req.activity.name
        ),
    )]
}
