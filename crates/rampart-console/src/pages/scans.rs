//! Scans: the list (filters by app and status), launching a scan of a scan config, one
//! scan's page (status, counters, events, actions, compare, reports) and its state
//! actions. The page is complete without the script; `live.rs` streams its changes.

use crate::error::{redirect, service_error};
use crate::form::Fields;
use crate::layout::{self, csrf};
use crate::pages::dashboard::{short, when};
use crate::pages::reports;
use crate::session::Caller;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_domain::job::{EventKind, ExecutionDetails};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_service::{SearchResults, Service, ServiceError, ServiceResult};
use rampart_store::{ListRequest, LoggedEvent};
use std::collections::{BTreeMap, HashMap};

/// Rows per page of the list.
const PAGE_SIZE: u64 = 50;
/// Events a scan's page shows (the latest); the live stream adds the ones after.
pub const EVENTS_SHOWN: usize = 200;
/// The actions a page offers, in button order.
pub const ACTIONS: [ScanAction; 4] = [
    ScanAction::Pause,
    ScanAction::Resume,
    ScanAction::Stop,
    ScanAction::Cancel,
];

/// The counters shown, with their labels (the same names the live stream sends).
pub fn counters(d: &ExecutionDetails) -> [(&'static str, &'static str, i64); 8] {
    [
        ("links_crawled", "Links crawled", d.links_crawled),
        ("links_in_queue", "Links queued", d.links_in_queue),
        ("attacked", "Attacked", d.attacked),
        ("attacks_in_queue", "Attacks queued", d.attacks_in_queue),
        ("vulnerable", "Vulnerable", d.vulnerable),
        ("requests", "Requests", d.requests),
        ("failed_requests", "Failed requests", d.failed_requests),
        ("logged_in", "Logged in", i64::from(d.logged_in)),
    ]
}

/// The actions the caller may send now (none without the Manage Scans permission).
pub fn allowed_actions(caller_can: bool, status: ScanStatus) -> Vec<ScanAction> {
    if !caller_can {
        return Vec::new();
    }
    ACTIONS
        .into_iter()
        .filter(|a| status.on_action(*a).is_ok())
        .collect()
}

fn action_label(a: ScanAction) -> &'static str {
    match a {
        ScanAction::Pause => "Pause",
        ScanAction::Resume => "Resume",
        ScanAction::Stop => "Stop",
        ScanAction::Cancel => "Cancel",
        ScanAction::Authenticate => "Authenticate",
    }
}

/// What the status line says (the failure reason with it).
pub fn status_text(s: &Scan) -> String {
    match s.failure_reason {
        Some(r) => format!("{} ({})", s.status.as_str(), r.as_str()),
        None => s.status.as_str().to_string(),
    }
}

async fn app_names(s: &Service, p: &Principal) -> BTreeMap<AppId, String> {
    match s.list_apps(p, &ListRequest::first(500)).await {
        Ok(page) => page.items.into_iter().map(|a| (a.id, a.name)).collect(),
        Err(_) => BTreeMap::new(),
    }
}

async fn config_names(s: &Service, p: &Principal) -> BTreeMap<ScanConfigId, (String, AppId)> {
    match s.list_scan_configs(p, &ListRequest::first(500)).await {
        Ok(page) => page
            .items
            .into_iter()
            .map(|c| (c.config.id, (c.config.name, c.config.app)))
            .collect(),
        Err(_) => BTreeMap::new(),
    }
}

/// Scans matching `q` (search language), newest first.
pub async fn search_scans(
    s: &Service,
    p: &Principal,
    q: Option<&str>,
    index: u64,
    size: u64,
) -> ServiceResult<rampart_store::Page<Scan>> {
    let sort = rampart_query::parse_sort(ResourceType::Scan, "scan.submit_time,DESC")
        .map_err(|e| ServiceError::Internal(e.message))?;
    let req = ListRequest {
        index,
        size,
        sort,
        filter: None,
    };
    match q {
        None => s.list_scans(p, &req).await,
        Some(q) => match s.search(p, ResourceType::Scan, q, req).await? {
            SearchResults::Scans(page) => Ok(page),
            _ => Err(ServiceError::Internal(
                "a scan search returned another type".into(),
            )),
        },
    }
}

fn list_link(params: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let q = s.finish();
    if q.is_empty() {
        "/console/scans".into()
    } else {
        format!("/console/scans?{q}")
    }
}

