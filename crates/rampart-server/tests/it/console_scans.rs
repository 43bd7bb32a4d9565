//! The console's scan pages over real HTTP, on SQLite and PostgreSQL: launching a scan,
//! the list and its filters, the live stream following a scan driven through the job
//! protocol, actions and who may send them, CSRF refusals, comparing two scans, the
//! dashboard trend, and a report requested, generated and downloaded.

use crate::console::{csrf_in, Browser};
use crate::snap;
use rampart_domain::job::{ExecutionDetails, Heartbeat, JobEvent, JobOutcome};
use rampart_domain::{Finding, RootCause, ScanConfigId, ScanId, ScanStatus, Severity};
use rampart_testkit::TestApp;
use reqwest::header::COOKIE;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A server-sent-events reader over a streaming response.
struct Sse {
    resp: reqwest::Response,
    buf: String,
}

impl Sse {
    async fn open(t: &TestApp, b: &Browser<'_>, path: &str) -> Sse {
        let resp = reqwest::Client::new()
            .get(t.url(path))
            .header(COOKIE, b.jar.header())
            .send()
            .await
            .expect("GET live");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()["content-type"].to_str().expect("ascii"),
            "text/event-stream"
        );
        Sse {
            resp,
            buf: String::new(),
        }
    }

    /// The next event as (name, data); `None` once the stream ends.
    async fn next(&mut self) -> Option<(String, String)> {
        loop {
            if let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let (mut name, mut data) = (String::new(), Vec::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
                if name.is_empty() && data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some((name, data.join("\n")));
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.resp.chunk())
                .await
                .expect("an event within 20 s")
                .expect("read the stream")?;
            self.buf
                .push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        }
    }

    /// Skips events until a `state` for which `want` holds; returns it.
    async fn state_until(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        while let Some((name, data)) = self.next().await {
            if name == "state" {
                let v: Value = serde_json::from_str(&data).expect("state json");
                if want(&v) {
                    return v;
                }
            }
        }
        panic!("the stream ended before the wanted state");
    }
}

