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
