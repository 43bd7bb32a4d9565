//! AppSec+ webhooks: subscriptions (Product Admin), the events the use cases emit into the
//! outbox, the delivery log and replays, and what the server's deliverer needs (claim a
//! due delivery, sign it, record the try). The HTTP call itself is the server's
//! (`rampart_server::webhook_out`): this crate never reaches an HTTP client.
//!
//! Signature: `X-Rampart-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
//! the Unix seconds of `X-Rampart-Timestamp` (docs/API.md, "Webhooks").

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use rampart_domain::address::AddressClass;
use rampart_domain::webhook::{Answer, RETRY_WINDOW};
use rampart_domain::*;
use rampart_store::{DeliveryResult, StoreError};
use rand::RngCore;
use serde_json::{json, Value};
use std::time::Duration;

/// The headers of a delivery, in the order they are sent.
pub const SIGNATURE_HEADERS: [&str; 4] = [
    "X-Rampart-Event",
    "X-Rampart-Delivery",
    "X-Rampart-Timestamp",
    "X-Rampart-Signature",
];

/// The most findings one `vulnerability.*` event lists in full (its `count` is exact).
pub const EVENT_FINDINGS_MAX: usize = 100;

/// The writable fields of a subscription. `secret`: `None` keeps the stored one (on create,
/// one is generated).
#[derive(Clone, Debug)]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub status: WebhookStatus,
    pub secret: Option<String>,
}

/// A created subscription and its secret, shown this once.
#[derive(Clone, Debug)]
pub struct NewWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// A claimed delivery, signed and ready to send.
#[derive(Clone, Debug)]
pub struct OutgoingDelivery {
    pub id: WebhookDeliveryId,
    pub url: String,
    pub body: String,
    /// [`SIGNATURE_HEADERS`] with their values.
    pub headers: Vec<(&'static str, String)>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// The delays between tries (`rampart_protocol::backoff`: `min·2^n` capped at `max`).
#[derive(Clone, Copy, Debug)]
pub struct RetryBounds {
    pub min: Duration,
    pub max: Duration,
}

/// `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut ctx = ring::hmac::Context::with_key(&key);
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body.as_bytes());
    format!("v1={}", hex::encode(ctx.sign().as_ref()))
}

/// The class of the URL's host when it is an IP address (a name is checked when it is
/// resolved, by the deliverer).
pub fn literal_class(u: &url::Url) -> Option<AddressClass> {
    match u.host()? {
        url::Host::Ipv4(ip) => Some(AddressClass::of(ip.into())),
        url::Host::Ipv6(ip) => Some(AddressClass::of(ip.into())),
        url::Host::Domain(_) => None,
    }
}

fn secret_context(org: OrgId, id: WebhookId) -> Vec<u8> {
    format!("webhook-secret:{}:{}", org.0, id.0).into_bytes()
}

fn generate_secret() -> String {
    let mut raw = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    format!("whsec_{}", hex::encode(raw))
}

impl Service {
    /// Whether webhook URLs may be plain `http` (default: `https` only).
    pub fn with_plain_http_webhooks(mut self, allow: bool) -> Self {
        self.webhook_http = allow;
        self
    }

    /// Whether webhook receivers may have loopback, private or link-local addresses
    /// (default: public addresses only; the deliverer checks every address a receiver's
    /// name resolves to, at every try).
    pub fn with_private_webhooks(mut self, allow: bool) -> Self {
        self.webhook_private = allow;
        self
    }

    /// See [`Service::with_private_webhooks`].
    pub fn private_webhooks_allowed(&self) -> bool {
        self.webhook_private
    }

    /// The signal the deliverer waits on: notified when deliveries are written.
    pub fn webhook_deliveries(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.webhook_wake.clone()
    }

