//! Server-side reports (reference §3.10): requests validated and stored `PROCESSING`, read,
//! listed and deleted per the §5.3 "PDF Report" row; and, for the background generator,
//! leased claims and the data a report is generated from (apps, scans, vulnerabilities
//! narrowed by the report's filter and dates, and the previous scan of the same config
//! for the trend). Rendering lives above this layer (the server, over `rampart-report`).

use crate::error::Checks;
use crate::search::query_problem;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use chrono::{DateTime, SecondsFormat, Utc};
use rampart_domain::report::{Report, ReportParams, ReportStatus};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Page, ReportLease, ReportOutcome, Visibility};
use std::collections::{BTreeMap, BTreeSet};

/// What a report type requires, as `rampart-report` defines it (the service cannot reach
/// that crate; the caller resolves the type and its allowed formats first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportKindRules {
    /// A scan id is required (summary, remediation and compliance reports).
    pub needs_scan: bool,
    /// Every app the owner sees (executive all-apps reports); no scan, no app.
    pub all_apps: bool,
}

/// A report request (reference §3.10 `ReportGeneration`), type and format already checked.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub name: String,
    pub kind: String,
    pub format: String,
    pub scan: Option<ScanId>,
    pub app: Option<AppId>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub month: Option<String>,
    pub filter: Option<String>,
}

/// The trend of one app since the previous scan of the same scan config.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrendData {
    pub new: Vec<VulnerabilityId>,
    pub fixed: Vec<VulnerabilityId>,
    pub still_open: Vec<VulnerabilityId>,
    /// Earlier completed scans of the config and this one, oldest first.
    pub history: Vec<TrendPoint>,
}

/// One scan in a trend: when it completed and its vulnerabilities per severity.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    pub scan: ScanId,
    pub at: DateTime<Utc>,
    pub counts: BTreeMap<Severity, u64>,
}

/// One app of a report and what it is generated from.
#[derive(Clone, Debug)]
pub struct ReportSection {
    pub app: App,
    /// The reported scan: the requested one, else the app's latest completed scan in the
    /// report's period (none: the app was never scanned).
    pub scan: Option<Scan>,
    pub config_name: String,
    pub template_name: String,
    /// The scan's vulnerabilities, narrowed by the report's filter and dates.
    pub vulnerabilities: Vec<Vulnerability>,
    pub trend: Option<TrendData>,
    /// What the scan could not cover (limits reached, losses), when its engine said.
    pub coverage: Option<rampart_domain::job::Coverage>,
}

/// How many earlier scans a trend history shows.
const HISTORY: u64 = 6;
/// Page size when reading a report's vulnerabilities.
const CHUNK: u64 = 1000;

fn parse_date(c: &mut Checks, field: &str, v: Option<&str>) -> Option<chrono::NaiveDate> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            c.push(Problem::property(
                field,
                format!("'{v}' is not a date: write yyyy-mm-dd, e.g. 2026-01-31"),
            ));
            None
        }
    }
}

fn parse_month(c: &mut Checks, v: Option<&str>) -> Option<chrono::NaiveDate> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    match chrono::NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d") {
        Ok(d) if v.len() == 7 => Some(d),
        _ => {
            c.push(Problem::property(
                "month",
                format!("'{v}' is not a month: write yyyy-mm, e.g. 2026-01"),
            ));
            None
        }
    }
}

