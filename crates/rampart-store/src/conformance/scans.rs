//! Conformance checks for scans, the job queue and finding ingestion.

use super::{app, at, is_not_found, org, user};
use crate::{JobState, ListRequest, Store, Visibility};
use chrono::Duration;
use rampart_domain::*;

fn new_scan(org: OrgId, app: AppId, minute: u32) -> Scan {
    Scan {
        id: ScanId::new(),
        org,
        app,
        scan_config: ScanConfigId::new(),
        submitter: Submitter {
            kind: SubmitterType::User,
            id: PrincipalId::new().0,
        },
        submit_time: at(minute),
        completion_time: None,
        status: ScanStatus::Pending,
        failure_reason: None,
        scan_type: ScanType::Regular,
        parent: None,
        vulnerability_ids: Vec::new(),
    }
}

pub(super) async fn queued_scan(s: &dyn Store, org: OrgId, app: AppId, minute: u32) -> Scan {
    let x = new_scan(org, app, minute);
    s.create_scan(&x).await.expect("create scan");
    s.enqueue_job(org, x.id, at(minute)).await.expect("enqueue");
    x
}

pub(super) fn finding(
    module: ModuleId,
    url: &str,
    parameter: Option<&str>,
    minute: u32,
) -> Finding {
    Finding {
        module,
        root_cause: RootCause {
            url: url.into(),
            parameter: parameter.map(Into::into),
            method: "GET".into(),
        },
        severity: Severity::High,
        vulnerability_score: Some(7.5),
        discovered: at(minute),
        vector_string: None,
        variances: Vec::new(),
    }
}

pub async fn scans_crud_and_visibility(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let mut sc = new_scan(a, x.id, 10);
    sc.parent = Some(ScanId::new());
    sc.scan_type = ScanType::Verification;
    s.create_scan(&sc).await.unwrap();
    assert_eq!(s.get_scan(a, sc.id, &Visibility::All).await.unwrap(), sc);
    assert!(is_not_found(s.get_scan(b, sc.id, &Visibility::All).await));
    assert_eq!(
        s.list_scans(b, &Visibility::All, &ListRequest::first(10))
            .await
            .unwrap()
            .total,
        0,
        "another tenant sees nothing"
    );
    let outsider = user(s, a, "out@a.test").await;
    let only = Visibility::MemberOf(outsider.id);
    assert!(is_not_found(s.get_scan(a, sc.id, &only).await));
    assert_eq!(
        s.list_scans(a, &only, &ListRequest::first(10))
            .await
            .unwrap()
            .total,
        0
    );
    s.add_app_member(a, x.id, outsider.id).await.unwrap();
    assert_eq!(
        s.list_scans(a, &only, &ListRequest::first(10))
            .await
            .unwrap()
            .items,
        vec![sc.clone()]
    );

    s.update_scan_status(
        a,
        sc.id,
        ScanStatus::Failed,
        Some(FailureReason::Canceled),
        Some(at(20)),
    )
    .await
    .unwrap();
    let got = s.get_scan(a, sc.id, &Visibility::All).await.unwrap();
    assert_eq!(got.status, ScanStatus::Failed);
    assert_eq!(got.failure_reason, Some(FailureReason::Canceled));
    assert_eq!(got.completion_time, Some(at(20)));
    assert!(is_not_found(
        s.update_scan_status(b, sc.id, ScanStatus::Complete, None, None)
            .await
    ));
    assert!(is_not_found(s.delete_scan(b, sc.id).await));
    s.delete_scan(a, sc.id).await.unwrap();
    assert!(is_not_found(s.get_scan(a, sc.id, &Visibility::All).await));

    let other = queued_scan(s, a, x.id, 30).await;
    s.delete_app(a, x.id).await.unwrap();
    assert!(is_not_found(
        s.get_scan(a, other.id, &Visibility::All).await
    ));
    assert!(is_not_found(s.get_job(a, other.id).await), "jobs cascade");
}

