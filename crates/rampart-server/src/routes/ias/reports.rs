//! `/reports` (reference §3.10): request a report, list, read its metadata or its content
//! by `Accept`, delete. Generation runs in the background (`crate::report_gen`).

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::report_gen::kind_rules;
use crate::routes::{Created, Deleted};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::ias::{ErrorBody, IdRef, Page, Report, ReportGeneration};
use rampart_api_types::ias_time;
use rampart_domain::report::{self as d, ReportStatus};
use rampart_domain::{AppId, ReportId, ScanId};
use rampart_query::ResourceType;
use rampart_report::{DocFormat, ReportType};
use rampart_service::{Problem, ReportInput, ServiceError};
use utoipa_axum::{router::OpenApiRouter, routes};

const JSON: &str = "application/json";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, delete))
}

fn path(id: ReportId) -> String {
    format!("/reports/{id}")
}

pub fn wire(s: &AppState, r: d::Report) -> Report {
    Report {
        id: r.id.0,
        links: self_link(s, path(r.id)),
        name: r.name,
        kind: r.kind,
        format: r.format,
        owner: IdRef { id: r.owner.0 },
        generated_date: ias_time(r.generated_date),
        app: r.app.map(|a| IdRef { id: a.0 }),
        scan: r.scan.map(|x| IdRef { id: x.0 }),
        status: r.status.as_str().to_string(),
        failure_reason: r.failure_reason,
    }
}

/// The type and format of a request, checked against `rampart-report`'s catalogue.
fn kind_and_format(b: &ReportGeneration) -> ApiResult<(ReportType, DocFormat)> {
    let mut problems = Vec::new();
    let kind = ReportType::parse(b.kind.trim());
    if kind.is_none() {
        let names: Vec<_> = ReportType::ALL.iter().map(|t| t.wire()).collect();
        problems.push(Problem::property(
            "type",
            format!(
                "unknown report type '{}': one of {}",
                b.kind,
                names.join(", ")
            ),
        ));
    }
    let format = DocFormat::parse(&b.format.trim().to_ascii_uppercase());
    match (kind, format) {
        (_, None) => problems.push(Problem::property(
            "format",
            format!("unknown format '{}': PDF, HTML or CSV", b.format),
        )),
        (Some(k), Some(f)) if !k.supports(f) => {
            let allowed: Vec<_> = k.formats().iter().map(|f| f.wire()).collect();
            problems.push(Problem::property(
                "format",
                format!(
                    "a {} report is generated as {} only",
                    k.wire(),
                    allowed.join(" or ")
                ),
            ));
        }
        _ => {}
    }
    match (kind, format) {
        (Some(k), Some(f)) if problems.is_empty() => Ok((k, f)),
        _ => Err(ServiceError::invalid(problems).into()),
    }
}

/// Lists reports (default sort `report.generatedDate` descending).
#[utoipa::path(get, path = "/reports", tag = "Reports", params(PageQuery),
    responses((status = 200, body = Page<Report>), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Report>>> {
    let page = s
        .service
        .list_reports(&p, &paging.request(ResourceType::Report)?)
        .await?;
    let data = page.items.into_iter().map(|r| wire(&s, r)).collect();
    Ok(Json(paging.envelope(&s, "/reports", data, page.total)))
}

/// Requests a report. It is generated in the background: poll `GET /reports/{id}` with
/// the content's `Accept` (204 while `PROCESSING`). `scan.id` is required for summary,
/// remediation and compliance reports, `app.id` for single-app executive reports;
/// all-apps executive reports take neither. `filter` is a search-language query over
/// vulnerabilities (422 with the parser's errors when it does not parse).
#[utoipa::path(post, path = "/reports", tag = "Reports", request_body = ReportGeneration,
    responses((status = 201, description = "requested; `Location` names it"), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ReportGeneration>,
) -> ApiResult<Created> {
    let (kind, format) = kind_and_format(&b)?;
    let input = ReportInput {
        name: b.name,
        kind: kind.wire().to_string(),
        format: format.wire().to_string(),
        scan: b.scan.map(|x| ScanId(x.id)),
        app: b.app.map(|x| AppId(x.id)),
        start: b.start,
        end: b.end,
        month: b.month,
        filter: b.filter,
    };
    let id = s.service.create_report(&p, input, kind_rules(kind)).await?;
    Ok(Created(s.ias_url(&path(id))))
}

/// What `Accept` asks of a report of `format`.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    Metadata,
    Content,
    /// Only media types this report cannot be: 406.
    Nothing(String),
}

