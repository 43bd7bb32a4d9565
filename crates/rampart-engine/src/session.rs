//! Form login (or a replayed Selenium IDE login) and session upkeep: logged-in /
//! session-loss checks and re-login.

use crate::client::{Http, Purpose};
use crate::crawl::html::extract;
use crate::events::Event;
use crate::http::{HttpRequest, HttpResponse};
use crate::plan::FormLogin;
use crate::seed::side::Script;
use regex::Regex;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Opens `cfg`'s login page, fills in its password form and submits it, following redirects:
/// the landing answer, or `None` when the page has no password form or does not answer. As
/// the scan (`identity` `None`) or as another identity with its own cookie jar.
pub(crate) async fn submit_login(
    http: &Http,
    cfg: &FormLogin,
    identity: Option<&std::sync::Mutex<crate::jar::Jar>>,
) -> Option<crate::client::Sent> {
    let (page, _) = http
        .send_follow_inner(HttpRequest::get(cfg.url.clone()), Purpose::Login, identity)
        .await
        .ok()?;
    let ex = extract(&page.request.url, &page.response.text());
    let mut form = ex
        .forms
        .iter()
        .find(|f| !f.password_fields.is_empty())?
        .clone();
    let pw_field = cfg
        .password_field
        .clone()
        .unwrap_or_else(|| form.password_fields[0].clone());
    let user_field = cfg
        .username_field
        .clone()
        .or_else(|| form.text_fields.first().cloned());
    for (k, v) in form.fields.iter_mut() {
        if *k == pw_field {
            *v = cfg.password.clone();
        } else if Some(&*k) == user_field.as_ref() {
            *v = cfg.username.clone();
        }
    }
    let req = form.resource(&page.request.url, 0).to_request();
    let (after, _) = http
        .send_follow_inner(req, Purpose::Login, identity)
        .await
        .ok()?;
    Some(after)
}

/// Logs another identity in with `cfg` into `jar`: whether the landing page shows a session
/// (`cfg`'s logged-in pattern when it has one, else no error, no session-loss pattern and no
/// password form left).
pub(crate) async fn login_as(
    http: &Http,
    cfg: &FormLogin,
    jar: &std::sync::Mutex<crate::jar::Jar>,
) -> bool {
    let Some(after) = submit_login(http, cfg, Some(jar)).await else {
        return false;
    };
    let body = after.response.text();
    if let Some(r) = cfg
        .logged_in_regex
        .as_deref()
        .and_then(|r| Regex::new(r).ok())
    {
        return r.is_match(&body);
    }
    if let Some(r) = cfg
        .session_loss_regex
        .as_deref()
        .and_then(|r| Regex::new(r).ok())
    {
        if r.is_match(&body) {
            return false;
        }
    }
    after.response.status < 400
        && !extract(&after.request.url, &body)
            .forms
            .iter()
            .any(|f| !f.password_fields.is_empty())
}

/// At most this many re-logins per scan, so a broken login cannot loop.
const MAX_RELOGINS: u32 = 20;

/// How the scan logs in.
#[derive(Clone, Debug)]
pub(crate) enum LoginMethod {
    Form(FormLogin),
    /// A Selenium IDE recording (its file name, for events).
    Script(String, Script),
}

impl LoginMethod {
    fn what(&self) -> String {
        match self {
            LoginMethod::Form(f) => format!("form login at {}", f.url),
            LoginMethod::Script(name, _) => format!("the login recorded in Selenium file {name}"),
        }
    }
}

pub(crate) struct SessionKeeper {
    login: Option<LoginMethod>,
    logged_in: Option<Regex>,
    loss: Option<Regex>,
    state: Mutex<u32>,
    /// The re-login cap was reached (reported once).
    capped: std::sync::atomic::AtomicBool,
    /// The scan's browser: a form login whose form the HTML does not have (it is built by
    /// script) is done in the browser, and its cookies handed to the HTTP client.
    browser: std::sync::OnceLock<Arc<dyn crate::crawl::BrowserCrawler>>,
}

