//! API keys (Product Admins): the tenant's live keys, creating one (its secret is shown
//! once, on the answer to the `POST`, and never stored) and revoking one.

use crate::audit::Created;
use crate::edit::{refused, text_field, Inline};
use crate::error::{redirect, service_error};
use crate::form::Fields;
use crate::layout::{self, csrf};
use crate::pages::dashboard::when;
use crate::session::Caller;
use crate::Console;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_domain::*;
use rampart_service::{KeyOwner, KeyRequest, NewKey};
use std::collections::HashMap;

/// What the form shows after a create: the new secret, or the refusal.
enum Outcome<'a> {
    None,
    Made(&'a NewKey),
    Refused(&'a Inline, &'a str),
}

async fn keys_page(
    s: &Console,
    caller: &Caller,
    outcome: Outcome<'_>,
    revoked: bool,
) -> Result<Markup, Response> {
    let p = &caller.0.principal;
    let keys = s.service.list_keys(p, None).await.map_err(service_error)?;
    let users = s.service.list_users(p).await.unwrap_or_default();
    let (inline, name) = match &outcome {
        Outcome::Refused(i, n) => (Some(*i), *n),
        _ => (None, ""),
    };
    let body = html! {
        @if revoked { p.saved role="status" { "Revoked: the key is refused from its next request on." } }
        @if let Outcome::Made(k) = &outcome {
            section.card.secret aria-labelledby="secret-h" role="status" {
                h2 id="secret-h" { "Key " (k.key.name) " created" }
                p { "Copy the secret now: it is shown once and only its hash is stored." }
                label for="new-secret" { "Secret" }
                input id="new-secret" type="text" readonly value=(k.token) spellcheck="false" autocomplete="off";
                p.hint { "Send it as the " code { "X-Api-Key" } " header." }
            }
        }
        section.card aria-labelledby="new-key" {
            h2 id="new-key" { "New key" }
            form.edit method="post" action="/console/api-keys" novalidate {
                (csrf(caller))
                @if let Some(i) = inline { (i.summary(&["name", "owner"])) }
                (text_field("name", "Name", name, inline, "name", true))
                div.field {
                    label for="role" { "Role" }
                    select id="role" name="role" {
                        @for r in Role::ALL { option value=(r.as_str()) selected[r == Role::ReadOnly] { (r.as_str()) } }
                    }
                }
                div.field {
                    label for="owner" { "Owner" }
                    select id="owner" name="owner" aria-describedby="owner-hint" {
                        option value="organization" { "The organization (every app)" }
                        @for u in &users { option value=(u.id) selected[u.id == p.id] { (u.email) } }
                    }
                    p.hint id="owner-hint" { "A user's key acts with its role capped by the user's current role." }
                }
                button type="submit" { "Create key" }
            }
        }
        h2 { "Live keys" }
        div.table-wrap {
            table.keys {
                caption.sr { "The organization's live API keys" }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Prefix" } th scope="col" { "Owner" }
                    th scope="col" { "Role" } th scope="col" { "Created" } th scope="col" { "Last used" }
                    th scope="col" { span.sr { "Revoke" } }
                } }
                tbody {
                    @for k in &keys {
                        tr data-key=(k.key.id) {
                            td { (k.key.name) }
                            td { code { (k.key.prefix) "…" } }
                            td { (k.owner.display) }
                            td { (k.key.role.as_str()) }
                            td { (when(k.key.created_at)) }
                            td { (k.key.last_used_at.map(when).unwrap_or_else(|| "never".into())) }
                            td {
                                form method="post" action={"/console/api-keys/" (k.key.id) "/revoke"} {
                                    (csrf(caller))
                                    button.danger type="submit" aria-label={"Revoke " (k.key.name)} { "Revoke" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("API keys", caller, "keys", body))
}

pub async fn list(
    State(s): State<Console>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let revoked = params.get("revoked").is_some_and(|v| v == "1");
    match keys_page(&s, &caller, Outcome::None, revoked).await {
        Ok(m) => m.into_response(),
        Err(r) => r,
    }
}

/// `POST /console/api-keys`: creates a key, as `POST /api-keys` does, and shows its
/// secret on this answer only.
pub async fn create(State(s): State<Console>, caller: Caller, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    let owner = match f.text("owner") {
        "organization" | "" => KeyOwner::Organization,
        // Not an id: one that names nobody, so the service says so.
        other => KeyOwner::Principal(
            other
                .parse()
                .unwrap_or_else(|_| PrincipalId(uuid::Uuid::nil())),
        ),
    };
    let req = KeyRequest {
        org: None,
        role: Role::parse(f.text("role")).unwrap_or(Role::ReadOnly),
        owner,
        name: Some(f.text("name").trim().to_string()),
    };
    match s.service.issue_key(&caller.0.principal, req).await {
        Ok(k) => match keys_page(&s, &caller, Outcome::Made(&k), false).await {
            Ok(m) => {
                let mut res = m.into_response();
                res.extensions_mut().insert(Created(k.key.id.to_string()));
                res
            }
            Err(r) => r,
        },
        Err(e) => match Inline::from(e) {
            Ok(inline) => match keys_page(
                &s,
                &caller,
                Outcome::Refused(&inline, f.text("name")),
                false,
            )
            .await
            {
                Ok(m) => refused(m),
                Err(r) => r,
            },
            Err(e) => service_error(e),
        },
    }
}

/// `POST /console/api-keys/{id}/revoke`: as `DELETE /api-keys/{id}`.
pub async fn revoke(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ApiKeyId>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    match s.service.revoke_key(&caller.0.principal, id).await {
        Ok(()) => redirect("/console/api-keys?revoked=1"),
        Err(e) => service_error(e),
    }
}
