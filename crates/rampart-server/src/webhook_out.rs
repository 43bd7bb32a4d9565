//! The webhook deliverer: the background loop every replica runs. It leases a due delivery
//! of the outbox (a compare-and-set in the store, so one replica sends it), POSTs the signed
//! body, and records the try through the service, which decides delivered, failed or the
//! next try (`rampart_protocol::backoff` for 24 h). A sender that dies holds a lease that
//! expires, and the delivery is sent again: receivers dedupe on `X-Rampart-Delivery`.
//! Redirects are not followed (a receiver that moved must be updated, not chased).

use crate::state::AppState;
use rampart_service::{OutgoingDelivery, RetryBounds};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How the deliverer runs.
#[derive(Clone, Debug)]
pub struct DelivererSettings {
    /// Lease owner names start with this.
    pub owner_prefix: String,
    /// How long a claim lasts; longer than `timeout`, so a try never outlives its lease.
    pub lease: Duration,
    /// One try's limit (connect, send and the receiver's answer).
    pub timeout: Duration,
    /// The delays between tries of one delivery.
    pub retry: RetryBounds,
    /// How often an idle deliverer looks for due deliveries (retries and other replicas').
    pub poll: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

impl Default for DelivererSettings {
    fn default() -> Self {
        Self {
            owner_prefix: "webhooks/local-".into(),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            retry: RetryBounds {
                min: Duration::from_secs(30),
                max: Duration::from_secs(3600),
            },
            poll: Duration::from_secs(2),
            concurrency: 8,
        }
    }
}

/// Runs until `stop` turns true (or its sender is dropped).
pub async fn run(
    state: AppState,
    settings: DelivererSettings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .user_agent(concat!("rampart-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client: no deliveries");
            return;
        }
    };
    let wake = state.service.webhook_deliveries();
    let owner = format!("{}{}", settings.owner_prefix, Uuid::new_v4().simple());
    let slots = Arc::new(tokio::sync::Semaphore::new(settings.concurrency.max(1)));
    let mut running = tokio::task::JoinSet::new();
    loop {
        if *stop.borrow() {
            running.abort_all();
            return;
        }
        while running.try_join_next().is_some() {}
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        match state
            .service
            .claim_webhook_delivery(&owner, settings.lease)
            .await
        {
            Ok(Some(d)) => {
                let (state, http, owner, retry) =
                    (state.clone(), http.clone(), owner.clone(), settings.retry);
                running.spawn(async move {
                    send(&state, &http, &owner, retry, d).await;
                    drop(permit);
                });
                continue;
            }
            Ok(None) => drop(permit),
            Err(e) => {
                drop(permit);
                tracing::warn!(error = %e, "cannot claim a webhook delivery");
            }
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(settings.poll) => {}
            _ = stop.changed() => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
}

/// One try of one delivery, recorded.
async fn send(
    state: &AppState,
    http: &reqwest::Client,
    owner: &str,
    retry: RetryBounds,
    d: OutgoingDelivery,
) {
    let mut req = http
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in &d.headers {
        req = req.header(*name, value);
    }
    let (status, error) = match req.body(d.body.clone()).send().await {
        Ok(res) => (Some(res.status().as_u16()), None),
        Err(e) => (None, Some(describe(&e))),
    };
    match state
        .service
        .record_webhook_try(&d, owner, status, error, retry)
        .await
    {
        Ok(outcome) => {
            tracing::debug!(delivery = %d.id, ?status, outcome = outcome.as_str(), "webhook try")
        }
        Err(e) => tracing::warn!(delivery = %d.id, error = %e, "cannot record a webhook try"),
    }
}

/// Why no answer came, without the URL (the log shows the subscription's).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the receiver did not answer in time".into()
    } else if e.is_connect() {
        "cannot connect to the receiver".into()
    } else {
        let mut s = e.to_string();
        if let Some(u) = e.url() {
            s = s.replace(u.as_str(), "<url>");
        }
        format!("the request failed: {s}")
    }
}
