//! Server report documents (reference §3.10): the report types and formats of
//! `POST /ias/v1/reports`, the data one document is built from ([`DocumentInput`]: one
//! [`AppSection`] per app, each with its scan, its findings as a [`ReportModel`] and its
//! trend), and [`render_document`], which turns that data into the final bytes (PDF, a ZIP
//! holding one self-contained `report.html`, or CSV). Pure and deterministic: every time
//! shown comes from the input, never from a clock.

use crate::compliance::Standard;
use crate::model::ReportModel;
use crate::ReportError;
use chrono::{DateTime, NaiveDate, Utc};
use rampart_domain::Severity;
use uuid::Uuid;

/// The output format of a server report (`ReportGeneration.format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocFormat {
    Pdf,
    Html,
    Csv,
}

impl DocFormat {
    pub const ALL: &'static [DocFormat] = &[DocFormat::Pdf, DocFormat::Html, DocFormat::Csv];

    /// The wire name: `PDF`, `HTML`, `CSV`.
    pub fn wire(self) -> &'static str {
        match self {
            DocFormat::Pdf => "PDF",
            DocFormat::Html => "HTML",
            DocFormat::Csv => "CSV",
        }
    }

    /// The wire name, exactly (case-sensitive like the rest of the API).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.wire() == s)
    }

    /// The content type of the rendered bytes: the HTML report is delivered as a ZIP that
    /// holds one self-contained `report.html`.
    pub fn content_type(self) -> &'static str {
        match self {
            DocFormat::Pdf => "application/pdf",
            DocFormat::Html => "application/zip",
            DocFormat::Csv => "text/csv",
        }
    }

    /// The file extension of the rendered bytes.
    pub fn extension(self) -> &'static str {
        match self {
            DocFormat::Pdf => "pdf",
            DocFormat::Html => "zip",
            DocFormat::Csv => "csv",
        }
    }
}

impl std::fmt::Display for DocFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire())
    }
}

/// A report type of `ReportGeneration.type` (reference §3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportType {
    VulnSummary,
    VulnRemediation,
    PciCompliance,
    Pci4Compliance,
    Owasp2013Compliance,
    Owasp2017Compliance,
    Owasp2021Compliance,
    Owasp2023ApiCompliance,
    Owasp2025Compliance,
    Gdpr2016Compliance,
    SoxCompliance,
    HipaaCompliance,
    /// Deprecated on the platform; rendered like [`ReportType::ExecSingleAppAllVulns`].
    ExecSingleApp,
    /// Deprecated on the platform; rendered like [`ReportType::ExecAllAppsAllVulns`].
    ExecAllApps,
    ExecSingleAppNewVulns,
    ExecAllAppsNewVulns,
    ExecSingleAppAllVulns,
    ExecAllAppsAllVulns,
}

const PDF_HTML_CSV: &[DocFormat] = &[DocFormat::Pdf, DocFormat::Html, DocFormat::Csv];
const PDF_HTML: &[DocFormat] = &[DocFormat::Pdf, DocFormat::Html];
const PDF_ONLY: &[DocFormat] = &[DocFormat::Pdf];