fn finding(url: &str) -> Finding {
    Finding {
        module: rampart_testkit::sample_catalogue()[0].id,
        root_cause: RootCause {
            url: url.into(),
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

/// Submits a scan of `cfg` through the console form; its id.
async fn launch(b: &mut Browser<'_>, cfg: ScanConfigId) -> ScanId {
    let csrf = b.csrf("/console/scans").await;
    let (s, body, loc) = b
        .post(
            "/console/scans",
            &[("csrf", &csrf), ("scan_config", &cfg.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let loc = loc.expect("Location");
    loc.strip_prefix("/console/scans/")
        .expect("the scan's page")
        .parse()
        .expect("scan id")
}

/// Runs a scan to COMPLETE through the job protocol, finding `urls`.
async fn run_to_complete(t: &TestApp, id: ScanId, urls: &[&str]) {
    let spec = t
        .service
        .claim_job("w")
        .await
        .expect("claim")
        .expect("queued");
    assert_eq!(spec.scan, id);
    let batch = rampart_domain::job::FindingBatch {
        batch_id: format!("b-{id}"),
        findings: urls.iter().map(|u| finding(u)).collect(),
    };
    t.service
        .job_findings(id, "w", &batch)
        .await
        .expect("findings");
    t.service
        .job_finish(id, "w", &JobOutcome::Completed { partial: false })
        .await
        .expect("finish");
}

async fn status(t: &TestApp, id: ScanId) -> ScanStatus {
    t.service
        .get_scan(&t.keys.admin.principal, id)
        .await
        .expect("scan")
        .status
}

async fn launch_list_and_follow_live(t: TestApp) {
    let (app, cfg) = crate::scans::ready(&t, "Shop").await;
    let mut b = Browser::new(&t);
    b.sign_in_key(&t.keys.read_write.token).await;
    let (s, html, _) = b.get("/console/scans").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Launch a scan") && html.contains(&cfg.to_string()));
    let id = launch(&mut b, cfg).await;
    assert_eq!(status(&t, id).await, ScanStatus::Pending);

    // The list and its filters.
    let (_, html, _) = b.get("/console/scans").await;
    assert!(html.contains(&format!("/console/scans/{id}")));
    let (_, html, _) = b
        .get(&format!("/console/scans?app={app}&status=PENDING"))
        .await;
    assert!(html.contains(&format!("/console/scans/{id}")));
    let (_, html, _) = b.get("/console/scans?status=COMPLETE").await;
    assert!(!html.contains(&format!("/console/scans/{id}")));

    // The page without script: the current state and the actions PENDING allows.
    let page = format!("/console/scans/{id}");
    let (s, html, _) = b.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"id="scan-status""#) && html.contains("PENDING"));
    assert!(html.contains(r#"data-action="CANCEL""#));
    assert!(html.contains(r#"hidden data-action="PAUSE""#), "{html}");

    // The live stream: the first state, then every change as the engine reports it.
    let mut live = Sse::open(&t, &b, &format!("{page}/live")).await;
    let first = live.state_until(|_| true).await;
    snap!("console_live_first_state", first);
    assert_eq!(first["status"], "PENDING");
    assert_eq!(first["actions"], serde_json::json!(["STOP", "CANCEL"]));
    t.service.claim_job("w").await.expect("claim").expect("job");
    let running = live.state_until(|v| v["status"] == "RUNNING").await;
    assert_eq!(
        running["actions"],
        serde_json::json!(["PAUSE", "STOP", "CANCEL"])
    );
    let hb = Heartbeat {
        status: ScanStatus::Running,
        details: ExecutionDetails {
            links_crawled: 7,
            requests: 42,
            ..Default::default()
        },
        checkpoint: None,
        coverage: None,
    };
    t.service.job_heartbeat(id, "w", &hb).await.expect("beat");
    let counted = live.state_until(|v| v["counters"]["requests"] == 42).await;
    assert_eq!(counted["counters"]["links_crawled"], 7);
    t.service
        .job_events(
            id,
            "w",
            &[JobEvent {
                time: chrono::Utc::now(),
                event: "Crawling http://shop.example.test/ now".into(),
            }],
        )
        .await
        .expect("events");
    let mut seen = false;
    while let Some((name, data)) = live.next().await {
        if name == "log" && data.contains("Crawling http://shop.example.test/ now") {
            seen = true;
            break;
        }
    }
    assert!(seen, "the engine's event is streamed");
    t.service
        .job_finish(id, "w", &JobOutcome::Completed { partial: false })
        .await
        .expect("finish");
    let done = live.state_until(|v| v["terminal"] == true).await;
    snap!("console_live_done_state", done);
    assert_eq!(done["status"], "COMPLETE");
    assert_eq!(done["actions"], serde_json::json!([]));
    let mut ended = false;
    while let Some((name, _)) = live.next().await {
        ended |= name == "end";
    }
    assert!(ended, "a finished scan's stream says end and closes");

    // Reconnecting after the last event sends no event again.
    let (_, html, _) = b.get(&page).await;
    assert!(html.contains("COMPLETE") && html.contains("Crawling http://shop.example.test/ now"));
    let mut again = Sse::open(&t, &b, &format!("{page}/live?after=999999999")).await;
    while let Some((name, _)) = again.next().await {
        assert_ne!(name, "log");
    }
}

#[tokio::test]
async fn console_scans_launch_list_and_follow_a_scan_live_sqlite() {
    launch_list_and_follow_live(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_scans_launch_list_and_follow_a_scan_live_postgres() {
    launch_list_and_follow_live(TestApp::spawn_postgres().await.expect("postgres")).await;
}

async fn actions_roles_and_csrf(t: TestApp) {
    let (_, cfg) = crate::scans::ready(&t, "Shop").await;
    let mut rw = Browser::new(&t);
    rw.sign_in_key(&t.keys.read_write.token).await;
    let id = launch(&mut rw, cfg).await;
    t.service.claim_job("w").await.expect("claim").expect("job");
    let page = format!("/console/scans/{id}");
    let action = format!("{page}/action");
    let csrf = rw.csrf(&page).await;

    // CSRF: missing, forged or another session's token changes nothing.
    let mut other = Browser::new(&t);
    other.sign_in_key(&t.keys.admin.token).await;
    let theirs = other.csrf(&page).await;
    for bad in [None, Some("forged"), Some(theirs.as_str())] {
        let mut form = vec![("action", "PAUSE")];
        if let Some(bad) = bad {
            form.push(("csrf", bad));
        }
        let (s, _, _) = rw.post(&action, &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "csrf {bad:?}");
        let (s, _, _) = rw
            .post("/console/scans", &[("scan_config", &cfg.to_string())])
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    assert_eq!(status(&t, id).await, ScanStatus::Running);

    // A read-only user sees the scan but no control, and the server refuses anyway.
    let mut ro = Browser::new(&t);
    ro.sign_in_key(&t.keys.read_only.token).await;
    let (s, html, _) = ro.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("RUNNING"));
    for control in ["/action\"", "data-action=", "Generate"] {
        assert!(!html.contains(control), "read-only page shows {control}");
    }
    let (_, list, _) = ro.get("/console/scans").await;
    assert!(list.contains(&id.to_string()) && !list.contains("Launch a scan"));
    let mut live = Sse::open(&t, &ro, &format!("{page}/live")).await;
    let st = live.state_until(|_| true).await;
    assert_eq!(
        st["actions"],
        serde_json::json!([]),
        "no action offered live"
    );
    drop(live);
    let token = csrf_in(&html).expect("the sign-out form's token");
    for a in ["PAUSE", "STOP", "CANCEL"] {
        let (s, _, _) = ro.post(&action, &[("csrf", &token), ("action", a)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{a}");
    }
    let (s, _, _) = ro
        .post(
            "/console/scans",
            &[("csrf", &token), ("scan_config", &cfg.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = ro
        .post(
            &format!("{page}/reports"),
            &[("csrf", &token), ("kind", "VULN_SUMMARY:PDF")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(status(&t, id).await, ScanStatus::Running);
    let scans = t
        .service
        .list_scans(
            &t.keys.admin.principal,
            &rampart_store::ListRequest::first(10),
        )
        .await
        .expect("scans");
    assert_eq!(scans.total, 1, "the refused launches made no scan");

    // The read-write user's actions go through, as over the API; an illegal one is 409.
    let (s, _, _) = rw
        .post(&action, &[("csrf", &csrf), ("action", "RESUME")])
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _, loc) = rw
        .post(&action, &[("csrf", &csrf), ("action", "PAUSE")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some(page.as_str()));
    assert_eq!(status(&t, id).await, ScanStatus::Pausing);
    let (s, _, _) = rw
        .post(&action, &[("csrf", &csrf), ("action", "CANCEL")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(status(&t, id).await, ScanStatus::Canceling);
    // Another tenant cannot see it at all.
    let mut stranger = Browser::new(&t);
    stranger.sign_in_key(&t.keys.other.token).await;
    let (s, _, _) = stranger.get(&page).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = stranger.get(&format!("{page}/live")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn console_scan_actions_follow_roles_and_csrf_sqlite() {
    actions_roles_and_csrf(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_scan_actions_follow_roles_and_csrf_postgres() {
    actions_roles_and_csrf(TestApp::spawn_postgres().await.expect("postgres")).await;
}

async fn compare_trend_and_reports(t: TestApp) {
    let (_, cfg) = crate::scans::ready(&t, "Shop").await;
    let mut b = Browser::new(&t);
    b.sign_in_key(&t.keys.read_write.token).await;
    let first = launch(&mut b, cfg).await;
    run_to_complete(
        &t,
        first,
        &["https://shop.example.test/a", "https://shop.example.test/b"],
    )
    .await;
    // The manual clock moves on, so the second scan is the later one.
    t.clock.advance(chrono::Duration::minutes(5));
    let second = launch(&mut b, cfg).await;
    run_to_complete(
        &t,
        second,
        &["https://shop.example.test/b", "https://shop.example.test/c"],
    )
    .await;

    // Either order: the earlier scan is the base.
    for (x, y) in [(first, second), (second, first)] {
        let (s, html, _) = b.get(&format!("/console/compare?a={x}&b={y}")).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        for (key, n) in [("new", 1), ("fixed", 1), ("unchanged", 1)] {
            assert!(
                html.contains(&format!(r#"data-count="{key}">({n})"#)),
                "{key}: {html}"
            );
        }
        let new_at = html.find("compare-new").expect("new table");
        let fixed_at = html.find("compare-fixed").expect("fixed table");
        assert!(html[new_at..fixed_at].contains("https://shop.example.test/c"));
        assert!(html[fixed_at..].contains("https://shop.example.test/a"));
    }
    // Scans of two configs are not compared.
    let (_, other_cfg) = crate::scans::ready(&t, "Other").await;
    let third = launch(&mut b, other_cfg).await;
    let (s, _, _) = b
        .get(&format!("/console/compare?a={first}&b={third}"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The scan's page offers the comparison.
    let (_, html, _) = b.get(&format!("/console/scans/{second}")).await;
    assert!(html.contains(r#"action="/console/compare""#) && html.contains(&first.to_string()));

    // The dashboard's trend: the second scan found 1 new and fixed 1; the first is a first.
    let (_, dash, _) = b.get("/console").await;
    assert!(dash.contains("New and fixed per scan"), "{dash}");
    let row = dash
        .find(&format!("/console/compare?a={first}&amp;b={second}"))
        .expect("the second scan compares with the first");
    let cells: Vec<&str> = dash[row..]
        .split("<td class=\"num\">")
        .skip(1)
        .take(2)
        .map(|c| c.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(cells, ["1", "1"], "new, fixed");

    // A report of the scan: requested, generated, downloaded.
    let csrf = b.csrf(&format!("/console/scans/{second}")).await;
    let (s, body, loc) = b
        .post(
            &format!("/console/scans/{second}/reports"),
            &[("csrf", &csrf), ("kind", "VULN_SUMMARY:CSV")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let report_page = loc.expect("the report's page");
    assert!(report_page.starts_with("/console/reports/"));
    let (s, _, _) = b
        .post(
            &format!("/console/scans/{second}/reports"),
            &[("csrf", &csrf), ("kind", "EXEC_ALL_APPS:PDF")],
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a report of a scan"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, html, _) = b.get(&report_page).await;
        if html.contains("/download") {
            break;
        }
        assert!(!html.contains("FAILED"), "{html}");
        assert!(Instant::now() < deadline, "not generated within 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = reqwest::Client::new()
        .get(t.url(&format!("{report_page}/download")))
        .header(COOKIE, b.jar.header())
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .starts_with("attachment; filename="));
    let csv = r.text().await.expect("csv");
    assert!(csv.contains("https://shop.example.test/c"), "{csv}");
    let (_, html, _) = b.get(&format!("/console/scans/{second}")).await;
    assert!(html.contains("Download CSV"));
}

#[tokio::test]
async fn console_compares_scans_shows_the_trend_and_downloads_reports_sqlite() {
    compare_trend_and_reports(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_compares_scans_shows_the_trend_and_downloads_reports_postgres() {
    compare_trend_and_reports(TestApp::spawn_postgres().await.expect("postgres")).await;
}
