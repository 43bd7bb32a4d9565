//! One page of the pool: opened with the instrumentation and the Fetch gate, navigated,
//! waited on until network and DOM settle, read, clicked and its forms submitted.

use crate::gate::{self, Recorder};
use chromiumoxide::cdp::browser_protocol::fetch::{self, EventRequestPaused};
use chromiumoxide::cdp::browser_protocol::network::{
    CookieParam, Headers, SetExtraHttpHeadersParams,
};
use chromiumoxide::cdp::browser_protocol::page::{
    AddScriptToEvaluateOnNewDocumentParams, NavigateParams, ReferrerPolicy,
};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::listeners::EventStream;
use chromiumoxide::{Browser, Page};
use rampart_engine::crawl::BrowserScope;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};
use url::Url;

const INIT: &str = include_str!("js/init.js");

/// DOM quiet time that counts as settled.
const QUIET_MS: u64 = 300;

/// What a probe page is told before its scripts run.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Probe {
    pub tokens: Vec<String>,
    /// Function names defined in every document whose call proves execution (the markers
    /// of reflected and stored XSS payloads).
    pub calls: Vec<String>,
    pub name: Option<String>,
    pub storage: Vec<(String, String)>,
    pub logout: Option<String>,
}

/// The state of a document as the instrumentation reads it.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct Snapshot {
    pub url: String,
    pub doc: String,
    pub links: Vec<String>,
    pub routes: Vec<String>,
    pub params: Vec<String>,
    pub storage: Vec<String>,
    pub ws: Vec<String>,
    pub forms: usize,
    pub sig: String,
}

/// A page with its gate's event stream, ready to navigate.
pub(crate) struct Tab {
    pub page: Page,
    events: Option<EventStream<EventRequestPaused>>,
}

impl Tab {
    pub async fn open(
        browser: &Browser,
        scope: &BrowserScope,
        probe: &Probe,
    ) -> Result<Self, String> {
        let err = |e: chromiumoxide::error::CdpError| e.to_string();
        let page = browser.new_page("about:blank").await.map_err(err)?;
        let prelude = format!(
            "window.__rampartProbe = {};\n",
            serde_json::to_string(probe).unwrap_or_else(|_| "{}".into())
        );
        page.execute(AddScriptToEvaluateOnNewDocumentParams::new(prelude + INIT))
            .await
            .map_err(err)?;
        let events = page
            .event_listener::<EventRequestPaused>()
            .await
            .map_err(err)?;
        page.execute(fetch::EnableParams::default())
            .await
            .map_err(err)?;
        let headers = scope.headers();
        if !headers.is_empty() {
            let map: serde_json::Map<String, Value> = headers
                .into_iter()
                .map(|(n, v)| (n, Value::String(v)))
                .collect();
            let _ = page
                .execute(SetExtraHttpHeadersParams::new(Headers::new(Value::Object(
                    map,
                ))))
                .await;
        }
        if let Some(seed) = scope.seeds().first() {
            let cookies: Vec<CookieParam> = scope
                .cookies(seed)
                .into_iter()
                .map(|(n, v)| CookieParam {
                    url: Some(seed.to_string()),
                    ..CookieParam::new(n, v)
                })
                .collect();
            if !cookies.is_empty() {
                let _ = page.set_cookies(cookies).await;
            }
        }
        Ok(Self {
            page,
            events: Some(events),
        })
    }

    /// Runs `work` on this page with the gate answering its requests, within `budget`.
    /// `None` when the budget ran out.
    pub async fn run<'a, T>(
        &'a mut self,
        scope: &'a BrowserScope,
        rec: &'a Recorder,
        logout: &'a Regex,
        budget: Duration,
        work: impl Future<Output = T> + 'a,
    ) -> Option<T> {
        let events = self.events.take()?;
        let gate = gate::run(&self.page, events, scope, rec, logout);
        tokio::select! {
            r = tokio::time::timeout(budget, work) => r.ok(),
            _ = gate => None,
        }
    }

    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(3), self.page.close()).await;
    }
}

