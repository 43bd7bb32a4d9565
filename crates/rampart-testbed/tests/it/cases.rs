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

macro_rules! module_tests {
    ($($name:ident),* $(,)?) => {
        $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            check(stringify!($name)).await;
        })*

        /// Every module key of the contract has a test above.
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

module_tests!(
    sqli,
    xss_reflected,
    xss_stored,
    cmdi,
    path_traversal,
    remote_file_inclusion,
    ssti,
    code_injection,
    ssrf,
    xxe,
    open_redirect,
    crlf_injection,
    cors,
    http_methods,
    sensitive_files,
    directory_listing,
    file_upload,
    csrf,
    csp,
    x_frame_options,
    x_content_type_options,
    hsts,
    referrer_policy,
    cookie_flags,
    version_disclosure,
    error_disclosure,
    private_ip_disclosure,
    password_over_http,
    password_in_get,
    password_autocomplete,
    mixed_content,
    predictable_session_id,
);

#[test]
fn every_case_belongs_to_a_tested_module_key() {
    for c in manifest() {
        assert!(
            TESTED.contains(&c.module_key.as_str()),
            "{} has untested key {}",
            c.id,
            c.module_key
        );
    }
    assert_eq!(
        TESTED.len(),
        32,
        "the contract's 18 active and 14 passive keys"
    );
}
