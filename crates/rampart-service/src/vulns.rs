//! Vulnerabilities: reading, triage (severity and status, with history), discoveries,
//! comments and the documentation of their variances.
//!
//! Permissions (§5.3): Vulnerabilities — Product Admin and Read Write manage, Read Only
//! reads. Vulnerability Comments — Read Only reads; Read Write creates comments and
//! edits or deletes its own; Product Admin (Administer) also edits or deletes anyone's.
//! Everything is app-scoped: a vulnerability of an app the caller cannot see is 404.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Page, Visibility};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Comment length bounds (characters).
pub const COMMENT_MAX: usize = 5000;

/// What to document in `POST /vulnerabilities/variances/documentation`.
#[derive(Clone, Debug, Default)]
pub struct VarianceFilter {
    /// Only these variances (all variances of the selected vulnerabilities when empty).
    pub variance_ids: Vec<Uuid>,
    /// The vulnerabilities this scan discovered.
    pub scan: Option<ScanId>,
    /// These vulnerabilities.
    pub vulnerabilities: Vec<VulnerabilityId>,
}

/// The documentation of a variance's attack, from the module catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct VarianceDoc {
    pub id: Uuid,
    pub references: BTreeMap<String, String>,
    pub description: String,
    pub recommendation: String,
}

/// How many vulnerabilities one documentation request may cover.
const DOC_LIMIT: u64 = 1000;

fn source_of(p: &Principal) -> UpdateSource {
    UpdateSource {
        kind: match p.kind {
            PrincipalKind::Organization => UpdateSourceType::Organization,
            PrincipalKind::User | PrincipalKind::ServiceAccount => UpdateSourceType::User,
        },
        id: p.id.0,
    }
}

