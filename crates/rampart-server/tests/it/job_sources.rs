//! One conformance suite for the job protocol: every `JobSource` behaviour, run over both
//! sources — `LocalSource` (in process) and `HttpSource` (`/engine/v1` against the real
//! server) — on SQLite and, with `RAMPART_TEST_PG_URL`, PostgreSQL.

use rampart_domain::job::{ExecutionDetails, FindingBatch, Heartbeat, JobEvent, JobOutcome};
use rampart_domain::scan::{Finding, RootCause, ScanAction, ScanStatus};
use rampart_domain::*;
use rampart_service::LocalSource;
use rampart_testkit::{Backend, TestApp};
use rampart_worker::http::HttpSource;
use rampart_worker::{JobSource, SourceError};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
enum Transport {
    Local,
    Http,
}

/// A server, a source of the kind under test, and a scan config whose scans it may claim
/// (a CLOUD config for the embedded scope, ON_PREMISE on the engine's group for HTTP).
struct Fx {
    app: TestApp,
    source: Arc<dyn JobSource>,
    cfg: ScanConfigId,
}

async fn fixture(transport: Transport, backend: Backend) -> Option<Fx> {
    let app = TestApp::builder().backend(backend).spawn().await?;
    let a = app.fx_app("Shop").await;
    let cfg = app.fx_scan_config(a, "Shop config").await;
    app.fx_target("shop.example.test").await;
    app.service
        .write_scan_config_options(
            &app.keys.admin.principal,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            rampart_service::OptionsWrite::Replace,
        )
        .await
        .unwrap();
    let source: Arc<dyn JobSource> = match transport {
        // A long fallback poll: only the service's signals can answer in time.
        Transport::Local => Arc::new(LocalSource::new(
            app.service.clone(),
            Duration::from_secs(600),
        )),
        Transport::Http => {
            let g = app.fx_engine_group("g").await;
            let e = app.fx_engine("e", Some(g)).await;
            let key = app
                .service
                .engine_credential(&app.keys.admin.principal, e)
                .await
                .unwrap();
            let mut c = app
                .admin()
                .get(&format!("/ias/v1/scan-configs/{cfg}"))
                .send()
                .await
                .status(200)
                .json();
            c["assignment"] =
                json!({"type": "ENGINE_GROUP", "id": g.to_string(), "environment": "ON_PREMISE"});
            app.admin()
                .put(&format!("/ias/v1/scan-configs/{cfg}"))
                .json(&c)
                .send()
                .await
                .status(200);
            let http = HttpSource::new(&app.base, &key).unwrap();
            // The engine calls in once: a group whose engines never did fails scans at once.
            assert_eq!(http.claim("w0", Duration::ZERO).await, Ok(None));
            Arc::new(http)
        }
    };
    Some(Fx { app, source, cfg })
}

impl Fx {
    async fn submit(&self) -> ScanId {
        self.app.fx_scan(self.cfg).await
    }

