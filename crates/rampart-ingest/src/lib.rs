//! Import of external tool results (reference appsecplus §3.2): SARIF 2.1.0, CycloneDX
//! 1.4–1.6 in JSON or XML (with VEX `analysis`) and SPDX 2.2/2.3 JSON (security advisory
//! references), read from any [`std::io::Read`] in one pass (results are decoded one at a
//! time into compact [`Finding`]s; the document is never held whole), each finding with a
//! stable fingerprint ([`fingerprint`]), and the one re-import rule
//! ([`reconcile::transition`]).
//!
//! Invariants: pure (no I/O beyond the reader it is given, no clock, no async); the first
//! error names its location — a JSON pointer (`/runs/0/results/3/ruleId`) in JSON, an
//! element path (`/bom/vulnerabilities/vulnerability[2]/ratings/rating[1]/score`) in XML;
//! the same document always yields the same fingerprints.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod cyclonedx;
pub mod cyclonedx_xml;
mod error;
pub mod fingerprint;
pub mod reconcile;
pub mod sarif;
mod schema;
pub mod spdx;
mod stream;

pub use error::IngestError;
pub use reconcile::{reconcile, transition, Change, Delta};

use rampart_domain::{PlusStatus, Severity};

/// The formats an upload may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Sarif,
    /// JSON or XML: the first non-blank byte tells (`<` is XML).
    CycloneDx,
    Spdx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::CycloneDx => "cyclonedx",
            Format::Spdx => "spdx",
        }
    }

    /// The words a `format` parameter accepts, for messages.
    pub const NAMES: &'static str = "sarif, cyclonedx (JSON or XML) or spdx";

    /// From a `format` parameter or a media type (`application/sarif+json`,
    /// `application/vnd.cyclonedx+json`, `application/vnd.cyclonedx+xml`,
    /// `application/spdx+json`).
    pub fn parse(s: &str) -> Option<Format> {
        let s = s
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match s.as_str() {
            "sarif" | "application/sarif+json" => Some(Format::Sarif),
            "cyclonedx"
            | "cyclonedx-json"
            | "cyclonedx-xml"
            | "application/vnd.cyclonedx+json"
            | "application/vnd.cyclonedx+xml" => Some(Format::CycloneDx),
            "spdx" | "spdx-json" | "application/spdx+json" => Some(Format::Spdx),
            _ => None,
        }
    }
}

/// One result of a tool, reduced to what is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The tool that reported it (SARIF `tool.driver.name`, the SBOM's first tool).
    pub tool: String,
    /// Hex SHA-256, see [`fingerprint`].
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub cwe: Option<String>,
    pub cve: Option<String>,
    pub cvss_score: Option<f64>,
    /// `path:line` of code, or a component's purl.
    pub location: Option<String>,
    pub remediation: Option<String>,
    /// A status the document states (a SARIF suppression, a VEX analysis state).
    pub status: Option<PlusStatus>,
}

/// A parsed upload.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Every tool named by the document, even one that reported nothing (the re-import
    /// scope: its earlier findings that are absent now are closed).
    pub tools: Vec<String>,
    pub findings: Vec<Finding>,
}

/// How much of a JSON upload is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Check {
    /// Against the format's official JSON schema (SARIF 2.1.0, CycloneDX 1.4–1.6, SPDX
    /// 2.3), every streamed element and the envelope (what uploads get).
    #[default]
    Schema,
    /// Only what the importer reads, against its own types (for measuring what the
    /// schema costs).
    Types,
}

/// Parses `reader` as `format`, checked against the format's schema.
pub fn parse<R: std::io::Read>(format: Format, reader: R) -> Result<Report, IngestError> {
    parse_with(format, reader, Check::Schema)
}

/// Parses `reader` as `format`. The schema applies to JSON encodings with a vendored
/// schema (SARIF, CycloneDX JSON, SPDX 2.3); CycloneDX XML and SPDX 2.2 are checked by type.
pub fn parse_with<R: std::io::Read>(
    format: Format,
    reader: R,
    check: Check,
) -> Result<Report, IngestError> {
    match format {
        Format::Sarif => sarif::parse(reader, check),
        Format::CycloneDx => {
            let mut reader = std::io::BufReader::with_capacity(64 * 1024, reader);
            if starts_with_angle(&mut reader)? {
                cyclonedx_xml::parse(reader)
            } else {
                cyclonedx::parse(reader, check)
            }
        }
        Format::Spdx => spdx::parse(reader, check),
    }
}

/// Whether the first byte that is not blank (nor a UTF-8 byte-order mark) is `<`; consumes
/// only what it skips.
fn starts_with_angle<R: std::io::BufRead>(reader: &mut R) -> Result<bool, IngestError> {
    loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| IngestError::document(format!("the upload could not be read: {e}")))?;
        if buf.is_empty() {
            return Ok(false);
        }
        let skip = buf
            .iter()
            .take_while(|b| b.is_ascii_whitespace() || matches!(b, 0xEF | 0xBB | 0xBF))
            .count();
        if skip < buf.len() {
            let angle = buf[skip] == b'<';
            reader.consume(skip);
            return Ok(angle);
        }
        let n = buf.len();
        reader.consume(n);
    }
}

/// The severity of a CVSS-like score (GitHub's `security-severity` bands).
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Informational
    }
}

/// `CWE-79` from `79`, `cwe-79`, `CWE-79: …` or a SARIF tag `external/cwe/cwe-79`.
pub fn normalize_cwe(s: &str) -> Option<String> {
    let lower = s.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("external/cwe/")
        .unwrap_or(&lower)
        .trim_start_matches("cwe-")
        .trim_start_matches("cwe");
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && (rest.len() == digits.len() || lower.contains("cwe")))
        .then(|| format!("CWE-{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cwe_spellings() {
        for (input, want) in [
            ("external/cwe/cwe-78", Some("CWE-78")),
            ("CWE-89: SQL Injection", Some("CWE-89")),
            ("79", Some("CWE-79")),
            ("security", None),
            ("cwe", None),
        ] {
            assert_eq!(normalize_cwe(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn score_bands() {
        for (score, want) in [
            (9.8, Severity::Critical),
            (7.0, Severity::High),
            (5.3, Severity::Medium),
            (0.1, Severity::Low),
            (0.0, Severity::Informational),
        ] {
            assert_eq!(severity_of_score(score), want, "{score}");
        }
    }
}
