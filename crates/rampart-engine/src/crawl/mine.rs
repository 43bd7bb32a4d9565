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
