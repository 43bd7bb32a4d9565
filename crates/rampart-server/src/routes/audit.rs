//! `/audit-logs` (AppSec+ §1.3): the tenant's audit log, newest first with keyset paging
//! (`limit`, `cursor`; the next page's URL is in `Link: <…>; rel="next"`), one entry, and
//! exports as JSONL or CSV. Served at `/audit-logs` and, identically, `/v1/audit-logs`.
//! Reading needs `Principal::may_read_audit` (Product Admin, scope `audit:read`). Errors are
//! RFC 9457 problem+json (decision 5).

use crate::error::ApiError;
use crate::extract::Query;
use crate::extract::{Auth, Body, Id};
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LINK, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use rampart_api_types::audit::{
    AuditActor, AuditExport, AuditExportRequest, AuditLogEntry, AuditMetadata, AuditResource,
};
use rampart_api_types::oauth::ProblemBody;
use rampart_domain::audit::{AuditCursor, AuditEntry, AuditFilter, ExportFormat};
use rampart_domain::{AuditExportId, AuditId, PrincipalId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The routes answer RFC 9457 problem+json (decision 5).
type PlusResult<T> = Result<T, Problem>;

fn property(context: &str, explanation: &str) -> Problem {
    ApiError::property(context, explanation).into()
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get))
        .routes(routes!(export))
        .routes(routes!(export_status))
        .routes(routes!(export_download))
}

pub fn wire(e: AuditEntry) -> AuditLogEntry {
    AuditLogEntry {
        id: e.id.to_string(),
        timestamp: e.at,
        actor: AuditActor {
            id: e.actor.id.to_string(),
            kind: e.actor.kind.as_str().to_ascii_lowercase(),
            credential: e.actor.credential,
        },
        action: e.action,
        resource: AuditResource {
            kind: e.resource_type,
            id: e.resource_id,
        },
        metadata: AuditMetadata {
            ip: e.ip,
            user_agent: e.user_agent,
            request_id: e.request_id,
            method: e.method,
            route: e.route,
            status: e.status,
            changes: e.changes,
        },
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this actor (a principal id).
    actor_id: Option<String>,
    /// Only this resource type (`app`, `scan_config`, …).
    resource_type: Option<String>,
    /// Only this action (`app.update`, …).
    action: Option<String>,
    /// RFC 3339; entries at or after.
    from: Option<String>,
    /// RFC 3339; entries before.
    to: Option<String>,
    /// Page size, 1–1000 (default 100).
    limit: Option<u64>,
    /// The opaque cursor of the next page (from the `Link` header).
    cursor: Option<String>,
}

fn time(name: &str, v: Option<&str>) -> PlusResult<Option<chrono::DateTime<chrono::Utc>>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.to_utc()))
            .map_err(|_| property(name, "must be an RFC 3339 time")),
    }
}

fn encode_cursor(c: AuditCursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "{}.{}",
        rampart_domain::time::to_micros(c.at),
        c.id
    ))
}

fn decode_cursor(s: &str) -> PlusResult<AuditCursor> {
    let bad = || property("cursor", "not a cursor this server gave");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(AuditCursor {
        at: rampart_domain::time::from_micros(at.parse().map_err(|_| bad())?),
        id: AuditId(uuid::Uuid::parse_str(id).map_err(|_| bad())?),
    })
}

impl AuditQuery {
    fn filter(&self) -> PlusResult<AuditFilter> {
        let actor = match self
            .actor_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                Some(PrincipalId(uuid::Uuid::parse_str(s).map_err(|_| {
                    property("actorId", "must be a principal id")
                })?))
            }
        };
        let text = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(AuditFilter {
            actor,
            resource_type: text(&self.resource_type),
            action: text(&self.action),
            from: time("from", self.from.as_deref())?,
            to: time("to", self.to.as_deref())?,
        })
    }
}