    /// The one rule for a URL rampart will POST to (webhooks, webhook connectors): an
    /// absolute `https` URL (or `http` when allowed) naming a host, at most 2000
    /// characters, and not a non-public IP address unless private receivers are allowed.
    pub(crate) fn check_receiver(&self, c: &mut Checks, context: &str, url: &str) {
        match url::Url::parse(url) {
            Ok(u) if u.scheme() == "https" || (self.webhook_http && u.scheme() == "http") => {
                if u.host_str().is_none_or(str::is_empty) {
                    c.push(Problem::property(context, "must name a host"));
                }
                if let Some(class) = literal_class(&u).filter(|_| !self.webhook_private) {
                    if class != AddressClass::Public {
                        c.push(Problem::property(
                            context,
                            format!(
                                "must not be {}: receivers must be public (a server started with --webhook-allow-private accepts them)",
                                class.describe()
                            ),
                        ));
                    }
                }
            }
            Ok(_) => c.push(Problem::property(context, "must be an https URL")),
            Err(_) => c.push(Problem::property(context, "must be an absolute https URL")),
        }
        if url.len() > 2000 {
            c.push(Problem::property(
                context,
                "must be at most 2000 characters",
            ));
        }
    }

    fn check_webhook(&self, input: &WebhookInput) -> ServiceResult<()> {
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 200);
        self.check_receiver(&mut c, "url", &input.url);
        if input.events.is_empty() {
            c.push(Problem::property("events", "must name at least one event"));
        }
        if let Some(s) = &input.secret {
            c.text("secret", s, 16, 200);
        }
        c.finish()
    }

    pub async fn create_webhook(
        &self,
        p: &Principal,
        input: WebhookInput,
    ) -> ServiceResult<NewWebhook> {
        require(p, Resource::Webhooks, Action::Manage)?;
        self.check_webhook(&input)?;
        let now = self.now();
        let id = WebhookId::new();
        let secret = input.secret.unwrap_or_else(generate_secret);
        let mut events = input.events;
        events.sort();
        events.dedup();
        let webhook = Webhook {
            id,
            org: p.org,
            name: input.name,
            url: input.url,
            events,
            status: input.status,
            secret_sealed: self.secret_key.seal(&secret, &secret_context(p.org, id)),
            created_at: now,
            updated_at: now,
        };
        self.store().create_webhook(&webhook).await?;
        Ok(NewWebhook { webhook, secret })
    }

    pub async fn get_webhook(&self, p: &Principal, id: WebhookId) -> ServiceResult<Webhook> {
        require(p, Resource::Webhooks, Action::Read)?;
        Ok(self.store().get_webhook(p.org, id).await?)
    }

    pub async fn list_webhooks(&self, p: &Principal) -> ServiceResult<Vec<Webhook>> {
        require(p, Resource::Webhooks, Action::Read)?;
        Ok(self.store().list_webhooks(p.org).await?)
    }

    /// Overwrites the subscription (PUT); a `secret` replaces the stored one.
    pub async fn update_webhook(
        &self,
        p: &Principal,
        id: WebhookId,
        input: WebhookInput,
    ) -> ServiceResult<Webhook> {
        let mut w = self.get_webhook(p, id).await?;
        require(p, Resource::Webhooks, Action::Manage)?;
        self.check_webhook(&input)?;
        w.name = input.name;
        w.url = input.url;
        w.events = input.events;
        w.events.sort();
        w.events.dedup();
        w.status = input.status;
        if let Some(s) = input.secret {
            w.secret_sealed = self.secret_key.seal(&s, &secret_context(p.org, id));
        }
        w.updated_at = self.now();
        self.store().update_webhook(&w).await?;
        Ok(w)
    }

    pub async fn delete_webhook(&self, p: &Principal, id: WebhookId) -> ServiceResult<()> {
        self.get_webhook(p, id).await?;
        require(p, Resource::Webhooks, Action::Manage)?;
        Ok(self.store().delete_webhook(p.org, id).await?)
    }

    /// The subscription's delivery log, newest first.
    pub async fn list_webhook_deliveries(
        &self,
        p: &Principal,
        id: WebhookId,
        limit: u64,
        offset: u64,
    ) -> ServiceResult<Vec<WebhookDelivery>> {
        self.get_webhook(p, id).await?;
        Ok(self
            .store()
            .list_deliveries(p.org, id, limit, offset)
            .await?)
    }

    pub async fn get_webhook_delivery(
        &self,
        p: &Principal,
        id: WebhookId,
        delivery: WebhookDeliveryId,
    ) -> ServiceResult<WebhookDelivery> {
        self.get_webhook(p, id).await?;
        Ok(self.store().get_delivery(p.org, id, delivery).await?)
    }

    /// Sends a finished delivery again: a new delivery of the same event and body (same
    /// `eventId`, so receivers can tell a replay), retried like any other. 409 while the
    /// original is still pending.
    pub async fn replay_webhook_delivery(
        &self,
        p: &Principal,
        id: WebhookId,
        delivery: WebhookDeliveryId,
    ) -> ServiceResult<WebhookDelivery> {
        let original = self.get_webhook_delivery(p, id, delivery).await?;
        require(p, Resource::Webhooks, Action::Manage)?;
        if original.status == DeliveryStatus::Pending {
            return Err(ServiceError::Conflict(
                "the delivery is still being tried: replay it once it has failed".into(),
            ));
        }
        let now = self.now();
        let replay = WebhookDelivery {
            id: WebhookDeliveryId::new(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            last_attempt_at: None,
            response_status: None,
            last_error: None,
            delivered_at: None,
            replay_of: Some(original.id),
            ..original
        };
        self.store()
            .enqueue_deliveries(std::slice::from_ref(&replay))
            .await?;
        self.webhook_wake.notify_one();
        Ok(replay)
    }

    /// Writes one delivery of the event per active subscription of the tenant that wants
    /// it, in one transaction, and wakes the deliverer. A failure is logged, not returned:
    /// the change that raised the event is already stored.
    pub(crate) async fn emit(&self, org: OrgId, event: WebhookEvent, data: Value) {
        if let Err(e) = self.try_emit(org, event, data).await {
            tracing::warn!(%org, event = event.as_str(), error = %e, "cannot queue a webhook event");
        }
    }

    async fn try_emit(&self, org: OrgId, event: WebhookEvent, data: Value) -> ServiceResult<()> {
        let outbox = self.outbox(org).await?;
        let deliveries = outbox.deliveries(event, data);
        if deliveries.is_empty() {
            return Ok(());
        }
        self.store().enqueue_deliveries(&deliveries).await?;
        self.webhook_wake.notify_one();
        Ok(())
    }

    /// The tenant's subscriptions as they are now, to turn events into deliveries that a
    /// change writes in its own transaction (so a crash cannot keep the change and lose
    /// its events): [`Outbox::deliveries`].
    pub(crate) async fn outbox(&self, org: OrgId) -> Result<Outbox, StoreError> {
        Ok(Outbox {
            org,
            hooks: self.store().list_webhooks(org).await?,
            now: self.now(),
        })
    }

    /// Wakes the deliverer after a change wrote deliveries itself.
    pub(crate) fn deliveries_written(&self, deliveries: &[WebhookDelivery]) {
        if !deliveries.is_empty() {
            self.wake_deliverer();
        }
    }

    pub(crate) fn wake_deliverer(&self) {
        self.webhook_wake.notify_one();
    }

    /// Leases the next due delivery of any tenant for `lease` and signs it. A delivery of
    /// a disabled subscription, or whose secret this server cannot open, is failed with
    /// the reason and the next one is taken.
    pub async fn claim_webhook_delivery(
        &self,
        owner: &str,
        lease: Duration,
    ) -> ServiceResult<Option<OutgoingDelivery>> {
        loop {
            let now = self.now();
            let until = now + chrono::Duration::from_std(lease).unwrap_or(RETRY_WINDOW);
            let Some(c) = self.store().claim_delivery(owner, now, until).await? else {
                return Ok(None);
            };
            let d = c.delivery;
            let secret = self
                .secret_key
                .open(&c.secret_sealed, &secret_context(d.org, d.webhook));
            let refusal = match (&secret, c.webhook_status) {
                (_, WebhookStatus::Disabled) => Some("the webhook is disabled"),
                (None, _) => {
                    Some("the secret was sealed with another server key: set a new secret")
                }
                (Some(_), WebhookStatus::Active) => None,
            };
            if let Some(why) = refusal {
                self.store()
                    .finish_delivery(
                        d.id,
                        owner,
                        &DeliveryResult {
                            status: DeliveryStatus::Failed,
                            at: now,
                            next_attempt_at: now,
                            response_status: None,
                            error: Some(why.into()),
                        },
                    )
                    .await?;
                continue;
            }
            let ts = now.timestamp();
            let signature =
                webhook_signature(secret.as_deref().unwrap_or_default(), ts, &d.payload);
            let [event, delivery, timestamp, sig] = SIGNATURE_HEADERS;
            return Ok(Some(OutgoingDelivery {
                id: d.id,
                url: c.url,
                headers: vec![
                    (event, d.event.as_str().to_string()),
                    (delivery, d.id.to_string()),
                    (timestamp, ts.to_string()),
                    (sig, signature),
                ],
                body: d.payload,
                attempts: d.attempts,
                created_at: d.created_at,
            }));
        }
    }

    /// Records a try: the receiver's status (`None`: no answer, `error` says why). Accepted
    /// is delivered, refused is failed, anything else is tried again after the backoff
    /// delay while the retry window lasts. `NotFound` when the lease was lost.
    pub async fn record_webhook_try(
        &self,
        d: &OutgoingDelivery,
        owner: &str,
        status: Option<u16>,
        error: Option<String>,
        retry: RetryBounds,
    ) -> ServiceResult<DeliveryStatus> {
        let now = self.now();
        let failures = u32::try_from(d.attempts.max(1) - 1).unwrap_or(0);
        let delay = rampart_protocol::backoff::delay(retry.min, retry.max, failures);
        let next = now + chrono::Duration::from_std(delay).unwrap_or(RETRY_WINDOW);
        let outcome = match Answer::classify(status) {
            Answer::Accepted => DeliveryStatus::Delivered,
            Answer::Refused => DeliveryStatus::Failed,
            Answer::Retry if next > d.created_at + RETRY_WINDOW => DeliveryStatus::Failed,
            Answer::Retry => DeliveryStatus::Pending,
        };
        let error = match (outcome, status, error) {
            (DeliveryStatus::Delivered, _, _) => None,
            (_, _, Some(e)) => Some(e),
            (_, Some(s), None) => Some(format!("the receiver answered {s}")),
            (_, None, None) => Some("no answer".into()),
        };
        let result = DeliveryResult {
            status: outcome,
            at: now,
            next_attempt_at: if outcome == DeliveryStatus::Pending {
                next
            } else {
                now
            },
            response_status: status.map(i32::from),
            error,
        };
        match self.store().finish_delivery(d.id, owner, &result).await {
            Ok(()) => Ok(outcome),
            Err(StoreError::NotFound) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }
}

impl Service {
    /// The events of an import, as deliveries its transaction writes: `scan.completed`, then
    /// `vulnerability.created`, `.reopened` and `.closed` when the import had such findings.
    pub(crate) fn import_deliveries(
        outbox: &Outbox,
        scan: &PlusScan,
        import: &rampart_store::PlusImport,
    ) -> Vec<WebhookDelivery> {
        let mut out = outbox.deliveries(
            WebhookEvent::ScanCompleted,
            json!({
                "scanId": scan.id,
                "applicationId": scan.app,
                "scanType": scan.scan_type.as_str(),
                "status": "completed",
                "tools": scan.tools,
                "summary": scan.summary,
            }),
        );
        let created: Vec<Value> = import
            .new
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "title": f.title,
                    "severity": rampart_domain::plus::plus_severity(f.severity),
                    "status": f.status.as_str(),
                    "cwe": f.cwe,
                    "tool": f.tool,
                })
            })
            .collect();
        let ids = |v: &[PlusFindingId]| v.iter().map(|id| json!({ "id": id })).collect();
        for (event, list) in [
            (WebhookEvent::VulnerabilityCreated, created),
            (WebhookEvent::VulnerabilityReopened, ids(&import.reopened)),
            (
                WebhookEvent::VulnerabilityClosed,
                ids(&import.closed().collect::<Vec<_>>()),
            ),
        ] {
            if !list.is_empty() {
                out.extend(outbox.deliveries(event, findings_event(scan.app, scan.id.0, list)));
            }
        }
        out
    }

    /// `scan.completed` of an engine (dast) scan.
    pub(crate) async fn emit_dast_completed(&self, scan: &Scan) {
        self.emit(
            scan.org,
            WebhookEvent::ScanCompleted,
            json!({
                "scanId": scan.id,
                "applicationId": scan.app,
                "scanType": "dast",
                "status": "completed",
            }),
        )
        .await;
    }

    /// Whether any active subscription of the tenant wants `event` (so that an event's
    /// details are read only when someone will receive them).
    async fn wanted(&self, org: OrgId, event: WebhookEvent) -> bool {
        match self.store().list_webhooks(org).await {
            Ok(hooks) => hooks.iter().any(|w| w.wants(event)),
            Err(e) => {
                tracing::warn!(%org, error = %e, "cannot read the webhook subscriptions");
                false
            }
        }
    }

    /// `vulnerability.created` and `.reopened` of an engine scan's finding batch, as
    /// deliveries the batch's transaction writes: the vulnerabilities the batch created in
    /// the app, and the remediated ones it found again, each described from the finding
    /// that made it (the stored vulnerability is that finding merged).
    pub(crate) fn dast_finding_deliveries(
        &self,
        outbox: &Outbox,
        scan: ScanId,
        findings: &[Finding],
        counts: &rampart_store::IngestCounts,
    ) -> Vec<WebhookDelivery> {
        let Some(app) = counts.app else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (event, ids, from) in [
            (
                WebhookEvent::VulnerabilityCreated,
                &counts.created,
                &counts.created_from,
            ),
            (
                WebhookEvent::VulnerabilityReopened,
                &counts.reopened,
                &counts.reopened_from,
            ),
        ] {
            if ids.is_empty() {
                continue;
            }
            let listed: Vec<Value> = ids
                .iter()
                .zip(from)
                .take(EVENT_FINDINGS_MAX)
                .filter_map(|(id, i)| findings.get(*i).map(|f| self.finding_event_entry(*id, f)))
                .collect();
            let mut body = findings_event(app, scan.0, listed);
            // The exact count, though at most EVENT_FINDINGS_MAX are listed.
            body["count"] = json!(ids.len());
            body["truncated"] = json!(ids.len() > EVENT_FINDINGS_MAX);
            body["scanType"] = json!("dast");
            out.extend(outbox.deliveries(event, body));
        }
        out
    }

    /// A new or reopened engine vulnerability in an event: it is open (`UNREVIEWED`).
    fn finding_event_entry(&self, id: VulnerabilityId, f: &Finding) -> Value {
        let m = self.catalogue.iter().find(|m| m.id == f.module);
        json!({
            "id": id,
            "title": m.map_or_else(|| f.module.to_string(), |m| m.name.to_string()),
            "severity": rampart_domain::plus::plus_severity(f.severity),
            "status": PlusStatus::from_ias(VulnStatus::Unreviewed).as_str(),
            "cwe": m.map(|m| format!("CWE-{}", m.cwe)),
            "tool": "rampart",
        })
    }

    /// `vulnerability.closed` of a verification scan: what it no longer found.
    pub(crate) async fn emit_dast_closed(&self, scan: &Scan, fixed: &[VulnerabilityId]) {
        if fixed.is_empty()
            || !self
                .wanted(scan.org, WebhookEvent::VulnerabilityClosed)
                .await
        {
            return;
        }
        let listed = fixed.iter().map(|id| json!({ "id": id })).collect();
        let mut body = findings_event(scan.app, scan.id.0, listed);
        body["scanType"] = json!("dast");
        self.emit(scan.org, WebhookEvent::VulnerabilityClosed, body)
            .await;
    }

    /// `policy.failed` of an evaluation whose verdict is `fail`.
    pub(crate) async fn emit_policy_outcome(
        &self,
        policy: &Policy,
        app: Option<AppId>,
        evaluation: &Evaluation,
    ) {
        if evaluation.verdict != Verdict::Fail {
            return;
        }
        let deciding: Vec<&uuid::Uuid> = evaluation
            .deciding
            .iter()
            .take(EVENT_FINDINGS_MAX)
            .collect();
        self.emit(
            policy.org,
            WebhookEvent::PolicyFailed,
            json!({
                "policyId": policy.id,
                "policyName": policy.name,
                "applicationId": app,
                "result": evaluation.verdict.as_str(),
                "matched": evaluation.matched,
                "decidingFindingIds": deciding,
                "truncated": evaluation.deciding.len() > deciding.len(),
            }),
        )
        .await;
    }
}

