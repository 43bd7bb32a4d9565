//! `rampart run --app NAME --config NAME …`: submits scans on a server, waits for them with a
//! live status line, cancels on `--timeout`, then gates. Exit 0 passed, 1 a gate failed,
//! 2 a scan failed or a usage/runtime error. Several `--app/--config` pairs run concurrently.

use crate::remote::{exit, fail, find_app, find_config, parse_duration, ServerArgs};
use clap::Args;
use rampart_api_types::ias::{ScanExecutionDetails, Vulnerability};
use rampart_client::Client;
use rampart_domain::Severity;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::time::Instant;
use uuid::Uuid;

/// Arguments of `rampart run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// App name or id; repeat with `--config` for several scans (paired in order).
    #[arg(long = "app", required = true, value_name = "NAME|ID")]
    pub apps: Vec<String>,
    /// Scan config name or id (of the `--app` at the same position).
    #[arg(long = "config", required = true, value_name = "NAME|ID")]
    pub configs: Vec<String>,
    /// Cancel a scan still running after this long (`90s`, `10m`, `1h`) and exit 2.
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// How often to ask the server for the scan's status.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub poll_interval: Duration,
    /// Fail (exit 1) when the scan found a vulnerability of at least this severity
    /// (FALSE_POSITIVE and IGNORED ones do not count).
    #[arg(long, value_parser = parse_severity, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Fail (exit 1) when this VULNERABILITY search matches a finding of the scan, e.g.
    /// `vulnerability.severity='HIGH' || vulnerability.severity='CRITICAL'`.
    #[arg(long, value_name = "QUERY")]
    pub gate: Option<String>,
    /// Write a metrics JSON (status, counts by severity and module, gate result).
    #[arg(long, value_name = "PATH")]
    pub metrics: Option<PathBuf>,
    /// Write the scans' findings (vulnerabilities, JSON array).
    #[arg(long, value_name = "PATH")]
    pub findings: Option<PathBuf>,
}

pub fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(&s.trim().to_ascii_uppercase()).ok_or_else(|| {
        format!("unknown severity {s:?}: use CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or SAFE")
    })
}

/// What happened to one pair.
#[derive(Debug)]
pub struct PairResult {
    pub app: String,
    pub config: String,
    pub scan_id: Option<Uuid>,
    pub status: Option<String>,
    pub failure_reason: Option<String>,
    pub details: Option<ScanExecutionDetails>,
    pub vulnerabilities: Vec<Vulnerability>,
    /// Why the gate failed (empty: passed).
    pub gate_failures: Vec<String>,
    /// A failed scan, a timeout or a runtime error.
    pub error: Option<String>,
}

impl PairResult {
    fn new(app: &str, config: &str) -> Self {
        Self {
            app: app.to_string(),
            config: config.to_string(),
            scan_id: None,
            status: None,
            failure_reason: None,
            details: None,
            vulnerabilities: vec![],
            gate_failures: vec![],
            error: None,
        }
    }

    pub fn exit_code(&self) -> u8 {
        if self.error.is_some() {
            exit::ERROR
        } else if !self.gate_failures.is_empty() {
            exit::GATE
        } else {
            exit::OK
        }
    }
}

/// The status line of one scan.
struct Line {
    bar: Option<indicatif::ProgressBar>,
    label: String,
    last: String,
}

impl Line {
    fn show(&mut self, status: &str, d: Option<&ScanExecutionDetails>) {
        let msg = match d {
            Some(d) => format!(
                "{}: {status} | crawled {} (queued {}) | attacked {}/{} | requests {} ({} failed) | vulnerable {}",
                self.label,
                d.links_crawled,
                d.links_in_queue,
                d.attacked,
                d.attacked + d.attacks_in_queue,
                d.requests,
                d.failed_requests,
                d.vulnerable
            ),
            None => format!("{}: {status}", self.label),
        };
        match &self.bar {
            Some(b) => b.set_message(msg),
            // Not a terminal: one line per status change, no counters noise.
            None if self.last != status => eprintln!("{}: {status}", self.label),
            None => {}
        }
        self.last = status.to_string();
    }

    fn done(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.finish_with_message(msg.to_string()),
            None => eprintln!("{msg}"),
        }
    }
}

const TERMINAL: &[&str] = &["COMPLETE", "FAILED"];

