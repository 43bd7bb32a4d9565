//! Deserializers for the loose inputs real clients send.

use serde::{Deserialize, Deserializer};

/// The words a lenient boolean takes as a string, in any ASCII case (InsightAppSec clients
/// send `"true"`); the empty string reads as absent. The reader and the document's schema
/// ([`opt_bool_schema`]) both come from here.
pub const BOOL_WORDS: [(&str, bool); 2] = [("true", true), ("false", false)];

/// The numbers a lenient boolean takes (`1` also written `1.0`, as JSON Schema allows).
pub const BOOL_NUMBERS: [(u8, bool); 2] = [(0, false), (1, true)];

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolLike {
    Bool(bool),
    Text(String),
    Number(f64),
}

fn to_bool<E: serde::de::Error>(v: BoolLike) -> Result<bool, E> {
    let found = match &v {
        BoolLike::Bool(b) => Some(*b),
        BoolLike::Number(n) => BOOL_NUMBERS
            .iter()
            .find(|(k, _)| f64::from(*k) == *n)
            .map(|(_, b)| *b),
        BoolLike::Text(s) => BOOL_WORDS
            .iter()
            .find(|(w, _)| s.eq_ignore_ascii_case(w))
            .map(|(_, b)| *b),
    };
    found.ok_or_else(|| E::custom("expected a boolean (true or false)"))
}

/// `true`, `"true"` (any case), `1` → true (and their opposites); `null`, `""` or a missing
/// member is `None`. [`opt_bool_schema`] says the same in JSON Schema.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<BoolLike>::deserialize(d)? {
        None => Ok(None),
        Some(BoolLike::Text(s)) if s.is_empty() => Ok(None),
        Some(v) => to_bool(v).map(Some),
    }
}

/// What [`opt_bool`] accepts, exactly, as a JSON Schema for a request body's member: a
/// boolean or `null`, a number of [`BOOL_NUMBERS`], or a string of [`BOOL_WORDS`] in any
/// case or empty. An answer carries a plain boolean.
pub fn opt_bool_schema() -> utoipa::openapi::Schema {
    bool_schema(true)
}

/// What [`opt_bool`] reads as a value (a member a request must give): as
/// [`opt_bool_schema`] without `null` and `""`, which read as absent.
pub fn given_bool_schema() -> utoipa::openapi::Schema {
    bool_schema(false)
}

fn bool_schema(absent: bool) -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, SchemaType, Type};
    let words: Vec<String> = BOOL_WORDS
        .iter()
        .map(|(w, _)| {
            w.chars()
                .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()))
                .collect()
        })
        .collect();
    let numbers: Vec<serde_json::Value> = BOOL_NUMBERS.iter().map(|(n, _)| (*n).into()).collect();
    let spelled = |b: bool| {
        let n = BOOL_NUMBERS
            .iter()
            .filter(|(_, v)| *v == b)
            .map(|(n, _)| format!("`{n}`"));
        let w = BOOL_WORDS
            .iter()
            .filter(|(_, v)| *v == b)
            .map(|(w, _)| format!("`\"{w}\"`"));
        n.chain(w).collect::<Vec<_>>().join(" and ")
    };
    let (boolean, empty, absence) = if absent {
        (
            SchemaType::from_iter([Type::Boolean, Type::Null]),
            "?",
            "`null` and `\"\"` as absent",
        )
    } else {
        (
            SchemaType::Type(Type::Boolean),
            "",
            "`null` and `\"\"` are refused: the member must be given",
        )
    };
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(boolean))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some(numbers)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!("^({}){empty}$", words.join("|")))),
        )
        .description(Some(format!(
            "A boolean in a request body: {} are read as true too, {} as false (the words in \
             any case), {absence}. Answers carry plain booleans.",
            spelled(true),
            spelled(false)
        )))
        .into()
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

    #[derive(serde::Deserialize, Debug)]
    struct B {
        #[serde(default, deserialize_with = "super::opt_bool")]
        b: Option<bool>,
    }

    /// The schema the document gives a lenient boolean accepts exactly what the reader reads:
    /// every case of the words, the numbers (also as floats), and nothing near them.
    #[test]
    fn the_bool_schema_says_exactly_what_opt_bool_reads() {
        use serde_json::{json, Value};
        let schema = serde_json::to_value(super::opt_bool_schema()).expect("json");
        let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
        let mut values: Vec<Value> = vec![
            json!(true),
            json!(false),
            Value::Null,
            json!(0),
            json!(1),
            json!(0.0),
            json!(1.0),
            json!(-0.0),
            json!(2),
            json!(-1),
            json!(0.5),
            json!(1e300),
            json!(u64::MAX),
            json!(""),
            json!(" "),
            json!("1"),
            json!("0"),
            json!("yes"),
            json!("no"),
            json!("t"),
            json!(" true"),
            json!("true "),
            json!("truee"),
            json!("true\n"),
            json!("falsetrue"),
            json!([]),
            json!([true]),
            json!({}),
            json!({"b": true}),
        ];
        // Every ASCII case of each word: 2^4 + 2^5 spellings.
        for (word, _) in super::BOOL_WORDS {
            for mask in 0..1u32 << word.len() {
                let cased: String = word
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if mask >> i & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                values.push(json!(cased));
            }
        }
        // A member that must be given takes exactly what the reader reads as a value.
        let given = serde_json::to_value(super::given_bool_schema()).expect("json");
        let given = jsonschema::draft202012::new(&given).expect("a valid schema");
        let (mut read, mut valued) = (0, 0);
        for v in values {
            let reads = serde_json::from_value::<B>(json!({ "b": v })).ok();
            assert_eq!(
                validator.is_valid(&v),
                reads.is_some(),
                "{v}: schema vs reader ({reads:?})"
            );
            let value = reads.as_ref().and_then(|r| r.b);
            assert_eq!(
                given.is_valid(&v),
                value.is_some(),
                "{v}: given schema vs reader ({reads:?})"
            );
            read += usize::from(reads.is_some());
            valued += usize::from(value.is_some());
        }
        assert_eq!(
            read,
            2 + 1 + 5 + 1 + 16 + 32,
            "true, false, null, 0 1 0.0 1.0 -0.0, \"\", the words"
        );
        assert_eq!(valued, read - 2, "all but null and \"\"");
        let b = |v: Value| {
            serde_json::from_value::<B>(json!({ "b": v }))
                .expect("reads")
                .b
        };
        assert_eq!(
            [
                b(json!("TRUE")),
                b(json!(1.0)),
                b(json!("fAlSe")),
                b(json!(0))
            ],
            [Some(true), Some(true), Some(false), Some(false)]
        );
        assert_eq!([b(json!("")), b(Value::Null)], [None, None]);
        assert_eq!(serde_json::from_str::<B>("{}").expect("absent").b, None);
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
