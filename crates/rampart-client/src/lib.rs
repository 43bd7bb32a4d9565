//! rampart-client: a typed client for rampart's `/ias/v1` API (and the identity routes,
//! `identity.rs`) over the wire shapes of `rampart-api-types`.
//!
//! Layer 4. Invariants: one [`Client`] per server and key; every call goes through
//! [`Client::send`], which retries rate-limited (429) and unavailable (502/503/504) answers
//! and connection failures with exponential backoff, honouring `Retry-After` and
//! `RateLimit-Remaining`/`RateLimit-Reset`, and waits before the next request when a
//! successful answer said the budget is spent. A non-2xx answer becomes
//! [`Error::Api`] carrying the server's `message` and `r7-correlation-id`. Collections are
//! read page by page with a [`Pager`] (by `index`, so it does not depend on the server's
//! public URL in `links`).
//!
//! ```text
//! let c = Client::new("http://127.0.0.1:8080", "rmp_…")?;
//! let apps: Vec<App> = c.search::<App>("APP", "app.name='shop'").all().await?;
//! let id = c.create_app(&App { name: "shop".into(), ..Default::default() }).await?;
//! let scan = c.submit_scan(config_id).await?;
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod error;
mod identity;
mod pager;
mod plus;
pub mod retry;

pub use error::{ApiError, Error, Result};
pub use pager::Pager;
pub use retry::RetryPolicy;

use rampart_api_types::ias::*;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;
use uuid::Uuid;

/// Search types (reference §4.1).
pub mod search_type {
    pub const APP: &str = "APP";
    pub const SCAN: &str = "SCAN";
    pub const SCAN_CONFIG: &str = "SCAN_CONFIG";
    pub const VULNERABILITY: &str = "VULNERABILITY";
    pub const VULNERABILITY_DISCOVERY: &str = "VULNERABILITY_DISCOVERY";
    pub const ATTACK_TEMPLATE: &str = "ATTACK_TEMPLATE";
    pub const TARGET: &str = "TARGET";
    pub const ENGINE: &str = "ENGINE";
    pub const ENGINE_GROUP: &str = "ENGINE_GROUP";
    pub const TAG: &str = "TAG";
    pub const SCHEDULE: &str = "SCHEDULE";
}

/// A single-quoted search-language value (`'` doubled).
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A client of one rampart server with one API key. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// How the client proves who it is.
#[derive(Clone)]
enum Auth {
    /// `X-Api-Key`.
    Key(String),
    /// OAuth 2.0 client credentials: a bearer token from `POST /oauth/token`, fetched when
    /// first needed and again shortly before it expires or when the server refuses it.
    Client { id: String, secret: String },
}

/// A bearer token and when to stop using it.
struct Token {
    value: String,
    renew_at: Instant,
}

struct Inner {
    /// `scheme://host:port/prefix/` (always ends in `/`).
    root: Url,
    auth: Auth,
    token: Mutex<Option<Token>>,
    http: reqwest::Client,
    retry: RetryPolicy,
    page_size: u32,
    /// Set when an answer said the rate-limit budget is spent: no request before it.
    not_before: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.inner.auth {
            Auth::Key(_) => "api key ***".to_string(),
            Auth::Client { id, .. } => format!("oauth client {id} ***"),
        };
        f.debug_struct("Client")
            .field("root", &self.inner.root.as_str())
            .field("auth", &auth)
            .finish_non_exhaustive()
    }
}

/// How to build a [`Client`].
#[derive(Clone, Debug)]
pub struct Builder {
    server: String,
    key: String,
    oauth: Option<(String, String)>,
    retry: RetryPolicy,
    timeout: Duration,
    page_size: u32,
    user_agent: String,
}

