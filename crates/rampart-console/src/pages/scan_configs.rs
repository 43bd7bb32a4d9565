//! Scan configs: the list, creating one, and the editor (seeds, scope rules, form login,
//! attack template, engine group) with the config's `errors[]` (the service's, as the
//! API's `errors` field) refreshed while the user types, and "test login".
//!
//! The editor writes what the API writes: `update_scan_config` for the config's own
//! fields, then the options as a JSON Merge Patch (`PATCH /scan-configs/{id}/options`).

use crate::audit::NotAWrite;
use crate::edit::{refused, saved, text_area, text_field, Inline};
use crate::error::{redirect, service_error};
use crate::form::Fields;
use crate::layout::{self, csrf};
use crate::session::Caller;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_domain::*;
use rampart_service::{OptionsWrite, ScanConfigInput, ScanConfigView, Service};
use rampart_store::ListRequest;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Where the service's problems about the options land on the form.
const SEEDS: &str = "crawl_config.seed_url_list";
const SCOPE: &str = "crawl_config.scope_constraint_list";
const AUTH: &str = "auth_config";

/// The editor's values (from a stored config, or from a refused form).
#[derive(Clone, Debug, Default)]
pub struct Editor {
    pub name: String,
    pub description: String,
    pub app: String,
    pub template: String,
    /// An engine group id, or empty for the server's own engines.
    pub group: String,
    /// One URL a line.
    pub seeds: String,
    /// One pattern a line: wildcard, `regex:…` or `literal:…`.
    pub include: String,
    pub exclude: String,
    pub auth: String,
    pub login_url: String,
    pub username: String,
    /// A password is stored (shown as the marker, never in clear).
    pub password_set: bool,
    pub logged_in: String,
    pub session_loss: String,
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn lines(v: &str) -> impl Iterator<Item = &str> {
    v.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// A scope rule as the editor writes it: `regex:` and `literal:` prefixes, else wildcard.
fn rule_line(r: &Value) -> String {
    let url = text_of(&r["url"]);
    match r["match_criteria"].as_str() {
        Some("REGEX") => format!("regex:{url}"),
        Some("LITERAL") => format!("literal:{url}"),
        _ => url,
    }
}

fn rule_of(line: &str, exclusion: &str) -> Value {
    let (criteria, url) = if let Some(r) = line.strip_prefix("regex:") {
        ("REGEX", r)
    } else if let Some(l) = line.strip_prefix("literal:") {
        ("LITERAL", l)
    } else {
        ("WILDCARD", line)
    };
    json!({"url": url.trim(), "method": "ALL", "match_criteria": criteria, "exclusion": exclusion})
}

impl Editor {
    fn of(view: &ScanConfigView) -> Self {
        let c = &view.config;
        let o = &c.options;
        let rules = o["crawl_config"]["scope_constraint_list"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let of_kind = |kind: &str| {
            rules
                .iter()
                .filter(|r| r["exclusion"].as_str().unwrap_or("INCLUDE") == kind)
                .map(rule_line)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let a = &o["auth_config"];
        Editor {
            name: c.name.clone(),
            description: c.description.clone().unwrap_or_default(),
            app: c.app.to_string(),
            template: c.attack_template.to_string(),
            group: c
                .assignment
                .engine_group
                .map(|g| g.to_string())
                .unwrap_or_default(),
            seeds: o["crawl_config"]["seed_url_list"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| text_of(&x["value"]))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            include: of_kind("INCLUDE"),
            exclude: of_kind("EXCLUDE"),
            auth: a["type"].as_str().unwrap_or("NONE").to_string(),
            login_url: text_of(&a["seed_link"]),
            username: text_of(&a["username_form"]),
            password_set: a["password_form"].as_str().is_some_and(|p| !p.is_empty()),
            logged_in: text_of(&a["logged_in_regex"]),
            session_loss: text_of(&a["session_loss_regex"]),
        }
    }

    fn from_form(f: &Fields, stored_password: bool) -> Self {
        Editor {
            name: f.text("name").trim().into(),
            description: f.text("description").trim().into(),
            app: f.text("app").into(),
            template: f.text("attack_template").into(),
            group: f.text("engine_group").into(),
            seeds: f.text("seeds").into(),
            include: f.text("scope_include").into(),
            exclude: f.text("scope_exclude").into(),
            auth: f.get("auth").unwrap_or("NONE").into(),
            login_url: f.text("login_url").trim().into(),
            username: f.text("username").into(),
            password_set: stored_password || !f.text("password").is_empty(),
            logged_in: f.text("logged_in_regex").into(),
            session_loss: f.text("session_loss_regex").into(),
        }
    }
}

/// The options the form sets, as a JSON Merge Patch (empty texts remove the member; an
/// empty password keeps the stored one).
pub fn options_patch(f: &Fields) -> Value {
    let opt = |k: &str| {
        let v = f.text(k).trim();
        if v.is_empty() {
            Value::Null
        } else {
            Value::String(v.to_string())
        }
    };
    let seeds: Vec<Value> = lines(f.text("seeds"))
        .map(|l| json!({"value": l}))
        .collect();
    let mut scope: Vec<Value> = lines(f.text("scope_include"))
        .map(|l| rule_of(l, "INCLUDE"))
        .collect();
    scope.extend(lines(f.text("scope_exclude")).map(|l| rule_of(l, "EXCLUDE")));
    let auth = match f.text("auth") {
        "FORM" => "FORM",
        _ => "NONE",
    };
    let mut auth_config = json!({
        "type": auth,
        "seed_link": opt("login_url"),
        "username_form": opt("username"),
        "logged_in_regex": opt("logged_in_regex"),
        "session_loss_regex": opt("session_loss_regex"),
    });
    let password = f.text("password");
    if !password.is_empty() {
        auth_config["password_form"] = Value::String(password.to_string());
    }
    json!({
        "crawl_config": {"seed_url_list": seeds, "scope_constraint_list": scope},
        "auth_config": auth_config,
    })
}

fn input_of(f: &Fields) -> ScanConfigInput {
    let description = f.text("description").trim();
    let group = f.text("engine_group").parse::<EngineGroupId>().ok();
    ScanConfigInput {
        name: f.text("name").trim().to_string(),
        description: (!description.is_empty()).then(|| description.to_string()),
        // Not an id at all: an id that names nothing, so the service says "no such app".
        app: f.text("app").parse().unwrap_or_else(|_| AppId::new()),
        attack_template: f
            .text("attack_template")
            .parse()
            .unwrap_or_else(|_| AttackTemplateId::new()),
        incremental: None,
        assignment: f.get("engine_group").map(|_| Assignment {
            kind: AssignmentType::EngineGroup,
            engine_group: group,
            environment: if group.is_some() {
                Environment::OnPremise
            } else {
                Environment::Cloud
            },
        }),
    }
}

/// The choices of the selects: apps, attack templates, engine groups.
struct Choices {
    apps: BTreeMap<String, String>,
    templates: Vec<(String, String)>,
    groups: Vec<(String, String)>,
}

async fn choices(s: &Service, p: &Principal) -> Choices {
    let apps = s
        .list_apps(p, &ListRequest::first(500))
        .await
        .map(|pg| pg.items)
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect();
    let templates = s
        .list_attack_templates(p, &ListRequest::first(500))
        .await
        .map(|pg| pg.items)
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let groups = if p.can(Resource::EngineGroups, Action::Read) {
        s.list_engine_groups(p, &ListRequest::first(500))
            .await
            .map(|pg| pg.items)
            .unwrap_or_default()
            .into_iter()
            .map(|g| (g.id.to_string(), g.name))
            .collect()
    } else {
        Vec::new()
    };
    Choices {
        apps,
        templates,
        groups,
    }
}

fn select(
    id: &str,
    label: &str,
    options: &[(String, String)],
    value: &str,
    inline: Option<&Inline>,
    context: &str,
) -> Markup {
    let problem = inline.and_then(|i| i.about(context));
    let err_id = format!("{id}-error");
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(id)
                aria-invalid=[problem.as_ref().map(|_| "true")]
                aria-describedby=[problem.as_ref().map(|_| err_id.as_str())] {
                @for (v, text) in options {
                    option value=(v) selected[v == value] { (text) }
                }
            }
            @if let Some(p) = &problem { p.field-error id=(err_id) { (p) } }
        }
    }
}

/// The first fields of every config: name, description, app, attack template.
fn head_fields(e: &Editor, c: &Choices, inline: Option<&Inline>) -> Markup {
    let apps: Vec<(String, String)> = c.apps.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    html! {
        (text_field("name", "Name", &e.name, inline, "name", true))
        (text_area("description", "Description", None, &e.description, inline, "description"))
        (select("app", "App", &apps, &e.app, inline, "app"))
        (select("attack_template", "Attack template", &c.templates, &e.template, inline, "attack_template"))
    }
}

async fn list_page(
    s: &Console,
    caller: &Caller,
    app_filter: Option<AppId>,
    refused_input: Option<(&Editor, &Inline)>,
) -> Result<Markup, Response> {
    let p = &caller.0.principal;
    let page = s
        .service
        .list_scan_configs(p, &ListRequest::first(500))
        .await
        .map_err(service_error)?;
    let c = choices(&s.service, p).await;
    let can_manage = caller.can(Resource::ScanConfigs, Action::Manage);
    let fresh = Editor {
        app: app_filter.map(|a| a.to_string()).unwrap_or_default(),
        template: c
            .templates
            .iter()
            .find(|(_, n)| n == "All Modules")
            .or(c.templates.first())
            .map(|(id, _)| id.clone())
            .unwrap_or_default(),
        ..Editor::default()
    };
    let (e, inline) = match refused_input {
        Some((e, i)) => (e, Some(i)),
        None => (&fresh, None),
    };
    let template_names: HashMap<&str, &str> = c
        .templates
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let items: Vec<&ScanConfigView> = page
        .items
        .iter()
        .filter(|v| app_filter.is_none_or(|a| v.config.app == a))
        .collect();
    let body = html! {
        @if can_manage {
            section.card aria-labelledby="new-config" {
                h2 id="new-config" { "New scan config" }
                @if c.apps.is_empty() {
                    p { "A scan config belongs to an app: " a href="/console/apps" { "create an app" } " first." }
                } @else {
                    form.edit method="post" action="/console/scan-configs" novalidate {
                        (csrf(caller))
                        @if let Some(i) = inline { (i.summary(&["name", "description", "app", "attack_template"])) }
                        (head_fields(e, &c, inline))
                        p.hint { "Seeds, scope, login and engine group are set on the next page." }
                        button type="submit" { "Create scan config" }
                    }
                }
            }
        }
        p.muted { (items.len()) " scan config" @if items.len() != 1 { "s" } }
        div.table-wrap {
            table.configs {
                caption.sr { "Scan configs" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "App" } th scope="col" { "Attack template" } th scope="col" { "Errors" } } }
                tbody {
                    @for v in &items {
                        tr {
                            td { a href={"/console/scan-configs/" (v.config.id)} { (v.config.name) } }
                            td { (c.apps.get(&v.config.app.to_string()).map(String::as_str).unwrap_or("")) }
                            td { (template_names.get(v.config.attack_template.to_string().as_str()).copied().unwrap_or("")) }
                            td { @if v.errors.is_empty() { "none" } @else { span.badge { (v.errors.len()) } } }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Scan configs", caller, "scan-configs", body))
}

pub async fn list(
    State(s): State<Console>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let app = params.get("app").and_then(|a| a.parse::<AppId>().ok());
    match list_page(&s, &caller, app, None).await {
        Ok(m) => m.into_response(),
        Err(r) => r,
    }
}

/// `POST /console/scan-configs`: creates a config (default options), then opens its editor.
pub async fn create(State(s): State<Console>, caller: Caller, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let mut input = input_of(&f);
    input.assignment = None;
    match s
        .service
        .create_scan_config(&caller.0.principal, input)
        .await
    {
        Ok(id) => redirect(&format!("/console/scan-configs/{id}?saved=1")),
        Err(e) => match Inline::from(e) {
            Ok(inline) => {
                let e = Editor::from_form(&f, false);
                match list_page(&s, &caller, None, Some((&e, &inline))).await {
                    Ok(m) => refused(m),
                    Err(r) => r,
                }
            }
            Err(e) => service_error(e),
        },
    }
}

/// What "test login" showed.
pub struct LoginResult {
    pub logged_in: bool,
    pub detail: String,
}

fn errors_list(errors: &[String]) -> Markup {
    html! {
        @if errors.is_empty() {
            p.ok id="config-errors-none" { "No configuration error: a scan of this config can run." }
        } @else {
            ul.errors {
                @for e in errors { li { (e) } }
            }
        }
    }
}

struct EditorPage<'a> {
    view: &'a ScanConfigView,
    editor: &'a Editor,
    inline: Option<&'a Inline>,
    saved: bool,
    login: Option<&'a LoginResult>,
}

async fn editor_page(s: &Console, caller: &Caller, pg: EditorPage<'_>) -> Markup {
    let p = &caller.0.principal;
    let c = choices(&s.service, p).await;
    let (view, e, inline) = (pg.view, pg.editor, pg.inline);
    let id = view.config.id;
    let can_manage = caller.can(Resource::ScanConfigs, Action::Manage);
    let can_test = can_manage && caller.can(Resource::Scans, Action::Manage);
    let mut groups = vec![(
        String::new(),
        "Cloud (the server's own engines)".to_string(),
    )];
    groups.extend(c.groups.iter().cloned());
    if !e.group.is_empty() && !groups.iter().any(|(g, _)| *g == e.group) {
        groups.push((e.group.clone(), "(a group you may not see)".into()));
    }
    let auths = [
        ("NONE".to_string(), "None".to_string()),
        ("FORM".to_string(), "Form login".to_string()),
    ];
    let other_auth = (e.auth != "NONE" && e.auth != "FORM").then(|| e.auth.clone());
    let shown = [
        "name",
        "description",
        "app",
        "attack_template",
        "assignment",
        SEEDS,
        SCOPE,
        AUTH,
    ];
    let errors_url = format!("/console/scan-configs/{id}/errors");
    let body = html! {
        (saved(pg.saved, "Saved."))
        section.card aria-labelledby="errors-h" {
            h2 id="errors-h" { "Configuration errors" }
            p.hint { "What a scan of this config would fail on (the API's " code { "errors" } " field). "
                @if can_manage { "Updated as you edit; saved with the form." } }
            div id="config-errors" role="status" aria-live="polite" { (errors_list(&view.errors)) }
        }
        @if can_manage {
            form.edit.config method="post" action={"/console/scan-configs/" (id)} data-errors-url=(errors_url) novalidate {
                (csrf(caller))
                @if let Some(i) = inline { (i.summary(&shown)) }
                fieldset {
                    legend { "Scan config" }
                    (head_fields(e, &c, inline))
                    (select("engine_group", "Engine group", &groups, &e.group, inline, "assignment"))
                }
                fieldset {
                    legend { "What to crawl" }
                    (text_area("seeds", "Seed URLs", Some("One URL a line, where the crawl starts."), &e.seeds, inline, SEEDS))
                    (text_area("scope_include", "Scope: include", Some("One pattern a line: https://shop.example.test/* (wildcards), regex:^https://… or literal:https://…"), &e.include, inline, SCOPE))
                    (text_area("scope_exclude", "Scope: exclude", Some("Patterns never crawled nor attacked, same forms."), &e.exclude, inline, "crawl_config.scope_constraint_list.exclude"))
                }
                fieldset {
                    legend { "Login" }
                    @if let Some(a) = &other_auth {
                        p.hint { "This config uses " code { (a) } " authentication (set through the API); choosing here replaces it." }
                    }
                    (select("auth", "Authentication", &auths, &e.auth, inline, "auth_config.type"))
                    (text_field("login_url", "Login page URL", &e.login_url, inline, "auth_config.seed_link", false))
                    (text_field("username", "Username", &e.username, inline, "auth_config.username_form", false))
                    div.field {
                        label for="password" { "Password" }
                        input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint";
                        p.hint id="password-hint" {
                            @if e.password_set { "A password is stored; leave this empty to keep it." } @else { "No password stored yet." }
                        }
                    }
                    (text_field("logged_in_regex", "Logged-in pattern (regex, optional)", &e.logged_in, inline, "auth_config.logged_in_regex", false))
                    (text_field("session_loss_regex", "Session-loss pattern (regex, optional)", &e.session_loss, inline, "auth_config.session_loss_regex", false))
                }
                button type="submit" { "Save" }
            }
            @if can_test {
                section.card aria-labelledby="login-h" {
                    h2 id="login-h" { "Test login" }
                    p.hint { "Runs the engine's login with the saved config (save first), inside the config's scope and the organization's targets." }
                    form method="post" action={"/console/scan-configs/" (id) "/test-login"} {
                        (csrf(caller))
                        button type="submit" { "Test login" }
                    }
                    @if let Some(l) = pg.login {
                        div id="login-result" role="status" class=(if l.logged_in { "result ok" } else { "result failed" }) {
                            p { strong { (if l.logged_in { "Logged in." } else { "Login failed." }) } }
                            p.pre { (l.detail) }
                        }
                    }
                }
            }
        } @else {
            dl.facts {
                dt { "App" } dd { (c.apps.get(&e.app).map(String::as_str).unwrap_or("")) }
                dt { "Seeds" } dd.pre { (e.seeds) }
                dt { "Scope: include" } dd.pre { (e.include) }
                dt { "Scope: exclude" } dd.pre { (e.exclude) }
                dt { "Authentication" } dd { (e.auth) }
            }
        }
        p { a href={"/console/apps/" (view.config.app)} { "The app" } " · " a href="/console/scans" { "Launch a scan" } }
    };
    layout::page(
        &format!("Scan config {}", view.config.name),
        caller,
        "scan-configs",
        body,
    )
}

pub async fn page(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanConfigId>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let view = match s.service.get_scan_config(&caller.0.principal, id).await {
        Ok(v) => v,
        Err(e) => return service_error(e),
    };
    let editor = Editor::of(&view);
    let pg = EditorPage {
        view: &view,
        editor: &editor,
        inline: None,
        saved: params.get("saved").is_some_and(|v| v == "1"),
        login: None,
    };
    editor_page(&s, &caller, pg).await.into_response()
}

/// `POST /console/scan-configs/{id}`: the config's fields (as `PUT /scan-configs/{id}`),
/// then its options (as `PATCH /scan-configs/{id}/options`).
pub async fn update(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanConfigId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let p = &caller.0.principal;
    let result = match s.service.update_scan_config(p, id, input_of(&f)).await {
        Ok(()) => {
            s.service
                .write_scan_config_options(p, id, options_patch(&f), OptionsWrite::Merge)
                .await
        }
        Err(e) => Err(e),
    };
    let e = match result {
        Ok(()) => return redirect(&format!("/console/scan-configs/{id}?saved=1")),
        Err(e) => e,
    };
    let inline = match Inline::from(e) {
        Ok(i) => i,
        Err(e) => return service_error(e),
    };
    let view = match s.service.get_scan_config(p, id).await {
        Ok(v) => v,
        Err(e) => return service_error(e),
    };
    let editor = Editor::from_form(&f, Editor::of(&view).password_set);
    let pg = EditorPage {
        view: &view,
        editor: &editor,
        inline: Some(&inline),
        saved: false,
        login: None,
    };
    refused(editor_page(&s, &caller, pg).await)
}

/// `POST /console/scan-configs/{id}/errors`: the `errors[]` the form's current values
/// would give (nothing is saved), as JSON for the editor's script.
pub async fn errors(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanConfigId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let mut res = match s
        .service
        .preview_scan_config_errors(&caller.0.principal, id, &options_patch(&f))
        .await
    {
        Ok(errors) => (
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "errors": errors }).to_string(),
        )
            .into_response(),
        Err(e) => service_error(e),
    };
    res.extensions_mut().insert(NotAWrite);
    res
}

/// `POST /console/scan-configs/{id}/test-login`: runs the saved config's login once
/// (`Service::test_scan_config_login`) and shows the editor with the outcome.
pub async fn test_login(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanConfigId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let p = &caller.0.principal;
    let outcome = match s.service.test_scan_config_login(p, id).await {
        Ok(t) => LoginResult {
            logged_in: t.logged_in,
            detail: t.detail,
        },
        Err(e) => return service_error(e),
    };
    let view = match s.service.get_scan_config(p, id).await {
        Ok(v) => v,
        Err(e) => return service_error(e),
    };
    let editor = Editor::of(&view);
    let pg = EditorPage {
        view: &view,
        editor: &editor,
        inline: None,
        saved: false,
        login: Some(&outcome),
    };
    editor_page(&s, &caller, pg).await.into_response()
}
