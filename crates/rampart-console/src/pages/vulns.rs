//! Vulnerability triage: the list (search language, facets, sort, paging), bulk changes,
//! one vulnerability's page (status and severity, history, comments, the proof viewer).

use crate::error::{redirect, service_error};
use crate::form::Fields;
use crate::layout::{self, csrf};
use crate::pages::dashboard::{short, when};
use crate::pages::proof;
use crate::session::Caller;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_service::{SearchResults, ServiceError};
use rampart_store::{ListRequest, Page};
use std::collections::{BTreeMap, HashMap};

/// "Open": not yet triaged away.
pub const OPEN: &str = "vulnerability.status = 'UNREVIEWED' || vulnerability.status = 'VERIFIED'";
/// Rows per page.
const PAGE_SIZE: u64 = 50;
/// The sorts offered: parameter → (label, sort of the search language).
const SORTS: &[(&str, &str, &str)] = &[
    (
        "severity",
        "Severity, highest first",
        "vulnerability.severity,DESC,vulnerability.id,ASC",
    ),
    (
        "last",
        "Last seen, newest first",
        "vulnerability.last_discovered,DESC,vulnerability.id,ASC",
    ),
    (
        "first",
        "First seen, oldest first",
        "vulnerability.first_discovered,ASC,vulnerability.id,ASC",
    ),
    (
        "url",
        "URL",
        "vulnerability.root_cause.url,ASC,vulnerability.id,ASC",
    ),
];
/// The filter parameters that make up the query (in the order they are combined).
const FILTERS: &[&str] = &["q", "open", "severity", "status", "app", "sort"];

/// A link to the list with these parameters.
pub fn list_link(params: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let q = s.finish();
    if q.is_empty() {
        "/console/vulnerabilities".into()
    } else {
        format!("/console/vulnerabilities?{q}")
    }
}

/// The list's parameters, with `changes` applied (`""` removes one) and paging reset.
fn with(params: &HashMap<String, String>, changes: &[(&str, &str)]) -> String {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for k in FILTERS {
        let v = changes
            .iter()
            .find(|(c, _)| c == k)
            .map(|(_, v)| *v)
            .or_else(|| params.get(*k).map(String::as_str))
            .unwrap_or("");
        out.push((k, v));
    }
    if let Some((_, p)) = changes.iter().find(|(c, _)| *c == "page") {
        out.push(("page", p));
    }
    list_link(&out)
}

/// The search-language query the parameters make (`None`: no filter at all).
fn query_of(params: &HashMap<String, String>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(q) = params.get("q").filter(|q| !q.trim().is_empty()) {
        parts.push(format!("({q})"));
    }
    if params.get("open").is_some_and(|v| v == "1") {
        parts.push(format!("({OPEN})"));
    }
    // Facet values are checked against the enums: nothing else reaches the query.
    if let Some(sev) = params.get("severity").and_then(|s| Severity::parse(s)) {
        parts.push(format!("vulnerability.severity = '{}'", sev.as_str()));
    }
    if let Some(st) = params.get("status").and_then(|s| VulnStatus::parse(s)) {
        parts.push(format!("vulnerability.status = '{}'", st.as_str()));
    }
    if let Some(app) = params.get("app").and_then(|s| s.parse::<uuid::Uuid>().ok()) {
        parts.push(format!("vulnerability.app.id = '{app}'"));
    }
    (!parts.is_empty()).then(|| parts.join(" && "))
}

async fn app_names(s: &Console, p: &Principal) -> BTreeMap<AppId, String> {
    match s.service.list_apps(p, &ListRequest::first(500)).await {
        Ok(page) => page.items.into_iter().map(|a| (a.id, a.name)).collect(),
        Err(_) => BTreeMap::new(),
    }
}

