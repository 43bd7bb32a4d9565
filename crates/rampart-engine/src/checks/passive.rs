//! Passive analysis of every crawl and login response, aggregated to one finding per
//! (check, host) for header checks and per (check, path pattern) for page checks. A host
//! finding lists the pages it was seen on as variances (bounded: the first
//! [`HOST_PAGES_LISTED`], then one variance counting the rest at the scan's end).

use super::registry::Inspect;
use crate::client::{Observer, Purpose};
use crate::crawl::html::{extract, Extracted};
use crate::finding::{Confidence, Exchange, Report, Variance};
use crate::http::{HttpRequest, HttpResponse};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use url::Url;

/// One response under analysis.
pub(crate) struct Page<'a> {
    pub req: &'a HttpRequest,
    pub resp: &'a HttpResponse,
    pub text: String,
    pub html: Option<Extracted>,
    pub https: bool,
    /// This scan's session cookie samples (`predictable_session_id`).
    pub sessions: &'a super::predictable_session_id::Samples,
}

/// How a passive hit aggregates.
pub(crate) enum Scope {
    /// One finding per host, reported at the origin (missing headers).
    Host,
    /// One finding per path pattern and method.
    Page,
    /// One finding per (host, parameter), reported at the page where it was first seen
    /// (cookies set by one page and carried everywhere).
    HostOnce,
}

pub(crate) struct PHit {
    pub attack_id: &'static str,
    pub proof: String,
    pub scope: Scope,
    pub parameter: String,
    /// The weakness when it is narrower than the module's (e.g. which cookie flag is missing).
    pub cwe: Option<u32>,
}

impl PHit {
    pub fn host(attack_id: &'static str, proof: impl Into<String>) -> Self {
        Self {
            attack_id,
            proof: proof.into(),
            scope: Scope::Host,
            parameter: String::new(),
            cwe: None,
        }
    }
    pub fn once(
        attack_id: &'static str,
        proof: impl Into<String>,
        parameter: impl Into<String>,
    ) -> Self {
        Self {
            attack_id,
            proof: proof.into(),
            scope: Scope::HostOnce,
            parameter: parameter.into(),
            cwe: None,
        }
    }
    pub fn page(
        attack_id: &'static str,
        proof: impl Into<String>,
        parameter: impl Into<String>,
    ) -> Self {
        Self {
            attack_id,
            proof: proof.into(),
            scope: Scope::Page,
            parameter: parameter.into(),
            cwe: None,
        }
    }
}

/// Pages of a host finding listed one by one (a variance each); the sink keeps
/// [`crate::finding::MAX_VARIANCES`], the last one is the count of the rest.
pub(crate) const HOST_PAGES_LISTED: usize = crate::finding::MAX_VARIANCES - 1;

/// Where a host finding was seen beyond the first page.
#[derive(Default)]
struct HostPages {
    /// Pages listed, as `METHOD path-pattern`.
    listed: HashSet<String>,
    /// Further distinct pages, not listed (their keys' hashes, to count each once).
    rest: HashSet<u64>,
    attack_id: &'static str,
    proof: String,
    origin: Option<Url>,
}

/// Runs the enabled passive checks; remembers what it already reported.
pub(crate) struct Passive {
    enabled: Vec<(&'static str, Inspect)>,
    seen: Mutex<HashSet<(String, String, String)>>,
    /// Per host finding (module, origin, parameter): the pages it was seen on.
    hosts: Mutex<HashMap<(String, String, String), HostPages>>,
    sessions: super::predictable_session_id::Samples,
}

impl Passive {
    pub fn new(modules: &crate::plan::Modules) -> Self {
        let enabled = super::REGISTRY
            .iter()
            .filter(|c| modules.enabled.contains_key(c.key))
            .filter_map(|c| Some((c.key, c.passive?)))
            .collect();
        Self {
            enabled,
            seen: Mutex::new(HashSet::new()),
            hosts: Mutex::new(HashMap::new()),
            sessions: Default::default(),
        }
    }

    /// Whether a host finding seen on `page` is listed there: the first
    /// [`HOST_PAGES_LISTED`] distinct pages are; the others are counted for [`Self::rest`].
    fn list_host_page(
        &self,
        k: &(String, String, String),
        h: &PHit,
        origin: &Url,
        page: String,
    ) -> bool {
        let Ok(mut hosts) = self.hosts.lock() else {
            return false;
        };
        let e = hosts.entry(k.clone()).or_default();
        if e.origin.is_none() {
            e.attack_id = h.attack_id;
            e.proof = h.proof.clone();
            e.origin = Some(origin.clone());
        }
        if e.listed.contains(&page) {
            return false;
        }
        if e.listed.len() < HOST_PAGES_LISTED {
            e.listed.insert(page);
            return true;
        }
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .hash_one(&page);
        e.rest.insert(hash);
        false
    }

