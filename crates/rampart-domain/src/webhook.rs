//! AppSec+ webhooks (reference appsecplus §1.4, §2.9, C8): subscriptions per event type and
//! the outbox of deliveries. The rules that decide a delivery's fate live here, once:
//! which answers are final ([`Answer::classify`]) and how long a delivery is retried
//! ([`RETRY_WINDOW`]); the delays between tries are `rampart_protocol::backoff`'s.

use crate::ids::*;
use crate::model::str_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// The events a webhook subscribes to.
    WebhookEvent {
        ScanCompleted = "scan.completed",
        VulnerabilityCreated = "vulnerability.created",
        VulnerabilityReopened = "vulnerability.reopened",
        VulnerabilityClosed = "vulnerability.closed",
        PolicyFailed = "policy.failed",
        SlaBreached = "sla.breached",
    }
);

str_enum!(
    /// Whether a subscription receives events.
    WebhookStatus {
        Active = "active",
        Disabled = "disabled",
    }
);

str_enum!(
    /// Where a delivery stands: `pending` in the outbox (waiting for its next try, or
    /// being tried under a lease), `delivered`, or `failed` (a final refusal, or retried
    /// for [`RETRY_WINDOW`] without success).
    DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
);

/// How long a delivery is retried after its event (the documented 24 h).
pub const RETRY_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// A subscription. `secret_sealed` is the signing secret sealed with the server's key
/// (it must be opened to sign, so it is encrypted, not hashed); reads never show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Webhook {
    pub id: WebhookId,
    pub org: OrgId,
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub status: WebhookStatus,
    pub secret_sealed: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, event: WebhookEvent) -> bool {
        self.status == WebhookStatus::Active && self.events.contains(&event)
    }
}

/// One event for one subscription: a row of the outbox and of the delivery log.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub org: OrgId,
    pub webhook: WebhookId,
    /// The event's id (shared by every subscription's delivery of it, and by replays).
    pub event_id: uuid::Uuid,
    pub event: WebhookEvent,
    /// The body sent, exactly (signed as it is).
    pub payload: String,
    pub status: DeliveryStatus,
    /// Tries so far (a claim counts one).
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status of the last try, when it answered.
    pub response_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The delivery this one replays.
    pub replay_of: Option<WebhookDeliveryId>,
}

/// What a receiver did with a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 2xx.
    Accepted,
    /// Another answer or no answer: tried again later.
    Retry,
    /// A client error other than 408 and 429: the receiver refuses this delivery, and
    /// sending it again would not change that (the documented "4xx dropped").
    Refused,
}

impl Answer {
    /// The fate of a try from the receiver's HTTP status (`None`: no answer).
    pub fn classify(status: Option<u16>) -> Answer {
        match status {
            Some(200..=299) => Answer::Accepted,
            Some(408 | 429) | None => Answer::Retry,
            Some(400..=499) => Answer::Refused,
            Some(_) => Answer::Retry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_as_documented() {
        for (status, want) in [
            (Some(200), Answer::Accepted),
            (Some(204), Answer::Accepted),
            (Some(301), Answer::Retry),
            (Some(400), Answer::Refused),
            (Some(404), Answer::Refused),
            (Some(408), Answer::Retry),
            (Some(429), Answer::Retry),
            (Some(500), Answer::Retry),
            (Some(503), Answer::Retry),
            (None, Answer::Retry),
        ] {
            assert_eq!(Answer::classify(status), want, "{status:?}");
        }
    }

    #[test]
    fn only_active_subscriptions_to_the_event_want_it() {
        let now = Utc::now();
        let mut w = Webhook {
            id: WebhookId::new(),
            org: OrgId::new(),
            name: "ci".into(),
            url: "https://hooks.example/x".into(),
            events: vec![WebhookEvent::ScanCompleted],
            status: WebhookStatus::Active,
            secret_sealed: String::new(),
            created_at: now,
            updated_at: now,
        };
        assert!(w.wants(WebhookEvent::ScanCompleted));
        assert!(!w.wants(WebhookEvent::PolicyFailed));
        w.status = WebhookStatus::Disabled;
        assert!(!w.wants(WebhookEvent::ScanCompleted));
    }
}
