//! The shared state of one scan that checks and the crawler work with.

use crate::client::{Http, Purpose, SendError, Sent};
use crate::finding::{Confidence, Exchange, Recorded, Report, Variance};
use crate::http::HttpRequest;
use crate::oob::Oob;
use crate::session::SessionKeeper;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::ParameterLocation;
use std::sync::Arc;

/// An out-of-band probe whose callback may arrive later.
pub(crate) struct PendingOob {
    pub module: &'static str,
    pub attack_id: &'static str,
    pub token: String,
    pub resource: Resource,
    pub point: Option<InsertionPoint>,
    pub value: String,
    pub attack: Sent,
}

/// Parameter names of anti-CSRF tokens and view state.
pub(crate) static TOKENISH: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)^(csrf.*|.*_csrf|xsrf.*|.*token|nonce|__viewstate.*|__eventvalidation|authenticity_token)$")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// Cookie names that look like a session or auth cookie.
pub(crate) static SESSIONISH: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)(sess|^sid$|auth|token|jwt)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// Pending probes kept at most (memory bound).
const MAX_PENDING: usize = 5_000;

pub(crate) struct Ctx {
    pub pending: std::sync::Mutex<Vec<PendingOob>>,
    pub http: Arc<Http>,
    pub oob: Option<Arc<Oob>>,
    pub session: Arc<SessionKeeper>,
    pub canaries: Arc<crate::checks::xss_stored::Canaries>,
    pub soft404: crate::crawl::soft404::Soft404,
    /// Requests left for copy, numbered and archive probes (scaled in the attack phase).
    pub backups: crate::checks::sensitive_files::BackupBudget,
    /// Login forms tried for default credentials so far.
    pub weak_logins: crate::checks::weak_credentials::FormBudget,
    /// The second account of the access-control check.
    pub accounts: crate::checks::access_control::Accounts,
    /// Cookies of the session attacked on pages other than the one that set them.
    pub cookie_pages: CookiePages,
    /// Reflected and stored XSS waiting for the browser's confirmation.
    pub xss_confirm: crate::checks::xss_confirm::Confirmations,
}

/// Where the cookies of the session (those a page does not set itself) are attacked: on the
/// pages whose answer changes with the cookie's value, at most [`MAX_COOKIE_PAGES`] per cookie
/// name, the rest counted and reported.
#[derive(Default)]
pub(crate) struct CookiePages {
    /// Page key → the cookies it depends on (admitted for attack).
    uses: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
    /// Cookie name → (pages admitted, pages left out).
    counts: std::sync::Mutex<std::collections::BTreeMap<String, (usize, usize)>>,
}

/// Distinct pages per cookie name on which a session-wide cookie is attacked.
pub(crate) const MAX_COOKIE_PAGES: usize = 50;

/// The key of a page for the cookie budget: method, origin and path.
pub(crate) fn cookie_page_key(r: &Resource) -> String {
    format!(
        "{} {}{}",
        r.method,
        r.url.origin().ascii_serialization(),
        r.url.path()
    )
}

impl CookiePages {
    /// Records that page `page` depends on `cookie`; `false` when the cookie's budget is spent.
    pub fn admit(&self, cookie: &str, page: &str) -> bool {
        let (Ok(mut counts), Ok(mut uses)) = (self.counts.lock(), self.uses.lock()) else {
            return false;
        };
        let list = uses.entry(page.to_string()).or_default();
        if list.iter().any(|c| c == cookie) {
            return true;
        }
        let c = counts.entry(cookie.to_string()).or_default();
        if c.0 >= MAX_COOKIE_PAGES {
            c.1 += 1;
            return false;
        }
        c.0 += 1;
        list.push(cookie.to_string());
        true
    }

    /// Whether `cookie` is attacked on `page`.
    fn admitted(&self, cookie: &str, page: &str) -> bool {
        self.uses
            .lock()
            .is_ok_and(|u| u.get(page).is_some_and(|l| l.iter().any(|c| c == cookie)))
    }

