//! A scan's live stream (server-sent events): its state (status, counters, the actions
//! the caller may send) whenever it changes, its new events, and `end` once the scan is
//! finished. Fed by the service's progress notices (`Service::scan_progress`), with a
//! read every `PROGRESS_POLL` for changes made on another replica; every read goes
//! through the service with the caller's principal, and the session is checked again
//! every `PROGRESS_POLL`, so signing out ends the stream.
//!
//! Events: `state` (JSON object), `log` (JSON array of events, `id` = the last event's
//! number, so a reconnecting `EventSource` resumes after it), `end`.

use crate::error::service_error;
use crate::pages::scans::{allowed_actions, counters, status_text};
use crate::session::{cookie, Caller, SESSION_COOKIE};
use crate::Console;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use rampart_domain::job::EventKind;
use rampart_domain::*;
use rampart_service::{Service, PROGRESS_POLL};
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Instant;
use tokio::sync::{broadcast, mpsc};

/// Events read per query (a long backlog goes out in several `log` messages).
const BATCH: u64 = 200;

pub async fn stream(
    State(s): State<Console>,
    caller: Caller,
    Path(id): Path<ScanId>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    // Refused (404, 403) before any stream starts.
    if let Err(e) = s.service.get_scan(&caller.0.principal, id).await {
        return service_error(e);
    }
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(q.get("after").map(String::as_str))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    // Subscribed before the first read, so no change between the two is missed.
    let notices = s.service.scan_progress();
    let (tx, rx) = mpsc::channel::<Event>(16);
    tokio::spawn(feed(s.service.clone(), token, id, after, notices, tx));
    let events = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Reads and sends until the scan is finished, the session ends or the client leaves.
async fn feed(
    service: Service,
    token: String,
    id: ScanId,
    mut after: i64,
    mut notices: broadcast::Receiver<ScanId>,
    tx: mpsc::Sender<Event>,
) {
    let mut last_state = String::new();
    let mut session: Option<(Instant, Principal)> = None;
    loop {
        // The session (and the caller's current role) again, at most every PROGRESS_POLL.
        if session
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= PROGRESS_POLL)
        {
            let Ok(caller) = service.console_caller(&token).await else {
                let _ = tx
                    .send(Event::default().event("end").data("signed out"))
                    .await;
                return;
            };
            session = Some((Instant::now(), caller.principal));
        }
        let Some((_, p)) = &session else { return };
        let (Ok(scan), Ok(details)) = (
            service.get_scan(p, id).await,
            service.scan_execution_details(p, id).await,
        ) else {
            let _ = tx.send(Event::default().event("end").data("gone")).await;
            return;
        };
        let can = p.can(Resource::Scans, Action::Manage);
        let state = json!({
            "status": status_text(&scan),
            "terminal": scan.status.is_terminal(),
            "completed": scan.completion_time.map(crate::pages::dashboard::when),
            "counters": counters(&details).iter().map(|(k, _, v)| (k.to_string(), json!(v)))
                .collect::<serde_json::Map<_, _>>(),
            "actions": allowed_actions(can, scan.status).iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        })
        .to_string();
        if state != last_state {
            if tx
                .send(Event::default().event("state").data(&state))
                .await
                .is_err()
            {
                return;
            }
            last_state = state;
        }
        loop {
            let Ok(batch) = service.scan_events_after(p, id, after, BATCH).await else {
                break;
            };
            let Some(last) = batch.last() else { break };
            after = last.seq;
            let n = batch.len() as u64;
            let items: Vec<_> = batch
                .iter()
                .map(|e| {
                    json!({
                        "seq": e.seq,
                        "time": e.event.time.to_rfc3339(),
                        "clock": e.event.time.format("%H:%M:%S").to_string(),
                        "kind": if e.kind == EventKind::Engine { "engine" } else { "platform" },
                        "text": e.event.event,
                    })
                })
                .collect();
            let ev = Event::default()
                .event("log")
                .id(after.to_string())
                .data(serde_json::Value::Array(items).to_string());
            if tx.send(ev).await.is_err() {
                return;
            }
            if n < BATCH {
                break;
            }
        }
        if scan.status.is_terminal() {
            let _ = tx
                .send(Event::default().event("end").data("finished"))
                .await;
            return;
        }
        let wait = async {
            loop {
                match notices.recv().await {
                    Ok(x) if x == id => return,
                    Ok(_) => {}
                    // Fell behind: some notice may have been ours.
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
                }
            }
        };
        tokio::select! {
            _ = wait => {}
            _ = tokio::time::sleep(PROGRESS_POLL) => {}
            _ = tx.closed() => return,
        }
        // Notices that came meanwhile are covered by the read that follows.
        while notices.try_recv().is_ok() {}
    }
}
