//! The scan orchestrator: login, crawl, attack, out-of-band wait, summary.

use crate::checks::passive::Passive;
use crate::client::Http;
use crate::control::{Control, ScanHandle};
use crate::crawl::{self, BrowserCrawler};
use crate::ctx::Ctx;
use crate::events::{Counters, Event, Level, LimitKind, Outcome, Summary};
use crate::finding::FindingSink;
use crate::http::Transport;
use crate::oob::Oob;
use crate::plan::ScanPlan;
use crate::scope::ScopeGate;
use crate::session::SessionKeeper;
use crate::EngineError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Capacity of the event channel; findings wait for room, progress ticks are dropped.
pub const EVENT_CAPACITY: usize = 1024;

/// Starts a scan; returns its handle and the event stream.
pub fn start(
    plan: ScanPlan,
    transport: Arc<dyn Transport>,
    browser: Option<Arc<dyn BrowserCrawler>>,
) -> Result<(ScanHandle, mpsc::Receiver<Event>), EngineError> {
    if plan.seeds.is_empty() && plan.api_specs.is_empty() {
        return Err(EngineError::Plan("no seed url".into()));
    }
    let gate = ScopeGate::new(&plan.scope, &plan.allowed_domains)
        .map_err(|e| EngineError::Plan(e.to_string()))?;
    for s in &plan.seeds {
        gate.check("GET", s)
            .map_err(|e| EngineError::Plan(format!("seed {s} is out of scope: {e}")))?;
    }
    let mut notes: Vec<(Level, String)> = Vec::new();
    let transport = match &plan.client_certificate {
        Some(c) => {
            let fail =
                |e: String| EngineError::Plan(format!("client certificate file {}: {e}", c.name));
            let id = crate::seed::certificate::open(&c.pkcs12, &c.password).map_err(fail)?;
            let t = transport
                .with_client_identity(&id)
                .map_err(|e| fail(e.to_string()))?;
            notes.push((
                Level::Info,
                format!(
                    "client certificate file {}: {} is presented on TLS connections",
                    c.name, id.subject
                ),
            ));
            t
        }
        None => transport,
    };
    let session = session_keeper(&plan, &mut notes)?;
    if let Some(r) = &plan.session.logout_regex {
        regex::Regex::new(r).map_err(|e| EngineError::Plan(format!("logout regex: {e}")))?;
    }
    let (tx, rx) = mpsc::channel(EVENT_CAPACITY);
    let counters = Arc::new(Counters::new(plan.limits.min_request_gap.as_millis() as u64));
    let control = Arc::new(Control::new());
    let plan = Arc::new(plan);
    let sink = Arc::new(FindingSink::new(
        tx.clone(),
        counters.clone(),
        plan.modules.clone(),
        Arc::new(crate::selectors::PageSelectors::default()),
    ));
    let http = Arc::new(Http::new(
        transport,
        gate,
        plan.clone(),
        control.clone(),
        counters.clone(),
        tx.clone(),
        sink,
    ));
    let join = tokio::spawn(run(http, Arc::new(session), browser, tx, notes));
    Ok((
        ScanHandle {
            control,
            counters,
            join,
        },
        rx,
    ))
}

/// The session keeper: a replayable recorded login wins over form login (the options name
/// one or the other); a recording that cannot be replayed is said in an event and the scan
/// runs unauthenticated.
fn session_keeper(
    plan: &ScanPlan,
    notes: &mut Vec<(Level, String)>,
) -> Result<SessionKeeper, EngineError> {
    use crate::plan::LoginScriptKind;
    use crate::session::LoginMethod;
    let bad = |e: regex::Error| EngineError::Plan(e.to_string());
    let Some(script) = &plan.login_script else {
        return SessionKeeper::new(plan.session.login.clone()).map_err(bad);
    };
    let method = match script.kind {
        LoginScriptKind::Macro => {
            notes.push((
                Level::Warn,
                format!(
                    "MACRO file {}: macro recordings are replayed by a browser and this engine has none; the scan continues unauthenticated",
                    script.name
                ),
            ));
            None
        }
        LoginScriptKind::Selenium => match crate::seed::side::parse(&script.content) {
            Ok(s) => Some(LoginMethod::Script(script.name.clone(), s)),
            Err(e) => {
                notes.push((
                    Level::Warn,
                    format!(
                        "Selenium file {}: {e}; the scan continues unauthenticated",
                        script.name
                    ),
                ));
                None
            }
        },
    };
    SessionKeeper::with(
        method,
        script.logged_in_regex.clone(),
        script.session_loss_regex.clone(),
    )
    .map_err(bad)
}

