//! Apps: the list, creating one, and one app's page (edit its name and description, its
//! scan configs).

use crate::edit::{refused, saved, text_area, text_field, Inline};
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
use rampart_service::AppInput;
use rampart_store::ListRequest;
use std::collections::HashMap;

/// Rows per page of the list.
const PAGE_SIZE: u64 = 50;

fn input_of(f: &Fields) -> AppInput {
    let description = f.text("description").trim();
    AppInput {
        name: f.text("name").trim().to_string(),
        description: (!description.is_empty()).then(|| description.to_string()),
    }
}

/// The app form (create when `id` is `None`).
fn app_form(
    caller: &Caller,
    id: Option<AppId>,
    input: &AppInput,
    inline: Option<&Inline>,
) -> Markup {
    let action = match id {
        Some(id) => format!("/console/apps/{id}"),
        None => "/console/apps".into(),
    };
    html! {
        form.edit method="post" action=(action) novalidate {
            (csrf(caller))
            @if let Some(i) = inline { (i.summary(&["name", "description"])) }
            (text_field("name", "Name", &input.name, inline, "name", true))
            (text_area("description", "Description", None, input.description.as_deref().unwrap_or(""), inline, "description"))
            button type="submit" { @if id.is_some() { "Save" } @else { "Create app" } }
        }
    }
}

async fn list_page(
    s: &Console,
    caller: &Caller,
    index: u64,
    refused_input: Option<(&AppInput, &Inline)>,
) -> Result<Markup, Response> {
    let p = &caller.0.principal;
    let req = ListRequest {
        index,
        ..ListRequest::first(PAGE_SIZE)
    };
    let page = s.service.list_apps(p, &req).await.map_err(service_error)?;
    let can_manage = caller.can(Resource::Apps, Action::Manage);
    let pages = page.total.div_ceil(PAGE_SIZE).max(1);
    let empty = AppInput::default();
    let (input, inline) = match refused_input {
        Some((i, e)) => (i, Some(e)),
        None => (&empty, None),
    };
    let body = html! {
        p { "An app groups the scan configs, scans and vulnerabilities of one application. Scans may only reach the domains listed as " a href="/console/targets" { "targets" } "." }
        @if can_manage {
            section.card aria-labelledby="new-app" {
                h2 id="new-app" { "New app" }
                (app_form(caller, None, input, inline))
            }
        }
        p.muted { (page.total) " app" @if page.total != 1 { "s" } }
        div.table-wrap {
            table.apps {
                caption.sr { "Apps" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "Description" } th scope="col" { "Updated" } } }
                tbody {
                    @for a in &page.items {
                        tr {
                            td { a href={"/console/apps/" (a.id)} { (a.name) } }
                            td { (a.description.as_deref().unwrap_or("")) }
                            td { (crate::pages::dashboard::when(a.updated_at)) }
                        }
                    }
                }
            }
        }
        (layout::pager(index, pages, |i| format!("/console/apps?page={i}")))
    };
    Ok(layout::page("Apps", caller, "apps", body))
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

/// `POST /console/apps`: creates an app, then shows it.
pub async fn create(State(s): State<Console>, caller: Caller, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let input = input_of(&f);
    match s
        .service
        .create_app(&caller.0.principal, input.clone())
        .await
    {
        Ok(id) => redirect(&format!("/console/apps/{id}?saved=1")),
        Err(e) => match Inline::from(e) {
            Ok(inline) => match list_page(&s, &caller, 0, Some((&input, &inline))).await {
                Ok(m) => refused(m),
                Err(r) => r,
            },
            Err(e) => service_error(e),
        },
    }
}

async fn app_page(
    s: &Console,
    caller: &Caller,
    app: &App,
    shown: &AppInput,
    inline: Option<&Inline>,
    saved_now: bool,
) -> Markup {
    let p = &caller.0.principal;
    let configs: Vec<rampart_service::ScanConfigView> = s
        .service
        .list_scan_configs(p, &ListRequest::first(500))
        .await
        .map(|page| page.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.config.app == app.id)
        .collect();
    let can_manage = caller.can(Resource::Apps, Action::Manage);
    let can_configs = caller.can(Resource::ScanConfigs, Action::Manage);
    let body = html! {
        (saved(saved_now, "Saved."))
        @if can_manage {
            section.card aria-labelledby="edit-app" {
                h2 id="edit-app" { "Edit" }
                (app_form(caller, Some(app.id), shown, inline))
            }
        } @else {
            dl.facts {
                dt { "Description" }
                dd { (app.description.as_deref().unwrap_or("—")) }
            }
        }
        section aria-labelledby="configs-h" {
            h2 id="configs-h" { "Scan configs" }
            @if configs.is_empty() { p { "No scan config for this app yet." } }
            @else {
                ul {
                    @for c in &configs {
                        li {
                            a href={"/console/scan-configs/" (c.config.id)} { (c.config.name) }
                            @if !c.errors.is_empty() { " " span.badge { (c.errors.len()) " error" @if c.errors.len() != 1 { "s" } } }
                        }
                    }
                }
            }
            @if can_configs {
                p { a href={"/console/scan-configs?app=" (app.id)} { "New scan config for this app" } }
            }
        }
        p { a href={"/console/scans?app=" (app.id)} { "Scans of this app" } " · " a href={"/console/vulnerabilities?app=" (app.id)} { "Vulnerabilities of this app" } }
    };
    layout::page(&format!("App {}", app.name), caller, "apps", body)
}

pub async fn page(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<AppId>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let app = match s.service.get_app(&caller.0.principal, id).await {
        Ok(a) => a,
        Err(e) => return service_error(e),
    };
    let shown = AppInput {
        name: app.name.clone(),
        description: app.description.clone(),
    };
    let saved_now = params.get("saved").is_some_and(|v| v == "1");
    app_page(&s, &caller, &app, &shown, None, saved_now)
        .await
        .into_response()
}

/// `POST /console/apps/{id}`: saves the name and description, as `PUT /apps/{id}` does.
pub async fn update(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<AppId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let input = input_of(&f);
    let p = &caller.0.principal;
    match s.service.update_app(p, id, input.clone()).await {
        Ok(()) => redirect(&format!("/console/apps/{id}?saved=1")),
        Err(e) => {
            let inline = match Inline::from(e) {
                Ok(i) => i,
                Err(e) => return service_error(e),
            };
            match s.service.get_app(p, id).await {
                Ok(app) => refused(app_page(&s, &caller, &app, &input, Some(&inline), false).await),
                Err(e) => service_error(e),
            }
        }
    }
}
