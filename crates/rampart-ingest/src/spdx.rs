//! SPDX 2.2 and 2.3 JSON. SPDX describes packages, not vulnerabilities; the one place the
//! 2.3 specification gives a vulnerability is a package's external reference of category
//! `SECURITY` and type `advisory` (annex K.1.9: "linking to a vulnerability advisory"), a
//! URL such as `https://nvd.nist.gov/vuln/detail/CVE-2021-23337` or
//! `https://github.com/advisories/GHSA-35jh-r3h4-6jhm`. Each such reference is one finding
//! on its package (named by its `purl` reference, else `name@versionInfo`), its id the CVE or
//! GHSA id in the URL (else the URL), its severity `medium` (SPDX carries none; a policy or
//! triage sets it), and a `fix` reference of the same package becomes the remediation. An
//! SBOM without advisories imports no finding but still names its tool (from
//! `creationInfo.creators`' `Tool:` entry), so a re-import that no longer lists an advisory
//! closes it. SPDX 3.0 (JSON-LD) is refused with a message saying so.
//!
//! The document is read as a stream (`crate::stream`): each element of `packages`, `files`
//! and `relationships` is checked against its item schema in the official SPDX 2.3 JSON
//! schema on its own (a package then decoded into a compact record), and the rest against
//! the whole schema. An `SPDX-2.2` document is checked by the importer's types only (2.2
//! spells two reference categories differently, and its schema is not vendored); a document
//! whose `spdxVersion` follows its packages is checked as 2.3.

use crate::fingerprint::{sca_fingerprint, Dedup};
use crate::schema::{self, Schema};
use crate::stream::{self, At};
use crate::{Check, Finding, IngestError, Report};
use rampart_domain::Severity;
use serde::de;
use serde::Deserialize;
use serde_json::Value;

/// The big arrays, streamed, in the order of the schema's elements.
const SPOTS: &[stream::Spot] = &[&["packages"], &["files"], &["relationships"]];

/// Parses an SPDX 2.2/2.3 JSON document.
pub fn parse<R: std::io::Read>(reader: R, check: Check) -> Result<Report, IngestError> {
    let mut packages: Vec<Package> = Vec::new();
    let mut each = |at: At<'_>, value: Value| {
        if check == Check::Schema {
            if let Some(s) = schema_of(at.head.get("spdxVersion"))? {
                Schema::check(&s.elements[at.spot], || at.pointer(), &value)?;
            }
        }
        if at.spot == 0 {
            packages.push(IngestError::decode_element(|| at.pointer(), &value)?);
        }
        Ok(())
    };
    let envelope = stream::split(reader, SPOTS, &mut each)?;
    let doc: Document = IngestError::decode("", &envelope)?;
    if check == Check::Schema {
        if let Some(s) = schema_of(envelope.get("spdxVersion"))? {
            Schema::check(&s.root, String::new, &envelope)?;
        }
    }
    drop(envelope);
    let tool = doc
        .creation_info
        .creators
        .iter()
        .find_map(|c| c.strip_prefix("Tool:"))
        .map(tool_name)
        .unwrap_or_else(|| "spdx".into());
    let mut report = Report {
        tools: vec![tool.clone()],
        findings: Vec::new(),
    };
    let mut dedup = Dedup::default();
    for p in &packages {
        let component = p
            .external_refs
            .iter()
            .find(|r| r.reference_type == "purl")
            .map(|r| r.reference_locator.clone())
            .unwrap_or_else(|| match &p.version_info {
                Some(v) => format!("{}@{v}", p.name),
                None => p.name.clone(),
            });
        let fix = p
            .external_refs
            .iter()
            .find(|r| r.category.is_security() && r.reference_type == "fix")
            .map(|r| format!("A fix: {}", r.reference_locator));
        for r in &p.external_refs {
            if !(r.category.is_security() && r.reference_type == "advisory") {
                continue;
            }
            let id = advisory_id(&r.reference_locator);
            let short = component
                .rsplit('/')
                .next()
                .unwrap_or(&component)
                .to_string();
            report.findings.push(Finding {
                tool: tool.clone(),
                fingerprint: dedup.unique(sca_fingerprint(&component, &id)),
                rule_id: id.clone(),
                title: format!("{id} in {short}"),
                description: Some(format!(
                    "{} is named by the advisory {}{}",
                    component,
                    r.reference_locator,
                    r.comment
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                )),
                severity: Severity::Medium,
                cwe: None,
                cve: id.starts_with("CVE-").then(|| id.clone()),
                cvss_score: None,
                location: Some(component.clone()),
                remediation: fix.clone(),
                status: None,
            });
        }
    }
    Ok(report)
}

/// The schema a document of `version` is checked against: SPDX 2.3 (also when the version
/// is not known yet), none for 2.2; another version is refused.
fn schema_of(version: Option<&Value>) -> Result<Option<&'static Schema>, IngestError> {
    match version.and_then(Value::as_str) {
        None | Some("SPDX-2.3") => schema::spdx_23().map(Some),
        Some("SPDX-2.2") => Ok(None),
        Some(other) => Err(IngestError {
            pointer: "/spdxVersion".into(),
            message: unsupported(other),
            ..IngestError::document("")
        }),
    }
}

fn unsupported(version: &str) -> String {
    format!(
        "unsupported spdxVersion {version:?}: send SPDX-2.2 or SPDX-2.3 JSON (SPDX 3.0 JSON-LD is not read yet)"
    )
}

