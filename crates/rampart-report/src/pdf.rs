//! PDF: a report document typeset in-process by Typst (as a library) with embedded fonts
//! (DejaVu Sans and Sans Mono, `fonts/`). The document view is serialised to JSON and read by
//! `templates/report.typ` as data, so text from the target is never evaluated as markup.
//!
//! Size cap (stated in docs/reports.md): the first [`DETAILED`] findings (highest severity
//! first) are shown in full (description, proof, trimmed request/response); the next
//! findings up to [`TABLE_CAP`] are listed in a table; any beyond are counted only.

use crate::document::DocumentInput;
use crate::view::{self, Detail, DocView, FindingView, TrendView};
use crate::ReportError;
use serde::Serialize;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// Findings shown in full detail.
pub const DETAILED: usize = 300;
/// Findings listed in the table after the detailed ones (the rest are counted only).
pub const TABLE_CAP: usize = 5_000;
/// Request/response text per exchange in the PDF.
const EXCHANGE_CAP: usize = 1_500;

const TEMPLATE: &str = include_str!("../templates/report.typ");
const FONTS: &[&[u8]] = &[
    include_bytes!("../fonts/DejaVuSans.ttf"),
    include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../fonts/DejaVuSansMono.ttf"),
];

#[derive(Serialize)]
struct PdfModule {
    name: String,
    key: String,
    cwe: u32,
    owasp: String,
    count: usize,
    description: Vec<String>,
    remediation: Vec<String>,
    references: Vec<(String, String)>,
    compliance: Vec<String>,
    findings: Vec<PdfFinding>,
}

#[derive(Serialize)]
struct PdfFinding {
    #[serde(flatten)]
    f: FindingView,
    more_variances: usize,
}

#[derive(Serialize)]
struct PdfGroup {
    severity: &'static str,
    count: usize,
    modules: Vec<PdfModule>,
}

#[derive(Serialize)]
struct PdfSection {
    title: String,
    info: Vec<(String, String)>,
    total: usize,
    counts: Vec<view::CountView>,
    trend: Option<TrendView>,
    compliance: Option<view::ComplianceView>,
    groups: Vec<PdfGroup>,
    table: Vec<[String; 5]>,
    table_note: String,
    omitted: usize,
}

#[derive(Serialize)]
struct PdfData {
    title: String,
    subtitle: String,
    generated: String,
    tool: String,
    headline: String,
    cover: Vec<(String, String)>,
    info: Vec<(String, String)>,
    total: usize,
    counts: Vec<view::CountView>,
    executive: bool,
    remediation: bool,
    sections: Vec<PdfSection>,
}

fn headline(v: &DocView) -> String {
    let serious: usize = v
        .counts
        .iter()
        .filter(|c| c.severity == "CRITICAL" || c.severity == "HIGH")
        .map(|c| c.count)
        .sum();
    match (v.total, serious) {
        (0, _) => "No vulnerabilities were found.".into(),
        (n, 0) => format!(
            "{n} finding(s), none of critical or high severity. Review the medium and low findings below in the order listed."
        ),
        (n, s) => format!(
            "{n} finding(s), {s} of critical or high severity: these should be fixed first. Findings are listed by severity, each with its proof and remediation."
        ),
    }
}

