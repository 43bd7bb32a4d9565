//! Default and weak credentials on discovered login forms.
//!
//! Each login form (a crawled form with a password field) is first submitted twice with a
//! random user and password: the known-bad answer. Then the pairs of
//! `signatures/default-credentials.txt` are tried, each from a fresh cookie jar (never the
//! scan's session). A pair logs in when its answer differs from the known-bad one in at least
//! two ways, one of them strong: it lands on a different page or the password form is gone;
//! the others are a session cookie the bad login did not get and a logout link. A hit is
//! confirmed by a third bad login (still refused) and the same pair again (still accepted).
//!
//! Lockout awareness: a 429, or a page saying the account is locked, there were too many
//! attempts, or showing a captcha, stops the form at once (an event says so); a form that shows
//! one before any guess is not tried. Budget: at most [`MAX_FORMS`] forms per scan, each at most
//! 3 known-bad + the list + 1 attempts. The form the scan itself logs in with (the
//! configured form login) is never tried: its account is the user's, and guesses there would
//! only risk locking the scan out. Evidence shows the username and never the password.

use crate::catalogue::{locs, module_id};
use crate::client::{Purpose, SendError, Sent};
use crate::crawl::html::{extract, Form};
use crate::ctx::{Ctx, Hit};
use crate::events::Level;
use crate::finding::Confidence;
use crate::http::HttpRequest;
use crate::jar::Jar;
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{LazyLock, Mutex};
use url::Url;

pub(crate) const KEY: &str = "weak_credentials";

/// Login forms tried per scan at most.
pub(crate) const MAX_FORMS: usize = 10;

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Default or Weak Credentials",
        description: "<p>A login form accepts a factory-default or trivial username and password (such as admin/admin).</p><p>The engine tries a short documented list of pairs on each discovered login form, from a fresh session, and judges a login by how the answer differs from a known-bad login: another landing page or the form gone, plus a new session cookie or a logout link. It stops on lockout, captcha or 429 signals and never tries the form the scan logs in with. The evidence names the username; the password stays redacted.</p>",
        recommendation: "Change every default password before deployment, enforce a password policy that refuses common passwords, and rate-limit or lock repeated failed logins.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 1392,
        wasc: Some(15),
        owasp_2021: "A07:2021-Identification and Authentication Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-1392: Use of Default Credentials", "https://cwe.mitre.org/data/definitions/1392.html"),
            ("CWE-521: Weak Password Requirements", "https://cwe.mitre.org/data/definitions/521.html"),
            ("OWASP WSTG: Testing for Default Credentials", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/04-Authentication_Testing/02-Testing_for_Default_Credentials"),
            ("OWASP Top 10 2021 A07", "https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/"),
        ],
        attacks: &[AttackMeta {
            id: "WEAKCRED_01",
            kind: "Default credentials",
            class: "Authentication",
            description: "A pair from the default-credentials list logs in: the answer differs from a known-bad login (landing page or form gone, plus a new session cookie or a logout link), confirmed once more.",
        }],
    }
}

/// The documented list: (username, password).
static CREDENTIALS: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    parse_list(include_str!("../../signatures/default-credentials.txt"))
});

fn parse_list(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .collect()
}

static LOCKOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(too many (failed |unsuccessful |invalid )?(login |sign[- ]?in |logon )?(attempts|tries|requests)|(account|user) (is |has been )?(temporarily )?(locked|blocked|disabled)|locked out|try again (later|in \d)|captcha)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

static LOGOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(log ?out|sign ?out|log ?off|sign ?off|abmelden|d[ée]connexion)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

static USER_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(user|login|email|e-mail|mail|account|name|uid|ident)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// Per-scan state: login forms tried so far.
#[derive(Default)]
pub(crate) struct FormBudget(AtomicUsize);

