//! Errors of the renderers.

/// A report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("json encoding failed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("html template failed: {0}")]
    Template(#[from] minijinja::Error),
    #[error("csv encoding failed: {0}")]
    Csv(String),
    #[error("xml encoding failed: {0}")]
    Xml(String),
    #[error("a {report_type} report is not generated as {format}")]
    Unsupported {
        report_type: &'static str,
        format: &'static str,
    },
    #[error("report data is invalid: {0}")]
    Data(String),
    #[error("pdf rendering failed: {0}")]
    Pdf(String),
}
