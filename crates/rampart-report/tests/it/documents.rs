//! Server report documents: every report type × every format it supports, from one fixed
//! data set. PDFs are read back with poppler (`pdftotext`, text snapshot) and every page is
//! rendered with `pdftoppm` to prove it opens; HTML is unzipped and snapshotted; CSV is
//! snapshotted. poppler-utils is required (CI installs it in `.ci/run`).

use crate::fixture::report;
use chrono::{NaiveDate, TimeZone, Utc};
use rampart_report::{
    render_document, AppSection, DocFormat, DocumentInput, ReportType, ScanSummary, SeverityCounts,
    Trend, TrendPoint, VulnStatus,
};
use std::io::Read;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use uuid::Uuid;

fn counts(c: u64, h: u64, m: u64, l: u64) -> SeverityCounts {
    SeverityCounts {
        critical: c,
        high: h,
        medium: m,
        low: l,
        ..SeverityCounts::default()
    }
}

fn section(n: u128, name: &str) -> AppSection {
    let mut model = report();
    // A server scan's data carries no per-reason losses (see `rampart_report::api`).
    model.summary.dropped.clear();
    model.summary.abandoned.clear();
    let statuses = [
        VulnStatus::Unreviewed,
        VulnStatus::Verified,
        VulnStatus::FalsePositive,
    ];
    for (f, s) in model.findings.iter_mut().zip(statuses) {
        f.status = Some(s);
    }
    AppSection {
        app_id: Uuid::from_u128(n),
        app_name: name.into(),
        scan: Some(ScanSummary {
            id: Uuid::from_u128(0x5000 + n),
            config_name: "Weekly full scan".into(),
            status: "COMPLETE".into(),
            submitted: Some(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()),
            completed: Some(Utc.with_ymd_and_hms(2026, 1, 2, 4, 10, 6).unwrap()),
        }),
        model,
        trend: Some(Trend {
            new: 1,
            fixed: 2,
            still_open: 2,
            history: vec![
                TrendPoint {
                    scan_id: Uuid::from_u128(0x4000 + n),
                    at: Utc.with_ymd_and_hms(2025, 12, 5, 3, 0, 0).unwrap(),
                    counts: counts(1, 3, 2, 1),
                },
                TrendPoint {
                    scan_id: Uuid::from_u128(0x4100 + n),
                    at: Utc.with_ymd_and_hms(2025, 12, 19, 3, 0, 0).unwrap(),
                    counts: counts(0, 3, 1, 1),
                },
                TrendPoint {
                    scan_id: Uuid::from_u128(0x5000 + n),
                    at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
                    counts: counts(0, 2, 0, 1),
                },
            ],
        }),
    }
}

/// The fixed data set of a report type: two apps for the all-apps types, one otherwise.
pub fn document(t: ReportType) -> DocumentInput {
    let mut sections = vec![section(1, "Shop <prod>")];
    if t.all_apps() {
        sections.push(section(2, "Blog & news"));
    }
    DocumentInput {
        title: "Weekly report \"#1\" <b>".into(),
        report_type: t,
        generated_at: Utc.with_ymd_and_hms(2026, 1, 3, 8, 0, 0).unwrap(),
        filter_text: Some("vulnerability.severity = 'HIGH'".into()),
        period: Some((
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        )),
        sections,
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "rampart-doc-{tag}-{}-{}",
        std::process::id(),
        Uuid::new_v4()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tool(name: &str) -> PathBuf {
    let p = PathBuf::from("/usr/bin").join(name);
    assert!(
        p.is_file(),
        "{name} is required for the PDF tests: apt-get install -y poppler-utils"
    );
    p
}

/// The text of a PDF as poppler extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = temp_dir("text");
    let path = dir.join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool("pdftotext"))
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(dir).ok();
    String::from_utf8(out.stdout).unwrap()
}

