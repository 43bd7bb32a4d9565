//! The scan plan: seeds, scope, limits, session, enabled modules.

use crate::scope::ScopeRule;
use rampart_domain::{ParameterLocation, Severity};
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;

/// Everything one scan needs. Build one with [`ScanPlan::for_url`] and adjust fields.
#[derive(Clone, Debug)]
pub struct ScanPlan {
    pub seeds: Vec<Url>,
    /// OpenAPI / Swagger JSON documents (URLs, fetched through the scope gate).
    pub api_specs: Vec<Url>,
    /// Ordered scope rules; a request is in scope when an INCLUDE rule matches and no EXCLUDE
    /// rule does.
    pub scope: Vec<ScopeRule>,
    /// Allowed target domains (the organization's enabled targets); empty = no restriction
    /// beyond the rules.
    pub allowed_domains: Vec<String>,
    pub limits: Limits,
    pub session: Session,
    pub modules: Modules,
    /// Out-of-band listener: bind address (`127.0.0.1:0` by default) and the address to
    /// advertise in payloads (defaults to the bound one).
    pub oob: OobSettings,
    /// API definitions and recorded traffic whose requests seed the scan (see [`crate::seed`]).
    pub definitions: Vec<Definition>,
    /// A client certificate every TLS connection presents.
    pub client_certificate: Option<ClientCertificate>,
    /// A recorded login sequence, replayed without a browser when it can be.
    pub login_script: Option<LoginScript>,
    /// The listening sockets of the rampart server running this scan: never contacted,
    /// whatever the scope says ([`crate::http::address`]).
    pub own_sockets: Vec<std::net::SocketAddr>,
}

impl ScanPlan {
    /// The hosts this plan names (seeds, API documents, definition endpoints, the login
    /// page): with the declared target domains, what the address policy lets reach
    /// loopback and private addresses.
    pub fn named_urls(&self) -> Vec<Url> {
        let mut v: Vec<Url> = self.seeds.iter().chain(&self.api_specs).cloned().collect();
        v.extend(self.definitions.iter().filter_map(|d| d.endpoint.clone()));
        v.extend(self.session.login.as_ref().map(|l| l.url.clone()));
        v.extend(self.session.other_login.as_ref().map(|l| l.url.clone()));
        v
    }
}

/// What a definition file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefinitionKind {
    /// OpenAPI 3.x or Swagger 2.0, JSON or YAML.
    OpenApi,
    /// GraphQL SDL or an introspection result (JSON).
    GraphQl,
    /// An HTTP Archive (HAR) of recorded traffic.
    Har,
}

/// A file whose requests seed the scan.
#[derive(Clone, Debug)]
pub struct Definition {
    /// The file's name, as scan events call it.
    pub name: String,
    pub kind: DefinitionKind,
    pub content: Vec<u8>,
    /// Where its requests go (OpenAPI: the base URL instead of the document's servers;
    /// GraphQL: the endpoint itself, required).
    pub endpoint: Option<Url>,
    /// GraphQL: `GET` sends operations in the query string; anything else POSTs JSON.
    pub verb: Option<String>,
}

/// A PKCS#12 (`.p12`/`.pfx`) client certificate and its password.
#[derive(Clone)]
pub struct ClientCertificate {
    pub name: String,
    pub pkcs12: Vec<u8>,
    pub password: String,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("name", &self.name)
            .field("bytes", &self.pkcs12.len())
            .field("password", &"[redacted]")
            .finish()
    }
}

/// What a recorded login is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginScriptKind {
    /// A Selenium IDE project (`.side`, JSON).
    Selenium,
    /// A browser macro recording (`.rec`).
    Macro,
}

/// A recorded login sequence.
#[derive(Clone)]
pub struct LoginScript {
    pub name: String,
    pub kind: LoginScriptKind,
    pub content: Vec<u8>,
    /// A page body matching this means the session is alive.
    pub logged_in_regex: Option<String>,
    /// A page body matching this means the session was lost.
    pub session_loss_regex: Option<String>,
}

