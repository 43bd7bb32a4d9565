//! HTTP/1.1 over a bare `TcpStream`: exact request bytes out (header casing,
//! absolute-form targets), exact response head in (to check title-case names).

use crate::TestApp;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// A response read off the socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// The status line and header lines exactly as received.
    pub head: String,
    /// The decoded body (chunked transfer decoded).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The value of the first header whose name equals `name` ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The header names exactly as they were written on the wire.
    pub fn header_names(&self) -> Vec<&str> {
        self.head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':').map(|(n, _)| n))
            .collect()
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "raw body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The UUID that ends `Location`.
    #[track_caller]
    pub fn location_id(&self) -> Uuid {
        let loc = self
            .header("location")
            .unwrap_or_else(|| panic!("no Location in {}", self.head));
        Uuid::parse_str(loc.rsplit('/').next().unwrap_or_default())
            .unwrap_or_else(|_| panic!("Location {loc} does not end in a UUID"))
    }
}

fn decode_chunked(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        b = &b[eol + 2..];
        if size == 0 || b.len() < size {
            return out;
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or_default();
    }
}

impl TestApp {
    /// Sends `head` (request line and headers, `\r\n`-separated, without the blank line)
    /// and `body` verbatim, adding only `Content-Length` (when there is a body) and
    /// `Connection: close`; reads the whole response.
    pub async fn raw(&self, head: &str, body: Option<&str>) -> RawResponse {
        let mut req = head
            .trim_end()
            .replace('\n', "\r\n")
            .replace("\r\r\n", "\r\n");
        if let Some(b) = body {
            req.push_str(&format!("\r\nContent-Length: {}", b.len()));
        }
        req.push_str("\r\nConnection: close\r\n\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        let mut s = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect to the test server");
        s.write_all(req.as_bytes())
            .await
            .expect("write the request");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.expect("read the response");
        let split = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| {
                panic!(
                    "no end of head in the response to {head:?}: {}",
                    String::from_utf8_lossy(&buf)
                )
            });
        let head_text = String::from_utf8_lossy(&buf[..split]).into_owned();
        let rest = &buf[split + 4..];
        let status = head_text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut r = RawResponse {
            status,
            head: head_text,
            body: rest.to_vec(),
        };
        if r.header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
        {
            r.body = decode_chunked(rest);
        }
        let id = r
            .header("r7-correlation-id")
            .unwrap_or_else(|| panic!("no r7-correlation-id in {}", r.head));
        assert!(
            Uuid::parse_str(id).is_ok(),
            "r7-correlation-id {id} is not a UUID"
        );
        r
    }

    /// `Host: 127.0.0.1:PORT` for raw heads.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::decode_chunked;

    #[test]
    fn chunked_bodies_decode() {
        assert_eq!(
            decode_chunked(b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n"),
            b"Wikipedia"
        );
        assert_eq!(decode_chunked(b"0\r\n\r\n"), b"");
        assert_eq!(
            decode_chunked(b"ff\r\nshort"),
            b"",
            "a truncated chunk yields what was complete"
        );
    }
}
