//! Gate policies judged on scan completion: when an import is stored or an engine scan
//! completes, every enabled gate policy that covers the scan's application judges the
//! application's findings ([`Policy::evaluate`], the rule `POST /policies/{id}/evaluate`
//! uses). The verdicts are recorded on the scan (`policyEvaluation`) together with a
//! `policy.failed` event per failing policy, once.
//!
//! Crash safety: the scan is noted before the change that completes it
//! ([`Service::expect_scan_evaluation`]), and the verdict is recorded with its deliveries
//! by a compare-and-set. A crash between the two leaves a note without a verdict, which
//! the policy duty judges once the scan is complete (or drops when it never completed),
//! so no completed scan goes unjudged and none is announced twice.

use crate::policies::{acting, EVALUATION_MAX};
use crate::{require, Service, ServiceResult};
use rampart_domain::*;
use rampart_store::PlusFindingFilter;
use serde_json::json;
use std::collections::HashMap;

/// How long a note waits before the duty judges it (the completing request normally
/// judges its own scan at once).
const DUE_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// A note whose scan never completed in this long is dropped.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// How many notes one duty run reads.
const DUE_BATCH: u64 = 200;

impl Service {
    /// Notes that `scan` of `app` is judged when it completes: call it before the change
    /// that completes the scan.
    pub(crate) async fn expect_scan_evaluation(
        &self,
        org: OrgId,
        scan: uuid::Uuid,
        app: AppId,
    ) -> ServiceResult<()> {
        Ok(self
            .store()
            .expect_scan_evaluation(org, scan, app, self.now())
            .await?)
    }

    /// Judges a completed scan's application under the tenant's gate policies
    /// ([`Policy::gates_scans_of`]) and records the verdicts, with a `policy.failed`
    /// delivery per failing policy, unless someone recorded them first. Returns the
    /// recorded evaluation.
    pub(crate) async fn judge_scan(
        &self,
        org: OrgId,
        scan: uuid::Uuid,
        app: AppId,
    ) -> ServiceResult<Option<ScanEvaluation>> {
        let policies: Vec<Policy> = self
            .store()
            .list_policies(org)
            .await?
            .into_iter()
            .filter(|p| p.gates_scans_of(app))
            .collect();
        let now = self.now();
        let mut verdicts = Vec::with_capacity(policies.len());
        if !policies.is_empty() {
            let who = acting(org, PolicyId(org.0));
            let filter = PlusFindingFilter {
                app: Some(app),
                limit: EVALUATION_MAX,
                ..Default::default()
            };
            let all = self.list_any_vulnerabilities(&who, &filter).await?;
            let gate = self.gate_findings(org, &all).await?;
            for p in &policies {
                verdicts.push(PolicyVerdict::of(p, &p.evaluate(&gate, now)));
            }
        }
        let evaluation = ScanEvaluation::new(org, scan, app, verdicts, now);
        let outbox = self.outbox(org).await?;
        let deliveries: Vec<WebhookDelivery> = evaluation
            .policies
            .iter()
            .filter(|v| v.verdict == Verdict::Fail)
            .flat_map(|v| {
                outbox.deliveries(
                    WebhookEvent::PolicyFailed,
                    json!({
                        "policyId": v.policy,
                        "policyName": v.name,
                        "applicationId": app,
                        "scanId": scan,
                        "result": v.verdict.as_str(),
                        "matched": v.matched,
                        "decidingFindingIds": v.deciding,
                        "truncated": v.matched > v.deciding.len() as u64,
                    }),
                )
            })
            .collect();
        if self
            .store()
            .record_scan_evaluation(&evaluation, &deliveries)
            .await?
        {
            self.deliveries_written(&deliveries);
            if evaluation.verdict != Verdict::Pass {
                tracing::info!(%scan, verdict = %evaluation.verdict, "gate policies judged the scan");
            }
        }
        Ok(self
            .store()
            .scan_evaluations(org, &[scan])
            .await?
            .into_iter()
            .next())
    }

    /// [`Self::judge_scan`] where the scan is already stored complete: failures are
    /// logged, the policy duty judges the scan later.
    pub(crate) async fn judge_completed_scan(&self, org: OrgId, scan: uuid::Uuid, app: AppId) {
        if let Err(e) = self.judge_scan(org, scan, app).await {
            tracing::warn!(%scan, error = %e, "cannot judge the scan now; the policy duty will");
        }
    }

    /// The recorded gate verdicts of these scans (which the caller has read), by scan id.
    pub async fn scan_policy_evaluations(
        &self,
        p: &Principal,
        scans: &[uuid::Uuid],
    ) -> ServiceResult<HashMap<uuid::Uuid, ScanEvaluation>> {
        require(p, Resource::Scans, Action::Read)?;
        if scans.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .store()
            .scan_evaluations(p.org, scans)
            .await?
            .into_iter()
            .map(|e| (e.scan, e))
            .collect())
    }

    /// The duty's part: judges the noted scans left without a verdict (a crash between a
    /// scan's completion and its judging) once complete, and drops the notes of scans that
    /// never completed. Returns (judged, dropped).
    pub(crate) async fn judge_due_scans(&self) -> ServiceResult<(usize, usize)> {
        let now = self.now();
        let due = self
            .store()
            .due_scan_evaluations(now - DUE_AFTER, DUE_BATCH)
            .await?;
        let (mut judged, mut dropped) = (0, 0);
        for d in due {
            if d.complete {
                self.judge_scan(d.org, d.scan, d.app).await?;
                judged += 1;
            } else if d.created_at < now - ABANDONED_AFTER {
                self.store().drop_scan_evaluation(d.org, d.scan).await?;
                dropped += 1;
            }
        }
        Ok((judged, dropped))
    }
}
