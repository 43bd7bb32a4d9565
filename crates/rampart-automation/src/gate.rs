//! The run gate: when a finished scan fails CI (`--fail-on SEVERITY`, `--gate QUERY`,
//! `--policy NAME`: an AppSec+ policy evaluated by the server), and the metrics document that
//! records why.

use crate::exit;
use crate::run::PairResult;
use rampart_api_types::ias::Vulnerability;
use rampart_api_types::plus::{Policy, PolicyEvaluation};
use rampart_client::Client;
use rampart_domain::Severity;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What makes a finished scan fail; empty passes everything.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    /// Fail when a counted finding is at least this severe.
    pub fail_on: Option<Severity>,
    /// Fail when this VULNERABILITY search matches a finding of the scan.
    pub query: Option<String>,
    /// Fail when this AppSec+ policy (name or id), evaluated over the scanned app's
    /// findings of every type, answers `fail`.
    pub policy: Option<String>,
}

/// A policy's verdict on the server (`POST /v1/policies/{id}/evaluate`).
pub async fn evaluate_policy(
    c: &Client,
    name_or_id: &str,
    app: Option<Uuid>,
) -> Result<(Policy, PolicyEvaluation), String> {
    let policy = c
        .find_policy(name_or_id)
        .await
        .map_err(|e| format!("the policy {name_or_id:?}: {e}"))?;
    let evaluation = c
        .evaluate_policy(policy.id, app)
        .await
        .map_err(|e| format!("evaluating the policy {:?} failed: {e}", policy.name))?;
    Ok((policy, evaluation))
}

/// Why a policy evaluation fails the gate (empty: `pass` or `warn`).
pub fn policy_failures(policy: &Policy, e: &PolicyEvaluation) -> Vec<String> {
    if e.result != "fail" {
        return vec![];
    }
    let what = if policy.kind == "sla" {
        "past their SLA due date"
    } else {
        "matched"
    };
    vec![format!(
        "policy {:?} failed: {} finding(s) {what} (at most {} allowed)",
        policy.name, e.matched, policy.conditions.max_count
    )]
}

/// `high`, `HIGH` → [`Severity::High`]; the message lists the valid names.
pub fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(&s.trim().to_ascii_uppercase()).ok_or_else(|| {
        format!("unknown severity {s:?}: use CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or SAFE")
    })
}

/// FALSE_POSITIVE and IGNORED findings never fail `--fail-on`.
pub fn counts_for_gate(v: &Vulnerability) -> bool {
    !matches!(v.status.as_deref(), Some("FALSE_POSITIVE" | "IGNORED"))
}

/// The counted findings at or above `threshold`.
pub fn at_or_above(vulns: &[Vulnerability], threshold: Severity) -> usize {
    vulns
        .iter()
        .filter(|v| counts_for_gate(v))
        .filter(|v| {
            v.severity
                .as_deref()
                .and_then(Severity::parse)
                .is_some_and(|s| s >= threshold)
        })
        .count()
}

impl Gate {
    /// Why the scan fails the gate (empty: it passes). The query runs on the server.
    pub async fn check(
        &self,
        c: &Client,
        scan_id: Uuid,
        app: Option<Uuid>,
        vulns: &[Vulnerability],
    ) -> Result<Vec<String>, String> {
        let mut failures = vec![];
        if let Some(name) = &self.policy {
            let (policy, e) = evaluate_policy(c, name, app).await?;
            failures.extend(policy_failures(&policy, &e));
        }
        if let Some(t) = self.fail_on {
            let n = at_or_above(vulns, t);
            if n > 0 {
                failures.push(format!("{n} finding(s) at or above {t}"));
            }
        }
        if let Some(q) = &self.query {
            let hits = c
                .scan_vulnerabilities(scan_id, Some(q))
                .all()
                .await
                .map_err(|e| format!("the --gate query failed: {e}"))?;
            if !hits.is_empty() {
                failures.push(format!("{} finding(s) match --gate {q:?}", hits.len()));
            }
        }
        Ok(failures)
    }
}

/// The metrics document of `rampart run` (see docs/automation.md).
pub fn metrics(results: &[PairResult], modules: &BTreeMap<Uuid, String>, gate: &Gate) -> Value {
    let scans: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut by_sev: BTreeMap<&str, usize> =
                Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
            let mut by_module: BTreeMap<String, usize> = BTreeMap::new();
            for v in &r.vulnerabilities {
                if let Some(s) = v.severity.as_deref().and_then(Severity::parse) {
                    *by_sev.entry(s.as_str()).or_default() += 1;
                }
                let m = v
                    .variances
                    .first()
                    .map(|x| {
                        modules
                            .get(&x.module.id)
                            .cloned()
                            .unwrap_or_else(|| x.module.id.to_string())
                    })
                    .unwrap_or_else(|| "unknown".into());
                *by_module.entry(m).or_default() += 1;
            }
            json!({
                "app": r.app,
                "scan_config": r.config,
                "scan_id": r.scan_id,
                "status": r.status,
                "failure_reason": r.failure_reason,
                "result": match r.exit_code() { exit::OK => "passed", exit::GATE => "gate_failed", _ => "error" },
                "error": r.error,
                "findings": r.vulnerabilities.len(),
                "by_severity": by_sev,
                "by_module": by_module,
                "execution_details": r.details,
                "gate": {
                    "fail_on": gate.fail_on.map(|s| s.as_str()),
                    "query": gate.query,
                    "policy": gate.policy,
                    "failures": r.gate_failures,
                },
            })
        })
        .collect();
    json!({ "schema": "rampart.run-metrics/1", "scans": scans })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vuln(sev: &str, status: &str) -> Vulnerability {
        Vulnerability {
            severity: Some(sev.into()),
            status: Some(status.into()),
            ..Default::default()
        }
    }

    #[test]
    fn fail_on_counts_only_findings_at_or_above_and_not_dismissed() {
        let vs = [
            vuln("HIGH", "UNREVIEWED"),
            vuln("CRITICAL", "FALSE_POSITIVE"),
            vuln("MEDIUM", "VERIFIED"),
            vuln("LOW", "IGNORED"),
        ];
        assert_eq!(at_or_above(&vs, Severity::High), 1);
        assert_eq!(at_or_above(&vs, Severity::Medium), 2);
        assert_eq!(at_or_above(&vs, Severity::Critical), 0);
        assert_eq!(parse_severity(" high").unwrap(), Severity::High);
        assert!(parse_severity("urgent")
            .unwrap_err()
            .contains("CRITICAL, HIGH"));
    }
}
