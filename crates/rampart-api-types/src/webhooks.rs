//! Wire shapes of AppSec+ webhooks (reference appsecplus §1.4, C8): subscriptions and
//! their delivery log. The secret is write-only: shown once on create, `****` after.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A subscription. `events`: `scan.completed`, `vulnerability.created`,
/// `vulnerability.reopened`, `vulnerability.closed`, `policy.failed`, `sla.breached`.
/// `status`: `active` or `disabled`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: uuid::Uuid,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub status: String,
    /// The signing secret: in full only in the answer of `POST /webhooks`, `****` after.
    pub secret: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST /webhooks`, `PUT /webhooks/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookWrite {
    pub name: String,
    /// `https` (plain `http` only when the server allows it).
    pub url: String,
    pub events: Vec<String>,
    /// Default `active`.
    pub status: Option<String>,
    /// 16 to 200 characters; generated on create when absent, kept on update when absent
    /// or `****`.
    pub secret: Option<String>,
}

/// One delivery of one event: an entry of the subscription's delivery log. `status`:
/// `pending` (in the outbox, tried again at `nextAttemptAt`), `delivered` or `failed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub id: uuid::Uuid,
    pub webhook_id: uuid::Uuid,
    pub event_id: uuid::Uuid,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// The receiver's HTTP status of the last try.
    pub response_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    /// The delivery this one replays.
    pub replay_of: Option<uuid::Uuid>,
    /// The body sent (signed as it is).
    pub payload: serde_json::Value,
}
