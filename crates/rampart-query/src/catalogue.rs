//! The searchable fields of every resource type (§4.1 plus the §10.4 aliases) and how each
//! maps onto the schema. A declarative table: one line per field.

use crate::enums::{self, EnumDef};
use crate::resource::ResourceType;

/// The value type of a field: decides which operators apply and how values are parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A UUID (bound as `uuid::Uuid`).
    Id,
    String,
    Enum(&'static EnumDef),
    /// Written `'true'` / `'false'`.
    Boolean,
    /// Compared numerically (bound as `f64`).
    Number,
    /// Parsed leniently, bound as `i64` microseconds since the epoch (UTC).
    DateTime,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Id => "id (uuid)",
            Kind::String => "string",
            Kind::Enum(e) => e.name,
            Kind::Boolean => "boolean",
            Kind::Number => "number",
            Kind::DateTime => "date-time",
        }
    }
}

/// A table joined from a to-many link table: `table.id = link.key`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Join {
    pub table: &'static str,
    pub key: &'static str,
}

/// Where a field's value comes from, relative to a row of the type's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A column of the type's own table.
    Column(&'static str),
    /// A to-one lookup: `(SELECT table.column FROM table WHERE table.id = <own>.key)`.
    Lookup {
        table: &'static str,
        column: &'static str,
        key: &'static str,
    },
    /// A to-many relation: the rows of `table` whose `fk` is the row's id; the value is
    /// `table.column`, or `join.table.column` through `join` when set. Predicates become
    /// `id IN (SELECT fk …)` sub-queries (`NOT EXISTS` for `!=` and `IS NULL`).
    Many {
        table: &'static str,
        fk: &'static str,
        column: &'static str,
        join: Option<Join>,
    },
}

/// One searchable and sortable field.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// The full dotted name, exactly as written in queries (`scan.submit_time`).
    pub name: &'static str,
    pub kind: Kind,
    pub source: Source,
    /// Whether the value can be absent (decides `NULL` ordering in sorts).
    pub nullable: bool,
    /// For an ordered enum stored with its rank alongside (`severity_rank`): the rank
    /// column, which sorts and range tests use instead of a `CASE` over the text, so that
    /// an index on it serves `ORDER BY`.
    pub rank: Option<&'static str>,
}

const fn col(name: &'static str, kind: Kind, column: &'static str) -> Field {
    Field {
        name,
        kind,
        source: Source::Column(column),
        nullable: false,
        rank: None,
    }
}

const fn opt(name: &'static str, kind: Kind, column: &'static str) -> Field {
    Field {
        name,
        kind,
        source: Source::Column(column),
        nullable: true,
        rank: None,
    }
}

const fn many(
    name: &'static str,
    kind: Kind,
    table: &'static str,
    fk: &'static str,
    column: &'static str,
) -> Field {
    Field {
        name,
        kind,
        source: Source::Many {
            table,
            fk,
            column,
            join: None,
        },
        nullable: true,
        rank: None,
    }
}

const ID: Kind = Kind::Id;
const STR: Kind = Kind::String;
const BOOL: Kind = Kind::Boolean;
const TIME: Kind = Kind::DateTime;
const NUM: Kind = Kind::Number;

const fn en(def: &'static EnumDef) -> Kind {
    Kind::Enum(def)
}

static APP: &[Field] = &[
    col("app.id", ID, "id"),
    col("app.name", STR, "name"),
    opt("app.description", STR, "description"),
    many("app.tags.id", ID, "app_tags", "app_id", "tag_id"),
    Field {
        name: "app.tags.name",
        kind: STR,
        source: Source::Many {
            table: "app_tags",
            fk: "app_id",
            column: "name",
            join: Some(Join {
                table: "tags",
                key: "tag_id",
            }),
        },
        nullable: true,
        rank: None,
    },
];

static SCAN_CONFIG: &[Field] = &[
    col("scanconfig.id", ID, "id"),
    col("scanconfig.name", STR, "name"),
    opt("scanconfig.description", STR, "description"),
    col("scanconfig.app.id", ID, "app_id"),
    col("scanconfig.attack_template.id", ID, "attack_template_id"),
];

static SCAN: &[Field] = &[
    col("scan.id", ID, "id"),
    col("scan.status", en(&enums::SCAN_STATUS), "status"),
    opt(
        "scan.failure_reason",
        en(&enums::SCAN_FAILURE_REASON),
        "failure_reason",
    ),
    col("scan.submit_time", TIME, "submit_time"),
    opt("scan.completion_time", TIME, "completion_time"),
    col("scan.app.id", ID, "app_id"),
    col("scan.scan_config.id", ID, "scan_config_id"),
    opt("scan.submitter.id", ID, "submitter_id"),
    col(
        "scan.submitter.type",
        en(&enums::SUBMITTER_TYPE),
        "submitter_type",
    ),
];

