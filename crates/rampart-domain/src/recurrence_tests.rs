//! Tests of the recurrence model: time forms, validation, zones, DST, month ends, windows.

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn freq(first: &str, kind: &str, interval: Option<i64>) -> Result<Recurrence, RecurrenceError> {
    Recurrence::parse(&RecurrenceInput {
        first_start: first,
        last_start: None,
        frequency: Some((Some(kind), interval)),
        rrule: None,
    })
}

fn rule(first: &str, rrule: &str) -> Result<Recurrence, RecurrenceError> {
    Recurrence::parse(&RecurrenceInput {
        first_start: first,
        last_start: None,
        frequency: None,
        rrule: Some(rrule),
    })
}

/// The first `n` occurrences after (and including) `from`.
fn take(r: &Recurrence, from: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = t(from) - Duration::microseconds(1);
    while out.len() < n {
        match r.next_after(at) {
            Some(o) => {
                out.push(o.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                at = o;
            }
            None => break,
        }
    }
    out
}

#[test]
fn every_time_form_of_the_reference_parses() {
    let cases = [
        ("2019-08-12", "2019-08-12T00:00:00Z", None),
        ("2019-08-12T14:00:00", "2019-08-12T14:00:00Z", None),
        ("2019-08-12T14:00:00.000000", "2019-08-12T14:00:00Z", None),
        ("2023-04-25T14:15:22Z", "2023-04-25T14:15:22Z", None),
        (
            "2019-08-12T14:00:00.000000Z[Asia/Tokyo]",
            "2019-08-12T14:00:00Z",
            Some("Asia/Tokyo"),
        ),
        (
            "2019-09-04T15:00:00.000000Z[GMT+03:00]",
            "2019-09-04T15:00:00Z",
            Some("GMT+03:00"),
        ),
        (
            "2019-08-12T23:00+09:00[Asia/Tokyo]",
            "2019-08-12T14:00:00Z",
            Some("Asia/Tokyo"),
        ),
        (
            "2019-08-12T14:00:00Z[UTC]",
            "2019-08-12T14:00:00Z",
            Some("UTC"),
        ),
        (
            "2019-08-12T14:00:00Z[GMT-05:30]",
            "2019-08-12T14:00:00Z",
            Some("GMT-05:30"),
        ),
    ];
    for (input, instant, zone) in cases {
        let p = parse_time("first_start", input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.instant, t(instant), "{input}");
        assert_eq!(p.zone.map(|z| z.name()).as_deref(), zone, "{input}");
    }
}

#[test]
fn bad_input_names_its_field() {
    let check = |r: Result<Recurrence, RecurrenceError>, field: &str| {
        let e = r.expect_err("must be rejected");
        assert_eq!(e.field, field, "{e}");
        assert!(!e.message.is_empty());
    };
    let first = "2026-01-05T09:00:00Z";
    // both, neither
    check(
        Recurrence::parse(&RecurrenceInput {
            first_start: first,
            frequency: Some((Some("DAILY"), Some(1))),
            rrule: Some("FREQ=DAILY"),
            ..Default::default()
        }),
        "frequency",
    );
    check(
        Recurrence::parse(&RecurrenceInput {
            first_start: first,
            ..Default::default()
        }),
        "frequency",
    );
    check(rule(first, "FREQ=MONTHLY;BYSETPOS=-1"), "rrule");
    check(
        rule(first, "FREQ=MONTHLY;BYMONTHDAY=31;BYSETPOS=1"),
        "rrule",
    );
    check(freq(first, "DAILY", Some(0)), "frequency.interval");
    check(freq(first, "WEEKLY", None), "frequency.interval");
    check(freq(first, "YEARLY", Some(1)), "frequency.type");
    check(
        Recurrence::parse(&RecurrenceInput {
            first_start: first,
            last_start: Some("2026-01-04T09:00:00Z"),
            frequency: Some((Some("DAILY"), Some(1))),
            rrule: None,
        }),
        "last_start",
    );
    check(
        freq("2026-01-05T09:00:00Z[Mars/Olympus]", "DAILY", Some(1)),
        "first_start",
    );
    check(freq("yesterday", "DAILY", Some(1)), "first_start");
    check(
        Recurrence::parse(&RecurrenceInput {
            first_start: first,
            last_start: Some("2026-02-30"),
            frequency: Some((Some("DAILY"), Some(1))),
            rrule: None,
        }),
        "last_start",
    );
    check(rule(first, "FREQ=SOMETIMES"), "rrule");
    check(rule(first, "INTERVAL=2"), "rrule");
    check(rule(first, "FREQ=DAILY;BYDAY"), "rrule");
    check(rule(first, "FREQ=DAILY;BYDAY=XX"), "rrule");
    check(
        rule(first, "FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z"),
        "rrule",
    );
    check(rule(first, "FREQ=DAILY;INTERVAL=0"), "rrule");
    assert_eq!(
        parse_window("2019-10-15T21:00:00Z", "2019-10-15T21:00:00Z")
            .unwrap_err()
            .field,
        "first_end"
    );
    assert_eq!(
        parse_window("2019-10-15T21:00:00Z", "2019-10-15T20:00:00Z")
            .unwrap_err()
            .field,
        "first_end"
    );
    assert_eq!(
        parse_window("2019-10-15T21:00:00Z", "2019-10-15T23:00:00Z").unwrap(),
        Duration::hours(2)
    );
}

#[test]
fn once_takes_interval_zero_or_none_and_fires_once() {
    for interval in [None, Some(0), Some(5)] {
        let r = freq("2019-10-15T21:00:00Z", "ONCE", interval).unwrap();
        assert_eq!(
            take(&r, "2000-01-01T00:00:00Z", 5),
            ["2019-10-15T21:00:00Z"]
        );
        assert_eq!(r.next_after(t("2019-10-15T21:00:00Z")), None);
        assert_eq!(
            r.latest_at_or_before(t("2030-01-01T00:00:00Z")),
            Some(t("2019-10-15T21:00:00Z"))
        );
    }
}

#[test]
fn empty_last_start_is_none_and_last_start_bounds_inclusively() {
    let mk = |last: Option<&str>| {
        Recurrence::parse(&RecurrenceInput {
            first_start: "2026-01-05T09:00:00Z",
            last_start: last,
            frequency: Some((Some("daily"), Some(1))),
            rrule: None,
        })
        .unwrap()
    };
    assert_eq!(mk(Some("")).spec().last_start, None);
    assert_eq!(mk(None).spec().last_start, None);
    assert_eq!(take(&mk(Some("  ")), "2026-01-05T00:00:00Z", 4).len(), 4);
    let bounded = mk(Some("2026-01-07T09:00:00Z"));
    assert_eq!(
        take(&bounded, "2026-01-01T00:00:00Z", 10),
        [
            "2026-01-05T09:00:00Z",
            "2026-01-06T09:00:00Z",
            "2026-01-07T09:00:00Z"
        ]
    );
}

#[test]
fn tokyo_schedule_stays_at_nine_local() {
    // 09:00 in Tokyo is 00:00 UTC; Japan has no DST.
    let r = freq("2026-03-27T00:00:00Z[Asia/Tokyo]", "DAILY", Some(1)).unwrap();
    assert_eq!(
        take(&r, "2026-03-27T00:00:00Z", 4),
        [
            "2026-03-27T00:00:00Z",
            "2026-03-28T00:00:00Z",
            "2026-03-29T00:00:00Z",
            "2026-03-30T00:00:00Z"
        ]
    );
}

#[test]
fn berlin_schedule_stays_at_nine_local_across_both_dst_changes() {
    // 09:00 CET = 08:00Z; from 29 March 2026 09:00 CEST = 07:00Z; back on 25 October.
    let r = freq("2026-03-27T08:00:00Z[Europe/Berlin]", "DAILY", Some(1)).unwrap();
    assert_eq!(
        take(&r, "2026-03-27T00:00:00Z", 4),
        [
            "2026-03-27T08:00:00Z",
            "2026-03-28T08:00:00Z",
            "2026-03-29T07:00:00Z",
            "2026-03-30T07:00:00Z"
        ]
    );
    assert_eq!(
        take(&r, "2026-10-24T00:00:00Z", 3),
        [
            "2026-10-24T07:00:00Z",
            "2026-10-25T08:00:00Z",
            "2026-10-26T08:00:00Z"
        ]
    );
    // The same through an rrule.
    let weekly = rule(
        "2026-03-22T08:00:00Z[Europe/Berlin]",
        "FREQ=WEEKLY;BYDAY=SU",
    )
    .unwrap();
    assert_eq!(
        take(&weekly, "2026-03-22T00:00:00Z", 2),
        ["2026-03-22T08:00:00Z", "2026-03-29T07:00:00Z"]
    );
}

#[test]
fn berlin_local_times_in_the_gap_and_the_overlap_follow_rfc_5545() {
    // 02:30 does not exist on 29 March 2026 (moves forward to 03:30 CEST = 01:30Z) and is
    // ambiguous on 25 October (first instant: CEST, 00:30Z).
    let r = freq("2026-03-28T01:30:00Z[Europe/Berlin]", "DAILY", Some(1)).unwrap();
    assert_eq!(
        take(&r, "2026-03-28T00:00:00Z", 3),
        [
            "2026-03-28T01:30:00Z",
            "2026-03-29T01:30:00Z",
            "2026-03-30T00:30:00Z"
        ]
    );
    assert_eq!(
        take(&r, "2026-10-24T00:00:00Z", 3),
        [
            "2026-10-24T00:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-26T01:30:00Z"
        ]
    );
}

#[test]
fn hourly_counts_elapsed_hours_across_dst() {
    let r = freq("2026-03-29T00:00:00Z[Europe/Berlin]", "HOURLY", Some(1)).unwrap();
    assert_eq!(
        take(&r, "2026-03-29T00:00:00Z", 3),
        [
            "2026-03-29T00:00:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T02:00:00Z"
        ]
    );
    let r = rule(
        "2026-10-25T00:00:00Z[Europe/Berlin]",
        "FREQ=HOURLY;INTERVAL=1",
    )
    .unwrap();
    assert_eq!(
        take(&r, "2026-10-25T00:00:00Z", 3),
        [
            "2026-10-25T00:00:00Z",
            "2026-10-25T01:00:00Z",
            "2026-10-25T02:00:00Z"
        ]
    );
}

#[test]
fn fixed_offset_zone_computes_in_that_offset() {
    // 18:00 at GMT+03:00 = 15:00Z every other day.
    let r = freq("2019-09-04T15:00:00.000000Z[GMT+03:00]", "DAILY", Some(2)).unwrap();
    assert_eq!(
        take(&r, "2019-09-04T00:00:00Z", 3),
        [
            "2019-09-04T15:00:00Z",
            "2019-09-06T15:00:00Z",
            "2019-09-08T15:00:00Z"
        ]
    );
    // A weekday rule follows the local date: Monday 01:00 at +03:00 is Sunday 22:00Z.
    let r = rule("2026-01-04T22:00:00Z[GMT+03:00]", "FREQ=WEEKLY;BYDAY=MO").unwrap();
    assert_eq!(
        take(&r, "2026-01-01T00:00:00Z", 2),
        ["2026-01-04T22:00:00Z", "2026-01-11T22:00:00Z"]
    );
}

#[test]
fn month_ends_follow_rfc_semantics() {
    // BYMONTHDAY=31 skips the months without a 31st.
    let r = rule("2026-01-31T10:00:00Z", "FREQ=MONTHLY;BYMONTHDAY=31").unwrap();
    assert_eq!(
        take(&r, "2026-01-01T00:00:00Z", 4),
        [
            "2026-01-31T10:00:00Z",
            "2026-03-31T10:00:00Z",
            "2026-05-31T10:00:00Z",
            "2026-07-31T10:00:00Z"
        ]
    );
    // BYSETPOS=-1 with BYDAY=FR is the last Friday.
    let r = rule(
        "2026-01-01T18:00:00Z",
        "freq=monthly;interval=1;byday=fr;bysetpos=-1",
    )
    .unwrap();
    assert_eq!(
        take(&r, "2026-01-01T00:00:00Z", 4),
        [
            "2026-01-30T18:00:00Z",
            "2026-02-27T18:00:00Z",
            "2026-03-27T18:00:00Z",
            "2026-04-24T18:00:00Z"
        ]
    );
    // The frequency form from a 31st skips short months too (RFC 5545 semantics).
    let r = freq("2026-01-31T10:00:00Z", "MONTHLY", Some(1)).unwrap();
    assert_eq!(
        take(&r, "2026-01-01T00:00:00Z", 2),
        ["2026-01-31T10:00:00Z", "2026-03-31T10:00:00Z"]
    );
}

#[test]
fn count_and_until_end_the_rule() {
    // ICON's example, with the RRULE: prefix tolerated.
    let r = rule(
        "2026-01-06T09:00:00Z",
        "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=3",
    )
    .unwrap();
    assert_eq!(
        take(&r, "2026-01-01T00:00:00Z", 10),
        [
            "2026-01-06T09:00:00Z",
            "2026-01-13T09:00:00Z",
            "2026-01-20T09:00:00Z"
        ]
    );
    let r = rule("2026-01-06T09:00:00Z", "FREQ=DAILY;UNTIL=20260108T090000Z").unwrap();
    assert_eq!(take(&r, "2026-01-01T00:00:00Z", 10).len(), 3);
    // A date UNTIL includes its whole (local) day.
    let r = rule(
        "2026-01-06T09:00:00Z[Asia/Tokyo]",
        "FREQ=DAILY;UNTIL=20260107",
    )
    .unwrap();
    assert_eq!(
        take(&r, "2026-01-01T00:00:00Z", 10),
        ["2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z"]
    );
}

#[test]
fn skipping_whole_periods_matches_a_walk_from_the_first_start() {
    let r = freq("2019-08-12T14:00:00Z[Europe/Berlin]", "DAILY", Some(3)).unwrap();
    let h = freq("2019-08-12T14:17:00Z", "HOURLY", Some(5)).unwrap();
    let w = rule(
        "2019-08-12T14:00:00Z[Europe/Berlin]",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
    )
    .unwrap();
    let d = rule("2019-08-12T14:00:00Z[Asia/Tokyo]", "FREQ=DAILY;INTERVAL=4").unwrap();
    for r in [r, h, w, d] {
        // From the first start (no period skipped) is the truth.
        let walk = r.occurrences_between(r.first_start(), t("2020-06-01T00:00:00Z"));
        assert!(walk.len() > 40, "{r:?}: {}", walk.len());
        for w in walk.windows(2) {
            assert_eq!(r.next_after(w[0]), Some(w[1]));
            assert_eq!(r.next_after(w[1] - Duration::seconds(1)), Some(w[1]));
            assert_eq!(
                r.latest_at_or_before(w[1] - Duration::seconds(1)),
                Some(w[0])
            );
            assert_eq!(r.latest_at_or_before(w[1]), Some(w[1]));
        }
    }
}

#[test]
fn latest_and_between() {
    let r = freq("2026-01-05T09:00:00Z", "DAILY", Some(1)).unwrap();
    assert_eq!(r.latest_at_or_before(t("2026-01-05T08:59:59Z")), None);
    assert_eq!(
        r.latest_at_or_before(t("2026-01-09T12:00:00Z")),
        Some(t("2026-01-09T09:00:00Z"))
    );
    let between = r.occurrences_between(t("2026-01-06T09:00:00Z"), t("2026-01-09T09:00:00Z"));
    assert_eq!(
        between,
        [
            t("2026-01-06T09:00:00Z"),
            t("2026-01-07T09:00:00Z"),
            t("2026-01-08T09:00:00Z")
        ]
    );
    let h = freq("2020-01-01T00:00:00Z", "HOURLY", Some(1)).unwrap();
    assert_eq!(
        h.occurrences_between(t("2020-01-01T00:00:00Z"), t("2030-01-01T00:00:00Z"))
            .len(),
        MAX_OCCURRENCES
    );
}

#[test]
fn windows_of_a_blackout() {
    // A two-hour window every Friday 21:00 Berlin time.
    let r = rule(
        "2026-03-27T20:00:00Z[Europe/Berlin]",
        "FREQ=WEEKLY;BYDAY=FR",
    )
    .unwrap();
    let d = parse_window("2026-03-27T20:00:00Z", "2026-03-27T22:00:00Z").unwrap();
    assert_eq!(
        r.window_containing(t("2026-03-27T21:59:59Z"), d),
        Some((t("2026-03-27T20:00:00Z"), t("2026-03-27T22:00:00Z")))
    );
    assert!(!r.is_active(t("2026-03-27T22:00:00Z"), d));
    assert!(!r.is_active(t("2026-03-27T19:59:59Z"), d));
    // After the DST change the window starts at 21:00 CEST = 19:00Z.
    assert!(r.is_active(t("2026-04-03T19:30:00Z"), d));
    assert!(!r.is_active(t("2026-04-03T21:30:00Z"), d));
}

#[test]
fn serializes_as_its_source_and_back() {
    let r = rule(
        "2026-01-01T18:00:00Z[Asia/Tokyo]",
        "rrule:freq=monthly;byday=fr;bysetpos=-1",
    )
    .unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["rrule"], "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1");
    assert_eq!(json["zone"], "Asia/Tokyo");
    let back: Recurrence = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
    assert_eq!(
        format_time(r.first_start(), r.zone()),
        "2026-01-01T18:00:00.000Z[Asia/Tokyo]"
    );
    let bad = serde_json::json!({"first_start": "2026-01-01T00:00:00Z", "zone": null,
        "last_start": null, "frequency": null, "rrule": null});
    assert!(serde_json::from_value::<Recurrence>(bad).is_err());
}
