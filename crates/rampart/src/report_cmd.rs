//! `rampart report --scan ID | --pairs FILE --format F --output PATH`: renders a server scan
//! (or the latest COMPLETE scan of each app/config pair, in one report) with rampart-report.

use crate::remote::{fail, find_app, find_config, ServerArgs};
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::Args;
use rampart_api_types::ias::{Scan, ScanExecutionDetails, Vulnerability};
use rampart_client::{quote, search_type, Client};
use rampart_domain::Severity;
use rampart_engine::events::{Outcome, Progress};
use rampart_engine::finding::{Confidence, Exchange, Finding, Variance};
use rampart_engine::Summary;
use rampart_report::{Format, ReportModel, Tool};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;

/// Arguments of `rampart report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The scan to report on.
    #[arg(long, conflicts_with = "pairs", required_unless_present = "pairs")]
    pub scan: Option<Uuid>,
    /// A YAML list of `{app: NAME|ID, config: NAME|ID}`: the latest COMPLETE scan of each.
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// json, sarif, html, csv, junit or markdown (see docs/report-formats.md).
    #[arg(long, default_value = "json", value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES.iter().copied()))]
    pub format: String,
    /// Write the report here instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub app: String,
    pub config: String,
}

/// One scan and what the report needs about it.
#[derive(Debug, Clone)]
pub struct ScanData {
    pub scan: Scan,
    pub app: String,
    pub config: String,
    pub template: String,
    /// The first seed URL of the config.
    pub target: String,
    pub details: Option<ScanExecutionDetails>,
    pub vulnerabilities: Vec<Vulnerability>,
}

fn ias_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    let s = s?.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

fn exchange(x: &rampart_api_types::ias::Exchange) -> Exchange {
    Exchange {
        request: x.request.clone(),
        response: x.response.clone(),
    }
}

/// A server vulnerability as a report finding. Module metadata (name, CWE, description)
/// comes from the engine catalogue by module id, else from the server's module names.
pub fn finding(v: &Vulnerability, modules: &BTreeMap<Uuid, String>) -> Finding {
    let module_id = v.variances.first().map(|x| x.module.id).unwrap_or_default();
    let meta = rampart_engine::catalogue()
        .iter()
        .find(|m| m.id.0 == module_id);
    let server_name = modules.get(&module_id).cloned();
    let name = meta
        .map(|m| m.name.to_string())
        .or(server_name.clone())
        .unwrap_or_else(|| "Unknown module".into());
    let key = meta
        .map(|m| m.key.to_string())
        .unwrap_or_else(|| module_id.to_string());
    let rc = v.root_cause.clone().unwrap_or_default();
    Finding {
        id: v.id.unwrap_or_default(),
        module_key: key,
        module_id,
        name,
        severity: v
            .severity
            .as_deref()
            .and_then(Severity::parse)
            .unwrap_or(Severity::Informational),
        confidence: Confidence::Firm,
        root_cause_url: rc.url.clone(),
        root_cause_parameter: rc.parameter.clone().unwrap_or_default(),
        root_cause_method: rc.method.clone(),
        location: None,
        cwe: meta.map(|m| m.cwe).unwrap_or(0),
        cvss_vector: v
            .vector_string
            .clone()
            .or(meta.map(|m| m.cvss_vector.to_string()))
            .unwrap_or_default(),
        variances: v
            .variances
            .iter()
            .map(|x| Variance {
                url: rc.url.clone(),
                attack_id: x.attack.id.clone(),
                attack_value: x.attack_value.clone().unwrap_or_default(),
                proof: x.proof.clone().unwrap_or_default(),
                proof_description: x
                    .proof_description
                    .clone()
                    .or(x.message.clone())
                    .unwrap_or_default(),
                confidence: Confidence::Firm,
                original: x.original_exchange.as_ref().map(exchange),
                attack: x.attack_exchanges.first().map(exchange),
            })
            .collect(),
    }
}

