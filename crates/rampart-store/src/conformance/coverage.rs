//! Conformance checks for `CoverageStore`.

use super::scans::queued_scan;
use super::{app, at, is_not_found, org};
use crate::Store;
use rampart_domain::job::Coverage;

pub async fn scan_coverage_is_replaced_tenant_scoped_and_goes_with_the_scan(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    assert_eq!(s.find_scan_coverage(a, sc.id).await.unwrap(), None);
    let mut c = Coverage {
        limits_reached: vec!["max_requests".into(), "max_per_pattern".into()],
        limit_details: vec![
            "max_requests: 500 requests sent, the rest not".into(),
            "max_per_pattern: 12 URLs of /item.php?id= not visited".into(),
        ],
        dropped: [
            ("timeout".to_string(), 3),
            ("connection closed".to_string(), 1),
        ]
        .into(),
        abandoned: [("timeout".to_string(), 7)].into(),
    };
    s.save_scan_coverage(a, sc.id, &c, at(4)).await.unwrap();
    assert_eq!(
        s.find_scan_coverage(a, sc.id).await.unwrap(),
        Some(c.clone())
    );
    // A later report replaces the earlier one whole.
    c.limits_reached.clear();
    c.limit_details.clear();
    c.abandoned.clear();
    s.save_scan_coverage(a, sc.id, &c, at(5)).await.unwrap();
    assert_eq!(
        s.find_scan_coverage(a, sc.id).await.unwrap(),
        Some(c.clone())
    );
    // Another organization neither reads nor writes it.
    assert_eq!(s.find_scan_coverage(b, sc.id).await.unwrap(), None);
    assert!(is_not_found(
        s.save_scan_coverage(b, sc.id, &c, at(6)).await
    ));
    s.delete_scan(a, sc.id).await.unwrap();
    assert_eq!(s.find_scan_coverage(a, sc.id).await.unwrap(), None);
}
