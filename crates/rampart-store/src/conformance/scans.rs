//! Conformance checks for `ScanStore`: scans, their logs and counters, and submission
//! in one transaction.

use super::{app, at, is_not_found, org, user};
use crate::{JobState, ListRequest, NewJob, Store, Visibility};
use rampart_domain::*;

pub(super) fn new_scan(org: OrgId, app: AppId, minute: u32) -> Scan {
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
    let job = NewJob {
        engine_group: None,
        enqueued_at: at(minute),
        recipe: None,
    };
    s.create_scan(&x, Some(job), &[])
        .await
        .expect("create scan");
    x
}

pub async fn scans_crud_and_visibility(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let mut sc = new_scan(a, x.id, 10);
    sc.parent = Some(ScanId::new());
    sc.scan_type = ScanType::Verification;
    s.create_scan(&sc, None, &[]).await.unwrap();
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

    assert!(s
        .transition_scan(
            a,
            sc.id,
            ScanStatus::Pending,
            ScanStatus::Failed,
            Some(FailureReason::Canceled),
            Some(at(20)),
        )
        .await
        .unwrap());
    let got = s.get_scan(a, sc.id, &Visibility::All).await.unwrap();
    assert_eq!(got.status, ScanStatus::Failed);
    assert_eq!(got.failure_reason, Some(FailureReason::Canceled));
    assert_eq!(got.completion_time, Some(at(20)));
    assert!(!s
        .transition_scan(
            b,
            sc.id,
            ScanStatus::Failed,
            ScanStatus::Complete,
            None,
            None
        )
        .await
        .unwrap());
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
    // Both logs in writing order, after a given event, for live views.
    let first = s.list_scan_events_after(a, sc.id, 0, 3).await.unwrap();
    let texts: Vec<&str> = first.iter().map(|e| e.event.event.as_str()).collect();
    assert_eq!(texts, ["attacking", "crawling", "attacking 2"]);
    assert!(first.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(first.iter().all(|e| e.kind == EventKind::Engine));
    let next = s
        .list_scan_events_after(a, sc.id, first[2].seq, 2)
        .await
        .unwrap();
    assert_eq!(next[0].kind, EventKind::Platform);
    assert_eq!(next[0].event, ev(1, "submitted"));
    assert_eq!(next[1].event.event, "bulk 0");
    let rest = s
        .list_scan_events_after(a, sc.id, next[1].seq, 1000)
        .await
        .unwrap();
    assert_eq!(rest.len(), 449);
    assert!(s
        .list_scan_events_after(a, sc.id, rest[448].seq, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .list_scan_events_after(b, sc.id, 0, 10)
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

/// `create_scan` writes the scan, its job and its first events in one transaction: when
/// one part fails (here the job's engine group is another tenant's), nothing is stored.
pub async fn submitting_a_scan_is_one_transaction(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let theirs = EngineGroup {
        id: EngineGroupId::new(),
        org: b,
        name: "theirs".into(),
        description: None,
        created_at: at(0),
    };
    s.create_engine_group(&theirs).await.unwrap();
    let events = [rampart_domain::job::JobEvent {
        time: at(1),
        event: "Scan submitted".into(),
    }];
    let sc = new_scan(a, x.id, 1);
    let job = NewJob {
        engine_group: Some(theirs.id),
        enqueued_at: at(1),
        recipe: None,
    };
    assert!(is_not_found(s.create_scan(&sc, Some(job), &events).await));
    assert!(is_not_found(s.get_scan(a, sc.id, &Visibility::All).await));
    assert!(is_not_found(s.find_job(sc.id).await));
    assert!(s
        .list_scan_events(a, sc.id, rampart_domain::job::EventKind::Platform)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.list_scans(a, &Visibility::All, &ListRequest::first(10))
            .await
            .unwrap()
            .total,
        0
    );

    // The same submission with a group of its own tenant stores all three.
    let ours = EngineGroup {
        id: EngineGroupId::new(),
        org: a,
        ..theirs.clone()
    };
    s.create_engine_group(&ours).await.unwrap();
    let job = NewJob {
        engine_group: Some(ours.id),
        enqueued_at: at(1),
        recipe: None,
    };
    s.create_scan(&sc, Some(job), &events).await.unwrap();
    assert_eq!(s.get_scan(a, sc.id, &Visibility::All).await.unwrap(), sc);
    assert_eq!(s.get_job(a, sc.id).await.unwrap().state, JobState::Queued);
    assert_eq!(
        s.list_scan_events(a, sc.id, rampart_domain::job::EventKind::Platform)
            .await
            .unwrap(),
        events.to_vec()
    );
    // Without a job (a scan that failed at submission) the scan has none.
    let failed = new_scan(a, x.id, 2);
    s.create_scan(&failed, None, &events).await.unwrap();
    assert!(is_not_found(s.get_job(a, failed.id).await));
}
