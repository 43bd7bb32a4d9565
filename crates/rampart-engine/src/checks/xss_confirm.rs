//! Browser confirmation of reflected and stored XSS whose HTML-only verdict is uncertain.
//!
//! The HTML verdict parses the response like a browser, so a payload parsed as script that
//! runs by itself on an HTML page is certain. It is uncertain ([`Uncertain`]) when:
//! - the response declares no `Content-Type`: whether it renders as HTML is the browser's
//!   sniffing decision;
//! - the payload's only proofs need the visitor (a mouse or click handler, a `javascript:`
//!   link);
//! - the payload is parsed as script only inside a `<template>` or a `<script>` of a
//!   non-script type (it runs if the page's own script instantiates it), or as a
//!   `javascript:` URL in `<object data>` (browsers differ).
//!
//! The checks keep looking for a certain proof and, when none comes, hand the finding to
//! [`settle`]. With a browser that can confirm it waits here; at the end of the attack phase
//! each is loaded in the browser with its marker function defined (stored ones planted again
//! first): confirmed ones are reported `Confirmed` with the browser's evidence; refuted ones
//! are dropped, or kept `Tentative` when only an interaction was missing. Without a browser,
//! when the browser cannot load the page, or when the attack cannot be carried by a browser
//! navigation (a header or JSON payload), the HTML verdict is reported at the confidence its
//! uncertainty allows ([`Uncertain::confidence`]: `Firm`, or `Tentative` for a dormant
//! payload), and its proof says it was not confirmed in a browser, why, and what is uncertain.

use crate::client::Sent;
use crate::crawl::{BrowserCrawler, BrowserScope, Navigation, XssLoad, XssVerdict};
use crate::ctx::{Ctx, Hit};
use crate::events::Level;
use crate::finding::Confidence;
use crate::http::{HttpRequest, HttpResponse, EVIDENCE_BODY_CAP};
use crate::target::{InsertionPoint, Resource};
use rampart_domain::ParameterLocation;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why the HTML-only verdict is not enough.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Uncertain {
    Sniffed,
    Interaction,
    Dormant,
}

impl Uncertain {
    /// The confidence of an HTML verdict that no browser confirmed: sniffing and an
    /// interaction are what a real visitor's browser does (`Firm`); a dormant payload runs only
    /// if the page's own script or a rare browser wakes it (`Tentative`).
    pub(crate) fn confidence(self) -> Confidence {
        match self {
            Uncertain::Sniffed | Uncertain::Interaction => Confidence::Firm,
            Uncertain::Dormant => Confidence::Tentative,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Uncertain::Sniffed => "the response declares no Content-Type, so rendering it as HTML is the browser's sniffing decision",
            Uncertain::Interaction => "the payload runs only when the visitor acts on an element (mouse, focus, click)",
            Uncertain::Dormant => "the payload sits where only the page's own script or some browsers run it (a <template>, a non-script <script> type, <object data>)",
        }
    }
}

/// The uncertainty of a response that proves `marker` (`None`: certain, or no proof).
pub(crate) fn uncertainty(resp: &HttpResponse, marker: &str) -> Option<Uncertain> {
    use super::xss_reflected::{proof, Runs};
    match proof(&resp.text(), marker)? {
        Runs::Dormant => Some(Uncertain::Dormant),
        Runs::OnInteraction => Some(Uncertain::Interaction),
        Runs::Always if resp.content_type().is_empty() => Some(Uncertain::Sniffed),
        Runs::Always => None,
    }
}

