//! Finding and starting Chromium: headless, a fresh profile directory, no background traffic.

use crate::BrowserOptions;
use chromiumoxide::browser::{Browser, BrowserConfig};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The Chromium binary: `RAMPART_CHROMIUM`, else the first of the usual names on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RAMPART_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// For a test that needs Chromium: whether it is here. Without it the test fails with one
/// line saying what to install, unless `RAMPART_SKIP_BROWSER_TESTS=1` asks to skip the
/// browser tests (refused under `CI`); a skipped test says so loudly on stderr.
pub fn chromium_for_test(test: &str) -> bool {
    if find_chromium().is_some() {
        return true;
    }
    let skip = std::env::var("RAMPART_SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1")
        && std::env::var_os("CI").is_none();
    assert!(
        skip,
        "{test} needs Chromium: apt-get install chromium (or set RAMPART_CHROMIUM=/path; \
         RAMPART_SKIP_BROWSER_TESTS=1 skips the browser tests outside CI)"
    );
    eprintln!("\n*** NOT RUN: {test}: no Chromium (RAMPART_SKIP_BROWSER_TESTS=1) ***\n");
    false
}

/// A running Chromium and the task that drives its DevTools connection.
pub(crate) struct Launched {
    pub browser: Browser,
    pub pid: Option<u32>,
    handler: JoinHandle<()>,
    profile: PathBuf,
}

impl Launched {
    /// Starts Chromium with every connection it makes going through `proxy` (loopback
    /// included: nothing bypasses it).
    pub async fn start(
        exe: &Path,
        opts: &BrowserOptions,
        proxy: std::net::SocketAddr,
    ) -> Result<Self, String> {
        let profile = std::env::temp_dir().join(format!("rampart-chromium-{}", crate::token()));
        let config = BrowserConfig::builder()
            .chrome_executable(exe)
            .no_sandbox()
            .user_data_dir(&profile)
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(opts.page_budget.max(Duration::from_secs(5)))
            .arg("disable-gpu")
            .arg("disable-component-update")
            .arg("disable-domain-reliability")
            // One process per page keeps every frame's requests in the page's Fetch session.
            .arg("disable-site-isolation-trials")
            .arg((
                "disable-features",
                &[
                    "IsolateOrigins",
                    "site-per-process",
                    "HttpsUpgrades",
                    "OptimizationHints",
                    "MediaRouter",
                ][..],
            ))
            .arg("ignore-certificate-errors")
            .arg(("proxy-server", format!("http://{proxy}").as_str()))
            .arg(("proxy-bypass-list", "<-loopback>"))
            .build()?;
        std::fs::create_dir_all(&profile).map_err(|e| format!("profile directory: {e}"))?;
        let (browser, mut handler) = match Browser::launch(config).await {
            Ok(x) => x,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile);
                return Err(format!("Chromium at {} did not start: {e}", exe.display()));
            }
        };
        let handler = tokio::spawn(async move {
            // Errors of single messages are not fatal; the stream ends with the browser.
            while let Some(_event) = handler.next().await {}
        });
        let mut browser = browser;
        let pid = browser.get_mut_child().and_then(|c| c.as_mut_inner().id());
        Ok(Self {
            browser,
            pid,
            handler,
            profile,
        })
    }

    /// RSS of Chromium's process tree, KiB.
    pub fn rss_kib(&self) -> u64 {
        self.pid.map(crate::rss::tree_rss_kib).unwrap_or(0)
    }

    pub async fn stop(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.close()).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.wait()).await;
        let _ = self.browser.kill().await;
        self.handler.abort();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
