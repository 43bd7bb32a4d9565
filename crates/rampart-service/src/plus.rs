//! AppSec+ use cases: application profiles (the same apps as `/ias/v1`), imports of tool
//! results with the re-import rule of `rampart_ingest`, and imported findings.

use crate::apps::{check, name_conflict};
use crate::error::Checks;
use crate::{require, AppInput, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_ingest::{Format, Report};
use rampart_store::{ListRequest, PlusFindingFilter, StoreError, Visibility};
use serde_json::json;

/// The writable fields of an AppSec+ application (PUT overwrites them all).
#[derive(Clone, Debug, Default)]
pub struct PlusAppInput {
    pub name: String,
    pub description: Option<String>,
    pub profile: AppProfile,
    /// Tag names; missing tags are created.
    pub tags: Vec<String>,
}

/// An app with its tag names.
#[derive(Clone, Debug)]
pub struct PlusAppView {
    pub app: App,
    pub tags: Vec<String>,
}

/// `GET /applications` filters.
#[derive(Clone, Debug, Default)]
pub struct PlusAppFilter {
    pub owner: Option<String>,
    pub criticality: Option<Criticality>,
    pub tag: Option<String>,
    pub archived: Option<bool>,
}

/// What an import did (or, on a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportDelta {
    pub new: usize,
    pub unchanged: usize,
    pub reopened: usize,
    pub closed: usize,
}

/// The answer of an import: the scan (None on a dry run) and the delta.
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    pub scan: Option<PlusScan>,
    pub delta: ImportDelta,
    pub findings: usize,
}

fn check_profile(c: &mut Checks, p: &AppProfile, tags: &[String]) {
    for (name, v) in [
        ("owner", &p.owner),
        ("language", &p.language),
        ("businessUnit", &p.business_unit),
    ] {
        c.opt_text(name, v.as_deref(), 200);
    }
    for (name, v) in [("repoUrl", &p.repo_url), ("serviceUrl", &p.service_url)] {
        if let Some(u) = v {
            if url::Url::parse(u).is_err() {
                c.push(Problem::property(name, "must be an absolute URL"));
            }
        }
    }
    for (i, t) in tags.iter().enumerate() {
        c.text(&format!("tags.{i}"), t, 1, 100);
    }
}

impl Service {
    pub async fn create_plus_app(
        &self,
        p: &Principal,
        input: PlusAppInput,
    ) -> ServiceResult<PlusAppView> {
        let mut c = Checks::default();
        check_profile(&mut c, &input.profile, &input.tags);
        c.finish()?;
        let id = self
            .create_app_with(
                p,
                AppInput {
                    name: input.name,
                    description: input.description,
                },
                input.profile,
            )
            .await?;
        self.set_app_tag_names(p, id, &input.tags).await?;
        self.get_plus_app(p, id).await
    }

    pub async fn get_plus_app(&self, p: &Principal, id: AppId) -> ServiceResult<PlusAppView> {
        let app = self.get_app(p, id).await?;
        let tags = self.store().list_app_tags(p.org, id).await?;
        Ok(PlusAppView {
            app,
            tags: tags.into_iter().map(|t| t.name).collect(),
        })
    }

    /// Overwrites every writable field (PUT); `archived` is kept unless `archive` says.
    pub async fn update_plus_app(
        &self,
        p: &Principal,
        id: AppId,
        input: PlusAppInput,
    ) -> ServiceResult<PlusAppView> {
        let mut app = self.get_app(p, id).await?;
        require(p, Resource::Apps, Action::Manage)?;
        let base = AppInput {
            name: input.name,
            description: input.description,
        };
        check(&base)?;
        let mut c = Checks::default();
        check_profile(&mut c, &input.profile, &input.tags);
        c.finish()?;
        let archived = app.profile.archived;
        app.name = base.name;
        app.description = base.description;
        app.profile = AppProfile {
            archived,
            ..input.profile
        };
        app.updated_at = self.now();
        self.store().update_app(&app).await.map_err(name_conflict)?;
        self.set_app_tag_names(p, id, &input.tags).await?;
        self.get_plus_app(p, id).await
    }

