//! rampart's browser crawler: Debian's Chromium, headless, driven over the DevTools protocol
//! (`chromiumoxide`), plugged into the engine as its `BrowserCrawler`.
//!
//! Invariants:
//! - every request the browser makes is paused by the Fetch domain and sent only when the
//!   engine's own admission (`BrowserScope::admit`: scope gate, budgets, drip delay) lets it;
//!   a refused request is failed (`BlockedByClient`), never sent;
//! - memory is bounded: at most `pages` pages at once, no new page while Chromium's process
//!   tree is above `memory_cap_mib`, every page closed after its time budget;
//! - reflected and stored XSS whose HTML verdict is uncertain are loaded again with their
//!   marker function defined (`confirm.rs`); the verdict is what the page did;
//! - client-side states are deduplicated (URL pattern, then DOM skeleton), so a page that
//!   makes new states forever is rendered a bounded number of times;
//! - no Chromium is not an error: the scan says so in an event and the HTML crawler goes on.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod chromium;
mod clientside;
mod confirm;
mod crawl;
mod domxss;
mod gate;
pub mod libraries;
mod login;
mod page;
mod proxy;
pub mod rss;

pub use chromium::{chromium_for_test, find_chromium};

use async_trait::async_trait;
use rampart_engine::crawl::{BrowserCrawler, BrowserFactory, BrowserScope, BrowserSettings};
use rampart_engine::events::Level;
use rampart_engine::target::Resource;
use std::path::PathBuf;
use std::time::Duration;

/// How the browser crawl runs.
#[derive(Clone, Debug)]
pub struct BrowserOptions {
    /// The Chromium binary; `None` looks for `chromium`, `chromium-browser`, `google-chrome`
    /// on `PATH` (or `RAMPART_CHROMIUM`).
    pub executable: Option<PathBuf>,
    /// Pages rendered at once.
    pub pages: usize,
    /// No new page opens while Chromium's processes hold more than this (MiB of RSS).
    pub memory_cap_mib: u64,
    /// Longest time one page (one state with its clicks and forms) may take.
    pub page_budget: Duration,
    /// Elements clicked per state.
    pub events_per_page: usize,
    /// Most states rendered in one scan (also bounded by the plan's crawl-result limit).
    pub max_states: usize,
    /// Pages probed for DOM-based XSS (when its module is enabled).
    pub max_dom_xss_pages: usize,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            executable: None,
            pages: 2,
            memory_cap_mib: 1024,
            page_budget: Duration::from_secs(20),
            events_per_page: 20,
            max_states: 200,
            max_dom_xss_pages: 50,
        }
    }
}

/// The Chromium browser crawler.
pub struct Chromium {
    options: BrowserOptions,
    last: std::sync::Mutex<Option<CrawlReport>>,
}

impl Chromium {
    pub fn new(options: BrowserOptions) -> Self {
        Self {
            options,
            last: std::sync::Mutex::new(None),
        }
    }

    /// The report of the last crawl this crawler ran (tests and benchmarks read it).
    pub fn last_report(&self) -> Option<CrawlReport> {
        self.last.lock().ok().and_then(|l| l.clone())
    }
}

/// Makes one [`Chromium`] per scan: `base`, overlaid with the settings the scan asks for.
/// The binary injects it into the scan workers (`rampart server`, `rampart engine`).
#[derive(Clone, Debug, Default)]
pub struct ChromiumFactory {
    pub base: BrowserOptions,
}

impl ChromiumFactory {
    /// The options of a scan that asks for `settings`.
    pub fn options(&self, settings: &BrowserSettings) -> BrowserOptions {
        let mut o = self.base.clone();
        if let Some(n) = settings.pages {
            o.pages = n.max(1);
        }
        if let Some(d) = settings.page_budget {
            o.page_budget = d;
        }
        if let Some(n) = settings.events_per_page {
            o.events_per_page = n;
        }
        if let Some(m) = settings.memory_cap_mib {
            o.memory_cap_mib = m;
        }
        o
    }
}

impl BrowserFactory for ChromiumFactory {
    fn browser(&self, settings: &BrowserSettings) -> std::sync::Arc<dyn BrowserCrawler> {
        std::sync::Arc::new(Chromium::new(self.options(settings)))
    }
}

