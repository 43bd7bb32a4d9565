//! rampart-report: renders a finished scan in every supported output format.
//!
//! Layer 3. This crate owns the report model ([`ReportModel`]: findings with their real
//! confidence, the run summary, the log). Two adapters build it: [`local`] from an engine
//! scan (`rampart scan`) and [`api`] from `/ias/v1` scans and vulnerabilities (`rampart
//! report`); each format has its own renderer module that reads the model only (ripgrep
//! "printers" style). Invariants: rendering is pure and deterministic (same model, same bytes;
//! no clock or randomness inside a renderer); every text that came from the target is escaped
//! for the output syntax (HTML, XML, CSV, Markdown); the Markdown output stays under GitHub's
//! comment limit.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod api;
pub mod compliance;
mod csv_out;
mod document;
mod error;
mod exchange;
mod html;
mod json;
mod junit;
pub mod local;
mod markdown;
mod model;
mod pdf;
mod sarif;
mod svg;
mod view;
mod zip;

pub use compliance::Standard;
pub use document::{
    render_document, render_document_html, AppSection, DocFormat, DocumentInput, ReportType,
    ScanSummary, SeverityCounts, Trend, TrendPoint,
};
pub use error::ReportError;
pub use markdown::MARKDOWN_LIMIT;
pub use model::{
    Confidence, Exchange, Finding, Level, LimitKind, LogLine, Outcome, Progress, ReportModel,
    RunInfo, RunSummary, Tool, Variance, VulnStatus, REPORT_SCHEMA,
};

/// An output format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Sarif,
    Html,
    Csv,
    Junit,
    Markdown,
    /// Binary: rendered by [`render_bytes`] only.
    Pdf,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Json,
        Format::Sarif,
        Format::Html,
        Format::Csv,
        Format::Junit,
        Format::Markdown,
        Format::Pdf,
    ];
    /// The command-line names, in the order of [`Format::ALL`].
    pub const NAMES: &'static [&'static str] =
        &["json", "sarif", "html", "csv", "junit", "markdown", "pdf"];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == s)
    }

    /// Conventional file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Junit => "xml",
            Format::Markdown => "md",
            Format::Pdf => "pdf",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Format {
    /// Whether the output is text (every format but PDF).
    pub fn is_text(self) -> bool {
        self != Format::Pdf
    }
}

/// Renders `model` as a text `format` (PDF is refused: use [`render_bytes`]).
pub fn render(model: &ReportModel, format: Format) -> Result<String, ReportError> {
    match format {
        Format::Pdf => Err(ReportError::Unsupported {
            report_type: "scan",
            format: "text PDF",
        }),
        Format::Json => json::render(model),
        Format::Sarif => sarif::render(model),
        Format::Html => html::render(model),
        Format::Csv => csv_out::render(model),
        Format::Junit => junit::render(model),
        Format::Markdown => Ok(markdown::render(model)),
    }
}

/// Renders `model` as `format`, as bytes (every format, PDF included). The PDF is the
/// server report document of [`DocumentInput::from_model`].
pub fn render_bytes(model: &ReportModel, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Pdf => render_document(&DocumentInput::from_model(model), DocFormat::Pdf),
        f => render(model, f).map(String::into_bytes),
    }
}
