//! JavaScript libraries with known vulnerabilities: the advisory data
//! (`advisories/js-libraries.toml`, or the file `RAMPART_JS_ADVISORIES` names), version
//! detection from what a page runs (runtime globals, script file names, banner comments) and
//! the affected ranges.

use regex::Regex;
use serde::Deserialize;
use std::cmp::Ordering;

const BUNDLED: &str = include_str!("../advisories/js-libraries.toml");

#[derive(Deserialize)]
struct DataFile {
    library: Vec<LibraryData>,
}

#[derive(Deserialize)]
struct LibraryData {
    name: String,
    #[serde(default)]
    globals: Vec<String>,
    requires: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    banners: Vec<String>,
    #[serde(default)]
    advisory: Vec<Advisory>,
}

/// One published advisory and the versions it affects.
#[derive(Clone, Debug, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub summary: String,
    /// Each `"[>=A] [<B]"`; a version in any range is affected.
    pub ranges: Vec<String>,
}

impl Advisory {
    pub fn affects(&self, version: &str) -> bool {
        self.ranges.iter().any(|r| in_range(version, r))
    }
}

struct Library {
    name: String,
    globals: Vec<String>,
    requires: Option<String>,
    files: Vec<Regex>,
    banners: Vec<Regex>,
    advisories: Vec<Advisory>,
}

/// The advisory data, compiled.
pub struct Advisories {
    libs: Vec<Library>,
}

/// A library version a page runs, how it was read, and the advisories that affect it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub library: String,
    pub version: String,
    /// `global jQuery.fn.jquery`, `file …/jquery-1.8.3.min.js`, `banner of …`.
    pub how: String,
    pub advisories: Vec<String>,
    pub summaries: Vec<String>,
}

/// What a page shows of its scripts.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScriptFact {
    /// Absolute URL of an external script; `None` for an inline one.
    #[serde(default)]
    pub src: Option<String>,
    /// The first characters of the script's text (inline, or fetched from the browser cache).
    #[serde(default)]
    pub head: String,
}

impl Advisories {
    /// The data `RAMPART_JS_ADVISORIES` names, else the bundled file.
    pub fn load() -> Result<Self, String> {
        match std::env::var_os("RAMPART_JS_ADVISORIES") {
            Some(p) => {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| format!("RAMPART_JS_ADVISORIES ({}): {e}", p.to_string_lossy()))?;
                Self::parse(&text)
            }
            None => Self::bundled(),
        }
    }

    pub fn bundled() -> Result<Self, String> {
        Self::parse(BUNDLED)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let data: DataFile = toml::from_str(text).map_err(|e| format!("advisory data: {e}"))?;
        let compile = |v: &[String], lib: &str| -> Result<Vec<Regex>, String> {
            v.iter()
                .map(|p| Regex::new(p).map_err(|e| format!("advisory data, {lib}: {e}")))
                .collect()
        };
        let mut libs = Vec::new();
        for l in data.library {
            for a in &l.advisory {
                for r in &a.ranges {
                    parse_range(r).ok_or_else(|| {
                        format!("advisory data, {} {}: bad range {r:?}", l.name, a.id)
                    })?;
                }
            }
            libs.push(Library {
                files: compile(&l.files, &l.name)?,
                banners: compile(&l.banners, &l.name)?,
                name: l.name,
                globals: l.globals,
                requires: l.requires,
                advisories: l.advisory,
            });
        }
        Ok(Self { libs })
    }

    /// Every dotted path the page must read (globals and their `requires`).
    pub fn global_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for l in &self.libs {
            for p in l.globals.iter().chain(l.requires.iter()) {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        out
    }

    /// The libraries a page runs with advisories against their version. `globals` maps a
    /// path to its value (`"present"` for a `requires` path that exists).
    pub fn detect(
        &self,
        globals: &std::collections::HashMap<String, String>,
        scripts: &[ScriptFact],
    ) -> Vec<Detected> {
        let mut out = Vec::new();
        for l in &self.libs {
            let found = self.read_version(l, globals, scripts);
            let Some((version, how)) = found else {
                continue;
            };
            let hits: Vec<&Advisory> = l
                .advisories
                .iter()
                .filter(|a| a.affects(&version))
                .collect();
            if hits.is_empty() {
                continue;
            }
            out.push(Detected {
                library: l.name.clone(),
                version,
                how,
                advisories: hits.iter().map(|a| a.id.clone()).collect(),
                summaries: hits
                    .iter()
                    .map(|a| format!("{}: {}", a.id, a.summary))
                    .collect(),
            });
        }
        out
    }

    fn read_version(
        &self,
        l: &Library,
        globals: &std::collections::HashMap<String, String>,
        scripts: &[ScriptFact],
    ) -> Option<(String, String)> {
        let required = l.requires.as_ref().is_none_or(|r| globals.contains_key(r));
        if required {
            for g in &l.globals {
                if let Some(v) = globals.get(g).and_then(|v| version_prefix(v)) {
                    return Some((v, format!("runtime global {g}")));
                }
            }
        }
        for s in scripts {
            if let Some(src) = &s.src {
                let name = src
                    .split(['?', '#'])
                    .next()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                for re in &l.files {
                    if let Some(v) = re.captures(name).and_then(|c| c.get(1)) {
                        return Some((v.as_str().to_string(), format!("script file name {src}")));
                    }
                }
            }
            for re in &l.banners {
                if let Some(v) = re.captures(&s.head).and_then(|c| c.get(1)) {
                    let whose = s.src.as_deref().unwrap_or("an inline script");
                    return Some((v.as_str().to_string(), format!("banner comment of {whose}")));
                }
            }
        }
        None
    }
}