pub async fn list(
    State(s): State<Console>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let p = &caller.0.principal;
    let sort_key = params.get("sort").map(String::as_str).unwrap_or("severity");
    let sort = SORTS
        .iter()
        .find(|(k, _, _)| *k == sort_key)
        .map(|(_, _, s)| *s)
        .unwrap_or(SORTS[0].2);
    let sort = rampart_query::parse_sort(ResourceType::Vulnerability, sort).unwrap_or_default();
    let index: u64 = params.get("page").and_then(|v| v.parse().ok()).unwrap_or(0);
    let req = ListRequest {
        index,
        size: PAGE_SIZE,
        sort,
        filter: None,
    };
    let result: Result<Page<Vulnerability>, ServiceError> = match query_of(&params) {
        None => s.service.list_vulnerabilities(p, &req).await,
        Some(q) => match s
            .service
            .search(p, ResourceType::Vulnerability, &q, req)
            .await
        {
            Ok(SearchResults::Vulnerabilities(page)) => Ok(page),
            Ok(_) => Err(ServiceError::Internal(
                "a vulnerability search returned another type".into(),
            )),
            Err(e) => Err(e),
        },
    };
    let (page, problem) = match result {
        Ok(page) => (page, None),
        Err(ServiceError::Validation { message, problems }) => {
            let text = problems
                .iter()
                .map(|p| format!("{}: {}", p.context, p.explanation))
                .collect::<Vec<_>>()
                .join("; ");
            (
                Page {
                    items: Vec::new(),
                    total: 0,
                },
                Some(format!("{message}: {text}")),
            )
        }
        Err(e) => return service_error(e),
    };
    let apps = app_names(&s, p).await;
    let can_manage = caller.can(Resource::Vulnerabilities, Action::Manage);
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let here = with(&params, &[("page", &index.to_string())]);
    let fields: Vec<&str> = rampart_query::catalogue::fields(ResourceType::Vulnerability)
        .iter()
        .map(|f| f.name)
        .collect();
    let param = |k: &str| params.get(k).cloned().unwrap_or_default();
    let body = html! {
        form.search method="get" action="/console/vulnerabilities" role="search" {
            label for="q" { "Search " span.muted { "(search language, e.g. " code { "vulnerability.root_cause.url CONTAINS 'login'" } ")" } }
            div.row {
                input id="q" type="search" name="q" value=(param("q")) list="fields" autocomplete="off" spellcheck="false" aria-describedby=[problem.as_ref().map(|_| "q-error")];
                datalist id="fields" { @for f in &fields { option value=(f) {} } }
                @for k in ["open", "severity", "status", "app"] {
                    @if let Some(v) = params.get(k) { input type="hidden" name=(k) value=(v); }
                }
                label for="sort" class="sr" { "Sort" }
                select id="sort" name="sort" {
                    @for (k, label, _) in SORTS {
                        option value=(k) selected[*k == sort_key] { (label) }
                    }
                }
                button type="submit" { "Apply" }
            }
            @if let Some(msg) = &problem { p.notice role="alert" id="q-error" { (msg) } }
        }
        nav.facets aria-label="Filters" {
            div {
                span.facet-label { "Severity" }
                @for sev in Severity::ALL.iter().rev() {
                    @let on = params.get("severity").is_some_and(|v| v == sev.as_str());
                    a class={"facet sev-" (sev.as_str().to_lowercase())} href=(with(&params, &[("severity", if on { "" } else { sev.as_str() })])) aria-current=[on.then_some("true")] { (sev.as_str()) }
                }
            }
            div {
                span.facet-label { "Status" }
                @let open_on = params.get("open").is_some_and(|v| v == "1");
                a.facet href=(with(&params, &[("open", if open_on { "" } else { "1" })])) aria-current=[open_on.then_some("true")] { "open" }
                @for st in VulnStatus::ALL {
                    @let on = params.get("status").is_some_and(|v| v == st.as_str());
                    a.facet href=(with(&params, &[("status", if on { "" } else { st.as_str() })])) aria-current=[on.then_some("true")] { (st.as_str()) }
                }
                a.facet href="/console/vulnerabilities" { "clear all" }
            }
        }
        p.muted aria-live="polite" { (page.total) " vulnerabilities · page " (index + 1) " of " (pages) }
        form method="post" action="/console/vulnerabilities/bulk" id="bulk" {
            @if can_manage {
                (csrf(&caller))
                input type="hidden" name="back" value=(here);
                fieldset.bulk {
                    legend { "Change the selected" }
                    label for="bulk-status" { "Status" }
                    select id="bulk-status" name="status" { option value="" { "(keep)" } @for st in VulnStatus::ALL { option value=(st.as_str()) { (st.as_str()) } } }
                    label for="bulk-severity" { "Severity" }
                    select id="bulk-severity" name="severity" { option value="" { "(keep)" } @for sev in Severity::ALL.iter().rev() { option value=(sev.as_str()) { (sev.as_str()) } } }
                    button type="submit" { "Apply to selected" }
                }
            }
            div.table-wrap {
                table.vulns {
                    caption.sr { "Vulnerabilities" }
                    thead {
                        tr {
                            @if can_manage { th scope="col" { input type="checkbox" id="select-all" aria-label="Select all on this page" data-select-all="id"; } }
                            th scope="col" { "Severity" }
                            th scope="col" { "Status" }
                            th scope="col" { "Vulnerability" }
                            th scope="col" { "Where" }
                            th scope="col" { "App" }
                            th scope="col" { "Last seen" }
                        }
                    }
                    tbody {
                        @for v in &page.items {
                            @let name = s.service.module_of(v).map(|m| m.name).unwrap_or("Unknown check");
                            tr {
                                @if can_manage { td { input type="checkbox" name="id" value=(v.id) aria-label={"Select " (name) " " (short(&v.id.to_string()))}; } }
                                td { span class={"sev sev-" (v.severity.as_str().to_lowercase())} { (v.severity.as_str()) } }
                                td { (v.status.as_str()) }
                                td { a href={"/console/vulnerabilities/" (v.id)} { (name) } }
                                td.where { code { (v.root_cause.method) " " (v.root_cause.url) } @if let Some(param) = &v.root_cause.parameter { " · " code { (param) } } }
                                td { (apps.get(&v.app).map(String::as_str).unwrap_or("")) }
                                td { (when(v.last_discovered)) }
                            }
                        }
                    }
                }
            }
        }
        (layout::pager(index, pages, |i| with(&params, &[("page", &i.to_string())])))
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        layout::page("Vulnerabilities", &caller, "vulnerabilities", body),
    )
        .into_response()
}

