//! Scans, their status machine, and the vulnerabilities they discover.

use crate::ids::*;
use crate::model::{str_enum, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

str_enum!(
    /// Scan status (reference §1.7).
    ScanStatus {
        Pending = "PENDING",
        Queued = "QUEUED",
        Provisioning = "PROVISIONING",
        Running = "RUNNING",
        Scanned = "SCANNED",
        Processed = "PROCESSED",
        Complete = "COMPLETE",
        Paused = "PAUSED",
        BlackedOut = "BLACKED_OUT",
        AwaitingAuthentication = "AWAITING_AUTHENTICATION",
        Authenticated = "AUTHENTICATED",
        Pausing = "PAUSING",
        Resuming = "RESUMING",
        Stopping = "STOPPING",
        Canceling = "CANCELING",
        Authenticating = "AUTHENTICATING",
        Failed = "FAILED",
    }
);

str_enum!(
    /// Why a scan failed (reference §3.5).
    FailureReason {
        Canceled = "CANCELED",
        NetworkUnavailable = "NETWORK_UNAVAILABLE",
        SystemError = "SYSTEM_ERROR",
        ConfigurationInvalid = "CONFIGURATION_INVALID",
        BadAuth = "BAD_AUTH",
        LicenseInvalid = "LICENSE_INVALID",
        TargetsInvalid = "TARGETS_INVALID",
        EngineUnavailable = "ENGINE_UNAVAILABLE",
        InitializationFailure = "INITIALIZATION_FAILURE",
        SwaggerParsingError = "SWAGGER_PARSING_ERROR",
        DatabaseTooLarge = "DATABASE_TOO_LARGE",
        InsufficientDiskSpace = "INSUFFICIENT_DISK_SPACE",
        InsufficientMemory = "INSUFFICIENT_MEMORY",
        TooManyThreads = "TOO_MANY_THREADS",
        RaspFailure = "RASP_FAILURE",
        BootstrapAuthenticationFailure = "BOOTSTRAP_AUTHENTICATION_FAILURE",
        ReportGenerationFailure = "REPORT_GENERATION_FAILURE",
    }
);

str_enum!(
    /// A state action a client sends to a scan.
    ScanAction {
        Pause = "PAUSE",
        Resume = "RESUME",
        Stop = "STOP",
        Cancel = "CANCEL",
        Authenticate = "AUTHENTICATE",
    }
);

str_enum!(
    ScanType {
        Regular = "REGULAR",
        Verification = "VERIFICATION",
        Incremental = "INCREMENTAL",
    }
);

str_enum!(
    SubmitterType {
        User = "USER",
        Schedule = "SCHEDULE",
        Organization = "ORGANIZATION",
    }
);

str_enum!(
    /// Triage status of a vulnerability (reference §1.8).
    VulnStatus {
        Unreviewed = "UNREVIEWED",
        FalsePositive = "FALSE_POSITIVE",
        Verified = "VERIFIED",
        Ignored = "IGNORED",
        Remediated = "REMEDIATED",
        Duplicate = "DUPLICATE",
    }
);

/// Why an action is refused in the current status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("action {action} is not allowed while the scan is {status}")]
pub struct ActionRefused {
    pub action: ScanAction,
    pub status: ScanStatus,
}

impl ScanStatus {
    /// `COMPLETE` or `FAILED`: nothing moves the scan any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, ScanStatus::Complete | ScanStatus::Failed)
    }

    /// Queued or provisioning, before the engine starts.
    fn not_started(self) -> bool {
        use ScanStatus::*;
        matches!(self, Pending | Queued | Provisioning | BlackedOut)
    }

    /// The engine holds the scan (crawling, attacking or authenticating).
    fn active(self) -> bool {
        use ScanStatus::*;
        matches!(
            self,
            Running | AwaitingAuthentication | Authenticating | Authenticated | Resuming
        )
    }

    /// Whether the lifecycle allows moving from `self` to `next` (the engine, the worker
    /// and actions all go through this). Staying in the same status is not a move.
    pub fn can_move_to(self, next: ScanStatus) -> bool {
        use ScanStatus::*;
        if self.is_terminal() || self == next {
            return false;
        }
        // Any live scan may fail or be canceled.
        if matches!(next, Failed | Canceling) {
            return self != Canceling || next == Failed;
        }
        match self {
            Pending => matches!(
                next,
                Queued | Provisioning | Running | BlackedOut | Stopping
            ),
            Queued => matches!(next, Provisioning | Running | BlackedOut | Stopping),
            Provisioning => matches!(next, Running | Stopping),
            BlackedOut => matches!(next, Pending | Queued | Running | Paused),
            Running => matches!(
                next,
                Scanned | Pausing | Paused | Stopping | AwaitingAuthentication | Authenticating
            ),
            AwaitingAuthentication => matches!(next, Authenticating | Pausing | Stopping),
            Authenticating => matches!(next, Authenticated | Running | Stopping | Pausing),
            Authenticated => matches!(next, Running | Stopping | Pausing),
            Pausing => matches!(next, Paused | Stopping),
            Paused => matches!(next, Resuming | Running | Stopping),
            Resuming => matches!(next, Running | Stopping | Pausing),
            Stopping => matches!(next, Scanned),
            Scanned => matches!(next, Processed),
            Processed => matches!(next, Complete),
            Canceling => false,
            Complete | Failed => false,
        }
    }

    /// The status an action moves the scan into right away (§10.7): `PAUSE` → `PAUSING`,
    /// `RESUME` → `RESUMING`, `STOP` → `STOPPING` (the scan then finishes normally and
    /// ends `COMPLETE`), `CANCEL` → `CANCELING` (ends `FAILED` with `CANCELED`; a scan the
    /// engine never started fails at once), `AUTHENTICATE` → `AUTHENTICATING`.
    pub fn on_action(self, action: ScanAction) -> Result<ScanStatus, ActionRefused> {
        use ScanStatus::*;
        let refused = ActionRefused {
            action,
            status: self,
        };
        let next = match action {
            ScanAction::Pause if self.active() => Pausing,
            ScanAction::Resume if matches!(self, Paused | Pausing) => Resuming,
            ScanAction::Stop if self.not_started() || self.active() || self == Paused => Stopping,
            ScanAction::Cancel if self.not_started() => Failed,
            ScanAction::Cancel if !self.is_terminal() && self != Canceling => Canceling,
            ScanAction::Authenticate if self == AwaitingAuthentication => Authenticating,
            _ => return Err(refused),
        };
        if self.can_move_to(next) {
            Ok(next)
        } else {
            Err(refused)
        }
    }

    /// Where a scan that was asked to stop or cancel ends up, with its failure reason.
    pub fn settle(self) -> Option<(ScanStatus, Option<FailureReason>)> {
        match self {
            ScanStatus::Canceling => Some((ScanStatus::Failed, Some(FailureReason::Canceled))),
            ScanStatus::Stopping => Some((ScanStatus::Complete, None)),
            _ => None,
        }
    }
}

