//! The browser plug-in: the trait a browser crawler implements and the handle it gets, which
//! admits each request its browser makes through the engine's own admission (pause and
//! cancel, time budget, scope gate, request budget, per-host drip delay) and reports what it
//! finds through the engine's finding sink.

use crate::client::{Http, SendError};
use crate::events::{Level, LimitKind};
use crate::finding::{Confidence, Report, Variance};
use crate::plan::FormLogin;
use crate::target::Resource;
use async_trait::async_trait;
use rampart_domain::ParameterLocation;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// A source of resources that needs a real browser (single-page applications).
#[async_trait]
pub trait BrowserCrawler: Send + Sync {
    /// Human-readable availability, e.g. `unavailable: no Chromium found`.
    fn availability(&self) -> String;
    /// Renders the scan's seeds and what they lead to; returns the requests (navigations, XHR,
    /// fetch, form submissions) the browser made, to be crawled and attacked like any other.
    async fn discover(&self, scope: &BrowserScope) -> Vec<Resource>;
    /// Logs in through `login`'s form in the browser (for a form its page builds by script);
    /// returns the session as `Set-Cookie` lines for `login.url`.
    async fn login(&self, scope: &BrowserScope, login: &FormLogin) -> Result<Vec<String>, String> {
        let _ = (scope, login);
        Err("this browser crawler cannot log in".into())
    }
    /// Whether [`BrowserCrawler::confirmer`] can work here (its browser is installed).
    fn can_confirm(&self) -> bool {
        false
    }
    /// Starts a browser that loads pages to confirm cross-site scripting found in HTML
    /// ([`XssConfirmer`]); every request it makes is admitted through `scope` like the crawl's.
    async fn confirmer(&self, scope: &BrowserScope) -> Result<Box<dyn XssConfirmer>, String> {
        let _ = scope;
        Err("this browser crawler cannot confirm cross-site scripting".into())
    }
}

/// A browser kept open to load XSS payloads and tell whether they run.
#[async_trait]
pub trait XssConfirmer: Send {
    /// Loads `load.navigation` with a function named `load.marker` defined in every document
    /// (the payload calls it); when `load.interact`, moves the mouse over, focuses and clicks
    /// the elements that carry the call. Says whether and how the call ran.
    async fn load(&mut self, load: &XssLoad) -> XssVerdict;
    async fn close(self: Box<Self>);
}

/// The navigation that shows a payload in the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Navigation {
    Get(Url),
    /// A form submitted with `application/x-www-form-urlencoded` fields.
    PostForm {
        url: Url,
        fields: Vec<(String, String)>,
    },
}

impl Navigation {
    pub fn url(&self) -> &Url {
        match self {
            Navigation::Get(u) | Navigation::PostForm { url: u, .. } => u,
        }
    }
}

impl std::fmt::Display for Navigation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Navigation::Get(u) => write!(f, "GET {u}"),
            Navigation::PostForm { url, .. } => write!(f, "POST {url} (form)"),
        }
    }
}

/// One confirmation load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XssLoad {
    pub navigation: Navigation,
    pub marker: String,
    pub interact: bool,
}

/// What the browser saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XssVerdict {
    /// The marker function ran: in which document, on what (`page load`, `mouse over`,
    /// `focus`, `click`), with the script stack at the call.
    Ran {
        url: String,
        by: String,
        stack: String,
    },
    /// The page loaded (`url` is where it ended) and the marker never ran.
    Quiet { url: String },
    /// The page could not be loaded (refused by the scan's admission, unreachable, the page
    /// budget ran out): nothing is known.
    Failed(String),
}

/// Browser settings a scan asks for (the scan config's crawl options); `None` keeps the
/// browser's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrowserSettings {
    /// Pages rendered at once.
    pub pages: Option<usize>,
    /// Longest time one page (one state with its clicks and forms) may take.
    pub page_budget: Option<Duration>,
    /// Elements clicked per state.
    pub events_per_page: Option<usize>,
    /// No new page while the browser holds more than this (MiB).
    pub memory_cap_mib: Option<u64>,
}

/// Makes the browser crawler of one scan. The binary injects one into the scan workers
/// (which never link a browser themselves); a worker without one runs HTML-only scans and
/// says so when a scan asks for the browser.
pub trait BrowserFactory: Send + Sync + std::fmt::Debug {
    fn browser(&self, settings: &BrowserSettings) -> Arc<dyn BrowserCrawler>;
}

