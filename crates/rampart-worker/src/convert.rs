//! Engine → domain: findings and variances (scored by the engine's CVSS), progress
//! counters, outcomes.

use rampart_domain::job::{Coverage, ExecutionDetails, JobOutcome};
use rampart_domain::scan::{Exchange, FailureReason, Finding, RootCause, Variance};
use rampart_domain::ModuleId;
use rampart_engine::events::{Outcome, Progress, Summary};
use rampart_engine::finding::{self as ef, Confidence};

/// The part of a finding a later variance of it repeats.
#[derive(Clone, Debug)]
pub struct FindingHead {
    pub module: ModuleId,
    pub root_cause: RootCause,
    pub severity: rampart_domain::Severity,
    pub vector_string: Option<String>,
    pub vulnerability_score: Option<f64>,
}

impl FindingHead {
    pub fn of(f: &ef::Finding) -> Self {
        let vector = Some(f.cvss_vector.clone()).filter(|v| !v.is_empty());
        Self {
            module: ModuleId(f.module_id),
            root_cause: RootCause {
                url: f.root_cause_url.clone(),
                parameter: Some(f.root_cause_parameter.clone()).filter(|p| !p.is_empty()),
                method: f.root_cause_method.clone(),
            },
            severity: f.severity,
            vulnerability_score: vector.as_deref().and_then(rampart_engine::cvss_base_score),
            vector_string: vector,
        }
    }

    /// A domain finding of this head with the given variances.
    pub fn finding(&self, variances: Vec<Variance>) -> Finding {
        Finding {
            module: self.module,
            root_cause: self.root_cause.clone(),
            severity: self.severity,
            vulnerability_score: self.vulnerability_score,
            discovered: chrono::Utc::now(),
            vector_string: self.vector_string.clone(),
            variances,
        }
    }
}

/// `LOW`, `MEDIUM`, `HIGH`, `CONFIRMED` from the engine's confidence.
pub fn confidence(c: Confidence) -> &'static str {
    c.as_platform()
}

fn exchange(e: &ef::Exchange) -> Exchange {
    Exchange {
        request: e.request.clone(),
        response: e.response.clone(),
    }
}

/// A domain variance; its id is derived from the engine finding id and the variance's
/// position, so the same variance always has the same id.
pub fn variance(finding_id: uuid::Uuid, index: usize, v: &ef::Variance) -> Variance {
    Variance {
        id: uuid::Uuid::new_v5(&finding_id, format!("variance:{index}").as_bytes()),
        original_value: None,
        original_exchange: v.original.as_ref().map(exchange),
        attack_id: v.attack_id.clone(),
        attack_value: Some(v.attack_value.clone()),
        message: Some(v.url.clone()).filter(|u| !u.is_empty()),
        proof: Some(v.proof.clone()).filter(|p| !p.is_empty()),
        proof_description: Some(v.proof_description.clone()).filter(|p| !p.is_empty()),
        confidence: Some(confidence(v.confidence).to_string()),
        attack_exchanges: v.attack.as_ref().map(exchange).into_iter().collect(),
    }
}

/// A new engine finding as a domain finding.
pub fn finding(f: &ef::Finding) -> Finding {
    let head = FindingHead::of(f);
    head.finding(
        f.variances
            .iter()
            .enumerate()
            .map(|(i, v)| variance(f.id, i, v))
            .collect(),
    )
}

/// Live counters as `execution-details`.
pub fn details(p: &Progress) -> ExecutionDetails {
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    ExecutionDetails {
        logged_in: p.logged_in,
        links_in_queue: i(p.links_in_queue),
        links_crawled: i(p.links_crawled),
        attacks_in_queue: i(p.attacks_in_queue),
        attacked: i(p.attacked),
        vulnerable: i(p.vulnerable),
        requests: i(p.requests),
        failed_requests: i(p.failed_requests),
        network_speed: i(p.network_speed),
        drip_delay: i(p.drip_delay),
    }
}

/// The job outcome of a finished engine run. A run in which every request failed could not
/// reach its target: `FAILED` with `NETWORK_UNAVAILABLE`.
pub fn outcome(s: &Summary) -> JobOutcome {
    let unreachable = s.target_unreachable();
    match s.outcome {
        Outcome::Cancelled => JobOutcome::Canceled,
        Outcome::Stopped => JobOutcome::Stopped,
        Outcome::Complete | Outcome::Incomplete if unreachable => JobOutcome::Failed {
            reason: FailureReason::NetworkUnavailable,
            message: format!(
                "the target could not be reached: all {} requests failed",
                s.progress.requests
            ),
        },
        Outcome::Complete => JobOutcome::Completed { partial: false },
        Outcome::Incomplete => JobOutcome::Completed { partial: true },
        Outcome::Failed => JobOutcome::Failed {
            reason: if unreachable {
                FailureReason::NetworkUnavailable
            } else {
                FailureReason::SystemError
            },
            message: s
                .error
                .clone()
                .unwrap_or_else(|| "the engine failed".to_string()),
        },
    }
}

/// What a finished run could not cover (limits and losses), as the platform keeps it.
pub fn coverage(s: &Summary) -> Coverage {
    Coverage {
        limits_reached: s
            .limits_reached
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        limit_details: s.limit_details.clone(),
        dropped: s.dropped.clone(),
        abandoned: s.abandoned.clone(),
    }
}
