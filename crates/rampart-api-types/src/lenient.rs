//! Deserializers for the loose inputs real clients send.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolLike {
    Bool(bool),
    Text(String),
    Number(i64),
}

fn to_bool<E: serde::de::Error>(v: BoolLike) -> Result<bool, E> {
    match v {
        BoolLike::Bool(b) => Ok(b),
        BoolLike::Number(0) => Ok(false),
        BoolLike::Number(1) => Ok(true),
        BoolLike::Text(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        BoolLike::Text(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(E::custom("expected a boolean (true or false)")),
    }
}

/// `true`, `"true"`, `1` → true (and their opposites); a missing member is `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<BoolLike>::deserialize(d)? {
        None => Ok(None),
        Some(BoolLike::Text(s)) if s.is_empty() => Ok(None),
        Some(v) => to_bool(v).map(Some),
    }
}

/// An optional string where `""` means absent (ICON sends `"last_start": ""`).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Whole {
    Int(u64),
    Float(f64),
}

/// A whole number also written as a float (`34.0`: JSON Schema calls it an integer, and
/// generated clients and fuzzers send it so); a fraction, a negative or a too large number
/// is refused.
fn whole<E: serde::de::Error>(v: Whole, max: u64) -> Result<u64, E> {
    let n = match v {
        Whole::Int(n) => Some(n),
        // Below 2^64 the cast is exact for a whole float (`as` would saturate above).
        Whole::Float(f) if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) => {
            Some(f as u64)
        }
        Whole::Float(_) => None,
    };
    n.filter(|n| *n <= max)
        .ok_or_else(|| E::custom(format!("expected a whole number from 0 to {max}")))
}

/// A count (`u64`): see [`whole`].
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    whole(Whole::deserialize(d)?, u64::MAX)
}

/// An optional `u32`: see [`whole`]; `null` or a missing member is `None`.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Option::<Whole>::deserialize(d)?
        .map(|v| whole(v, u64::from(u32::MAX)).map(|n| n as u32))
        .transpose()
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug)]
    struct T {
        #[serde(default, deserialize_with = "super::count")]
        n: u64,
        #[serde(default, deserialize_with = "super::opt_u32")]
        d: Option<u32>,
    }

    fn read(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn whole_numbers_written_as_floats_are_read() {
        let t = read(r#"{"n": 34.0, "d": 7.0}"#).expect("whole floats");
        assert_eq!((t.n, t.d), (34, Some(7)));
        let t = read(r#"{"n": 18446744073709551615, "d": null}"#).expect("u64::MAX");
        assert_eq!((t.n, t.d), (u64::MAX, None));
        assert_eq!(read("{}").expect("absent").d, None);
        for bad in [
            r#"{"n": 34.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": -1.0}"#,
            r#"{"n": 1e30}"#,
            r#"{"d": 4294967296}"#,
            r#"{"d": 4294967296.0}"#,
            r#"{"n": "3"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
