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

    /// `value` (a `serde_json::Value`, or a reference to one to keep it), found at `at` in
    /// the upload, decoded as `T`; an error names where in it.
    pub(crate) fn decode<'de, T, V>(at: &str, value: V) -> Result<T, IngestError>
    where
        T: serde::de::Deserialize<'de>,
        V: serde::de::Deserializer<'de, Error = serde_json::Error>,
    {
        serde_path_to_error::deserialize(value).map_err(|e| IngestError {
            pointer: format!("{at}{}", pointer(e.path())),
            message: strip_position(&e.into_inner().to_string()),
            line: 0,
            column: 0,
            expected: None,
        })
    }

    /// [`IngestError::decode`] of a streamed element whose pointer `at` is made only if it
    /// fails: decoded once without tracking the path (the common case, an element that the
    /// schema has just accepted), and again with it to locate an error.
    pub(crate) fn decode_element<T: serde::de::DeserializeOwned>(
        at: impl FnOnce() -> String,
        value: &serde_json::Value,
    ) -> Result<T, IngestError> {
        T::deserialize(value).or_else(|_| Self::decode(&at(), value))
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