/// Evaluates `expr` in the page's current document; `None` on an exception or no answer.
pub(crate) async fn eval(page: &Page, expr: &str) -> Option<Value> {
    let p = EvaluateParams::builder()
        .expression(expr)
        .return_by_value(true)
        .build()
        .ok()?;
    let r = tokio::time::timeout(Duration::from_secs(3), page.execute(p))
        .await
        .ok()?
        .ok()?;
    if r.result.exception_details.is_some() {
        return None;
    }
    r.result.result.value.clone()
}

pub(crate) async fn navigate(page: &Page, url: &Url, referrer: Option<&str>) {
    let mut p = NavigateParams::new(url.as_str());
    if let Some(r) = referrer {
        p.referrer = Some(r.to_string());
        p.referrer_policy = Some(ReferrerPolicy::UnsafeUrl);
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), page.execute(p)).await;
}

/// Waits until the document is loaded, no fetch/XHR of the page is in flight and the DOM
/// has been quiet for a moment, or `cap` passes (a page that never settles).
pub(crate) async fn settle(page: &Page, cap: Duration) {
    let until = Instant::now() + cap;
    let expr = format!(
        "window.__rampart ? window.__rampart.settled({QUIET_MS}) : document.readyState === 'complete'"
    );
    while Instant::now() < until {
        if eval(page, &expr).await == Some(Value::Bool(true)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn snapshot(page: &Page) -> Option<Snapshot> {
    let v = eval(
        page,
        "window.__rampart ? window.__rampart.snapshot() : null",
    )
    .await?;
    serde_json::from_str(v.as_str()?).ok()
}

/// Returns to `url` after an action left it.
async fn back(page: &Page, url: &Url) {
    navigate(page, url, None).await;
    settle(page, Duration::from_secs(3)).await;
}

/// What rendering one state found.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    pub first: Snapshot,
    /// URLs and routes found in the DOM, by clicks and by submissions.
    pub found: Vec<String>,
    pub ws: Vec<String>,
    /// The first state's facts for the client-side checks (when they run).
    pub client: Option<crate::clientside::ClientFacts>,
}

/// Renders `url`, then (when `explore` says the state is new) clicks its elements and
/// submits its forms, returning to `url` whenever an action left it.
pub(crate) async fn render(
    page: &Page,
    url: &Url,
    events_per_page: usize,
    client_paths: Option<&[String]>,
    explore: impl Fn(&str) -> bool,
) -> Option<Rendered> {
    navigate(page, url, None).await;
    settle(page, Duration::from_secs(3)).await;
    let first = snapshot(page).await?;
    let client = match client_paths {
        Some(p) => crate::clientside::collect(page, p).await,
        None => None,
    };
    let mut out = Rendered {
        found: first.links.iter().chain(&first.routes).cloned().collect(),
        ws: first.ws.clone(),
        first: first.clone(),
        client,
    };
    if !explore(&first.sig) {
        return Some(out);
    }
    let take = |out: &mut Rendered, s: &Snapshot| {
        out.found.extend(s.links.iter().chain(&s.routes).cloned());
        if s.url != first.url {
            out.found.push(s.url.clone());
        }
        out.ws.extend(s.ws.iter().cloned());
    };
    for i in 0..events_per_page {
        let n = eval(
            page,
            &format!("window.__rampart ? window.__rampart.click({i}) : -1"),
        )
        .await;
        if n.and_then(|v| v.as_i64()).unwrap_or(-1) < 0 {
            break;
        }
        settle(page, Duration::from_millis(1500)).await;
        match snapshot(page).await {
            Some(s) => {
                take(&mut out, &s);
                if s.doc != first.doc || s.url != first.url {
                    back(page, url).await;
                }
            }
            None => back(page, url).await,
        }
    }
    for i in 0..first.forms.min(events_per_page) {
        let ok = eval(
            page,
            &format!("window.__rampart ? window.__rampart.submitForm({i}) : false"),
        )
        .await;
        if ok != Some(Value::Bool(true)) {
            continue;
        }
        settle(page, Duration::from_millis(1500)).await;
        if let Some(s) = snapshot(page).await {
            take(&mut out, &s);
        }
        back(page, url).await;
    }
    Some(out)
}