    async fn status(&self, id: ScanId) -> String {
        self.app
            .ro()
            .get(&format!("/ias/v1/scans/{id}"))
            .send()
            .await
            .status(200)
            .json()["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn action(&self, id: ScanId, a: &str) {
        self.app
            .rw()
            .put(&format!("/ias/v1/scans/{id}/action"))
            .json(&json!({ "action": a }))
            .send()
            .await
            .status(200);
    }

    async fn claim(&self, worker: &str) -> rampart_domain::job::JobSpec {
        self.source
            .claim(worker, Duration::from_secs(10))
            .await
            .unwrap()
            .expect("a job is queued")
    }
}

fn hb(status: ScanStatus) -> Heartbeat {
    Heartbeat {
        status,
        details: ExecutionDetails {
            requests: 3,
            ..Default::default()
        },
        checkpoint: None,
        coverage: None,
    }
}

fn finding() -> Finding {
    Finding {
        module: rampart_testkit::sample_catalogue()[0].id,
        root_cause: RootCause {
            url: "https://shop.example.test/q".into(),
            parameter: Some("id".into()),
            method: "GET".into(),
        },
        severity: Severity::High,
        vulnerability_score: Some(7.0),
        discovered: chrono::Utc::now(),
        vector_string: None,
        variances: Vec::new(),
    }
}

/// An empty queue answers `None` after the wait; a submit wakes a waiting claim at once.
async fn claim_long_polls_and_is_woken_by_a_submit(fx: Fx) {
    assert_eq!(fx.source.claim("w1", Duration::ZERO).await, Ok(None));
    let src = fx.source.clone();
    let waiting = tokio::spawn(async move { src.claim("w1", Duration::from_secs(25)).await });
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    let id = fx.submit().await;
    let spec = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("woken by the submit, not by the end of the wait")
        .unwrap()
        .unwrap()
        .expect("the submitted job");
    assert_eq!((spec.scan, spec.attempt), (id, 1));
    assert_eq!(fx.status(id).await, "RUNNING");
}

/// Heartbeat, events, a finding batch (twice: the retry is harmless), finish: the scan
/// ends COMPLETE with its vulnerability.
async fn a_job_runs_to_complete(fx: Fx) {
    let id = fx.submit().await;
    let spec = fx.claim("w1").await;
    assert_eq!(spec.scan, id);
    let reply = fx
        .source
        .heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(reply.action, None);
    let ev = JobEvent {
        time: chrono::Utc::now(),
        event: "INFO: started".into(),
    };
    fx.source.events(id, "w1", &[ev]).await.unwrap();
    let batch = FindingBatch {
        batch_id: "b1".into(),
        findings: vec![finding()],
    };
    fx.source.findings(id, "w1", &batch).await.unwrap();
    fx.source.findings(id, "w1", &batch).await.unwrap();
    fx.source
        .finish(id, "w1", &JobOutcome::Completed { partial: false })
        .await
        .unwrap();
    assert_eq!(fx.status(id).await, "COMPLETE");
    let vulns = fx
        .app
        .admin()
        .post("/ias/v1/search")
        .json(
            &json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id = '{id}'")}),
        )
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(vulns["metadata"]["total_data"], 1, "{vulns}");
}

/// An action long-poll answers as soon as a client asks; the action is handed over once
/// (neither the next poll nor the next heartbeat sees it again); without an action the
/// poll answers `None` when its wait is over.
async fn actions_reach_a_waiting_worker_at_once(fx: Fx) {
    let id = fx.submit().await;
    fx.claim("w1").await;
    fx.source
        .heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(
        fx.source.wait_action(id, "w1", Duration::ZERO).await,
        Ok(None)
    );
    let src = fx.source.clone();
    let waiting =
        tokio::spawn(async move { src.wait_action(id, "w1", Duration::from_secs(25)).await });
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    let asked = Instant::now();
    fx.action(id, "PAUSE").await;
    let got = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("answered by the action, not by the end of the wait")
        .unwrap();
    assert_eq!(got, Ok(Some(ScanAction::Pause)));
    assert!(asked.elapsed() < Duration::from_secs(20));
    assert_eq!(
        fx.source.wait_action(id, "w1", Duration::ZERO).await,
        Ok(None),
        "handed over once"
    );
    let reply = fx
        .source
        .heartbeat(id, "w1", &hb(ScanStatus::Paused))
        .await
        .unwrap();
    assert_eq!(reply.action, None, "not again on the heartbeat");
    // And the other way round: a heartbeat takes it, the poll does not see it again.
    fx.action(id, "RESUME").await;
    let reply = fx
        .source
        .heartbeat(id, "w1", &hb(ScanStatus::Paused))
        .await
        .unwrap();
    assert_eq!(reply.action, Some(ScanAction::Resume));
    assert_eq!(
        fx.source
            .wait_action(id, "w1", Duration::from_millis(50))
            .await,
        Ok(None)
    );
}

/// `release` queues the job again at once (scan `PENDING`, no lease expiry needed); the
/// old holder's calls are then refused as a lost lease, and the next claim is attempt 2.
async fn release_queues_the_job_again_at_once(fx: Fx) {
    let id = fx.submit().await;
    fx.claim("w1").await;
    fx.source.release(id, "w1").await.unwrap();
    assert_eq!(fx.status(id).await, "PENDING");
    assert_eq!(
        fx.source
            .heartbeat(id, "w1", &hb(ScanStatus::Running))
            .await,
        Err(SourceError::LeaseLost)
    );
    assert_eq!(
        fx.source.wait_action(id, "w1", Duration::ZERO).await,
        Err(SourceError::LeaseLost)
    );
    assert_eq!(
        fx.source.release(id, "w1").await,
        Err(SourceError::LeaseLost)
    );
    let again = fx.claim("w2").await;
    assert_eq!((again.scan, again.attempt), (id, 2));
    assert_eq!(fx.status(id).await, "RUNNING");
}

/// A worker acts only on its own lease: another worker's calls change nothing.
async fn only_the_lease_holder_may_act(fx: Fx) {
    let id = fx.submit().await;
    fx.claim("w1").await;
    let batch = FindingBatch {
        batch_id: "b1".into(),
        findings: vec![finding()],
    };
    assert_eq!(
        fx.source.findings(id, "other", &batch).await,
        Err(SourceError::LeaseLost)
    );
    assert_eq!(
        fx.source.finish(id, "other", &JobOutcome::Stopped).await,
        Err(SourceError::LeaseLost)
    );
    assert_eq!(fx.status(id).await, "RUNNING");
    fx.source
        .finish(id, "w1", &JobOutcome::Canceled)
        .await
        .unwrap();
    assert_eq!(fx.status(id).await, "FAILED");
    assert_eq!(
        fx.source.finish(id, "w1", &JobOutcome::Canceled).await,
        Err(SourceError::LeaseLost),
        "a finished job is nobody's"
    );
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod local_sqlite { use super::*; $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(fixture(Transport::Local, Backend::Sqlite).await.unwrap()).await; })* }
        mod http_sqlite { use super::*; $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(fixture(Transport::Http, Backend::Sqlite).await.unwrap()).await; })* }
        mod local_postgres { use super::*; $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { if let Some(fx) = fixture(Transport::Local, Backend::Postgres).await { super::$name(fx).await; } })* }
        mod http_postgres { use super::*; $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { if let Some(fx) = fixture(Transport::Http, Backend::Postgres).await { super::$name(fx).await; } })* }
    };
}