fn pdf_data(v: DocView) -> PdfData {
    let mut table_left = TABLE_CAP;
    let cover = {
        let mut c = vec![("Report".to_string(), v.subtitle.clone())];
        for s in v.sections.iter().take(6) {
            if let Some((_, app)) = s.info.iter().find(|(k, _)| k == "App") {
                c.push(("App".into(), app.clone()));
            }
            if let Some((_, scan)) = s.info.iter().find(|(k, _)| k == "Scan") {
                c.push(("Scan".into(), scan.clone()));
            }
        }
        if v.sections.len() > 6 {
            c.push(("Apps".into(), format!("{} in total", v.sections.len())));
        }
        c.extend(v.info.iter().filter(|(k, _)| k != "Report type").cloned());
        c.push(("Findings".into(), v.total.to_string()));
        c.push(("Date".into(), v.generated.clone()));
        c
    };
    let headline = headline(&v);
    let mut sections = Vec::new();
    for s in v.sections {
        let mut table = Vec::new();
        let mut omitted = 0usize;
        let mut groups = Vec::new();
        for g in s.groups {
            let mut modules = Vec::new();
            for m in g.modules {
                let count = m.findings.len();
                let mut detailed = Vec::new();
                for f in m.findings {
                    if f.detailed && !v.executive {
                        let more = f.total_variances.saturating_sub(f.variances.len());
                        detailed.push(PdfFinding {
                            f,
                            more_variances: more,
                        });
                    } else if table_left > 0 {
                        table_left -= 1;
                        table.push([
                            f.severity.to_string(),
                            f.name.clone(),
                            f.url.clone(),
                            f.parameter.clone(),
                            f.status.to_string(),
                        ]);
                    } else {
                        omitted += 1;
                    }
                }
                let compliance = crate::compliance::all_categories(m.cwe)
                    .into_iter()
                    .filter(|(st, _)| {
                        matches!(st, crate::Standard::Owasp2021 | crate::Standard::Pci40)
                    })
                    .map(|(st, cats)| format!("{}: {}", st.title(), cats.join(", ")))
                    .collect();
                modules.push(PdfModule {
                    name: m.name,
                    key: m.key,
                    cwe: m.cwe,
                    owasp: m.owasp,
                    count,
                    description: m.description,
                    remediation: m.remediation,
                    references: m.references,
                    compliance,
                    findings: detailed,
                });
            }
            groups.push(PdfGroup {
                severity: g.severity,
                count: g.count,
                modules,
            });
        }
        let table_note = if v.executive {
            "Every finding of this report, highest severity first.".to_string()
        } else {
            format!(
                "The first {DETAILED} findings of the report are shown above in full; these are listed in brief."
            )
        };
        sections.push(PdfSection {
            title: s.title,
            info: s.info,
            total: s.total,
            counts: s.counts,
            trend: s.trend,
            compliance: s.compliance,
            groups,
            table,
            table_note,
            omitted,
        });
    }
    PdfData {
        title: v.title,
        subtitle: v.subtitle,
        generated: v.generated,
        tool: v.tool,
        headline,
        cover,
        info: v.info,
        total: v.total,
        counts: v.counts,
        executive: v.executive,
        remediation: v.remediation,
        sections,
    }
}

/// The fonts, parsed once.
fn fonts() -> &'static (LazyHash<FontBook>, Vec<Font>) {
    static FONTS_CELL: OnceLock<(LazyHash<FontBook>, Vec<Font>)> = OnceLock::new();
    FONTS_CELL.get_or_init(|| {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|b| Font::iter(Bytes::new(*b)))
            .collect();
        (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIB: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIB.get_or_init(|| LazyHash::new(Library::default()))
}

/// The world of one compilation: the template as the main file and the data as
/// `data.json`; no other file, no package, no clock.
struct ReportWorld {
    main: FileId,
    data_id: FileId,
    source: Source,
    data: Bytes,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().0
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main {
            Ok(Bytes::from_string(self.source.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().1.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let vpath = VirtualPath::new(path).map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

fn compile(data: &PdfData) -> Result<Vec<u8>, ReportError> {
    let json = serde_json::to_vec(data)?;
    let main = file_id("/main.typ")?;
    let world = ReportWorld {
        main,
        data_id: file_id("/data.json")?,
        source: Source::new(main, TEMPLATE.to_string()),
        data: Bytes::new(json),
    };
    let doc = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errs| {
            ReportError::Pdf(
                errs.iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        });
    let out = doc.and_then(|doc| {
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
            ReportError::Pdf(
                errs.iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    });
    // Typst memoises across compilations; a server renders many unrelated reports.
    typst::comemo::evict(0);
    out
}

const PDF_DETAIL: Detail = Detail {
    max_detailed: DETAILED,
    exchange_cap: EXCHANGE_CAP,
    max_variances: 1,
};

pub(crate) fn render_document(d: &DocumentInput) -> Result<Vec<u8>, ReportError> {
    compile(&pdf_data(view::document(d, PDF_DETAIL)?))
}