impl SessionKeeper {
    pub fn new(login: Option<FormLogin>) -> Result<Self, regex::Error> {
        let (li, loss) = login
            .as_ref()
            .map(|l| (l.logged_in_regex.clone(), l.session_loss_regex.clone()))
            .unwrap_or_default();
        Self::with(login.map(LoginMethod::Form), li, loss)
    }

    pub fn with(
        login: Option<LoginMethod>,
        logged_in: Option<String>,
        loss: Option<String>,
    ) -> Result<Self, regex::Error> {
        Ok(Self {
            login,
            logged_in: logged_in.as_deref().map(Regex::new).transpose()?,
            loss: loss.as_deref().map(Regex::new).transpose()?,
            state: Mutex::new(0),
            capped: std::sync::atomic::AtomicBool::new(false),
            browser: std::sync::OnceLock::new(),
        })
    }

    /// Lets form login fall back to the browser.
    pub fn set_browser(&self, browser: Arc<dyn crate::crawl::BrowserCrawler>) {
        let _ = self.browser.set(browser);
    }

    pub fn enabled(&self) -> bool {
        self.login.is_some()
    }

    /// The response shows that the session is gone.
    pub fn lost(&self, resp: &HttpResponse) -> bool {
        if self.login.is_none() {
            return false;
        }
        let body = resp.text();
        if let Some(r) = &self.loss {
            return r.is_match(&body);
        }
        false
    }

    /// The answer `sent` shows that the session is gone: its body matches the session-loss
    /// pattern, or it redirects (same origin, in scope) to the login page or to a page whose
    /// body matches the pattern. Only this check follows the redirect; the caller keeps the
    /// answer as it was.
    pub async fn lost_after(&self, http: &Arc<Http>, sent: &crate::client::Sent) -> bool {
        if self.login.is_none() {
            return false;
        }
        if self.lost(&sent.response) {
            return true;
        }
        if !sent.response.is_redirect() {
            return false;
        }
        let Some(next) = sent
            .response
            .header("location")
            .and_then(|l| sent.request.url.join(l).ok())
        else {
            return false;
        };
        if next.origin() != sent.request.url.origin() || http.gate().check("GET", &next).is_err() {
            return false;
        }
        if self.is_login_page(&next) {
            return true;
        }
        if self.loss.is_none() {
            return false;
        }
        let Ok((landed, hops)) = http
            .send_follow(HttpRequest::get(next), Purpose::Attack)
            .await
        else {
            return false;
        };
        hops.iter().any(|u| self.is_login_page(u))
            || self.is_login_page(&landed.request.url)
            || self.lost(&landed.response)
    }

    /// `url` is the form login's page (same origin and path; the query, such as a
    /// `?next=` back link, does not matter).
    fn is_login_page(&self, url: &url::Url) -> bool {
        let Some(LoginMethod::Form(f)) = &self.login else {
            return false;
        };
        f.url.origin() == url.origin() && f.url.path() == url.path()
    }

    /// Logs in again after `trigger` showed the session lost: an event says what triggered
    /// it and which re-login of the cap this is. `true` on success.
    pub async fn relogin(&self, http: &Arc<Http>, trigger: &str) -> bool {
        let n = *self.state.lock().await;
        if n < MAX_RELOGINS {
            http.log(
                crate::events::Level::Info,
                format!(
                    "session lost ({trigger} matched the session-loss pattern): logging in again, re-login {n} of at most {}",
                    MAX_RELOGINS - 1
                ),
            )
            .await;
        }
        self.login(http).await
    }

    /// Logs in; `true` on success. Emits `LoggedIn` or `SessionLost`.
    pub async fn login(&self, http: &Arc<Http>) -> bool {
        let Some(method) = &self.login else {
            return true;
        };
        let mut count = self.state.lock().await;
        if *count >= MAX_RELOGINS {
            if !self.capped.swap(true, Relaxed) {
                http.emit(Event::SessionLost {
                    message: format!(
                        "{}: the re-login cap ({MAX_RELOGINS} logins) is reached; the session is not restored any more and the rest of the scan may run unauthenticated",
                        method.what()
                    ),
                })
                .await;
            }
            return false;
        }
        *count += 1;
        let mut result = self.try_method(http, method).await;
        if let (Ok(()), 1, LoginMethod::Form(cfg)) = (&result, *count, method) {
            if http
                .plan()
                .modules
                .enabled
                .contains_key("predictable_session_id")
            {
                // Sample a few more session ids (passive analysis sees each Set-Cookie).
                for _ in 0..2 {
                    if let Ok(mut jar) = http.jar.lock() {
                        jar.forget(&cfg.url);
                    }
                    result = self.try_method(http, method).await;
                }
            }
        }
        let ok = result.is_ok();
        http.counters.logged_in.store(ok, Relaxed);
        match result {
            Ok(()) => http.emit(Event::LoggedIn).await,
            Err(why) => {
                http.emit(Event::SessionLost {
                    message: format!(
                        "{} failed{why}; the scan continues unauthenticated",
                        method.what()
                    ),
                })
                .await
            }
        }
        ok
    }

