//! Browser confirmation of reflected and stored XSS whose HTML-only verdict is uncertain, on
//! the testbed's partner-links area: every case reported and no safe twin, the template that
//! the page's script stamps confirmed in Chromium, the one nothing stamps refuted and dropped;
//! without a browser both are reported at a lower confidence, saying they were not confirmed.

use crate::{logs, options, scan, testbed, url};
use rampart_browser::Chromium;
use rampart_engine::finding::Confidence;
use rampart_engine::plan::Modules;
use rampart_engine::ScanPlan;
use std::sync::Arc;

fn plan(tb: &rampart_testbed::TestbedHandle) -> ScanPlan {
    let mut plan = ScanPlan::for_url(url(tb, "/links/"));
    plan.modules = Modules::from_keys(["xss_reflected"]);
    plan
}

fn reported(tb: &rampart_testbed::TestbedHandle, s: &rampart_engine::Summary, id: &str) -> bool {
    let c = tb.manifest().into_iter().find(|c| c.id == id).unwrap();
    s.findings.iter().any(|f| {
        c.matches(
            &f.module_key,
            &f.root_cause_url,
            Some(&f.root_cause_parameter),
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncertain_reflected_xss_is_confirmed_or_refuted_in_the_browser() {
    if !rampart_browser::chromium_for_test("xss confirmation") {
        return;
    }
    let tb = testbed(None).await;
    let browser = Arc::new(Chromium::new(options()));
    let (s, events) = scan(plan(&tb), Some(browser)).await;
    for f in &s.findings {
        eprintln!(
            "{} {} {:?} | {}",
            f.root_cause_url, f.root_cause_parameter, f.confidence, f.variances[0].proof
        );
    }
    let log = logs(&events);
    let line = log
        .iter()
        .find(|l| l.starts_with("browser confirmation of uncertain cross-site scripting"))
        .expect("the confirmation's event");
    eprintln!("{line}");
    let cases: Vec<_> = tb
        .manifest()
        .into_iter()
        .filter(|c| c.module_key == "xss_reflected" && c.path.starts_with("/links/"))
        .collect();
    assert!(cases.iter().any(|c| c.needs_browser && !c.vulnerable));
    for c in &cases {
        assert_eq!(
            reported(&tb, &s, &c.id),
            c.vulnerable,
            "{} ({})",
            c.id,
            c.path
        );
    }
    // The stamped template: confirmed by execution, with the browser's evidence.
    let card = s
        .findings
        .iter()
        .find(|f| f.root_cause_url.contains("/links/card.php?"))
        .unwrap();
    assert_eq!(card.confidence, Confidence::Confirmed);
    let proof = &card.variances[0].proof;
    assert!(
        proof.contains("ran in Chromium") && proof.contains("page load") && proof.contains("stack"),
        "{proof}"
    );
    assert!(proof.contains("<template>"), "the reason is said: {proof}");
    // The untyped echo: what the browser's sniffing decided, not ours.
    let echo = s
        .findings
        .iter()
        .find(|f| f.root_cause_url.contains("/links/echo?"))
        .unwrap();
    assert!(
        echo.variances[0].proof.contains("ran in Chromium"),
        "{}",
        echo.variances[0].proof
    );
    assert!(line.contains("refuted and dropped"), "{line}");
    assert!(line.contains("/links/cards.php greeting"), "{line}");

    // Without the browser the HTML verdict stands, at the confidence its uncertainty allows
    // and saying it was not confirmed: both templates, tentative (a dormant payload).
    let (html, _) = scan(plan(&tb), None).await;
    assert!(reported(&tb, &html, "xss-template"));
    assert!(reported(&tb, &html, "xss-safe-template"));
    unconfirmed(&html, "/links/cards.php?", Confidence::Tentative);
    unconfirmed(&html, "/links/card.php?", Confidence::Tentative);
    tb.shutdown().await;
}

/// The finding at `url_part`, reported with the HTML verdict only: at `confidence`, its proof
/// saying no browser confirmed it and what made the verdict uncertain.
fn unconfirmed(s: &rampart_engine::Summary, url_part: &str, confidence: Confidence) {
    let f = s
        .findings
        .iter()
        .find(|f| f.root_cause_url.contains(url_part))
        .unwrap_or_else(|| panic!("a finding on {url_part}"));
    assert_eq!(f.confidence, confidence, "{url_part}");
    let proof = &f.variances[0].proof;
    assert!(
        proof.contains("not confirmed in a browser (no browser in this scan)")
            && proof.contains("<template>"),
        "{proof}"
    );
}

/// Stored XSS goes through the same confirmation: a wish stored raw in a template that the
/// wall's script stamps is confirmed by execution on the wall (the payload planted again
/// first); a note kept raw only in templates nothing stamps (the board shows it escaped) is
/// refuted and dropped. Without the browser both are reported tentative, as unconfirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncertain_stored_xss_is_confirmed_or_refuted_in_the_browser() {
    if !rampart_browser::chromium_for_test("stored xss confirmation") {
        return;
    }
    let tb = testbed(None).await;
    let mut plan = ScanPlan::for_url(url(&tb, "/links/"));
    plan.modules = Modules::from_keys(["xss_stored"]);
    let browser = Arc::new(Chromium::new(options()));
    let (s, events) = scan(plan.clone(), Some(browser)).await;
    for f in &s.findings {
        eprintln!(
            "{} {} {:?} | {}",
            f.root_cause_url, f.root_cause_parameter, f.confidence, f.variances[0].proof
        );
    }
    let log = logs(&events);
    let line = log
        .iter()
        .find(|l| l.starts_with("browser confirmation of uncertain cross-site scripting"))
        .expect("the confirmation's event");
    eprintln!("{line}");
    assert!(reported(&tb, &s, "xss-stored-template"));
    assert!(!reported(&tb, &s, "xss-stored-safe-template"), "{line}");
    let wall = s
        .findings
        .iter()
        .find(|f| f.module_key == "xss_stored" && f.root_cause_url.contains("/links/wish.php"))
        .unwrap();
    assert_eq!(wall.confidence, Confidence::Confirmed);
    let proof = &wall.variances[0].proof;
    assert!(
        proof.contains("ran in Chromium")
            && proof.contains("/links/wall.php")
            && proof.contains("stack"),
        "{proof}"
    );
    assert!(proof.contains("<template>"), "the reason is said: {proof}");
    assert!(line.contains("refuted and dropped"), "{line}");
    assert!(line.contains("/links/note.php note"), "{line}");

    let (html, _) = scan(plan, None).await;
    assert!(reported(&tb, &html, "xss-stored-template"));
    assert!(reported(&tb, &html, "xss-stored-safe-template"));
    unconfirmed(&html, "/links/wish.php", Confidence::Tentative);
    unconfirmed(&html, "/links/note.php", Confidence::Tentative);
    tb.shutdown().await;
}
