//! `rampart scan --format …` end to end against a tiny local site.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

/// Serves one fixed page (no security headers) on 127.0.0.1:0 until the process ends.
fn site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let body = "<html><body><h1>hi</h1></body></html>";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/")
}

fn scan(url: &str, format: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args([
            "scan",
            url,
            "--template",
            "Passive Only",
            "--max-requests",
            "50",
            "--max-duration",
            "60s",
            "--format",
            format,
        ])
        .output()
        .expect("run rampart scan")
}

#[test]
fn scan_writes_every_format() {
    let url = site();
    let sarif = scan(&url, "sarif");
    assert!(
        sarif.status.success(),
        "{}",
        String::from_utf8_lossy(&sarif.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif is json");
    assert_eq!(doc["version"], "2.1.0");
    assert!(!doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .is_empty());
    let html = scan(&url, "html");
    assert!(String::from_utf8_lossy(&html.stdout).starts_with("<!DOCTYPE html>"));
    let junit = scan(&url, "junit");
    assert!(String::from_utf8_lossy(&junit.stdout).contains("<testsuites"));
}

#[test]
fn scan_rejects_an_unknown_format() {
    let out = scan("http://127.0.0.1:9/", "xml");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sarif"));
}

fn scan_with(url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args([
            "scan",
            url,
            "--template",
            "Passive Only",
            "--max-requests",
            "50",
            "--max-duration",
            "60s",
        ])
        .args(extra)
        .output()
        .expect("run rampart scan")
}

/// A closed port: every request fails, so the scan fails (exit 2 with the reason), even
/// with `--fail-on` (which alone would have passed: no finding).
#[test]
fn an_unreachable_target_fails_with_exit_2() {
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let out = scan_with(&format!("http://{closed}/"), &["--fail-on", "low"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("could not be reached"), "{err}");
}

/// `--output` into a missing directory is refused before any request is sent.
#[test]
fn output_into_a_missing_directory_fails_before_scanning() {
    let target = std::env::temp_dir()
        .join(format!("rampart-missing-{}", std::process::id()))
        .join("report.json");
    let out = scan_with(
        "http://127.0.0.1:9/",
        &["--output", target.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!err.contains("rampart scan Complete"), "no scan ran: {err}");
}

/// `--fail-on` names the findings that failed the gate.
#[test]
fn fail_on_names_the_findings_that_failed() {
    let url = site();
    let out = scan_with(&url, &["--fail-on", "informational"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--fail-on INFORMATIONAL"), "{err}");
    assert!(err.contains(&url), "{err}");
}

/// A site whose `/gone` page and whose form, sent a quote or a bracket, close the connection
/// without an answer (the rest is answered, one request per connection).
fn closing_site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            // The head, then a Content-Length body.
            let (head, body) = loop {
                let Ok(n) = s.read(&mut chunk) else {
                    break (String::new(), String::new());
                };
                if n == 0 {
                    break (String::new(), String::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_string();
                let len = rampart_testbed::dropping::content_length(&head);
                if buf.len() >= end + 4 + len {
                    let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
                    break (head, body);
                }
            };
            let line = head.lines().next().unwrap_or("").to_string();
            let quote = rampart_testbed::dropping::CLOSES_ON
                .iter()
                .any(|c| body.contains(c));
            let page = if line.starts_with("GET / ") {
                "<html><body><a href=\"/gone\">gone</a><form method=\"post\" action=\"/comment\"><input name=\"text\" value=\"hi\"><input type=\"submit\"></form></body></html>"
            } else if line.starts_with("GET /gone ")
                || (line.starts_with("POST /comment ") && quote)
            {
                continue; // dropped: the connection closes unanswered
            } else if line.starts_with("POST /comment ") {
                "<html><body><p>thanks</p></body></html>"
            } else {
                ""
            };
            let status = if page.is_empty() {
                "404 Not Found"
            } else {
                "200 OK"
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    format!("http://{addr}/")
}

/// End to end: what requests that got no answer cost (a page the crawl dropped, attack jobs
/// abandoned with their remaining payloads) reaches the report with its reason.
#[test]
fn the_report_counts_dropped_pages_and_abandoned_attacks_with_their_reasons() {
    let url = closing_site();
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args([
                "scan",
                &url,
                "--template",
                "SQL Injection",
                "--max-requests",
                "400",
                "--max-duration",
                "60s",
                "--format",
                format,
            ])
            .output()
            .expect("run rampart scan")
    };
    let out = run("json");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    const CLOSED: &str = "connection closed or broken";
    assert_eq!(doc["dropped"][CLOSED], 1, "{}", doc["dropped"]);
    assert!(
        doc["abandoned"][CLOSED].as_u64().unwrap_or(0) >= 1,
        "{}",
        doc["abandoned"]
    );
    assert_eq!(doc["skipped"]["request_failed"], 1, "{}", doc["skipped"]);
    let md = run("markdown");
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains(&format!("Pages not crawled (no answer):** 1 ({CLOSED})")),
        "{md}"
    );
    assert!(md.contains("Attack jobs abandoned"), "{md}");
}
