//! Scan-config options → a scan's [`Recipe`]: the one compilation of an options document.
//!
//! It runs once, when a scan is submitted: a document that does not compile fails the scan
//! at once (`CONFIGURATION_INVALID`, or `TARGETS_INVALID` when a seed or include rule leaves
//! the organization's enabled targets), and the compiled recipe is stored with the scan's job
//! and handed to the worker with the job, which maps it onto engine settings without parsing
//! or checking anything again. Seeds are checked with the same [`ScopeGate`] the engine sends
//! every request through, so submit and engine cannot disagree about a seed.

use crate::file::FileType;
use crate::file_refs::{file_ref_problem, file_refs, FileFacts, FileUse};
use crate::options::{self, AuthType, Exclusion, MatchCriteria, ScopeConstraint, ScopeMethod};
use crate::scan::{FailureReason, RootCause, ScanType};
use crate::scope::{MatchKind, OutOfScope, RuleKind, ScopeGate, ScopeRule};
use crate::target::Targets;
use serde::{Deserialize, Serialize};
use url::Url;

/// A scan as the engine will run it, compiled from the options document at submit.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// Seeds in order: the crawl seeds, then the in-scope root causes a verification scan
    /// re-checks.
    pub seeds: Vec<Url>,
    /// Ordered scope rules: the crawl rules (or each seed's directory when there are none),
    /// then the attacker's EXCLUDE rules.
    pub scope: Vec<ScopeRule>,
    /// The organization's enabled target domains at submit: nothing outside is requested.
    pub allowed_domains: Vec<String>,
    pub limits: RecipeLimits,
    /// Custom header lines as `(name, value)`.
    pub headers: Vec<(String, String)>,
    pub cookie: Option<String>,
    pub user_agent: Option<String>,
    pub logout_regex: Option<String>,
    pub login: Option<RecipeLogin>,
    /// `attacker_config.out_of_band_host`, when set.
    pub out_of_band_host: Option<String>,
    /// Settings present in the document that the engine cannot honour, told to the user as
    /// scan events when the scan starts.
    pub notes: Vec<String>,
    /// API definitions and recorded traffic the config names (SWAGGER, GRAPHQL,
    /// RECORDED_TRAFFIC files), with their content: each seeds the engine with requests the
    /// crawler could not find by links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub definitions: Vec<RecipeDefinition>,
    /// The client TLS certificate the config names (`ssl_cert_config`, a CERTIFICATE file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<RecipeCertificate>,
    /// A recorded login sequence the config names (`auth_config.type` SELENIUM or MACRO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_script: Option<RecipeFileContent>,
    /// The browser crawl, when the document asks for it (`java_script_engine` `CHROME` or
    /// `CHROMIUM`); the engine that runs the job needs a browser for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<RecipeBrowser>,
}

/// Browser crawl settings the document sets; `None` keeps the browser's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeBrowser {
    /// `crawl_config.crawler_initialization_config.browser_pool_size`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
    /// `crawl_config.page_timeout_milliseconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_timeout_ms: Option<u64>,
    /// `crawl_config.max_browser_events_per_dom` (or `max_browser_events_per_link`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_per_page: Option<u64>,
    /// `performance_config.memory_ceiling64_bit` (MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_cap_mib: Option<u64>,
}

/// Secret header values and the cookie never reach a log line.
impl std::fmt::Debug for Recipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::secrets::{is_secret_header, REDACTED};
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if is_secret_header(n) { REDACTED } else { v }))
            .collect();
        f.debug_struct("Recipe")
            .field("seeds", &self.seeds)
            .field("scope", &self.scope)
            .field("allowed_domains", &self.allowed_domains)
            .field("limits", &self.limits)
            .field("headers", &headers)
            .field("cookie", &self.cookie.as_ref().map(|_| REDACTED))
            .field("user_agent", &self.user_agent)
            .field("logout_regex", &self.logout_regex)
            .field("login", &self.login)
            .field("out_of_band_host", &self.out_of_band_host)
            .field("notes", &self.notes)
            .field("definitions", &self.definitions)
            .field("client_certificate", &self.client_certificate)
            .field("login_script", &self.login_script)
            .field("browser", &self.browser)
            .finish()
    }
}

