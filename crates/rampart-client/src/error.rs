//! What can go wrong talking to the server, with enough to act on it.

use std::fmt;

/// An error of a client call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with a 4xx/5xx status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The server could not be reached or the connection broke.
    #[error("cannot reach the server at {url}: {message}")]
    Unreachable { url: String, message: String },
    /// The server answered 2xx with a body that is not what the API documents.
    #[error("unexpected answer from {url}: {message}")]
    Decode { url: String, message: String },
    /// A bad argument (server URL, …) before anything was sent.
    #[error("{0}")]
    Usage(String),
}

/// A 4xx/5xx answer: the server's message and the correlation id to quote when reporting it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub method: String,
    /// The path of the request (`/ias/v1/apps/…`), without the host.
    pub path: String,
    pub status: u16,
    /// `message` of the error body (or the body itself when it is not JSON).
    pub message: String,
    /// `errors[].explanation` of a 422.
    pub details: Vec<String>,
    /// The `r7-correlation-id` response header.
    pub correlation_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed with {}: {}",
            self.method, self.path, self.status, self.message
        )?;
        for d in &self.details {
            write!(f, "; {d}")?;
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " (correlation id {id})")?;
        }
        Ok(())
    }
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// True for a 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

pub type Result<T> = std::result::Result<T, Error>;