impl std::fmt::Debug for LoginScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The recording types the password: never printed.
        f.debug_struct("LoginScript")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("bytes", &self.content.len())
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct Limits {
    pub max_duration: Duration,
    pub max_requests: u64,
    pub max_crawl_results: usize,
    /// Minimum gap between two requests to one host (drip delay).
    pub min_request_gap: Duration,
    /// Concurrent requests in total.
    pub concurrency: usize,
    /// Concurrent requests per host.
    pub per_host_concurrency: usize,
    pub max_response_bytes: usize,
    pub request_timeout: Duration,
    /// Maximum crawl depth from a seed.
    pub max_depth: u32,
    /// Distinct URLs crawled per (method, path pattern, parameter names); a parameter whose
    /// values select structurally different pages gives each value its own budget.
    pub max_per_pattern: usize,
    /// Directories probed by directory checks (listing, sensitive files) at most.
    pub max_probe_dirs: usize,
    /// Files probed by file checks (backups, leftovers) at most.
    pub max_probe_files: usize,
    /// Longest sleep a time-based probe may ask for.
    pub max_time_probe: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_duration: Duration::from_secs(30 * 60),
            max_requests: 500_000,
            max_crawl_results: 10_000,
            min_request_gap: Duration::ZERO,
            concurrency: 8,
            per_host_concurrency: 8,
            max_response_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(20),
            max_depth: 12,
            max_per_pattern: 20,
            max_probe_dirs: 300,
            max_probe_files: 1_000,
            max_time_probe: Duration::from_secs(6),
        }
    }
}

#[derive(Clone, Default)]
pub struct Session {
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// `a=b; c=d` pasted in.
    pub cookie: Option<String>,
    pub user_agent: Option<String>,
    pub login: Option<FormLogin>,
    /// A second account ("user B") of the application, for the access-control check: the
    /// scan crawls as `login` (user A) and replays A's object requests as this account and
    /// anonymously. Never used to crawl.
    pub other_login: Option<FormLogin>,
    /// URLs matching this are never followed (defaults to common logout words).
    pub logout_regex: Option<String>,
    /// Attack the scan's own login request (the form at `login`'s URL) like any other form.
    /// Off by default: attacking it sends hundreds of failed logins and may lock the account.
    pub attack_login: bool,
}

#[derive(Clone)]
pub struct FormLogin {
    pub url: Url,
    pub username: String,
    pub password: String,
    /// Field names; found by type when absent.
    pub username_field: Option<String>,
    pub password_field: Option<String>,
    /// A page body matching this means the session is alive.
    pub logged_in_regex: Option<String>,
    /// A page body matching this means the session was lost.
    pub session_loss_regex: Option<String>,
}

/// Secret header values, the cookie and the password never reach a log line.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if rampart_domain::secrets::is_secret_header(n) {
                    rampart_domain::secrets::REDACTED
                } else {
                    v.as_str()
                };
                (n.as_str(), v)
            })
            .collect();
        f.debug_struct("Session")
            .field("headers", &headers)
            .field(
                "cookie",
                &self
                    .cookie
                    .as_ref()
                    .map(|_| rampart_domain::secrets::REDACTED),
            )
            .field("user_agent", &self.user_agent)
            .field("login", &self.login)
            .field("other_login", &self.other_login)
            .field("logout_regex", &self.logout_regex)
            .field("attack_login", &self.attack_login)
            .finish()
    }
}

impl std::fmt::Debug for FormLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormLogin")
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field("password", &rampart_domain::secrets::REDACTED)
            .field("username_field", &self.username_field)
            .field("password_field", &self.password_field)
            .finish_non_exhaustive()
    }
}

/// Per-module settings from the attack template.
#[derive(Clone, Debug)]
pub struct ModuleSettings {
    pub severity: Option<Severity>,
    /// Findings reported at most (an attack template's setting); no cap by default: repeats
    /// of one root cause are variances, never new findings. Reaching it is a reported limit.
    pub max_findings: usize,
    /// Overrides the module's default locations (intersected with them).
    pub locations: Option<Vec<ParameterLocation>>,
}

