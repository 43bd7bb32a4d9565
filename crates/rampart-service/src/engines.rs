//! Engine groups, remote engines and their credentials; engine heartbeats; where a
//! scan may run (availability of an engine group).
//!
//! Permissions (§5.3): Product Admins manage engines and engine groups, every other role
//! reads them. An engine's credential is a secret that lets its holder receive scan jobs,
//! so reading it (`GET /engines/{id}/credential`) needs Manage, not Read.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use base64::Engine as _;
use chrono::Duration;
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError};
use rand::RngCore;

/// The version this server runs; an engine reporting another is not `latest_version`.
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");
/// An engine whose last heartbeat is older than this is `OFFLINE` (default).
pub const ENGINE_OFFLINE_AFTER_SECONDS: i64 = 90;
/// Every engine token starts with this (API keys start with `rmp_`).
pub const ENGINE_TOKEN_PREFIX: &str = "rmpe_";
const SHOWN_PREFIX_LEN: usize = 12;

/// The writable fields of an engine group.
#[derive(Clone, Debug)]
pub struct EngineGroupInput {
    pub name: String,
    pub description: Option<String>,
}

/// The writable fields of an engine. `engine_group: None` is the Default group;
/// `auto_upgrade: None` keeps the current value (false for a new engine).
#[derive(Clone, Debug)]
pub struct EngineInput {
    pub name: String,
    pub engine_group: Option<EngineGroupId>,
    pub auto_upgrade: Option<bool>,
}

/// An engine with what is derived from its heartbeats.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineView {
    pub engine: Engine,
    pub status: EngineStatus,
    /// It runs [`SERVER_VERSION`].
    pub latest_version: bool,
    /// A newer version exists for it: it reported a version other than the server's.
    pub upgradeable: bool,
}

/// Whether a scan assigned to an engine group can run now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// No engine group (a `CLOUD` assignment): the server's own embedded engines run it.
    NoGroup,
    /// At least one engine of the group called in within the offline threshold.
    Online,
    /// Every engine of the group is `OFFLINE`, it has none, or the group does not exist:
    /// the scan fails at once with `ENGINE_UNAVAILABLE`.
    AllOffline,
}

impl Availability {
    pub fn is_available(self) -> bool {
        self != Availability::AllOffline
    }
}

/// What an engine reports on its heartbeat (`/engine/v1`).
#[derive(Clone, Debug, PartialEq)]
pub struct EngineReport {
    pub version: String,
    pub active_scans: u32,
    pub failure_reason: Option<EngineFailureReason>,
}

/// The platform's answer to an engine heartbeat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineDirective {
    /// Upgrade to [`SERVER_VERSION`] now (asked with `POST /engines/{id}/upgrade`, or
    /// `auto_upgrade` on an idle engine that is not on the latest version).
    pub upgrade: bool,
}

fn new_engine_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{ENGINE_TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

fn unique(what: &'static str) -> impl Fn(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::Conflict(_) => ServiceError::Conflict(format!("{what} already exists")),
        other => other.into(),
    }
}

fn check_group(input: &EngineGroupInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    c.text("name", &input.name, 1, 200);
    c.opt_lines("description", input.description.as_deref(), 2000);
    c.finish()
}

impl Service {
    /// How long without a heartbeat makes an engine `OFFLINE`.
    pub fn engine_offline_after(&self) -> Duration {
        self.engine_offline_after
    }

    pub(crate) fn engine_view(&self, engine: Engine) -> EngineView {
        let status = engine.status(self.now(), self.engine_offline_after);
        let latest_version = engine.is_latest(SERVER_VERSION);
        EngineView {
            upgradeable: engine.version.is_some() && !latest_version,
            latest_version,
            status,
            engine,
        }
    }

    pub(crate) fn views(&self, page: Page<Engine>) -> Page<EngineView> {
        Page {
            items: page
                .items
                .into_iter()
                .map(|e| self.engine_view(e))
                .collect(),
            total: page.total,
        }
    }

    pub(crate) fn offline_before(&self) -> chrono::DateTime<chrono::Utc> {
        self.now() - self.engine_offline_after
    }