    pub async fn set_app_archived(
        &self,
        p: &Principal,
        id: AppId,
        archived: bool,
    ) -> ServiceResult<PlusAppView> {
        let mut app = self.get_app(p, id).await?;
        require(p, Resource::Apps, Action::Manage)?;
        app.profile.archived = archived;
        app.updated_at = self.now();
        self.store().update_app(&app).await?;
        self.get_plus_app(p, id).await
    }

    /// Every visible app matching the filter, by name (a bare array, as documented): two
    /// reads, however many apps there are.
    pub async fn list_plus_apps(
        &self,
        p: &Principal,
        f: &PlusAppFilter,
    ) -> ServiceResult<Vec<PlusAppView>> {
        require(p, Resource::Apps, Action::Read)?;
        let all = self
            .store()
            .list_apps_with_tags(p.org, &Visibility::of(p))
            .await?;
        Ok(all
            .into_iter()
            .map(|(app, tags)| PlusAppView {
                app,
                tags: tags.into_iter().map(|t| t.name).collect(),
            })
            .filter(|v| {
                let app = &v.app;
                f.owner
                    .as_ref()
                    .is_none_or(|o| app.profile.owner.as_ref() == Some(o))
                    && f.criticality.is_none_or(|c| app.profile.criticality == c)
                    && f.tag.as_ref().is_none_or(|t| v.tags.contains(t))
                    && f.archived.is_none_or(|a| app.profile.archived == a)
            })
            .collect())
    }

    /// Makes the app's tags exactly `names` (creating missing tags).
    async fn set_app_tag_names(
        &self,
        p: &Principal,
        app: AppId,
        names: &[String],
    ) -> ServiceResult<()> {
        let store = self.store();
        let current = store.list_app_tags(p.org, app).await?;
        for t in &current {
            if !names.contains(&t.name) {
                store.remove_app_tag(p.org, app, t.id).await?;
            }
        }
        for name in names {
            if current.iter().any(|t| &t.name == name) {
                continue;
            }
            let tag = match store.find_tag_by_name(p.org, name).await? {
                Some(t) => t,
                None => {
                    let t = Tag {
                        id: TagId::new(),
                        org: p.org,
                        name: name.clone(),
                        creator: p.id,
                        created_at: self.now(),
                    };
                    match store.create_tag(&t).await {
                        Ok(()) => t,
                        // Created concurrently: use that one.
                        Err(StoreError::Conflict(_)) => store
                            .find_tag_by_name(p.org, name)
                            .await?
                            .ok_or(ServiceError::Conflict("the tag changed, retry".into()))?,
                        Err(e) => return Err(e.into()),
                    }
                }
            };
            store.add_app_tag(p.org, app, tag.id).await?;
        }
        Ok(())
    }

