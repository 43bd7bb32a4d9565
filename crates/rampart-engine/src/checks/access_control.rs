//! Access control between two accounts (IDOR): what the second account can read of the first's.
//!
//! Runs only when the plan names a second account ([`crate::plan::Session::other_login`]).
//! The scan crawls as the first account (A). For every crawled GET request that selects an
//! object by an id (a numeric or hex query value or path segment) and that A can open, the
//! check learns what is specific to that object: the words of A's page that are on neither
//! A's nor B's page for another, made-up id. Then it replays A's request as B (its own cookie
//! jar, logged in once per scan) and anonymously. It is a finding when B's answer carries the
//! object's words (at least [`MIN_SHARE`] of them), anonymous visitors get none of them (a
//! public object is nobody's), and B's own copy of the page that links the object does not
//! link it (B is not meant to reach it). Read-only: state-changing requests are never replayed.

use crate::catalogue::module_id;
use crate::client::{Purpose, SendError, Sent};
use crate::crawl::html::extract;
use crate::ctx::{Ctx, Hit};
use crate::events::Level;
use crate::finding::Confidence;
use crate::http::HttpRequest;
use crate::jar::Jar;
use crate::target::{is_id_like, InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, ParameterLocation, Severity};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{LazyLock, Mutex};

pub(crate) const KEY: &str = "access_control";

/// Objects replayed per scan at most (four requests each).
pub(crate) const MAX_OBJECTS: usize = 300;
/// Share of the object's own words B's answer must carry.
pub(crate) const MIN_SHARE: f64 = 0.8;
/// Object words an anonymous answer may carry at most (share) for the object to be private.
const MAX_ANON_SHARE: f64 = 0.2;
/// Fewer object-specific words than this: nothing to recognise the object by.
const MIN_WORDS: usize = 3;

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Broken Access Control Between Users (IDOR)",
        description: "<p>An object of one user (a note, an order, a document selected by its id) opens for another signed-in user who is not meant to see it.</p><p>Runs when the scan configuration names a second account. The scan crawls as the first account; each request that selects an object by an id is replayed as the second account and anonymously. A finding means the second account's answer carries the words specific to the first account's object, anonymous visitors do not get them, and the second account's own pages do not link the object.</p>",
        recommendation: "Check on every request that the signed-in user owns or may access the object the id names (server side, not by hiding links); prefer per-user lookups (WHERE owner = current user) and unguessable ids as defence in depth.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 639,
        wasc: Some(2),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: &[ParameterLocation::Query, ParameterLocation::Path],
        references: &[
            ("CWE-639: Authorization Bypass Through User-Controlled Key", "https://cwe.mitre.org/data/definitions/639.html"),
            ("CWE-284: Improper Access Control", "https://cwe.mitre.org/data/definitions/284.html"),
            ("OWASP WSTG: Testing for Insecure Direct Object References", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/05-Authorization_Testing/04-Testing_for_Insecure_Direct_Object_References"),
            ("OWASP Top 10 2021 A01", "https://owasp.org/Top10/A01_2021-Broken_Access_Control/"),
        ],
        attacks: &[AttackMeta {
            id: "IDOR_01",
            kind: "Object of another user",
            class: "Access Control",
            description: "The first account's object request, replayed as the second account, returns the object's own content while anonymous visitors are refused.",
        }],
    }
}

/// Per-scan state: the second account's session and the objects replayed so far.
#[derive(Default)]
pub(crate) struct Accounts {
    other: tokio::sync::OnceCell<Option<Mutex<Jar>>>,
    objects: AtomicUsize,
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<(script|style)\b.*?</(script|style)\s*>|<[^>]*>")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{L}\p{N}]{4,}").unwrap_or_else(|_| unreachable!("literal regex"))
});

/// The words of a page's visible text (lower case, four characters or more).
fn words(html: &str) -> BTreeSet<String> {
    let text = TAG.replace_all(html, " ");
    WORD.find_iter(&text)
        .map(|m| m.as_str().to_lowercase())
        .collect()
}

/// Share of `markers` found among the words of `html`.
fn share(markers: &BTreeSet<String>, html: &str) -> f64 {
    if markers.is_empty() {
        return 0.0;
    }
    let w = words(html);
    markers.intersection(&w).count() as f64 / markers.len() as f64
}

/// Another value of the same shape as an id, naming no object (almost surely).
fn other_id(v: &str) -> String {
    if let Ok(n) = v.parse::<u64>() {
        return (n.wrapping_mul(31).wrapping_add(987_653) % 1_000_000_000).to_string();
    }
    let fresh = crate::rand_id(v.len().max(1)).to_ascii_lowercase();
    v.chars()
        .zip(fresh.chars().cycle())
        .map(|(c, r)| {
            if c == '-' {
                '-'
            } else if r.is_ascii_hexdigit() {
                r
            } else {
                'a'
            }
        })
        .collect()
}

/// The second account's session, logged in on first use (an event says how it went).
async fn other(ctx: &Ctx) -> Option<&Mutex<Jar>> {
    let cfg = ctx.http.plan().session.other_login.clone()?;
    ctx.accounts
        .other
        .get_or_init(|| async {
            let jar = Mutex::new(Jar::default());
            if crate::session::login_as(&ctx.http, &cfg, &jar).await {
                ctx.http
                    .log(
                        Level::Info,
                        format!("access control: second account {} logged in at {}", cfg.username, cfg.url),
                    )
                    .await;
                Some(jar)
            } else {
                ctx.http
                    .log(
                        Level::Warn,
                        format!("access control: second account {} could not log in at {}; the access-control check does not run", cfg.username, cfg.url),
                    )
                    .await;
                None
            }
        })
        .await
        .as_ref()
}

