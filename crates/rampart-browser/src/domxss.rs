//! DOM-based XSS by taint and execution. One load per page sends a distinct marker through
//! every source at once; the instrumented sinks say which marker reached which sink; each
//! (source, sink) pair is then confirmed with payloads built for the sink's family, which must
//! call a function defined only for that payload's token.

use crate::chromium::Launched;
use crate::gate::Recorder;
use crate::page::{self, Probe, Tab};
use crate::BrowserOptions;
use futures::stream::{FuturesUnordered, StreamExt};
use rampart_engine::crawl::{BrowserScope, DomXss};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::time::Duration;
use url::Url;

/// A rendered page worth probing, with what its script reads.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub url: Url,
    pub params: Vec<String>,
    pub storage: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Search,
    Hash,
    Referrer,
    Name,
    Storage,
    Message,
}

const SOURCES: [Source; 6] = [
    Source::Search,
    Source::Hash,
    Source::Referrer,
    Source::Name,
    Source::Storage,
    Source::Message,
];

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Search => "location.search",
            Source::Hash => "location.hash",
            Source::Referrer => "document.referrer",
            Source::Name => "window.name",
            Source::Storage => "web storage",
            Source::Message => "postMessage",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Html,
    Script,
    Url,
}

fn family(sink: &str) -> Option<Family> {
    match sink {
        "innerHTML"
        | "outerHTML"
        | "insertAdjacentHTML"
        | "document.write"
        | "document.writeln"
        | "createContextualFragment"
        | "iframe.srcdoc" => Some(Family::Html),
        "eval" | "Function" | "setTimeout" | "setInterval" => Some(Family::Script),
        "location" | "location.assign" | "location.replace" | "window.open" => Some(Family::Url),
        _ => None,
    }
}

fn payloads(f: Family, call: &str) -> Vec<String> {
    match f {
        Family::Html => vec![
            format!("<img src=data:, onerror={call}>"),
            format!("'\"><img src=data:, onerror={call}>"),
        ],
        Family::Script => vec![
            call.to_string(),
            format!("'-{call}-'"),
            format!("\"-{call}-\""),
        ],
        Family::Url => vec![format!("javascript:{call}")],
    }
}

/// Where a value goes for one load.
struct Placement {
    url: Url,
    referrer: Option<String>,
    probe: Probe,
    message: Option<String>,
}

fn place(c: &Candidate, values: &[(Source, String)], logout: &str) -> Placement {
    let mut url = c.url.clone();
    let mut p = Placement {
        url: url.clone(),
        referrer: None,
        probe: Probe {
            logout: Some(logout.to_string()),
            ..Probe::default()
        },
        message: None,
    };
    for (s, v) in values {
        match s {
            Source::Search => {
                let mut names: BTreeSet<String> =
                    url.query_pairs().map(|(k, _)| k.into_owned()).collect();
                names.extend(c.params.iter().cloned());
                if names.is_empty() {
                    names.insert("q".into());
                }
                let q: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(names.iter().map(|n| (n.as_str(), v.as_str())))
                    .finish();
                url.set_query(Some(&q));
            }
            Source::Hash => url.set_fragment(Some(v)),
            Source::Referrer => {
                p.referrer = Some(format!("{}/?r={v}", c.url.origin().ascii_serialization()))
            }
            Source::Name => p.probe.name = Some(v.clone()),
            Source::Storage => {
                p.probe.storage = c.storage.iter().map(|k| (k.clone(), v.clone())).collect()
            }
            Source::Message => p.message = Some(v.clone()),
        }
    }
    p.url = url;
    p
}

#[derive(Debug, Default, Deserialize)]
struct Note {
    sink: String,
    token: String,
    #[serde(default)]
    stack: String,
}

#[derive(Debug, Default, Deserialize)]
struct Trace {
    sinks: Vec<Note>,
    hits: Vec<Note>,
}

const TRACE: &str = "window.__rampart ? JSON.stringify({sinks: window.__rampart.sinks, hits: window.__rampart.hits.map(h => ({sink: '', token: h.token, stack: h.stack}))}) : null";

/// Loads one placement and returns the trace and the probe tokens seen in navigations.
async fn load(
    b: &Launched,
    scope: &BrowserScope,
    opts: &BrowserOptions,
    logout: &Regex,
    p: &Placement,
) -> Option<(Trace, Vec<String>)> {
    let rec = Recorder::default();
    let mut tab = Tab::open(&b.browser, scope, &p.probe).await.ok()?;
    let work = {
        let page = tab.page.clone();
        async move {
            page::navigate(&page, &p.url, p.referrer.as_deref()).await;
            page::settle(&page, Duration::from_secs(3)).await;
            if let Some(m) = &p.message {
                let js = format!(
                    "window.postMessage({}, '*')",
                    serde_json::Value::String(m.clone())
                );
                page::eval(&page, &js).await;
                page::settle(&page, Duration::from_secs(1)).await;
            }
            let v = page::eval(&page, TRACE).await?;
            serde_json::from_str::<Trace>(v.as_str()?).ok()
        }
    };
    let trace = tab
        .run(scope, &rec, logout, opts.page_budget, work)
        .await
        .flatten();
    tab.close().await;
    Some((trace.unwrap_or_default(), rec.nav_tokens()))
}

