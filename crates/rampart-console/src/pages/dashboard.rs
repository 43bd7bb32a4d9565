//! The dashboard: open vulnerabilities by severity and by app, scans running now, engines.

use crate::error::service_error;
use crate::layout;
use crate::pages::vulns::{list_link, OPEN};
use crate::session::Caller;
use crate::Console;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_service::{SearchResults, Service, ServiceResult};
use rampart_store::ListRequest;

/// Scan statuses that mean "running now".
const ACTIVE_SCANS: &str =
    "scan.status = 'RUNNING' || scan.status = 'QUEUED' || scan.status = 'PENDING' \
     || scan.status = 'PROVISIONING' || scan.status = 'PAUSING' || scan.status = 'PAUSED' \
     || scan.status = 'RESUMING' || scan.status = 'STOPPING' || scan.status = 'CANCELING' \
     || scan.status = 'AUTHENTICATING' || scan.status = 'AWAITING_AUTHENTICATION'";

/// How many matches `query` has (one count, no rows read beyond one).
pub async fn count(
    s: &Service,
    p: &Principal,
    ty: ResourceType,
    query: &str,
) -> ServiceResult<u64> {
    Ok(match s.search(p, ty, query, ListRequest::first(1)).await? {
        SearchResults::Vulnerabilities(page) => page.total,
        SearchResults::Scans(page) => page.total,
        SearchResults::Apps(page) => page.total,
        _ => 0,
    })
}

struct Data {
    by_severity: Vec<(Severity, u64)>,
    by_app: Vec<(App, u64)>,
    apps_total: u64,
    scans: Vec<Scan>,
    scans_total: u64,
    engines: Option<Vec<rampart_service::EngineView>>,
}

async fn load(s: &Service, p: &Principal) -> ServiceResult<Data> {
    let mut by_severity = Vec::new();
    for sev in Severity::ALL.iter().rev() {
        let q = format!("({OPEN}) && vulnerability.severity = '{}'", sev.as_str());
        by_severity.push((*sev, count(s, p, ResourceType::Vulnerability, &q).await?));
    }
    let apps = s.list_apps(p, &ListRequest::first(20)).await?;
    let mut by_app = Vec::new();
    for app in apps.items {
        let q = format!("({OPEN}) && vulnerability.app.id = '{}'", app.id);
        let n = count(s, p, ResourceType::Vulnerability, &q).await?;
        by_app.push((app, n));
    }
    by_app.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
    let SearchResults::Scans(scans) = s
        .search(p, ResourceType::Scan, ACTIVE_SCANS, ListRequest::first(20))
        .await?
    else {
        return Err(rampart_service::ServiceError::Internal(
            "a scan search returned another type".into(),
        ));
    };
    let engines = if p.can(Resource::Engines, Action::Read) {
        Some(s.list_engines(p, &ListRequest::first(50)).await?.items)
    } else {
        None
    };
    Ok(Data {
        by_severity,
        by_app,
        apps_total: apps.total,
        scans_total: scans.total,
        scans: scans.items,
        engines,
    })
}

pub async fn page(State(s): State<Console>, caller: Caller) -> Response {
    let d = match load(&s.service, &caller.0.principal).await {
        Ok(d) => d,
        Err(e) => return service_error(e),
    };
    let open_total: u64 = d.by_severity.iter().map(|(_, n)| n).sum();
    let trend = crate::pages::trend::card(&s, &caller).await;
    let body = html! {
        div.grid {
            section.card aria-labelledby="by-severity" {
                h2 id="by-severity" { "Open vulnerabilities by severity" }
                p.big { (open_total) " open" }
                table {
                    caption.sr { "Open vulnerabilities (unreviewed or verified) per severity" }
                    thead { tr { th scope="col" { "Severity" } th scope="col" class="num" { "Open" } } }
                    tbody {
                        @for (sev, n) in &d.by_severity {
                            tr {
                                th scope="row" { span class={"sev sev-" (sev.as_str().to_lowercase())} { (sev.as_str()) } }
                                td.num { a href=(list_link(&[("severity", sev.as_str()), ("open", "1")])) { (n) } }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="by-app" {
                h2 id="by-app" { "Open vulnerabilities by app" }
                @if d.by_app.is_empty() {
                    p { "No app yet." }
                } @else {
                    table {
                        caption.sr { "Open vulnerabilities per app" }
                        thead { tr { th scope="col" { "App" } th scope="col" class="num" { "Open" } } }
                        tbody {
                            @for (app, n) in &d.by_app {
                                tr {
                                    th scope="row" { (app.name) }
                                    td.num { a href=(list_link(&[("app", &app.id.to_string()), ("open", "1")])) { (n) } }
                                }
                            }
                        }
                    }
                    @if d.apps_total > d.by_app.len() as u64 {
                        p.muted { "The first " (d.by_app.len()) " of " (d.apps_total) " apps by name." }
                    }
                }
            }
            section.card aria-labelledby="running" {
                h2 id="running" { "Scans running now" }
                @if d.scans.is_empty() {
                    p { "No scan is running." }
                } @else {
                    table {
                        caption.sr { "Scans queued, running or paused" }
                        thead { tr { th scope="col" { "Scan" } th scope="col" { "Status" } th scope="col" { "Submitted" } } }
                        tbody {
                            @for scan in &d.scans {
                                tr {
                                    td { a href={"/console/scans/" (scan.id)} { code { (short(&scan.id.to_string())) } } }
                                    td { span.status { (scan.status.as_str()) } }
                                    td { (when(scan.submit_time)) }
                                }
                            }
                        }
                    }
                    @if d.scans_total > d.scans.len() as u64 {
                        p.muted { (d.scans_total) " in all." }
                    }
                }
            }
            (trend)
            @if let Some(engines) = &d.engines {
                section.card aria-labelledby="engines" {
                    h2 id="engines" { "Engines" }
                    @if engines.is_empty() {
                        p { "No remote engine registered; scans run on the server's embedded engine." }
                    } @else {
                        table {
                            caption.sr { "Remote engines and their health" }
                            thead { tr { th scope="col" { "Engine" } th scope="col" { "Health" } th scope="col" { "Last heartbeat" } } }
                            tbody {
                                @for e in engines {
                                    tr {
                                        th scope="row" { (e.engine.name) }
                                        td { span class={"health health-" (e.status.as_str().to_lowercase())} { (e.status.as_str()) } }
                                        td { (e.engine.last_heartbeat.map(when).unwrap_or_else(|| "never".into())) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page("Dashboard", &caller, "dashboard", body).into_response()
}

/// The first 8 characters of an id (full ids are in links and titles).
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A UTC time as `YYYY-MM-DD HH:MM UTC`.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
