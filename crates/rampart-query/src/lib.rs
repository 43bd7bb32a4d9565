//! The search language (provisional: sorting only; the full language is being built).

use sea_query::{Alias, Expr, SimpleExpr};

/// A searchable resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "APP" => Self::App,
            "SCAN_CONFIG" => Self::ScanConfig,
            "ATTACK_TEMPLATE" => Self::AttackTemplate,
            "TARGET" => Self::Target,
            "TAG" => Self::Tag,
            _ => return None,
        })
    }
    pub fn table(self) -> &'static str {
        match self {
            Self::App => "apps",
            Self::ScanConfig => "scan_configs",
            Self::AttackTemplate => "attack_templates",
            Self::Target => "targets",
            Self::Tag => "tags",
            _ => "unsupported",
        }
    }
    fn prefix(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::ScanConfig => "scanconfig",
            Self::AttackTemplate => "attacktemplate",
            Self::Target => "target",
            Self::Tag => "tag",
            _ => "unsupported",
        }
    }
    pub fn default_sort(self) -> Vec<SortKey> {
        let f = match self {
            Self::Target => "domain",
            _ => "name",
        };
        vec![SortKey { table: self.table(), column: f.to_string(), name: format!("{}.{f}", self.prefix()), desc: false }]
    }
}

/// Which SQL dialect to compile for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One sort term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    table: &'static str,
    column: String,
    name: String,
    desc: bool,
}

impl SortKey {
    pub fn expr(&self) -> SimpleExpr {
        Expr::col((Alias::new(self.table), Alias::new(&self.column))).into()
    }
    pub fn descending(&self) -> bool {
        self.desc
    }
    pub fn field_name(&self) -> &str {
        &self.name
    }
}

/// A problem with one part of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub context: String,
    pub explanation: String,
}

/// A query or sort that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub position: usize,
    pub message: String,
    pub errors: Vec<FieldError>,
}

/// A parsed, type-checked query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    _private: (),
}

pub fn parse_query(_ty: ResourceType, _input: &str) -> Result<Query, QueryError> {
    Err(QueryError { position: 0, message: "search is not available yet".into(), errors: vec![] })
}

pub fn compile(_query: &Query, _dialect: Dialect) -> SimpleExpr {
    Expr::val(true).into()
}

pub fn parse_sort(ty: ResourceType, input: &str) -> Result<Vec<SortKey>, QueryError> {
    let mut keys: Vec<SortKey> = Vec::new();
    for term in input.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match term.to_ascii_uppercase().as_str() {
            "ASC" | "DESC" => {
                if let Some(k) = keys.last_mut() {
                    k.desc = term.eq_ignore_ascii_case("DESC");
                }
                continue;
            }
            _ => {}
        }
        let field = term.strip_prefix(&format!("{}.", ty.prefix())).unwrap_or(term);
        let ok = matches!(
            (ty, field),
            (ResourceType::App, "id" | "name" | "description")
                | (ResourceType::Target, "id" | "domain" | "enabled")
                | (ResourceType::Tag, "id" | "name")
                | (ResourceType::AttackTemplate, "id" | "name" | "description" | "system_defined")
                | (ResourceType::ScanConfig, "id" | "name" | "description")
        );
        if !ok {
            return Err(QueryError {
                position: 0,
                message: format!("unknown sort field '{term}'"),
                errors: vec![FieldError { context: term.to_string(), explanation: "unknown sort field".into() }],
            });
        }
        keys.push(SortKey { table: ty.table(), column: field.to_string(), name: format!("{}.{field}", ty.prefix()), desc: false });
    }
    Ok(keys)
}
