//! Recurrence of schedules and blackouts: the §2.3 time forms, `frequency` or RFC 5545 `rrule`, expanded with the `rrule` crate.
//!
//! Occurrences are computed in the zone named in brackets after `first_start`
//! (`2019-08-12T14:00:00Z[Asia/Tokyo]`; none = UTC), as wall-clock times: the `rrule`
//! crate expands the rule over *floating* local times (it runs in UTC on the local wall
//! clock) and each local time becomes an instant here, with RFC 5545 §3.3.5 semantics at
//! DST changes: a local time that does not exist (spring forward) moves forward by the
//! gap, an ambiguous one (fall back) takes its first instant. The crate's own zoned
//! iteration would instead drop both (it keeps only unambiguous local times), and it
//! cannot express fixed offsets such as `[GMT+03:00]`.
//!
//! `HOURLY` (either form) counts elapsed hours, so it is expanded in UTC whatever the zone.
//! `UNTIL` and `last_start` bound the occurrences as instants (inclusive). A [`Recurrence`]
//! serializes as its normalized source ([`RecurrenceSpec`]).

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most occurrences [`Recurrence::occurrences_between`] returns.
pub const MAX_OCCURRENCES: usize = 10_000;

/// An invalid recurrence input, naming the request field at fault (answered as 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RecurrenceError {
    pub field: &'static str,
    pub message: String,
}

impl RecurrenceError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// `frequency.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FrequencyKind {
    Once,
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

/// The largest `frequency.interval` of a kind other than `ONCE` (the smallest is 1).
pub const MAX_INTERVAL: i64 = u16::MAX as i64;

impl FrequencyKind {
    pub const ALL: &'static [FrequencyKind] = &[
        Self::Once,
        Self::Hourly,
        Self::Daily,
        Self::Weekly,
        Self::Monthly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Once => "ONCE",
            Self::Hourly => "HOURLY",
            Self::Daily => "DAILY",
            Self::Weekly => "WEEKLY",
            Self::Monthly => "MONTHLY",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "ONCE" => Self::Once,
            "HOURLY" => Self::Hourly,
            "DAILY" => Self::Daily,
            "WEEKLY" => Self::Weekly,
            "MONTHLY" => Self::Monthly,
            _ => return None,
        })
    }
}

/// A validated `frequency {type, interval}` (interval is 0 for ONCE when none was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frequency {
    pub kind: FrequencyKind,
    pub interval: u32,
}