/// Lists audit entries, newest first: a bare JSON array; `Link: <…>; rel="next"` names the
/// next page while there may be one.
#[utoipa::path(get, path = "/audit-logs", tag = "Audit logs", params(AuditQuery),
    responses((status = 200, body = Vec<AuditLogEntry>), (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Query(q): Query<AuditQuery>,
) -> PlusResult<Response> {
    let filter = q.filter()?;
    let limit = q.limit.unwrap_or(super::plus::DEFAULT_LIMIT);
    if let Some(p) = super::plus::limit_problem(limit) {
        return Err(rampart_service::ServiceError::invalid(vec![p]).into());
    }
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let items = s.service.list_audit(&p, &filter, after, limit).await?;
    let next = (items.len() as u64 == limit)
        .then(|| items.last().map(|l| AuditCursor { at: l.at, id: l.id }))
        .flatten();
    let body: Vec<AuditLogEntry> = items.into_iter().map(wire).collect();
    let mut res = Json(body).into_response();
    if let Some(c) = next {
        let mut pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .filter(|(k, _)| k != "cursor")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        pairs.push(("cursor".into(), encode_cursor(c)));
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let link = format!("<{}?{query}>; rel=\"next\"", s.public_url(uri.path()));
        if let Ok(v) = HeaderValue::from_str(&link) {
            res.headers_mut().insert(LINK, v);
        }
    }
    Ok(res)
}

/// One audit entry; another tenant's is 404.
#[utoipa::path(get, path = "/audit-logs/{id}", tag = "Audit logs",
    params(("id" = String, Path, description = "audit entry id")),
    responses((status = 200, body = AuditLogEntry), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AuditId>,
) -> PlusResult<Json<AuditLogEntry>> {
    Ok(Json(wire(s.service.get_audit(&p, id).await?)))
}

fn export_body(s: &AppState, x: &rampart_domain::audit::AuditExport) -> AuditExport {
    AuditExport {
        id: x.id.to_string(),
        status: "completed".into(),
        format: x.format.as_str().into(),
        entries: x.entries,
        download_url: s.public_url(&format!("/audit-logs/export/{}/download", x.id)),
        expires_at: x.expires_at,
    }
}

fn render(format: ExportFormat) -> impl Fn(&[AuditEntry], bool) -> Vec<u8> + Send + Sync {
    move |batch, first| {
        let mut out = String::new();
        if first && format == ExportFormat::Csv {
            out.push_str(&AuditLogEntry::csv_header());
        }
        for e in batch {
            let w = wire(e.clone());
            match format {
                ExportFormat::Jsonl => {
                    out.push_str(&serde_json::to_string(&w).unwrap_or_default());
                    out.push('\n');
                }
                ExportFormat::Csv => out.push_str(&w.csv_row()),
            }
        }
        out.into_bytes()
    }
}

/// Exports the entries between `from` and `to` as `jsonl` (default) or `csv`: 202 with
/// `Location` naming the export, whose `downloadUrl` serves the file.
#[utoipa::path(post, path = "/audit-logs/export", tag = "Audit logs",
    request_body = AuditExportRequest,
    responses((status = 202, body = AuditExport, description = "`Location` names the export"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn export(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<AuditExportRequest>,
) -> PlusResult<Response> {
    let format = match b.format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => ExportFormat::Jsonl,
        Some(f) => {
            ExportFormat::parse(f).ok_or_else(|| property("format", "must be jsonl or csv"))?
        }
    };
    let filter = AuditFilter {
        from: b.from,
        to: b.to,
        ..AuditFilter::default()
    };
    let id = s
        .service
        .export_audit(&p, format, filter, &render(format))
        .await?;
    let x = s.service.get_audit_export(&p, id, false).await?;
    let mut res = (StatusCode::ACCEPTED, Json(export_body(&s, &x))).into_response();
    if let Ok(v) = HeaderValue::from_str(&s.public_url(&format!("/audit-logs/export/{id}"))) {
        res.headers_mut().insert(LOCATION, v);
    }
    Ok(res)
}

/// An export's status and download URL.
#[utoipa::path(get, path = "/audit-logs/export/{id}", tag = "Audit logs",
    params(("id" = String, Path, description = "export id")),
    responses((status = 200, body = AuditExport), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn export_status(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AuditExportId>,
) -> PlusResult<Json<AuditExport>> {
    let x = s.service.get_audit_export(&p, id, false).await?;
    Ok(Json(export_body(&s, &x)))
}

/// The export's file: `application/x-ndjson` or `text/csv`.
#[utoipa::path(get, path = "/audit-logs/export/{id}/download", tag = "Audit logs",
    params(("id" = String, Path, description = "export id")),
    responses((status = 200, description = "the JSONL or CSV file"), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn export_download(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AuditExportId>,
) -> PlusResult<Response> {
    let x = s.service.get_audit_export(&p, id, true).await?;
    let mut res = x.content.unwrap_or_default().into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(x.format.media_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"audit-{}.{}\"",
        x.id,
        x.format.as_str()
    )) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
