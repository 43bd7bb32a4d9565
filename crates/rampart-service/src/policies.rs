//! AppSec+ policies: gate, SLA and triage policies, their on-demand evaluation, and the
//! policy duties a server runs in the background ([`Service::policy_duties`]: triage
//! expiry and `sla.breached` events). The rules themselves are `rampart_domain::policy`'s.

use crate::error::Checks;
use crate::plus::AnyVulnerability;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_store::{PlusFindingFilter, StoreError};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The writable fields of a policy.
#[derive(Clone, Debug)]
pub struct PolicyInput {
    pub name: String,
    pub description: Option<String>,
    pub action: PolicyAction,
    pub enabled: bool,
    pub conditions: GateConditions,
}

/// An on-demand evaluation and the findings that decided it.
#[derive(Clone, Debug)]
pub struct PolicyOutcome {
    pub policy: Policy,
    pub evaluation: Evaluation,
    /// At most [`DECIDING_MAX`] of `evaluation.deciding`, in full.
    pub deciding: Vec<AnyVulnerability>,
    pub evaluated: usize,
}

/// What one run of [`Service::policy_duties`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DutyReport {
    /// Triage changes undone because their policy expired.
    pub reverted: usize,
    /// Expired triage changes left alone (the finding was changed since).
    pub kept: usize,
    /// SLA breaches announced (`sla.breached`).
    pub breaches: usize,
    /// Completed scans judged by the gate policies here rather than on completion (a
    /// crash came between).
    pub judged: usize,
    /// Notes of scans that never completed, dropped.
    pub dropped: usize,
}

/// How many deciding findings an evaluation answers in full.
pub const DECIDING_MAX: usize = 100;

/// The most findings one evaluation reads.
pub const EVALUATION_MAX: u64 = 200_000;

/// The statuses a triage policy may set.
const TRIAGE_STATUSES: [PlusStatus; 4] = [
    PlusStatus::Accepted,
    PlusStatus::InProgress,
    PlusStatus::Resolved,
    PlusStatus::Open,
];

fn check_policy(input: &PolicyInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    c.text("name", &input.name, 1, 200);
    c.opt_lines("description", input.description.as_deref(), 2000);
    for (i, cwe) in input.conditions.cwes.iter().enumerate() {
        if rampart_ingest::normalize_cwe(cwe).as_deref() != Some(cwe.to_ascii_uppercase().as_str())
        {
            c.push(Problem::property(
                format!("conditions.cwe.{i}"),
                "must be a CWE id such as CWE-89",
            ));
        }
    }
    for (i, t) in input.conditions.tags.iter().enumerate() {
        c.text(&format!("conditions.tags.{i}"), t, 1, 100);
    }
    if input.conditions.max_count > MAX_COUNT {
        c.push(Problem::property(
            "conditions.maxCount",
            format!("must be at most {MAX_COUNT}"),
        ));
    }
    if input
        .conditions
        .min_age_days
        .is_some_and(|d| d > MAX_AGE_DAYS)
    {
        c.push(Problem::property(
            "conditions.minAgeDays",
            format!("must be at most {MAX_AGE_DAYS} days"),
        ));
    }
    if let Some(t) = &input.conditions.triage {
        c.lines("triage.justification", &t.justification, 1, 2000);
        if !TRIAGE_STATUSES.contains(&t.status) {
            c.push(Problem::property(
                "triage.status",
                "must be one of accepted, in_progress, resolved, open",
            ));
        }
        if input.conditions.sla.is_some() {
            c.push(Problem::property(
                "sla",
                "a triage policy has no days to fix: make a separate SLA policy",
            ));
        }
    }
    c.finish()
}

fn policy_conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => {
            ServiceError::Conflict("a policy with this name already exists".into())
        }
        other => other.into(),
    }
}

/// A triage policy changes findings of every application of the tenant in its scope,
/// whatever groups a caller may see, so only a Product Admin may make, change, apply or
/// delete one.
fn require_triage_admin(p: &Principal, triage: bool) -> ServiceResult<()> {
    if triage && p.role != Role::ProductAdmin {
        return Err(ServiceError::Forbidden(
            "only a Product Admin may manage triage policies: they change findings of every application in their scope".into(),
        ));
    }
    Ok(())
}

/// The tenant acting through one of its policies (background duties and triage).
pub(crate) fn acting(org: OrgId, policy: PolicyId) -> Principal {
    Principal::new(
        org,
        PrincipalId(policy.0),
        PrincipalKind::Organization,
        Role::ProductAdmin,
    )
}