/// One report model for one or more scans.
pub fn model(scans: &[ScanData], modules: &BTreeMap<Uuid, String>) -> ReportModel {
    let join = |f: &dyn Fn(&ScanData) -> String| {
        let mut v: Vec<String> = scans.iter().map(f).collect();
        v.dedup();
        v.join(", ")
    };
    let started = scans
        .iter()
        .filter_map(|s| ias_time(s.scan.submit_time.as_deref()))
        .min()
        .unwrap_or_default();
    let finished = scans
        .iter()
        .filter_map(|s| ias_time(s.scan.completion_time.as_deref()))
        .max()
        .unwrap_or(started);
    let mut progress = Progress::default();
    for d in scans.iter().filter_map(|s| s.details.as_ref()) {
        let u = |n: i64| u64::try_from(n).unwrap_or(0);
        progress.links_in_queue += u(d.links_in_queue);
        progress.links_crawled += u(d.links_crawled);
        progress.attacks_in_queue += u(d.attacks_in_queue);
        progress.attacked += u(d.attacked);
        progress.vulnerable += u(d.vulnerable);
        progress.requests += u(d.requests);
        progress.failed_requests += u(d.failed_requests);
        progress.logged_in |= d.logged_in;
    }
    let all_complete = scans
        .iter()
        .all(|s| s.scan.status.as_deref() == Some("COMPLETE"));
    let failures: Vec<String> = scans
        .iter()
        .filter_map(|s| s.scan.failure_reason.clone())
        .collect();
    ReportModel {
        tool: Tool {
            name: "rampart".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: join(&|s| s.target.clone()),
        template: join(&|s| s.template.clone()),
        started_at: started,
        finished_at: finished,
        summary: Summary {
            outcome: if all_complete {
                Outcome::Complete
            } else {
                Outcome::Failed
            },
            progress,
            duration_ms: u64::try_from((finished - started).num_milliseconds()).unwrap_or(0),
            limits_reached: vec![],
            findings: scans
                .iter()
                .flat_map(|s| &s.vulnerabilities)
                .map(|v| finding(v, modules))
                .collect(),
            crawled: vec![],
            skipped: Default::default(),
            skipped_sample: vec![],
            browser_crawl: "n/a",
            error: (!failures.is_empty()).then(|| failures.join("; ")),
        },
        log: scans
            .iter()
            .map(|s| rampart_report::LogLine {
                level: rampart_engine::events::Level::Info,
                message: format!(
                    "scan {}: app {}, scan config {}, status {}",
                    s.scan.id.map(|i| i.to_string()).unwrap_or_default(),
                    s.app,
                    s.config,
                    s.scan.status.as_deref().unwrap_or("UNKNOWN")
                ),
            })
            .collect(),
    }
}

/// Everything a report needs about one scan.
pub async fn fetch(c: &Client, scan_id: Uuid) -> Result<ScanData, String> {
    let scan = c.get_scan(scan_id).await.map_err(|e| {
        if e.is_not_found() {
            format!("scan {scan_id} not found")
        } else {
            e.to_string()
        }
    })?;
    let (mut app, mut config, mut template, mut target) =
        (String::new(), String::new(), String::new(), String::new());
    if let Some(a) = scan.app {
        app = c.get_app(a.id).await.map(|a| a.name).unwrap_or_default();
    }
    if let Some(cid) = scan.scan_config.map(|r| r.id) {
        if let Ok(cfg) = c.get_scan_config(cid).await {
            config = cfg.name;
            if let Some(t) = cfg.attack_template {
                template = c
                    .get_attack_template(t.id)
                    .await
                    .map(|t| t.name)
                    .unwrap_or_default();
            }
        }
        if let Ok(o) = c.scan_config_options(cid).await {
            target = o.0["crawl_config"]["seed_url_list"][0]["value"]
                .as_str()
                .unwrap_or_default()
                .to_string();
        }
    }
    if target.is_empty() {
        target = format!("{app} / {config}");
    }
    let details = c.execution_details(scan_id).await.ok();
    let vulnerabilities = c
        .scan_vulnerabilities(scan_id, None)
        .all()
        .await
        .map_err(|e| format!("cannot read the findings of scan {scan_id}: {e}"))?;
    Ok(ScanData {
        scan,
        app,
        config,
        template,
        target,
        details,
        vulnerabilities,
    })
}

/// The latest COMPLETE scan of an app/config pair.
pub async fn latest_complete(c: &Client, p: &Pair) -> Result<Uuid, String> {
    let app = find_app(c, &p.app).await?;
    let cfg = find_config(c, &app, &p.config).await?;
    let q = format!(
        "scan.app.id={} && scan.scan_config.id={} && scan.status='COMPLETE'",
        quote(&app.id.unwrap_or_default().to_string()),
        quote(&cfg.id.unwrap_or_default().to_string())
    );
    let scans: Vec<Scan> = c
        .search(search_type::SCAN, &q)
        .all()
        .await
        .map_err(|e| e.to_string())?;
    scans
        .into_iter()
        .filter(|s| s.status.as_deref() == Some("COMPLETE"))
        .max_by(|a, b| a.completion_time.cmp(&b.completion_time))
        .and_then(|s| s.id)
        .ok_or_else(|| format!("{} / {} has no COMPLETE scan", app.name, cfg.name))
}

pub async fn run(args: ReportArgs) -> ExitCode {
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
            let pairs: Vec<Pair> = match std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_yaml::from_str(&t).map_err(|e| e.to_string()))
            {
                Ok(p) => p,
                Err(e) => return fail("report", format!("{}: {e}", path.display())),
            };
            if pairs.is_empty() {
                return fail("report", format!("{}: no pairs", path.display()));
            }
            let mut ids = vec![];
            for p in &pairs {
                match latest_complete(&client, p).await {
                    Ok(id) => ids.push(id),
                    Err(e) => return fail("report", e),
                }
            }
            ids
        }
        (None, None) => return fail("report", "give --scan ID or --pairs FILE"),
    };
    let mut data = vec![];
    for id in ids {
        match fetch(&client, id).await {
            Ok(d) => data.push(d),
            Err(e) => return fail("report", e),
        }
    }
    let modules: BTreeMap<Uuid, String> = client
        .modules()
        .await
        .map(|ms| ms.into_iter().map(|m| (m.id, m.name)).collect())
        .unwrap_or_default();
    let m = model(&data, &modules);
    let out = match rampart_report::render(&m, format) {
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
                m.summary.findings.len(),
                data.len(),
                p.display()
            );
        }
        None => println!("{out}"),
    }
    ExitCode::SUCCESS
}
