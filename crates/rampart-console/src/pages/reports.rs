//! A scan's reports: request one of every type and format the server generates for a
//! scan (`rampart_report::ReportType`, the catalogue `POST /ias/v1/reports` checks),
//! follow its generation and download it. Requests, generation and content go through
//! the service's report use cases, exactly as the API's `/reports` does.

use crate::error::{error_page, redirect, service_error};
use crate::form::Fields;
use crate::layout::{self, csrf};
use crate::pages::dashboard::{short, when};
use crate::session::Caller;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_domain::report::{Report, ReportStatus};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_report::{DocFormat, ReportType};
use rampart_service::{ReportInput, ReportKindRules, SearchResults};
use rampart_store::ListRequest;

/// Every (type, format) the server generates about one scan: the types that are not
/// about every app.
fn scan_kinds() -> impl Iterator<Item = (ReportType, DocFormat)> {
    ReportType::ALL
        .iter()
        .copied()
        .filter(|t| !t.all_apps())
        .flat_map(|t| t.formats().iter().map(move |f| (t, *f)))
}

fn choice(t: ReportType, f: DocFormat) -> String {
    format!("{}:{}", t.wire(), f.wire())
}

/// The scan's reports, newest first (those of its app that name it).
async fn of_scan(s: &Console, p: &Principal, scan: &Scan) -> Vec<Report> {
    let q = format!("report.app.id = '{}'", scan.app);
    let sort = rampart_query::parse_sort(ResourceType::Report, "report.generatedDate,DESC")
        .unwrap_or_default();
    let req = ListRequest {
        sort,
        ..ListRequest::first(200)
    };
    match s.service.search(p, ResourceType::Report, &q, req).await {
        Ok(SearchResults::Reports(page)) => page
            .items
            .into_iter()
            .filter(|r| r.scan == Some(scan.id))
            .collect(),
        _ => Vec::new(),
    }
}

fn status_cell(r: &Report) -> Markup {
    html! {
        @match r.status {
            ReportStatus::Complete => {
                a href={"/console/reports/" (r.id) "/download"} download { "Download " (r.format) }
            }
            ReportStatus::Processing => {
                a href={"/console/reports/" (r.id)} { "Generating…" }
            }
            ReportStatus::Failed => {
                span { "FAILED: " (r.failure_reason.as_deref().unwrap_or("")) }
            }
        }
    }
}

/// The reports section of a scan's page.
pub async fn section(s: &Console, caller: &Caller, scan: &Scan) -> Markup {
    let p = &caller.0.principal;
    if !caller.can(Resource::Reports, Action::Read) {
        return html! {};
    }
    let reports = of_scan(s, p, scan).await;
    html! {
        section aria-labelledby="reports-h" id="reports" {
            h2 id="reports-h" { "Reports" }
            @if caller.can(Resource::Reports, Action::Manage) {
                form method="post" action={"/console/scans/" (scan.id) "/reports"} {
                    (csrf(caller))
                    div.row {
                        label for="report-kind" { "Report" }
                        select id="report-kind" name="kind" {
                            @for (t, f) in scan_kinds() {
                                option value=(choice(t, f)) { (t.title()) " · " (f.wire()) }
                            }
                        }
                        button type="submit" { "Generate" }
                    }
                }
            }
            @if reports.is_empty() {
                p.muted { "No report of this scan yet." }
            } @else {
                table.reports {
                    caption.sr { "Reports of this scan, newest first" }
                    thead { tr { th scope="col" { "Report" } th scope="col" { "Requested" } th scope="col" { "File" } } }
                    tbody {
                        @for r in &reports {
                            tr {
                                td { (r.name) }
                                td { (when(r.created_at)) }
                                td { (status_cell(r)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /console/scans/{id}/reports`: requests a report of the scan.
pub async fn request(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let Some((t, fmt)) = scan_kinds().find(|(t, f2)| choice(*t, *f2) == f.text("kind")) else {
        return error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not valid",
            "Choose one of the listed reports.",
        );
    };
    let input = ReportInput {
        name: format!("{} of scan {}", t.title(), short(&id.to_string())),
        kind: t.wire().to_string(),
        format: fmt.wire().to_string(),
        scan: Some(id),
        ..Default::default()
    };
    let rules = ReportKindRules {
        needs_scan: t.needs_scan(),
        all_apps: t.all_apps(),
    };
    match s
        .service
        .create_report(&caller.0.principal, input, rules)
        .await
    {
        Ok(r) => redirect(&format!("/console/reports/{r}")),
        Err(e) => service_error(e),
    }
}

/// One report: generating (the page reloads itself every 2 s until it is done, without
/// script), done (a download link) or failed (the reason).
pub async fn page(State(s): State<Console>, caller: Caller, Path(id): Path<ReportId>) -> Response {
    let r = match s.service.get_report(&caller.0.principal, id).await {
        Ok(r) => r,
        Err(e) => return service_error(e),
    };
    let body = html! {
        dl.facts {
            dt { "Type" } dd { (r.kind) }
            dt { "Format" } dd { (r.format) }
            dt { "Requested" } dd { (when(r.created_at)) }
            dt { "Status" } dd { span.status role="status" { (r.status.as_str()) } }
        }
        p { (status_cell(&r)) }
        @if let Some(scan) = r.scan {
            p { a href={"/console/scans/" (scan) "#reports"} { "Back to the scan" } }
        }
    };
    let mut res = layout::page(&r.name, &caller, "scans", body).into_response();
    if r.status == ReportStatus::Processing {
        res.headers_mut()
            .insert("refresh", HeaderValue::from_static("2"));
    }
    res
}

/// `GET /console/reports/{id}/download`: the report's bytes once generated.
pub async fn download(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ReportId>,
) -> Response {
    let (r, bytes) = match s.service.report_content(&caller.0.principal, id).await {
        Ok(x) => x,
        Err(e) => return service_error(e),
    };
    let (Some(bytes), Some(format)) = (bytes, DocFormat::parse(&r.format)) else {
        return error_page(
            StatusCode::CONFLICT,
            "Not ready",
            "The report is not generated (yet); its page says where it is.",
        );
    };
    let stem: String = r
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let disposition = format!("attachment; filename=\"{stem}.{}\"", format.extension());
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}
