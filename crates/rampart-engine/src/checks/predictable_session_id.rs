//! Predictable session identifiers sampled across responses.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A07};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) const KEY: &str = "predictable_session_id";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Predictable Session Identifier",
        description: "<p>Session identifiers issued by the application are short, sequential or low-entropy, so an attacker can guess a valid session.</p>",
        recommendation: "Use the framework's session manager with at least 128 bits of randomness from a CSPRNG.",
        module_type: ModuleType::Passive,
        severity: Severity::Medium,
        cwe: 330,
        wasc: Some(18),
        owasp_2021: "A07:2021-Identification and Authentication Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-330: Use of Insufficiently Random Values", "https://cwe.mitre.org/data/definitions/330.html"),
            ("OWASP Session Management Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html"),
            OWASP_A07,
        ],
        attacks: &[
            AttackMeta {
                id: "SESS_01",
                kind: "Low-entropy or sequential session id",
                class: "Session",
                description: "Session cookie values sampled across responses are numeric-sequential, short or low-entropy.",
            },
        ],
    }
}

/// Session cookie values seen so far in one scan, per host and cookie name: at most
/// [`MAX_SAMPLED`] cookies, [`MAX_SAMPLES`] values each. One per scan (a field of the
/// scan's passive analysis): a process-wide map grew with every host ever scanned and let
/// one scan's samples, another tenant's included, judge the next.
#[derive(Default)]
pub(crate) struct Samples(Mutex<HashMap<String, Vec<String>>>);

/// Distinct (host, cookie name) pairs sampled per scan.
pub(crate) const MAX_SAMPLED: usize = 64;
/// Values kept per (host, cookie name).
const MAX_SAMPLES: usize = 20;

impl Samples {
    /// Adds `value` to the samples of `key` (unless full) and returns them.
    fn add(&self, key: String, value: &str) -> Option<Vec<String>> {
        let mut s = self.0.lock().ok()?;
        if !s.contains_key(&key) && s.len() >= MAX_SAMPLED {
            return None;
        }
        let v = s.entry(key).or_default();
        if !v.iter().any(|x| x == value) && v.len() < MAX_SAMPLES {
            v.push(value.to_string());
        }
        Some(v.clone())
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.lock().map(|s| s.len()).unwrap_or(0)
    }
}

fn session_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("sess") || n.contains("sid") || n.contains("token") || n == "auth"
}

/// Too short, or numeric and increasing by small steps across samples.
pub(crate) fn weak(values: &[String]) -> Option<String> {
    let last = values.last()?;
    if last.len() < 8 {
        return Some(format!("session id {last:?} has {} characters", last.len()));
    }
    let radix = if values.iter().all(|v| v.chars().all(|c| c.is_ascii_digit())) {
        10
    } else {
        16
    };
    let nums: Vec<u128> = values
        .iter()
        .filter_map(|v| u128::from_str_radix(v, radix).ok())
        .collect();
    if nums.len() >= 3 && nums.len() == values.len() {
        let steps: Vec<i128> = nums
            .windows(2)
            .map(|w| w[1] as i128 - w[0] as i128)
            .collect();
        if steps.iter().all(|s| s.abs() <= 1000) {
            return Some(format!("session ids change by small steps: {values:?}"));
        }
    }
    None
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let mut out = Vec::new();
    for c in p.resp.headers_named("set-cookie") {
        let Some((name, value)) = c.split(';').next().and_then(|kv| kv.split_once('=')) else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if !session_like(name) || value.is_empty() {
            continue;
        }
        let key = format!("{}|{name}", p.req.url.host_str().unwrap_or(""));
        let Some(v) = p.sessions.add(key, value) else {
            continue;
        };
        if let Some(why) = weak(&v) {
            out.push(PHit::once("SESS_01", why, name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{weak, Samples, MAX_SAMPLED};

    #[test]
    fn samples_are_bounded() {
        let s = Samples::default();
        for i in 0..MAX_SAMPLED * 3 {
            for j in 0..50 {
                s.add(format!("host-{i}|sid"), &format!("value-{j}"));
            }
        }
        assert_eq!(s.len(), MAX_SAMPLED);
        assert_eq!(s.add("host-0|sid".into(), "another").map(|v| v.len()), Some(20));
        assert_eq!(s.add("one-more|sid".into(), "x"), None);
    }

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn examples() {
        let weak_ones: &[&[&str]] = &[
            &["1234"],
            &["10000001", "10000002", "10000003"],
            &["1000000001", "1000000005", "1000000009"],
            &["00ff00aa", "00ff00ab", "00ff00ac"],
        ];
        for x in weak_ones {
            assert!(weak(&v(x)).is_some(), "{x:?}");
        }
        let strong: &[&[&str]] = &[
            &["el4ukv0kqbvoirg7nkp4dncpk3"],
            &["3f9a1c2e7b4d5a60", "9c0e4b1a77d2f3e8", "05ab9e3c1d2f4a7b"],
            &["10000001", "10000002"],
            &[
                "8f14e45fceea167a5a36dedd4bea2543",
                "c9f0f895fb98ab9159f51fd0297e236d",
                "45c48cce2e2d7fbdea1afc51c7c6ad26",
            ],
        ];
        for x in strong {
            assert!(weak(&v(x)).is_none(), "{x:?}");
        }
        assert!(weak(&[]).is_none());
    }

    #[test]
    fn only_session_like_cookies() {
        assert!(super::session_like("PHPSESSID"));
        assert!(super::session_like("sid"));
        assert!(super::session_like("auth"));
        assert!(!super::session_like("theme"));
    }
}