    /// `Err` carries what went wrong as `: …`, or nothing when the login simply did not take.
    async fn try_method(&self, http: &Arc<Http>, method: &LoginMethod) -> Result<(), String> {
        match method {
            LoginMethod::Form(cfg) => {
                if self.try_login(http, cfg).await {
                    Ok(())
                } else if let Some(b) = self.browser.get() {
                    self.browser_login(http, b.as_ref(), cfg).await
                } else {
                    Err(String::new())
                }
            }
            LoginMethod::Script(_, script) => {
                let after = crate::seed::side::replay(script, http)
                    .await
                    .map_err(|e| format!(": {e}"))?;
                let again = after.request.url.clone();
                if self.verify(http, &after, &again).await {
                    Ok(())
                } else {
                    Err(String::new())
                }
            }
        }
    }

    /// The login form in a browser (for a form its page builds by script): the browser's
    /// cookies go into the jar, then the session is verified over HTTP like any login.
    async fn browser_login(
        &self,
        http: &Arc<Http>,
        browser: &dyn crate::crawl::BrowserCrawler,
        cfg: &FormLogin,
    ) -> Result<(), String> {
        http.log(
            crate::events::Level::Info,
            format!(
                "form login at {}: no working login form in the HTML; logging in through the browser",
                cfg.url
            ),
        )
        .await;
        let scope = crate::crawl::BrowserScope::new(http.clone());
        let cookies = browser
            .login(&scope, cfg)
            .await
            .map_err(|e| format!(" (browser login: {e})"))?;
        if let Ok(mut jar) = http.jar.lock() {
            for c in &cookies {
                jar.store(&cfg.url, c);
            }
        }
        let Ok((after, _)) = http
            .send_follow(HttpRequest::get(cfg.url.clone()), Purpose::Login)
            .await
        else {
            return Err(" (browser login: the login page did not answer)".into());
        };
        if self.verify(http, &after, &cfg.url).await {
            http.log(
                crate::events::Level::Info,
                format!(
                    "browser login: {} cookie(s) handed to the HTTP client",
                    cookies.len()
                ),
            )
            .await;
            Ok(())
        } else {
            Err(" (browser login did not take)".into())
        }
    }

    async fn try_login(&self, http: &Arc<Http>, cfg: &FormLogin) -> bool {
        match submit_login(http, cfg, None).await {
            Some(after) => self.verify(http, &after, &cfg.url).await,
            None => false,
        }
    }

    /// Whether the response after a login shows a session: the logged-in pattern (on it, or
    /// on `again` fetched once more), else no session-loss pattern, no error and no login
    /// form left.
    async fn verify(
        &self,
        http: &Arc<Http>,
        after: &crate::client::Sent,
        again: &url::Url,
    ) -> bool {
        let body = after.response.text();
        if let Some(r) = &self.logged_in {
            if r.is_match(&body) {
                return true;
            }
            // The landing page may not show it: check the login URL again.
            if let Ok((again, _)) = http
                .send_follow(HttpRequest::get(again.clone()), Purpose::Login)
                .await
            {
                return r.is_match(&again.response.text());
            }
            return false;
        }
        if let Some(r) = &self.loss {
            if r.is_match(&body) {
                return false;
            }
        }
        after.response.status < 400
            && !extract(&after.request.url, &body)
                .forms
                .iter()
                .any(|f| !f.password_fields.is_empty())
    }
}
