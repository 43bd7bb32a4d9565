//! The one error type of the crate: where the query went wrong and why, per field.

/// What a 422 `ValidationErrors` body needs: one entry per offending field or token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field name (`app.name`), or `query` / `sort` for syntax errors.
    pub context: String,
    /// A lowercase sentence saying what is wrong and what is expected.
    pub explanation: String,
}

/// A query or sort string that cannot be used.
///
/// `position` is the byte offset of the first problem in the input; `errors` lists every
/// problem found (type checking reports all unknown fields and bad values at once).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {position})")]
pub struct QueryError {
    pub position: usize,
    pub message: String,
    pub errors: Vec<FieldError>,
}

impl QueryError {
    /// A single error whose context is `context`.
    pub fn new(position: usize, context: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            position,
            errors: vec![FieldError {
                context: context.to_owned(),
                explanation: message.clone(),
            }],
            message,
        }
    }

    /// A syntax error in the query text.
    pub(crate) fn syntax(position: usize, message: impl Into<String>) -> Self {
        Self::new(position, "query", message)
    }

    /// Merges several errors into one, keeping the earliest position and every entry.
    pub(crate) fn merge(mut all: Vec<QueryError>) -> Option<Self> {
        all.sort_by_key(|e| e.position);
        let mut iter = all.into_iter();
        let mut first = iter.next()?;
        for e in iter {
            first.errors.extend(e.errors);
        }
        if first.errors.len() > 1 {
            first.message = format!("{} (and {} more)", first.message, first.errors.len() - 1);
        }
        Some(first)
    }
}