/// `1.2.3` from `1.2.3`, `v1.2.3-beta`, `1.2.3.min`; `None` without a leading number.
fn version_prefix(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches('v');
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let v = v[..end].trim_end_matches('.');
    (!v.is_empty() && v.starts_with(|c: char| c.is_ascii_digit())).then(|| v.to_string())
}

/// Compares versions numerically part by part (missing parts are 0; suffixes ignored).
pub fn compare(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<u64> {
        version_prefix(v)
            .unwrap_or_default()
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let o = pa.get(i).unwrap_or(&0).cmp(pb.get(i).unwrap_or(&0));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// `(at least, below)` of `">=A <B"`, either optional; `None` when malformed.
fn parse_range(r: &str) -> Option<(Option<&str>, Option<&str>)> {
    let (mut lo, mut hi) = (None, None);
    for t in r.split_whitespace() {
        if let Some(v) = t.strip_prefix(">=") {
            lo = Some(v);
        } else if let Some(v) = t.strip_prefix('<') {
            hi = Some(v);
        } else {
            return None;
        }
    }
    Some((lo, hi))
}

fn in_range(version: &str, range: &str) -> bool {
    let Some((lo, hi)) = parse_range(range) else {
        return false;
    };
    lo.is_none_or(|lo| compare(version, lo) != Ordering::Less)
        && hi.is_none_or(|hi| compare(version, hi) == Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn globals(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn ids(d: &[Detected], lib: &str) -> Vec<String> {
        d.iter()
            .find(|x| x.library == lib)
            .map(|x| x.advisories.clone())
            .unwrap_or_default()
    }

    #[test]
    fn versions_compare_numerically_and_ranges_are_half_open() {
        assert_eq!(compare("1.10.0", "1.9.1"), Ordering::Greater);
        assert_eq!(compare("3.5", "3.5.0"), Ordering::Equal);
        assert_eq!(compare("v2.29.1", "2.29.2"), Ordering::Less);
        assert!(in_range("3.4.1", "<3.5.0"));
        assert!(!in_range("3.5.0", "<3.5.0"));
        assert!(in_range("4.0.0", ">=4.0.0 <4.1.2"));
        assert!(!in_range("3.9.9", ">=4.0.0 <4.1.2"));
        assert!(in_range("1.8.3", ">=1.7.0"));
        assert_eq!(parse_range("~1.2"), None);
    }

    #[test]
    fn the_bundled_data_parses_and_names_real_advisories() {
        let a = Advisories::bundled().unwrap();
        let paths = a.global_paths();
        assert!(paths.contains(&"jQuery.fn.jquery".to_string()));
        assert!(paths.contains(&"_.defaultsDeep".to_string()));
        // jQuery 3.4.1: the two 3.5.0 XSS fixes; 3.5.0: nothing.
        let d = a.detect(&globals(&[("jQuery.fn.jquery", "3.4.1")]), &[]);
        assert_eq!(ids(&d, "jQuery"), vec!["CVE-2020-11022", "CVE-2020-11023"]);
        assert!(a
            .detect(&globals(&[("jQuery.fn.jquery", "3.5.0")]), &[])
            .is_empty());
        let d = a.detect(&globals(&[("jQuery.fn.jquery", "1.8.3")]), &[]);
        assert_eq!(ids(&d, "jQuery").len(), 5);
        // Bootstrap 4.3.1 is fixed, 4.1.3 has one advisory, 3.3.7 three.
        assert!(a
            .detect(&globals(&[("bootstrap.Tooltip.VERSION", "4.3.1")]), &[])
            .is_empty());
        let d = a.detect(&globals(&[("bootstrap.Tooltip.VERSION", "4.1.3")]), &[]);
        assert_eq!(ids(&d, "Bootstrap"), vec!["CVE-2019-8331"]);
        let d = a.detect(&globals(&[("bootstrap.Tooltip.VERSION", "3.3.7")]), &[]);
        assert_eq!(ids(&d, "Bootstrap").len(), 3);
        // Lodash only when `_` is Lodash (Underscore has `_.VERSION` too).
        assert!(a
            .detect(&globals(&[("_.VERSION", "1.8.3")]), &[])
            .is_empty());
        let d = a.detect(
            &globals(&[("_.VERSION", "4.17.15"), ("_.defaultsDeep", "present")]),
            &[],
        );
        assert_eq!(ids(&d, "Lodash"), vec!["CVE-2020-8203", "CVE-2021-23337"]);
        assert!(a
            .detect(
                &globals(&[("_.VERSION", "4.17.21"), ("_.defaultsDeep", "present")]),
                &[]
            )
            .is_empty());
        // AngularJS is end of life: every 1.7+ keeps CVE-2022-25844.
        let d = a.detect(&globals(&[("angular.version.full", "1.8.3")]), &[]);
        assert_eq!(ids(&d, "AngularJS"), vec!["CVE-2022-25844"]);
        let d = a.detect(&globals(&[("moment.version", "2.29.3")]), &[]);
        assert_eq!(ids(&d, "Moment.js"), vec!["CVE-2022-31129"]);
    }

    #[test]
    fn file_names_and_banners_give_the_version_when_no_global_does() {
        let a = Advisories::bundled().unwrap();
        let s = |src: Option<&str>, head: &str| ScriptFact {
            src: src.map(str::to_string),
            head: head.to_string(),
        };
        let d = a.detect(
            &HashMap::new(),
            &[s(Some("https://cdn.test/js/jquery-1.12.4.min.js?v=3"), "")],
        );
        assert_eq!(d[0].library, "jQuery");
        assert_eq!(d[0].version, "1.12.4");
        assert!(d[0].how.contains("file name"));
        let d = a.detect(
            &HashMap::new(),
            &[s(
                Some("https://shop.test/static/vendor.js"),
                "/*! jQuery v2.2.4 | (c) jQuery Foundation | jquery.org/license */",
            )],
        );
        assert_eq!(
            (d[0].library.as_str(), d[0].version.as_str()),
            ("jQuery", "2.2.4")
        );
        let d = a.detect(
            &HashMap::new(),
            &[s(
                None,
                "/**\n * @license\n * Lodash <https://lodash.com/>\n */\n;(function() {\n  var undefined;\n  var VERSION = '4.17.4';",
            )],
        );
        assert_eq!(
            (d[0].library.as_str(), d[0].version.as_str()),
            ("Lodash", "4.17.4")
        );
        let d = a.detect(
            &HashMap::new(),
            &[s(None, "//! moment.js\n//! version : 2.18.1\n//! authors")],
        );
        assert_eq!(
            (d[0].library.as_str(), d[0].version.as_str()),
            ("Moment.js", "2.18.1")
        );
        // A name that only looks like a library, and a current version: nothing.
        assert!(a
            .detect(
                &HashMap::new(),
                &[s(Some("https://x.test/my-jquery-plugin.js"), "")]
            )
            .is_empty());
        assert!(a
            .detect(
                &HashMap::new(),
                &[s(Some("https://x.test/jquery-3.7.1.min.js"), "")]
            )
            .is_empty());
    }

    #[test]
    fn a_replacement_data_file_is_checked_when_loaded() {
        assert!(Advisories::parse("[[library]]\nname = \"x\"\nfiles = ['(']\n").is_err());
        assert!(Advisories::parse(
            "[[library]]\nname = \"x\"\n[[library.advisory]]\nid = \"CVE-1\"\nsummary = \"s\"\nranges = [\"~1\"]\n"
        )
        .is_err());
        let a = Advisories::parse(
            "[[library]]\nname = \"Widget\"\nglobals = [\"Widget.version\"]\n[[library.advisory]]\nid = \"CVE-2099-1\"\nsummary = \"s\"\nranges = [\"<2.0.0\"]\n",
        )
        .unwrap();
        let d = a.detect(&globals(&[("Widget.version", "1.0.0")]), &[]);
        assert_eq!(d[0].advisories, vec!["CVE-2099-1"]);
    }
}
