//! Conformance checks for `ScheduleStore`: CRUD, visibility, orphaned schedules and the
//! compare-and-set that fires an occurrence exactly once.

use super::scans::new_scan;
use super::*;
use crate::NewJob;
use rampart_domain::recurrence::{Recurrence, RecurrenceInput};

fn daily(first: &str) -> Recurrence {
    Recurrence::parse(&RecurrenceInput {
        first_start: first,
        frequency: Some((Some("DAILY"), Some(1))),
        ..Default::default()
    })
    .unwrap()
}

async fn config(s: &dyn Store, org: OrgId, app: AppId, t: AttackTemplateId) -> ScanConfig {
    let cfg = ScanConfig {
        id: ScanConfigId::new(),
        org,
        app,
        name: format!("cfg-{}", ScanConfigId::new()),
        description: None,
        attack_template: t,
        incremental: false,
        assignment: Assignment::default(),
        options: serde_json::json!({}),
        created_at: at(5),
        updated_at: at(5),
    };
    s.create_scan_config(&cfg).await.unwrap();
    cfg
}

fn schedule(cfg: &ScanConfig, name: &str) -> Schedule {
    let recurrence = daily("2026-01-02T03:30:00Z[Europe/Berlin]");
    Schedule {
        id: ScheduleId::new(),
        org: cfg.org,
        app: cfg.app,
        scan_config: Some(cfg.id),
        name: name.into(),
        enabled: true,
        next_run_at: recurrence.next_after(at(0)),
        recurrence,
        last_fired_at: None,
        disabled_reason: None,
        created_at: at(6),
        updated_at: at(6),
    }
}

fn scheduled_scan(sc: &Schedule, minute: u32) -> Scan {
    let mut x = new_scan(sc.org, sc.app, minute);
    x.scan_config = sc.scan_config.unwrap();
    x.submitter = Submitter {
        kind: SubmitterType::Schedule,
        id: sc.id.0,
    };
    x
}

fn job(minute: u32) -> Option<NewJob> {
    Some(NewJob {
        engine_group: None,
        enqueued_at: at(minute),
        recipe: None,
    })
}

