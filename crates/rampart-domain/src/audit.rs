//! The audit log: one entry per mutation on either API (who, tenant, what, when, from where,
//! outcome, before/after of changed fields with secrets redacted), the rule that names a
//! request's action and resource from its route, and the field diff.

use crate::auth::PrincipalKind;
use crate::ids::{AuditExportId, AuditId, OrgId, PrincipalId};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditActor {
    pub id: PrincipalId,
    pub kind: PrincipalKind,
    /// The shown prefix of the credential used (an API key's `rmp_…` prefix), when known.
    pub credential: Option<String>,
}

/// One recorded mutation. Append-only.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub org: OrgId,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    /// `resource.verb`, e.g. `app.create`, `scan_config.options.update`, `scan.action`.
    pub action: String,
    pub method: String,
    /// The route template, e.g. `/ias/v1/apps/{app_id}`.
    pub route: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    /// The response status.
    pub status: u16,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The request's `r7-correlation-id`.
    pub request_id: String,
    /// `{field: {"old": …, "new": …}}` for the fields that changed (secrets redacted);
    /// `None` when no state could be read (a failed request, a route without a GET).
    pub changes: Option<Value>,
}

/// Filters of `GET /audit-logs`; every one optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: Option<PrincipalId>,
    pub resource_type: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Keyset position: entries strictly older than this (newest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditCursor {
    pub at: DateTime<Utc>,
    pub id: AuditId,
}

/// `jsonl` or `csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "jsonl" => Some(Self::Jsonl),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// An export of the audit log (generated when asked, kept until `expires_at`).
#[derive(Clone, Debug, PartialEq)]
pub struct AuditExport {
    pub id: AuditExportId,
    pub org: OrgId,
    pub requested_by: PrincipalId,
    pub format: ExportFormat,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub entries: u64,
    /// `None` in metadata reads.
    pub content: Option<Vec<u8>>,
}

/// What a request did, from its method, route template, concrete path and (for a 201) its
/// `Location`: the action `resource.verb`, the resource type and the resource id.
pub fn describe(
    method: &str,
    template: &str,
    path: &str,
    location: Option<&str>,
) -> (String, String, Option<String>) {
    let strip = |s: &str| -> Vec<String> {
        let s = s
            .strip_prefix("/ias/v1")
            .or_else(|| s.strip_prefix("/v1"))
            .unwrap_or(s);
        s.split('/')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let t = strip(template);
    let p = strip(path);
    let is_param = |s: &String| s.starts_with('{');
    let last_literal = t
        .iter()
        .rev()
        .find(|s| !is_param(s))
        .cloned()
        .unwrap_or_default();
    let from_location = location.and_then(|loc| {
        loc.split('?')
            .next()
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    });
    // A create (201 + Location) names the new resource: the last literal segment.
    if method == "POST" && from_location.is_some() {
        let resource = singular(&last_literal);
        return (format!("{resource}.create"), resource, from_location);
    }
    // Otherwise the resource is the segment before the last parameter, its id that
    // parameter's value, and literal segments after it a sub-resource or an action.
    let (resource, id, sub) = match t.iter().rposition(is_param) {
        Some(lp) => (
            lp.checked_sub(1)
                .and_then(|i| t.get(i))
                .map(|s| singular(s))
                .unwrap_or_default(),
            p.get(lp).cloned(),
            t[lp + 1..]
                .iter()
                .map(|s| s.replace('-', "_"))
                .collect::<Vec<_>>(),
        ),
        None => (singular(&last_literal), None, Vec::new()),
    };
    let verb = match method {
        "POST" if sub.is_empty() => "create",
        "PUT" | "PATCH" => "update",
        "DELETE" => "delete",
        _ => "",
    };
    let mut action = resource.clone();
    for s in &sub {
        action.push('.');
        action.push_str(s);
    }
    if !verb.is_empty() {
        action.push('.');
        action.push_str(verb);
    }
    (action, resource, id)
}

fn singular(seg: &str) -> String {
    let s = seg.replace('-', "_");
    if let Some(stem) = s.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = s.strip_suffix('s') {
        stem.to_string()
    } else {
        s
    }
}

/// The fields that differ between two JSON states, by dotted path (`options.auth_config.type`;
/// arrays compare whole), as `{path: {"old": …, "new": …}}`; secrets are redacted first.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let mut a = Map::new();
    let mut b = Map::new();
    if let Some(v) = before {
        flatten(&crate::secrets::redact_json(v), "", &mut a);
    }
    if let Some(v) = after {
        flatten(&crate::secrets::redact_json(v), "", &mut b);
    }
    let mut out = Map::new();
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let (old, new) = (a.get(k), b.get(k));
        if old != new {
            let mut c = Map::new();
            c.insert("old".into(), old.cloned().unwrap_or(Value::Null));
            c.insert("new".into(), new.cloned().unwrap_or(Value::Null));
            out.insert(k.clone(), Value::Object(c));
        }
    }
    Value::Object(out)
}