async fn probe_one(
    b: &Launched,
    scope: &BrowserScope,
    opts: &BrowserOptions,
    c: &Candidate,
    logout: &Regex,
    js_logout: &str,
) -> Vec<DomXss> {
    let markers: Vec<(Source, String)> = SOURCES
        .iter()
        .filter(|s| **s != Source::Storage || !c.storage.is_empty())
        .map(|s| (*s, crate::token()))
        .collect();
    let Some((trace, navs)) = load(b, scope, opts, logout, &place(c, &markers, js_logout)).await
    else {
        return Vec::new();
    };
    let mut pairs: BTreeSet<(Source, String)> = BTreeSet::new();
    for (s, m) in &markers {
        for n in trace.sinks.iter().filter(|n| &n.token == m) {
            pairs.insert((*s, n.sink.clone()));
        }
        if navs.contains(m) {
            pairs.insert((*s, "location".into()));
        }
    }
    let mut found = Vec::new();
    for (source, sink) in pairs {
        let Some(fam) = family(&sink) else { continue };
        if found.iter().any(|x: &DomXss| x.source == source.label()) {
            continue;
        }
        for payload_of in payloads(fam, "__rampart_TOKEN()") {
            if scope.halted() {
                return found;
            }
            let t = crate::token();
            let payload = payload_of.replace("TOKEN", &t);
            let mut p = place(c, &[(source, payload.clone())], js_logout);
            p.probe.tokens = vec![t.clone()];
            let Some((trace, _)) = load(b, scope, opts, logout, &p).await else {
                continue;
            };
            let Some(hit) = trace.hits.iter().find(|h| h.token == t) else {
                continue;
            };
            let at_sink = trace.sinks.iter().find(|n| n.token == t);
            found.push(DomXss {
                page: c.url.clone(),
                source: source.label().to_string(),
                sink: at_sink.map(|n| n.sink.clone()).unwrap_or(sink.clone()),
                proof_url: p.url.clone(),
                payload,
                stack: at_sink
                    .map(|n| n.stack.clone())
                    .unwrap_or(hit.stack.clone()),
            });
            break;
        }
    }
    found
}

/// Probes every candidate with the pool's concurrency.
pub(crate) async fn probe_all(
    b: &Launched,
    scope: &BrowserScope,
    opts: &BrowserOptions,
    candidates: &[Candidate],
    logout: &Regex,
    js_logout: &str,
) -> Vec<DomXss> {
    let mut out = Vec::new();
    let mut it = candidates.iter();
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < opts.pages.max(1) && !scope.halted() {
            let Some(c) = it.next() else { break };
            running.push(probe_one(b, scope, opts, c, logout, js_logout));
        }
        let Some(found) = running.next().await else {
            break;
        };
        out.extend(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_carries_its_value_where_the_page_reads_it() {
        let c = Candidate {
            url: Url::parse("http://h/p.html?a=1").unwrap(),
            params: vec!["term".into()],
            storage: vec!["greeting".into()],
        };
        let v = |s| vec![(s, "rmqabcdefghij".to_string())];
        let p = place(&c, &v(Source::Search), "x");
        assert_eq!(p.url.query(), Some("a=rmqabcdefghij&term=rmqabcdefghij"));
        assert_eq!(
            place(&c, &v(Source::Hash), "x").url.fragment(),
            Some("rmqabcdefghij")
        );
        assert_eq!(
            place(&c, &v(Source::Referrer), "x").referrer.as_deref(),
            Some("http://h/?r=rmqabcdefghij")
        );
        assert_eq!(
            place(&c, &v(Source::Name), "x").probe.name.as_deref(),
            Some("rmqabcdefghij")
        );
        assert_eq!(
            place(&c, &v(Source::Storage), "x").probe.storage,
            vec![("greeting".to_string(), "rmqabcdefghij".to_string())]
        );
        assert_eq!(
            place(&c, &v(Source::Message), "x").message.as_deref(),
            Some("rmqabcdefghij")
        );
    }

    #[test]
    fn payloads_fit_the_sink_and_call_only_their_token() {
        assert_eq!(family("innerHTML"), Some(Family::Html));
        assert_eq!(family("setTimeout"), Some(Family::Script));
        assert_eq!(family("location"), Some(Family::Url));
        assert_eq!(family("alert"), None, "a dialog is not a sink");
        for f in [Family::Html, Family::Script, Family::Url] {
            assert!(payloads(f, "__rampart_T()")
                .iter()
                .all(|p| p.contains("__rampart_T()")));
        }
    }
}
