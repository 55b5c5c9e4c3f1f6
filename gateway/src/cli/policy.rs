//! `gateway policy check`: reads a register and prints what it allows, or every problem with its line.

use std::path::PathBuf;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Policy {
    /// Load and check a register (`gateway policy check FILE`); exit non-zero listing every
    /// problem with its line.
    Check {
        /// The register (default: deploy/demo/register.toml).
        file: Option<PathBuf>,
        /// The same, as an option.
        #[arg(long, conflicts_with = "file")]
        register: Option<PathBuf>,
    },
}

/// A readable summary of a register, for `gateway policy check`.
pub fn register_summary(register: &policies::Register) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let special: Vec<&str> = register
        .categories
        .iter()
        .filter(|c| c.special)
        .map(|c| c.id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "register is consistent (version {}): {} partners, {} categories ({} special: {}), {} activities",
        register.version,
        register.partners.len(),
        register.categories.len(),
        special.len(),
        special.join(", "),
        register.activities.len()
    );
    let _ = writeln!(
        out,
        "  representations (who records; who confirms besides the person represented):"
    );
    for role in policies::RepresentativeRole::ALL {
        let line = match register.representation_recorders(role) {
            None => "recorded by nobody".to_owned(),
            Some(r) => format!(
                "recorded by {}; confirmed by {}{}",
                r.kinds.join(", "),
                if r.confirmers.is_empty() {
                    "the person represented only".to_owned()
                } else {
                    format!(
                        "the person represented or a second {}",
                        r.confirmers.join(" / ")
                    )
                },
                if r.may_undo_own_choices {
                    "; may undo the person's own choices"
                } else {
                    ""
                }
            ),
        };
        let _ = writeln!(out, "      {:<14} {line}", role.as_str());
    }
    for a in &register.activities {
        let recorders = if a.consent_recorders.is_empty() {
            "-".to_owned()
        } else {
            a.consent_recorders.join(", ")
        };
        let _ = writeln!(
            out,
            "  {:<38} {:<12} {} -> {}  roles: {}  retention: {}",
            a.id,
            a.legal_basis.as_str(),
            a.from.join("|"),
            a.to.join("|"),
            a.roles.join(", "),
            a.retention()
        );
        let _ = writeln!(out, "      consent recorders: {recorders}");
        for (category, fields) in &a.fields {
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            let _ = writeln!(out, "      {category}: {}", fields.join(", "));
        }
    }
    out
}
impl Policy {
    /// Runs `gateway policy …`.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            Policy::Check { file, register } => {
                let path = file
                    .or(register)
                    .unwrap_or_else(|| PathBuf::from("deploy/demo/register.toml"));
                let register = crate::app::load_register(&path)?;
                print!("{}", register_summary(&register));
            }
        }
        Ok(())
    }
}
