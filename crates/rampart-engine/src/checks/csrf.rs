//! State-changing forms without anti-CSRF protection.

use crate::catalogue::{locs, module_id, OWASP_A01};
use crate::client::{SendError, Sent};
use crate::crawl::html::extract;
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::Body;
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "csrf";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Request Forgery",
        description: "<p>A state-changing form (POST, or GET) carries no anti-CSRF token, or one the server does not validate, and the session cookie has no SameSite protection, so another site can submit it on behalf of a logged-in user.</p><p>One finding per form action. A form with a token is submitted with a made-up token from another origin: accepted like the genuine one, the token is not validated. GET forms are tested too: one is state-changing only when its submission changes what its page shows, so forms that only look things up are never reported.</p>",
        recommendation: "Use a synchronizer token or the double-submit pattern on every state-changing request, and set SameSite=Lax or Strict on session cookies.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 352,
        wasc: Some(9),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-352: Cross-Site Request Forgery", "https://cwe.mitre.org/data/definitions/352.html"),
            ("OWASP CSRF Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "CSRF_01",
                kind: "Form without token",
                class: "Request Forgery",
                description: "A POST form with no token-like hidden field, submitted without one and accepted.",
            },
            AttackMeta {
                id: "CSRF_03",
                kind: "State-changing GET form",
                class: "Request Forgery",
                description: "A GET form submitted as another site would (foreign Referer, tokens made up) changes what its page shows: the value sent appears there, or the page changes beyond its own variation.",
            },
            AttackMeta {
                id: "CSRF_02",
                kind: "Token not validated",
                class: "Request Forgery",
                description: "A POST form whose token field is replaced by a made-up value, submitted from another origin and accepted like the genuine submission.",
            },
        ],
    }
}

/// A state-changing form without anti-CSRF protection: a POST form without a token (or with
/// one the server does not validate) accepted from another origin; a GET form whose
/// submission from another origin, with any token made up, changes what its page shows.
/// Session cookies that are all SameSite protect (Strict for GET forms: Lax cookies go with
/// a top-level GET from another site).
pub(crate) async fn attack(ctx: &Ctx, r: &Resource, orig: &Sent) -> Result<(), SendError> {
    let get = r.method == "GET";
    if !(get || r.method == "POST") || !r.form || r.has_password || ctx.already(KEY, r, None).await
    {
        return Ok(());
    }
    let Some(page) = &r.referer else {
        return Ok(());
    };
    // Re-read the form on its page to see its token fields.
    let form_page = ctx
        .send(crate::http::HttpRequest::get(page.clone()))
        .await?;
    let forms = extract(page, &form_page.response.text()).forms;
    let fields: Vec<(String, String)> = match &r.body {
        Body::Form(f) | Body::Multipart { fields: f, .. } => f.clone(),
        Body::None if get => r.url.query_pairs().into_owned().collect(),
        _ => return Ok(()),
    };
    let names: Vec<&String> = fields.iter().map(|(k, _)| k).collect();
    if read_only(&names) {
        return Ok(());
    }
    let Some(form) = forms.iter().find(|f| {
        f.method == r.method
            && f.action.path() == r.url.path()
            && f.fields.iter().all(|(k, _)| names.contains(&k))
    }) else {
        return Ok(());
    };
    let samesite = samesite_protected(
        orig.response
            .headers_named("set-cookie")
            .chain(form_page.response.headers_named("set-cookie")),
        get,
    );
    if samesite {
        return Ok(());
    }
    if get {
        return get_form(ctx, r, form, page).await;
    }
    if form.has_token {
        return token_validated(ctx, r, form, page).await;
    }
    let mut req = r.to_request();
    req.set_header("Origin", FOREIGN_ORIGIN);
    req.set_header("Referer", FOREIGN_REFERER);
    let sent = ctx.send(req).await?;
    if sent.response.status < 400 {
        ctx.report_point(
            r,
            None,
            Hit {
                module: KEY,
                attack_id: "CSRF_01",
                value: "",
                proof: format!(
                    "form {} has no anti-CSRF token; a cross-site submission got {}",
                    r.url, sent.response.status
                ),
                proof_description:
                    "a state-changing form is accepted from another origin without any token",
                confidence: Confidence::Firm,
                original: Some(orig),
                attack: Some(&sent),
            },
        )
        .await;
    }
    Ok(())
}

const FOREIGN_ORIGIN: &str = "https://rampart-csrf.example";
const FOREIGN_REFERER: &str = "https://rampart-csrf.example/";