/// Why a browser request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    OutOfScope(String),
    Budget(LimitKind),
    Halted,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::OutOfScope(r) => write!(f, "out of scope: {r}"),
            Refusal::Budget(l) => write!(f, "limit reached: {l:?}"),
            Refusal::Halted => f.write_str("scan halted"),
        }
    }
}

/// A DOM-based XSS confirmed in the browser.
#[derive(Clone, Debug)]
pub struct DomXss {
    /// The page whose script is vulnerable.
    pub page: Url,
    /// The source the marker went through, e.g. `location.hash`, `window.name`.
    pub source: String,
    /// The sink that ran it, e.g. `innerHTML`, `eval`.
    pub sink: String,
    /// The URL that proves it (with the payload where the source is the URL).
    pub proof_url: Url,
    pub payload: String,
    /// The script stack when the sink received the payload.
    pub stack: String,
}

/// A client-side check the browser runs on every rendered page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientCheck {
    /// A JavaScript library at a version with known vulnerabilities.
    VulnerableLibrary,
    /// A credential or card number in localStorage/sessionStorage.
    WebStorage,
    /// A `message` listener that does not check the sender's origin.
    PostMessage,
    /// A page loaded over HTTPS that loads a resource over HTTP at run time.
    MixedContent,
}

impl ClientCheck {
    pub const ALL: [ClientCheck; 4] = [
        Self::VulnerableLibrary,
        Self::WebStorage,
        Self::PostMessage,
        Self::MixedContent,
    ];

    /// The engine check it reports as.
    pub fn module_key(self) -> &'static str {
        match self {
            Self::VulnerableLibrary => crate::checks::vulnerable_js_library::KEY,
            Self::WebStorage => crate::checks::sensitive_web_storage::KEY,
            Self::PostMessage => crate::checks::postmessage_origin::KEY,
            Self::MixedContent => crate::checks::mixed_content::KEY,
        }
    }

    fn attack_id(self) -> &'static str {
        match self {
            Self::VulnerableLibrary => "JSLIB_01",
            Self::WebStorage => "STOR_01",
            Self::PostMessage => "PMSG_01",
            Self::MixedContent => "MIXED_01",
        }
    }
}

/// A client-side weakness the browser observed on a page.
#[derive(Clone, Debug)]
pub struct ClientFinding {
    pub check: ClientCheck,
    pub page: Url,
    /// What it is about: the library, the storage entry, the listener, the resource.
    pub parameter: String,
    /// The observed value (a version and its advisories, a redacted storage value, …).
    pub evidence: String,
    pub proof: String,
    pub proof_description: String,
}

/// What a browser crawler may do within one scan.
#[derive(Clone)]
pub struct BrowserScope {
    http: Arc<Http>,
}

impl BrowserScope {
    pub(crate) fn new(http: Arc<Http>) -> Self {
        Self { http }
    }

    /// Admits one request of the browser: the same admission as the engine's HTTP client,
    /// then the host's drip delay. A refused request must not be sent.
    pub async fn admit(&self, method: &str, url: &Url) -> Result<(), Refusal> {
        match self.http.admit(method, url).await {
            Ok(()) => {
                self.http.pace(url).await;
                Ok(())
            }
            Err(SendError::OutOfScope(e)) => Err(Refusal::OutOfScope(e.to_string())),
            Err(SendError::Limit(l)) => Err(Refusal::Budget(l)),
            Err(_) => Err(Refusal::Halted),
        }
    }

    /// Whether the scope gate admits `url` (nothing is counted).
    pub fn in_scope(&self, method: &str, url: &Url) -> bool {
        self.http.gate().check(method, url).is_ok()
    }

    /// Whether `url`'s host (and port) is one of the scan's targets, whatever its path: for
    /// traffic whose path cannot be seen (a TLS tunnel). Nothing is counted.
    pub fn host_allowed(&self, url: &Url) -> bool {
        !matches!(
            self.http.gate().check("GET", url),
            Err(crate::scope::OutOfScope::Domain | crate::scope::OutOfScope::Scheme)
        )
    }