/// What one login attempt showed.
struct Attempt {
    /// The last answer (after redirects).
    sent: Sent,
    /// Cookie names the fresh jar holds for the landing page.
    cookies: BTreeSet<String>,
    /// The landing page still has a password form.
    form: bool,
    logout: bool,
    /// A lockout, too-many-attempts or captcha signal, with the status.
    locked: Option<String>,
    user_field: String,
}

impl Attempt {
    fn landing(&self) -> &str {
        self.sent.request.url.path()
    }
}

/// The lockout signal of a response, if any.
fn lockout(status: u16, text: &str) -> Option<String> {
    if status == 429 {
        return Some("429 Too Many Requests".into());
    }
    LOCKOUT.find(text).map(|m| format!("\"{}\"", m.as_str()))
}

/// The username field of a login form: a text field whose name says so, else the first one.
fn user_field(form: &Form) -> Option<String> {
    form.text_fields
        .iter()
        .find(|n| USER_FIELD.is_match(n))
        .or_else(|| form.text_fields.first())
        .cloned()
}

/// Whether this is the form the scan logs in with (its page or its action is the configured
/// login URL).
pub(crate) fn own_login(ctx: &Ctx, r: &Resource) -> bool {
    let Some(login) = &ctx.http.plan().session.login else {
        return false;
    };
    let same = |u: &Url| u.origin() == login.url.origin() && u.path() == login.url.path();
    same(&r.url) || r.referer.as_ref().is_some_and(same)
}

/// Fetches the form's page from a fresh jar, fills in `user` and `pass` and submits it.
async fn attempt(
    ctx: &Ctx,
    r: &Resource,
    page: &Url,
    user: &str,
    pass: &str,
) -> Result<Option<Attempt>, SendError> {
    let jar = Mutex::new(Jar::default());
    let (shown, _) = ctx
        .http
        .send_follow_as(HttpRequest::get(page.clone()), Purpose::Attack, &jar)
        .await?;
    let text = shown.response.text();
    if let Some(why) = lockout(shown.response.status, &text) {
        return Ok(Some(Attempt {
            sent: shown,
            cookies: BTreeSet::new(),
            form: true,
            logout: false,
            locked: Some(why),
            user_field: String::new(),
        }));
    }
    let ex = extract(&shown.request.url, &text);
    let Some(form) = ex
        .forms
        .iter()
        .find(|f| !f.password_fields.is_empty() && f.action.path() == r.url.path())
    else {
        return Ok(None);
    };
    let Some(uf) = user_field(form) else {
        return Ok(None);
    };
    let mut form = form.clone();
    for (k, v) in form.fields.iter_mut() {
        if form.password_fields.contains(k) {
            *v = pass.to_string();
        } else if *k == uf {
            *v = user.to_string();
        }
    }
    let req = form.resource(&shown.request.url, 0).to_request();
    let (after, _) = ctx.http.send_follow_as(req, Purpose::Attack, &jar).await?;
    let body = after.response.text();
    let cookies = jar
        .lock()
        .map(|j| j.for_url(&after.request.url).into_keys().collect())
        .unwrap_or_default();
    let landed = extract(&after.request.url, &body);
    Ok(Some(Attempt {
        cookies,
        form: landed.forms.iter().any(|f| !f.password_fields.is_empty()),
        logout: LOGOUT.is_match(&body),
        locked: lockout(after.response.status, &body),
        sent: after,
        user_field: uf,
    }))
}

/// How `c` differs from the two known-bad attempts, when it is a login: the reasons.
fn logged_in(bad: [&Attempt; 2], c: &Attempt) -> Option<Vec<String>> {
    let [b1, b2] = bad;
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    if b1.landing() == b2.landing() && c.landing() != b1.landing() {
        strong.push(format!(
            "it lands on {} where a bad login lands on {}",
            c.landing(),
            b1.landing()
        ));
    }
    if b1.form && b2.form && !c.form {
        strong.push("the password form is gone".to_string());
    }
    let new: Vec<&String> = c.cookies.difference(&b1.cookies).collect();
    if b1.cookies == b2.cookies && !new.is_empty() {
        let names: Vec<&str> = new.iter().map(|s| s.as_str()).collect();
        weak.push(format!("cookie {} is set", names.join(", ")));
    }
    if c.logout && !b1.logout && !b2.logout {
        weak.push("a logout link appears".to_string());
    }
    if strong.is_empty() || strong.len() + weak.len() < 2 {
        return None;
    }
    strong.extend(weak);
    Some(strong)
}

