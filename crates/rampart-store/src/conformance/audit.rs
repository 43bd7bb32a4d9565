//! Conformance checks for `AuditStore`.

use super::*;
use rampart_domain::audit::{
    AuditActor, AuditCursor, AuditEntry, AuditExport, AuditFilter, ExportFormat,
};

fn entry(org: OrgId, actor: PrincipalId, minute: u32, action: &str) -> AuditEntry {
    AuditEntry {
        id: AuditId::new(),
        org,
        at: at(minute),
        actor: AuditActor {
            id: actor,
            kind: PrincipalKind::User,
            credential: Some("rmp_abcdefgh".into()),
        },
        action: action.into(),
        method: "PUT".into(),
        route: "/ias/v1/apps/{id}".into(),
        resource_type: action.split('.').next().unwrap_or_default().into(),
        resource_id: Some("r-1".into()),
        status: 200,
        ip: Some("127.0.0.1".into()),
        user_agent: Some("ua".into()),
        request_id: "req".into(),
        changes: Some(serde_json::json!({"name": {"old": "a", "new": "b"}})),
    }
}

pub async fn audit_log_pages_filters_tenants_and_purge(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let (u, v) = (PrincipalId::new(), PrincipalId::new());
    let mut all = Vec::new();
    for m in 0..6 {
        let e = entry(
            o,
            if m % 2 == 0 { u } else { v },
            10 + m,
            if m < 4 { "app.update" } else { "tag.create" },
        );
        s.append_audit(&e).await.expect("append");
        all.push(e);
    }
    // Two entries at the same instant are ordered by id.
    let mut twin = entry(o, u, 15, "tag.create");
    twin.changes = None;
    s.append_audit(&twin).await.expect("append");
    s.append_audit(&entry(other, u, 30, "app.update"))
        .await
        .expect("append");

    let got = s.get_audit(o, all[0].id).await.expect("get");
    assert_eq!(got, all[0], "an entry round-trips");
    assert!(is_not_found(s.get_audit(other, all[0].id).await));

    // Keyset pages of 2: newest first, every entry once, never another tenant's.
    let mut seen = Vec::new();
    let mut after: Option<AuditCursor> = None;
    loop {
        let page = s
            .list_audit(o, &AuditFilter::default(), after, 2)
            .await
            .expect("list");
        if page.is_empty() {
            break;
        }
        after = page.last().map(|l| AuditCursor { at: l.at, id: l.id });
        seen.extend(page);
    }
    assert_eq!(seen.len(), 7);
    assert!(seen
        .windows(2)
        .all(|w| (w[0].at, w[0].id) > (w[1].at, w[1].id)));
    assert!(seen.iter().all(|e| e.org == o));

    let f = |x: AuditFilter| async move { s.list_audit(o, &x, None, 100).await.expect("list") };
    assert_eq!(
        f(AuditFilter {
            actor: Some(v),
            ..Default::default()
        })
        .await
        .len(),
        3
    );
    assert_eq!(
        f(AuditFilter {
            resource_type: Some("tag".into()),
            ..Default::default()
        })
        .await
        .len(),
        3
    );
    assert_eq!(
        f(AuditFilter {
            action: Some("app.update".into()),
            ..Default::default()
        })
        .await
        .len(),
        4
    );
    let window = f(AuditFilter {
        from: Some(at(11)),
        to: Some(at(13)),
        ..Default::default()
    })
    .await;
    assert_eq!(
        window.iter().map(|e| e.at).collect::<Vec<_>>(),
        vec![at(12), at(11)],
        "from inclusive, to exclusive"
    );

    // Exports are tenant-scoped; the content is read only when asked.
    let x = AuditExport {
        id: AuditExportId::new(),
        org: o,
        requested_by: u,
        format: ExportFormat::Csv,
        from: Some(at(1)),
        to: None,
        created_at: at(20),
        expires_at: at(40),
        entries: 7,
        content: Some(b"id,timestamp\r\n".to_vec()),
    };
    s.create_audit_export(&x).await.expect("export");
    assert_eq!(s.get_audit_export(o, x.id, true).await.expect("get"), x);
    let meta = s.get_audit_export(o, x.id, false).await.expect("get");
    assert_eq!(meta.content, None);
    assert_eq!(meta.entries, 7);
    assert!(is_not_found(s.get_audit_export(other, x.id, false).await));

    // The purge takes every tenant's old entries, and expired exports.
    assert_eq!(s.purge_audit(at(12)).await.expect("purge"), 2);
    assert_eq!(
        s.list_audit(o, &AuditFilter::default(), None, 100)
            .await
            .expect("list")
            .len(),
        5
    );
    assert_eq!(s.purge_audit(at(50)).await.expect("purge"), 6);
    assert!(is_not_found(s.get_audit_export(o, x.id, false).await));
}
