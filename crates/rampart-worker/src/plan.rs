//! `JobSpec` → engine [`ScanPlan`]: maps the job's compiled [`Recipe`] onto engine settings.
//!
//! The options document was compiled once, at submit (`rampart_domain::plan::compile`): its
//! seeds, scope, targets, limits and session come here checked. What is left is engine-side:
//! the worker's own limits, the template's modules (ids the engine does not implement become a
//! note), and where the out-of-band listener binds. Notes (the recipe's and these) are sent as
//! scan events, so nothing is dropped silently. A recipe with no seed is a [`PlanError`].

use rampart_domain::file::FileType;
use rampart_domain::job::JobSpec;
use rampart_domain::plan::{Recipe, RecipeFileContent};
use rampart_domain::scan::FailureReason;
use rampart_engine::crawl::BrowserSettings;
use rampart_engine::plan::{
    ClientCertificate, Definition, DefinitionKind, FormLogin, LoginScript, LoginScriptKind,
    ModuleSettings, Modules, OobSettings,
};
use rampart_engine::ScanPlan;
use std::net::SocketAddr;
use std::time::Duration;

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
    /// The rampart server's own listening sockets (the embedded engine's server, or the
    /// server a remote engine talks to): scans never contact them.
    pub own_sockets: Vec<SocketAddr>,
}

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            default_max_scan_time: rampart_engine::plan::Limits::default().max_duration,
            oob_bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_time_probe: None,
            own_sockets: Vec::new(),
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
    /// The browser crawl the scan asks for (`java_script_engine` CHROME/CHROMIUM).
    pub browser: Option<BrowserSettings>,
}

/// Builds the engine plan of a job from its recipe.
pub fn build_plan(spec: &JobSpec, settings: &PlanSettings) -> Result<BuiltPlan, PlanError> {
    let r: &Recipe = &spec.recipe;
    let (mut plan, mut notes) = recipe_plan(r, settings)?;

    // Modules of the attack template.
    plan.modules = modules(spec, &mut notes);

    // Out-of-band callbacks.
    plan.oob = match r.out_of_band_host.as_deref() {
        Some(host) => OobSettings::advertised(host, settings.oob_bind.port()),
        None => OobSettings {
            bind: settings.oob_bind,
            ..OobSettings::default()
        },
    };

    if spec.checkpoint.is_some() {
        notes.push("this engine cannot resume from a checkpoint: the scan starts over".into());
    }
    let browser = r.browser.as_ref().map(|b| BrowserSettings {
        pages: b.pages.map(|n| n.clamp(1, 16) as usize),
        page_budget: b.page_timeout_ms.map(Duration::from_millis),
        events_per_page: b.events_per_page.map(|n| n.min(10_000) as usize),
        memory_cap_mib: b.memory_cap_mib,
    });
    Ok(BuiltPlan {
        plan,
        notes,
        browser,
    })
}

/// The part of the plan the recipe alone decides: seeds, scope, targets, limits, session
/// and files (no modules): what a scan and a login test share.
pub fn recipe_plan(
    r: &Recipe,
    settings: &PlanSettings,
) -> Result<(rampart_engine::ScanPlan, Vec<String>), PlanError> {
    let mut notes = r.notes.clone();
    let Some(first) = r.seeds.first().cloned() else {
        // An empty recipe: a job whose options did not compile carries the reason as notes.
        return Err(PlanError::config(if notes.is_empty() {
            "Seed URL list must not be empty".to_string()
        } else {
            notes.join("; ")
        }));
    };
    if r.allowed_domains.is_empty() {
        return Err(PlanError::targets(
            "the organization has no enabled target: add the scanned domains as targets",
        ));
    }
    let mut plan = ScanPlan::for_url(first);
    plan.seeds = r.seeds.clone();
    plan.scope = r.scope.clone();
    plan.allowed_domains = r.allowed_domains.clone();
    plan.own_sockets = settings.own_sockets.clone();

    // Limits.
    let (l, rl) = (&mut plan.limits, &r.limits);
    l.max_duration = match rl.max_scan_minutes {
        Some(m) => Duration::from_secs(m.saturating_mul(60)),
        None => settings.default_max_scan_time,
    };
    if let Some(n) = rl.max_crawl_results {
        l.max_crawl_results = n as usize;
    }
    if let Some(n) = rl.max_per_pattern {
        l.max_per_pattern = n as usize;
    }
    if let Some(n) = rl.max_concurrent_requests {
        l.concurrency = n as usize;
        l.per_host_concurrency = n as usize;
    }
    if let Some(ms) = rl.drip_delay_ms {
        l.min_request_gap = Duration::from_millis(ms);
    }
    if let Some(n) = rl.max_response_bytes {
        l.max_response_bytes = n as usize;
    }
    if let Some(ms) = rl.read_timeout_ms {
        l.request_timeout = Duration::from_millis(ms);
    }
    if let Some(t) = settings.max_time_probe {
        l.max_time_probe = t;
    }

    // Session.
    plan.session.headers = r.headers.clone();
    plan.session.cookie = r.cookie.clone();
    plan.session.user_agent = r.user_agent.clone();
    plan.session.logout_regex = r.logout_regex.clone();
    plan.session.login = r.login.as_ref().map(|l| FormLogin {
        url: l.url.clone(),
        username: l.username.clone(),
        password: l.password.clone(),
        username_field: None,
        password_field: None,
        logged_in_regex: l.logged_in_regex.clone(),
        session_loss_regex: l.session_loss_regex.clone(),
    });

    // Files: definitions, client certificate, recorded login.
    files(r, &mut plan, &mut notes);
    Ok((plan, notes))
}

