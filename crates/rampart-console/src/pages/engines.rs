//! Engines and engine groups with their health: status (the service's online rule) and
//! how long ago each engine last called in.

use crate::error::service_error;
use crate::layout;
use crate::pages::dashboard::when;
use crate::session::Caller;
use crate::Console;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;
use rampart_domain::*;
use rampart_store::ListRequest;
use std::collections::BTreeMap;

/// `12 s`, `4 min`, `3 h`, `2 d`: how long ago.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86400),
    }
}

pub async fn page(State(s): State<Console>, caller: Caller) -> Response {
    let p = &caller.0.principal;
    let engines = match s.service.list_engines(p, &ListRequest::first(500)).await {
        Ok(pg) => pg.items,
        Err(e) => return service_error(e),
    };
    let groups = if p.can(Resource::EngineGroups, Action::Read) {
        match s
            .service
            .list_engine_groups(p, &ListRequest::first(500))
            .await
        {
            Ok(pg) => pg.items,
            Err(e) => return service_error(e),
        }
    } else {
        Vec::new()
    };
    let now = s.service.clock().now();
    // Per group (None: the Default group): engines, online.
    let mut health: BTreeMap<Option<EngineGroupId>, (usize, usize)> = BTreeMap::new();
    for e in &engines {
        let h = health.entry(e.engine.group).or_default();
        h.0 += 1;
        if !matches!(e.status, EngineStatus::Offline) {
            h.1 += 1;
        }
    }
    let group_name = |g: Option<EngineGroupId>| -> String {
        match g {
            None => "Default".into(),
            Some(id) => groups
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| id.to_string()),
        }
    };
    let body = html! {
        p { "Scans assigned to an engine group run on its remote engines (" code { "rampart engine" } "); the others run on the server's embedded engine." }
        section aria-labelledby="groups-h" {
            h2 id="groups-h" { "Engine groups" }
            div.table-wrap {
                table.groups {
                    caption.sr { "Engine groups and how many of their engines are online" }
                    thead { tr { th scope="col" { "Group" } th scope="col" { "Description" } th scope="col" { "Engines" } th scope="col" { "Online" } } }
                    tbody {
                        @let (n, on) = health.get(&None).copied().unwrap_or_default();
                        tr { th scope="row" { "Default" } td.muted { "Engines registered without a group" } td.num { (n) } td.num { (on) } }
                        @for g in &groups {
                            @let (n, on) = health.get(&Some(g.id)).copied().unwrap_or_default();
                            tr data-group=(g.id) {
                                th scope="row" { (g.name) }
                                td { (g.description.as_deref().unwrap_or("")) }
                                td.num { (n) }
                                td.num { span class=(if n > 0 && on == 0 { "health health-offline" } else { "" }) { (on) } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="engines-h" {
            h2 id="engines-h" { "Engines" }
            @if engines.is_empty() {
                p { "No remote engine registered; scans run on the server's embedded engine." }
            } @else {
                div.table-wrap {
                    table.engines {
                        caption.sr { "Remote engines and their health" }
                        thead { tr {
                            th scope="col" { "Engine" } th scope="col" { "Group" } th scope="col" { "Health" }
                            th scope="col" { "Last heartbeat" } th scope="col" { "Version" } th scope="col" { "Running scans" }
                        } }
                        tbody {
                            @for e in &engines {
                                tr data-engine=(e.engine.id) {
                                    th scope="row" { (e.engine.name) }
                                    td { (group_name(e.engine.group)) }
                                    td { span class={"health health-" (e.status.as_str().to_lowercase())} { (e.status.as_str()) } }
                                    td {
                                        @match e.engine.last_heartbeat {
                                            Some(t) => { time datetime=(t.to_rfc3339()) title=(when(t)) { (age((now - t).num_seconds())) " ago" } }
                                            None => { "never" }
                                        }
                                    }
                                    td { (e.engine.version.as_deref().unwrap_or("—")) @if e.upgradeable { " " span.badge { "upgrade available" } } }
                                    td.num { (e.engine.active_scans) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page("Engines", &caller, "engines", body).into_response()
}