impl Builder {
    /// Authenticate with OAuth 2.0 client credentials (`POST /oauth/token`, bearer tokens)
    /// instead of an API key.
    pub fn oauth(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.oauth = Some((client_id.into(), client_secret.into()));
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// Timeout of one HTTP request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Page size of [`Pager`]s (1–1000, default 500).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, 1000);
        self
    }
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    pub fn build(self) -> Result<Client> {
        let server = self.server.trim();
        if server.is_empty() {
            return Err(Error::Usage(
                "no server URL: pass --server or set RAMPART_URL".into(),
            ));
        }
        let auth = match &self.oauth {
            Some((id, secret)) => {
                if id.trim().is_empty() || secret.trim().is_empty() {
                    return Err(Error::Usage(
                        "OAuth needs both a client id and a client secret: pass --client-id and --client-secret (or set RAMPART_CLIENT_ID and RAMPART_CLIENT_SECRET)".into(),
                    ));
                }
                Auth::Client {
                    id: id.trim().to_string(),
                    secret: secret.trim().to_string(),
                }
            }
            None if self.key.trim().is_empty() => {
                return Err(Error::Usage(
                    "no credentials: pass --api-key (or set RAMPART_API_KEY), or --client-id and --client-secret for OAuth".into(),
                ));
            }
            None => Auth::Key(self.key.trim().to_string()),
        };
        let mut root = Url::parse(server)
            .map_err(|e| Error::Usage(format!("invalid server URL {server:?}: {e}")))?;
        if !matches!(root.scheme(), "http" | "https") || root.host().is_none() {
            return Err(Error::Usage(format!(
                "invalid server URL {server:?}: expected http(s)://host[:port]"
            )));
        }
        // Accept `http://h`, `http://h/`, and `http://h/ias/v1`: the client adds the API path.
        let mut path = root.path().trim_end_matches('/').to_string();
        if let Some(p) = path.strip_suffix("/ias/v1") {
            path = p.to_string();
        }
        root.set_path(&format!("{path}/"));
        root.set_query(None);
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::Usage(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                root,
                auth,
                token: Mutex::new(None),
                http,
                retry: self.retry,
                page_size: self.page_size,
                not_before: Mutex::new(None),
            }),
        })
    }
}

