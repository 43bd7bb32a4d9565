//! `/schedules` and the scheduler: CRUD with the clients' payloads, 422s naming the field,
//! and a manual clock driving `fire_due` through DST changes, month ends, a restart at a due
//! time, downtime and two replicas, on SQLite and PostgreSQL.

use crate::scans::ready;
use crate::{id_ref, snap};
use chrono::{DateTime, Duration, Utc};
use rampart_domain::time::Clock;
use rampart_domain::*;
use rampart_service::Service;
use rampart_store::{ListRequest, Visibility};
use rampart_testkit::TestApp;
use serde_json::{json, Value};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

async fn create(app: &TestApp, body: Value) -> ScheduleId {
    ScheduleId(app.rw().create("/ias/v1/schedules", body).await)
}

/// The scans a schedule submitted, oldest first.
async fn scans_of(app: &TestApp, id: ScheduleId) -> Vec<Scan> {
    let q = rampart_query::parse_query(
        rampart_query::ResourceType::Scan,
        &format!("scan.submitter.id = '{id}'"),
    )
    .unwrap();
    let mut scans = app
        .store()
        .list_scans(
            app.keys.org.org(),
            &Visibility::All,
            &ListRequest {
                filter: Some(q),
                ..ListRequest::first(1000)
            },
        )
        .await
        .unwrap()
        .items;
    scans.sort_by_key(|s| s.submit_time);
    scans
}

async fn stored(app: &TestApp, id: ScheduleId) -> Schedule {
    app.store()
        .get_schedule(app.keys.org.org(), id, &Visibility::All)
        .await
        .unwrap()
}

/// Fires what is due at `at` (after moving the clock there) and returns how many scans.
async fn fire_at(app: &TestApp, svc: &Service, at: DateTime<Utc>) -> usize {
    app.set_clock(at);
    svc.fire_due(app.clock.now()).await.unwrap().fired.len()
}

/// Runs a scheduler test on SQLite and, when configured, on PostgreSQL.
macro_rules! both {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$body(rampart_testkit::TestApp::spawn().await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(app) = rampart_testkit::TestApp::spawn_postgres().await else { return };
                super::$body(app).await;
            })*
        }
    };
}

both! {
    scheduler_keeps_local_time_across_dst => dst;
    scheduler_handles_month_ends => month_ends;
    restart_at_a_due_time_neither_double_fires_nor_skips => restart;
    downtime_catches_up_once => downtime;
    a_deleted_config_disables_its_schedules => orphan;
    a_config_with_errors_fires_a_failed_scan => failed_admission;
}

