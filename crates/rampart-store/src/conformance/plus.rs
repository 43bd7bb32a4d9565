//! Conformance checks for the AppSec+ parts: app profiles on the apps table, imports of
//! tool results (`PlusStore`).

use super::*;
use crate::{PlusFindingFilter, PlusImport, PlusStream, PlusStreamChange, StoreResult};

pub async fn app_profiles_round_trip(s: &dyn Store) {
    let o = org(s, "o").await;
    let mut a = app(s, o, "shop", None).await;
    assert_eq!(a.profile, AppProfile::default());
    a.profile = AppProfile {
        criticality: Criticality::Critical,
        owner: Some("team-a".into()),
        repo_url: Some("https://git.example.test/shop".into()),
        service_url: Some("https://shop.example.test".into()),
        language: Some("rust".into()),
        business_unit: Some("retail".into()),
        archived: true,
    };
    s.update_app(&a).await.unwrap();
    assert_eq!(s.get_app(o, a.id, &Visibility::All).await.unwrap(), a);
    let listed = s
        .list_apps(o, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items, vec![a]);
}

fn finding(a: &App, scan: PlusScanId, fp: &str, severity: Severity) -> PlusFinding {
    PlusFinding {
        id: PlusFindingId::new(),
        org: a.org,
        app: a.id,
        scan,
        scan_type: PlusScanType::Sast,
        tool: "Bandit".into(),
        fingerprint: fp.into(),
        rule_id: "B602".into(),
        title: format!("finding {fp}"),
        description: Some("d".into()),
        severity,
        status: PlusStatus::Open,
        cwe: Some("CWE-78".into()),
        cve: None,
        cvss_score: Some(7.5),
        location: Some("app.py:3".into()),
        remediation: None,
        first_seen: at(2),
        last_seen: at(2),
        updated_at: at(2),
    }
}

fn scan(a: &App, minute: u32) -> PlusScan {
    PlusScan {
        id: PlusScanId::new(),
        org: a.org,
        app: a.id,
        scan_type: PlusScanType::Sast,
        tools: vec!["Bandit".into()],
        format: "sarif".into(),
        triggered_by: Some("ci".into()),
        created_at: at(minute),
        summary: serde_json::json!({"new": 2}),
    }
}

