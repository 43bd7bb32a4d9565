//! The closed value sets of enum fields, spelled as on the wire (case-sensitive).

/// An enum field's allowed values. `ordered` enums (severity) compare by rank, lowest first.
#[derive(Debug, PartialEq, Eq)]
pub struct EnumDef {
    pub name: &'static str,
    pub values: &'static [&'static str],
    pub ordered: bool,
}

impl EnumDef {
    /// The rank of `value` in an ordered enum (its index), if it is a member.
    pub fn rank(&self, value: &str) -> Option<usize> {
        self.values.iter().position(|v| *v == value)
    }
}

pub static SCAN_STATUS: EnumDef = EnumDef {
    name: "scan status",
    values: &[
        "PENDING",
        "QUEUED",
        "PROVISIONING",
        "RUNNING",
        "SCANNED",
        "PROCESSED",
        "COMPLETE",
        "PAUSED",
        "BLACKED_OUT",
        "AWAITING_AUTHENTICATION",
        "AUTHENTICATED",
        "PAUSING",
        "RESUMING",
        "STOPPING",
        "CANCELING",
        "AUTHENTICATING",
        "FAILED",
    ],
    ordered: false,
};

pub static SCAN_FAILURE_REASON: EnumDef = EnumDef {
    name: "scan failure reason",
    values: &[
        "CANCELED",
        "NETWORK_UNAVAILABLE",
        "SYSTEM_ERROR",
        "CONFIGURATION_INVALID",
        "BAD_AUTH",
        "LICENSE_INVALID",
        "TARGETS_INVALID",
        "ENGINE_UNAVAILABLE",
        "INITIALIZATION_FAILURE",
        "SWAGGER_PARSING_ERROR",
        "DATABASE_TOO_LARGE",
        "INSUFFICIENT_DISK_SPACE",
        "INSUFFICIENT_MEMORY",
        "TOO_MANY_THREADS",
        "RASP_FAILURE",
        "BOOTSTRAP_AUTHENTICATION_FAILURE",
        "REPORT_GENERATION_FAILURE",
    ],
    ordered: false,
};

pub static SUBMITTER_TYPE: EnumDef = EnumDef {
    name: "submitter type",
    values: &["USER", "SCHEDULE", "ORGANIZATION"],
    ordered: false,
};

/// Lowest first, so `severity > 'LOW'` means MEDIUM, HIGH or CRITICAL.
pub static SEVERITY: EnumDef = EnumDef {
    name: "severity",
    values: &["SAFE", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"],
    ordered: true,
};

pub static VULN_STATUS: EnumDef = EnumDef {
    name: "vulnerability status",
    values: &[
        "UNREVIEWED",
        "FALSE_POSITIVE",
        "VERIFIED",
        "IGNORED",
        "REMEDIATED",
        "DUPLICATE",
    ],
    ordered: false,
};

pub static HTTP_METHOD: EnumDef = EnumDef {
    name: "http method",
    values: &[
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "OPTIONS",
    ],
    ordered: false,
};

pub static ENGINE_STATUS: EnumDef = EnumDef {
    name: "engine status",
    values: &[
        "INITIALIZING",
        "LICENSING",
        "TERMINATING",
        "IDLE",
        "OFFLINE",
        "SCANNING",
        "UPGRADING",
        "PARKED",
        "FAILED",
    ],
    ordered: false,
};

pub static BLACKOUT_SCOPE: EnumDef = EnumDef {
    name: "blackout scope",
    values: &["APP", "GLOBAL"],
    ordered: false,
};

pub static FILE_TYPE: EnumDef = EnumDef {
    name: "file type",
    values: &[
        "MACRO",
        "RECORDED_TRAFFIC",
        "SELENIUM",
        "WSDL",
        "SWAGGER",
        "CERTIFICATE",
        "GRAPHQL",
    ],
    ordered: false,
};

pub static REPORT_TYPE: EnumDef = EnumDef {
    name: "report type",
    values: &[
        "VULN_SUMMARY",
        "VULN_REMEDIATION",
        "PCI_COMPLIANCE",
        "PCI4_COMPLIANCE",
        "OWASP_2013_COMPLIANCE",
        "OWASP_2017_COMPLIANCE",
        "OWASP_2021_COMPLIANCE",
        "OWASP_2023API_COMPLIANCE",
        "OWASP_2025_COMPLIANCE",
        "GDPR_2016_COMPLIANCE",
        "SOX_COMPLIANCE",
        "HIPAA_COMPLIANCE",
        "EXEC_SINGLE_APP",
        "EXEC_ALL_APPS",
        "EXEC_SINGLE_APP_NEW_VULNS",
        "EXEC_ALL_APPS_NEW_VULNS",
        "EXEC_SINGLE_APP_ALL_VULNS",
        "EXEC_ALL_APPS_ALL_VULNS",
        "EXEC_IAS_IVM_COMPOSITE",
        "TARGET_DISCOVERY",
    ],
    ordered: false,
};

pub static REPORT_FORMAT: EnumDef = EnumDef {
    name: "report format",
    values: &["HTML", "CSV", "PDF"],
    ordered: false,
};