/// Exactly at each due time (and not a second before) one scan, `PENDING`, submitted by
/// the schedule.
async fn dst(app: TestApp) {
    let (_, cfg) = ready(&app, "Shop").await;
    let id = create(
        &app,
        json!({"name": "nine in Berlin", "enabled": true, "scan_config": id_ref(cfg),
            "first_start": "2026-03-27T08:00:00Z[Europe/Berlin]",
            "frequency": {"type": "DAILY", "interval": 1}}),
    )
    .await;
    let svc = &app.service;
    let spring = [
        "2026-03-27T08:00:00Z",
        "2026-03-28T08:00:00Z",
        "2026-03-29T07:00:00Z",
        "2026-03-30T07:00:00Z",
    ];
    let autumn = [
        "2026-10-24T07:00:00Z",
        "2026-10-25T08:00:00Z",
        "2026-10-26T08:00:00Z",
    ];
    let mut expected = Vec::new();
    for (i, due) in spring.iter().chain(autumn.iter()).enumerate() {
        let due = t(due);
        if i == spring.len() {
            // Jump over the summer: one catch-up, then back on time.
            assert_eq!(fire_at(&app, svc, t("2026-10-23T12:00:00Z")).await, 1);
            expected.push(t("2026-10-23T12:00:00Z"));
        }
        assert_eq!(
            fire_at(&app, svc, due - Duration::seconds(1)).await,
            0,
            "{due}"
        );
        assert_eq!(fire_at(&app, svc, due).await, 1, "{due}");
        expected.push(due);
    }
    let scans = scans_of(&app, id).await;
    assert_eq!(
        scans.iter().map(|s| s.submit_time).collect::<Vec<_>>(),
        expected
    );
    for s in &scans {
        assert_eq!(s.status, ScanStatus::Pending);
        assert_eq!(s.submitter.kind, SubmitterType::Schedule);
        assert_eq!(s.scan_config, cfg);
    }
    let body = app
        .ro()
        .get(&format!("/ias/v1/schedules/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(body["next_run_time"], "2026-10-27T08:00:00.000Z");
    assert_eq!(body["last_run_time"], "2026-10-26T08:00:00.000Z");
}

/// BYMONTHDAY=31 fires only in months with a 31st; BYSETPOS=-1 on the last Friday.
async fn month_ends(app: TestApp) {
    let (_, cfg) = ready(&app, "Shop").await;
    let day31 = create(
        &app,
        json!({"name": "31st", "enabled": true, "scan_config": id_ref(cfg),
            "first_start": "2026-01-05T22:00:00Z", "rrule": "FREQ=MONTHLY;BYMONTHDAY=31"}),
    )
    .await;
    let last_friday = create(
        &app,
        json!({"name": "last friday", "enabled": true, "scan_config": id_ref(cfg),
            "first_start": "2026-01-05T18:00:00Z[Asia/Tokyo]",
            "rrule": "FREQ=MONTHLY;INTERVAL=1;BYDAY=FR;BYSETPOS=-1"}),
    )
    .await;
    // A scheduler tick every 6 hours through five months.
    let mut fired: Vec<(ScheduleId, DateTime<Utc>)> = Vec::new();
    let mut at = t("2026-01-03T00:00:00Z");
    while at <= t("2026-06-01T00:00:00Z") {
        if fire_at(&app, &app.service, at).await > 0 {
            for id in [day31, last_friday] {
                if let Some(last) = stored(&app, id).await.last_fired_at {
                    if !fired.contains(&(id, last)) {
                        assert!(last <= at && at - last < Duration::hours(6));
                        fired.push((id, last));
                    }
                }
            }
        }
        at += Duration::hours(6);
    }
    let of = |id| {
        fired
            .iter()
            .filter(|(s, _)| *s == id)
            .map(|(_, t)| t.to_rfc3339())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        of(day31),
        [
            "2026-01-31T22:00:00+00:00",
            "2026-03-31T22:00:00+00:00",
            "2026-05-31T22:00:00+00:00"
        ]
    );
    // 18:00 UTC is 03:00 the next day in Tokyo: the last Fridays there are 30 January,
    // 27 February, 27 March, 24 April and 29 May (local), the evening before in UTC.
    assert_eq!(
        of(last_friday),
        [
            "2026-01-29T18:00:00+00:00",
            "2026-02-26T18:00:00+00:00",
            "2026-03-26T18:00:00+00:00",
            "2026-04-23T18:00:00+00:00",
            "2026-05-28T18:00:00+00:00"
        ]
    );
    assert_eq!(scans_of(&app, day31).await.len(), 3);
    assert_eq!(scans_of(&app, last_friday).await.len(), 5);
}

/// A process fires at the due time and stops; the next one, started at the same instant,
/// fires nothing more. A process that stopped just before a due time and comes back later
/// still fires that occurrence once.
async fn restart(app: TestApp) {
    let (_, cfg) = ready(&app, "Shop").await;
    let id = create(
        &app,
        json!({"name": "midnight", "enabled": "true", "scan_config": id_ref(cfg),
            "first_start": "2026-01-03T00:00:00Z", "last_start": "",
            "frequency": {"type": "DAILY", "interval": 1}}),
    )
    .await;
    let first = app.service.clone();
    assert_eq!(fire_at(&app, &first, t("2026-01-03T00:00:00Z")).await, 1);
    let second = app.replica_service().await;
    assert_eq!(fire_at(&app, &second, t("2026-01-03T00:00:00Z")).await, 0);
    assert_eq!(fire_at(&app, &first, t("2026-01-03T00:00:00.5Z")).await, 0);
    // The second process stops a second before the next due time and comes back 40 s after.
    assert_eq!(fire_at(&app, &second, t("2026-01-03T23:59:59Z")).await, 0);
    let third = app.replica_service().await;
    assert_eq!(fire_at(&app, &third, t("2026-01-04T00:00:40Z")).await, 1);
    assert_eq!(fire_at(&app, &third, t("2026-01-04T00:00:41Z")).await, 0);
    let s = stored(&app, id).await;
    assert_eq!(s.last_fired_at, Some(t("2026-01-04T00:00:00Z")));
    assert_eq!(s.next_run_at, Some(t("2026-01-05T00:00:00Z")));
    assert_eq!(scans_of(&app, id).await.len(), 2);
    let events = app
        .service
        .scan_events(
            &app.keys.org.principal,
            scans_of(&app, id).await[1].id,
            rampart_domain::job::EventKind::Platform,
        )
        .await
        .unwrap();
    assert!(events.iter().any(|e| e
        .event
        .contains("for its occurrence at 2026-01-04T00:00:00Z")));
}

/// After two and a half days down, an hourly schedule fires once, then on the hour again.
async fn downtime(app: TestApp) {
    let (_, cfg) = ready(&app, "Shop").await;
    let id = create(
        &app,
        json!({"name": "hourly", "enabled": true, "scan_config": id_ref(cfg),
            "first_start": "2026-01-03T00:00:00Z", "frequency": {"type": "HOURLY", "interval": 1}}),
    )
    .await;
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-03T00:00:00Z")).await,
        1
    );
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-05T12:30:00Z")).await,
        1
    );
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-05T12:30:01Z")).await,
        0
    );
    assert_eq!(
        stored(&app, id).await.next_run_at,
        Some(t("2026-01-05T13:00:00Z"))
    );
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-05T13:00:00Z")).await,
        1
    );
    assert_eq!(scans_of(&app, id).await.len(), 3);
}

