//! Dev-only helper for rampart's HTTP tests: [`TestApp::spawn`] starts the real server
//! (`rampart_server::serve`, title-case headers, path normalisation) on `127.0.0.1:0`
//! over a fresh in-memory SQLite store — or a fresh PostgreSQL schema — with one API key
//! per role, request helpers that speak to it over real sockets, and fixtures.
//!
//! Invariants: every test gets its own database (no shared state between tests); the
//! server never binds anything but loopback; every response read through [`Resp`] or
//! [`RawResponse`] is checked for an `r7-correlation-id` header, so no test can miss a
//! response without one. Panicking is the failure mode: this crate is for tests only.
//!
//! ```text
//! let app = TestApp::spawn().await;                       // SQLite; spawn_postgres() → Option
//! let id = app.rw().create("/ias/v1/apps", json!({"name": "Shop"})).await;   // asserts 201
//! let page = app.ro().get("/ias/v1/apps?size=5").send().await.status(200).json();
//! app.other().get(&format!("/ias/v1/apps/{id}")).send().await.status(404);
//! let raw = app.raw("POST http://x/ias/v1/apps HTTP/1.1\r\nHost: x\r\nx-api-key: …", Some("{…}")).await;
//! let cfg = app.fx_scan_config(app.fx_app("a").await, "nightly").await;  // fixtures via the service
//! ```

mod catalogue;
mod client;
mod fault_proxy;
mod fixtures;
mod keys;
mod oauth;
mod pg;
mod raw;
mod vulns;

pub use catalogue::sample_catalogue;
pub use client::{Caller, Req, Resp};
pub use fault_proxy::{FaultProxy, Mode as FaultMode};
pub use keys::{Key, Keys};
pub use rampart_engine::catalogue as engine_catalogue;
pub use raw::RawResponse;
pub use vulns::{fx_finding, fx_time};

use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::time::{Clock, ManualClock};
use rampart_server::{AppState, ServerConfig};
use rampart_service::Service;
use rampart_store::Store;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The instant the manual clock of every test app starts at.
pub const EPOCH: &str = "2026-01-02T03:04:05.678901Z";

/// Which database the server runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool under the store, to break the database on purpose.
enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// How to build a [`TestApp`].
#[derive(Debug)]
pub struct Builder {
    backend: Backend,
    catalogue: &'static [ModuleMeta],
    engines: usize,
    sqlite_url: Option<String>,
    max_file_bytes: usize,
    rate_limits: rampart_service::RateLimitConfig,
    /// Rate-limit windows on the app's manual clock instead of the wall clock.
    manual_rate_clock: bool,
    trust_forwarded_for: bool,
    report_generator: bool,
    webhook_deliverer: bool,
    /// Webhook receivers may be loopback or private (default: yes, the tests' receivers
    /// listen on 127.0.0.1).
    private_webhooks: bool,
    /// The embedded engines' browser crawler factory (the binary injects Chromium's).
    browser: Option<Arc<dyn rampart_engine::crawl::BrowserFactory>>,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`: the server's public URL (links and `Location` use it).
    pub base: String,
    pub addr: SocketAddr,
    pub service: Service,
    pub clock: Arc<ManualClock>,
    pub keys: Keys,
    pub backend: Backend,
    http: reqwest::Client,
    db: Db,
    counter: AtomicU64,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// Dropped with the app: the report generator then stops.
    reports_stop: tokio::sync::watch::Sender<bool>,
    /// Dropped with the app (or on a restart): the webhook deliverer then stops.
    webhooks_stop: tokio::sync::watch::Sender<bool>,
    worker: Option<rampart_worker::WorkerHandle>,
    /// The server's secret key: a replica shares it, as real replicas share theirs.
    secret: rampart_service::SecretKey,
    config: ServerConfig,
    rate_clock: Option<Arc<dyn Clock>>,
}

/// Serves `state` on `listener` until the returned sender is dropped or fired.
fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> tokio::sync::oneshot::Sender<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = rx.await;
        };
        if let Err(e) = rampart_server::serve(listener, rampart_server::app(state), shutdown).await
        {
            eprintln!("test server stopped with an error: {e}");
        }
    });
    tx
}

/// A second server process over the same database ([`TestApp::spawn_replica`]).
pub struct Replica {
    /// `http://127.0.0.1:PORT` of this replica (its public URL is the first server's, as
    /// behind one load balancer).
    pub base: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("base", &self.base)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(w) = &self.worker {
            w.shutdown();
        }
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            backend: Backend::Sqlite,
            catalogue: sample_catalogue(),
            engines: 0,
            sqlite_url: None,
            max_file_bytes: rampart_server::DEFAULT_MAX_FILE_BYTES,
            rate_limits: rampart_service::RateLimitConfig::OFF,
            manual_rate_clock: false,
            trust_forwarded_for: false,
            report_generator: true,
            webhook_deliverer: true,
            private_webhooks: true,
            browser: None,
        }
    }
}