/// Who submitted a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    pub kind: SubmitterType,
    pub id: Uuid,
}

/// One run of a scan config against its app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    pub id: ScanId,
    pub org: OrgId,
    pub app: AppId,
    pub scan_config: ScanConfigId,
    pub submitter: Submitter,
    pub submit_time: DateTime<Utc>,
    pub completion_time: Option<DateTime<Utc>>,
    pub status: ScanStatus,
    pub failure_reason: Option<FailureReason>,
    pub scan_type: ScanType,
    /// The scan a verification scan re-checks.
    pub parent: Option<ScanId>,
    /// A specialized (validation) scan re-checks only these vulnerabilities of `parent`;
    /// empty means all of the parent's.
    #[serde(default)]
    pub vulnerability_ids: Vec<VulnerabilityId>,
}

/// Where a vulnerability lives; with the module it is the vulnerability's identity
/// within an app.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RootCause {
    pub url: String,
    pub parameter: Option<String>,
    pub method: String,
}

/// A vulnerability of an app, merged across scans by (module, root cause).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    pub id: VulnerabilityId,
    pub org: OrgId,
    pub app: AppId,
    pub module: ModuleId,
    pub root_cause: RootCause,
    pub severity: Severity,
    pub status: VulnStatus,
    pub first_discovered: DateTime<Utc>,
    pub last_discovered: DateTime<Utc>,
    pub newly_discovered: bool,
    pub vulnerability_score: Option<f64>,
    /// CVSS vector, e.g. `AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N`.
    pub vector_string: Option<String>,
    /// The variances of the latest scan that found it.
    pub variances: Vec<Variance>,
    pub updated_time: DateTime<Utc>,
}

