//! Reflected cross-site scripting, context-aware and confirmed by parsing.

use super::common::inject;
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
                description: "A javascript: URL injected into an href or src attribute, confirmed by parsing.",
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
                    Some("script") => Context::Script,
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
                for (name, value) in e.attrs() {
                    if !value.contains(canary) {
                        continue;
                    }
                    let c = if name.starts_with("on") {
                        Context::Handler
                    } else if matches!(name, "href" | "src" | "action" | "formaction" | "data")
                        && value.starts_with(canary)
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
                    while i < b.len() && b[i] != b'\n' {
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

/// The payload proves script execution in the parsed page.
pub(crate) fn proven(html: &str, marker: &str) -> bool {
    let call = format!("{marker}(");
    let doc = Html::parse_document(html);
    for node in doc.tree.nodes() {
        if let Node::Element(e) = node.value() {
            for (name, value) in e.attrs() {
                let lv = value.trim().to_ascii_lowercase();
                if name.starts_with("on") && in_code(value, &call) {
                    return true;
                }
                if matches!(name, "href" | "src" | "action" | "formaction" | "data")
                    && lv.starts_with("javascript:")
                    && in_code(&value.trim()[11..], &call)
                {
                    return true;
                }
            }
            if e.name() == "script" {
                let text: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                if in_code(&text, &call) {
                    return true;
                }
            }
        }
    }
    false
}

/// Payloads for one context; `{m}` is the marker function name.
pub(crate) fn payloads(c: &Context, m: &str) -> Vec<(&'static str, String)> {
    let el = format!("<svg onload={m}()>");
    match c {
        Context::Text => vec![
            ("XSS_01", el),
            ("XSS_01", format!("<img src=x onerror={m}()>")),
        ],
        Context::RawText(tag) => vec![("XSS_01", format!("</{tag}>{el}"))],
        Context::Comment => vec![("XSS_01", format!("-->{el}"))],
        Context::Attr(Some(q)) => vec![
            ("XSS_02", format!("{q} onmouseover={q}{m}(){q} x={q}")),
            ("XSS_02", format!("{q}>{el}")),
        ],
        Context::Attr(None) => vec![
            ("XSS_02", format!("x onmouseover={m}() ")),
            ("XSS_02", format!("x>{el}")),
        ],
        Context::Url => vec![("XSS_04", format!("javascript:{m}()"))],
        Context::Handler => vec![
            ("XSS_03", format!("'-{m}()-'")),
            ("XSS_03", format!("\"-{m}()-\"")),
            ("XSS_03", format!("{m}()")),
        ],
        Context::Script => vec![
            ("XSS_03", format!("'-{m}()-'")),
            ("XSS_03", format!("\"-{m}()-\"")),
            ("XSS_03", format!("`-{m}()-`")),
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
    let canary = format!("rmc{}", crate::rand_id(8));
    let probe = inject(ctx, r, p, &canary).await?;
    if !probe.response.is_html() {
        return Ok(());
    }
    let text = probe.response.text();
    if !text.contains(&canary) {
        return Ok(());
    }
    for c in contexts(&text, &canary) {
        let marker = format!("rmx{}", crate::rand_id(6));
        for (attack_id, payload) in payloads(&c, &marker) {
            let sent = inject(ctx, r, p, &payload).await?;
            if sent.response.is_html() && proven(&sent.response.text(), &marker) {
                ctx.report_point(r, Some(p), Hit {
                    module: KEY,
                    attack_id,
                    value: &payload,
                    proof: format!("{marker}() parsed as executable script ({c:?} context)"),
                    proof_description: "the injected payload is parsed by an HTML parser as script the browser would run",
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                })
                .await;
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("src url", format!("<img src=\"{c}.png\">"), Context::Url),
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
        ] {
            let p = payloads(&ctx, "rmx1");
            assert!(
                !p.is_empty() && p.iter().all(|(_, v)| v.contains("rmx1()")),
                "{ctx:?}"
            );
        }
    }
}
