//! Typed values and the lenient date-time parser.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use uuid::Uuid;

/// A checked, typed value ready to be bound.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Id(Uuid),
    Str(String),
    Bool(bool),
    Num(f64),
    /// Microseconds since the Unix epoch, UTC.
    Time(i64),
    /// The rank of an ordered enum value (severity), lowest first.
    Rank(i64),
}

/// Parses `true`/`false` (ASCII case ignored).
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Parses a finite decimal number.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    t.parse::<f64>().ok().filter(|n| ok && n.is_finite())
}

/// Parses a date-time leniently and returns microseconds since the epoch (UTC).
///
/// Accepts `YYYY-M-D`, `YYYY-M-DTH:M[:S[.f…]]` with `T` or a space, an optional zone `Z`,
/// `±HH:MM`, `±HHMM` or `±HH`, and an ignored `[Zone/Id]` suffix. Without a zone the value is
/// UTC. Fractions beyond microseconds are truncated.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = match s.find('[') {
        Some(i) if s.ends_with(']') => &s[..i],
        _ => s,
    };
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let date = parse_date(date)?;
    let Some(rest) = rest else {
        return Some(date.and_time(NaiveTime::MIN).and_utc().timestamp_micros());
    };
    let (time, offset) = split_zone(rest)?;
    let naive = NaiveDateTime::new(date, parse_time(time)?);
    let dt = offset.from_local_datetime(&naive).single()?;
    Some(dt.timestamp_micros())
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let y = small_int(parts.next()?, 4)?;
    let m = small_int(parts.next()?, 2)?;
    let d = small_int(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn small_int(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn split_zone(s: &str) -> Option<(&str, FixedOffset)> {
    if let Some(t) = s.strip_suffix(['Z', 'z']) {
        return Some((t, FixedOffset::east_opt(0)?));
    }
    let Some(i) = s.rfind(['+', '-']) else {
        return Some((s, FixedOffset::east_opt(0)?));
    };
    let (time, zone) = (&s[..i], &s[i + 1..]);
    let sign = if s.as_bytes()[i] == b'-' { -1 } else { 1 };
    let digits: String = zone.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (small_int(&digits, 2)?, 0),
        4 => (small_int(&digits[..2], 2)?, small_int(&digits[2..], 2)?),
        _ => return None,
    };
    if h > 23 || m > 59 || zone.len() > 5 {
        return None;
    }
    let secs = sign * i32::try_from(h * 3600 + m * 60).ok()?;
    Some((time, FixedOffset::east_opt(secs)?))
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let (hms, frac) = match s.split_once(['.', ',']) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut parts = hms.split(':');
    let h = small_int(parts.next()?, 2)?;
    let m = small_int(parts.next()?, 2)?;
    let sec = match parts.next() {
        Some(p) => small_int(p, 2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let micros = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let mut padded = f.chars().take(6).collect::<String>();
            while padded.len() < 6 {
                padded.push('0');
            }
            padded.parse().ok()?
        }
        Some(_) => return None,
    };
    NaiveTime::from_hms_micro_opt(h, m, sec, micros)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn check(input: &str, expected: Option<&str>) {
        let got = parse_datetime(input);
        let want = expected.map(|e| {
            DateTime::parse_from_rfc3339(e)
                .unwrap_or_else(|err| panic!("bad expectation {e}: {err}"))
                .timestamp_micros()
        });
        assert_eq!(got, want, "parse_datetime({input:?})");
    }

    #[test]
    fn lenient_date_times() {
        check("2018-11-01T00:00:00", Some("2018-11-01T00:00:00Z"));
        check("2018-12-1T00:00:00", Some("2018-12-01T00:00:00Z"));
        check("2018-12-01", Some("2018-12-01T00:00:00Z"));
        check("2019-01-08T22:04:46.402", Some("2019-01-08T22:04:46.402Z"));
        check(
            "2023-03-20T14:29:10.686575+00:00",
            Some("2023-03-20T14:29:10.686575Z"),
        );
        check(
            "2023-03-20T14:29:10.123456789Z",
            Some("2023-03-20T14:29:10.123456Z"),
        );
        check("2023-04-25T14:15:22Z", Some("2023-04-25T14:15:22Z"));
        check("2023-04-25T16:15:22+02:00", Some("2023-04-25T14:15:22Z"));
        check("2023-04-25T12:15:22-0200", Some("2023-04-25T14:15:22Z"));
        check(
            "2019-08-12T14:00:00.000000Z[Asia/Tokyo]",
            Some("2019-08-12T14:00:00Z"),
        );
        check("2019-08-12 14:00", Some("2019-08-12T14:00:00Z"));
        check("2019-02-30", None);
        check("yesterday", None);
        check("2019-08-12T25:00:00", None);
        check("2019-08-12T10:00:00+99:00", None);
        check("", None);
        check("2019-08-12T10:00:00.", None);
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(parse_number("4"), Some(4.0));
        assert_eq!(parse_number("-2.5"), Some(-2.5));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1e400"), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("no"), None);
    }
}
