//! `gateway config check FILE`: everything `gateway serve` would refuse in a configuration, found
//! without starting it, each problem as `FILE:LINE: key: problem` (as `gateway policy check` does
//! for a register): keys the gateway does not know (each of them), values of the wrong kind, files
//! that cannot be read or do not hold what they must (keys, certificates, the register), partners
//! the register does not know. The environment overrides `serve` applies are applied here too, so a
//! key given as `GATEWAY_LEDGER_KEY` is not missing.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::auth::tokens::TokenVerifier;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file as `gateway serve` would read it, without starting; exit
    /// non-zero listing every problem as `FILE:LINE: key: problem`.
    Check { file: PathBuf },
}

impl ConfigCommand {
    /// Runs `gateway config …`.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            ConfigCommand::Check { file } => match check(&file, |k| std::env::var(k).ok()) {
                Ok(config) => {
                    println!(
                        "{}: configuration is valid: listens on {}, metrics on {}, {} partner(s) configured, database {}",
                        file.display(),
                        config.listen,
                        config.metrics.listen,
                        config.partners.len(),
                        if config.database_url.expose().starts_with("sqlite:") {
                            "SQLite"
                        } else {
                            "PostgreSQL"
                        }
                    );
                    Ok(())
                }
                Err(problems) => {
                    let n = problems.len();
                    eprintln!(
                        "{}",
                        Problems {
                            file: &file,
                            problems
                        }
                    );
                    anyhow::bail!("{}: {n} problem(s)", file.display())
                }
            },
        }
    }
}

/// One problem of a configuration file: where, which key, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    /// The key as a dotted path (`tls.server_cert`).
    pub key: String,
    pub problem: String,
}

/// Every problem, one a line, each `FILE:LINE: key: problem`.
#[derive(Debug)]
pub struct Problems<'a> {
    pub file: &'a Path,
    pub problems: Vec<Problem>,
}

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.line {
                Some(line) => write!(f, "{}:{line}: ", self.file.display())?,
                None => write!(f, "{}: ", self.file.display())?,
            }
            write!(f, "{}: {}", p.key, p.problem)?;
        }
        Ok(())
    }
}

/// At most this many unknown keys are reported before the check gives up.
const MAX_UNKNOWN: usize = 100;

/// Checks the configuration at `path` with the environment `var`; the configuration as `serve`
/// would run it, or every problem found.
pub fn check(path: &Path, var: impl Fn(&str) -> Option<String>) -> Result<Config, Vec<Problem>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Problem {
            line: None,
            key: "(file)".to_owned(),
            problem: format!("cannot be read: {e}"),
        }]
    })?;
    let mut config = parse(&text)?;
    let base = path.parent().unwrap_or(Path::new("."));
    config.resolve_paths(base);
    let mut found = Found {
        text: &text,
        problems: Vec::new(),
    };
    if let Err(e) = config.apply_env(var) {
        found.add("", "(environment)", format!("{e:#}"));
    }
    found.check(&config);
    if found.problems.is_empty() {
        Ok(config)
    } else {
        Err(found.problems)
    }
}

/// Parses `text`, reporting every unknown key (each is blanked out and the text parsed again, so
/// line numbers stay) and then the first other problem.
fn parse(text: &str) -> Result<Config, Vec<Problem>> {
    let mut text = text.to_owned();
    let mut problems = Vec::new();
    loop {
        let e = match toml::from_str::<Config>(&text) {
            Ok(config) if problems.is_empty() => return Ok(config),
            Ok(_) => return Err(problems),
            Err(e) => e,
        };
        let span = e.span();
        let line = span.as_ref().map(|s| line_at(&text, s.start));
        let message = e.message().trim().to_owned();
        let key = span
            .as_ref()
            .map(|s| {
                let section = section_at(&text, s.start);
                // The span is the key itself (an unknown key) or its value (`key = value`).
                let line_start = text[..s.start].rfind('\n').map_or(0, |i| i + 1);
                let name = match text[line_start..s.start].split_once('=') {
                    Some((key, _)) => key,
                    None => &text[s.clone()],
                };
                dotted(&section, name.trim().trim_matches('"'))
            })
            .unwrap_or_else(|| "(file)".to_owned());
        let unknown = message.starts_with("unknown field");
        problems.push(Problem {
            line,
            key,
            problem: message,
        });
        match (unknown, line) {
            (true, Some(n)) if problems.len() < MAX_UNKNOWN => blank_line(&mut text, n),
            _ => return Err(problems),
        }
    }
}

fn dotted(section: &str, key: &str) -> String {
    if section.is_empty() {
        key.to_owned()
    } else {
        format!("{section}.{key}")
    }
}

/// The line (from 1) holding byte `at`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// The table header (`[a.b]`) in force at byte `at`, without its brackets.
fn section_at(text: &str, at: usize) -> String {
    let mut section = String::new();
    for line in text[..at.min(text.len())].lines() {
        if let Some(header) = header(line) {
            section = header;
        }
    }
    section
}

fn header(line: &str) -> Option<String> {
    let line = line.trim();
    let inner = line.strip_prefix('[')?;
    let end = inner.find(']')?;
    Some(inner[..end].trim_matches(['[', ']', ' ']).replace(' ', ""))
}

