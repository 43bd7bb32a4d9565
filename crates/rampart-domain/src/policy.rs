//! AppSec+ policies (reference appsecplus §1.4, §3.4): conditions on the findings in scope
//! (severity, scan type, status, CWE, age, count) and the one evaluation rule,
//! [`Policy::evaluate`], used on demand (`POST /policies/{id}/evaluate`). A policy with
//! [`GateConditions::sla`] is an SLA policy: it gives each finding it covers a due date
//! ([`SlaDays::due_at`]) and its evaluation counts only the findings past it. A policy with
//! [`GateConditions::triage`] is a triage policy: it sets the status of the findings it
//! matches, across applications (scoped by application ids and tags), until it expires
//! ([`Policy::triage_targets`], [`TriageAction`]).

use crate::ids::*;
use crate::model::{str_enum, Severity};
use crate::plus::{PlusScanType, PlusStatus};
use crate::vuln::severity_rank;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// What a policy does when its conditions match more findings than it allows.
    PolicyAction {
        Allow = "allow",
        Block = "block",
        Monitor = "monitor",
    }
);

str_enum!(
    /// An evaluation's verdict.
    Verdict {
        Pass = "pass",
        Warn = "warn",
        Fail = "fail",
    }
);

/// Which findings a gate counts; every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GateConditions {
    /// Empty: every application the evaluation covers.
    #[serde(default)]
    pub application_ids: Vec<AppId>,
    /// This severity or above.
    pub min_severity: Option<Severity>,
    #[serde(default)]
    pub scan_types: Vec<PlusScanType>,
    /// Empty: `open` and `in_progress`.
    #[serde(default)]
    pub statuses: Vec<PlusStatus>,
    /// `CWE-89`; empty: any.
    #[serde(default)]
    pub cwes: Vec<String>,
    /// Only findings first seen at least this many days before the evaluation.
    pub min_age_days: Option<u32>,
    /// How many matching findings are allowed (default 0: any match decides).
    #[serde(default)]
    pub max_count: u64,
    /// Only findings with (true) or without (false) a known fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_available: Option<bool>,
    /// Days to fix per severity: an SLA policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaDays>,
    /// Only findings of applications with at least one of these tags (any case); empty:
    /// any application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The status to give matching findings: a triage policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<TriageAction>,
}

/// What a triage policy does: set each matching finding's status (suppress = `accepted`),
/// with a justification, until `until` (then the findings it changed, and nobody changed
/// since, go back to the status they had).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageAction {
    pub status: PlusStatus,
    pub justification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

impl TriageAction {
    /// Whether the action still applies at `now`.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.until.is_none_or(|u| now < u)
    }
}

/// Days to fix a finding, counted from its first sighting, per severity; a severity without
/// a number has no due date. The defaults are DefectDojo's (7, 30, 90, 120; none for info).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaDays {
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub low: Option<u32>,
    pub info: Option<u32>,
}

impl Default for SlaDays {
    fn default() -> Self {
        Self {
            critical: Some(7),
            high: Some(30),
            medium: Some(90),
            low: Some(120),
            info: None,
        }
    }
}

impl SlaDays {
    pub fn days(&self, s: Severity) -> Option<u32> {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            _ => self.info,
        }
    }

    /// When a finding of `severity` first seen at `first_seen` must be fixed.
    pub fn due_at(&self, severity: Severity, first_seen: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.days(severity)
            .map(|d| first_seen + chrono::Duration::days(i64::from(d)))
    }
}

/// A finding's SLA: the earliest due date of the enabled SLA policies that cover it, and
/// whether it is past due while still open or in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlaState {
    pub due_at: DateTime<Utc>,
    pub breached: bool,
}

/// The SLA of `f` under `policies` (the ones without `sla`, or disabled, are ignored);
/// `None` when none covers it.
pub fn sla_state(policies: &[Policy], f: &GateFinding, now: DateTime<Utc>) -> Option<SlaState> {
    let due_at = policies
        .iter()
        .filter(|p| p.enabled && p.conditions.covers(f))
        .filter_map(|p| p.conditions.sla?.due_at(f.severity, f.first_seen))
        .min()?;
    Some(SlaState {
        due_at,
        breached: matches!(f.status, PlusStatus::Open | PlusStatus::InProgress) && now > due_at,
    })
}