/// Whether `u` names the same object as `r` (same path and query).
fn same_object(u: &url::Url, r: &url::Url) -> bool {
    let q = |u: &url::Url| {
        let mut v: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        v.sort();
        v
    };
    u.origin() == r.origin() && u.path() == r.path() && q(u) == q(r)
}

/// Replays one object request of the first account as the second one and anonymously.
pub(crate) async fn attack(ctx: &Ctx, r: &Resource, orig: &Sent) -> Result<(), SendError> {
    if r.method != "GET"
        || ctx.http.plan().session.other_login.is_none()
        || !(200..300).contains(&orig.response.status)
    {
        return Ok(());
    }
    let Some(point) = ctx
        .points(KEY, r, Some(orig))
        .into_iter()
        .find(|p| is_id_like(&p.original))
    else {
        return Ok(());
    };
    if ctx.already(KEY, r, Some(&point)).await {
        return Ok(());
    }
    let n = ctx.accounts.objects.fetch_add(1, Relaxed);
    if n >= MAX_OBJECTS {
        if n == MAX_OBJECTS {
            ctx.http
                .log(
                    Level::Warn,
                    format!("access control: budget of {MAX_OBJECTS} object requests reached; {} and later ones not replayed", r.url),
                )
                .await;
        }
        return Ok(());
    }
    let Some(b) = other(ctx).await else {
        return Ok(());
    };
    check_object(ctx, r, orig, &point, b).await
}

async fn check_object(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    point: &InsertionPoint,
    b: &Mutex<Jar>,
) -> Result<(), SendError> {
    // What is specific to this object: on A's page, on neither account's page for another id.
    let missing = r.with_value(point, &other_id(&point.original));
    let a_missing = ctx.send(missing.clone()).await?;
    let b_missing = ctx.http.send_as(missing, Purpose::Attack, b).await?;
    let (a_none, b_none) = (
        words(&a_missing.response.text()),
        words(&b_missing.response.text()),
    );
    let markers: BTreeSet<String> = words(&orig.response.text())
        .into_iter()
        .filter(|w| !a_none.contains(w) && !b_none.contains(w))
        .collect();
    if markers.len() < MIN_WORDS {
        return Ok(());
    }
    let as_b = ctx.http.send_as(r.to_request(), Purpose::Attack, b).await?;
    let b_share = share(&markers, &as_b.response.text());
    if !(200..300).contains(&as_b.response.status) || b_share < MIN_SHARE {
        return Ok(());
    }
    let anon_jar = Mutex::new(Jar::default());
    let anon = ctx
        .http
        .send_as(r.to_request(), Purpose::Attack, &anon_jar)
        .await?;
    if (200..300).contains(&anon.response.status)
        && share(&markers, &anon.response.text()) > MAX_ANON_SHARE
    {
        return Ok(()); // a public object
    }
    // B's own copy of the page that links the object: linked there too means shared by design.
    if let Some(page) = &r.referer {
        let b_page = ctx
            .http
            .send_as(HttpRequest::get(page.clone()), Purpose::Attack, b)
            .await?;
        let links = extract(&b_page.request.url, &b_page.response.text()).links;
        if links.iter().any(|l| same_object(l, &r.url)) {
            return Ok(());
        }
    }
    let sample: Vec<&str> = markers.iter().take(5).map(String::as_str).collect();
    let other_user = ctx
        .http
        .plan()
        .session
        .other_login
        .as_ref()
        .map(|l| l.username.clone())
        .unwrap_or_default();
    ctx.report_point(
        r,
        Some(point),
        Hit {
            module: KEY,
            attack_id: "IDOR_01",
            value: &point.original,
            proof: format!(
                "signed in as the second account ({other_user}), {} {} returns {:.0}% of the {} words specific to the first account's object (e.g. {}); anonymous visitors get {}",
                r.method,
                r.url,
                b_share * 100.0,
                markers.len(),
                sample.join(", "),
                anon.response.status
            ),
            proof_description: "another user's object opens for the second account, which is not linked to it, while anonymous visitors are refused",
            confidence: Confidence::Firm,
            original: Some(orig),
            attack: Some(&as_b),
        },
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_words() {
        let a = "<html><h1>Note</h1><script>var x = 'ignored words';</script><p>Compass, 30 m of rope, water filter</p></html>";
        let w = words(a);
        assert!(w.contains("compass") && w.contains("rope") && w.contains("filter"));
        assert!(!w.contains("ignored") && !w.contains("html"));
        let markers: BTreeSet<String> = ["compass", "rope", "water", "filter"].iter().map(|s| s.to_string()).collect();
        assert_eq!(share(&markers, a), 1.0);
        assert_eq!(share(&markers, "<p>No such note.</p>"), 0.0);
    }

    #[test]
    fn other_ids_keep_the_shape() {
        assert_ne!(other_id("1"), "1");
        assert!(other_id("42").chars().all(|c| c.is_ascii_digit()));
        let u = other_id("3f2a9c1e-0b7d-4c55-9a21-6f3e8d2b1c40");
        assert_eq!(u.len(), 36);
        assert_eq!(u.matches('-').count(), 4);
        assert!(u.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn same_objects() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(same_object(&u("http://a/n/view?id=1&x=2"), &u("http://a/n/view?x=2&id=1")));
        assert!(!same_object(&u("http://a/n/view?id=1"), &u("http://a/n/view?id=2")));
    }
}
