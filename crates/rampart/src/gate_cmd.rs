//! `rampart gate --policy NAME [--app NAME|ID] [--format text|json]`: evaluates an AppSec+
//! policy on the server now (`POST /v1/policies/{id}/evaluate`) and exits by its verdict:
//! 0 `pass` or `warn`, 1 `fail`, 2 an error. For CI steps that gate on findings of every type
//! (imported SAST/SCA/container results and DAST scans) without running a scan.

use crate::remote::{exit, fail, ServerArgs};
use crate::term::safe;
use clap::Args;
use rampart_automation::gate::{evaluate_policy, policy_failures};
use rampart_automation::lookup::find_app;
use std::process::ExitCode;

/// Arguments of `rampart gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The policy (name or id) to evaluate.
    #[arg(long, value_name = "NAME|ID")]
    pub policy: String,
    /// Evaluate one application's findings (name or id); default: every application the
    /// credentials can see.
    #[arg(long, value_name = "NAME|ID")]
    pub app: Option<String>,
    /// text (a verdict line and the deciding findings) or json (the evaluation).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

pub async fn run(args: GateArgs) -> ExitCode {
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("gate", e),
    };
    let app = match &args.app {
        Some(a) => match find_app(&client, a).await {
            Ok(app) => app.id,
            Err(e) => return fail("gate", e),
        },
        None => None,
    };
    let (policy, evaluation) = match evaluate_policy(&client, &args.policy, app).await {
        Ok(x) => x,
        Err(e) => return fail("gate", e),
    };
    let failures = policy_failures(&policy, &evaluation);
    if args.format == "json" {
        match serde_json::to_string_pretty(&evaluation) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail("gate", e),
        }
    } else {
        println!(
            "{}",
            safe(&format!(
                "policy {:?} ({}): {} — {} finding(s) matched of the {} in its scope (application and minimum severity)",
                policy.name,
                policy.kind,
                evaluation.result,
                evaluation.matched,
                evaluation.evaluated
            ))
        );
        for v in &evaluation.deciding_findings {
            let due = v
                .sla_due_at
                .as_deref()
                .map(|d| format!(" (due {d})"))
                .unwrap_or_default();
            println!(
                "{}",
                safe(&format!(
                    "  {:<8} {:<9} {}  {}{due}",
                    v.severity,
                    v.scan_type,
                    v.title,
                    v.location.as_deref().unwrap_or("")
                ))
            );
        }
        for f in &failures {
            eprintln!("{}", safe(f));
        }
    }
    ExitCode::from(if failures.is_empty() {
        exit::OK
    } else {
        exit::GATE
    })
}
