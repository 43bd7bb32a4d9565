//! Pattern signatures as data: the TOML files of `crates/rampart-engine/signatures/`, each
//! signature with examples it must match and examples it must not, compiled once.

use regex::{Match, Regex};
use serde::Deserialize;
use std::sync::LazyLock;

#[derive(Deserialize)]
struct RawFile {
    #[serde(rename = "signature", default)]
    signatures: Vec<RawSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    label: String,
    #[serde(default)]
    name: Option<String>,
    pattern: String,
    #[serde(default)]
    matches: Vec<String>,
    #[serde(default)]
    ignores: Vec<String>,
}

/// One compiled signature.
pub(crate) struct Signature {
    /// What a match means to the check (an attack id, a DBMS, a server).
    pub label: String,
    pub regex: Regex,
    /// Texts the pattern must match (read by the examples test).
    #[cfg_attr(not(test), expect(dead_code))]
    pub matches: Vec<String>,
    /// Texts the pattern must not match (read by the examples test).
    #[cfg_attr(not(test), expect(dead_code))]
    pub ignores: Vec<String>,
}

/// The signatures of one file, in file order.
pub(crate) struct SignatureSet {
    #[cfg_attr(not(test), expect(dead_code))]
    pub file: &'static str,
    pub list: Vec<Signature>,
    /// Why the file or one of its patterns failed to load (the examples test reports it).
    #[cfg_attr(not(test), expect(dead_code))]
    pub errors: Vec<String>,
}

impl SignatureSet {
    fn load(file: &'static str, text: &str) -> Self {
        let mut errors = Vec::new();
        let raw = match toml::from_str::<RawFile>(text) {
            Ok(f) => f.signatures,
            Err(e) => {
                errors.push(e.to_string());
                Vec::new()
            }
        };
        let mut list = Vec::new();
        for s in raw {
            match Regex::new(&s.pattern) {
                Ok(regex) => list.push(Signature {
                    label: s.label,
                    regex,
                    matches: s.matches,
                    ignores: s.ignores,
                }),
                Err(e) => errors.push(format!("{}: {e}", s.name.unwrap_or(s.label))),
            }
        }
        Self { file, list, errors }
    }

    /// The first signature matching `text`: its label and the match.
    pub fn find<'t>(&'static self, text: &'t str) -> Option<(&'static str, Match<'t>)> {
        self.list
            .iter()
            .find_map(|s| s.regex.find(text).map(|m| (s.label.as_str(), m)))
    }

    /// The signature labelled `label`.
    pub fn get(&'static self, label: &str) -> Option<&'static Regex> {
        self.list
            .iter()
            .find(|s| s.label == label)
            .map(|s| &s.regex)
    }
}

macro_rules! signature_files {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            pub(crate) static $name: LazyLock<SignatureSet> = LazyLock::new(|| {
                SignatureSet::load($file, include_str!(concat!("../../signatures/", $file)))
            });
        )*

        /// Every signature file.
        #[cfg(test)]
        pub(crate) fn all() -> Vec<&'static SignatureSet> {
            vec![$(&*$name),*]
        }
    };
}

signature_files! {
    ERROR_DISCLOSURE => "error_disclosure.toml",
    SQL_ERRORS => "sql_errors.toml",
    DIRECTORY_LISTING => "directory_listing.toml",
    PATH_TRAVERSAL => "path_traversal.toml",
    PRIVATE_IP => "private_ip.toml",
    VERSION_DISCLOSURE => "version_disclosure.toml",
    SECRETS => "secrets.toml",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signature_example_holds() {
        let mut failures = Vec::new();
        for set in all() {
            for e in &set.errors {
                failures.push(format!("{}: {e}", set.file));
            }
            assert!(!set.list.is_empty(), "{} has no signature", set.file);
            for s in &set.list {
                if s.matches.is_empty() || s.ignores.is_empty() {
                    failures.push(format!(
                        "{} {} /{}/ needs examples it matches and ignores",
                        set.file, s.label, s.regex
                    ));
                }
                for m in s.matches.iter().filter(|m| !s.regex.is_match(m)) {
                    failures.push(format!("{} {}: misses {m:?}", set.file, s.label));
                }
                for i in s.ignores.iter().filter(|i| s.regex.is_match(i)) {
                    failures.push(format!("{} {}: wrongly matches {i:?}", set.file, s.label));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_broken_file_is_reported_not_swallowed() {
        let bad = SignatureSet::load(
            "bad.toml",
            "[[signature]]\nlabel = \"X\"\npattern = \"(\"\n",
        );
        assert!(bad.list.is_empty());
        assert_eq!(bad.errors.len(), 1, "{:?}", bad.errors);
        let bad = SignatureSet::load("bad.toml", "[[signature]]\nlabel = 3\n");
        assert_eq!(bad.errors.len(), 1);
    }
}