impl Default for ModuleSettings {
    fn default() -> Self {
        Self {
            severity: None,
            max_findings: usize::MAX,
            locations: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Modules {
    /// Enabled module keys with their settings.
    pub enabled: BTreeMap<String, ModuleSettings>,
    /// Locations attacked unless a module says otherwise.
    pub locations: Vec<ParameterLocation>,
    /// Crawl only: no active module runs.
    pub crawl_only: bool,
}

impl Modules {
    /// Every module of the catalogue.
    pub fn all() -> Self {
        Self::from_keys(crate::catalogue().iter().map(|m| m.key))
    }

    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            enabled: keys
                .into_iter()
                .map(|k| (k.to_string(), ModuleSettings::default()))
                .collect(),
            locations: vec![
                ParameterLocation::Query,
                ParameterLocation::Post,
                ParameterLocation::Path,
                ParameterLocation::Cookie,
                ParameterLocation::File,
                ParameterLocation::Directory,
                ParameterLocation::HttpHeader,
            ],
            crawl_only: false,
        }
    }

    /// A system template by name: "All Modules", "Crawl Only", "Passive Only",
    /// "SQL Injection", "Cross-Site Scripting", "Critical and High Only".
    pub fn template(name: &str) -> Option<Self> {
        let norm = name.to_ascii_lowercase().replace(['-', '_'], " ");
        let cat = crate::catalogue();
        let passive = cat
            .iter()
            .filter(|m| m.module_type == rampart_domain::ModuleType::Passive);
        let with_passive = |extra: &[&str]| {
            Self::from_keys(passive.clone().map(|m| m.key).chain(extra.iter().copied()))
        };
        Some(match norm.as_str() {
            "all modules" | "all" => Self::all(),
            "crawl only" => Self {
                crawl_only: true,
                ..Self::from_keys([])
            },
            "passive only" | "passive" => with_passive(&[]),
            "sql injection" | "sqli" => with_passive(&["sqli"]),
            "cross site scripting" | "xss" => {
                with_passive(&["xss_reflected", "xss_stored", "xss_dom"])
            }
            "critical and high only" => Self::from_keys(
                cat.iter()
                    .filter(|m| m.severity >= Severity::High)
                    .map(|m| m.key),
            ),
            _ => return None,
        })
    }

    pub fn is_enabled(&self, key: &str) -> bool {
        !self.crawl_only && self.enabled.contains_key(key)
    }

    pub fn settings(&self, key: &str) -> ModuleSettings {
        self.enabled.get(key).cloned().unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct OobSettings {
    pub enabled: bool,
    pub bind: std::net::SocketAddr,
    /// `host:port` put into payloads; defaults to the bound address.
    pub public_address: Option<String>,
}

impl OobSettings {
    /// Settings for a listener the target reaches at `address` (`host:port`, or `host` alone;
    /// a scheme prefix such as `http://` is ignored): the advertised address is kept and the
    /// listener binds on all interfaces on that port, or on `fallback_port` when it has none
    /// (0 = any free port, which is then only right when the target can reach the bound port).
    pub fn advertised(address: &str, fallback_port: u16) -> Self {
        let a = address.trim();
        let a = a.split_once("://").map_or(a, |(_, rest)| rest);
        let a = a.trim_end_matches('/');
        let explicit = a
            .rsplit_once(':')
            .filter(|(host, _)| !host.is_empty() && (!host.contains(':') || host.ends_with(']')))
            .and_then(|(_, p)| p.parse::<u16>().ok());
        let port = explicit.unwrap_or(fallback_port);
        let public = match explicit {
            Some(_) => a.to_string(),
            None if port != 0 => format!("{a}:{port}"),
            None => a.to_string(),
        };
        Self {
            enabled: true,
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            public_address: Some(public),
        }
    }
}

impl Session {
    /// Adds a `Name: value` header line.
    pub fn add_header_line(&mut self, line: &str) -> Result<(), String> {
        self.headers.push(rampart_domain::plan::header_line(line)?);
        Ok(())
    }
}

impl Default for OobSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            public_address: None,
        }
    }
}

impl ScanPlan {
    /// A plan with one seed whose default scope is the seed's scheme, host, port and path
    /// prefix (its directory), all modules enabled.
    pub fn for_url(seed: Url) -> Self {
        let rule = rampart_domain::plan::seed_directory_rule(&seed);
        Self {
            seeds: vec![seed],
            api_specs: Vec::new(),
            scope: vec![rule],
            allowed_domains: Vec::new(),
            limits: Limits::default(),
            session: Session::default(),
            modules: Modules::all(),
            oob: OobSettings::default(),
            definitions: Vec::new(),
            client_certificate: None,
            login_script: None,
            own_sockets: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertised_out_of_band_addresses() {
        let o = OobSettings::advertised("http://oob.example:8081/", 0);
        assert_eq!(o.public_address.as_deref(), Some("oob.example:8081"));
        assert_eq!(o.bind.port(), 8081);
        let o = OobSettings::advertised("oob.example", 9000);
        assert_eq!(o.public_address.as_deref(), Some("oob.example:9000"));
        assert_eq!(o.bind.port(), 9000);
        let o = OobSettings::advertised("[::1]:7000", 0);
        assert_eq!(o.bind.port(), 7000);
        let o = OobSettings::advertised("oob.example", 0);
        assert_eq!(o.public_address.as_deref(), Some("oob.example"));
    }

    #[test]
    fn header_lines() {
        let mut s = Session::default();
        s.add_header_line("X-A:  1 ").unwrap();
        assert_eq!(s.headers, vec![("X-A".to_string(), "1".to_string())]);
        assert!(s.add_header_line("nocolon").is_err());
        assert!(s.add_header_line(": v").is_err());
    }
}
