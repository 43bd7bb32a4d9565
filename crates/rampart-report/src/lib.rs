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
mod csv_out;
mod error;
mod exchange;
mod html;
mod json;
mod junit;
pub mod local;
mod markdown;
mod model;
mod sarif;
mod svg;

pub use error::ReportError;
pub use markdown::MARKDOWN_LIMIT;
pub use model::{
    Confidence, Exchange, Finding, Level, LogLine, Outcome, Progress, ReportModel, RunInfo,
    RunSummary, Tool, Variance, REPORT_SCHEMA,
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