/// Replaces line `n` (from 1) by a comment of the same place.
fn blank_line(text: &mut String, n: usize) {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == n {
            out.push('#');
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(line);
        }
    }
    *text = out;
}

/// The line (from 1) where `key` is set in table `section` (`""` for the top), if it is.
pub fn line_of(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            current = h;
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        if current == section && name.trim().trim_matches('"') == key {
            return Some(i + 1);
        }
    }
    None
}

struct Found<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Found<'_> {
    fn add(&mut self, section: &str, key: &str, problem: impl Into<String>) {
        let line = line_of(self.text, section, key).or_else(|| line_of_header(self.text, section));
        self.problems.push(Problem {
            line,
            key: dotted(section, key),
            problem: problem.into(),
        });
    }

    /// Adds a problem at `section.key` when `result` failed.
    fn expect<T>(&mut self, section: &str, key: &str, result: anyhow::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(section, key, format!("{e:#}"));
                None
            }
        }
    }

    fn check(&mut self, config: &Config) {
        if config.portal.dev_login {
            self.add(
                "portal",
                "dev_login",
                "lets anyone sign in as any Amsterdammer and any privacy officer; it is for `gateway demo` only",
            );
        }
        self.expect(
            "connections",
            "idle_timeout_secs",
            config.connections.validate(),
        );
        let url = config.database_url.expose();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            self.add(
                "",
                "database_url",
                "must start with sqlite:, postgres:// or postgresql://",
            );
        }
        if config.listen == config.metrics.listen {
            self.add("metrics", "listen", "is the API's own address (`listen`)");
        }
        if let Some(url) = &config.rate_limit.redis {
            self.expect("rate_limit", "redis", url.validate());
        }
        let register = self.expect("", "register", crate::app::load_register(&config.register));
        if let Some(register) = &register {
            for id in &config.audit.city_wide {
                if register.partner(id).is_none() {
                    self.add(
                        "audit",
                        "city_wide",
                        format!("names partner '{id}', which the register does not know"),
                    );
                }
            }
            for id in config.audit.oidc.keys() {
                if register.partner(id).is_none() {
                    self.add(
                        &format!("audit.oidc.{id}"),
                        "issuer",
                        format!("'{id}' is no partner of the register"),
                    );
                }
            }
        }
        for (id, partner) in &config.partners {
            let section = format!("partners.{id}");
            if let Some(register) = &register
                && register.partner(id).is_none()
            {
                self.add(
                    &section,
                    "token_key",
                    format!("partner '{id}' is not in the register"),
                );
            }
            self.expect(
                &section,
                "token_key",
                TokenVerifier::read_public_key(&partner.token_key),
            );
            if let Some(endpoint) = &partner.endpoint
                && !endpoint.starts_with("https://")
            {
                self.add(&section, "endpoint", "must be an https:// URL");
            }
        }
        self.expect(
            "citizen_idp",
            "key",
            TokenVerifier::read_public_key(&config.citizen_idp.key),
        );
        self.expect("", "pseudonym_key_file", config.pseudonym_key());
        self.expect("", "log_signing_key_file", config.log_signer());
        self.expect("ledger", "key_file", config.ledger_key());
        if let Some(path) = &config.notifications.signing_key_file {
            let key = std::fs::read_to_string(path)
                .map_err(anyhow::Error::from)
                .and_then(|text| crate::notify::NotifySigner::from_hex(&text));
            self.expect("notifications", "signing_key_file", key);
        }
        self.check_tls(config);
        let providers = config
            .portal
            .oidc
            .iter()
            .map(|p| ("portal.oidc".to_owned(), p))
            .chain(
                config
                    .audit
                    .oidc
                    .iter()
                    .map(|(id, p)| (format!("audit.oidc.{id}"), p)),
            );
        for (section, provider) in providers {
            self.expect(&section, "ca_file", crate::tls::roots(&provider.ca_file));
            if let Some(path) = &provider.client_secret_file {
                self.expect(&section, "client_secret_file", readable(path));
            }
        }
    }

    fn check_tls(&mut self, config: &Config) {
        let tls = &config.tls;
        let files = [
            ("server_cert", &tls.server_cert),
            ("server_key", &tls.server_key),
            ("client_ca", &tls.client_ca),
            ("upstream_ca", &tls.upstream_ca),
            ("client_cert", &tls.client_cert),
            ("client_key", &tls.client_key),
        ];
        let mut readable_all = true;
        for (key, path) in files {
            readable_all &= self.expect("tls", key, readable(path)).is_some();
        }
        for path in &tls.client_crl {
            readable_all &= self.expect("tls", "client_crl", readable(path)).is_some();
        }
        if !readable_all {
            return;
        }
        self.expect("tls", "server_cert", crate::tls::server_config(tls));
        self.expect(
            "tls",
            "client_cert",
            crate::tls::UpstreamIdentity::load(&tls.upstream_ca, &tls.client_cert, &tls.client_key),
        );
        if let Some(left) = self.expect(
            "tls",
            "server_cert",
            crate::tls::seconds_left(&tls.server_cert),
        ) && left <= 0
        {
            self.add("tls", "server_cert", "the certificate has expired");
        }
    }
}

fn line_of_header(text: &str, section: &str) -> Option<usize> {
    if section.is_empty() {
        return None;
    }
    text.lines()
        .position(|l| header(l).as_deref() == Some(section))
        .map(|i| i + 1)
}

fn readable(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
}