/// The longest a login test may take.
pub const LOGIN_TEST_TIME: Duration = Duration::from_secs(30);

/// "Test login" of a scan config: the engine's login alone ([`rampart_engine::scan::check_login`])
/// with the plan a scan of `r` would have (its scope, targets, limits and session), sent
/// through `transport`, within [`LOGIN_TEST_TIME`].
pub async fn test_login(
    r: &Recipe,
    settings: &PlanSettings,
    transport: std::sync::Arc<dyn rampart_engine::http::Transport>,
) -> rampart_engine::scan::LoginCheck {
    let failed = |detail: String| rampart_engine::scan::LoginCheck {
        logged_in: false,
        detail,
        requests: 0,
    };
    let (mut plan, _) = match recipe_plan(r, settings) {
        Ok(p) => p,
        Err(e) => return failed(e.message),
    };
    plan.limits.max_duration = plan.limits.max_duration.min(LOGIN_TEST_TIME);
    // No module: a login test analyses nothing (and samples no extra session ids).
    plan.modules = Modules::from_keys(std::iter::empty::<&str>());
    match tokio::time::timeout(
        LOGIN_TEST_TIME,
        rampart_engine::scan::check_login(plan, transport),
    )
    .await
    {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => failed(e.to_string()),
        Err(_) => failed(format!(
            "the login did not finish within {LOGIN_TEST_TIME:?}"
        )),
    }
}

/// The recipe's files as engine settings; a file of a type the slot does not take is a note.
fn files(r: &Recipe, plan: &mut ScanPlan, notes: &mut Vec<String>) {
    for d in &r.definitions {
        let kind = match d.file.kind {
            FileType::Swagger => DefinitionKind::OpenApi,
            FileType::Graphql => DefinitionKind::GraphQl,
            FileType::RecordedTraffic => DefinitionKind::Har,
            other => {
                notes.push(format!(
                    "file {} of type {other} cannot seed a scan: skipped",
                    d.file.name
                ));
                continue;
            }
        };
        plan.definitions.push(Definition {
            name: d.file.name.clone(),
            kind,
            content: d.file.content.clone(),
            endpoint: d.endpoint.clone(),
            verb: d.verb.clone(),
        });
    }
    plan.client_certificate = r.client_certificate.as_ref().map(|c| ClientCertificate {
        name: c.file.name.clone(),
        pkcs12: c.file.content.clone(),
        password: c.password.clone(),
    });
    plan.login_script = r.login_script.as_ref().and_then(|f: &RecipeFileContent| {
        let kind = match f.kind {
            FileType::Selenium => LoginScriptKind::Selenium,
            FileType::Macro => LoginScriptKind::Macro,
            other => {
                notes.push(format!(
                    "file {} of type {other} is not a login recording: skipped",
                    f.name
                ));
                return None;
            }
        };
        Some(LoginScript {
            name: f.name.clone(),
            kind,
            content: f.content.clone(),
            logged_in_regex: r.login.as_ref().and_then(|l| l.logged_in_regex.clone()),
            session_loss_regex: r.login.as_ref().and_then(|l| l.session_loss_regex.clone()),
        })
    });
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
