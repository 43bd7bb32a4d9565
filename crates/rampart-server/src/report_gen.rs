//! The report generator: the background loop every replica runs. It leases a `PROCESSING`
//! report (a compare-and-set in the store, so one replica generates it), reads what the
//! report covers through the service, turns it into `rampart-report`'s document through
//! the same domain→wire conversion the API answers with and the `rampart_report::api`
//! adapter, renders it off the async runtime on a lowest-priority thread, and stores the bytes or FAILED with the
//! reason. The lease is renewed while rendering; a generator that dies leaves a lease that
//! expires, and the report is generated again (at most `max_attempts` times, then FAILED).

use crate::routes::ias::{scans, vulnerabilities};
use crate::state::AppState;
use rampart_domain::report::Report;
use rampart_report::api::{self, ScanData};
use rampart_report::{
    AppSection, DocFormat, DocumentInput, ReportType, ScanSummary, SeverityCounts, Tool, Trend,
    TrendPoint,
};
use rampart_service::{ReportKindRules, ReportSection};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use uuid::Uuid;

/// How the generator runs.
#[derive(Clone, Debug)]
pub struct GeneratorSettings {
    /// Lease owner names start with this (the server instance): a restarted server frees
    /// its previous run's leases at once with [`rampart_service::Service::release_report_leases`].
    pub owner_prefix: String,
    /// How long a claim lasts without renewal (renewed every third of it).
    pub lease: Duration,
    /// Generations of one report before it is FAILED.
    pub max_attempts: i32,
    /// How often an idle generator looks for reports requested on other replicas.
    pub poll: Duration,
}

impl Default for GeneratorSettings {
    fn default() -> Self {
        Self {
            owner_prefix: "reports/local-".into(),
            lease: Duration::from_secs(30),
            max_attempts: 3,
            poll: Duration::from_secs(2),
        }
    }
}

/// The type rules the service needs, from `rampart-report`'s catalogue of types.
pub fn kind_rules(t: ReportType) -> ReportKindRules {
    ReportKindRules {
        needs_scan: t.needs_scan(),
        all_apps: t.all_apps(),
    }
}

/// Runs until `stop` turns true: claims and generates reports one at a time, waking on a
/// new request ([`rampart_service::Service::report_requests`]) or every `poll`.
pub async fn run(
    state: AppState,
    settings: GeneratorSettings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let wake = state.service.report_requests();
    let owner = format!("{}{}", settings.owner_prefix, Uuid::new_v4().simple());
    loop {
        if *stop.borrow() {
            return;
        }
        let claimed = state
            .service
            .claim_report(&owner, settings.lease, settings.max_attempts)
            .await;
        match claimed {
            Ok(Some(r)) => {
                generate(&state, &settings, &owner, r).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot claim a report"),
        }
        match state
            .service
            .fail_exhausted_reports(settings.max_attempts)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::warn!(failed = n, "reports out of generation attempts failed"),
            Err(e) => tracing::warn!(error = %e, "cannot fail exhausted reports"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(settings.poll) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Generates one claimed report, renewing its lease meanwhile, and stores the outcome.
async fn generate(state: &AppState, settings: &GeneratorSettings, owner: &str, r: Report) {
    let started = std::time::Instant::now();
    let renew = {
        let service = state.service.clone();
        let (id, owner, lease) = (r.id, owner.to_string(), settings.lease);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                if let Err(e) = service.renew_report_lease(id, &owner, lease).await {
                    tracing::warn!(report = %id, error = %e, "cannot renew a report lease");
                    return;
                }
            }
        })
    };
    let outcome = render(state, &r).await;
    renew.abort();
    let ok = outcome.is_ok();
    let size = outcome.as_ref().map(Vec::len).unwrap_or(0);
    if let Err(why) = &outcome {
        tracing::warn!(report = %r.id, reason = %why, "report generation failed");
    }
    match state.service.finish_report(r.id, owner, outcome).await {
        Ok(()) => tracing::info!(
            report = %r.id, kind = %r.kind, format = %r.format, ok, bytes = size,
            ms = started.elapsed().as_millis() as u64, "report generated"
        ),
        Err(e) => tracing::warn!(report = %r.id, error = %e, "cannot store a generated report"),
    }
}

/// The report's bytes, or why there are none (the message a reader sees).
async fn render(state: &AppState, r: &Report) -> Result<Vec<u8>, String> {
    let kind =
        ReportType::parse(&r.kind).ok_or_else(|| format!("unknown report type '{}'", r.kind))?;
    let format =
        DocFormat::parse(&r.format).ok_or_else(|| format!("unknown format '{}'", r.format))?;
    let sections = state
        .service
        .report_sections(r, kind.all_apps())
        .await
        .map_err(|e| format!("cannot read the report's data: {e}"))?;
    let (state, r) = (state.clone(), r.clone());
    // Conversion and rendering are CPU work: off the runtime's threads, on a thread of
    // the lowest priority so that the API keeps its latency while a report renders.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("report-render".into())
        .spawn(move || {
            lower_priority();
            let input = document(&state, &r, kind, sections);
            let _ =
                tx.send(rampart_report::render_document(&input, format).map_err(|e| e.to_string()));
        })
        .map_err(|e| format!("cannot start the report renderer: {e}"))?;
    rx.await
        .map_err(|_| "report rendering stopped".to_string())?
}

/// Gives the calling thread the lowest CPU priority (nice 19; on Linux, `setpriority` with
/// no pid applies to the calling thread only). Rendering a large report is seconds of CPU;
/// at nice 19 it takes what the API threads leave idle.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, 19) {
        tracing::debug!(error = %e, "cannot lower the report renderer's priority");
    }
}

