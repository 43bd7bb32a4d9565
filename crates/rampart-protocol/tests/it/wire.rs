//! The JSON of every protocol body, fixed by snapshots (a change here is a protocol change:
//! old engines talk to new servers).

use chrono::{TimeZone, Utc};
use rampart_domain::scan::{FailureReason, Finding, RootCause, ScanAction, ScanStatus, ScanType};
use rampart_domain::{AppId, ModuleId, OrgId, ParameterLocation, ScanConfigId, ScanId, Severity};
use rampart_protocol::wire::*;
use serde_json::json;
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A recipe as submit compiles it: seeds, scope, targets, limits, a FORM login.
fn recipe() -> rampart_domain::plan::Recipe {
    let options = rampart_domain::options::overlay(
        &rampart_domain::options::defaults(),
        &json!({
            "crawl_config": {"seed_url_list": [{"value": "http://localhost:8080/"}],
                             "scope_constraint_list": [{"url": "http://localhost:8080/*"},
                                 {"url": "(?i)logout", "match_criteria": "REGEX", "exclusion": "EXCLUDE"}]},
            "http_headers_config": {"custom_headers_list": [{"value": "X-Env: test"}]},
            "auth_config": {"type": "FORM", "username_form": "u", "password_form": "p"}
        }),
    );
    rampart_domain::plan::compile(rampart_domain::plan::PlanInput {
        options: &options,
        allowed_domains: &["localhost:8080".to_string()],
        scan_type: ScanType::Verification,
        verify: &[RootCause {
            url: "http://localhost:8080/a".into(),
            parameter: Some("q".into()),
            method: "GET".into(),
        }],
        files: &[],
    })
    .expect("compiles")
}

fn spec() -> JobSpec {
    JobSpec {
        scan: ScanId(id(1)),
        org: OrgId(id(2)),
        app: AppId(id(3)),
        scan_config: ScanConfigId(id(4)),
        scan_type: ScanType::Verification,
        attempt: 2,
        lease_seconds: 30,
        recipe: recipe(),
        modules: vec![JobModule {
            module: ModuleId(id(5)),
            severity: Severity::High,
            max_findings: 10,
            parameter_locations: vec![ParameterLocation::Query, ParameterLocation::Post],
        }],
        verify: vec![RootCause {
            url: "http://localhost:8080/a".into(),
            parameter: Some("q".into()),
            method: "GET".into(),
        }],
        checkpoint: None,
    }
}

#[test]
fn job_spec() {
    insta::assert_json_snapshot!(spec());
}

#[test]
fn heartbeat_and_replies() {
    let hb = Heartbeat {
        status: ScanStatus::Running,
        details: ExecutionDetails {
            logged_in: true,
            links_crawled: 7,
            requests: 42,
            ..ExecutionDetails::default()
        },
        checkpoint: Some("opaque".into()),
        coverage: Some(rampart_domain::job::Coverage {
            limits_reached: vec!["max_requests".into()],
            limit_details: vec!["max_requests: 100 requests; the rest not sent".into()],
            dropped: [("timeout".to_string(), 2)].into(),
            abandoned: [("connection closed".to_string(), 1)].into(),
        }),
    };
    insta::assert_json_snapshot!(hb);
    insta::assert_json_snapshot!(HeartbeatReply {
        action: Some(ScanAction::Stop)
    });
    let none: ActionReply = ActionReply { action: None };
    insta::assert_json_snapshot!(none);
}

#[test]
fn events_findings_and_outcomes() {
    let t = Utc.with_ymd_and_hms(2026, 12, 3, 5, 0, 0).unwrap();
    insta::assert_json_snapshot!(vec![JobEvent {
        time: t,
        event: "INFO: scan started".into()
    }]);
    insta::assert_json_snapshot!(FindingBatch {
        batch_id: id(9).to_string(),
        findings: vec![Finding {
            module: ModuleId(id(5)),
            root_cause: RootCause {
                url: "http://localhost:8080/a".into(),
                parameter: None,
                method: "GET".into(),
            },
            severity: Severity::Medium,
            vulnerability_score: Some(5.3),
            discovered: t,
            vector_string: None,
            variances: vec![],
        }],
    });
    insta::assert_json_snapshot!(vec![
        JobOutcome::Completed { partial: false },
        JobOutcome::Stopped,
        JobOutcome::Canceled,
        JobOutcome::Failed {
            reason: FailureReason::TargetsInvalid,
            message: "no seed".into(),
        },
    ]);
}

#[test]
fn bodies_read_back_what_they_write() {
    let s = spec();
    let back: JobSpec = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    // A heartbeat without a checkpoint (older engines) still reads.
    let hb: Heartbeat = serde_json::from_value(json!({
        "status": "PAUSED",
        "details": serde_json::to_value(ExecutionDetails::default()).unwrap()
    }))
    .unwrap();
    assert_eq!(hb.status, ScanStatus::Paused);
    assert_eq!(hb.checkpoint, None);
}
