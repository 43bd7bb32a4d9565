//! Import throughput: a generated SARIF log of RESULTS results (default 50,000, over 500
//! files and 40 rules, each with a distinct snippet) or a CycloneDX SBOM of COMPONENTS
//! components with one vulnerability each (default 5,000), written to a temporary file and
//! imported through the service (streaming parse from the file, reconcile, one
//! transaction), then imported again (every finding unchanged), then a dry run. Prints
//! results/s of each and the process's peak RSS (VmHWM) after each phase; then the parse
//! alone twice, checked against the format's JSON schema and against the importer's types
//! only (what the schema costs).
//!
//! ```sh
//! cargo run --release -p rampart-server --example import_bench -- sqlite sarif
//! cargo run --release -p rampart-server --example import_bench -- sqlite cyclonedx
//! cargo run --release -p rampart-server --example import_bench -- sqlite cyclonedx-xml
//! cargo run --release -p rampart-server --example import_bench -- sqlite spdx
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart-server --example import_bench -- postgres sarif
//! ```
//! Environment: RESULTS=50000, COMPONENTS=5000; EVALUATE=1 then evaluates a gate and an SLA
//! policy over every imported finding (`RESULTS=100000 EVALUATE=1 … sqlite sarif`). SQLite runs on a temporary file (WAL), as
//! `rampart server` does. Not a test: it never runs under `cargo test`.