impl Service {
    /// Policies are managed by whoever may change apps (Product Admin, Read Write);
    /// triage policies by a Product Admin. A triage policy acts at once.
    pub async fn create_policy(&self, p: &Principal, input: PolicyInput) -> ServiceResult<Policy> {
        require(p, Resource::Apps, Action::Manage)?;
        require_triage_admin(p, input.conditions.triage.is_some())?;
        check_policy(&input)?;
        let now = self.now();
        let policy = Policy {
            id: PolicyId::new(),
            org: p.org,
            name: input.name,
            description: input.description,
            action: input.action,
            enabled: input.enabled,
            conditions: input.conditions,
            created_at: now,
            updated_at: now,
        };
        self.store()
            .create_policy(&policy)
            .await
            .map_err(policy_conflict)?;
        if policy.conditions.triage.is_some() {
            self.apply_triage(&policy, None).await?;
        }
        Ok(policy)
    }

    pub async fn get_policy(&self, p: &Principal, id: PolicyId) -> ServiceResult<Policy> {
        require(p, Resource::Apps, Action::Read)?;
        Ok(self.store().get_policy(p.org, id).await?)
    }

    pub async fn list_policies(&self, p: &Principal) -> ServiceResult<Vec<Policy>> {
        require(p, Resource::Apps, Action::Read)?;
        Ok(self.store().list_policies(p.org).await?)
    }

    pub async fn update_policy(
        &self,
        p: &Principal,
        id: PolicyId,
        input: PolicyInput,
    ) -> ServiceResult<Policy> {
        let mut policy = self.get_policy(p, id).await?;
        require(p, Resource::Apps, Action::Manage)?;
        require_triage_admin(
            p,
            input.conditions.triage.is_some() || policy.conditions.triage.is_some(),
        )?;
        check_policy(&input)?;
        policy.name = input.name;
        policy.description = input.description;
        policy.action = input.action;
        policy.enabled = input.enabled;
        policy.conditions = input.conditions;
        policy.updated_at = self.now();
        self.store()
            .update_policy(&policy)
            .await
            .map_err(policy_conflict)?;
        if policy.conditions.triage.is_some() {
            self.apply_triage(&policy, None).await?;
        }
        Ok(policy)
    }

    /// Deleting a triage policy keeps what it changed (and its trail).
    pub async fn delete_policy(&self, p: &Principal, id: PolicyId) -> ServiceResult<()> {
        let policy = self.get_policy(p, id).await?;
        require(p, Resource::Apps, Action::Manage)?;
        require_triage_admin(p, policy.conditions.triage.is_some())?;
        Ok(self.store().delete_policy(p.org, id).await?)
    }

    /// Evaluates the policy over the findings of every type the caller may see (narrowed to
    /// `app` when given), with [`Policy::evaluate`]. A triage policy is applied instead
    /// (by a Product Admin): the verdict is `pass` and the deciding findings are the ones it
    /// changed now.
    pub async fn evaluate_policy(
        &self,
        p: &Principal,
        id: PolicyId,
        app: Option<AppId>,
    ) -> ServiceResult<PolicyOutcome> {
        let policy = self.get_policy(p, id).await?;
        if let Some(a) = app {
            self.get_app(p, a).await?;
        }
        if policy.conditions.triage.is_some() {
            require_triage_admin(p, true)?;
            let (changed, evaluated) = self.apply_triage(&policy, app).await?;
            return Ok(PolicyOutcome {
                evaluation: Evaluation {
                    verdict: Verdict::Pass,
                    matched: changed.len() as u64,
                    deciding: changed.iter().map(AnyVulnerability::id).collect(),
                },
                deciding: changed.into_iter().take(DECIDING_MAX).collect(),
                evaluated,
                policy,
            });
        }
        let filter = PlusFindingFilter {
            app,
            min_severity: policy.conditions.min_severity,
            limit: EVALUATION_MAX,
            ..Default::default()
        };
        let all = self.list_any_vulnerabilities(p, &filter).await?;
        let gate = self.gate_findings(p.org, &all).await?;
        let evaluation = policy.evaluate(&gate, self.now());
        self.emit_policy_outcome(&policy, app, &evaluation).await;
        let wanted: HashSet<uuid::Uuid> = evaluation
            .deciding
            .iter()
            .take(DECIDING_MAX)
            .copied()
            .collect();
        let deciding = all
            .iter()
            .filter(|v| wanted.contains(&v.id()))
            .cloned()
            .collect();
        Ok(PolicyOutcome {
            policy,
            evaluation,
            deciding,
            evaluated: gate.len(),
        })
    }

    /// The changes a triage policy made, newest first (its audit trail).
    pub async fn list_triage_changes(
        &self,
        p: &Principal,
        id: PolicyId,
        limit: u64,
        offset: u64,
    ) -> ServiceResult<Vec<TriageRecord>> {
        self.get_policy(p, id).await?;
        Ok(self.store().list_triage(p.org, id, limit, offset).await?)
    }