/// A GET form is state-changing when its submission changes its page: the page is read twice
/// (what changes by itself), the form is sent as another site would (a foreign `Referer`,
/// every token field made up, a unique value in each text field), and the page is read again.
/// The unique value showing there, or a change beyond the page's own, is the proof; a form
/// that only looks things up changes nothing and is not reported.
async fn get_form(
    ctx: &Ctx,
    r: &Resource,
    form: &crate::crawl::html::Form,
    page: &url::Url,
) -> Result<(), SendError> {
    use crate::http::HttpRequest;
    let first = ctx.send(HttpRequest::get(page.clone())).await?;
    let before = ctx.send(HttpRequest::get(page.clone())).await?;
    let (a, b) = (first.response.text(), before.response.text());
    let own = crate::similarity::similarity(&a, &b);
    let value = format!("rmf{}", crate::rand_id(8).to_ascii_lowercase());
    let mut tokens = Vec::new();
    let pairs: Vec<(String, String)> = form
        .fields
        .iter()
        .map(|(k, v)| {
            if crate::ctx::TOKENISH.is_match(k) {
                tokens.push(k.clone());
                (k.clone(), crate::rand_id(v.len().max(8)).to_ascii_lowercase())
            } else if form.text_fields.contains(k) {
                (k.clone(), value.clone())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let submit = |pairs: &[(String, String)]| {
        let mut url = form.action.clone();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let mut req = HttpRequest::get(url);
        req.set_header("Referer", FOREIGN_REFERER);
        req
    };
    let sent = ctx.send(submit(&pairs)).await?;
    if sent.response.status >= 400 {
        return Ok(());
    }
    let after = ctx.send(HttpRequest::get(page.clone())).await?;
    let c = after.response.text();
    let changed = |x: &str, y: &str| crate::similarity::similarity(x, y) < own - 0.02;
    let how = if c.contains(&value) && !b.contains(&value) {
        format!("the value {value} sent in the form shows on {page} afterwards")
    } else if changed(&b, &c) {
        // Once more while the page holds still: the change follows the submission, not
        // another visitor (or another check) changing the page meanwhile.
        let d1 = ctx.send(HttpRequest::get(page.clone())).await?.response.text();
        let d2 = ctx.send(HttpRequest::get(page.clone())).await?.response.text();
        if changed(&d1, &d2) {
            return Ok(());
        }
        let again = ctx.send(submit(&pairs)).await?;
        let e = ctx.send(HttpRequest::get(page.clone())).await?.response.text();
        if again.response.status >= 400 || !changed(&d2, &e) {
            return Ok(());
        }
        format!(
            "{page} changed after each of two submissions (similarity {:.2} and {:.2}; {own:.2} between two reads before)",
            crate::similarity::similarity(&b, &c),
            crate::similarity::similarity(&d2, &e)
        )
    } else {
        return Ok(());
    };
    let with = if tokens.is_empty() {
        "has no anti-CSRF token".to_string()
    } else {
        format!("accepted a made-up {}", tokens.join(", "))
    };
    ctx.report_point(
        r,
        None,
        Hit {
            module: KEY,
            attack_id: if tokens.is_empty() { "CSRF_03" } else { "CSRF_02" },
            value: "",
            proof: format!(
                "GET form {} {with}; submitted as from another site it changed state: {how}",
                form.action
            ),
            proof_description:
                "a GET form changes state when another site sends it: a link or an image is enough to forge it",
            confidence: Confidence::Firm,
            original: Some(&before),
            attack: Some(&sent),
        },
    )
    .await;
    Ok(())
}

/// Pages that refuse a request: a forged submission showing one of these (where the genuine
/// one does not) was refused.
static REFUSED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)(invalid|expired|csrf|xsrf|forbidden|not allowed|denied|mismatch|verif|try again)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// A form with a token: submitted once as the page gives it (fresh token) and once with the
/// token replaced by another value of the same length from a foreign origin. The token is
/// not validated when the forged submission gets the same status (below 400) and a page of the
/// same shape (similarity 0.9 or more) without any refusal wording the genuine one lacks.
async fn token_validated(
    ctx: &Ctx,
    r: &Resource,
    form: &crate::crawl::html::Form,
    page: &url::Url,
) -> Result<(), SendError> {
    let tokens: Vec<String> = form
        .fields
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| crate::ctx::TOKENISH.is_match(k))
        .collect();
    if tokens.is_empty() {
        return Ok(());
    }
    let genuine_req = form.resource(page, 0).to_request();
    let genuine = ctx.send(genuine_req).await?;
    // The genuine token may be single-use: read a fresh form for the forged submission.
    let fresh = ctx.send(crate::http::HttpRequest::get(page.clone())).await?;
    let Some(again) = extract(page, &fresh.response.text())
        .forms
        .into_iter()
        .find(|f| f.action.path() == form.action.path())
    else {
        return Ok(());
    };
    let mut forged_form = again.clone();
    for (k, v) in forged_form.fields.iter_mut() {
        if tokens.contains(k) {
            let fake = crate::rand_id(v.len().max(8)).to_ascii_lowercase();
            *v = fake;
        }
    }
    let mut req = forged_form.resource(page, 0).to_request();
    req.set_header("Origin", FOREIGN_ORIGIN);
    req.set_header("Referer", FOREIGN_REFERER);
    let forged = ctx.send(req).await?;
    let (g, f) = (genuine.response.text(), forged.response.text());
    let refused = REFUSED.is_match(&f) && !REFUSED.is_match(&g);
    if genuine.response.status >= 400
        || forged.response.status != genuine.response.status
        || refused
        || crate::similarity::similarity(&g, &f) < 0.9
    {
        return Ok(());
    }
    let names: Vec<&str> = tokens.iter().map(|s| s.as_str()).collect();
    ctx.report_point(
        r,
        None,
        Hit {
            module: KEY,
            attack_id: "CSRF_02",
            value: "",
            proof: format!(
                "form {} sent with a made-up {} from another origin got {} and the same page as with the genuine token",
                r.url,
                names.join(", "),
                forged.response.status
            ),
            proof_description: "the form's anti-CSRF token is not validated: any value is accepted",
            confidence: Confidence::Firm,
            original: Some(&genuine),
            attack: Some(&forged),
        },
    )
    .await;
    Ok(())
}

/// A form that only looks things up (search, filter, sort, paging, language): forging it
/// changes nothing, so it is not a CSRF finding.
fn read_only(names: &[&String]) -> bool {
    const LOOKUP: &[&str] = &[
        "q", "s", "search", "query", "keyword", "keywords", "term", "terms", "filter", "sort",
        "order", "page", "lang", "locale", "find", "submit", "go", "btn", "button",
    ];
    !names.is_empty()
        && names.iter().all(|n| {
            let n = n.to_ascii_lowercase();
            LOOKUP.contains(&n.as_str()) || n.starts_with("search")
        })
}

/// The session cookies among these Set-Cookie values (names that look like a session or auth
/// cookie) are all SameSite=Strict or Lax (`strict`: Strict only), and there is one. SameSite
/// on another cookie (a theme, a language) protects nothing: the forged request still
/// carries the session.
fn samesite_protected<'a>(set_cookies: impl Iterator<Item = &'a str>, strict: bool) -> bool {
    let mut seen = false;
    for c in set_cookies {
        let name = c.split(['=', ';']).next().unwrap_or("").trim();
        if !crate::ctx::SESSIONISH.is_match(name) {
            continue;
        }
        seen = true;
        let l = c.to_ascii_lowercase();
        if !(l.contains("samesite=strict") || (!strict && l.contains("samesite=lax"))) {
            return false;
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::samesite_protected;

    #[test]
    fn examples() {
        let table: &[(&str, &[&str], bool)] = &[
            (
                "lax session",
                &["sessionid=abc; Path=/; HttpOnly; SameSite=Lax"],
                true,
            ),
            ("strict session", &["sid=abc; samesite=strict"], true),
            (
                "samesite none",
                &["sessionid=abc; Secure; SameSite=None"],
                false,
            ),
            ("no samesite", &["PHPSESSID=abc; path=/"], false),
            ("no cookies", &[], false),
            (
                "one protected among others",
                &["theme=dark", "sid=abc; SameSite=Lax"],
                true,
            ),
            (
                "samesite only on a preference cookie",
                &["theme=dark; SameSite=Strict", "PHPSESSID=1; path=/"],
                false,
            ),
            (
                "no session cookie in view",
                &["lang=en; SameSite=Lax"],
                false,
            ),
        ];
        for (name, cookies, want) in table {
            assert_eq!(samesite_protected(cookies.iter().copied(), false), *want, "{name}");
        }
        // A GET form is forged by a top-level navigation, which carries Lax cookies.
        for (cookies, want) in [("sid=abc; SameSite=Lax", false), ("sid=abc; SameSite=Strict", true)] {
            assert_eq!(samesite_protected([cookies].into_iter(), true), want, "{cookies}");
        }
    }

    #[test]
    fn lookup_forms_are_not_state_changing() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let ro = |v: &[&str]| {
            let names = n(v);
            super::read_only(&names.iter().collect::<Vec<_>>())
        };
        assert!(ro(&["q", "submit"]));
        assert!(ro(&["searchTerm", "sort"]));
        assert!(!ro(&["email"]));
        assert!(!ro(&["q", "comment"]));
        assert!(!ro(&[]));
    }

    #[test]
    fn token_fields_are_seen_on_the_form() {
        let page = url::Url::parse("https://a.example/profile").unwrap();
        let with = crate::crawl::html::extract(
            &page,
            "<form method=\"post\" action=\"/profile\"><input type=\"hidden\" name=\"csrf_token\" value=\"9f8e7d\"><input name=\"email\"></form>",
        );
        let without = crate::crawl::html::extract(
            &page,
            "<form method=\"post\" action=\"/profile\"><input name=\"email\"><input type=\"hidden\" name=\"id\" value=\"7\"></form>",
        );
        assert!(with.forms[0].has_token);
        assert!(!without.forms[0].has_token);
    }
}