str_enum!(
    /// How a triage change ended: `reverted` when its policy expired and the finding
    /// still had the status the policy gave it; `kept` when someone had changed it since.
    TriageEnd {
        Reverted = "reverted",
        Kept = "kept",
    }
);

/// One status change a triage policy made: the audit trail of triage policies, and what
/// expiry undoes.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageRecord {
    pub id: uuid::Uuid,
    pub org: OrgId,
    pub policy: PolicyId,
    /// The policy's name when it acted (the trail outlives a deleted policy).
    pub policy_name: String,
    /// An imported finding's or an engine vulnerability's id.
    pub finding: uuid::Uuid,
    pub previous: PlusStatus,
    pub status: PlusStatus,
    pub justification: String,
    pub applied_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end: Option<TriageEnd>,
}

/// A gate policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub id: PolicyId,
    pub org: OrgId,
    pub name: String,
    pub description: Option<String>,
    pub action: PolicyAction,
    pub enabled: bool,
    pub conditions: GateConditions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the evaluation needs to know of one finding.
#[derive(Clone, Debug, PartialEq)]
pub struct GateFinding {
    pub id: uuid::Uuid,
    pub app: AppId,
    pub scan_type: PlusScanType,
    pub severity: Severity,
    pub status: PlusStatus,
    pub cwe: Option<String>,
    pub first_seen: DateTime<Utc>,
    /// The source named a fix (an SCA or container finding with a recommendation or a fix
    /// reference).
    pub fix_available: bool,
    /// The tags of the finding's application.
    pub tags: std::sync::Arc<[String]>,
}

/// An evaluation: the verdict, how many findings matched, and the ones that decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub verdict: Verdict,
    pub matched: u64,
    /// The matching findings (all of them when the gate did not pass).
    pub deciding: Vec<uuid::Uuid>,
}

impl GateConditions {
    /// Whether one finding counts: it is covered, in one of the statuses, old enough, and
    /// (for an SLA policy) past its due date.
    pub fn matches(&self, f: &GateFinding, now: DateTime<Utc>) -> bool {
        let statuses: &[PlusStatus] = if self.statuses.is_empty() {
            &[PlusStatus::Open, PlusStatus::InProgress]
        } else {
            &self.statuses
        };
        self.covers(f)
            && statuses.contains(&f.status)
            && self
                .min_age_days
                .is_none_or(|d| now - f.first_seen >= chrono::Duration::days(i64::from(d)))
            && self.sla.is_none_or(|sla| {
                sla.due_at(f.severity, f.first_seen)
                    .is_some_and(|due| now > due)
            })
    }

    /// Whether the policy is about this finding at all (application, severity, scan type,
    /// CWE), whatever its status and age.
    pub fn covers(&self, f: &GateFinding) -> bool {
        (self.application_ids.is_empty() || self.application_ids.contains(&f.app))
            && self
                .min_severity
                .is_none_or(|s| severity_rank(f.severity) >= severity_rank(s))
            && (self.scan_types.is_empty() || self.scan_types.contains(&f.scan_type))
            && (self.cwes.is_empty()
                || f.cwe
                    .as_ref()
                    .is_some_and(|c| self.cwes.iter().any(|x| x.eq_ignore_ascii_case(c))))
            && self
                .fix_available
                .is_none_or(|want| f.fix_available == want)
            && (self.tags.is_empty()
                || f.tags
                    .iter()
                    .any(|t| self.tags.iter().any(|x| x.eq_ignore_ascii_case(t))))
    }
}

/// The largest `max_count` a policy takes: more findings than one evaluation reads
/// (`EVALUATION_MAX` in the service) cannot be told apart.
pub const MAX_COUNT: u64 = 1_000_000_000;

/// The largest `min_age_days` a policy takes (100 years).
pub const MAX_AGE_DAYS: u32 = 36_500;

/// The kinds of policy, as the wire names them ([`Policy::kind`]).
pub const POLICY_KINDS: [&str; 3] = ["gate", "sla", "triage"];