/// Renders every page to PNG with pdftoppm; returns the number of pages rendered.
pub fn render_pages(pdf: &[u8], dir: &Path) -> usize {
    let path = dir.join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool("pdftoppm"))
        .args(["-png", "-r", "40"])
        .arg(&path)
        .arg(dir.join("page"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .collect();
    for p in &pages {
        let bytes = std::fs::read(p.path()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{:?}", p.path());
        assert!(bytes.len() > 200, "page image is empty: {:?}", p.path());
    }
    pages.len()
}

/// The `report.html` inside the HTML report's ZIP (one DEFLATE or stored entry).
pub fn unzip_html(zip: &[u8]) -> String {
    assert_eq!(&zip[..4], b"PK\x03\x04");
    let method = u16::from_le_bytes([zip[8], zip[9]]);
    let csize = u32::from_le_bytes([zip[18], zip[19], zip[20], zip[21]]) as usize;
    let name_len = u16::from_le_bytes([zip[26], zip[27]]) as usize;
    let extra = u16::from_le_bytes([zip[28], zip[29]]) as usize;
    assert_eq!(&zip[30..30 + name_len], b"report.html");
    let body = &zip[30 + name_len + extra..30 + name_len + extra + csize];
    match method {
        0 => String::from_utf8(body.to_vec()).unwrap(),
        8 => {
            let mut s = String::new();
            flate2::read::DeflateDecoder::new(body)
                .read_to_string(&mut s)
                .unwrap();
            s
        }
        m => panic!("unexpected zip method {m}"),
    }
}

#[test]
fn every_type_in_every_supported_format_matches_its_snapshot() {
    for t in ReportType::ALL {
        let d = document(*t);
        for f in t.formats() {
            let bytes = render_document(&d, *f).unwrap_or_else(|e| panic!("{t} {f}: {e}"));
            let name = format!("doc_{}_{}", t.wire().to_lowercase(), f.extension());
            // For looking at the output (docs/images): RAMPART_REPORT_SAMPLES=DIR keeps a copy.
            if let Ok(dir) = std::env::var("RAMPART_REPORT_SAMPLES") {
                std::fs::write(
                    Path::new(&dir).join(format!("{name}.{}", f.extension())),
                    &bytes,
                )
                .unwrap();
            }
            match f {
                DocFormat::Pdf => {
                    assert!(bytes.starts_with(b"%PDF-"), "{t}");
                    let dir = temp_dir("pages");
                    let pages = render_pages(&bytes, &dir);
                    assert!(pages >= 3, "{t}: cover, summary and findings ({pages})");
                    std::fs::remove_dir_all(dir).ok();
                    let text = pdf_text(&bytes);
                    assert!(text.contains("Weekly report \"#1\" <b>"), "{t}: {text}");
                    insta::assert_snapshot!(name, text);
                }
                DocFormat::Html => {
                    let html = unzip_html(&bytes);
                    assert!(html.contains("Weekly report &quot;#1&quot; &lt;b&gt;"));
                    insta::assert_snapshot!(name, html);
                }
                DocFormat::Csv => {
                    insta::assert_snapshot!(name, String::from_utf8(bytes).unwrap());
                }
            }
        }
    }
}

#[test]
fn unsupported_formats_are_refused_and_names_round_trip() {
    assert_eq!(
        ReportType::ExecAllAppsAllVulns.formats(),
        &[DocFormat::Pdf],
        "all-apps executive reports are PDF only"
    );
    assert_eq!(
        ReportType::VulnSummary.formats(),
        &[DocFormat::Pdf, DocFormat::Html, DocFormat::Csv]
    );
    let e = render_document(&document(ReportType::Owasp2021Compliance), DocFormat::Csv)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("OWASP_2021_COMPLIANCE") && e.contains("CSV"),
        "{e}"
    );
    for t in ReportType::ALL {
        assert_eq!(ReportType::parse(t.wire()), Some(*t));
        assert_eq!(t.needs_scan(), !t.wire().starts_with("EXEC_"), "{t}");
        assert_eq!(t.all_apps(), t.wire().contains("ALL_APPS"), "{t}");
        assert_eq!(t.new_only(), t.wire().ends_with("NEW_VULNS"), "{t}");
        assert_eq!(
            t.standard().is_some(),
            t.wire().ends_with("_COMPLIANCE"),
            "{t}"
        );
    }
    assert_eq!(ReportType::ALL.len(), 18);
    for f in DocFormat::ALL {
        assert_eq!(DocFormat::parse(f.wire()), Some(*f));
    }
    assert_eq!(DocFormat::Html.content_type(), "application/zip");
    assert_eq!(DocFormat::Pdf.content_type(), "application/pdf");
    assert_eq!(DocFormat::Csv.content_type(), "text/csv");
    assert_eq!(ReportType::parse("vuln_summary"), None);
}

#[test]
fn rendering_is_deterministic() {
    for t in [ReportType::VulnSummary, ReportType::ExecSingleAppNewVulns] {
        let d = document(t);
        for f in t.formats() {
            assert_eq!(
                render_document(&d, *f).unwrap(),
                render_document(&d, *f).unwrap(),
                "{t} {f}"
            );
        }
    }
}

#[test]
fn compliance_pdf_shows_each_category_and_maps_findings() {
    let pdf = render_document(&document(ReportType::Owasp2021Compliance), DocFormat::Pdf).unwrap();
    let text = pdf_text(&pdf);
    for cat in [
        "A01:2021",
        "A03:2021",
        "A05:2021",
        "A10:2021",
        "Injection",
        "Server-Side Request Forgery",
    ] {
        assert!(text.contains(cat), "{cat} in:\n{text}");
    }
    // The fixture has SQLi and reflected XSS (A03) and a missing X-Frame-Options (A05).
    let pci =
        pdf_text(&render_document(&document(ReportType::PciCompliance), DocFormat::Pdf).unwrap());
    assert!(pci.contains("6.5.1") && pci.contains("6.5.7"), "{pci}");
}

#[test]
fn the_pdf_escapes_nothing_away_and_trims_long_exchanges() {
    let mut d = document(ReportType::VulnSummary);
    let f = &mut d.sections[0].model.findings[1];
    let x = f.variances[0].attack.as_mut().unwrap();
    x.response = format!(
        "HTTP/1.1 200 OK\r\n\r\n#set page(fill: red) $x$ *bold* {}",
        "A".repeat(100_000)
    );
    let text = pdf_text(&render_document(&d, DocFormat::Pdf).unwrap());
    // Typst markup from the target is shown as text, not evaluated.
    assert!(text.contains("#set page(fill: red) $x$ *bold*"), "{text}");
    assert!(text.contains("more bytes not shown"), "{text}");
    assert!(!text.contains(&"A".repeat(5_000)));
    assert!(text.contains("<script>alert(\"x\")</script>"), "{text}");
}