pub async fn plus_imports_apply_and_filter(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let alice = user(s, o, "alice@o.test").await;
    let a = app(s, o, "a", Some(alice.id)).await;
    let hidden = app(s, o, "hidden", None).await;
    let first = scan(&a, 2);
    let x = finding(&a, first.id, "x", Severity::High);
    let y = finding(&a, first.id, "y", Severity::Low);
    let import = PlusImport {
        new: vec![x.clone(), y.clone()],
        ..Default::default()
    };
    // The import's deliveries are written with it, and with nothing when it conflicts.
    let w = super::webhooks::hook(o, "imports", vec![WebhookEvent::ScanCompleted]);
    s.create_webhook(&w).await.unwrap();
    let sent = super::webhooks::delivery(&w, 2);
    s.apply_plus_import(&first, &import, std::slice::from_ref(&sent))
        .await
        .unwrap();
    assert_eq!(s.get_delivery(o, w.id, sent.id).await.unwrap().id, sent.id);
    assert_eq!(
        s.get_plus_scan(o, first.id, &Visibility::All)
            .await
            .unwrap(),
        first
    );
    assert_eq!(
        s.get_plus_finding(o, x.id, &Visibility::All).await.unwrap(),
        x
    );
    assert!(is_not_found(
        s.get_plus_finding(other, x.id, &Visibility::All).await
    ));
    let states = s
        .plus_finding_states(o, a.id, PlusScanType::Sast, &["Bandit".into()])
        .await
        .unwrap();
    assert_eq!(states.findings.len(), 2);
    assert!(states.findings.iter().all(|f| f.present));
    assert_eq!(
        states.streams,
        vec![(
            "Bandit".to_string(),
            PlusStream {
                scan: first.id,
                at: at(2)
            }
        )]
    );
    assert!(s
        .plus_finding_states(o, a.id, PlusScanType::Sca, &["Bandit".into()])
        .await
        .unwrap()
        .findings
        .is_empty());
    // The same fingerprint again in another import is a conflict, nothing written.
    let dup = scan(&a, 3);
    let clash = PlusImport {
        new: vec![finding(&a, dup.id, "x", Severity::High)],
        ..Default::default()
    };
    let unsent = super::webhooks::delivery(&w, 3);
    assert!(is_conflict(
        s.apply_plus_import(&dup, &clash, std::slice::from_ref(&unsent))
            .await
    ));
    assert!(is_not_found(s.get_delivery(o, w.id, unsent.id).await));
    assert!(is_not_found(
        s.get_plus_scan(o, dup.id, &Visibility::All).await
    ));
    // Re-import: x seen, y closed; then y reopened.
    let second = scan(&a, 4);
    s.apply_plus_import(
        &second,
        &PlusImport {
            streams: vec![PlusStreamChange {
                tool: "Bandit".into(),
                previous: Some(PlusStream {
                    scan: first.id,
                    at: at(2),
                }),
                closed: vec![y.id],
                gone: vec![],
            }],
            ..Default::default()
        },
        &[],
    )
    .await
    .unwrap();
    let gx = s.get_plus_finding(o, x.id, &Visibility::All).await.unwrap();
    assert_eq!(
        (gx.scan, gx.last_seen, gx.status),
        (second.id, at(4), PlusStatus::Open)
    );
    let gy = s.get_plus_finding(o, y.id, &Visibility::All).await.unwrap();
    assert_eq!((gy.scan, gy.status), (first.id, PlusStatus::Resolved));
    let third = scan(&a, 5);
    s.apply_plus_import(
        &third,
        &PlusImport {
            reopened: vec![y.id],
            streams: vec![PlusStreamChange {
                tool: "Bandit".into(),
                previous: Some(PlusStream {
                    scan: second.id,
                    at: at(4),
                }),
                closed: vec![],
                gone: vec![],
            }],
            ..Default::default()
        },
        &[],
    )
    .await
    .unwrap();
    let gy = s.get_plus_finding(o, y.id, &Visibility::All).await.unwrap();
    assert_eq!((gy.status, gy.last_seen), (PlusStatus::Open, at(5)));
    s.set_plus_finding_status(o, y.id, PlusStatus::Accepted, at(6))
        .await
        .unwrap();
    assert!(is_not_found(
        s.set_plus_finding_status(other, y.id, PlusStatus::Open, at(6))
            .await
    ));
    // Filters, sort, visibility.
    let all = |f: PlusFindingFilter| PlusFindingFilter { limit: 50, ..f };
    let list = s
        .list_plus_findings(o, &all(Default::default()), &Visibility::All)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    let high = s
        .list_plus_findings(
            o,
            &all(PlusFindingFilter {
                min_severity: Some(Severity::Medium),
                ..Default::default()
            }),
            &Visibility::All,
        )
        .await
        .unwrap();
    assert_eq!(high.iter().map(|f| f.id).collect::<Vec<_>>(), vec![x.id]);
    let accepted = s
        .list_plus_findings(
            o,
            &all(PlusFindingFilter {
                status: Some(PlusStatus::Accepted),
                app: Some(a.id),
                ..Default::default()
            }),
            &Visibility::All,
        )
        .await
        .unwrap();
    assert_eq!(
        accepted.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![y.id]
    );
    let by_sev = s
        .list_plus_findings(
            o,
            &all(PlusFindingFilter {
                sort: Some("severity".into()),
                ..Default::default()
            }),
            &Visibility::All,
        )
        .await
        .unwrap();
    assert_eq!(
        by_sev.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![y.id, x.id]
    );
    let vis = Visibility::MemberOf(alice.id);
    assert_eq!(
        s.list_plus_findings(o, &all(Default::default()), &vis)
            .await
            .unwrap()
            .len(),
        2
    );
    let hidden_scan = scan(&hidden, 7);
    s.apply_plus_import(
        &hidden_scan,
        &PlusImport {
            new: vec![finding(&hidden, hidden_scan.id, "z", Severity::Critical)],
            ..Default::default()
        },
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        s.list_plus_findings(o, &all(Default::default()), &vis)
            .await
            .unwrap()
            .len(),
        2,
        "a member sees only its apps' findings"
    );
    assert!(is_not_found(s.get_plus_scan(o, hidden_scan.id, &vis).await));
    assert_eq!(s.list_plus_scans(o, None, &vis).await.unwrap().len(), 3);
    assert_eq!(
        s.list_plus_scans(o, Some(a.id), &Visibility::All)
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![third.id, second.id, first.id]
    );
    // Deleting the app takes its scans and findings.
    s.delete_app(o, a.id).await.unwrap();
    assert!(is_not_found(
        s.get_plus_finding(o, x.id, &Visibility::All).await
    ));
    assert!(is_not_found(
        s.get_plus_scan(o, first.id, &Visibility::All).await
    ));
}

