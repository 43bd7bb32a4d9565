//! `/connectors` and `/connector-types`: integrations (stored) and agents (the engines)
//! as one resource, and the contract of each integration type.

use super::{created, json_body, time, uuid_of};
use crate::extract::{PlusAuth, Query};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rampart_api_types::connectors::{
    Connector, ConnectorError, ConnectorField, ConnectorTest, ConnectorTypeInfo, ConnectorWrite,
    NewConnector,
};
use rampart_api_types::oauth::ProblemBody;
use rampart_domain::{
    ConnectorKind, ConnectorStatus, ConnectorType, EngineGroupId, CONNECTOR_TYPES,
};
use rampart_service::{
    agent_health, agent_status, ConnectorInput, ConnectorProbe, ConnectorView, Problem as Invalid,
    ServiceError,
};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(test))
        .routes(routes!(types))
        .routes(routes!(one_type))
}

pub(crate) fn wire(v: ConnectorView) -> Connector {
    match v {
        ConnectorView::Integration(c) => {
            let t = ConnectorType::find(&c.kind_type);
            Connector {
                id: c.id.0,
                name: c.name,
                kind: ConnectorKind::Integration.as_str().into(),
                kind_type: c.kind_type,
                status: c.status.as_str().into(),
                health: None,
                capabilities: t
                    .map(|t| t.capabilities.iter().map(|x| x.to_string()).collect())
                    .unwrap_or_default(),
                implemented: t.is_some_and(|t| t.implemented),
                config: c.config,
                secret_fields: c.secret_names,
                last_sync_at: c.last_sync_at.map(time),
                last_error: c
                    .last_error_at
                    .zip(c.last_error)
                    .map(|(at, message)| ConnectorError {
                        at: time(at),
                        message,
                    }),
                version: None,
                last_seen_at: None,
                group: None,
                auto_upgrade: None,
                current_jobs: None,
                created_at: time(c.created_at),
                updated_at: Some(time(c.updated_at)),
            }
        }
        ConnectorView::Agent(v) => {
            let e = v.engine;
            Connector {
                id: e.id.0,
                name: e.name,
                kind: ConnectorKind::Agent.as_str().into(),
                kind_type: "rampart-engine".into(),
                status: agent_status(v.status).as_str().into(),
                health: Some(agent_health(v.status).as_str().into()),
                capabilities: vec!["dast".into()],
                implemented: true,
                config: serde_json::Map::new(),
                secret_fields: Vec::new(),
                last_sync_at: None,
                last_error: e.failure_reason.map(|r| ConnectorError {
                    at: e.last_heartbeat.map(time).unwrap_or_default(),
                    message: r.as_str().into(),
                }),
                version: e.version,
                last_seen_at: e.last_heartbeat.map(time),
                group: e.group.map(|g| g.0),
                auto_upgrade: Some(e.auto_upgrade),
                current_jobs: Some(e.active_scans),
                created_at: time(e.created_at),
                updated_at: None,
            }
        }
    }
}

