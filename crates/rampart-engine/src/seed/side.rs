//! Selenium IDE (`.side`) logins replayed without a browser: `open`, `type`/`sendKeys` and
//! `click`/`submit` on form fields, resolved against the fetched HTML and sent as the form
//! the page would have submitted.

use crate::client::{Http, Purpose, Sent};
use crate::http::HttpRequest;
use crate::target::{Body, Resource};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use url::Url;

/// Commands with no effect on a login replayed over HTTP: accepted and skipped.
const NO_EFFECT: &[&str] = &[
    "setWindowSize",
    "waitForPageToLoad",
    "waitForElementPresent",
    "waitForElementVisible",
    "pause",
    "echo",
];

/// Where a command acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locator {
    /// A CSS selector (`id=`, `name=`, `css=` and simple `xpath=` forms become one).
    Css(String),
    LinkText(String),
}

impl std::fmt::Display for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Locator::Css(c) => write!(f, "css={c}"),
            Locator::LinkText(t) => write!(f, "linkText={t}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Open(String),
    Type {
        at: Locator,
        value: String,
        /// `sendKeys` ending in `${KEY_ENTER}`: the form is submitted after typing.
        enter: bool,
    },
    Click(Locator),
    Submit(Locator),
}

/// A login recording this engine can replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// The project's `url`, against which relative `open` targets resolve.
    pub base: Option<Url>,
    pub steps: Vec<Step>,
}

/// Why a recording cannot be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SideError {
    #[error("not a Selenium IDE project: {0}")]
    Invalid(String),
    #[error("command `{command}` on `{target}` is not supported without a browser ({why})")]
    Unsupported {
        command: String,
        target: String,
        why: String,
    },
}

fn xpath_to_css(x: &str) -> Option<String> {
    // `//tag[@a='v'][@b="w"]`, tag may be `*`.
    let whole =
        Regex::new(r#"^//([A-Za-z*][\w-]*)((?:\[@[\w-]+\s*=\s*(?:'[^']*'|"[^"]*")\])*)$"#).ok()?;
    let caps = whole.captures(x.trim())?;
    let pred = Regex::new(r#"\[@([\w-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")\]"#).ok()?;
    let mut css = caps[1].to_string();
    for p in pred.captures_iter(&caps[2]) {
        let v = p.get(2).or_else(|| p.get(3)).map_or("", |m| m.as_str());
        css.push_str(&format!("[{}=\"{}\"]", &p[1], v.replace('"', "\\\"")));
    }
    Some(css)
}

fn locator(command: &str, target: &str) -> Result<Locator, SideError> {
    let unsupported = |why: &str| SideError::Unsupported {
        command: command.to_string(),
        target: target.to_string(),
        why: why.to_string(),
    };
    let quote = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"");
    let css = if let Some(v) = target.strip_prefix("id=") {
        format!("[id=\"{}\"]", quote(v))
    } else if let Some(v) = target.strip_prefix("name=") {
        format!("[name=\"{}\"]", quote(v))
    } else if let Some(v) = target.strip_prefix("css=") {
        v.to_string()
    } else if let Some(v) = target.strip_prefix("linkText=") {
        return Ok(Locator::LinkText(v.to_string()));
    } else if let Some(x) = target
        .strip_prefix("xpath=")
        .or_else(|| target.starts_with("//").then_some(target))
    {
        xpath_to_css(x).ok_or_else(|| {
            unsupported(
                "only XPath of the form //tag[@attribute='value'] is resolved without a browser",
            )
        })?
    } else {
        return Err(unsupported(
            "locators supported without a browser: id=, name=, css=, linkText=, simple xpath=",
        ));
    };
    Selector::parse(&css).map_err(|e| unsupported(&format!("invalid CSS selector: {e}")))?;
    Ok(Locator::Css(css))
}

/// Reads the first test of a `.side` project; every command must be replayable.
pub fn parse(text: &[u8]) -> Result<Script, SideError> {
    let v: Value =
        serde_json::from_slice(text).map_err(|e| SideError::Invalid(format!("not JSON: {e}")))?;
    let base = v
        .get("url")
        .and_then(Value::as_str)
        .and_then(|u| Url::parse(u).ok());
    let commands = v
        .pointer("/tests/0/commands")
        .and_then(Value::as_array)
        .ok_or_else(|| SideError::Invalid("no `tests[0].commands`".into()))?;
    let mut steps = Vec::new();
    for c in commands {
        let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (command, target, value) = (s("command"), s("target"), s("value"));
        // A command commented out in the IDE starts with `//`.
        if command.starts_with("//") || command.is_empty() || NO_EFFECT.contains(&command.as_str())
        {
            continue;
        }
        steps.push(match command.as_str() {
            "open" => Step::Open(target),
            "type" | "sendKeys" => {
                let enter = value.contains("${KEY_ENTER}");
                Step::Type {
                    at: locator(&command, &target)?,
                    value: value.replace("${KEY_ENTER}", ""),
                    enter,
                }
            }
            "click" | "clickAndWait" => Step::Click(locator(&command, &target)?),
            "submit" | "submitAndWait" => Step::Submit(locator(&command, &target)?),
            _ => {
                return Err(SideError::Unsupported {
                    command,
                    target,
                    why: "commands replayed without a browser: open, type, sendKeys, click, submit"
                        .into(),
                })
            }
        });
    }
    if !steps.iter().any(|s| matches!(s, Step::Open(_))) {
        return Err(SideError::Invalid("the recording opens no page".into()));
    }
    Ok(Script { base, steps })
}

/// What a command found on the current page.
enum Target {
    /// A form field or other element inside form number `form` (document order).
    InForm {
        form: usize,
        /// A submit button's `name=value`, sent when it is clicked.
        button: Option<(String, String)>,
        field: Option<String>,
        submits: bool,
    },
    Link(Url),
    Other,
}

fn find<'a>(doc: &'a Html, at: &Locator) -> Option<ElementRef<'a>> {
    match at {
        Locator::Css(css) => Selector::parse(css)
            .ok()
            .and_then(|s| doc.select(&s).next()),
        Locator::LinkText(t) => Selector::parse("a").ok().and_then(|s| {
            doc.select(&s)
                .find(|a| a.text().collect::<String>().trim() == t.trim())
        }),
    }
}