/// A file's name, type and content as handed to the engine.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeFileContent {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FileType,
    /// The content, base64 on the wire.
    #[serde(with = "crate::file::base64_bytes")]
    pub content: Vec<u8>,
}

impl std::fmt::Debug for RecipeFileContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipeFileContent")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// A SWAGGER, GRAPHQL or RECORDED_TRAFFIC file that seeds the scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeDefinition {
    pub file: RecipeFileContent,
    /// Where the definition's requests go when the file does not say, or says otherwise:
    /// `web_service_config.swagger_file_list[].host_name` / `graph_ql_config_object_list[]`
    /// `graph_ql_endpoint_url` (GraphQL: the endpoint itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Url>,
    /// GraphQL only: the verb to send operations with (`POST` unless the config says `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
}

/// A PKCS#12 client certificate and its password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeCertificate {
    pub file: RecipeFileContent,
    pub password: String,
}

impl std::fmt::Debug for RecipeCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipeCertificate")
            .field("file", &self.file)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Limits the document sets; `None` keeps the engine's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeLimits {
    pub max_scan_minutes: Option<u64>,
    pub max_crawl_results: Option<u64>,
    /// URLs crawled per (method, path pattern, parameter names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_pattern: Option<u64>,
    pub max_concurrent_requests: Option<u64>,
    pub drip_delay_ms: Option<u64>,
    pub max_response_bytes: Option<u64>,
    pub read_timeout_ms: Option<u64>,
}

/// FORM authentication.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeLogin {
    pub url: Url,
    pub username: String,
    pub password: String,
    pub logged_in_regex: Option<String>,
    pub session_loss_regex: Option<String>,
}

impl std::fmt::Debug for RecipeLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipeLogin")
            .field("url", &self.url.as_str())
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("logged_in_regex", &self.logged_in_regex)
            .field("session_loss_regex", &self.session_loss_regex)
            .finish()
    }
}

/// Why a document does not compile; the scan fails with `reason`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct PlanError {
    pub reason: FailureReason,
    pub message: String,
}

impl PlanError {
    pub fn config(message: impl Into<String>) -> Self {
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

/// What a recipe is compiled from.
#[derive(Clone, Copy, Debug)]
pub struct PlanInput<'a> {
    /// The effective options document (defaults overlaid with the config's document).
    pub options: &'a serde_json::Value,
    /// The organization's enabled target domains.
    pub allowed_domains: &'a [String],
    pub scan_type: ScanType,
    /// The root causes a verification scan re-checks (empty otherwise).
    pub verify: &'a [RootCause],
    /// The files of the config's app that the document names (by name), with their
    /// content when uploaded; a named file missing here fails the scan.
    pub files: &'a [PlanFile],
}

/// A file of the config's app as admission sees it.
#[derive(Clone, PartialEq, Eq)]
pub struct PlanFile {
    pub name: String,
    pub kind: FileType,
    /// `None`: no content uploaded yet.
    pub content: Option<Vec<u8>>,
}

impl std::fmt::Debug for PlanFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanFile")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("bytes", &self.content.as_ref().map(Vec::len))
            .finish()
    }
}

