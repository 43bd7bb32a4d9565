//! Connections closed before an answer: an idempotent request is sent once more; what still
//! gets no answer is counted in the summary with its reason (pages dropped by the crawl,
//! attack jobs abandoned with their remaining payloads) and said in the events.

use rampart_engine::plan::Modules;
use rampart_engine::{Event, ScanPlan};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

const CLOSED: &str = "connection closed or broken";

/// Every request the server read, as `METHOD PATH BODY`.
type Seen = Arc<Mutex<Vec<String>>>;

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
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
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

/// The site: `/` links a page that fails once and one that always fails, and holds a form
/// whose handler closes the connection on any quote or bracket.
async fn serve() -> (std::net::SocketAddr, Seen) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let seen = s2.clone();
            tokio::spawn(async move {
                while let Some((method, path, body)) = read_request(&mut s).await {
                    let key = format!("{method} {path}");
                    let earlier = {
                        let mut v = seen.lock().unwrap();
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
                        ("GET", "/flaky") if earlier > 0 => Some("<html><body><p>flaky page, answered the second time</p></body></html>"),
                        ("POST", "/comment") if !["%27", "%22", "%3C", "%3E", "'", "<"].iter().any(|c| body.contains(c)) => {
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
            });
        }
    });
    (addr, seen)
}

#[tokio::test]
async fn a_closed_connection_is_retried_once_for_gets_and_every_loss_is_counted_with_its_reason() {
    let (addr, seen) = serve().await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.modules = Modules::from_keys(["xss_reflected", "sqli"]);
    let (s, events) = crate::run(plan).await;
    let seen = seen.lock().unwrap().clone();
    let count = |p: &str| seen.iter().filter(|k| k.starts_with(p)).count();

    // Failed once, answered on the retry: crawled, nothing dropped for it.
    assert!(
        s.crawled.iter().any(|u| u.ends_with("/flaky")),
        "{:?}",
        s.crawled
    );
    let flaky: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, k)| k.starts_with("GET /flaky "))
        .map(|(i, _)| i)
        .collect();
    assert!(flaky.len() >= 2, "{seen:?}");
    // Never answered: tried twice (one retry, no more), dropped with its reason.
    assert_eq!(count("GET /gone "), 2, "{seen:?}");
    assert!(!s.crawled.iter().any(|u| u.ends_with("/gone")));
    assert_eq!(s.dropped.get(CLOSED), Some(&1), "{:?}", s.dropped);
    // A POST is never sent twice: each abandoned job made exactly one unanswered request.
    let unanswered = seen
        .iter()
        .filter(|k| {
            k.starts_with("POST /comment ")
                && ["%27", "%22", "%3C", "%3E", "'", "<"]
                    .iter()
                    .any(|c| k.contains(c))
        })
        .count() as u64;
    let abandoned = s.abandoned.get(CLOSED).copied().unwrap_or(0);
    assert!(abandoned >= 1, "{:?}", s.abandoned);
    assert_eq!(abandoned, unanswered, "{seen:?}");
    let logs: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        logs.iter()
            .any(|m| m.starts_with("page ") && m.contains("/gone not crawled")),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|m| m.starts_with("attack jobs abandoned")
            && m.contains(&format!("{abandoned} ({CLOSED})"))),
        "{logs:?}"
    );
}