pub async fn policies_crud_and_tenants(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut p = Policy {
        id: PolicyId::new(),
        org: o,
        name: "no criticals".into(),
        description: Some("d".into()),
        action: PolicyAction::Block,
        enabled: true,
        conditions: GateConditions {
            min_severity: Some(Severity::Critical),
            cwes: vec!["CWE-89".into()],
            max_count: 2,
            ..Default::default()
        },
        created_at: at(1),
        updated_at: at(1),
    };
    s.create_policy(&p).await.unwrap();
    assert_eq!(s.get_policy(o, p.id).await.unwrap(), p);
    assert!(is_not_found(s.get_policy(other, p.id).await));
    assert!(is_conflict(
        s.create_policy(&Policy {
            id: PolicyId::new(),
            ..p.clone()
        })
        .await
    ));
    p.action = PolicyAction::Monitor;
    p.enabled = false;
    p.conditions.min_age_days = Some(30);
    p.updated_at = at(2);
    s.update_policy(&p).await.unwrap();
    assert_eq!(s.list_policies(o).await.unwrap(), vec![p.clone()]);
    assert!(s.list_policies(other).await.unwrap().is_empty());
    assert!(is_not_found(s.delete_policy(other, p.id).await));
    s.delete_policy(o, p.id).await.unwrap();
    assert!(is_not_found(s.get_policy(o, p.id).await));
}

/// The triage trail (newest first, per policy and tenant), what is still open, ending
/// once; SLA breaches noted once each.
pub async fn triage_records_and_sla_breaches(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let policy = PolicyId::new();
    let rec = |n: u32, finding: u128| TriageRecord {
        id: uuid::Uuid::new_v4(),
        org: o,
        policy,
        policy_name: "suppress test data".into(),
        finding: uuid::Uuid::from_u128(finding),
        previous: PlusStatus::Open,
        status: PlusStatus::Accepted,
        justification: "fixtures".into(),
        applied_at: at(n),
        ended_at: None,
        end: None,
    };
    let records = vec![rec(1, 1), rec(2, 2), rec(3, 3)];
    s.record_triage(&records).await.unwrap();
    let listed = s.list_triage(o, policy, 10, 0).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.finding).collect::<Vec<_>>(),
        [3u128, 2, 1].map(uuid::Uuid::from_u128),
        "newest first"
    );
    assert_eq!(listed[2], records[0], "round trip");
    assert_eq!(
        s.list_triage(o, policy, 1, 1).await.unwrap(),
        vec![records[1].clone()]
    );
    assert!(s
        .list_triage(other, policy, 10, 0)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .list_triage(o, PolicyId::new(), 10, 0)
        .await
        .unwrap()
        .is_empty());

    s.end_triage(o, &[(records[0].id, TriageEnd::Reverted)], at(5))
        .await
        .unwrap();
    // Another tenant cannot end them; an ended change stays as it ended.
    s.end_triage(other, &[(records[1].id, TriageEnd::Kept)], at(6))
        .await
        .unwrap();
    s.end_triage(o, &[(records[0].id, TriageEnd::Kept)], at(7))
        .await
        .unwrap();
    let open = s.open_triage(o, policy).await.unwrap();
    assert_eq!(open, vec![records[1].clone(), records[2].clone()]);
    let ended = s.list_triage(o, policy, 10, 0).await.unwrap();
    assert_eq!(ended[2].ended_at, Some(at(5)));
    assert_eq!(ended[2].end, Some(TriageEnd::Reverted));

    let f1 = uuid::Uuid::from_u128(1);
    let f2 = uuid::Uuid::from_u128(2);
    // The event of the new breaches is written in the same transaction, built from them.
    let w = super::webhooks::hook(o, "sla", vec![WebhookEvent::SlaBreached]);
    s.create_webhook(&w).await.unwrap();
    let outbox = |new: &[uuid::Uuid]| {
        let mut d = super::webhooks::delivery(&w, 2);
        d.event = WebhookEvent::SlaBreached;
        d.payload = serde_json::json!({ "new": new }).to_string();
        vec![d]
    };
    let new = s
        .note_sla_breaches(o, &[(f1, at(1)), (f2, at(1))], at(2), &outbox)
        .await
        .unwrap();
    assert_eq!(new, vec![f1, f2]);
    let again = s
        .note_sla_breaches(o, &[(f1, at(1)), (f2, at(3))], at(4), &outbox)
        .await
        .unwrap();
    assert_eq!(again, vec![f2], "a breach is noted once per due date");
    let none = s
        .note_sla_breaches(o, &[(f1, at(1)), (f2, at(3))], at(5), &outbox)
        .await
        .unwrap();
    assert!(none.is_empty(), "nothing new, no event");
    let payloads: Vec<String> = s
        .list_deliveries(o, w.id, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.payload)
        .collect();
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    assert!(payloads.contains(&serde_json::json!({ "new": [f2] }).to_string()));
    assert!(payloads.contains(&serde_json::json!({ "new": [f1, f2] }).to_string()));
}