/// The request with every value but the username's (`keep`) replaced, in the query and in a
/// form body: the password never shows, whatever its field is called.
fn redacted(req: &HttpRequest, keep: &str) -> HttpRequest {
    let hide = |pairs: Vec<(String, String)>| -> Vec<(String, String)> {
        pairs
            .into_iter()
            .map(|(k, v)| {
                if k == keep {
                    (k, v)
                } else {
                    (k, "[redacted]".to_string())
                }
            })
            .collect()
    };
    let mut out = req.clone();
    if out.url.query().is_some() {
        let pairs = hide(out.url.query_pairs().into_owned().collect());
        out.url.query_pairs_mut().clear().extend_pairs(&pairs);
    }
    let form_body = req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if let (true, Some(b)) = (form_body, &req.body) {
        let pairs = hide(url::form_urlencoded::parse(b).into_owned().collect());
        out.body = Some(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish()
                .into_bytes(),
        );
    }
    out
}

async fn stop(ctx: &Ctx, r: &Resource, why: &str, tried: usize) {
    ctx.http
        .log(
            Level::Warn,
            format!(
                "weak credentials: login form {} stopped after {tried} guess(es): lockout signal {why}",
                r.url
            ),
        )
        .await;
}

/// Tries the default-credentials list on one login form.
pub(crate) async fn attack(ctx: &Ctx, r: &Resource, _orig: &Sent) -> Result<(), SendError> {
    if !r.form || !r.has_password || ctx.already(KEY, r, None).await || own_login(ctx, r) {
        return Ok(());
    }
    let Some(page) = r.referer.clone() else {
        return Ok(());
    };
    let n = ctx.weak_logins.0.fetch_add(1, Relaxed);
    if n >= MAX_FORMS {
        if n == MAX_FORMS {
            ctx.http
                .log(
                    Level::Warn,
                    format!("weak credentials: budget of {MAX_FORMS} login forms reached; {} and later login forms not tried", r.url),
                )
                .await;
        }
        return Ok(());
    }
    let bogus = || (format!("rq{}", crate::rand_id(8)), crate::rand_id(14));
    let mut bad = Vec::new();
    for _ in 0..2 {
        let (u, p) = bogus();
        let Some(a) = attempt(ctx, r, &page, &u, &p).await? else {
            return Ok(());
        };
        if let Some(why) = &a.locked {
            stop(ctx, r, why, 0).await;
            return Ok(());
        }
        bad.push(a);
    }
    let (b1, b2) = (&bad[0], &bad[1]);
    for (i, (user, pass)) in CREDENTIALS.iter().enumerate() {
        let Some(c) = attempt(ctx, r, &page, user, pass).await? else {
            return Ok(());
        };
        if let Some(why) = &c.locked {
            stop(ctx, r, why, i + 1).await;
            return Ok(());
        }
        let Some(reasons) = logged_in([b1, b2], &c) else {
            continue;
        };
        // Confirm: a bad login is still refused and the pair still logs in.
        let (u, p) = bogus();
        let Some(b3) = attempt(ctx, r, &page, &u, &p).await? else {
            return Ok(());
        };
        if logged_in([b1, b2], &b3).is_some() {
            return Ok(());
        }
        let Some(again) = attempt(ctx, r, &page, user, pass).await? else {
            return Ok(());
        };
        if logged_in([b1, b2], &again).is_none() {
            continue;
        }
        let point = ctx
            .points(KEY, r, None)
            .into_iter()
            .find(|p| p.name == c.user_field);
        let shown = Sent {
            request: redacted(&c.sent.request, &c.user_field),
            response: c.sent.response.clone(),
        };
        let value = format!("{user}:[redacted]");
        ctx.report_point(
            r,
            point.as_ref(),
            Hit {
                module: KEY,
                attack_id: "WEAKCRED_01",
                value: &value,
                proof: format!(
                    "signed in as \"{user}\" with a password from the default-credentials list (redacted): {}",
                    reasons.join("; ")
                ),
                proof_description: "a default or trivial username and password log in: the answer differs from a known-bad login, twice",
                confidence: Confidence::Firm,
                original: Some(&b1.sent),
                attack: Some(&shown),
            },
        )
        .await;
        return Ok(());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(path: &str, cookies: &[&str], form: bool, logout: bool) -> Attempt {
        let url = Url::parse(&format!("http://a.example{path}")).unwrap();
        Attempt {
            sent: Sent {
                request: HttpRequest::get(url),
                response: crate::checks::common::recorded(200, &[], ""),
            },
            cookies: cookies.iter().map(|s| s.to_string()).collect(),
            form,
            logout,
            locked: None,
            user_field: "username".into(),
        }
    }

    #[test]
    fn the_list_is_data() {
        let l = parse_list("# c\nadmin:admin\n\nroot:to:or\n");
        assert_eq!(l, vec![("admin".into(), "admin".into()), ("root".into(), "to:or".into())]);
        assert!(CREDENTIALS.len() >= 10);
        assert_eq!(CREDENTIALS[0], ("admin".to_string(), "admin".to_string()));
    }

    #[test]
    fn a_login_differs_from_a_bad_one_in_two_ways() {
        let b1 = att("/login", &["PHPSESSID"], true, false);
        let b2 = att("/login", &["PHPSESSID"], true, false);
        // Moved, form gone, a new cookie, a logout link.
        let ok = att("/admin/", &["PHPSESSID", "auth"], false, true);
        assert_eq!(logged_in([&b1, &b2], &ok).unwrap().len(), 4);
        // Same page, same form, same cookies: refused.
        assert!(logged_in([&b1, &b2], &att("/login", &["PHPSESSID"], true, false)).is_none());
        // Only a logout word (e.g. in the error page's menu) and a cookie: no strong sign.
        assert!(logged_in([&b1, &b2], &att("/login", &["PHPSESSID", "x"], true, true)).is_none());
        // Only another page (an error page elsewhere): one sign is not enough.
        assert!(logged_in([&b1, &b2], &att("/error", &["PHPSESSID"], true, false)).is_none());
        // Bad logins that disagree on their landing page do not count the move.
        let b3 = att("/login2", &["PHPSESSID"], true, false);
        assert!(logged_in([&b1, &b3], &att("/admin/", &["PHPSESSID"], true, true)).is_none());
    }

    #[test]
    fn lockout_signals() {
        assert!(lockout(429, "").is_some());
        for t in [
            "Too many failed attempts. Try again later.",
            "Your account has been locked.",
            "Please solve the CAPTCHA",
            "too many login attempts",
        ] {
            assert!(lockout(200, t).is_some(), "{t}");
        }
        assert!(lockout(200, "Invalid username or password.").is_none());
    }

    #[test]
    fn the_password_never_shows() {
        let mut req = HttpRequest::get(Url::parse("http://a.example/login?user=admin&pass=admin").unwrap());
        req.method = "POST".into();
        req.headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
        req.body = Some(b"username=admin&password=admin&go=Sign+in".to_vec());
        let r = redacted(&req, "username");
        let body = String::from_utf8(r.body.unwrap()).unwrap();
        assert_eq!(body, "username=admin&password=%5Bredacted%5D&go=%5Bredacted%5D");
        assert_eq!(r.url.query(), Some("user=%5Bredacted%5D&pass=%5Bredacted%5D"));
    }
}