    // --- engine groups ---

    pub async fn create_engine_group(
        &self,
        p: &Principal,
        input: EngineGroupInput,
    ) -> ServiceResult<EngineGroupId> {
        require(p, Resource::EngineGroups, Action::Manage)?;
        check_group(&input)?;
        let g = EngineGroup {
            id: EngineGroupId::new(),
            org: p.org,
            name: input.name,
            description: input.description,
            created_at: self.now(),
        };
        self.store
            .create_engine_group(&g)
            .await
            .map_err(unique("an engine group with this name"))?;
        Ok(g.id)
    }

    pub async fn get_engine_group(
        &self,
        p: &Principal,
        id: EngineGroupId,
    ) -> ServiceResult<EngineGroup> {
        require(p, Resource::EngineGroups, Action::Read)?;
        Ok(self.store.get_engine_group(p.org, id).await?)
    }

    pub async fn update_engine_group(
        &self,
        p: &Principal,
        id: EngineGroupId,
        input: EngineGroupInput,
    ) -> ServiceResult<()> {
        let mut g = self.get_engine_group(p, id).await?;
        require(p, Resource::EngineGroups, Action::Manage)?;
        check_group(&input)?;
        g.name = input.name;
        g.description = input.description;
        self.store
            .update_engine_group(&g)
            .await
            .map_err(unique("an engine group with this name"))
    }

    /// 409 while the group has engines or a scan config is assigned to it.
    pub async fn delete_engine_group(&self, p: &Principal, id: EngineGroupId) -> ServiceResult<()> {
        self.get_engine_group(p, id).await?;
        require(p, Resource::EngineGroups, Action::Manage)?;
        Ok(self.store.delete_engine_group(p.org, id).await?)
    }

    pub async fn list_engine_groups(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<EngineGroup>> {
        require(p, Resource::EngineGroups, Action::Read)?;
        Ok(self.store.list_engine_groups(p.org, req).await?)
    }

    /// The engines of one group (404 when the group is not the caller's).
    pub async fn list_group_engines(
        &self,
        p: &Principal,
        group: EngineGroupId,
        req: &ListRequest,
    ) -> ServiceResult<Page<EngineView>> {
        self.get_engine_group(p, group).await?;
        require(p, Resource::Engines, Action::Read)?;
        let page = self
            .store
            .list_engines(p.org, Some(group), self.offline_before(), req)
            .await?;
        Ok(self.views(page))
    }

    // --- engines ---

    async fn check_engine(&self, p: &Principal, input: &EngineInput) -> ServiceResult<()> {
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 200);
        if let Some(g) = input.engine_group {
            if let Err(StoreError::NotFound) = self.store.get_engine_group(p.org, g).await {
                c.push(Problem::property(
                    "engine_group.id",
                    "no such engine group; omit engine_group for the Default group",
                ));
            }
        }
        c.finish()
    }

    fn new_credential(&self, engine: &Engine) -> (String, EngineCredential) {
        let token = new_engine_token();
        let cred = EngineCredential {
            engine: engine.id,
            org: engine.org,
            prefix: token.chars().take(SHOWN_PREFIX_LEN).collect(),
            hash: crate::hash_token(&token),
            sealed: self.secret_key.seal(&token, engine.id.0.as_bytes()),
            created_at: self.now(),
        };
        (token, cred)
    }

    /// Creates the engine (never seen: `OFFLINE`) and its credential.
    pub async fn create_engine(
        &self,
        p: &Principal,
        input: EngineInput,
    ) -> ServiceResult<EngineId> {
        require(p, Resource::Engines, Action::Manage)?;
        self.check_engine(p, &input).await?;
        let e = Engine {
            id: EngineId::new(),
            org: p.org,
            name: input.name,
            group: input.engine_group,
            auto_upgrade: input.auto_upgrade.unwrap_or(false),
            version: None,
            last_heartbeat: None,
            active_scans: 0,
            failure_reason: None,
            upgrade_requested: false,
            created_at: self.now(),
        };
        let (_, cred) = self.new_credential(&e);
        self.store
            .create_engine(&e, &cred)
            .await
            .map_err(unique("an engine with this name"))?;
        tracing::info!(engine = %e.id, prefix = %cred.prefix, "engine created");
        Ok(e.id)
    }

