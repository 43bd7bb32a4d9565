//! Connections closed before an answer: an idempotent request is sent once more; what still
//! gets no answer is counted in the summary with its reason (pages dropped by the crawl,
//! attack jobs abandoned with their remaining payloads) and said in the events.

use rampart_engine::plan::Modules;
use rampart_engine::{Event, ScanPlan};
use rampart_testbed::dropping::{CLOSED, CLOSES_ON};
use url::Url;

#[tokio::test]
async fn a_closed_connection_is_retried_once_for_gets_and_every_loss_is_counted_with_its_reason() {
    let site = rampart_testbed::dropping::spawn().await.unwrap();
    let mut plan = ScanPlan::for_url(Url::parse(&site.base_url()).unwrap());
    plan.modules = Modules::from_keys(["xss_reflected", "sqli"]);
    let (s, events) = crate::run(plan).await;
    let seen = site.seen();
    let count = |p: &str| seen.iter().filter(|k| k.starts_with(p)).count();

    // Failed once, answered on the retry: crawled (each entry names its method), nothing
    // dropped for it.
    assert!(
        s.crawled
            .iter()
            .any(|u| u.starts_with("GET http://") && u.ends_with("/flaky")),
        "{:?}",
        s.crawled
    );
    let flaky: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, k)| k.starts_with("GET /flaky "))
        .map(|(i, _)| i)
        .collect();
    assert!(flaky.len() >= 2, "{seen:?}");
    // Never answered: tried twice (one retry, no more), dropped with its reason.
    assert_eq!(count("GET /gone "), 2, "{seen:?}");
    assert!(!s.crawled.iter().any(|u| u.ends_with("/gone")));
    assert_eq!(s.dropped.get(CLOSED), Some(&1), "{:?}", s.dropped);
    // A POST is never sent twice: each abandoned job made exactly one unanswered request.
    let unanswered = seen
        .iter()
        .filter(|k| k.starts_with("POST /comment ") && CLOSES_ON.iter().any(|c| k.contains(c)))
        .count() as u64;
    let abandoned = s.abandoned.get(CLOSED).copied().unwrap_or(0);
    assert!(abandoned >= 1, "{:?}", s.abandoned);
    assert_eq!(abandoned, unanswered, "{seen:?}");
    let logs: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        logs.iter()
            .any(|m| m.starts_with("page ") && m.contains("/gone not crawled")),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|m| m.starts_with("attack jobs abandoned")
            && m.contains(&format!("{abandoned} ({CLOSED})"))),
        "{logs:?}"
    );
}