pub async fn job_claims_are_exclusive(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let y = app(s, b, "shop", None).await;
    let mut queued = vec![
        queued_scan(s, a, x.id, 1).await.id,
        queued_scan(s, b, y.id, 2).await.id,
        queued_scan(s, a, x.id, 3).await.id,
    ];
    assert!(is_not_found(s.enqueue_job(b, queued[0], at(4)).await));
    let lease = Duration::minutes(5);
    let mut claimed = Vec::new();
    for _ in 0..2 {
        // Two claimers at once, each on its own pooled connection where the backend has several.
        let (p, q) = tokio::join!(
            s.claim_job("worker-1", at(5), lease),
            s.claim_job("worker-2", at(5), lease)
        );
        for j in [p.unwrap(), q.unwrap()].into_iter().flatten() {
            assert_eq!(j.state, JobState::Leased);
            assert_eq!(j.attempts, 1);
            assert_eq!(j.lease_expires_at, Some(at(10)));
            claimed.push(j.scan);
        }
    }
    assert!(s
        .claim_job("worker-3", at(6), lease)
        .await
        .unwrap()
        .is_none());
    claimed.sort();
    queued.sort();
    assert_eq!(claimed, queued, "every job claimed exactly once");
}

pub async fn job_leases_expire_and_heartbeats_extend_them(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    let lease = Duration::minutes(1);
    let j = s.claim_job("w1", at(1), lease).await.unwrap().unwrap();
    assert_eq!(j.scan, sc.id);
    assert!(s.claim_job("w2", at(1), lease).await.unwrap().is_none());
    // w1 heartbeats at 1:30; the lease now runs to 2:30.
    let half = at(1) + Duration::seconds(30);
    assert_eq!(
        s.heartbeat_job(sc.id, "w1", half, lease, Some("crawl:3"))
            .await
            .unwrap(),
        None
    );
    assert!(is_not_found(
        s.heartbeat_job(sc.id, "w2", half, lease, None).await
    ));
    assert!(s.claim_job("w2", at(2), lease).await.unwrap().is_none());
    // No heartbeat since: at 2:31 the lease has expired and another worker takes over.
    let late = at(2) + Duration::seconds(31);
    let j2 = s.claim_job("w2", late, lease).await.unwrap().unwrap();
    assert_eq!((j2.scan, j2.attempts), (sc.id, 2));
    assert_eq!(
        j2.checkpoint.as_deref(),
        Some("crawl:3"),
        "resumes from the checkpoint"
    );
    assert!(is_not_found(
        s.heartbeat_job(sc.id, "w1", late, lease, None).await
    ));
    assert!(is_not_found(s.complete_job(sc.id, "w1").await));

    assert!(is_not_found(
        s.set_pending_action(b, sc.id, Some(ScanAction::Stop)).await
    ));
    s.set_pending_action(a, sc.id, Some(ScanAction::Stop))
        .await
        .unwrap();
    assert_eq!(
        s.heartbeat_job(sc.id, "w2", late, lease, None)
            .await
            .unwrap(),
        Some(ScanAction::Stop)
    );
    s.complete_job(sc.id, "w2").await.unwrap();
    assert_eq!(s.get_job(a, sc.id).await.unwrap().state, JobState::Done);
    assert!(is_not_found(s.get_job(b, sc.id).await));
    assert!(s.claim_job("w3", at(30), lease).await.unwrap().is_none());

    // The reaper: an expired lease goes back to the queue until the attempts run out.
    let other = queued_scan(s, a, x.id, 40).await;
    s.claim_job("w1", at(41), lease).await.unwrap().unwrap();
    assert!(s.requeue_expired_jobs(at(41), 2).await.unwrap().is_empty());
    assert!(s.requeue_expired_jobs(at(43), 2).await.unwrap().is_empty());
    assert_eq!(
        s.get_job(a, other.id).await.unwrap().state,
        JobState::Queued
    );
    let again = s.claim_job("w1", at(44), lease).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    assert_eq!(
        s.requeue_expired_jobs(at(50), 2).await.unwrap(),
        vec![(a, other.id)],
        "out of attempts: given up"
    );
    assert_eq!(s.get_job(a, other.id).await.unwrap().state, JobState::Done);
    // A released job is queued again while attempts remain.
    let third = queued_scan(s, a, x.id, 51).await;
    s.claim_job("w1", at(52), lease).await.unwrap().unwrap();
    assert!(s.release_job(third.id, "w1", 3).await.unwrap());
    s.claim_job("w1", at(52), lease).await.unwrap().unwrap();
    assert!(!s.release_job(third.id, "w1", 2).await.unwrap());
}

