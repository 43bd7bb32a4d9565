//! Open redirect to a unique host, confirmed in Location, meta refresh or script.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A01};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::HttpResponse;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

pub(crate) const KEY: &str = "open_redirect";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Open Redirect",
        description: "<p>The application redirects to a URL taken from the request, which attackers use in phishing to lend the site's credibility to a malicious destination.</p>",
        recommendation: "Redirect only to relative paths or to an allow-list of destinations; map identifiers to URLs on the server.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 601,
        wasc: Some(38),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-601: URL Redirection to Untrusted Site", "https://cwe.mitre.org/data/definitions/601.html"),
            ("OWASP Unvalidated Redirects Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "REDIR_01",
                kind: "Absolute URL",
                class: "Redirect",
                description: "An absolute URL to a unique host.",
            },
            AttackMeta {
                id: "REDIR_02",
                kind: "Scheme-relative URL",
                class: "Redirect",
                description: "A //host URL and backslash variants to a unique host.",
            },
        ],
    }
}

static JS_REDIRECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(location(\.href)?\s*=|location\.(replace|assign)\s*\(|window\.open\s*\()\s*['"]([^'"]+)"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<script\b[^>]*>(.*?)</script\s*>|\son[a-z]+\s*=\s*"([^"]*)"|\son[a-z]+\s*=\s*'([^']*)'"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// The few entities an attribute value may use for a URL's characters.
fn html_unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The code of a page that runs: inline scripts and event handlers, with the comments of the
/// code removed (a redirect in a comment never runs) and the named functions that nothing on
/// the page refers to (a redirect in a function never called never runs). String literals are
/// kept whole, so a `//` inside a URL is not taken for a comment.
fn running_code(html: &str) -> String {
    let mut out = String::new();
    for c in SCRIPT.captures_iter(html) {
        if let Some(code) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)) {
            out.push_str(&strip_js_comments(code.as_str()));
            out.push('\n');
        }
    }
    drop_uncalled_functions(&out)
}