fn wanted(headers: &HeaderMap, format: DocFormat) -> Wanted {
    let types: Vec<String> = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|m| m.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty())
        .collect();
    if types.is_empty() {
        return Wanted::Metadata;
    }
    if types.iter().any(|m| m == format.content_type()) {
        return Wanted::Content;
    }
    if types
        .iter()
        .any(|m| m == JSON || m == "*/*" || m == "application/*")
    {
        return Wanted::Metadata;
    }
    Wanted::Nothing(types.join(", "))
}

/// The report's metadata (`Accept: application/json`, the default) or its content
/// (`Accept: application/pdf`, `application/zip` for HTML, `text/csv` — the report's own
/// format — optionally followed by `application/json`). Content: 200 with the bytes once
/// `COMPLETE`, 204 while `PROCESSING`, 409 with the failure reason when `FAILED` (the
/// JSON metadata then shows `status` `FAILED` and `failure_reason`). 406 when `Accept`
/// names neither JSON nor the report's content type.
#[utoipa::path(get, path = "/reports/{id}", tag = "Reports", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Report, content_type = "application/json"),
        (status = 200, description = "the content", content_type = "application/pdf"),
        (status = 200, description = "the HTML report, zipped", content_type = "application/zip"),
        (status = 200, description = "the content", content_type = "text/csv"),
        (status = 204, description = "the report is still being generated"),
        (status = 404, body = ErrorBody), (status = 406, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ReportId>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let meta = s.service.get_report(&p, id).await?;
    let format = DocFormat::parse(&meta.format)
        .ok_or_else(|| ApiError::Internal(format!("stored format '{}'", meta.format)))?;
    match wanted(&headers, format) {
        Wanted::Metadata => return Ok(Json(wire(&s, meta)).into_response()),
        Wanted::Nothing(asked) => {
            return Err(ApiError::NotAcceptable(format!(
                "this {} report is served as {} (content) or {JSON} (metadata), not {asked}",
                meta.format,
                format.content_type()
            )))
        }
        Wanted::Content => {}
    }
    match meta.status {
        ReportStatus::Processing => return Ok(StatusCode::NO_CONTENT.into_response()),
        ReportStatus::Failed => {
            return Err(ApiError::Conflict(format!(
                "the report failed: {}",
                meta.failure_reason
                    .as_deref()
                    .unwrap_or("no reason recorded")
            )))
        }
        ReportStatus::Complete => {}
    }
    let (meta, bytes) = s.service.report_content(&p, id).await?;
    let Some(bytes) = bytes else {
        // Deleted and requested again between the two reads, or still generating.
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let safe: String = meta
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ' | '.'))
        .collect();
    let file = format!("{}.{}", safe.trim(), format.extension());
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[utoipa::path(delete, path = "/reports/{id}", tag = "Reports", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ReportId>,
) -> ApiResult<Deleted> {
    s.service.delete_report(&p, id).await?;
    Ok(Deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn accept_picks_metadata_content_or_nothing() {
        let pdf = DocFormat::Pdf;
        assert_eq!(wanted(&HeaderMap::new(), pdf), Wanted::Metadata);
        assert_eq!(wanted(&accept("application/json"), pdf), Wanted::Metadata);
        assert_eq!(wanted(&accept("*/*"), pdf), Wanted::Metadata);
        assert_eq!(
            wanted(&accept("application/pdf, application/json"), pdf),
            Wanted::Content
        );
        assert_eq!(
            wanted(&accept("application/zip"), DocFormat::Html),
            Wanted::Content
        );
        assert_eq!(
            wanted(&accept("text/csv;charset=utf-8"), DocFormat::Csv),
            Wanted::Content
        );
        assert!(matches!(
            wanted(&accept("text/csv"), pdf),
            Wanted::Nothing(_)
        ));
    }
}
