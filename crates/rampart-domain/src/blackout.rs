//! Blackouts: quiet windows per app or for the whole organization, when no scan may run.
//!
//! A blackout keeps its recurrence as sent (the §2.3 time forms, a zone in brackets
//! included); [`Blackout::window`] compiles it with [`crate::recurrence`] (the one
//! expander, shared with schedules) and [`Blackout::active_at`] derives `active` from it,
//! so `active` is computed whenever it is read and never stored.

use crate::ids::*;
use crate::model::str_enum;
use crate::recurrence::{parse_window, Recurrence, RecurrenceError, RecurrenceInput};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// `APP` when the blackout names an app, `GLOBAL` without one (reference §3.8).
    BlackoutScope {
        App = "APP",
        Global = "GLOBAL",
    }
);

/// `frequency {type, interval}` as sent; validated when the recurrence is compiled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencySpec {
    /// `ONCE`, `HOURLY`, `DAILY`, `WEEKLY` or `MONTHLY`.
    pub kind: String,
    /// Not needed for `ONCE` (clients send 0).
    pub interval: Option<i64>,
}

/// A quiet window (reference §3.8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Blackout {
    pub id: BlackoutId,
    pub org: OrgId,
    /// `None`: a global blackout of the whole organization.
    pub app: Option<AppId>,
    pub name: String,
    pub enabled: bool,
    /// The first window's start and end in a §2.3 form; every occurrence lasts
    /// `first_end - first_start`.
    pub first_start: String,
    pub first_end: String,
    /// No occurrence starts after it (`None`: open-ended).
    pub last_start: Option<String>,
    /// Exactly one of `frequency` and `rrule`.
    pub frequency: Option<FrequencySpec>,
    pub rrule: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A problem with a blackout's recurrence, naming the field (`first_end`, `rrule`, …).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {explanation}")]
pub struct FieldError {
    pub field: String,
    pub explanation: String,
}

/// A compiled blackout recurrence: when windows start and how long each lasts.
#[derive(Clone, Debug)]
pub struct Window {
    recurrence: Recurrence,
    duration: chrono::Duration,
}

impl Window {
    /// The occurrence covering `t` (`start <= t < end`), if any.
    pub fn covering(&self, t: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.recurrence.window_containing(t, self.duration)
    }

    /// The first occurrence starting after `t` (for messages and tests).
    pub fn next_start_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.recurrence.next_after(t)
    }

    pub fn duration(&self) -> chrono::Duration {
        self.duration
    }
}

impl Blackout {
    pub fn scope(&self) -> BlackoutScope {
        match self.app {
            Some(_) => BlackoutScope::App,
            None => BlackoutScope::Global,
        }
    }

    /// Compiles the recurrence with [`crate::recurrence`]; every problem names its field.
    pub fn window(&self) -> Result<Window, Vec<FieldError>> {
        let err = |e: RecurrenceError| FieldError {
            field: e.field.to_string(),
            explanation: e.message,
        };
        let input = RecurrenceInput {
            first_start: &self.first_start,
            last_start: self.last_start.as_deref(),
            frequency: self
                .frequency
                .as_ref()
                .map(|f| (Some(f.kind.as_str()), f.interval)),
            rrule: self.rrule.as_deref(),
        };
        let recurrence = Recurrence::parse(&input).map_err(err);
        let duration = parse_window(&self.first_start, &self.first_end).map_err(err);
        match (recurrence, duration) {
            (Ok(recurrence), Ok(duration)) => Ok(Window {
                recurrence,
                duration,
            }),
            (r, d) => {
                let mut errors: Vec<FieldError> =
                    [r.err(), d.err()].into_iter().flatten().collect();
                errors.dedup();
                Err(errors)
            }
        }
    }

    /// Whether the blackout is enabled and one of its windows covers `t`; a recurrence
    /// that no longer compiles is never active.
    pub fn active_at(&self, t: DateTime<Utc>) -> bool {
        self.enabled && self.window().is_ok_and(|w| w.covering(t).is_some())
    }