pub async fn schedules_crud_visibility_and_orphans(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let u = user(s, o, "u@o.test").await;
    let x = app(s, o, "x", Some(u.id)).await;
    let y = app(s, o, "y", None).await;
    let t = template(s, o, "T").await;
    let cx = config(s, o, x.id, t.id).await;
    let cy = config(s, o, y.id, t.id).await;
    let mut a = schedule(&cx, "nightly");
    let b = schedule(&cy, "another");
    s.create_schedule(&a).await.unwrap();
    s.create_schedule(&b).await.unwrap();
    assert_eq!(s.get_schedule(o, a.id, &Visibility::All).await.unwrap(), a);
    assert!(is_not_found(
        s.get_schedule(other, a.id, &Visibility::All).await
    ));
    let vu = Visibility::MemberOf(u.id);
    assert!(is_not_found(s.get_schedule(o, b.id, &vu).await));
    let all = s
        .list_schedules(o, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.items[0].name, "another", "default sort: schedule.name");
    let mine = s
        .list_schedules(o, &vu, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(mine.items, vec![a.clone()]);
    let filter = rampart_query::parse_query(
        ResourceType::Schedule,
        "schedule.enabled = true && schedule.name CONTAINS 'night'",
    )
    .unwrap();
    let found = s
        .list_schedules(
            o,
            &Visibility::All,
            &ListRequest {
                filter: Some(filter),
                ..ListRequest::first(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(found.items, vec![a.clone()]);

    a.name = "renamed".into();
    a.enabled = false;
    a.next_run_at = None;
    a.recurrence = daily("2026-02-01");
    a.updated_at = at(9);
    s.update_schedule(&a).await.unwrap();
    assert_eq!(s.get_schedule(o, a.id, &Visibility::All).await.unwrap(), a);

    // Due schedules: enabled and at or before now, across organizations.
    let due = s
        .list_due_schedules(at(59) + chrono::Duration::days(2), 10)
        .await
        .unwrap();
    assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), vec![b.id]);
    assert!(s.list_due_schedules(at(0), 10).await.unwrap().is_empty());

    // Deleting the scan config keeps the schedule, which can then be disabled with a reason.
    s.delete_scan_config(o, cy.id).await.unwrap();
    let orphan = s.get_schedule(o, b.id, &Visibility::All).await.unwrap();
    assert_eq!(orphan.scan_config, None);
    assert_eq!(s.disable_orphan_schedules(o, "gone").await.unwrap(), 1);
    let orphan = s.get_schedule(o, b.id, &Visibility::All).await.unwrap();
    assert!(!orphan.enabled);
    assert_eq!(orphan.next_run_at, None);
    assert_eq!(orphan.disabled_reason.as_deref(), Some("gone"));
    assert_eq!(s.disable_orphan_schedules(o, "gone").await.unwrap(), 0);

    s.delete_schedule(o, b.id).await.unwrap();
    assert!(is_not_found(s.delete_schedule(o, b.id).await));
    s.delete_app(o, x.id).await.unwrap();
    assert!(
        is_not_found(s.get_schedule(o, a.id, &Visibility::All).await),
        "deleting an app deletes its schedules"
    );
}

pub async fn firing_a_schedule_is_compare_and_set(s: &dyn Store) {
    let o = org(s, "o").await;
    let x = app(s, o, "x", None).await;
    let t = template(s, o, "T").await;
    let cfg = config(s, o, x.id, t.id).await;
    let sc = schedule(&cfg, "nightly");
    s.create_schedule(&sc).await.unwrap();
    let due = sc.next_run_at.unwrap();
    let next = sc.recurrence.next_after(due);

    // A firing whose scan cannot be written changes nothing (one transaction).
    let bad = NewJob {
        engine_group: Some(EngineGroupId::new()),
        enqueued_at: at(10),
        recipe: None,
    };
    let first = scheduled_scan(&sc, 10);
    assert!(is_not_found(
        s.fire_schedule(o, sc.id, due, next, &first, Some(bad), &[])
            .await
    ));
    assert_eq!(
        s.get_schedule(o, sc.id, &Visibility::All)
            .await
            .unwrap()
            .next_run_at,
        Some(due)
    );
    assert!(is_not_found(
        s.get_scan(o, first.id, &Visibility::All).await
    ));

    assert!(s
        .fire_schedule(o, sc.id, due, next, &first, job(10), &[])
        .await
        .unwrap());
    let again = scheduled_scan(&sc, 11);
    assert!(
        !s.fire_schedule(o, sc.id, due, next, &again, job(11), &[])
            .await
            .unwrap(),
        "an occurrence fires once"
    );
    assert!(is_not_found(
        s.get_scan(o, again.id, &Visibility::All).await
    ));
    let stored = s.get_schedule(o, sc.id, &Visibility::All).await.unwrap();
    assert_eq!(stored.next_run_at, next);
    assert_eq!(stored.last_fired_at, Some(due));
    let scan = s.get_scan(o, first.id, &Visibility::All).await.unwrap();
    assert_eq!(scan.submitter.kind, SubmitterType::Schedule);

    // Advancing without firing is a compare-and-set too.
    let later = next.and_then(|n| sc.recurrence.next_after(n));
    assert!(!s.advance_schedule(o, sc.id, due, later).await.unwrap());
    assert!(s
        .advance_schedule(o, sc.id, next.unwrap(), later)
        .await
        .unwrap());

    // A disabled schedule does not fire.
    let mut off = s.get_schedule(o, sc.id, &Visibility::All).await.unwrap();
    off.enabled = false;
    s.update_schedule(&off).await.unwrap();
    assert!(!s
        .fire_schedule(
            o,
            sc.id,
            later.unwrap(),
            None,
            &scheduled_scan(&sc, 12),
            job(12),
            &[]
        )
        .await
        .unwrap());
}

/// Many tasks race to fire the same occurrences: each fires exactly once. Adapters call it
/// with a store whose pool has several connections (a file database for SQLite).
pub async fn schedule_firing_race(s: std::sync::Arc<dyn Store>) {
    let o = org(s.as_ref(), "race").await;
    let x = app(s.as_ref(), o, "x", None).await;
    let t = template(s.as_ref(), o, "T").await;
    let cfg = config(s.as_ref(), o, x.id, t.id).await;
    let sc = schedule(&cfg, "raced");
    s.create_schedule(&sc).await.unwrap();
    let mut due = sc.next_run_at.unwrap();
    for round in 0..5u32 {
        let next = sc.recurrence.next_after(due);
        let mut tasks = Vec::new();
        for w in 0..6u32 {
            let s = s.clone();
            let scan = scheduled_scan(&sc, round * 6 + w);
            tasks.push(tokio::spawn(async move {
                s.fire_schedule(o, sc.id, due, next, &scan, job(1), &[])
                    .await
                    .expect("fire")
            }));
        }
        let mut fired = 0;
        for task in tasks {
            fired += usize::from(task.await.expect("firing task"));
        }
        assert_eq!(fired, 1, "round {round}: exactly one firing");
        due = next.unwrap();
    }
    let scans = s
        .list_scans(o, &Visibility::All, &ListRequest::first(100))
        .await
        .unwrap();
    assert_eq!(scans.total, 5);
}
