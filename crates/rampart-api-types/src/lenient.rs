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
