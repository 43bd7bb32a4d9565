//! `rampart report --server-side --type T --format F [--scan ID | --app NAME] [--filter Q]
//! [--output FILE]`: asks the server to generate a report (`POST /ias/v1/reports`), waits
//! for it with a progress line, and saves it (the waiting is
//! `rampart_automation::server_report`).

use crate::remote::fail;
use crate::report_cmd::ReportArgs;
use clap::Args;
use rampart_automation::server_report::{request_and_wait, ServerReportRequest, Waiting};
use rampart_report::{DocFormat, ReportType};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// The `--server-side` options of `rampart report`.
#[derive(Debug, Args)]
pub struct ServerSideArgs {
    /// Generate the report on the server (PDF, HTML or CSV; every report type of the API).
    #[arg(long = "server-side")]
    pub server_side: bool,
    /// The report type, e.g. VULN_SUMMARY, OWASP_2021_COMPLIANCE, EXEC_ALL_APPS_ALL_VULNS.
    #[arg(long = "type", value_name = "TYPE", requires = "server_side")]
    pub kind: Option<String>,
    /// The app (name or id) of a single-app executive report.
    #[arg(long, requires = "server_side", conflicts_with = "pairs")]
    pub app: Option<String>,
    /// A search-language query over vulnerabilities, e.g. "vulnerability.severity = 'HIGH'".
    #[arg(long, requires = "server_side")]
    pub filter: Option<String>,
    /// The report's name (default: the type and the date).
    #[arg(long, requires = "server_side")]
    pub name: Option<String>,
    /// How long to wait for the server to generate it, in seconds.
    #[arg(long, default_value_t = 600, requires = "server_side")]
    pub wait_seconds: u64,
}

pub async fn run(args: ReportArgs) -> ExitCode {
    let s = &args.server_side;
    let Some(kind) = s.kind.as_deref() else {
        return fail(
            "report",
            "--server-side needs --type, e.g. --type VULN_SUMMARY",
        );
    };
    let Some(kind) = ReportType::parse(&kind.to_ascii_uppercase()) else {
        let names: Vec<_> = ReportType::ALL.iter().map(|t| t.wire()).collect();
        return fail(
            "report",
            format!("unknown report type {kind:?}: one of {}", names.join(", ")),
        );
    };
    let Some(format) = DocFormat::parse(&args.format.to_ascii_uppercase()) else {
        return fail(
            "report",
            format!(
                "--server-side reports are pdf, html or csv, not {:?}",
                args.format
            ),
        );
    };
    if args.output.is_none() && format != DocFormat::Csv {
        return fail("report", "give --output FILE for a pdf or html report");
    }
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("report", e),
    };
    let req = ServerReportRequest {
        name: s.name.clone().unwrap_or_else(|| {
            format!("{} {}", kind.wire(), chrono::Utc::now().format("%Y-%m-%d"))
        }),
        kind: kind.wire().to_string(),
        format: format.wire().to_string(),
        content_type: format.content_type(),
        scan: args.scan,
        app: s.app.clone(),
        filter: s.filter.clone(),
    };
    let wait = Waiting {
        deadline: Duration::from_secs(s.wait_seconds),
        every: Duration::from_millis(500),
    };
    let spinner = ['|', '/', '-', '\\'];
    let mut polls = 0usize;
    let got = request_and_wait(&client, &req, wait, |id, waited| {
        polls += 1;
        eprint!(
            "\rrampart report: generating {id} on the server {} {}s",
            spinner[polls % spinner.len()],
            waited.as_secs()
        );
        let _ = std::io::stderr().flush();
    })
    .await;
    eprintln!();
    let (id, bytes) = match got {
        Ok(x) => x,
        Err(e) => return fail("report", e),
    };
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &bytes) {
                return fail("report", format!("cannot write {}: {e}", p.display()));
            }
            eprintln!(
                "rampart report: report {id} ({} bytes) written to {}",
                bytes.len(),
                p.display()
            );
        }
        None => {
            let _ = std::io::stdout().write_all(&bytes);
        }
    }
    ExitCode::SUCCESS
}
