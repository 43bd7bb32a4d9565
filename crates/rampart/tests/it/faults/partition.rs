//! An engine partitioned from the server for longer than its lease. `rampart engine` (e1)
//! reaches `rampart server` through a fault proxy; once it has reported findings, the
//! proxy holds all its traffic (a broken network: bytes are delayed, not refused). Its
//! lease expires, a second engine (e2) takes the job over and runs it to the end; then
//! the partition heals and what e1 had on the wire arrives late. The job ran exactly twice
//! (e1, then e2 once), every finding e1 confirmed before the partition is kept, none is
//! stored twice, and a finding batch from e1 after the takeover is refused (409) and
//! stores nothing.

use crate::cluster::{poll, Cluster};
use rampart_domain::job::FindingBatch;
use rampart_domain::ScanId;
use rampart_store::{ListRequest, Visibility};
use rampart_testkit::FaultProxy;
use rampart_worker::{JobSource, SourceError};
use std::time::{Duration, Instant};

/// What one run measured.
#[derive(Debug)]
pub struct Recovery {
    /// The lease the server grants.
    pub lease: Duration,
    /// From the start of the partition to e2 holding the job.
    pub taken_over: Duration,
    /// From the start of the partition to the scan's end.
    pub scan_done: Duration,
    pub vulnerabilities: usize,
}

const LEASE_SECONDS: u32 = 5;

async fn job_of(c: &Cluster, scan: ScanId) -> rampart_store::ScanJob {
    c.app.store().find_job(scan).await.unwrap()
}

pub async fn partitioned_engine() -> Recovery {
    let c = Cluster::new().await.expect("a PostgreSQL cluster");
    let (_server, url) = c.server(LEASE_SECONDS).await;
    let server_addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let proxy = FaultProxy::start(server_addr).await;
    let via_proxy = format!("http://{}", proxy.addr());
    let (e1, k1) = c.engine("dmz-1").await;
    let (e2, k2) = c.engine("dmz-2").await;
    let _p1 = c.run_engine(&via_proxy, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    let owner = c.owner(scan).await;
    assert!(owner.starts_with(&format!("engine/{e1}/")), "{owner}");
    poll("a confirmed finding", Duration::from_secs(120), || async {
        (!c.vulns(scan).await.is_empty()).then_some(())
    })
    .await;

    let before = c.vulns(scan).await;
    let partitioned = Instant::now();
    proxy.partition();
    let _p2 = c.run_engine(&url, &k2, 1);
    let e2_prefix = format!("engine/{e2}/");
    poll(
        "the other engine to take the job over",
        Duration::from_secs(60),
        || async {
            let j = job_of(&c, scan).await;
            j.lease_owner
                .filter(|o| o.starts_with(&e2_prefix))
                .map(drop)
        },
    )
    .await;
    let taken_over = partitioned.elapsed();
    assert_eq!(job_of(&c, scan).await.attempts, 2);
    // The partition outlasts the lease once more (the fault's length, not a wait for
    // something), then heals: e1's held calls arrive.
    tokio::time::sleep_until(
        (partitioned + Duration::from_secs(u64::from(LEASE_SECONDS) * 2)).into(),
    )
    .await;
    proxy.heal();

    // A batch e1 sends now, under its old lease, is refused and stores nothing.
    let worker = owner.splitn(3, '/').nth(2).unwrap().to_string();
    let late = rampart_worker::http::HttpSource::new(&via_proxy, &k1).unwrap();
    let mut finding = rampart_testkit::fx_finding(
        "http://127.0.0.1/late-from-the-partitioned-engine",
        Some("id"),
        rampart_domain::Severity::High,
        1,
    );
    finding.module = rampart_engine::module("sqli").unwrap().id;
    let batch = FindingBatch {
        batch_id: format!("late-{}", uuid::Uuid::new_v4()),
        findings: vec![finding],
    };
    assert_eq!(
        late.findings(scan, &worker, &batch).await,
        Err(SourceError::LeaseLost),
        "late results of the old lease are refused"
    );

    let st = c.settled(&url, scan, Duration::from_secs(300)).await;
    let scan_done = partitioned.elapsed();
    let events = c.events(scan).await;
    assert_eq!(st, "COMPLETE", "{events}");
    assert_eq!(
        events.matches("Scan started by engine worker").count(),
        2,
        "run by e1, then exactly once more: {events}"
    );
    assert!(
        events.contains(&format!("Scan started by engine worker engine/{e2}/"))
            && events.contains("(attempt 2)")
            && !events.contains("(attempt 3)"),
        "{events}"
    );
    assert_eq!(job_of(&c, scan).await.attempts, 2, "no third run");

    let after = c.vulns(scan).await;
    for v in &before {
        assert!(
            after.contains(v),
            "{v:?}, confirmed before the partition, is kept"
        );
    }
    let mut unique = after.clone();
    unique.dedup();
    assert_eq!(unique, after, "no vulnerability twice");
    assert!(
        after
            .iter()
            .all(|v| !v.1.contains("late-from-the-partitioned-engine")),
        "the refused batch stored nothing"
    );
    // One discovery per vulnerability of this scan: late results are not counted twice.
    let all = c
        .app
        .store()
        .list_vulnerabilities(
            c.app.keys.admin.org(),
            &Visibility::All,
            &ListRequest::first(1000),
        )
        .await
        .unwrap();
    for v in &all.items {
        let d = c
            .api(
                &url,
                "GET",
                &format!("/vulnerabilities/{}/discoveries", v.id),
                None,
            )
            .await;
        let of_scan = d["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["scan"]["id"] == serde_json::json!(scan.to_string()))
            .count();
        assert_eq!(of_scan, 1, "one discovery per scan: {d}");
    }
    Recovery {
        lease: Duration::from_secs(u64::from(LEASE_SECONDS)),
        taken_over,
        scan_done,
        vulnerabilities: after.len(),
    }
}