fn flatten(v: &Value, path: &str, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(child, &p, out);
            }
        }
        other => {
            out.insert(
                if path.is_empty() {
                    "value".into()
                } else {
                    path.into()
                },
                other.clone(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describes_routes() {
        let id = "7b0c9a4e-0000-4000-8000-000000000001";
        let d = describe;
        assert_eq!(
            d(
                "POST",
                "/ias/v1/apps",
                "/ias/v1/apps",
                Some(&format!("http://h/ias/v1/apps/{id}"))
            ),
            ("app.create".into(), "app".into(), Some(id.into()))
        );
        assert_eq!(
            d(
                "PUT",
                "/ias/v1/apps/{id}",
                &format!("/ias/v1/apps/{id}"),
                None
            ),
            ("app.update".into(), "app".into(), Some(id.into()))
        );
        assert_eq!(
            d(
                "PUT",
                "/ias/v1/scan-configs/{id}/options",
                &format!("/ias/v1/scan-configs/{id}/options"),
                None
            ),
            (
                "scan_config.options.update".into(),
                "scan_config".into(),
                Some(id.into())
            )
        );
        assert_eq!(
            d(
                "POST",
                "/ias/v1/scans/{id}/action",
                &format!("/ias/v1/scans/{id}/action"),
                None
            ),
            ("scan.action".into(), "scan".into(), Some(id.into()))
        );
        assert_eq!(
            d(
                "DELETE",
                "/v1/applications/{id}",
                "/v1/applications/a1",
                None
            ),
            (
                "application.delete".into(),
                "application".into(),
                Some("a1".into())
            )
        );
        assert_eq!(
            d(
                "DELETE",
                "/identity-groups/{id}",
                "/identity-groups/g1",
                None
            ),
            (
                "identity_group.delete".into(),
                "identity_group".into(),
                Some("g1".into())
            )
        );
        assert_eq!(
            d(
                "POST",
                "/ias/v1/apps/{app}/files/{file}",
                "/ias/v1/apps/a/files/f",
                None
            )
            .1,
            "file"
        );
    }

    #[test]
    fn diff_names_changed_fields_and_redacts() {
        let a = json!({"name": "x", "options": {"auth_config": {"password_form": "p1", "type": "NONE"}}});
        let b = json!({"name": "y", "options": {"auth_config": {"password_form": "p2", "type": "FORM"}}});
        let d = diff(Some(&a), Some(&b));
        assert_eq!(d["name"], json!({"old": "x", "new": "y"}));
        assert_eq!(
            d["options.auth_config.type"],
            json!({"old": "NONE", "new": "FORM"})
        );
        assert!(!d.to_string().contains("p1") && !d.to_string().contains("p2"));
        assert_eq!(diff(Some(&a), Some(&a)), json!({}));
        assert_eq!(
            diff(None, Some(&json!({"n": 1})))["n"],
            json!({"old": null, "new": 1})
        );
    }
}
