//! HTML extraction: links, frames, scripts, meta refresh, `base`, and forms with sensible
//! default values.

use crate::target::{Body, FilePart, Resource};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;
use url::Url;

/// A parsed form.
#[derive(Clone, Debug)]
pub struct Form {
    pub action: Url,
    pub method: String,
    pub multipart: bool,
    pub fields: Vec<(String, String)>,
    pub files: Vec<String>,
    pub password_fields: Vec<String>,
    /// Password inputs without a `name` (submitted by script): not fields of the form, but
    /// a password is typed there all the same.
    pub unnamed_passwords: usize,
    /// Password fields without `autocomplete=off|new-password`.
    pub password_autocomplete: bool,
    /// Hidden fields whose name or value looks like an anti-CSRF token.
    pub has_token: bool,
    pub text_fields: Vec<String>,
}

impl Form {
    /// The form has a password input, named or not.
    pub fn asks_password(&self) -> bool {
        !self.password_fields.is_empty() || self.unnamed_passwords > 0
    }

    /// The name of its first password field, or a description of an unnamed one.
    pub fn password_label(&self) -> String {
        self.password_fields
            .first()
            .cloned()
            .unwrap_or_else(|| "(password input without a name)".into())
    }

    pub fn resource(&self, page: &Url, depth: u32) -> Resource {
        let mut url = self.action.clone();
        let body = if self.method == "GET" {
            url.query_pairs_mut().clear().extend_pairs(&self.fields);
            Body::None
        } else if self.multipart || !self.files.is_empty() {
            let files = self
                .files
                .iter()
                .map(|f| FilePart {
                    field: f.clone(),
                    filename: "rampart.txt".into(),
                    content_type: "text/plain".into(),
                    content: b"rampart".to_vec(),
                })
                .collect();
            Body::Multipart {
                fields: self.fields.clone(),
                files,
            }
        } else {
            Body::Form(self.fields.clone())
        };
        Resource {
            method: self.method.clone(),
            url,
            body,
            referer: Some(page.clone()),
            depth,
            form: true,
            has_password: !self.password_fields.is_empty(),
            path_names: Vec::new(),
            headers: Vec::new(),
        }
    }
}

/// What one page yields.
#[derive(Clone, Debug, Default)]
pub struct Extracted {
    pub links: Vec<Url>,
    pub forms: Vec<Form>,
    /// Inline script texts (for URL mining).
    pub scripts: Vec<String>,
}

fn sel(s: &str) -> Selector {
    // The selectors are literals checked by the unit tests; a parse failure is a bug.
    Selector::parse(s).unwrap_or_else(|_| Selector::parse("*").unwrap_or_else(|_| unreachable!()))
}

static LINKS: LazyLock<Selector> = LazyLock::new(|| {
    sel("a[href], area[href], link[href], iframe[src], frame[src], script[src], embed[src], object[data], img[src]")
});
static BASE: LazyLock<Selector> = LazyLock::new(|| sel("base[href]"));
static META: LazyLock<Selector> = LazyLock::new(|| sel("meta[http-equiv]"));
static FORMS: LazyLock<Selector> = LazyLock::new(|| sel("form"));
static FIELDS: LazyLock<Selector> = LazyLock::new(|| sel("input, select, textarea, button"));
static OPTIONS: LazyLock<Selector> = LazyLock::new(|| sel("option"));
static SCRIPTS: LazyLock<Selector> = LazyLock::new(|| sel("script:not([src])"));
static TOKEN_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(csrf|xsrf|token|nonce|authenticity|verification|__requestverification)")
        .unwrap_or_else(|_| unreachable!())
});

/// A sensible value for a field without one.
pub fn default_value(name: &str, kind: &str) -> String {
    let n = name.to_ascii_lowercase();
    match kind {
        "email" => "rampart@example.com".into(),
        "number" | "range" => "1".into(),
        "url" => "http://example.com/".into(),
        "tel" => "5551234567".into(),
        "date" => "2024-01-01".into(),
        "password" => "Rampart-1!".into(),
        "color" => "#000000".into(),
        _ if n.contains("mail") => "rampart@example.com".into(),
        _ if n == "id"
            || n.ends_with("id")
            || n.contains("num")
            || n.contains("qty")
            || n.contains("age")
            || n.contains("count")
            || n.contains("page") =>
        {
            "1".into()
        }
        _ if n.contains("url") || n.contains("link") || n.contains("site") => {
            "http://example.com/".into()
        }
        _ => "rampart".into(),
    }
}

