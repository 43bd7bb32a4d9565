//! The webhook deliverer: the background loop every replica runs. It leases a due delivery
//! of the outbox (a compare-and-set in the store, so one replica sends it), POSTs the signed
//! body, and records the try through the service, which decides delivered, failed or the
//! next try (`rampart_protocol::backoff` for 24 h). A sender that dies holds a lease that
//! expires, and the delivery is sent again: receivers dedupe on `X-Rampart-Delivery`.
//! Redirects are not followed (a receiver that moved must be updated, not chased).
//!
//! The SSRF guard: unless the server allows private receivers
//! ([`rampart_service::Service::with_private_webhooks`]), a receiver whose name resolves to
//! any loopback, private, link-local or metadata address ([`AddressClass`]) is not
//! contacted. The check runs at every try (a name that resolved to a public address at
//! subscription time may not now), and the HTTP client's own resolver ([`PublicOnly`])
//! enforces it again on the addresses it actually connects to.

use crate::state::AppState;
use rampart_domain::address::AddressClass;
use rampart_service::{OutgoingDelivery, RetryBounds};
use std::net::SocketAddr;
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
    let http = match client(state.service.private_webhooks_allowed(), settings.timeout) {
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

/// The one HTTP client configuration for every outgoing webhook request (deliveries and
/// connector tests): no redirects (a receiver cannot bounce us to another address), a
/// deadline, our user agent, and, unless private receivers are allowed, the
/// [`PublicOnly`] resolver.
fn client(allow_private: bool, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder();
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(concat!("rampart-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
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
    let guard = if state.service.private_webhooks_allowed() {
        Ok(())
    } else {
        public_receiver(&d.url).await
    };
    let (status, error) = match guard {
        Err(refused) => (None, Some(refused)),
        Ok(()) => match req.body(d.body.clone()).send().await {
            Ok(res) => (Some(res.status().as_u16()), None),
            Err(e) => (None, Some(describe(&e))),
        },
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

/// One signed POST outside the outbox (a webhook connector's test): the receiver's status,
/// or why there was none. The same guard, redirect rule and timeout as deliveries.
pub async fn probe(
    state: &AppState,
    url: &str,
    secret: Option<&str>,
    body: String,
) -> Result<u16, String> {
    let allow_private = state.service.private_webhooks_allowed();
    if !allow_private {
        public_receiver(url).await?;
    }
    let http = client(allow_private, DelivererSettings::default().timeout)
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let ts = state.service.clock().now().timestamp();
    let [event, delivery, timestamp, signature] = rampart_service::SIGNATURE_HEADERS;
    let mut req = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(event, "connector.test")
        .header(delivery, Uuid::new_v4().to_string())
        .header(timestamp, ts.to_string());
    if let Some(secret) = secret {
        req = req.header(
            signature,
            rampart_service::webhook_signature(secret, ts, &body),
        );
    }
    match req.body(body).send().await {
        Ok(res) => Ok(res.status().as_u16()),
        Err(e) => Err(describe(&e)),
    }
}

/// `Ok` when every address of the receiver is public; else why it is not contacted.
async fn public_receiver(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|_| "the receiver's URL is not valid".to_string())?;
    let addrs: Vec<SocketAddr> = match u.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), 0)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), 0)],
        Some(url::Host::Domain(name)) => resolve(name).await?,
        None => return Err("the receiver's URL names no host".into()),
    };
    refuse_private(u.host_str().unwrap_or_default(), &addrs)
}

async fn resolve(name: &str) -> Result<Vec<SocketAddr>, String> {
    tokio::net::lookup_host((name, 0))
        .await
        .map(Iterator::collect)
        .map_err(|_| "cannot resolve the receiver's name".to_string())
}

fn refuse_private(host: &str, addrs: &[SocketAddr]) -> Result<(), String> {
    match addrs
        .iter()
        .map(|a| AddressClass::of(a.ip()))
        .find(|c| *c != AddressClass::Public)
    {
        Some(class) => Err(format!(
            "not sent: {host} is {}, and this server only delivers to public receivers (--webhook-allow-private)",
            class.describe()
        )),
        None => Ok(()),
    }
}

/// The HTTP client's resolver when private receivers are refused: a name with any
/// non-public address resolves to nothing (so a DNS answer that changed since the check
/// in [`public_receiver`] is refused too).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs = resolve(&host).await?;
            refuse_private(&host, &addrs)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_receivers_are_refused_and_public_ones_pass() {
        for url in [
            "http://127.0.0.1:9/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.7/hook",
            "https://192.168.1.10/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://localhost/hook",
        ] {
            let e = public_receiver(url).await.expect_err(url);
            assert!(e.starts_with("not sent: "), "{url}: {e}");
        }
        assert!(refuse_private("hooks.example", &["93.184.216.34:443".parse().unwrap()]).is_ok());
        // One private address among public ones refuses the whole name (rebinding).
        assert!(refuse_private(
            "hooks.example",
            &[
                "93.184.216.34:443".parse().unwrap(),
                "10.0.0.1:443".parse().unwrap()
            ]
        )
        .is_err());
    }
}