/// A raw answer: status, `Location` and body.
#[derive(Debug)]
/// A request body.
enum Payload<'a> {
    None,
    Json(&'a Value),
    Octets(&'a [u8]),
}

pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Client {
    /// A builder for `server` (e.g. `http://127.0.0.1:8080`) and `key`.
    pub fn builder(server: impl Into<String>, key: impl Into<String>) -> Builder {
        Builder {
            server: server.into(),
            key: key.into(),
            oauth: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            page_size: 500,
            user_agent: format!("rampart-client/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// A client with the default settings.
    pub fn new(server: impl Into<String>, key: impl Into<String>) -> Result<Self> {
        Self::builder(server, key).build()
    }

    /// The server root (`http://host:port/`).
    pub fn server(&self) -> &Url {
        &self.inner.root
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.inner
            .root
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::Usage(format!("bad path {path}: {e}")))
    }

    /// Sends one request (with retries) and returns the 2xx answer or the error.
    /// `path` is relative to the server root, e.g. `ias/v1/apps?index=0`.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer> {
        let payload = match body {
            Some(v) => Payload::Json(v),
            None => Payload::None,
        };
        let (status, location, bytes) = self
            .send_payload(method, path, payload, "application/json")
            .await?;
        Ok(Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    /// [`send`](Self::send) with any body and `Accept`; the answer's raw bytes.
    async fn send_payload(
        &self,
        method: Method,
        path: &str,
        body: Payload<'_>,
        accept: &'static str,
    ) -> Result<(StatusCode, Option<String>, Vec<u8>)> {
        let url = self.url(path)?;
        let shown = url.path().to_string();
        let idempotent = method != Method::POST && method != Method::PATCH;
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            self.wait_for_budget().await;
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header("Accept", accept);
            req = match &self.inner.auth {
                Auth::Key(key) => req.header("X-Api-Key", key),
                Auth::Client { .. } => req.bearer_auth(self.bearer().await?),
            };
            match &body {
                Payload::None => {}
                Payload::Json(b) => req = req.json(b),
                Payload::Octets(b) => {
                    req = req
                        .header("Content-Type", "application/octet-stream")
                        .body(b.to_vec())
                }
            }
            let res = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    // A request that never reached the server can always be repeated; one
                    // that may have been processed only when it is idempotent.
                    let safe = e.is_connect() || idempotent;
                    if safe && attempt < self.inner.retry.max_retries {
                        tokio::time::sleep(self.inner.retry.backoff(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(Error::Unreachable {
                        url: self.inner.root.to_string(),
                        message: describe(&e),
                    });
                }
            };
            let status = res.status();
            let headers = res.headers().clone();
            if let Some(w) = retry::rate_limit_wait(&headers) {
                *self.inner.not_before.lock().await =
                    Some(Instant::now() + w.min(self.inner.retry.max_delay));
            }
            if retry::retryable_status(status.as_u16()) && attempt < self.inner.retry.max_retries {
                tokio::time::sleep(self.inner.retry.wait(attempt, &headers)).await;
                attempt += 1;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED
                && matches!(self.inner.auth, Auth::Client { .. })
                && !renewed
            {
                // The token was revoked or expired early: one fresh token, one more try.
                *self.inner.token.lock().await = None;
                renewed = true;
                continue;
            }
            let bytes = res.bytes().await.map_err(|e| Error::Unreachable {
                url: self.inner.root.to_string(),
                message: describe(&e),
            })?;
            if !status.is_success() {
                let text = String::from_utf8_lossy(&bytes);
                return Err(api_error(&method, &shown, status, &headers, &text));
            }
            let location = headers
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            return Ok((status, location, bytes.to_vec()));
        }
    }

    /// The current bearer token, fetched with the client credentials when there is none or
    /// it is about to expire.
    async fn bearer(&self) -> Result<String> {
        let Auth::Client { id, secret } = &self.inner.auth else {
            return Err(Error::Usage("not an OAuth client".into()));
        };
        let mut token = self.inner.token.lock().await;
        if let Some(t) = token.as_ref() {
            if Instant::now() < t.renew_at {
                return Ok(t.value.clone());
            }
        }
        let url = self.url("oauth/token")?;
        let res = self
            .inner
            .http
            .post(url)
            .basic_auth(id, Some(secret))
            .header("Accept", "application/json")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| Error::Unreachable {
                url: self.inner.root.to_string(),
                message: describe(&e),
            })?;
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        if !status.is_success() {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let why = v
                .get("error_description")
                .or_else(|| v.get("error"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or(text);
            let mut e = match api_error(&Method::POST, "/oauth/token", status, &headers, "") {
                Error::Api(e) => e,
                other => return Err(other),
            };
            e.message = format!("the client credentials were refused: {why}");
            return Err(Error::Api(e));
        }
        #[derive(serde::Deserialize)]
        struct Issued {
            access_token: String,
            expires_in: Option<u64>,
        }
        let issued: Issued = serde_json::from_str(&text).map_err(|e| Error::Decode {
            url: "/oauth/token".into(),
            message: e.to_string(),
        })?;
        // Renew a little before the server's expiry (a tenth of the lifetime, at most 60 s).
        let life = Duration::from_secs(issued.expires_in.unwrap_or(300));
        let margin = (life / 10).min(Duration::from_secs(60));
        *token = Some(Token {
            value: issued.access_token.clone(),
            renew_at: Instant::now() + life.saturating_sub(margin),
        });
        Ok(issued.access_token)
    }

    async fn wait_for_budget(&self) {
        let until = *self.inner.not_before.lock().await;
        if let Some(t) = until {
            tokio::time::sleep_until(t).await;
        }
    }

    /// `GET` → JSON.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let a = self.send(Method::GET, path, None).await?;
        decode(path, &a.body)
    }

    /// `POST` a create → the id from `Location` (its last segment).
    pub async fn create<B: Serialize>(&self, path: &str, body: &B) -> Result<Uuid> {
        let a = self
            .send(Method::POST, path, Some(&to_value(body)?))
            .await?;
        id_from_location(path, a.location.as_deref())
    }

    /// `PUT` (body ignored).
    pub async fn put<B: Serialize>(&self, path: &str, body: &B) -> Result<()> {
        self.send(Method::PUT, path, Some(&to_value(body)?))
            .await
            .map(drop)
    }

    /// `PATCH` (body ignored).
    pub async fn patch<B: Serialize>(&self, path: &str, body: &B) -> Result<()> {
        self.send(Method::PATCH, path, Some(&to_value(body)?))
            .await
            .map(drop)
    }

    /// `POST` whose answer is a JSON body.
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let a = self
            .send(Method::POST, path, Some(&to_value(body)?))
            .await?;
        decode(path, &a.body)
    }

    /// `DELETE`.
    pub async fn delete(&self, path: &str) -> Result<()> {
        self.send(Method::DELETE, path, None).await.map(drop)
    }

    /// The pages of a collection (`ias/v1/apps`, …).
    pub fn list<T: DeserializeOwned>(&self, path: &str) -> Pager<T> {
        Pager::new(self.clone(), path.to_string(), None, self.inner.page_size)
    }

    /// The pages of a search.
    pub fn search<T: DeserializeOwned>(&self, kind: &str, query: &str) -> Pager<T> {
        let body = SearchRequest {
            kind: kind.to_string(),
            query: query.to_string(),
        };
        Pager::new(
            self.clone(),
            "ias/v1/search".into(),
            Some(serde_json::to_value(body).unwrap_or(Value::Null)),
            self.inner.page_size,
        )
    }

    /// A search whose results are kept as JSON (any type).
    pub fn search_json(&self, kind: &str, query: &str) -> Pager<Value> {
        self.search(kind, query)
    }

    // ---- Platform -----------------------------------------------------------------------

    /// `GET /validate`: is the key accepted?
    pub async fn validate(&self) -> Result<Message> {
        self.get("validate").await
    }

    // ---- Apps ---------------------------------------------------------------------------

    pub fn apps(&self) -> Pager<App> {
        self.list("ias/v1/apps")
    }
    pub async fn get_app(&self, id: Uuid) -> Result<App> {
        self.get(&format!("ias/v1/apps/{id}")).await
    }
    pub async fn create_app(&self, app: &App) -> Result<Uuid> {
        self.create("ias/v1/apps", app).await
    }
    pub async fn update_app(&self, id: Uuid, app: &App) -> Result<()> {
        self.put(&format!("ias/v1/apps/{id}"), app).await
    }
    pub async fn delete_app(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/apps/{id}")).await
    }
    pub async fn app_users(&self, id: Uuid) -> Result<Vec<IdRef>> {
        self.get(&format!("ias/v1/apps/{id}/users")).await
    }
    pub async fn add_app_user(&self, id: Uuid, user: Uuid) -> Result<()> {
        self.send(
            Method::POST,
            &format!("ias/v1/apps/{id}/users"),
            Some(&serde_json::json!({ "id": user })),
        )
        .await
        .map(drop)
    }
    /// Adds a user to an app by email (or a user or service account by id, as a string).
    pub async fn add_app_user_by(&self, id: Uuid, user: &AppUser) -> Result<()> {
        self.send(
            Method::POST,
            &format!("ias/v1/apps/{id}/users"),
            Some(&to_value(user)?),
        )
        .await
        .map(drop)
    }
    pub async fn remove_app_user(&self, id: Uuid, user: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/apps/{id}/users/{user}")).await
    }
    pub async fn app_tags(&self, id: Uuid) -> Result<Vec<Tag>> {
        self.get(&format!("ias/v1/apps/{id}/tags")).await
    }
    pub async fn tag_app(&self, id: Uuid, tag: Uuid) -> Result<()> {
        self.send(
            Method::POST,
            &format!("ias/v1/apps/{id}/tags"),
            Some(&serde_json::json!({ "id": tag })),
        )
        .await
        .map(drop)
    }
    pub async fn untag_app(&self, id: Uuid, tag: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/apps/{id}/tags/{tag}")).await
    }

    // ---- Files (reference §3.9) ------------------------------------------------------

    /// The files of an app.
    pub fn files(&self, app: Uuid) -> Pager<File> {
        self.list(&format!("ias/v1/apps/{app}/files"))
    }
    pub async fn get_file(&self, app: Uuid, id: Uuid) -> Result<File> {
        self.get(&format!("ias/v1/apps/{app}/files/{id}")).await
    }
    /// Creates a file's metadata (its content is uploaded with [`upload_file`](Self::upload_file)).
    pub async fn create_file(&self, app: Uuid, f: &File) -> Result<Uuid> {
        self.create(&format!("ias/v1/apps/{app}/files"), f).await
    }
    pub async fn update_file(&self, app: Uuid, id: Uuid, f: &File) -> Result<()> {
        self.put(&format!("ias/v1/apps/{app}/files/{id}"), f).await
    }
    pub async fn delete_file(&self, app: Uuid, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/apps/{app}/files/{id}")).await
    }
    /// Uploads (replaces) a file's content as `application/octet-stream`.
    pub async fn upload_file(&self, app: Uuid, id: Uuid, content: &[u8]) -> Result<()> {
        self.send_payload(
            Method::POST,
            &format!("ias/v1/apps/{app}/files/{id}"),
            Payload::Octets(content),
            "application/json",
        )
        .await
        .map(drop)
    }
    /// Downloads a file's content (`Accept: application/octet-stream`).
    pub async fn download_file(&self, app: Uuid, id: Uuid) -> Result<Vec<u8>> {
        self.send_payload(
            Method::GET,
            &format!("ias/v1/apps/{app}/files/{id}"),
            Payload::None,
            "application/octet-stream",
        )
        .await
        .map(|(_, _, bytes)| bytes)
    }

    // ---- Reports (server-side) ----------------------------------------------------------

    pub fn reports(&self) -> Pager<Report> {
        self.list("ias/v1/reports")
    }
    pub async fn get_report(&self, id: Uuid) -> Result<Report> {
        self.get(&format!("ias/v1/reports/{id}")).await
    }
    /// Requests a report; it is generated in the background (see [`report_content`](Self::report_content)).
    pub async fn create_report(&self, r: &ReportGeneration) -> Result<Uuid> {
        self.create("ias/v1/reports", r).await
    }
    pub async fn delete_report(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/reports/{id}")).await
    }
    /// The report's content, asked for as `content_type` (`application/pdf`,
    /// `application/zip` for HTML, `text/csv`): `None` while it is generated (204); a
    /// failed report is the server's 409 error, with the reason.
    pub async fn report_content(
        &self,
        id: Uuid,
        content_type: &'static str,
    ) -> Result<Option<Vec<u8>>> {
        let (status, _, bytes) = self
            .send_payload(
                Method::GET,
                &format!("ias/v1/reports/{id}"),
                Payload::None,
                content_type,
            )
            .await?;
        Ok((status != StatusCode::NO_CONTENT).then_some(bytes))
    }

    // ---- Schedules ---------------------------------------------------------------------

    pub fn schedules(&self) -> Pager<Schedule> {
        self.list("ias/v1/schedules")
    }
    pub async fn get_schedule(&self, id: Uuid) -> Result<Schedule> {
        self.get(&format!("ias/v1/schedules/{id}")).await
    }
    pub async fn create_schedule(&self, s: &Schedule) -> Result<Uuid> {
        self.create("ias/v1/schedules", s).await
    }
    pub async fn update_schedule(&self, id: Uuid, s: &Schedule) -> Result<()> {
        self.put(&format!("ias/v1/schedules/{id}"), s).await
    }
    pub async fn delete_schedule(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/schedules/{id}")).await
    }

    // ---- Targets and tags ---------------------------------------------------------------

    pub fn targets(&self) -> Pager<Target> {
        self.list("ias/v1/targets")
    }
    pub async fn get_target(&self, id: Uuid) -> Result<Target> {
        self.get(&format!("ias/v1/targets/{id}")).await
    }
    pub async fn create_target(&self, t: &Target) -> Result<Uuid> {
        self.create("ias/v1/targets", t).await
    }
    pub async fn update_target(&self, id: Uuid, t: &Target) -> Result<()> {
        self.put(&format!("ias/v1/targets/{id}"), t).await
    }
    pub async fn delete_target(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/targets/{id}")).await
    }
    pub fn tags(&self) -> Pager<Tag> {
        self.list("ias/v1/tags")
    }
    pub async fn get_tag(&self, id: Uuid) -> Result<Tag> {
        self.get(&format!("ias/v1/tags/{id}")).await
    }
    pub async fn create_tag(&self, t: &Tag) -> Result<Uuid> {
        self.create("ias/v1/tags", t).await
    }
    pub async fn update_tag(&self, id: Uuid, t: &Tag) -> Result<()> {
        self.put(&format!("ias/v1/tags/{id}"), t).await
    }
    pub async fn delete_tag(&self, id: Uuid, cascade: bool) -> Result<()> {
        self.delete(&format!("ias/v1/tags/{id}?cascade={cascade}"))
            .await
    }

    // ---- Attack templates and modules ---------------------------------------------------

    pub fn attack_templates(&self) -> Pager<AttackTemplate> {
        self.list("ias/v1/attack-templates")
    }
    pub async fn get_attack_template(&self, id: Uuid) -> Result<AttackTemplate> {
        self.get(&format!("ias/v1/attack-templates/{id}")).await
    }
    /// `POST /attack-templates` answers 200 (reference §2.5); the id is in `Location`.
    pub async fn create_attack_template(&self, t: &AttackTemplate) -> Result<Uuid> {
        self.create("ias/v1/attack-templates", t).await
    }
    pub async fn update_attack_template(&self, id: Uuid, t: &AttackTemplate) -> Result<()> {
        self.put(&format!("ias/v1/attack-templates/{id}"), t).await
    }
    pub async fn delete_attack_template(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/attack-templates/{id}")).await
    }
    pub async fn module_configs(&self) -> Result<Vec<ModuleConfig>> {
        self.get("ias/v1/attack-templates/module-configs").await
    }
    pub async fn attack_template_modules(&self, id: Uuid) -> Result<Vec<AttackModule>> {
        self.get(&format!("ias/v1/attack-templates/{id}/modules"))
            .await
    }
    pub async fn add_attack_template_module(&self, id: Uuid, m: &AttackModule) -> Result<()> {
        self.send(
            Method::POST,
            &format!("ias/v1/attack-templates/{id}/modules"),
            Some(&to_value(m)?),
        )
        .await
        .map(drop)
    }
    pub async fn update_attack_template_module(
        &self,
        id: Uuid,
        module: Uuid,
        m: &AttackModule,
    ) -> Result<()> {
        self.put(&format!("ias/v1/attack-templates/{id}/modules/{module}"), m)
            .await
    }
    pub async fn delete_attack_template_module(&self, id: Uuid, module: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/attack-templates/{id}/modules/{module}"))
            .await
    }
    pub async fn modules(&self) -> Result<Vec<ModuleMetadata>> {
        self.get("ias/v1/modules").await
    }
    pub async fn get_module(&self, id: Uuid) -> Result<ModuleMetadata> {
        self.get(&format!("ias/v1/modules/{id}")).await
    }
    pub async fn get_attack(&self, module: Uuid, attack: &str) -> Result<AttackMetadata> {
        self.get(&format!(
            "ias/v1/modules/{module}/attacks/{}",
            encode(attack)
        ))
        .await
    }
    pub async fn attack_documentation(
        &self,
        module: Uuid,
        attack: &str,
    ) -> Result<AttackDocumentation> {
        self.get(&format!(
            "ias/v1/modules/{module}/attacks/{}/documentation",
            encode(attack)
        ))
        .await
    }

    // ---- Scan configs -------------------------------------------------------------------

    pub fn scan_configs(&self) -> Pager<ScanConfig> {
        self.list("ias/v1/scan-configs")
    }
    pub async fn get_scan_config(&self, id: Uuid) -> Result<ScanConfig> {
        self.get(&format!("ias/v1/scan-configs/{id}")).await
    }
    pub async fn create_scan_config(&self, c: &ScanConfig) -> Result<Uuid> {
        self.create("ias/v1/scan-configs", c).await
    }
    pub async fn update_scan_config(&self, id: Uuid, c: &ScanConfig) -> Result<()> {
        self.put(&format!("ias/v1/scan-configs/{id}"), c).await
    }
    pub async fn delete_scan_config(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/scan-configs/{id}")).await
    }
    pub async fn scan_config_options(&self, id: Uuid) -> Result<ScanConfigOptions> {
        self.get(&format!("ias/v1/scan-configs/{id}/options")).await
    }
    pub async fn put_scan_config_options(&self, id: Uuid, o: &ScanConfigOptions) -> Result<()> {
        self.put(&format!("ias/v1/scan-configs/{id}/options"), o)
            .await
    }
    pub async fn patch_scan_config_options(&self, id: Uuid, o: &ScanConfigOptions) -> Result<()> {
        self.patch(&format!("ias/v1/scan-configs/{id}/options"), o)
            .await
    }
    pub async fn default_scan_config_options(&self) -> Result<ScanConfigOptions> {
        self.get("ias/v1/scan-configs/options/default").await
    }

    // ---- Scans (reference §3.5) ---------------------------------------------------------

    pub fn scans(&self) -> Pager<Scan> {
        self.list("ias/v1/scans")
    }
    /// `POST /scans` of a config → the new scan's id.
    pub async fn submit_scan(&self, scan_config: Uuid) -> Result<Uuid> {
        let body = Scan {
            scan_config: Some(IdRef { id: scan_config }),
            ..Default::default()
        };
        self.create("ias/v1/scans", &body).await
    }
    /// `POST /scans` with a full body (verification scans, …).
    pub async fn create_scan(&self, scan: &Scan) -> Result<Uuid> {
        self.create("ias/v1/scans", scan).await
    }
    pub async fn get_scan(&self, id: Uuid) -> Result<Scan> {
        self.get(&format!("ias/v1/scans/{id}")).await
    }
    pub async fn delete_scan(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/scans/{id}")).await
    }
    /// `PUT /scans/{id}/action`: `PAUSE`, `RESUME`, `STOP`, `CANCEL`, `AUTHENTICATE`.
    pub async fn scan_action(&self, id: Uuid, action: &str) -> Result<()> {
        let body = ScanActionBody {
            action: action.to_string(),
        };
        self.put(&format!("ias/v1/scans/{id}/action"), &body).await
    }
    /// `GET /scans/{id}/action`: the pending action, if any (204 → `None`).
    pub async fn pending_scan_action(&self, id: Uuid) -> Result<Option<ScanActionBody>> {
        let path = format!("ias/v1/scans/{id}/action");
        let a = self.send(Method::GET, &path, None).await?;
        if a.body.trim().is_empty() {
            Ok(None)
        } else {
            decode(&path, &a.body).map(Some)
        }
    }
    pub async fn execution_details(&self, id: Uuid) -> Result<ScanExecutionDetails> {
        self.get(&format!("ias/v1/scans/{id}/execution-details"))
            .await
    }
    pub async fn engine_events(&self, id: Uuid) -> Result<Vec<LogEvent>> {
        self.get(&format!("ias/v1/scans/{id}/engine-events")).await
    }
    pub async fn platform_events(&self, id: Uuid) -> Result<Vec<LogEvent>> {
        self.get(&format!("ias/v1/scans/{id}/platform-events"))
            .await
    }

    // ---- Blackouts (reference §3.8) -------------------------------------------------

    pub fn blackouts(&self) -> Pager<Blackout> {
        self.list("ias/v1/blackouts")
    }
    pub async fn get_blackout(&self, id: Uuid) -> Result<Blackout> {
        self.get(&format!("ias/v1/blackouts/{id}")).await
    }
    /// `POST /blackouts`: with `app` for that app, without for the organization (global).
    pub async fn create_blackout(&self, b: &Blackout) -> Result<Uuid> {
        self.create("ias/v1/blackouts", b).await
    }
    pub async fn update_blackout(&self, id: Uuid, b: &Blackout) -> Result<()> {
        self.put(&format!("ias/v1/blackouts/{id}"), b).await
    }
    pub async fn delete_blackout(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/blackouts/{id}")).await
    }

    // ---- Engines and engine groups (reference §3.7) ---------------------------------

    pub fn engine_groups(&self) -> Pager<EngineGroup> {
        self.list("ias/v1/engine-groups")
    }
    pub async fn get_engine_group(&self, id: Uuid) -> Result<EngineGroup> {
        self.get(&format!("ias/v1/engine-groups/{id}")).await
    }
    pub async fn create_engine_group(&self, g: &EngineGroup) -> Result<Uuid> {
        self.create("ias/v1/engine-groups", g).await
    }
    pub async fn update_engine_group(&self, id: Uuid, g: &EngineGroup) -> Result<()> {
        self.put(&format!("ias/v1/engine-groups/{id}"), g).await
    }
    pub async fn delete_engine_group(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/engine-groups/{id}")).await
    }
    pub fn engine_group_engines(&self, id: Uuid) -> Pager<Engine> {
        self.list(&format!("ias/v1/engine-groups/{id}/engines"))
    }
    pub fn engines(&self) -> Pager<Engine> {
        self.list("ias/v1/engines")
    }
    pub async fn get_engine(&self, id: Uuid) -> Result<Engine> {
        self.get(&format!("ias/v1/engines/{id}")).await
    }
    /// Creates an engine (and its credential: see [`Client::engine_credential`]).
    pub async fn create_engine(&self, e: &Engine) -> Result<Uuid> {
        self.create("ias/v1/engines", e).await
    }
    pub async fn update_engine(&self, id: Uuid, e: &Engine) -> Result<()> {
        self.put(&format!("ias/v1/engines/{id}"), e).await
    }
    pub async fn delete_engine(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/engines/{id}")).await
    }
    /// The engine's key for `rampart engine --key`.
    pub async fn engine_credential(&self, id: Uuid) -> Result<EngineCredential> {
        self.get(&format!("ias/v1/engines/{id}/credential")).await
    }
    /// Issues a new key; the old one stops working at once.
    pub async fn regenerate_engine_credential(&self, id: Uuid) -> Result<EngineCredential> {
        let path = format!("ias/v1/engines/{id}/credential");
        let answer = self.send(Method::PUT, &path, None).await?;
        decode(&path, &answer.body)
    }
    /// Revokes the key: the engine is refused at its next call.
    pub async fn revoke_engine_credential(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/engines/{id}/credential"))
            .await
    }
    /// Asks an idle engine on an old version to upgrade (202).
    pub async fn upgrade_engine(&self, id: Uuid) -> Result<()> {
        self.send(Method::POST, &format!("ias/v1/engines/{id}/upgrade"), None)
            .await
            .map(drop)
    }

    // ---- Vulnerabilities (reference §3.6) -----------------------------------------------

    pub fn vulnerabilities(&self) -> Pager<Vulnerability> {
        self.list("ias/v1/vulnerabilities")
    }
    /// Every vulnerability a scan found (`vulnerability.scans.id='…'`), optionally narrowed
    /// by a search-language condition.
    pub fn scan_vulnerabilities(&self, scan: Uuid, and: Option<&str>) -> Pager<Vulnerability> {
        let mut q = format!("vulnerability.scans.id={}", quote(&scan.to_string()));
        if let Some(extra) = and.map(str::trim).filter(|s| !s.is_empty()) {
            q = format!("{q} && ({extra})");
        }
        self.search(search_type::VULNERABILITY, &q)
    }
    pub async fn get_vulnerability(&self, id: Uuid) -> Result<Vulnerability> {
        self.get(&format!("ias/v1/vulnerabilities/{id}")).await
    }
    /// `PUT /vulnerabilities/{id}`: only `severity` and `status` are read.
    pub async fn update_vulnerability(&self, id: Uuid, v: &Vulnerability) -> Result<()> {
        self.put(&format!("ias/v1/vulnerabilities/{id}"), v).await
    }
    pub fn vulnerability_discoveries(&self, id: Uuid) -> Pager<VulnerabilityDiscovery> {
        self.list(&format!("ias/v1/vulnerabilities/{id}/discoveries"))
    }
    pub async fn get_vulnerability_discovery(
        &self,
        id: Uuid,
        discovery: Uuid,
    ) -> Result<VulnerabilityDiscovery> {
        self.get(&format!(
            "ias/v1/vulnerabilities/{id}/discoveries/{discovery}"
        ))
        .await
    }
    pub fn vulnerability_comments(&self, id: Uuid) -> Pager<VulnerabilityComment> {
        self.list(&format!("ias/v1/vulnerabilities/{id}/comments"))
    }
    pub async fn add_vulnerability_comment(&self, id: Uuid, content: &str) -> Result<Uuid> {
        let body = VulnerabilityComment {
            content: content.to_string(),
            ..Default::default()
        };
        self.create(&format!("ias/v1/vulnerabilities/{id}/comments"), &body)
            .await
    }
    pub async fn get_vulnerability_comment(
        &self,
        id: Uuid,
        comment: Uuid,
    ) -> Result<VulnerabilityComment> {
        self.get(&format!("ias/v1/vulnerabilities/{id}/comments/{comment}"))
            .await
    }
    pub async fn update_vulnerability_comment(
        &self,
        id: Uuid,
        comment: Uuid,
        content: &str,
    ) -> Result<()> {
        let body = VulnerabilityComment {
            content: content.to_string(),
            ..Default::default()
        };
        self.put(
            &format!("ias/v1/vulnerabilities/{id}/comments/{comment}"),
            &body,
        )
        .await
    }
    pub async fn delete_vulnerability_comment(&self, id: Uuid, comment: Uuid) -> Result<()> {
        self.delete(&format!("ias/v1/vulnerabilities/{id}/comments/{comment}"))
            .await
    }
    pub async fn vulnerability_history(&self, id: Uuid) -> Result<Vec<VulnerabilityUpdate>> {
        self.get(&format!("ias/v1/vulnerabilities/{id}/history"))
            .await
    }
    pub async fn variance_documentation(
        &self,
        id: Uuid,
        variance: Uuid,
    ) -> Result<VarianceDocumentation> {
        self.get(&format!(
            "ias/v1/vulnerabilities/{id}/variances/{variance}/documentation"
        ))
        .await
    }
    pub async fn variances_documentation(
        &self,
        filter: &VarianceFilterRequest,
    ) -> Result<BTreeMap<String, VarianceDocumentation>> {
        self.post_json("ias/v1/vulnerabilities/variances/documentation", filter)
            .await
    }
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn to_value<B: Serialize>(b: &B) -> Result<Value> {
    serde_json::to_value(b).map_err(|e| Error::Usage(format!("cannot encode the body: {e}")))
}

fn decode<T: DeserializeOwned>(path: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Decode {
        url: path.to_string(),
        message: e.to_string(),
    })
}

fn id_from_location(path: &str, location: Option<&str>) -> Result<Uuid> {
    let loc = location.ok_or_else(|| Error::Decode {
        url: path.to_string(),
        message: "the answer has no Location header".into(),
    })?;
    let last = loc.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    Uuid::parse_str(last).map_err(|_| Error::Decode {
        url: path.to_string(),
        message: format!("Location {loc:?} does not end in an id"),
    })
}

/// The cause chain of a reqwest error, on one line ("connection refused", …).
fn describe(e: &reqwest::Error) -> String {
    let mut parts = vec![];
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        // reqwest's and hyper's wrappers ("error sending request for url (…)", "client
        // error (Connect)") say nothing the causes below them do not.
        let wrapper = s.starts_with("error sending request") || s.starts_with("client error");
        if !wrapper && !parts.iter().any(|p: &String| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    if e.is_timeout() {
        parts.push("timed out".into());
    }
    parts.join(": ")
}

fn api_error(
    method: &Method,
    path: &str,
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    text: &str,
) -> Error {
    let correlation_id = headers
        .get("r7-correlation-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (message, details) = match serde_json::from_str::<Value>(text) {
        Ok(v) => {
            let message = v
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            // `/ias/v1` puts `errors` at the top; AppSec+ problem+json under `details`.
            let details = v
                .get("errors")
                .or_else(|| v.get("details").and_then(|d| d.get("errors")))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|e| {
                            let ctx = e
                                .get("context")
                                .or_else(|| e.get("pointer"))
                                .or_else(|| e.get("property"))
                                .and_then(Value::as_str)
                                .unwrap_or("");
                            let exp = e
                                .get("explanation")
                                .or_else(|| e.get("message"))
                                .or_else(|| e.get("detail"))
                                .and_then(Value::as_str)
                                .unwrap_or("");
                            if ctx.is_empty() {
                                exp.to_string()
                            } else {
                                format!("{ctx}: {exp}")
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            (message, details)
        }
        Err(_) if text.trim().is_empty() => (
            status.canonical_reason().unwrap_or("error").to_string(),
            vec![],
        ),
        Err(_) => (text.chars().take(300).collect(), vec![]),
    };
    Error::Api(Box::new(ApiError {
        method: method.to_string(),
        path: path.to_string(),
        status: status.as_u16(),
        message,
        details,
        correlation_id,
    }))
}
