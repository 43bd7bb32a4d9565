//! The Fetch gate: every request a page makes is paused, admitted by the engine (scope gate,
//! budgets, drip delay) and continued, or failed as `BlockedByClient`; admitted script,
//! document and form requests are recorded for the engine to crawl and attack.

use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EventRequestPaused, FailRequestParams,
};
use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, ResourceType};
use chromiumoxide::listeners::EventStream;
use chromiumoxide::Page;
use futures::StreamExt;
use rampart_engine::crawl::BrowserScope;
use rampart_engine::target::Resource;
use regex::Regex;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};
use url::Url;

/// At most this many requests are recorded (memory bound).
const MAX_RECORDED: usize = 5_000;

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("rmq[0-9a-z]{10}").unwrap_or_else(|_| unreachable!("literal regex"))
});

#[derive(Default)]
struct State {
    seen: HashSet<String>,
    entries: Vec<Value>,
    blocked: Vec<String>,
    /// Probe tokens seen in document navigations (a marker that reached a location sink).
    nav_tokens: Vec<String>,
}

/// What the pages of one crawl (or one probe) requested.
#[derive(Default)]
pub(crate) struct Recorder {
    state: Mutex<State>,
}

impl Recorder {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    pub fn blocked(&self) -> Vec<String> {
        self.with(|s| s.blocked.clone())
    }

    pub fn nav_tokens(&self) -> Vec<String> {
        self.with(|s| s.nav_tokens.clone())
    }

    /// The recorded requests as the engine's resources (one home for "a recorded request":
    /// the HAR reader).
    pub fn resources(&self) -> Vec<Resource> {
        let entries = self.with(|s| s.entries.clone());
        let har = json!({"log": {"entries": entries}}).to_string();
        rampart_engine::seed::har::resources(&har).unwrap_or_default()
    }

    fn record(&self, ev: &EventRequestPaused, url: &Url) {
        let kind = &ev.resource_type;
        let method = ev.request.method.to_ascii_uppercase();
        let wanted = matches!(
            kind,
            ResourceType::Document
                | ResourceType::Xhr
                | ResourceType::Fetch
                | ResourceType::EventSource
        ) || (method != "GET"
            && matches!(kind, ResourceType::Other | ResourceType::Ping));
        if *kind == ResourceType::Document {
            if let Some(t) = TOKEN.find(url.as_str()) {
                self.with(|s| s.nav_tokens.push(t.as_str().to_string()));
            }
        }
        if !wanted {
            return;
        }
        let body: Vec<u8> = ev
            .request
            .post_data_entries
            .iter()
            .flatten()
            .filter_map(|e| e.bytes.as_ref())
            .filter_map(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(AsRef::<str>::as_ref(b))
                    .ok()
            })
            .flatten()
            .collect();
        let headers: Vec<(String, String)> = ev
            .request
            .headers
            .inner()
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(n, v)| Some((n.clone(), v.as_str()?.to_string())))
            .collect();
        let ctype = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let kept: Vec<Value> = headers
            .iter()
            .filter(|(n, _)| kept_header(n))
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        let text = String::from_utf8_lossy(&body).into_owned();
        let key = format!("{method} {url} {text}");
        let mut entry =
            json!({"request": {"method": method, "url": url.as_str(), "headers": kept}});
        if !body.is_empty() {
            entry["request"]["postData"] = json!({"mimeType": ctype, "text": text});
        }
        self.with(|s| {
            if s.entries.len() < MAX_RECORDED && s.seen.insert(key) {
                s.entries.push(entry);
            }
        });
    }
}

/// Headers worth replaying: the application's own (`X-…`, `Authorization`, `Referer`), not
/// what every browser sends.
fn kept_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    !(n.starts_with("sec-")
        || matches!(
            n.as_str(),
            "user-agent"
                | "accept"
                | "accept-language"
                | "accept-encoding"
                | "upgrade-insecure-requests"
                | "origin"
                | "cache-control"
                | "pragma"
                | "dnt"
                | "priority"
                | "content-length"
        ))
}

/// Answers the page's paused requests until the page goes away. Never returns while the
/// page lives: run it next to the page's work (`select!`).
pub(crate) async fn run(
    page: &Page,
    mut events: EventStream<EventRequestPaused>,
    scope: &BrowserScope,
    rec: &Recorder,
    logout: &Regex,
) {
    while let Some(ev) = events.next().await {
        let id = ev.request_id.clone();
        let url = Url::parse(&ev.request.url).ok();
        let verdict = match &url {
            Some(u) if matches!(u.scheme(), "data" | "blob" | "about") => Ok(false),
            Some(u)
                if logout.is_match(u.as_str()) && ev.resource_type == ResourceType::Document =>
            {
                Err(format!("{u} (logout)"))
            }
            Some(u) => match scope.admit(&ev.request.method, u).await {
                Ok(()) => Ok(true),
                Err(r) => Err(format!("{u} ({r})")),
            },
            None => Err(format!("{} (not a URL)", ev.request.url)),
        };
        match verdict {
            Ok(record) => {
                if let (true, Some(u)) = (record, &url) {
                    rec.record(&ev, u);
                }
                let _ = page.execute(ContinueRequestParams::new(id)).await;
            }
            Err(why) => {
                rec.with(|s| {
                    if s.blocked.len() < 1_000 && !s.blocked.contains(&why) {
                        s.blocked.push(why);
                    }
                });
                let _ = page
                    .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                    .await;
            }
        }
    }
    futures::future::pending::<()>().await
}
