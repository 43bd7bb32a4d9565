//! `POST /search`: the search language over every resource type that exists.

use crate::{require, Problem, ScanConfigView, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Page, Visibility};

/// The results of a search, typed by resource.
#[derive(Debug)]
pub enum SearchResults {
    Apps(Page<App>),
    Targets(Page<Target>),
    Tags(Page<Tag>),
    AttackTemplates(Page<AttackTemplate>),
    ScanConfigs(Page<ScanConfigView>),
    Engines(Page<crate::EngineView>),
    EngineGroups(Page<EngineGroup>),
    Scans(Page<Scan>),
    Vulnerabilities(Page<Vulnerability>),
    Files(Page<rampart_domain::file::AppFile>),
    VulnerabilityDiscoveries(Page<VulnerabilityDiscovery>),
    Schedules(Page<Schedule>),
    Blackouts(Page<crate::BlackoutView>),
    Reports(Page<rampart_domain::report::Report>),
}

/// A query that cannot run: 422 naming what is wrong.
pub fn query_problem(e: rampart_query::QueryError) -> ServiceError {
    let problems = if e.errors.is_empty() {
        vec![Problem::property("query", e.message.clone())]
    } else {
        e.errors
            .into_iter()
            .map(|f| Problem::property(f.context, f.explanation))
            .collect()
    };
    ServiceError::Validation {
        message: e.message,
        problems,
    }
}

impl Service {
    /// Runs `query` against `ty`; tenant and app-visibility filters are added by the store.
    pub async fn search(
        &self,
        p: &Principal,
        ty: ResourceType,
        query: &str,
        mut req: ListRequest,
    ) -> ServiceResult<SearchResults> {
        req.filter = Some(rampart_query::parse_query(ty, query).map_err(query_problem)?);
        let vis = Visibility::of(p);
        Ok(match ty {
            ResourceType::App => {
                require(p, Resource::Apps, Action::Read)?;
                SearchResults::Apps(self.store.list_apps(p.org, &vis, &req).await?)
            }
            ResourceType::Target => {
                require(p, Resource::Targets, Action::Read)?;
                SearchResults::Targets(self.store.list_targets(p.org, &req).await?)
            }
            ResourceType::Tag => {
                require(p, Resource::Tags, Action::Read)?;
                SearchResults::Tags(self.store.list_tags(p.org, &req).await?)
            }
            ResourceType::AttackTemplate => {
                require(p, Resource::AttackTemplates, Action::Read)?;
                SearchResults::AttackTemplates(self.store.list_attack_templates(p.org, &req).await?)
            }
            ResourceType::ScanConfig => {
                require(p, Resource::ScanConfigs, Action::Read)?;
                let page = self.store.list_scan_configs(p.org, &vis, &req).await?;
                SearchResults::ScanConfigs(self.config_page(page).await?)
            }
            ResourceType::Engine => {
                require(p, Resource::Engines, Action::Read)?;
                let page = self
                    .store
                    .list_engines(p.org, None, self.offline_before(), &req)
                    .await?;
                SearchResults::Engines(self.views(page))
            }
            ResourceType::EngineGroup => {
                require(p, Resource::EngineGroups, Action::Read)?;
                SearchResults::EngineGroups(self.store.list_engine_groups(p.org, &req).await?)
            }
            ResourceType::Scan => {
                require(p, Resource::Scans, Action::Read)?;
                SearchResults::Scans(self.store.list_scans(p.org, &vis, &req).await?)
            }
            ResourceType::Vulnerability => {
                require(p, Resource::Vulnerabilities, Action::Read)?;
                SearchResults::Vulnerabilities(
                    self.store.list_vulnerabilities(p.org, &vis, &req).await?,
                )
            }
            ResourceType::VulnerabilityDiscovery => {
                require(p, Resource::Vulnerabilities, Action::Read)?;
                SearchResults::VulnerabilityDiscoveries(
                    self.store.search_discoveries(p.org, &vis, &req).await?,
                )
            }
            ResourceType::Schedule => {
                require(p, Resource::Schedules, Action::Read)?;
                SearchResults::Schedules(self.store.list_schedules(p.org, &vis, &req).await?)
            }
            ResourceType::Blackout => SearchResults::Blackouts(self.list_blackouts(p, &req).await?),
            ResourceType::File => {
                require(p, Resource::Files, Action::Read)?;
                SearchResults::Files(self.store.list_files(p.org, None, &vis, &req).await?)
            }
            ResourceType::Report => SearchResults::Reports(self.list_reports(p, &req).await?),
        })
    }
}
