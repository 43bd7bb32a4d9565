//! The crawler: breadth-first discovery of pages, forms and API operations within scope.

pub mod browser;
pub mod html;
pub mod mine;
pub(crate) mod soft404;

use crate::client::{Purpose, SendError, Sent};
use crate::ctx::Ctx;
use crate::events::{Event, LimitKind, SkipReason};
use crate::http::HttpRequest;
use crate::seed::openapi;
use crate::target::Resource;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::task::JoinSet;

pub use browser::{BrowserCrawler, BrowserScope, DomXss, Refusal};
use url::Url;

/// Logout-like URLs are never followed unless the plan gives its own pattern.
pub const DEFAULT_LOGOUT: &str =
    r"(?i)(log-?out|sign-?out|log-?off|sign-?off|logoff|exit\b|destroy|disconnect)";

/// At most this many skipped URLs are kept with their reasons (the rest are counted).
const SKIP_SAMPLE: usize = 500;

/// What the crawl found.
#[derive(Debug, Default)]
pub(crate) struct CrawlOutput {
    /// One resource per (method, path pattern, parameter names), with its response.
    pub resources: Vec<(Resource, Option<Sent>)>,
    pub visited: Vec<Url>,
    pub directories: BTreeSet<Url>,
    pub files: BTreeSet<Url>,
    pub forms: Vec<(Url, html::Form)>,
    pub skipped: BTreeMap<SkipReason, u64>,
    pub skipped_sample: Vec<(String, SkipReason)>,
}

impl CrawlOutput {
    fn skip(&mut self, url: &Url, reason: SkipReason) {
        *self.skipped.entry(reason).or_insert(0) += 1;
        if self.skipped_sample.len() < SKIP_SAMPLE {
            self.skipped_sample.push((url.to_string(), reason));
        }
    }
}

struct Visit {
    resource: Resource,
    guessed: bool,
    result: Result<(Sent, Vec<Url>), SendError>,
    not_found: bool,
}

struct Crawler {
    ctx: Arc<Ctx>,
    logout: Regex,
    queue: VecDeque<(Resource, bool)>,
    seen: HashSet<String>,
    patterns: HashMap<String, usize>,
    /// Path parameter names per pattern, from API descriptions.
    names: HashMap<String, Vec<(usize, String)>>,
    out: CrawlOutput,
    stopped: bool,
}

fn norm(method: &str, url: &Url, body: &crate::target::Body) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    format!("{method} {u} {body:?}")
}

impl Crawler {
    fn enqueue(&mut self, mut r: Resource, guessed: bool) {
        r.url.set_fragment(None);
        if !matches!(r.url.scheme(), "http" | "https") {
            return;
        }
        if !r.path_names.is_empty() {
            self.names.insert(r.pattern_key(), r.path_names.clone());
        }
        let key = norm(&r.method, &r.url, &r.body);
        if !self.seen.insert(key) {
            return;
        }
        if self.logout.is_match(r.url.as_str()) {
            return self.out.skip(&r.url, SkipReason::Logout);
        }
        if self.ctx.http.gate().check(&r.method, &r.url).is_err() {
            return self.out.skip(&r.url, SkipReason::OutOfScope);
        }
        let limits = &self.ctx.http.plan().limits;
        if r.depth > limits.max_depth {
            return self.out.skip(&r.url, SkipReason::DepthLimit);
        }
        let pk = r.pattern_key();
        let n = self.patterns.entry(pk).or_insert(0);
        if *n >= limits.max_per_pattern {
            return self.out.skip(&r.url, SkipReason::PatternLimit);
        }
        *n += 1;
        self.ctx.http.counters.links_in_queue.fetch_add(1, Relaxed);
        self.queue.push_back((r, guessed));
    }

    fn add_links(&mut self, from: &Resource, links: Vec<Url>, guessed: bool) {
        for u in links {
            let mut r = Resource::get(u);
            r.depth = from.depth + 1;
            r.referer = Some(from.url.clone());
            self.enqueue(r, guessed);
        }
    }