    /// Imports a parsed tool output into an app: new findings are stored, the findings of
    /// the same tools no longer reported are closed, returning ones reopened (see
    /// `rampart_ingest::reconcile`). `dry_run` computes the delta and writes nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn import_results(
        &self,
        p: &Principal,
        app: AppId,
        scan_type: PlusScanType,
        format: Format,
        report: Report,
        triggered_by: Option<String>,
        dry_run: bool,
    ) -> ServiceResult<ImportOutcome> {
        let target = self.get_app(p, app).await?;
        require(p, Resource::Scans, Action::Manage)?;
        if scan_type == PlusScanType::Dast {
            return Err(ServiceError::invalid(vec![Problem::property(
                "scanType",
                "dast scans run the engine: POST /scans without a file",
            )]));
        }
        if target.profile.archived && !dry_run {
            return Err(ServiceError::Conflict(
                "the application is archived: unarchive it to import results".into(),
            ));
        }
        let known = self
            .store()
            .plus_finding_states(p.org, app, scan_type, &report.tools)
            .await?;
        let known_keys: Vec<((&str, &str), PlusStatus)> = known
            .findings
            .iter()
            .map(|k| ((k.tool.as_str(), k.fingerprint.as_str()), k.status))
            .collect();
        let incoming: Vec<(&str, &str)> = report
            .findings
            .iter()
            .map(|f| (f.tool.as_str(), f.fingerprint.as_str()))
            .collect();
        let d = rampart_ingest::reconcile(&known_keys, &incoming);
        let delta = ImportDelta {
            new: d.new.len(),
            unchanged: d.unchanged.len(),
            reopened: d.reopened.len(),
            closed: d.closed.len(),
        };
        let findings = report.findings.len();
        if dry_run {
            return Ok(ImportOutcome {
                scan: None,
                delta,
                findings,
            });
        }
        let now = self.now();
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for f in &report.findings {
            *counts
                .entry(rampart_domain::plus::plus_severity(f.severity))
                .or_default() += 1;
        }
        let scan = PlusScan {
            id: PlusScanId::new(),
            org: p.org,
            app,
            scan_type,
            tools: report.tools.clone(),
            format: format.as_str().into(),
            triggered_by: triggered_by.or_else(|| Some(p.id.to_string())),
            created_at: now,
            summary: json!({
                "totalFindings": findings,
                "critical": counts.get("critical").copied().unwrap_or(0),
                "high": counts.get("high").copied().unwrap_or(0),
                "medium": counts.get("medium").copied().unwrap_or(0),
                "low": counts.get("low").copied().unwrap_or(0),
                "info": counts.get("info").copied().unwrap_or(0),
                "new": delta.new,
                "unchanged": delta.unchanged,
                "reopened": delta.reopened,
                "closed": delta.closed,
            }),
        };
        let mut fresh = vec![false; report.findings.len()];
        for i in &d.new {
            fresh[*i] = true;
        }
        let mut import = known.import(Vec::new(), &incoming, &d.unchanged, &d.reopened, &d.closed);
        import.new = report
            .findings
            .into_iter()
            .zip(fresh)
            .filter(|(_, new)| *new)
            .map(|(f, _)| PlusFinding {
                id: PlusFindingId::new(),
                org: p.org,
                app,
                scan: scan.id,
                scan_type,
                tool: f.tool,
                fingerprint: f.fingerprint,
                rule_id: f.rule_id,
                title: f.title,
                description: f.description,
                severity: f.severity,
                status: f.status.unwrap_or(PlusStatus::Open),
                cwe: f.cwe,
                cve: f.cve,
                cvss_score: f.cvss_score,
                location: f.location,
                remediation: f.remediation,
                first_seen: now,
                last_seen: now,
                updated_at: now,
            })
            .collect();
        // The import's events are written with it (a crash keeps both or neither).
        let outbox = self.outbox(scan.org).await?;
        let deliveries = Self::import_deliveries(&outbox, &scan, &import);
        self.expect_scan_evaluation(scan.org, scan.id.0, scan.app)
            .await?;
        self.store()
            .apply_plus_import(&scan, &import, &deliveries)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::Conflict(
                    "another import of this application ran at the same time: retry".into(),
                ),
                other => other.into(),
            })?;
        self.deliveries_written(&deliveries);
        self.apply_triage_policies(scan.org, Some(scan.app)).await;
        self.judge_completed_scan(scan.org, scan.id.0, scan.app)
            .await;
        Ok(ImportOutcome {
            scan: Some(scan),
            delta,
            findings,
        })
    }

    pub async fn get_plus_scan(&self, p: &Principal, id: PlusScanId) -> ServiceResult<PlusScan> {
        require(p, Resource::Scans, Action::Read)?;
        Ok(self
            .store()
            .get_plus_scan(p.org, id, &Visibility::of(p))
            .await?)
    }

    pub async fn list_plus_scans(
        &self,
        p: &Principal,
        app: Option<AppId>,
    ) -> ServiceResult<Vec<PlusScan>> {
        require(p, Resource::Scans, Action::Read)?;
        Ok(self
            .store()
            .list_plus_scans(p.org, app, &Visibility::of(p))
            .await?)
    }

    pub async fn list_plus_findings(
        &self,
        p: &Principal,
        filter: &PlusFindingFilter,
    ) -> ServiceResult<Vec<PlusFinding>> {
        require(p, Resource::Vulnerabilities, Action::Read)?;
        Ok(self
            .store()
            .list_plus_findings(p.org, filter, &Visibility::of(p))
            .await?)
    }

    pub async fn get_plus_finding(
        &self,
        p: &Principal,
        id: PlusFindingId,
    ) -> ServiceResult<PlusFinding> {
        require(p, Resource::Vulnerabilities, Action::Read)?;
        Ok(self
            .store()
            .get_plus_finding(p.org, id, &Visibility::of(p))
            .await?)
    }

    /// A triage decision; an import keeps it (`accepted` is never changed by an import).
    pub async fn set_plus_finding_status(
        &self,
        p: &Principal,
        id: PlusFindingId,
        status: PlusStatus,
    ) -> ServiceResult<PlusFinding> {
        self.get_plus_finding(p, id).await?;
        require(p, Resource::Vulnerabilities, Action::Manage)?;
        self.store()
            .set_plus_finding_status(p.org, id, status, self.now())
            .await?;
        self.get_plus_finding(p, id).await
    }
}