/// The search-language spelling of a time.
fn q_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Service {
    /// The signal the report generator waits on: notified when a report is requested.
    pub fn report_requests(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.report_wake.clone()
    }

    /// Stores a `PROCESSING` report; the generator picks it up. 422 with every problem.
    pub async fn create_report(
        &self,
        p: &Principal,
        input: ReportInput,
        rules: ReportKindRules,
    ) -> ServiceResult<ReportId> {
        require(p, Resource::Reports, Action::Manage)?;
        let vis = Visibility::of(p);
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 255);
        let start = parse_date(&mut c, "start", input.start.as_deref());
        let end = parse_date(&mut c, "end", input.end.as_deref());
        let month = parse_month(&mut c, input.month.as_deref());
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                c.push(Problem::property("end", "must not be before start"));
            }
        }
        if month.is_some() && (start.is_some() || end.is_some()) {
            c.push(Problem::property(
                "month",
                "give either month or start/end, not both",
            ));
        }
        let filter = input
            .filter
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty());
        if let Some(f) = &filter {
            if let Err(e) = rampart_query::parse_query(ResourceType::Vulnerability, f) {
                if let ServiceError::Validation { problems, .. } = query_problem(e) {
                    for x in problems {
                        c.push(Problem::property(
                            "filter",
                            format!("{}: {}", x.context, x.explanation),
                        ));
                    }
                }
            }
        }
        let mut app = input.app;
        if rules.all_apps {
            if input.scan.is_some() || input.app.is_some() {
                c.push(Problem::property(
                    "type",
                    format!("{} covers every app: give no scan and no app", input.kind),
                ));
            }
        } else if let Some(scan) = input.scan {
            match self.store.get_scan(p.org, scan, &vis).await {
                Ok(s) => {
                    if input.app.is_some_and(|a| a != s.app) {
                        c.push(Problem::property("app", "is not the app of the scan"));
                    }
                    app = Some(s.app);
                }
                Err(rampart_store::StoreError::NotFound) => c.push(Problem::property(
                    "scan.id",
                    format!("scan {scan} not found"),
                )),
                Err(e) => return Err(e.into()),
            }
        } else if rules.needs_scan {
            c.push(Problem::property(
                "scan.id",
                format!("is required: a {} report is about one scan", input.kind),
            ));
        } else if let Some(a) = input.app {
            match self.store.get_app(p.org, a, &vis).await {
                Ok(_) => {}
                Err(rampart_store::StoreError::NotFound) => {
                    c.push(Problem::property("app.id", format!("app {a} not found")))
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            c.push(Problem::property(
                "app.id",
                format!("is required: a {} report is about one app", input.kind),
            ));
        }
        c.finish()?;
        let now = self.now();
        let r = Report {
            id: ReportId::new(),
            org: p.org,
            name: input.name.trim().to_string(),
            kind: input.kind,
            format: input.format,
            owner: p.id,
            app,
            scan: input.scan,
            params: ReportParams {
                filter,
                start,
                end,
                month,
                owner_sees_all: p.sees_all_apps(),
            },
            status: ReportStatus::Processing,
            failure_reason: None,
            created_at: now,
            generated_date: now,
        };
        self.store.create_report(&r).await?;
        self.report_wake.notify_one();
        Ok(r.id)
    }

    pub async fn list_reports(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<Report>> {
        require(p, Resource::Reports, Action::Read)?;
        Ok(self
            .store
            .list_reports(p.org, &Visibility::of(p), req)
            .await?)
    }

    pub async fn get_report(&self, p: &Principal, id: ReportId) -> ServiceResult<Report> {
        require(p, Resource::Reports, Action::Read)?;
        Ok(self.store.get_report(p.org, id, &Visibility::of(p)).await?)
    }

    /// The report and its content (`None` unless COMPLETE).
    pub async fn report_content(
        &self,
        p: &Principal,
        id: ReportId,
    ) -> ServiceResult<(Report, Option<Vec<u8>>)> {
        require(p, Resource::Reports, Action::Read)?;
        Ok(self
            .store
            .get_report_content(p.org, id, &Visibility::of(p))
            .await?)
    }

    pub async fn delete_report(&self, p: &Principal, id: ReportId) -> ServiceResult<()> {
        self.store.get_report(p.org, id, &Visibility::of(p)).await?;
        require(p, Resource::Reports, Action::Manage)?;
        Ok(self.store.delete_report(p.org, id).await?)
    }

    // --- the generator's side -------------------------------------------------------

    /// Leases the next report to generate for `owner` until `now + lease`.
    pub async fn claim_report(
        &self,
        owner: &str,
        lease: std::time::Duration,
        max_attempts: i32,
    ) -> ServiceResult<Option<Report>> {
        let now = self.now();
        let until = now
            + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::days(3650));
        let lease = ReportLease {
            owner: owner.into(),
            until,
        };
        Ok(self.store.claim_report(&lease, now, max_attempts).await?)
    }

    pub async fn renew_report_lease(
        &self,
        id: ReportId,
        owner: &str,
        lease: std::time::Duration,
    ) -> ServiceResult<()> {
        let until = self.now()
            + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::days(3650));
        let lease = ReportLease {
            owner: owner.into(),
            until,
        };
        Ok(self.store.renew_report_lease(id, &lease).await?)
    }

    pub async fn finish_report(
        &self,
        id: ReportId,
        owner: &str,
        outcome: Result<Vec<u8>, String>,
    ) -> ServiceResult<()> {
        let outcome = match outcome {
            Ok(bytes) => ReportOutcome::Complete(bytes),
            Err(why) => ReportOutcome::Failed(why),
        };
        Ok(self
            .store
            .finish_report(id, owner, outcome, self.now())
            .await?)
    }

    /// Frees the report leases a previous run of this server held (`prefix` names it).
    pub async fn release_report_leases(&self, prefix: &str) -> ServiceResult<u64> {
        Ok(self.store.release_report_leases(prefix).await?)
    }

    /// Fails reports whose generation was interrupted `max_attempts` times.
    pub async fn fail_exhausted_reports(&self, max_attempts: i32) -> ServiceResult<usize> {
        let reason = format!(
            "generation was interrupted {max_attempts} times (the server generating it stopped); request the report again"
        );
        Ok(self
            .store
            .fail_exhausted_reports(self.now(), max_attempts, &reason)
            .await?
            .len())
    }

    /// Deletes finished reports older than `days` (retention).
    pub async fn purge_reports(&self, days: u32) -> ServiceResult<u64> {
        let before = self.now() - chrono::Duration::days(i64::from(days));
        Ok(self.store.purge_reports(before).await?)
    }

    /// What `r` is generated from: one section per app (its app, or with `all_apps` every
    /// app its owner sees, by name).
    pub async fn report_sections(
        &self,
        r: &Report,
        all_apps: bool,
    ) -> ServiceResult<Vec<ReportSection>> {
        let vis = if r.params.owner_sees_all {
            Visibility::All
        } else {
            Visibility::MemberOf(r.owner)
        };
        let apps = if all_apps {
            let mut apps = Vec::new();
            let mut req = ListRequest::first(CHUNK);
            loop {
                let page = self.store.list_apps(r.org, &vis, &req).await?;
                let n = page.items.len() as u64;
                apps.extend(page.items);
                if n < CHUNK {
                    break;
                }
                req.index += 1;
            }
            apps
        } else {
            let app = r.app.ok_or_else(|| {
                ServiceError::Internal("a single-app report without an app".into())
            })?;
            vec![self
                .store
                .get_app(r.org, app, &vis)
                .await
                .map_err(|e| match e {
                    rampart_store::StoreError::NotFound => ServiceError::Conflict(format!(
                        "app {app} no longer exists (or its owner no longer sees it)"
                    )),
                    e => e.into(),
                })?]
        };
        let mut out = Vec::with_capacity(apps.len());
        for app in apps {
            out.push(self.section(r, &vis, app).await?);
        }
        Ok(out)
    }

    async fn section(
        &self,
        r: &Report,
        vis: &Visibility,
        app: App,
    ) -> ServiceResult<ReportSection> {
        let (from, to) = r.params.window();
        let scan =
            match r.scan {
                Some(id) => Some(self.store.get_scan(r.org, id, vis).await.map_err(
                    |e| match e {
                        rampart_store::StoreError::NotFound => ServiceError::Conflict(format!(
                            "scan {id} no longer exists (or its owner no longer sees it)"
                        )),
                        e => e.into(),
                    },
                )?),
                None => {
                    let mut q = format!("scan.app.id = '{}' && scan.status = 'COMPLETE'", app.id);
                    if let Some(to) = to {
                        q.push_str(&format!(" && scan.submit_time < '{}'", q_time(to)));
                    }
                    self.scans(r.org, vis, &q, 1).await?.into_iter().next()
                }
            };
        let Some(scan) = scan else {
            return Ok(ReportSection {
                app,
                scan: None,
                config_name: String::new(),
                template_name: String::new(),
                vulnerabilities: Vec::new(),
                trend: None,
                coverage: None,
            });
        };
        let (config_name, template_name) = match self
            .store
            .get_scan_config(r.org, scan.scan_config, vis)
            .await
        {
            Ok(c) => {
                let t = self
                    .store
                    .get_attack_template(r.org, c.attack_template)
                    .await
                    .map(|t| t.name)
                    .unwrap_or_default();
                (c.name, t)
            }
            Err(rampart_store::StoreError::NotFound) => (String::new(), String::new()),
            Err(e) => return Err(e.into()),
        };
        let mut q = format!("vulnerability.scans.id = '{}'", scan.id);
        if let Some(from) = from {
            q.push_str(&format!(
                " && vulnerability.first_discovered >= '{}'",
                q_time(from)
            ));
        }
        if let Some(to) = to {
            q.push_str(&format!(
                " && vulnerability.first_discovered < '{}'",
                q_time(to)
            ));
        }
        if let Some(f) = &r.params.filter {
            q = format!("{q} && ({f})");
        }
        let vulnerabilities = self.vulnerabilities(r.org, vis, &q).await?;
        let trend = self.trend(r.org, vis, &scan).await?;
        let coverage = self.store.find_scan_coverage(r.org, scan.id).await?;
        Ok(ReportSection {
            app,
            scan: Some(scan),
            config_name,
            template_name,
            vulnerabilities,
            trend,
            coverage,
        })
    }

    /// New, fixed and still-open vulnerabilities since the previous completed scan of the
    /// same config, and the totals of the earlier scans.
    async fn trend(
        &self,
        org: OrgId,
        vis: &Visibility,
        scan: &Scan,
    ) -> ServiceResult<Option<TrendData>> {
        let earlier = self
            .scans(
                org,
                vis,
                &format!(
                    "scan.scan_config.id = '{}' && scan.status = 'COMPLETE' && scan.submit_time < '{}'",
                    scan.scan_config,
                    q_time(scan.submit_time)
                ),
                HISTORY,
            )
            .await?;
        let current = self
            .vulnerabilities(org, vis, &format!("vulnerability.scans.id = '{}'", scan.id))
            .await?;
        let now: BTreeSet<_> = current.iter().map(|v| v.id).collect();
        let mut counts = BTreeMap::new();
        for v in &current {
            *counts.entry(v.severity).or_insert(0) += 1;
        }
        let here = TrendPoint {
            scan: scan.id,
            at: scan.completion_time.unwrap_or(scan.submit_time),
            counts,
        };
        let Some(previous) = earlier.first() else {
            return Ok(Some(TrendData {
                new: now.into_iter().collect(),
                history: vec![here],
                ..TrendData::default()
            }));
        };
        let before = self
            .store
            .list_scan_vulnerability_ids(org, previous.id)
            .await?;
        let mut history = Vec::new();
        for s in earlier.iter().rev() {
            let mut counts = BTreeMap::new();
            for sev in Severity::ALL {
                let n = self
                    .count_vulnerabilities(
                        org,
                        vis,
                        &format!(
                            "vulnerability.scans.id = '{}' && vulnerability.severity = '{}'",
                            s.id,
                            sev.as_str()
                        ),
                    )
                    .await?;
                if n > 0 {
                    counts.insert(*sev, n);
                }
            }
            history.push(TrendPoint {
                scan: s.id,
                at: s.completion_time.unwrap_or(s.submit_time),
                counts,
            });
        }
        history.push(here);
        let d = crate::compare::diff(before, now);
        Ok(Some(TrendData {
            new: d.new,
            fixed: d.fixed,
            still_open: d.unchanged,
            history,
        }))
    }

    async fn count_vulnerabilities(
        &self,
        org: OrgId,
        vis: &Visibility,
        q: &str,
    ) -> ServiceResult<u64> {
        let req = ListRequest {
            filter: Some(
                rampart_query::parse_query(ResourceType::Vulnerability, q)
                    .map_err(|e| ServiceError::Internal(e.message))?,
            ),
            ..ListRequest::first(1)
        };
        Ok(self.store.list_vulnerabilities(org, vis, &req).await?.total)
    }

    /// Up to `n` scans matching `q`, newest first.
    async fn scans(
        &self,
        org: OrgId,
        vis: &Visibility,
        q: &str,
        n: u64,
    ) -> ServiceResult<Vec<Scan>> {
        let req = ListRequest {
            filter: Some(
                rampart_query::parse_query(ResourceType::Scan, q)
                    .map_err(|e| ServiceError::Internal(e.message))?,
            ),
            sort: rampart_query::parse_sort(ResourceType::Scan, "scan.submit_time,DESC")
                .map_err(|e| ServiceError::Internal(e.message))?,
            ..ListRequest::first(n)
        };
        Ok(self.store.list_scans(org, vis, &req).await?.items)
    }

    /// Every vulnerability matching `q` (a report's filter is checked when requested; a
    /// stored one that no longer parses fails the generation with the parser's message).
    async fn vulnerabilities(
        &self,
        org: OrgId,
        vis: &Visibility,
        q: &str,
    ) -> ServiceResult<Vec<Vulnerability>> {
        let filter =
            rampart_query::parse_query(ResourceType::Vulnerability, q).map_err(query_problem)?;
        let mut req = ListRequest {
            filter: Some(filter),
            ..ListRequest::first(CHUNK)
        };
        let mut out = Vec::new();
        loop {
            let page = self.store.list_vulnerabilities(org, vis, &req).await?;
            let n = page.items.len() as u64;
            out.extend(page.items);
            if n < CHUNK || out.len() as u64 >= page.total {
                break;
            }
            req.index += 1;
        }
        Ok(out)
    }
}
