//! Every case of the manifest, by module key: vulnerable shows, fixed and safe twins do not.

use crate::probes::probe;
use crate::support::Ctx;
use rampart_testbed::manifest;

/// Checks every case of `module_key` against a fresh testbed.
async fn check(module_key: &str) {
    let ctx = Ctx::new().await;
    let cases: Vec<_> = manifest()
        .into_iter()
        .filter(|c| c.module_key == module_key)
        .collect();
    assert!(
        cases.iter().any(|c| c.vulnerable),
        "{module_key} has a vulnerable case"
    );
    assert!(
        cases.iter().any(|c| !c.vulnerable),
        "{module_key} has a safe twin"
    );
    for c in &cases {
        if c.vulnerable {
            assert!(probe(&ctx, c).await, "{}: vulnerable behaviour shows", c.id);
            ctx.tb.set_enabled(&c.id, false).unwrap();
            assert!(!probe(&ctx, c).await, "{}: fixed case is silent", c.id);
            ctx.tb.set_enabled(&c.id, true).unwrap();
            assert!(
                probe(&ctx, c).await,
                "{}: re-enabled case shows again",
                c.id
            );
        } else {
            assert!(!probe(&ctx, c).await, "{}: safe twin is silent", c.id);
        }
    }
}

/// Every module key of the manifest, each against its own fresh testbed, all at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_module_key_shows_when_vulnerable_and_is_silent_when_fixed() {
    let mut keys: Vec<String> = manifest().into_iter().map(|c| c.module_key).collect();
    keys.sort();
    keys.dedup();
    let mut set = tokio::task::JoinSet::new();
    for k in keys {
        set.spawn(async move { check(&k).await });
    }
    while let Some(r) = set.join_next().await {
        if let Err(e) = r {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

/// The manifest and the engine's check registry name the same modules: every check has a
/// vulnerable case and a safe twin here, and no case tests a module the engine lacks. A new
/// check is therefore its file, its registry line and its cases, nothing else.
#[test]
fn the_manifest_covers_exactly_the_engine_s_checks() {
    let mut cases: Vec<String> = manifest().into_iter().map(|c| c.module_key).collect();
    cases.sort();
    cases.dedup();
    let mut checks: Vec<String> = rampart_engine::catalogue()
        .iter()
        .map(|m| m.key.to_string())
        .collect();
    checks.sort();
    assert!(!checks.is_empty());
    assert_eq!(cases, checks, "manifest module keys = engine checks");
}
