//! The job source of a remote `rampart engine`: the `/engine/v1` protocol over HTTP.
//!
//! Every call carries the engine credential as `Authorization: Bearer rmpe_…` and the
//! worker id (one per slot) as `Rampart-Worker`. Routes, relative to the server URL:
//!
//! | call | route | success | refusal |
//! | --- | --- | --- | --- |
//! | claim | `POST /engine/v1/jobs/claim?wait=SECONDS` | 200 `JobSpec`, 204 none | |
//! | heartbeat | `POST /engine/v1/jobs/{scan}/heartbeat` `Heartbeat` | 200 `HeartbeatReply` | 409 lease lost |
//! | events | `POST /engine/v1/jobs/{scan}/events` `[JobEvent]` | 204 | 409 |
//! | findings | `POST /engine/v1/jobs/{scan}/findings` `FindingBatch` | 204 | 409 |
//! | finish | `POST /engine/v1/jobs/{scan}/finish` `JobOutcome` | 204 | 409 |
//!
//! 401 and 403 mean the credential was revoked or is wrong ([`SourceError::Refused`]);
//! 409 means the lease is gone ([`SourceError::LeaseLost`]); a network error, a 429 or
//! a 5xx is [`SourceError::Unavailable`], which the worker retries with backoff.

use crate::{JobSource, SourceError};
use async_trait::async_trait;
use rampart_domain::job::*;
use rampart_domain::ScanId;
use reqwest::StatusCode;
use std::time::Duration;

/// Header naming the worker slot that makes a call.
pub const WORKER_HEADER: &str = "Rampart-Worker";
/// Header with the engine's version (its heartbeat's `version`).
pub const VERSION_HEADER: &str = "Rampart-Engine-Version";

/// `/engine/v1` over HTTP(S).
#[derive(Clone)]
pub struct HttpSource {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for HttpSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSource")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl HttpSource {
    /// `server` is the server's base URL (`https://rampart.example:8080`); `token` the
    /// engine credential.
    pub fn new(server: &str, token: &str) -> Result<Self, SourceError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| SourceError::Refused(format!("http client: {e}")))?;
        Ok(Self {
            base: server.trim_end_matches('/').to_string(),
            token: token.to_string(),
            client,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/engine/v1/{path}", self.base)
    }

    async fn post<B: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        worker: &str,
        body: &B,
        timeout: Duration,
    ) -> Result<reqwest::Response, SourceError> {
        let resp = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .header(WORKER_HEADER, worker)
            .header(VERSION_HEADER, env!("CARGO_PKG_VERSION"))
            .timeout(timeout)
            .json(body)
            .send()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        classify(resp).await
    }
}

/// Maps a response to success or to the worker's three kinds of failure.
async fn classify(resp: reqwest::Response) -> Result<reqwest::Response, SourceError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let text = resp.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or(text);
    Err(match status {
        StatusCode::CONFLICT | StatusCode::GONE => SourceError::LeaseLost,
        StatusCode::TOO_MANY_REQUESTS => SourceError::Unavailable(format!("{status}: {message}")),
        s if s.is_server_error() => SourceError::Unavailable(format!("{status}: {message}")),
        _ => SourceError::Refused(format!("{status}: {message}")),
    })
}

/// Per-call timeout for the short calls (everything but the claim long-poll).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

#[async_trait]
impl JobSource for HttpSource {
    async fn claim(&self, worker: &str, wait: Duration) -> Result<Option<JobSpec>, SourceError> {
        let path = format!("jobs/claim?wait={}", wait.as_secs());
        let resp = self
            .post(&path, worker, &serde_json::json!({}), wait + CALL_TIMEOUT)
            .await?;
        if resp.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        resp.json::<JobSpec>()
            .await
            .map(Some)
            .map_err(|e| SourceError::Unavailable(format!("claim answer: {e}")))
    }

    async fn heartbeat(
        &self,
        scan: ScanId,
        worker: &str,
        hb: &Heartbeat,
    ) -> Result<HeartbeatReply, SourceError> {
        let resp = self
            .post(&format!("jobs/{scan}/heartbeat"), worker, hb, CALL_TIMEOUT)
            .await?;
        resp.json::<HeartbeatReply>()
            .await
            .map_err(|e| SourceError::Unavailable(format!("heartbeat answer: {e}")))
    }

    async fn events(
        &self,
        scan: ScanId,
        worker: &str,
        events: &[JobEvent],
    ) -> Result<(), SourceError> {
        self.post(&format!("jobs/{scan}/events"), worker, events, CALL_TIMEOUT)
            .await
            .map(drop)
    }

    async fn findings(
        &self,
        scan: ScanId,
        worker: &str,
        batch: &FindingBatch,
    ) -> Result<(), SourceError> {
        self.post(
            &format!("jobs/{scan}/findings"),
            worker,
            batch,
            CALL_TIMEOUT,
        )
        .await
        .map(drop)
    }

    async fn finish(
        &self,
        scan: ScanId,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<(), SourceError> {
        self.post(
            &format!("jobs/{scan}/finish"),
            worker,
            outcome,
            CALL_TIMEOUT,
        )
        .await
        .map(drop)
    }
}
