//! `JobSpec` → engine [`ScanPlan`]: seeds, scope, allowed domains, limits, session, modules,
//! out-of-band settings.
//!
//! Only what the engine supports is read; everything else in the options document is
//! ignored. Settings that are present but cannot be honoured (an authentication type other
//! than FORM, unknown module ids, a checkpoint) become notes that the worker sends as scan
//! events, so nothing is dropped silently. A plan that cannot be built is a [`PlanError`]
//! whose reason the job finishes with (`CONFIGURATION_INVALID` or `TARGETS_INVALID`).

use rampart_domain::job::JobSpec;
use rampart_domain::options::{
    self, AuthType, Exclusion, MatchCriteria, ScopeConstraint, ScopeMethod,
};
use rampart_domain::scan::{FailureReason, ScanType};
use rampart_engine::plan::{FormLogin, ModuleSettings, Modules, OobSettings};
use rampart_engine::scope::{MatchKind, OutOfScope, RuleKind, ScopeGate, ScopeRule};
use rampart_engine::ScanPlan;
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

/// Worker-side settings the options document does not carry.
#[derive(Clone, Debug)]
pub struct PlanSettings {
    /// Scan time limit when `max_scan_time_in_minutes` is 0 or absent.
    pub default_max_scan_time: Duration,
    /// Where the out-of-band listener binds when the options name no `out_of_band_host`
    /// (`127.0.0.1:0`: only targets on this machine can call back). With an
    /// `out_of_band_host` without a port, its port is used (0: a free port is picked).
    pub oob_bind: SocketAddr,
    /// Longest sleep a time-based probe may ask for (engine default when `None`).
    pub max_time_probe: Option<Duration>,
}

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            default_max_scan_time: rampart_engine::plan::Limits::default().max_duration,
            oob_bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_time_probe: None,
        }
    }
}

/// Why no plan could be built; the job fails with `reason`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct PlanError {
    pub reason: FailureReason,
    pub message: String,
}

impl PlanError {
    fn config(message: impl Into<String>) -> Self {
        Self {
            reason: FailureReason::ConfigurationInvalid,
            message: message.into(),
        }
    }

    fn targets(message: impl Into<String>) -> Self {
        Self {
            reason: FailureReason::TargetsInvalid,
            message: message.into(),
        }
    }
}

/// A plan and the notes about settings it could not honour.
#[derive(Clone, Debug)]
pub struct BuiltPlan {
    pub plan: ScanPlan,
    pub notes: Vec<String>,
}

fn rule(c: &ScopeConstraint) -> Result<ScopeRule, PlanError> {
    let pattern = c.url.trim().to_string();
    if pattern.is_empty() {
        return Err(PlanError::config("Scope constraint URL must not be empty"));
    }
    // Clients send `{"url": "https://host/*", "exclusion": "INCLUDE"}` without a match
    // criteria: a wildcard pattern.
    let matcher = match c.match_criteria.unwrap_or(MatchCriteria::Wildcard) {
        MatchCriteria::Literal => MatchKind::Literal,
        MatchCriteria::Wildcard => MatchKind::Wildcard,
        MatchCriteria::Regex => {
            regex::Regex::new(&pattern).map_err(|e| {
                PlanError::config(format!(
                    "Scope constraint regex '{pattern}' is invalid: {e}"
                ))
            })?;
            MatchKind::Regex
        }
    };
    let method = match c.method {
        None | Some(ScopeMethod::All) => None,
        Some(m) => Some(format!("{m:?}").to_ascii_uppercase()),
    };
    Ok(ScopeRule {
        kind: match c.exclusion.unwrap_or(Exclusion::Include) {
            Exclusion::Include => RuleKind::Include,
            Exclusion::Exclude => RuleKind::Exclude,
        },
        matcher,
        pattern,
        method,
    })
}

fn http_url(s: &str, what: &str) -> Result<Url, PlanError> {
    match Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(u),
        _ => Err(PlanError::config(format!(
            "{what} '{s}' is not a valid http(s) URL"
        ))),
    }
}

fn check_regex(r: &Option<String>, what: &str) -> Result<Option<String>, PlanError> {
    match r.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => regex::Regex::new(r)
            .map(|_| Some(r.to_string()))
            .map_err(|e| PlanError::config(format!("{what} '{r}' is invalid: {e}"))),
    }
}