    async fn process(&mut self, v: Visit) {
        self.ctx.http.counters.links_in_queue.fetch_sub(1, Relaxed);
        let (sent, hops) = match v.result {
            Ok(x) => x,
            Err(SendError::Limit(LimitKind::MaxDuration | LimitKind::MaxRequests)) => {
                self.stopped = true;
                return self.out.skip(&v.resource.url, SkipReason::Budget);
            }
            Err(SendError::OutOfScope(_)) => {
                return self.out.skip(&v.resource.url, SkipReason::OutOfScope)
            }
            Err(SendError::Halted) => {
                self.stopped = true;
                return self.out.skip(&v.resource.url, SkipReason::Stopped);
            }
            Err(SendError::Transport(_) | SendError::Limit(_)) => return,
        };
        if v.not_found {
            let reason = if matches!(sent.response.status, 404 | 410) {
                SkipReason::NotFound
            } else {
                SkipReason::Soft404
            };
            return self.out.skip(&v.resource.url, reason);
        }
        if self.ctx.session.lost(&sent.response) && self.ctx.session.login(&self.ctx.http).await {
            // Retry this page once with the restored session.
            let key = norm(&v.resource.method, &v.resource.url, &v.resource.body);
            self.seen.remove(&key);
            self.enqueue(v.resource.clone(), v.guessed);
            return;
        }
        // Visits still in flight when the crawl limit was reached are neither counted nor
        // mined, so the crawl never exceeds its limit.
        let max = self.ctx.http.plan().limits.max_crawl_results;
        if self.ctx.http.counters.links_crawled.load(Relaxed) as usize >= max {
            return self.out.skip(&v.resource.url, SkipReason::CrawlLimit);
        }
        let crawled = self.ctx.http.counters.links_crawled.fetch_add(1, Relaxed) + 1;
        let url = sent.request.url.clone();
        self.out.visited.push(url.clone());
        if url.path().ends_with('/') {
            let mut d = url.clone();
            d.set_query(None);
            self.out.directories.insert(d);
        }
        for p in mine::parents(&url) {
            if self.ctx.http.gate().check("GET", &p).is_ok() {
                self.out.directories.insert(p);
            }
        }
        if url
            .path()
            .rsplit('/')
            .next()
            .is_some_and(|f| f.contains('.'))
        {
            let mut f = url.clone();
            f.set_query(None);
            self.out.files.insert(f);
        }
        let pk = v.resource.pattern_key();
        if !self
            .out
            .resources
            .iter()
            .any(|(r, _)| r.pattern_key() == pk)
        {
            self.out
                .resources
                .push((v.resource.clone(), Some(sent.clone())));
        }
        if crawled as usize >= max {
            self.ctx
                .http
                .limit(
                    LimitKind::MaxCrawlResults,
                    format!("max crawl results {crawled} reached"),
                )
                .await;
            self.stopped = true;
        }
        let mut links = hops;
        for h in sent.response.headers_named("link") {
            links.extend(mine::link_header(&url, h));
        }
        let body = sent.response.text();
        let ct = sent.response.content_type().to_ascii_lowercase();
        if sent.response.is_html() {
            let ex = html::extract(&url, &body);
            links.extend(ex.links);
            for s in &ex.scripts {
                links.extend(mine::urls_in_text(&url, s));
            }
            for f in ex.forms {
                if self.logout.is_match(f.action.as_str()) {
                    self.out.skip(&f.action, SkipReason::Logout);
                    continue;
                }
                let r = f.resource(&url, v.resource.depth + 1);
                self.out.forms.push((url.clone(), f));
                self.enqueue(r, false);
            }
        } else if ct.contains("json") || ct.contains("javascript") {
            links.extend(mine::urls_in_text(&url, &body));
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(&body) {
                if openapi::is_spec(&json) {
                    for r in openapi::resources(&url, &json) {
                        self.enqueue(r, false);
                    }
                }
            }
        } else if ct.contains("yaml")
            || url.path().ends_with(".yaml")
            || url.path().ends_with(".yml")
        {
            if let Some(spec) = openapi::from_yaml(&body).filter(openapi::is_spec) {
                for r in openapi::resources(&url, &spec) {
                    self.enqueue(r, false);
                }
            }
        } else if url.path().ends_with("robots.txt") {
            let l = mine::robots(&url, &body);
            self.add_links(&v.resource, l, true);
        } else if ct.contains("xml") {
            let l = mine::sitemap(&url, &body);
            self.add_links(&v.resource, l, true);
        }
        self.add_links(&v.resource, links, false);
        // Directory parents are guesses: confirmed by the soft-404 check when visited.
        let parents = mine::parents(&url);
        self.add_links(&v.resource, parents, true);
    }
}

