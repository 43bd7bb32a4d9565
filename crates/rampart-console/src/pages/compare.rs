//! Two scans of one scan config compared: the vulnerabilities the later scan found new,
//! those it no longer found (fixed) and those both found (`Service::compare_scans`).

use crate::error::{error_page, service_error};
use crate::layout;
use crate::pages::dashboard::{short, when};
use crate::session::Caller;
use crate::Console;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_domain::*;
use std::collections::HashMap;

/// Rows listed per group (the counts are always whole).
const SHOWN: usize = 100;

async fn rows(s: &Console, p: &Principal, ids: &[VulnerabilityId]) -> Vec<Vulnerability> {
    let mut out = Vec::new();
    for id in ids.iter().take(SHOWN) {
        if let Ok(v) = s.service.get_vulnerability(p, *id).await {
            out.push(v);
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    out
}

fn group(s: &Console, key: &str, title: &str, total: usize, vulns: &[Vulnerability]) -> Markup {
    html! {
        section aria-labelledby={(key) "-h"} {
            h2 id={(key) "-h"} { (title) " " span.count data-count=(key) { "(" (total) ")" } }
            @if vulns.is_empty() {
                p.muted { "None." }
            } @else {
                div.table-wrap {
                    table class={"compare compare-" (key)} {
                        caption.sr { (title) }
                        thead { tr { th scope="col" { "Severity" } th scope="col" { "Vulnerability" } th scope="col" { "Where" } th scope="col" { "Status" } } }
                        tbody {
                            @for v in vulns {
                                tr {
                                    td { span class={"sev sev-" (v.severity.as_str().to_lowercase())} { (v.severity.as_str()) } }
                                    td { a href={"/console/vulnerabilities/" (v.id)} { (s.service.module_of(v).map(|m| m.name).unwrap_or("Unknown check")) } }
                                    td.where { code { (v.root_cause.method) " " (v.root_cause.url) } @if let Some(param) = &v.root_cause.parameter { " · " code { (param) } } }
                                    td { (v.status.as_str()) }
                                }
                            }
                        }
                    }
                }
                @if total > vulns.len() { p.muted { "The first " (vulns.len()) " of " (total) "." } }
            }
        }
    }
}

fn scan_ref(scan: &Scan) -> Markup {
    html! {
        a href={"/console/scans/" (scan.id)} { code { (short(&scan.id.to_string())) } }
        " · " (when(scan.submit_time)) " · " (scan.status.as_str())
    }
}

pub async fn page(
    State(s): State<Console>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let p = &caller.0.principal;
    let (Some(a), Some(b)) = (
        q.get("a").and_then(|v| v.parse::<ScanId>().ok()),
        q.get("b").and_then(|v| v.parse::<ScanId>().ok()),
    ) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Compare scans",
            "Choose two scans of one scan config: open a scan and use its Compare form.",
        );
    };
    let c = match s.service.compare_scans(p, a, b).await {
        Ok(c) => c,
        Err(e) => return service_error(e),
    };
    let new = rows(&s, p, &c.diff.new).await;
    let fixed = rows(&s, p, &c.diff.fixed).await;
    let same = rows(&s, p, &c.diff.unchanged).await;
    let body = html! {
        dl.facts {
            dt { "Earlier" } dd { (scan_ref(&c.earlier)) }
            dt { "Later" } dd { (scan_ref(&c.later)) }
        }
        table.summary {
            caption.sr { "How many vulnerabilities changed" }
            thead { tr { th scope="col" class="num" { "New" } th scope="col" class="num" { "Fixed" } th scope="col" class="num" { "Unchanged" } } }
            tbody { tr {
                td.num { (c.diff.new.len()) }
                td.num { (c.diff.fixed.len()) }
                td.num { (c.diff.unchanged.len()) }
            } }
        }
        (group(&s, "new", "New in the later scan", c.diff.new.len(), &new))
        (group(&s, "fixed", "Fixed (not found again)", c.diff.fixed.len(), &fixed))
        (group(&s, "unchanged", "Found by both", c.diff.unchanged.len(), &same))
    };
    layout::page("Compare scans", &caller, "scans", body).into_response()
}