use rampart_domain::PlusScanType;
use rampart_ingest::Format;
use rampart_testkit::{Backend, TestApp};
use std::io::Write;
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size in MiB (Linux), or 0.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn write_sarif(path: &std::path::Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(
        f,
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"bench","rules":["#
    )
    .unwrap();
    for r in 0..40 {
        let sep = if r == 0 { "" } else { "," };
        write!(f, r#"{sep}{{"id":"R{r}","shortDescription":{{"text":"rule {r}"}},"properties":{{"tags":["external/cwe/cwe-{}"],"security-severity":"{}.5"}}}}"#, 20 + r, r % 10).unwrap();
    }
    write!(f, r#"]}}}},"results":["#).unwrap();
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(f, r#"{sep}{{"ruleId":"R{}","ruleIndex":{},"level":"warning","message":{{"text":"finding {i}"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"src/file{}.py"}},"region":{{"startLine":{},"snippet":{{"text":"call(user_input_{i})"}}}}}}}}]}}"#,
            i % 40, i % 40, i % 500, i % 300 + 1).unwrap();
    }
    write!(f, "]}}]}}").unwrap();
    f.flush().unwrap();
}

fn write_cyclonedx(path: &std::path::Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(
        f,
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#
    )
    .unwrap();
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(f, r#"{sep}{{"type":"library","bom-ref":"c{i}","name":"pkg{i}","version":"1.0.{i}","purl":"pkg:pypi/pkg{i}@1.0.{i}"}}"#).unwrap();
    }
    write!(f, r#"],"vulnerabilities":["#).unwrap();
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(f, r#"{sep}{{"id":"CVE-2026-{i:05}","ratings":[{{"score":7.5,"severity":"high"}}],"cwes":[79],"affects":[{{"ref":"c{i}"}}]}}"#).unwrap();
    }
    write!(f, "]}}").unwrap();
    f.flush().unwrap();
}

fn write_cyclonedx_xml(path: &std::path::Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(
        f,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components>"#
    )
    .unwrap();
    for i in 0..n {
        writeln!(f, r#"<component type="library" bom-ref="c{i}"><name>pkg{i}</name><version>1.0.{i}</version><purl>pkg:pypi/pkg{i}@1.0.{i}</purl></component>"#).unwrap();
    }
    writeln!(f, "</components><vulnerabilities>").unwrap();
    for i in 0..n {
        writeln!(f, r#"<vulnerability><id>CVE-2026-{i:05}</id><ratings><rating><score>7.5</score><severity>high</severity></rating></ratings><cwes><cwe>79</cwe></cwes><affects><target><ref>c{i}</ref></target></affects></vulnerability>"#).unwrap();
    }
    write!(f, "</vulnerabilities></bom>").unwrap();
    f.flush().unwrap();
}

fn write_spdx(path: &std::path::Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(
        f,
        r#"{{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"bench","creationInfo":{{"creators":["Tool: bench-1.0"],"created":"2026-01-01T00:00:00Z"}},"packages":["#
    )
    .unwrap();
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(f, r#"{sep}{{"name":"pkg{i}","SPDXID":"SPDXRef-p{i}","downloadLocation":"NOASSERTION","versionInfo":"1.0.{i}","externalRefs":[{{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/pkg{i}@1.0.{i}"}},{{"referenceCategory":"SECURITY","referenceType":"advisory","referenceLocator":"https://nvd.nist.gov/vuln/detail/CVE-2026-{i:05}"}}]}}"#).unwrap();
    }
    write!(f, "]}}").unwrap();
    f.flush().unwrap();
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let backend = match args.next().as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let kind = args.next().unwrap_or_else(|| "sarif".into());
    let format = match kind.as_str() {
        "cyclonedx" | "cyclonedx-xml" => Format::CycloneDx,
        "spdx" => Format::Spdx,
        _ => Format::Sarif,
    };
    let dir = std::env::temp_dir().join(format!("rampart-import-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut builder = TestApp::builder().backend(backend);
    if backend == Backend::Sqlite {
        builder = builder.sqlite_url(&format!("sqlite://{}", dir.join("bench.db").display()));
    }
    let Some(t) = builder.spawn().await else {
        eprintln!("set RAMPART_TEST_PG_URL for PostgreSQL");
        return;
    };
    let file = dir.join("upload.json");
    let (n, scan_type) = match format {
        Format::Sarif => {
            let n = env("RESULTS", 50_000);
            write_sarif(&file, n);
            (n, PlusScanType::Sast)
        }
        Format::CycloneDx => {
            let n = env("COMPONENTS", 5_000);
            if kind == "cyclonedx-xml" {
                write_cyclonedx_xml(&file, n);
            } else {
                write_cyclonedx(&file, n);
            }
            (n, PlusScanType::Sca)
        }
        Format::Spdx => {
            let n = env("COMPONENTS", 5_000);
            write_spdx(&file, n);
            (n, PlusScanType::Sca)
        }
    };
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "{backend:?} {kind}: {n} results, {:.1} MiB file, peak RSS before {:.0} MiB",
        size as f64 / 1048576.0,
        peak_mib()
    );
    let app = t.fx_app("bench").await;
    let admin = t.keys.admin.principal.clone();
    for (phase, dry) in [
        ("first import", false),
        ("re-import", false),
        ("dry run", true),
    ] {
        let started = Instant::now();
        let reader = std::io::BufReader::new(std::fs::File::open(&file).expect("open"));
        let report = tokio::task::spawn_blocking(move || rampart_ingest::parse(format, reader))
            .await
            .expect("join")
            .expect("parse");
        let parsed = started.elapsed();
        let out = t
            .service
            .import_results(&admin, app, scan_type, format, report, None, dry)
            .await
            .expect("import");
        let took = started.elapsed();
        println!(
            "  {phase:12} {:>8.0} results/s  ({:.2} s, parse {:.2} s)  new {} unchanged {}  peak RSS {:.0} MiB",
            n as f64 / took.as_secs_f64(),
            took.as_secs_f64(),
            parsed.as_secs_f64(),
            out.delta.new,
            out.delta.unchanged,
            peak_mib()
        );
    }
    // What the schema costs: the parse alone, checked against the format's schema (what an
    // upload gets) and against the importer's types only.
    for (phase, check) in [
        ("parse+schema", rampart_ingest::Check::Schema),
        ("parse only", rampart_ingest::Check::Types),
    ] {
        let started = Instant::now();
        let reader = std::io::BufReader::new(std::fs::File::open(&file).expect("open"));
        let report =
            tokio::task::spawn_blocking(move || rampart_ingest::parse_with(format, reader, check))
                .await
                .expect("join")
                .expect("parse");
        let took = started.elapsed();
        println!(
            "  {phase:12} {:>8.0} results/s  ({:.2} s, {} findings)  peak RSS {:.0} MiB",
            n as f64 / took.as_secs_f64(),
            took.as_secs_f64(),
            report.findings.len(),
            peak_mib()
        );
    }
    // Policy evaluation over every finding imported (EVALUATE=1): a gate policy and an SLA
    // policy, each evaluated on demand as `POST /policies/{id}/evaluate` does.
    if std::env::var("EVALUATE").is_ok_and(|v| v == "1") {
        for (name, sla) in [
            ("gate", None),
            ("sla", Some(rampart_domain::SlaDays::default())),
        ] {
            let policy = t
                .service
                .create_policy(
                    &admin,
                    rampart_service::PolicyInput {
                        name: format!("bench {name}"),
                        description: None,
                        action: rampart_domain::PolicyAction::Block,
                        enabled: true,
                        conditions: rampart_domain::GateConditions {
                            min_severity: Some(rampart_domain::Severity::High),
                            sla,
                            ..Default::default()
                        },
                    },
                )
                .await
                .expect("policy");
            let started = Instant::now();
            let out = t
                .service
                .evaluate_policy(&admin, policy.id, Some(app))
                .await
                .expect("evaluate");
            println!(
                "  evaluate {name:4} over {} findings: {:.2} s ({} matched, {:?}), peak RSS {:.0} MiB",
                out.evaluated,
                started.elapsed().as_secs_f64(),
                out.evaluation.matched,
                out.evaluation.verdict,
                peak_mib()
            );
        }
    }
    drop(t);
    let _ = std::fs::remove_dir_all(&dir);
}
