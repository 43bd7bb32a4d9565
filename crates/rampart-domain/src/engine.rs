//! Scan engines, engine groups and where a scan job may run.
//!
//! An engine's `status` is never stored: it is derived from its last heartbeat, its
//! running scans and the upgrade it was asked for ([`Engine::status`]), so an engine
//! that stops calling in becomes `OFFLINE` without anybody writing it down.

use crate::ids::*;
use crate::model::str_enum;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// What an engine is doing (reference §3.7). rampart derives `OFFLINE`, `FAILED`,
    /// `UPGRADING`, `SCANNING` and `IDLE`; the others exist for wire compatibility.
    EngineStatus {
        Initializing = "INITIALIZING",
        Licensing = "LICENSING",
        Terminating = "TERMINATING",
        Idle = "IDLE",
        Offline = "OFFLINE",
        Scanning = "SCANNING",
        Upgrading = "UPGRADING",
        Parked = "PARKED",
        Failed = "FAILED",
    }
);

str_enum!(
    /// Why an engine is `FAILED`, as it reported on its heartbeat.
    EngineFailureReason {
        TerminationFailed = "TERMINATION_FAILED",
        InitializationFailed = "INITIALIZATION_FAILED",
        UpgradeFailed = "UPGRADE_FAILED",
        GeneralFailure = "GENERAL_FAILURE",
    }
);

/// A named set of engines of one organization. Engines in no group belong to the
/// conceptual "Default" group, which has no row and cannot be named anywhere.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineGroup {
    pub id: EngineGroupId,
    pub org: OrgId,
    pub name: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A remote scan engine (`rampart engine`) registered with the organization.
#[derive(Clone, Debug, PartialEq)]
pub struct Engine {
    pub id: EngineId,
    pub org: OrgId,
    pub name: String,
    /// `None`: the Default group.
    pub group: Option<EngineGroupId>,
    pub auto_upgrade: bool,
    /// The version the engine reported on its last heartbeat.
    pub version: Option<String>,
    pub last_heartbeat: Option<DateTime<Utc>>,
    /// Scans the engine said it was running on its last heartbeat.
    pub active_scans: u32,
    pub failure_reason: Option<EngineFailureReason>,
    /// `POST /engines/{id}/upgrade` was accepted and the engine has not reported the
    /// new version (or a failure) since.
    pub upgrade_requested: bool,
    pub created_at: DateTime<Utc>,
}

impl Engine {
    /// Whether the engine called in within `offline_after` of `now`. An engine never
    /// seen is offline: it has not started yet, and no scan can run on it.
    pub fn is_online(&self, now: DateTime<Utc>, offline_after: Duration) -> bool {
        self.last_heartbeat
            .is_some_and(|t| t >= now - offline_after)
    }

    /// The derived status, first rule that applies: no heartbeat within
    /// `offline_after` → `OFFLINE`; a reported failure → `FAILED`; an upgrade under way
    /// → `UPGRADING`; running scans → `SCANNING`; else `IDLE`. The store's search
    /// compiles the same rules to SQL (checked by the conformance suite).
    pub fn status(&self, now: DateTime<Utc>, offline_after: Duration) -> EngineStatus {
        if !self.is_online(now, offline_after) {
            EngineStatus::Offline
        } else if self.failure_reason.is_some() {
            EngineStatus::Failed
        } else if self.upgrade_requested {
            EngineStatus::Upgrading
        } else if self.active_scans > 0 {
            EngineStatus::Scanning
        } else {
            EngineStatus::Idle
        }
    }

    /// Whether it runs `server_version` (an engine that never reported runs nothing).
    pub fn is_latest(&self, server_version: &str) -> bool {
        self.version.as_deref() == Some(server_version)
    }
}

/// What an engine reports on each heartbeat, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineBeat {
    pub at: DateTime<Utc>,
    pub active_scans: u32,
    pub version: String,
    /// `None` clears an earlier failure.
    pub failure_reason: Option<EngineFailureReason>,
    /// Clears `upgrade_requested` (the engine reported the new version, or failed).
    pub upgrade_settled: bool,
}

/// An engine's credential as stored: never the token in clear.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineCredential {
    pub engine: EngineId,
    pub org: OrgId,
    /// The first characters of the token, to tell credentials apart in logs.
    pub prefix: String,
    /// SHA-256 of the token, hex (what authentication looks up).
    pub hash: String,
    /// The token sealed with the server's secret key, so that
    /// `GET /engines/{id}/credential` can show it again.
    pub sealed: String,
    pub created_at: DateTime<Utc>,
}