static VULNERABILITY: &[Field] = &[
    col("vulnerability.id", ID, "id"),
    Field {
        name: "vulnerability.severity",
        kind: en(&enums::SEVERITY),
        source: Source::Column("severity"),
        nullable: false,
        rank: Some("severity_rank"),
    },
    col("vulnerability.status", en(&enums::VULN_STATUS), "status"),
    many(
        "vulnerability.scans.id",
        ID,
        "vulnerability_discoveries",
        "vulnerability_id",
        "scan_id",
    ),
    col("vulnerability.app.id", ID, "app_id"),
    Field {
        name: "vulnerability.app.name",
        kind: STR,
        source: Source::Lookup {
            table: "apps",
            column: "name",
            key: "app_id",
        },
        nullable: false,
        rank: None,
    },
    col("vulnerability.root_cause.url", STR, "root_cause_url"),
    opt(
        "vulnerability.root_cause.parameter",
        STR,
        "root_cause_parameter",
    ),
    col(
        "vulnerability.root_cause.method",
        en(&enums::HTTP_METHOD),
        "root_cause_method",
    ),
    many(
        "vulnerability.discoveries.discovered",
        TIME,
        "vulnerability_discoveries",
        "vulnerability_id",
        "discovered",
    ),
    col("vulnerability.first_discovered", TIME, "first_discovered"),
    col("vulnerability.last_discovered", TIME, "last_discovered"),
    col("vulnerability.newly_discovered", BOOL, "newly_discovered"),
    opt(
        "vulnerability.vulnerability_score",
        NUM,
        "vulnerability_score",
    ),
    opt(
        "vulnerability.vulnerabilityScore",
        NUM,
        "vulnerability_score",
    ),
];

static VULNERABILITY_DISCOVERY: &[Field] = &[
    col("vulnerabilitydiscovery.id", ID, "id"),
    col(
        "vulnerabilitydiscovery.vulnerability.id",
        ID,
        "vulnerability_id",
    ),
    col("vulnerabilitydiscovery.scan.id", ID, "scan_id"),
    col("vulnerabilitydiscovery.discovered", TIME, "discovered"),
];

static ATTACK_TEMPLATE: &[Field] = &[
    col("attacktemplate.id", ID, "id"),
    col("attacktemplate.name", STR, "name"),
    opt("attacktemplate.description", STR, "description"),
    col("attacktemplate.system_defined", BOOL, "system_defined"),
];

static TARGET: &[Field] = &[
    col("target.id", ID, "id"),
    col("target.domain", STR, "domain"),
    col("target.enabled", BOOL, "enabled"),
];

static ENGINE: &[Field] = &[
    col("engine.id", ID, "id"),
    col("engine.name", STR, "name"),
    col("engine.status", en(&enums::ENGINE_STATUS), "status"),
    opt("engine.engine_group.id", ID, "engine_group_id"),
    Field {
        name: "engine.engine_group.name",
        kind: STR,
        source: Source::Lookup {
            table: "engine_groups",
            column: "name",
            key: "engine_group_id",
        },
        nullable: true,
        rank: None,
    },
];

static ENGINE_GROUP: &[Field] = &[
    col("enginegroup.id", ID, "id"),
    col("enginegroup.name", STR, "name"),
    opt("enginegroup.description", STR, "description"),
];

static SCHEDULE: &[Field] = &[
    col("schedule.id", ID, "id"),
    col("schedule.name", STR, "name"),
    col("schedule.enabled", BOOL, "enabled"),
    col("schedule.app.id", ID, "app_id"),
    col("schedule.scan_config.id", ID, "scan_config_id"),
];

static BLACKOUT: &[Field] = &[
    col("blackout.id", ID, "id"),
    col("blackout.name", STR, "name"),
    col("blackout.enabled", BOOL, "enabled"),
    opt("blackout.app.id", ID, "app_id"),
    col("blackout.scope", en(&enums::BLACKOUT_SCOPE), "scope"),
];

static FILE: &[Field] = &[
    col("file.id", ID, "id"),
    col("file.name", STR, "name"),
    opt("file.description", STR, "description"),
    col("file.type", en(&enums::FILE_TYPE), "type"),
    col("file.locked", BOOL, "locked"),
    col("file.apps.id", ID, "app_id"),
    opt("file.owner.id", ID, "owner_id"),
];

static TAG: &[Field] = &[
    col("tag.id", ID, "id"),
    col("tag.name", STR, "name"),
    opt("tag.creator.id", ID, "creator_id"),
    col("tag.created", TIME, "created_at"),
];

static REPORT: &[Field] = &[
    col("report.id", ID, "id"),
    col("report.name", STR, "name"),
    col("report.type", en(&enums::REPORT_TYPE), "type"),
    col("report.format", en(&enums::REPORT_FORMAT), "format"),
    opt("report.owner.id", ID, "owner_id"),
    opt("report.generatedDate", TIME, "generated_date"),
    opt("report.app.id", ID, "app_id"),
];

/// Every field of `ty`, in catalogue order.
pub fn fields(ty: ResourceType) -> &'static [Field] {
    match ty {
        ResourceType::App => APP,
        ResourceType::Scan => SCAN,
        ResourceType::ScanConfig => SCAN_CONFIG,
        ResourceType::Vulnerability => VULNERABILITY,
        ResourceType::VulnerabilityDiscovery => VULNERABILITY_DISCOVERY,
        ResourceType::AttackTemplate => ATTACK_TEMPLATE,
        ResourceType::Target => TARGET,
        ResourceType::Engine => ENGINE,
        ResourceType::EngineGroup => ENGINE_GROUP,
        ResourceType::Schedule => SCHEDULE,
        ResourceType::Blackout => BLACKOUT,
        ResourceType::File => FILE,
        ResourceType::Tag => TAG,
        ResourceType::Report => REPORT,
    }
}

/// The field called exactly `name` (case-sensitive) in `ty`'s catalogue.
pub fn lookup(ty: ResourceType, name: &str) -> Option<&'static Field> {
    fields(ty).iter().find(|f| f.name == name)
}

/// A field whose name differs from `name` only in case, for "did you mean" hints.
pub(crate) fn near_miss(ty: ResourceType, name: &str) -> Option<&'static Field> {
    fields(ty)
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}