    /// Where a connection of the browser to `url`'s host may go: the addresses the scan's
    /// address policy checked for it, the same ones the engine's own requests connect to, so
    /// that a second DNS answer cannot move an admitted host elsewhere (rebinding). `Err` with
    /// the reason when the policy refuses the host or its name does not resolve. Nothing is
    /// counted.
    pub async fn addresses(&self, url: &Url) -> Result<Vec<std::net::SocketAddr>, String> {
        let addrs = self.http.vetted_addresses(url).await?;
        if addrs.is_empty() {
            return Err(format!("{} does not resolve", url.host_str().unwrap_or("")));
        }
        Ok(addrs)
    }

    pub fn seeds(&self) -> &[Url] {
        &self.http.plan().seeds
    }

    /// The most pages (states) the crawl may render: the plan's crawl-result limit.
    pub fn max_pages(&self) -> usize {
        self.http.plan().limits.max_crawl_results
    }

    pub fn halted(&self) -> bool {
        self.http.control.halted()
    }

    pub fn time_left(&self) -> Duration {
        self.http.time_left()
    }

    /// Whether a check runs in this scan (its module is enabled and the scan attacks).
    pub fn module_enabled(&self, key: &str) -> bool {
        self.http.plan().modules.is_enabled(key)
    }

    /// Headers every request carries (the plan's custom headers and user agent).
    pub fn headers(&self) -> Vec<(String, String)> {
        let s = &self.http.plan().session;
        let mut h = s.headers.clone();
        if let Some(ua) = &s.user_agent {
            h.push(("User-Agent".into(), ua.clone()));
        }
        h
    }

    /// Cookies the engine holds for `url` (the plan's cookie, then the jar: login included).
    pub fn cookies(&self, url: &Url) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(c) = &self.http.plan().session.cookie {
            for part in c.split(';') {
                if let Some((n, v)) = part.split_once('=') {
                    out.push((n.trim().to_string(), v.trim().to_string()));
                }
            }
        }
        if let Ok(jar) = self.http.jar.lock() {
            out.extend(jar.for_url(url));
        }
        out
    }

    /// The pattern of URLs never followed nor clicked (the plan's, or the default).
    pub fn logout_regex(&self) -> String {
        self.http
            .plan()
            .session
            .logout_regex
            .clone()
            .unwrap_or_else(|| super::DEFAULT_LOGOUT.to_string())
    }

    pub async fn log(&self, level: Level, message: impl Into<String>) {
        self.http.log(level, message).await;
    }

    /// Reports a client-side weakness the browser observed (its module must be enabled).
    pub async fn report_client(&self, f: ClientFinding) {
        if !self.module_enabled(f.check.module_key()) {
            return;
        }
        let report = Report {
            module: f.check.module_key(),
            url: f.page.clone(),
            method: "GET".into(),
            parameter: f.parameter,
            location: None,
            cwe: None,
            variance: Variance {
                url: f.page.to_string(),
                attack_id: f.check.attack_id().into(),
                attack_value: f.evidence,
                proof: f.proof,
                proof_description: f.proof_description,
                confidence: Confidence::Firm,
                original: None,
                attack: None,
            },
        };
        self.http.sink.record(report).await;
    }

    /// Reports a DOM-based XSS confirmed by execution.
    pub async fn report_dom_xss(&self, x: DomXss) {
        let location = match x.source.as_str() {
            "location.hash" => Some(ParameterLocation::Fragment),
            "location.search" => Some(ParameterLocation::Query),
            "document.referrer" => Some(ParameterLocation::Referer),
            _ => None,
        };
        let report = Report {
            module: crate::checks::xss_dom::KEY,
            url: x.page,
            method: "GET".into(),
            parameter: x.source.clone(),
            location,
            cwe: None,
            variance: Variance {
                url: x.proof_url.to_string(),
                attack_id: "DXSS_01".into(),
                attack_value: x.payload,
                proof: format!(
                    "source {} reached sink {} and the payload ran; stack:\n{}",
                    x.source, x.sink, x.stack
                ),
                proof_description: "the payload sent through the source called the engine's unique function from the sink".into(),
                confidence: Confidence::Confirmed,
                original: None,
                attack: None,
            },
        };
        self.http.sink.record(report).await;
    }
}
