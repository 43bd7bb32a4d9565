//! The first error of an upload, with its location.

/// Why an upload was refused: `pointer` is an RFC 6901 JSON pointer to the offending
/// value (`""` for the document itself), `line`/`column` where the reader was (0 when the
/// error was found in a value already read: a schema error), `expected` the schema rule
/// the value broke (a JSON pointer into the format's schema).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {pointer:?}, line {line} column {column})")]
pub struct IngestError {
    pub pointer: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub expected: Option<String>,
}

impl IngestError {
    /// An error about the whole document.
    pub fn document(message: impl Into<String>) -> Self {
        Self {
            pointer: String::new(),
            message: message.into(),
            line: 0,
            column: 0,
            expected: None,
        }
    }

    /// `value`, found at `at` in the upload, decoded as `T`; an error names where in it.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        at: &str,
        value: serde_json::Value,
    ) -> Result<T, IngestError> {
        serde_path_to_error::deserialize(value).map_err(|e| IngestError {
            pointer: format!("{at}{}", pointer(e.path())),
            message: strip_position(&e.into_inner().to_string()),
            line: 0,
            column: 0,
            expected: None,
        })
    }

    pub(crate) fn from_tracked(e: serde_json::Error, path: &serde_path_to_error::Path) -> Self {
        Self {
            pointer: pointer(path),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
            expected: None,
        }
    }
}

/// serde_json appends ` at line L column C`; the position has its own fields.
pub(crate) fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// The RFC 6901 pointer of a tracked path.
pub(crate) fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('-'),
        }
    }
    out
}

/// Runs `seed` over a JSON reader, tracking the path for the error.
pub(crate) fn run<'de, R, S>(reader: R, seed: S) -> Result<S::Value, IngestError>
where
    R: std::io::Read,
    S: serde::de::DeserializeSeed<'de>,
{
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut track = serde_path_to_error::Track::new();
    let value = seed
        .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .map_err(|e: serde_json::Error| IngestError::from_tracked(e, &track.path()))?;
    de.end().map_err(|e| IngestError {
        pointer: String::new(),
        line: e.line(),
        column: e.column(),
        message: "trailing characters after the document".into(),
        expected: None,
    })?;
    Ok(value)
}