impl Builder {
    /// Serve this module catalogue (default: [`sample_catalogue`], which keeps snapshots
    /// stable while the engine's catalogue grows).
    pub fn catalogue(mut self, catalogue: &'static [ModuleMeta]) -> Self {
        self.catalogue = catalogue;
        self
    }

    /// The engine's real catalogue.
    pub fn engine_catalogue(self) -> Self {
        self.catalogue(rampart_engine::catalogue())
    }

    /// Runs `n` embedded engine slots: the real [`rampart_worker::Worker`] claiming over
    /// [`rampart_service::LocalSource`] in this process, as `rampart server --engines N`
    /// does, tuned for tests (short heartbeat, flush and claim periods). Implies the
    /// engine's real catalogue. Scans submitted over HTTP then really run.
    pub fn engines(mut self, n: usize) -> Self {
        self.engines = n;
        self.engine_catalogue()
    }

    /// The embedded engines make a scan's browser crawler with `factory` (as `rampart server`
    /// does with Chromium's) when its config asks for one.
    pub fn browser(mut self, factory: Arc<dyn rampart_engine::crawl::BrowserFactory>) -> Self {
        self.browser = Some(factory);
        self
    }

    /// SQLite at this URL (a file, for benchmarks) instead of in memory.
    pub fn sqlite_url(mut self, url: &str) -> Self {
        self.sqlite_url = Some(url.to_string());
        self
    }

    /// Take the audit log's client address from `X-Forwarded-For`.
    pub fn trust_forwarded_for(mut self) -> Self {
        self.trust_forwarded_for = true;
        self
    }

    /// The server's file content limit (default 50 MiB).
    pub fn max_file_bytes(mut self, n: usize) -> Self {
        self.max_file_bytes = n;
        self
    }

    /// Rate limits (default: none, so suites never meet them).
    pub fn rate_limits(mut self, limits: rampart_service::RateLimitConfig) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Counts rate-limit windows on the app's manual clock (deterministic windows)
    /// instead of the wall clock.
    pub fn manual_rate_clock(mut self) -> Self {
        self.manual_rate_clock = true;
        self
    }

    /// Whether the report generator runs from the start (default); without it, reports
    /// stay `PROCESSING` until [`TestApp::start_report_generator`].
    pub fn report_generator(mut self, on: bool) -> Self {
        self.report_generator = on;
        self
    }

    /// Whether the webhook deliverer runs from the start (default); without it, deliveries
    /// stay in the outbox until [`TestApp::restart_webhook_deliverer`].
    pub fn webhook_deliverer(mut self, on: bool) -> Self {
        self.webhook_deliverer = on;
        self
    }