fn locate(page: &Url, html: &str, at: &Locator) -> Option<Target> {
    let doc = Html::parse_document(html);
    let el = find(&doc, at)?;
    let forms = Selector::parse("form").ok()?;
    let enclosing = std::iter::once(*el)
        .chain(el.ancestors())
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "form");
    let attr = |n: &str| el.value().attr(n).unwrap_or("").to_string();
    let tag = el.value().name();
    let ty = attr("type").to_ascii_lowercase();
    let submits = (tag == "button" && matches!(ty.as_str(), "" | "submit"))
        || (tag == "input" && matches!(ty.as_str(), "submit" | "image"))
        || tag == "form";
    if let Some(f) = enclosing {
        let index = doc.select(&forms).position(|x| x.id() == f.id())?;
        let named = !attr("name").is_empty();
        return Some(Target::InForm {
            form: index,
            button: (submits && named && tag != "form").then(|| (attr("name"), attr("value"))),
            field: (!submits && named).then(|| attr("name")),
            submits,
        });
    }
    if tag == "a" {
        return page.join(&attr("href")).ok().map(Target::Link);
    }
    Some(Target::Other)
}

/// The request form number `index` of the page sends, with `typed` values and the clicked
/// button.
fn submission(
    page: &Url,
    html: &str,
    index: usize,
    typed: &BTreeMap<String, String>,
    button: Option<(String, String)>,
) -> Option<Resource> {
    let doc = Html::parse_document(html);
    let form = doc.select(&Selector::parse("form").ok()?).nth(index)?;
    let fields_sel = Selector::parse("input, textarea, select").ok()?;
    let option = Selector::parse("option").ok()?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for f in form.select(&fields_sel) {
        let v = f.value();
        let Some(name) = v.attr("name").filter(|n| !n.is_empty()) else {
            continue;
        };
        let ty = v.attr("type").unwrap_or("text").to_ascii_lowercase();
        let value = match v.name() {
            "textarea" => f.text().collect(),
            "select" => f
                .select(&option)
                .find(|o| o.value().attr("selected").is_some())
                .or_else(|| f.select(&option).next())
                .map(|o| {
                    o.value()
                        .attr("value")
                        .map(str::to_string)
                        .unwrap_or_else(|| o.text().collect())
                })
                .unwrap_or_default(),
            _ if matches!(
                ty.as_str(),
                "submit" | "button" | "image" | "reset" | "file"
            ) =>
            {
                continue
            }
            _ if matches!(ty.as_str(), "checkbox" | "radio") && v.attr("checked").is_none() => {
                continue
            }
            _ => v.attr("value").unwrap_or("").to_string(),
        };
        fields.push((name.to_string(), value));
    }
    for (k, v) in typed {
        match fields.iter_mut().find(|(n, _)| n == k) {
            Some(f) => f.1 = v.clone(),
            None => fields.push((k.clone(), v.clone())),
        }
    }
    fields.extend(button);
    let action = form.value().attr("action").unwrap_or("").trim();
    let mut url = page.join(action).unwrap_or_else(|_| page.clone());
    url.set_fragment(None);
    let post = form
        .value()
        .attr("method")
        .is_some_and(|m| m.eq_ignore_ascii_case("post"));
    Some(if post {
        Resource {
            method: "POST".into(),
            body: Body::Form(fields),
            referer: Some(page.clone()),
            ..Resource::get(url)
        }
    } else {
        url.query_pairs_mut().clear().extend_pairs(&fields);
        Resource {
            referer: Some(page.clone()),
            ..Resource::get(url)
        }
    })
}

