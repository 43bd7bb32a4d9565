//! Remote engines end to end: `rampart server --engines 0` on PostgreSQL and
//! `rampart engine` processes scanning the in-process testbed over `/engine/v1`.
//! Setup (org, keys, apps, configs, engine group, engines) goes through an in-process
//! test app on the same fresh schema; everything else through the real binaries.

use crate::cluster::{poll, Cluster};
use rampart_store::{ListRequest, Visibility};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// (a) One server without embedded engines, two remote engines: every scan of identical
/// apps completes with the same non-empty vulnerabilities.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_remote_engines_complete_every_scan_with_equal_findings() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(30).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let (e2, k2) = c.engine("dmz-2").await;
    let _p1 = c.run_engine(&url, &k1, 2);
    let _p2 = c.run_engine(&url, &k2, 2);
    c.online(&url, e1).await;
    c.online(&url, e2).await;
    let mut scans = Vec::new();
    for i in 0..4 {
        let cfg = c.config(&format!("Shop {i}"), 5000).await;
        scans.push(c.submit(&url, cfg).await);
    }
    let mut first: Option<Vec<_>> = None;
    for s in &scans {
        let st = c.settled(&url, *s, Duration::from_secs(240)).await;
        assert_eq!(st, "COMPLETE", "scan {s}: {}", c.events(*s).await);
        let events = c.events(*s).await;
        assert!(
            events.contains("Scan started by engine worker engine/"),
            "a remote engine ran it: {events}"
        );
        let v = c.vulns(*s).await;
        assert!(!v.is_empty(), "scan {s} found vulnerabilities");
        match &first {
            None => first = Some(v),
            Some(f) => assert_eq!(&v, f, "identical apps, identical findings"),
        }
    }
}

/// (c) A credential revoked mid-scan: the engine is refused at its next call (it exits),
/// and the scan is queued again at once (`PENDING`), never left `RUNNING`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_engine_is_refused_and_its_scan_requeued() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(30).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let mut p1 = c.run_engine(&url, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Big shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    let owner = poll("the engine to claim", Duration::from_secs(60), || async {
        let j = c.app.store().find_job(scan).await.ok()?;
        // The lease is taken first, then the scan moves to RUNNING.
        let running = c.status(&url, scan).await == "RUNNING";
        j.lease_owner
            .filter(|o| running && o.starts_with(&format!("engine/{e1}/")))
    })
    .await;
    c.api(&url, "DELETE", &format!("/engines/{e1}/credential"), None)
        .await;
    // Queued again at once, not after the lease (30 s) expires.
    let job = c.app.store().find_job(scan).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued, "{owner}");
    assert_eq!(c.status(&url, scan).await, "PENDING");
    assert!(c
        .events(scan)
        .await
        .contains("Engine credential revoked; the scan is queued again"));
    // The engine's next call is refused: it stops with exit code 2.
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(s) = p1.0.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "the engine did not exit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(code, Some(2));
    // Its late results are not accepted: the job stays queued for another engine.
    let job = c.app.store().find_job(scan).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued);
    // Another engine of the group picks it up.
    let (e2, k2) = c.engine("dmz-2").await;
    let _p2 = c.run_engine(&url, &k2, 1);
    poll(
        "the other engine to claim",
        Duration::from_secs(60),
        || async {
            let j = c.app.store().find_job(scan).await.ok()?;
            j.lease_owner
                .filter(|o| o.starts_with(&format!("engine/{e2}/")))
                .map(drop)
        },
    )
    .await;
    c.api(
        &url,
        "PUT",
        &format!("/scans/{scan}/action"),
        Some(json!({"action": "CANCEL"})),
    )
    .await;
    let st = c.settled(&url, scan, Duration::from_secs(60)).await;
    assert_eq!(st, "FAILED");
}

/// A drained engine (SIGTERM) hands its scan back explicitly
/// (`POST /engine/v1/jobs/{id}/release`): the scan is queued again at once — the lease is
/// 10 minutes, so waiting for it to expire would fail the test — and the engine exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_drained_engine_hands_its_scan_back_at_once() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(600).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let mut p1 = c.run_engine(&url, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Big shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    poll("the engine to claim", Duration::from_secs(60), || async {
        let j = c.app.store().find_job(scan).await.ok()?;
        let running = c.status(&url, scan).await == "RUNNING";
        j.lease_owner
            .filter(|o| running && o.starts_with(&format!("engine/{e1}/")))
            .map(drop)
    })
    .await;
    let term = Command::new("kill")
        .args(["-TERM", &p1.0.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(s) = p1.0.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "the engine did not drain");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(code, Some(0), "a drained engine exits 0");
    let job = c.app.store().find_job(scan).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued);
    assert_eq!(c.status(&url, scan).await, "PENDING");
    assert!(c
        .events(scan)
        .await
        .contains("Engine shut down; the scan is queued again"));
}