/// The browser navigation that sends the same attack: a GET, or a form-encoded POST, with
/// the payload in the URL or the body (a payload in a header or cookie cannot be carried).
pub(crate) fn navigation(req: &HttpRequest, p: &InsertionPoint) -> Option<Navigation> {
    use ParameterLocation as L;
    if !matches!(p.location, L::Query | L::Path | L::Post) {
        return None;
    }
    match req.method.as_str() {
        "GET" if p.location != L::Post => Some(Navigation::Get(req.url.clone())),
        "POST" => {
            let form = req.header("content-type").is_some_and(|c| {
                c.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
            form.then(|| Navigation::PostForm {
                url: req.url.clone(),
                fields: url::form_urlencoded::parse(req.body.as_deref().unwrap_or_default())
                    .into_owned()
                    .collect(),
            })
        }
        _ => None,
    }
}

/// One payload the browser may load.
pub(crate) struct Try {
    pub attack_id: &'static str,
    pub payload: String,
    pub marker: String,
    /// The exchange that proved it in HTML.
    pub attack: Sent,
    /// Stored XSS: the request that plants the payload again before the page is loaded.
    pub replant: Option<HttpRequest>,
    /// How the browser repeats the attack; `None` when it cannot (a header, a JSON body).
    pub navigation: Option<Navigation>,
    pub why: Uncertain,
}

/// A finding waiting for the browser: what the check would have reported, and its tries
/// (the first is the HTML verdict's).
pub(crate) struct Pending {
    pub module: &'static str,
    pub resource: Resource,
    pub point: InsertionPoint,
    pub proof: String,
    pub proof_description: &'static str,
    pub original: Option<Sent>,
    pub tries: Vec<Try>,
}

/// Payloads kept per finding for the browser.
pub(crate) const MAX_TRIES: usize = 3;

/// Findings held at most (memory bound); beyond, they are reported with the HTML verdict.
const MAX_PENDING: usize = 500;

/// The scan's confirmations: its browser (when it can confirm) and the findings waiting.
pub(crate) struct Confirmations {
    browser: Option<Arc<dyn BrowserCrawler>>,
    pending: Mutex<Vec<Pending>>,
}

fn cut(mut s: Sent) -> Sent {
    s.response.body.truncate(EVIDENCE_BODY_CAP);
    s
}

impl Confirmations {
    pub fn new(browser: Option<Arc<dyn BrowserCrawler>>) -> Self {
        Self {
            browser: browser.filter(|b| b.can_confirm()),
            pending: Mutex::new(Vec::new()),
        }
    }

    /// Whether uncertain findings wait for the browser in this scan.
    pub fn active(&self) -> bool {
        self.browser.is_some()
    }

    /// Keeps `p` for the browser; `Err` (with `p`) when full: report it now.
    fn defer(&self, mut p: Pending) -> Result<(), Box<Pending>> {
        let Ok(mut v) = self.pending.lock() else {
            return Err(Box::new(p));
        };
        if v.len() >= MAX_PENDING {
            return Err(Box::new(p));
        }
        p.original = p.original.map(cut);
        for t in &mut p.tries {
            t.attack.response.body.truncate(EVIDENCE_BODY_CAP);
        }
        v.push(p);
        Ok(())
    }
}

/// What happens to an uncertain finding once its check found no certain proof: it waits for
/// the scan's browser, or, when the browser cannot help, is reported with the HTML verdict.
pub(crate) async fn settle(ctx: &Ctx, p: Pending) {
    if !p.tries.iter().any(|t| t.navigation.is_some()) {
        return report_html(
            ctx,
            &p,
            "a browser navigation cannot carry this attack (a header, cookie or JSON payload)",
        )
        .await;
    }
    if !ctx.xss_confirm.active() {
        return report_html(ctx, &p, "no browser in this scan").await;
    }
    if let Err(p) = ctx.xss_confirm.defer(p) {
        report_html(
            ctx,
            &p,
            &format!("more than {MAX_PENDING} findings were waiting for the browser"),
        )
        .await;
    }
}

/// Reports `p` with the HTML-only verdict: the payload and exchange of its most likely try
/// (the first of the highest confidence), at the confidence its uncertainty allows, saying
/// why no browser confirmed it.
async fn report_html(ctx: &Ctx, p: &Pending, why_not: &str) {
    let mut best: Option<&Try> = None;
    for t in &p.tries {
        if best.is_none_or(|b| t.why.confidence() > b.why.confidence()) {
            best = Some(t);
        }
    }
    let Some(t) = best else { return };
    ctx.report_point(
        &p.resource,
        Some(&p.point),
        Hit {
            module: p.module,
            attack_id: t.attack_id,
            value: &t.payload,
            proof: format!(
                "{}; not confirmed in a browser ({why_not}), and the HTML verdict is uncertain: {}",
                p.proof,
                t.why.describe()
            ),
            proof_description: p.proof_description,
            confidence: t.why.confidence(),
            original: p.original.as_ref(),
            attack: Some(&t.attack),
        },
    )
    .await;
}

/// Loads every waiting finding in the browser and reports it by the verdict.
pub(crate) async fn finish(ctx: &Ctx) {
    let pending = ctx
        .xss_confirm
        .pending
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default();
    if pending.is_empty() {
        return;
    }
    let Some(browser) = ctx.xss_confirm.browser.clone() else {
        return;
    };
    let started = Instant::now();
    let requests_before = ctx.http.counters.requests.load(Relaxed);
    let mut unavailable = String::new();
    let mut confirmer = match browser
        .confirmer(&BrowserScope::new(ctx.http.clone()))
        .await
    {
        Ok(c) => Some(c),
        Err(e) => {
            unavailable = format!("the browser did not start: {e}");
            ctx.http
                .log(
                    Level::Warn,
                    format!(
                        "browser confirmation of cross-site scripting unavailable ({e}): {} finding(s) keep their HTML verdict",
                        pending.len()
                    ),
                )
                .await;
            None
        }
    };
    let (mut confirmed, mut downgraded, mut kept, mut loads) = (0usize, 0usize, 0usize, 0usize);
    let mut dropped: Vec<String> = Vec::new();
    for p in &pending {
        let Some(c) = confirmer.as_mut().filter(|_| !ctx.http.control.halted()) else {
            let why = if unavailable.is_empty() {
                "the scan was stopped before the browser loaded it"
            } else {
                unavailable.as_str()
            };
            report_html(ctx, p, why).await;
            kept += 1;
            continue;
        };
        let mut verdict: Option<(usize, XssVerdict)> = None;
        for (i, t) in p.tries.iter().enumerate() {
            let Some(navigation) = &t.navigation else {
                continue;
            };
            if let Some(r) = &t.replant {
                if ctx.send(r.clone()).await.is_err() {
                    continue;
                }
            }
            let load = XssLoad {
                navigation: navigation.clone(),
                marker: t.marker.clone(),
                interact: t.why == Uncertain::Interaction,
            };
            loads += 1;
            let v = c.load(&load).await;
            let ran = matches!(v, XssVerdict::Ran { .. });
            // A refutation outweighs a failed load of another payload.
            if ran || verdict.is_none() || matches!(v, XssVerdict::Quiet { .. }) {
                verdict = Some((i, v));
            }
            if ran {
                break;
            }
        }
        match verdict {
            Some((i, XssVerdict::Ran { url, by, stack })) => {
                let t = &p.tries[i];
                ctx.report_point(&p.resource, Some(&p.point), Hit {
                    module: p.module,
                    attack_id: t.attack_id,
                    value: &t.payload,
                    proof: format!(
                        "{}() ran in Chromium on {url} ({by}) after {}; the HTML-only verdict was uncertain: {}; stack:\n{stack}",
                        t.marker,
                        t.navigation.as_ref().map(ToString::to_string).unwrap_or_default(),
                        t.why.describe()
                    ),
                    proof_description: "the payload called the engine's unique function in a real browser",
                    confidence: Confidence::Confirmed,
                    original: p.original.as_ref(),
                    attack: Some(&t.attack),
                })
                .await;
                confirmed += 1;
            }
            Some((i, XssVerdict::Quiet { url })) => {
                let t = &p.tries[i];
                if t.why == Uncertain::Interaction {
                    ctx.report_point(&p.resource, Some(&p.point), Hit {
                        module: p.module,
                        attack_id: t.attack_id,
                        value: &t.payload,
                        proof: format!(
                            "{}; in Chromium ({url}) moving the mouse over, focusing and clicking the elements that carry {}() did not run it",
                            p.proof, t.marker
                        ),
                        proof_description: "the payload is parsed as script that needs an interaction the browser could not make",
                        confidence: Confidence::Tentative,
                        original: p.original.as_ref(),
                        attack: Some(&t.attack),
                    })
                    .await;
                    downgraded += 1;
                } else {
                    let mut page = p.resource.url.clone();
                    page.set_query(None);
                    dropped.push(format!(
                        "{} {page} {} ({})",
                        p.module,
                        p.point.name,
                        t.why.describe()
                    ));
                }
            }
            Some((_, XssVerdict::Failed(e))) => {
                report_html(ctx, p, &format!("Chromium could not load the page: {e}")).await;
                kept += 1;
            }
            None => {
                report_html(
                    ctx,
                    p,
                    "the payload could not be planted again before the browser loaded the page",
                )
                .await;
                kept += 1;
            }
        }
    }
    if let Some(c) = confirmer {
        c.close().await;
    }
    let requests = ctx
        .http
        .counters
        .requests
        .load(Relaxed)
        .saturating_sub(requests_before);
    ctx.http
        .log(
            Level::Info,
            format!(
                "browser confirmation of uncertain cross-site scripting: {} finding(s), {confirmed} confirmed, {} refuted and dropped, {downgraded} kept as tentative (interaction not reproduced), {kept} kept with the HTML verdict; {loads} page load(s), {requests} request(s), {} ms{}",
                pending.len(),
                dropped.len(),
                started.elapsed().as_millis(),
                if dropped.is_empty() {
                    String::new()
                } else {
                    format!("; dropped: {}", dropped.join("; "))
                }
            ),
        )
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::common::recorded;

    /// (case, response headers, body, the verdict's uncertainty)
    type Row<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a str,
        Option<Uncertain>,
    );

    #[test]
    fn what_makes_the_html_verdict_uncertain() {
        let html = [("content-type", "text/html")];
        let table: &[Row] = &[
            (
                "script on an html page",
                &html,
                "<script>rmx1()</script>",
                None,
            ),
            ("svg onload", &html, "<p><svg onload=rmx1()></p>", None),
            (
                "autofocused input",
                &html,
                "<input autofocus onfocus=rmx1()>",
                None,
            ),
            (
                "javascript: frame",
                &html,
                "<iframe src=\"javascript:rmx1()\"></iframe>",
                None,
            ),
            (
                "no content type",
                &[],
                "<p><svg onload=rmx1()></p>",
                Some(Uncertain::Sniffed),
            ),
            (
                "mouse handler",
                &html,
                "<input value=\"\" onmouseover=\"rmx1()\" x=\"\">",
                Some(Uncertain::Interaction),
            ),
            (
                "autofocus on a div",
                &html,
                "<div autofocus onfocus=rmx1()>",
                Some(Uncertain::Interaction),
            ),
            (
                "javascript: link",
                &html,
                "<a href=\"javascript:rmx1()\">x</a>",
                Some(Uncertain::Interaction),
            ),
            (
                "template",
                &html,
                "<template><img src=x onerror=rmx1()></template>",
                Some(Uncertain::Dormant),
            ),
            (
                "script template",
                &html,
                "<script type=\"text/x-template\"><svg onload=rmx1()></script>",
                Some(Uncertain::Dormant),
            ),
            (
                "object data",
                &html,
                "<object data=\"javascript:rmx1()\"></object>",
                Some(Uncertain::Dormant),
            ),
            (
                "certain beats dormant",
                &html,
                "<template><svg onload=rmx1()></template><svg onload=rmx1()>",
                None,
            ),
            (
                "param handler is no proof",
                &html,
                "<object><param name=\"movie\" value=\"\" onmouseover=\"rmx1()\"></object>",
                None,
            ),
        ];
        for (name, headers, body, want) in table {
            assert_eq!(
                uncertainty(&recorded(200, headers, body), "rmx1"),
                *want,
                "{name}"
            );
        }
        assert!(!super::super::xss_reflected::proven(
            "<object><param name=\"movie\" value=\"\" onmouseover=\"rmx1()\"></object>",
            "rmx1"
        ));
    }

    #[test]
    fn the_browser_repeats_the_attack_it_can_carry() {
        let url = url::Url::parse("http://a.example/s?q=%3Csvg%3E").unwrap();
        let get = HttpRequest::get(url.clone());
        let q = InsertionPoint::for_test("q", "");
        assert_eq!(navigation(&get, &q), Some(Navigation::Get(url.clone())));
        let mut post = HttpRequest {
            method: "POST".into(),
            body: Some(b"message=%3Csvg%3E&name=a".to_vec()),
            ..HttpRequest::get(url.clone())
        };
        post.set_header("Content-Type", "application/x-www-form-urlencoded");
        let mut m = InsertionPoint::for_test("message", "");
        m.location = ParameterLocation::Post;
        assert_eq!(
            navigation(&post, &m),
            Some(Navigation::PostForm {
                url: url.clone(),
                fields: vec![
                    ("message".into(), "<svg>".into()),
                    ("name".into(), "a".into())
                ],
            })
        );
        post.set_header("Content-Type", "application/json");
        assert_eq!(navigation(&post, &m), None, "a JSON body is no navigation");
        let mut h = InsertionPoint::for_test("User-Agent", "");
        h.location = ParameterLocation::HttpHeader;
        assert_eq!(
            navigation(&get, &h),
            None,
            "a header payload is not carried"
        );
    }
}
