//! Vulnerabilities at 1M: bulk-loads VULNS vulnerabilities (and their discoveries) spread
//! over SCANS scans and APPS apps straight into the database (multi-row INSERTs, not the
//! API), then measures over the real HTTP server (rampart-testkit's server on
//! 127.0.0.1:0, reqwest clients): `POST /ias/v1/search` `vulnerability.scans.id='…'`
//! (page of 50), `GET /ias/v1/vulnerabilities?size=50` (default sort: severity DESC),
//! `GET /ias/v1/vulnerabilities/{id}`, and the sustained rate of `ingest_findings`.
//!
//! ```sh
//! cargo run --release -p rampart-testkit --example vulns_bench -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart-testkit --example vulns_bench -- postgres
//! ```
//! Environment (defaults): VULNS=1000000 SCANS=200 APPS=50 CONCURRENCY=8 SECONDS=10
//! (per endpoint) INGEST_SECONDS=10 BATCH=100 CONSOLE=1 (also time the web console's
//! vulnerability list, one client); BROWSER=1 RUNS=5 (the list in headless Chromium: first
//! contentful paint and interactive, from the Navigation and Paint Timing entries);
//! KEEP_DB=1 keeps the SQLite file. Not a test: it never runs under `cargo test`.

use rampart_domain::*;
use rampart_testkit::{fx_finding, Backend, TestApp};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const SEVERITIES: [(&str, i64, u64); 6] = [
    ("SAFE", 0, 5),
    ("INFORMATIONAL", 1, 25),
    ("LOW", 2, 30),
    ("MEDIUM", 3, 25),
    ("HIGH", 4, 12),
    ("CRITICAL", 5, 3),
];

struct Sql {
    pg: bool,
}

impl Sql {
    fn id(&self, u: Uuid) -> String {
        if self.pg {
            format!("'{u}'")
        } else {
            format!("X'{}'", u.simple())
        }
    }
    fn bool(&self, b: bool) -> &'static str {
        match (self.pg, b) {
            (true, true) => "true",
            (true, false) => "false",
            (false, true) => "1",
            (false, false) => "0",
        }
    }
}

/// p50, p99, max in milliseconds.
fn percentiles(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let at = |q: f64| {
        let i = ((v.len() as f64 * q).ceil() as usize).saturating_sub(1);
        v[i.min(v.len() - 1)].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.99), at(1.0))
}

