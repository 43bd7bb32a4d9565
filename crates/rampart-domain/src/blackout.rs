//! Blackouts: quiet windows per app or for the whole organization, when no scan may run.
//!
//! A blackout keeps its recurrence as sent (the §2.3 time forms, a zone in brackets
//! included); [`Blackout::window`] compiles it with [`crate::recurrence`] (the one
//! expander, shared with schedules) and [`Blackout::active_at`] derives `active` from it,
//! so `active` is computed whenever it is read and never stored.

use crate::ids::*;
use crate::model::str_enum;
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
    recurrence: interim::Recurrence,
    duration: chrono::Duration,
}

impl Window {
    /// The occurrence covering `t` (`start <= t < end`), if any.
    pub fn covering(&self, t: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.recurrence.window_at(t, self.duration)
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

    /// Compiles the recurrence; every problem names its field.
    pub fn window(&self) -> Result<Window, Vec<FieldError>> {
        let mut errors = Vec::new();
        let recurrence = interim::Recurrence::parse(
            &self.first_start,
            self.last_start.as_deref(),
            self.frequency.as_ref(),
            self.rrule.as_deref(),
        );
        let end = interim::parse_time(&self.first_end).map_err(|e| FieldError {
            field: "first_end".into(),
            explanation: e,
        });
        let recurrence = match recurrence {
            Ok(r) => Some(r),
            Err(mut e) => {
                errors.append(&mut e);
                None
            }
        };
        let end = end.map_err(|e| errors.push(e)).ok();
        if let (Some(r), Some(end)) = (&recurrence, end) {
            if end <= r.first_start() {
                errors.push(FieldError {
                    field: "first_end".into(),
                    explanation: "must be after first_start".into(),
                });
            }
        }
        match (recurrence, end) {
            (Some(r), Some(end)) if errors.is_empty() => Ok(Window {
                duration: end - r.first_start(),
                recurrence: r,
            }),
            _ => Err(errors),
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

/// Stand-in for `crate::recurrence` until the shared expander lands (branch `sched`):
/// ONCE and fixed-period frequencies in UTC only. To be replaced, not extended.
mod interim {
    use super::{FieldError, FrequencySpec};
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

    fn err(field: &str, e: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            explanation: e.into(),
        }
    }

    pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
        let s = s.trim();
        let base = s.split('[').next().unwrap_or(s).trim_end_matches('Z');
        if let Ok(d) = NaiveDate::parse_from_str(base, "%Y-%m-%d") {
            return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        }
        NaiveDateTime::parse_from_str(base, "%Y-%m-%dT%H:%M:%S%.f")
            .map(|t| t.and_utc())
            .map_err(|_| "must be a date-time like 2019-10-15T21:00:00Z".to_string())
    }

    #[derive(Clone, Debug)]
    pub struct Recurrence {
        start: DateTime<Utc>,
        last: Option<DateTime<Utc>>,
        period: Option<chrono::Duration>,
    }

    impl Recurrence {
        pub fn parse(
            first_start: &str,
            last_start: Option<&str>,
            frequency: Option<&FrequencySpec>,
            rrule: Option<&str>,
        ) -> Result<Self, Vec<FieldError>> {
            let mut errors = Vec::new();
            let start = parse_time(first_start).map_err(|e| errors.push(err("first_start", e)));
            let last = last_start
                .map(parse_time)
                .transpose()
                .map_err(|e| errors.push(err("last_start", e)));
            let period = match (frequency, rrule) {
                (Some(_), Some(_)) | (None, None) => {
                    errors.push(err("frequency", "give exactly one of frequency and rrule"));
                    None
                }
                (None, Some(_)) => {
                    errors.push(err("rrule", "rrule is not supported yet"));
                    None
                }
                (Some(f), None) => {
                    let n = f.interval.unwrap_or(0);
                    let unit = match f.kind.as_str() {
                        "ONCE" => None,
                        "HOURLY" => Some(chrono::Duration::hours(1)),
                        "DAILY" => Some(chrono::Duration::days(1)),
                        "WEEKLY" => Some(chrono::Duration::weeks(1)),
                        _ => {
                            errors.push(err(
                                "frequency.type",
                                "must be ONCE, HOURLY, DAILY or WEEKLY",
                            ));
                            None
                        }
                    };
                    match unit {
                        Some(_) if n < 1 => {
                            errors.push(err("frequency.interval", "must be at least 1"));
                            None
                        }
                        Some(u) => Some(u * i32::try_from(n).unwrap_or(i32::MAX)),
                        None => None,
                    }
                }
            };
            match (start, last) {
                (Ok(start), Ok(last)) if errors.is_empty() => {
                    if last.is_some_and(|l| l < start) {
                        return Err(vec![err("last_start", "must not be before first_start")]);
                    }
                    Ok(Self {
                        start,
                        last,
                        period,
                    })
                }
                _ => Err(errors),
            }
        }

        pub fn first_start(&self) -> DateTime<Utc> {
            self.start
        }

        /// The latest occurrence at or before `t`.
        fn latest(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
            if t < self.start {
                return None;
            }
            let at = match self.period {
                None => self.start,
                Some(p) => {
                    let k = (t - self.start).num_seconds() / p.num_seconds().max(1);
                    self.start + p * i32::try_from(k).unwrap_or(i32::MAX)
                }
            };
            match self.last {
                Some(l) if at > l => self.period.map(|p| {
                    let k = (l - self.start).num_seconds() / p.num_seconds().max(1);
                    self.start + p * i32::try_from(k).unwrap_or(i32::MAX)
                }),
                _ => Some(at),
            }
        }

        pub fn window_at(
            &self,
            t: DateTime<Utc>,
            d: chrono::Duration,
        ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
            let s = self.latest(t)?;
            (t < s + d).then_some((s, s + d))
        }

        pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
            if t < self.start {
                return Some(self.start);
            }
            let next = self.latest(t)? + self.period?;
            self.last.is_none_or(|l| next <= l).then_some(next)
        }
    }
}