impl Policy {
    /// `sla` for a policy with days to fix, `triage` for one with a status to set, else
    /// `gate`.
    pub fn kind(&self) -> &'static str {
        if self.conditions.triage.is_some() {
            POLICY_KINDS[2]
        } else {
            POLICY_KINDS[usize::from(self.conditions.sla.is_some())]
        }
    }

    /// The findings an enabled triage policy in force changes now: those it matches
    /// (covered, in one of the statuses — default open and in progress —, old enough)
    /// whose status is not already the one it sets. Empty for other policies.
    pub fn triage_targets(&self, findings: &[GateFinding], now: DateTime<Utc>) -> Vec<uuid::Uuid> {
        let Some(action) = self.conditions.triage.as_ref() else {
            return Vec::new();
        };
        if !self.enabled || !action.in_force(now) {
            return Vec::new();
        }
        findings
            .iter()
            .filter(|f| f.status != action.status && self.conditions.matches(f, now))
            .map(|f| f.id)
            .collect()
    }

    /// The one rule: more matching findings than `max_count` fails a `block` policy, warns
    /// for `monitor`, and passes an `allow` policy (which records the matches); a disabled
    /// policy passes.
    pub fn evaluate(&self, findings: &[GateFinding], now: DateTime<Utc>) -> Evaluation {
        let matching: Vec<uuid::Uuid> = findings
            .iter()
            .filter(|f| self.conditions.matches(f, now))
            .map(|f| f.id)
            .collect();
        let matched = matching.len() as u64;
        let over = self.enabled && matched > self.conditions.max_count;
        let verdict = match (over, self.action) {
            (false, _) | (true, PolicyAction::Allow) => Verdict::Pass,
            (true, PolicyAction::Monitor) => Verdict::Warn,
            (true, PolicyAction::Block) => Verdict::Fail,
        };
        Evaluation {
            verdict,
            matched,
            // Findings decide only a verdict other than pass: an allow policy decides nothing.
            deciding: if over && !matches!(self.action, PolicyAction::Allow) {
                matching
            } else {
                Vec::new()
            },
        }
    }
}

/// How many deciding findings a scan's policy verdict keeps (the count is exact).
pub const SCAN_VERDICT_FINDINGS_MAX: usize = 100;

/// One gate policy's verdict on the application of a completed scan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyVerdict {
    pub policy: PolicyId,
    /// The policy's name when it judged (the record outlives a renamed or deleted policy).
    pub name: String,
    pub action: PolicyAction,
    pub verdict: Verdict,
    pub matched: u64,
    /// The findings that decided a verdict other than pass, at most
    /// [`SCAN_VERDICT_FINDINGS_MAX`].
    pub deciding: Vec<uuid::Uuid>,
}

impl PolicyVerdict {
    pub fn of(policy: &Policy, e: &Evaluation) -> Self {
        Self {
            policy: policy.id,
            name: policy.name.clone(),
            action: policy.action,
            verdict: e.verdict,
            matched: e.matched,
            deciding: e
                .deciding
                .iter()
                .take(SCAN_VERDICT_FINDINGS_MAX)
                .copied()
                .collect(),
        }
    }
}

/// The verdicts of the enabled gate policies that cover a scan's application, judged
/// once when the scan completed (an import stored, an engine scan `COMPLETE`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScanEvaluation {
    pub org: OrgId,
    /// An import's or an engine scan's id.
    pub scan: uuid::Uuid,
    pub app: AppId,
    /// The worst verdict (`pass` when no policy covers the application).
    pub verdict: Verdict,
    pub policies: Vec<PolicyVerdict>,
    pub evaluated_at: DateTime<Utc>,
}

impl ScanEvaluation {
    pub fn new(
        org: OrgId,
        scan: uuid::Uuid,
        app: AppId,
        policies: Vec<PolicyVerdict>,
        at: DateTime<Utc>,
    ) -> Self {
        let verdict = policies
            .iter()
            .map(|p| p.verdict)
            .max()
            .unwrap_or(Verdict::Pass);
        Self {
            org,
            scan,
            app,
            verdict,
            policies,
            evaluated_at: at,
        }
    }
}

impl Policy {
    /// Whether this is a gate policy (neither SLA nor triage) that judges `app`'s scans:
    /// enabled, and scoped to every application or naming it. Tags are judged per finding.
    pub fn gates_scans_of(&self, app: AppId) -> bool {
        self.enabled
            && self.conditions.sla.is_none()
            && self.conditions.triage.is_none()
            && (self.conditions.application_ids.is_empty()
                || self.conditions.application_ids.contains(&app))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap()
    }

