//! `rampart scan URL …`: a local one-shot scan with no server; report in any rampart-report format, CI exit codes.

use crate::remote::parse_duration;
use clap::Args;
use rampart_domain::Severity;
use rampart_engine::events::{Level, Outcome};
use rampart_engine::http::ReqwestTransport;
use rampart_engine::plan::{FormLogin, Modules};
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::{Event, ScanPlan};
use rampart_report::{local, LogLine, ReportModel, RunInfo};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Log events kept in the report.
const MAX_LOG: usize = 500;

/// Arguments of `rampart scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The seed URL to scan. The default scope is its scheme, host, port and path prefix.
    pub url: String,
    /// Attack template: "All Modules", "Crawl Only", "Passive Only", "SQL Injection",
    /// "Cross-Site Scripting", "Critical and High Only".
    #[arg(long, default_value = "All Modules")]
    pub template: String,
    /// URL pattern to include (wildcards `*` and `?`; prefix `regex:` for a regex).
    /// Replaces the default scope; repeatable.
    #[arg(long = "include", value_name = "PATTERN")]
    pub include: Vec<String>,
    /// URL pattern to exclude (same syntax); repeatable.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Login and session options (boxed: keeps the command enum small).
    #[command(flatten)]
    pub session: Box<SessionArgs>,
    /// Maximum scan time: `90s`, `10m`, `1h`.
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub max_duration: Duration,
    /// Maximum number of requests.
    #[arg(long, default_value_t = 500_000)]
    pub max_requests: u64,
    /// Maximum number of pages crawled (default: the engine's, 10,000).
    #[arg(long)]
    pub max_crawl_results: Option<usize>,
    /// URLs crawled per (method, path pattern, parameter names); a parameter whose values
    /// select different pages gives each page its own budget (default: the engine's, 20).
    #[arg(long)]
    pub max_per_pattern: Option<usize>,
    /// Findings reported per module at most (default: no cap; repeats of a root cause are
    /// variances of one finding).
    #[arg(long)]
    pub max_findings: Option<usize>,
    /// Maximum requests per second to one host.
    #[arg(long)]
    pub rate: Option<u32>,
    /// Concurrent requests.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Address (`host:port`) the target can reach the out-of-band listener at.
    #[arg(long)]
    pub oob_address: Option<String>,
    /// Accept invalid TLS certificates.
    #[arg(long)]
    pub insecure: bool,
    /// Report format: json, sarif, html, csv, junit, markdown (see docs/report-formats.md).
    #[arg(long, default_value = "json", value_parser = clap::builder::PossibleValuesParser::new(rampart_report::Format::NAMES.iter().copied()))]
    pub format: String,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding has at least this severity (e.g. `HIGH`).
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Crawl with headless Chromium as well (single-page applications, DOM-based XSS).
    /// Needs the `chromium` package; without it the scan says so and goes on.
    #[arg(long)]
    pub browser: bool,
    /// Browser pages rendered at once (with `--browser`).
    #[arg(long, default_value_t = 2, requires = "browser")]
    pub browser_pages: usize,
}

/// Session options of `rampart scan`.
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// Form login page.
    #[arg(long, requires_all = ["username", "password"])]
    pub login_url: Option<String>,
    #[arg(long)]
    pub username: Option<String>,
    #[arg(long)]
    pub password: Option<String>,
    /// Regex a page matches when the session is alive.
    #[arg(long)]
    pub logged_in_regex: Option<String>,
    /// Regex a page matches when the session was lost.
    #[arg(long)]
    pub session_loss_regex: Option<String>,
    /// Attack the login form given by --login-url like any other form (off by default: it
    /// sends many failed logins and may lock the account).
    #[arg(long, requires = "login_url")]
    pub attack_login: bool,
    /// Extra header `Name: value`; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Cookie header value `a=b; c=d`.
    #[arg(long)]
    pub cookie: Option<String>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(&s.to_ascii_uppercase()).ok_or_else(|| format!("unknown severity {s:?}"))
}

fn rule(kind: RuleKind, p: &str) -> ScopeRule {
    let (matcher, pattern) = match p.strip_prefix("regex:") {
        Some(r) => (MatchKind::Regex, r.to_string()),
        None => (MatchKind::Wildcard, p.to_string()),
    };
    ScopeRule {
        kind,
        matcher,
        pattern,
        method: None,
    }
}

