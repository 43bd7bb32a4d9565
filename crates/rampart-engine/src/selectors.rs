//! Query parameters whose values select different pages (`index.php?page=NAME`), learned from
//! responses: two values of one parameter that give structurally different pages are two pages.
//! The crawler keys its patterns by them and the finding sink keeps their values in root causes.

use crate::similarity::similarity;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use url::Url;

/// Two pages whose tag skeletons are less similar than this are different pages.
const SAME_TEMPLATE: f64 = 0.9;

/// The selector parameters learned so far, per (host, path pattern).
#[derive(Debug, Default)]
pub struct PageSelectors {
    by_path: Mutex<HashMap<String, BTreeSet<String>>>,
}

/// The key selectors are learned under: scheme, host, port and path pattern.
pub fn path_key(url: &Url) -> String {
    format!(
        "{}://{}:{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0),
        crate::target::path_pattern(url)
    )
}

/// The sequence of tag names of an HTML page: what "structurally" compares.
pub fn skeleton(body: &str) -> String {
    let mut out = String::new();
    let b = body.as_bytes();
    let mut i = 0;
    while let Some(p) = body[i..].find('<') {
        let start = i + p + 1;
        let mut end = start;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'/') {
            end += 1;
        }
        if end > start {
            out.push_str(&body[start..end].to_ascii_lowercase());
            out.push(' ');
        }
        i = end.max(start);
        if i >= b.len() {
            break;
        }
    }
    out
}

/// Whether two skeletons belong to different page templates.
pub fn different_pages(a: &str, b: &str) -> bool {
    similarity(a, b) < SAME_TEMPLATE
}

impl PageSelectors {
    /// The selector parameter names known for `url`'s path.
    pub fn of(&self, url: &Url) -> BTreeSet<String> {
        self.by_path
            .lock()
            .ok()
            .and_then(|m| m.get(&path_key(url)).cloned())
            .unwrap_or_default()
    }

    /// Marks `names` as selectors of `url`'s path; returns whether any was new.
    pub fn learn(&self, url: &Url, names: impl IntoIterator<Item = String>) -> bool {
        let Ok(mut m) = self.by_path.lock() else {
            return false;
        };
        let set = m.entry(path_key(url)).or_default();
        let before = set.len();
        set.extend(names);
        set.len() > before
    }

    /// `name=value` of every selector present in `url`'s query, sorted (empty when none).
    pub fn page_of(&self, url: &Url) -> Vec<(String, String)> {
        let sel = self.of(url);
        if sel.is_empty() {
            return Vec::new();
        }
        let mut v: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| sel.contains(k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The query parameters whose values differ between two URLs of one pattern, ids (numbers)
/// left out: pages behind ids are told apart by their templates, not their values.
pub fn differing(a: &Url, b: &Url) -> Vec<String> {
    let pa: HashMap<String, String> = a.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    let id = |v: &str| v.chars().all(|c| c.is_ascii_digit() || c == '-');
    let mut out: Vec<String> = b
        .query_pairs()
        .filter(|(k, v)| {
            pa.get(k.as_ref())
                .is_some_and(|x| x != v && !id(x) && !id(v))
        })
        .map(|(k, _)| k.into_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_tell_templates_apart() {
        let a = skeleton("<html><body><h1>A</h1><p>x</p></body></html>");
        assert_eq!(a, "html body h1 /h1 p /p /body /html ");
        let same = skeleton("<html><body><h1>B and more text</h1><p>y</p></body></html>");
        assert!(!different_pages(&a, &same));
        let other = skeleton(
            "<html><body><form><input><input><select><option></select></form><table><tr><td></td></tr></table></body></html>",
        );
        assert!(different_pages(&a, &other));
    }

    #[test]
    fn selectors_are_learned_per_path_pattern() {
        let s = PageSelectors::default();
        let u = Url::parse("http://h/index.php?page=about&q=1").unwrap();
        assert!(s.page_of(&u).is_empty());
        assert!(s.learn(&u, ["page".to_string()]));
        assert!(!s.learn(&u, ["page".to_string()]));
        assert_eq!(s.page_of(&u), vec![("page".into(), "about".into())]);
        let other = Url::parse("http://h/other.php?page=about").unwrap();
        assert!(s.page_of(&other).is_empty());
        let b = Url::parse("http://h/index.php?q=1&page=faq").unwrap();
        assert_eq!(differing(&u, &b), vec!["page".to_string()]);
        let (i1, i2) = (
            Url::parse("http://h/item.php?id=1").unwrap(),
            Url::parse("http://h/item.php?id=2").unwrap(),
        );
        assert!(differing(&i1, &i2).is_empty(), "ids are not page names");
    }
}