/// What one browser crawl saw, for tests and benchmarks.
#[derive(Clone, Debug, Default)]
pub struct CrawlReport {
    pub resources: Vec<Resource>,
    /// States (page URLs, routes included) rendered.
    pub states: Vec<String>,
    /// Requests the page tried to make that the scope gate refused.
    pub blocked: Vec<String>,
    pub websockets: Vec<String>,
    /// The highest RSS of Chromium's process tree seen (KiB).
    pub peak_chromium_rss_kib: u64,
    /// States not rendered because a bound was reached (memory cap, time, count).
    pub cut: Vec<String>,
    /// Client-side findings reported (`Check page parameter`).
    pub client: Vec<String>,
}

impl Chromium {
    fn executable(&self) -> Result<PathBuf, String> {
        match &self.options.executable {
            Some(p) if p.exists() => Ok(p.clone()),
            Some(p) => Err(format!("no Chromium at {}", p.display())),
            None => find_chromium().ok_or_else(|| {
                "no Chromium found (install the `chromium` package or set RAMPART_CHROMIUM)"
                    .to_string()
            }),
        }
    }

    /// Runs the browser crawl and returns everything it saw (the plug-in returns only the
    /// resources). An error means the browser could not start.
    pub async fn crawl(&self, scope: &BrowserScope) -> Result<CrawlReport, String> {
        let exe = self.executable()?;
        let proxy = proxy::Proxy::start(scope.clone()).await?;
        let browser = chromium::Launched::start(&exe, &self.options, proxy.addr).await?;
        let mut report = crawl::run(&browser, scope, &self.options).await;
        browser.stop().await;
        if let Ok(seen) = proxy.seen.lock() {
            for b in &seen.blocked {
                if !report.blocked.contains(b) {
                    report.blocked.push(b.clone());
                }
            }
            for w in &seen.websockets {
                if !report.websockets.contains(w) {
                    report.websockets.push(w.clone());
                }
            }
        }
        drop(proxy);
        if let Ok(mut l) = self.last.lock() {
            *l = Some(report.clone());
        }
        Ok(report)
    }
}

#[async_trait]
impl BrowserCrawler for Chromium {
    fn availability(&self) -> String {
        let exe = match &self.options.executable {
            Some(p) if p.exists() => Some(p.clone()),
            Some(_) => None,
            None => find_chromium(),
        };
        match exe {
            Some(p) => format!(
                "available: Chromium at {} ({} page(s), memory cap {} MiB)",
                p.display(),
                self.options.pages,
                self.options.memory_cap_mib
            ),
            None => "unavailable: no Chromium found; HTML crawler only".to_string(),
        }
    }

    async fn login(
        &self,
        scope: &BrowserScope,
        login: &rampart_engine::plan::FormLogin,
    ) -> Result<Vec<String>, String> {
        let exe = self.executable()?;
        let proxy = proxy::Proxy::start(scope.clone()).await?;
        let browser = chromium::Launched::start(&exe, &self.options, proxy.addr).await?;
        let r = login::login(&browser.browser, scope, login, self.options.page_budget).await;
        browser.stop().await;
        drop(proxy);
        r
    }

    fn can_confirm(&self) -> bool {
        self.executable().is_ok()
    }

    async fn confirmer(
        &self,
        scope: &BrowserScope,
    ) -> Result<Box<dyn rampart_engine::crawl::XssConfirmer>, String> {
        let exe = self.executable()?;
        let proxy = proxy::Proxy::start(scope.clone()).await?;
        let browser = chromium::Launched::start(&exe, &self.options, proxy.addr).await?;
        let logout_src = scope.logout_regex();
        let logout = regex::Regex::new(&logout_src).map_err(|e| format!("logout pattern: {e}"))?;
        Ok(Box::new(confirm::Confirmer {
            browser,
            proxy,
            scope: scope.clone(),
            options: self.options.clone(),
            js_logout: logout_src.trim_start_matches("(?i)").to_string(),
            logout,
        }))
    }

    async fn discover(&self, scope: &BrowserScope) -> Vec<Resource> {
        match self.crawl(scope).await {
            Ok(r) => {
                scope
                    .log(
                        Level::Info,
                        format!(
                            "browser crawl: {} state(s) rendered, {} request(s) recorded, {} blocked by the scope gate, peak Chromium RSS {} MiB",
                            r.states.len(),
                            r.resources.len(),
                            r.blocked.len(),
                            r.peak_chromium_rss_kib / 1024
                        ),
                    )
                    .await;
                r.resources
            }
            Err(e) => {
                scope
                    .log(
                        Level::Warn,
                        format!("browser crawl unavailable: {e}; the scan continues with the HTML crawler"),
                    )
                    .await;
                Vec::new()
            }
        }
    }
}

/// A random token `rmq` + 10 lower-case alphanumerics: what the instrumentation looks for.
pub(crate) fn token() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..10)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("rmq{tail}")
}