/// `npm/cli-10.9.2` → `npm/cli`; `trivy-0.50.1` → `trivy`.
fn tool_name(s: &str) -> String {
    let s = s.trim();
    match s.rfind('-') {
        Some(i) if s[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => s[..i].to_string(),
        _ => s.to_string(),
    }
}

/// The CVE or GHSA id in an advisory URL, else the URL.
fn advisory_id(url: &str) -> String {
    for segment in url.split(['/', '=', '?', '&', '#']).rev() {
        let upper = segment.to_ascii_uppercase();
        if (upper.starts_with("CVE-") || upper.starts_with("GHSA-")) && upper.len() > 8 {
            return if upper.starts_with("GHSA-") {
                format!("GHSA-{}", &segment[5..].to_ascii_lowercase())
            } else {
                upper
            };
        }
    }
    url.to_string()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    #[serde(rename = "spdxVersion")]
    _version: Version,
    #[serde(rename = "SPDXID")]
    _id: String,
    creation_info: CreationInfo,
}

struct Version;

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "SPDX-2.2" | "SPDX-2.3" => Ok(Version),
            other => Err(de::Error::custom(unsupported(other))),
        }
    }
}

#[derive(Deserialize)]
struct CreationInfo {
    creators: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    name: String,
    #[serde(rename = "SPDXID")]
    _id: String,
    version_info: Option<String>,
    #[serde(default)]
    external_refs: Vec<ExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    #[serde(rename = "referenceCategory")]
    category: Category,
    reference_type: String,
    reference_locator: String,
    comment: Option<String>,
}

/// SPDX 2.3 `referenceCategory` (2.2 spelled the first two with `_`).
#[derive(Deserialize, PartialEq)]
enum Category {
    #[serde(rename = "SECURITY")]
    Security,
    #[serde(rename = "PACKAGE-MANAGER", alias = "PACKAGE_MANAGER")]
    PackageManager,
    #[serde(rename = "PERSISTENT-ID", alias = "PERSISTENT_ID")]
    PersistentId,
    #[serde(rename = "OTHER")]
    Other,
}

impl Category {
    fn is_security(&self) -> bool {
        *self == Category::Security
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids_and_tool_names() {
        for (url, want) in [
            (
                "https://nvd.nist.gov/vuln/detail/CVE-2021-23337",
                "CVE-2021-23337",
            ),
            (
                "https://github.com/advisories/GHSA-35JH-R3H4-6JHM",
                "GHSA-35jh-r3h4-6jhm",
            ),
            ("https://example.test/adv/42", "https://example.test/adv/42"),
        ] {
            assert_eq!(advisory_id(url), want);
        }
        assert_eq!(tool_name(" npm/cli-10.9.2"), "npm/cli");
        assert_eq!(tool_name("my-tool"), "my-tool");
    }

    #[test]
    fn refuses_other_versions_and_bad_categories() {
        let e = parse(
            br#"{"spdxVersion":"SPDX-3.0","SPDXID":"x","creationInfo":{"creators":[]}}"#.as_slice(),
            Check::Schema,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/spdxVersion");
        assert!(e.message.contains("SPDX-2.3"), "{e:?}");
        let e = parse(
            br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","creationInfo":{"creators":["Tool: t-1"]},
                "packages":[{"name":"a","SPDXID":"SPDXRef-a","externalRefs":[{"referenceCategory":"SECURTY","referenceType":"advisory","referenceLocator":"u"}]}]}"#
                .as_slice(),
            Check::Types,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/packages/0/externalRefs/0/referenceCategory");
    }

    /// 2.3 is checked against its schema (its category is `PACKAGE-MANAGER`, an element
    /// of any streamed array is located); 2.2, which spelled it `PACKAGE_MANAGER`, is not.
    #[test]
    fn the_schema_applies_to_2_3() {
        let doc = |version: &str, category: &str, file: &str| {
            format!(
                r#"{{"spdxVersion":"{version}","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"d","creationInfo":{{"creators":["Tool: t-1"],"created":"2026-01-01T00:00:00Z"}},
                "packages":[{{"name":"a","SPDXID":"SPDXRef-a","downloadLocation":"NONE","externalRefs":[{{"referenceCategory":"{category}","referenceType":"purl","referenceLocator":"pkg:npm/a@1"}}]}}],
                "files":[{file}]}}"#
            )
        };
        let parse_doc = |d: String| parse(d.as_bytes(), Check::Schema);
        assert!(parse_doc(doc("SPDX-2.3", "PACKAGE-MANAGER", "")).is_ok());
        assert!(parse_doc(doc("SPDX-2.2", "PACKAGE_MANAGER", "")).is_ok());
        let e = parse_doc(doc("SPDX-2.3", "PACKAGE_MANAGER", "")).unwrap_err();
        assert_eq!(e.pointer, "/packages/0/externalRefs/0/referenceCategory");
        assert!(e.expected.unwrap_or_default().ends_with("/enum"));
        let e = parse_doc(doc(
            "SPDX-2.3",
            "PACKAGE-MANAGER",
            r#"{"SPDXID":"SPDXRef-f","fileName":"a"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.pointer, "/files/0");
        assert!(e.message.contains("checksums"), "{e:?}");
    }
}
