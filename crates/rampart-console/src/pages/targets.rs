//! Targets: the domains scans may reach (the list, adding one, editing one).

use crate::edit::{refused, saved, text_field, Inline};
use crate::error::{redirect, service_error};
use crate::form::Fields;
use crate::layout::{self, csrf};
use crate::session::Caller;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_domain::*;
use rampart_service::TargetInput;
use rampart_store::ListRequest;
use std::collections::HashMap;

/// Rows per page of the list.
const PAGE_SIZE: u64 = 100;

fn input_of(f: &Fields) -> TargetInput {
    TargetInput {
        domain: f.text("domain").trim().to_string(),
        enabled: f.get("enabled").is_some(),
        archived: f.get("archived").is_some(),
    }
}

fn target_form(
    caller: &Caller,
    id: Option<TargetId>,
    input: &TargetInput,
    inline: Option<&Inline>,
) -> Markup {
    let action = match id {
        Some(id) => format!("/console/targets/{id}"),
        None => "/console/targets".into(),
    };
    html! {
        form.edit method="post" action=(action) novalidate {
            (csrf(caller))
            @if let Some(i) = inline { (i.summary(&["domain"])) }
            (text_field("domain", "Domain", &input.domain, inline, "domain", true))
            p.hint { "A host name, optionally with :port (shop.example.test, shop.example.test:8443); its subdomains are included." }
            div.check {
                input id="enabled" name="enabled" type="checkbox" value="1" checked[input.enabled];
                label for="enabled" { "Enabled (scans may reach it)" }
            }
            @if id.is_some() {
                div.check {
                    input id="archived" name="archived" type="checkbox" value="1" checked[input.archived];
                    label for="archived" { "Archived" }
                }
            }
            button type="submit" { @if id.is_some() { "Save" } @else { "Add target" } }
        }
    }
}

async fn list_page(
    s: &Console,
    caller: &Caller,
    index: u64,
    refused_input: Option<(&TargetInput, &Inline)>,
) -> Result<Markup, Response> {
    let p = &caller.0.principal;
    let req = ListRequest {
        index,
        ..ListRequest::first(PAGE_SIZE)
    };
    let page = s
        .service
        .list_targets(p, &req)
        .await
        .map_err(service_error)?;
    let can_manage = caller.can(Resource::Targets, Action::Manage);
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let fresh = TargetInput {
        domain: String::new(),
        enabled: true,
        archived: false,
    };
    let (input, inline) = match refused_input {
        Some((i, e)) => (i, Some(e)),
        None => (&fresh, None),
    };
    let body = html! {
        p { "Scans only send requests to the domains of enabled targets (and their subdomains), whatever a scan config's seeds and scope say." }
        @if can_manage {
            section.card aria-labelledby="new-target" {
                h2 id="new-target" { "New target" }
                (target_form(caller, None, input, inline))
            }
        }
        p.muted { (page.total) " target" @if page.total != 1 { "s" } }
        div.table-wrap {
            table.targets {
                caption.sr { "Targets" }
                thead { tr { th scope="col" { "Domain" } th scope="col" { "Enabled" } th scope="col" { "Scanned" } th scope="col" { "Archived" } } }
                tbody {
                    @for t in &page.items {
                        tr {
                            td { a href={"/console/targets/" (t.id)} { (t.domain) } }
                            td { (if t.enabled { "yes" } else { "no" }) }
                            td { (if t.scanned { "yes" } else { "no" }) }
                            td { (if t.archived { "yes" } else { "no" }) }
                        }
                    }
                }
            }
        }
        (layout::pager(index, pages, |i| format!("/console/targets?page={i}")))
    };
    Ok(layout::page("Targets", caller, "targets", body))
}

pub async fn list(
    State(s): State<Console>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let index: u64 = params.get("page").and_then(|v| v.parse().ok()).unwrap_or(0);
    match list_page(&s, &caller, index, None).await {
        Ok(m) => m.into_response(),
        Err(r) => r,
    }
}

/// `POST /console/targets`: adds a target, as `POST /targets` does.
pub async fn create(State(s): State<Console>, caller: Caller, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let input = input_of(&f);
    match s
        .service
        .create_target(&caller.0.principal, input.clone())
        .await
    {
        Ok(id) => redirect(&format!("/console/targets/{id}?saved=1")),
        Err(e) => match Inline::from(e) {
            Ok(inline) => match list_page(&s, &caller, 0, Some((&input, &inline))).await {
                Ok(m) => refused(m),
                Err(r) => r,
            },
            Err(e) => service_error(e),
        },
    }
}

fn target_page(
    caller: &Caller,
    t: &Target,
    shown: &TargetInput,
    inline: Option<&Inline>,
    saved_now: bool,
) -> Markup {
    let body = html! {
        (saved(saved_now, "Saved."))
        @if caller.can(Resource::Targets, Action::Manage) {
            (target_form(caller, Some(t.id), shown, inline))
        } @else {
            dl.facts {
                dt { "Enabled" } dd { (if t.enabled { "yes" } else { "no" }) }
                dt { "Archived" } dd { (if t.archived { "yes" } else { "no" }) }
            }
        }
        p { a href="/console/targets" { "All targets" } }
    };
    layout::page(&format!("Target {}", t.domain), caller, "targets", body)
}

pub async fn page(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<TargetId>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let t = match s.service.get_target(&caller.0.principal, id).await {
        Ok(t) => t,
        Err(e) => return service_error(e),
    };
    let shown = TargetInput {
        domain: t.domain.clone(),
        enabled: t.enabled,
        archived: t.archived,
    };
    let saved_now = params.get("saved").is_some_and(|v| v == "1");
    target_page(&caller, &t, &shown, None, saved_now).into_response()
}

/// `POST /console/targets/{id}`: saves the target, as `PUT /targets/{id}` does.
pub async fn update(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<TargetId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let input = input_of(&f);
    let p = &caller.0.principal;
    match s.service.update_target(p, id, input.clone()).await {
        Ok(()) => redirect(&format!("/console/targets/{id}?saved=1")),
        Err(e) => {
            let inline = match Inline::from(e) {
                Ok(i) => i,
                Err(e) => return service_error(e),
            };
            match s.service.get_target(p, id).await {
                Ok(t) => refused(target_page(&caller, &t, &input, Some(&inline), false)),
                Err(e) => service_error(e),
            }
        }
    }
}
