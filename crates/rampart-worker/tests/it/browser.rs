//! The browser crawl of server-side scans: `java_script_engine` CHROMIUM in the options
//! becomes `BrowserSettings` on the built plan, and the worker asks its injected factory for
//! the scan's crawler; a worker without a factory runs the scan HTML-only and says so.

use crate::fake::FakeSource;
use crate::{config, modules, options, spec, testbed};
use async_trait::async_trait;
use rampart_domain::job::JobOutcome;
use rampart_engine::crawl::{BrowserCrawler, BrowserFactory, BrowserScope, BrowserSettings};
use rampart_engine::target::Resource;
use rampart_worker::{build_plan, PlanSettings, Worker};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn with_browser(base: &str) -> serde_json::Value {
    rampart_domain::options::overlay(
        &options(base),
        &json!({
            "java_script_engine": "CHROMIUM",
            "crawl_config": {
                "page_timeout_milliseconds": 12000,
                "max_browser_events_per_dom": 5,
                "crawler_initialization_config": {"browser_pool_size": 3}},
            "performance_config": {"memory_ceiling64_bit": 640}
        }),
    )
}

#[test]
fn java_script_engine_chromium_gives_the_plan_its_browser_settings() {
    let b = build_plan(
        &spec(with_browser("http://127.0.0.1:9"), modules(&["xss_dom"])),
        &PlanSettings::default(),
    )
    .unwrap();
    assert_eq!(
        b.browser,
        Some(BrowserSettings {
            pages: Some(3),
            page_budget: Some(Duration::from_secs(12)),
            events_per_page: Some(5),
            memory_cap_mib: Some(640),
        })
    );
    let b = build_plan(
        &spec(options("http://127.0.0.1:9"), modules(&["xss_dom"])),
        &PlanSettings::default(),
    )
    .unwrap();
    assert_eq!(b.browser, None, "DEFAULT: the HTML crawler alone");
}

/// A browser that renders nothing; its factory keeps the settings it was asked for.
#[derive(Debug, Default)]
struct Factory {
    asked: Mutex<Vec<BrowserSettings>>,
}

struct Nothing;

#[async_trait]
impl BrowserCrawler for Nothing {
    fn availability(&self) -> String {
        "available: a test browser".into()
    }
    async fn discover(&self, scope: &BrowserScope) -> Vec<Resource> {
        scope
            .log(rampart_engine::events::Level::Info, "test browser ran")
            .await;
        Vec::new()
    }
}

impl BrowserFactory for Factory {
    fn browser(&self, settings: &BrowserSettings) -> Arc<dyn BrowserCrawler> {
        self.asked.lock().unwrap().push(settings.clone());
        Arc::new(Nothing)
    }
}

async fn run(factory: Option<Arc<Factory>>, base: &str) -> Vec<String> {
    let source = FakeSource::new();
    source.push(spec(with_browser(base), modules(&["xss_dom"])));
    let mut cfg = config();
    cfg.browser = factory.map(|f| f as Arc<dyn BrowserFactory>);
    let worker = Worker::new(cfg).spawn(source.clone()).unwrap();
    source
        .wait_for("the job's outcome", Duration::from_secs(60), |st| {
            st.outcome().is_some()
        })
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    assert!(
        matches!(st.outcome(), Some(JobOutcome::Completed { .. })),
        "{:?}",
        st.outcome()
    );
    st.events()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_asks_its_factory_for_the_browser_and_without_one_says_so() {
    let tb = testbed().await;
    let base = format!("{}/dom", tb.base_url().trim_end_matches('/'));
    let factory = Arc::new(Factory::default());
    let events = run(Some(factory.clone()), &base).await;
    assert!(
        events.iter().any(|e| e.contains("test browser ran")),
        "{events:#?}"
    );
    assert_eq!(factory.asked.lock().unwrap()[0].pages, Some(3));

    let events = run(None, &base).await;
    assert!(
        events.iter().any(|e| e.contains(
            "asks for the browser crawl (java_script_engine) and this engine has no browser"
        )),
        "{events:#?}"
    );
    assert!(!events.iter().any(|e| e.contains("test browser ran")));
    tb.shutdown().await;
}