async fn visit(ctx: Arc<Ctx>, r: Resource, guessed: bool) -> Visit {
    let req: HttpRequest = r.to_request();
    let result = ctx.http.send_follow(req, Purpose::Crawl).await;
    let not_found = match &result {
        Ok((s, _)) if guessed => {
            ctx.soft404
                .is_not_found(&ctx.http, &s.request.url, &s.response)
                .await
        }
        _ => false,
    };
    Visit {
        resource: r,
        guessed,
        result,
        not_found,
    }
}

/// Crawls from the plan's seeds (and API descriptions) until done or a limit is reached.
pub(crate) async fn crawl(ctx: Arc<Ctx>, extra: Vec<Resource>) -> CrawlOutput {
    let plan = ctx.http.plan().clone();
    let logout = plan
        .session
        .logout_regex
        .clone()
        .unwrap_or_else(|| DEFAULT_LOGOUT.to_string());
    let logout = Regex::new(&logout).unwrap_or_else(|_| {
        Regex::new(DEFAULT_LOGOUT).unwrap_or_else(|_| unreachable!("literal regex"))
    });
    let mut c = Crawler {
        ctx: ctx.clone(),
        logout,
        queue: VecDeque::new(),
        seen: HashSet::new(),
        patterns: HashMap::new(),
        names: HashMap::new(),
        out: CrawlOutput::default(),
        stopped: false,
    };
    for s in &plan.seeds {
        c.enqueue(Resource::get(s.clone()), false);
        for extra_url in ["/robots.txt", "/sitemap.xml"] {
            if let Ok(u) = s.join(extra_url) {
                c.enqueue(Resource::get(u), true);
            }
        }
    }
    for s in &plan.api_specs {
        c.enqueue(Resource::get(s.clone()), false);
    }
    for r in extra {
        c.enqueue(r, false);
    }
    let conc = plan.limits.concurrency.max(1);
    let mut set: JoinSet<Visit> = JoinSet::new();
    loop {
        while !c.stopped && set.len() < conc && !ctx.http.control.halted() {
            let Some((r, guessed)) = c.queue.pop_front() else {
                break;
            };
            set.spawn(visit(ctx.clone(), r, guessed));
        }
        let Some(done) = set.join_next().await else {
            break;
        };
        if let Ok(v) = done {
            c.process(v).await;
        }
    }
    let reason = if ctx.http.control.halted() {
        SkipReason::Stopped
    } else {
        SkipReason::CrawlLimit
    };
    while let Some((r, _)) = c.queue.pop_front() {
        ctx.http.counters.links_in_queue.fetch_sub(1, Relaxed);
        c.out.skip(&r.url, reason);
    }
    for (r, _) in c.out.resources.iter_mut() {
        if r.path_names.is_empty() {
            if let Some(n) = c.names.get(&r.pattern_key()) {
                r.path_names = n.clone();
            }
        }
    }
    for (url, reason) in c.out.skipped_sample.iter().take(50) {
        ctx.http
            .emit(Event::Skipped {
                url: url.clone(),
                reason: *reason,
            })
            .await;
    }
    c.out
}