/// The app's files a document names and how each is used; a problem (no such file, wrong
/// type, no content) fails the scan naming the file, never a silent skip.
fn resolve_files(
    view: &options::OptionsView,
    files: &[PlanFile],
    recipe: &mut Recipe,
) -> Result<(), PlanError> {
    let facts: Vec<FileFacts> = files
        .iter()
        .map(|f| FileFacts {
            name: f.name.clone(),
            kind: f.kind,
            content_available: f.content.is_some(),
        })
        .collect();
    for r in file_refs(view) {
        if let Some(problem) = file_ref_problem(&r, &facts) {
            return Err(PlanError::config(problem));
        }
        let Some(content) = files
            .iter()
            .find(|f| f.name == r.name)
            .and_then(|f| f.content.clone())
        else {
            continue; // unreachable: file_ref_problem checked it
        };
        let file = RecipeFileContent {
            name: r.name.clone(),
            kind: r.kind,
            content,
        };
        match r.usage {
            FileUse::Definition { endpoint, verb } => {
                let endpoint = match endpoint {
                    Some(e) => Some(http_url(&e, &format!("{} endpoint", r.path))?),
                    None => None,
                };
                recipe.definitions.push(RecipeDefinition {
                    file,
                    endpoint,
                    verb,
                });
            }
            FileUse::Certificate { password } => {
                recipe.client_certificate = Some(RecipeCertificate { file, password });
            }
            FileUse::Login => recipe.login_script = Some(file),
        }
    }
    Ok(())
}

/// A `Name: value` header line as `(name, value)`.
pub fn header_line(line: &str) -> Result<(String, String), String> {
    let (n, v) = line
        .split_once(':')
        .filter(|(n, _)| !n.trim().is_empty())
        .ok_or_else(|| format!("invalid header {line:?}, expected 'Name: value'"))?;
    Ok((n.trim().to_string(), v.trim().to_string()))
}

/// The default scope of a seed: its scheme, host, port and directory.
pub fn seed_directory_rule(seed: &Url) -> ScopeRule {
    let mut prefix = seed.clone();
    prefix.set_query(None);
    prefix.set_fragment(None);
    let path = prefix.path().to_string();
    let dir = match path.rfind('/') {
        Some(i) => path[..=i].to_string(),
        None => "/".to_string(),
    };
    prefix.set_path(&dir);
    ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Wildcard,
        pattern: format!("{}*", prefix.as_str()),
        method: None,
    }
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
        MatchCriteria::Regex => MatchKind::Regex,
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

/// Include rules (literal or wildcard) whose host is outside the targets: a scope that
/// promises what the targets forbid is refused at submit rather than silently narrowed.
fn include_rules_outside(rules: &[ScopeRule], targets: &Targets) -> Vec<String> {
    rules
        .iter()
        .filter(|r| r.kind == RuleKind::Include && r.matcher != MatchKind::Regex)
        .filter_map(|r| {
            // `https://*.shop.test/*`: the wildcard label stands for any subdomain.
            let literal = r.pattern.replace("*.", "").replace(['*', '?'], "");
            let u = Url::parse(&literal).ok()?;
            (!targets.admits(&u)).then(|| r.pattern.clone())
        })
        .collect()
}