    /// Whether webhook receivers may be loopback or private addresses (default: yes;
    /// `false` is `rampart server`'s default, the SSRF guard).
    pub fn private_webhooks(mut self, allow: bool) -> Self {
        self.private_webhooks = allow;
        self
    }

    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Starts the server. Always `Some` (PostgreSQL tests are never skipped: without a
    /// server they fail, see `rampart_store_postgres::test_url`).
    pub async fn spawn(self) -> Option<TestApp> {
        let (store, db): (Arc<dyn Store>, Db) = match self.backend {
            Backend::Sqlite => {
                let url = self.sqlite_url.as_deref().unwrap_or("sqlite::memory:");
                let s = rampart_store_sqlite::connect(url)
                    .await
                    .expect("open SQLite");
                let db = Db::Sqlite(s.pool().clone());
                (Arc::new(s), db)
            }
            Backend::Postgres => {
                let s = pg::postgres_store().await?;
                let db = Db::Postgres(s.pool().clone());
                (Arc::new(s), db)
            }
        };
        let start = chrono::DateTime::parse_from_rfc3339(EPOCH)
            .expect("EPOCH is RFC 3339")
            .to_utc();
        let clock = Arc::new(ManualClock::new(start));
        let secret = rampart_service::SecretKey::generate();
        let service = Service::new(store, clock.clone() as Arc<dyn Clock>, self.catalogue)
            .with_secret_key(secret.clone())
            .with_plain_http_webhooks(true)
            .with_private_webhooks(self.private_webhooks)
            .with_login_probe(login_probe());
        let keys = keys::make_keys(&service).await;
        let browser = self.browser.clone();
        let worker = (self.engines > 0).then(|| spawn_engines(&service, self.engines, browser));

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let base = format!("http://{addr}");
        let config = ServerConfig {
            public_url: base.clone(),
            max_file_bytes: self.max_file_bytes,
            rate_limits: self.rate_limits.clone(),
            trust_forwarded_for: self.trust_forwarded_for,
        };
        let rate_clock: Option<Arc<dyn Clock>> = self
            .manual_rate_clock
            .then(|| clock.clone() as Arc<dyn Clock>);
        let state = AppState::new(service.clone(), &config);
        let state = match &rate_clock {
            Some(c) => state.with_rate_clock(c.clone()),
            None => state,
        };
        // The report generator, as `rampart server` runs it (stops when the app drops).
        let reports_stop = if self.report_generator {
            spawn_report_generator(state.clone())
        } else {
            tokio::sync::watch::channel(false).0
        };
        let webhooks_stop = if self.webhook_deliverer {
            spawn_webhook_deliverer(state.clone())
        } else {
            tokio::sync::watch::channel(false).0
        };
        let tx = serve_on(listener, state);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .expect("reqwest client");
        Some(TestApp {
            base,
            addr,
            service,
            clock,
            keys,
            backend: self.backend,
            http,
            db,
            counter: AtomicU64::new(0),
            shutdown: Some(tx),
            reports_stop,
            webhooks_stop,
            worker,
            secret,
            config,
            rate_clock,
        })
    }
}

/// The report generator over `state`, tuned for tests (a 100 ms poll); it stops when the
/// returned sender is dropped.
fn spawn_report_generator(state: AppState) -> tokio::sync::watch::Sender<bool> {
    let (stop, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(rampart_server::report_gen::run(
        state,
        rampart_server::GeneratorSettings {
            owner_prefix: "reports/testkit-".into(),
            poll: std::time::Duration::from_millis(100),
            ..rampart_server::GeneratorSettings::default()
        },
        rx,
    ));
    stop
}

/// The settings of the tests' webhook deliverer: a 50 ms poll and short retry delays
/// (tests move the manual clock past them).
pub fn test_deliverer_settings() -> rampart_server::DelivererSettings {
    use std::time::Duration;
    rampart_server::DelivererSettings {
        owner_prefix: "webhooks/testkit-".into(),
        poll: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        retry: rampart_service::RetryBounds {
            min: Duration::from_millis(100),
            max: Duration::from_secs(1),
        },
        ..rampart_server::DelivererSettings::default()
    }
}

/// The webhook deliverer over `state`, as `rampart server` runs it; it stops when the
/// returned sender is dropped.
fn spawn_webhook_deliverer(state: AppState) -> tokio::sync::watch::Sender<bool> {
    let (stop, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(rampart_server::webhook_out::run(
        state,
        test_deliverer_settings(),
        rx,
    ));
    stop
}

/// The embedded engine slots of [`Builder::engines`].
/// "Test login" as `rampart server` plugs it in: the engine's login over a real HTTP client.
fn login_probe() -> rampart_service::LoginProbe {
    let transport: Arc<dyn rampart_engine::http::Transport> = Arc::new(
        rampart_engine::http::ReqwestTransport::new(false).expect("the login test's HTTP client"),
    );
    let settings = rampart_worker::PlanSettings::default();
    Arc::new(move |recipe| {
        let (transport, settings) = (transport.clone(), settings.clone());
        Box::pin(async move {
            let c = rampart_worker::plan::test_login(&recipe, &settings, transport).await;
            rampart_service::LoginTest {
                logged_in: c.logged_in,
                detail: c.detail,
            }
        })
    })
}

fn spawn_engines(
    service: &Service,
    slots: usize,
    browser: Option<Arc<dyn rampart_engine::crawl::BrowserFactory>>,
) -> rampart_worker::WorkerHandle {
    use std::time::Duration;
    let source = Arc::new(rampart_service::LocalSource::new(
        service.clone(),
        Duration::from_millis(200),
    ));
    let cfg = rampart_worker::WorkerConfig {
        id_prefix: "testkit".into(),
        slots,
        heartbeat_every: Duration::from_millis(200),
        claim_wait: Duration::from_secs(2),
        idle_wait: Duration::from_millis(50),
        retry_min: Duration::from_millis(10),
        retry_max: Duration::from_millis(200),
        call_timeout: Duration::from_secs(10),
        flush_every: Duration::from_millis(100),
        drain_timeout: Duration::from_secs(5),
        plan: rampart_worker::PlanSettings {
            max_time_probe: Some(Duration::from_secs(2)),
            ..rampart_worker::PlanSettings::default()
        },
        browser,
        ..rampart_worker::WorkerConfig::default()
    };
    rampart_worker::Worker::new(cfg)
        .spawn(source)
        .expect("start the embedded engine slots")
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A server over in-memory SQLite with `n` embedded engine slots (see
    /// [`Builder::engines`]).
    pub async fn with_engines(n: usize) -> TestApp {
        Builder::default()
            .engines(n)
            .spawn()
            .await
            .expect("SQLite always starts")
    }

    /// A server over in-memory SQLite with the sample catalogue.
    pub async fn spawn() -> TestApp {
        Builder::default()
            .spawn()
            .await
            .expect("SQLite always starts")
    }

    /// A server over a fresh PostgreSQL schema (dropped when the app goes away).
    pub async fn spawn_postgres() -> Option<TestApp> {
        Builder::default().backend(Backend::Postgres).spawn().await
    }

    /// A URL another process (`rampart server --database …`) can open the same database
    /// with: PostgreSQL only (`RAMPART_TEST_PG_URL` with this app's schema as
    /// `search_path`); `None` for in-memory SQLite.
    pub async fn database_url(&self) -> Option<String> {
        let Db::Postgres(pool) = &self.db else {
            return None;
        };
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(pool)
            .await
            .expect("current_schema()");
        let url = rampart_store_postgres::test_url();
        let sep = if url.contains('?') { '&' } else { '?' };
        Some(format!("{url}{sep}options=-c%20search_path%3D{schema}"))
    }

    /// Starts the report generator of an app built without it
    /// ([`Builder::report_generator`]).
    pub fn start_report_generator(&mut self) {
        let state = AppState::new(self.service.clone(), &self.config);
        self.reports_stop = spawn_report_generator(state);
    }

    /// Stops the webhook deliverer (if it runs) and starts one over
    /// [`TestApp::replica_service`]: what a server restart does to the outbox.
    pub async fn restart_webhook_deliverer(&mut self) {
        let _ = self.webhooks_stop.send(true);
        let state = AppState::new(self.replica_service().await, &self.config);
        self.webhooks_stop = spawn_webhook_deliverer(state);
    }

    /// The storage port under the server (to arrange states the API cannot reach).
    pub fn store(&self) -> &Arc<dyn Store> {
        self.service.store()
    }

    /// `base` + `path` (`/ias/v1/apps` → `http://127.0.0.1:PORT/ias/v1/apps`).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// A name no other call of this app returned: `prefix-N`.
    pub fn unique(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// Requests with `key` in `X-Api-Key`.
    pub fn with<'a>(&'a self, key: &'a Key) -> Caller<'a> {
        Caller::new(self, Some(key))
    }
    /// Product Admin user.
    pub fn admin(&self) -> Caller<'_> {
        self.with(&self.keys.admin)
    }
    /// Read Write user.
    pub fn rw(&self) -> Caller<'_> {
        self.with(&self.keys.read_write)
    }
    /// Read Only user.
    pub fn ro(&self) -> Caller<'_> {
        self.with(&self.keys.read_only)
    }
    /// Organization key.
    pub fn org(&self) -> Caller<'_> {
        self.with(&self.keys.org)
    }
    /// Organization key of another tenant.
    pub fn other(&self) -> Caller<'_> {
        self.with(&self.keys.other)
    }
    /// No key at all.
    pub fn anon(&self) -> Caller<'_> {
        Caller::new(self, None)
    }

    /// Closes the store's connection pool: every later database call fails (readiness,
    /// 500 handling).
    pub async fn close_database(&self) {
        match &self.db {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Runs raw SQL (several statements allowed) on the server's database: bulk loading
    /// for benchmarks.
    pub async fn exec_sql(&self, sql: &str) -> Result<(), sqlx::Error> {
        match &self.db {
            Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
    }

    /// Every text and binary value of every table of the server's database, as text (one
    /// `table: value` line each; binary values decoded lossily): what a search for a
    /// secret stored in clear must come up empty on.
    pub async fn dump_text(&self) -> String {
        let mut out = String::new();
        match &self.db {
            Db::Sqlite(p) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(p)
                .await
                .expect("list tables");
                for t in tables {
                    let cols: Vec<String> =
                        sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{t}')"))
                            .fetch_all(p)
                            .await
                            .expect("columns");
                    for c in cols {
                        let vals: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&format!(
                            "SELECT CAST(\"{c}\" AS BLOB) FROM \"{t}\""
                        ))
                        .fetch_all(p)
                        .await
                        .expect("values");
                        for v in vals.into_iter().flatten() {
                            out.push_str(&format!("{t}.{c}: {}\n", String::from_utf8_lossy(&v)));
                        }
                    }
                }
            }
            Db::Postgres(p) => {
                let cols: Vec<(String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema()",
                )
                .fetch_all(p)
                .await
                .expect("list columns");
                for (t, c) in cols {
                    let vals: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&format!(
                        "SELECT CASE WHEN pg_typeof(\"{c}\") = 'bytea'::regtype \
                         THEN \"{c}\"::text::bytea ELSE convert_to(\"{c}\"::text, 'UTF8') END \
                         FROM \"{t}\""
                    ))
                    .fetch_all(p)
                    .await
                    .expect("values");
                    for v in vals.into_iter().flatten() {
                        out.push_str(&format!("{t}.{c}: {}\n", String::from_utf8_lossy(&v)));
                    }
                }
            }
        }
        out
    }

    /// Another server process over the same database, as after a restart or on a second
    /// replica: a new [`Service`] with the same clock on a new store (PostgreSQL: its own
    /// connection pool on this app's schema; SQLite in memory: the same store, the only
    /// way to reach the same database).
    pub async fn replica_service(&self) -> Service {
        let store: Arc<dyn Store> = match &self.db {
            Db::Sqlite(_) => self.store().clone(),
            Db::Postgres(pool) => {
                let schema: String = sqlx::query_scalar("SELECT current_schema()")
                    .fetch_one(pool)
                    .await
                    .expect("current_schema()");
                let url = rampart_store_postgres::test_url();
                Arc::new(
                    rampart_store_postgres::connect(&url, Some(&schema))
                        .await
                        .expect("second store on the same schema"),
                )
            }
        };
        Service::new(
            store,
            self.clock.clone() as Arc<dyn Clock>,
            self.service.catalogue(),
        )
        .with_secret_key(self.secret.clone())
        .with_plain_http_webhooks(true)
        .with_private_webhooks(self.service.private_webhooks_allowed())
    }

    /// Another HTTP server on [`TestApp::replica_service`], with the same configuration
    /// (public URL, limits): two replicas behind one URL.
    pub async fn spawn_replica(&self) -> Replica {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let state = AppState::new(self.replica_service().await, &self.config);
        let state = match &self.rate_clock {
            Some(c) => state.with_rate_clock(c.clone()),
            None => state,
        };
        Replica {
            base: format!("http://{addr}"),
            _shutdown: serve_on(listener, state),
        }
    }

    /// Requests with `Authorization: Bearer <token>`.
    pub fn bearer<'a>(&'a self, token: &'a str) -> Caller<'a> {
        Caller::bearer(self, token)
    }

    /// Moves the manual clock forward to `t` (never back).
    pub fn set_clock(&self, t: chrono::DateTime<chrono::Utc>) {
        let now = self.clock.now();
        assert!(t >= now, "the clock only moves forward: {now} → {t}");
        self.clock.advance(t - now);
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}
