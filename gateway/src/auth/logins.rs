//! The identity providers the pages sign in through: the citizen one for `/mijn`, and per
//! organisation its officers' one for `/audit`, checked against the register at start-up.

use super::oidc;

/// The identity providers, ready to use.
#[derive(Debug)]
pub struct Logins {
    /// The citizen identity provider (`[portal.oidc]`).
    pub resident: Option<oidc::Provider>,
    /// Per partner id, its officers' provider (`[audit.oidc.<id>]`).
    pub officers: std::collections::BTreeMap<String, oidc::Provider>,
}

impl Logins {
    pub fn new(
        config: &crate::config::Config,
        register: &policies::Register,
    ) -> anyhow::Result<Self> {
        let resident = config
            .portal
            .oidc
            .clone()
            .map(oidc::Provider::new)
            .transpose()?;
        let mut officers = std::collections::BTreeMap::new();
        let mut clients: std::collections::BTreeMap<(&str, &str), &str> = Default::default();
        for (partner, provider) in &config.audit.oidc {
            anyhow::ensure!(
                register.partner(partner).is_some(),
                "[audit.oidc.{partner}]: no such partner in the register"
            );
            // One provider and client for two organisations lets an officer of either sign in as
            // the other, unless the ID token names the organisation.
            let client = (provider.issuer.as_str(), provider.client_id.as_str());
            if let Some(other) = clients.insert(client, partner)
                && config.audit.organisation_claim.is_none()
            {
                anyhow::bail!(
                    "[audit.oidc.{other}] and [audit.oidc.{partner}] share issuer {} and client_id {}: \
                     an officer of one could sign in as the other. Give each organisation a client of \
                     its own, or set [audit] organisation_claim to the ID token claim that names the \
                     organisation",
                    client.0,
                    client.1
                );
            }
            officers.insert(partner.clone(), oidc::Provider::new(provider.clone())?);
        }
        Ok(Self { resident, officers })
    }
}
