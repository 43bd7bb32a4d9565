//! The engine's HTTP client: every request passes the scope gate, the budgets, the
//! per-host limiter and the control handle; redirects are followed hop by hop.

use crate::control::Control;
use crate::events::{Counters, Event, Level, LimitKind};
use crate::finding::FindingSink;
use crate::http::address::AddressPolicy;
use crate::http::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::plan::ScanPlan;
use crate::scope::{OutOfScope, ScopeGate};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Mutex, Semaphore};
use url::Url;

/// Why the client refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("out of scope: {0}")]
    OutOfScope(OutOfScope),
    #[error("limit reached: {0:?}")]
    Limit(LimitKind),
    #[error("scan halted")]
    Halted,
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// What a request is for; decides passive analysis and canary tracking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Crawl,
    Login,
    Attack,
}

/// A sent request and its response (the last hop when redirects were followed).
#[derive(Clone, Debug)]
pub struct Sent {
    pub request: HttpRequest,
    pub response: HttpResponse,
}

struct Host {
    sem: Semaphore,
    next: Mutex<Instant>,
    timing: Arc<Mutex<()>>,
    /// The address policy's verdict on the host's addresses, decided once per scan from
    /// the first answer its name resolves to: the addresses it checked, or why they are
    /// refused. Unset while the name does not resolve (each request looks it up again).
    verdict: tokio::sync::OnceCell<Result<Vec<std::net::SocketAddr>, String>>,
}

/// Why no connection may go to a host.
enum Unvetted {
    /// The address policy refuses its addresses (decided once per scan).
    Refused(String),
    /// Its name does not resolve (now; asked again at the next request).
    Unresolved(String),
}

/// Observes responses (passive checks, stored-XSS canaries).
pub(crate) trait Observer: Send + Sync {
    fn observe(
        &self,
        purpose: Purpose,
        req: &HttpRequest,
        resp: &HttpResponse,
    ) -> Vec<crate::finding::Report>;
}

pub(crate) struct Http {
    transport: Arc<dyn Transport>,
    gate: ScopeGate,
    address: AddressPolicy,
    plan: Arc<ScanPlan>,
    pub control: Arc<Control>,
    pub counters: Arc<Counters>,
    events: mpsc::Sender<Event>,
    pub sink: Arc<FindingSink>,
    global: Semaphore,
    hosts: StdMutex<HashMap<String, Arc<Host>>>,
    pub jar: StdMutex<crate::jar::Jar>,
    deadline: Instant,
    /// Every limit reached with its detail lines: (kind, detail, whether it is a final
    /// account), in the order reached.
    reached: StdMutex<Vec<(LimitKind, String, bool)>>,
    observers: StdMutex<Vec<Arc<dyn Observer>>>,
}

fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Http {
    pub fn new(
        transport: Arc<dyn Transport>,
        gate: ScopeGate,
        plan: Arc<ScanPlan>,
        control: Arc<Control>,
        counters: Arc<Counters>,
        events: mpsc::Sender<Event>,
        sink: Arc<FindingSink>,
    ) -> Self {
        let deadline = counters.started + plan.limits.max_duration;
        let global = Semaphore::new(plan.limits.concurrency.max(1));
        let address =
            AddressPolicy::new(&plan.named_urls(), &plan.allowed_domains, &plan.own_sockets);
        let transport = transport.for_scan().unwrap_or(transport);
        Self {
            transport,
            gate,
            address,
            plan,
            control,
            counters,
            events,
            sink,
            global,
            hosts: StdMutex::new(HashMap::new()),
            jar: StdMutex::new(Default::default()),
            deadline,
            reached: StdMutex::new(Vec::new()),
            observers: StdMutex::new(Vec::new()),
        }
    }

    pub fn add_observer(&self, o: Arc<dyn Observer>) {
        if let Ok(mut v) = self.observers.lock() {
            v.push(o);
        }
    }

    pub fn plan(&self) -> &ScanPlan {
        &self.plan
    }

    pub fn gate(&self) -> &ScopeGate {
        &self.gate
    }

    pub fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub fn limits_reached(&self) -> Vec<LimitKind> {
        let mut kinds: Vec<LimitKind> = Vec::new();
        if let Ok(v) = self.reached.lock() {
            for (k, _, _) in v.iter() {
                if !kinds.contains(k) {
                    kinds.push(*k);
                }
            }
        }
        kinds
    }

    /// Every detail line of every limit reached, in the order they were first reached: one
    /// limit kind may have several (two budgets of one kind each keep their account).
    pub fn limit_details(&self) -> Vec<String> {
        self.reached
            .lock()
            .map(|v| v.iter().map(|(_, d, _)| d.clone()).collect())
            .unwrap_or_default()
    }

    /// Records the final account of a limit (what it left out, counted) and reports it: it
    /// replaces the limit's first notice (from [`Http::limit`]) if there is one, else it is a
    /// line of its own, next to the kind's other accounts; a limit event the first time the
    /// kind is reached, a warning afterwards.
    pub async fn limit_final(&self, kind: LimitKind, detail: String) {
        let first = match self.reached.lock() {
            Ok(mut v) => {
                let first = !v.iter().any(|(k, _, _)| *k == kind);
                match v.iter_mut().find(|(k, _, fin)| *k == kind && !fin) {
                    Some(e) => {
                        e.1 = detail.clone();
                        e.2 = true;
                    }
                    None => v.push((kind, detail.clone(), true)),
                }
                first
            }
            Err(_) => false,
        };
        if first {
            self.emit(Event::LimitReached {
                limit: kind,
                detail,
            })
            .await;
        } else {
            self.log(Level::Warn, detail).await;
        }
    }

    pub async fn log(&self, level: Level, message: impl Into<String>) {
        let _ = self
            .events
            .send(Event::Log {
                level,
                message: message.into(),
            })
            .await;
    }

    pub async fn emit(&self, e: Event) {
        let _ = self.events.send(e).await;
    }

    /// Records a limit and reports it the first time.
    pub async fn limit(&self, kind: LimitKind, detail: String) {
        let first = match self.reached.lock() {
            Ok(mut v) if !v.iter().any(|(k, _, _)| *k == kind) => {
                v.push((kind, detail.clone(), false));
                true
            }
            _ => false,
        };
        if first {
            self.emit(Event::LimitReached {
                limit: kind,
                detail,
            })
            .await;
        }
    }

    fn host(&self, url: &Url) -> Arc<Host> {
        let key = host_key(url);
        let mut hosts = match self.hosts.lock() {
            Ok(h) => h,
            Err(p) => p.into_inner(),
        };
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Host {
                    sem: Semaphore::new(self.plan.limits.per_host_concurrency.max(1)),
                    next: Mutex::new(Instant::now()),
                    timing: Arc::new(Mutex::new(())),
                    verdict: tokio::sync::OnceCell::new(),
                })
            })
            .clone()
    }

    /// Held by time-based probes so that they never run in parallel on one host.
    pub async fn timing_guard(&self, url: &Url) -> tokio::sync::OwnedMutexGuard<()> {
        self.host(url).timing.clone().lock_owned().await
    }

    /// Sends one request (no redirect following).
    pub async fn send(&self, req: HttpRequest, purpose: Purpose) -> Result<Sent, SendError> {
        self.send_with_timeout(req, purpose, None).await
    }

    /// Sends one request as another identity: cookies come from and go to `jar` only, and
    /// the scan's own session (pasted cookie, secret headers such as `Authorization`) is
    /// left out. Used to try logins and to replay requests as another user or anonymously
    /// without touching the scan's session.
    pub async fn send_as(
        &self,
        req: HttpRequest,
        purpose: Purpose,
        jar: &StdMutex<crate::jar::Jar>,
    ) -> Result<Sent, SendError> {
        self.send_inner(req, purpose, None, Some(jar)).await
    }

    /// The admission every request passes before it leaves, whoever sends it (this client
    /// or the browser): pause, cancel, time budget, scope gate, address policy, request
    /// budget. A request admitted here is counted.
    pub async fn admit(&self, method: &str, url: &Url) -> Result<(), SendError> {
        self.admission(method, url).await.map(|_| ())
    }

    /// [`Http::admit`], saying why when the host's name does not resolve (`Some`): the
    /// request is admitted and counted, but has no vetted address to go to.
    async fn admission(&self, method: &str, url: &Url) -> Result<Option<String>, SendError> {
        self.control.wait_unpaused().await;
        if self.control.cancel.is_cancelled() {
            return Err(SendError::Halted);
        }
        if Instant::now() >= self.deadline {
            self.limit(
                LimitKind::MaxDuration,
                format!("max duration {:?} reached", self.plan.limits.max_duration),
            )
            .await;
            return Err(SendError::Limit(LimitKind::MaxDuration));
        }
        self.gate
            .check(method, url)
            .map_err(SendError::OutOfScope)?;
        let unresolved = match self.vet(url).await {
            Ok(_) => None,
            Err(Unvetted::Unresolved(why)) => Some(why),
            Err(Unvetted::Refused(why)) => {
                return Err(SendError::OutOfScope(OutOfScope::Address(why)))
            }
        };
        let n = self.counters.requests.fetch_add(1, Relaxed);
        if n >= self.plan.limits.max_requests {
            self.counters.requests.fetch_sub(1, Relaxed);
            self.limit(
                LimitKind::MaxRequests,
                format!("max requests {} reached", self.plan.limits.max_requests),
            )
            .await;
            return Err(SendError::Limit(LimitKind::MaxRequests));
        }
        Ok(unresolved)
    }

    /// The addresses a connection to `url`'s host (and port) may go to: the ones the address
    /// policy checked for it, resolved once per scan and pinned in the transport; `Err` with
    /// the reason when the policy refuses the host or its name does not resolve. The
    /// browser's proxy connects to these (`BrowserScope::addresses`), never resolving again.
    pub async fn vetted_addresses(&self, url: &Url) -> Result<Vec<std::net::SocketAddr>, String> {
        self.vet(url).await.map_err(|e| match e {
            Unvetted::Refused(why) | Unvetted::Unresolved(why) => why,
        })
    }

    /// The host's verdict ([`Host::verdict`]). A name is checked on the first answer it
    /// resolves to, and only that answer's addresses are ever pinned: a name that does not
    /// resolve yet is looked up (and checked) again at its next request, never allowed
    /// unchecked.
    async fn vet(&self, url: &Url) -> Result<Vec<std::net::SocketAddr>, Unvetted> {
        let host = self.host(url);
        let verdict = host
            .verdict
            .get_or_try_init(|| async {
                let port = url.port_or_known_default().unwrap_or(80);
                let addrs: Vec<std::net::SocketAddr> = match url.host() {
                    Some(url::Host::Ipv4(ip)) => vec![(ip, port).into()],
                    Some(url::Host::Ipv6(ip)) => vec![(ip, port).into()],
                    Some(url::Host::Domain(name)) => {
                        let unresolved = |why: String| {
                            Unvetted::Unresolved(format!("{name} does not resolve{why}"))
                        };
                        match self.transport.resolve(name, port).await {
                            Ok(a) if !a.is_empty() => a,
                            Ok(_) => return Err(unresolved(String::new())),
                            Err(e) => return Err(unresolved(format!(": {e}"))),
                        }
                    }
                    // No host (the transport refuses such a URL itself): nothing to resolve.
                    None => return Ok(Ok(Vec::new())),
                };
                if let Err(why) = self.address.check(url, &addrs) {
                    return Ok(Err(why));
                }
                if let Some(url::Host::Domain(name)) = url.host() {
                    self.transport.pin(name, &addrs);
                }
                Ok(Ok(addrs))
            })
            .await?;
        verdict.clone().map_err(Unvetted::Refused)
    }

    /// Waits for the host's drip delay (the per-host rate limiter) and books the next slot.
    pub async fn pace(&self, url: &Url) {
        let gap = self.plan.limits.min_request_gap;
        if gap.is_zero() {
            return;
        }
        let host = self.host(url);
        let mut next = host.next.lock().await;
        let now = Instant::now();
        if *next > now {
            tokio::time::sleep_until((*next).into()).await;
        }
        *next = Instant::now() + gap;
    }

    pub async fn send_with_timeout(
        &self,
        req: HttpRequest,
        purpose: Purpose,
        timeout: Option<Duration>,
    ) -> Result<Sent, SendError> {
        self.send_inner(req, purpose, timeout, None).await
    }

    /// `identity`: another identity's jar ([`Http::send_as`]); `None` is the scan's session.
    async fn send_inner(
        &self,
        mut req: HttpRequest,
        purpose: Purpose,
        timeout: Option<Duration>,
        identity: Option<&StdMutex<crate::jar::Jar>>,
    ) -> Result<Sent, SendError> {
        if let Some(why) = self.admission(&req.method, &req.url).await? {
            // Nothing vetted, so nothing is sent: the transport connects to vetted addresses only.
            self.counters.failed_requests.fetch_add(1, Relaxed);
            return Err(TransportError::Connect(why).into());
        }
        self.decorate(&mut req, identity);
        let host = self.host(&req.url);
        let _global = self.global.acquire().await.map_err(|_| SendError::Halted)?;
        let _permit = host.sem.acquire().await.map_err(|_| SendError::Halted)?;
        self.pace(&req.url).await;
        let limit_timeout = timeout.unwrap_or(self.plan.limits.request_timeout);
        let t = limit_timeout.min(self.time_left().max(Duration::from_millis(100)));
        let max = self.plan.limits.max_response_bytes;
        let mut result = tokio::select! {
            r = self.transport.send(&req, max, t) => r,
            _ = self.control.cancel.cancelled() => return Err(SendError::Halted),
        };
        // A kept-alive connection the server closed before answering: an idempotent request
        // is sent once more on a fresh connection (counted as a request of its own).
        if matches!(
            &result,
            Err(TransportError::Other(_) | TransportError::Connect(_))
        ) && matches!(req.method.as_str(), "GET" | "HEAD" | "OPTIONS")
        {
            self.counters.requests.fetch_add(1, Relaxed);
            self.counters.failed_requests.fetch_add(1, Relaxed);
            result = tokio::select! {
                r = self.transport.send(&req, max, t) => r,
                _ = self.control.cancel.cancelled() => return Err(SendError::Halted),
            };
        }
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                self.counters.failed_requests.fetch_add(1, Relaxed);
                // A request cut short by the time budget ends the scan as a later one would.
                if matches!(e, TransportError::Timeout) && Instant::now() >= self.deadline {
                    self.limit(
                        LimitKind::MaxDuration,
                        format!("max duration {:?} reached", self.plan.limits.max_duration),
                    )
                    .await;
                    return Err(SendError::Limit(LimitKind::MaxDuration));
                }
                return Err(e.into());
            }
        };
        self.counters
            .bytes
            .fetch_add(resp.body.len() as u64, Relaxed);
        if resp.truncated {
            self.limit(
                LimitKind::ResponseSize,
                format!(
                    "a response from {} exceeded {max} bytes and was cut",
                    req.url
                ),
            )
            .await;
        }
        self.store_cookies(identity.unwrap_or(&self.jar), &req.url, &resp);
        let observers: Vec<Arc<dyn Observer>> =
            self.observers.lock().map(|v| v.clone()).unwrap_or_default();
        for o in observers {
            for r in o.observe(purpose, &req, &resp) {
                self.sink.record(r).await;
            }
        }
        Ok(Sent {
            request: req,
            response: resp,
        })
    }

    /// Sends and follows up to 8 redirects, each hop re-checked by the gate.
    pub async fn send_follow(
        &self,
        req: HttpRequest,
        purpose: Purpose,
    ) -> Result<(Sent, Vec<Url>), SendError> {
        self.send_follow_inner(req, purpose, None).await
    }

    /// [`Http::send_follow`] as another identity ([`Http::send_as`]).
    pub async fn send_follow_as(
        &self,
        req: HttpRequest,
        purpose: Purpose,
        jar: &StdMutex<crate::jar::Jar>,
    ) -> Result<(Sent, Vec<Url>), SendError> {
        self.send_follow_inner(req, purpose, Some(jar)).await
    }

    /// [`Http::send_follow`] as the scan (`None`) or as another identity.
    pub(crate) async fn send_follow_inner(
        &self,
        req: HttpRequest,
        purpose: Purpose,
        identity: Option<&StdMutex<crate::jar::Jar>>,
    ) -> Result<(Sent, Vec<Url>), SendError> {
        let mut hops = Vec::new();
        let mut cur = req;
        for _ in 0..8 {
            let sent = self
                .send_inner(cur.clone(), purpose, None, identity)
                .await?;
            if !sent.response.is_redirect() {
                return Ok((sent, hops));
            }
            let Some(next) = sent
                .response
                .header("location")
                .and_then(|l| sent.request.url.join(l).ok())
            else {
                return Ok((sent, hops));
            };
            if self.gate.check("GET", &next).is_err() {
                return Ok((sent, hops));
            }
            hops.push(next.clone());
            let keep = matches!(sent.response.status, 307 | 308);
            cur = if keep {
                HttpRequest {
                    url: next,
                    ..sent.request.clone()
                }
            } else {
                let mut r = HttpRequest::get(next);
                r.headers = sent
                    .request
                    .headers
                    .iter()
                    .filter(|(n, _)| {
                        !n.eq_ignore_ascii_case("content-type") && !n.eq_ignore_ascii_case("cookie")
                    })
                    .cloned()
                    .collect();
                r
            };
        }
        let sent = self.send_inner(cur, purpose, None, identity).await?;
        Ok((sent, hops))
    }

    /// Adds session headers and cookies; explicit headers of the request win. Another
    /// identity (`identity`) gets its own jar's cookies and none of the session's secrets.
    fn decorate(&self, req: &mut HttpRequest, identity: Option<&StdMutex<crate::jar::Jar>>) {
        let s = &self.plan.session;
        for (n, v) in &s.headers {
            if identity.is_some() && rampart_domain::secrets::is_secret_header(n) {
                continue;
            }
            if req.header(n).is_none() {
                req.headers.push((n.clone(), v.clone()));
            }
        }
        if req.header("user-agent").is_none() {
            let ua = s
                .user_agent
                .clone()
                .unwrap_or_else(|| format!("rampart/{}", env!("CARGO_PKG_VERSION")));
            req.headers.push(("User-Agent".into(), ua));
        }
        let mut cookies: BTreeMap<String, String> = BTreeMap::new();
        if let Some(c) = s.cookie.as_ref().filter(|_| identity.is_none()) {
            for part in c.split(';') {
                if let Some((n, v)) = part.split_once('=') {
                    cookies.insert(n.trim().to_string(), v.trim().to_string());
                }
            }
        }
        if let Ok(jar) = identity.unwrap_or(&self.jar).lock() {
            cookies.extend(jar.for_url(&req.url));
        }
        if let Some(explicit) = req.header("cookie").map(str::to_string) {
            for part in explicit.split(';') {
                if let Some((n, v)) = part.split_once('=') {
                    cookies.insert(n.trim().to_string(), v.trim().to_string());
                }
            }
        }
        if !cookies.is_empty() {
            let v: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
            req.set_header("Cookie", v.join("; "));
        }
    }

    fn store_cookies(&self, jar: &StdMutex<crate::jar::Jar>, url: &Url, resp: &HttpResponse) {
        if let Ok(mut jar) = jar.lock() {
            for h in resp.headers_named("set-cookie") {
                jar.store(url, h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_account_of_a_limit_kind_keeps_its_own_line() {
        let plan = Arc::new(ScanPlan::for_url(Url::parse("http://a.example/").unwrap()));
        let gate = ScopeGate::new(&plan.scope, &plan.allowed_domains).unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let counters = Arc::new(Counters::new(0));
        let sink = Arc::new(FindingSink::new(
            tx.clone(),
            counters.clone(),
            plan.modules.clone(),
            Arc::default(),
        ));
        let transport = Arc::new(crate::http::ReqwestTransport::new(false).unwrap());
        let http = Http::new(
            transport,
            gate,
            plan,
            Arc::new(Control::new()),
            counters,
            tx,
            sink,
        );
        // A first notice, then its final account replaces it.
        http.limit(
            LimitKind::MaxCrawlResults,
            "max crawl results 5 reached".into(),
        )
        .await;
        http.limit_final(
            LimitKind::MaxCrawlResults,
            "max crawl results 5 reached: 7 URL(s) not crawled".into(),
        )
        .await;
        // Two budgets of one kind: each keeps its account.
        http.limit_final(LimitKind::ProbeBudget, "probe budget: 3 directories".into())
            .await;
        http.limit_final(
            LimitKind::ProbeBudget,
            "backup probe budget: 9 names".into(),
        )
        .await;
        assert_eq!(
            http.limits_reached(),
            vec![LimitKind::MaxCrawlResults, LimitKind::ProbeBudget]
        );
        assert_eq!(
            http.limit_details(),
            vec![
                "max crawl results 5 reached: 7 URL(s) not crawled",
                "probe budget: 3 directories",
                "backup probe budget: 9 names",
            ]
        );
        drop(http);
        let mut kinds = Vec::new();
        while let Some(e) = rx.recv().await {
            match e {
                Event::LimitReached { limit, .. } => kinds.push(format!("{limit:?}")),
                Event::Log { message, .. } => kinds.push(message),
                _ => {}
            }
        }
        assert_eq!(
            kinds,
            vec![
                "MaxCrawlResults",
                "max crawl results 5 reached: 7 URL(s) not crawled",
                "ProbeBudget",
                "backup probe budget: 9 names",
            ]
        );
    }
}
