//! The browser crawl: a queue of client-side states rendered by a bounded pool of pages,
//! deduplicated by URL pattern and DOM skeleton, then the DOM XSS probes.

use crate::chromium::Launched;
use crate::clientside;
use crate::domxss::{self, Candidate};
use crate::gate::Recorder;
use crate::libraries::Advisories;
use crate::page::{self, Probe, Rendered, Tab};
use crate::{BrowserOptions, CrawlReport};
use futures::stream::{FuturesUnordered, StreamExt};
use rampart_engine::crawl::{BrowserScope, ClientCheck};
use rampart_engine::events::Level;
use rampart_engine::target::path_pattern;
use regex::Regex;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use url::Url;

/// Distinct states rendered per URL pattern (numbers collapsed), like the HTML crawler's
/// `max_per_pattern`.
const PER_PATTERN: usize = 8;

/// A fragment that is a client-side route (`#/path`, `#!/path`) is part of the state.
fn is_route(fragment: &str) -> bool {
    fragment.starts_with('/') || fragment.starts_with('!')
}

fn state_url(mut u: Url) -> Url {
    if !u.fragment().is_some_and(is_route) {
        u.set_fragment(None);
    }
    u
}

/// The pattern of a state: path pattern, query names, route with numbers collapsed.
fn pattern(u: &Url) -> String {
    let mut names: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    names.sort();
    names.dedup();
    let route: String = u
        .fragment()
        .unwrap_or("")
        .split('/')
        .map(|s| {
            if s.chars().any(|c| c.is_ascii_digit()) {
                "{n}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    format!("{}?{}#{}", path_pattern(u), names.join("&"), route)
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

struct Queue {
    queue: VecDeque<Url>,
    seen: HashSet<String>,
    patterns: HashMap<String, usize>,
}

impl Queue {
    fn push(&mut self, u: Url, scope: &BrowserScope, logout: &Regex) {
        if !matches!(u.scheme(), "http" | "https") {
            return;
        }
        let u = state_url(u);
        if !self.seen.insert(u.to_string())
            || logout.is_match(u.as_str())
            || !scope.in_scope("GET", &u)
        {
            return;
        }
        let n = self.patterns.entry(pattern(&u)).or_insert(0);
        if *n >= PER_PATTERN {
            return;
        }
        *n += 1;
        self.queue.push_back(u);
    }
}

pub(crate) async fn run(b: &Launched, scope: &BrowserScope, opts: &BrowserOptions) -> CrawlReport {
    let logout_src = scope.logout_regex();
    let logout = Regex::new(&logout_src)
        .or_else(|_| Regex::new(rampart_engine::crawl::DEFAULT_LOGOUT))
        .unwrap_or_else(|_| unreachable!("the default logout pattern is valid"));
    let js_logout = logout_src.trim_start_matches("(?i)").to_string();
    let rec = Recorder::default();
    let sigs: Mutex<HashSet<u64>> = Mutex::new(HashSet::new());
    let mut q = Queue {
        queue: VecDeque::new(),
        seen: HashSet::new(),
        patterns: HashMap::new(),
    };
    for s in scope.seeds() {
        q.push(s.clone(), scope, &logout);
    }
    let max_states = opts.max_states.min(scope.max_pages()).max(1);
    let cap_kib = opts.memory_cap_mib.saturating_mul(1024);
    let mut report = CrawlReport::default();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut candidate_patterns: HashSet<String> = HashSet::new();
    let mut websockets: HashSet<String> = HashSet::new();
    let mut said_memory = false;
    // Client-side checks: on when one of their modules is.
    let client_on = ClientCheck::ALL
        .iter()
        .any(|c| scope.module_enabled(c.module_key()));
    let advisories = if scope.module_enabled(ClientCheck::VulnerableLibrary.module_key()) {
        match Advisories::load() {
            Ok(a) => Some(a),
            Err(e) => {
                scope
                    .log(
                        Level::Warn,
                        format!("vulnerable JavaScript libraries: {e}; the check does not run"),
                    )
                    .await;
                None
            }
        }
    } else {
        None
    };
    let client_paths: Option<Vec<String>> = client_on.then(|| {
        advisories
            .as_ref()
            .map(Advisories::global_paths)
            .unwrap_or_default()
    });
    let mut client_seen: HashSet<String> = HashSet::new();
    let probe = Probe {
        logout: Some(js_logout.clone()),
        ..Probe::default()
    };
    let explore = |sig: &str| match sigs.lock() {
        Ok(mut s) => s.insert(hash(sig)),
        Err(_) => false,
    };
    let mut started = 0usize;
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < opts.pages.max(1) && !q.queue.is_empty() {
            if started >= max_states || scope.halted() || scope.time_left() < opts.page_budget / 4 {
                for u in q.queue.drain(..) {
                    report
                        .cut
                        .push(format!("{u} (state limit {max_states}, time or stop)"));
                }
                break;
            }
            let rss = b.rss_kib();
            report.peak_chromium_rss_kib = report.peak_chromium_rss_kib.max(rss);
            if rss > cap_kib {
                if !said_memory {
                    said_memory = true;
                    scope
                        .log(
                            Level::Warn,
                            format!(
                                "browser memory cap {} MiB reached ({} MiB): no new page until others close",
                                opts.memory_cap_mib,
                                rss / 1024
                            ),
                        )
                        .await;
                }
                if running.is_empty() {
                    for u in q.queue.drain(..) {
                        report.cut.push(format!("{u} (memory cap)"));
                    }
                }
                break;
            }
            let Some(u) = q.queue.pop_front() else { break };
            started += 1;
            let (rec, probe, explore) = (&rec, &probe, &explore);
            let logout = &logout;
            let client_paths = client_paths.as_deref();
            running.push(async move {
                let out = match Tab::open(&b.browser, scope, probe).await {
                    Ok(mut tab) => {
                        let work = {
                            let page = tab.page.clone();
                            let u = u.clone();
                            let paths = client_paths;
                            async move {
                                page::render(&page, &u, opts.events_per_page, paths, explore).await
                            }
                        };
                        let r = tab.run(scope, rec, logout, opts.page_budget, work).await;
                        tab.close().await;
                        r.flatten()
                    }
                    Err(_) => None,
                };
                (u, out)
            });
        }
        let Some((u, out)) = running.next().await else {
            break;
        };
        let rss = b.rss_kib();
        report.peak_chromium_rss_kib = report.peak_chromium_rss_kib.max(rss);
        let Some(Rendered {
            first,
            found,
            ws,
            client,
        }) = out
        else {
            report.cut.push(format!("{u} (page budget or error)"));
            continue;
        };
        report.states.push(u.to_string());
        if let Some(facts) = &client {
            for f in clientside::judge(facts, advisories.as_ref(), &mut client_seen) {
                report
                    .client
                    .push(format!("{:?} {} {}", f.check, f.page, f.parameter));
                scope.report_client(f).await;
            }
        }
        // Sockets the page's script asked for; only in-scope ones were let through (the proxy).
        websockets.extend(ws.into_iter().filter(|w| {
            Url::parse(w).is_ok_and(|mut h| {
                let scheme = if h.scheme() == "wss" { "https" } else { "http" };
                h.set_scheme(scheme).is_ok() && scope.in_scope("GET", &h)
            })
        }));
        if let Ok(page_url) = Url::parse(&first.url) {
            let page_url = state_url(page_url);
            let mut key_url = page_url.clone();
            key_url.set_fragment(None);
            if candidate_patterns.insert(pattern(&key_url)) {
                candidates.push(Candidate {
                    url: page_url,
                    params: first.params.clone(),
                    storage: first.storage.clone(),
                });
            }
        }
        for f in found {
            if let Ok(fu) = u.join(&f) {
                q.push(fu, scope, &logout);
            }
        }
    }
    if !report.cut.is_empty() {
        scope
            .log(
                Level::Warn,
                format!(
                    "browser crawl: {} state(s) not rendered (limits); first: {}",
                    report.cut.len(),
                    report.cut[0]
                ),
            )
            .await;
    }
    for w in &websockets {
        scope
            .log(
                Level::Info,
                format!(
                    "browser crawl: the page opened WebSocket {w} (its messages are not attacked)"
                ),
            )
            .await;
    }
    report.websockets = websockets.into_iter().collect();
    if scope.module_enabled("xss_dom") && !scope.halted() {
        candidates.truncate(opts.max_dom_xss_pages);
        let found = domxss::probe_all(b, scope, opts, &candidates, &logout, &js_logout).await;
        for x in found {
            scope.report_dom_xss(x).await;
        }
    }
    report.resources = rec.resources();
    report.blocked = rec.blocked();
    report.peak_chromium_rss_kib = report.peak_chromium_rss_kib.max(b.rss_kib());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn routes_stay_in_the_state_and_numbers_collapse() {
        assert_eq!(state_url(u("http://h/a#/x")).as_str(), "http://h/a#/x");
        assert_eq!(state_url(u("http://h/a#!/x")).as_str(), "http://h/a#!/x");
        assert_eq!(state_url(u("http://h/a#top")).as_str(), "http://h/a");
        assert_eq!(
            pattern(&u("http://h/spa/explore/7")),
            pattern(&u("http://h/spa/explore/8"))
        );
        assert_eq!(
            pattern(&u("http://h/a#/item/3")),
            pattern(&u("http://h/a#/item/4"))
        );
        assert_ne!(
            pattern(&u("http://h/a#/item/3")),
            pattern(&u("http://h/a#/user/3"))
        );
        assert_ne!(pattern(&u("http://h/a?x=1")), pattern(&u("http://h/a?y=1")));
    }
}