/// Deleting the scan config disables its schedules with a reason; nothing fires.
async fn orphan(app: TestApp) {
    let (_, cfg) = ready(&app, "Shop").await;
    let id = create(
        &app,
        json!({"name": "orphan", "enabled": true, "scan_config": id_ref(cfg),
            "first_start": "2026-01-03T00:00:00Z", "frequency": {"type": "DAILY", "interval": 1}}),
    )
    .await;
    app.rw()
        .delete(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(204);
    let body = app
        .ro()
        .get(&format!("/ias/v1/schedules/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(body["enabled"], false);
    assert!(body["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("scan config was deleted"));
    assert!(body.get("scan_config").is_none());
    assert!(body.get("next_run_time").is_none());
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-04T00:00:00Z")).await,
        0
    );
    assert!(scans_of(&app, id).await.is_empty());
}

/// A config with errors[] gives a FAILED scan with its reason at the due time.
async fn failed_admission(app: TestApp) {
    let a = app.fx_app("Broken").await;
    let cfg = app.fx_scan_config(a, "no seed").await;
    let id = create(
        &app,
        json!({"name": "broken", "enabled": true, "scan_config": id_ref(cfg),
            "first_start": "2026-01-03T00:00:00Z", "frequency": {"type": "ONCE"}}),
    )
    .await;
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-03T00:00:00Z")).await,
        1
    );
    let scans = scans_of(&app, id).await;
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].status, ScanStatus::Failed);
    assert_eq!(
        scans[0].failure_reason,
        Some(FailureReason::ConfigurationInvalid)
    );
    // ONCE: nothing left to fire.
    assert_eq!(stored(&app, id).await.next_run_at, None);
    assert_eq!(
        fire_at(&app, &app.service, t("2026-01-09T00:00:00Z")).await,
        0
    );
}

/// Two replicas over one PostgreSQL schema call `fire_due` at the same time, round after
/// round: every occurrence of every schedule fires exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_never_both_fire() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let (_, cfg) = ready(&app, "Shop").await;
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(
            create(
                &app,
                json!({"name": format!("s{i}"), "enabled": true, "scan_config": id_ref(cfg),
                    "first_start": "2026-01-03T00:00:00Z",
                    "frequency": {"type": "HOURLY", "interval": 1}}),
            )
            .await,
        );
    }
    let a = app.service.clone();
    let b = app.replica_service().await;
    let mut total = 0;
    for hour in 0..4 {
        app.set_clock(t("2026-01-03T00:00:00Z") + Duration::hours(hour));
        let now = app.clock.now();
        let (ra, rb) = tokio::join!(a.fire_due(now), b.fire_due(now));
        let n = ra.unwrap().fired.len() + rb.unwrap().fired.len();
        assert_eq!(n, ids.len(), "hour {hour}: each schedule once");
        total += n;
    }
    for id in ids {
        assert_eq!(scans_of(&app, id).await.len(), 4);
    }
    assert_eq!(total, 160);
}