    fn f(n: u128, severity: Severity, status: PlusStatus, cwe: &str, seen: u32) -> GateFinding {
        GateFinding {
            id: uuid::Uuid::from_u128(n),
            app: AppId(uuid::Uuid::from_u128(1000)),
            scan_type: if cwe == "CWE-1035" {
                PlusScanType::Sca
            } else {
                PlusScanType::Sast
            },
            severity,
            status,
            cwe: Some(cwe.into()),
            first_seen: day(seen),
            fix_available: cwe == "CWE-1035" && n % 2 == 1,
            tags: std::sync::Arc::from(vec![if n.is_multiple_of(2) {
                "pci".to_string()
            } else {
                "internal".to_string()
            }]),
        }
    }

    fn policy(action: PolicyAction, c: GateConditions) -> Policy {
        Policy {
            id: PolicyId::new(),
            org: OrgId::new(),
            name: "p".into(),
            description: None,
            action,
            enabled: true,
            conditions: c,
            created_at: day(1),
            updated_at: day(1),
        }
    }

    #[test]
    fn a_scan_takes_the_worst_verdict_of_the_gates_that_cover_its_app() {
        let app = AppId(uuid::Uuid::from_u128(1000));
        let other = AppId(uuid::Uuid::from_u128(2000));
        let block = policy(PolicyAction::Block, GateConditions::default());
        let monitor = policy(PolicyAction::Monitor, GateConditions::default());
        let findings: Vec<GateFinding> = (0..150)
            .map(|n| f(n, Severity::High, PlusStatus::Open, "CWE-89", 2))
            .collect();
        let v = |p: &Policy| PolicyVerdict::of(p, &p.evaluate(&findings, day(9)));
        let (b, m) = (v(&block), v(&monitor));
        assert_eq!(
            (b.verdict, b.matched, b.deciding.len()),
            (Verdict::Fail, 150, SCAN_VERDICT_FINDINGS_MAX)
        );
        assert_eq!(m.verdict, Verdict::Warn);
        let org = OrgId::new();
        let scan = uuid::Uuid::from_u128(7);
        let e = |ps: Vec<PolicyVerdict>| ScanEvaluation::new(org, scan, app, ps, day(9)).verdict;
        assert_eq!(e(vec![m.clone(), b.clone()]), Verdict::Fail);
        assert_eq!(e(vec![m]), Verdict::Warn);
        assert_eq!(e(Vec::new()), Verdict::Pass);

        // Which policies judge a scan of `app`.
        let mut scoped = policy(PolicyAction::Block, GateConditions::default());
        scoped.conditions.application_ids = vec![other];
        assert!(
            block.gates_scans_of(app)
                && !scoped.gates_scans_of(app)
                && scoped.gates_scans_of(other)
        );
        let mut off = block.clone();
        off.enabled = false;
        let sla = policy(
            PolicyAction::Block,
            GateConditions {
                sla: Some(SlaDays::default()),
                ..Default::default()
            },
        );
        let triage = policy(
            PolicyAction::Allow,
            GateConditions {
                triage: Some(TriageAction {
                    status: PlusStatus::Accepted,
                    justification: "j".into(),
                    until: None,
                }),
                ..Default::default()
            },
        );
        assert!(
            !off.gates_scans_of(app) && !sla.gates_scans_of(app) && !triage.gates_scans_of(app)
        );
    }

