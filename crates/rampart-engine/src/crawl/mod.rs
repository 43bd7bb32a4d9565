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

pub use browser::{
    BrowserCrawler, BrowserFactory, BrowserScope, BrowserSettings, ClientCheck, ClientFinding,
    DomXss, Navigation, Refusal, XssConfirmer, XssLoad, XssVerdict,
};
use url::Url;

/// Logout-like URLs are never followed unless the plan gives its own pattern.
pub const DEFAULT_LOGOUT: &str =
    r"(?i)(log-?out|sign-?out|log-?off|sign-?off|logoff|exit\b|destroy|disconnect)";

/// At most this many skipped URLs are kept with their reasons (the rest are counted).
const SKIP_SAMPLE: usize = 500;

/// URLs held back by the pattern budget, kept (at most this many) in case a parameter of
/// their pattern turns out to select different pages.
const MAX_HELD_BACK: usize = 20_000;

/// Distinct pages (selector values) crawled at most per path pattern: bounds generators such
/// as calendars whose every value looks different.
const MAX_PAGES_PER_PATTERN: usize = 1_000;

/// Distinct response templates attacked at most per page key (pages behind ids).
const MAX_TEMPLATES_PER_PAGE: usize = 4;

/// Failed pages named one by one in the scan events (the rest are counted in `skipped`).
const MAX_FAILURE_EVENTS: u64 = 20;

