//! `rampart server`: the API on SQLite or PostgreSQL.

use crate::config::{self, FileConfig};
use crate::instance;
use crate::secret_key;
use crate::store;
use anyhow::Context;
use clap::Args;
use rampart_domain::time::SystemClock;
use rampart_server::{AppState, ServerConfig};
use rampart_service::LocalSource;
use rampart_service::{JobSettings, OAuthSettings, RateLimitConfig, Service};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// A TOML file with defaults for the options below.
    #[arg(long, env = "RAMPART_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default ./rampart-data/rampart.db) or postgres://….
    #[arg(long, env = "RAMPART_DATABASE_URL")]
    database: Option<String>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "RAMPART_LISTEN")]
    listen: Option<String>,
    /// Externally visible base URL for links and Location (default http://LISTEN).
    #[arg(long, env = "RAMPART_PUBLIC_URL")]
    public_url: Option<String>,
    /// Log format: pretty or json.
    #[arg(long, env = "RAMPART_LOG_FORMAT")]
    log_format: Option<String>,
    /// The server secret key (base64url, 32 bytes) that seals engine credentials; shared
    /// by every replica. Default: read from, or created in, the key file.
    #[arg(long, env = "RAMPART_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<secret_key::KeyText>,
    /// Key file (created with mode 0600 when missing; default `secret.key` next to the
    /// SQLite database, `./rampart-data/secret.key` for PostgreSQL).
    #[arg(long, env = "RAMPART_SECRET_KEY_FILE")]
    secret_key_file: Option<PathBuf>,
    /// Scans the embedded engine runs at once (default 1; 0 = no embedded engine, scans
    /// wait for remote engines).
    #[arg(long, env = "RAMPART_ENGINES")]
    engines: Option<usize>,
    /// How long a scan job's lease lasts without a heartbeat (default 30); an engine
    /// silent for longer loses the scan, which is queued again.
    #[arg(long, env = "RAMPART_LEASE_SECONDS")]
    lease_seconds: Option<u64>,
    /// This server's stable id (letters, digits, `-_.`): its embedded slots' leases carry
    /// it, so that after a crash the restarted server queues their scans again at once.
    /// Default: kept in an `instance-N.id` file next to the database.
    #[arg(long, env = "RAMPART_INSTANCE_ID")]
    instance_id: Option<String>,
    /// The largest app file content an upload may carry, in bytes (default 52428800,
    /// 50 MiB); a larger upload is refused with 413.
    #[arg(long, env = "RAMPART_MAX_FILE_BYTES")]
    max_file_bytes: Option<usize>,
    /// Requests a tenant may make per rate-limit window, on both APIs (0 = no tenant
    /// limit). Counted in the database, so replicas share it.
    #[arg(long, env = "RAMPART_RATE_LIMIT_TENANT", default_value_t = 10_000)]
    rate_limit_tenant: u64,
    /// Requests one credential (API key or OAuth client) may make per window (0 = none).
    #[arg(long, env = "RAMPART_RATE_LIMIT_CREDENTIAL", default_value_t = 3_000)]
    rate_limit_credential: u64,
    /// The rate-limit window in seconds.
    #[arg(long, env = "RAMPART_RATE_LIMIT_WINDOW", default_value_t = 60)]
    rate_limit_window: u64,
    /// Failed client authentications one address may make at `/oauth/token` per window
    /// before it gets 429 + Retry-After (brute force; 0 = no limit).
    #[arg(long, env = "RAMPART_TOKEN_FAILURES_PER_IP", default_value_t = 20)]
    token_failures_per_ip: u64,
    /// Lifetime of an OAuth access token, in seconds.
    #[arg(long, env = "RAMPART_TOKEN_TTL_SECONDS", default_value_t = 3600)]
    token_ttl_seconds: i64,
    /// How long an access-token signing key signs before a new one takes over, in hours
    /// (an old key keeps verifying until its last token expires).
    #[arg(long, env = "RAMPART_SIGNING_KEY_HOURS", default_value_t = 24)]
    signing_key_hours: i64,
    /// How many days audit log entries are kept (default 365; 0 keeps them forever).
    #[arg(long, env = "RAMPART_AUDIT_RETENTION_DAYS")]
    audit_retention_days: Option<u32>,
    /// Take the client address of the audit log from `X-Forwarded-For` (only behind a
    /// reverse proxy that sets it; default: the peer address).
    #[arg(long, env = "RAMPART_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Days a generated (or failed) server-side report is kept before it is deleted
    /// (default 30).
    #[arg(long, env = "RAMPART_REPORT_RETENTION_DAYS")]
    report_retention_days: Option<u32>,
    /// Let webhook receivers be plain `http` URLs (default: `https` only).
    #[arg(long, env = "RAMPART_WEBHOOK_ALLOW_HTTP")]
    webhook_allow_http: bool,
    /// Let webhook receivers be loopback, private or link-local addresses (default: the
    /// deliverer contacts public addresses only, an SSRF guard).
    #[arg(long, env = "RAMPART_WEBHOOK_ALLOW_PRIVATE")]
    webhook_allow_private: bool,
}

