//! The browser crawler end to end against the testbed's single-page and DOM XSS areas.
//!
//! Without Chromium these tests fail with one line saying what to install
//! ([`rampart_browser::chromium_for_test`]). The degradation test always runs.

mod address;
mod client;
mod confirm;
mod crawl;
mod dom_xss;
mod missing;

use rampart_browser::{BrowserOptions, Chromium};
use rampart_engine::crawl::BrowserCrawler;
use rampart_engine::http::ReqwestTransport;
use rampart_engine::{Event, ScanPlan, Summary};
use rampart_testbed::{TestbedConfig, TestbedHandle};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// A site on another origin that counts the requests it gets (it must get none).
pub struct Outside {
    pub url: String,
    pub hits: Arc<Mutex<Vec<String>>>,
}

pub async fn outside() -> Outside {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let h = hits.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let h = h.clone();
        async move {
            h.lock().unwrap().push(uri.to_string());
            "outside"
        }
    });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    Outside { url, hits }
}

pub async fn testbed(outside: Option<&Outside>) -> TestbedHandle {
    rampart_testbed::spawn(TestbedConfig {
        outside_url: outside.map(|o| o.url.clone()),
        ..TestbedConfig::default()
    })
    .await
    .unwrap()
}

pub fn url(tb: &TestbedHandle, path: &str) -> Url {
    Url::parse(&format!("{}{path}", tb.base_url().trim_end_matches('/'))).unwrap()
}

pub fn options() -> BrowserOptions {
    BrowserOptions {
        pages: 2,
        page_budget: Duration::from_secs(30),
        ..BrowserOptions::default()
    }
}

/// Runs `plan` with `browser` to the end: the summary and every event.
pub async fn scan(plan: ScanPlan, browser: Option<Arc<Chromium>>) -> (Summary, Vec<Event>) {
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    let b = browser.map(|b| b as Arc<dyn BrowserCrawler>);
    let (handle, mut rx) = rampart_engine::start(plan, transport, b).unwrap();
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        let done = matches!(e, Event::Finished(_));
        events.push(e);
        if done {
            break;
        }
    }
    let summary = tokio::time::timeout(Duration::from_secs(60), handle.wait())
        .await
        .unwrap()
        .unwrap();
    (summary, events)
}

pub fn logs(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect()
}