    /// The SLA of each of `vulns` (same order) under the organization's enabled SLA
    /// policies ([`rampart_domain::sla_state`]).
    pub async fn sla_states(
        &self,
        p: &Principal,
        vulns: &[AnyVulnerability],
    ) -> ServiceResult<Vec<Option<SlaState>>> {
        let policies = self.sla_policies(p.org).await?;
        if policies.is_empty() {
            return Ok(vec![None; vulns.len()]);
        }
        let now = self.now();
        let gate = self.gate_findings(p.org, vulns).await?;
        Ok(gate
            .iter()
            .map(|f| rampart_domain::sla_state(&policies, f, now))
            .collect())
    }

    async fn sla_policies(&self, org: OrgId) -> ServiceResult<Vec<Policy>> {
        Ok(self
            .store()
            .list_policies(org)
            .await?
            .into_iter()
            .filter(|x| x.enabled && x.conditions.sla.is_some())
            .collect())
    }

    /// What the policies read of `vulns` (same order), with their applications' tags.
    pub(crate) async fn gate_findings(
        &self,
        org: OrgId,
        vulns: &[AnyVulnerability],
    ) -> ServiceResult<Vec<GateFinding>> {
        let mut tags: HashMap<AppId, Arc<[String]>> = HashMap::new();
        let mut out = Vec::with_capacity(vulns.len());
        for v in vulns {
            let app = v.app();
            let t = match tags.get(&app) {
                Some(t) => t.clone(),
                None => {
                    let names: Vec<String> = self
                        .store()
                        .list_app_tags(org, app)
                        .await?
                        .into_iter()
                        .map(|t| t.name)
                        .collect();
                    let t: Arc<[String]> = names.into();
                    tags.insert(app, t.clone());
                    t
                }
            };
            out.push(v.gate(t));
        }
        Ok(out)
    }

