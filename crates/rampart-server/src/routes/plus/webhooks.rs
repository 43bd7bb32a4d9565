//! `/webhooks`: subscriptions, their delivery log and replays (Product Admin; scopes
//! `webhooks:read` / `webhooks:write`). Deliveries are sent by `crate::webhook_out`.

use super::{created, json_body, time, uuid_of};
use crate::extract::PlusAuth;
use crate::extract::Query;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::oauth::ProblemBody;
use rampart_api_types::webhooks::{Webhook, WebhookDelivery, WebhookWrite};
use rampart_domain as d;
use rampart_domain::{DeliveryStatus, WebhookDeliveryId, WebhookEvent, WebhookId, WebhookStatus};
use rampart_service::{Problem as Invalid, ServiceError, WebhookInput};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

/// What reads show instead of the secret.
const MASK: &str = "****";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(deliveries))
        .routes(routes!(delivery))
        .routes(routes!(replay))
}

fn wire(w: d::Webhook, secret: Option<String>) -> Webhook {
    Webhook {
        id: w.id.0,
        name: w.name,
        url: w.url,
        events: w.events.iter().map(|e| e.as_str().into()).collect(),
        status: w.status.as_str().into(),
        secret: secret.unwrap_or_else(|| MASK.into()),
        created_at: time(w.created_at),
        updated_at: time(w.updated_at),
    }
}

fn wire_delivery(x: d::WebhookDelivery) -> WebhookDelivery {
    WebhookDelivery {
        id: x.id.0,
        webhook_id: x.webhook.0,
        event_id: x.event_id,
        event_type: x.event.as_str().into(),
        status: x.status.as_str().into(),
        attempts: x.attempts,
        created_at: time(x.created_at),
        next_attempt_at: (x.status == DeliveryStatus::Pending).then(|| time(x.next_attempt_at)),
        last_attempt_at: x.last_attempt_at.map(time),
        response_status: x.response_status,
        last_error: x.last_error,
        delivered_at: x.delivered_at.map(time),
        replay_of: x.replay_of.map(|r| r.0),
        payload: serde_json::from_str(&x.payload).unwrap_or(serde_json::Value::Null),
    }
}

fn input(body: &[u8]) -> Result<WebhookInput, Problem> {
    let b: WebhookWrite = json_body(body)?;
    let mut problems = Vec::new();
    let mut events = Vec::new();
    for (i, e) in b.events.iter().enumerate() {
        match WebhookEvent::parse(e) {
            Some(x) => events.push(x),
            None => problems.push(Invalid::property(
                format!("events.{i}"),
                format!(
                    "must be one of {}",
                    WebhookEvent::ALL
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    let status = match b.status.as_deref() {
        None => Some(WebhookStatus::Active),
        Some(s) => WebhookStatus::parse(s),
    };
    if status.is_none() {
        problems.push(Invalid::property("status", "must be active or disabled"));
    }
    if !problems.is_empty() {
        return Err(ServiceError::invalid(problems).into());
    }
    Ok(WebhookInput {
        name: b.name,
        url: b.url,
        events,
        status: status.unwrap_or(WebhookStatus::Active),
        secret: b.secret.filter(|s| s != MASK),
    })
}

#[utoipa::path(get, path = "/webhooks", tag = "Webhooks",
    responses((status = 200, body = Vec<Webhook>),
        (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
) -> Result<Json<Vec<Webhook>>, Problem> {
    Ok(Json(
        s.service
            .list_webhooks(&p)
            .await?
            .into_iter()
            .map(|w| wire(w, None))
            .collect(),
    ))
}

/// Subscribes a URL to events. The answer carries the signing secret, once.
#[utoipa::path(post, path = "/webhooks", tag = "Webhooks", request_body = WebhookWrite,
    responses((status = 201, body = Webhook),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    body: Bytes,
) -> Result<Response, Problem> {
    let new = s.service.create_webhook(&p, input(&body)?).await?;
    let path = format!("/webhooks/{}", new.webhook.id);
    let mut res = created(&s, &path, wire(new.webhook, Some(new.secret)));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[utoipa::path(get, path = "/webhooks/{id}", tag = "Webhooks", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Webhook),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Webhook>, Problem> {
    let id = WebhookId(uuid_of(&id)?);
    Ok(Json(wire(s.service.get_webhook(&p, id).await?, None)))
}

/// Overwrites the subscription; a `secret` (other than `****`) replaces the stored one.
#[utoipa::path(put, path = "/webhooks/{id}", tag = "Webhooks", params(("id" = uuid::Uuid, Path)),
    request_body = WebhookWrite,
    responses((status = 200, body = Webhook),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Webhook>, Problem> {
    let id = WebhookId(uuid_of(&id)?);
    let w = s.service.update_webhook(&p, id, input(&body)?).await?;
    Ok(Json(wire(w, None)))
}

/// Deletes the subscription and its deliveries (pending ones are not sent).
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "Webhooks", params(("id" = uuid::Uuid, Path)),
    responses((status = 204),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = WebhookId(uuid_of(&id)?);
    s.service.delete_webhook(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// At most this many (default 100, 1 to 1000).
    limit: Option<u64>,
    /// Skip this many (at most 100,000).
    #[param(maximum = 100000)]
    offset: Option<u64>,
}

/// The furthest the delivery log reaches.
const MAX_LOG_OFFSET: u64 = 100_000;

/// The subscription's delivery log, newest first (a bare array).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "Webhooks",
    params(("id" = uuid::Uuid, Path), LogParams),
    responses((status = 200, body = Vec<WebhookDelivery>),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn deliveries(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    Query(q): Query<LogParams>,
) -> Result<Json<Vec<WebhookDelivery>>, Problem> {
    let id = WebhookId(uuid_of(&id)?);
    let (limit, offset) = super::window(q.limit, q.offset, MAX_LOG_OFFSET)?;
    let list = s
        .service
        .list_webhook_deliveries(&p, id, limit, offset)
        .await?;
    Ok(Json(list.into_iter().map(wire_delivery).collect()))
}

#[utoipa::path(get, path = "/webhooks/{id}/deliveries/{deliveryId}", tag = "Webhooks",
    params(("id" = uuid::Uuid, Path), ("deliveryId" = uuid::Uuid, Path)),
    responses((status = 200, body = WebhookDelivery),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn delivery(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<WebhookDelivery>, Problem> {
    let id = WebhookId(uuid_of(&id)?);
    let delivery = WebhookDeliveryId(uuid_of(&delivery)?);
    let x = s.service.get_webhook_delivery(&p, id, delivery).await?;
    Ok(Json(wire_delivery(x)))
}

/// Sends a finished (failed or delivered) delivery again: `202` with the new delivery,
/// which carries the same `eventId` and body; `409` while the original is still pending.
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{deliveryId}/replay", tag = "Webhooks",
    params(("id" = uuid::Uuid, Path), ("deliveryId" = uuid::Uuid, Path)),
    responses((status = 202, body = WebhookDelivery),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json")))]
async fn replay(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let id = WebhookId(uuid_of(&id)?);
    let delivery = WebhookDeliveryId(uuid_of(&delivery)?);
    let x = s.service.replay_webhook_delivery(&p, id, delivery).await?;
    let mut res = (StatusCode::ACCEPTED, Json(wire_delivery(x.clone()))).into_response();
    let path = format!("/webhooks/{}/deliveries/{}", id, x.id);
    if let Ok(v) = HeaderValue::from_str(&s.url(&path)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}
