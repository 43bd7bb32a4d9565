//! `rampart report --scan ID | --pairs FILE --format F --output PATH`: renders a server scan
//! (or the latest COMPLETE scan of each app/config pair, in one report); the model is
//! assembled by `rampart_automation::report`, rendered by rampart-report.

use crate::remote::{fail, ServerArgs};
use clap::Args;
use rampart_automation::report::{assemble, latest_of_pairs, parse_pairs};
use rampart_report::{Format, Tool};
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;

/// Arguments of `rampart report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The scan to report on.
    #[arg(long, conflicts_with = "pairs", required_unless_present_any = ["pairs", "server_side"])]
    pub scan: Option<Uuid>,
    /// A YAML list of `{app: NAME|ID, config: NAME|ID}`: the latest COMPLETE scan of each.
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// json, sarif, html, csv, junit, markdown or pdf (see docs/report-formats.md); with
    /// --server-side: pdf, html (a zip) or csv, as the report type allows.
    #[arg(long, default_value = "json", value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES.iter().copied()))]
    pub format: String,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub server_side: crate::server_report::ServerSideArgs,
}

pub async fn run(args: ReportArgs) -> ExitCode {
    if args.server_side.server_side {
        return crate::server_report::run(args).await;
    }
    let Some(format) = Format::parse(&args.format) else {
        return fail("report", format!("unknown format {:?}", args.format));
    };
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("report", e),
    };
    let ids: Vec<Uuid> = match (&args.scan, &args.pairs) {
        (Some(id), _) => vec![*id],
        (None, Some(path)) => {
            let pairs = match std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|t| parse_pairs(&t))
            {
                Ok(p) => p,
                Err(e) => return fail("report", format!("{}: {e}", path.display())),
            };
            match latest_of_pairs(&client, &pairs).await {
                Ok(ids) => ids,
                Err(e) => return fail("report", e),
            }
        }
        (None, None) => return fail("report", "give --scan ID or --pairs FILE"),
    };
    let tool = Tool {
        name: "rampart".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let m = match assemble(&client, tool, &ids).await {
        Ok(m) => m,
        Err(e) => return fail("report", e),
    };
    let out = match rampart_report::render_bytes(&m, format) {
        Ok(o) => o,
        Err(e) => return fail("report", e),
    };
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, out) {
                return fail("report", format!("cannot write {}: {e}", p.display()));
            }
            eprintln!(
                "rampart report: {} finding(s) from {} scan(s) written to {}",
                m.findings.len(),
                ids.len(),
                p.display()
            );
        }
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            if let Err(e) = o.write_all(&out).and_then(|_| {
                if format.is_text() {
                    o.write_all(b"\n")
                } else {
                    Ok(())
                }
            }) {
                return fail("report", format!("cannot write the report: {e}"));
            }
        }
    }
    ExitCode::SUCCESS
}
