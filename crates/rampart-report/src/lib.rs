//! rampart-report: renders a finished scan in every supported output format.
//!
//! Layer 3. One report model ([`ReportModel`]) is built from the engine's scan
//! [`Summary`](rampart_engine::Summary) plus run metadata, and each format has its own
//! renderer module (ripgrep "printers" style). Invariants: rendering is pure and
//! deterministic (same model, same bytes; no clock or randomness inside a renderer); every
//! text that came from the target is escaped for the output syntax (HTML, XML, CSV,
//! Markdown); the Markdown output stays under GitHub's comment limit.

mod csv_out;
mod error;
mod exchange;
mod html;
mod json;
mod junit;
mod markdown;
mod model;
mod sarif;
mod svg;

pub use error::ReportError;
pub use markdown::MARKDOWN_LIMIT;
pub use model::{LogLine, ReportModel, Tool, REPORT_SCHEMA};

/// An output format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Sarif,
    Html,
    Csv,
    Junit,
    Markdown,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Json,
        Format::Sarif,
        Format::Html,
        Format::Csv,
        Format::Junit,
        Format::Markdown,
    ];
    /// The command-line names, in the order of [`Format::ALL`].
    pub const NAMES: &'static [&'static str] =
        &["json", "sarif", "html", "csv", "junit", "markdown"];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
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
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Renders `model` as `format`.
pub fn render(model: &ReportModel, format: Format) -> Result<String, ReportError> {
    match format {
        Format::Json => json::render(model),
        Format::Sarif => sarif::render(model),
        Format::Html => html::render(model),
        Format::Csv => csv_out::render(model),
        Format::Junit => junit::render(model),
        Format::Markdown => Ok(markdown::render(model)),
    }
}
