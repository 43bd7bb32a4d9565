//! CycloneDX 1.4–1.6 JSON: one finding per (vulnerability, affected component), the
//! component named by its purl (else its `bom-ref`); a VEX `analysis.state` becomes a
//! status: `resolved`/`resolved_with_pedigree` → resolved, `false_positive`/`not_affected`
//! → accepted, `in_triage` → in_progress, `exploitable` → open. An SBOM without a
//! `vulnerabilities` member imports no finding.

use crate::fingerprint::{sca_fingerprint, Dedup};
use crate::schema::{self, Schema};
use crate::stream::{self, At};
use crate::{normalize_cwe, severity_of_score, Check, Finding, IngestError, Report};
use rampart_domain::{PlusStatus, Severity};
use serde::de;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// The big arrays, streamed: each element is checked against its definition in the
/// schema of the document's `specVersion` (1.6 when `specVersion` comes after them).
const SPOTS: &[stream::Spot] = &[&["components"], &["vulnerabilities"], &["dependencies"]];

/// Parses a CycloneDX JSON BOM.
pub fn parse<R: std::io::Read>(reader: R, check: Check) -> Result<Report, IngestError> {
    let mut components = Vec::new();
    let mut vulnerabilities = Vec::new();
    let mut each = |at: At<'_>, value: Value| {
        if check == Check::Schema {
            let version = match at.head.get("specVersion") {
                Some(Value::String(v)) => v.as_str(),
                _ => "1.6",
            };
            let Some(s) = schema::cyclonedx(version) else {
                return Err(unsupported(version));
            };
            Schema::check(&s?.elements[at.spot], || at.pointer(), &value)?;
        }
        match at.spot {
            0 => components.push(IngestError::decode_element(|| at.pointer(), &value)?),
            1 => vulnerabilities.push(IngestError::decode_element(|| at.pointer(), &value)?),
            _ => {}
        }
        Ok(())
    };
    let envelope = stream::split(reader, SPOTS, &mut each)?;
    let mut bom: Bom = IngestError::decode("", &envelope)?;
    if check == Check::Schema {
        let version = envelope["specVersion"].as_str().unwrap_or_default();
        let s = schema::cyclonedx(version).ok_or_else(|| unsupported(version))??;
        Schema::check(&s.root, String::new, &envelope)?;
    }
    bom.components = components;
    bom.vulnerabilities = vulnerabilities;
    Ok(report(bom))
}

fn unsupported(version: &str) -> IngestError {
    IngestError {
        pointer: "/specVersion".into(),
        message: format!("unsupported CycloneDX specVersion {version:?}: send 1.4, 1.5 or 1.6"),
        ..IngestError::document("")
    }
}

/// The findings of a BOM, whichever encoding it came in (JSON here, XML in
/// [`crate::cyclonedx_xml`]).
pub(crate) fn report(bom: Bom) -> Report {
    let tool = bom
        .metadata
        .and_then(|m| m.tools)
        .and_then(Tools::first_name)
        .unwrap_or_else(|| "cyclonedx".into());
    let mut purls = HashMap::new();
    collect(&bom.components, &mut purls);
    let mut report = Report {
        tools: vec![tool.clone()],
        findings: Vec::new(),
    };
    let mut dedup = Dedup::default();
    for v in bom.vulnerabilities {
        let severity = v
            .ratings
            .iter()
            .max_by_key(|r| r.rank())
            .and_then(Rating::severity_value)
            .unwrap_or(Severity::Medium);
        let score = v.ratings.iter().find_map(|r| r.score);
        let status = v.analysis.as_ref().and_then(|a| a.status());
        let vid = v.id.clone().unwrap_or_default();
        for affected in &v.affects {
            let component = purls
                .get(&affected.reference)
                .cloned()
                .unwrap_or_else(|| affected.reference.clone());
            report.findings.push(Finding {
                tool: tool.clone(),
                fingerprint: dedup.unique(sca_fingerprint(&component, &vid)),
                rule_id: vid.clone(),
                title: format!("{vid} in {}", short(&component)),
                description: v.description.clone().or_else(|| v.detail.clone()),
                severity,
                cwe: v.cwes.first().and_then(|c| normalize_cwe(&c.to_string())),
                cve: vid
                    .to_ascii_uppercase()
                    .starts_with("CVE-")
                    .then(|| vid.clone()),
                cvss_score: score,
                location: Some(component),
                remediation: v.recommendation.clone(),
                status,
            });
        }
    }
    report
}

