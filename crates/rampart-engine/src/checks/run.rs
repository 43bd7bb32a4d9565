//! The attack phase: turns crawl results into jobs (per parameter, resource, directory,
//! file or host) for every enabled active module and runs them with bounded concurrency.

use super::*;
use crate::client::{SendError, Sent};
use crate::crawl::CrawlOutput;
use crate::ctx::Ctx;
use crate::target::{InsertionPoint, Resource};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::task::JoinSet;
use url::Url;

/// Per-parameter modules, cheapest and most decisive first.
const POINT: &[&str] = &[
    xss_reflected::KEY,
    sqli::KEY,
    ssti::KEY,
    code_injection::KEY,
    cmdi::KEY,
    path_traversal::KEY,
    open_redirect::KEY,
    crlf_injection::KEY,
    remote_file_inclusion::KEY,
    ssrf::KEY,
    xss_stored::KEY,
];
const RESOURCE: &[&str] = &[cors::KEY, csrf::KEY, file_upload::KEY, xxe::KEY];
const DIRECTORY: &[&str] = &[
    directory_listing::KEY,
    sensitive_files::KEY,
    http_methods::KEY,
];
/// Directories and files probed at most (budget).
const MAX_DIRS: usize = 40;
const MAX_FILES: usize = 60;

enum Job {
    Point(&'static str, Arc<(Resource, Sent)>, InsertionPoint),
    Resource(&'static str, Arc<(Resource, Sent)>),
    Dir(&'static str, Url),
    File(Url),
    Host(Url),
}

async fn run(ctx: Arc<Ctx>, job: Job) -> Result<(), SendError> {
    match job {
        Job::Point(key, rs, p) => {
            let (r, orig) = (&rs.0, &rs.1);
            match key {
                sqli::KEY => sqli::attack(&ctx, r, orig, &p).await,
                xss_reflected::KEY => xss_reflected::attack(&ctx, r, orig, &p).await,
                xss_stored::KEY => xss_stored::attack(&ctx, r, orig, &p).await,
                cmdi::KEY => cmdi::attack(&ctx, r, orig, &p).await,
                path_traversal::KEY => path_traversal::attack(&ctx, r, orig, &p).await,
                remote_file_inclusion::KEY => {
                    remote_file_inclusion::attack(&ctx, r, orig, &p).await
                }
                ssti::KEY => ssti::attack(&ctx, r, orig, &p).await,
                code_injection::KEY => code_injection::attack(&ctx, r, orig, &p).await,
                ssrf::KEY => ssrf::attack(&ctx, r, orig, &p).await,
                open_redirect::KEY => open_redirect::attack(&ctx, r, orig, &p).await,
                crlf_injection::KEY => crlf_injection::attack(&ctx, r, orig, &p).await,
                _ => Ok(()),
            }
        }
        Job::Resource(key, rs) => {
            let (r, orig) = (&rs.0, &rs.1);
            match key {
                cors::KEY => cors::attack(&ctx, r, orig).await,
                csrf::KEY => csrf::attack(&ctx, r, orig).await,
                file_upload::KEY => file_upload::attack(&ctx, r, orig).await,
                xxe::KEY => xxe::attack(&ctx, r, orig).await,
                _ => Ok(()),
            }
        }
        Job::Dir(key, d) => match key {
            directory_listing::KEY => directory_listing::attack_dir(&ctx, &d).await,
            sensitive_files::KEY => sensitive_files::attack_dir(&ctx, &d).await,
            http_methods::KEY => http_methods::attack_dir(&ctx, &d).await,
            _ => Ok(()),
        },
        Job::File(f) => sensitive_files::attack_file(&ctx, &f).await,
        Job::Host(h) => http_methods::attack_host(&ctx, &h).await,
    }
}

/// Runs every enabled active module over the crawl results.
pub(crate) async fn attack_all(ctx: Arc<Ctx>, crawl: &CrawlOutput) {
    let plan = ctx.http.plan().clone();
    let on = |k: &str| plan.modules.is_enabled(k);
    // Cheap site-level jobs first so that a budget cut hits the expensive ones.
    let mut jobs: Vec<Job> = Vec::new();
    let mut resource_jobs: Vec<Job> = Vec::new();
    let mut point_jobs: Vec<Job> = Vec::new();
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
        let rs = Arc::new((r.clone(), orig));
        for key in POINT.iter().copied().filter(|k| on(k)) {
            for p in ctx.points(key, r, Some(&rs.1)) {
                point_jobs.push(Job::Point(key, rs.clone(), p));
            }
        }
        for key in RESOURCE.iter().copied().filter(|k| on(k)) {
            resource_jobs.push(Job::Resource(key, rs.clone()));
        }
    }
    for d in crawl.directories.iter().take(MAX_DIRS) {
        for key in DIRECTORY.iter().copied().filter(|k| on(k)) {
            jobs.push(Job::Dir(key, d.clone()));
        }
    }
    if on(sensitive_files::KEY) {
        for f in crawl.files.iter().take(MAX_FILES) {
            jobs.push(Job::File(f.clone()));
        }
    }
    if on(http_methods::KEY) {
        let hosts: BTreeSet<Url> = crawl
            .visited
            .iter()
            .filter_map(|u| u.join("/").ok())
            .filter(|u| ctx.http.gate().check("TRACE", u).is_ok())
            .collect();
        let seeds: Vec<Url> = plan.seeds.iter().take(1).cloned().collect();
        for h in hosts.into_iter().chain(seeds).collect::<BTreeSet<_>>() {
            jobs.push(Job::Host(h));
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
        if let Ok(Err(SendError::Limit(_))) = res {
            // A global budget is exhausted: stop scheduling, let in-flight jobs finish.
            exhausted = true;
        }
    }
    if !ctx.http.control.halted() {
        crate::ctx::finish_oob(&ctx).await;
    }
    if on(xss_stored::KEY) && !ctx.http.control.halted() {
        let _ = xss_stored::finish(&ctx, crawl).await;
    }
}
