//! Conformance checks for the gate verdicts of completed scans (`ScanEvaluationStore`) and
//! for the scan changes that write their events with them.

use super::*;

fn verdict(policy: PolicyId, v: Verdict, deciding: Vec<uuid::Uuid>) -> PolicyVerdict {
    PolicyVerdict {
        policy,
        name: "no high findings".into(),
        action: PolicyAction::Block,
        verdict: v,
        matched: deciding.len() as u64,
        deciding,
    }
}

/// A noted scan gets its verdict once, with its deliveries; a second judge writes nothing;
/// the duty sees the notes without a verdict, and whether their scan is complete; another
/// tenant reads nothing.
pub async fn scan_evaluations_are_recorded_once_with_their_events(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let a = app(s, o, "shop", None).await;
    let w = super::webhooks::hook(o, "gates", vec![WebhookEvent::PolicyFailed]);
    s.create_webhook(&w).await.unwrap();

    // An engine scan still running, and an import that is stored.
    let running = super::scans::queued_scan(s, o, a.id, 1).await;
    let import = PlusScan {
        id: PlusScanId::new(),
        org: o,
        app: a.id,
        scan_type: PlusScanType::Sast,
        tools: vec!["Bandit".into()],
        format: "sarif".into(),
        triggered_by: None,
        created_at: at(2),
        summary: serde_json::json!({}),
    };
    s.expect_scan_evaluation(o, running.id.0, a.id, at(1))
        .await
        .unwrap();
    s.expect_scan_evaluation(o, import.id.0, a.id, at(2))
        .await
        .unwrap();
    s.expect_scan_evaluation(o, import.id.0, a.id, at(9))
        .await
        .unwrap();
    s.apply_plus_import(&import, &Default::default(), &[])
        .await
        .unwrap();

    let due = s.due_scan_evaluations(at(30), 10).await.unwrap();
    let seen: Vec<(uuid::Uuid, bool, chrono::DateTime<Utc>)> = due
        .iter()
        .map(|d| (d.scan, d.complete, d.created_at))
        .collect();
    assert_eq!(
        seen,
        vec![(running.id.0, false, at(1)), (import.id.0, true, at(2))],
        "oldest first; noting again keeps the first note"
    );
    assert_eq!(
        s.due_scan_evaluations(at(2), 10).await.unwrap().len(),
        1,
        "only notes older than `before`"
    );

    let policy = PolicyId::new();
    let finding = uuid::Uuid::from_u128(5);
    let e = ScanEvaluation::new(
        o,
        import.id.0,
        a.id,
        vec![verdict(policy, Verdict::Fail, vec![finding])],
        at(3),
    );
    let mut failed = super::webhooks::delivery(&w, 3);
    failed.event = WebhookEvent::PolicyFailed;
    assert!(is_not_found(
        s.record_scan_evaluation(
            &ScanEvaluation {
                scan: uuid::Uuid::from_u128(77),
                ..e.clone()
            },
            &[]
        )
        .await
    ));
    assert!(s
        .record_scan_evaluation(&e, std::slice::from_ref(&failed))
        .await
        .unwrap());
    let mut second = super::webhooks::delivery(&w, 4);
    second.event = WebhookEvent::PolicyFailed;
    let later = ScanEvaluation::new(o, import.id.0, a.id, Vec::new(), at(4));
    assert!(
        !s.record_scan_evaluation(&later, std::slice::from_ref(&second))
            .await
            .unwrap(),
        "the first verdict stands"
    );
    let deliveries = s.list_deliveries(o, w.id, 10, 0).await.unwrap();
    assert_eq!(
        deliveries.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![failed.id],
        "one policy.failed, written with the verdict"
    );
    assert_eq!(
        s.scan_evaluations(o, &[import.id.0, running.id.0])
            .await
            .unwrap(),
        vec![e.clone()],
        "a scan without a verdict is left out"
    );
    assert!(s
        .scan_evaluations(other, &[import.id.0])
        .await
        .unwrap()
        .is_empty());
    assert!(is_not_found(
        s.record_scan_evaluation(
            &ScanEvaluation {
                org: other,
                ..later
            },
            &[]
        )
        .await
    ));

    // Judged notes are no longer due; a dropped note is gone, a judged one is kept.
    let due = s.due_scan_evaluations(at(30), 10).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.scan).collect::<Vec<_>>(),
        vec![running.id.0]
    );
    s.drop_scan_evaluation(o, import.id.0).await.unwrap();
    s.drop_scan_evaluation(other, running.id.0).await.unwrap();
    assert_eq!(
        s.scan_evaluations(o, &[import.id.0]).await.unwrap().len(),
        1
    );
    assert_eq!(s.due_scan_evaluations(at(30), 10).await.unwrap().len(), 1);
    s.drop_scan_evaluation(o, running.id.0).await.unwrap();
    assert!(s.due_scan_evaluations(at(30), 10).await.unwrap().is_empty());

    // An engine scan that reached COMPLETE is due as complete.
    let done = super::scans::queued_scan(s, o, a.id, 5).await;
    s.expect_scan_evaluation(o, done.id.0, a.id, at(5))
        .await
        .unwrap();
    assert!(s
        .transition_scan(
            o,
            done.id,
            ScanStatus::Pending,
            ScanStatus::Complete,
            None,
            Some(at(6))
        )
        .await
        .unwrap());
    let due = s.due_scan_evaluations(at(30), 10).await.unwrap();
    assert_eq!(
        due.iter()
            .map(|d| (d.scan, d.complete, d.org, d.app))
            .collect::<Vec<_>>(),
        vec![(done.id.0, true, o, a.id)]
    );
}

/// A scan's completion writes its deliveries in the same transaction, and a lost race
/// writes neither the move nor the deliveries.
pub async fn a_scan_completion_writes_its_events_with_it(s: &dyn Store) {
    let o = org(s, "o").await;
    let a = app(s, o, "shop", None).await;
    let w = super::webhooks::hook(o, "done", vec![WebhookEvent::ScanCompleted]);
    s.create_webhook(&w).await.unwrap();
    let sc = super::scans::queued_scan(s, o, a.id, 1).await;
    let first = super::webhooks::delivery(&w, 2);
    let lost = super::webhooks::delivery(&w, 3);
    use ScanStatus::*;
    assert!(!s
        .transition_scan_announced(
            o,
            sc.id,
            Running,
            Complete,
            Some(at(2)),
            std::slice::from_ref(&lost)
        )
        .await
        .unwrap());
    assert!(s
        .transition_scan_announced(
            o,
            sc.id,
            Pending,
            Complete,
            Some(at(2)),
            std::slice::from_ref(&first)
        )
        .await
        .unwrap());
    assert!(!s
        .transition_scan_announced(
            o,
            sc.id,
            Pending,
            Complete,
            Some(at(3)),
            std::slice::from_ref(&lost)
        )
        .await
        .unwrap());
    let got = s.get_scan(o, sc.id, &Visibility::All).await.unwrap();
    assert_eq!((got.status, got.completion_time), (Complete, Some(at(2))));
    let ids: Vec<WebhookDeliveryId> = s
        .list_deliveries(o, w.id, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, vec![first.id]);
}