/// Builds the plan from the arguments.
pub fn plan(args: &ScanArgs) -> Result<ScanPlan, String> {
    let seed = Url::parse(&args.url).map_err(|e| format!("invalid url {}: {e}", args.url))?;
    let mut plan = ScanPlan::for_url(seed);
    if !args.include.is_empty() {
        plan.scope = args
            .include
            .iter()
            .map(|p| rule(RuleKind::Include, p))
            .collect();
    }
    plan.scope
        .extend(args.exclude.iter().map(|p| rule(RuleKind::Exclude, p)));
    plan.modules = Modules::template(&args.template)
        .ok_or_else(|| format!("unknown template {:?}", args.template))?;
    for h in &args.session.headers {
        plan.session.add_header_line(h)?;
    }
    let sa = &args.session;
    plan.session.cookie = sa.cookie.clone();
    plan.session.attack_login = sa.attack_login;
    if let (Some(u), Some(user), Some(pass)) = (&sa.login_url, &sa.username, &sa.password) {
        plan.session.login = Some(FormLogin {
            url: Url::parse(u).map_err(|e| format!("invalid login url {u}: {e}"))?,
            username: user.clone(),
            password: pass.clone(),
            username_field: None,
            password_field: None,
            logged_in_regex: sa.logged_in_regex.clone(),
            session_loss_regex: sa.session_loss_regex.clone(),
        });
    }
    plan.limits.max_duration = args.max_duration;
    plan.limits.max_requests = args.max_requests;
    if let Some(n) = args.max_crawl_results {
        plan.limits.max_crawl_results = n.max(1);
    }
    if let Some(n) = args.max_per_pattern {
        plan.limits.max_per_pattern = n.max(1);
    }
    if let Some(n) = args.max_findings {
        for m in plan.modules.enabled.values_mut() {
            m.max_findings = n.max(1);
        }
    }
    plan.limits.concurrency = args.concurrency.max(1);
    plan.limits.per_host_concurrency = args.concurrency.max(1);
    if let Some(r) = args.rate.filter(|r| *r > 0) {
        plan.limits.min_request_gap = Duration::from_micros(1_000_000 / u64::from(r));
    }
    if let Some(a) = &args.oob_address {
        // Listen on all interfaces on the advertised port so that the target can reach us.
        plan.oob = rampart_engine::plan::OobSettings::advertised(a, 0);
    }
    Ok(plan)
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("rampart scan: {msg}");
    ExitCode::from(2)
}