/// (b) An engine SIGKILLed mid-scan after it reported findings: its lease expires, the
/// other engine finishes the scan; no vulnerability is duplicated and every finding
/// confirmed before the kill is still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_engine_s_scan_finishes_on_the_other_engine() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(3).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let mut p1 = c.run_engine(&url, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    poll("a confirmed finding", Duration::from_secs(120), || async {
        (!c.vulns(scan).await.is_empty()).then_some(())
    })
    .await;
    p1.0.kill().unwrap(); // SIGKILL
    p1.0.wait().unwrap();
    let before = c.vulns(scan).await;
    assert!(!before.is_empty());
    let (e2, k2) = c.engine("dmz-2").await;
    let _p2 = c.run_engine(&url, &k2, 1);
    let st = c.settled(&url, scan, Duration::from_secs(240)).await;
    let events = c.events(scan).await;
    assert!(
        // The expired lease is taken over by the next claim (or re-queued by the reaper).
        events.contains(&format!("Scan started by engine worker engine/{e2}/"))
            && events.contains("(attempt 2)"),
        "{events}"
    );
    assert_eq!(st, "COMPLETE", "{events}");
    let after = c.vulns(scan).await;
    for v in &before {
        assert!(after.contains(v), "{v:?} confirmed before the kill is kept");
    }
    let mut unique = after.clone();
    unique.dedup();
    assert_eq!(unique, after, "no vulnerability twice");
    // And none twice in the whole org either (root causes merge across attempts).
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
    let mut keys: Vec<_> = all
        .items
        .iter()
        .map(|v| {
            (
                v.module,
                v.root_cause.url.clone(),
                v.root_cause.parameter.clone(),
                v.root_cause.method.clone(),
            )
        })
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "no root cause stored twice");
}

/// (d) Two replicas on one database, an engine on each: an action sent to either
/// replica reaches the engine running the scan.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn actions_reach_engines_through_either_replica() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_r1, url1) = c.server(30).await;
    let (_r2, url2) = c.server(30).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let (e2, k2) = c.engine("dmz-2").await;
    let _p1 = c.run_engine(&url1, &k1, 1);
    let _p2 = c.run_engine(&url2, &k2, 1);
    c.online(&url1, e1).await;
    c.online(&url2, e2).await;
    let a = c.submit(&url1, c.config("Shop A", 5000).await).await;
    let b = c.submit(&url2, c.config("Shop B", 5000).await).await;
    let (oa, ob) = (c.owner(a).await, c.owner(b).await);
    // Each scan is paused through the replica its engine does NOT talk to: the engine
    // got the action when the scan reads PAUSED (reported by its heartbeat).
    for (scan, owner) in [(a, &oa), (b, &ob)] {
        let (via, other) = if owner.starts_with(&format!("engine/{e1}/")) {
            (&url2, &url1)
        } else {
            (&url1, &url2)
        };
        c.api(
            via,
            "PUT",
            &format!("/scans/{scan}/action"),
            Some(json!({"action": "PAUSE"})),
        )
        .await;
        poll("the engine to pause", Duration::from_secs(60), || async {
            let st = c.status(other, scan).await;
            assert!(
                matches!(st.as_str(), "PAUSING" | "PAUSED"),
                "{scan}: {st} (the scan ended before the engine saw the action?)"
            );
            (st == "PAUSED").then_some(())
        })
        .await;
        c.api(
            other,
            "PUT",
            &format!("/scans/{scan}/action"),
            Some(json!({"action": "STOP"})),
        )
        .await;
    }
    for scan in [a, b] {
        let st = c.settled(&url1, scan, Duration::from_secs(60)).await;
        assert_eq!(st, "COMPLETE", "{}", c.events(scan).await);
        let events = c.events(scan).await;
        assert!(events.contains("Engine stopped the scan"), "{events}");
    }
}