static FUNCTION_DECL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bfunction\s+([A-Za-z_$][\w$]*)\s*\(")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// `code` without the declarations `function name(…) {…}` whose name appears nowhere else in
/// it (not called, not passed as a handler, not assigned). A name used anywhere keeps its
/// function: the check stays on the side of reporting.
fn drop_uncalled_functions(code: &str) -> String {
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for c in FUNCTION_DECL.captures_iter(code) {
        let (Some(all), Some(name)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if spans.iter().any(|(s, e, _)| all.start() >= *s && all.start() < *e) {
            continue; // nested in a function already dropped or kept whole
        }
        if let Some(end) = block_end(code, all.end()) {
            spans.push((all.start(), end, name.as_str().to_string()));
        }
    }
    let mut out = code.to_string();
    for (start, end, name) in spans.into_iter().rev() {
        let Ok(word) = Regex::new(&format!(r"(^|[^\w$]){}($|[^\w$])", regex::escape(&name))) else {
            continue;
        };
        let outside = format!("{} {}", &code[..start], &code[end..]);
        let inside_uses = word.find_iter(&code[start..end]).count();
        // The declaration names it once; a recursive call inside does not call it from outside.
        if !word.is_match(&outside) && inside_uses >= 1 {
            out.replace_range(start..end, " ");
        }
    }
    out
}

/// The index just past the `}` closing the first `{` at or after `from`, skipping string
/// literals; `None` when the block does not close.
fn block_end(code: &str, from: usize) -> Option<usize> {
    let open = from + code.get(from..)?.find('{')?;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in code[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(open + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// JavaScript without its `//` and `/* */` comments.
fn strip_js_comments(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut chars = js.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
                out.push(' ');
            }
            ('\'' | '"' | '`', _) => {
                quote = Some(c);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

static META_REFRESH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta\b[^>]*\bhttp-equiv\s*=\s*['"]?refresh\b[^>]*>"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static CONTENT_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\scontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// The target of a refresh value: `5; url=/x`, `0;URL='/x'`, and browsers' lenient forms
/// without `url=` (`0; /x`, `0, https://x/`). `None` for a plain delay.
pub(crate) fn refresh_target(content: &str) -> Option<String> {
    let rest = content.trim_start();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let rest = rest.trim_start().strip_prefix([';', ','])?.trim_start();
    let rest = match rest.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start();
            after.strip_prefix('=').map_or(rest, str::trim_start)
        }
        _ => rest,
    };
    let t = rest.trim().trim_matches(['\'', '"']).trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Where the response sends the browser, if anywhere.
fn targets(resp: &HttpResponse) -> Vec<(String, &'static str)> {
    let mut v = Vec::new();
    if resp.is_redirect() {
        if let Some(l) = resp.header("location") {
            v.push((l.to_string(), "Location header"));
        }
    }
    if let Some(t) = resp.header("refresh").and_then(refresh_target) {
        v.push((t, "Refresh header"));
    }
    let text = resp.text();
    for tag in META_REFRESH.find_iter(&text) {
        let Some(c) = CONTENT_ATTR.captures(tag.as_str()) else {
            continue;
        };
        let content = c
            .get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))
            .map_or("", |m| m.as_str());
        if let Some(t) = refresh_target(&html_unescape(content)) {
            v.push((t, "meta refresh"));
        }
    }
    for c in JS_REDIRECT.captures_iter(&running_code(&text)) {
        v.push((c[4].to_string(), "script redirect"));
    }
    v
}

pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    if ctx.already(KEY, r, Some(p)).await {
        return Ok(());
    }
    let host = format!("rmr{}.example", crate::rand_id(8));
    let payloads = [
        ("REDIR_01", format!("https://{host}/")),
        ("REDIR_02", format!("//{host}/")),
        ("REDIR_02", format!("/\\{host}/")),
        ("REDIR_01", format!("https:/\\{host}/")),
    ];
    for (attack_id, value) in payloads {
        let sent = inject(ctx, r, p, &value).await?;
        if let Some((target, how)) = redirect_to(&sent.request.url, &sent.response, &host) {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: KEY,
                    attack_id,
                    value: &value,
                    proof: format!("{how}: {target}"),
                    proof_description: "the response redirects the browser to the injected host",
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                },
            )
            .await;
            return Ok(());
        }
    }
    Ok(())
}

/// The first place (target, how) where the response to a request for `url` sends the
/// browser to `host`.
fn redirect_to(url: &Url, resp: &HttpResponse, host: &str) -> Option<(String, &'static str)> {
    targets(resp).into_iter().find(|(target, _)| {
        url.join(&target.replace('\\', "/"))
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .as_deref()
            == Some(host)
    })
}

#[cfg(test)]
mod tests {
    use crate::http::HttpResponse;
    use url::Url;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn examples() {
        let host = "rmrabcdefgh.example";
        let url = Url::parse("https://shop.example/go?to=x").unwrap();
        let table: &[(&str, HttpResponse, Option<&str>)] = &[
            (
                "location absolute",
                resp(302, &[("Location", "https://rmrabcdefgh.example/")], ""),
                Some("Location header"),
            ),
            (
                "location scheme-relative",
                resp(301, &[("Location", "//rmrabcdefgh.example/")], ""),
                Some("Location header"),
            ),
            (
                "location backslash trick",
                resp(302, &[("Location", "/\\rmrabcdefgh.example/")], ""),
                Some("Location header"),
            ),
            (
                "refresh header",
                resp(
                    200,
                    &[("Refresh", "0; url=https://rmrabcdefgh.example/")],
                    "",
                ),
                Some("Refresh header"),
            ),
            (
                "meta refresh",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<meta http-equiv=\"refresh\" content=\"0;url=https://rmrabcdefgh.example/\">",
                ),
                Some("meta refresh"),
            ),
            (
                "meta refresh without url=",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<meta http-equiv=\"refresh\" content=\"0; https://rmrabcdefgh.example/\">",
                ),
                Some("meta refresh"),
            ),
            (
                "meta refresh with a comma and quotes",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<meta content='3, \"//rmrabcdefgh.example/\"' http-equiv='Refresh'>",
                ),
                Some("meta refresh"),
            ),
            (
                "meta refresh that only reloads",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<meta http-equiv=\"refresh\" content=\"30\"><p>https://rmrabcdefgh.example/</p>",
                ),
                None,
            ),
            (
                "refresh header without url=",
                resp(200, &[("Refresh", "0;https://rmrabcdefgh.example/")], ""),
                Some("Refresh header"),
            ),
            (
                "script redirect in a function never called",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>function legacyExit() { window.location.href = 'https://rmrabcdefgh.example/'; }\nvar ready = true;</script>",
                ),
                None,
            ),
            (
                "script redirect in a function a handler calls",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>function leave() { if (1) { location.assign(\"https://rmrabcdefgh.example/\"); } }</script><button onclick=\"leave()\">Go</button>",
                ),
                Some("script redirect"),
            ),
            (
                "script redirect in a function passed to setTimeout",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>function go() { location = 'https://rmrabcdefgh.example/'; } setTimeout(go, 10);</script>",
                ),
                Some("script redirect"),
            ),
            (
                "script redirect",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>window.location.href = 'https://rmrabcdefgh.example/';</script>",
                ),
                Some("script redirect"),
            ),
            (
                "script redirect in a line comment",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>// window.location.href = 'https://rmrabcdefgh.example/';\nvar a = 1;</script>",
                ),
                None,
            ),
            (
                "script redirect in a block comment",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>/* old: location.replace(\"https://rmrabcdefgh.example/\") */ go();</script>",
                ),
                None,
            ),
            (
                "script redirect in an HTML comment outside any script",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<!-- location = 'https://rmrabcdefgh.example/' --><p>Docs: location = 'x'</p>",
                ),
                None,
            ),
            (
                "script redirect after a URL with // in a string",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<script>var home = 'https://a.example/'; location.assign('https://rmrabcdefgh.example/');</script>",
                ),
                Some("script redirect"),
            ),
            (
                "event handler redirect",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<body onload=\"window.location='https://rmrabcdefgh.example/'\">",
                ),
                Some("script redirect"),
            ),
            (
                "location on own host",
                resp(
                    302,
                    &[("Location", "/login?next=https://rmrabcdefgh.example/")],
                    "",
                ),
                None,
            ),
            (
                "location header on a 200 is ignored",
                resp(200, &[("Location", "https://rmrabcdefgh.example/")], ""),
                None,
            ),
            (
                "host only reflected as text",
                resp(
                    200,
                    &[("content-type", "text/html")],
                    "<p>Leaving for https://rmrabcdefgh.example/</p>",
                ),
                None,
            ),
            (
                "lookalike host",
                resp(
                    302,
                    &[("Location", "https://rmrabcdefgh.example.evil.test/")],
                    "",
                ),
                None,
            ),
        ];
        for (name, r, want) in table {
            assert_eq!(
                super::redirect_to(&url, r, host).map(|(_, how)| how),
                *want,
                "{name}"
            );
        }
    }
}