/// What the crawl found.
#[derive(Debug, Default)]
pub(crate) struct CrawlOutput {
    /// One resource per (method, path pattern, parameter names), with its response.
    pub resources: Vec<(Resource, Option<Sent>)>,
    pub visited: Vec<Url>,
    /// What was crawled, as `METHOD URL` (the list the summary and reports show).
    pub crawled: Vec<String>,
    pub directories: BTreeSet<Url>,
    pub files: BTreeSet<Url>,
    pub forms: Vec<(Url, html::Form)>,
    pub skipped: BTreeMap<SkipReason, u64>,
    pub skipped_sample: Vec<(String, SkipReason)>,
    /// Pages whose request got no answer (`skipped` counts them as `RequestFailed`), per
    /// reason.
    pub dropped: BTreeMap<String, u64>,
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
    /// The first page visited per pattern (its URL and tag skeleton): later pages of the
    /// pattern are compared with it to learn which parameters select different pages.
    first: HashMap<String, (Url, String)>,
    /// URLs over the pattern budget, per pattern, until a selector re-admits them.
    held_back: HashMap<String, Vec<(Resource, bool)>>,
    held_back_total: usize,
    /// URLs left out by the pattern budget, per pattern.
    pattern_skips: HashMap<String, u64>,
    /// Distinct pages per pattern once a selector is known.
    pages: HashMap<String, HashSet<String>>,
    /// Page keys that already have their resource to attack.
    resource_keys: HashSet<String>,
    /// The tag skeletons of the resources attacked per page key: a page of a key whose
    /// template differs from all of them (an id whose page looks different) is attacked too.
    templates: HashMap<String, Vec<String>>,
    /// Pages whose request failed.
    failures: u64,
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
        self.admit(r, guessed);
    }

    /// The key URLs are budgeted and attacked by: the pattern, plus the values of the
    /// parameters known to select different pages.
    fn page_key(&self, base: &str, url: &Url) -> String {
        let page = self.ctx.http.sink.selectors.page_of(url);
        if page.is_empty() {
            return base.to_string();
        }
        let kv: Vec<String> = page.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{base} {}", kv.join("&"))
    }

    /// Queues `r` unless its page is over the per-pattern budget (then it is held back).
    fn admit(&mut self, r: Resource, guessed: bool) {
        let max = self.ctx.http.plan().limits.max_per_pattern;
        let base = r.pattern_key();
        let pk = self.page_key(&base, &r.url);
        if pk != base {
            let pages = self.pages.entry(base.clone()).or_default();
            if !pages.contains(&pk) && pages.len() >= MAX_PAGES_PER_PATTERN {
                *self.pattern_skips.entry(base).or_insert(0) += 1;
                return self.out.skip(&r.url, SkipReason::PatternLimit);
            }
            pages.insert(pk.clone());
        }
        let n = self.patterns.entry(pk).or_insert(0);
        if *n >= max {
            if r.url.query().is_some() && self.held_back_total < MAX_HELD_BACK {
                self.held_back_total += 1;
                self.held_back.entry(base).or_default().push((r, guessed));
                return;
            }
            *self.pattern_skips.entry(base).or_insert(0) += 1;
            return self.out.skip(&r.url, SkipReason::PatternLimit);
        }
        *n += 1;
        self.ctx.http.counters.links_in_queue.fetch_add(1, Relaxed);
        self.queue.push_back((r, guessed));
    }

    /// Compares a visited page with the first page of its pattern: when they differ in a
    /// parameter's value and in structure, that parameter selects pages, and the URLs held
    /// back for the pattern are admitted again under their own pages.
    fn learn_pages(&mut self, r: &Resource, body: &str) {
        if r.url.query().is_none() {
            return;
        }
        let base = r.pattern_key();
        let sk = crate::selectors::skeleton(body);
        let Some((u0, sk0)) = self.first.get(&base) else {
            self.first.insert(base, (r.url.clone(), sk));
            return;
        };
        let diff = crate::selectors::differing(u0, &r.url);
        if diff.is_empty() || !crate::selectors::different_pages(sk0, &sk) {
            return;
        }
        let u0 = u0.clone();
        if !self.ctx.http.sink.selectors.learn(&r.url, diff) {
            return;
        }
        // The first page and this one were budgeted under the bare pattern: they now
        // count (and are attacked) as their own pages.
        for u in [&u0, &r.url] {
            let pk = self.page_key(&base, u);
            self.resource_keys.insert(pk.clone());
            self.patterns.insert(pk.clone(), 1);
            self.pages.entry(base.clone()).or_default().insert(pk);
        }
        let held = self.held_back.remove(&base).unwrap_or_default();
        self.held_back_total = self.held_back_total.saturating_sub(held.len());
        for (r, guessed) in held {
            self.admit(r, guessed);
        }
    }

    /// The requests with a body a script makes (fetch, XMLHttpRequest) become resources of
    /// their own, with a minimal body of the kind the script sends, so that the checks
    /// attacking bodies (XML above all) reach endpoints no link or form leads to.
    fn script_requests(&mut self, from: &Resource, base: &Url, script: &str) {
        for q in mine::script_requests(base, script) {
            let body = if q.xml {
                crate::target::Body::Raw {
                    content_type: "application/xml".into(),
                    content: b"<?xml version=\"1.0\"?><data></data>".to_vec(),
                }
            } else if q.json {
                crate::target::Body::Json(serde_json::json!({}))
            } else {
                crate::target::Body::Form(Vec::new())
            };
            let mut r = Resource::get(q.url);
            r.method = q.method;
            r.body = body;
            r.depth = from.depth + 1;
            r.referer = Some(from.url.clone());
            self.enqueue(r, false);
        }
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
            Err(SendError::Transport(e)) => {
                self.failures += 1;
                if self.failures <= MAX_FAILURE_EVENTS {
                    self.ctx
                        .http
                        .log(
                            crate::events::Level::Warn,
                            format!("page {} not crawled: {e}", v.resource.url),
                        )
                        .await;
                }
                *self.out.dropped.entry(e.reason().to_string()).or_insert(0) += 1;
                return self.out.skip(&v.resource.url, SkipReason::RequestFailed);
            }
            Err(SendError::Limit(_)) => return,
        };
        if v.not_found {
            let reason = if matches!(sent.response.status, 404 | 410) {
                SkipReason::NotFound
            } else {
                SkipReason::Soft404
            };
            return self.out.skip(&v.resource.url, reason);
        }
        if self.ctx.session.lost(&sent.response)
            && self
                .ctx
                .session
                .relogin(
                    &self.ctx.http,
                    &format!("the crawl of {} {}", v.resource.method, v.resource.url),
                )
                .await
        {
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
        self.out
            .crawled
            .push(format!("{} {url}", sent.request.method));
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
        let body = sent.response.text();
        let skeleton = sent
            .response
            .is_html()
            .then(|| crate::selectors::skeleton(&body));
        if sent.response.is_html() {
            self.learn_pages(&v.resource, &body);
        }
        let pk = self.page_key(&v.resource.pattern_key(), &v.resource.url);
        let new_template = skeleton.is_some_and(|sk| {
            let known = self.templates.entry(pk.clone()).or_default();
            let new = known.len() < MAX_TEMPLATES_PER_PAGE
                && known
                    .iter()
                    .all(|k| crate::selectors::different_pages(k, &sk));
            if new {
                known.push(sk);
            }
            new
        });
        if self.resource_keys.insert(pk) || new_template {
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
        let ct = sent.response.content_type().to_ascii_lowercase();
        if sent.response.is_html() {
            let ex = html::extract(&url, &body);
            links.extend(ex.links);
            for s in &ex.scripts {
                links.extend(mine::urls_in_text(&url, s));
                self.script_requests(&v.resource, &url, s);
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
            if ct.contains("javascript") {
                self.script_requests(&v.resource, &url, &body);
            }
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
        first: HashMap::new(),
        held_back: HashMap::new(),
        held_back_total: 0,
        pattern_skips: HashMap::new(),
        pages: HashMap::new(),
        resource_keys: HashSet::new(),
        templates: HashMap::new(),
        failures: 0,
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
    for (base, held) in std::mem::take(&mut c.held_back) {
        *c.pattern_skips.entry(base).or_insert(0) += held.len() as u64;
        for (r, _) in held {
            c.out.skip(&r.url, SkipReason::PatternLimit);
        }
    }
    report_limits(&ctx, &c).await;
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

/// Every crawl limit that left URLs out, with what it left out.
async fn report_limits(ctx: &Ctx, c: &Crawler) {
    let limits = &ctx.http.plan().limits;
    let count = |r: SkipReason| c.out.skipped.get(&r).copied().unwrap_or(0);
    let n = count(SkipReason::CrawlLimit);
    if n > 0 {
        ctx.http
            .limit_final(
                LimitKind::MaxCrawlResults,
                format!(
                    "max crawl results {} reached: {n} discovered URL(s) not crawled",
                    limits.max_crawl_results
                ),
            )
            .await;
    }
    let n = count(SkipReason::PatternLimit);
    if n > 0 {
        let mut worst: Vec<(&String, &u64)> = c.pattern_skips.iter().collect();
        worst.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = worst
            .iter()
            .take(3)
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        ctx.http
            .limit_final(
                LimitKind::MaxPerPattern,
                format!(
                    "max per pattern {} (URLs per method, path pattern and parameter names; up to {MAX_PAGES_PER_PATTERN} pages per pattern when a parameter selects pages) reached: {n} URL(s) of {} pattern(s) not crawled, the most: {}",
                    limits.max_per_pattern,
                    c.pattern_skips.len(),
                    top.join(", ")
                ),
            )
            .await;
    }
    let n = count(SkipReason::DepthLimit);
    if n > 0 {
        ctx.http
            .limit_final(
                LimitKind::MaxDepth,
                format!(
                    "max crawl depth {} reached: {n} URL(s) not crawled",
                    limits.max_depth
                ),
            )
            .await;
    }
}
