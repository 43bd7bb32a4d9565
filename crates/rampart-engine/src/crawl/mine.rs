//! URL mining from JavaScript, JSON, robots.txt, sitemaps and `Link` headers.

use regex::Regex;
use std::sync::LazyLock;
use url::Url;

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"["'`]((?:https?://[A-Za-z0-9.\-:]+)?/[A-Za-z0-9_\-][A-Za-z0-9_\-./?=&%~+:@,]*)["'`]"#,
    )
    .unwrap_or_else(|_| unreachable!("literal regex"))
});
static LOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<loc>\s*([^<\s]+)\s*</loc>").unwrap_or_else(|_| unreachable!("literal regex"))
});
static LINK_HDR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([^>]+)>").unwrap_or_else(|_| unreachable!("literal regex")));

static FETCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)\bfetch\(\s*["'`]([^"'`\s]+)["'`]\s*,\s*\{(.{0,400}?)\}\s*\)"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static XHR_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)\.open\(\s*["'`](POST|PUT|PATCH)["'`]\s*,\s*["'`]([^"'`\s]+)["'`](.{0,400})"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)method\s*:\s*["'`](POST|PUT|PATCH)["'`]"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// What a script sends to a URL with a body: `fetch(url, {method: 'POST', …})` and
/// `xhr.open('POST', url)`, with the body's kind read from the nearby content type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptRequest {
    pub method: String,
    pub url: Url,
    /// The request carries XML (a `…xml` content type), else JSON or a form.
    pub xml: bool,
    pub json: bool,
}

/// Requests with a body that `text` (an inline or linked script) makes.
pub fn script_requests(base: &Url, text: &str) -> Vec<ScriptRequest> {
    let kind = |opts: &str| {
        let l = opts.to_ascii_lowercase();
        (l.contains("xml"), l.contains("json"))
    };
    let mut out = Vec::new();
    for c in FETCH.captures_iter(text) {
        let Some(m) = METHOD.captures(&c[2]) else {
            continue;
        };
        let Ok(url) = base.join(&c[1]) else { continue };
        let (xml, json) = kind(&c[2]);
        out.push(ScriptRequest {
            method: m[1].to_ascii_uppercase(),
            url,
            xml,
            json,
        });
    }
    for c in XHR_OPEN.captures_iter(text) {
        let Ok(url) = base.join(&c[2]) else { continue };
        let (xml, json) = kind(&c[3]);
        out.push(ScriptRequest {
            method: c[1].to_ascii_uppercase(),
            url,
            xml,
            json,
        });
    }
    out
}

/// Quoted absolute paths and URLs in script or JSON text.
pub fn urls_in_text(base: &Url, text: &str) -> Vec<Url> {
    QUOTED
        .captures_iter(text)
        .filter_map(|c| {
            let s = &c[1];
            // Skip obvious non-navigations: comments-like `//`, regexes and mime types.
            if s.starts_with("//") || s.contains("/*") {
                return None;
            }
            base.join(s).ok()
        })
        .collect()
}

/// `Allow`/`Disallow` paths and `Sitemap` URLs of a robots.txt.
pub fn robots(base: &Url, text: &str) -> Vec<Url> {
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("").trim();
            let (k, v) = l.split_once(':')?;
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim();
            if v.is_empty() || !matches!(k.as_str(), "allow" | "disallow" | "sitemap") {
                return None;
            }
            let v = v.split(['*', '$']).next().unwrap_or("");
            base.join(v).ok()
        })
        .collect()
}

pub fn sitemap(base: &Url, text: &str) -> Vec<Url> {
    LOC.captures_iter(text)
        .filter_map(|c| base.join(&c[1]).ok())
        .collect()
}

pub fn link_header(base: &Url, value: &str) -> Vec<Url> {
    LINK_HDR
        .captures_iter(value)
        .filter_map(|c| base.join(&c[1]).ok())
        .collect()
}

/// `/a/b/c.php` → `/a/b/`, `/a/`, `/`.
pub fn parents(url: &Url) -> Vec<Url> {
    let mut out = Vec::new();
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let path = u.path().to_string();
    let segs: Vec<&str> = path.split('/').collect();
    for i in (1..segs.len()).rev() {
        let p = format!("{}/", segs[..i].join("/"));
        if p != path {
            let mut d = u.clone();
            d.set_path(&p);
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_requests_with_bodies() {
        let base = Url::parse("http://a.example/app/").unwrap();
        let js = r#"function send(x) { return fetch('/api/import', { method: 'POST', headers: {'Content-Type': 'application/xml'}, body: x }); }
            fetch("/api/notes", {method: "post", headers: {"Content-Type": "application/json"}, body: JSON.stringify(n)});
            fetch('/api/list');
            var r = new XMLHttpRequest(); r.open('PUT', 'labels'); r.setRequestHeader('Content-Type', 'text/xml');"#;
        let got = script_requests(&base, js);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            (got[0].url.path(), got[0].xml, got[0].method.as_str()),
            ("/api/import", true, "POST")
        );
        assert_eq!(
            (got[1].url.path(), got[1].json, got[1].xml),
            ("/api/notes", true, false)
        );
        assert_eq!(
            (got[2].url.path(), got[2].xml, got[2].method.as_str()),
            ("/app/labels", true, "PUT")
        );
    }

    #[test]
    fn mines_js_robots_sitemaps_and_parents() {
        let b = Url::parse("http://h/app/").unwrap();
        let js = r#"fetch("/api/users?id=1"); var x = 'http://h/y'; var r = "//cdn.example/x";"#;
        let u: Vec<String> = urls_in_text(&b, js).iter().map(|u| u.to_string()).collect();
        assert_eq!(u, vec!["http://h/api/users?id=1", "http://h/y"]);
        let r = robots(
            &b,
            "User-agent: *\nDisallow: /admin/\nSitemap: http://h/sm.xml\n",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(
            sitemap(&b, "<urlset><url><loc>http://h/a</loc></url></urlset>").len(),
            1
        );
        let p: Vec<String> = parents(&Url::parse("http://h/a/b/c.php").unwrap())
            .iter()
            .map(|u| u.path().to_string())
            .collect();
        assert_eq!(p, vec!["/a/b/", "/a/", "/"]);
    }
}