fn collect(components: &[Component], out: &mut HashMap<String, String>) {
    for c in components {
        if let Some(r) = &c.bom_ref {
            let name = c.purl.clone().unwrap_or_else(|| match &c.version {
                Some(v) => format!("{}@{v}", c.name),
                None => c.name.clone(),
            });
            out.insert(r.clone(), name);
        }
        collect(&c.components, out);
    }
}

/// `pkg:pypi/flask@0.12` → `flask@0.12`.
fn short(purl: &str) -> &str {
    let s = purl.rsplit('/').next().unwrap_or(purl);
    s.split(['?', '#']).next().unwrap_or(s)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    #[serde(rename = "bomFormat")]
    pub(crate) _format: BomFormat,
    #[serde(rename = "specVersion")]
    pub(crate) _spec: SpecVersion,
    pub(crate) metadata: Option<Metadata>,
    #[serde(default)]
    pub(crate) components: Vec<Component>,
    #[serde(default)]
    pub(crate) vulnerabilities: Vec<Vulnerability>,
}

pub(crate) struct BomFormat;

impl<'de> Deserialize<'de> for BomFormat {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "CycloneDX" => Ok(BomFormat),
            other => Err(de::Error::custom(format!(
                "bomFormat must be \"CycloneDX\", not {other:?}"
            ))),
        }
    }
}

pub(crate) struct SpecVersion;

impl<'de> Deserialize<'de> for SpecVersion {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "1.4" | "1.5" | "1.6" => Ok(SpecVersion),
            other => Err(de::Error::custom(format!(
                "unsupported CycloneDX specVersion {other:?}: send 1.4, 1.5 or 1.6"
            ))),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct Metadata {
    pub(crate) tools: Option<Tools>,
}

/// 1.4: an array of tools; 1.5+: `{components: [...], services: [...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Tools {
    Legacy(Vec<NamedTool>),
    Modern {
        #[serde(default)]
        components: Vec<NamedTool>,
        #[serde(default)]
        services: Vec<NamedTool>,
    },
}

impl Tools {
    fn first_name(self) -> Option<String> {
        match self {
            Tools::Legacy(v) => v.into_iter().find_map(|t| t.name),
            Tools::Modern {
                components,
                services,
            } => components.into_iter().chain(services).find_map(|t| t.name),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct NamedTool {
    pub(crate) name: Option<String>,
}

#[derive(Default, Deserialize)]
pub(crate) struct Component {
    #[serde(rename = "bom-ref")]
    pub(crate) bom_ref: Option<String>,
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    pub(crate) purl: Option<String>,
    #[serde(default)]
    pub(crate) components: Vec<Component>,
}

#[derive(Default, Deserialize)]
pub(crate) struct Vulnerability {
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) ratings: Vec<Rating>,
    #[serde(default)]
    pub(crate) cwes: Vec<u32>,
    pub(crate) description: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) recommendation: Option<String>,
    #[serde(default)]
    pub(crate) affects: Vec<Affects>,
    pub(crate) analysis: Option<Analysis>,
}

#[derive(Default, Deserialize)]
pub(crate) struct Rating {
    pub(crate) score: Option<f64>,
    pub(crate) severity: Option<String>,
}

impl Rating {
    fn severity_value(&self) -> Option<Severity> {
        match self.severity.as_deref() {
            Some("critical") => Some(Severity::Critical),
            Some("high") => Some(Severity::High),
            Some("medium") => Some(Severity::Medium),
            Some("low") => Some(Severity::Low),
            Some("info") | Some("none") => Some(Severity::Informational),
            _ => self.score.map(severity_of_score),
        }
    }

    fn rank(&self) -> i64 {
        self.severity_value()
            .map_or(-1, rampart_domain::severity_rank)
    }
}

#[derive(Deserialize)]
pub(crate) struct Affects {
    #[serde(rename = "ref")]
    pub(crate) reference: String,
}

#[derive(Default, Deserialize)]
pub(crate) struct Analysis {
    pub(crate) state: Option<String>,
}

impl Analysis {
    fn status(&self) -> Option<PlusStatus> {
        Some(match self.state.as_deref()? {
            "resolved" | "resolved_with_pedigree" => PlusStatus::Resolved,
            "false_positive" | "not_affected" => PlusStatus::Accepted,
            "in_triage" => PlusStatus::InProgress,
            "exploitable" => PlusStatus::Open,
            _ => return None,
        })
    }
}