fn positive(v: Option<i64>) -> Option<u64> {
    v.filter(|v| *v > 0).map(|v| v as u64)
}

/// Builds the engine plan of a job.
pub fn build_plan(spec: &JobSpec, settings: &PlanSettings) -> Result<BuiltPlan, PlanError> {
    let view = options::view(&spec.options)
        .map_err(|e| PlanError::config(format!("Scan config options are malformed: {e}")))?;
    let mut notes = Vec::new();

    // Seeds, plus the root causes a verification scan re-checks.
    let mut seeds = Vec::new();
    for s in &view.crawl_config.seed_url_list {
        seeds.push(http_url(&s.value, "Seed URL")?);
    }
    let mut verify_seeds = Vec::new();
    if spec.scan_type == ScanType::Verification || !spec.verify.is_empty() {
        for rc in &spec.verify {
            match Url::parse(&rc.url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => verify_seeds.push(u),
                _ => notes.push(format!(
                    "verification: root cause URL '{}' is not a valid http(s) URL; skipped",
                    rc.url
                )),
            }
        }
    }
    let Some(first) = seeds.first().or(verify_seeds.first()).cloned() else {
        return Err(PlanError::config("Seed URL list must not be empty"));
    };
    let mut plan = ScanPlan::for_url(first);
    plan.seeds.clear();

    // Scope: the crawl rules in order, then the attacker's EXCLUDE rules (the engine has one
    // gate for crawling and attacking, so an attack exclusion also keeps the crawler away;
    // attacker INCLUDE rules cannot widen the crawl scope and are ignored).
    let crawl = &view.crawl_config.scope_constraint_list;
    if crawl.is_empty() {
        // Lenient: the scope defaults to each seed's directory (as `rampart scan` does).
        plan.scope = seeds
            .iter()
            .chain(&verify_seeds)
            .flat_map(|s| ScanPlan::for_url(s.clone()).scope)
            .collect();
        notes.push("no crawl scope constraint: the scope is each seed URL's directory".into());
    } else {
        plan.scope = crawl.iter().map(rule).collect::<Result<_, _>>()?;
    }
    for c in &view.attacker_config.scope_constraint_list {
        let r = rule(c)?;
        if r.kind == RuleKind::Exclude {
            plan.scope.push(r);
        }
    }

    // Allowed domains: the organization's enabled targets. No target, no scan.
    if spec.allowed_domains.is_empty() {
        return Err(PlanError::targets(
            "the organization has no enabled target: add the scanned domains as targets",
        ));
    }
    plan.allowed_domains = spec.allowed_domains.clone();
    let gate = ScopeGate::new(&plan.scope, &plan.allowed_domains)
        .map_err(|e| PlanError::config(e.to_string()))?;
    for s in &seeds {
        match gate.check("GET", s) {
            Ok(()) => {}
            Err(OutOfScope::Domain) => {
                return Err(PlanError::targets(format!(
                    "Seed URL '{s}' is not in an enabled target domain ({})",
                    plan.allowed_domains.join(", ")
                )))
            }
            Err(e) => {
                return Err(PlanError::config(format!(
                    "Seed URL '{s}' is outside the crawl scope: {e}"
                )))
            }
        }
    }
    plan.seeds = seeds;
    for u in verify_seeds {
        match gate.check("GET", &u) {
            Ok(()) if !plan.seeds.contains(&u) => plan.seeds.push(u),
            Ok(()) => {}
            Err(e) => notes.push(format!(
                "verification: root cause URL '{u}' is out of scope ({e}); skipped"
            )),
        }
    }
    if plan.seeds.is_empty() {
        return Err(PlanError::targets(
            "no root cause URL to verify is in scope",
        ));
    }

    // Limits.
    let l = &mut plan.limits;
    l.max_duration = match positive(view.crawl_config.max_scan_time_in_minutes) {
        Some(m) => Duration::from_secs(m * 60),
        None => settings.default_max_scan_time,
    };
    if let Some(n) = positive(view.crawl_config.max_crawl_results) {
        l.max_crawl_results = n as usize;
    }
    if let Some(n) = positive(view.performance_config.max_concurrent_requests) {
        l.concurrency = n as usize;
        l.per_host_concurrency = n as usize;
    }
    if let Some(ms) = positive(view.network_settings_config.drip_delay_milli_seconds) {
        l.min_request_gap = Duration::from_millis(ms);
    }
    if let Some(n) = positive(view.network_settings_config.max_response_size) {
        l.max_response_bytes = n as usize;
    }
    if let Some(ms) = positive(view.network_settings_config.read_timeout) {
        l.request_timeout = Duration::from_millis(ms);
    }
    if let Some(t) = settings.max_time_probe {
        l.max_time_probe = t;
    }

    // Session: headers, cookie, user agent, logout links, form login.
    let h = &view.http_headers_config;
    for item in &h.custom_headers_list {
        if item.value.trim().is_empty() {
            continue;
        }
        plan.session
            .add_header_line(&item.value)
            .map_err(|e| PlanError::config(format!("custom header: {e}")))?;
    }
    plan.session.cookie = h.cookie.clone().filter(|c| !c.trim().is_empty());
    plan.session.user_agent = h.user_agent.clone().filter(|c| !c.trim().is_empty());
    let auth = &view.auth_config;
    if let Some(r) = check_regex(&auth.logout_link_regex, "Logout link regex")? {
        plan.session.logout_regex = Some(r);
    }
    match auth.kind {
        None | Some(AuthType::None) => {}
        Some(AuthType::Form) => {
            let (Some(user), Some(pass)) = (
                auth.username_form.clone().filter(|u| !u.is_empty()),
                auth.password_form.clone().filter(|p| !p.is_empty()),
            ) else {
                return Err(PlanError::config(
                    "FORM authentication needs auth_config.username_form and password_form",
                ));
            };
            let url = match auth.seed_link.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(s) => http_url(s, "Login seed link")?,
                None => {
                    notes.push("FORM authentication without auth_config.seed_link: looking for the login form on the first seed URL".into());
                    plan.seeds[0].clone()
                }
            };
            plan.session.login = Some(FormLogin {
                url,
                username: user,
                password: pass,
                username_field: None,
                password_field: None,
                logged_in_regex: check_regex(&auth.logged_in_regex, "Logged-in regex")?,
                session_loss_regex: check_regex(&auth.session_loss_regex, "Session loss regex")?,
            });
        }
        Some(other) => notes.push(format!(
            "authentication type {other:?} is not supported by this engine; scanning without logging in"
        )),
    }

    // Modules of the attack template.
    plan.modules = modules(spec, &mut notes);

    // Out-of-band callbacks.
    plan.oob = match view
        .attacker_config
        .out_of_band_host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        Some(host) => OobSettings::advertised(host, settings.oob_bind.port()),
        None => OobSettings {
            bind: settings.oob_bind,
            ..OobSettings::default()
        },
    };

    if spec.checkpoint.is_some() {
        notes.push("this engine cannot resume from a checkpoint: the scan starts over".into());
    }
    Ok(BuiltPlan { plan, notes })
}

/// The template's modules as engine settings; an empty template crawls only.
fn modules(spec: &JobSpec, notes: &mut Vec<String>) -> Modules {
    let cat = rampart_engine::catalogue();
    let mut unknown = Vec::new();
    let mut out = Modules::from_keys([]);
    for m in &spec.modules {
        let Some(meta) = cat.iter().find(|c| c.id == m.module) else {
            unknown.push(m.module.to_string());
            continue;
        };
        let defaults = ModuleSettings::default();
        out.enabled.insert(
            meta.key.to_string(),
            ModuleSettings {
                severity: Some(m.severity),
                max_findings: if m.max_findings > 0 {
                    m.max_findings as usize
                } else {
                    defaults.max_findings
                },
                locations: (!m.parameter_locations.is_empty())
                    .then(|| m.parameter_locations.clone()),
            },
        );
    }
    if !unknown.is_empty() {
        notes.push(format!(
            "modules not implemented by this engine were skipped: {}",
            unknown.join(", ")
        ));
    }
    if out.enabled.is_empty() {
        out.crawl_only = true;
        notes.push("the attack template enables no module this engine runs: crawl only".into());
    }
    out
}
