//! Column decoding helpers (the one copy of `get`, `time`, `en`) and the row decoders of
//! the configuration entities, with the column lists they read.

use super::{map_err, Row};
use rampart_domain::time::from_micros;
use rampart_domain::*;
use rampart_store::{StoreError, StoreResult};
use sqlx::Row as _;
use uuid::Uuid;

pub(crate) fn get<'r, T>(r: &'r Row, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, super::Db> + sqlx::Type<super::Db>,
{
    r.try_get(col).map_err(map_err)
}

pub(crate) fn time(r: &Row, col: &str) -> StoreResult<chrono::DateTime<chrono::Utc>> {
    Ok(from_micros(get::<i64>(r, col)?))
}

pub(crate) fn opt_time(r: &Row, col: &str) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(get::<Option<i64>>(r, col)?.map(from_micros))
}

fn parse<T>(col: &str, s: &str, f: fn(&str) -> Option<T>) -> StoreResult<T> {
    f(s).ok_or_else(|| StoreError::Backend(format!("unexpected {col} value '{s}'")))
}

/// A text column holding one of an enum's names.
pub(crate) fn en<T>(r: &Row, col: &str, f: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(col, &get::<String>(r, col)?, f)
}

pub(crate) fn opt_en<T>(r: &Row, col: &str, f: fn(&str) -> Option<T>) -> StoreResult<Option<T>> {
    get::<Option<String>>(r, col)?
        .map(|s| parse(col, &s, f))
        .transpose()
}

pub(crate) const ORG_COLUMNS: &[&str] = &["id", "name", "created_at", "operator"];
pub(crate) fn org(r: &Row) -> StoreResult<Organization> {
    Ok(Organization {
        id: OrgId(get(r, "id")?),
        name: get(r, "name")?,
        created_at: time(r, "created_at")?,
        operator: get(r, "operator")?,
    })
}

pub(crate) const USER_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "email",
    "name",
    "role",
    "status",
    "created_at",
];
pub(crate) fn user(r: &Row) -> StoreResult<User> {
    Ok(User {
        id: PrincipalId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        email: get::<Option<String>>(r, "email")?.unwrap_or_default(),
        display_name: get(r, "name")?,
        role: opt_en(r, "role", Role::parse)?,
        status: en(r, "status", PrincipalStatus::parse)?,
        created_at: time(r, "created_at")?,
    })
}

pub(crate) const SERVICE_ACCOUNT_COLUMNS: &[&str] =
    &["id", "org_id", "name", "role", "status", "created_at"];
pub(crate) fn service_account(r: &Row) -> StoreResult<ServiceAccount> {
    Ok(ServiceAccount {
        id: PrincipalId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get::<Option<String>>(r, "name")?.unwrap_or_default(),
        role: opt_en(r, "role", Role::parse)?.unwrap_or(Role::ReadOnly),
        status: en(r, "status", PrincipalStatus::parse)?,
        created_at: time(r, "created_at")?,
    })
}

/// A principal as a member or an owner: columns `id`, `kind`, `email`, `name` of
/// `principals` (aliased with the `p_` prefix).
pub(crate) fn principal_ref(r: &Row) -> StoreResult<PrincipalRef> {
    let kind = en(r, "p_kind", PrincipalKind::parse)?;
    let email: Option<String> = get(r, "p_email")?;
    let name: Option<String> = get(r, "p_name")?;
    Ok(PrincipalRef {
        id: PrincipalId(get(r, "p_id")?),
        kind,
        display: match kind {
            PrincipalKind::User => email.or(name),
            _ => name.or(email),
        }
        .unwrap_or_default(),
    })
}

pub(crate) const KEY_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "principal_id",
    "kind",
    "role",
    "name",
    "prefix",
    "hash",
    "created_at",
    "last_used_at",
];
pub(crate) fn api_key(r: &Row) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: ApiKeyId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        principal: PrincipalId(get(r, "principal_id")?),
        kind: en(r, "kind", PrincipalKind::parse)?,
        role: en(r, "role", Role::parse)?,
        name: get(r, "name")?,
        prefix: get(r, "prefix")?,
        hash: get(r, "hash")?,
        created_at: time(r, "created_at")?,
        last_used_at: opt_time(r, "last_used_at")?,
    })
}