/// The document of `r` from its sections.
pub fn document(
    s: &AppState,
    r: &Report,
    kind: ReportType,
    sections: Vec<ReportSection>,
) -> DocumentInput {
    let modules: BTreeMap<Uuid, String> = s
        .service
        .catalogue()
        .iter()
        .map(|m| (m.id.0, m.name.to_string()))
        .collect();
    let tool = Tool {
        name: "rampart".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let sections = sections
        .into_iter()
        .map(|x| section(s, &tool, &modules, kind, x))
        .collect();
    DocumentInput {
        title: r.name.clone(),
        report_type: kind,
        generated_at: s.service.clock().now(),
        filter_text: r.params.filter.clone(),
        period: period(&r.params, r.created_at),
        sections,
    }
}

/// The inclusive days the request's `month` or `start`/`end` cover.
fn period(
    p: &rampart_domain::report::ReportParams,
    asked: chrono::DateTime<chrono::Utc>,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let (from, to) = p.window();
    if from.is_none() && to.is_none() {
        return None;
    }
    let last = to
        .map(|t| (t - chrono::Duration::days(1)).date_naive())
        .unwrap_or_else(|| asked.date_naive());
    let first = from.map(|f| f.date_naive()).unwrap_or(last);
    Some((first, last))
}

fn section(
    s: &AppState,
    tool: &Tool,
    modules: &BTreeMap<Uuid, String>,
    kind: ReportType,
    x: ReportSection,
) -> AppSection {
    let new: BTreeSet<_> = x
        .trend
        .as_ref()
        .map(|t| t.new.iter().copied().collect())
        .unwrap_or_default();
    let trend = x.trend.map(|t| Trend {
        new: t.new.len() as u64,
        fixed: t.fixed.len() as u64,
        still_open: t.still_open.len() as u64,
        history: t
            .history
            .into_iter()
            .map(|p| {
                let mut counts = SeverityCounts::default();
                for (sev, n) in p.counts {
                    counts.add(sev, n);
                }
                TrendPoint {
                    scan_id: p.scan.0,
                    at: p.at,
                    counts,
                }
            })
            .collect(),
    });
    let summary = x.scan.as_ref().map(|sc| ScanSummary {
        id: sc.id.0,
        config_name: x.config_name.clone(),
        status: sc.status.as_str().to_string(),
        submitted: Some(sc.submit_time),
        completed: sc.completion_time,
    });
    let scans: Vec<ScanData> = x
        .scan
        .map(|sc| ScanData {
            scan: scans::wire(s, sc),
            app: x.app.name.clone(),
            config: x.config_name.clone(),
            template: x.template_name.clone(),
            target: x.app.name.clone(),
            details: None,
            coverage: x.coverage.clone().map(scans::coverage),
            vulnerabilities: x
                .vulnerabilities
                .into_iter()
                .filter(|v| !kind.new_only() || new.contains(&v.id))
                .map(|v| vulnerabilities::wire(s, v))
                .collect(),
        })
        .into_iter()
        .collect();
    AppSection {
        app_id: x.app.id.0,
        app_name: x.app.name.clone(),
        scan: summary,
        model: api::model(tool.clone(), &scans, modules),
        trend,
    }
}
