//! `gateway dev pki|token`: a development PKI and tokens signed with its keys.

use std::path::PathBuf;

use anyhow::Context;
use chrono::{Duration, Utc};
use clap::Subcommand;

use crate::auth::tokens;
use crate::config::DEFAULT_AUDIENCE;
use crate::demo::{DEMO_REGISTER, DEV_CITIZEN_ISSUER};
use crate::pki::PkiLayout;

#[derive(Debug, Subcommand)]
pub enum Dev {
    /// Write a CA, the gateway's pair, and a certificate and token key for every registered partner.
    Pki {
        #[arg(long)]
        out: PathBuf,
        /// Register whose partners get identities (default: the demo register).
        #[arg(long)]
        register: Option<PathBuf>,
        /// Write OUT/ca.crl, signed by the dev CA, revoking this partner's client certificate
        /// (repeatable); uses the PKI already in OUT (generates one first if there is none).
        #[arg(long, value_name = "PARTNER")]
        revoke: Vec<String>,
    },
    /// Print a partner JWT (--partner, --sub, --role) or a citizen token (--citizen BSN).
    Token {
        #[arg(long)]
        pki: PathBuf,
        #[arg(long, requires_all = ["sub", "role"], conflicts_with = "citizen")]
        partner: Option<String>,
        #[arg(long)]
        sub: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[arg(long, required_unless_present = "partner")]
        citizen: Option<String>,
        #[arg(long, default_value = DEFAULT_AUDIENCE)]
        audience: String,
        #[arg(long, default_value_t = 60)]
        ttl_minutes: i64,
    },
}
impl Dev {
    /// Runs `gateway dev …`.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            Dev::Pki {
                out,
                register,
                revoke,
            } => {
                let existing = PkiLayout::new(&out);
                let layout = if revoke.is_empty() || !existing.exists() {
                    let text = match register {
                        Some(path) => std::fs::read_to_string(&path)
                            .with_context(|| format!("cannot read {}", path.display()))?,
                        None => DEMO_REGISTER.to_owned(),
                    };
                    let register = policies::Register::from_toml(&text)?;
                    let layout = crate::pki::generate(&out, &register)?;
                    println!("development PKI written to {}", out.display());
                    layout
                } else {
                    existing
                };
                if !revoke.is_empty() {
                    let ids: Vec<&str> = revoke.iter().map(String::as_str).collect();
                    let crl = crate::pki::revoke(&layout, &ids)?;
                    println!(
                        "CRL revoking {} written to {}",
                        ids.join(", "),
                        crl.display()
                    );
                }
            }
            Dev::Token {
                pki,
                partner,
                sub,
                role,
                citizen,
                audience,
                ttl_minutes,
            } => {
                let layout = PkiLayout::new(pki);
                let ttl = Duration::minutes(ttl_minutes);
                let now = Utc::now();
                let token = match (partner, citizen) {
                    (Some(partner), _) => {
                        let claims = tokens::partner_claims(
                            &partner,
                            sub.as_deref().unwrap_or_default(),
                            role.as_deref().unwrap_or_default(),
                            &audience,
                            now,
                            ttl,
                        );
                        let key = std::fs::read(layout.partner_token_key(&partner)).with_context(
                            || format!("no token key for partner {partner} in the PKI"),
                        )?;
                        tokens::sign(&claims, &key)?
                    }
                    (None, Some(bsn)) => {
                        policies::Bsn::parse(&bsn).context("--citizen must be a valid BSN")?;
                        let claims =
                            tokens::citizen_claims(DEV_CITIZEN_ISSUER, &bsn, &audience, now, ttl);
                        let key = std::fs::read(layout.citizen_idp_key())
                            .context("no citizen-idp key in the PKI")?;
                        tokens::sign(&claims, &key)?
                    }
                    (None, None) => {
                        anyhow::bail!("give --partner (with --sub and --role) or --citizen")
                    }
                };
                println!("{token}");
            }
        }
        Ok(())
    }
}