pub(crate) const GROUP_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "description",
    "source",
    "external_id",
    "created_at",
    "updated_at",
];
pub(crate) fn group(r: &Row) -> StoreResult<IdentityGroup> {
    Ok(IdentityGroup {
        id: IdentityGroupId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        source: en(r, "source", GroupSource::parse)?,
        external_id: get(r, "external_id")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(crate) const APP_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "description",
    "created_at",
    "updated_at",
    "criticality",
    "owner",
    "repo_url",
    "service_url",
    "language",
    "business_unit",
    "archived",
];
pub(crate) fn app(r: &Row) -> StoreResult<App> {
    Ok(App {
        id: AppId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        profile: AppProfile {
            criticality: en(r, "criticality", Criticality::parse)?,
            owner: get(r, "owner")?,
            repo_url: get(r, "repo_url")?,
            service_url: get(r, "service_url")?,
            language: get(r, "language")?,
            business_unit: get(r, "business_unit")?,
            archived: get(r, "archived")?,
        },
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(crate) const TARGET_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "domain",
    "enabled",
    "archived",
    "scanned",
    "created_at",
];
pub(crate) fn target(r: &Row) -> StoreResult<Target> {
    Ok(Target {
        id: TargetId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        domain: get(r, "domain")?,
        enabled: get(r, "enabled")?,
        archived: get(r, "archived")?,
        scanned: get(r, "scanned")?,
        created_at: time(r, "created_at")?,
    })
}

pub(crate) const TAG_COLUMNS: &[&str] = &["id", "org_id", "name", "creator_id", "created_at"];
pub(crate) fn tag(r: &Row) -> StoreResult<Tag> {
    Ok(Tag {
        id: TagId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        creator: PrincipalId(get(r, "creator_id")?),
        created_at: time(r, "created_at")?,
    })
}

pub(crate) const TEMPLATE_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "description",
    "system_defined",
    "browser_encoding_enabled",
    "attack_prioritization",
    "advanced_attacks_enabled",
    "false_positive_regex",
    "created_at",
];
pub(crate) fn template(r: &Row) -> StoreResult<AttackTemplate> {
    Ok(AttackTemplate {
        id: AttackTemplateId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        system_defined: get(r, "system_defined")?,
        browser_encoding_enabled: get(r, "browser_encoding_enabled")?,
        attack_prioritization: en(r, "attack_prioritization", AttackPrioritization::parse)?,
        advanced_attacks_enabled: get(r, "advanced_attacks_enabled")?,
        false_positive_regex: get(r, "false_positive_regex")?,
        created_at: time(r, "created_at")?,
    })
}

pub(crate) const MODULE_COLUMNS: &[&str] = &[
    "id",
    "template_id",
    "module_id",
    "enabled",
    "parameter_locations",
    "severity",
    "max_findings",
];
pub(crate) fn attack_module(r: &Row) -> StoreResult<AttackModule> {
    let locations: String = get(r, "parameter_locations")?;
    Ok(AttackModule {
        id: AttackModuleId(get(r, "id")?),
        template: AttackTemplateId(get(r, "template_id")?),
        module: ModuleId(get(r, "module_id")?),
        enabled: get(r, "enabled")?,
        parameter_locations: locations
            .split(',')
            .filter_map(ParameterLocation::parse)
            .collect(),
        severity: en(r, "severity", Severity::parse)?,
        max_findings: get(r, "max_findings")?,
    })
}

pub(crate) fn join_locations(l: &[ParameterLocation]) -> String {
    l.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(",")
}

pub(crate) const SCAN_CONFIG_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "name",
    "description",
    "attack_template_id",
    "incremental",
    "assignment_type",
    "assignment_id",
    "assignment_environment",
    "options",
    "created_at",
    "updated_at",
];
pub(crate) fn scan_config(r: &Row) -> StoreResult<ScanConfig> {
    let options: String = get(r, "options")?;
    Ok(ScanConfig {
        id: ScanConfigId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        attack_template: AttackTemplateId(get(r, "attack_template_id")?),
        incremental: get(r, "incremental")?,
        assignment: Assignment {
            kind: en(r, "assignment_type", AssignmentType::parse)?,
            engine_group: get::<Option<Uuid>>(r, "assignment_id")?.map(EngineGroupId),
            environment: en(r, "assignment_environment", Environment::parse)?,
        },
        options: serde_json::from_str(&options).map_err(|e| StoreError::Backend(e.to_string()))?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

pub(crate) const FILE_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "name",
    "description",
    "type",
    "locked",
    "owner_id",
    "last_updated_by",
    "last_updated",
    "size",
];
pub(crate) fn file(r: &Row) -> StoreResult<rampart_domain::file::AppFile> {
    Ok(rampart_domain::file::AppFile {
        id: FileId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        kind: en(r, "type", rampart_domain::file::FileType::parse)?,
        locked: get(r, "locked")?,
        owner: PrincipalId(get(r, "owner_id")?),
        last_updated_by: PrincipalId(get(r, "last_updated_by")?),
        last_updated: time(r, "last_updated")?,
        size: get::<Option<i64>>(r, "size")?.map(|s| u64::try_from(s).unwrap_or(0)),
    })
}
