//! Measures the requests per second the engine sustains against a local fixture and the
//! process's peak memory. Run: `cargo bench -p rampart-engine --bench throughput`.

use axum::extract::{Path, Query};
use axum::response::Html;
use axum::routing::get;
use rampart_engine::http::ReqwestTransport;
use rampart_engine::{Event, ScanPlan};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGES: usize = 150;

async fn page(Path(name): Path<String>, Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let i: usize = name.trim_start_matches("page").parse().unwrap_or(0);
    let links: String = (1..=5)
        .map(|d| format!("<a href=\"/page{}?q=v{d}\">n</a>", (i + d) % PAGES))
        .collect();
    let q = q
        .get("q")
        .cloned()
        .unwrap_or_default()
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    Html(format!(
        "<html><body><h1>Page {i}</h1><p>query {q}</p>{links}<form method=post action=/page{i}><input name=c value=x></form></body></html>"
    ))
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    rt.block_on(async {
        let router = axum::Router::new().route("/", get(|| async { Html("<a href=\"/page0?q=a\">start</a>") })).route(
            "/{name}",
            get(page).post(page),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        let mut plan = ScanPlan::for_url(format!("http://{addr}/").parse().unwrap_or_else(|e| panic!("url: {e}")));
        plan.limits.max_requests = 30_000;
        plan.limits.max_duration = Duration::from_secs(120);
        plan.limits.concurrency = 16;
        plan.limits.per_host_concurrency = 16;
        let transport = Arc::new(ReqwestTransport::new(false).unwrap_or_else(|e| panic!("transport: {e}")));
        let start = Instant::now();
        let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap_or_else(|e| panic!("start: {e}"));
        while let Some(e) = rx.recv().await {
            if matches!(e, Event::Finished(_)) {
                break;
            }
        }
        let s = handle.wait().await.unwrap_or_else(|e| panic!("wait: {e}"));
        let secs = start.elapsed().as_secs_f64();
        println!(
            "throughput: {} requests in {secs:.2}s = {:.0} req/s; {} pages crawled; {} findings; outcome {:?}; peak RSS {} KiB (engine + fixture in one process)",
            s.progress.requests,
            s.progress.requests as f64 / secs,
            s.progress.links_crawled,
            s.findings.len(),
            s.outcome,
            peak_rss_kib()
        );
    });
}