    pub async fn get_engine(&self, p: &Principal, id: EngineId) -> ServiceResult<EngineView> {
        require(p, Resource::Engines, Action::Read)?;
        Ok(self.engine_view(self.store.get_engine(p.org, id).await?))
    }

    pub async fn update_engine(
        &self,
        p: &Principal,
        id: EngineId,
        input: EngineInput,
    ) -> ServiceResult<()> {
        let mut e = self.get_engine(p, id).await?.engine;
        require(p, Resource::Engines, Action::Manage)?;
        self.check_engine(p, &input).await?;
        e.name = input.name;
        e.group = input.engine_group;
        e.auto_upgrade = input.auto_upgrade.unwrap_or(e.auto_upgrade);
        self.store
            .update_engine(&e)
            .await
            .map_err(unique("an engine with this name"))
    }

    /// Deletes the engine and its credential; scans it was running lose their lease and
    /// go back to the queue when it expires.
    pub async fn delete_engine(&self, p: &Principal, id: EngineId) -> ServiceResult<()> {
        self.get_engine(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        Ok(self.store.delete_engine(p.org, id).await?)
    }

    pub async fn list_engines(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<EngineView>> {
        require(p, Resource::Engines, Action::Read)?;
        let page = self
            .store
            .list_engines(p.org, None, self.offline_before(), req)
            .await?;
        Ok(self.views(page))
    }

    /// The engine's token, unsealed. 404 when it was revoked; 409 when it was sealed by
    /// another secret key (the server's key changed): regenerate it.
    pub async fn engine_credential(&self, p: &Principal, id: EngineId) -> ServiceResult<String> {
        self.get_engine(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        let cred = self.store.get_engine_credential(p.org, id).await?;
        self.secret_key
            .open(&cred.sealed, id.0.as_bytes())
            .filter(|token| crate::hash_token(token) == cred.hash)
            .ok_or_else(|| {
                ServiceError::Conflict(
                    "the credential was sealed with another server secret key; \
                     regenerate it with PUT /engines/{id}/credential"
                        .into(),
                )
            })
    }

    /// A new token; the old one stops working at once. Also re-issues a revoked one.
    pub async fn regenerate_engine_credential(
        &self,
        p: &Principal,
        id: EngineId,
    ) -> ServiceResult<String> {
        let e = self.get_engine(p, id).await?.engine;
        require(p, Resource::Engines, Action::Manage)?;
        let (token, cred) = self.new_credential(&e);
        self.store.replace_engine_credential(&cred).await?;
        tracing::info!(engine = %e.id, prefix = %cred.prefix, "engine credential regenerated");
        self.release_engine_jobs(e.id, "Engine credential regenerated")
            .await?;
        Ok(token)
    }

    /// Revokes the credential (404 when there is none): the engine can no longer call in.
    pub async fn revoke_engine_credential(&self, p: &Principal, id: EngineId) -> ServiceResult<()> {
        self.get_engine(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        self.store.delete_engine_credential(p.org, id).await?;
        tracing::info!(engine = %id, "engine credential revoked");
        self.release_engine_jobs(id, "Engine credential revoked")
            .await?;
        Ok(())
    }

    /// Asks the engine to upgrade at its next heartbeat. Only an `IDLE` engine that is not
    /// on the latest version: 422 when it already is, 409 when it is not idle.
    pub async fn upgrade_engine(&self, p: &Principal, id: EngineId) -> ServiceResult<()> {
        let v = self.get_engine(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        if v.latest_version {
            return Err(ServiceError::invalid(vec![Problem::object(
                "engine",
                "the engine already runs the server's version: there is nothing to upgrade to",
            )]));
        }
        if v.status != EngineStatus::Idle {
            return Err(ServiceError::Conflict(format!(
                "the engine is {}; an upgrade can start only when it is IDLE",
                v.status.as_str()
            )));
        }
        Ok(self
            .store
            .set_engine_upgrade_requested(p.org, id, true)
            .await?)
    }

    // --- the engine's side (`/engine/v1`) ---

    /// The lease owner of a remote engine's worker slot: `engine/<engine id>/<worker>`.
    /// The server builds it from the authenticated engine, so one engine can never name
    /// (and act on) another engine's lease.
    pub fn engine_worker_id(engine: &Engine, worker: &str) -> String {
        format!("{}{worker}", Self::engine_owner_prefix(engine.id))
    }

    fn engine_owner_prefix(id: EngineId) -> String {
        format!("engine/{id}/")
    }

    /// How many jobs the engine holds leases on now.
    pub async fn engine_active_jobs(&self, engine: &Engine) -> ServiceResult<u32> {
        let n = self
            .store
            .leased_jobs_of(&Self::engine_owner_prefix(engine.id))
            .await?
            .len();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Hands back every job the engine holds (its credential was revoked or replaced):
    /// they are queued again at once (`PENDING`), or fail `ENGINE_UNAVAILABLE` out of
    /// attempts, instead of waiting for their leases to expire. The engine's next call
    /// is refused (401) and its late results are not accepted (lease lost).
    async fn release_engine_jobs(&self, id: EngineId, why: &str) -> ServiceResult<()> {
        for (scan, owner) in self
            .store
            .leased_jobs_of(&Self::engine_owner_prefix(id))
            .await?
        {
            match self.job_release_because(scan, &owner, why).await {
                Ok(()) | Err(crate::JobError::Refused(_)) => {}
                Err(crate::JobError::Service(e)) => return Err(e),
            }
        }
        Ok(())
    }

    /// Resolves an engine token to its engine, or `Unauthorized` (unknown, revoked or
    /// regenerated token).
    pub async fn authenticate_engine(&self, token: &str) -> ServiceResult<Engine> {
        let token = token.trim();
        if !token.starts_with(ENGINE_TOKEN_PREFIX) {
            return Err(ServiceError::Unauthorized);
        }
        self.store
            .find_engine_by_token_hash(&crate::hash_token(token))
            .await?
            .ok_or(ServiceError::Unauthorized)
    }

    /// Records a heartbeat of an authenticated engine and says whether it should
    /// upgrade. An upgrade request is settled when the engine reports the server's
    /// version or an `UPGRADE_FAILED` failure.
    pub async fn record_engine_heartbeat(
        &self,
        engine: &Engine,
        report: EngineReport,
    ) -> ServiceResult<EngineDirective> {
        let latest = report.version == SERVER_VERSION;
        let settled = latest || report.failure_reason == Some(EngineFailureReason::UpgradeFailed);
        let beat = EngineBeat {
            at: self.now(),
            active_scans: report.active_scans,
            version: report.version,
            failure_reason: report.failure_reason,
            upgrade_settled: settled,
        };
        self.store
            .record_engine_heartbeat(engine.org, engine.id, &beat)
            .await?;
        let requested = engine.upgrade_requested && !settled;
        let auto = engine.auto_upgrade
            && !latest
            && !requested
            && beat.active_scans == 0
            && beat.failure_reason.is_none();
        if auto {
            self.store
                .set_engine_upgrade_requested(engine.org, engine.id, true)
                .await?;
        }
        Ok(EngineDirective {
            upgrade: requested || auto,
        })
    }

    /// Whether a scan assigned to `group` (`None`: CLOUD) of `org` can run now; the
    /// scans service calls it at submit and claim time and fails the scan with
    /// `ENGINE_UNAVAILABLE` on [`Availability::AllOffline`].
    pub async fn engine_group_availability(
        &self,
        org: OrgId,
        group: Option<EngineGroupId>,
    ) -> ServiceResult<Availability> {
        let Some(g) = group else {
            return Ok(Availability::NoGroup);
        };
        let online = self
            .store
            .count_online_engines(org, Some(g), self.offline_before())
            .await?;
        Ok(if online > 0 {
            Availability::Online
        } else {
            Availability::AllOffline
        })
    }
}