impl ReportType {
    pub const ALL: &'static [ReportType] = &[
        ReportType::VulnSummary,
        ReportType::VulnRemediation,
        ReportType::PciCompliance,
        ReportType::Pci4Compliance,
        ReportType::Owasp2013Compliance,
        ReportType::Owasp2017Compliance,
        ReportType::Owasp2021Compliance,
        ReportType::Owasp2023ApiCompliance,
        ReportType::Owasp2025Compliance,
        ReportType::Gdpr2016Compliance,
        ReportType::SoxCompliance,
        ReportType::HipaaCompliance,
        ReportType::ExecSingleApp,
        ReportType::ExecAllApps,
        ReportType::ExecSingleAppNewVulns,
        ReportType::ExecAllAppsNewVulns,
        ReportType::ExecSingleAppAllVulns,
        ReportType::ExecAllAppsAllVulns,
    ];

    /// The wire name, e.g. `OWASP_2021_COMPLIANCE`.
    pub fn wire(self) -> &'static str {
        match self {
            ReportType::VulnSummary => "VULN_SUMMARY",
            ReportType::VulnRemediation => "VULN_REMEDIATION",
            ReportType::PciCompliance => "PCI_COMPLIANCE",
            ReportType::Pci4Compliance => "PCI4_COMPLIANCE",
            ReportType::Owasp2013Compliance => "OWASP_2013_COMPLIANCE",
            ReportType::Owasp2017Compliance => "OWASP_2017_COMPLIANCE",
            ReportType::Owasp2021Compliance => "OWASP_2021_COMPLIANCE",
            ReportType::Owasp2023ApiCompliance => "OWASP_2023API_COMPLIANCE",
            ReportType::Owasp2025Compliance => "OWASP_2025_COMPLIANCE",
            ReportType::Gdpr2016Compliance => "GDPR_2016_COMPLIANCE",
            ReportType::SoxCompliance => "SOX_COMPLIANCE",
            ReportType::HipaaCompliance => "HIPAA_COMPLIANCE",
            ReportType::ExecSingleApp => "EXEC_SINGLE_APP",
            ReportType::ExecAllApps => "EXEC_ALL_APPS",
            ReportType::ExecSingleAppNewVulns => "EXEC_SINGLE_APP_NEW_VULNS",
            ReportType::ExecAllAppsNewVulns => "EXEC_ALL_APPS_NEW_VULNS",
            ReportType::ExecSingleAppAllVulns => "EXEC_SINGLE_APP_ALL_VULNS",
            ReportType::ExecAllAppsAllVulns => "EXEC_ALL_APPS_ALL_VULNS",
        }
    }

    /// The wire name, exactly.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.wire() == s)
    }

    /// The formats this type is generated in (§3.10): VULN_SUMMARY in PDF, HTML and CSV;
    /// the all-apps executive reports in PDF only; every other type in PDF and HTML.
    pub fn formats(self) -> &'static [DocFormat] {
        match self {
            ReportType::VulnSummary => PDF_HTML_CSV,
            t if t.all_apps() => PDF_ONLY,
            _ => PDF_HTML,
        }
    }

    pub fn supports(self, format: DocFormat) -> bool {
        self.formats().contains(&format)
    }

    /// Whether `ReportGeneration.scan.id` is required: every type but the executive ones.
    pub fn needs_scan(self) -> bool {
        !self.is_executive()
    }

    /// The executive reports (cover, summary, trend; findings as a table).
    pub fn is_executive(self) -> bool {
        matches!(
            self,
            ReportType::ExecSingleApp
                | ReportType::ExecAllApps
                | ReportType::ExecSingleAppNewVulns
                | ReportType::ExecAllAppsNewVulns
                | ReportType::ExecSingleAppAllVulns
                | ReportType::ExecAllAppsAllVulns
        )
    }

    /// Whether the report covers every app (one [`AppSection`] per app) rather than one.
    pub fn all_apps(self) -> bool {
        matches!(
            self,
            ReportType::ExecAllApps
                | ReportType::ExecAllAppsNewVulns
                | ReportType::ExecAllAppsAllVulns
        )
    }

    /// Whether only the vulnerabilities new since the previous scan are listed. The caller
    /// puts only those in each section's model; the trend still counts all.
    pub fn new_only(self) -> bool {
        matches!(
            self,
            ReportType::ExecSingleAppNewVulns | ReportType::ExecAllAppsNewVulns
        )
    }

    /// The compliance standard of a compliance report.
    pub fn standard(self) -> Option<Standard> {
        Some(match self {
            ReportType::PciCompliance => Standard::Pci321,
            ReportType::Pci4Compliance => Standard::Pci40,
            ReportType::Owasp2013Compliance => Standard::Owasp2013,
            ReportType::Owasp2017Compliance => Standard::Owasp2017,
            ReportType::Owasp2021Compliance => Standard::Owasp2021,
            ReportType::Owasp2023ApiCompliance => Standard::OwaspApi2023,
            ReportType::Owasp2025Compliance => Standard::Owasp2025,
            ReportType::Gdpr2016Compliance => Standard::Gdpr2016,
            ReportType::SoxCompliance => Standard::Sox,
            ReportType::HipaaCompliance => Standard::Hipaa,
            _ => return None,
        })
    }

    /// A human title, e.g. "OWASP Top 10 2021 compliance".
    pub fn title(self) -> String {
        match self {
            ReportType::VulnSummary => "Vulnerability summary".into(),
            ReportType::VulnRemediation => "Vulnerability remediation".into(),
            ReportType::ExecSingleApp | ReportType::ExecSingleAppAllVulns => {
                "Executive report".into()
            }
            ReportType::ExecAllApps | ReportType::ExecAllAppsAllVulns => {
                "Executive report: all apps".into()
            }
            ReportType::ExecSingleAppNewVulns => "Executive report: new vulnerabilities".into(),
            ReportType::ExecAllAppsNewVulns => {
                "Executive report: all apps, new vulnerabilities".into()
            }
            t => match t.standard() {
                Some(s) => format!("{} compliance", s.title()),
                None => t.wire().into(),
            },
        }
    }
}