    /// `name: N page(s)` for every cookie attacked beyond the pages that set it.
    pub fn summary(&self) -> Vec<String> {
        self.counts
            .lock()
            .map(|c| {
                c.iter()
                    .map(|(n, (a, _))| format!("{n} on {a} page(s)"))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `name (attacked on N of M pages that depend on it)` for every cookie that had pages
    /// left out.
    pub fn left_out(&self) -> Vec<String> {
        self.counts
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|(_, (_, skipped))| *skipped > 0)
                    .map(|(n, (a, s))| {
                        format!("{n} (attacked on {a} of {} pages that depend on it)", a + s)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What a check found, before it becomes a report.
pub(crate) struct Hit<'a> {
    pub module: &'static str,
    pub attack_id: &'static str,
    pub value: &'a str,
    pub proof: String,
    pub proof_description: &'a str,
    pub confidence: Confidence,
    pub original: Option<&'a Sent>,
    pub attack: Option<&'a Sent>,
}

impl Ctx {
    /// Sends an attack request; when the response shows a lost session (also behind a
    /// redirect), logs in again and resends it once.
    pub async fn send(&self, req: HttpRequest) -> Result<Sent, SendError> {
        let sent = self.http.send(req.clone(), Purpose::Attack).await?;
        if self.session.lost_after(&self.http, &sent).await
            && self
                .session
                .relogin(
                    &self.http,
                    &format!("the answer to {} {}", req.method, req.url),
                )
                .await
        {
            return self.http.send(req, Purpose::Attack).await;
        }
        Ok(sent)
    }

    /// The cookies worth attacking on `r` (never the session cookie, which would log the
    /// scan out), with the values the engine holds: those its own response sets, and the
    /// other cookies of the session that a browser sends to it (a preference or a user id
    /// set at login or on another page), the latter on a bounded number of pages per cookie.
    pub fn cookies_for(&self, r: &Resource, orig: Option<&Sent>) -> Vec<(String, String)> {
        let Some(orig) = orig else { return Vec::new() };
        let jar = self
            .http
            .jar
            .lock()
            .map(|j| j.for_url(&r.url))
            .unwrap_or_default();
        let mut out: Vec<(String, String)> = orig
            .response
            .headers_named("set-cookie")
            .filter_map(|c| c.split(['=', ';']).next().map(|n| n.trim().to_string()))
            .filter(|n| !SESSIONISH.is_match(n))
            .map(|n| {
                let v = jar.get(&n).cloned().unwrap_or_default();
                (n, v)
            })
            .collect();
        let page = cookie_page_key(r);
        for (n, v) in &jar {
            if out.iter().any(|(o, _)| o == n) {
                continue;
            }
            if self.cookie_pages.admitted(n, &page) {
                out.push((n.clone(), v.clone()));
            }
        }
        out
    }

    /// The cookies of the session, other than the session cookie and those `orig` sets,
    /// that `r`'s answer depends on: each is sent once with another value, and the page
    /// depends on it when the status changes or the body is no longer nearly the same.
    /// Those become insertion points of `r` ([`Ctx::cookies_for`]).
    pub async fn learn_cookie_uses(&self, r: &Resource, orig: &Sent) {
        if !matches!(r.method.as_str(), "GET" | "POST") {
            return;
        }
        let set_here: Vec<String> = orig
            .response
            .headers_named("set-cookie")
            .filter_map(|c| c.split(['=', ';']).next().map(|n| n.trim().to_string()))
            .collect();
        let jar = self
            .http
            .jar
            .lock()
            .map(|j| j.for_url(&r.url))
            .unwrap_or_default();
        let page = cookie_page_key(r);
        let mut again: Option<String> = None;
        for name in jar.keys() {
            if SESSIONISH.is_match(name) || set_here.contains(name) {
                continue;
            }
            let other = format!("rmp{}", crate::rand_id(6));
            let mut req = r.to_request();
            req.set_header("Cookie", format!("{name}={other}"));
            let Ok(sent) = self.http.send(req, Purpose::Attack).await else {
                continue;
            };
            // Compared whole: a page that only shows the cookie uses it too.
            let before = orig.response.text();
            let after = sent.response.text();
            let depends = if sent.response.status != orig.response.status {
                true
            } else if before == after {
                false
            } else {
                // The page changed: by the cookie, or because it changes by itself (a
                // counter, a token)? The original request once more tells.
                if again.is_none() {
                    again = self
                        .http
                        .send(r.to_request(), Purpose::Attack)
                        .await
                        .ok()
                        .map(|s| s.response.text());
                }
                match &again {
                    Some(a) if *a == before => true,
                    Some(a) => {
                        let noise = crate::similarity::similarity(&before, a);
                        crate::similarity::similarity(&before, &after) < noise - 0.02
                    }
                    None => false,
                }
            };
            if depends {
                self.cookie_pages.admit(name, &page);
            }
        }
    }

    /// Insertion points of `r` that `module` may attack.
    pub fn points(&self, module: &str, r: &Resource, orig: Option<&Sent>) -> Vec<InsertionPoint> {
        let plan = self.http.plan();
        let settings = plan.modules.settings(module);
        let defaults = crate::catalogue::module(module)
            .map(|m| m.parameter_locations)
            .unwrap_or(&[]);
        let locs: Vec<ParameterLocation> = settings
            .locations
            .unwrap_or_else(|| plan.modules.locations.clone())
            .into_iter()
            .filter(|l| defaults.contains(l))
            .collect();
        let cookies = self.cookies_for(r, orig);
        // Anti-CSRF tokens and view state are not inputs: changing them only breaks the form.
        r.points(&locs, &cookies)
            .into_iter()
            .filter(|p| !TOKENISH.is_match(&p.name))
            .collect()
    }

    /// Reports a finding on a parameter of a resource.
    pub async fn report_point(
        &self,
        r: &Resource,
        p: Option<&InsertionPoint>,
        hit: Hit<'_>,
    ) -> Recorded {
        let url = hit
            .attack
            .map(|s| s.request.url.clone())
            .unwrap_or_else(|| r.url.clone());
        let rep = Report {
            module: hit.module,
            url: r.url.clone(),
            method: r.method.clone(),
            parameter: p.map(|p| p.name.clone()).unwrap_or_default(),
            location: p.map(|p| p.location),
            cwe: None,
            variance: Variance {
                url: url.to_string(),
                attack_id: hit.attack_id.to_string(),
                attack_value: hit.value.to_string(),
                proof: hit.proof,
                proof_description: hit.proof_description.to_string(),
                confidence: hit.confidence,
                original: hit.original.map(|s| Exchange::of(&s.request, &s.response)),
                attack: hit.attack.map(|s| Exchange::of(&s.request, &s.response)),
            },
        };
        self.http.sink.record(rep).await
    }

    pub async fn already(&self, module: &str, r: &Resource, p: Option<&InsertionPoint>) -> bool {
        self.http
            .sink
            .has(
                module,
                &r.url,
                p.map(|p| p.name.as_str()).unwrap_or(""),
                &r.method,
            )
            .await
    }
}

impl Ctx {
    /// Remembers a probe; its evidence body is cut to keep memory bounded.
    pub fn defer_oob(&self, mut p: PendingOob) {
        p.attack
            .response
            .body
            .truncate(crate::http::EVIDENCE_BODY_CAP);
        if let Ok(mut v) = self.pending.lock() {
            if v.len() < MAX_PENDING {
                v.push(p);
            }
        }
    }
}

/// Waits briefly for late callbacks, then reports every probe that got one.
pub(crate) async fn finish_oob(ctx: &Ctx) {
    let Some(oob) = ctx.oob.clone() else { return };
    let pending = ctx
        .pending
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default();
    if pending.is_empty() {
        return;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let all = pending.iter().all(|p| oob.callback(&p.token).is_some());
        if all || std::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for p in pending {
        let Some(cb) = oob.callback(&p.token) else {
            continue;
        };
        ctx.report_point(
            &p.resource,
            p.point.as_ref(),
            Hit {
                module: p.module,
                attack_id: p.attack_id,
                value: &p.value,
                proof: format!("callback from {}: {}", cb.peer, cb.request_line),
                proof_description:
                    "the server requested the engine's out-of-band URL carrying this scan's token",
                confidence: Confidence::Confirmed,
                original: None,
                attack: Some(&p.attack),
            },
        )
        .await;
    }
}
