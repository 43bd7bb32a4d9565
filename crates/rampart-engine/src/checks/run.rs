//! The attack phase: turns crawl results into jobs (per parameter, resource, directory,
//! file or host) for every enabled active module and runs them with bounded concurrency.

use super::registry::{Check, PointFn, ResourceFn, UrlFn};
use super::REGISTRY;
use crate::client::{SendError, Sent};
use crate::crawl::CrawlOutput;
use crate::ctx::Ctx;
use crate::target::{InsertionPoint, Resource};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::task::JoinSet;
use url::Url;

enum Job {
    Point(PointFn, Arc<(Resource, Sent)>, InsertionPoint),
    Resource(ResourceFn, Arc<(Resource, Sent)>),
    Url(UrlFn, Url),
}

async fn run(ctx: Arc<Ctx>, job: Job) -> Result<(), SendError> {
    match job {
        Job::Point(f, rs, p) => f(&ctx, &rs.0, &rs.1, &p).await,
        Job::Resource(f, rs) => f(&ctx, &rs.0, &rs.1).await,
        Job::Url(f, u) => f(&ctx, &u).await,
    }
}

/// Runs every enabled active module over the crawl results; returns the attack jobs
/// abandoned with their remaining payloads, per reason (a request that got no answer).
pub(crate) async fn attack_all(ctx: Arc<Ctx>, crawl: &CrawlOutput) -> BTreeMap<String, u64> {
    let plan = ctx.http.plan().clone();
    let mut enabled: Vec<&'static Check> = REGISTRY
        .iter()
        .filter(|c| c.is_active() && plan.modules.is_enabled(c.key))
        .collect();
    enabled.sort_by_key(|c| c.rank);
    // Cheap site-level jobs first so that a budget cut hits the expensive ones.
    let mut jobs: Vec<Job> = Vec::new();
    let mut resource_jobs: Vec<Job> = Vec::new();
    let mut point_jobs: Vec<Job> = Vec::new();
    let mut login_skipped = 0u32;
    // Whether any enabled check attacks cookies: only then are the session's cookies tried on
    // every page (one request per cookie and page).
    let wants_cookies = enabled.iter().filter(|c| c.point.is_some()).any(|c| {
        let s = plan.modules.settings(c.key);
        let defaults = crate::catalogue::module(c.key)
            .map(|m| m.parameter_locations)
            .unwrap_or(&[]);
        defaults.contains(&rampart_domain::ParameterLocation::Cookie)
            && s.locations
                .as_ref()
                .unwrap_or(&plan.modules.locations)
                .contains(&rampart_domain::ParameterLocation::Cookie)
    });
    for (r, sent) in &crawl.resources {
        if ctx.http.control.halted() {
            break;
        }
        let orig = match sent {
            Some(s) => s.clone(),
            None => match ctx.send(r.to_request()).await {
                Ok(s) => s,
                Err(_) => continue,
            },
        };
        if wants_cookies {
            ctx.learn_cookie_uses(r, &orig).await;
        }
        // The scan's own login request is not attacked unless asked: only checks on the
        // form as a whole (default credentials skips it by itself) see it.
        let login = !plan.session.attack_login
            && r.method == "POST"
            && super::weak_credentials::own_login(&ctx, r);
        if login {
            login_skipped += 1;
        }
        let rs = Arc::new((r.clone(), orig));
        for c in enabled.iter().filter(|_| !login) {
            if let Some(f) = c.point {
                for p in ctx.points(c.key, r, Some(&rs.1)) {
                    point_jobs.push(Job::Point(f, rs.clone(), p));
                }
            }
        }
        for f in enabled.iter().filter_map(|c| c.resource) {
            resource_jobs.push(Job::Resource(f, rs.clone()));
        }
    }
    if login_skipped > 0 {
        ctx.http
            .log(
                crate::events::Level::Info,
                format!(
                    "the login request is not attacked ({login_skipped} request(s) of the login form skipped by the parameter checks); attack_login (rampart scan --attack-login) includes it"
                ),
            )
            .await;
    }
    let uses = ctx.cookie_pages.summary();
    if !uses.is_empty() {
        ctx.http
            .log(
                crate::events::Level::Info,
                format!(
                    "cookies of the session attacked on the pages whose answer depends on them: {}",
                    uses.join(", ")
                ),
            )
            .await;
    }
    let (max_dirs, max_files) = (plan.limits.max_probe_dirs, plan.limits.max_probe_files);
    let dir_checks: Vec<UrlFn> = enabled.iter().filter_map(|c| c.dir).collect();
    let file_checks: Vec<UrlFn> = enabled.iter().filter_map(|c| c.file).collect();
    for d in crawl.directories.iter().take(max_dirs) {
        for f in &dir_checks {
            jobs.push(Job::Url(*f, d.clone()));
        }
    }
    for f in &file_checks {
        for u in crawl.files.iter().take(max_files) {
            jobs.push(Job::Url(*f, u.clone()));
        }
    }
    let over_dirs =
        crawl.directories.len().saturating_sub(max_dirs) * usize::from(!dir_checks.is_empty());
    let over_files =
        crawl.files.len().saturating_sub(max_files) * usize::from(!file_checks.is_empty());
    if over_dirs + over_files > 0 {
        ctx.http
            .limit_final(
                crate::events::LimitKind::ProbeBudget,
                format!(
                    "probe budget reached (max {max_dirs} directories, {max_files} files): {over_dirs} directorie(s) and {over_files} file(s) not probed for listings, backups and leftovers"
                ),
            )
            .await;
    }
    let backup_budget = ctx
        .backups
        .scale(crawl.resources.len(), crawl.files.len().min(max_files));
    let host_checks: Vec<UrlFn> = enabled.iter().filter_map(|c| c.host).collect();
    if !host_checks.is_empty() {
        // The root of every visited host, and of the first seed.
        let hosts: BTreeSet<Url> = crawl
            .visited
            .iter()
            .filter_map(|u| u.join("/").ok())
            .chain(plan.seeds.iter().take(1).cloned())
            .collect();
        for f in host_checks {
            for h in &hosts {
                jobs.push(Job::Url(f, h.clone()));
            }
        }
    }
    jobs.extend(resource_jobs);
    jobs.extend(point_jobs);
    let counters = ctx.http.counters.clone();
    counters.attacks_in_queue.store(jobs.len() as u64, Relaxed);
    let conc = plan.limits.concurrency.max(1);
    let mut set: JoinSet<Result<(), SendError>> = JoinSet::new();
    let mut jobs = jobs.into_iter();
    let mut exhausted = false;
    let mut abandoned: std::collections::BTreeMap<String, u64> = Default::default();
    loop {
        while set.len() < conc && !exhausted {
            if ctx.http.control.halted() {
                exhausted = true;
                break;
            }
            match jobs.next() {
                Some(j) => {
                    set.spawn(run(ctx.clone(), j));
                }
                None => exhausted = true,
            }
        }
        let Some(res) = set.join_next().await else {
            break;
        };
        counters.attacks_in_queue.fetch_sub(1, Relaxed);
        counters.attacked.fetch_add(1, Relaxed);
        match res {
            Ok(Err(SendError::Limit(_))) => {
                // A global budget is exhausted: stop scheduling, let in-flight jobs finish.
                exhausted = true;
            }
            Ok(Err(SendError::Transport(e))) => {
                *abandoned.entry(e.reason().to_string()).or_insert(0u64) += 1;
            }
            _ => {}
        }
    }
    if !abandoned.is_empty() {
        let list: Vec<String> = abandoned
            .iter()
            .map(|(r, n)| format!("{n} ({r})"))
            .collect();
        ctx.http
            .log(
                crate::events::Level::Warn,
                format!(
                    "attack jobs abandoned with their remaining payloads: {}",
                    list.join(", ")
                ),
            )
            .await;
    }
    let cookies = ctx.cookie_pages.left_out();
    if !cookies.is_empty() {
        ctx.http
            .limit_final(
                crate::events::LimitKind::CookieBudget,
                format!(
                    "cookie budget reached (a cookie of the session is attacked on at most {} pages that depend on it, besides the one that sets it): {}",
                    crate::ctx::MAX_COOKIE_PAGES,
                    cookies.join(", ")
                ),
            )
            .await;
    }
    let skipped = ctx.backups.skipped();
    if skipped > 0 {
        ctx.http
            .limit_final(
                crate::events::LimitKind::ProbeBudget,
                format!(
                    "backup probe budget reached ({backup_budget} requests for this site): {skipped} copy, numbered and archive name(s) not probed"
                ),
            )
            .await;
    }
    if !ctx.http.control.halted() {
        crate::ctx::finish_oob(&ctx).await;
    }
    for f in enabled.iter().filter_map(|c| c.finish) {
        if ctx.http.control.halted() {
            break;
        }
        let _ = f(&ctx, crawl).await;
    }
    // After the stored check's finish: its uncertain findings wait here too.
    super::xss_confirm::finish(&ctx).await;
    abandoned
}