/// A vulnerability of any scan type, as AppSec+ lists it.
#[derive(Clone, Debug)]
pub enum AnyVulnerability {
    Imported(PlusFinding),
    /// An engine (`/ias/v1`) vulnerability with its module's name, description,
    /// recommendation and CWE.
    Dast {
        vuln: Vulnerability,
        title: String,
        description: Option<String>,
        remediation: Option<String>,
        cwe: Option<String>,
    },
}

impl AnyVulnerability {
    pub fn app(&self) -> AppId {
        match self {
            AnyVulnerability::Imported(f) => f.app,
            AnyVulnerability::Dast { vuln, .. } => vuln.app,
        }
    }
    pub fn severity(&self) -> Severity {
        match self {
            AnyVulnerability::Imported(f) => f.severity,
            AnyVulnerability::Dast { vuln, .. } => vuln.severity,
        }
    }
    pub fn status(&self) -> PlusStatus {
        match self {
            AnyVulnerability::Imported(f) => f.status,
            AnyVulnerability::Dast { vuln, .. } => PlusStatus::from_ias(vuln.status),
        }
    }
    pub fn title(&self) -> &str {
        match self {
            AnyVulnerability::Imported(f) => &f.title,
            AnyVulnerability::Dast { title, .. } => title,
        }
    }
    pub fn first_seen(&self) -> chrono::DateTime<chrono::Utc> {
        match self {
            AnyVulnerability::Imported(f) => f.first_seen,
            AnyVulnerability::Dast { vuln, .. } => vuln.first_discovered,
        }
    }
}

/// How many engine vulnerabilities one read of an AppSec+ list takes at a time (it reads
/// pages until it has what the list needs, at most [`crate::EVALUATION_MAX`] in all).
pub const DAST_LIST_MAX: u64 = 1000;

impl Service {
    /// Runs the engine on the app (the same admission as `POST /ias/v1/scans`): the given
    /// scan config, or the app's only one.
    pub async fn start_dast_scan(
        &self,
        p: &Principal,
        app: AppId,
        config: Option<ScanConfigId>,
    ) -> ServiceResult<Scan> {
        let target = self.get_app(p, app).await?;
        if target.profile.archived {
            return Err(ServiceError::Conflict(
                "the application is archived: unarchive it to scan it".into(),
            ));
        }
        let config = match config {
            Some(c) => c,
            None => {
                let req = ListRequest {
                    filter: Some(
                        rampart_query::parse_query(
                            rampart_query::ResourceType::ScanConfig,
                            &format!("scanconfig.app.id = '{}'", app.0),
                        )
                        .map_err(|e| ServiceError::Internal(e.message))?,
                    ),
                    ..ListRequest::first(2)
                };
                let configs = self.list_scan_configs(p, &req).await?;
                let mine: Vec<ScanConfigId> = configs
                    .items
                    .iter()
                    .filter(|v| v.config.app == app)
                    .map(|v| v.config.id)
                    .collect();
                match mine.as_slice() {
                    [one] => *one,
                    _ => {
                        return Err(ServiceError::invalid(vec![Problem::property(
                            "scanConfigId",
                            "the application has no single scan config: name one",
                        )]))
                    }
                }
            }
        };
        let id = self
            .submit_scan(
                p,
                crate::ScanInput {
                    scan_config: Some(config),
                    app: Some(app),
                    ..Default::default()
                },
            )
            .await?;
        self.get_scan(p, id).await
    }

