//! Conformance checks for `ReportStore`.

use super::*;
use crate::{ReportLease, ReportOutcome};
use rampart_domain::report::{Report, ReportParams, ReportStatus};

fn report(org: OrgId, owner: PrincipalId, app: Option<AppId>, minute: u32) -> Report {
    Report {
        id: ReportId::new(),
        org,
        name: format!("r{minute}"),
        kind: "VULN_SUMMARY".into(),
        format: "PDF".into(),
        owner,
        app,
        scan: None,
        params: ReportParams {
            filter: Some("vulnerability.severity = 'HIGH'".into()),
            month: Some("2026-01-01".parse().unwrap()),
            ..ReportParams::default()
        },
        status: ReportStatus::Processing,
        failure_reason: None,
        created_at: at(minute),
        generated_date: at(minute),
    }
}

fn lease(owner: &str, minute: u32) -> ReportLease {
    ReportLease {
        owner: owner.into(),
        until: at(minute),
    }
}

pub async fn reports_crud_visibility_and_cascade(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let u = user(s, o, "u@o.test").await;
    let v = user(s, o, "v@o.test").await;
    let x = app(s, o, "x", Some(u.id)).await;
    let y = app(s, o, "y", None).await;
    let rx = report(o, v.id, Some(x.id), 1);
    let ry = report(o, v.id, Some(y.id), 2);
    let all_u = report(o, u.id, None, 3);
    let all_v = report(o, v.id, None, 4);
    for r in [&rx, &ry, &all_u, &all_v] {
        s.create_report(r).await.expect("create");
    }
    assert_eq!(s.get_report(o, rx.id, &Visibility::All).await.unwrap(), rx);
    assert!(is_not_found(
        s.get_report(other, rx.id, &Visibility::All).await
    ));
    // A member sees the reports of its apps and its own all-apps reports.
    let mine = Visibility::MemberOf(u.id);
    assert!(s.get_report(o, rx.id, &mine).await.is_ok());
    assert!(is_not_found(s.get_report(o, ry.id, &mine).await));
    assert!(s.get_report(o, all_u.id, &mine).await.is_ok());
    assert!(is_not_found(s.get_report(o, all_v.id, &mine).await));
    let page = s
        .list_reports(o, &mine, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    // Default order: generated date, newest first.
    let page = s
        .list_reports(o, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    let ids: Vec<_> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![all_v.id, all_u.id, ry.id, rx.id]);
    // A search over the catalogue's fields.
    let mut req = ListRequest::first(10);
    req.filter = Some(
        rampart_query::parse_query(
            ResourceType::Report,
            &format!("report.app.id = '{}' && report.format = 'PDF'", x.id),
        )
        .unwrap(),
    );
    let found = s.list_reports(o, &Visibility::All, &req).await.unwrap();
    assert_eq!(found.items, vec![rx.clone()]);

    // No content until complete; the content then comes with the report.
    let (_, none) = s
        .get_report_content(o, rx.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(none, None);
    let held = s
        .claim_report(&lease("a", 30), at(5), 3)
        .await
        .unwrap()
        .expect("a report to claim");
    assert_eq!(held.id, rx.id, "oldest first");
    assert!(is_not_found(
        s.finish_report(rx.id, "b", ReportOutcome::Complete(vec![1]), at(6))
            .await
    ));
    s.finish_report(rx.id, "a", ReportOutcome::Complete(b"%PDF".to_vec()), at(6))
        .await
        .unwrap();
    let (done, bytes) = s
        .get_report_content(o, rx.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(done.status, ReportStatus::Complete);
    assert_eq!(done.generated_date, at(6));
    assert_eq!(bytes.as_deref(), Some(&b"%PDF"[..]));

    // Delete, tenant-scoped; deleting an app deletes its reports.
    assert!(is_not_found(s.delete_report(other, ry.id).await));
    s.delete_report(o, all_v.id).await.unwrap();
    assert!(is_not_found(
        s.get_report(o, all_v.id, &Visibility::All).await
    ));
    s.delete_app(o, x.id).await.unwrap();
    assert!(is_not_found(s.get_report(o, rx.id, &Visibility::All).await));

    // Retention: finished reports generated before the cut are purged, not processing ones.
    assert_eq!(s.purge_reports(at(59)).await.unwrap(), 0, "none finished");
    let c = s
        .claim_report(&lease("a", 30), at(5), 3)
        .await
        .unwrap()
        .unwrap();
    s.finish_report(c.id, "a", ReportOutcome::Failed("no".into()), at(7))
        .await
        .unwrap();
    assert_eq!(s.purge_reports(at(7)).await.unwrap(), 0);
    assert_eq!(s.purge_reports(at(8)).await.unwrap(), 1);
    assert!(is_not_found(s.get_report(o, c.id, &Visibility::All).await));
}

pub async fn report_claims_are_exclusive_and_leases_expire(s: &dyn Store) {
    let o = org(s, "o").await;
    let u = user(s, o, "u@o.test").await;
    let r1 = report(o, u.id, None, 1);
    let r2 = report(o, u.id, None, 2);
    s.create_report(&r1).await.unwrap();
    s.create_report(&r2).await.unwrap();
    let a = s
        .claim_report(&lease("srv-a:1", 10), at(5), 2)
        .await
        .unwrap();
    let b = s
        .claim_report(&lease("srv-b:1", 10), at(5), 2)
        .await
        .unwrap();
    assert_eq!(a.map(|r| r.id), Some(r1.id));
    assert_eq!(b.map(|r| r.id), Some(r2.id));
    assert_eq!(
        s.claim_report(&lease("c", 10), at(5), 2).await.unwrap(),
        None,
        "both held"
    );
    // Renewing works only for the holder.
    s.renew_report_lease(r1.id, &lease("srv-a:1", 50))
        .await
        .unwrap();
    assert!(is_not_found(
        s.renew_report_lease(r1.id, &lease("c", 20)).await
    ));
    // r2's lease expires at minute 10: another replica takes it over (attempt 2).
    let taken = s.claim_report(&lease("c", 30), at(11), 2).await.unwrap();
    assert_eq!(taken.map(|r| r.id), Some(r2.id));
    assert!(is_not_found(
        s.finish_report(r2.id, "srv-b:1", ReportOutcome::Complete(vec![]), at(12))
            .await
    ));
    // Out of attempts once expired again: not claimable, then failed.
    assert_eq!(
        s.claim_report(&lease("d", 40), at(31), 2).await.unwrap(),
        None
    );
    let failed = s
        .fail_exhausted_reports(at(31), 2, "generation was interrupted twice")
        .await
        .unwrap();
    assert_eq!(failed, vec![r2.id]);
    let r = s.get_report(o, r2.id, &Visibility::All).await.unwrap();
    assert_eq!(r.status, ReportStatus::Failed);
    assert_eq!(
        r.failure_reason.as_deref(),
        Some("generation was interrupted twice")
    );
    // A restarted server frees its own leases at once (r1 is held until minute 50).
    assert_eq!(s.release_report_leases("srv-b").await.unwrap(), 0);
    assert_eq!(s.release_report_leases("srv-a").await.unwrap(), 1);
    let again = s.claim_report(&lease("e", 40), at(12), 3).await.unwrap();
    assert_eq!(again.map(|r| r.id), Some(r1.id));
}
