//! Typed probes of JSON/YAML documents: they read only the members a check needs and skip
//! the rest without building it, so checking a 10 MiB document stays cheap in memory.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// What a value is, its content skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Map,
    Seq,
    Other,
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Kind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Kind, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Kind::Map)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Kind, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Kind::Seq)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Kind, E> {
                Ok(Kind::Other)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
                Kind::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// A version written as a string or a number (`swagger: 2.0` in YAML).
#[derive(Debug, Default)]
pub struct Version(pub String);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a version")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Version, E> {
                Ok(Version(s.trim().to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Version, E> {
                Ok(Version(format!("{n:?}")))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Version, E> {
                Ok(Version(n.to_string()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Version, E> {
                Ok(Version(n.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Version, A::Error> {
                Kind::Map.drain_map(m).map(|_| Version::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Version, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Version::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Version, E> {
                Ok(Version::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Version, E> {
                Ok(Version::default())
            }
        }
        d.deserialize_any(V)
    }
}

impl Kind {
    fn drain_map<'de, A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
pub struct Swagger {
    pub swagger: Option<Version>,
    pub openapi: Option<Version>,
    pub paths: Option<Kind>,
}

#[derive(Debug, Deserialize)]
pub struct Introspection {
    #[serde(rename = "__schema")]
    pub schema: Option<Kind>,
    pub data: Option<IntrospectionData>,
}

#[derive(Debug, Deserialize)]
pub struct IntrospectionData {
    #[serde(rename = "__schema")]
    pub schema: Option<Kind>,
}

#[derive(Debug, Deserialize)]
pub struct Har {
    pub log: Option<HarLog>,
}

#[derive(Debug, Deserialize)]
pub struct HarLog {
    pub entries: Option<Kind>,
}

#[derive(Debug, Deserialize)]
pub struct Side {
    pub tests: Option<Vec<SideTest>>,
}

#[derive(Debug, Deserialize)]
pub struct SideTest {
    pub commands: Option<Kind>,
}

/// Whether `content` looks like JSON (an object or array first).
pub fn looks_like_json(content: &[u8]) -> bool {
    content
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}