/// Compiles an options document into a [`Recipe`].
pub fn compile(input: PlanInput<'_>) -> Result<Recipe, PlanError> {
    let errors = options::config_errors(input.options);
    if !errors.is_empty() {
        return Err(PlanError::config(format!(
            "the scan config is invalid: {}",
            errors.join("; ")
        )));
    }
    let view = options::view(input.options)
        .map_err(|e| PlanError::config(format!("Scan config options are malformed: {e}")))?;
    let mut recipe = Recipe::default();
    let notes = &mut recipe.notes;

    // Seeds, plus the root causes a verification scan re-checks.
    let mut seeds = Vec::new();
    for s in &view.crawl_config.seed_url_list {
        seeds.push(http_url(&s.value, "Seed URL")?);
    }
    let mut verify_seeds = Vec::new();
    if input.scan_type == ScanType::Verification || !input.verify.is_empty() {
        for rc in input.verify {
            match Url::parse(&rc.url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => verify_seeds.push(u),
                _ => notes.push(format!(
                    "verification: root cause URL '{}' is not a valid http(s) URL; skipped",
                    rc.url
                )),
            }
        }
    }
    if seeds.is_empty() && verify_seeds.is_empty() {
        return Err(PlanError::config("Seed URL list must not be empty"));
    }

    // Scope: the crawl rules in order, then the attacker's EXCLUDE rules (the engine has one
    // gate for crawling and attacking, so an attack exclusion also keeps the crawler away;
    // attacker INCLUDE rules cannot widen the crawl scope and are ignored).
    let crawl = &view.crawl_config.scope_constraint_list;
    let mut scope: Vec<ScopeRule> = if crawl.is_empty() {
        notes.push("no crawl scope constraint: the scope is each seed URL's directory".into());
        seeds
            .iter()
            .chain(&verify_seeds)
            .map(seed_directory_rule)
            .collect()
    } else {
        crawl.iter().map(rule).collect::<Result<_, _>>()?
    };
    for c in &view.attacker_config.scope_constraint_list {
        let r = rule(c)?;
        if r.kind == RuleKind::Exclude {
            scope.push(r);
        }
    }

    // Allowed domains: the organization's enabled targets. No target, no scan.
    if input.allowed_domains.is_empty() {
        return Err(PlanError::targets(
            "the organization has no enabled target: add the scanned domains as targets",
        ));
    }
    let gate = ScopeGate::new(&scope, input.allowed_domains)
        .map_err(|e| PlanError::config(format!("Scope constraint {e}")))?;
    // Every include rule the document declares, the attacker's too, must stay inside the
    // targets (the attacker's INCLUDE rules do not widen the engine's scope, but a document
    // that asks for more than the targets allow is refused rather than silently narrowed).
    let attacker_includes = view
        .attacker_config
        .scope_constraint_list
        .iter()
        .map(rule)
        .collect::<Result<Vec<_>, _>>()?;
    let declared: Vec<ScopeRule> = scope.iter().chain(&attacker_includes).cloned().collect();
    // Everything outside the targets is named in one message: seeds first, then rules.
    let mut outside: Vec<String> = seeds
        .iter()
        .filter(|s| gate.check("GET", s) == Err(OutOfScope::Domain))
        .map(|s| s.to_string())
        .collect();
    outside.extend(include_rules_outside(
        &declared,
        &Targets::parse(input.allowed_domains),
    ));
    if !outside.is_empty() {
        return Err(PlanError::targets(format!(
            "not under an enabled target of the organization: {}",
            outside.join(", ")
        )));
    }
    for s in &seeds {
        if let Err(e) = gate.check("GET", s) {
            return Err(PlanError::config(format!(
                "Seed URL '{s}' is outside the crawl scope: {e}"
            )));
        }
    }
    for u in verify_seeds {
        match gate.check("GET", &u) {
            Ok(()) if !seeds.contains(&u) => seeds.push(u),
            Ok(()) => {}
            Err(e) => notes.push(format!(
                "verification: root cause URL '{u}' is out of scope ({e}); skipped"
            )),
        }
    }
    if seeds.is_empty() {
        return Err(PlanError::targets(
            "no root cause URL to verify is in scope",
        ));
    }

    // Limits.
    recipe.limits = RecipeLimits {
        max_scan_minutes: positive(view.crawl_config.max_scan_time_in_minutes),
        max_crawl_results: positive(view.crawl_config.max_crawl_results),
        max_per_pattern: positive(view.crawl_config.max_per_normalized_link_crawl_result),
        max_concurrent_requests: positive(view.performance_config.max_concurrent_requests),
        drip_delay_ms: positive(view.network_settings_config.drip_delay_milli_seconds),
        max_response_bytes: positive(view.network_settings_config.max_response_size),
        read_timeout_ms: positive(view.network_settings_config.read_timeout),
    };

    // Session: headers, cookie, user agent, logout links, form login.
    let h = &view.http_headers_config;
    for item in &h.custom_headers_list {
        if item.value.trim().is_empty() {
            continue;
        }
        recipe.headers.push(
            header_line(&item.value)
                .map_err(|e| PlanError::config(format!("custom header: {e}")))?,
        );
    }
    recipe.cookie = h.cookie.clone().filter(|c| !c.trim().is_empty());
    recipe.user_agent = h.user_agent.clone().filter(|c| !c.trim().is_empty());
    let auth = &view.auth_config;
    recipe.logout_regex = check_regex(&auth.logout_link_regex, "Logout link regex")?;
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
                    recipe.notes.push("FORM authentication without auth_config.seed_link: looking for the login form on the first seed URL".into());
                    seeds[0].clone()
                }
            };
            recipe.login = Some(RecipeLogin {
                url,
                username: user,
                password: pass,
                logged_in_regex: check_regex(&auth.logged_in_regex, "Logged-in regex")?,
                session_loss_regex: check_regex(&auth.session_loss_regex, "Session loss regex")?,
            });
        }
        // The recorded login itself is the engine's to replay (`login_script`).
        Some(AuthType::Selenium | AuthType::Macro) => {}
        Some(other) => recipe.notes.push(format!(
            "authentication type {other:?} is not supported by this engine; scanning without logging in"
        )),
    }
    resolve_files(&view, input.files, &mut recipe)?;
    recipe.browser = browser(&view, &mut recipe.notes);
    recipe.out_of_band_host = view
        .attacker_config
        .out_of_band_host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    recipe.seeds = seeds;
    recipe.scope = scope;
    recipe.allowed_domains = input.allowed_domains.to_vec();
    Ok(recipe)
}