conformance!(
    claim_long_polls_and_is_woken_by_a_submit,
    a_job_runs_to_complete,
    actions_reach_a_waiting_worker_at_once,
    release_queues_the_job_again_at_once,
    only_the_lease_holder_may_act,
);

/// `LocalSource` only: the jobs it holds are known (`running`), and `hand_back` at a
/// server's shutdown releases any a worker did not (scan `PENDING`, attempt 2 next).
#[tokio::test]
async fn local_source_hands_back_what_its_workers_hold() {
    let fx = fixture(Transport::Local, Backend::Sqlite).await.unwrap();
    let local = LocalSource::new(fx.app.service.clone(), Duration::from_secs(600));
    let id = fx.submit().await;
    let spec = local
        .claim("w1", Duration::from_secs(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(local.running(), vec![(id, "w1".to_string())]);
    local
        .heartbeat(spec.scan, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(local.hand_back().await, 1);
    assert!(local.running().is_empty());
    assert_eq!(fx.status(id).await, "PENDING");
    assert_eq!(
        local.heartbeat(id, "w1", &hb(ScanStatus::Running)).await,
        Err(SourceError::LeaseLost)
    );
    let again = local
        .claim("w2", Duration::from_secs(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.scan, again.attempt), (id, 2));
    local
        .finish(id, "w2", &JobOutcome::Completed { partial: false })
        .await
        .unwrap();
    assert!(local.running().is_empty(), "a finished job is not held");
    assert_eq!(local.hand_back().await, 0);
}
