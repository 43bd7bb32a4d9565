//! `rampart onboard -f apps.yaml`: creates the apps, targets and scan configs of a file that
//! are missing (`rampart_automation::onboard`); `--dry-run` prints the plan.

use crate::remote::{exit, fail, ServerArgs};
use clap::Args;
use rampart_automation::onboard::{onboard, OnboardFile};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `rampart onboard`.
#[derive(Debug, Args)]
pub struct OnboardArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The onboarding file (YAML; see examples/onboard.yaml).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// Print what would be created, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(args: OnboardArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                "onboard",
                format!("cannot read {}: {e}", args.file.display()),
            )
        }
    };
    let mut file = match OnboardFile::parse(&text) {
        Ok(f) => f,
        Err(e) => return fail("onboard", format!("{}: {e}", args.file.display())),
    };
    // App files are read relative to the onboarding file.
    let base = args.file.parent().unwrap_or(std::path::Path::new("."));
    if let Err(e) = file.read_files(base) {
        return fail("onboard", format!("{}: {e}", args.file.display()));
    }
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("onboard", e),
    };
    let created = match onboard(&client, &file, args.dry_run, &mut |l| println!("{l}")).await {
        Ok(n) => n,
        Err(e) => return fail("onboard", e),
    };
    match (created, args.dry_run) {
        (0, _) => println!("nothing to do: everything exists"),
        (n, true) => println!("{n} object(s) would be created (dry run: nothing changed)"),
        (n, false) => println!("{n} object(s) created"),
    }
    ExitCode::from(exit::OK)
}
