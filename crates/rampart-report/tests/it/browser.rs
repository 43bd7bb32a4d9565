//! The HTML report rendered by headless Chromium: the severity chart and every finding are
//! laid out and visible. Chromium is required (CI installs it in `.ci/run`); outside CI the
//! test may be skipped, loudly, with `RAMPART_SKIP_BROWSER_TESTS=1`.

use crate::fixture::{big_report, report};
use rampart_report::{render, Format, ReportModel};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Appended to a copy of the report (the report itself has no scripts): measures what the
/// browser laid out and writes it into the DOM, which `--dump-dom` prints.
const PROBE: &str = r#"<script>
(function () {
  function visible(e) {
    if (!e) return false;
    var r = e.getBoundingClientRect();
    var s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && (typeof e.checkVisibility !== 'function' || e.checkVisibility());
  }
  var svg = document.querySelector('svg[aria-label="findings by severity"]');
  var bars = svg ? Array.prototype.slice.call(svg.querySelectorAll('rect')) : [];
  var findings = Array.prototype.slice.call(document.querySelectorAll('.finding'));
  var out = {
    chart_visible: visible(svg),
    chart_width: svg ? svg.getBoundingClientRect().width : 0,
    bars: bars.length,
    bar_widths: bars.map(function (b) { return b.getBoundingClientRect().width; }),
    findings: findings.map(function (f) { return { visible: visible(f), text: f.innerText }; }),
    scripts_elsewhere: Array.prototype.filter.call(document.scripts, function (s) { return s.src; }).length
  };
  var pre = document.createElement('pre');
  pre.id = 'rampart-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"#;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "rampart-browser-{tag}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs Chromium headless on `page` and returns the DOM after load, with a deadline.
fn dump_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    let child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,2000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(Ok(out)) => {
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                stdout.contains("rampart-probe"),
                "chromium printed no probe (status {:?}); stderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            stdout
        }
        Ok(Err(e)) => panic!("chromium failed: {e}"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("chromium did not finish within 120 s");
        }
    }
}

fn probe(dom: &str) -> Value {
    let start = dom.find("id=\"rampart-probe\">").expect("probe element") + 19;
    let end = start + dom[start..].find("</pre>").expect("probe end");
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&text).expect("probe JSON")
}

fn check(m: &ReportModel, browser: &Path) {
    let dir = temp_dir("html");
    let html = render(m, Format::Html).unwrap();
    assert_eq!(
        html.matches("<script").count(),
        1,
        "one inline filter script"
    );
    let page = dir.join("report.html");
    std::fs::write(&page, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let dom = dump_dom(browser, &page, &dir.join("profile"));
    let p = probe(&dom);
    assert_eq!(p["chart_visible"], true, "chart visible: {p}");
    assert!(p["chart_width"].as_f64().unwrap() > 100.0, "{p}");
    assert_eq!(p["bars"], 6, "one bar per severity: {p}");
    let widths: Vec<f64> = p["bar_widths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    // Bars for non-zero counts have a width; zero counts none.
    for ((_, n), w) in m.counts().iter().zip(&widths) {
        assert_eq!(*n > 0, *w > 0.0, "bar width {w} for count {n}: {p}");
    }
    let shown = p["findings"].as_array().unwrap();
    assert_eq!(shown.len(), m.findings.len(), "every finding rendered");
    for (f, s) in m.sorted_findings().iter().zip(shown) {
        assert_eq!(s["visible"], true, "finding {} visible", f.root_cause_url);
        let text = s["text"].as_str().unwrap();
        assert!(
            text.contains(&f.root_cause_url),
            "finding text shows its URL {}: {text}",
            f.root_cause_url
        );
        let first = &f.variances[0];
        assert!(
            text.contains(&first.proof[..first.proof.len().min(40)]),
            "proof shown: {text}"
        );
    }
    assert_eq!(p["scripts_elsewhere"], 0);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn chromium_shows_the_chart_and_every_finding() {
    let Some(browser) = chromium() else {
        let skip = std::env::var("RAMPART_SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1");
        if skip && std::env::var("CI").is_err() {
            eprintln!(
                "\n!!! SKIPPED chromium_shows_the_chart_and_every_finding: no chromium on PATH \
                 (RAMPART_SKIP_BROWSER_TESTS=1). Install it: apt-get install -y chromium !!!\n"
            );
            return;
        }
        panic!(
            "chromium is required for the HTML report test: apt-get install -y chromium \
             (or set CHROMIUM=/path; locally RAMPART_SKIP_BROWSER_TESTS=1 skips it)"
        );
    };
    check(&report(), &browser);
    check(&big_report(40), &browser);
}

/// Sets the report's filters as a reader would (choosing an option fires `change`) and
/// counts the findings still visible after each choice.
const FILTER_PROBE: &str = r#"<script>
(function () {
  function visible(e) {
    var r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).display !== 'none';
  }
  function count() {
    return Array.prototype.filter.call(document.querySelectorAll('.finding'), visible).length;
  }
  function choose(k, v) {
    var s = document.getElementById('filter-' + k);
    s.value = v;
    s.dispatchEvent(new Event('change'));
  }
  var out = { all: count() };
  choose('severity', 'HIGH'); out.high = count();
  choose('status', 'VERIFIED'); out.high_verified = count();
  choose('severity', ''); choose('status', ''); choose('module', 'x_frame_options');
  out.xfo = count(); out.shown_label = document.getElementById('shown').textContent;
  choose('module', ''); out.reset = count();
  out.toc_links = document.querySelectorAll('#toc a').length;
  out.toc_targets_exist = Array.prototype.every.call(document.querySelectorAll('#toc a'), function (a) {
    return !!document.getElementById(a.getAttribute('href').slice(1));
  });
  out.status_badges = Array.prototype.map.call(document.querySelectorAll('.finding .status'), function (b) { return b.textContent; });
  var pre = document.createElement('pre');
  pre.id = 'rampart-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"#;

#[test]
fn chromium_filters_the_document_report_by_severity_module_and_status() {
    let Some(browser) = chromium() else {
        panic!("chromium is required for the HTML report test: apt-get install -y chromium");
    };
    let d = crate::documents::document(rampart_report::ReportType::VulnSummary);
    let html = rampart_report::render_document_html(&d).unwrap();
    let dir = temp_dir("filters");
    let page = dir.join("report.html");
    std::fs::write(
        &page,
        html.replace("</body>", &format!("{FILTER_PROBE}</body>")),
    )
    .unwrap();
    let p = probe(&dump_dom(&browser, &page, &dir.join("profile")));
    assert_eq!(p["all"], 3, "{p}");
    assert_eq!(p["high"], 2, "two HIGH findings: {p}");
    assert_eq!(p["high_verified"], 1, "one of them VERIFIED: {p}");
    assert_eq!(p["xfo"], 1, "{p}");
    assert_eq!(p["shown_label"], "1", "{p}");
    assert_eq!(p["reset"], 3, "{p}");
    assert!(p["toc_links"].as_u64().unwrap() >= 5, "{p}");
    assert_eq!(p["toc_targets_exist"], true, "{p}");
    let mut badges: Vec<&str> = p["status_badges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    badges.sort();
    assert_eq!(badges, ["FALSE_POSITIVE", "UNREVIEWED", "VERIFIED"], "{p}");
    std::fs::remove_dir_all(dir).ok();
}
