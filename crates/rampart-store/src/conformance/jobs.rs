//! Conformance checks for `JobStore`: claims, leases, the reaper, pending actions.

use super::engines::new_group;
use super::scans::{new_scan, queued_scan};
use super::{app, at, is_not_found, org};
use crate::{JobState, NewJob, Store, Visibility};
use chrono::Duration;
use rampart_domain::*;

/// A claim by an embedded worker without an attempts bound.
async fn claim(
    s: &dyn Store,
    worker: &str,
    now: chrono::DateTime<chrono::Utc>,
    lease: Duration,
) -> crate::StoreResult<Option<crate::ScanJob>> {
    s.claim_job_scoped(&ClaimScope::embedded(), worker, now, lease, u32::MAX)
        .await
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
    let lease = Duration::minutes(5);
    let mut claimed = Vec::new();
    for _ in 0..2 {
        // Two claimers at once, each on its own pooled connection where the backend has several.
        let (p, q) = tokio::join!(
            claim(s, "worker-1", at(5), lease),
            claim(s, "worker-2", at(5), lease)
        );
        for j in [p.unwrap(), q.unwrap()].into_iter().flatten() {
            assert_eq!(j.state, JobState::Leased);
            assert_eq!(j.attempts, 1);
            assert_eq!(j.lease_expires_at, Some(at(10)));
            claimed.push(j.scan);
        }
    }
    assert!(claim(s, "worker-3", at(6), lease).await.unwrap().is_none());
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
    let j = claim(s, "w1", at(1), lease).await.unwrap().unwrap();
    assert_eq!(j.scan, sc.id);
    assert!(claim(s, "w2", at(1), lease).await.unwrap().is_none());
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
    assert!(claim(s, "w2", at(2), lease).await.unwrap().is_none());
    // No heartbeat since: at 2:31 the lease has expired and another worker takes over.
    let late = at(2) + Duration::seconds(31);
    let j2 = claim(s, "w2", late, lease).await.unwrap().unwrap();
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
    assert!(claim(s, "w3", at(30), lease).await.unwrap().is_none());

    // The reaper: an expired lease goes back to the queue until the attempts run out.
    let other = queued_scan(s, a, x.id, 40).await;
    claim(s, "w1", at(41), lease).await.unwrap().unwrap();
    assert!(s.expire_leases(at(41), 2).await.unwrap().is_empty());
    assert_eq!(
        s.expire_leases(at(43), 2).await.unwrap(),
        vec![crate::ExpiredJob {
            org: a,
            scan: other.id,
            requeued: true,
            attempts: 1
        }]
    );
    assert_eq!(
        s.get_job(a, other.id).await.unwrap().state,
        JobState::Queued
    );
    let again = claim(s, "w1", at(44), lease).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    assert_eq!(
        s.expire_leases(at(50), 2).await.unwrap(),
        vec![crate::ExpiredJob {
            org: a,
            scan: other.id,
            requeued: false,
            attempts: 2
        }],
        "out of attempts: given up"
    );
    assert_eq!(s.get_job(a, other.id).await.unwrap().state, JobState::Done);
    // A released job is queued again while attempts remain.
    let third = queued_scan(s, a, x.id, 51).await;
    claim(s, "w1", at(52), lease).await.unwrap().unwrap();
    assert!(s.release_job(third.id, "w1", 3).await.unwrap());
    claim(s, "w1", at(52), lease).await.unwrap().unwrap();
    assert!(!s.release_job(third.id, "w1", 2).await.unwrap());
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
            while let Some(j) = claim(s.as_ref(), &format!("w{w}"), at(30), Duration::minutes(5))
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
    s.create_scan(&spec, None, &[]).await.unwrap();
    assert_eq!(
        s.get_scan(a, spec.id, &Visibility::All).await.unwrap(),
        spec
    );

    // A claim never takes over an expired lease past max attempts.
    let sc = queued_scan(s, a, x.id, 1).await;
    let j = s
        .claim_job_scoped(&ClaimScope::embedded(), "w1", at(2), lease, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((j.scan, j.attempts), (sc.id, 1));
    let j = s
        .claim_job_scoped(&ClaimScope::embedded(), "w2", at(4), lease, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (j.scan, j.attempts, j.lease_owner.as_deref()),
        (sc.id, 2, Some("w2"))
    );
    assert!(
        s.claim_job_scoped(&ClaimScope::embedded(), "w3", at(6), lease, 2)
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
    s.claim_job_scoped(&ClaimScope::embedded(), "w1", at(12), lease, 3)
        .await
        .unwrap();
    s.claim_job_scoped(&ClaimScope::embedded(), "w2", at(13), lease, 3)
        .await
        .unwrap();
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
    assert!(
        !s.clear_pending_action(live.id, ScanAction::Stop)
            .await
            .unwrap(),
        "not the pending action: nothing cleared"
    );
    assert_eq!(
        s.find_job(live.id).await.unwrap().pending_action,
        Some(ScanAction::Pause)
    );
    assert!(s
        .clear_pending_action(live.id, ScanAction::Pause)
        .await
        .unwrap());
    assert_eq!(s.find_job(live.id).await.unwrap().pending_action, None);
    assert!(
        !s.clear_pending_action(live.id, ScanAction::Pause)
            .await
            .unwrap(),
        "a second deliverer finds it already handed over"
    );

    // end_job: the platform ends a job whoever holds it (or nobody does).
    assert!(is_not_found(s.end_job(b, q.id).await));
    s.end_job(a, q.id).await.unwrap();
    assert_eq!(s.find_job(q.id).await.unwrap().state, JobState::Done);
    s.end_job(a, live.id).await.unwrap();
    assert!(is_not_found(
        s.heartbeat_job(live.id, "w2", at(14), lease, None).await
    ));
    assert!(s
        .claim_job_scoped(&ClaimScope::embedded(), "w9", at(59), lease, 3)
        .await
        .unwrap()
        .is_none());
}

/// An engine never claims a job of another tenant or outside its group; the server's
/// own slots take only jobs without a group; the Default group claims nothing.
pub async fn job_claims_follow_the_claim_scope(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let xa = app(s, a, "shop", None).await;
    let xb = app(s, b, "shop", None).await;
    let (g1, g2, gb) = (new_group(a, "g1"), new_group(a, "g2"), new_group(b, "g1"));
    for g in [&g1, &g2, &gb] {
        s.create_engine_group(g).await.unwrap();
    }
    let lease = Duration::minutes(1);
    let mut queued = std::collections::HashMap::new();
    for (org, app, group, minute) in [
        (a, xa.id, Some(g1.id), 1),
        (a, xa.id, Some(g2.id), 2),
        (b, xb.id, Some(gb.id), 3),
        (a, xa.id, None, 4),
        (b, xb.id, None, 5),
    ] {
        let sc = new_scan(org, app, minute);
        let job = NewJob {
            engine_group: group,
            enqueued_at: at(minute),
            recipe: None,
        };
        s.create_scan(&sc, Some(job), &[]).await.unwrap();
        queued.insert(sc.id, (org, group));
    }
    let claim = |scope: ClaimScope, w: &'static str| async move {
        s.claim_job_scoped(&scope, w, at(10), lease, 3)
            .await
            .unwrap()
            .map(|j| j.scan)
    };
    let remote = |org, group| ClaimScope {
        org: Some(org),
        engine_group: group,
    };
    // The Default group (no group) and another tenant's group id claim nothing of `a`.
    assert_eq!(claim(remote(a, None), "d").await, None);
    assert_eq!(claim(remote(a, Some(gb.id)), "x").await, None);
    let mut seen = Vec::new();
    for (scope, n) in [
        (remote(a, Some(g1.id)), 1),
        (remote(a, Some(g2.id)), 1),
        (remote(b, Some(gb.id)), 1),
        (ClaimScope::embedded(), 2),
    ] {
        for _ in 0..n {
            let got = claim(scope, "w").await.expect("a job in scope");
            let (org, group) = queued[&got];
            assert!(
                scope.admits(org, group),
                "{scope:?} took ({org}, {group:?})"
            );
            seen.push(got);
        }
        assert_eq!(claim(scope, "w").await, None, "{scope:?} drained");
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "every job claimed once");
    // Leases by owner prefix (a remote engine's jobs); `_` and `%` are literal.
    let scan = seen[0];
    let mine = "engine/e_1/0";
    s.release_job(scan, "w", 3).await.unwrap();
    let j = s
        .claim_job_scoped(&ClaimScope::embedded(), mine, at(11), lease, 3)
        .await
        .unwrap();
    let scan = match j {
        Some(j) => j.scan,
        None => {
            s.claim_job_scoped(&remote(a, Some(g1.id)), mine, at(11), lease, 3)
                .await
                .unwrap()
                .or(s
                    .claim_job_scoped(&remote(a, Some(g2.id)), mine, at(11), lease, 3)
                    .await
                    .unwrap())
                .or(s
                    .claim_job_scoped(&remote(b, Some(gb.id)), mine, at(11), lease, 3)
                    .await
                    .unwrap())
                .expect("the released job again")
                .scan
        }
    };
    assert_eq!(
        s.leased_jobs_of("engine/e_1/").await.unwrap(),
        vec![(scan, mine.to_string())]
    );
    assert!(s.leased_jobs_of("engine/e%").await.unwrap().is_empty());
    assert!(s.leased_jobs_of("engine/ex1/").await.unwrap().is_empty());
    assert_eq!(s.leased_jobs_of("w").await.unwrap().len(), 4);
}

/// The recipe a scan was submitted with comes back, unchanged, with the claimed job.
pub async fn a_job_carries_its_recipe_to_the_claim(s: &dyn Store) {
    let a = org(s, "a").await;
    let x = app(s, a, "shop", None).await;
    let domains = vec!["shop.test:8443".to_string()];
    let options = rampart_domain::options::overlay(
        &rampart_domain::options::defaults(),
        &serde_json::json!({"crawl_config": {
            "seed_url_list": [{"value": "https://shop.test:8443/app/"}],
            "scope_constraint_list": [{"url": "https://shop.test:8443/app/*"}]
        }}),
    );
    let recipe = rampart_domain::plan::compile(rampart_domain::plan::PlanInput {
        options: &options,
        allowed_domains: &domains,
        scan_type: ScanType::Regular,
        verify: &[],
        files: &[],
    })
    .expect("compiles");
    let sc = new_scan(a, x.id, 1);
    let job = NewJob {
        engine_group: None,
        enqueued_at: at(1),
        recipe: Some(recipe.clone()),
    };
    s.create_scan(&sc, Some(job), &[]).await.unwrap();
    let legacy = queued_scan(s, a, x.id, 2).await;
    let first = claim(s, "w", at(3), Duration::minutes(5))
        .await
        .unwrap()
        .expect("a job");
    assert_eq!(first.scan, sc.id);
    assert_eq!(first.recipe.as_ref(), Some(&recipe));
    let second = claim(s, "w", at(3), Duration::minutes(5))
        .await
        .unwrap()
        .expect("a job");
    assert_eq!(second.scan, legacy.id);
    assert_eq!(
        second.recipe, None,
        "a job queued without a recipe has none"
    );
}