fn parse_form(form: ElementRef<'_>, base: &Url) -> Option<Form> {
    let attr = |n: &str| form.value().attr(n);
    let action = match attr("action").map(str::trim) {
        Some(a) if !a.is_empty() => base.join(a).ok()?,
        _ => base.clone(),
    };
    let method = attr("method").unwrap_or("GET").trim().to_ascii_uppercase();
    let method = if method == "POST" {
        method
    } else {
        "GET".to_string()
    };
    let multipart = attr("enctype").is_some_and(|e| e.to_ascii_lowercase().contains("multipart"));
    let mut f = Form {
        action,
        method,
        multipart,
        fields: Vec::new(),
        files: Vec::new(),
        password_fields: Vec::new(),
        unnamed_passwords: 0,
        password_autocomplete: false,
        has_token: false,
        text_fields: Vec::new(),
    };
    let form_ac_off = attr("autocomplete").is_some_and(|a| a.eq_ignore_ascii_case("off"));
    let mut seen_radio = Vec::new();
    let mut submit_done = false;
    for el in form.select(&FIELDS) {
        let v = el.value();
        let Some(name) = v.attr("name").filter(|n| !n.is_empty()) else {
            if v.attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("password"))
            {
                f.unnamed_passwords += 1;
                let ac = v.attr("autocomplete").map(str::to_ascii_lowercase);
                if !form_ac_off && !matches!(ac.as_deref(), Some("off" | "new-password")) {
                    f.password_autocomplete = true;
                }
            }
            continue;
        };
        let tag = v.name();
        let kind = v
            .attr("type")
            .unwrap_or(if tag == "button" { "submit" } else { "text" })
            .to_ascii_lowercase();
        let value = v.attr("value").map(str::to_string);
        match (tag, kind.as_str()) {
            ("select", _) => {
                let opts: Vec<_> = el.select(&OPTIONS).collect();
                let chosen = opts
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(opts.first());
                let val = chosen
                    .map(|o| {
                        o.value()
                            .attr("value")
                            .map(str::to_string)
                            .unwrap_or_else(|| o.text().collect::<String>().trim().to_string())
                    })
                    .unwrap_or_default();
                f.fields.push((name.into(), val));
            }
            ("textarea", _) => {
                let t: String = el.text().collect();
                f.fields.push((
                    name.into(),
                    if t.trim().is_empty() {
                        "rampart".into()
                    } else {
                        t
                    },
                ));
                f.text_fields.push(name.into());
            }
            (_, "submit" | "image" | "button") => {
                if !submit_done && kind != "button" {
                    f.fields
                        .push((name.into(), value.unwrap_or_else(|| "Submit".into())));
                    submit_done = true;
                }
            }
            (_, "reset") => {}
            (_, "file") => f.files.push(name.into()),
            (_, "radio") => {
                if !seen_radio.contains(&name.to_string()) {
                    seen_radio.push(name.to_string());
                    f.fields
                        .push((name.into(), value.unwrap_or_else(|| "on".into())));
                }
            }
            (_, "checkbox") => f
                .fields
                .push((name.into(), value.unwrap_or_else(|| "on".into()))),
            (_, "hidden") => {
                let val = value.unwrap_or_default();
                if TOKEN_NAME.is_match(name)
                    || (val.len() >= 16
                        && val
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_=+/".contains(c)))
                {
                    f.has_token = true;
                }
                f.fields.push((name.into(), val));
            }
            (_, "password") => {
                let ac = v.attr("autocomplete").map(str::to_ascii_lowercase);
                if !form_ac_off && !matches!(ac.as_deref(), Some("off" | "new-password")) {
                    f.password_autocomplete = true;
                }
                f.password_fields.push(name.into());
                f.fields.push((
                    name.into(),
                    value
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| default_value(name, "password")),
                ));
            }
            _ => {
                f.text_fields.push(name.into());
                let val = value
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| default_value(name, &kind));
                f.fields.push((name.into(), val));
            }
        }
    }
    Some(f)
}

/// Parses one HTML page.
pub fn extract(page: &Url, html: &str) -> Extracted {
    let doc = Html::parse_document(html);
    let base = doc
        .select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page.join(h).ok())
        .unwrap_or_else(|| page.clone());
    let mut out = Extracted::default();
    for el in doc.select(&LINKS) {
        let v = el.value();
        let raw = v
            .attr("href")
            .or_else(|| v.attr("src"))
            .or_else(|| v.attr("data"))
            .unwrap_or("");
        if v.name() == "img" {
            continue;
        }
        if let Ok(u) = base.join(raw.trim()) {
            out.links.push(u);
        }
    }
    for el in doc.select(&META) {
        let v = el.value();
        if v.attr("http-equiv")
            .is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
        {
            if let Some(t) = v
                .attr("content")
                .and_then(crate::checks::open_redirect::refresh_target)
            {
                if let Ok(u) = base.join(&t) {
                    out.links.push(u);
                }
            }
        }
    }
    for form in doc.select(&FORMS) {
        if let Some(f) = parse_form(form, &base) {
            out.forms.push(f);
        }
    }
    for s in doc.select(&SCRIPTS) {
        out.scripts.push(s.text().collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_forms_and_defaults() {
        let page = Url::parse("http://h/dir/page").unwrap();
        let html = r#"<html><head><base href="/b/"><meta http-equiv="refresh" content="0; url=/next"></head>
        <body><a href="x?a=1">x</a><iframe src="/frame"></iframe>
        <form method="post" action="/login"><input name="user"><input type="password" name="pw">
        <input type="hidden" name="csrf_token" value="abc"><select name="s"><option value="1">a</option><option value="2" selected>b</option></select>
        <input type="submit" name="go" value="Go"></form><script>var u = "/api/items";</script></body></html>"#;
        let e = extract(&page, html);
        let links: Vec<String> = e.links.iter().map(|u| u.to_string()).collect();
        assert!(links.contains(&"http://h/b/x?a=1".to_string()), "{links:?}");
        assert!(links.contains(&"http://h/frame".to_string()));
        assert!(links.contains(&"http://h/next".to_string()));
        let f = &e.forms[0];
        assert_eq!(f.method, "POST");
        assert_eq!(f.action.as_str(), "http://h/login");
        assert!(f.has_token && f.password_autocomplete);
        assert!(f.fields.contains(&("s".into(), "2".into())));
        assert!(f.fields.contains(&("go".into(), "Go".into())));
        assert_eq!(e.scripts.len(), 1);
    }
}