pub async fn list(
    State(s): State<Console>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let p = &caller.0.principal;
    // Filter values are checked against the enum and the id type: nothing else reaches
    // the query.
    let status = params.get("status").and_then(|v| ScanStatus::parse(v));
    let app = params.get("app").and_then(|v| v.parse::<uuid::Uuid>().ok());
    let mut parts = Vec::new();
    if let Some(st) = status {
        parts.push(format!("scan.status = '{}'", st.as_str()));
    }
    if let Some(a) = app {
        parts.push(format!("scan.app.id = '{a}'"));
    }
    let q = (!parts.is_empty()).then(|| parts.join(" && "));
    let index: u64 = params.get("page").and_then(|v| v.parse().ok()).unwrap_or(0);
    let page = match search_scans(&s.service, p, q.as_deref(), index, PAGE_SIZE).await {
        Ok(page) => page,
        Err(e) => return service_error(e),
    };
    let apps = app_names(&s.service, p).await;
    let configs = config_names(&s.service, p).await;
    let can_launch = caller.can(Resource::Scans, Action::Manage);
    let status_v = status.map(|s| s.as_str()).unwrap_or("");
    let app_v = app.map(|a| a.to_string()).unwrap_or_default();
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let body = html! {
        @if can_launch {
            section.card aria-labelledby="launch" {
                h2 id="launch" { "Launch a scan" }
                @if configs.is_empty() {
                    p { "No scan config yet: a scan runs a scan config." }
                } @else {
                    form method="post" action="/console/scans" {
                        (csrf(&caller))
                        div.row {
                            label for="scan_config" { "Scan config" }
                            select id="scan_config" name="scan_config" required {
                                @for (id, (name, app)) in &configs {
                                    option value=(id) { (name) " · " (apps.get(app).map(String::as_str).unwrap_or("")) }
                                }
                            }
                            button type="submit" { "Launch" }
                        }
                    }
                }
            }
        }
        form.filters method="get" action="/console/scans" {
            div.row {
                label for="f-app" { "App" }
                select id="f-app" name="app" {
                    option value="" { "(all)" }
                    @for (id, name) in &apps {
                        option value=(id) selected[app_v == id.to_string()] { (name) }
                    }
                }
                label for="f-status" { "Status" }
                select id="f-status" name="status" {
                    option value="" { "(all)" }
                    @for st in ScanStatus::ALL {
                        option value=(st.as_str()) selected[status_v == st.as_str()] { (st.as_str()) }
                    }
                }
                button type="submit" { "Filter" }
            }
        }
        p.muted { (page.total) " scan" @if page.total != 1 { "s" } }
        div.table-wrap {
            table.scans {
                caption.sr { "Scans, newest first" }
                thead {
                    tr {
                        th scope="col" { "Scan" }
                        th scope="col" { "App" }
                        th scope="col" { "Scan config" }
                        th scope="col" { "Status" }
                        th scope="col" { "Submitted" }
                        th scope="col" { "Completed" }
                    }
                }
                tbody {
                    @for scan in &page.items {
                        tr {
                            td { a href={"/console/scans/" (scan.id)} { code { (short(&scan.id.to_string())) } } }
                            td { (apps.get(&scan.app).map(String::as_str).unwrap_or("")) }
                            td { (configs.get(&scan.scan_config).map(|c| c.0.as_str()).unwrap_or("")) }
                            td { span.status { (status_text(scan)) } }
                            td { (when(scan.submit_time)) }
                            td { (scan.completion_time.map(when).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
        (layout::pager(index, pages, |i| list_link(&[("app", &app_v), ("status", status_v), ("page", &i.to_string())])))
    };
    layout::page("Scans", &caller, "scans", body).into_response()
}

/// `POST /console/scans`: submits a scan of the chosen config, then shows it.
pub async fn launch(State(s): State<Console>, caller: Caller, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let input = rampart_service::ScanInput {
        scan_config: f.text("scan_config").parse().ok(),
        ..Default::default()
    };
    match s.service.submit_scan(&caller.0.principal, input).await {
        Ok(id) => redirect(&format!("/console/scans/{id}")),
        Err(e) => service_error(e),
    }
}

/// `POST /console/scans/{id}/action`: pause, resume, stop or cancel, as the API's
/// `PUT /scans/{id}/action` does.
pub async fn action(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    match s
        .service
        .send_scan_action(&caller.0.principal, id, f.text("action"))
        .await
    {
        Ok(_) => redirect(&format!("/console/scans/{id}")),
        Err(e) => service_error(e),
    }
}

/// One logged event as a list item (the live script builds the same markup).
pub fn event_item(e: &LoggedEvent) -> Markup {
    let kind = match e.kind {
        EventKind::Engine => "engine",
        EventKind::Platform => "platform",
    };
    html! {
        li data-seq=(e.seq) {
            time datetime=(e.event.time.to_rfc3339()) { (e.event.time.format("%H:%M:%S")) }
            " " span class={"kind kind-" (kind)} { (kind) } " " (e.event.event)
        }
    }
}

/// The latest events of the scan (at most [`EVENTS_SHOWN`]) and the number of the last.
async fn latest_events(
    s: &Service,
    p: &Principal,
    id: ScanId,
) -> ServiceResult<(Vec<LoggedEvent>, i64)> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let batch = s.scan_events_after(p, id, after, 1000).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        let n = batch.len();
        all.extend(batch);
        if all.len() > EVENTS_SHOWN {
            all.drain(..all.len() - EVENTS_SHOWN);
        }
        if n < 1000 {
            break;
        }
    }
    Ok((all, after))
}

pub async fn page(State(s): State<Console>, caller: Caller, Path(id): Path<ScanId>) -> Response {
    let p = &caller.0.principal;
    let scan = match s.service.get_scan(p, id).await {
        Ok(x) => x,
        Err(e) => return service_error(e),
    };
    let details = match s.service.scan_execution_details(p, id).await {
        Ok(d) => d,
        Err(e) => return service_error(e),
    };
    let (events, last_seq) = match latest_events(&s.service, p, id).await {
        Ok(x) => x,
        Err(e) => return service_error(e),
    };
    let app = s.service.get_app(p, scan.app).await.ok();
    let config = s.service.get_scan_config(p, scan.scan_config).await.ok();
    // Other scans of the same config, to compare with.
    let others = search_scans(
        &s.service,
        p,
        Some(&format!("scan.scan_config.id = '{}'", scan.scan_config)),
        0,
        20,
    )
    .await
    .map(|page| page.items)
    .unwrap_or_default();
    let can_manage = caller.can(Resource::Scans, Action::Manage);
    let allowed = allowed_actions(can_manage, scan.status);
    let reports = reports::section(&s, &caller, &scan).await;
    let title = format!("Scan {}", short(&scan.id.to_string()));
    let body = html! {
        div.live data-live=(format!("/console/scans/{}/live?after={last_seq}", scan.id)) data-state=(if scan.status.is_terminal() { "done" } else { "live" }) {
            dl.facts {
                dt { "Status" }
                dd { span.status id="scan-status" role="status" { (status_text(&scan)) } }
                dt { "App" }
                dd { (app.as_ref().map(|a| a.name.as_str()).unwrap_or("")) }
                dt { "Scan config" }
                dd { (config.as_ref().map(|c| c.config.name.as_str()).unwrap_or("")) }
                dt { "Submitted" }
                dd { (when(scan.submit_time)) }
                dt { "Completed" }
                dd id="scan-completed" { (scan.completion_time.map(when).unwrap_or_else(|| "—".into())) }
                dt { "Vulnerabilities" }
                dd { a href={"/console/vulnerabilities?q=" (url_q(&format!("vulnerability.scans.id = '{}'", scan.id)))} { "This scan's vulnerabilities" } }
            }
            @if can_manage {
                div.actions id="scan-actions" {
                    @for a in ACTIONS {
                        form method="post" action={"/console/scans/" (scan.id) "/action"} hidden[!allowed.contains(&a)] data-action=(a.as_str()) {
                            (csrf(&caller))
                            input type="hidden" name="action" value=(a.as_str());
                            button type="submit" { (action_label(a)) }
                        }
                    }
                }
            }
            section aria-labelledby="counters-h" {
                h2 id="counters-h" { "Progress" }
                table.counters {
                    caption.sr { "The engine's latest counters" }
                    tbody {
                        @for (key, label, v) in counters(&details) {
                            tr {
                                th scope="row" { (label) }
                                td.num data-counter=(key) {
                                    @if key == "logged_in" { (if v == 1 { "yes" } else { "no" }) } @else { (v) }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="events-h" {
                h2 id="events-h" { "Events" }
                @if events.is_empty() { p.muted id="no-events" { "No event yet." } }
                ol.events id="events" {
                    @for e in &events { (event_item(e)) }
                }
            }
        }
        @if others.len() > 1 {
            section aria-labelledby="compare-h" {
                h2 id="compare-h" { "Compare" }
                form method="get" action="/console/compare" {
                    input type="hidden" name="a" value=(scan.id);
                    div.row {
                        label for="compare-b" { "With scan" }
                        select id="compare-b" name="b" {
                            @for o in others.iter().filter(|o| o.id != scan.id) {
                                option value=(o.id) { (short(&o.id.to_string())) " · " (when(o.submit_time)) " · " (o.status.as_str()) }
                            }
                        }
                        button type="submit" { "Compare" }
                    }
                }
            }
        }
        (reports)
    };
    layout::page(&title, &caller, "scans", body).into_response()
}

/// A value for a URL query.
pub fn url_q(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}
