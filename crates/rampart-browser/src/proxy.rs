//! The network gate under the Fetch gate: Chromium sends everything through this proxy
//! (`--proxy-server`, loopback included), so traffic the Fetch domain never pauses —
//! WebSocket handshakes, CORS preflights, anything else the browser sends on its own — is
//! checked against the engine's scope gate before a byte leaves.
//!
//! - A WebSocket handshake (`ws://`, plain text inside a `CONNECT` tunnel or in absolute
//!   form) is admitted like any request of the engine (`BrowserScope::admit`: scope gate,
//!   budgets); refused, it gets a 403 and never reaches the target.
//! - Another plain request was already admitted by the Fetch gate; here it must still be in
//!   scope (no second count) and is forwarded with `Connection: close`.
//! - A TLS tunnel (`https://`, `wss://`) shows only its host and port: it opens only to a
//!   host that is one of the scan's targets (the Fetch gate has admitted every `https://`
//!   request's full URL before Chromium opens the tunnel; a `wss://` handshake is checked at
//!   the host only).
//! - Every connection goes to the addresses the scan's address policy vetted for the host
//!   (`BrowserScope::addresses`: resolved once per scan, the same ones the engine's HTTP
//!   client is pinned to), never to a fresh DNS answer: a name that resolved to a public
//!   address at the check cannot reach a private or loopback one when the browser connects,
//!   and a host the policy refuses (a loopback or private address the scan does not name, a
//!   metadata address, the rampart server itself) gets a 403 or a closed tunnel.

use rampart_engine::crawl::BrowserScope;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use url::Url;

/// Longest request head read.
const MAX_HEAD: usize = 64 * 1024;
/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// What the proxy saw: refused requests and the WebSocket handshakes it let through.
#[derive(Default)]
pub(crate) struct Seen {
    pub blocked: Vec<String>,
    pub websockets: Vec<String>,
}

/// A running proxy; stopped (with every connection it serves) when dropped.
pub(crate) struct Proxy {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Seen>>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(scope: BrowserScope) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("browser proxy: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("browser proxy: {e}"))?;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let s = seen.clone();
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    a = listener.accept() => {
                        let Ok((stream, _)) = a else { continue };
                        conns.spawn(serve(stream, scope.clone(), s.clone()));
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Ok(Self { addr, seen, task })
    }
}

fn note(seen: &Mutex<Seen>, f: impl FnOnce(&mut Seen)) {
    match seen.lock() {
        Ok(mut s) => f(&mut s),
        Err(p) => f(&mut p.into_inner()),
    }
}

/// A request head: the request line's parts, the header lines, and the bytes read after it.
struct Head {
    method: String,
    target: String,
    version: String,
    headers: Vec<(String, String)>,
    rest: Vec<u8>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_websocket(&self) -> bool {
        self.header("upgrade")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("websocket"))
    }

    /// The head as sent upstream: origin-form target, no proxy headers; `close` unless the
    /// request is an upgrade (a WebSocket keeps its own `Connection: Upgrade`).
    fn upstream(&self, path: &str) -> Vec<u8> {
        let ws = self.is_websocket();
        let mut out = format!("{} {} {}\r\n", self.method, path, self.version);
        for (n, v) in &self.headers {
            let l = n.to_ascii_lowercase();
            if l.starts_with("proxy-") || (!ws && l == "connection") || (!ws && l == "keep-alive") {
                continue;
            }
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        if !ws {
            out.push_str("Connection: close\r\n");
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.rest);
        bytes
    }
}

/// Reads a request head (after `first`, bytes already read).
async fn read_head<R: AsyncRead + Unpin>(r: &mut R, mut buf: Vec<u8>) -> Option<Head> {
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(HEAD_TIMEOUT, r.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let mut line = lines.next()?.split(' ');
    let (method, target, version) = (line.next()?, line.next()?, line.next()?);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Head {
        method: method.to_string(),
        target: target.to_string(),
        version: version.to_string(),
        headers,
        rest: buf[end + 4..].to_vec(),
    })
}

async fn refuse(stream: &mut TcpStream, seen: &Mutex<Seen>, why: String) {
    note(seen, |s| {
        if s.blocked.len() < 1_000 && !s.blocked.contains(&why) {
            s.blocked.push(why);
        }
    });
    let _ = stream
        .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await;
    let _ = stream.shutdown().await;
}

/// The verdict on one plain request to `url`: WebSocket handshakes are admitted (counted),
/// other requests were admitted by the Fetch gate and must still be in scope.
async fn verdict(scope: &BrowserScope, head: &Head, url: &Url) -> Result<(), String> {
    if head.is_websocket() {
        scope
            .admit("GET", url)
            .await
            .map_err(|r| format!("{} (WebSocket; {r})", ws_url(url)))
    } else if scope.in_scope(&head.method, url) {
        Ok(())
    } else {
        Err(format!("{url} (out of scope)"))
    }
}

fn ws_url(u: &Url) -> String {
    let mut w = u.clone();
    let _ = w.set_scheme(if u.scheme() == "https" { "wss" } else { "ws" });
    w.to_string()
}

/// Connects to one of the vetted `addrs` (no name is resolved here) and relays both ways.
async fn forward(mut client: TcpStream, addrs: &[SocketAddr], first: &[u8]) {
    let Ok(Ok(mut up)) =
        tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(addrs)).await
    else {
        let _ = client
            .write_all(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        return;
    };
    if up.write_all(first).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut up).await;
}