async fn one(
    c: &Client,
    args: &RunArgs,
    app_name: &str,
    config_name: &str,
    mut line: Line,
) -> PairResult {
    let mut r = PairResult::new(app_name, config_name);
    if let Err(e) = drive(c, args, &mut r, &mut line).await {
        r.error = Some(e);
    }
    let msg = match (&r.error, r.gate_failures.is_empty()) {
        (Some(e), _) => format!("{}: {e}", line.label),
        (None, false) => format!("{}: gate failed", line.label),
        (None, true) => format!("{}: passed", line.label),
    };
    line.done(&msg);
    r
}

async fn drive(
    c: &Client,
    args: &RunArgs,
    r: &mut PairResult,
    line: &mut Line,
) -> Result<(), String> {
    let app = find_app(c, &r.app).await?;
    let cfg = find_config(c, &app, &r.config).await?;
    let cfg_id = cfg.id.ok_or("the scan config has no id")?;
    let scan_id = c
        .submit_scan(cfg_id)
        .await
        .map_err(|e| format!("cannot submit the scan: {e}"))?;
    r.scan_id = Some(scan_id);
    line.label = format!("{} / {} (scan {scan_id})", app.name, cfg.name);
    let started = Instant::now();
    let deadline = args.timeout.map(|t| started + t);
    let scan = loop {
        let scan = c.get_scan(scan_id).await.map_err(|e| e.to_string())?;
        let status = scan.status.clone().unwrap_or_else(|| "UNKNOWN".into());
        if TERMINAL.contains(&status.as_str()) {
            break scan;
        }
        // Counters are best effort: a scan not yet started may have none.
        let details = c.execution_details(scan_id).await.ok();
        line.show(&status, details.as_ref());
        r.details = details;
        if let Some(d) = deadline {
            if Instant::now() >= d {
                let cancelled = match c.scan_action(scan_id, "CANCEL").await {
                    Ok(()) => "the scan was cancelled".to_string(),
                    Err(e) => format!("cancelling the scan failed: {e}"),
                };
                r.status = Some(status);
                return Err(format!(
                    "timed out after {} ({cancelled})",
                    humantime::format_duration(args.timeout.unwrap_or_default())
                ));
            }
        }
        let wait = match deadline {
            Some(d) => args
                .poll_interval
                .min(d.saturating_duration_since(Instant::now())),
            None => args.poll_interval,
        };
        tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
    };
    r.status = scan.status.clone();
    r.failure_reason = scan.failure_reason.clone();
    if let Ok(d) = c.execution_details(scan_id).await {
        r.details = Some(d);
    }
    if scan.status.as_deref() == Some("FAILED") {
        // The platform log says why in words ("not under an enabled target: …").
        let why = c
            .platform_events(scan_id)
            .await
            .ok()
            .and_then(|evs| {
                evs.into_iter()
                    .rev()
                    .find_map(|e| e.event.strip_prefix("Scan failed: ").map(str::to_string))
            })
            .map(|w| format!(": {w}"))
            .unwrap_or_default();
        return Err(format!(
            "scan FAILED ({}{why})",
            scan.failure_reason.as_deref().unwrap_or("no reason given")
        ));
    }
    r.vulnerabilities = c
        .scan_vulnerabilities(scan_id, None)
        .all()
        .await
        .map_err(|e| format!("cannot read the findings: {e}"))?;
    if let Some(t) = args.fail_on {
        let n = r
            .vulnerabilities
            .iter()
            .filter(|v| counts_for_gate(v))
            .filter(|v| {
                v.severity
                    .as_deref()
                    .and_then(Severity::parse)
                    .is_some_and(|s| s >= t)
            })
            .count();
        if n > 0 {
            r.gate_failures
                .push(format!("{n} finding(s) at or above {t}"));
        }
    }
    if let Some(q) = &args.gate {
        let hits = c
            .scan_vulnerabilities(scan_id, Some(q))
            .all()
            .await
            .map_err(|e| format!("the --gate query failed: {e}"))?;
        if !hits.is_empty() {
            r.gate_failures
                .push(format!("{} finding(s) match --gate {q:?}", hits.len()));
        }
    }
    Ok(())
}