    /// Imported findings and engine vulnerabilities, both filtered (the engine's by
    /// application and order in the database, the rest here), newest first unless
    /// `filter.sort` says.
    pub async fn list_any_vulnerabilities(
        &self,
        p: &Principal,
        filter: &PlusFindingFilter,
    ) -> ServiceResult<Vec<AnyVulnerability>> {
        let wanted = filter.limit.saturating_add(filter.offset);
        let mut imported_filter = filter.clone();
        imported_filter.limit = wanted;
        imported_filter.offset = 0;
        let include_dast = filter.scan.is_none()
            && filter.tool.is_none()
            && filter.scan_type.is_none_or(|t| t == PlusScanType::Dast);
        let mut out: Vec<AnyVulnerability> = if filter.scan_type == Some(PlusScanType::Dast) {
            Vec::new()
        } else {
            self.list_plus_findings(p, &imported_filter)
                .await?
                .into_iter()
                .map(AnyVulnerability::Imported)
                .collect()
        };
        if include_dast {
            for v in self.dast_candidates(p, filter, wanted).await? {
                let any = self.dast(v);
                let keep = filter.app.is_none_or(|a| any.app() == a)
                    && filter.severity.is_none_or(|s| any.severity() == s)
                    && filter
                        .min_severity
                        .is_none_or(|s| severity_rank(any.severity()) >= severity_rank(s))
                    && filter.status.is_none_or(|s| any.status() == s)
                    && filter.cwe.as_ref().is_none_or(|c| match &any {
                        AnyVulnerability::Dast { cwe, .. } => cwe.as_ref() == Some(c),
                        AnyVulnerability::Imported(_) => false,
                    });
                if keep {
                    out.push(any);
                }
            }
        }
        let sort = filter.sort.as_deref().unwrap_or("-firstSeen");
        let desc = sort.starts_with('-');
        match sort.trim_start_matches('-') {
            "severity" => out.sort_by_key(|v| severity_rank(v.severity())),
            _ => out.sort_by_key(|v| v.first_seen()),
        }
        if desc {
            out.reverse();
        }
        Ok(out
            .into_iter()
            .skip(usize::try_from(filter.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(filter.limit).unwrap_or(usize::MAX))
            .collect())
    }

    /// The engine vulnerabilities an AppSec+ list may need, read page by page: those of
    /// the filter's application (in the database), in the list's order when it is by first
    /// sighting — then the first `wanted` suffice, as the rest of the filter can only drop
    /// some, and the reading goes on until `wanted` pass it — else all of them.
    async fn dast_candidates(
        &self,
        p: &Principal,
        filter: &PlusFindingFilter,
        wanted: u64,
    ) -> ServiceResult<Vec<Vulnerability>> {
        let query = |e: rampart_query::QueryError| ServiceError::Internal(e.message);
        let sort = filter.sort.as_deref().unwrap_or("-firstSeen");
        let by_first_seen = sort.trim_start_matches('-') != "severity";
        let order = if sort.starts_with('-') { "DESC" } else { "ASC" };
        let mut req = ListRequest::first(DAST_LIST_MAX);
        if let Some(app) = filter.app {
            req.filter = Some(
                rampart_query::parse_query(
                    rampart_query::ResourceType::Vulnerability,
                    &format!("vulnerability.app.id = '{}'", app.0),
                )
                .map_err(query)?,
            );
        }
        if by_first_seen {
            req.sort = rampart_query::parse_sort(
                rampart_query::ResourceType::Vulnerability,
                &format!("vulnerability.first_discovered,{order}"),
            )
            .map_err(query)?;
        }
        let passes = |v: &Vulnerability| {
            filter.severity.is_none_or(|s| v.severity == s)
                && filter
                    .min_severity
                    .is_none_or(|s| severity_rank(v.severity) >= severity_rank(s))
        };
        let mut out = Vec::new();
        let mut kept = 0u64;
        loop {
            let page = self.list_vulnerabilities(p, &req).await?;
            let n = page.items.len() as u64;
            kept += page.items.iter().filter(|v| passes(v)).count() as u64;
            out.extend(page.items);
            let enough = by_first_seen && kept >= wanted;
            if n < req.size || enough || out.len() as u64 >= crate::EVALUATION_MAX {
                break;
            }
            req.index += 1;
        }
        Ok(out)
    }

    pub(crate) fn dast(&self, vuln: Vulnerability) -> AnyVulnerability {
        let m = self.module_of(&vuln);
        AnyVulnerability::Dast {
            title: m.map_or_else(|| vuln.module.to_string(), |m| m.name.to_string()),
            description: m.map(|m| m.description.to_string()),
            remediation: m.map(|m| m.recommendation.to_string()),
            cwe: m.map(|m| format!("CWE-{}", m.cwe)),
            vuln,
        }
    }

    /// One vulnerability of any type by id.
    pub async fn get_any_vulnerability(
        &self,
        p: &Principal,
        id: uuid::Uuid,
    ) -> ServiceResult<AnyVulnerability> {
        match self.get_plus_finding(p, PlusFindingId(id)).await {
            Ok(f) => return Ok(AnyVulnerability::Imported(f)),
            Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e),
        }
        let v = self.get_vulnerability(p, VulnerabilityId(id)).await?;
        Ok(self.dast(v))
    }