/// The vetted addresses of `url`'s host, or the refusal's text.
async fn addresses(scope: &BrowserScope, url: &Url) -> Result<Vec<SocketAddr>, String> {
    scope
        .addresses(url)
        .await
        .map_err(|why| format!("{url} (address policy: {why})"))
}

async fn serve(mut client: TcpStream, scope: BrowserScope, seen: Arc<Mutex<Seen>>) {
    let Some(head) = read_head(&mut client, Vec::new()).await else {
        return;
    };
    if head.method.eq_ignore_ascii_case("CONNECT") {
        let authority = head.target.clone();
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        // What the client sends first tells a TLS tunnel from plain text (ws://).
        let mut buf = head.rest.clone();
        if buf.is_empty() {
            let mut chunk = [0u8; 4096];
            match tokio::time::timeout(HEAD_TIMEOUT, client.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        }
        if buf.first() == Some(&0x16) {
            let tunnel = Url::parse(&format!("https://{authority}/"));
            let addrs = match tunnel {
                Ok(u) if scope.host_allowed(&u) => addresses(&scope, &u).await,
                _ => Err(format!(
                    "https://{authority} (TLS tunnel; not a target of the scan)"
                )),
            };
            match addrs {
                Ok(a) => forward(client, &a, &buf).await,
                Err(why) => note(&seen, |s| {
                    if s.blocked.len() < 1_000 && !s.blocked.contains(&why) {
                        s.blocked.push(why);
                    }
                }),
            }
            return;
        }
        let Some(inner) = read_head(&mut client, buf).await else {
            return;
        };
        let Ok(url) = Url::parse(&format!("http://{authority}{}", inner.target)) else {
            return refuse(
                &mut client,
                &seen,
                format!("{authority}{} (not a URL)", inner.target),
            )
            .await;
        };
        if let Err(why) = verdict(&scope, &inner, &url).await {
            return refuse(&mut client, &seen, why).await;
        }
        let addrs = match addresses(&scope, &url).await {
            Ok(a) => a,
            Err(why) => return refuse(&mut client, &seen, why).await,
        };
        if inner.is_websocket() {
            note(&seen, |s| s.websockets.push(ws_url(&url)));
        }
        let first = inner.upstream(&inner.target);
        forward(client, &addrs, &first).await;
        return;
    }
    // Absolute form: `GET http://host:port/path HTTP/1.1`.
    let Ok(url) = Url::parse(&head.target) else {
        return refuse(&mut client, &seen, format!("{} (not a URL)", head.target)).await;
    };
    if url.host_str().is_none() {
        return refuse(&mut client, &seen, format!("{url} (no host)")).await;
    }
    if let Err(why) = verdict(&scope, &head, &url).await {
        return refuse(&mut client, &seen, why).await;
    }
    let addrs = match addresses(&scope, &url).await {
        Ok(a) => a,
        Err(why) => return refuse(&mut client, &seen, why).await,
    };
    if head.is_websocket() {
        note(&seen, |s| s.websockets.push(ws_url(&url)));
    }
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let first = head.upstream(&path);
    forward(client, &addrs, &first).await;
}
