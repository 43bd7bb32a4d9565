//! Findings, their dedupe key, variances and the sink that streams them.

use crate::events::Event;
use crate::http::{raw_request, raw_response, HttpRequest, HttpResponse};
use rampart_domain::{ParameterLocation, Severity};
use serde::Serialize;
use std::collections::HashMap;
use tokio::sync::{mpsc, Mutex};
use url::Url;

/// At most this many variances are kept per finding (memory bound).
pub const MAX_VARIANCES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Confidence {
    Tentative,
    Firm,
    Confirmed,
}

impl Confidence {
    /// The platform's spelling (a vulnerability variance's `confidence`): `LOW`, `HIGH`,
    /// `CONFIRMED`. [`Confidence::from_platform`] reads it back.
    pub fn as_platform(self) -> &'static str {
        match self {
            Confidence::Tentative => "LOW",
            Confidence::Firm => "HIGH",
            Confidence::Confirmed => "CONFIRMED",
        }
    }

    /// A platform confidence (`LOW`, `MEDIUM`, `HIGH`, `CONFIRMED`) or the engine's own name
    /// (`TENTATIVE`, `FIRM`, `CONFIRMED`; `CERTAIN` reads as confirmed), any case.
    pub fn from_platform(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "LOW" | "TENTATIVE" => Some(Confidence::Tentative),
            "MEDIUM" | "HIGH" | "FIRM" => Some(Confidence::Firm),
            "CONFIRMED" | "CERTAIN" => Some(Confidence::Confirmed),
            _ => None,
        }
    }
}

/// Raw request and response text.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    pub request: String,
    pub response: String,
}

impl Exchange {
    pub fn of(req: &HttpRequest, resp: &HttpResponse) -> Self {
        Self {
            request: raw_request(req),
            response: raw_response(resp),
        }
    }
}

/// Evidence text as it may be stored: secrets redacted (`redact.rs`) and NUL characters
/// (binary responses: archives, images) shown as U+FFFD, since no database keeps a NUL in
/// text and the platform refuses one in a JSON body.
fn storable(text: &str) -> String {
    crate::redact::redact_secrets(text).replace('\0', "\u{FFFD}")
}

impl Exchange {
    fn redact_secrets(&mut self) {
        self.request = storable(&self.request);
        self.response = storable(&self.response);
    }
}

impl Variance {
    /// Replaces the secrets in the proof, the value and the exchanges (`redact.rs`): the one
    /// place every finding passes before it is kept or sent.
    pub(crate) fn redact_secrets(&mut self) {
        self.proof = storable(&self.proof);
        self.attack_value = storable(&self.attack_value);
        for e in [&mut self.original, &mut self.attack].into_iter().flatten() {
            e.redact_secrets();
        }
    }
}

/// One occurrence of a finding.
#[derive(Clone, Debug, Serialize)]
pub struct Variance {
    pub url: String,
    pub attack_id: String,
    pub attack_value: String,
    pub proof: String,
    pub proof_description: String,
    pub confidence: Confidence,
    pub original: Option<Exchange>,
    pub attack: Option<Exchange>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub id: uuid::Uuid,
    pub module_key: String,
    pub module_id: uuid::Uuid,
    pub name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Root cause URL: query values removed.
    pub root_cause_url: String,
    pub root_cause_parameter: String,
    pub root_cause_method: String,
    pub location: Option<ParameterLocation>,
    pub cwe: u32,
    pub cvss_vector: String,
    pub variances: Vec<Variance>,
}

/// What a check reports; the sink turns it into a finding or a variance.
#[derive(Clone, Debug)]
pub struct Report {
    pub module: &'static str,
    pub url: Url,
    pub method: String,
    pub parameter: String,
    pub location: Option<ParameterLocation>,
    /// Overrides the module's CWE when the check knows the narrower weakness.
    pub cwe: Option<u32>,
    pub variance: Variance,
}

/// `scheme://host:port/path?a=&b=` — query names kept, values dropped, fragment removed.
pub fn root_cause_url(url: &Url) -> String {
    root_cause(url, &[], "")
}

/// [`root_cause_url`], keeping the values of the parameters that select the page (`page`)
/// except the attacked `parameter` itself: `index.php?page=about&q=`.
pub fn root_cause(url: &Url, page: &[(String, String)], parameter: &str) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    let names: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if names.is_empty() {
        u.set_query(None);
    } else {
        let mut sorted = names;
        sorted.sort();
        sorted.dedup();
        let q: Vec<String> = sorted
            .iter()
            .map(|n| {
                let kept = page.iter().find(|(k, _)| k == n && k != parameter);
                let v: String = kept
                    .map(|(_, v)| url::form_urlencoded::byte_serialize(v.as_bytes()).collect())
                    .unwrap_or_default();
                format!("{n}={v}")
            })
            .collect();
        u.set_query(Some(&q.join("&")));
    }
    u.to_string()
}

type Key = (String, String, String, String);

pub(crate) struct FindingSink {
    events: mpsc::Sender<Event>,
    counters: std::sync::Arc<crate::events::Counters>,
    plan: crate::plan::Modules,
    pub(crate) selectors: std::sync::Arc<crate::selectors::PageSelectors>,
    state: Mutex<SinkState>,
}

