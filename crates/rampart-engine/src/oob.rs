//! The built-in out-of-band listener: a minimal HTTP/1 responder that records requests
//! whose path carries a token of this scan.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// One recorded callback.
#[derive(Clone, Debug)]
pub struct Callback {
    pub peer: SocketAddr,
    pub request_line: String,
}

/// Running listener. Tokens are registered by checks before they are sent.
pub(crate) struct Oob {
    pub base: String,
    tokens: Mutex<HashMap<String, Option<Callback>>>,
}

/// Body served for every callback; `RFI` checks look for its executed/included form.
pub(crate) fn served_body(token: &str) -> String {
    format!("RMPOOB{token}END <?php echo 'RMPX'.'EXEC'.'{token}'; ?>")
}

impl Oob {
    /// Binds and serves until `stop` fires.
    pub async fn start(
        bind: SocketAddr,
        public: Option<String>,
        stop: CancellationToken,
    ) -> std::io::Result<Arc<Self>> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{}", public.unwrap_or_else(|| addr.to_string()));
        let oob = Arc::new(Self {
            base,
            tokens: Mutex::new(HashMap::new()),
        });
        let me = oob.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    acc = listener.accept() => {
                        let Ok((sock, peer)) = acc else { continue };
                        let me = me.clone();
                        tokio::spawn(async move { me.serve(sock, peer).await });
                    }
                }
            }
        });
        Ok(oob)
    }

    async fn serve(&self, mut sock: tokio::net::TcpStream, peer: SocketAddr) {
        let mut buf = vec![0u8; 4096];
        let n = match tokio::time::timeout(std::time::Duration::from_secs(5), sock.read(&mut buf))
            .await
        {
            Ok(Ok(n)) => n,
            _ => return,
        };
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        let line = head.lines().next().unwrap_or("").to_string();
        let path = line.split_whitespace().nth(1).unwrap_or("");
        let mut body = String::from("ok");
        if let Ok(mut t) = self.tokens.lock() {
            let hit = t.keys().find(|k| path.contains(k.as_str())).cloned();
            if let Some(k) = hit {
                body = served_body(&k);
                t.insert(
                    k,
                    Some(Callback {
                        peer,
                        request_line: line.clone(),
                    }),
                );
            }
        }
        let resp = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = sock.write_all(resp.as_bytes()).await;
    }

    /// A fresh token and the URL carrying it.
    pub fn token(&self, kind: &str) -> (String, String) {
        let token = format!("rmp{}", crate::rand_id(12));
        if let Ok(mut t) = self.tokens.lock() {
            t.insert(token.clone(), None);
        }
        (token.clone(), format!("{}/{kind}/{token}", self.base))
    }

    pub fn callback(&self, token: &str) -> Option<Callback> {
        self.tokens
            .lock()
            .ok()
            .and_then(|t| t.get(token).cloned().flatten())
    }
}