/// Replays the recording; the last response, or why the replay stopped.
pub(crate) async fn replay(script: &Script, http: &Arc<Http>) -> Result<Sent, String> {
    let mut page: Option<Sent> = None;
    // Typed values per form, kept until that form is submitted.
    let mut typed: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let send = |req: HttpRequest| async move {
        http.send_follow(req, Purpose::Login)
            .await
            .map(|(s, _)| s)
            .map_err(|e| e.to_string())
    };
    for step in &script.steps {
        let current = |page: &Option<Sent>| -> Result<(Url, String), String> {
            page.as_ref()
                .map(|p| (p.request.url.clone(), p.response.text()))
                .ok_or_else(|| format!("{step:?} before any page was opened"))
        };
        let here = |at: &Locator, page: &Option<Sent>| -> Result<(Url, String, Target), String> {
            let (url, html) = current(page)?;
            let t = locate(&url, &html, at)
                .ok_or_else(|| format!("`{at}`: no such element on {url}"))?;
            Ok((url, html, t))
        };
        let submit = |url: &Url,
                      html: &str,
                      form: usize,
                      typed: &mut BTreeMap<usize, BTreeMap<String, String>>,
                      button| {
            let values = typed.remove(&form).unwrap_or_default();
            submission(url, html, form, &values, button)
                .map(|r| r.to_request())
                .ok_or_else(|| format!("form {form} of {url} cannot be submitted"))
        };
        match step {
            Step::Open(target) => {
                let base = page
                    .as_ref()
                    .map(|p| p.request.url.clone())
                    .or_else(|| script.base.clone());
                let url = match (&base, Url::parse(target)) {
                    (_, Ok(u)) => u,
                    (Some(b), Err(_)) => b.join(target).map_err(|e| e.to_string())?,
                    (None, Err(e)) => return Err(format!("open {target}: {e}")),
                };
                page = Some(send(HttpRequest::get(url)).await?);
            }
            Step::Type { at, value, enter } => match here(at, &page)? {
                (url, html, Target::InForm { form, field, .. }) => {
                    let name = field.ok_or_else(|| format!("`{at}` is not a named form field"))?;
                    typed.entry(form).or_default().insert(name, value.clone());
                    if *enter {
                        let req = submit(&url, &html, form, &mut typed, None)?;
                        page = Some(send(req).await?);
                    }
                }
                _ => return Err(format!("`{at}` is not a form field")),
            },
            Step::Click(at) => match here(at, &page)? {
                (
                    url,
                    html,
                    Target::InForm {
                        form,
                        button,
                        submits: true,
                        ..
                    },
                ) => {
                    let req = submit(&url, &html, form, &mut typed, button)?;
                    page = Some(send(req).await?);
                }
                (_, _, Target::Link(u)) => page = Some(send(HttpRequest::get(u)).await?),
                // Focusing a field, ticking nothing: no request.
                _ => {}
            },
            Step::Submit(at) => match here(at, &page)? {
                (url, html, Target::InForm { form, .. }) => {
                    let req = submit(&url, &html, form, &mut typed, None)?;
                    page = Some(send(req).await?);
                }
                _ => return Err(format!("`{at}` is in no form")),
            },
        }
    }
    page.ok_or_else(|| "the recording opened no page".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn side(commands: Value) -> Vec<u8> {
        json!({"id": "p", "name": "login", "url": "http://h", "tests": [{"id": "t", "name": "login",
            "commands": commands}]})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn locators_and_commands_parse_or_say_which_one_is_not_supported() {
        let s = parse(&side(json!([
            {"command": "open", "target": "/login", "value": ""},
            {"command": "setWindowSize", "target": "1280x800", "value": ""},
            {"command": "click", "target": "id=username", "value": ""},
            {"command": "type", "target": "name=username", "value": "alice"},
            {"command": "type", "target": "xpath=//input[@name='password']", "value": "pw"},
            {"command": "sendKeys", "target": "css=input#pw", "value": "${KEY_ENTER}"},
            {"command": "click", "target": "//button[@type=\"submit\"]", "value": ""}
        ])))
        .unwrap();
        assert_eq!(s.steps.len(), 6);
        assert_eq!(
            s.steps[3],
            Step::Type {
                at: Locator::Css("input[name=\"password\"]".into()),
                value: "pw".into(),
                enter: false
            }
        );
        assert_eq!(
            s.steps[5],
            Step::Click(Locator::Css("button[type=\"submit\"]".into()))
        );
        let e = parse(&side(json!([
            {"command": "open", "target": "/login", "value": ""},
            {"command": "executeScript", "target": "return 1", "value": ""}
        ])))
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("command `executeScript` on `return 1` is not supported"),
            "{e}"
        );
        let e = parse(&side(json!([
            {"command": "open", "target": "/login", "value": ""},
            {"command": "click", "target": "xpath=(//form)[2]/button", "value": ""}
        ])))
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("`click` on `xpath=(//form)[2]/button`"),
            "{e}"
        );
        assert!(matches!(parse(b"{}"), Err(SideError::Invalid(_))));
    }

    #[test]
    fn a_form_is_submitted_with_typed_values_hidden_fields_and_the_clicked_button() {
        let html = r#"<form action="/search"><input name="q"></form>
            <form method="post" action="/login"><input type="hidden" name="csrf" value="t1">
            <input id="u" name="user"><input type="password" name="pw">
            <input type="checkbox" name="remember"><button name="go" value="1">Sign in</button></form>"#;
        let page = Url::parse("http://h/login").unwrap();
        let Some(Target::InForm { form, field, .. }) =
            locate(&page, html, &Locator::Css("[id=\"u\"]".into()))
        else {
            panic!("field found")
        };
        assert_eq!((form, field.as_deref()), (1, Some("user")));
        let Some(Target::InForm {
            button, submits, ..
        }) = locate(&page, html, &Locator::Css("button".into()))
        else {
            panic!("button found")
        };
        assert!(submits);
        let typed = BTreeMap::from([("user".to_string(), "alice".to_string())]);
        let r = submission(&page, html, 1, &typed, button).unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.url.as_str(), "http://h/login");
        assert_eq!(
            r.body,
            Body::Form(vec![
                ("csrf".into(), "t1".into()),
                ("user".into(), "alice".into()),
                ("pw".into(), "".into()),
                ("go".into(), "1".into())
            ])
        );
    }
}