/// Runs the scan; exit 0 ok, 1 `--fail-on` met, 2 error.
pub async fn run(args: ScanArgs) -> ExitCode {
    let plan = match plan(&args) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let format = match rampart_report::Format::parse(&args.format) {
        Some(f) => f,
        None => return fail(format!("unknown format {:?}", args.format)),
    };
    if let Some(path) = &args.output {
        if let Err(e) = writable(path) {
            return fail(e);
        }
    }
    let transport = match ReqwestTransport::new(args.insecure) {
        Ok(t) => Arc::new(t),
        Err(e) => return fail(e),
    };
    let started = chrono::Utc::now();
    let browser = args.browser.then(|| {
        Arc::new(rampart_browser::Chromium::new(
            rampart_browser::BrowserOptions {
                pages: args.browser_pages.max(1),
                ..Default::default()
            },
        )) as Arc<dyn rampart_engine::crawl::BrowserCrawler>
    });
    let (handle, mut rx) = match rampart_engine::start(plan, transport, browser) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(Duration::from_millis(200));
        b
    });
    // Ctrl-C stops the scan gracefully: in-flight work finishes and the report is written.
    let stopper = tokio::spawn({
        let control = handle.control_clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                control.stop();
            }
        }
    });
    let mut log = Vec::new();
    let mut summary = None;
    while let Some(e) = rx.recv().await {
        match e {
            Event::Progress(p) => {
                if let Some(b) = &bar {
                    b.set_message(format!(
                        "crawled {} | queued {} | attacks {}/{} | requests {} ({} failed) | findings {}",
                        p.links_crawled, p.links_in_queue, p.attacked, p.attacked + p.attacks_in_queue, p.requests, p.failed_requests, p.vulnerable
                    ));
                }
            }
            Event::Finding(f) => {
                let line = crate::term::safe(&format!(
                    "[{}] {} {} {}",
                    f.severity, f.name, f.root_cause_url, f.root_cause_parameter
                ))
                .into_owned();
                match &bar {
                    Some(b) => b.println(line),
                    None => eprintln!("{line}"),
                }
            }
            Event::Log { level, message } => push_log(&mut log, level, message),
            Event::LimitReached { detail, .. } => push_log(&mut log, Level::Warn, detail),
            Event::SessionLost { message } => push_log(&mut log, Level::Warn, message),
            Event::LoggedIn => push_log(&mut log, Level::Info, "logged in".into()),
            Event::Finished(s) => {
                summary = Some(*s);
                break;
            }
            Event::Variance { .. } | Event::Skipped { .. } => {}
        }
    }
    stopper.abort();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = match summary {
        Some(s) => s,
        None => match handle.wait().await {
            Ok(s) => s,
            Err(e) => return fail(e),
        },
    };
    let unreachable = summary.target_unreachable();
    let run = RunInfo {
        tool: rampart_report::Tool {
            name: "rampart".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: args.url.clone(),
        template: args.template.clone(),
        started_at: started,
        finished_at: chrono::Utc::now(),
    };
    let model = local::from_scan(run, summary, log);
    let out = match rampart_report::render_bytes(&model, format) {
        Ok(j) => j,
        Err(e) => return fail(e),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, out) {
                return fail(format!("cannot write {}: {e}", path.display()));
            }
        }
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            let nl: &[u8] = if format.is_text() { b"\n" } else { b"" };
            if let Err(e) = o.write_all(&out).and_then(|_| o.write_all(nl)) {
                return fail(format!("cannot write the report: {e}"));
            }
        }
    }
    print_summary(&model);
    if unreachable {
        return fail(format!(
            "the target could not be reached: all {} requests failed (is {} up and reachable from here?)",
            model.summary.progress.requests, args.url
        ));
    }
    if model.summary.outcome == Outcome::Failed {
        return fail(
            model
                .summary
                .error
                .clone()
                .unwrap_or_else(|| "the scan failed".into()),
        );
    }
    match args.fail_on {
        Some(t) => {
            let over: Vec<_> = model.findings.iter().filter(|f| f.severity >= t).collect();
            if over.is_empty() {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "rampart scan: --fail-on {t}: {} finding(s) at {t} or above:",
                over.len()
            );
            for f in over.iter().take(20) {
                eprintln!(
                    "  {}",
                    crate::term::safe(&format!(
                        "[{}] {} {} {}",
                        f.severity, f.name, f.root_cause_url, f.root_cause_parameter
                    ))
                );
            }
            if over.len() > 20 {
                eprintln!("  … and {} more", over.len() - 20);
            }
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    }
}

/// `--output` is checked before the scan: its directory must exist and the file be
/// writable, so a long scan does not end in "cannot write".
fn writable(path: &std::path::Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "--output {}: the directory {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    if path.is_dir() {
        return Err(format!("--output {} is a directory", path.display()));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("--output {}: cannot write: {e}", path.display()))?;
    if !existed {
        // Only a probe: the report creates it.
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

fn push_log(log: &mut Vec<LogLine>, level: Level, message: String) {
    if log.len() < MAX_LOG {
        log.push(LogLine { level, message });
    }
}

fn print_summary(m: &ReportModel) {
    let s = &m.summary;
    let p = &s.progress;
    eprintln!(
        "rampart scan {:?} in {:.1}s: {} pages crawled, {} requests ({} failed), {} findings",
        s.outcome,
        s.duration_ms as f64 / 1000.0,
        p.links_crawled,
        p.requests,
        p.failed_requests,
        m.findings.len()
    );
    for sev in Severity::ALL.iter().rev() {
        let n = m.findings.iter().filter(|f| f.severity == *sev).count();
        if n > 0 {
            eprintln!("  {sev}: {n}");
        }
    }
    if !s.limits_reached.is_empty() {
        eprintln!("  limits reached: {:?}", s.limits_reached);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ScanArgs,
    }

    #[test]
    fn arguments_become_a_plan() {
        let cli = Cli::parse_from([
            "rampart",
            "http://h/app/x",
            "--exclude",
            "*/logout*",
            "--header",
            "X-A: 1",
            "--max-duration",
            "10m",
            "--rate",
            "4",
            "--fail-on",
            "high",
            "--template",
            "SQL Injection",
        ]);
        let p = plan(&cli.args).unwrap();
        assert_eq!(p.scope.len(), 2);
        assert_eq!(p.scope[0].pattern, "http://h/app/*");
        assert_eq!(p.limits.max_duration, Duration::from_secs(600));
        assert_eq!(p.limits.min_request_gap, Duration::from_millis(250));
        assert!(p.modules.is_enabled("sqli") && !p.modules.is_enabled("cmdi"));
        assert_eq!(cli.args.fail_on, Some(Severity::High));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_duration("5 parsecs").is_err());
    }
}