/// Runs `make` from `conc` tasks for `secs` seconds; each call is one request.
async fn load<F, Fut>(label: &str, conc: u64, secs: u64, make: F) -> String
where
    F: Fn(u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    // Warm-up: one second.
    let until = Instant::now() + Duration::from_secs(1);
    let mut n = 0;
    while Instant::now() < until {
        make(n).await;
        n += 1;
    }
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for t in 0..conc {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut i = t * 1_000_003;
            while Instant::now() < end {
                let s = Instant::now();
                let status = make(i).await;
                lat.push(s.elapsed());
                if status >= 400 {
                    errors += 1;
                }
                i += 1;
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    let secs = start.elapsed().as_secs_f64();
    let count = all.len();
    let (p50, p99, max) = percentiles(all);
    format!(
        "| {label} | {count} | {:.0} | {p50:.2} | {p99:.2} | {max:.1} | {errors} |",
        count as f64 / secs
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let kind = std::env::args().nth(1).unwrap_or_else(|| "sqlite".into());
    let vulns = env("VULNS", 1_000_000);
    let scans_n = env("SCANS", 200);
    let apps_n = env("APPS", 50);
    let conc = env("CONCURRENCY", 8);
    let secs = env("SECONDS", 10);
    let ingest_secs = env("INGEST_SECONDS", 10);
    let batch = env("BATCH", 100) as usize;
    let scans_per_app = (scans_n / apps_n).max(1);

    let dir = std::env::temp_dir().join(format!("rampart-vulns-bench-{}", std::process::id()));
    let builder = match kind.as_str() {
        "sqlite" => {
            std::fs::create_dir_all(&dir).expect("temp dir");
            TestApp::builder().sqlite_url(&format!("sqlite://{}", dir.join("r.db").display()))
        }
        "postgres" => TestApp::builder().backend(Backend::Postgres),
        other => panic!("unknown database {other}: sqlite or postgres"),
    };
    let t = builder
        .spawn()
        .await
        .expect("RAMPART_TEST_PG_URL must be set for postgres");
    let sql = Sql {
        pg: kind == "postgres",
    };
    let org = t.keys.org.org();
    println!("# vulns_bench {kind}: {vulns} vulnerabilities, {scans_n} scans, {apps_n} apps");

    // --- load ------------------------------------------------------------------------
    let started = Instant::now();
    let mut apps = Vec::new();
    for i in 0..apps_n {
        apps.push(t.fx_app(&format!("shop-{i}")).await);
    }
    // scans[app][k]: the app's k-th scan.
    let mut scans: Vec<Vec<Uuid>> = Vec::new();
    let mut stmt = String::from(
        "INSERT INTO scans (id, org_id, app_id, scan_config_id, submitter_type, submitter_id, \
         submit_time, completion_time, status, scan_type) VALUES ",
    );
    for (j, a) in apps.iter().enumerate() {
        let mut row = Vec::new();
        for k in 0..scans_per_app {
            let id = Uuid::new_v4();
            let when = 1_700_000_000_000_000i64 + (k as i64) * 86_400_000_000;
            if j > 0 || k > 0 {
                stmt.push(',');
            }
            stmt.push_str(&format!(
                "({}, {}, {}, {}, 'USER', {}, {when}, {when}, 'COMPLETE', 'REGULAR')",
                sql.id(id),
                sql.id(org.0),
                sql.id(a.0),
                sql.id(Uuid::new_v4()),
                sql.id(Uuid::new_v4()),
            ));
            row.push(id);
        }
        scans.push(row);
    }
    t.exec_sql(&stmt).await.expect("insert scans");
    // How many vulnerabilities each scan discovered, to check search totals.
    let mut per_scan = vec![vec![0u64; scans_per_app as usize]; apps_n as usize];
    let weight_total: u64 = SEVERITIES.iter().map(|s| s.2).sum();
    let mut sample_ids = Vec::new();
    const ROWS: u64 = 1000;
    let mut i = 0u64;
    while i < vulns {
        let mut v = String::from(
            "INSERT INTO vulnerabilities (id, org_id, app_id, module_id, root_cause_url, \
             root_cause_parameter, root_cause_method, severity, severity_rank, status, \
             first_discovered, last_discovered, newly_discovered, vulnerability_score, \
             vector_string, variances, updated_time) VALUES ",
        );
        let mut d = String::from(
            "INSERT INTO vulnerability_discoveries (id, org_id, vulnerability_id, scan_id, discovered) VALUES ",
        );
        let mut first_d = true;
        let end = (i + ROWS).min(vulns);
        for n in i..end {
            let id = Uuid::new_v4();
            if n.is_multiple_of(100) {
                sample_ids.push(id);
            }
            let j = (n % apps_n) as usize;
            let k = ((n / apps_n) % scans_per_app) as usize;
            let last = (k + 1).min(scans_per_app as usize - 1);
            // A deterministic spread over the severity weights.
            let mut w = (n.wrapping_mul(2_654_435_761) >> 7) % weight_total;
            let mut sev = SEVERITIES[0];
            for s in SEVERITIES {
                if w < s.2 {
                    sev = s;
                    break;
                }
                w -= s.2;
            }
            let t0 = 1_700_000_000_000_000i64 + (k as i64) * 86_400_000_000;
            let t1 = 1_700_000_000_000_000i64 + (last as i64) * 86_400_000_000;
            if n > i {
                v.push(',');
            }
            let variance = format!(
                r#"[{{"id":"{}","attack_id":"SQLI_01","attack_value":"1 OR 1=1","proof":"SQL syntax","attack_exchanges":[]}}]"#,
                Uuid::new_v4()
            );
            v.push_str(&format!(
                "({}, {}, {}, {}, 'http://shop-{j}.test/p/{n}', 'id', 'GET', '{}', {}, 'UNREVIEWED', \
                 {t0}, {t1}, {}, 5.5, 'AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', '{variance}', {t1})",
                sql.id(id),
                sql.id(org.0),
                sql.id(apps[j].0),
                sql.id(t.service.catalogue()[0].id.0),
                sev.0,
                sev.1,
                sql.bool(last == k),
            ));
            let mut found = vec![(k, t0)];
            if last != k {
                found.push((last, t1));
            }
            for (s, when) in found {
                per_scan[j][s] += 1;
                if !first_d {
                    d.push(',');
                }
                first_d = false;
                d.push_str(&format!(
                    "({}, {}, {}, {}, {when})",
                    sql.id(Uuid::new_v4()),
                    sql.id(org.0),
                    sql.id(id),
                    sql.id(scans[j][s]),
                ));
            }
        }
        let batch_sql = format!("BEGIN; {v}; {d}; COMMIT;");
        t.exec_sql(&batch_sql)
            .await
            .expect("insert vulnerabilities");
        i = end;
        if i.is_multiple_of(100_000) {
            eprintln!(
                "  loaded {i} vulnerabilities ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let loaded = started.elapsed().as_secs_f64();
    let analyze = Instant::now();
    t.exec_sql(if sql.pg { "VACUUM ANALYZE" } else { "ANALYZE" })
        .await
        .expect("analyze");
    let discoveries: u64 = per_scan.iter().flatten().sum();
    println!(
        "- loaded {vulns} vulnerabilities and {discoveries} discoveries in {loaded:.1} s \
         ({:.0} rows/s); {} took {:.1} s",
        (vulns + discoveries) as f64 / loaded,
        if sql.pg { "VACUUM ANALYZE" } else { "ANALYZE" },
        analyze.elapsed().as_secs_f64()
    );

    // --- check -----------------------------------------------------------------------
    let flat: Vec<(Uuid, u64)> = scans
        .iter()
        .zip(&per_scan)
        .flat_map(|(ids, counts)| ids.iter().copied().zip(counts.iter().copied()))
        .collect();
    let search_body = |scan: Uuid| serde_json::json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}'")});
    let (scan0, want) = flat[flat.len() / 2];
    let r = t
        .org()
        .post("/ias/v1/search?size=50")
        .json(&search_body(scan0))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(r["metadata"]["total_data"], want, "search total");
    assert_eq!(
        r["data"].as_array().map(Vec::len),
        Some(50.min(want as usize))
    );
    let r = t
        .org()
        .get("/ias/v1/vulnerabilities?size=50")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(r["metadata"]["total_data"], vulns, "list total");
    assert_eq!(r["data"][0]["severity"], "CRITICAL");
    let per: Vec<u64> = flat.iter().map(|x| x.1).collect();
    println!(
        "- matches per scan: min {} / max {} (page of 50 each)",
        per.iter().min().unwrap_or(&0),
        per.iter().max().unwrap_or(&0)
    );

    // --- measure ---------------------------------------------------------------------
    println!("\n| {kind} | requests | req/s | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let client = reqwest::Client::new();
    let key = t.keys.org.token.clone();
    let base = t.base.clone();
    let flat = std::sync::Arc::new(flat);
    let ids = std::sync::Arc::new(sample_ids);
    {
        let (c, k, b, f) = (client.clone(), key.clone(), base.clone(), flat.clone());
        let row = load(
            "`POST /ias/v1/search?size=50` `vulnerability.scans.id='…'`",
            conc,
            secs,
            move |n| {
                let (c, k, b, f) = (c.clone(), k.clone(), b.clone(), f.clone());
                async move {
                    let (scan, _) = f[(n as usize * 7919) % f.len()];
                    let body = serde_json::json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}'")});
                    let r = c
                        .post(format!("{b}/ias/v1/search?size=50"))
                        .header("X-Api-Key", &k)
                        .json(&body)
                        .send()
                        .await
                        .expect("request");
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
            },
        )
        .await;
        println!("{row}");
    }
    {
        let (c, k, b) = (client.clone(), key.clone(), base.clone());
        let row = load(
            "`GET /ias/v1/vulnerabilities?size=50` (severity DESC)",
            conc,
            secs,
            move |_| {
                let (c, k, b) = (c.clone(), k.clone(), b.clone());
                async move {
                    let r = c
                        .get(format!("{b}/ias/v1/vulnerabilities?size=50"))
                        .header("X-Api-Key", &k)
                        .send()
                        .await
                        .expect("request");
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
            },
        )
        .await;
        println!("{row}");
    }
    {
        let (c, k, b, ids) = (client.clone(), key.clone(), base.clone(), ids.clone());
        let row = load("`GET /ias/v1/vulnerabilities/{id}`", conc, secs, move |n| {
            let (c, k, b, ids) = (c.clone(), k.clone(), b.clone(), ids.clone());
            async move {
                let id = ids[(n as usize * 7919) % ids.len()];
                let r = c
                    .get(format!("{b}/ias/v1/vulnerabilities/{id}"))
                    .header("X-Api-Key", &k)
                    .send()
                    .await
                    .expect("request");
                let s = r.status().as_u16();
                let _ = r.bytes().await;
                s
            }
        })
        .await;
        println!("{row}");
    }

    // --- the web console: one signed-in session, the HTML of the list's first page ------
    // (server time + transfer of the whole page as the browser receives it; not paint).
    if env("CONSOLE", 1) == 1 {
        let session = t
            .service
            .console_sign_in_key(&key)
            .await
            .expect("console session");
        let cookie = format!("rampart_session={}", session.token);
        println!("\n| {kind} console (HTML of page 1) | requests | req/s | p50 ms | p99 ms | max ms | errors |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for (label, path) in [
            (
                "`GET /console/vulnerabilities` (severity DESC)",
                "/console/vulnerabilities",
            ),
            (
                "`… ?severity=HIGH` (facet)",
                "/console/vulnerabilities?severity=HIGH",
            ),
            (
                "`… ?open=1&sort=last` (facet, last seen)",
                "/console/vulnerabilities?open=1&sort=last",
            ),
            (
                "`… ?q=vulnerability.root_cause.url CONTAINS '/p/7'`",
                "/console/vulnerabilities?q=vulnerability.root_cause.url+CONTAINS+%27%2Fp%2F7%27",
            ),
            (
                "`… ?page=1000` (index paging, deep page)",
                "/console/vulnerabilities?page=1000",
            ),
            (
                "`GET /console` (dashboard: counts by severity and app)",
                "/console",
            ),
        ] {
            let r = client
                .get(format!("{base}{path}"))
                .header("Cookie", &cookie)
                .send()
                .await
                .expect("request");
            let status = r.status().as_u16();
            let bytes = r.bytes().await.map(|b| b.len()).unwrap_or(0);
            let (c, b, ck, path) = (
                client.clone(),
                base.clone(),
                cookie.clone(),
                path.to_string(),
            );
            let row = load(
                &format!("{label}, {bytes} B, first {status}"),
                1,
                secs,
                move |_| {
                    let (c, b, ck, path) = (c.clone(), b.clone(), ck.clone(), path.clone());
                    async move {
                        let r = c
                            .get(format!("{b}{path}"))
                            .header("Cookie", &ck)
                            .send()
                            .await
                            .expect("request");
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        s
                    }
                },
            )
            .await;
            println!("{row}");
        }
    }

    // --- the same pages in headless Chromium: paint and interactive -------------------
    if env("CONSOLE", 1) == 1 && env("BROWSER", 1) == 1 {
        let session = t
            .service
            .console_sign_in_key(&key)
            .await
            .expect("console session");
        browser_timings(&kind, &base, &session.token, env("RUNS", 5)).await;
    }

    // --- ingestion -------------------------------------------------------------------
    // Batches of BATCH findings, half new, half seen before in the app, each batch from a
    // new scan of app 0, one writer (as one worker reports).
    let store = t.store().clone();
    let end = Instant::now() + Duration::from_secs(ingest_secs);
    let mut lat = Vec::new();
    let mut findings_total = 0usize;
    let start = Instant::now();
    let mut b = 0u64;
    while Instant::now() < end {
        let scan = t.fx_scan_with_findings(apps[0], &[]).await;
        let findings: Vec<Finding> = (0..batch)
            .map(|x| {
                let url = if x % 2 == 0 {
                    format!("http://shop-0.test/new/{b}/{x}")
                } else {
                    format!("http://shop-0.test/again/{x}")
                };
                fx_finding(&url, Some("id"), Severity::High, 1)
            })
            .collect();
        let s = Instant::now();
        store
            .ingest_findings(org, scan, &format!("batch-{b}"), &findings)
            .await
            .expect("ingest");
        lat.push(s.elapsed());
        findings_total += findings.len();
        b += 1;
    }
    let secs_ing = start.elapsed().as_secs_f64();
    let (p50, p99, max) = percentiles(lat);
    println!(
        "\n- ingestion: {findings_total} findings in {b} batches of {batch} over {secs_ing:.1} s \
         = {:.0} findings/s (wall time incl. creating each batch's scan); batch p50 {p50:.1} ms, \
         p99 {p99:.1} ms, max {max:.1} ms",
        findings_total as f64 / secs_ing
    );
    t.close_database().await;
    if std::env::var_os("KEEP_DB").is_some() {
        println!("- database kept in {}", dir.display());
    } else {
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// Paint and navigation timings of the page just loaded (ms from the navigation's start),
/// `null` until its load event has ended.
const TIMINGS: &str = "(function () { var n = performance.getEntriesByType('navigation')[0]; \
    var f = performance.getEntriesByName('first-contentful-paint')[0]; \
    if (!n || !n.loadEventEnd) { return null; } \
    return {fcp: f ? f.startTime : -1, ttfb: n.responseStart, interactive: n.domInteractive, \
    dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, bytes: n.transferSize, \
    rows: document.querySelectorAll('table.vulns tbody tr').length}; })()";

/// Opens the console's vulnerability list RUNS times per page in headless Chromium (a new
/// navigation each time; the HTML is `no-store`, the stylesheet and script are cached after
/// the first run) and prints the first run and the median of the others.
async fn browser_timings(kind: &str, base: &str, session: &str, runs: u64) {
    use chromiumoxide::browser::{Browser, BrowserConfig};
    use chromiumoxide::cdp::browser_protocol::network::CookieParam;
    use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
    use futures::StreamExt;
    let Some(exe) = rampart_browser::find_chromium() else {
        println!("\n- no Chromium found: no browser timings");
        return;
    };
    let profile = std::env::temp_dir().join(format!("rampart-bench-{}", Uuid::new_v4()));
    let config = BrowserConfig::builder()
        .chrome_executable(exe)
        // The new headless mode paints (the old one reports no paint timing).
        .new_headless_mode()
        .no_sandbox()
        .user_data_dir(&profile)
        .window_size(1280, 900)
        .arg("disable-gpu")
        .arg("disable-component-update")
        .build()
        .expect("browser config");
    let (mut browser, mut handler) = Browser::launch(config).await.expect("launch Chromium");
    let driver = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let page = browser.new_page("about:blank").await.expect("page");
    page.set_cookie(
        CookieParam::builder()
            .name("rampart_session")
            .value(session)
            .url(format!("{base}/console"))
            .build()
            .expect("cookie"),
    )
    .await
    .expect("set the session cookie");
    println!(
        "\n| {kind} console in headless Chromium | run | first contentful paint ms | domInteractive ms | DOMContentLoaded end ms | load end ms | HTML bytes | rows |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for (label, path) in [
        (
            "`/console/vulnerabilities` (severity DESC)",
            "/console/vulnerabilities",
        ),
        (
            "`… ?severity=HIGH`",
            "/console/vulnerabilities?severity=HIGH",
        ),
        (
            "`… ?q=vulnerability.root_cause.url CONTAINS '/p/7'`",
            "/console/vulnerabilities?q=vulnerability.root_cause.url+CONTAINS+%27%2Fp%2F7%27",
        ),
        ("`… ?page=1000`", "/console/vulnerabilities?page=1000"),
    ] {
        let mut all: Vec<serde_json::Value> = Vec::new();
        for _ in 0..runs.max(2) {
            page.goto(format!("{base}{path}")).await.expect("goto");
            let deadline = Instant::now() + Duration::from_secs(120);
            // The paint entry may come a frame after the load event: wait for it a while.
            let mut loaded: Option<Instant> = None;
            loop {
                let p = EvaluateParams::builder()
                    .expression(TIMINGS)
                    .return_by_value(true)
                    .build()
                    .expect("evaluate params");
                let v = page
                    .execute(p)
                    .await
                    .ok()
                    .and_then(|r| r.result.result.value.clone())
                    .unwrap_or_default();
                if v.is_object() {
                    let at = *loaded.get_or_insert_with(Instant::now);
                    if v["fcp"].as_f64().unwrap_or(-1.0) >= 0.0
                        || at.elapsed() > Duration::from_secs(3)
                    {
                        all.push(v);
                        break;
                    }
                }
                assert!(Instant::now() < deadline, "{path} did not finish loading");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(-1.0);
        let row = |run: &str, v: &serde_json::Value| {
            let fcp = f(v, "fcp");
            println!(
                "| {label} | {run} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
                if fcp < 0.0 {
                    "n/a".to_string()
                } else {
                    format!("{fcp:.1}")
                },
                f(v, "interactive"),
                f(v, "dcl"),
                f(v, "load"),
                v["bytes"].as_u64().unwrap_or(0),
                v["rows"].as_u64().unwrap_or(0),
            );
        };
        row("first (cold assets)", &all[0]);
        // The median of the warm runs, key by key.
        let warm = &all[1..];
        let median = |k: &str| {
            let mut xs: Vec<f64> = warm.iter().map(|v| f(v, k)).collect();
            xs.sort_by(|a, b| a.total_cmp(b));
            xs[xs.len() / 2]
        };
        let m = serde_json::json!({
            "fcp": median("fcp"), "interactive": median("interactive"), "dcl": median("dcl"),
            "load": median("load"), "bytes": all[all.len() - 1]["bytes"].clone(),
            "rows": all[all.len() - 1]["rows"].clone(),
        });
        row(&format!("median of {} warm", warm.len()), &m);
    }
    let _ = browser.close().await;
    let _ = browser.wait().await;
    driver.abort();
    let _ = std::fs::remove_dir_all(&profile);
}
