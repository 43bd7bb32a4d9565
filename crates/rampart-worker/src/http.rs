//! The job source of a remote `rampart engine`: the `/engine/v1` protocol over HTTP
//! (routes and headers: [`rampart_protocol::routes`]).
//!
//! Every call carries the engine credential as `Authorization: Bearer rmpe_…` and the
//! worker id (one per slot) as `Rampart-Worker`. 401 and 403 mean the credential was
//! revoked or is wrong ([`SourceError::Refused`]); 409 means the lease is gone
//! ([`SourceError::LeaseLost`]); a network error, a 429 or a 5xx is
//! [`SourceError::Unavailable`], which the worker retries with backoff.

use crate::{JobSource, SourceError};
use async_trait::async_trait;
use rampart_domain::scan::ScanAction;
use rampart_domain::ScanId;
use rampart_protocol::routes::{self, job_path, VERSION_HEADER, WORKER_HEADER};
use rampart_protocol::wire::*;
use reqwest::StatusCode;
use std::time::Duration;

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
        format!("{}{}{path}", self.base, routes::PREFIX)
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
        let path = format!("{}?wait={}", routes::CLAIM, wait.as_secs());
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
            .post(&job_path(routes::HEARTBEAT, scan), worker, hb, CALL_TIMEOUT)
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
        self.post(
            &job_path(routes::EVENTS, scan),
            worker,
            events,
            CALL_TIMEOUT,
        )
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
            &job_path(routes::FINDINGS, scan),
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
            &job_path(routes::FINISH, scan),
            worker,
            outcome,
            CALL_TIMEOUT,
        )
        .await
        .map(drop)
    }

    async fn wait_action(
        &self,
        scan: ScanId,
        worker: &str,
        wait: Duration,
    ) -> Result<Option<ScanAction>, SourceError> {
        let path = format!("{}?wait={}", job_path(routes::ACTION, scan), wait.as_secs());
        let resp = self
            .post(&path, worker, &serde_json::json!({}), wait + CALL_TIMEOUT)
            .await?;
        resp.json::<ActionReply>()
            .await
            .map(|r| r.action)
            .map_err(|e| SourceError::Unavailable(format!("action answer: {e}")))
    }

    async fn release(&self, scan: ScanId, worker: &str) -> Result<(), SourceError> {
        self.post(
            &job_path(routes::RELEASE, scan),
            worker,
            &serde_json::json!({}),
            CALL_TIMEOUT,
        )
        .await
        .map(drop)
    }
}
