//! The closed set of service errors; the HTTP edge maps each to a status and body.

use rampart_store::StoreError;

/// Whether a validation problem concerns the whole object or one property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    Object,
    Property,
}

/// One validation problem: `context` names the property (or object), `explanation`
/// says what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub context: String,
    pub explanation: String,
}

impl Problem {
    pub fn property(context: impl Into<String>, explanation: impl Into<String>) -> Self {
        Self {
            kind: ProblemKind::Property,
            context: context.into(),
            explanation: explanation.into(),
        }
    }
    pub fn object(context: impl Into<String>, explanation: impl Into<String>) -> Self {
        Self {
            kind: ProblemKind::Object,
            context: context.into(),
            explanation: explanation.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("unauthorized")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("resource not found")]
    NotFound,
    #[error("{message}")]
    Validation {
        message: String,
        problems: Vec<Problem>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal(String),
    /// The database is away or full (`StoreError::Unavailable`): 503, retry later. The
    /// message is for the client.
    #[error("{0}")]
    Unavailable(String),
}

impl ServiceError {
    pub fn invalid(problems: Vec<Problem>) -> Self {
        ServiceError::Validation {
            message: "resource validation error".into(),
            problems,
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            StoreError::Backend(m) => ServiceError::Internal(m),
            StoreError::Unavailable(m) => ServiceError::Unavailable(m),
        }
    }
}

/// Collects problems; `finish` fails with all of them at once.
#[derive(Debug, Default)]
pub(crate) struct Checks(pub Vec<Problem>);

impl Checks {
    /// A one-line text (names, ids): no control character at all (NUL, ESC, C1, line
    /// breaks), so no terminal or log that prints it can be steered by it.
    pub fn text(&mut self, context: &str, value: &str, min: usize, max: usize) {
        self.length(context, value, min, max);
        if value.chars().any(char::is_control) {
            self.0.push(Problem::property(
                context,
                "must not contain control characters",
            ));
        }
    }
    fn length(&mut self, context: &str, value: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min || n > max || (min > 0 && value.trim().is_empty()) {
            let what = if min > 0 && value.trim().is_empty() {
                "is required".to_string()
            } else {
                format!("must be between {min} and {max} characters long")
            };
            self.0.push(Problem::property(context, what));
        }
    }
    pub fn opt_text(&mut self, context: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.text(context, v, 0, max);
        }
    }
    /// A multi-line text (descriptions, comments): line breaks and tabs are kept, other
    /// control characters are refused like in [`Checks::text`].
    pub fn opt_lines(&mut self, context: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.lines(context, v, 0, max);
        }
    }
    pub fn lines(&mut self, context: &str, value: &str, min: usize, max: usize) {
        self.length(context, value, min, max);
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            self.0.push(Problem::property(
                context,
                "must not contain control characters other than line breaks and tabs",
            ));
        }
    }
    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }
    pub fn finish(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::invalid(self.0))
        }
    }
}
