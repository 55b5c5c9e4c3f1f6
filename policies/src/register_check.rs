//! What makes a register fit to decide with: every problem found, each with the entry it is in, so
//! `gateway policy check` can list them all and the gateway refuses to start on any. Beside the
//! consistency of names (kinds, categories, fields, recorders), the rules a reviewer would otherwise
//! have to remember: every activity has a retention (vuistregel 5); special categories travel on a
//! basis other than consent only under a named art. 9(2)/10 exception (vuistregel 8); purposes are
//! written for the Amsterdammer (vuistregel 7); and the two domain rules of seed 004 (§3.1.1, §3.1.6).

use std::collections::BTreeSet;

use crate::register::{Activity, LegalBasis, Problem, Register};

/// Partner kinds the buurtteam reaches only through the Meldpunt Zorg- en Woonoverlast: "The
/// buurtteam does not contact the wijk GGD, the Actiecentrum or the police directly. This always
/// goes through the Meldpunt." (seed 004 §3.1.6)
pub const ONLY_THROUGH_MELDPUNT: [&str; 3] = ["politie", "ggd", "actiecentrum"];

/// Words that mark an internal reference, which a purpose shown to the Amsterdammer must not hold.
const INTERNAL_REFERENCES: [&str; 3] = ["seed", "§", "issue"];

impl Register {
    /// Every problem of the register; empty when it is fit to decide with.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        self.partner_problems(&mut out);
        let kinds = self.kinds();
        let mut seen = BTreeSet::new();
        for r in &self.representation_recorders {
            let mut problem = |message: String| {
                out.push(Problem {
                    table: "representation_recorders",
                    id: r.role.as_str().to_owned(),
                    message,
                });
            };
            if !seen.insert(r.role) {
                problem("is listed twice".into());
            }
            if r.kinds.is_empty() {
                problem("names no partner kinds that record it".into());
            }
            if let Some(kind) = r.kinds.iter().find(|k| !kinds.contains(k.as_str())) {
                problem(format!("names unknown partner kind {kind}"));
            }
        }
        for a in &self.activities {
            let mut problem = |message: String| {
                out.push(Problem {
                    table: "activities",
                    id: a.id.clone(),
                    message,
                });
            };
            for kind in a.from.iter().chain(&a.to) {
                if !kinds.contains(kind.as_str()) {
                    problem(format!("names unknown partner kind {kind}"));
                }
            }
            recorder_problems(a, &mut problem);
            if a.fields.is_empty() || a.roles.is_empty() || a.modes.is_empty() {
                problem("needs fields, roles and modes".into());
            }
            if a.retention_days == 0 {
                problem(
                    "has no retention (retention_days must be at least 1; vuistregel 5)".into(),
                );
            }
            if let Some(word) = INTERNAL_REFERENCES
                .iter()
                .find(|w| a.purpose.to_lowercase().contains(*w))
            {
                problem(format!(
                    "its purpose is shown to the Amsterdammer and must not hold internal references \
                     ('{word}'); put those in `source`"
                ));
            }
            if a.purpose.trim().chars().count() < 20 {
                problem("its purpose must say, in a sentence, why the data is shared".into());
            }
            self.field_problems(a, &mut problem);
            let direct =
                a.to.iter()
                    .find(|k| ONLY_THROUGH_MELDPUNT.contains(&k.as_str()));
            if let Some(kind) = direct.filter(|_| a.from.iter().any(|k| k == "buurtteam")) {
                problem(format!(
                    "the buurtteam reaches the {kind} only through the Meldpunt Zorg- en \
                     Woonoverlast, never directly (seed 004 §3.1.6)"
                ));
            }
        }
        out
    }

    fn partner_problems(&self, out: &mut Vec<Problem>) {
        let mut ids = BTreeSet::new();
        let mut oins = BTreeSet::new();
        for p in &self.partners {
            let mut problem = |message: String| {
                out.push(Problem {
                    table: "partners",
                    id: p.id.clone(),
                    message,
                });
            };
            // Consent histories name the resident acting themselves so.
            if p.id == "amsterdammer" || p.kind == "amsterdammer" {
                problem(
                    "'amsterdammer' is reserved for the resident; no partner may use it".into(),
                );
            }
            if !ids.insert(p.id.as_str()) {
                problem("this partner id appears twice".into());
            }
            if !oins.insert(p.oin.as_str()) {
                problem(format!("OIN {} belongs to two partners", p.oin));
            }
        }
    }

    fn field_problems(&self, a: &Activity, problem: &mut impl FnMut(String)) {
        for (cat, fields) in &a.fields {
            let Some(category) = self.category(cat) else {
                problem(format!("names unknown category {cat}"));
                continue;
            };
            for f in fields.iter().filter(|f| !category.fields.contains_key(*f)) {
                problem(format!("names field {f} that {cat} does not have"));
            }
            if category.special
                && a.legal_basis != LegalBasis::Consent
                && a.special_exception
                    .as_deref()
                    .is_none_or(|e| e.trim().is_empty())
            {
                problem(format!(
                    "passes on the special category {cat} on the basis of {} without naming the \
                     art. 9(2) or art. 10 AVG exception it relies on (special_exception)",
                    a.legal_basis.as_str()
                ));
            }
            // Seed 004 §3.1.1: the OKT registers the child information; the buurtteam gets only
            // the necessary information about the child.
            let okt_to_buurtteam =
                a.from.iter().any(|k| k == "okt") && a.to.iter().any(|k| k == "buurtteam");
            if cat == "kind" && okt_to_buurtteam {
                if category.necessary_fields.is_empty() {
                    problem(
                        "passes child information from the OKT to the buurtteam, but category kind \
                         names no necessary_fields (seed 004 §3.1.1)"
                            .into(),
                    );
                    continue;
                }
                for f in fields.difference(&category.necessary_fields) {
                    problem(format!(
                        "passes kind.{f} from the OKT to the buurtteam: only the necessary \
                         information about the child may go there (seed 004 §3.1.1)"
                    ));
                }
            }
        }
    }
}

fn recorder_problems(a: &Activity, problem: &mut impl FnMut(String)) {
    match a.legal_basis {
        LegalBasis::Consent if a.consent_recorders.is_empty() => {
            problem("rests on consent but names no consent_recorders".into());
        }
        LegalBasis::Consent => {}
        _ if !a.consent_recorders.is_empty() => {
            problem("does not rest on consent, so it takes no consent_recorders".into());
        }
        _ => {}
    }
    if let Some(kind) = a.consent_recorders.iter().find(|k| !a.is_party(k)) {
        problem(format!(
            "consent recorder {kind} takes no part in it (from/to)"
        ));
    }
}

/// The line (1-based) of the entry `id` of `table` in the register's TOML text, to point a reviewer
/// at it; `None` when it cannot be found (e.g. written inline).
pub fn line_of(text: &str, table: &str, id: &str) -> Option<usize> {
    let header = format!("[[{table}]]");
    let wanted = format!("id = \"{id}\"");
    let mut in_table = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_table = line == header;
        } else if in_table && line == wanted {
            return Some(n + 1);
        }
    }
    None
}