    #[test]
    fn gate_table() {
        use PlusStatus::*;
        use Severity::*;
        let findings = vec![
            f(1, Critical, Open, "CWE-89", 1),
            f(2, High, InProgress, "CWE-79", 10),
            f(3, Medium, Open, "CWE-79", 20),
            f(4, Critical, Accepted, "CWE-89", 1),
            f(5, High, Resolved, "CWE-1035", 1),
            f(6, Low, Open, "CWE-1035", 25),
        ];
        let c = GateConditions::default;
        // (action, conditions) → (verdict, deciding ids)
        let table: Vec<(PolicyAction, GateConditions, Verdict, Vec<u128>)> = vec![
            (
                PolicyAction::Block,
                GateConditions {
                    min_severity: Some(Critical),
                    ..c()
                },
                Verdict::Fail,
                vec![1],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    min_severity: Some(High),
                    ..c()
                },
                Verdict::Fail,
                vec![1, 2],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    min_severity: Some(High),
                    max_count: 2,
                    ..c()
                },
                Verdict::Pass,
                vec![],
            ),
            (
                PolicyAction::Monitor,
                GateConditions {
                    min_severity: Some(High),
                    ..c()
                },
                Verdict::Warn,
                vec![1, 2],
            ),
            (
                PolicyAction::Allow,
                GateConditions {
                    min_severity: Some(High),
                    ..c()
                },
                Verdict::Pass,
                vec![],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    cwes: vec!["cwe-79".into()],
                    ..c()
                },
                Verdict::Fail,
                vec![2, 3],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    scan_types: vec![PlusScanType::Sca],
                    ..c()
                },
                Verdict::Fail,
                vec![6],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    statuses: vec![Accepted, Resolved],
                    ..c()
                },
                Verdict::Fail,
                vec![4, 5],
            ),
            // first seen at least 11 days before the 21st: the 1st and the 10th
            (
                PolicyAction::Block,
                GateConditions {
                    min_age_days: Some(11),
                    ..c()
                },
                Verdict::Fail,
                vec![1, 2],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    application_ids: vec![AppId::new()],
                    ..c()
                },
                Verdict::Pass,
                vec![],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    min_severity: Some(Critical),
                    cwes: vec!["CWE-79".into()],
                    ..c()
                },
                Verdict::Pass,
                vec![],
            ),
            // Fixability: 5 has a fix (resolved, counted here), 6 has none.
            (
                PolicyAction::Block,
                GateConditions {
                    fix_available: Some(true),
                    statuses: vec![Open, Resolved],
                    ..c()
                },
                Verdict::Fail,
                vec![5],
            ),
            (
                PolicyAction::Block,
                GateConditions {
                    fix_available: Some(false),
                    scan_types: vec![PlusScanType::Sca],
                    ..c()
                },
                Verdict::Fail,
                vec![6],
            ),
        ];
        for (action, conditions, verdict, deciding) in table {
            let p = policy(action, conditions.clone());
            let e = p.evaluate(&findings, day(21));
            assert_eq!(e.verdict, verdict, "{action:?} {conditions:?}");
            let want: Vec<uuid::Uuid> = deciding.into_iter().map(uuid::Uuid::from_u128).collect();
            assert_eq!(e.deciding, want, "{action:?} {conditions:?}");
        }
        let mut off = policy(PolicyAction::Block, c());
        off.enabled = false;
        assert_eq!(off.evaluate(&findings, day(21)).verdict, Verdict::Pass);
    }

    /// SLA policies: due dates per severity from the first sighting, the earliest of the
    /// covering policies, breached only while open or in progress; an SLA policy's
    /// evaluation counts only the overdue findings.
    #[test]
    fn sla_table() {
        use PlusStatus::*;
        use Severity::*;
        let sla = |days: SlaDays, c: GateConditions| GateConditions {
            sla: Some(days),
            ..c
        };
        let dd = SlaDays::default();
        let strict = SlaDays {
            critical: Some(1),
            high: Some(2),
            medium: None,
            low: None,
            info: None,
        };
        let policies = vec![
            policy(PolicyAction::Block, sla(dd, GateConditions::default())),
            policy(
                PolicyAction::Block,
                sla(
                    strict,
                    GateConditions {
                        cwes: vec!["CWE-89".into()],
                        ..Default::default()
                    },
                ),
            ),
            // A gate policy gives no due date.
            policy(PolicyAction::Block, GateConditions::default()),
        ];
        let now = day(12);
        // (finding, due day (None: no SLA), breached)
        let table = [
            (f(1, Critical, Open, "CWE-89", 1), Some(2), true), // strict: 1 day
            (f(2, Critical, Open, "CWE-79", 1), Some(8), true), // default: 7 days
            (f(3, Critical, Open, "CWE-79", 6), Some(13), false),
            (f(4, Critical, Resolved, "CWE-79", 1), Some(8), false), // fixed: no breach
            (f(5, Medium, Open, "CWE-89", 1), None, false),          // 90 days → Jan 1 + 90 = Apr 1
            (f(6, Informational, Open, "CWE-79", 1), None, false),
        ];
        for (finding, due, breached) in table.clone() {
            let got = sla_state(&policies, &finding, now);
            match due {
                Some(d) => {
                    let st = got.unwrap_or_else(|| panic!("{finding:?}"));
                    assert_eq!(st.due_at, day(d), "{finding:?}");
                    assert_eq!(st.breached, breached, "{finding:?}");
                }
                None if finding.severity == Medium => {
                    let st = got.expect("medium has 90 days");
                    assert_eq!(st.due_at, day(1) + chrono::Duration::days(90));
                    assert!(!st.breached);
                }
                None => assert_eq!(got, None, "{finding:?}"),
            }
        }
        // Evaluating the default SLA policy: only the overdue open findings decide.
        let findings: Vec<GateFinding> = table.iter().map(|t| t.0.clone()).collect();
        let e = policies[0].evaluate(&findings, now);
        assert_eq!(e.verdict, Verdict::Fail);
        assert_eq!(
            e.deciding,
            vec![uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2)]
        );
        assert_eq!(policies[0].kind(), "sla");
        assert_eq!(policies[2].kind(), "gate");
        // Nothing overdue: pass.
        assert_eq!(
            policies[0].evaluate(&findings, day(7)).verdict,
            Verdict::Pass
        );
        // A disabled SLA policy gives no due date.
        let mut off = policies[0].clone();
        off.enabled = false;
        assert_eq!(sla_state(&[off], &findings[1], now), None);
    }

    /// Triage policies: what they change, scoped by tags, statuses and expiry.
    #[test]
    fn triage_table() {
        use PlusStatus::*;
        use Severity::*;
        let findings = vec![
            f(1, Critical, Open, "CWE-89", 1),
            f(2, High, InProgress, "CWE-79", 10),
            f(3, Medium, Open, "CWE-79", 20),
            f(4, Critical, Accepted, "CWE-89", 1),
            f(5, High, Resolved, "CWE-1035", 1),
            f(6, Low, Open, "CWE-1035", 25),
        ];
        let act = |status, until| TriageAction {
            status,
            justification: "test data only".into(),
            until,
        };
        let t = |a: TriageAction, c: GateConditions| GateConditions {
            triage: Some(a),
            ..c
        };
        let c = GateConditions::default;
        // (conditions, now) → changed ids
        let table: Vec<(GateConditions, u32, Vec<u128>)> = vec![
            // Suppress everything open or in progress (4 is already accepted).
            (t(act(Accepted, None), c()), 21, vec![1, 2, 3, 6]),
            // Scoped by tag: even ids are "pci".
            (
                t(
                    act(Accepted, None),
                    GateConditions {
                        tags: vec!["PCI".into()],
                        ..c()
                    },
                ),
                21,
                vec![2, 6],
            ),
            // A status change, not a suppression: 2 is already in progress.
            (
                t(
                    act(InProgress, None),
                    GateConditions {
                        cwes: vec!["CWE-79".into()],
                        ..c()
                    },
                ),
                21,
                vec![3],
            ),
            // Expired on the 21st: changes nothing from then on.
            (t(act(Accepted, Some(day(21))), c()), 21, vec![]),
            (t(act(Accepted, Some(day(22))), c()), 21, vec![1, 2, 3, 6]),
            // Only what is at least high, and only resolved ones when asked.
            (
                t(
                    act(Open, None),
                    GateConditions {
                        statuses: vec![Resolved],
                        min_severity: Some(High),
                        ..c()
                    },
                ),
                21,
                vec![5],
            ),
        ];
        for (conditions, now, want) in table {
            let p = policy(PolicyAction::Monitor, conditions.clone());
            assert_eq!(p.kind(), "triage");
            let want: Vec<uuid::Uuid> = want.into_iter().map(uuid::Uuid::from_u128).collect();
            assert_eq!(
                p.triage_targets(&findings, day(now)),
                want,
                "{conditions:?}"
            );
        }
        let mut off = policy(PolicyAction::Monitor, t(act(Accepted, None), c()));
        off.enabled = false;
        assert!(off.triage_targets(&findings, day(21)).is_empty());
        // A gate policy triages nothing.
        assert!(policy(PolicyAction::Block, c())
            .triage_targets(&findings, day(21))
            .is_empty());
    }
}
