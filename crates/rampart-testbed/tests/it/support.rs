//! Test helpers: a running testbed, HTTP helpers, an out-of-band listener.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use rampart_testbed::{spawn, TestbedConfig, TestbedHandle};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

/// Records the paths it is asked for and serves a little PHP for inclusion tests.
#[derive(Clone, Default)]
pub struct Oob {
    hits: Arc<Mutex<Vec<String>>>,
    notify: Arc<Notify>,
    pub base: String,
}

impl Oob {
    pub async fn start() -> Oob {
        let mut oob = Oob::default();
        let app = Router::new()
            .fallback(get(
                |State(o): State<Oob>, uri: axum::http::Uri| async move {
                    o.hits.lock().unwrap().push(uri.path().to_owned());
                    o.notify.notify_waiters();
                    "<?php echo 'RFI'.'OK9137'; ?>"
                },
            ))
            .with_state(oob.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        oob.base = format!("http://{}", l.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        oob
    }
    pub fn hit(&self, token: &str) -> bool {
        self.hits.lock().unwrap().iter().any(|p| p.contains(token))
    }
    /// Waits (up to `max`) for a request whose path contains `token`.
    pub async fn wait(&self, token: &str, max: Duration) -> bool {
        let deadline = Instant::now() + max;
        loop {
            let notified = self.notify.notified();
            if self.hit(token) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                return self.hit(token);
            }
        }
    }
}

pub struct Ctx {
    pub tb: TestbedHandle,
    pub base: String,
    pub https: String,
    pub client: reqwest::Client,
    pub oob: Oob,
    seq: std::sync::atomic::AtomicU32,
}

pub fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(true)
        .cookie_store(cookies)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

impl Ctx {
    pub async fn new() -> Ctx {
        Self::with(TestbedConfig::default()).await
    }
    pub async fn with(config: TestbedConfig) -> Ctx {
        let tb = spawn(config).await.unwrap();
        Ctx {
            base: tb.base_url(),
            https: tb.https_url().unwrap_or_default(),
            tb,
            client: client(false),
            oob: Oob::start().await,
            seq: Default::default(),
        }
    }
    /// A token unique within this testbed.
    pub fn token(&self) -> String {
        format!(
            "t{}x",
            self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        )
    }
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        Resp {
            status,
            headers,
            body: r.text().await.unwrap_or_default(),
        }
    }
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Resp {
        self.send(self.client.get(self.url(path)).query(query))
            .await
    }
    pub async fn form(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(self.client.post(self.url(path)).form(form)).await
    }
    pub async fn json(&self, path: &str, body: serde_json::Value) -> Resp {
        self.send(self.client.post(self.url(path)).json(&body))
            .await
    }
    /// A cookie-keeping client logged in through the form login.
    pub async fn logged_in(&self) -> reqwest::Client {
        let c = client(true);
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("username", "alice"),
                ("password", "wonderland"),
                ("next", "/account/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "login redirects");
        c
    }
    pub async fn timed(&self, rb: reqwest::RequestBuilder) -> Duration {
        let t = Instant::now();
        let _ = self.send(rb).await;
        t.elapsed()
    }
}
