//! Recurrence costs (see docs/BENCHMARKS.md): `next_after` for each form at a point seven
//! years after the first start, and a blackout's `active` (one per form, and a page of 50).
//!
//! `cargo bench -p rampart-domain --bench recurrence`

use chrono::{DateTime, Duration, TimeZone, Utc};
use rampart_domain::blackout::{Blackout, FrequencySpec};
use rampart_domain::recurrence::{Recurrence, RecurrenceInput};
use rampart_domain::{BlackoutId, OrgId};
use std::hint::black_box;
use std::time::Instant;

fn t(s: &str) -> DateTime<Utc> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc),
        Err(e) => panic!("{s}: {e}"),
    }
}

fn recurrence(
    first_start: &str,
    frequency: Option<(&str, i64)>,
    rrule: Option<&str>,
) -> Recurrence {
    let input = RecurrenceInput {
        first_start,
        last_start: None,
        frequency: frequency.map(|(k, i)| (Some(k), Some(i))),
        rrule,
    };
    match Recurrence::parse(&input) {
        Ok(r) => r,
        Err(e) => panic!("{first_start}: {e:?}"),
    }
}

fn blackout(start: &str, end: &str, freq: Option<(&str, i64)>, rrule: Option<&str>) -> Blackout {
    Blackout {
        id: BlackoutId::new(),
        org: OrgId::new(),
        app: None,
        name: "b".into(),
        enabled: true,
        first_start: start.into(),
        first_end: end.into(),
        last_start: None,
        frequency: freq.map(|(k, i)| FrequencySpec {
            kind: k.into(),
            interval: Some(i),
        }),
        rrule: rrule.map(String::from),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn next_after() {
    let at = t("2026-06-15T12:34:56Z");
    let cases = [
        (
            "frequency DAILY (Berlin)",
            recurrence(
                "2019-03-01T08:00:00Z[Europe/Berlin]",
                Some(("DAILY", 1)),
                None,
            ),
        ),
        (
            "frequency HOURLY",
            recurrence("2019-03-01T08:00:00Z", Some(("HOURLY", 1)), None),
        ),
        (
            "frequency WEEKLY, interval 2",
            recurrence("2019-03-01T08:00:00Z", Some(("WEEKLY", 2)), None),
        ),
        (
            "frequency MONTHLY",
            recurrence("2019-03-01T08:00:00Z", Some(("MONTHLY", 1)), None),
        ),
        (
            "rrule WEEKLY;BYDAY=MO,WE,FR (Tokyo)",
            recurrence(
                "2019-03-01T08:00:00Z[Asia/Tokyo]",
                None,
                Some("FREQ=WEEKLY;BYDAY=MO,WE,FR"),
            ),
        ),
        (
            "rrule MONTHLY;BYDAY=FR;BYSETPOS=-1",
            recurrence(
                "2019-03-01T08:00:00Z",
                None,
                Some("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1"),
            ),
        ),
        (
            "rrule MONTHLY;BYMONTHDAY=31",
            recurrence(
                "2019-03-01T08:00:00Z",
                None,
                Some("FREQ=MONTHLY;BYMONTHDAY=31"),
            ),
        ),
        (
            "rrule DAILY (Berlin), 7 years",
            recurrence(
                "2019-03-01T08:00:00Z[Europe/Berlin]",
                None,
                Some("FREQ=DAILY"),
            ),
        ),
        (
            "rrule HOURLY, 7 years",
            recurrence("2019-03-01T08:00:00Z", None, Some("FREQ=HOURLY")),
        ),
        (
            "rrule DAILY, first start a day ago",
            recurrence("2026-06-14T08:00:00Z", None, Some("FREQ=DAILY")),
        ),
    ];
    for (name, r) in cases {
        let iters = 200u32;
        let start = Instant::now();
        for i in 0..iters {
            black_box(r.next_after(at + Duration::seconds(i64::from(i))));
        }
        let per = start.elapsed() / iters;
        println!("next_after {name}: {per:?} per call");
    }
}

fn active() {
    let forms = [
        blackout(
            "2024-03-01T22:00:00Z",
            "2024-03-02T02:00:00Z",
            Some(("ONCE", 0)),
            None,
        ),
        blackout(
            "2024-03-01T22:00:00Z[Europe/Berlin]",
            "2024-03-02T02:00:00Z[Europe/Berlin]",
            Some(("DAILY", 1)),
            None,
        ),
        blackout(
            "2024-03-01T22:00:00Z",
            "2024-03-02T02:00:00Z",
            Some(("WEEKLY", 2)),
            None,
        ),
        blackout(
            "2024-03-01T22:00:00Z[Asia/Tokyo]",
            "2024-03-02T02:00:00Z[Asia/Tokyo]",
            None,
            Some("FREQ=MONTHLY;INTERVAL=1;BYDAY=FR;BYSETPOS=-1"),
        ),
        blackout(
            "2024-03-01T22:00:00Z",
            "2024-03-02T02:00:00Z",
            None,
            Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU"),
        ),
    ];
    let now = match Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).single() {
        Some(t) => t,
        None => panic!("a valid time"),
    };
    for (i, x) in forms.iter().enumerate() {
        let reps = 2000u32;
        let s = Instant::now();
        for _ in 0..reps {
            black_box(x.active_at(now));
        }
        println!("active, form {i}: {:?} per blackout", s.elapsed() / reps);
    }
    let page: Vec<Blackout> = (0..50).map(|i| forms[i % forms.len()].clone()).collect();
    let reps = 200u32;
    let s = Instant::now();
    for _ in 0..reps {
        black_box(page.iter().filter(|x| x.active_at(now)).count());
    }
    println!(
        "active, a page of 50 (the five forms mixed): {:?} per page",
        s.elapsed() / reps
    );
}

fn main() {
    next_after();
    active();
}