fn counts_for_gate(v: &Vulnerability) -> bool {
    !matches!(v.status.as_deref(), Some("FALSE_POSITIVE" | "IGNORED"))
}

/// The metrics document of `rampart run` (see docs/automation.md).
pub fn metrics(results: &[PairResult], modules: &BTreeMap<Uuid, String>, args: &RunArgs) -> Value {
    let scans: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut by_sev: BTreeMap<&str, usize> =
                Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
            let mut by_module: BTreeMap<String, usize> = BTreeMap::new();
            for v in &r.vulnerabilities {
                if let Some(s) = v.severity.as_deref().and_then(Severity::parse) {
                    *by_sev.entry(s.as_str()).or_default() += 1;
                }
                let m = v
                    .variances
                    .first()
                    .map(|x| {
                        modules
                            .get(&x.module.id)
                            .cloned()
                            .unwrap_or_else(|| x.module.id.to_string())
                    })
                    .unwrap_or_else(|| "unknown".into());
                *by_module.entry(m).or_default() += 1;
            }
            json!({
                "app": r.app,
                "scan_config": r.config,
                "scan_id": r.scan_id,
                "status": r.status,
                "failure_reason": r.failure_reason,
                "result": match r.exit_code() { exit::OK => "passed", exit::GATE => "gate_failed", _ => "error" },
                "error": r.error,
                "findings": r.vulnerabilities.len(),
                "by_severity": by_sev,
                "by_module": by_module,
                "execution_details": r.details,
                "gate": {
                    "fail_on": args.fail_on.map(|s| s.as_str()),
                    "query": args.gate,
                    "failures": r.gate_failures,
                },
            })
        })
        .collect();
    json!({ "schema": "rampart.run-metrics/1", "scans": scans })
}

pub async fn run(args: RunArgs) -> ExitCode {
    if args.apps.len() != args.configs.len() {
        return fail(
            "run",
            format!(
                "{} --app but {} --config: give one --config per --app",
                args.apps.len(),
                args.configs.len()
            ),
        );
    }
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("run", e),
    };
    let multi = std::io::stderr()
        .is_terminal()
        .then(indicatif::MultiProgress::new);
    let tasks = args.apps.iter().zip(&args.configs).map(|(a, c)| {
        let bar = multi.as_ref().map(|m| {
            let b = m.add(indicatif::ProgressBar::new_spinner());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        let line = Line {
            bar,
            label: format!("{a} / {c}"),
            last: String::new(),
        };
        one(&client, &args, a, c, line)
    });
    let results: Vec<PairResult> = futures::future::join_all(tasks).await;
    let modules: BTreeMap<Uuid, String> = match client.modules().await {
        Ok(ms) => ms.into_iter().map(|m| (m.id, m.name)).collect(),
        Err(_) => BTreeMap::new(),
    };
    let mut code = exit::OK;
    for r in &results {
        code = code.max(r.exit_code());
        let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
        for v in &r.vulnerabilities {
            if let Some(s) = v.severity.as_deref().and_then(Severity::parse) {
                *counts.entry(s).or_default() += 1;
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .rev()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let verdict = match (&r.error, r.gate_failures.is_empty()) {
            (Some(e), _) => format!("error: {e}"),
            (None, false) => format!("gate failed: {}", r.gate_failures.join("; ")),
            (None, true) => "passed".into(),
        };
        println!(
            "{} / {}: scan {} {}, {} finding(s){} - {verdict}",
            r.app,
            r.config,
            r.scan_id
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into()),
            r.status.as_deref().unwrap_or("not submitted"),
            r.vulnerabilities.len(),
            if counts.is_empty() {
                String::new()
            } else {
                format!(" ({})", counts.join(", "))
            },
        );
    }
    if let Some(p) = &args.metrics {
        let doc = metrics(&results, &modules, &args);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        if let Err(e) = std::fs::write(p, text) {
            return fail("run", format!("cannot write {}: {e}", p.display()));
        }
    }
    if let Some(p) = &args.findings {
        let all: Vec<&Vulnerability> = results.iter().flat_map(|r| &r.vulnerabilities).collect();
        let text = serde_json::to_string_pretty(&all).unwrap_or_default();
        if let Err(e) = std::fs::write(p, text) {
            return fail("run", format!("cannot write {}: {e}", p.display()));
        }
    }
    ExitCode::from(code)
}
