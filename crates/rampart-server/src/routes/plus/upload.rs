//! Streaming an upload into a parser: the request body is forwarded chunk by chunk over a
//! bounded channel to a blocking task that parses from it (`rampart_ingest`), so the
//! document is never held whole in memory; past [`MAX_UPLOAD`] bytes it is refused.

use crate::problem::Problem;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use futures::StreamExt;
use rampart_ingest::{Format, IngestError, Report};
use serde_json::json;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The largest upload accepted.
pub const MAX_UPLOAD: u64 = 1024 * 1024 * 1024;

/// A [`Read`] over the chunks the body task sends.
struct ChannelReader {
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    chunk: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.chunk = b,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len());
        out[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

/// Parses the body as `format` while it arrives.
pub async fn parse_body(body: Body, format: Format) -> Result<Report, Problem> {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let too_large = Arc::new(AtomicBool::new(false));
    let flag = too_large.clone();
    let pump = tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut total: u64 = 0;
        while let Some(chunk) = stream.next().await {
            let item = match chunk {
                Ok(b) => {
                    total += b.len() as u64;
                    if total > MAX_UPLOAD {
                        flag.store(true, Ordering::Relaxed);
                        Err(std::io::Error::other("upload too large"))
                    } else {
                        Ok(b)
                    }
                }
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            let stop = item.is_err();
            // The parser stopped reading (it failed early): nothing more to forward.
            if tx.send(item).await.is_err() || stop {
                break;
            }
        }
    });
    let reader = std::io::BufReader::with_capacity(
        64 * 1024,
        ChannelReader {
            rx,
            chunk: Bytes::new(),
        },
    );
    let parsed = tokio::task::spawn_blocking(move || rampart_ingest::parse(format, reader))
        .await
        .map_err(|e| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                e.to_string(),
            )
        })?;
    pump.abort();
    if too_large.load(Ordering::Relaxed) {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the upload must be at most {MAX_UPLOAD} bytes"),
        ));
    }
    parsed.map_err(invalid_document)
}

/// A refused document: 422 naming the first error's JSON pointer (and, for a schema error,
/// the schema rule it broke).
fn invalid_document(e: IngestError) -> Problem {
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_document",
        format!(
            "the document is not valid: {} (at {})",
            e.message,
            if e.pointer.is_empty() {
                "the document root"
            } else {
                &e.pointer
            }
        ),
    );
    let mut error = json!({"pointer": e.pointer, "message": e.message});
    // A schema error is found in a value already read: no reader position, the rule broken.
    if e.line > 0 {
        error["line"] = json!(e.line);
        error["column"] = json!(e.column);
    }
    if let Some(rule) = e.expected {
        error["schemaPath"] = json!(rule);
    }
    p.details = json!({ "errors": [error] });
    p
}