    /// Applies every enabled triage policy of the tenant (to one application's findings
    /// when given): after an import or an engine scan. Failures are logged; the scan or
    /// import that called it is already stored.
    pub(crate) async fn apply_triage_policies(&self, org: OrgId, app: Option<AppId>) {
        let policies = match self.store().list_policies(org).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(%org, error = %e, "cannot read the triage policies");
                return;
            }
        };
        for policy in policies
            .iter()
            .filter(|p| p.enabled && p.conditions.triage.is_some())
        {
            if let Err(e) = self.apply_triage(policy, app).await {
                tracing::warn!(policy = %policy.id, error = %e, "cannot apply a triage policy");
            }
        }
    }

    /// Gives the policy's status to the findings it matches now ([`Policy::triage_targets`])
    /// and records each change. Returns the findings as changed and how many were read.
    async fn apply_triage(
        &self,
        policy: &Policy,
        app: Option<AppId>,
    ) -> ServiceResult<(Vec<AnyVulnerability>, usize)> {
        let Some(action) = policy.conditions.triage.clone() else {
            return Ok((Vec::new(), 0));
        };
        let who = acting(policy.org, policy.id);
        let filter = PlusFindingFilter {
            app,
            min_severity: policy.conditions.min_severity,
            limit: EVALUATION_MAX,
            ..Default::default()
        };
        let all = self.list_any_vulnerabilities(&who, &filter).await?;
        let gate = self.gate_findings(policy.org, &all).await?;
        let now = self.now();
        let targets: HashSet<uuid::Uuid> = policy.triage_targets(&gate, now).into_iter().collect();
        let mut changed = Vec::new();
        let mut records = Vec::new();
        for v in all.into_iter().filter(|v| targets.contains(&v.id())) {
            let previous = v.status();
            let after = self.set_status_as(policy, &v, action.status, now).await?;
            records.push(TriageRecord {
                id: uuid::Uuid::new_v4(),
                org: policy.org,
                policy: policy.id,
                policy_name: policy.name.clone(),
                finding: v.id(),
                previous,
                status: action.status,
                justification: action.justification.clone(),
                applied_at: now,
                ended_at: None,
                end: None,
            });
            changed.push(after);
        }
        self.store().record_triage(&records).await?;
        if !records.is_empty() {
            tracing::info!(policy = %policy.id, changed = records.len(), "triage policy applied");
        }
        Ok((changed, gate.len()))
    }

    /// Sets one finding's status on behalf of a policy (an engine vulnerability's history
    /// names the organization, with the policy's id, as the source).
    async fn set_status_as(
        &self,
        policy: &Policy,
        v: &AnyVulnerability,
        status: PlusStatus,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult<AnyVulnerability> {
        match v {
            AnyVulnerability::Imported(f) => {
                self.store()
                    .set_plus_finding_status(policy.org, f.id, status, now)
                    .await?;
                let mut f = f.clone();
                f.status = status;
                f.updated_at = now;
                Ok(AnyVulnerability::Imported(f))
            }
            AnyVulnerability::Dast { vuln, .. } => {
                let updated = self
                    .store()
                    .update_vulnerability(
                        policy.org,
                        vuln.id,
                        None,
                        Some(status.to_ias()),
                        UpdateSource {
                            kind: UpdateSourceType::Organization,
                            id: policy.id.0,
                        },
                        now,
                    )
                    .await?;
                Ok(self.dast(updated))
            }
        }
    }

    /// The background policy duties of every tenant (the server runs them about every
    /// minute on one replica): expired triage policies give back what they changed, each
    /// newly breached SLA is announced once (`sla.breached`), and completed scans left
    /// unjudged by a crash are judged by the gate policies (`crate::scan_policies`).
    pub async fn policy_duties(&self) -> ServiceResult<DutyReport> {
        let mut report = DutyReport::default();
        for org in self.store().list_orgs().await? {
            let policies = self.store().list_policies(org.id).await?;
            for policy in &policies {
                if let Some(t) = &policy.conditions.triage {
                    if !t.in_force(self.now()) {
                        self.expire_triage(policy, &mut report).await?;
                    }
                }
            }
            report.breaches += self.announce_breaches(org.id).await?;
        }
        (report.judged, report.dropped) = self.judge_due_scans().await?;
        Ok(report)
    }

    /// Ends the open changes of an expired triage policy: back to the earlier status when
    /// the finding still has the policy's, else left as someone made it.
    async fn expire_triage(&self, policy: &Policy, report: &mut DutyReport) -> ServiceResult<()> {
        let open = self.store().open_triage(policy.org, policy.id).await?;
        if open.is_empty() {
            return Ok(());
        }
        let who = acting(policy.org, policy.id);
        let now = self.now();
        let mut ends = Vec::new();
        for r in open {
            let current = match self.get_any_vulnerability(&who, r.finding).await {
                Ok(v) => v,
                // Gone (its app was deleted): nothing to give back.
                Err(ServiceError::NotFound) => {
                    ends.push((r.id, TriageEnd::Kept));
                    report.kept += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if current.status() == r.status {
                self.set_status_as(policy, &current, r.previous, now)
                    .await?;
                ends.push((r.id, TriageEnd::Reverted));
                report.reverted += 1;
            } else {
                ends.push((r.id, TriageEnd::Kept));
                report.kept += 1;
            }
        }
        self.store().end_triage(policy.org, &ends, now).await?;
        Ok(())
    }

    /// Notes the tenant's breached SLAs and sends one `sla.breached` event with the ones
    /// not announced before. Returns how many were new.
    async fn announce_breaches(&self, org: OrgId) -> ServiceResult<usize> {
        let policies = self.sla_policies(org).await?;
        if policies.is_empty() {
            return Ok(0);
        }
        let who = acting(org, PolicyId(org.0));
        let filter = PlusFindingFilter {
            limit: EVALUATION_MAX,
            ..Default::default()
        };
        let all = self.list_any_vulnerabilities(&who, &filter).await?;
        let gate = self.gate_findings(org, &all).await?;
        let now = self.now();
        let mut due = HashMap::new();
        let breached: Vec<(uuid::Uuid, chrono::DateTime<chrono::Utc>)> = gate
            .iter()
            .filter_map(|f| {
                let st = rampart_domain::sla_state(&policies, f, now)?;
                st.breached.then_some((f.id, st.due_at))
            })
            .inspect(|(id, at)| {
                due.insert(*id, *at);
            })
            .collect();
        if breached.is_empty() {
            return Ok(0);
        }
        // The event is built from the breaches the compare-and-set found new, inside its
        // transaction: a crash keeps both the note and the event, or neither.
        let outbox = self.outbox(org).await?;
        let announce = |new: &[uuid::Uuid]| {
            let new: HashSet<&uuid::Uuid> = new.iter().collect();
            let listed: Vec<serde_json::Value> = all
                .iter()
                .filter(|v| new.contains(&v.id()))
                .take(crate::webhooks::EVENT_FINDINGS_MAX)
                .map(|v| {
                    json!({
                        "id": v.id(),
                        "applicationId": v.app(),
                        "title": v.title(),
                        "severity": rampart_domain::plus::plus_severity(v.severity()),
                        "status": v.status().as_str(),
                        "scanType": v.scan_type().as_str(),
                        "slaDueAt": due.get(&v.id()).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                    })
                })
                .collect();
            outbox.deliveries(
                WebhookEvent::SlaBreached,
                json!({
                    "count": new.len(),
                    "truncated": new.len() > listed.len(),
                    "vulnerabilities": listed,
                }),
            )
        };
        let new = self
            .store()
            .note_sla_breaches(org, &breached, now, &announce)
            .await?;
        if !new.is_empty() {
            self.wake_deliverer();
        }
        Ok(new.len())
    }
}
