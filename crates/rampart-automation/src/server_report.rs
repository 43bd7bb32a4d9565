//! Server-side reports (`rampart report --server-side`): request one, wait for it by
//! polling its content (204 while the server generates it) up to a deadline, and return
//! its bytes; the caller saves them.

use crate::lookup::find_app;
use rampart_api_types::ias::{IdRef, ReportGeneration};
use rampart_client::Client;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What to request.
#[derive(Clone, Debug)]
pub struct ServerReportRequest {
    pub name: String,
    /// A §3.10 type, e.g. `VULN_SUMMARY`.
    pub kind: String,
    /// `PDF`, `HTML` or `CSV`.
    pub format: String,
    /// The content type the format is served as (the `Accept` to poll with).
    pub content_type: &'static str,
    pub scan: Option<Uuid>,
    /// An app name or id.
    pub app: Option<String>,
    pub filter: Option<String>,
}

/// How long to wait and how often to ask.
#[derive(Clone, Copy, Debug)]
pub struct Waiting {
    pub deadline: Duration,
    pub every: Duration,
}

/// Requests the report and waits for its content; `progress` hears each poll (the report
/// id, the time waited so far). A deadline passed, a failed report or an API error is the
/// message to show.
pub async fn request_and_wait(
    c: &Client,
    req: &ServerReportRequest,
    wait: Waiting,
    mut progress: impl FnMut(Uuid, Duration),
) -> Result<(Uuid, Vec<u8>), String> {
    let app = match &req.app {
        Some(a) => Some(find_app(c, a).await?),
        None => None,
    };
    let body = ReportGeneration {
        name: req.name.clone(),
        kind: req.kind.clone(),
        format: req.format.clone(),
        scan: req.scan.map(|id| IdRef { id }),
        app: app.and_then(|a| a.id).map(|id| IdRef { id }),
        filter: req.filter.clone(),
        ..ReportGeneration::default()
    };
    let id = c
        .create_report(&body)
        .await
        .map_err(|e| format!("cannot request the report: {e}"))?;
    let started = Instant::now();
    loop {
        progress(id, started.elapsed());
        match c.report_content(id, req.content_type).await {
            Ok(Some(bytes)) => return Ok((id, bytes)),
            Ok(None) => {}
            Err(e) => return Err(format!("report {id}: {e}")),
        }
        if started.elapsed() >= wait.deadline {
            return Err(format!(
                "report {id} was still being generated after {} s; fetch it later with GET /ias/v1/reports/{id}",
                wait.deadline.as_secs()
            ));
        }
        tokio::time::sleep(wait.every).await;
    }
}
