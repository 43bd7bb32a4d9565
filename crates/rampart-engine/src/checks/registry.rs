//! The check registry: the shape of one entry and the `registry!` macro that turns the one
//! list in `checks/mod.rs` into module declarations, the catalogue, the dispatch and the
//! out-of-band need.

use super::passive::{PHit, Page};
use crate::client::{SendError, Sent};
use crate::crawl::CrawlOutput;
use crate::ctx::Ctx;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::ModuleMeta;
use std::future::Future;
use std::pin::Pin;
use url::Url;

/// What an attack returns, boxed so that every check fits one function-pointer type.
pub(crate) type Attack<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;
/// Attacks one insertion point of a crawled resource.
pub(crate) type PointFn =
    for<'a> fn(&'a Ctx, &'a Resource, &'a Sent, &'a InsertionPoint) -> Attack<'a>;
/// Attacks a crawled resource as a whole.
pub(crate) type ResourceFn = for<'a> fn(&'a Ctx, &'a Resource, &'a Sent) -> Attack<'a>;
/// Attacks one URL: a directory, a file or a host root.
pub(crate) type UrlFn = for<'a> fn(&'a Ctx, &'a Url) -> Attack<'a>;
/// Runs once after every attack job (second-order checks).
pub(crate) type FinishFn = for<'a> fn(&'a Ctx, &'a CrawlOutput) -> Attack<'a>;
/// Inspects one response of normal traffic.
pub(crate) type Inspect = fn(&Page<'_>) -> Vec<PHit>;

/// One check: its key, its metadata and the hooks the engine calls. A hook left `None`
/// means the check takes no part in that phase.
#[derive(Clone, Copy)]
pub(crate) struct Check {
    pub key: &'static str,
    pub meta: fn() -> ModuleMeta,
    /// Scheduling rank among the active jobs of the same shape: lower runs first, so that a
    /// budget cut hits the expensive checks.
    pub rank: u8,
    pub point: Option<PointFn>,
    pub resource: Option<ResourceFn>,
    pub dir: Option<UrlFn>,
    pub file: Option<UrlFn>,
    pub host: Option<UrlFn>,
    pub finish: Option<FinishFn>,
    pub passive: Option<Inspect>,
    /// The check needs the out-of-band listener (callbacks prove blind hits).
    pub oob: bool,
    /// The check runs in the browser crawler (a `BrowserCrawler` reports its findings).
    pub browser: bool,
}

impl Check {
    pub const fn new(key: &'static str, meta: fn() -> ModuleMeta) -> Self {
        Self {
            key,
            meta,
            rank: u8::MAX,
            point: None,
            resource: None,
            dir: None,
            file: None,
            host: None,
            finish: None,
            passive: None,
            oob: false,
            browser: false,
        }
    }

    /// Whether the check sends requests of its own (an active module).
    pub const fn is_active(&self) -> bool {
        self.point.is_some()
            || self.resource.is_some()
            || self.dir.is_some()
            || self.file.is_some()
            || self.host.is_some()
            || self.browser
    }
}

/// `registry! { key: hook(fn), hook(fn, rank), oob; … }` declares `pub mod key;` for each
/// entry and builds `REGISTRY`, in catalogue order. Hooks: `point`, `resource`, `dir`,
/// `file`, `host` (each with an optional rank), `finish`, `passive`, and the flags `oob` and
/// `browser` (run by the browser crawler, not by the attack phase).
macro_rules! registry {
    ($( $key:ident : $( $hook:ident $( ( $($arg:tt)* ) )? ),+ ; )*) => {
        $( pub mod $key; )*

        /// Every check, in catalogue order (active first, then passive).
        pub(crate) static REGISTRY: &[registry::Check] = &[$({
            let c = registry::Check::new($key::KEY, $key::meta);
            $( let c = registry!(@hook c, $key, $hook $( ( $($arg)* ) )?); )+
            c
        }),*];
    };
    (@hook $c:ident, $key:ident, point($f:ident $(, $rank:literal)?)) => {
        registry::Check { point: Some(|c, r, o, p| Box::pin($key::$f(c, r, o, p))), $(rank: $rank,)? ..$c }
    };
    (@hook $c:ident, $key:ident, resource($f:ident $(, $rank:literal)?)) => {
        registry::Check { resource: Some(|c, r, o| Box::pin($key::$f(c, r, o))), $(rank: $rank,)? ..$c }
    };
    (@hook $c:ident, $key:ident, dir($f:ident $(, $rank:literal)?)) => {
        registry::Check { dir: Some(|c, u| Box::pin($key::$f(c, u))), $(rank: $rank,)? ..$c }
    };
    (@hook $c:ident, $key:ident, file($f:ident)) => {
        registry::Check { file: Some(|c, u| Box::pin($key::$f(c, u))), ..$c }
    };
    (@hook $c:ident, $key:ident, host($f:ident)) => {
        registry::Check { host: Some(|c, u| Box::pin($key::$f(c, u))), ..$c }
    };
    (@hook $c:ident, $key:ident, finish($f:ident)) => {
        registry::Check { finish: Some(|c, crawl| Box::pin($key::$f(c, crawl))), ..$c }
    };
    (@hook $c:ident, $key:ident, passive($f:ident)) => {
        registry::Check { passive: Some($key::$f), ..$c }
    };
    (@hook $c:ident, $key:ident, oob) => {
        registry::Check { oob: true, ..$c }
    };
    (@hook $c:ident, $key:ident, browser) => {
        registry::Check { browser: true, ..$c }
    };
}
pub(crate) use registry;

/// Keys of the checks that need the out-of-band listener.
pub(crate) fn oob_keys() -> impl Iterator<Item = &'static str> {
    super::REGISTRY.iter().filter(|c| c.oob).map(|c| c.key)
}