    /// At the scan's end: for each host finding seen on more pages than it lists, one
    /// variance saying on how many more.
    pub fn rest(&self) -> Vec<Report> {
        let Ok(hosts) = self.hosts.lock() else {
            return Vec::new();
        };
        let mut out: Vec<Report> = hosts
            .iter()
            .filter(|(_, e)| !e.rest.is_empty())
            .filter_map(|((module, _, parameter), e)| {
                let module = self.enabled.iter().find(|(k, _)| *k == module.as_str())?.0;
                let origin = e.origin.clone()?;
                let n = e.rest.len();
                Some(Report {
                    module,
                    url: origin.clone(),
                    method: "GET".into(),
                    parameter: parameter.clone(),
                    location: None,
                    cwe: None,
                    variance: Variance {
                        url: origin.to_string(),
                        attack_id: e.attack_id.to_string(),
                        attack_value: String::new(),
                        proof: format!(
                            "{}; also seen on {n} more page(s) of this host, not listed",
                            e.proof
                        ),
                        proof_description: format!(
                            "seen on {} page(s) of this host: the first {} are listed, {n} more are not",
                            e.listed.len() + n,
                            e.listed.len()
                        ),
                        confidence: Confidence::Firm,
                        original: None,
                        attack: None,
                    },
                })
            })
            .collect();
        out.sort_by(|a, b| (a.module, a.url.as_str()).cmp(&(b.module, b.url.as_str())));
        out
    }
}

fn origin(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_path("/");
    u.set_query(None);
    u.set_fragment(None);
    u
}

impl Observer for Passive {
    fn observe(&self, purpose: Purpose, req: &HttpRequest, resp: &HttpResponse) -> Vec<Report> {
        if purpose == Purpose::Attack || self.enabled.is_empty() {
            return Vec::new();
        }
        let text = resp.text();
        let html = resp.is_html().then(|| extract(&req.url, &text));
        let page = Page {
            req,
            resp,
            text,
            html,
            https: req.url.scheme() == "https",
            sessions: &self.sessions,
        };
        let mut out = Vec::new();
        for (key, f) in &self.enabled {
            for h in f(&page) {
                let page_url = || {
                    let mut u = req.url.clone();
                    u.set_path(&crate::target::path_pattern(&req.url).replace("{id}", "1"));
                    u.set_query(None);
                    u
                };
                let (url, method, seen_key) = match h.scope {
                    Scope::Host => (
                        origin(&req.url),
                        "GET".to_string(),
                        origin(&req.url).to_string(),
                    ),
                    Scope::Page => (
                        page_url(),
                        req.method.clone(),
                        format!("{} {}", req.method, page_url()),
                    ),
                    Scope::HostOnce => {
                        (page_url(), req.method.clone(), origin(&req.url).to_string())
                    }
                };
                let k = (key.to_string(), seen_key, h.parameter.clone());
                let fresh = match h.scope {
                    // Every page a host finding is seen on is a variance of it (bounded).
                    Scope::Host => {
                        self.list_host_page(&k, &h, &url, format!("{} {}", req.method, page_url()))
                    }
                    Scope::Page | Scope::HostOnce => {
                        self.seen.lock().map(|mut s| s.insert(k)).unwrap_or(false)
                    }
                };
                if !fresh {
                    continue;
                }
                out.push(Report {
                    module: key,
                    url,
                    method,
                    parameter: h.parameter,
                    location: None,
                    cwe: h.cwe,
                    variance: Variance {
                        url: req.url.to_string(),
                        attack_id: h.attack_id.to_string(),
                        attack_value: String::new(),
                        proof: h.proof,
                        proof_description: proof_description(key, h.attack_id),
                        confidence: Confidence::Firm,
                        original: None,
                        attack: Some(Exchange::of(req, resp)),
                    },
                });
            }
        }
        out
    }
}

/// What a passive proof shows: the attack's own description in the catalogue (what was seen,
/// e.g. "Set-Cookie without HttpOnly."), said to be seen in a response the scan received.
fn proof_description(module: &str, attack_id: &str) -> String {
    let what = crate::catalogue::module(module)
        .and_then(|m| m.attacks.iter().find(|a| a.id == attack_id))
        .map(|a| a.description.trim_end_matches('.'))
        .unwrap_or("the pattern of this check");
    format!("{what}: seen in a response the scan received (no request of its own)")
}

#[cfg(test)]
#[test]
fn passive_proofs_say_what_was_seen() {
    let d = proof_description("cookie_flags", "COOKIE_01");
    assert!(d.starts_with("Set-Cookie without HttpOnly"), "{d}");
    assert_ne!(d, proof_description("csp", "CSP_01"));
}

/// Runs passive inspectors against recorded responses, for the checks' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// `f` applied to a recorded GET of `url` answered with `status`, `headers` and `body`:
    /// the attack ids and parameters of its hits.
    pub(crate) fn hits(
        f: Inspect,
        url: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Vec<(&'static str, String)> {
        phits(f, url, status, headers, body)
            .into_iter()
            .map(|h| (h.attack_id, h.parameter))
            .collect()
    }

    /// [`hits`], whole.
    pub(crate) fn phits(
        f: Inspect,
        url: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Vec<PHit> {
        let req = HttpRequest::get(Url::parse(url).unwrap());
        let resp = HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            ..Default::default()
        };
        let text = resp.text();
        let html = resp.is_html().then(|| extract(&req.url, &text));
        let page = Page {
            req: &req,
            resp: &resp,
            text,
            html,
            https: req.url.scheme() == "https",
            sessions: &Default::default(),
        };
        f(&page)
    }

    /// One recorded example: name, URL, status, headers, body, expected attack ids.
    pub(crate) type Example<'a> = (
        &'a str,
        &'a str,
        u16,
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a [&'a str],
    );

    /// Checks every example of `table` against `f`.
    pub(crate) fn check(f: Inspect, table: &[Example<'_>]) {
        for (name, url, status, headers, body, want) in table {
            let got: Vec<&str> = hits(f, url, *status, headers, body)
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            assert_eq!(&got, want, "example {name:?}");
        }
    }

    pub(crate) const HTML: (&str, &str) = ("content-type", "text/html; charset=utf-8");
    pub(crate) const PAGE: &str =
        "<!doctype html><html><head><title>Shop</title></head><body><p>Welcome</p></body></html>";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reports of one observed GET: module, finding URL, variance URL.
    fn observe(p: &Passive, url: &str, headers: &[(&str, &str)]) -> Vec<(String, String, String)> {
        let req = HttpRequest::get(Url::parse(url).unwrap());
        let resp = super::super::common::recorded(200, headers, testing::PAGE);
        p.observe(Purpose::Crawl, &req, &resp)
            .into_iter()
            .map(|r| (r.module.to_string(), r.url.to_string(), r.variance.url))
            .collect()
    }

    const XCTO: &str = "x_content_type_options";

    #[test]
    fn findings_aggregate_per_host_and_skip_attack_traffic() {
        let modules = crate::plan::Modules::template("Passive Only").unwrap();
        let p = Passive::new(&modules);
        let html = testing::HTML;
        let first = observe(&p, "http://a.example/one", &[html]);
        assert!(first
            .iter()
            .any(|(m, u, v)| m == XCTO && u == "http://a.example/" && v == "http://a.example/one"));
        // The same missing header on another page of the host: the same finding (its root
        // cause is the origin), with this page as a variance.
        let second = observe(&p, "http://a.example/two?x=1", &[html]);
        assert!(second.iter().any(|(m, u, v)| m == XCTO
            && u == "http://a.example/"
            && v == "http://a.example/two?x=1"));
        // A page already listed (same method and path pattern) is not listed again.
        let again = observe(&p, "http://a.example/two?x=2", &[html]);
        assert!(!again.iter().any(|(m, _, _)| m == XCTO));
        // Another host is another finding.
        let other = observe(&p, "http://b.example/", &[html]);
        assert!(other
            .iter()
            .any(|(m, u, _)| m == XCTO && u == "http://b.example/"));
        // Attack responses are never analysed passively.
        let req = HttpRequest::get(Url::parse("http://c.example/").unwrap());
        let resp = super::super::common::recorded(200, &[html], testing::PAGE);
        assert!(p.observe(Purpose::Attack, &req, &resp).is_empty());
        // Nothing beyond the listed pages yet: no count of the rest.
        assert!(p.rest().is_empty());
    }

    #[test]
    fn a_host_finding_lists_its_first_pages_and_counts_the_rest() {
        let modules = crate::plan::Modules::template("Passive Only").unwrap();
        let p = Passive::new(&modules);
        let listed: Vec<String> = (0..30)
            .flat_map(|i| observe(&p, &format!("http://a.example/p{i}"), &[testing::HTML]))
            .filter(|(m, _, _)| m == XCTO)
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(listed.len(), HOST_PAGES_LISTED);
        assert_eq!(listed[0], "http://a.example/p0");
        // The same page again changes nothing.
        observe(&p, "http://a.example/p29", &[testing::HTML]);
        let rest: Vec<Report> = p.rest().into_iter().filter(|r| r.module == XCTO).collect();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].url.as_str(), "http://a.example/");
        let more = 30 - HOST_PAGES_LISTED;
        assert!(
            rest[0].variance.proof.ends_with(&format!(
                "also seen on {more} more page(s) of this host, not listed"
            )),
            "{}",
            rest[0].variance.proof
        );
        // With the count, the finding holds exactly the variances the sink keeps.
        assert_eq!(HOST_PAGES_LISTED + 1, crate::finding::MAX_VARIANCES);
    }
}