#[tokio::test]
async fn schedules_crud_with_the_clients_payloads() {
    let app = TestApp::spawn().await;
    let (a, cfg) = ready(&app, "Shop").await;
    // ICON: frequency form, last_start "".
    let icon = create(
        &app,
        json!({"name": "ICON daily", "scan_config": id_ref(cfg), "enabled": true,
            "first_start": "2023-04-25T14:15:22Z", "last_start": "",
            "frequency": {"interval": 3, "type": "DAILY"}}),
    )
    .await;
    // ICON: rrule form (upper-cased), last_start null; a zone in brackets.
    let rrule = create(
        &app,
        json!({"name": "ICON weekly", "scan_config": id_ref(cfg), "enabled": "false",
            "first_start": "2019-08-12T14:00:00.000000Z[Asia/Tokyo]", "last_start": null,
            "rrule": "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=10"}),
    )
    .await;
    let body = app
        .ro()
        .get(&format!("/ias/v1/schedules/{icon}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(body["app"]["id"], a.to_string());
    snap!("schedule_frequency", body);
    let body = app
        .ro()
        .get(&format!("/ias/v1/schedules/{rrule}"))
        .send()
        .await
        .status(200)
        .json();
    snap!("schedule_rrule", body);

    let page = app
        .ro()
        .get("/ias/v1/schedules")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["metadata"]["total_data"], 2);
    assert_eq!(
        page["data"][0]["name"], "ICON daily",
        "default sort schedule.name"
    );

    // PUT replaces; enabling an rrule schedule gives it a next run.
    app.rw()
        .put(&format!("/ias/v1/schedules/{rrule}"))
        .json(
            &json!({"name": "renamed", "scan_config": id_ref(cfg), "enabled": true,
            "first_start": "2026-01-05T00:00:00Z[Asia/Tokyo]",
            "rrule": "FREQ=WEEKLY;BYDAY=TU"}),
        )
        .send()
        .await
        .status(200);
    let body = app
        .ro()
        .get(&format!("/ias/v1/schedules/{rrule}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(body["name"], "renamed");
    assert_eq!(body["next_run_time"], "2026-01-06T00:00:00.000Z");

    app.ro()
        .delete(&format!("/ias/v1/schedules/{icon}"))
        .send()
        .await
        .status(403);
    app.other()
        .get(&format!("/ias/v1/schedules/{icon}"))
        .send()
        .await
        .status(404);
    app.rw()
        .delete(&format!("/ias/v1/schedules/{icon}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/schedules/{icon}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn invalid_recurrences_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let base = json!({"name": "x", "enabled": true, "scan_config": id_ref(cfg),
        "first_start": "2026-01-05T00:00:00Z"});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() && k != "last_start" {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let daily = json!({"type": "DAILY", "interval": 1});
    for (body, field) in [
        (with(json!({})), "frequency"),
        (
            with(json!({"frequency": daily, "rrule": "FREQ=DAILY"})),
            "frequency",
        ),
        (with(json!({"rrule": "FREQ=MONTHLY;BYSETPOS=-1"})), "rrule"),
        (
            with(json!({"frequency": {"type": "DAILY", "interval": 0}})),
            "frequency.interval",
        ),
        (
            with(json!({"frequency": daily, "last_start": "2026-01-04T00:00:00Z"})),
            "last_start",
        ),
        (
            with(
                json!({"frequency": daily, "first_start": "2026-01-05T00:00:00Z[Nowhere/Atlantis]"}),
            ),
            "first_start",
        ),
        (with(json!({"rrule": "FREQ=DAILY;;BYDAY=ZZ"})), "rrule"),
        (with(json!({"rrule": "not a rule"})), "rrule"),
        (
            with(json!({"frequency": daily, "first_start": null})),
            "first_start",
        ),
        (with(json!({"frequency": daily, "name": ""})), "name"),
        (
            with(json!({"frequency": daily, "enabled": null})),
            "enabled",
        ),
        (
            with(json!({"frequency": daily, "scan_config": id_ref(uuid::Uuid::new_v4())})),
            "scan_config.id",
        ),
    ] {
        let r = app
            .rw()
            .post("/ias/v1/schedules")
            .json(&body)
            .send()
            .await
            .status(422);
        let errors = r.json()["errors"].clone();
        assert!(
            errors
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["context"] == field),
            "{body}: {errors}"
        );
    }
    // ONCE needs no interval; interval 0 is fine too.
    for f in [
        json!({"type": "ONCE"}),
        json!({"type": "ONCE", "interval": 0}),
    ] {
        create(&app, with(json!({"frequency": f}))).await;
    }
}