/// One import through the port as the service makes it: read what is known of `tools`,
/// decide each known finding by the re-import rule (`rampart_ingest::reconcile`, written
/// again here as the oracle), apply. Returns the scan and what the import wrote.
async fn reimport(
    s: &dyn Store,
    a: &App,
    minute: u32,
    tools: &[&str],
    reported: &[(&str, &str)],
) -> StoreResult<(PlusScan, PlusImport)> {
    let tools: Vec<String> = tools.iter().map(|t| t.to_string()).collect();
    let known = s
        .plus_finding_states(a.org, a.id, PlusScanType::Sast, &tools)
        .await?;
    let scan = PlusScan {
        tools,
        ..scan(a, minute)
    };
    let (mut unchanged, mut reopened, mut closed) = (vec![], vec![], vec![]);
    for (i, k) in known.findings.iter().enumerate() {
        let again = reported.contains(&(k.tool.as_str(), k.fingerprint.as_str()));
        match (again, k.status) {
            (true, PlusStatus::Resolved) => reopened.push(i),
            (true, _) => unchanged.push(i),
            (false, st) if st.is_active() => closed.push(i),
            (false, _) => {}
        }
    }
    let new = reported
        .iter()
        .filter(|(t, fp)| {
            !known
                .findings
                .iter()
                .any(|k| k.tool == *t && k.fingerprint == *fp)
        })
        .map(|(t, fp)| PlusFinding {
            tool: t.to_string(),
            first_seen: scan.created_at,
            last_seen: scan.created_at,
            updated_at: scan.created_at,
            ..finding(a, scan.id, fp, Severity::High)
        })
        .collect();
    let import = known.import(new, reported, &unchanged, &reopened, &closed);
    s.apply_plus_import(&scan, &import, &[]).await?;
    Ok((scan, import))
}

