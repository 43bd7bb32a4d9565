//! Confirmation of reflected and stored XSS: one Chromium kept open for the scan's uncertain
//! findings; each load defines the payload's marker function, navigates (a GET, or a form
//! POST submitted from a blank page), waits for the page to settle and, when asked, moves the
//! mouse over, focuses and clicks the elements that carry the call, checking after each step.

use crate::chromium::Launched;
use crate::gate::Recorder;
use crate::page::{self, Probe, Tab};
use crate::proxy::Proxy;
use crate::BrowserOptions;
use async_trait::async_trait;
use chromiumoxide::cdp::browser_protocol::input::{
    DispatchMouseEventParams, DispatchMouseEventType, MouseButton,
};
use chromiumoxide::Page;
use rampart_engine::crawl::{BrowserScope, Navigation, XssConfirmer, XssLoad, XssVerdict};
use regex::Regex;
use serde::Deserialize;
use std::time::{Duration, Instant};

pub(crate) struct Confirmer {
    pub browser: Launched,
    pub proxy: Proxy,
    pub scope: BrowserScope,
    pub options: BrowserOptions,
    pub logout: Regex,
    pub js_logout: String,
}

#[derive(Deserialize)]
struct Hit {
    token: String,
    #[serde(default)]
    stack: String,
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

/// The marker's first call in the current document, if any.
async fn hit(page: &Page, marker: &str) -> Option<Hit> {
    let v = page::eval(
        page,
        "window.__rampart ? JSON.stringify(window.__rampart.hits) : '[]'",
    )
    .await?;
    let hits: Vec<Hit> = serde_json::from_str(v.as_str()?).ok()?;
    hits.into_iter().find(|h| h.token == marker)
}

async fn mouse(page: &Page, kind: DispatchMouseEventType, p: &Point) {
    let moved = matches!(kind, DispatchMouseEventType::MouseMoved);
    let mut b = DispatchMouseEventParams::builder()
        .r#type(kind)
        .x(p.x)
        .y(p.y);
    if !moved {
        b = b.button(MouseButton::Left).click_count(1);
    }
    if let Ok(params) = b.build() {
        let _ = tokio::time::timeout(Duration::from_secs(3), page.execute(params)).await;
    }
}

/// Waits for a form submission to leave the blank page (or `cap`).
async fn left_blank(page: &Page, cap: Duration) {
    let until = Instant::now() + cap;
    while Instant::now() < until {
        let href = page::eval(page, "location.href").await;
        if href.as_ref().and_then(|v| v.as_str()) != Some("about:blank") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ran(h: Hit, by: &str, fallback: &str) -> XssVerdict {
    XssVerdict::Ran {
        url: if h.url.is_empty() {
            fallback.to_string()
        } else {
            h.url
        },
        by: by.to_string(),
        stack: h.stack,
    }
}

/// One load: navigate, settle, check, then the interactions.
async fn load_once(page: &Page, load: &XssLoad) -> XssVerdict {
    let m = &load.marker;
    match &load.navigation {
        Navigation::Get(u) => page::navigate(page, u, None).await,
        Navigation::PostForm { url, fields } => {
            let js = format!(
                "(() => {{ const f = document.createElement('form'); f.method = 'post'; f.action = {}; \
                 for (const [n, v] of {}) {{ const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.appendChild(i); }} \
                 (document.body || document.documentElement).appendChild(f); f.submit(); return true; }})()",
                serde_json::Value::String(url.to_string()),
                serde_json::to_string(fields).unwrap_or_else(|_| "[]".into())
            );
            page::eval(page, &js).await;
            left_blank(page, Duration::from_secs(10)).await;
        }
    }
    page::settle(page, Duration::from_secs(3)).await;
    let at = page::eval(page, "location.href")
        .await
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    if at.starts_with("chrome-error:") || at.is_empty() {
        return XssVerdict::Failed(format!("{} did not load", load.navigation));
    }
    if let Some(h) = hit(page, m).await {
        return ran(h, "page load", &at);
    }
    if !load.interact {
        return XssVerdict::Quiet { url: at };
    }
    let points: Vec<Point> = page::eval(
        page,
        &format!(
            "window.__rampart ? window.__rampart.carriers({}) : '[]'",
            serde_json::Value::String(m.clone())
        ),
    )
    .await
    .and_then(|v| serde_json::from_str(v.as_str()?).ok())
    .unwrap_or_default();
    let corner = Point { x: 0.0, y: 0.0 };
    for p in &points {
        mouse(page, DispatchMouseEventType::MouseMoved, &corner).await;
        mouse(page, DispatchMouseEventType::MouseMoved, p).await;
    }
    page::settle(page, Duration::from_millis(500)).await;
    if let Some(h) = hit(page, m).await {
        return ran(h, "mouse over", &at);
    }
    page::eval(
        page,
        &format!(
            "window.__rampart ? window.__rampart.focusCarriers({}) : false",
            serde_json::Value::String(m.clone())
        ),
    )
    .await;
    page::settle(page, Duration::from_millis(500)).await;
    if let Some(h) = hit(page, m).await {
        return ran(h, "focus", &at);
    }
    for p in &points {
        mouse(page, DispatchMouseEventType::MousePressed, p).await;
        mouse(page, DispatchMouseEventType::MouseReleased, p).await;
        page::settle(page, Duration::from_millis(500)).await;
        if let Some(h) = hit(page, m).await {
            return ran(h, "click", &at);
        }
    }
    XssVerdict::Quiet { url: at }
}

#[async_trait]
impl XssConfirmer for Confirmer {
    async fn load(&mut self, load: &XssLoad) -> XssVerdict {
        let probe = Probe {
            calls: vec![load.marker.clone()],
            logout: Some(self.js_logout.clone()),
            ..Probe::default()
        };
        let mut tab = match Tab::open(&self.browser.browser, &self.scope, &probe).await {
            Ok(t) => t,
            Err(e) => return XssVerdict::Failed(format!("no page: {e}")),
        };
        let rec = Recorder::default();
        let page = tab.page.clone();
        let v = tab
            .run(
                &self.scope,
                &rec,
                &self.logout,
                self.options.page_budget,
                load_once(&page, load),
            )
            .await;
        tab.close().await;
        let target = load.navigation.url().as_str();
        match v {
            Some(XssVerdict::Quiet { .. } | XssVerdict::Failed(_))
                if rec.blocked().iter().any(|b| b.starts_with(target)) =>
            {
                XssVerdict::Failed(format!(
                    "{} refused by the scan's admission",
                    load.navigation
                ))
            }
            Some(v) => v,
            None => XssVerdict::Failed(format!("{}: page budget ran out", load.navigation)),
        }
    }

    async fn close(self: Box<Self>) {
        let Confirmer { browser, proxy, .. } = *self;
        browser.stop().await;
        drop(proxy);
    }
}