    /// `PATCH /vulnerabilities/{id}`: one status model for both kinds (an engine
    /// vulnerability takes the `/ias/v1` status of the AppSec+ one).
    pub async fn set_any_status(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        status: PlusStatus,
    ) -> ServiceResult<AnyVulnerability> {
        match self.get_any_vulnerability(p, id).await? {
            AnyVulnerability::Imported(_) => Ok(AnyVulnerability::Imported(
                self.set_plus_finding_status(p, PlusFindingId(id), status)
                    .await?,
            )),
            AnyVulnerability::Dast { vuln, .. } => {
                let v = self
                    .update_vulnerability(p, vuln.id, None, Some(status.to_ias()))
                    .await?;
                Ok(self.dast(v))
            }
        }
    }
}

impl AnyVulnerability {
    /// What a policy reads of it; `tags` are its application's.
    pub fn gate(&self, tags: std::sync::Arc<[String]>) -> GateFinding {
        GateFinding {
            id: self.id(),
            app: self.app(),
            scan_type: self.scan_type(),
            severity: self.severity(),
            status: self.status(),
            cwe: self.cwe(),
            first_seen: self.first_seen(),
            fix_available: self.fix_available(),
            tags,
        }
    }

    /// Whether the source named a fix: an SCA or container finding with a remediation
    /// (CycloneDX `recommendation`, an SPDX `fix` reference). A SARIF rule's help text and an
    /// engine module's recommendation are advice, not a fix.
    pub fn fix_available(&self) -> bool {
        match self {
            AnyVulnerability::Imported(f) => {
                matches!(f.scan_type, PlusScanType::Sca | PlusScanType::Container)
                    && f.remediation
                        .as_deref()
                        .is_some_and(|r| !r.trim().is_empty())
            }
            AnyVulnerability::Dast { .. } => false,
        }
    }

    pub fn id(&self) -> uuid::Uuid {
        match self {
            AnyVulnerability::Imported(f) => f.id.0,
            AnyVulnerability::Dast { vuln, .. } => vuln.id.0,
        }
    }
    pub fn scan_type(&self) -> PlusScanType {
        match self {
            AnyVulnerability::Imported(f) => f.scan_type,
            AnyVulnerability::Dast { .. } => PlusScanType::Dast,
        }
    }
    pub fn cwe(&self) -> Option<String> {
        match self {
            AnyVulnerability::Imported(f) => f.cwe.clone(),
            AnyVulnerability::Dast { cwe, .. } => cwe.clone(),
        }
    }
}
