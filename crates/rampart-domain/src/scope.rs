//! The one scope gate every request passes: ordered INCLUDE/EXCLUDE rules and allowed
//! target domains (matched by [`crate::target`]). The engine sends no request this gate
//! refuses, and the platform compiles a scan's plan with the same gate at submit
//! ([`crate::plan::compile`]), so both always agree on what a scan may touch.

use crate::target::Targets;
use regex::Regex;
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleKind {
    Include,
    Exclude,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MatchKind {
    Literal,
    /// `*` matches any run of characters, `?` one character.
    Wildcard,
    Regex,
}

/// One scope constraint, matched against the full URL (without fragment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRule {
    pub kind: RuleKind,
    pub matcher: MatchKind,
    pub pattern: String,
    /// Upper-case method, or `None` for all.
    pub method: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid scope pattern {pattern}: {message}")]
pub struct ScopeError {
    pub pattern: String,
    pub message: String,
}

#[derive(Clone, Debug)]
struct Compiled {
    kind: RuleKind,
    regex: Regex,
    method: Option<String>,
}

/// Decides whether a request may be sent.
#[derive(Clone, Debug)]
pub struct ScopeGate {
    rules: Vec<Compiled>,
    /// `None` for a local scan without declared targets: no domain restriction. Declared
    /// domains that do not parse admit nothing (never everything).
    domains: Option<Targets>,
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutOfScope {
    Scheme,
    Domain,
    NoIncludeRule,
    Excluded(String),
    /// The host resolves to an address the scanner refuses (the engine's address policy:
    /// the server itself, metadata, or a private address the scan does not name).
    Address(String),
}

impl std::fmt::Display for OutOfScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Scheme => f.write_str("scheme not http(s)"),
            Self::Domain => f.write_str("domain not an allowed target"),
            Self::NoIncludeRule => f.write_str("no include rule matches"),
            Self::Excluded(p) => write!(f, "excluded by {p}"),
            Self::Address(why) => write!(f, "address refused: {why}"),
        }
    }
}

fn wildcard_to_regex(p: &str) -> String {
    let mut out = String::from("^");
    for c in p.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out.push('$');
    out
}

impl ScopeGate {
    pub fn new(rules: &[ScopeRule], domains: &[String]) -> Result<Self, ScopeError> {
        let compiled = rules
            .iter()
            .map(|r| {
                let src = match r.matcher {
                    MatchKind::Literal => format!("^{}$", regex::escape(&r.pattern)),
                    MatchKind::Wildcard => wildcard_to_regex(&r.pattern),
                    MatchKind::Regex => r.pattern.clone(),
                };
                let regex = Regex::new(&src).map_err(|e| ScopeError {
                    pattern: r.pattern.clone(),
                    message: e.to_string(),
                })?;
                Ok(Compiled {
                    kind: r.kind,
                    regex,
                    method: r.method.as_ref().map(|m| m.to_ascii_uppercase()),
                })
            })
            .collect::<Result<_, ScopeError>>()?;
        Ok(Self {
            rules: compiled,
            domains: (!domains.is_empty()).then(|| Targets::parse(domains)),
        })
    }

    /// `Ok` when `method url` may be sent.
    pub fn check(&self, method: &str, url: &Url) -> Result<(), OutOfScope> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutOfScope::Scheme);
        }
        if self.domains.as_ref().is_some_and(|t| !t.admits(url)) {
            return Err(OutOfScope::Domain);
        }
        let mut u = url.clone();
        u.set_fragment(None);
        let s = u.as_str();
        let applies = |r: &Compiled| {
            r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
        };
        let mut included = false;
        for r in self.rules.iter().filter(|r| applies(r)) {
            if r.regex.is_match(s) {
                match r.kind {
                    RuleKind::Exclude => {
                        return Err(OutOfScope::Excluded(r.regex.as_str().to_string()))
                    }
                    RuleKind::Include => included = true,
                }
            }
        }
        if included {
            Ok(())
        } else {
            Err(OutOfScope::NoIncludeRule)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind, matcher: MatchKind, p: &str) -> ScopeRule {
        ScopeRule {
            kind,
            matcher,
            pattern: p.into(),
            method: None,
        }
    }

    #[test]
    fn include_then_exclude_and_domains() {
        let gate = ScopeGate::new(
            &[
                rule(
                    RuleKind::Include,
                    MatchKind::Wildcard,
                    "http://a.test/app/*",
                ),
                rule(RuleKind::Exclude, MatchKind::Regex, "(?i)logout"),
                ScopeRule {
                    method: Some("DELETE".into()),
                    ..rule(RuleKind::Exclude, MatchKind::Literal, "http://a.test/app/x")
                },
            ],
            &["a.test".into()],
        )
        .unwrap();
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(gate.check("GET", &u("http://a.test/app/x?q=1")).is_ok());
        assert!(gate.check("DELETE", &u("http://a.test/app/x")).is_err());
        assert!(gate.check("GET", &u("http://a.test/app/x")).is_ok());
        assert_eq!(
            gate.check("GET", &u("http://a.test/other")),
            Err(OutOfScope::NoIncludeRule)
        );
        assert!(matches!(
            gate.check("GET", &u("http://a.test/app/Logout")),
            Err(OutOfScope::Excluded(_))
        ));
        assert_eq!(
            gate.check("GET", &u("http://b.test/app/")),
            Err(OutOfScope::Domain)
        );
        assert_eq!(
            gate.check("GET", &u("ftp://a.test/app/")),
            Err(OutOfScope::Scheme)
        );
    }
}