pub async fn run(args: ServerArgs) -> anyhow::Result<()> {
    let file = FileConfig::load(args.config.as_deref())?;
    let database = args
        .database
        .or(file.database)
        .unwrap_or_else(|| store::DEFAULT_DATABASE.into());
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let log_format = args
        .log_format
        .or(file.log_format)
        .unwrap_or_else(|| "pretty".into());
    config::init_logging(&log_format);

    let engines = args.engines.or(file.engines).unwrap_or(1);
    let lease_seconds = args.lease_seconds.or(file.lease_seconds).unwrap_or(30);
    anyhow::ensure!(lease_seconds > 0, "--lease-seconds must be at least 1");

    let store = store::open(&database).await?;
    let data_dir = secret_key::default_file(&database)
        .and_then(|f| f.parent().map(std::path::Path::to_path_buf));
    let instance = instance::resolve(args.instance_id.as_deref(), data_dir.as_deref())?;
    let key_file = args
        .secret_key_file
        .or(file.secret_key_file)
        .or_else(|| secret_key::default_file(&database));
    let secret = secret_key::load(
        args.secret_key.as_ref().map(|k| k.0.as_str()),
        key_file.as_deref(),
    )?;
    anyhow::ensure!(
        args.token_ttl_seconds > 0 && args.signing_key_hours > 0 && args.rate_limit_window > 0,
        "--token-ttl-seconds, --signing-key-hours and --rate-limit-window must be at least 1"
    );
    let service = Service::new(store, Arc::new(SystemClock), rampart_engine::catalogue())
        .with_secret_key(secret)
        .with_plain_http_webhooks(args.webhook_allow_http)
        .with_private_webhooks(args.webhook_allow_private)
        .with_oauth_settings(OAuthSettings {
            token_ttl: chrono::Duration::seconds(args.token_ttl_seconds),
            rotate_every: chrono::Duration::hours(args.signing_key_hours),
            ..OAuthSettings::default()
        });
    let rate_limits = RateLimitConfig {
        tenant: (args.rate_limit_tenant > 0).then_some(args.rate_limit_tenant),
        credential: (args.rate_limit_credential > 0).then_some(args.rate_limit_credential),
        window_secs: args.rate_limit_window,
        token_failures_per_ip: (args.token_failures_per_ip > 0)
            .then_some(args.token_failures_per_ip),
    };
    let jobs = JobSettings {
        lease: Duration::from_secs(lease_seconds),
        ..JobSettings::default()
    };
    service.set_job_settings(jobs);
    // The jobs this instance's slots held when it last stopped (a crash): queued again now
    // rather than when their leases expire. `-` ends the prefix: `embedded/<id>-<random>:<n>`.
    let handed = service
        .release_jobs_owned_by(&format!("{}-", instance.slot_prefix()))
        .await
        .context("cannot hand back the jobs of this instance's previous run")?;
    if handed > 0 {
        tracing::warn!(handed, instance = %instance.id, "scans of this instance's previous run queued again");
    }
    // Likewise the reports this instance was generating: generated again now.
    let reports_prefix = format!("reports/{}-", instance.id);
    let freed = service
        .release_report_leases(&reports_prefix)
        .await
        .context("cannot hand back the reports of this instance's previous run")?;
    if freed > 0 {
        tracing::warn!(freed, instance = %instance.id, "reports of this instance's previous run generated again");
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let service = service.with_login_probe(login_probe(addr)?);
    let public_url = args
        .public_url
        .or(file.public_url)
        .unwrap_or_else(|| format!("http://{addr}"));

    if let Some(key) = service
        .bootstrap()
        .await
        .context("cannot create the default organization")?
    {
        println!(
            "\nrampart: created the default organization and its first API key (Product Admin).\n\
             It is shown only this once; keep it somewhere safe:\n\n    {token}\n\n\
             Use it in the X-Api-Key header, for example:\n\n    \
             curl -H 'X-Api-Key: {token}' {public_url}/ias/v1/apps\n\n\
             More keys: rampart key create --database {db} --role read-write --user you@example.com\n",
            token = key.token,
            db = config::redact(&database),
        );
    }
    let shutdown = shutdown_signal()?;
    tracing::info!(%addr, %public_url, database = %config::redact(&database), "rampart server listening");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let reaper = tokio::spawn(reap(service.clone(), jobs, stop_rx.clone()));
    let scheduler = tokio::spawn(schedule(service.clone(), stop_rx.clone()));
    let blackouts = tokio::spawn(enforce_blackouts(service.clone(), stop_rx.clone()));
    let retention = args
        .audit_retention_days
        .or(file.audit_retention_days)
        .unwrap_or(DEFAULT_AUDIT_RETENTION_DAYS);
    let audit = tokio::spawn(purge_audit(service.clone(), retention, stop_rx.clone()));
    let source = Arc::new(LocalSource::new(service.clone(), POLL));
    let slots = spawn_engines(source.clone(), engines, &instance, addr, stop_rx.clone())?;
    let max_file_bytes = args
        .max_file_bytes
        .or(file.max_file_bytes)
        .unwrap_or(rampart_server::DEFAULT_MAX_FILE_BYTES);
    let retention_days = args
        .report_retention_days
        .or(file.report_retention_days)
        .unwrap_or(30);
    let retention = tokio::spawn(purge_reports(
        service.clone(),
        retention_days,
        stop_rx.clone(),
    ));
    let state = AppState::new(
        service,
        &ServerConfig {
            public_url,
            max_file_bytes,
            rate_limits,
            trust_forwarded_for: args.trust_forwarded_for
                || file.trust_forwarded_for.unwrap_or(false),
        },
    );
    let reports = tokio::spawn(rampart_server::report_gen::run(
        state.clone(),
        rampart_server::GeneratorSettings {
            owner_prefix: reports_prefix,
            lease: Duration::from_secs(lease_seconds),
            ..rampart_server::GeneratorSettings::default()
        },
        stop_rx.clone(),
    ));
    // AppSec+ webhooks: deliveries of the outbox, leased, so a restart loses none.
    let webhooks = tokio::spawn(rampart_server::webhook_out::run(
        state.clone(),
        rampart_server::DelivererSettings {
            owner_prefix: format!("webhooks/{}-", instance.id),
            ..rampart_server::DelivererSettings::default()
        },
        stop_rx.clone(),
    ));
    // AppSec+ policy duties: triage expiry and SLA breach events.
    let policies = tokio::spawn(policy_duties(state.service.clone(), stop_rx.clone()));
    let served = rampart_server::serve(listener, rampart_server::app(state), shutdown).await;
    // Graceful shutdown: stop claiming, hand running scans back to the queue.
    let _ = stop_tx.send(true);
    for slot in slots {
        let _ = slot.await;
    }
    let handed = source.hand_back().await;
    if handed > 0 {
        tracing::info!(handed, "running scans handed back to the queue");
    }
    let _ = reaper.await;
    let _ = scheduler.await;
    let _ = blackouts.await;
    let _ = audit.await;
    let _ = reports.await;
    let _ = webhooks.await;
    let _ = policies.await;
    let _ = retention.await;
    served?;
    tracing::info!("rampart server stopped");
    Ok(())
}

/// How often an idle engine slot looks for scans queued by other replicas.
const POLL: Duration = Duration::from_secs(2);

/// The lease reaper: every few seconds (a third of the lease, 1–5 s), expired leases
/// go back to the queue or, out of attempts, fail their scans (`ENGINE_UNAVAILABLE`).
/// Only the replica holding the `lease-reaper` lead (a PostgreSQL advisory lock) reaps.
async fn reap(service: Service, jobs: JobSettings, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = (jobs.lease / 3).clamp(Duration::from_secs(1), Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        match service.try_lead("lease-reaper").await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this replica leads the reaper");
                continue;
            }
        }
        match service
            .requeue_expired(chrono::Utc::now(), jobs.max_attempts)
            .await
        {
            Ok(r) if !(r.requeued.is_empty() && r.failed.is_empty() && r.settled.is_empty()) => {
                tracing::warn!(
                    requeued = r.requeued.len(),
                    failed = r.failed.len(),
                    settled = r.settled.len(),
                    "expired scan leases handled"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the lease reaper failed"),
        }
    }
}

/// The scheduler: about every second, every due schedule submits its scan (through the
/// same admission as `POST /scans`). Only the replica holding the `scheduler` lead fires;
/// firing is a compare-and-set on the due time, so even two leaders could not fire an
/// occurrence twice.
async fn schedule(service: Service, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(SCHEDULER_TICK) => {}
            _ = stop.changed() => return,
        }
        match service.try_lead("scheduler").await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this replica leads the scheduler");
                continue;
            }
        }
        let now = service.clock().now();
        match service.fire_due(now).await {
            Ok(r) if !r.fired.is_empty() || r.disabled > 0 => {
                tracing::info!(
                    fired = r.fired.len(),
                    disabled = r.disabled,
                    "schedules fired"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the scheduler failed"),
        }
    }
}