/// A raw HTTP exchange, request and response as text with `\r\n` line ends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: String,
    pub response: String,
}

/// One way a vulnerability was shown: the attack, its value, the proof and the exchanges.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Variance {
    pub id: Uuid,
    pub original_value: Option<String>,
    pub original_exchange: Option<Exchange>,
    /// Free-form attack id (`"SQLI_01"`).
    pub attack_id: String,
    pub attack_value: Option<String>,
    pub message: Option<String>,
    pub proof: Option<String>,
    pub proof_description: Option<String>,
    /// `LOW`, `MEDIUM`, `HIGH`, `CONFIRMED` as the engine reported it.
    pub confidence: Option<String>,
    pub attack_exchanges: Vec<Exchange>,
}

/// One scan's sighting of a vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityDiscovery {
    pub id: Uuid,
    pub org: OrgId,
    pub vulnerability: VulnerabilityId,
    pub scan: ScanId,
    pub discovered: DateTime<Utc>,
}

/// What the engine reports for one finding; the store merges it into a vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub module: ModuleId,
    pub root_cause: RootCause,
    pub severity: Severity,
    pub vulnerability_score: Option<f64>,
    pub discovered: DateTime<Utc>,
    #[serde(default)]
    pub vector_string: Option<String>,
    #[serde(default)]
    pub variances: Vec<Variance>,
}

#[cfg(test)]
mod tests {
    use super::ScanAction::*;
    use super::ScanStatus::*;
    use super::*;

    #[test]
    fn stop_ends_complete_and_cancel_ends_failed_canceled() {
        let s = Running.on_action(Stop).unwrap();
        assert_eq!(s, Stopping);
        assert_eq!(s.settle(), Some((Complete, None)));
        assert!(Stopping.can_move_to(Scanned));
        assert!(Scanned.can_move_to(Processed) && Processed.can_move_to(Complete));
        let c = Running.on_action(Cancel).unwrap();
        assert_eq!(c, Canceling);
        assert_eq!(c.settle(), Some((Failed, Some(FailureReason::Canceled))));
        assert_eq!(
            Pending.on_action(Cancel),
            Ok(Failed),
            "not started: fails at once"
        );
    }

    #[test]
    fn terminal_statuses_refuse_everything() {
        for st in [Complete, Failed] {
            for act in ScanAction::ALL {
                assert!(st.on_action(*act).is_err(), "{st} {act}");
            }
            for next in ScanStatus::ALL {
                assert!(!st.can_move_to(*next), "{st} -> {next}");
            }
        }
    }

    #[test]
    fn pause_resume_authenticate() {
        assert_eq!(Running.on_action(Pause), Ok(Pausing));
        assert_eq!(Paused.on_action(Resume), Ok(Resuming));
        assert!(Pending.on_action(Pause).is_err());
        assert!(Running.on_action(Resume).is_err());
        assert_eq!(
            AwaitingAuthentication.on_action(Authenticate),
            Ok(Authenticating)
        );
        assert_eq!(
            Running.on_action(Authenticate),
            Err(ActionRefused {
                action: Authenticate,
                status: Running
            })
        );
        assert!(Canceling.on_action(Cancel).is_err());
        assert!(Canceling.can_move_to(Failed) && !Canceling.can_move_to(Complete));
    }

    #[test]
    fn every_live_status_can_fail_and_every_action_result_is_reachable() {
        for st in ScanStatus::ALL.iter().filter(|s| !s.is_terminal()) {
            assert!(st.can_move_to(Failed), "{st}");
            assert!(!st.can_move_to(*st));
            for act in ScanAction::ALL {
                if let Ok(next) = st.on_action(*act) {
                    assert!(st.can_move_to(next), "{st} {act} -> {next}");
                }
            }
        }
    }

    #[test]
    fn wire_spellings_round_trip() {
        for s in ScanStatus::ALL {
            assert_eq!(ScanStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            FailureReason::parse("CANCELED"),
            Some(FailureReason::Canceled)
        );
        assert_eq!(VulnStatus::parse("DUPLICATE"), Some(VulnStatus::Duplicate));
    }
}
