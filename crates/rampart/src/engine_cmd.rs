//! `rampart engine`: a remote scan engine. Runs [`rampart_worker::Worker`] slots over
//! `/engine/v1` ([`rampart_worker::http::HttpSource`]) with an engine credential.
//!
//! The worker reconnects with backoff while the server is away (confirmed findings are
//! kept and sent later). SIGTERM/SIGINT drain it: no new claims, running scans stop and
//! send what they confirmed, and their jobs are handed back
//! (`POST /engine/v1/jobs/{id}/release`): queued again at once, not at lease expiry. A
//! refused credential (revoked or replaced) ends every slot and the command exits 2.

use crate::config;
use anyhow::Context;
use clap::Args;
use rampart_worker::http::HttpSource;
use rampart_worker::{CancellationToken, SlotExit, Worker, WorkerConfig};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct EngineArgs {
    /// The server's base URL (`https://rampart.example:8080`).
    #[arg(long, env = "RAMPART_URL")]
    server: String,
    /// The engine credential (`rmpe_…`, from `GET /ias/v1/engines/{id}/credential`).
    #[arg(long, env = "RAMPART_ENGINE_KEY", hide_env_values = true)]
    key: String,
    /// Scans run at once.
    #[arg(long, env = "RAMPART_ENGINE_SLOTS", default_value_t = 1)]
    slots: usize,
    /// Log format: pretty or json.
    #[arg(long, env = "RAMPART_LOG_FORMAT", default_value = "pretty")]
    log_format: String,
    /// Long-poll wait of one claim, in seconds (the server caps it at 30).
    #[arg(long, default_value_t = 20, hide = true)]
    claim_wait: u64,
}

pub async fn run(args: EngineArgs) -> anyhow::Result<()> {
    config::init_logging(&args.log_format);
    anyhow::ensure!(args.slots > 0, "--slots must be at least 1");
    anyhow::ensure!(
        args.key
            .trim()
            .starts_with(rampart_service::ENGINE_TOKEN_PREFIX),
        "--key must be an engine credential ({}…)",
        rampart_service::ENGINE_TOKEN_PREFIX
    );
    let source = HttpSource::new(&args.server, args.key.trim())
        .map_err(|e| anyhow::anyhow!("cannot reach {}: {e}", args.server))?;
    let cfg = WorkerConfig {
        id_prefix: "engine".into(),
        slots: args.slots,
        claim_wait: Duration::from_secs(args.claim_wait.clamp(1, 30)),
        // Scans never turn on the server this engine works for.
        plan: rampart_worker::PlanSettings {
            own_sockets: server_sockets(&args.server).await,
            ..Default::default()
        },
        browser: Some(browser_factory()),
        ..WorkerConfig::default()
    };
    let shutdown = CancellationToken::new();
    let handle = Worker::new(cfg)
        .run(Arc::new(source), shutdown.clone())
        .map_err(|e| anyhow::anyhow!("cannot start the engine: {e}"))?;
    let signal = shutdown_signal()?;
    tracing::info!(server = %args.server, slots = args.slots, "rampart engine started");
    println!("rampart engine: {} slot(s) on {}", args.slots, args.server);
    let token = shutdown.clone();
    tokio::spawn(async move {
        signal.await;
        tracing::info!("shutting down: draining running scans");
        token.cancel();
    });
    let exits = handle.join().await;
    let refused: Vec<&String> = exits
        .iter()
        .filter_map(|e| match e {
            SlotExit::Refused(m) => Some(m),
            _ => None,
        })
        .collect();
    if let Some(m) = refused.first() {
        anyhow::bail!("the server refused this engine: {m}");
    }
    tracing::info!("rampart engine stopped");
    Ok(())
}

fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// The addresses the server's URL resolves to now (none when it does not resolve yet: the
/// worker's own retries deal with an absent server).
async fn server_sockets(server: &str) -> Vec<std::net::SocketAddr> {
    let Ok(url) = url::Url::parse(server) else {
        return Vec::new();
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return Vec::new();
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let found = tokio::net::lookup_host((host, port)).await;
    found.map(|a| a.collect()).unwrap_or_default()
}

/// The browser crawler of scans whose config asks for one (`java_script_engine` CHROMIUM):
/// Chromium found on `PATH` or at `RAMPART_CHROMIUM` when the scan starts; without it the
/// scan says so in an event and runs with the HTML crawler.
pub(crate) fn browser_factory() -> Arc<dyn rampart_engine::crawl::BrowserFactory> {
    Arc::new(rampart_browser::ChromiumFactory::default())
}
