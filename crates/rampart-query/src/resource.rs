//! The searchable resource types (`SearchRequest.type`) and their tables and default sorts.

use crate::catalogue;
use crate::sort::SortKey;

/// One value of `SearchRequest.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    App,
    Scan,
    ScanConfig,
    Vulnerability,
    VulnerabilityDiscovery,
    AttackTemplate,
    Target,
    Engine,
    EngineGroup,
    Schedule,
    Blackout,
    File,
    Tag,
    Report,
}

impl ResourceType {
    pub const ALL: [ResourceType; 14] = [
        ResourceType::App,
        ResourceType::Scan,
        ResourceType::ScanConfig,
        ResourceType::Vulnerability,
        ResourceType::VulnerabilityDiscovery,
        ResourceType::AttackTemplate,
        ResourceType::Target,
        ResourceType::Engine,
        ResourceType::EngineGroup,
        ResourceType::Schedule,
        ResourceType::Blackout,
        ResourceType::File,
        ResourceType::Tag,
        ResourceType::Report,
    ];

    /// Parses the wire name (`APP`, `SCAN_CONFIG`, …); ASCII case is ignored.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::App => "APP",
            ResourceType::Scan => "SCAN",
            ResourceType::ScanConfig => "SCAN_CONFIG",
            ResourceType::Vulnerability => "VULNERABILITY",
            ResourceType::VulnerabilityDiscovery => "VULNERABILITY_DISCOVERY",
            ResourceType::AttackTemplate => "ATTACK_TEMPLATE",
            ResourceType::Target => "TARGET",
            ResourceType::Engine => "ENGINE",
            ResourceType::EngineGroup => "ENGINE_GROUP",
            ResourceType::Schedule => "SCHEDULE",
            ResourceType::Blackout => "BLACKOUT",
            ResourceType::File => "FILE",
            ResourceType::Tag => "TAG",
            ResourceType::Report => "REPORT",
        }
    }

    /// The field prefix: the wire name lower-cased without underscores (`scanconfig`).
    pub fn prefix(self) -> &'static str {
        match self {
            ResourceType::App => "app",
            ResourceType::Scan => "scan",
            ResourceType::ScanConfig => "scanconfig",
            ResourceType::Vulnerability => "vulnerability",
            ResourceType::VulnerabilityDiscovery => "vulnerabilitydiscovery",
            ResourceType::AttackTemplate => "attacktemplate",
            ResourceType::Target => "target",
            ResourceType::Engine => "engine",
            ResourceType::EngineGroup => "enginegroup",
            ResourceType::Schedule => "schedule",
            ResourceType::Blackout => "blackout",
            ResourceType::File => "file",
            ResourceType::Tag => "tag",
            ResourceType::Report => "report",
        }
    }

    /// The table holding this type's rows; every compiled column is qualified with it.
    pub fn table(self) -> &'static str {
        match self {
            ResourceType::App => "apps",
            ResourceType::Scan => "scans",
            ResourceType::ScanConfig => "scan_configs",
            ResourceType::Vulnerability => "vulnerabilities",
            ResourceType::VulnerabilityDiscovery => "vulnerability_discoveries",
            ResourceType::AttackTemplate => "attack_templates",
            ResourceType::Target => "targets",
            ResourceType::Engine => "engines",
            ResourceType::EngineGroup => "engine_groups",
            ResourceType::Schedule => "schedules",
            ResourceType::Blackout => "blackouts",
            ResourceType::File => "files",
            ResourceType::Tag => "tags",
            ResourceType::Report => "reports",
        }
    }

    /// The documented default order (§2.4), followed by `id` ascending so that paging is
    /// stable when the first key ties.
    pub fn default_sort(self) -> Vec<SortKey> {
        let (field, descending) = match self {
            ResourceType::Scan => ("submit_time", true),
            ResourceType::Vulnerability => ("severity", true),
            ResourceType::VulnerabilityDiscovery => ("discovered", true),
            ResourceType::Report => ("generatedDate", true),
            ResourceType::Target => ("domain", false),
            _ => ("name", false),
        };
        let mut keys = Vec::with_capacity(2);
        for (name, desc) in [(field, descending), ("id", false)] {
            let full = format!("{}.{name}", self.prefix());
            if let Some(f) = catalogue::lookup(self, &full) {
                keys.push(SortKey::new(self, f, desc));
            }
        }
        keys
    }

    /// The `id` ascending key: append it to a client's sort to make paging stable.
    pub fn id_sort_key(self) -> SortKey {
        let full = format!("{}.id", self.prefix());
        // Every catalogue has its `<prefix>.id` field (checked by `sort_parameters_parse`).
        let field = catalogue::lookup(self, &full).unwrap_or(&catalogue::fields(self)[0]);
        SortKey::new(self, field, false)
    }
}

impl std::fmt::Display for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