fn input(body: &[u8]) -> Result<ConnectorInput, Problem> {
    let b: ConnectorWrite = json_body(body)?;
    let mut problems = Vec::new();
    let kind = match b.kind.as_deref().map(|k| k.to_ascii_lowercase()) {
        None => None,
        Some(k) => match ConnectorKind::parse(&k) {
            Some(k) => Some(k),
            None => {
                problems.push(Invalid::property("kind", ConnectorKind::refusal()));
                None
            }
        },
    };
    let status = match b.status.as_deref() {
        None => None,
        Some(s) => match ConnectorStatus::parse(s) {
            Some(s) => Some(s),
            None => {
                problems.push(Invalid::property("status", "must be active or inactive"));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(ServiceError::invalid(problems).into());
    }
    Ok(ConnectorInput {
        name: b.name,
        kind,
        kind_type: b.kind_type,
        status,
        config: b.config,
        secrets: b.secrets,
        engine_group: b.group.map(EngineGroupId),
        auto_upgrade: b.auto_upgrade,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `integration` or `agent`.
    kind: Option<String>,
}

/// Integrations (by name), then agents (by name).
#[utoipa::path(get, path = "/connectors", tag = "Connectors", params(ListParams),
    responses((status = 200, body = Vec<Connector>),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Connector>>, Problem> {
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(ConnectorKind::parse(k).ok_or_else(|| {
            Problem::from(ServiceError::invalid(vec![Invalid::property(
                "kind",
                ConnectorKind::refusal(),
            )]))
        })?),
    };
    let list = s.service.list_connectors(&p, kind).await?;
    Ok(Json(list.into_iter().map(wire).collect()))
}

/// Registers a connector: an integration of a `type` (config checked against the type's
/// contract), or an agent (a new engine; the answer carries its `registrationToken` once).
#[utoipa::path(post, path = "/connectors", tag = "Connectors", request_body = ConnectorWrite,
    responses((status = 201, body = NewConnector),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    body: Bytes,
) -> Result<Response, Problem> {
    let made = s.service.create_connector(&p, input(&body)?).await?;
    let connector = wire(made.connector);
    let path = format!("/connectors/{}", connector.id);
    Ok(created(
        &s,
        &path,
        NewConnector {
            connector,
            registration_token: made.registration_token,
        },
    ))
}

#[utoipa::path(get, path = "/connectors/{id}", tag = "Connectors", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Connector),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Connector>, Problem> {
    let id = uuid_of(&id)?;
    Ok(Json(wire(s.service.get_connector(&p, id).await?)))
}

#[utoipa::path(put, path = "/connectors/{id}", tag = "Connectors", params(("id" = uuid::Uuid, Path)),
    request_body = ConnectorWrite,
    responses((status = 200, body = Connector),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Connector>, Problem> {
    let id = uuid_of(&id)?;
    Ok(Json(wire(
        s.service.update_connector(&p, id, input(&body)?).await?,
    )))
}

#[utoipa::path(delete, path = "/connectors/{id}", tag = "Connectors", params(("id" = uuid::Uuid, Path)),
    responses((status = 204),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = uuid_of(&id)?;
    s.service.delete_connector(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tests the connector now: a webhook connector gets a signed `connector.test` ping (2xx
/// passes; the outcome is recorded as `status`, `lastSyncAt`, `lastError`); an agent
/// answers with its health; a placeholder type says it is not acted on yet.
#[utoipa::path(post, path = "/connectors/{id}/test", tag = "Connectors", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ConnectorTest),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn test(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<ConnectorTest>, Problem> {
    let id = uuid_of(&id)?;
    let (ok, message, response_status, outcome) = match s.service.connector_probe(&p, id).await? {
        ConnectorProbe::Known { ok, message } => (ok, message, None, None),
        ConnectorProbe::Post { url, secret, body } => {
            match crate::webhook_out::probe(&s, &url, secret.as_deref(), body).await {
                Ok(code) if (200..300).contains(&code) => (
                    true,
                    format!("the receiver answered {code}"),
                    Some(code),
                    Some(Ok(())),
                ),
                Ok(code) => {
                    let m = format!("the receiver answered {code}");
                    (false, m.clone(), Some(code), Some(Err(m)))
                }
                Err(m) => (false, m.clone(), None, Some(Err(m))),
            }
        }
    };
    let connector = match outcome {
        Some(o) => s.service.record_connector_test(&p, id, o).await?,
        None => s.service.get_connector(&p, id).await?,
    };
    Ok(Json(ConnectorTest {
        ok,
        message,
        response_status,
        connector: wire(connector),
    }))
}

fn type_info(t: &ConnectorType) -> ConnectorTypeInfo {
    ConnectorTypeInfo {
        name: t.name.into(),
        kind: ConnectorKind::Integration.as_str().into(),
        description: t.description.into(),
        capabilities: t.capabilities.iter().map(|x| x.to_string()).collect(),
        implemented: t.implemented,
        fields: t
            .fields
            .iter()
            .map(|f| ConnectorField {
                name: f.name.into(),
                required: f.required,
                secret: f.secret,
                format: if f.url { "uri" } else { "string" }.into(),
                description: f.description.into(),
            })
            .collect(),
    }
}

/// The integration types and the contract of each (its config members, which are secret).
#[utoipa::path(get, path = "/connector-types", tag = "Connectors",
    responses((status = 200, body = Vec<ConnectorTypeInfo>)))]
async fn types(PlusAuth(_p): PlusAuth) -> Json<Vec<ConnectorTypeInfo>> {
    Json(CONNECTOR_TYPES.iter().map(type_info).collect())
}

#[utoipa::path(get, path = "/connector-types/{type}", tag = "Connectors", params(("type" = String, Path)),
    responses((status = 200, body = ConnectorTypeInfo),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn one_type(
    PlusAuth(_p): PlusAuth,
    Path(name): Path<String>,
) -> Result<Json<ConnectorTypeInfo>, Problem> {
    ConnectorType::find(&name)
        .map(|t| Json(type_info(t)))
        .ok_or_else(|| ServiceError::NotFound.into())
}
