//! `rampart run --app NAME --config NAME …`: submits scans on a server, waits for them with a
//! live status line, cancels on `--timeout`, then gates (`rampart_automation::run`). Exit 0
//! passed, 1 a gate failed, 2 a scan failed or a usage/runtime error. Several `--app/--config`
//! pairs run concurrently.

use crate::remote::{exit, fail, parse_duration, ServerArgs};
use clap::Args;
use rampart_api_types::ias::{ScanExecutionDetails, Vulnerability};
use rampart_automation::gate::{metrics, parse_severity, Gate};
use rampart_automation::run::{module_names, run_pair, PairResult, RunOptions, StatusSink};
use rampart_domain::Severity;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
    /// Fail (exit 1) when this AppSec+ policy (name or id), evaluated by the server over
    /// the app's findings of every type, answers `fail` (a `block` gate over its threshold,
    /// or an SLA policy with overdue findings).
    #[arg(long, value_name = "NAME|ID")]
    pub policy: Option<String>,
    /// Write a metrics JSON (status, counts by severity and module, gate result).
    #[arg(long, value_name = "PATH")]
    pub metrics: Option<PathBuf>,
    /// Write the scans' findings (vulnerabilities, JSON array).
    #[arg(long, value_name = "PATH")]
    pub findings: Option<PathBuf>,
}

/// The status line of one scan: a spinner on a terminal, else one line per status change.
struct Line {
    bar: Option<indicatif::ProgressBar>,
    label: String,
    last: String,
}

impl StatusSink for Line {
    fn label(&mut self, label: String) {
        self.label = label;
    }

    fn status(&mut self, status: &str, d: Option<&ScanExecutionDetails>) {
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
        let msg = crate::term::safe(&msg).into_owned();
        match &self.bar {
            Some(b) => b.set_message(msg),
            // Not a terminal: one line per status change, no counters noise.
            None if self.last != status => {
                eprintln!(
                    "{}",
                    crate::term::safe(&format!("{}: {status}", self.label))
                )
            }
            None => {}
        }
        self.last = status.to_string();
    }
}

impl Line {
    fn done(&self, r: &PairResult) {
        let msg = match (&r.error, r.gate_failures.is_empty()) {
            (Some(e), _) => format!("{}: {e}", self.label),
            (None, false) => format!("{}: gate failed", self.label),
            (None, true) => format!("{}: passed", self.label),
        };
        let msg = crate::term::safe(&msg).into_owned();
        match &self.bar {
            Some(b) => b.finish_with_message(msg),
            None => eprintln!("{msg}"),
        }
    }
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
    let opts = RunOptions {
        timeout: args.timeout,
        poll_interval: args.poll_interval,
        gate: Gate {
            fail_on: args.fail_on,
            query: args.gate.clone(),
            policy: args.policy.clone(),
        },
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
        let mut line = Line {
            bar,
            label: format!("{a} / {c}"),
            last: String::new(),
        };
        let (client, opts) = (&client, &opts);
        async move {
            let r = run_pair(client, opts, a, c, &mut line).await;
            line.done(&r);
            r
        }
    });
    let results: Vec<PairResult> = futures::future::join_all(tasks).await;
    let modules = module_names(&client).await;
    let mut code = exit::OK;
    for r in &results {
        code = code.max(r.exit_code());
        println!("{}", crate::term::safe(&r.summary_line()));
    }
    if let Some(p) = &args.metrics {
        let doc = metrics(&results, &modules, &opts.gate);
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