pub async fn findings_ingest_idempotently(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let first = queued_scan(s, a, x.id, 0).await;
    let second = queued_scan(s, a, x.id, 10).await;
    let sqli = ModuleId::new();
    let batch = [
        finding(sqli, "http://shop.test/item", Some("id"), 1),
        finding(sqli, "http://shop.test/item", None, 1),
    ];
    let c = s.ingest_findings(a, first.id, "b-1", &batch).await.unwrap();
    assert_eq!((c.new_vulnerabilities, c.discoveries), (2, 2));
    assert!(!c.duplicate_batch);
    let again = s.ingest_findings(a, first.id, "b-1", &batch).await.unwrap();
    assert!(again.duplicate_batch);
    assert_eq!((again.new_vulnerabilities, again.discoveries), (0, 0));
    let all = ListRequest::first(50);
    let page = s
        .list_vulnerabilities(a, &Visibility::All, &all)
        .await
        .unwrap();
    assert_eq!(page.total, 2, "a duplicate batch changes nothing");

    // The second scan sees one of them again: a discovery, not a vulnerability.
    let seen = [finding(sqli, "http://shop.test/item", Some("id"), 11)];
    let c2 = s.ingest_findings(a, second.id, "b-1", &seen).await.unwrap();
    assert_eq!((c2.new_vulnerabilities, c2.discoveries), (0, 1));
    let page = s
        .list_vulnerabilities(a, &Visibility::All, &all)
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let v = page
        .items
        .iter()
        .find(|v| v.root_cause.parameter.as_deref() == Some("id"))
        .expect("the parameter is kept");
    assert_eq!((v.first_discovered, v.last_discovered), (at(1), at(11)));
    assert_eq!(v.status, VulnStatus::Unreviewed);
    let ds = s.list_discoveries(a, v.id).await.unwrap();
    assert_eq!(
        ds.iter().map(|d| d.scan).collect::<Vec<_>>(),
        vec![second.id, first.id],
        "newest first"
    );
    assert_eq!(
        s.get_vulnerability(a, v.id, &Visibility::All)
            .await
            .unwrap(),
        *v
    );

    // Tenancy and visibility.
    assert!(is_not_found(
        s.get_vulnerability(b, v.id, &Visibility::All).await
    ));
    assert_eq!(
        s.list_vulnerabilities(b, &Visibility::All, &all)
            .await
            .unwrap()
            .total,
        0
    );
    assert!(s.list_discoveries(b, v.id).await.unwrap().is_empty());
    assert!(is_not_found(
        s.ingest_findings(b, first.id, "b-2", &seen).await
    ));
    let outsider = user(s, a, "out@a.test").await;
    let only = Visibility::MemberOf(outsider.id);
    assert!(is_not_found(s.get_vulnerability(a, v.id, &only).await));
    assert_eq!(
        s.list_vulnerabilities(a, &only, &all).await.unwrap().total,
        0
    );

    // Deleting the app deletes its vulnerabilities.
    s.delete_app(a, x.id).await.unwrap();
    assert!(is_not_found(
        s.get_vulnerability(a, v.id, &Visibility::All).await
    ));
}

