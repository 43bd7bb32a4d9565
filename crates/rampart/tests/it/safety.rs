//! The scanner never turns on the server that runs it: `rampart server` hands its own
//! listening socket to its embedded engine slots (`server_cmd.rs`, `own_sockets`), so a
//! scan seeded with the server's own URL sends it nothing, although the scan's targets name
//! that host. The address policy itself (metadata, private ranges, redirects) is tested in
//! `crates/rampart-engine/tests/it/address.rs`.

use crate::faults::database::{scan_config, settled};
use crate::server_proc::{self, Api};
use reqwest::Method;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A page on another port of 127.0.0.1 that counts what it is sent.
async fn counting_site() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            axum::response::Html("<html><body><a href=\"/next\">next</a></body></html>")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), hits)
}

/// Scans `base` with a config of its own; the scan's `requests` counter once it ended.
async fn requests_of_a_scan(api: &Api, base: &str, name: &str) -> (i64, serde_json::Value) {
    let cfg = scan_config(api, base, name).await;
    let scan = api
        .create("/ias/v1/scans", json!({"scan_config": {"id": cfg}}))
        .await;
    let done = settled(api, &scan, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let details = api
        .get(&format!("/ias/v1/scans/{scan}/execution-details"))
        .await;
    let (s, events, _) = api
        .call(
            Method::GET,
            &format!("/ias/v1/scans/{scan}/engine-events"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    (details["requests"].as_i64().unwrap(), events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_of_the_server_itself_sends_it_nothing() {
    let dir = std::env::temp_dir().join(format!("rampart-self-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let server = server_proc::start(&crate::cluster::bin(), &url, None, 60);
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        base: server.base.clone(),
        key: server.key.clone().expect("the first start prints a key"),
    };
    // The target names the host, every port of it.
    api.create(
        "/ias/v1/targets",
        json!({"domain": "127.0.0.1", "enabled": true}),
    )
    .await;
    // Control: another port of the same host is scanned.
    let (site, hits) = counting_site().await;
    let (sent, events) = requests_of_a_scan(&api, &site, "Neighbour").await;
    assert!(sent > 0 && hits.load(Ordering::SeqCst) > 0, "{events}");
    // The server's own port: nothing is sent.
    let (sent, events) =
        requests_of_a_scan(&api, &format!("{}/console", server.base), "Itself").await;
    assert_eq!(sent, 0, "nothing sent to the server itself: {events}");
    drop(server);
    std::fs::remove_dir_all(dir).ok();
}
