//! Scan and gate: submits a scan of an app/config pair, waits for it (reporting its status
//! to a [`StatusSink`]), cancels it on timeout, reads its findings and applies the gate.

use crate::exit;
use crate::gate::Gate;
use crate::lookup::{find_app, find_config};
use rampart_api_types::ias::{ScanExecutionDetails, Vulnerability};
use rampart_client::Client;
use rampart_domain::Severity;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;
use uuid::Uuid;

/// How a run waits and what it gates on.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Cancel a scan still running after this long (and report an error).
    pub timeout: Option<Duration>,
    /// How often to ask the server for the scan's status.
    pub poll_interval: Duration,
    pub gate: Gate,
}

/// Where a running scan's status goes (a terminal line, a log, nothing).
pub trait StatusSink {
    /// The scan was submitted: what to call it from now on.
    fn label(&mut self, label: String);
    /// The scan's status and, when the server has them, its live counters.
    fn status(&mut self, status: &str, details: Option<&ScanExecutionDetails>);
}

/// A sink that drops everything.
pub struct Quiet;

impl StatusSink for Quiet {
    fn label(&mut self, _: String) {}
    fn status(&mut self, _: &str, _: Option<&ScanExecutionDetails>) {}
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

    /// 0 passed, 1 the gate failed, 2 an error.
    pub fn exit_code(&self) -> u8 {
        if self.error.is_some() {
            exit::ERROR
        } else if !self.gate_failures.is_empty() {
            exit::GATE
        } else {
            exit::OK
        }
    }

    /// `passed`, `gate failed: …` or `error: …`.
    pub fn verdict(&self) -> String {
        match (&self.error, self.gate_failures.is_empty()) {
            (Some(e), _) => format!("error: {e}"),
            (None, false) => format!("gate failed: {}", self.gate_failures.join("; ")),
            (None, true) => "passed".into(),
        }
    }

    /// `app / config: scan ID STATUS, N finding(s) (HIGH 1, …) - verdict`.
    pub fn summary_line(&self) -> String {
        let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
        for v in &self.vulnerabilities {
            if let Some(s) = v.severity.as_deref().and_then(Severity::parse) {
                *counts.entry(s).or_default() += 1;
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .rev()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        format!(
            "{} / {}: scan {} {}, {} finding(s){} - {}",
            self.app,
            self.config,
            self.scan_id
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into()),
            self.status.as_deref().unwrap_or("not submitted"),
            self.vulnerabilities.len(),
            if counts.is_empty() {
                String::new()
            } else {
                format!(" ({})", counts.join(", "))
            },
            self.verdict()
        )
    }
}

const TERMINAL: &[&str] = &["COMPLETE", "FAILED"];

/// Runs one app/config pair to its verdict; never fails, the error is in the result.
pub async fn run_pair(
    c: &Client,
    opts: &RunOptions,
    app: &str,
    config: &str,
    sink: &mut dyn StatusSink,
) -> PairResult {
    let mut r = PairResult::new(app, config);
    if let Err(e) = drive(c, opts, &mut r, sink).await {
        r.error = Some(e);
    }
    r
}

async fn drive(
    c: &Client,
    opts: &RunOptions,
    r: &mut PairResult,
    sink: &mut dyn StatusSink,
) -> Result<(), String> {
    let app = find_app(c, &r.app).await?;
    let cfg = find_config(c, &app, &r.config).await?;
    let cfg_id = cfg.id.ok_or("the scan config has no id")?;
    let scan_id = c
        .submit_scan(cfg_id)
        .await
        .map_err(|e| format!("cannot submit the scan: {e}"))?;
    r.scan_id = Some(scan_id);
    sink.label(format!("{} / {} (scan {scan_id})", app.name, cfg.name));
    let started = Instant::now();
    let deadline = opts.timeout.map(|t| started + t);
    let scan = loop {
        let scan = c.get_scan(scan_id).await.map_err(|e| e.to_string())?;
        let status = scan.status.clone().unwrap_or_else(|| "UNKNOWN".into());
        if TERMINAL.contains(&status.as_str()) {
            break scan;
        }
        // Counters are best effort: a scan not yet started may have none.
        let details = c.execution_details(scan_id).await.ok();
        sink.status(&status, details.as_ref());
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
                    humantime::format_duration(opts.timeout.unwrap_or_default())
                ));
            }
        }
        let wait = match deadline {
            Some(d) => opts
                .poll_interval
                .min(d.saturating_duration_since(Instant::now())),
            None => opts.poll_interval,
        };
        // Polling the server is the protocol here (no push channel for scan status).
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
    r.gate_failures = opts
        .gate
        .check(c, scan_id, app.id, &r.vulnerabilities)
        .await?;
    Ok(())
}

/// The module names of the server by id (empty when it cannot say), for metrics and reports.
pub async fn module_names(c: &Client) -> BTreeMap<Uuid, String> {
    match c.modules().await {
        Ok(ms) => ms.into_iter().map(|m| (m.id, m.name)).collect(),
        Err(_) => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_and_exit_code_follow_error_then_gate() {
        let mut r = PairResult::new("shop", "full");
        assert_eq!((r.exit_code(), r.verdict().as_str()), (0, "passed"));
        r.vulnerabilities.push(Vulnerability {
            severity: Some("HIGH".into()),
            ..Default::default()
        });
        r.gate_failures.push("1 finding(s) at or above HIGH".into());
        assert_eq!(r.exit_code(), exit::GATE);
        assert_eq!(
            r.summary_line(),
            "shop / full: scan - not submitted, 1 finding(s) (HIGH 1) - gate failed: 1 finding(s) at or above HIGH"
        );
        r.error = Some("scan FAILED (TARGETS_INVALID)".into());
        assert_eq!(r.exit_code(), exit::ERROR);
        assert_eq!(r.verdict(), "error: scan FAILED (TARGETS_INVALID)");
    }
}
