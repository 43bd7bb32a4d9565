//! A site whose server closes connections under some requests (outside the manifest): a
//! page that fails once and is answered on a retry, a page that never gets an answer, and a
//! form whose handler closes the connection on any quote or bracket. What a scanner loses
//! to it must be counted with its reason (pages dropped, attack jobs abandoned).
//!
//! A raw TCP server, not axum: a handler cannot close the connection under its request.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Characters on which the form handler closes the connection (raw and percent-encoded).
pub const CLOSES_ON: [&str; 6] = ["%27", "%22", "%3C", "%3E", "'", "<"];

/// The reason a scanner gives for a connection closed under a request.
pub const CLOSED: &str = "connection closed or broken";

/// A running dropping site; it stops when the handle is dropped.
pub struct DroppingSite {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl DroppingSite {
    /// `http://ADDR/`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every request read so far, as `METHOD PATH BODY`.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for DroppingSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The `Content-Length` a request head declares (0 when it declares none).
pub fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// Reads one request (head and `Content-Length` body); `None` when the peer went away.
async fn read_request(s: &mut TcpStream) -> Option<(String, String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = content_length(&head);
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned();
    let mut first = head.split_whitespace();
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    Some((method, path, body))
}

/// Serves one connection until the peer leaves or the site closes it under a request.
async fn connection(mut s: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    while let Some((method, path, body)) = read_request(&mut s).await {
        let key = format!("{method} {path}");
        let earlier = {
            let Ok(mut v) = seen.lock() else { return };
            let n = v
                .iter()
                .filter(|k| k.starts_with(&format!("{key} ")))
                .count();
            v.push(format!("{key} {body}"));
            n
        };
        let page = match (method.as_str(), path.as_str()) {
            ("GET", "/") => Some(
                "<html><body><a href=\"/flaky\">flaky</a> <a href=\"/gone\">gone</a>\
                 <form method=\"post\" action=\"/comment\"><input name=\"text\" value=\"hi\"><input type=\"submit\"></form></body></html>",
            ),
            ("GET", "/flaky") if earlier > 0 => {
                Some("<html><body><p>flaky page, answered the second time</p></body></html>")
            }
            ("POST", "/comment") if !CLOSES_ON.iter().any(|c| body.contains(c)) => {
                Some("<html><body><p>thanks</p></body></html>")
            }
            ("GET", "/flaky" | "/gone") | ("POST", "/comment") => None,
            _ => Some(""),
        };
        // No answer: the connection is closed under the request.
        let Some(page) = page else { return };
        let status = if page.is_empty() {
            "404 Not Found"
        } else {
            "200 OK"
        };
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
            page.len()
        );
        if s.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Starts the site on 127.0.0.1:0.
pub async fn spawn() -> std::io::Result<DroppingSite> {
    let l = TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s2 = seen.clone();
    let task = tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(connection(s, s2.clone()));
        }
    });
    Ok(DroppingSite { addr, seen, task })
}
