//! AppSec+ webhook subscriptions and the durable outbox of their deliveries.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::*;

/// A claimed delivery and what sending it needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedDelivery {
    pub delivery: WebhookDelivery,
    pub url: String,
    pub secret_sealed: String,
    pub webhook_status: WebhookStatus,
}

/// How a try ended, written by [`WebhookStore::finish_delivery`].
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryResult {
    pub status: DeliveryStatus,
    pub at: DateTime<Utc>,
    /// The next try (when `status` is still pending).
    pub next_attempt_at: DateTime<Utc>,
    pub response_status: Option<i32>,
    pub error: Option<String>,
}

/// Subscriptions (per tenant) and the outbox. A delivery is a row written before anyone
/// tries to send it; a sender leases it ([`claim_delivery`](WebhookStore::claim_delivery),
/// a compare-and-set) and records the try under its lease, so a sender that dies leaves a
/// lease that expires and the row is tried again: no delivery is lost with a process.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(&self, w: &Webhook) -> StoreResult<()>;
    async fn get_webhook(&self, org: OrgId, id: WebhookId) -> StoreResult<Webhook>;
    /// By name, then id.
    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>>;
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()>;
    /// With its deliveries.
    async fn delete_webhook(&self, org: OrgId, id: WebhookId) -> StoreResult<()>;
    /// Writes the deliveries in one transaction (all or none).
    async fn enqueue_deliveries(&self, deliveries: &[WebhookDelivery]) -> StoreResult<()>;
    /// Leases the pending delivery due first at `now` whose lease is free or expired, for
    /// any tenant, until `until`, counting one attempt.
    async fn claim_delivery(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedDelivery>>;
    /// Records a try if `owner` still holds the lease (`NotFound` otherwise) and frees it.
    async fn finish_delivery(
        &self,
        id: WebhookDeliveryId,
        owner: &str,
        result: &DeliveryResult,
    ) -> StoreResult<()>;
    async fn get_delivery(
        &self,
        org: OrgId,
        webhook: WebhookId,
        id: WebhookDeliveryId,
    ) -> StoreResult<WebhookDelivery>;
    /// A subscription's deliveries, newest first.
    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: WebhookId,
        limit: u64,
        offset: u64,
    ) -> StoreResult<Vec<WebhookDelivery>>;
}
