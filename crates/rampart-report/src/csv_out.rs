//! CSV: one row per finding with its first variance, RFC 4180 quoting.

use crate::model::{fingerprint, ReportModel};
use crate::ReportError;

const HEADER: &[&str] = &[
    "severity",
    "module_key",
    "name",
    "confidence",
    "method",
    "url",
    "parameter",
    "location",
    "cwe",
    "cvss_vector",
    "variances",
    "attack_id",
    "attack_value",
    "proof",
    "fingerprint",
];

/// Cells that a spreadsheet would run as a formula get a leading quote (CSV injection).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| ReportError::Csv(e.to_string());
    w.write_record(HEADER).map_err(err)?;
    for f in m.sorted_findings() {
        let v = f.variances.first();
        let row = [
            f.severity.as_str().to_string(),
            f.module_key.clone(),
            f.name.clone(),
            serde_json::to_value(f.confidence)?
                .as_str()
                .unwrap_or("")
                .to_string(),
            f.root_cause_method.clone(),
            f.root_cause_url.clone(),
            f.root_cause_parameter.clone(),
            f.location.map(|l| l.as_str()).unwrap_or("").to_string(),
            f.cwe.to_string(),
            f.cvss_vector.clone(),
            f.variances.len().to_string(),
            v.map(|v| v.attack_id.clone()).unwrap_or_default(),
            v.map(|v| v.attack_value.clone()).unwrap_or_default(),
            v.map(|v| v.proof.clone()).unwrap_or_default(),
            fingerprint(f),
        ];
        w.write_record(row.iter().map(|c| cell(c))).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ReportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Csv(e.to_string()))
}

const DOC_HEADER: &[&str] = &[
    "app",
    "scan_id",
    "severity",
    "status",
    "module_key",
    "name",
    "cwe",
    "confidence",
    "method",
    "url",
    "parameter",
    "variances",
    "attack_value",
    "proof",
    "fingerprint",
];

/// The CSV of a server report (VULN_SUMMARY): one row per finding of every app section,
/// with the app, scan and triage status.
pub(crate) fn render_document(d: &crate::DocumentInput) -> Result<String, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| ReportError::Csv(e.to_string());
    w.write_record(DOC_HEADER).map_err(err)?;
    for s in &d.sections {
        let scan = s
            .scan
            .as_ref()
            .map(|x| x.id.to_string())
            .unwrap_or_default();
        for f in s.model.sorted_findings() {
            let v = f.variances.first();
            let row = [
                s.app_name.clone(),
                scan.clone(),
                f.severity.as_str().to_string(),
                f.status.map(|x| x.as_str()).unwrap_or("").to_string(),
                f.module_key.clone(),
                f.name.clone(),
                f.cwe.to_string(),
                f.confidence.as_platform().to_string(),
                f.root_cause_method.clone(),
                f.root_cause_url.clone(),
                f.root_cause_parameter.clone(),
                f.variances.len().to_string(),
                v.map(|v| v.attack_value.clone()).unwrap_or_default(),
                v.map(|v| v.proof.clone()).unwrap_or_default(),
                fingerprint(f),
            ];
            w.write_record(row.iter().map(|c| cell(c))).map_err(err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ReportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Csv(e.to_string()))
}