    /// Whether the blackout applies to scans of `app` (its own app, or every app when global).
    pub fn covers_app(&self, app: AppId) -> bool {
        self.app.is_none_or(|a| a == app)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn b(start: &str, end: &str, freq: Option<(&str, i64)>, rrule: Option<&str>) -> Blackout {
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

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    #[test]
    fn active_follows_the_windows_in_the_zone() {
        // 22:00–02:00 Tokyo time every Friday (13:00–17:00 UTC).
        let x = b(
            "2026-01-02T13:00:00Z[Asia/Tokyo]",
            "2026-01-02T17:00:00Z[Asia/Tokyo]",
            None,
            Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"),
        );
        assert!(x.active_at(at(2026, 1, 9, 13, 0)), "start is inclusive");
        assert!(x.active_at(at(2026, 1, 9, 16, 59)));
        assert!(!x.active_at(at(2026, 1, 9, 17, 0)), "end is exclusive");
        assert!(!x.active_at(at(2026, 1, 10, 14, 0)));
        assert!(
            !x.active_at(at(2026, 1, 2, 12, 59)),
            "nothing before the first"
        );
        let w = x.window().unwrap();
        assert_eq!(w.duration(), chrono::Duration::hours(4));
        assert_eq!(
            w.covering(at(2026, 1, 16, 15, 0)),
            Some((at(2026, 1, 16, 13, 0), at(2026, 1, 16, 17, 0)))
        );
        assert_eq!(
            w.next_start_after(at(2026, 1, 9, 14, 0)),
            Some(at(2026, 1, 16, 13, 0))
        );
        let off = Blackout {
            enabled: false,
            ..x.clone()
        };
        assert!(
            !off.active_at(at(2026, 1, 9, 14, 0)),
            "disabled: never active"
        );
        let once = b(
            "2019-10-15T21:00:00Z",
            "2019-10-15T23:00:00Z",
            Some(("ONCE", 0)),
            None,
        );
        assert!(once.active_at(at(2019, 10, 15, 22, 0)));
        assert!(
            !once.active_at(at(2019, 10, 22, 22, 0)),
            "ONCE happens once"
        );
    }

    #[test]
    fn scope_and_coverage_follow_the_app() {
        let mut x = b("2026-01-02", "2026-01-03", Some(("ONCE", 0)), None);
        let (a1, a2) = (AppId::new(), AppId::new());
        assert_eq!(x.scope(), BlackoutScope::Global);
        assert!(x.covers_app(a1) && x.covers_app(a2));
        x.app = Some(a1);
        assert_eq!(x.scope(), BlackoutScope::App);
        assert!(x.covers_app(a1) && !x.covers_app(a2));
    }

    #[test]
    fn every_invalid_recurrence_names_its_field() {
        let fields = |x: Blackout| -> Vec<String> {
            x.window()
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let start = "2026-01-02T00:00:00Z";
        let end = "2026-01-02T01:00:00Z";
        for (x, field) in [
            (b(start, end, None, None), "frequency"),
            (
                b(start, end, Some(("DAILY", 1)), Some("FREQ=DAILY")),
                "frequency",
            ),
            (
                b(start, end, Some(("DAILY", 0)), None),
                "frequency.interval",
            ),
            (
                b(start, end, Some(("SOMETIMES", 1)), None),
                "frequency.type",
            ),
            (b(start, start, Some(("ONCE", 0)), None), "first_end"),
            (b("soon", end, Some(("ONCE", 0)), None), "first_start"),
            (b(start, "later", Some(("ONCE", 0)), None), "first_end"),
            (
                b(
                    "2026-01-02T00:00:00Z[Mars/Olympus]",
                    end,
                    Some(("ONCE", 0)),
                    None,
                ),
                "first_start",
            ),
            (
                b(start, end, None, Some("FREQ=MONTHLY;BYSETPOS=-1")),
                "rrule",
            ),
            (
                Blackout {
                    last_start: Some("2025-01-01T00:00:00Z".into()),
                    ..b(start, end, Some(("DAILY", 1)), None)
                },
                "last_start",
            ),
        ] {
            let got = fields(x.clone());
            assert!(got.iter().any(|f| f == field), "{x:?}: {got:?}");
        }
    }
}