/// An unchanged re-import writes no finding, yet each finding reads as seen by it
/// (`scan_id`, `last_seen`, `updated_at`); a partial re-import, a reopen, a triaged
/// finding leaving and coming back, and two tools on one application each read the
/// import that last reported them; two imports planned on the same state: one conflicts.
pub async fn plus_reimport_reads_seen_from_the_stream(s: &dyn Store) {
    let o = org(s, "o").await;
    let a = app(s, o, "a", None).await;
    let get = move |id: PlusFindingId| async move {
        let f = s.get_plus_finding(o, id, &Visibility::All).await.unwrap();
        (f.scan, f.last_seen, f.updated_at, f.status)
    };
    // The findings a filter lists, in its order.
    let listed = move |filter: PlusFindingFilter| async move {
        s.list_plus_findings(o, &filter, &Visibility::All)
            .await
            .unwrap()
    };
    let in_scan = move |scan: PlusScanId| async move {
        let mut ids: Vec<String> = listed(PlusFindingFilter {
            scan: Some(scan),
            limit: 50,
            ..Default::default()
        })
        .await
        .into_iter()
        .map(|f| f.fingerprint)
        .collect();
        ids.sort();
        ids
    };
    use PlusStatus::*;
    let both = [("Bandit", "x"), ("Bandit", "y")];
    let (s1, first) = reimport(s, &a, 2, &["Bandit"], &both).await.unwrap();
    let [x, y] = [first.new[0].id, first.new[1].id];

    // Unchanged: nothing to write, everything reads as seen by the second import.
    let (s2, plan) = reimport(s, &a, 4, &["Bandit"], &both).await.unwrap();
    assert!(plan.new.is_empty() && plan.reopened.is_empty() && plan.returned.is_empty());
    assert!(plan
        .streams
        .iter()
        .all(|c| c.closed.is_empty() && c.gone.is_empty()));
    assert_eq!(get(x).await, (s2.id, at(4), at(4), Open));
    assert_eq!(get(y).await, (s2.id, at(4), at(4), Open));
    assert_eq!(in_scan(s2.id).await, ["x", "y"]);
    assert!(in_scan(s1.id).await.is_empty());

    // Partial: y closed, keeping the import that last reported it.
    let (s3, _) = reimport(s, &a, 5, &["Bandit"], &both[..1]).await.unwrap();
    assert_eq!(get(x).await, (s3.id, at(5), at(5), Open));
    assert_eq!(get(y).await, (s2.id, at(4), at(5), Resolved));
    assert_eq!(in_scan(s2.id).await, ["y"]);
    assert_eq!(in_scan(s3.id).await, ["x"]);

    // Reopened: seen by the import that brought it back.
    let (s4, plan) = reimport(s, &a, 6, &["Bandit"], &both).await.unwrap();
    assert_eq!(plan.reopened, vec![y]);
    assert_eq!(get(y).await, (s4.id, at(6), at(6), Open));
    assert_eq!(get(x).await, (s4.id, at(6), at(6), Open));

    // Triaged, then no longer reported: the status stays, the last import seeing it too.
    s.set_plus_finding_status(o, x, Accepted, at(7))
        .await
        .unwrap();
    let (_, plan) = reimport(s, &a, 8, &["Bandit"], &both[1..]).await.unwrap();
    assert_eq!(plan.streams[0].gone, vec![x]);
    assert_eq!(get(x).await, (s4.id, at(6), at(7), Accepted));
    // …and back: present again, still accepted.
    let (s6, plan) = reimport(s, &a, 9, &["Bandit"], &both).await.unwrap();
    assert_eq!(plan.returned, vec![x]);
    assert_eq!(get(x).await, (s6.id, at(9), at(9), Accepted));

    // A second tool on the same application is its own stream.
    let (s7, _) = reimport(s, &a, 10, &["Semgrep"], &[("Semgrep", "z")])
        .await
        .unwrap();
    let z = listed(PlusFindingFilter {
        tool: Some("Semgrep".into()),
        limit: 5,
        ..Default::default()
    })
    .await[0]
        .id;
    assert_eq!(get(z).await, (s7.id, at(10), at(10), Open));
    assert_eq!(get(y).await, (s6.id, at(9), at(9), Open));
    let (s8, _) = reimport(s, &a, 11, &["Bandit"], &both).await.unwrap();
    assert_eq!(get(y).await, (s8.id, at(11), at(11), Open));
    assert_eq!(get(z).await, (s7.id, at(10), at(10), Open));
    // One upload of both tools moves both streams.
    let all = [both[0], both[1], ("Semgrep", "z")];
    let (s9, _) = reimport(s, &a, 12, &["Bandit", "Semgrep"], &all)
        .await
        .unwrap();
    for id in [x, y, z] {
        assert_eq!(get(id).await.0, s9.id);
    }
    // Sorted by when they were last seen: z's stream was imported before Bandit's.
    let (_, _) = reimport(s, &a, 13, &["Bandit"], &both).await.unwrap();
    let by_seen: Vec<String> = listed(PlusFindingFilter {
        sort: Some("-lastSeen".into()),
        limit: 5,
        ..Default::default()
    })
    .await
    .into_iter()
    .map(|f| f.fingerprint)
    .collect();
    assert_eq!(by_seen.last().map(String::as_str), Some("z"));

    // Two imports planned on the same state: the second to land conflicts, writes nothing.
    let tools = vec!["Bandit".to_string()];
    let known = s
        .plus_finding_states(o, a.id, PlusScanType::Sast, &tools)
        .await
        .unwrap();
    reimport(s, &a, 14, &["Bandit"], &both).await.unwrap();
    let late = scan(&a, 15);
    let stale = known.import(vec![], &both, &[0, 1], &[], &[]);
    assert!(is_conflict(s.apply_plus_import(&late, &stale, &[]).await));
    assert!(is_not_found(
        s.get_plus_scan(o, late.id, &Visibility::All).await
    ));
    assert_eq!(get(x).await.1, at(14));
}