/// The `vulnerability.*` event body of one import: the application, the scan, the exact
/// count and at most [`EVENT_FINDINGS_MAX`] findings.
pub(crate) fn findings_event(app: AppId, scan: uuid::Uuid, findings: Vec<Value>) -> Value {
    let count = findings.len();
    let listed: Vec<Value> = findings.into_iter().take(EVENT_FINDINGS_MAX).collect();
    json!({
        "applicationId": app,
        "scanId": scan,
        "count": count,
        "truncated": count > listed.len(),
        "vulnerabilities": listed,
    })
}

/// A tenant's subscriptions read before a change, so that the change's events become
/// deliveries written in the change's own transaction.
pub(crate) struct Outbox {
    org: OrgId,
    hooks: Vec<Webhook>,
    now: chrono::DateTime<chrono::Utc>,
}

impl Outbox {
    /// One pending delivery of the event per active subscription that wants it (none when
    /// nobody does); one event id and payload shared by all of them.
    pub(crate) fn deliveries(&self, event: WebhookEvent, data: Value) -> Vec<WebhookDelivery> {
        let wanting: Vec<&Webhook> = self.hooks.iter().filter(|w| w.wants(event)).collect();
        if wanting.is_empty() {
            return Vec::new();
        }
        let event_id = uuid::Uuid::new_v4();
        let payload = json!({
            "eventId": event_id,
            "eventType": event.as_str(),
            "timestamp": self.now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "data": data,
        })
        .to_string();
        wanting
            .iter()
            .map(|w| WebhookDelivery {
                id: WebhookDeliveryId::new(),
                org: self.org,
                webhook: w.id,
                event_id,
                event,
                payload: payload.clone(),
                status: DeliveryStatus::Pending,
                attempts: 0,
                next_attempt_at: self.now,
                created_at: self.now,
                last_attempt_at: None,
                response_status: None,
                last_error: None,
                delivered_at: None,
                replay_of: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            webhook_signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
        assert_ne!(
            webhook_signature("whsec_test", 1_700_000_001, r#"{"a":1}"#),
            webhook_signature("whsec_test", 1_700_000_000, r#"{"a":1}"#)
        );
    }
}