/// How often the scheduler looks for due schedules.
const SCHEDULER_TICK: Duration = Duration::from_secs(1);

/// How often blackout windows are enforced: the delay between a window's end and its
/// held scans being queued is at most this (plus one pass).
const BLACKOUT_EVERY: Duration = Duration::from_secs(1);

/// Blackout enforcement (`Service::enforce_blackouts`): holds scans due in an active
/// window, queues them when it ends, pauses and resumes running ones. Only the replica
/// holding the `blackouts` lead runs it; it derives everything from the store, so a new
/// leader (or a restart) carries on where the last one stopped.
async fn enforce_blackouts(service: Service, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(BLACKOUT_EVERY) => {}
            _ = stop.changed() => return,
        }
        match service.try_lead("blackouts").await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this replica leads blackouts");
                continue;
            }
        }
        let now = service.clock().now();
        match service.enforce_blackouts(now).await {
            Ok(r) if !r.is_empty() => tracing::info!(
                held = r.held.len(),
                released = r.released.len(),
                paused = r.paused.len(),
                resumed = r.resumed.len(),
                "blackouts enforced"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "blackout enforcement failed"),
        }
    }
}

/// How often the policy duties run.
const POLICY_DUTIES_EVERY: Duration = Duration::from_secs(60);

/// AppSec+ policy duties (`Service::policy_duties`): about every minute, on the replica
/// holding the `policies` lead, expired triage policies give back what they changed and
/// newly breached SLAs are announced (`sla.breached`, once each: a compare-and-set in the
/// store, so a change of leader cannot announce one twice).
async fn policy_duties(service: Service, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLICY_DUTIES_EVERY) => {}
            _ = stop.changed() => return,
        }
        match service.try_lead("policies").await {
            Ok(true) => match service.policy_duties().await {
                Ok(r) if r != rampart_service::DutyReport::default() => tracing::info!(
                    reverted = r.reverted,
                    kept = r.kept,
                    breaches = r.breaches,
                    "policy duties"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "policy duties failed"),
            },
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this replica leads policy duties")
            }
        }
    }
}