/// Many claimers spawned on a multi-threaded runtime race for `jobs` queued jobs: each
/// job is leased exactly once. Adapters call it with a store whose pool has several
/// connections (a file database for SQLite).
pub async fn claims_race(s: std::sync::Arc<dyn Store>) {
    let a = org(s.as_ref(), "race").await;
    let x = app(s.as_ref(), a, "shop", None).await;
    let mut queued = Vec::new();
    for i in 0..12 {
        queued.push(queued_scan(s.as_ref(), a, x.id, i).await.id);
    }
    let mut tasks = Vec::new();
    for w in 0..6 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(j) = s
                .claim_job(&format!("w{w}"), at(30), Duration::minutes(5))
                .await
                .expect("claim")
            {
                mine.push(j.scan);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.expect("claimer task"));
    }
    claimed.sort();
    queued.sort();
    assert_eq!(claimed, queued, "every job leased exactly once");
}

pub async fn scan_events_and_execution_details(s: &dyn Store) {
    use rampart_domain::job::{EventKind, ExecutionDetails, JobEvent};
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    let ev = |minute: u32, text: &str| JobEvent {
        time: at(minute),
        event: text.into(),
    };
    assert!(s
        .list_scan_events(a, sc.id, EventKind::Engine)
        .await
        .unwrap()
        .is_empty());
    // Out of time order on purpose; equal times keep insertion order.
    s.append_scan_events(
        a,
        sc.id,
        EventKind::Engine,
        &[ev(5, "attacking"), ev(3, "crawling"), ev(5, "attacking 2")],
    )
    .await
    .unwrap();
    s.append_scan_events(a, sc.id, EventKind::Platform, &[ev(1, "submitted")])
        .await
        .unwrap();
    let many: Vec<JobEvent> = (0..450).map(|i| ev(20, &format!("bulk {i}"))).collect();
    s.append_scan_events(a, sc.id, EventKind::Engine, &many)
        .await
        .unwrap();
    let engine = s
        .list_scan_events(a, sc.id, EventKind::Engine)
        .await
        .unwrap();
    assert_eq!(engine.len(), 453);
    let texts: Vec<&str> = engine.iter().take(4).map(|e| e.event.as_str()).collect();
    assert_eq!(texts, ["crawling", "attacking", "attacking 2", "bulk 0"]);
    assert_eq!(engine[452].event, "bulk 449");
    assert_eq!(
        s.list_scan_events(a, sc.id, EventKind::Platform)
            .await
            .unwrap(),
        vec![ev(1, "submitted")]
    );
    assert!(s
        .list_scan_events(b, sc.id, EventKind::Engine)
        .await
        .unwrap()
        .is_empty());
    assert!(is_not_found(
        s.append_scan_events(b, sc.id, EventKind::Engine, &[ev(1, "x")])
            .await
    ));

    assert_eq!(
        s.get_execution_details(a, sc.id).await.unwrap(),
        ExecutionDetails::default(),
        "zeros before the first report"
    );
    let mut d = ExecutionDetails {
        logged_in: true,
        links_crawled: 12,
        requests: 340,
        drip_delay: 5,
        ..Default::default()
    };
    s.save_execution_details(a, sc.id, &d, at(4)).await.unwrap();
    d.requests = 500;
    d.logged_in = false;
    s.save_execution_details(a, sc.id, &d, at(5)).await.unwrap();
    assert_eq!(s.get_execution_details(a, sc.id).await.unwrap(), d);
    assert_eq!(
        s.get_execution_details(b, sc.id).await.unwrap(),
        ExecutionDetails::default()
    );
    assert!(is_not_found(
        s.save_execution_details(b, sc.id, &d, at(5)).await
    ));
    // Both go with the scan.
    s.delete_scan(a, sc.id).await.unwrap();
    assert!(s
        .list_scan_events(a, sc.id, EventKind::Engine)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.get_execution_details(a, sc.id).await.unwrap(),
        ExecutionDetails::default()
    );
}