/// Which queued jobs a claimer may take.
///
/// - `org: None` — an embedded engine slot of the server: `CLOUD` jobs (no engine
///   group) of every organization; `engine_group` is ignored.
/// - `org: Some(o)` — a remote engine: only `ON_PREMISE` jobs of organization `o`
///   assigned to `engine_group`. An engine in the Default group (`None`) claims
///   nothing, since no scan config can name the Default group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ClaimScope {
    pub org: Option<OrgId>,
    pub engine_group: Option<EngineGroupId>,
}

impl ClaimScope {
    /// The server's own (embedded) engine slots.
    pub fn embedded() -> Self {
        Self::default()
    }

    /// A remote engine: its organization and group.
    pub fn remote(engine: &Engine) -> Self {
        Self {
            org: Some(engine.org),
            engine_group: engine.group,
        }
    }

    /// Whether a job of `org` assigned to `group` (`None`: CLOUD) may be claimed. The
    /// job queue's SQL must say the same: embedded `engine_group_id IS NULL`; remote
    /// `org_id = o AND engine_group_id = g` (nothing when `g` is the Default group).
    pub fn admits(&self, org: OrgId, group: Option<EngineGroupId>) -> bool {
        match self.org {
            None => group.is_none(),
            Some(o) => o == org && group.is_some() && group == self.engine_group,
        }
    }
}

impl crate::model::Assignment {
    /// The engine group a scan of this assignment is queued for (`scan_jobs.engine_group_id`):
    /// the group of an `ON_PREMISE` assignment, `None` (the server's own engines) for
    /// `CLOUD`, even when a `CLOUD` assignment carries a group id.
    pub fn job_engine_group(&self) -> Option<EngineGroupId> {
        match self.environment {
            crate::model::Environment::OnPremise => self.engine_group,
            crate::model::Environment::Cloud => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(beat: Option<i64>, scans: u32) -> Engine {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        Engine {
            id: EngineId::new(),
            org: OrgId::new(),
            name: "e".into(),
            group: None,
            auto_upgrade: false,
            version: Some("1.0.0".into()),
            last_heartbeat: beat.map(|s| now - Duration::seconds(s)),
            active_scans: scans,
            failure_reason: None,
            upgrade_requested: false,
            created_at: now,
        }
    }

    #[test]
    fn status_rules_in_order() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let after = Duration::seconds(90);
        let st = |e: &Engine| e.status(now, after);
        assert_eq!(st(&engine(None, 0)), EngineStatus::Offline);
        assert_eq!(st(&engine(Some(91), 3)), EngineStatus::Offline);
        assert_eq!(
            st(&engine(Some(90), 0)),
            EngineStatus::Idle,
            "the bound is inclusive"
        );
        assert_eq!(st(&engine(Some(5), 2)), EngineStatus::Scanning);
        let mut e = engine(Some(5), 2);
        e.upgrade_requested = true;
        assert_eq!(st(&e), EngineStatus::Upgrading);
        e.failure_reason = Some(EngineFailureReason::UpgradeFailed);
        assert_eq!(st(&e), EngineStatus::Failed);
        e.last_heartbeat = None;
        assert_eq!(st(&e), EngineStatus::Offline);
        assert!(engine(None, 0).is_latest("1.0.0"));
        assert!(!engine(None, 0).is_latest("1.0.1"));
    }

    #[test]
    fn claim_scopes() {
        let (o1, o2) = (OrgId::new(), OrgId::new());
        let (g1, g2) = (EngineGroupId::new(), EngineGroupId::new());
        let embedded = ClaimScope::embedded();
        assert!(embedded.admits(o1, None) && embedded.admits(o2, None));
        assert!(!embedded.admits(o1, Some(g1)));
        let remote = ClaimScope {
            org: Some(o1),
            engine_group: Some(g1),
        };
        assert!(remote.admits(o1, Some(g1)));
        assert!(!remote.admits(o1, Some(g2)));
        assert!(!remote.admits(o2, Some(g1)));
        assert!(
            !remote.admits(o1, None),
            "remote engines never take CLOUD jobs"
        );
        let default_group = ClaimScope {
            org: Some(o1),
            engine_group: None,
        };
        assert!(!default_group.admits(o1, None));
        assert!(!default_group.admits(o1, Some(g1)));

        let mut a = crate::model::Assignment {
            engine_group: Some(g1),
            ..Default::default()
        };
        assert_eq!(
            a.job_engine_group(),
            None,
            "CLOUD runs on the server's engines"
        );
        a.environment = crate::model::Environment::OnPremise;
        assert_eq!(a.job_engine_group(), Some(g1));
    }
}