/// The default `--audit-retention-days`.
const DEFAULT_AUDIT_RETENTION_DAYS: u32 = 365;
/// How often old audit entries are purged.
const AUDIT_PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Audit retention (`Service::purge_audit`): hourly, on the replica holding the
/// `audit-retention` lead, entries older than `days` and expired exports are deleted.
async fn purge_audit(service: Service, days: u32, mut stop: tokio::sync::watch::Receiver<bool>) {
    if days == 0 {
        return;
    }
    loop {
        match service.try_lead("audit-retention").await {
            Ok(true) => match service.purge_audit(days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, days, "old audit entries purged"),
                Err(e) => tracing::error!(error = %e, "audit purge failed"),
            },
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this replica leads audit retention")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(AUDIT_PURGE_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// How often the retention duty deletes expired reports.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// Report retention: about hourly (and once at start), finished reports older than
/// `days` are deleted. Only the replica holding the `report-retention` lead purges.
async fn purge_reports(service: Service, days: u32, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match service.try_lead("report-retention").await {
            Ok(true) => match service.purge_reports(days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, days, "expired reports deleted"),
                Err(e) => tracing::error!(error = %e, "report retention failed"),
            },
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether this replica leads report retention")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(RETENTION_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// "Test login" of a scan config (console): the engine's login with the embedded engines'
/// plan settings (never this server's own socket).
fn login_probe(own: std::net::SocketAddr) -> anyhow::Result<rampart_service::LoginProbe> {
    let transport: Arc<dyn rampart_engine::http::Transport> = Arc::new(
        rampart_engine::http::ReqwestTransport::new(false)
            .map_err(|e| anyhow::anyhow!("cannot build the login test's HTTP client: {e}"))?,
    );
    let settings = rampart_worker::PlanSettings {
        own_sockets: vec![own],
        ..Default::default()
    };
    Ok(Arc::new(move |recipe| {
        let (transport, settings) = (transport.clone(), settings.clone());
        Box::pin(async move {
            let c = rampart_worker::plan::test_login(&recipe, &settings, transport).await;
            rampart_service::LoginTest {
                logged_in: c.logged_in,
                detail: c.detail,
            }
        })
    }))
}

/// Starts `slots` embedded engine slots: the same [`rampart_worker::Worker`] a remote
/// `rampart engine` runs, claiming from `source` in process. When `stop` turns true the
/// worker drains (running scans stop and send what they confirmed; the caller then hands
/// their jobs back to the queue). Returns the task that ends when the worker has drained.
fn spawn_engines(
    source: Arc<LocalSource>,
    slots: usize,
    instance: &instance::Instance,
    own: std::net::SocketAddr,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    if slots == 0 {
        tracing::info!("no embedded engine (--engines 0): scans wait for remote engines");
        return Ok(Vec::new());
    }
    let cfg = rampart_worker::WorkerConfig {
        id_prefix: instance.slot_prefix(),
        slots,
        // Scans never turn on the server that runs them.
        plan: rampart_worker::PlanSettings {
            own_sockets: vec![own],
            ..Default::default()
        },
        browser: Some(crate::engine_cmd::browser_factory()),
        ..rampart_worker::WorkerConfig::default()
    };
    let handle = rampart_worker::Worker::new(cfg)
        .spawn(source)
        .map_err(|e| anyhow::anyhow!("cannot start the embedded engine: {e}"))?;
    Ok(vec![tokio::spawn(async move {
        while !*stop.borrow() {
            if stop.changed().await.is_err() {
                break;
            }
        }
        handle.shutdown();
        for exit in handle.join().await {
            if !matches!(exit, rampart_worker::SlotExit::Shutdown) {
                tracing::warn!(?exit, "an embedded engine slot ended abnormally");
            }
        }
    })])
}

/// Registers SIGINT and SIGTERM handlers now (so a signal sent as soon as the server
/// says it listens is not lost) and resolves when either arrives.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("shutting down: draining connections");
    })
}