#[derive(Default)]
struct SinkState {
    findings: Vec<Finding>,
    index: HashMap<Key, usize>,
    per_module: HashMap<&'static str, usize>,
    /// Findings not reported per module because its `max_findings` was reached.
    capped: Vec<(&'static str, usize, u64)>,
}

pub(crate) enum Recorded {
    New,
    Variance,
    Capped,
}

impl FindingSink {
    pub fn new(
        events: mpsc::Sender<Event>,
        counters: std::sync::Arc<crate::events::Counters>,
        plan: crate::plan::Modules,
        selectors: std::sync::Arc<crate::selectors::PageSelectors>,
    ) -> Self {
        Self {
            events,
            counters,
            plan,
            selectors,
            state: Mutex::new(SinkState::default()),
        }
    }

    /// Whether `module` already has a finding for this (url, parameter, method).
    pub async fn has(&self, module: &str, url: &Url, parameter: &str, method: &str) -> bool {
        let key = (
            module.to_string(),
            self.root_cause(url, parameter),
            parameter.to_string(),
            method.to_string(),
        );
        self.state.lock().await.index.contains_key(&key)
    }

    fn root_cause(&self, url: &Url, parameter: &str) -> String {
        root_cause(url, &self.selectors.page_of(url), parameter)
    }

    /// One line per module whose `max_findings` was reached: the setting and how many
    /// findings it left out.
    pub async fn capped(&self) -> Vec<String> {
        self.state
            .lock()
            .await
            .capped
            .iter()
            .map(|(m, max, n)| {
                format!(
                    "module {m}: max_findings {max} reached; {n} further finding(s) not reported"
                )
            })
            .collect()
    }

    pub async fn record(&self, mut r: Report) -> Recorded {
        r.variance.redact_secrets();
        let Some(meta) = crate::catalogue::module(r.module) else {
            return Recorded::Capped;
        };
        let settings = self.plan.settings(r.module);
        let key = (
            r.module.to_string(),
            self.root_cause(&r.url, &r.parameter),
            r.parameter.clone(),
            r.method.clone(),
        );
        let mut st = self.state.lock().await;
        if let Some(&i) = st.index.get(&key) {
            let f = &mut st.findings[i];
            if r.variance.confidence > f.confidence {
                f.confidence = r.variance.confidence;
            }
            if f.variances.len() >= MAX_VARIANCES {
                return Recorded::Variance;
            }
            f.variances.push(r.variance.clone());
            let id = f.id;
            drop(st);
            let _ = self
                .events
                .send(Event::Variance {
                    finding_id: id,
                    variance: Box::new(r.variance),
                })
                .await;
            return Recorded::Variance;
        }
        let count = st.per_module.entry(r.module).or_insert(0);
        if *count >= settings.max_findings {
            if let Some(c) = st.capped.iter_mut().find(|c| c.0 == r.module) {
                c.2 += 1;
            } else {
                st.capped.push((r.module, settings.max_findings, 1));
                drop(st);
                let _ = self
                    .events
                    .send(Event::Log {
                        level: crate::events::Level::Warn,
                        message: format!(
                            "module {} reached max_findings {}: further findings are counted, not reported",
                            r.module, settings.max_findings
                        ),
                    })
                    .await;
            }
            return Recorded::Capped;
        }
        *count += 1;
        self.counters
            .vulnerable
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let finding = Finding {
            id: uuid::Uuid::new_v4(),
            module_key: r.module.to_string(),
            module_id: meta.id.0,
            name: meta.name.to_string(),
            severity: settings.severity.unwrap_or(meta.severity),
            confidence: r.variance.confidence,
            root_cause_url: key.1.clone(),
            root_cause_parameter: r.parameter,
            root_cause_method: r.method,
            location: r.location,
            cwe: r.cwe.unwrap_or(meta.cwe),
            cvss_vector: meta.cvss_vector.to_string(),
            variances: vec![r.variance],
        };
        let idx = st.findings.len();
        st.findings.push(finding.clone());
        st.index.insert(key, idx);
        drop(st);
        // Findings are never dropped: wait for room in the bounded channel.
        let _ = self.events.send(Event::Finding(Box::new(finding))).await;
        Recorded::New
    }

    pub async fn all(&self) -> Vec<Finding> {
        self.state.lock().await.findings.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_round_trips_through_the_platform_spelling() {
        for c in [
            Confidence::Tentative,
            Confidence::Firm,
            Confidence::Confirmed,
        ] {
            assert_eq!(Confidence::from_platform(c.as_platform()), Some(c));
        }
        assert_eq!(Confidence::from_platform("medium"), Some(Confidence::Firm));
        assert_eq!(Confidence::from_platform("SURE"), None);
    }

    #[test]
    fn root_cause_drops_values_and_fragment() {
        let u = Url::parse("http://h/p?b=2&a=1&a=3#x").unwrap();
        assert_eq!(root_cause_url(&u), "http://h/p?a=&b=");
        assert_eq!(
            root_cause_url(&Url::parse("http://h/p").unwrap()),
            "http://h/p"
        );
    }

    #[test]
    fn root_cause_keeps_the_values_that_select_the_page() {
        let u = Url::parse("http://h/index.php?q=x&page=user+info").unwrap();
        let page = vec![("page".to_string(), "user info".to_string())];
        assert_eq!(
            root_cause(&u, &page, "q"),
            "http://h/index.php?page=user+info&q="
        );
        // A finding on the selector itself: its value is the attack, not the page.
        assert_eq!(root_cause(&u, &page, "page"), "http://h/index.php?page=&q=");
    }

    #[test]
    fn evidence_never_carries_a_nul() {
        let t = storable("PK\u{3}\u{4}\0\0body");
        assert!(!t.contains('\0'), "{t:?}");
        assert_eq!(t, "PK\u{3}\u{4}\u{FFFD}\u{FFFD}body");
    }
}