/// A return address inside the console (never another site).
fn back_to(f: &Fields, default: &str) -> String {
    let b = f.text("back");
    if b.starts_with("/console") && !b.contains("//") && !b.contains('\\') {
        b.to_string()
    } else {
        default.to_string()
    }
}

pub async fn bulk(State(s): State<Console>, caller: Caller, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let severity = Severity::parse(f.text("severity"));
    let status = VulnStatus::parse(f.text("status"));
    for id in f.all("id") {
        let Ok(id) = id.parse::<VulnerabilityId>() else {
            continue;
        };
        if let Err(e) = s
            .service
            .update_vulnerability(&caller.0.principal, id, severity, status)
            .await
        {
            return service_error(e);
        }
    }
    redirect(&back_to(&f, "/console/vulnerabilities"))
}

pub async fn update(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<VulnerabilityId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let severity = Severity::parse(f.text("severity"));
    let status = VulnStatus::parse(f.text("status"));
    match s
        .service
        .update_vulnerability(&caller.0.principal, id, severity, status)
        .await
    {
        Ok(_) => redirect(&format!("/console/vulnerabilities/{id}")),
        Err(e) => service_error(e),
    }
}

pub async fn comment(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<VulnerabilityId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    match s
        .service
        .create_comment(&caller.0.principal, id, f.text("content").to_string())
        .await
    {
        Ok(_) => redirect(&format!("/console/vulnerabilities/{id}#comments")),
        Err(e) => service_error(e),
    }
}

fn owasp_link(category: &str) -> Option<String> {
    // `A03:2021-Injection` → https://owasp.org/Top10/A03_2021-Injection/
    (!category.is_empty())
        .then(|| format!("https://owasp.org/Top10/{}/", category.replace(':', "_")))
}