/// The browser crawl the document asks for: `java_script_engine` `CHROME` or `CHROMIUM`, with
/// the crawl's browser settings. `DEFAULT` (or nothing) keeps the HTML crawler alone.
fn browser(view: &options::OptionsView, notes: &mut Vec<String>) -> Option<RecipeBrowser> {
    let engine = view
        .java_script_engine
        .as_deref()
        .map(str::trim)
        .unwrap_or("DEFAULT")
        .to_ascii_uppercase();
    match engine.as_str() {
        "CHROME" | "CHROMIUM" => {}
        "" | "DEFAULT" => return None,
        other => {
            notes.push(format!(
                "java_script_engine {other} is not supported: the browser crawl uses Chromium (set CHROMIUM); this scan uses the HTML crawler only"
            ));
            return None;
        }
    }
    let c = &view.crawl_config;
    Some(RecipeBrowser {
        pages: positive(c.crawler_initialization_config.browser_pool_size),
        page_timeout_ms: positive(c.page_timeout_milliseconds),
        events_per_page: positive(c.max_browser_events_per_dom)
            .or(positive(c.max_browser_events_per_link)),
        memory_cap_mib: positive(view.performance_config.memory_ceiling64_bit),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> serde_json::Value {
        options::overlay(&options::defaults(), &v)
    }

    fn compile_doc(v: serde_json::Value, domains: &[&str]) -> Result<Recipe, PlanError> {
        let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
        compile(PlanInput {
            options: &doc(v),
            allowed_domains: &domains,
            scan_type: ScanType::Regular,
            verify: &[],
            files: &[],
        })
    }

    fn seeds(urls: &[&str]) -> serde_json::Value {
        json!({"crawl_config": {
            "seed_url_list": urls.iter().map(|u| json!({"value": u})).collect::<Vec<_>>(),
            "scope_constraint_list": urls.iter().map(|u| json!({"url": format!("{u}*")})).collect::<Vec<_>>(),
        }})
    }

    #[test]
    fn a_seed_with_a_port_under_a_target_with_that_port_compiles() {
        let r = compile_doc(seeds(&["http://localhost:8080/app/"]), &["localhost:8080"])
            .expect("compiles");
        assert_eq!(r.seeds[0].as_str(), "http://localhost:8080/app/");
        assert_eq!(r.scope[0].pattern, "http://localhost:8080/app/*");
        assert_eq!(r.allowed_domains, vec!["localhost:8080".to_string()]);
    }

    #[test]
    fn a_seed_outside_the_targets_is_targets_invalid() {
        let e = compile_doc(seeds(&["http://evil.test/"]), &["shop.test"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::TargetsInvalid);
        let e = compile_doc(seeds(&["http://shop.test/"]), &[]).unwrap_err();
        assert_eq!(e.reason, FailureReason::TargetsInvalid);
        let e = compile_doc(seeds(&["http://localhost:9090/"]), &["localhost:8080"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::TargetsInvalid);
    }

    #[test]
    fn an_include_rule_outside_the_targets_is_targets_invalid() {
        let mut d = seeds(&["http://shop.test/"]);
        d["crawl_config"]["scope_constraint_list"] = json!([
            {"url": "http://shop.test/*", "exclusion": "INCLUDE"},
            {"url": "http://*.other.test/*", "exclusion": "INCLUDE"}
        ]);
        let e = compile_doc(d, &["shop.test"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::TargetsInvalid);
        assert!(e.message.contains("other.test"), "{}", e.message);

        // Subdomain wildcards under a target, exclusions and regexes are not "outside"; an
        // attacker include rule outside is.
        let mut d = seeds(&["https://shop.test/"]);
        d["crawl_config"]["scope_constraint_list"] = json!([
            {"url": "https://*.shop.test/*"},
            {"url": "https://shop.test/*"},
            {"url": "https://ignored.test/*", "exclusion": "EXCLUDE"},
            {"url": ".*anything.*", "match_criteria": "REGEX"}
        ]);
        assert!(compile_doc(d.clone(), &["shop.test"]).is_ok());
        d["attacker_config"] =
            json!({"scope_constraint_list": [{"url": "https://elsewhere.test/*"}]});
        let e = compile_doc(d, &["shop.test"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::TargetsInvalid);
        assert!(e.message.contains("elsewhere.test"), "{}", e.message);
    }

    #[test]
    fn malformed_settings_are_configuration_invalid() {
        let e = compile_doc(seeds(&["ftp://shop.test/"]), &["shop.test"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::ConfigurationInvalid);
        let e = compile_doc(json!({}), &["shop.test"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::ConfigurationInvalid);
        let mut d = seeds(&["http://shop.test/"]);
        d["crawl_config"]["scope_constraint_list"] =
            json!([{"url": "(", "match_criteria": "REGEX", "exclusion": "INCLUDE"}]);
        let e = compile_doc(d, &["shop.test"]).unwrap_err();
        assert_eq!(e.reason, FailureReason::ConfigurationInvalid);
    }

    #[test]
    fn limits_headers_and_login_are_carried() {
        let mut d = seeds(&["http://shop.test/"]);
        d["crawl_config"]["max_scan_time_in_minutes"] = json!(7);
        d["http_headers_config"] = json!({"custom_headers_list": [{"value": "X-Test: 1"}]});
        d["auth_config"] = json!({"type": "FORM", "username_form": "u", "password_form": "p"});
        let r = compile_doc(d, &["shop.test"]).expect("compiles");
        assert_eq!(r.limits.max_scan_minutes, Some(7));
        assert_eq!(r.headers, vec![("X-Test".to_string(), "1".to_string())]);
        let login = r.login.expect("login");
        assert_eq!(login.url.as_str(), "http://shop.test/");
        assert!(!format!("{login:?}").contains("\"p\""));
    }

    #[test]
    fn a_recipe_survives_a_round_trip_through_json() {
        let r = compile_doc(seeds(&["http://shop.test/a"]), &["shop.test"]).expect("compiles");
        let back: Recipe =
            serde_json::from_str(&serde_json::to_string(&r).expect("serializes")).expect("parses");
        assert_eq!(back, r);
    }

    #[test]
    fn named_files_fill_the_recipe_and_a_missing_one_fails_naming_it() {
        let mut d = seeds(&["http://shop.test/"]);
        d["web_service_config"] = json!({"swagger_file_list": [{"value": "api.yaml", "host_name": "http://shop.test/api/"}]});
        d["ssl_cert_config"] = json!({"type": "CERTIFICATE", "file": "c.p12", "password": "pw"});
        d["auth_config"] = json!({"type": "MACRO", "macro_file": {"macro_file_name": "login.rec"}});
        let files = vec![
            PlanFile {
                name: "api.yaml".into(),
                kind: FileType::Swagger,
                content: Some(b"openapi: 3.0.0".to_vec()),
            },
            PlanFile {
                name: "c.p12".into(),
                kind: FileType::Certificate,
                content: Some(vec![0x30, 0]),
            },
            PlanFile {
                name: "login.rec".into(),
                kind: FileType::Macro,
                content: Some(b"<macro/>".to_vec()),
            },
        ];
        let domains = vec!["shop.test".to_string()];
        let input = |files| PlanInput {
            options: &d,
            allowed_domains: &domains,
            scan_type: ScanType::Regular,
            verify: &[],
            files,
        };
        let doc_d = doc(d.clone());
        let r = compile(PlanInput {
            options: &doc_d,
            ..input(&files)
        })
        .expect("compiles");
        assert_eq!(r.definitions.len(), 1);
        assert_eq!(r.definitions[0].file.content, b"openapi: 3.0.0");
        assert_eq!(
            r.definitions[0].endpoint.as_ref().map(Url::as_str),
            Some("http://shop.test/api/")
        );
        assert_eq!(
            r.client_certificate.as_ref().map(|c| c.password.as_str()),
            Some("pw")
        );
        assert_eq!(
            r.login_script.as_ref().map(|f| f.name.as_str()),
            Some("login.rec")
        );
        assert!(
            r.notes
                .iter()
                .all(|n| !n.contains("MACRO") && !n.contains("Macro")),
            "{:?}",
            r.notes
        );

        let e = compile(PlanInput {
            options: &doc_d,
            ..input(&files[1..])
        })
        .unwrap_err();
        assert_eq!(e.reason, FailureReason::ConfigurationInvalid);
        assert!(e.message.contains("'api.yaml'"), "{}", e.message);
    }

    #[test]
    fn java_script_engine_chromium_asks_for_the_browser_crawl_with_its_settings() {
        let mut doc = seeds(&["http://shop.test/"]);
        let r = compile_doc(doc.clone(), &["shop.test"]).expect("compiles");
        assert_eq!(r.browser, None, "DEFAULT keeps the HTML crawler alone");

        doc["java_script_engine"] = json!("CHROMIUM");
        doc["crawl_config"]["page_timeout_milliseconds"] = json!(15000);
        doc["crawl_config"]["max_browser_events_per_link"] = json!(7);
        doc["crawl_config"]["crawler_initialization_config"] = json!({"browser_pool_size": 3});
        doc["performance_config"] = json!({"memory_ceiling64_bit": 800});
        let r = compile_doc(doc.clone(), &["shop.test"]).expect("compiles");
        assert_eq!(
            r.browser,
            Some(RecipeBrowser {
                pages: Some(3),
                page_timeout_ms: Some(15000),
                events_per_page: Some(7),
                memory_cap_mib: Some(800),
            })
        );
        doc["crawl_config"]["max_browser_events_per_dom"] = json!(4);
        doc["java_script_engine"] = json!("CHROME");
        let r = compile_doc(doc.clone(), &["shop.test"]).expect("compiles");
        assert_eq!(r.browser.and_then(|b| b.events_per_page), Some(4));

        doc["java_script_engine"] = json!("INTERNET_EXPLORER");
        let r = compile_doc(doc, &["shop.test"]).expect("compiles");
        assert_eq!(r.browser, None);
        assert!(
            r.notes.iter().any(|n| n.contains("INTERNET_EXPLORER")),
            "{:?}",
            r.notes
        );
    }
}