impl std::fmt::Display for ReportType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire())
    }
}

/// The scan an app section reports on.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanSummary {
    pub id: Uuid,
    pub config_name: String,
    /// The wire status, e.g. `COMPLETE`.
    pub status: String,
    pub submitted: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
}

/// Findings per severity at one scan.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SeverityCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub informational: u64,
    pub safe: u64,
}

impl SeverityCounts {
    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Informational => self.informational,
            Severity::Safe => self.safe,
        }
    }

    pub fn add(&mut self, s: Severity, n: u64) {
        let c = match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Informational => &mut self.informational,
            Severity::Safe => &mut self.safe,
        };
        *c += n;
    }

    pub fn total(&self) -> u64 {
        Severity::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// One earlier (or the current) scan of an app in the trend.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    pub scan_id: Uuid,
    pub at: DateTime<Utc>,
    pub counts: SeverityCounts,
}

/// How an app's vulnerabilities changed since the previous scan.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Trend {
    /// Found by this scan and not by the previous one.
    pub new: u64,
    /// Found by the previous scan and not by this one (or marked remediated).
    pub fixed: u64,
    /// Found by both.
    pub still_open: u64,
    /// Scans oldest first, the current one last.
    pub history: Vec<TrendPoint>,
}

/// One app of a report.
#[derive(Clone, Debug)]
pub struct AppSection {
    pub app_id: Uuid,
    pub app_name: String,
    /// The scan reported on (`None` for an executive report of an app never scanned).
    pub scan: Option<ScanSummary>,
    /// The findings of that app (with their triage status), as the report model.
    pub model: ReportModel,
    pub trend: Option<Trend>,
}

/// Everything one server report document shows.
#[derive(Clone, Debug)]
pub struct DocumentInput {
    /// `ReportGeneration.name`.
    pub title: String,
    pub report_type: ReportType,
    /// When the report was generated (shown on the cover; the renderer reads no clock).
    pub generated_at: DateTime<Utc>,
    /// The `filter` the report was requested with, shown as given.
    pub filter_text: Option<String>,
    /// `start`/`end` (or `month`) of the request, inclusive.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub sections: Vec<AppSection>,
}

/// Renders `input` as `format`: the final bytes (a PDF; a ZIP holding `report.html`; CSV).
/// Refuses a format the report type does not support.
pub fn render_document(input: &DocumentInput, format: DocFormat) -> Result<Vec<u8>, ReportError> {
    if !input.report_type.supports(format) {
        return Err(ReportError::Unsupported {
            report_type: input.report_type.wire(),
            format: format.wire(),
        });
    }
    match format {
        DocFormat::Pdf => crate::pdf::render_document(input),
        DocFormat::Html => {
            let html = crate::html::render_document(input)?;
            Ok(crate::zip::single_file("report.html", html.as_bytes()))
        }
        DocFormat::Csv => crate::csv_out::render_document(input).map(String::into_bytes),
    }
}

impl DocumentInput {
    /// A vulnerability summary of one scan's model (`rampart scan`/`rampart report
    /// --format pdf`): one section named after the target, generated when the scan finished.
    pub fn from_model(m: &ReportModel) -> Self {
        DocumentInput {
            title: format!("Scan report: {}", m.target),
            report_type: ReportType::VulnSummary,
            generated_at: m.finished_at,
            filter_text: None,
            period: None,
            sections: vec![AppSection {
                app_id: Uuid::nil(),
                app_name: m.target.clone(),
                scan: None,
                model: m.clone(),
                trend: None,
            }],
        }
    }
}

/// The self-contained HTML page of a document (what the ZIP of [`render_document`] holds).
pub fn render_document_html(input: &DocumentInput) -> Result<String, ReportError> {
    crate::html::render_document(input)
}