pub async fn page(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<VulnerabilityId>,
) -> Response {
    let p = &caller.0.principal;
    let v = match s.service.get_vulnerability(p, id).await {
        Ok(v) => v,
        Err(e) => return service_error(e),
    };
    let history = match s.service.vulnerability_history(p, id).await {
        Ok(h) => h,
        Err(e) => return service_error(e),
    };
    let comments = match s
        .service
        .list_comments(p, id, &ListRequest::first(200))
        .await
    {
        Ok(c) => c.items,
        Err(ServiceError::Forbidden(_)) => Vec::new(),
        Err(e) => return service_error(e),
    };
    let app = s
        .service
        .get_app(p, v.app)
        .await
        .map(|a| a.name)
        .unwrap_or_default();
    let module = s.service.module_of(&v);
    let title = module.map(|m| m.name).unwrap_or("Unknown check");
    let can_manage = caller.can(Resource::Vulnerabilities, Action::Manage);
    let can_comment = caller.can(Resource::VulnerabilityComments, Action::Manage);
    let body = html! {
        dl.facts {
            dt { "Severity" } dd { span class={"sev sev-" (v.severity.as_str().to_lowercase())} { (v.severity.as_str()) } }
            dt { "Status" } dd { (v.status.as_str()) }
            dt { "Where" } dd { code { (v.root_cause.method) " " (v.root_cause.url) } @if let Some(param) = &v.root_cause.parameter { " · parameter " code { (param) } } }
            dt { "App" } dd { (app) }
            dt { "First seen" } dd { (when(v.first_discovered)) }
            dt { "Last seen" } dd { (when(v.last_discovered)) }
            @if let Some(m) = module {
                dt { "Classification" }
                dd {
                    a href={"https://cwe.mitre.org/data/definitions/" (m.cwe) ".html"} rel="noopener noreferrer" { "CWE-" (m.cwe) }
                    @if let Some(link) = owasp_link(m.owasp_2021) { " · " a href=(link) rel="noopener noreferrer" { "OWASP " (m.owasp_2021) } }
                }
            }
            dt { "Id" } dd { code { (v.id) } }
        }
        @if can_manage {
            section aria-labelledby="triage" {
                h2 id="triage" { "Triage" }
                form.inline method="post" action={"/console/vulnerabilities/" (v.id)} {
                    (csrf(&caller))
                    label for="status" { "Status" }
                    select id="status" name="status" { @for st in VulnStatus::ALL { option value=(st.as_str()) selected[*st == v.status] { (st.as_str()) } } }
                    label for="severity" { "Severity" }
                    select id="severity" name="severity" { @for sev in Severity::ALL.iter().rev() { option value=(sev.as_str()) selected[*sev == v.severity] { (sev.as_str()) } } }
                    button type="submit" { "Save" }
                }
            }
        }
        @if let Some(m) = module {
            section aria-labelledby="about" {
                h2 id="about" { "About" }
                p { (m.description) }
                h3 { "Recommendation" }
                p { (m.recommendation) }
                @if !m.references.is_empty() {
                    h3 { "References" }
                    ul { @for (t, u) in m.references { li { a href=(u) rel="noopener noreferrer" { (t) } } } }
                }
            }
        }
        section aria-labelledby="proof" {
            h2 id="proof" { "Proof" }
            @if v.variances.is_empty() { p { "No variance recorded." } }
            @for (n, var) in v.variances.iter().take(10).enumerate() {
                (proof::variance(n, var))
            }
        }
        section aria-labelledby="history" {
            h2 id="history" { "History" }
            @if history.is_empty() { p { "No change yet." } }
            ol.history {
                @for h in &history {
                    li {
                        time datetime=(h.create_time.to_rfc3339()) { (when(h.create_time)) }
                        " · "
                        @for c in &h.changes {
                            (c.field.as_str()) " " (c.previous.clone().unwrap_or_default()) " → " (c.new.clone().unwrap_or_default()) " "
                        }
                    }
                }
            }
        }
        section aria-labelledby="comments" id="comments-section" {
            h2 id="comments" { "Comments" }
            @if comments.is_empty() { p { "No comment yet." } }
            @for c in &comments {
                article.comment {
                    p.muted { time datetime=(c.create_time.to_rfc3339()) { (when(c.create_time)) } }
                    p.pre { (c.content) }
                }
            }
            @if can_comment {
                form method="post" action={"/console/vulnerabilities/" (v.id) "/comments"} {
                    (csrf(&caller))
                    label for="content" { "Add a comment" }
                    textarea id="content" name="content" rows="4" maxlength="5000" required {}
                    button type="submit" { "Comment" }
                }
            }
        }
    };
    layout::page(title, &caller, "vulnerabilities", body).into_response()
}