impl Service {
    /// The module of the catalogue a vulnerability belongs to, if the engine knows it.
    pub fn module_of(&self, v: &Vulnerability) -> Option<&'static ModuleMeta> {
        self.catalogue.iter().find(|m| m.id == v.module)
    }

    pub async fn list_vulnerabilities(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<Vulnerability>> {
        require(p, Resource::Vulnerabilities, Action::Read)?;
        Ok(self
            .store
            .list_vulnerabilities(p.org, &Visibility::of(p), req)
            .await?)
    }

    pub async fn get_vulnerability(
        &self,
        p: &Principal,
        id: VulnerabilityId,
    ) -> ServiceResult<Vulnerability> {
        require(p, Resource::Vulnerabilities, Action::Read)?;
        Ok(self
            .store
            .get_vulnerability(p.org, id, &Visibility::of(p))
            .await?)
    }

    /// Sets severity and/or status (the only mutable fields); a history entry records
    /// what changed, attributed to the caller (a user, or the organization for
    /// organization keys).
    pub async fn update_vulnerability(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        severity: Option<Severity>,
        status: Option<VulnStatus>,
    ) -> ServiceResult<Vulnerability> {
        // Visibility first: an invisible vulnerability is 404 even for a reader.
        self.get_vulnerability(p, id).await?;
        require(p, Resource::Vulnerabilities, Action::Manage)?;
        Ok(self
            .store
            .update_vulnerability(p.org, id, severity, status, source_of(p), self.now())
            .await?)
    }

    pub async fn vulnerability_history(
        &self,
        p: &Principal,
        id: VulnerabilityId,
    ) -> ServiceResult<Vec<VulnerabilityUpdate>> {
        self.get_vulnerability(p, id).await?;
        Ok(self.store.list_vulnerability_history(p.org, id).await?)
    }

    pub async fn list_discoveries(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        req: &ListRequest,
    ) -> ServiceResult<Page<VulnerabilityDiscovery>> {
        self.get_vulnerability(p, id).await?;
        Ok(self.store.page_discoveries(p.org, id, req).await?)
    }

    pub async fn get_discovery(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        discovery: Uuid,
    ) -> ServiceResult<VulnerabilityDiscovery> {
        self.get_vulnerability(p, id).await?;
        Ok(self.store.get_discovery(p.org, id, discovery).await?)
    }

    /// The vulnerability, visible to the caller, for a comment operation needing `action`.
    async fn comment_scope(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        action: Action,
    ) -> ServiceResult<()> {
        require(p, Resource::VulnerabilityComments, Action::Read)?;
        self.store
            .get_vulnerability(p.org, id, &Visibility::of(p))
            .await?;
        require(p, Resource::VulnerabilityComments, action)
    }

    fn check_content(content: &str) -> ServiceResult<()> {
        let mut c = Checks::default();
        c.lines("content", content, 1, COMMENT_MAX);
        c.finish()
    }

    pub async fn list_comments(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        req: &ListRequest,
    ) -> ServiceResult<Page<VulnerabilityComment>> {
        self.comment_scope(p, id, Action::Read).await?;
        Ok(self
            .store
            .list_vulnerability_comments(p.org, id, req)
            .await?)
    }

    pub async fn get_comment(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        comment: Uuid,
    ) -> ServiceResult<VulnerabilityComment> {
        self.comment_scope(p, id, Action::Read).await?;
        Ok(self
            .store
            .get_vulnerability_comment(p.org, id, comment)
            .await?)
    }

    /// Creates a comment authored by the caller; returns its id.
    pub async fn create_comment(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        content: String,
    ) -> ServiceResult<Uuid> {
        self.comment_scope(p, id, Action::Manage).await?;
        Self::check_content(&content)?;
        let now = self.now();
        let c = VulnerabilityComment {
            id: Uuid::new_v4(),
            org: p.org,
            vulnerability: id,
            author: p.id,
            last_update_author: p.id,
            content,
            create_time: now,
            update_time: now,
        };
        self.store.create_vulnerability_comment(&c).await?;
        Ok(c.id)
    }

    /// Own comments need Manage, other people's Administer.
    async fn own_or_administer(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        comment: Uuid,
    ) -> ServiceResult<()> {
        self.comment_scope(p, id, Action::Manage).await?;
        let c = self
            .store
            .get_vulnerability_comment(p.org, id, comment)
            .await?;
        if c.author != p.id {
            require(p, Resource::VulnerabilityComments, Action::Administer)?;
        }
        Ok(())
    }

    pub async fn update_comment(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        comment: Uuid,
        content: String,
    ) -> ServiceResult<()> {
        self.own_or_administer(p, id, comment).await?;
        Self::check_content(&content)?;
        Ok(self
            .store
            .update_vulnerability_comment(p.org, id, comment, &content, p.id, self.now())
            .await?)
    }

    pub async fn delete_comment(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        comment: Uuid,
    ) -> ServiceResult<()> {
        self.own_or_administer(p, id, comment).await?;
        Ok(self
            .store
            .delete_vulnerability_comment(p.org, id, comment)
            .await?)
    }

    fn document(&self, v: &Vulnerability, variance: &Variance) -> Option<VarianceDoc> {
        let m = self.module_of(v)?;
        let description = match m.attack(&variance.attack_id) {
            Some(a) => format!("{} {}", m.description, a.description),
            None => m.description.to_string(),
        };
        Some(VarianceDoc {
            id: variance.id,
            references: m.reference_map(),
            description,
            recommendation: m.recommendation.to_string(),
        })
    }

    /// The documentation of one variance of a vulnerability.
    pub async fn variance_documentation(
        &self,
        p: &Principal,
        id: VulnerabilityId,
        variance: Uuid,
    ) -> ServiceResult<VarianceDoc> {
        let v = self.get_vulnerability(p, id).await?;
        let x = v
            .variances
            .iter()
            .find(|x| x.id == variance)
            .ok_or(ServiceError::NotFound)?;
        self.document(&v, x).ok_or(ServiceError::NotFound)
    }

    /// Documentation for the variances of the selected vulnerabilities (by id, or those
    /// a scan discovered), optionally only `variance_ids`. Unknown or invisible ids are
    /// left out of the map; at least one vulnerability id or a scan id is required.
    pub async fn variances_documentation(
        &self,
        p: &Principal,
        f: VarianceFilter,
    ) -> ServiceResult<BTreeMap<Uuid, VarianceDoc>> {
        require(p, Resource::Vulnerabilities, Action::Read)?;
        if f.vulnerabilities.is_empty() && f.scan.is_none() {
            return Err(ServiceError::invalid(vec![Problem::object(
                "VarianceFilterRequest",
                "name the vulnerabilities (vuln_ids or vuln_uuids) or a scan_id",
            )]));
        }
        let vis = Visibility::of(p);
        let mut vulns = Vec::new();
        for id in &f.vulnerabilities {
            match self.store.get_vulnerability(p.org, *id, &vis).await {
                Ok(v) => vulns.push(v),
                Err(rampart_store::StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(scan) = f.scan {
            let q = format!("vulnerability.scans.id='{scan}'");
            let req = ListRequest {
                filter: Some(
                    rampart_query::parse_query(ResourceType::Vulnerability, &q)
                        .map_err(crate::query_problem)?,
                ),
                ..ListRequest::first(DOC_LIMIT)
            };
            vulns.extend(
                self.store
                    .list_vulnerabilities(p.org, &vis, &req)
                    .await?
                    .items,
            );
        }
        let mut out = BTreeMap::new();
        for v in &vulns {
            for x in &v.variances {
                if !f.variance_ids.is_empty() && !f.variance_ids.contains(&x.id) {
                    continue;
                }
                if let Some(d) = self.document(v, x) {
                    out.insert(x.id, d);
                }
            }
        }
        Ok(out)
    }
}