/// The zone occurrences are computed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl Zone {
    pub const UTC: Zone = Zone::Named(chrono_tz::Tz::UTC);

    /// A zone id as Java prints it: an IANA name (`Asia/Tokyo`), `UTC`/`GMT`/`Z`, or a fixed
    /// offset (`GMT+03:00`, `UTC-5`, `+05:30`).
    pub fn parse(s: &str) -> Option<Zone> {
        let s = s.trim();
        if let Ok(tz) = s.parse::<chrono_tz::Tz>() {
            return Some(Zone::Named(tz));
        }
        if s.eq_ignore_ascii_case("Z") {
            return Some(Zone::UTC);
        }
        let rest = ["GMT", "UTC", "UT"]
            .iter()
            .find_map(|p| s.strip_prefix(p))
            .unwrap_or(s);
        if rest.is_empty() {
            return Some(Zone::UTC);
        }
        parse_offset(rest).map(Zone::Fixed)
    }

    /// The canonical name: the IANA id, or `GMT±hh:mm`.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(off) => {
                let secs = off.local_minus_utc();
                let sign = if secs < 0 { '-' } else { '+' };
                let m = secs.abs() / 60;
                format!("GMT{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }

    /// The local wall-clock time of an instant.
    fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Named(tz) => t.with_timezone(tz).naive_local(),
            Zone::Fixed(off) => t.with_timezone(off).naive_local(),
        }
    }

    /// The instant of a local time (RFC 5545: a time in a gap moves forward by the gap, an
    /// ambiguous one takes its first instant).
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Zone::Fixed(off) => Utc.from_utc_datetime(&(local - off.fix())),
            Zone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.with_timezone(&Utc),
                LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
                LocalResult::None => {
                    // The offset before the gap applies (RFC 5545 §3.3.5).
                    let before = local - Duration::hours(3);
                    let off = tz
                        .offset_from_local_datetime(&before)
                        .earliest()
                        .map(|o| o.fix())
                        .unwrap_or_else(|| Utc.fix());
                    Utc.from_utc_datetime(&(local - off))
                }
            },
        }
    }
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=18).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// A parsed §2.3 date-time: the instant (UTC) and the bracketed zone, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZonedTime {
    pub instant: DateTime<Utc>,
    pub zone: Option<Zone>,
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.nnn…]]` (UTC), with `Z` or an offset, and an
/// optional `[Zone/Id]` suffix.
pub fn parse_time(field: &'static str, s: &str) -> Result<ZonedTime, RecurrenceError> {
    let bad = |why: &str| {
        RecurrenceError::new(
            field,
            format!(
                "{why}: {s:?}; use YYYY-MM-DD, YYYY-MM-DDThh:mm:ss, …Z or …Z[Zone/Id], e.g. 2019-08-12T14:00:00Z[Asia/Tokyo]"
            ),
        )
    };
    let s = s.trim();
    let (main, zone) = match s.strip_suffix(']').and_then(|r| r.split_once('[')) {
        Some((main, zone)) => {
            let z = Zone::parse(zone).ok_or_else(|| {
                RecurrenceError::new(
                    field,
                    format!("unknown time zone {zone:?}; use an IANA id such as Europe/Berlin or an offset such as GMT+03:00"),
                )
            })?;
            (main, Some(z))
        }
        None => (s, None),
    };
    if let Ok(d) = NaiveDate::parse_from_str(main, "%Y-%m-%d") {
        let local = d.and_hms_opt(0, 0, 0).ok_or_else(|| bad("not a date"))?;
        return Ok(ZonedTime {
            instant: Utc.from_utc_datetime(&local),
            zone,
        });
    }
    let (dt, off) = split_offset(main);
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(dt, f).ok())
        .ok_or_else(|| bad("not a date-time"))?;
    let off = match off {
        None => Utc.fix(),
        Some(o) => parse_offset(o).ok_or_else(|| bad("bad UTC offset"))?,
    };
    Ok(ZonedTime {
        instant: Utc.from_utc_datetime(&(naive - off)),
        zone,
    })
}

/// Splits `…Z` / `…+hh:mm` / `…-hh:mm` off a date-time (the offset part is `None` for `Z`
/// and for none).
fn split_offset(s: &str) -> (&str, Option<&str>) {
    if let Some(r) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return (r, None);
    }
    if let Some(t) = s.find('T') {
        if let Some(i) = s[t..].rfind(['+', '-']) {
            return (&s[..t + i], Some(&s[t + i..]));
        }
    }
    (s, None)
}

/// Prints an instant the way a §2.3 form round-trips: `…Z`, with `[zone]` when one was given.
pub fn format_time(t: DateTime<Utc>, zone: Option<Zone>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    match zone {
        Some(z) => format!("{base}[{}]", z.name()),
        None => base,
    }
}

/// The raw recurrence fields of a request body.
#[derive(Debug, Clone, Default)]
pub struct RecurrenceInput<'a> {
    pub first_start: &'a str,
    /// `None`, `""` or whitespace = no last start.
    pub last_start: Option<&'a str>,
    /// `frequency.type` and `frequency.interval`, when a frequency was given.
    pub frequency: Option<(Option<&'a str>, Option<i64>)>,
    pub rrule: Option<&'a str>,
}

/// The normalized source of a recurrence: what is stored and what the API shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecurrenceSpec {
    pub first_start: DateTime<Utc>,
    /// The bracketed zone's canonical name; `None` = UTC.
    pub zone: Option<String>,
    pub last_start: Option<DateTime<Utc>>,
    pub frequency: Option<Frequency>,
    /// Upper-cased, without `RRULE:`.
    pub rrule: Option<String>,
}

/// A validated recurrence: the instants at which something starts.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RecurrenceSpec", into = "RecurrenceSpec")]
pub struct Recurrence {
    spec: RecurrenceSpec,
    /// The zone the rule runs in (UTC for HOURLY).
    zone: Zone,
    rule: Rule,
    /// `UNTIL` and `last_start`, the smaller (inclusive).
    end: Option<DateTime<Utc>>,
}

#[derive(Clone, PartialEq, Eq)]
enum Rule {
    Once,
    /// A validated rule, expanded from DTSTART = the local first start (floating, in UTC).
    Rrule {
        rule: Box<rrule::RRule>,
        /// Whole periods may be skipped when looking far ahead (no COUNT, one occurrence per period).
        period: Option<Duration>,
    },
}

impl fmt::Debug for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Recurrence").field(&self.spec).finish()
    }
}

impl TryFrom<RecurrenceSpec> for Recurrence {
    type Error = RecurrenceError;
    fn try_from(spec: RecurrenceSpec) -> Result<Self, RecurrenceError> {
        Recurrence::from_spec(spec)
    }
}

impl From<Recurrence> for RecurrenceSpec {
    fn from(r: Recurrence) -> Self {
        r.spec
    }
}

impl Recurrence {
    /// Validates a request's fields; every error names its field.
    pub fn parse(input: &RecurrenceInput<'_>) -> Result<Recurrence, RecurrenceError> {
        let first = parse_time("first_start", input.first_start)?;
        let last = match input.last_start.map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(parse_time("last_start", s)?.instant),
        };
        let rrule = input.rrule.map(str::trim).filter(|s| !s.is_empty());
        let frequency = match (input.frequency, rrule) {
            (Some(_), Some(_)) => {
                return Err(RecurrenceError::new(
                    "frequency",
                    "give either frequency or rrule, not both",
                ))
            }
            (None, None) => {
                return Err(RecurrenceError::new(
                    "frequency",
                    "either a frequency or a rrule must be provided",
                ))
            }
            (Some((kind, interval)), None) => Some(parse_frequency(kind, interval)?),
            (None, Some(_)) => None,
        };
        let rrule = rrule.map(normalize_rrule);
        let spec = RecurrenceSpec {
            first_start: first.instant,
            zone: first.zone.map(|z| z.name()),
            last_start: last,
            frequency,
            rrule,
        };
        Recurrence::from_spec(spec)
    }

    /// Rebuilds a recurrence from its stored source (checks it all again).
    pub fn from_spec(spec: RecurrenceSpec) -> Result<Recurrence, RecurrenceError> {
        let zone = match &spec.zone {
            None => Zone::UTC,
            Some(z) => Zone::parse(z).ok_or_else(|| {
                RecurrenceError::new("first_start", format!("unknown time zone {z:?}"))
            })?,
        };
        if let Some(last) = spec.last_start {
            if last < spec.first_start {
                return Err(RecurrenceError::new(
                    "last_start",
                    "last_start is before first_start; give a later time or none",
                ));
            }
        }
        let (rule, zone, until) = match (&spec.frequency, &spec.rrule) {
            (Some(f), None) => frequency_rule(f, zone, spec.first_start)?,
            (None, Some(r)) => rrule_rule(r, zone, spec.first_start)?,
            _ => {
                return Err(RecurrenceError::new(
                    "frequency",
                    "give exactly one of frequency or rrule",
                ))
            }
        };
        let end = match (until, spec.last_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(Recurrence {
            spec,
            zone,
            rule,
            end,
        })
    }

    pub fn spec(&self) -> &RecurrenceSpec {
        &self.spec
    }

    /// The bracketed zone of `first_start`, if one was given.
    pub fn zone(&self) -> Option<Zone> {
        self.spec.zone.as_deref().and_then(Zone::parse)
    }

    pub fn first_start(&self) -> DateTime<Utc> {
        self.spec.first_start
    }

    /// The first occurrence strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.scan_from(t, |o| o > t).next()
    }

    /// The latest occurrence at or before `t`.
    pub fn latest_at_or_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut last = None;
        for o in self.scan_from(t, |_| true) {
            if o > t {
                break;
            }
            last = Some(o);
        }
        last
    }

    /// The occurrences in `[a, b)`, at most [`MAX_OCCURRENCES`].
    pub fn occurrences_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        self.scan_from(a, |o| o >= a)
            .take_while(|o| *o < b)
            .take(MAX_OCCURRENCES)
            .collect()
    }

    /// The window `[start, start + duration)` of the latest occurrence that contains `t`.
    pub fn window_containing(
        &self,
        t: DateTime<Utc>,
        duration: Duration,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.latest_at_or_before(t)?;
        let end = start + duration;
        (t < end).then_some((start, end))
    }

    /// Whether `t` falls in a window of `duration` that starts at an occurrence.
    pub fn is_active(&self, t: DateTime<Utc>, duration: Duration) -> bool {
        self.window_containing(t, duration).is_some()
    }

    /// Occurrences in order, from a little before `t` (whole periods skipped where that is
    /// exact), keeping those `keep` accepts once it first accepts one, and stopping after the end.
    fn scan_from<'a>(
        &'a self,
        t: DateTime<Utc>,
        keep: impl Fn(DateTime<Utc>) -> bool + 'a,
    ) -> Box<dyn Iterator<Item = DateTime<Utc>> + 'a> {
        let end = self.end;
        let within = move |o: &DateTime<Utc>| end.is_none_or(|e| *o <= e);
        match &self.rule {
            Rule::Once => Box::new(
                std::iter::once(self.spec.first_start)
                    .take_while(within)
                    .skip_while(move |o| !keep(*o)),
            ),
            Rule::Rrule { rule, period } => {
                let local_first = self.zone.local(self.spec.first_start);
                // Start two whole periods before `t` (or at the first start): a rule with an
                // occurrence in every period and no COUNT gives the same occurrences from the
                // new start on, and the last period before `t` is complete.
                let start = match period {
                    Some(p) if t > self.spec.first_start => {
                        let local_t = self.zone.local(t);
                        let step = p.num_seconds().max(1);
                        let n = (local_t - local_first).num_seconds() / step;
                        local_first + Duration::seconds(step * (n - 2).max(0))
                    }
                    _ => local_first,
                };
                let zone = self.zone;
                let set = rrule::RRuleSet::new(floating(start)).rrule((**rule).clone());
                let mut prev: Option<DateTime<Utc>> = None;
                Box::new(
                    set.into_iter()
                        .map(move |d| zone.instant(d.naive_utc()))
                        // Two local times may land on one instant (a gap moves forward).
                        .filter(move |o| {
                            let fresh = prev.is_none_or(|p| *o > p);
                            prev = Some(*o);
                            fresh
                        })
                        .take_while(within)
                        .skip_while(move |o| !keep(*o)),
                )
            }
        }
    }
}

/// A local time as the `rrule` crate's floating DTSTART (UTC on the wall clock).
fn floating(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

fn parse_frequency(
    kind: Option<&str>,
    interval: Option<i64>,
) -> Result<Frequency, RecurrenceError> {
    let kind = kind.and_then(FrequencyKind::parse).ok_or_else(|| {
        RecurrenceError::new(
            "frequency.type",
            "frequency.type must be one of ONCE, HOURLY, DAILY, WEEKLY, MONTHLY",
        )
    })?;
    let interval = match (kind, interval) {
        (FrequencyKind::Once, i) => u32::try_from(i.unwrap_or(0)).unwrap_or(0),
        (_, None) => {
            return Err(RecurrenceError::new(
                "frequency.interval",
                "frequency.interval is required (1 or more) unless the type is ONCE",
            ))
        }
        (_, Some(i)) if !(1..=MAX_INTERVAL).contains(&i) => {
            return Err(RecurrenceError::new(
                "frequency.interval",
                format!("frequency.interval must be between 1 and {MAX_INTERVAL}"),
            ))
        }
        (_, Some(i)) => i as u32,
    };
    Ok(Frequency { kind, interval })
}

/// Upper-cases a rule and drops a leading `RRULE:`.
fn normalize_rrule(s: &str) -> String {
    let up = s.trim().to_ascii_uppercase();
    up.strip_prefix("RRULE:").unwrap_or(&up).trim().to_string()
}

type Built = (Rule, Zone, Option<DateTime<Utc>>);

fn frequency_rule(
    f: &Frequency,
    zone: Zone,
    first: DateTime<Utc>,
) -> Result<Built, RecurrenceError> {
    let interval = u16::try_from(f.interval).map_err(|_| {
        RecurrenceError::new("frequency.interval", "frequency.interval is too large")
    })?;
    let (freq, zone, period) = match f.kind {
        FrequencyKind::Once => return Ok((Rule::Once, zone, None)),
        FrequencyKind::Hourly => (
            rrule::Frequency::Hourly,
            Zone::UTC,
            Some(Duration::hours(1)),
        ),
        FrequencyKind::Daily => (rrule::Frequency::Daily, zone, Some(Duration::days(1))),
        FrequencyKind::Weekly => (rrule::Frequency::Weekly, zone, Some(Duration::weeks(1))),
        FrequencyKind::Monthly => (rrule::Frequency::Monthly, zone, None),
    };
    if interval == 0 {
        return Err(RecurrenceError::new(
            "frequency.interval",
            "frequency.interval must be 1 or more unless the type is ONCE",
        ));
    }
    let rule = rrule::RRule::new(freq)
        .interval(interval)
        .validate(floating(zone.local(first)))
        .map_err(|e| RecurrenceError::new("frequency", e.to_string()))?;
    let period = period.map(|p| p * i32::from(interval));
    Ok((
        Rule::Rrule {
            rule: Box::new(rule),
            period,
        },
        zone,
        None,
    ))
}

const RRULE_PARTS: &[&str] = &[
    "FREQ",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "BYSETPOS",
    "COUNT",
    "UNTIL",
    "WKST",
    "BYMONTH",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
];

fn rrule_rule(src: &str, zone: Zone, first: DateTime<Utc>) -> Result<Built, RecurrenceError> {
    let bad = |m: String| RecurrenceError::new("rrule", m);
    let mut kept = Vec::new();
    let mut until = None;
    let has = |k: &str| -> bool { src.split(';').any(|p| p.split('=').next() == Some(k)) };
    for part in src.split(';').filter(|p| !p.trim().is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            bad(format!(
                "malformed rrule part {part:?}; expected NAME=VALUE, e.g. FREQ=WEEKLY;BYDAY=TU"
            ))
        })?;
        let (k, v) = (k.trim(), v.trim());
        if !RRULE_PARTS.contains(&k) {
            return Err(bad(format!(
                "unsupported rrule part {k}; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS, COUNT, UNTIL"
            )));
        }
        if k == "UNTIL" {
            until = Some(parse_until(v, zone).ok_or_else(|| {
                bad(format!("bad UNTIL {v:?}; use YYYYMMDD or YYYYMMDDThhmmssZ"))
            })?);
        } else {
            kept.push(format!("{k}={v}"));
        }
    }
    if !has("FREQ") {
        return Err(bad(
            "rrule needs FREQ (HOURLY, DAILY, WEEKLY or MONTHLY)".into()
        ));
    }
    if has("BYSETPOS") && !has("BYDAY") {
        return Err(bad(
            "BYSETPOS needs BYDAY (e.g. FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1)".into(),
        ));
    }
    if has("COUNT") && until.is_some() {
        return Err(bad("COUNT and UNTIL cannot both be given".into()));
    }
    let parsed: rrule::RRule<rrule::Unvalidated> = kept
        .join(";")
        .parse()
        .map_err(|e: rrule::RRuleError| bad(format!("malformed rrule: {e}")))?;
    let hourly = parsed.get_freq() == rrule::Frequency::Hourly;
    let zone = if hourly { Zone::UTC } else { zone };
    match parsed.get_freq() {
        rrule::Frequency::Hourly
        | rrule::Frequency::Daily
        | rrule::Frequency::Weekly
        | rrule::Frequency::Monthly
        | rrule::Frequency::Yearly => {}
        f => {
            return Err(bad(format!(
                "FREQ={f} is not supported; use HOURLY, DAILY, WEEKLY or MONTHLY"
            )))
        }
    }
    if parsed.get_interval() == 0 {
        return Err(bad("INTERVAL must be 1 or more".into()));
    }
    let rule = parsed
        .validate(floating(zone.local(first)))
        .map_err(|e| bad(format!("invalid rrule: {e}")))?;
    // Whole periods can be skipped when every period (of INTERVAL units) has an occurrence
    // and nothing counts them: DAILY/HOURLY without BY parts, WEEKLY with at most BYDAY.
    let only_byday = [
        "BYMONTHDAY",
        "BYSETPOS",
        "BYMONTH",
        "BYHOUR",
        "BYMINUTE",
        "BYSECOND",
    ]
    .iter()
    .all(|k| !has(k));
    let unit = match rule.get_freq() {
        _ if has("COUNT") || !only_byday => None,
        rrule::Frequency::Weekly => Some(Duration::weeks(1)),
        rrule::Frequency::Daily if !has("BYDAY") => Some(Duration::days(1)),
        rrule::Frequency::Hourly if !has("BYDAY") => Some(Duration::hours(1)),
        _ => None,
    };
    let period = unit.map(|u| u * i32::from(rule.get_interval()));
    Ok((
        Rule::Rrule {
            rule: Box::new(rule),
            period,
        },
        zone,
        until,
    ))
}

/// `UNTIL`: `…Z` is an instant; a local date-time or a date (the whole day) is in the zone.
fn parse_until(v: &str, zone: Zone) -> Option<DateTime<Utc>> {
    if let Some(z) = v.strip_suffix('Z') {
        let n = NaiveDateTime::parse_from_str(z, "%Y%m%dT%H%M%S").ok()?;
        return Some(Utc.from_utc_datetime(&n));
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S") {
        return Some(zone.instant(n));
    }
    let d = NaiveDate::parse_from_str(v, "%Y%m%d").ok()?;
    let next = d.succ_opt()?.and_hms_opt(0, 0, 0)?;
    Some(zone.instant(next) - Duration::microseconds(1))
}

/// The first-end of a window (blackouts): after the first start; returns the duration.
pub fn parse_window(first_start: &str, first_end: &str) -> Result<Duration, RecurrenceError> {
    let start = parse_time("first_start", first_start)?;
    let end = parse_time("first_end", first_end)?;
    if end.instant <= start.instant {
        return Err(RecurrenceError::new(
            "first_end",
            "first_end must be after first_start",
        ));
    }
    Ok(end.instant - start.instant)
}

#[cfg(test)]
#[path = "recurrence_tests.rs"]
mod tests;
