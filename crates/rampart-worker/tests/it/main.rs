//! The worker against an in-memory job source and the project's testbed.

mod browser;
mod control;
mod fake;
mod plan;
mod resilience;
mod seeds;
mod testbed;

use rampart_domain::job::{JobModule, JobSpec};
use rampart_domain::plan::{PlanError, PlanInput, Recipe};
use rampart_domain::scan::{RootCause, ScanType};
use rampart_domain::{AppId, OrgId, ParameterLocation, ScanConfigId, ScanId};
use rampart_worker::{PlanSettings, WorkerConfig};
use serde_json::{json, Value};
use std::time::Duration;

/// Template modules for these engine keys, at their catalogue severity.
pub fn modules(keys: &[&str]) -> Vec<JobModule> {
    keys.iter()
        .map(|k| {
            let m = rampart_engine::module(k).unwrap_or_else(|| panic!("no module {k}"));
            JobModule {
                module: m.id,
                severity: m.severity,
                max_findings: 50,
                parameter_locations: Vec::<ParameterLocation>::new(),
            }
        })
        .collect()
}

pub fn spec(options: Value, modules: Vec<JobModule>) -> JobSpec {
    spec_for(options, &["127.0.0.1"], ScanType::Regular, &[], modules)
}

/// A job whose options compiled (as they do at submit) against `domains`.
pub fn spec_for(
    options: Value,
    domains: &[&str],
    scan_type: ScanType,
    verify: &[RootCause],
    modules: Vec<JobModule>,
) -> JobSpec {
    let recipe = recipe_of(&options, domains, scan_type, verify).expect("the options compile");
    JobSpec {
        scan: ScanId::new(),
        org: OrgId::new(),
        app: AppId::new(),
        scan_config: ScanConfigId::new(),
        scan_type,
        attempt: 1,
        lease_seconds: 60,
        recipe,
        modules,
        verify: verify.to_vec(),
        checkpoint: None,
    }
}

/// The submit-time compilation of `options`.
pub fn recipe_of(
    options: &Value,
    domains: &[&str],
    scan_type: ScanType,
    verify: &[RootCause],
) -> Result<Recipe, PlanError> {
    let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
    rampart_domain::plan::compile(PlanInput {
        options,
        allowed_domains: &domains,
        scan_type,
        verify,
        files: &[],
    })
}

/// Options of a scan of `base` (`http://host:port`) within `base/*`.
pub fn options(base: &str) -> Value {
    let base = base.trim_end_matches('/');
    let mut doc = rampart_domain::options::defaults();
    let partial = json!({
        "crawl_config": {
            "seed_url_list": [{"value": format!("{base}/")}],
            "scope_constraint_list": [{"url": format!("{base}/*"), "exclusion": "INCLUDE"}]
        }
    });
    doc = rampart_domain::options::overlay(&doc, &partial);
    doc
}

/// A worker tuned for tests: short periods, one slot.
pub fn config() -> WorkerConfig {
    WorkerConfig {
        id_prefix: "test".into(),
        slots: 1,
        heartbeat_every: Duration::from_millis(100),
        action_wait: Duration::from_millis(500),
        claim_grace: Duration::from_secs(2),
        claim_wait: Duration::from_millis(200),
        idle_wait: Duration::from_millis(50),
        retry_min: Duration::from_millis(10),
        retry_max: Duration::from_millis(80),
        call_timeout: Duration::from_secs(5),
        batch_max_findings: 20,
        flush_every: Duration::from_millis(100),
        max_pending_events: 500,
        drain_timeout: Duration::from_secs(10),
        accept_invalid_certs: false,
        plan: PlanSettings {
            max_time_probe: Some(Duration::from_secs(2)),
            ..PlanSettings::default()
        },
        browser: None,
    }
}

/// A plain-HTTP testbed.
pub async fn testbed() -> rampart_testbed::TestbedHandle {
    rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        https_listen: None,
        ..Default::default()
    })
    .await
    .unwrap()
}