async fn run(
    http: Arc<Http>,
    session: Arc<SessionKeeper>,
    browser: Option<Arc<dyn BrowserCrawler>>,
    tx: mpsc::Sender<Event>,
    notes: Vec<(Level, String)>,
) -> Summary {
    let plan = http.plan().clone();
    for (level, note) in notes {
        http.log(level, note).await;
    }
    let canaries = Arc::new(crate::checks::xss_stored::Canaries::default());
    let passive = Arc::new(Passive::new(&plan.modules));
    http.add_observer(passive.clone());
    http.add_observer(canaries.clone());
    let oob_stop = tokio_util::sync::CancellationToken::new();
    let oob_keys: Vec<&str> = crate::checks::registry::oob_keys().collect();
    let wants_oob = oob_keys.iter().any(|k| plan.modules.is_enabled(k));
    let oob = if plan.oob.enabled && wants_oob {
        match Oob::start(
            plan.oob.bind,
            plan.oob.public_address.clone(),
            oob_stop.clone(),
        )
        .await
        {
            Ok(o) => {
                http.log(Level::Info, format!("out-of-band listener at {}", o.base))
                    .await;
                Some(o)
            }
            Err(e) => {
                http.log(
                    Level::Warn,
                    format!(
                        "out-of-band listener unavailable ({e}): {} callbacks disabled",
                        oob_keys.join(", ")
                    ),
                )
                .await;
                None
            }
        }
    } else {
        None
    };
    let ctx = Arc::new(Ctx {
        pending: Default::default(),
        http: http.clone(),
        oob,
        session: session.clone(),
        canaries,
        soft404: Default::default(),
        backups: Default::default(),
        weak_logins: Default::default(),
        accounts: Default::default(),
        cookie_pages: Default::default(),
        xss_confirm: crate::checks::xss_confirm::Confirmations::new(browser.clone()),
    });

    // Progress ticks: best effort, never block the scan.
    let ticker = {
        let (tx, counters) = (tx.clone(), http.counters.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                if tx.try_send(Event::Progress(counters.snapshot())).is_err() && tx.is_closed() {
                    return;
                }
            }
        })
    };

    if let Some(b) = &browser {
        session.set_browser(b.clone());
    }
    if session.enabled() && !session.login(&http).await {
        http.log(Level::Warn, "login failed; crawling without a session")
            .await;
    }
    let browser_note = match &browser {
        Some(b) => b.availability(),
        None => "unavailable: no browser crawler configured (HTML crawler only)".to_string(),
    };
    let mut extra = crate::seed::seed(&http).await;
    if let Some(b) = &browser {
        let found = b.discover(&crawl::BrowserScope::new(http.clone())).await;
        http.log(
            Level::Info,
            format!("browser crawl: {} request(s) recorded", found.len()),
        )
        .await;
        extra.extend(found);
    }
    http.log(
        Level::Info,
        format!("crawling from {} seed(s)", plan.seeds.len()),
    )
    .await;
    let out = crawl::crawl(ctx.clone(), extra).await;
    http.log(
        Level::Info,
        format!(
            "crawl done: {} pages, {} resources",
            out.visited.len(),
            out.resources.len()
        ),
    )
    .await;
    let active = plan.modules.enabled.keys().any(|k| {
        crate::catalogue::module(k)
            .is_some_and(|m| m.module_type == rampart_domain::ModuleType::Active)
    });
    let abandoned = if !plan.modules.crawl_only && active && !http.control.halted() {
        crate::checks::attack_all(ctx.clone(), &out).await
    } else {
        Default::default()
    };
    oob_stop.cancel();
    ticker.abort();

    // Host findings seen on more pages than they list: how many more.
    for r in passive.rest() {
        http.sink.record(r).await;
    }
    let capped = http.sink.capped().await;
    if !capped.is_empty() {
        http.limit_final(LimitKind::MaxFindings, capped.join("; "))
            .await;
    }
    let reached = http.limits_reached();
    let outcome = if http.control.cancel.is_cancelled() {
        Outcome::Cancelled
    } else if http.control.stop.is_cancelled() {
        Outcome::Stopped
    } else if reached.iter().any(|l| {
        matches!(
            l,
            LimitKind::MaxDuration | LimitKind::MaxRequests | LimitKind::MaxCrawlResults
        )
    }) {
        Outcome::Incomplete
    } else {
        Outcome::Complete
    };
    let progress = http.counters.snapshot();
    let summary = Summary {
        outcome,
        duration_ms: http.counters.started.elapsed().as_millis() as u64,
        progress,
        limits_reached: reached,
        limit_details: http.limit_details(),
        findings: http.sink.all().await,
        crawled: out.crawled,
        skipped: out.skipped,
        skipped_sample: out.skipped_sample,
        dropped: out.dropped,
        abandoned,
        browser_crawl: if browser.is_some() {
            "configured"
        } else {
            "unavailable"
        },
        error: None,
    };
    http.log(Level::Info, browser_note).await;
    let _ = tx.send(Event::Finished(Box::new(summary.clone()))).await;
    summary
}