pub async fn job_protocol_bounds_attempts(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let lease = Duration::minutes(1);

    // vulnerability ids of a specialized scan are kept.
    let mut spec = new_scan(a, x.id, 0);
    spec.scan_type = ScanType::Verification;
    spec.parent = Some(ScanId::new());
    spec.vulnerability_ids = vec![VulnerabilityId::new(), VulnerabilityId::new()];
    s.create_scan(&spec).await.unwrap();
    assert_eq!(
        s.get_scan(a, spec.id, &Visibility::All).await.unwrap(),
        spec
    );

    // A claim never takes over an expired lease past max attempts.
    let sc = queued_scan(s, a, x.id, 1).await;
    let j = s
        .claim_job_within("w1", at(2), lease, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((j.scan, j.attempts), (sc.id, 1));
    let j = s
        .claim_job_within("w2", at(4), lease, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (j.scan, j.attempts, j.lease_owner.as_deref()),
        (sc.id, 2, Some("w2"))
    );
    assert!(
        s.claim_job_within("w3", at(6), lease, 2)
            .await
            .unwrap()
            .is_none(),
        "out of attempts: left to the reaper"
    );
    assert_eq!(
        s.find_job(sc.id).await.unwrap().lease_owner.as_deref(),
        Some("w2")
    );
    assert!(is_not_found(s.find_job(ScanId::new()).await));
    assert_eq!(
        s.expire_leases(at(6), 2).await.unwrap(),
        vec![crate::ExpiredJob {
            org: a,
            scan: sc.id,
            requeued: false,
            attempts: 2
        }]
    );
    assert_eq!(s.find_job(sc.id).await.unwrap().state, JobState::Done);

    // The reaper reports requeued jobs too; a live lease is left alone.
    let q = queued_scan(s, a, x.id, 10).await;
    let live = queued_scan(s, a, x.id, 11).await;
    s.claim_job_within("w1", at(12), lease, 3).await.unwrap();
    s.claim_job_within("w2", at(13), lease, 3).await.unwrap();
    assert_eq!(
        s.expire_leases(at(13) + Duration::seconds(30), 3)
            .await
            .unwrap(),
        vec![crate::ExpiredJob {
            org: a,
            scan: q.id,
            requeued: true,
            attempts: 1
        }]
    );
    assert_eq!(s.find_job(q.id).await.unwrap().state, JobState::Queued);
    assert_eq!(s.find_job(live.id).await.unwrap().state, JobState::Leased);

    // Pending actions: delivered once, a newer one survives the clearing of the old.
    s.set_pending_action(a, live.id, Some(ScanAction::Pause))
        .await
        .unwrap();
    s.clear_pending_action(live.id, ScanAction::Stop)
        .await
        .unwrap();
    assert_eq!(
        s.find_job(live.id).await.unwrap().pending_action,
        Some(ScanAction::Pause)
    );
    s.clear_pending_action(live.id, ScanAction::Pause)
        .await
        .unwrap();
    assert_eq!(s.find_job(live.id).await.unwrap().pending_action, None);

    // end_job: the platform ends a job whoever holds it (or nobody does).
    assert!(is_not_found(s.end_job(b, q.id).await));
    s.end_job(a, q.id).await.unwrap();
    assert_eq!(s.find_job(q.id).await.unwrap().state, JobState::Done);
    s.end_job(a, live.id).await.unwrap();
    assert!(is_not_found(
        s.heartbeat_job(live.id, "w2", at(14), lease, None).await
    ));
    assert!(s
        .claim_job_within("w9", at(59), lease, 3)
        .await
        .unwrap()
        .is_none());
}

pub async fn scan_status_compare_and_set(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    use ScanStatus::*;
    assert!(!s
        .transition_scan(b, sc.id, Pending, Running, None, None)
        .await
        .unwrap());
    assert!(!s
        .transition_scan(a, sc.id, Running, Complete, None, None)
        .await
        .unwrap());
    assert!(s
        .transition_scan(a, sc.id, Pending, Running, None, None)
        .await
        .unwrap());
    assert!(s
        .transition_scan(
            a,
            sc.id,
            Running,
            Failed,
            Some(FailureReason::Canceled),
            Some(at(9))
        )
        .await
        .unwrap());
    let got = s.get_scan(a, sc.id, &Visibility::All).await.unwrap();
    assert_eq!(
        (got.status, got.failure_reason, got.completion_time),
        (Failed, Some(FailureReason::Canceled), Some(at(9)))
    );
}