/// What [`check_login`] found: whether the login took, and why in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginCheck {
    pub logged_in: bool,
    pub detail: String,
    /// Requests sent (all through the scan's scope gate).
    pub requests: u64,
}

/// Runs only the scan's login ("test login" of a scan config): the same session keeper,
/// scope gate, address policy and transport as [`start`], no crawl and no attack. The
/// login page is opened once first so that a failure can say why (out of scope,
/// unreachable, no password form).
pub async fn check_login(
    plan: ScanPlan,
    transport: Arc<dyn Transport>,
) -> Result<LoginCheck, EngineError> {
    use crate::client::Purpose;
    let gate = ScopeGate::new(&plan.scope, &plan.allowed_domains)
        .map_err(|e| EngineError::Plan(e.to_string()))?;
    let mut notes = Vec::new();
    let session = session_keeper(&plan, &mut notes)?;
    let Some(login) = plan.session.login.clone() else {
        let detail = match notes.first() {
            Some((_, n)) => n.clone(),
            None if plan.login_script.is_some() => {
                "the config logs in with a recorded script; only form login can be tested here"
                    .into()
            }
            None => "the scan config has no form login to test".into(),
        };
        return Ok(LoginCheck {
            logged_in: false,
            detail,
            requests: 0,
        });
    };
    let (tx, mut rx) = mpsc::channel(EVENT_CAPACITY);
    let counters = Arc::new(Counters::new(plan.limits.min_request_gap.as_millis() as u64));
    let control = Arc::new(Control::new());
    let plan = Arc::new(plan);
    let sink = Arc::new(FindingSink::new(
        tx.clone(),
        counters.clone(),
        plan.modules.clone(),
        Arc::new(crate::selectors::PageSelectors::default()),
    ));
    let http = Arc::new(Http::new(
        transport,
        gate,
        plan.clone(),
        control,
        counters.clone(),
        tx,
        sink,
    ));
    let sent = |c: &Counters| c.requests.load(std::sync::atomic::Ordering::Relaxed);
    let page = http
        .send_follow(
            crate::http::HttpRequest::get(login.url.clone()),
            Purpose::Login,
        )
        .await;
    let problem = match page {
        Err(crate::client::SendError::OutOfScope(why)) => Some(format!(
            "the login page {} is outside the scan's scope or targets ({why}): nothing was sent",
            login.url
        )),
        Err(e) => Some(format!(
            "the login page {} could not be opened: {e}",
            login.url
        )),
        Ok((p, _)) => {
            let forms = crate::crawl::html::extract(&p.request.url, &p.response.text()).forms;
            if p.response.status >= 400 {
                Some(format!(
                    "the login page {} answered HTTP {}",
                    p.request.url, p.response.status
                ))
            } else if !forms.iter().any(|f| !f.password_fields.is_empty()) {
                Some(format!(
                    "the login page {} (HTTP {}) has no form with a password field",
                    p.request.url, p.response.status
                ))
            } else {
                None
            }
        }
    };
    if let Some(detail) = problem {
        return Ok(LoginCheck {
            logged_in: false,
            detail,
            requests: sent(&counters),
        });
    }
    let ok = session.login(&http).await;
    drop(http);
    let mut said = Vec::new();
    while let Ok(e) = rx.try_recv() {
        match e {
            Event::SessionLost { message } => said.push(message),
            Event::Log { message, .. } => said.push(message),
            _ => {}
        }
    }
    let detail = if ok {
        let how = if login.logged_in_regex.is_some() {
            "the page after the login matches the logged-in pattern"
        } else {
            "the page after the login answered without an error and shows no login form"
        };
        format!("logged in as {} at {}: {how}", login.username, login.url)
    } else if said.is_empty() {
        format!("the login at {} did not take", login.url)
    } else {
        let why = said.join("; ");
        let why = why
            .strip_suffix("; the scan continues unauthenticated")
            .unwrap_or(&why)
            .to_string();
        if login.logged_in_regex.is_some() {
            format!("{why} (the page after the login does not match the logged-in pattern)")
        } else {
            format!("{why} (the page after the login shows an error, the session-loss pattern or the login form again)")
        }
    };
    Ok(LoginCheck {
        logged_in: ok,
        detail,
        requests: sent(&counters),
    })
}
